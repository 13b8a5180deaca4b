//! The [`Client`]: a cheap-to-clone handle on one business phone number.

mod builder;
pub mod dispatch;
mod secret;
mod versions;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

pub use builder::{
    ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use secret::AccessToken;
pub use versions::{GraphApiVersion, GRAPH_API_VERSIONS};

use crate::error::{
    ApiError, DeadlineExceeded, DecodeError, Error, GraphError, Result, SentState, SizeLimit,
    TooLarge, ValidationError,
};
use crate::layers::body;
use crate::layers::facts::{Operation, RequestFacts};
use crate::layers::rate_limit::WriteMayLag;
use crate::layers::resend::{Headers, Resend};
use crate::time::SharedClock;

/// Where the API lives: base URL, version and the sending phone number id.
#[derive(Debug, Clone)]
pub struct Endpoint {
    base_url: Url,
    version: String,
    phone_number_id: String,
    business_account_id: Option<String>,
    /// `{base}/{version}/{phone_number_id}/messages`, built once: every send posts there
    /// (shared with each send's request recipe, without a copy).
    messages_url: Arc<Url>,
}

impl Endpoint {
    /// An endpoint; the send URL is built here once rather than on every send.
    pub(crate) fn new(
        base_url: Url,
        version: String,
        phone_number_id: String,
        business_account_id: Option<String>,
    ) -> Endpoint {
        let mut endpoint = Endpoint {
            messages_url: Arc::new(base_url.clone()),
            base_url,
            version,
            phone_number_id,
            business_account_id,
        };
        endpoint.messages_url = Arc::new(endpoint.url(&[&endpoint.phone_number_id, "messages"]));
        endpoint
    }

    /// `{base}/{version}/{phone_number_id}/messages`.
    pub(crate) fn messages_url(&self) -> &Arc<Url> {
        &self.messages_url
    }

    /// The base URL, e.g. `https://graph.facebook.com`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The Graph API version, e.g. `v26.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The business phone number id (empty for a client built only to manage a WhatsApp
    /// Business Account).
    pub fn phone_number_id(&self) -> &str {
        &self.phone_number_id
    }

    /// The WhatsApp Business Account id set on the builder, if any.
    pub fn business_account_id(&self) -> Option<&str> {
        self.business_account_id.as_deref()
    }

    /// `{base}/{version}/{segments...}`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push(&self.version);
            for segment in segments {
                path.push(segment);
            }
        }
        url
    }
}

/// A WhatsApp Cloud API client for one business phone number.
///
/// Cloning is cheap (an `Arc`): clones share the connection pool, the outage gate, the retry
/// budget and the rate limiters, so hand clones to as many tasks as you like.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest_middleware::ClientWithMiddleware,
    /// The whole layer stack as one fused run, when it is one (the default stack): sends call
    /// it directly, without a `reqwest_middleware` hop.
    pub(crate) direct: Option<Arc<crate::layers::chain::Fused>>,
    /// The transport under the layers (builds each request).
    pub(crate) transport: reqwest::Client,
    pub(crate) token: AccessToken,
    /// `Bearer <token>`, built once (a shared header value: cloning it copies no bytes).
    pub(crate) bearer: http::HeaderValue,
    /// The headers of a JSON call (`Authorization: Bearer`, `Content-Type: application/json`),
    /// built once and shared by each such request's recipe.
    pub(crate) json_headers: Headers,
    pub(crate) endpoint: Endpoint,
    pub(crate) clock: SharedClock,
    pub(crate) layer_names: Vec<String>,
    pub(crate) retry_unknown_outcome: bool,
    pub(crate) correlation_ids: bool,
    pub(crate) max_download_bytes: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("token", &self.inner.token)
            .field("endpoint", &self.inner.endpoint)
            .field("layers", &self.inner.layer_names)
            .finish_non_exhaustive()
    }
}

/// A request body, kept as bytes so that any layer can clone the request to retry it.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Json(Bytes),
    Multipart {
        boundary: String,
        bytes: Bytes,
    },
    /// A file's bytes as they are (the resumable upload API).
    Raw {
        content_type: String,
        bytes: Bytes,
    },
}

impl Body {
    /// The bytes sent.
    fn into_bytes(self) -> Bytes {
        match self {
            Body::Json(bytes) | Body::Multipart { bytes, .. } | Body::Raw { bytes, .. } => bytes,
        }
    }
}

