//! Client-side rate limits: throughput per business phone number and the pair limit per
//! recipient, so that the client never pushes Meta into throttling it (codes 130429, 131056).
//!
//! - **Throughput**: Meta allows a business phone number 80 messages per second by default
//!   (up to 1,000 after an upgrade). The layer keeps each phone number id under
//!   [`RateLimits::throughput`] (default 80/s, at most 1,000/s), for sends only or, with
//!   [`ThroughputScope::MessagesEndpoint`], for every call to `/messages` (mark read, typing).
//! - **Pair limit**: Meta allows about one message every 6 seconds to the same user (10 a
//!   minute, 600 an hour), and lets a business borrow from that future quota: a burst of up to
//!   45 messages within 6 s, after which the user cannot be messaged until the borrowed time
//!   is paid back (after a burst of N, about N x 6 s). The layer keeps each (phone number id,
//!   recipient) pair under [`RateLimits::pair`], by default Meta's model as documented: one
//!   message per [`DEFAULT_PAIR_INTERVAL`] (6 s), bursts of up to [`DEFAULT_PAIR_BURST`] (45)
//!   within one interval, then a wait until the debt is paid (the pair limiter's own
//!   bookkeeping, see `rate_limit/pair.rs`; a token bucket would let a message through every
//!   6 s right after a burst, which Meta refuses). We follow Meta rather than a cautious
//!   smaller burst because the old default (3) made a bot that answers with four messages in a
//!   row wait 6 s for the fourth, although Meta accepts it; a loop that keeps messaging one
//!   user still settles at one message per 6 s. `.pair(Duration::from_secs(6), 1)` spreads
//!   every message out instead. Recipients are keyed by [`UserRef::key`]: a phone number by
//!   its digits, so `+1 650 555 1234` and the wa_id `16505551234` share a permit, and a
//!   business-scoped user id by itself (the id the message was sent to). The per-recipient
//!   state is pruned every [`PRUNE_EVERY`] checks, so memory stays bounded however many
//!   recipients a client messages.
//!
//! Each limit either waits for its permit ([`LimitMode::Wait`], the default) or fails at once
//! with [`Error::RateLimited`] ([`LimitMode::FailFast`]); nothing is sent in that case. The layer
//! sits innermost, so every attempt, retries included, takes a permit; an attempt held back
//! from an outage ([`HeldBack`]) after it took its pair permit keeps that permit for its next
//! attempt (within one pair interval), since nothing was sent on it. A call with a deadline
//! that a wait would overrun fails at once with [`Error::DeadlineExceeded`] (`sent: NotSent`)
//! instead of waiting in vain.
//!
//! All waiting goes through the client's [`Clock`](crate::time::Clock): governor (throughput)
//! sees the clock through a small adapter ([`ClockInstant`]) and the pair limiter reads it
//! directly; the layer asks for a permit and, when told "not until", sleeps on the clock for
//! that long and asks again. So
//! `tokio::time::pause()` and [`ScaledClock`](crate::time::ScaledClock) work in tests.
//!
//! With [shared limits](super::shared) (several replicas, one number), the permits come from the
//! backend instead of governor, and a 130429 answer backs the number off for every instance;
//! queueing and waiting stay here, on the clock.
//!
//! ```
//! use std::time::Duration;
//! use wacloud::layers::rate_limit::{LimitMode, RateLimits};
//! let limits = RateLimits::default()
//!     .throughput(250)
//!     .pair(Duration::from_secs(6), 10)
//!     .mode(LimitMode::FailFast);
//! assert_eq!(limits.throughput_per_second(), Some(250));
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Reference;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use http::Extensions;
use reqwest::{Request, Response};

use crate::layers::chain::Inner;

pub(crate) mod pair;

use self::pair::PairLimiter;
use super::facts::{HeldBack, RequestFacts, SendClearance};
use super::shared::{self, PermitRequest, SharedPermits};
use crate::error::{DeadlineExceeded, Error, LimitKind, RateLimited, SentState};
use crate::messages::UserRef;
use crate::time::{Instant, SharedClock};

