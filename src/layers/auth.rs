//! Auth guidance: token and permission failures become an [`Error::Auth`] that says what to do.
//!
//! Codes 0, 3, 10, 190 (all subcodes) and 200-299 are never retried; this layer keeps the Graph
//! error and adds the seed's advice (the Access Token Debugger, the two permissions, a new token
//! for the right Meta app, a System User token for expiring tokens). With
//! [`AuthGuidance::diagnose`] on, it also asks `GET /debug_token` and attaches the answer.

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use super::body;
use crate::calls::token::{debug_token_url, parse_diagnosis, TokenDiagnosis};
use crate::client::{AccessToken, Endpoint};
use crate::error::catalogue::is_auth_code;
use crate::error::{ApiError, AuthError, Error, GraphError};

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
        let bytes = response.bytes().await.ok()?;
        parse_diagnosis(&bytes)
    }
}

/// Whether an answer can carry an auth error worth reading the body for.
fn may_be_auth_failure(status: u16) -> bool {
    !(200..300).contains(&status)
}

#[async_trait::async_trait]
impl Middleware for AuthLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let response = next.run(req, extensions).await?;
        let status = response.status().as_u16();
        if !may_be_auth_failure(status) {
            return Ok(response);
        }
        let (response, bytes) = body::buffer(response).await?;
        let Some(graph) = GraphError::from_body(&bytes).filter(|graph| is_auth_code(graph.code))
        else {
            return Ok(response);
        };
        let diagnosis = if self.config.diagnose {
            self.diagnose().await
        } else {
            None
        };
        tracing::warn!(
            code = graph.code,
            subcode = graph.subcode,
            "authorization failure: check the token in the Access Token Debugger"
        );
        Err(Error::Auth(Box::new(AuthError {
            api: ApiError { status, graph },
            diagnosis,
        }))
        .into_middleware())
    }
}