/// One call, ready for the layers.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Arc<Url>,
    pub(crate) body: Option<Body>,
    pub(crate) facts: RequestFacts,
    pub(crate) deadline: Option<Duration>,
    /// Extra headers (the resumable upload's `file_offset`).
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Authenticate with `OAuth <token>` instead of `Bearer <token>`.
    pub(crate) oauth_scheme: bool,
    /// Told when each attempt is about to be written, and how it ended.
    pub(crate) dispatch: Option<dispatch::DispatchHook>,
}

/// A successful answer's raw parts.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    /// The answer's `Content-Type` as it came (a shared header value: only an error copies
    /// it into text, through [`RawAnswer::content_type`]).
    pub(crate) content_type_header: Option<http::HeaderValue>,
    pub(crate) body: Bytes,
    /// Whether the body may hold a Graph error (`false` when a layer read it and found none).
    pub(crate) may_be_graph: bool,
}

impl RawAnswer {
    /// The `Content-Type` of the answer, as errors report it.
    pub(crate) fn content_type(&self) -> Option<String> {
        self.content_type_header
            .as_ref()
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Where this client sends.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The layer names, outermost first.
    pub fn layer_names(&self) -> &[String] {
        &self.inner.layer_names
    }

    /// The clock every wait goes through.
    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    pub(crate) fn call(
        &self,
        method: Method,
        url: impl Into<Arc<Url>>,
        facts: RequestFacts,
    ) -> Call {
        Call {
            method,
            url: url.into(),
            body: None,
            facts,
            deadline: None,
            headers: Vec::new(),
            oauth_scheme: false,
            dispatch: None,
        }
    }

    pub(crate) fn facts(&self, operation: crate::layers::facts::Operation) -> RequestFacts {
        let mut facts = RequestFacts::new(operation, self.inner.endpoint.phone_number_id.clone());
        facts.retry_unknown_outcome = self.inner.retry_unknown_outcome;
        facts
    }

    /// Runs a call through the layers and decodes a JSON answer.
    pub(crate) async fn execute_json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let answer = self.execute(call).await?;
        decode_json(&answer)
    }

