//! Shared limits in Redis (feature `redis`): every client pointed at the same Redis and
//! namespace shares each number's throughput, each (number, recipient) pair's budget, the
//! 130429 back-off and the outage gate.
//!
//! ```no_run
//! use wacloud::layers::rate_limit::RateLimits;
//! use wacloud::layers::shared::RedisLimits;
//!
//! # async fn demo() -> Result<(), wacloud::Error> {
//! // Four replicas of the service: each keeps 1/4 of the throughput if Redis goes away.
//! let shared = RedisLimits::builder("redis://127.0.0.1:6379")
//!     .namespace("orders-service")
//!     .fallback_share(0.25)
//!     .connect()
//!     .await?;
//! let client = wacloud::Client::builder()
//!     .access_token("EAAG...")
//!     .phone_number_id("106540352242922")
//!     .rate_limits(RateLimits::default().throughput(80))
//!     .shared_limits(shared)
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```
//!
//! # How
//! - **Permits**: one Lua script per permit (GCRA for the throughput, the pay-back rule of
//!   [`RateLimits::pair`](crate::layers::rate_limit::RateLimits::pair) for pairs) runs on the Redis server's clock (`TIME`), so
//!   instances on machines with skewed clocks still agree; the client waits on its own clock
//!   for as long as the script says. Keys: `{namespace}:tp:{number}`,
//!   `{namespace}:pair:{number}:{recipient}`; each expires once its limiter is back to fresh.
//! - **130429**: the instance that gets it sets `{namespace}:backoff:{number}` for the answer's
//!   `Retry-After` (or [`RedisLimitsBuilder::throttle_backoff`], default 2 s); every instance's
//!   next throughput permit of that number waits it out.
//! - **Outage gate**: `{namespace}:gate` (a hash: closed, epoch, next probe, failed probes) and
//!   the probe lease `{namespace}:gate:lease` (`SET NX`-style, with a term of
//!   [`RedisLimitsBuilder::probe_lease`]). The instance that sees code 2 closes the gate; the
//!   one holding the lease probes; the others ask again when the next probe is due, or within
//!   [`RedisLimitsBuilder::probe_poll`] while a probe is in flight, and so learn that the gate
//!   opened within one probe interval of the recovery.
//!
//! # When Redis is unreachable
//! The client does not multiply the rate: each client falls back to local limits at
//! [`RedisLimitsBuilder::fallback_share`] of each number's throughput (default
//! [`DEFAULT_FALLBACK_SHARE`], i.e. four replicas; set `1 / replicas`) and its burst, keeps the
//! pair limit whole (a recipient's messages rarely come from several replicas at once, and a
//! slip costs that recipient a 131056 retry, not the number a 130429), and uses its in-process
//! outage gate. It warns once (`tracing`, target `wacloud::shared`) when it falls back, tries
//! Redis again after a back-off on the client's clock (1 s doubling to 30 s, one trial call at a
//! time), and notes the return to the shared limits.
//!
//! # Not covered
//! TLS (`rediss://`) is not supported: run Redis on a private network or loopback, or through a
//! TLS tunnel. Redis Cluster is not supported (the scripts touch several keys).

mod binding;
mod fallback;
mod health;
mod scripts;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::RedisResult;

use self::binding::Binding;
use super::{LimitsBackend, SharedLimits};
use crate::error::{Error, ValidationError};
use crate::layers::rate_limit::RateLimits;
use crate::time::SharedClock;

/// The share of a number's throughput each client keeps while Redis is unreachable: 1/4, right
/// for up to four replicas. Set `1 / replicas` with [`RedisLimitsBuilder::fallback_share`].
pub const DEFAULT_FALLBACK_SHARE: f64 = 0.25;
/// The default key prefix.
pub const DEFAULT_NAMESPACE: &str = "wacloud";
/// The back-off of a number after 130429 without a `Retry-After` (the first step of the
/// throttled retry schedule).
pub const DEFAULT_THROTTLE_BACKOFF: Duration = Duration::from_secs(2);
/// The longest 130429 back-off applied (a longer `Retry-After` is cut to it).
pub const MAX_THROTTLE_BACKOFF: Duration = Duration::from_secs(300);
/// The default term of a probe lease: longer than a probe can take (the client's default
/// per-attempt timeout is 30 s), so that two probes never overlap; a probing instance that dies
/// holds the others back this long at most.
pub const DEFAULT_PROBE_LEASE: Duration = Duration::from_secs(40);
/// How often an instance asks again while another instance's probe is in flight.
pub const DEFAULT_PROBE_POLL: Duration = Duration::from_secs(1);
/// The default connect and answer timeout of a Redis call.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(1);
/// The first wait before trying Redis again after it failed (doubling up to 30 s).
pub const DEFAULT_HEALTH_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between two tries of an unreachable Redis.
pub const MAX_HEALTH_BACKOFF: Duration = Duration::from_secs(30);