/// Meta's default throughput of a business phone number, in messages per second.
pub const DEFAULT_THROUGHPUT: u32 = 80;
/// The highest throughput Meta grants a business phone number, in messages per second.
pub const MAX_THROUGHPUT: u32 = 1_000;
/// The pair limit's interval: about one message every 6 seconds to the same user.
pub const DEFAULT_PAIR_INTERVAL: Duration = Duration::from_secs(6);
/// The pair limit's burst: Meta lets up to 45 messages to one user go at once, borrowed from
/// the future quota (after a burst of N, the next waits about N x 6 s).
pub const DEFAULT_PAIR_BURST: u32 = 45;
/// The longest pair interval: a day (a longer setting is cut to it; the limiter counts time in
/// nanoseconds and could not hold centuries times the burst).
pub const MAX_PAIR_INTERVAL: Duration = Duration::from_secs(86_400);
/// The largest pair burst, Meta's (a larger setting is cut to it: Meta would answer the
/// excess with error 131056).
pub const MAX_PAIR_BURST: u32 = 45;
/// How many limiter checks pass between two prunings of idle per-key state.
pub const PRUNE_EVERY: u64 = 1_024;

/// The shortest sleep between two checks, so that a zero "not until" cannot spin.
const MIN_WAIT: Duration = Duration::from_micros(100);

/// What to do when a limit has no permit available now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LimitMode {
    /// Wait on the client's clock until a permit is available (the default).
    #[default]
    Wait,
    /// Fail at once with [`Error::RateLimited`], telling when a permit will be available.
    FailFast,
}

/// Which calls take a throughput permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThroughputScope {
    /// Message sends only (the default): what Meta's messages-per-second limit counts.
    #[default]
    Sends,
    /// Every call to `/{phone-number-id}/messages`, including mark-read and typing indicators.
    MessagesEndpoint,
}

/// The client-side rate limits.
///
/// [`Default`]: 80 sends per second per phone number id, one message per 6 s per recipient with
/// Meta's burst of 45, waiting for permits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    throughput: Option<u32>,
    throughput_burst: Option<u32>,
    scope: ThroughputScope,
    pair: Option<(Duration, u32)>,
    mode: LimitMode,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            throughput: Some(DEFAULT_THROUGHPUT),
            throughput_burst: None,
            scope: ThroughputScope::Sends,
            pair: Some((DEFAULT_PAIR_INTERVAL, DEFAULT_PAIR_BURST)),
            mode: LimitMode::Wait,
        }
    }
}

impl RateLimits {
    /// The defaults (see the type docs).
    pub fn new() -> Self {
        RateLimits::default()
    }

    /// No limit at all: every call goes at once.
    pub fn disabled() -> Self {
        RateLimits {
            throughput: None,
            pair: None,
            ..RateLimits::default()
        }
    }

    /// Messages per second per phone number id, clamped to 1..=[`MAX_THROUGHPUT`] (Meta grants
    /// 80 by default and up to 1,000 after an upgrade).
    pub fn throughput(mut self, per_second: u32) -> Self {
        self.throughput = Some(per_second.clamp(1, MAX_THROUGHPUT));
        self
    }

    /// How many sends may go at once before the throughput pacing applies (default: one
    /// second's worth, i.e. the per-second rate). A burst of 1 spaces every send evenly
    /// (12.5 ms apart at 80/s), so that no one-second window ever holds more than the rate;
    /// with the default burst a window straddling the burst can hold up to twice the rate.
    pub fn throughput_burst(mut self, burst: u32) -> Self {
        self.throughput_burst = Some(burst.clamp(1, MAX_THROUGHPUT));
        self
    }

    /// Removes the throughput limit.
    pub fn no_throughput(mut self) -> Self {
        self.throughput = None;
        self
    }

    /// Which calls take a throughput permit (default: sends only).
    pub fn throughput_scope(mut self, scope: ThroughputScope) -> Self {
        self.scope = scope;
        self
    }