    /// Runs a call through the layers; any Graph error becomes an [`Error`], even in a 2xx.
    pub(crate) fn execute(
        &self,
        call: Call,
    ) -> impl Future<Output = Result<RawAnswer>> + Send + '_ {
        // The call is boxed once here: moved through the async functions below by value, each
        // would keep a copy of its few hundred bytes in the send's future.
        self.execute_boxed(Box::new(call))
    }

    async fn execute_boxed(&self, call: Box<Call>) -> Result<RawAnswer> {
        check_phone_number_id(&call)?;
        self.under_deadline(call, |call| async move {
            let (response, operation, correlation_id) = self.send_call(call).await?;
            let answer = read_answer(response, operation, correlation_id.as_deref()).await?;
            check_answer(answer)
        })
        .await
    }

    /// Runs a call through the layers and hands back a 2xx answer with its body unread, to be
    /// streamed: a media download, whose body is a file and never a Graph error. An error status
    /// becomes an [`Error`] as in [`Client::execute`].
    pub(crate) async fn execute_streaming(&self, call: Call) -> Result<reqwest::Response> {
        check_phone_number_id(&call)?;
        let call = Box::new(call);
        self.under_deadline(call, |call| async move {
            let (response, operation, correlation_id) = self.send_call(call).await?;
            if response.status().is_success() {
                // Streamed by the caller: a body a layer read is given back first.
                return Ok(body::restore(response));
            }
            let answer = read_answer(response, operation, correlation_id.as_deref()).await?;
            Err(match check_answer(answer) {
                Err(error) => error,
                Ok(answer) => no_graph_error(answer),
            })
        })
        .await
    }

    /// Runs a call through the layers and hands back a 2xx answer as it came, even when its
    /// body also carries a Graph error: for the calls whose success answer may report a partial
    /// failure (blocking users: code 139100 next to the users that were blocked). Error statuses
    /// become an [`Error`] as in [`Client::execute`].
    pub(crate) async fn execute_partial(&self, call: Call) -> Result<RawAnswer> {
        check_phone_number_id(&call)?;
        let call = Box::new(call);
        self.under_deadline(call, |call| async move {
            let (response, operation, correlation_id) = self.send_call(call).await?;
            let answer = read_answer(response, operation, correlation_id.as_deref()).await?;
            if (200..300).contains(&answer.status) {
                Ok(answer)
            } else {
                check_answer(answer)
            }
        })
        .await
    }

    /// Runs `run` under the call's deadline, inside the call's span (see
    /// [`telemetry`](crate::telemetry)).
    async fn under_deadline<T, F>(
        &self,
        call: Box<Call>,
        run: impl FnOnce(Box<Call>) -> F,
    ) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let telemetry =
            crate::telemetry::calls::CallTelemetry::start(&call.facts, &*self.inner.clock);
        let result = telemetry
            .instrument(self.run_under_deadline(call, run))
            .await;
        telemetry.finish(&*self.inner.clock, result)
    }

    /// Runs `run` under the call's deadline, if it has one.
    async fn run_under_deadline<T, F>(
        &self,
        mut call: Box<Call>,
        run: impl FnOnce(Box<Call>) -> F,
    ) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        let clock = Arc::clone(&self.inner.clock);
        // A deadline too far away to represent as an instant is no deadline.
        let Some((deadline, end)) = call
            .deadline
            .and_then(|deadline| Some((deadline, clock.now().checked_add(deadline)?)))
        else {
            return run(call).await;
        };
        call.facts.deadline = Some(end);
        // Biased: when a layer's own deadline wait (e.g. at the outage gate, which knows nothing
        // was sent) ends in the same tick as this timer, its more precise error wins.
        tokio::select! {
            biased;
            result = run(call) => match result {
                Err(Error::DeadlineExceeded(mut exceeded)) => {
                    exceeded.deadline = deadline;
                    Err(Error::DeadlineExceeded(exceeded))
                }
                other => other,
            },
            () = clock.sleep(deadline) => Err(Error::DeadlineExceeded(Box::new(DeadlineExceeded {
                deadline,
                stage: "waiting for the answer".to_owned(),
                sent: SentState::MaybeSent,
            }))),
        }
    }

    /// Sends a call through the layers; answers the response with what errors are built from.
    async fn send_call(
        &self,
        call: Box<Call>,
    ) -> Result<(reqwest::Response, Operation, Option<String>)> {
        let operation = call.facts.operation;
        // Scoped: the call's parts take no room in the future while the layers run.
        let (request, mut extensions) = {
            let Call {
                method,
                url,
                body,
                mut facts,
                headers,
                oauth_scheme,
                dispatch,
                ..
            } = *call;
            let headers = match self.request_headers(oauth_scheme, headers, body.as_ref()) {
                Ok(headers) => headers,
                Err(invalid) => {
                    return Err(Error::from_middleware(
                        self.invalid_content_type(method, &url, invalid),
                        operation,
                        facts.correlation_id.as_deref(),
                    ))
                }
            };
            let bytes = body.map(Body::into_bytes);
            // The request and its recipe (which the retry layer rebuilds it from, should a
            // retry be due) come from the same shared parts.
            let recipe = Resend::new(method, url, headers, bytes);
            let request = Box::new(recipe.request());
            facts.resend = Some(recipe);
            let mut extensions = http::Extensions::new();
            if let Some(hook) = dispatch {
                extensions.insert(hook);
                extensions.insert(WriteMayLag);
            }
            extensions.insert(facts);
            (request, extensions)
        };
        let response = match &self.inner.direct {
            // Boxed: the layers' future is over a kilobyte; in place it would make every call's
            // future that much larger, and the send's own box dearer to fill.
            Some(fused) => Box::pin(fused.run(request, &mut extensions)).await,
            None => {
                self.inner
                    .http
                    .execute_with_extensions(*request, &mut extensions)
                    .await
            }
        };
        // The correlation id is the one in the facts the layers saw (taken, not copied: the
        // extensions end here).
        let correlation_id = extensions
            .get_mut::<RequestFacts>()
            .and_then(|facts| facts.correlation_id.take());
        let response = response
            .map_err(|err| Error::from_middleware(err, operation, correlation_id.as_deref()))?;
        Ok((response, operation, correlation_id))
    }
}

impl Client {
    /// The headers of a call, in the order they are sent: `Authorization`, any extra header,
    /// then the body's `Content-Type`. A JSON call with no extra header shares the client's
    /// prebuilt list. The error is a `Content-Type` that is not a valid header value.
    fn request_headers(
        &self,
        oauth_scheme: bool,
        extra: Vec<(http::HeaderName, http::HeaderValue)>,
        body: Option<&Body>,
    ) -> std::result::Result<Headers, String> {
        if !oauth_scheme && extra.is_empty() && matches!(body, Some(Body::Json(_))) {
            return Ok(Arc::clone(&self.inner.json_headers));
        }
        let authorization = if oauth_scheme {
            self.inner.token.header_with_scheme("OAuth")
        } else {
            self.inner.bearer.clone()
        };
        let value = |text: String| http::HeaderValue::try_from(text.as_str()).map_err(|_| text);
        let content_type = match body {
            None => None,
            Some(Body::Json(_)) => Some(http::HeaderValue::from_static("application/json")),
            Some(Body::Multipart { boundary, .. }) => {
                Some(value(format!("multipart/form-data; boundary={boundary}"))?)
            }
            Some(Body::Raw { content_type, .. }) => Some(value(content_type.clone())?),
        };
        let mut headers = Vec::with_capacity(2 + extra.len());
        headers.push((http::header::AUTHORIZATION, authorization));
        headers.extend(extra);
        headers.extend(content_type.map(|value| (http::header::CONTENT_TYPE, value)));
        Ok(headers.into())
    }

