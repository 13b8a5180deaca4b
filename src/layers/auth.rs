//! Auth guidance: token and permission failures become an [`Error::Auth`] that says what to do.
//!
//! Codes 0, 3, 10, 190 (all subcodes) and 200-299 are never retried; this layer keeps the Graph
//! error and adds the seed's advice (the Access Token Debugger, the two permissions, a new token
//! for the right Meta app, a System User token for expiring tokens). With
//! [`AuthGuidance::diagnose`] on, it also asks `GET /debug_token` and attaches the answer.
//! Nothing it logs or returns carries the token or the `debug_token` URL (whose query holds it).

use http::Extensions;
use reqwest::{Request, Response};

use crate::layers::chain::Inner;

use super::body;
use crate::client::{AccessToken, Endpoint};
use crate::error::catalogue::is_auth_code;
use crate::error::{ApiError, AuthError, Error};
use crate::layers::facts::{Operation, RequestFacts};
use crate::models::token::{debug_token_url, parse_diagnosis, TokenDiagnosis};

/// Settings of the auth guidance layer.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AuthGuidance {
    /// Call `GET /debug_token` on an auth failure and attach the diagnosis (default off: it
    /// costs one more request, and a token without access may not be able to debug itself).
    pub diagnose: bool,
}

impl AuthGuidance {
    /// Guidance with token diagnosis switched on or off.
    pub fn with_diagnosis(diagnose: bool) -> Self {
        AuthGuidance { diagnose }
    }
}

/// The auth guidance middleware.
#[derive(Debug, Clone)]
pub struct AuthLayer {
    config: AuthGuidance,
    http: reqwest::Client,
    endpoint: Endpoint,
    token: AccessToken,
}

impl AuthLayer {
    /// A layer that diagnoses with this transport, endpoint and token when enabled.
    pub fn new(
        config: AuthGuidance,
        http: reqwest::Client,
        endpoint: Endpoint,
        token: AccessToken,
    ) -> Self {
        AuthLayer {
            config,
            http,
            endpoint,
            token,
        }
    }

    async fn diagnose(&self) -> Option<TokenDiagnosis> {
        let url = debug_token_url(&self.endpoint, self.token.expose());
        let response = self
            .http
            .get(url)
            .header(http::header::AUTHORIZATION, self.token.bearer_header())
            .send()
            .await
            .ok()?;
        let (_, bytes) = body::buffer(response).await.ok()?;
        parse_diagnosis(&bytes?)
    }
}

/// Whether an answer can carry an auth error worth reading the body for: every error status,
/// and a 2xx that says it is JSON (Meta has answered errors with 200), except a media
/// download's: a downloaded file is never a Graph error, whatever it contains.
fn may_be_auth_failure(response: &Response, extensions: &Extensions) -> bool {
    if !response.status().is_success() {
        return true;
    }
    // An inner layer (retry) already read the body and found no `"error"` in it: no Graph
    // error, so no auth error, whatever the headers say.
    if body::ReadBody::of(response).is_some_and(|read| !read.may_be_graph()) {
        return false;
    }
    if RequestFacts::of(extensions).is_some_and(|facts| facts.operation.is_download()) {
        return false;
    }
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("json") || value.contains("javascript"))
}

impl AuthLayer {
    /// Builds the guidance error for an auth failure, diagnosing the token when configured
    /// (never for the `debug_token` call itself, which would only ask the same question again).
    async fn auth_error(&self, api: ApiError, extensions: &Extensions) -> Error {
        let is_debug_call = RequestFacts::of(extensions)
            .is_some_and(|facts| facts.operation == Operation::DebugToken);
        let diagnosis = if self.config.diagnose && !is_debug_call {
            self.diagnose().await
        } else {
            None
        };
        // Code and subcode only: never the token, the URL or Meta's message.
        tracing::warn!(
            code = api.graph.code,
            subcode = api.graph.subcode,
            status = api.status,
            diagnosed = diagnosis.is_some(),
            "authorization failure: check the token in the Access Token Debugger"
        );
        Error::Auth(Box::new(AuthError { api, diagnosis }))
    }
}

impl AuthLayer {
    /// The layer's work, with `next` for what comes after it (the rest of a
    /// `reqwest_middleware` stack, or the next layer of a fused run).
    async fn run_with<N: Inner>(
        &self,
        req: Box<Request>,
        extensions: &mut Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        let response = match next.run(req, extensions).await {
            Ok(response) => response,
            // An inner layer (e.g. retry) may already have turned the answer into an error.
            Err(reqwest_middleware::Error::Middleware(inner)) => {
                return match inner.downcast::<Error>() {
                    Ok(Error::Api(api)) if is_auth_code(api.graph.code) => {
                        Err(Box::pin(self.auth_error(*api, extensions))
                            .await
                            .into_middleware())
                    }
                    Ok(other) => Err(other.into_middleware()),
                    Err(other) => Err(reqwest_middleware::Error::Middleware(other)),
                };
            }
            Err(other) => return Err(other),
        };
        if !may_be_auth_failure(&response, extensions) {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let (response, _) = body::buffer(response).await?;
        let Some(graph) = body::ReadBody::of(&response)
            .and_then(body::ReadBody::graph_error)
            .filter(|graph| is_auth_code(graph.code))
        else {
            return Ok(response);
        };
        let api = ApiError { status, graph };
        // Boxed: the diagnosis is a whole request, and rare.
        Err(Box::pin(self.auth_error(api, extensions))
            .await
            .into_middleware())
    }
}

crate::layers::chain::builtin_layer!(AuthLayer);