    /// One message per `interval` to the same recipient, after a burst of `burst`. The interval
    /// is cut to [`MAX_PAIR_INTERVAL`] and the burst clamped to 1..=[`MAX_PAIR_BURST`]; a zero
    /// interval removes the pair limit.
    pub fn pair(mut self, interval: Duration, burst: u32) -> Self {
        self.pair = (!interval.is_zero()).then_some((
            interval.min(MAX_PAIR_INTERVAL),
            burst.clamp(1, MAX_PAIR_BURST),
        ));
        self
    }

    /// Removes the pair limit.
    pub fn no_pair(mut self) -> Self {
        self.pair = None;
        self
    }

    /// Wait for permits or fail fast.
    pub fn mode(mut self, mode: LimitMode) -> Self {
        self.mode = mode;
        self
    }

    /// The throughput limit, if any, in messages per second.
    pub fn throughput_per_second(&self) -> Option<u32> {
        self.throughput
    }

    /// The throughput burst: how many sends may go at once.
    pub fn throughput_burst_size(&self) -> Option<u32> {
        self.throughput
            .map(|per_second| self.throughput_burst.unwrap_or(per_second))
    }

    /// Which calls take a throughput permit.
    pub fn scope(&self) -> ThroughputScope {
        self.scope
    }

    /// The pair limit, if any: interval and burst.
    pub fn pair_limit(&self) -> Option<(Duration, u32)> {
        self.pair
    }

    /// What happens when no permit is available.
    pub fn limit_mode(&self) -> LimitMode {
        self.mode
    }
}

/// An instant of the client's [`Clock`](crate::time::Clock) as governor sees it: nanoseconds
/// since the layer was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockInstant(u64);

impl ClockInstant {
    /// Nanoseconds since the layer's origin.
    pub fn as_nanos(self) -> u64 {
        self.0
    }
}

impl Add<Nanos> for ClockInstant {
    type Output = ClockInstant;

    fn add(self, other: Nanos) -> ClockInstant {
        ClockInstant(self.0.saturating_add(other.as_u64()))
    }
}

impl Reference for ClockInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_sub(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        ClockInstant(self.0.checked_sub(duration.as_u64()).unwrap_or(self.0))
    }
}

/// governor's view of the client's clock.
#[derive(Clone)]
struct GovernorClock {
    clock: SharedClock,
    origin: Instant,
}

impl GovernorClock {
    fn new(clock: SharedClock) -> Self {
        let origin = clock.now();
        GovernorClock { clock, origin }
    }
}

impl governor::clock::Clock for GovernorClock {
    type Instant = ClockInstant;

    fn now(&self) -> ClockInstant {
        let elapsed = self.clock.now().saturating_duration_since(self.origin);
        ClockInstant(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX))
    }
}

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, GovernorClock, NoOpMiddleware<ClockInstant>>;

/// A (phone number id, recipient key) pair: the recipient's digits, or its user id.
type PairKey = (String, String);

struct Limiters {
    limits: RateLimits,
    clock: SharedClock,
    governor_clock: GovernorClock,
    throughput: Option<Keyed<String>>,
    pair: Option<PairLimiter<PairKey>>,
    throughput_queues: Queues<String>,
    pair_queues: Queues<PairKey>,
    checks: AtomicU64,
    /// Permits shared with other processes: when set, asked instead of the limiters above.
    shared: Option<Arc<dyn SharedPermits>>,
    /// How long a throughput permit stays good for a write that lags it (see
    /// [`ThroughputPermit`]).
    shelf_life: Duration,
}

/// A limiter key as a [`SharedPermits`] request.
trait SharedKey {
    fn request(&self) -> PermitRequest<'_>;
}

impl SharedKey for String {
    fn request(&self) -> PermitRequest<'_> {
        PermitRequest::Throughput {
            phone_number_id: self,
        }
    }
}

impl SharedKey for PairKey {
    fn request(&self) -> PermitRequest<'_> {
        PermitRequest::Pair {
            phone_number_id: &self.0,
            recipient: &self.1,
        }
    }
}