/// How long the gate's state outlives its last change.
const GATE_TTL: Duration = Duration::from_secs(3_600);

/// The settings of a [`RedisLimits`].
#[derive(Debug, Clone)]
struct Settings {
    namespace: String,
    fallback_share: f64,
    throttle_backoff: Duration,
    probe_lease: Duration,
    probe_poll: Duration,
    timeout: Duration,
    health_backoff: Duration,
}

/// Configures a [`RedisLimits`]; [`build`](Self::build) checks every setting.
#[must_use]
#[derive(Debug, Clone)]
pub struct RedisLimitsBuilder {
    url: String,
    settings: Settings,
}

impl RedisLimitsBuilder {
    /// The key prefix (default [`DEFAULT_NAMESPACE`]): clients share limits only within one
    /// namespace. Letters, digits and `-_.:` only.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.settings.namespace = namespace.into();
        self
    }

    /// The share of each number's throughput (and burst) a client keeps while Redis is
    /// unreachable, in `(0, 1]` (default [`DEFAULT_FALLBACK_SHARE`]). With N replicas, `1/N`
    /// keeps the total within the limit.
    pub fn fallback_share(mut self, share: f64) -> Self {
        self.settings.fallback_share = share;
        self
    }

    /// The back-off of a number after 130429 without a `Retry-After` (default
    /// [`DEFAULT_THROTTLE_BACKOFF`], at most [`MAX_THROTTLE_BACKOFF`]).
    pub fn throttle_backoff(mut self, wait: Duration) -> Self {
        self.settings.throttle_backoff = wait;
        self
    }

    /// The term of a probe lease (default [`DEFAULT_PROBE_LEASE`]); keep it longer than the
    /// client's per-attempt timeout.
    pub fn probe_lease(mut self, term: Duration) -> Self {
        self.settings.probe_lease = term;
        self
    }

    /// How often an instance asks again while another's probe is in flight (default
    /// [`DEFAULT_PROBE_POLL`]).
    pub fn probe_poll(mut self, every: Duration) -> Self {
        self.settings.probe_poll = every;
        self
    }

    /// The connect and answer timeout of a Redis call (default [`DEFAULT_REDIS_TIMEOUT`]);
    /// a call that takes longer counts as Redis being unreachable.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// The first wait before trying an unreachable Redis again (default
    /// [`DEFAULT_HEALTH_BACKOFF`], doubling up to [`MAX_HEALTH_BACKOFF`]).
    pub fn health_backoff(mut self, wait: Duration) -> Self {
        self.settings.health_backoff = wait;
        self
    }

    /// Checks the settings. Connects lazily, at the first call that needs Redis: a Redis
    /// that is down at start-up means local fallback limits, not an error (use
    /// [`connect`](Self::connect) to fail instead).
    pub fn build(self) -> Result<RedisLimits, Error> {
        let settings = self.settings;
        let url = url::Url::parse(&self.url)
            .map_err(|err| ValidationError::new("redis_url", err.to_string()))?;
        match url.scheme() {
            "redis" | "redis+unix" | "unix" => {}
            "rediss" => {
                return Err(ValidationError::new(
                    "redis_url",
                    "TLS (rediss://) is not supported: reach Redis over loopback, a private \
                     network or a TLS tunnel",
                )
                .into())
            }
            other => {
                return Err(ValidationError::new(
                    "redis_url",
                    format!("the scheme must be redis:// (not {other}://)"),
                )
                .into())
            }
        }
        let namespace_ok = !settings.namespace.is_empty()
            && settings.namespace.len() <= 100
            && settings
                .namespace
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
        if !namespace_ok {
            return Err(ValidationError::new(
                "namespace",
                "must be 1 to 100 letters, digits or -_.:",
            )
            .into());
        }
        let share = settings.fallback_share;
        if !(share > 0.0 && share <= 1.0) {
            return Err(ValidationError::new("fallback_share", "must be in (0, 1]").into());
        }
        for (field, value) in [
            ("probe_lease", settings.probe_lease),
            ("probe_poll", settings.probe_poll),
            ("timeout", settings.timeout),
            ("health_backoff", settings.health_backoff),
        ] {
            if value.is_zero() {
                return Err(ValidationError::new(field, "must be longer than zero").into());
            }
        }
        let client = ::redis::Client::open(self.url.as_str())
            .map_err(|err| ValidationError::new("redis_url", err.to_string()))?;
        let mut shown = url;
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        Ok(RedisLimits {
            inner: Arc::new(Connection {
                client,
                manager: tokio::sync::OnceCell::new(),
                shown_url: shown.to_string(),
                settings: Settings {
                    throttle_backoff: settings.throttle_backoff.min(MAX_THROTTLE_BACKOFF),
                    ..settings
                },
            }),
        })
    }

    /// [`build`](Self::build), then checks that Redis answers.
    pub async fn connect(self) -> Result<RedisLimits, Error> {
        let limits = self.build()?;
        limits.ping().await?;
        Ok(limits)
    }
}

