//! Configuring a [`Client`].

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::secret::AccessToken;
use super::{Client, Endpoint, Inner};
use crate::calls::media::MAX_UPLOAD_BYTES;
use crate::error::{Error, ValidationError};
use crate::layers::auth::{AuthGuidance, AuthLayer};
use crate::layers::chain::{self, Builtin};
use crate::layers::rate_limit::{RateLimitLayer, RateLimits};
use crate::layers::recipients::{RecipientLayer, RecipientRules};
use crate::layers::retry::{RetryLayer, RetryPolicy};
use crate::layers::shared::LimitsBackend;
use crate::layers::{self, Layer, LayerStack};
use crate::time::{default_clock, SharedClock};

pub use super::versions::DEFAULT_API_VERSION;
/// Meta's Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The default timeout of one HTTP attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default timeout for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

type StackEdit = Box<dyn FnOnce(&mut LayerStack) + Send>;

/// Builds a [`Client`]. Only the access token and the phone number id are required.
///
/// ```
/// # fn main() -> Result<(), wacloud::Error> {
/// let client = wacloud::Client::builder()
///     .access_token("EAAG...")
///     .phone_number_id("106540352242922")
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    access_token: Option<AccessToken>,
    phone_number_id: Option<String>,
    business_account_id: Option<String>,
    api_version: String,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    clock: SharedClock,
    retry: RetryPolicy,
    rate_limits: RateLimits,
    recipient_rules: RecipientRules,
    auth: AuthGuidance,
    retry_unknown_outcome: bool,
    correlation_ids: bool,
    max_download_bytes: u64,
    http: Option<reqwest::Client>,
    stack_edits: Vec<StackEdit>,
    shared_limits: Option<Arc<dyn LimitsBackend>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            access_token: None,
            phone_number_id: None,
            business_account_id: None,
            api_version: DEFAULT_API_VERSION.to_owned(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            clock: default_clock(),
            retry: RetryPolicy::default(),
            rate_limits: RateLimits::default(),
            recipient_rules: RecipientRules::default(),
            auth: AuthGuidance::default(),
            retry_unknown_outcome: false,
            correlation_ids: true,
            max_download_bytes: MAX_UPLOAD_BYTES,
            http: None,
            stack_edits: Vec::new(),
            shared_limits: None,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("access_token", &self.access_token)
            .field("phone_number_id", &self.phone_number_id)
            .field("api_version", &self.api_version)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder with every default.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// The access token (a System User token for production). Required.
    pub fn access_token(mut self, token: impl Into<AccessToken>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The business phone number id that sends. Required.
    pub fn phone_number_id(mut self, id: impl Into<String>) -> Self {
        self.phone_number_id = Some(id.into());
        self
    }

    /// The WhatsApp Business Account id that [`Client::business_account`] manages (templates,
    /// phone numbers, webhook subscriptions). Optional; with it, the phone number id becomes
    /// optional too, for a client that only manages the account (sends then fail validation).
    pub fn business_account_id(mut self, id: impl Into<String>) -> Self {
        self.business_account_id = Some(id.into());
        self
    }

    /// The Graph API version, e.g. `v25.0` (default [`DEFAULT_API_VERSION`]; see
    /// [`GRAPH_API_VERSIONS`](crate::GRAPH_API_VERSIONS) for the ones the SDK knows).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// The API's base URL (default [`DEFAULT_BASE_URL`]); point it at a sandbox or mock server.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The timeout of one HTTP attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest media file a download reads (default, and at most, Meta's 100 MB limit);
    /// a download also stops at the `file_size` Meta announced. A longer body fails with
    /// [`Error::TooLarge`] as soon as it passes the limit, so memory stays bounded.
    pub fn max_download_bytes(mut self, bytes: u64) -> Self {
        self.max_download_bytes = bytes.min(MAX_UPLOAD_BYTES);
        self
    }

    /// The clock every wait goes through (default: tokio's timer).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// The retry policy of the default retry layer.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client-side rate limits of the default rate limit layer.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Shares the rate limits, the 130429 back-off and the outage gate with every client bound
    /// to the same backend, in this process or another: several replicas of a service then
    /// keep one number within its limits together, and probe an outage one at a time. See
    /// [`layers::shared`](crate::layers::shared); with the `redis` feature,
    /// `wacloud::layers::shared::RedisLimits` is such a backend. The limits
    /// themselves are still set with [`rate_limits`](Self::rate_limits).
    pub fn shared_limits(mut self, backend: impl LimitsBackend + 'static) -> Self {
        self.shared_limits = Some(Arc::new(backend));
        self
    }

    /// The rule table of the default recipient layer.
    pub fn recipient_rules(mut self, rules: RecipientRules) -> Self {
        self.recipient_rules = rules;
        self
    }

    /// The settings of the default auth guidance layer.
    pub fn auth_guidance(mut self, auth: AuthGuidance) -> Self {
        self.auth = auth;
        self
    }

    /// Retry sends whose outcome is unknown (timeout or dropped connection after the request
    /// was written). Off by default: such a retry can deliver a message twice.
    pub fn retry_unknown_outcome(mut self, allow: bool) -> Self {
        self.retry_unknown_outcome = allow;
        self
    }

    /// Write a correlation id into `biz_opaque_callback_data` of sends that have none (default
    /// on), so that an unknown outcome can be reconciled from status webhooks.
    pub fn correlation_ids(mut self, enabled: bool) -> Self {
        self.correlation_ids = enabled;
        self
    }

    /// Use this reqwest client for the transport (its own timeouts then apply).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Edits the layer stack after the default layers are built: drop, reorder, add.
    ///
    /// ```
    /// use wacloud::layers;
    /// let builder = wacloud::Client::builder().layers(|stack| {
    ///     stack.remove(layers::RATE_LIMIT);
    /// });
    /// ```
    pub fn layers(mut self, edit: impl FnOnce(&mut LayerStack) + Send + 'static) -> Self {
        self.stack_edits.push(Box::new(edit));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let token = self
            .access_token
            .ok_or_else(|| ValidationError::new("access_token", "is required"))?;
        let business_account_id = self
            .business_account_id
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty());
        let phone_number_id = match self.phone_number_id.filter(|id| !id.trim().is_empty()) {
            Some(id) => id,
            // A management-only client: calls on the own number refuse to run without one.
            None if business_account_id.is_some() => String::new(),
            None => return Err(ValidationError::new("phone_number_id", "is required").into()),
        };
        let base_url = Url::parse(self.base_url.trim_end_matches('/'))
            .map_err(|err| ValidationError::new("base_url", err.to_string()))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(ValidationError::new("base_url", "must be http or https").into());
        }
        let version = self.api_version.trim_matches('/').to_owned();
        if !is_version_name(&version) {
            return Err(ValidationError::new(
                "api_version",
                format!("must look like {DEFAULT_API_VERSION}, not {version:?}"),
            )
            .into());
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .use_rustls_tls()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(concat!("wacloud/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|err| ValidationError::new("http_client", err.to_string()))?,
        };
        let endpoint = Endpoint::new(base_url, version, phone_number_id, business_account_id);

        let shared = self
            .shared_limits
            .map(|backend| backend.bind(&self.rate_limits, Arc::clone(&self.clock)))
            .unwrap_or_default();
        let mut stack = LayerStack::empty();
        stack
            .push(Layer::built_in(
                layers::RECIPIENTS,
                Builtin::Recipients(Arc::new(RecipientLayer::new(self.recipient_rules))),
            ))
            .push(Layer::built_in(
                layers::AUTH,
                Builtin::Auth(Arc::new(AuthLayer::new(
                    self.auth,
                    http.clone(),
                    endpoint.clone(),
                    token.clone(),
                ))),
            ))
            .push(Layer::built_in(
                layers::RETRY,
                Builtin::Retry(Arc::new(RetryLayer::with_shared_gate(
                    self.retry,
                    Arc::clone(&self.clock),
                    shared.gate,
                ))),
            ))
            .push(Layer::built_in(
                layers::RATE_LIMIT,
                Builtin::RateLimit(Arc::new(RateLimitLayer::with_permits(
                    self.rate_limits,
                    Arc::clone(&self.clock),
                    shared.permits,
                ))),
            ));
        for edit in self.stack_edits {
            edit(&mut stack);
        }
        // Stretches of built-in layers in their default relative order run as one hop each;
        // the dispatch observer is always innermost, outside the editable stack: it must see
        // each attempt after the outage gate and the rate limits, whatever the user's edits.
        let plan = chain::plan(stack.layers(), &http);
        let mut middleware = reqwest_middleware::ClientBuilder::new(http.clone());
        for layer in plan.middlewares {
            middleware = middleware.with_arc(layer);
        }
        let bearer = token.bearer_header();
        let json_headers = Arc::new([
            (http::header::AUTHORIZATION, bearer.clone()),
            (
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            ),
        ]);
        Ok(Client {
            inner: Arc::new(Inner {
                http: middleware.build(),
                direct: plan.direct,
                transport: http,
                bearer,
                json_headers,
                token,
                endpoint,
                clock: self.clock,
                layer_names: stack.names().into_iter().map(str::to_owned).collect(),
                retry_unknown_outcome: self.retry_unknown_outcome,
                correlation_ids: self.correlation_ids,
                max_download_bytes: self.max_download_bytes,
            }),
        })
    }
}

/// Whether `name` is shaped like a Graph API version: `v`, digits, a period, digits.
pub(crate) fn is_version_name(name: &str) -> bool {
    let Some((major, minor)) = name.strip_prefix('v').and_then(|rest| rest.split_once('.')) else {
        return false;
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}