/// The calls waiting for one key's permit, in arrival order.
///
/// Only the head of a key's queue asks governor and sleeps on the clock; the others wait for
/// their turn on a fair (FIFO) lock. Without it every waiter computes the same "not until",
/// sleeps until then and asks again, so each permit wakes the whole backlog: N sends queued
/// after an outage cost N²/2 wake-ups, and the drain falls behind the configured rate.
struct Queues<K>(std::sync::Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>);

impl<K: Hash + Eq + Clone> Queues<K> {
    fn new() -> Self {
        Queues(std::sync::Mutex::new(HashMap::new()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<tokio::sync::Mutex<()>>>> {
        self.0.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// The queue of `key`.
    fn of(&self, key: &K) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(self.lock().entry(key.clone()).or_default())
    }

    /// Forgets the queues nobody waits in.
    fn prune(&self) {
        let mut queues = self.lock();
        queues.retain(|_, queue| Arc::strong_count(queue) > 1);
        queues.shrink_to_fit();
    }
}

/// A pair permit taken by an attempt that was then held back ([`HeldBack`]) while it waited
/// for its throughput permit: nothing was sent on it, so the call's next attempt uses it
/// instead of taking (and wasting) a second one, as long as it is fresh.
#[derive(Debug, Clone, Copy)]
struct HeldPairPermit {
    taken_at: Instant,
}

impl HeldPairPermit {
    /// Keeps `permit` for the call's next attempt when `error` says the attempt was held back.
    fn keep_if_held_back(
        permit: Option<HeldPairPermit>,
        error: &reqwest_middleware::Error,
        extensions: &mut Extensions,
    ) {
        let held_back =
            matches!(error, reqwest_middleware::Error::Middleware(inner) if inner.is::<HeldBack>());
        if let Some(permit) = permit.filter(|_| held_back) {
            extensions.insert(permit);
        }
    }
}

/// The shortest shelf life of a throughput permit. Where a durable record sits between the
/// permit and the write (an outbox's [dispatch observer](crate::dispatch::DispatchObserver)), a
/// permit older than its shelf life (one permit interval, at least this) at the write is given
/// up and a fresh one taken, so that late writes do not bunch with on-time ones. At high rates
/// one permit interval is shorter than a durable commit, and renewing nearly every permit would
/// halve the rate.
pub const MIN_PERMIT_SHELF_LIFE: Duration = Duration::from_millis(5);

/// How long a throughput permit of a number sending `rate` per second stays good: one permit
/// interval, at least [`MIN_PERMIT_SHELF_LIFE`]. A write that lags its permit by at most this
/// long adds at most about one send to any one-second window the API counts.
fn permit_shelf_life(rate: Option<u32>) -> Duration {
    rate.filter(|rate| *rate > 0)
        .map_or(MIN_PERMIT_SHELF_LIFE, |rate| {
            (Duration::from_secs(1) / rate).max(MIN_PERMIT_SHELF_LIFE)
        })
}

/// Set by the client on a request whose innermost layer may pause between the permits and the
/// write: a [dispatch observer](crate::dispatch::DispatchObserver) that records the send durably
/// first. The rate-limit layer then leaves the request's [`ThroughputPermit`] in its extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteMayLag;

/// The throughput permit a request was let through on, left for the innermost layer when the
/// write may lag it ([`WriteMayLag`]).
///
/// Why: the API counts sends when they arrive, the limiter when it grants them. A durable
/// record between the two (an outbox commit) usually takes a millisecond or two, but on a busy
/// machine it stalls now and then for tens of milliseconds; the late sends then arrive bunched
/// with on-time ones, and a window the API counts holds more than the rate (130429). A permit
/// older than its shelf life (one permit interval, see [`MIN_PERMIT_SHELF_LIFE`]) at the write
/// is given up and a fresh one taken, so every write goes within a shelf life of its permit.
/// The stale permit is wasted, which costs rate only when records stall.
#[derive(Clone)]
pub(crate) struct ThroughputPermit {
    layer: RateLimitLayer,
    key: String,
    taken_at: Instant,
    deadline: Option<Instant>,
    clearance: Option<SendClearance>,
    /// The pair permit taken for the same attempt, kept for the next attempt if the renewal is
    /// held back by an outage (as the layer itself does).
    pair: Option<HeldPairPermit>,
}

impl ThroughputPermit {
    /// Called just before the write: takes a fresh permit if this one outlived its shelf life.
    /// An error (held back by an outage, a fail-fast refusal, a deadline) means nothing may be
    /// written.
    pub(crate) async fn renew_if_stale(
        self,
        extensions: &mut Extensions,
    ) -> Result<(), reqwest_middleware::Error> {
        let limiters = &self.layer.inner;
        let age = limiters
            .clock
            .now()
            .saturating_duration_since(self.taken_at);
        let stale = age > limiters.shelf_life;
        crate::telemetry::layers::permit_age(age, stale);
        let Some(limiter) = limiters.throughput.as_ref().filter(|_| stale) else {
            return Ok(());
        };
        tracing::debug!(
            ?age,
            shelf_life = ?limiters.shelf_life,
            "a throughput permit went stale before the write: taking a fresh one"
        );
        let renewed = self
            .layer
            .acquire(
                (limiter, &limiters.throughput_queues),
                &self.key,
                LimitKind::Throughput,
                self.deadline,
                self.clearance.as_ref(),
            )
            .await;
        if let Err(error) = &renewed {
            HeldPairPermit::keep_if_held_back(self.pair, error, extensions);
        }
        renewed
    }
}

/// The rate limit middleware. Clones share their limiters.
#[derive(Clone)]
pub struct RateLimitLayer {
    inner: Arc<Limiters>,
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("limits", &self.inner.limits)
            .field("tracked_recipients", &self.tracked_recipients())
            .finish_non_exhaustive()
    }
}

impl RateLimitLayer {
    /// A layer enforcing these limits, waiting on this clock.
    pub fn new(limits: RateLimits, clock: SharedClock) -> Self {
        RateLimitLayer::with_permits(limits, clock, None)
    }

    /// A layer enforcing these limits through permits shared with other processes (see
    /// [`shared`]); `None` keeps them in this process.
    pub fn with_permits(
        limits: RateLimits,
        clock: SharedClock,
        shared: Option<Arc<dyn SharedPermits>>,
    ) -> Self {
        let governor_clock = GovernorClock::new(Arc::clone(&clock));
        let shelf_life = permit_shelf_life(limits.throughput);
        let throughput = limits
            .throughput
            .and_then(NonZeroU32::new)
            .map(|per_second| {
                let burst = limits
                    .throughput_burst_size()
                    .and_then(NonZeroU32::new)
                    .unwrap_or(per_second);
                let quota = Quota::per_second(per_second).allow_burst(burst);
                RateLimiter::dashmap_with_clock(quota, governor_clock.clone())
            });
        let pair = limits
            .pair
            .map(|(interval, burst)| PairLimiter::new(interval, burst, Arc::clone(&clock)));
        RateLimitLayer {
            inner: Arc::new(Limiters {
                limits,
                clock,
                governor_clock,
                throughput,
                pair,
                throughput_queues: Queues::new(),
                pair_queues: Queues::new(),
                checks: AtomicU64::new(0),
                shared,
                shelf_life,
            }),
        }
    }

    /// The limits this layer enforces.
    pub fn limits(&self) -> &RateLimits {
        &self.inner.limits
    }

    /// How many recipients the pair limiter currently keeps state for (bounded by pruning).
    pub fn tracked_recipients(&self) -> usize {
        self.inner.pair.as_ref().map_or(0, PairLimiter::len)
    }

    /// Drops the state of every key whose limiter is back to "fresh" (nothing to remember).
    /// Runs on its own every [`PRUNE_EVERY`] checks.
    pub fn prune(&self) {
        if let Some(pair) = &self.inner.pair {
            pair.prune();
        }
        if let Some(throughput) = &self.inner.throughput {
            throughput.retain_recent();
            throughput.shrink_to_fit();
        }
        self.inner.throughput_queues.prune();
        self.inner.pair_queues.prune();
    }

    fn count_check(&self) {
        let count = self.inner.checks.fetch_add(1, Ordering::Relaxed) + 1;
        if count % PRUNE_EVERY == 0 {
            self.prune();
        }
    }

    /// Whether a permit for `key` is available now; if not, how long until one may be.
    async fn check<K>(&self, limiter: &dyn Permits<K>, key: &K) -> Result<(), Duration>
    where
        K: Hash + Eq + Clone + SharedKey,
    {
        match &self.inner.shared {
            None => limiter.try_take(key, &self.inner.governor_clock),
            Some(shared) => shared.take(key.request()).await,
        }
    }

    /// Takes one permit for `key`, waiting on the clock or failing fast.
    async fn acquire<K>(
        &self,
        (limiter, queues): (&dyn Permits<K>, &Queues<K>),
        key: &K,
        kind: LimitKind,
        deadline: Option<Instant>,
        clearance: Option<&SendClearance>,
    ) -> Result<(), reqwest_middleware::Error>
    where
        K: std::hash::Hash + Eq + Clone + SharedKey,
    {
        self.count_check();
        let mut waited = Duration::ZERO;
        // Waiting calls line up: only the head of the key's queue polls and sleeps (see
        // `Queues`). Failing fast never waits, so it needs no turn.
        let queue = (self.inner.limits.mode == LimitMode::Wait).then(|| queues.of(key));
        let _turn = match &queue {
            None => None,
            Some(queue) => match queue.try_lock() {
                Ok(turn) => Some(turn),
                Err(_) => {
                    let queued_at = self.inner.clock.now();
                    let turn = match deadline {
                        None => queue.lock().await,
                        Some(deadline) => tokio::select! {
                            turn = queue.lock() => turn,
                            () = self.inner.clock.sleep_until(deadline) => {
                                return Err(Error::DeadlineExceeded(Box::new(DeadlineExceeded {
                                    deadline: deadline.saturating_duration_since(queued_at),
                                    stage: format!(
                                        "queued for a client-side {} rate-limit permit",
                                        kind_name(kind)
                                    ),
                                    sent: SentState::NotSent,
                                }))
                                .into_middleware());
                            }
                        },
                    };
                    // Time in the queue counts as waiting: the gate may have closed meanwhile.
                    waited += self
                        .inner
                        .clock
                        .now()
                        .saturating_duration_since(queued_at)
                        .max(MIN_WAIT);
                    Some(turn)
                }
            },
        };
        loop {
            if !waited.is_zero() && clearance.is_some_and(|clearance| !clearance.is_clear()) {
                tracing::debug!(?kind, ?waited, "held back: an outage began while waiting");
                return Err(HeldBack.into_middleware());
            }
            let wait = match self.check(limiter, key).await {
                Ok(()) => {
                    if !waited.is_zero() {
                        tracing::debug!(?kind, ?waited, "waited for a client-side rate limit");
                    }
                    crate::telemetry::layers::permit(kind, waited);
                    return Ok(());
                }
                Err(wait) => wait,
            };
            if self.inner.limits.mode == LimitMode::FailFast {
                tracing::debug!(?kind, retry_after = ?wait, "client-side rate limit reached");
                crate::telemetry::layers::refused(kind);
                return Err(Error::RateLimited(Box::new(RateLimited {
                    kind,
                    retry_after: wait,
                }))
                .into_middleware());
            }
            let wait = wait.max(MIN_WAIT);
            if let Some(deadline) = deadline {
                // Waiting past the call's deadline is pointless: say so now, while it is certain
                // that this attempt sent nothing.
                let now = self.inner.clock.now();
                if now.checked_add(wait).map_or(true, |ready| ready > deadline) {
                    return Err(Error::DeadlineExceeded(Box::new(DeadlineExceeded {
                        deadline: deadline.saturating_duration_since(now),
                        stage: format!(
                            "waiting for a client-side {} rate-limit permit ({wait:?} away)",
                            kind_name(kind)
                        ),
                        sent: SentState::NotSent,
                    }))
                    .into_middleware());
                }
            }
            self.inner.clock.sleep(wait).await;
            waited += wait;
        }
    }
}

/// A keyed limiter the layer can wait on: governor's (throughput) or the pair limiter.
trait Permits<K>: Send + Sync {
    /// Takes a permit for `key` now, or says how long until one is available.
    fn try_take(&self, key: &K, clock: &GovernorClock) -> Result<(), Duration>;
}

impl<K: Hash + Eq + Clone + Send + Sync> Permits<K> for Keyed<K> {
    fn try_take(&self, key: &K, clock: &GovernorClock) -> Result<(), Duration> {
        self.check_key(key)
            .map_err(|not_until| not_until.wait_time_from(governor::clock::Clock::now(clock)))
    }
}

impl<K: Hash + Eq + Clone + Send + Sync> Permits<K> for PairLimiter<K> {
    fn try_take(&self, key: &K, _clock: &GovernorClock) -> Result<(), Duration> {
        PairLimiter::try_take(self, key)
    }
}

fn kind_name(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Pair => "pair",
        _ => "throughput",
    }
}

fn is_messages_endpoint(request: &Request) -> bool {
    request
        .url()
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .is_some_and(|last| last == "messages")
}

impl RateLimitLayer {
    /// The layer's work, with `next` for what comes after it (the rest of a
    /// `reqwest_middleware` stack, or the next layer of a fused run).
    async fn run_with<N: Inner>(
        &self,
        req: Box<Request>,
        extensions: &mut Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        let Some(facts) = RequestFacts::of(extensions) else {
            return next.run(req, extensions).await;
        };
        let is_send = facts.operation.is_send();
        let deadline = facts.deadline;
        // With shared permits only: the number a 130429 answer backs off.
        let throttled_number = self
            .inner
            .shared
            .is_some()
            .then(|| facts.phone_number_id.clone());
        // The keys (allocated strings) only for the limiters there are: none of this work when
        // a limit is switched off.
        let throughput_key = (self.inner.throughput.is_some()
            && match self.inner.limits.scope {
                ThroughputScope::Sends => is_send,
                ThroughputScope::MessagesEndpoint => is_send || is_messages_endpoint(&req),
            })
        .then(|| facts.phone_number_id.clone());
        let pair_key = (self.inner.pair.is_some() && is_send)
            .then(|| facts.recipient.as_ref().map(UserRef::key))
            .flatten()
            .map(|recipient| (facts.phone_number_id.clone(), recipient));
        let clearance = (throughput_key.is_some() || pair_key.is_some())
            .then(|| SendClearance::of(extensions).cloned())
            .flatten();
        let clearance = clearance.as_ref();

        let throughput = self.inner.throughput.as_ref().zip(throughput_key.as_ref());
        let pair = self.inner.pair.as_ref().zip(pair_key.as_ref());
        // A permit is fresh within one pair interval of being taken: the limiter still counts
        // it then, so sending on it keeps the recipient within the limit. Later, it is dropped
        // and a new one taken.
        let held_pair = extensions.remove::<HeldPairPermit>().filter(|held| {
            self.inner.limits.pair.is_some_and(|(interval, _)| {
                let now = self.inner.clock.now();
                now.saturating_duration_since(held.taken_at) < interval
            })
        });
        // Boxed, and only entered when a limit applies: the permit waits' state would otherwise
        // make every call's future larger (and each move of it dearer).
        let pair_permit = if throughput.is_none() && pair.is_none() {
            None
        } else {
            Box::pin(async {
                match self.inner.limits.mode {
                    // Waiting: take the pair permit (the long wait) first, so that a throughput permit
                    // is not held idle for seconds.
                    LimitMode::Wait => {
                        let mut pair_permit = held_pair;
                        if let Some((limiter, key)) = pair.filter(|_| held_pair.is_none()) {
                            let queues = &self.inner.pair_queues;
                            self.acquire(
                                (limiter, queues),
                                key,
                                LimitKind::Pair,
                                deadline,
                                clearance,
                            )
                            .await?;
                            pair_permit = Some(HeldPairPermit {
                                taken_at: self.inner.clock.now(),
                            });
                        }
                        if let Some((limiter, key)) = throughput {
                            let queues = &self.inner.throughput_queues;
                            let acquired = self
                                .acquire(
                                    (limiter, queues),
                                    key,
                                    LimitKind::Throughput,
                                    deadline,
                                    clearance,
                                )
                                .await;
                            if let Err(error) = acquired {
                                HeldPairPermit::keep_if_held_back(pair_permit, &error, extensions);
                                return Err(error);
                            }
                        }
                        Ok::<_, reqwest_middleware::Error>(pair_permit)
                    }
                    // Failing fast: check the cheap throughput permit first, so that a refusal wastes at
                    // most 1/throughput of a second rather than a pair permit.
                    LimitMode::FailFast => {
                        if let Some((limiter, key)) = throughput {
                            let queues = &self.inner.throughput_queues;
                            self.acquire(
                                (limiter, queues),
                                key,
                                LimitKind::Throughput,
                                deadline,
                                clearance,
                            )
                            .await?;
                        }
                        if let Some((limiter, key)) = pair {
                            let queues = &self.inner.pair_queues;
                            self.acquire(
                                (limiter, queues),
                                key,
                                LimitKind::Pair,
                                deadline,
                                clearance,
                            )
                            .await?;
                            return Ok(Some(HeldPairPermit {
                                taken_at: self.inner.clock.now(),
                            }));
                        }
                        Ok(None)
                    }
                }
            })
            .await?
        };
        // The write may lag the permit (a durable record first): the innermost layer renews it
        // if it went stale meanwhile.
        if let Some(key) = throughput_key.filter(|_| extensions.get::<WriteMayLag>().is_some()) {
            extensions.insert(ThroughputPermit {
                layer: self.clone(),
                key,
                taken_at: self.inner.clock.now(),
                deadline,
                clearance: clearance.cloned(),
                pair: pair_permit,
            });
        }
        match (&self.inner.shared, throttled_number) {
            (Some(shared), Some(number)) => {
                let result = next.run(req, extensions).await;
                Box::pin(shared::watch_throttling(&**shared, &number, result)).await
            }
            _ => next.run(req, extensions).await,
        }
    }
}

crate::layers::chain::builtin_layer!(RateLimitLayer);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_clamps_and_disables() {
        assert_eq!(
            RateLimits::default()
                .throughput(5_000)
                .throughput_per_second(),
            Some(MAX_THROUGHPUT)
        );
        assert_eq!(
            RateLimits::default().throughput(0).throughput_per_second(),
            Some(1)
        );
        assert_eq!(
            RateLimits::default().pair(Duration::ZERO, 3).pair_limit(),
            None
        );
        assert_eq!(
            RateLimits::default()
                .pair(Duration::from_secs(6), 0)
                .pair_limit(),
            Some((Duration::from_secs(6), 1))
        );
        assert_eq!(
            RateLimits::default()
                .pair(Duration::MAX, u32::MAX)
                .pair_limit(),
            Some((MAX_PAIR_INTERVAL, MAX_PAIR_BURST))
        );
        let off = RateLimits::disabled();
        assert_eq!(
            (off.throughput_per_second(), off.pair_limit()),
            (None, None)
        );
    }

    #[test]
    fn clock_instants_saturate() {
        let instant = ClockInstant(10);
        assert_eq!(instant.duration_since(ClockInstant(20)), Nanos::from(0));
        assert_eq!(
            Reference::saturating_sub(&instant, Nanos::from(20)),
            instant
        );
        assert_eq!((instant + Nanos::from(5)).as_nanos(), 15);
    }

    #[test]
    fn recipients_are_keyed_by_digits_or_user_id() {
        let key = |text: &str| UserRef::parse(text).unwrap().key();
        assert_eq!(key("+1 (650) 555-1234"), "16505551234");
        assert_eq!(key("16505551234"), "16505551234");
        assert_eq!(key("abc"), "abc");
        // A BSUID is keyed by itself, not by its digits: it is a different user from the
        // phone number made of the same digits.
        assert_eq!(key("US.13491208655302741918"), "US.13491208655302741918");
        assert_ne!(key("US.16505551234"), key("+16505551234"));
    }
}