/// Rate limits, the 130429 back-off and the outage gate shared through Redis. Cheap to clone;
/// clones share one connection (a [`ConnectionManager`] that reconnects by itself).
#[derive(Clone)]
pub struct RedisLimits {
    inner: Arc<Connection>,
}

/// The connection and settings every binding shares.
struct Connection {
    client: ::redis::Client,
    /// Made at the first use, inside the runtime (it spawns a task).
    manager: tokio::sync::OnceCell<ConnectionManager>,
    /// The URL without its password, for messages.
    shown_url: String,
    settings: Settings,
}

impl Connection {
    async fn manager(&self) -> RedisResult<ConnectionManager> {
        let timeout = self.settings.timeout;
        self.manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    // One attempt per call: the health back-off paces the retries.
                    .set_number_of_retries(0);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
    }
}

impl fmt::Debug for RedisLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimits")
            .field("url", &self.inner.shown_url)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl RedisLimits {
    /// Settings for the Redis at `url` (`redis://[:password@]host[:port][/db]`).
    pub fn builder(url: impl Into<String>) -> RedisLimitsBuilder {
        RedisLimitsBuilder {
            url: url.into(),
            settings: Settings {
                namespace: DEFAULT_NAMESPACE.to_owned(),
                fallback_share: DEFAULT_FALLBACK_SHARE,
                throttle_backoff: DEFAULT_THROTTLE_BACKOFF,
                probe_lease: DEFAULT_PROBE_LEASE,
                probe_poll: DEFAULT_PROBE_POLL,
                timeout: DEFAULT_REDIS_TIMEOUT,
                health_backoff: DEFAULT_HEALTH_BACKOFF,
            },
        }
    }

    /// The Redis at `url` with every default, connecting lazily (see
    /// [`RedisLimitsBuilder::build`]).
    pub fn new(url: impl Into<String>) -> Result<RedisLimits, Error> {
        RedisLimits::builder(url).build()
    }

    /// The Redis at `url` with every default, once it answers.
    pub async fn connect(url: impl Into<String>) -> Result<RedisLimits, Error> {
        RedisLimits::builder(url).connect().await
    }

    /// The key prefix.
    pub fn namespace(&self) -> &str {
        &self.inner.settings.namespace
    }

    /// The share of the throughput kept while Redis is unreachable.
    pub fn fallback_share(&self) -> f64 {
        self.inner.settings.fallback_share
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), Error> {
        let answer: RedisResult<String> = async {
            let mut connection = self.inner.manager().await?;
            ::redis::cmd("PING").query_async(&mut connection).await
        }
        .await;
        answer.map(drop).map_err(|err| {
            Error::Io(std::io::Error::other(format!(
                "Redis at {} did not answer: {err}",
                self.inner.shown_url
            )))
        })
    }
}

impl LimitsBackend for RedisLimits {
    fn bind(&self, limits: &RateLimits, clock: SharedClock) -> SharedLimits {
        let binding = Arc::new(Binding::new(Arc::clone(&self.inner), limits, clock));
        SharedLimits::new(Some(binding.clone()), Some(binding))
    }
}