    /// The error of a request whose `Content-Type` is not a valid header value, as reqwest's
    /// request builder reports it.
    fn invalid_content_type(
        &self,
        method: Method,
        url: &Url,
        value: String,
    ) -> reqwest_middleware::Error {
        match self
            .inner
            .transport
            .request(method, url.clone())
            .header(http::header::CONTENT_TYPE, value)
            .build()
        {
            Err(err) => reqwest_middleware::Error::Reqwest(err),
            Ok(_) => Error::Validation(ValidationError::new(
                "content_type",
                "is not a valid header value",
            ))
            .into_middleware(),
        }
    }
}

/// Refuses, before anything is sent, a call on the client's own phone number when the client
/// was built without one.
fn check_phone_number_id(call: &Call) -> Result<()> {
    if call.facts.operation.needs_phone_number_id() && call.facts.phone_number_id.is_empty() {
        return Err(ValidationError::new(
            "phone_number_id",
            format!(
                "is required for a {} call: set it with ClientBuilder::phone_number_id",
                call.facts.operation
            ),
        )
        .into());
    }
    Ok(())
}

/// The `Content-Type` of an answer.
pub(crate) fn content_type(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// Reads a Graph API answer, at most [`MAX_ANSWER_BODY`](body::MAX_ANSWER_BODY) bytes of it.
async fn read_answer(
    mut response: reqwest::Response,
    operation: Operation,
    correlation_id: Option<&str>,
) -> Result<RawAnswer> {
    let status = response.status().as_u16();
    let content_type_header = response.headers().get(http::header::CONTENT_TYPE).cloned();
    // A layer already read the whole body (it is short): take its bytes, read nothing again.
    if let Some(read) = body::ReadBody::of(&response) {
        if let Some(body) = read.bytes() {
            return Ok(RawAnswer {
                status,
                content_type_header,
                body: body.clone(),
                may_be_graph: read.may_be_graph(),
            });
        }
    }
    let content_length = response.content_length();
    let read = body::read_capped(&mut response, body::MAX_ANSWER_BODY)
        .await
        .map_err(|err| Error::from_reqwest(err, operation, correlation_id))?;
    match read {
        body::Capped::Whole(body) => Ok(RawAnswer {
            status,
            content_type_header,
            body,
            may_be_graph: true,
        }),
        body::Capped::Over { prefix } => Err(Error::TooLarge(Box::new(TooLarge {
            operation,
            status,
            limit: body::MAX_ANSWER_BODY,
            limit_kind: SizeLimit::Answer,
            read: prefix.len() as u64,
            content_length,
        }))),
    }
}

/// Turns a Graph error body into an [`Error`] whatever the status; keeps non-error answers.
/// A body longer than any Graph error ([`MAX_ERROR_BODY`](body::MAX_ERROR_BODY)) is not one,
/// as the layers, which do not read that far, also see it.
fn check_answer(answer: RawAnswer) -> Result<RawAnswer> {
    let graph = (answer.may_be_graph && answer.body.len() as u64 <= body::MAX_ERROR_BODY)
        .then(|| GraphError::from_body(&answer.body))
        .flatten();
    if let Some(graph) = graph {
        return Err(api_error(answer.status, graph));
    }
    if (200..300).contains(&answer.status) {
        return Ok(answer);
    }
    Err(no_graph_error(answer))
}

/// The error for an error status without a Graph error body.
fn no_graph_error(answer: RawAnswer) -> Error {
    Error::Decode(Box::new(DecodeError::new(
        answer.status,
        answer.content_type(),
        &answer.body,
        "an error status without a Graph error body",
    )))
}

/// The error for a Graph error answer. Auth codes stay [`Error::Api`] here: turning them into
/// guidance is the auth layer's job, so removing that layer has a visible effect.
pub(crate) fn api_error(status: u16, graph: GraphError) -> Error {
    Error::Api(Box::new(ApiError { status, graph }))
}

pub(crate) fn decode_json<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T> {
    serde_json::from_slice(&answer.body).map_err(|err| {
        Error::Decode(Box::new(DecodeError::new(
            answer.status,
            answer.content_type(),
            &answer.body,
            format!("unexpected answer shape: {err}"),
        )))
    })
}
