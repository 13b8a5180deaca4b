//! Limits shared by several processes: the interface between the layers and a backend that
//! keeps the rate limits, the 130429 back-off and the outage gate in one place for every
//! replica of a service.
//!
//! Without a backend (the default) each client keeps its limits in memory, and nothing here runs.
//! With one ([`ClientBuilder::shared_limits`](crate::ClientBuilder::shared_limits)):
//!
//! - the [rate-limit layer](crate::layers::rate_limit) asks the backend's [`SharedPermits`] for
//!   each throughput and pair permit instead of its in-process limiters (it still queues its own
//!   waiting calls per key, and still waits on the client's clock), and tells it when the API
//!   answers 130429 so that every instance backs off for that number;
//! - the [retry layer's](crate::layers::retry) outage gate keeps its in-process waiters, but
//!   asks the backend's [`SharedGate`] before any of them probes, so that one probe at a time
//!   goes out across all instances.
//!
//! The layers know these traits only; `RedisLimits` (in `shared::redis`, feature `redis`) is
//! the implementation the crate ships. A backend that cannot reach its store falls back to
//! local limits itself; the gate falls back to the in-process gate on
//! [`ProbeTurn::Unavailable`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Response;

use crate::error::GraphError;
use crate::layers::body;
use crate::layers::rate_limit::RateLimits;
use crate::layers::retry::parse_retry_after;
use crate::time::SharedClock;

#[cfg(feature = "redis")]
pub mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{RedisLimits, RedisLimitsBuilder};

/// The Graph code that says the business number sends too fast ("Rate limit hit").
pub const THROUGHPUT_THROTTLED: i64 = 130_429;

/// One permit a layer asks a [`SharedPermits`] for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PermitRequest<'a> {
    /// A throughput permit of this business phone number.
    Throughput {
        /// The business phone number id.
        phone_number_id: &'a str,
    },
    /// A pair permit of this (business number, recipient) pair.
    Pair {
        /// The business phone number id.
        phone_number_id: &'a str,
        /// The recipient's key, as the rate-limit layer keys it (the digits of a phone number).
        recipient: &'a str,
    },
}

/// Rate-limit permits kept outside the process.
#[async_trait::async_trait]
pub trait SharedPermits: Send + Sync + fmt::Debug {
    /// Takes one permit now, or says how long until one may be available (`Err(wait)`). Never
    /// waits itself: the layer waits on the client's clock and asks again.
    async fn take(&self, request: PermitRequest<'_>) -> Result<(), Duration>;

    /// The API answered 130429 for this number: no instance takes a throughput permit of it
    /// for the answer's `Retry-After` or, without one, the backend's own back-off (an
    /// existing longer back-off is kept).
    async fn throttled(&self, phone_number_id: &str, retry_after: Option<Duration>);
}

/// A probe lease granted by a [`SharedGate`]: which outage it belongs to, and how many probes
/// of that outage failed before it (so that the next probe's wait follows the shared schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Lease {
    /// The shared outage's number.
    pub epoch: u64,
    /// Failed probes in that outage so far.
    pub step: u32,
}

impl Lease {
    /// A lease of outage `epoch` after `step` failed probes.
    pub fn new(epoch: u64, step: u32) -> Self {
        Lease { epoch, step }
    }
}

/// The shared gate's answer to "may this instance probe now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeTurn {
    /// This instance probes: send, then report through the gate.
    Granted(Lease),
    /// The shared gate is open (another instance's probe got an answer): send.
    Open,
    /// Another instance probes, or the next probe is not due: ask again after this wait.
    Wait(Duration),
    /// The backend cannot tell (its store is unreachable): decide locally.
    Unavailable,
}

/// An outage gate kept outside the process, one for every instance.
///
/// The in-process gate calls the reporting methods while it holds its own lock, so they must
/// not block: an implementation queues them and applies them in order, before any later
/// [`try_probe`](SharedGate::try_probe) of the same instance.
#[async_trait::async_trait]
pub trait SharedGate: Send + Sync + fmt::Debug {
    /// This instance saw an outage while its gate was open: close the shared gate if it is
    /// open, with the first probe due after `first_probe_in`.
    fn closed(&self, first_probe_in: Duration);

    /// Whether this instance may send its probe now.
    async fn try_probe(&self) -> ProbeTurn;

    /// This instance's probe failed: the next probe is due after `next_probe_in`, and the lease
    /// is returned. With `reclose`, a gate found open (another instance's answer opened it
    /// meanwhile) closes anew, since this probe says the API is down again.
    fn probe_failed(&self, lease: Lease, next_probe_in: Duration, reclose: bool);

    /// An answer proved the API up: open the shared gate.
    fn opened(&self);

    /// The probe was dropped without an outcome (a cancelled call): return the lease.
    fn release(&self, lease: Lease);
}

/// What a backend gives one client: its permits and its gate (either may be absent).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SharedLimits {
    /// The permits the rate-limit layer takes.
    pub permits: Option<Arc<dyn SharedPermits>>,
    /// The gate the retry layer's outage gate defers to.
    pub gate: Option<Arc<dyn SharedGate>>,
}

impl SharedLimits {
    /// Permits and a gate.
    pub fn new(permits: Option<Arc<dyn SharedPermits>>, gate: Option<Arc<dyn SharedGate>>) -> Self {
        SharedLimits { permits, gate }
    }
}

/// A store of shared limits that clients bind to.
pub trait LimitsBackend: Send + Sync + fmt::Debug {
    /// The permits and gate of one client with these limits, waiting on this clock.
    fn bind(&self, limits: &RateLimits, clock: SharedClock) -> SharedLimits;
}

/// Looks at an answer for code 130429 and tells `permits` to back off the number; hands the
/// answer on unchanged. Only error statuses are read (and at most a Graph error's worth).
pub(crate) async fn watch_throttling(
    permits: &dyn SharedPermits,
    phone_number_id: &str,
    result: reqwest_middleware::Result<Response>,
) -> reqwest_middleware::Result<Response> {
    let response = match result {
        Ok(response) if matches!(response.status().as_u16(), 400 | 429) => response,
        other => return other,
    };
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    let (response, bytes) = body::buffer(response).await?;
    let throttled = bytes
        .as_deref()
        .and_then(GraphError::from_body)
        .is_some_and(|graph| graph.code == THROUGHPUT_THROTTLED);
    if throttled {
        tracing::info!(
            target: "wacloud::shared",
            phone_number_id,
            ?retry_after,
            "130429: every instance backs off this number"
        );
        permits.throttled(phone_number_id, retry_after).await;
    }
    Ok(response)
}
