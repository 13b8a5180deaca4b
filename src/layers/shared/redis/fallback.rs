//! The local limits used while Redis is unreachable: the same rules as the Lua scripts (GCRA for
//! the throughput, the pay-back rule for the pair limit), on the client's clock, at a share of the number's throughput so that N instances falling back
//! together do not send N times too fast.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::layers::rate_limit::pair::PairLimiter;
use crate::time::{later, Instant, SharedClock};

/// How many checks pass between two prunings of keys back to "fresh".
const PRUNE_EVERY: u64 = 1_024;

/// One GCRA limit over many keys.
#[derive(Debug)]
pub(super) struct LocalGcra {
    interval: Duration,
    burst: u32,
    /// Each key's theoretical arrival time.
    arrivals: Mutex<HashMap<String, Instant>>,
    checks: AtomicU64,
}

impl LocalGcra {
    /// One permit per `interval` after a burst of `burst` (at least 1).
    pub(super) fn new(interval: Duration, burst: u32) -> Self {
        LocalGcra {
            interval,
            burst: burst.max(1),
            arrivals: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.arrivals
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Takes a permit for `key` now, or says how long until one may be available.
    pub(super) fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut arrivals = self.lock();
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            arrivals.retain(|_, arrival| *arrival > now);
        }
        let arrival = arrivals.get(key).copied().unwrap_or(now).max(now);
        let next = later(arrival, self.interval);
        let tolerance = self.interval.saturating_mul(self.burst);
        let allowed_at = next.checked_sub(tolerance).unwrap_or(now);
        if now < allowed_at {
            return Err(allowed_at - now);
        }
        arrivals.insert(key.to_owned(), next);
        Ok(())
    }
}

/// The pair limit over many keys, with the pay-back rule of the Lua script.
pub(super) struct LocalPair {
    limiter: PairLimiter<String>,
    checks: AtomicU64,
}

impl fmt::Debug for LocalPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalPair").finish_non_exhaustive()
    }
}

impl LocalPair {
    /// One message per `interval` to one user, bursts of `burst` paid back afterwards.
    pub(super) fn new(interval: Duration, burst: u32, clock: SharedClock) -> Self {
        LocalPair {
            limiter: PairLimiter::new(interval, burst, clock),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes a permit for `key` now, or says how long until one may be available.
    pub(super) fn take(&self, key: &str) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.limiter.prune();
        }
        self.limiter.try_take(&key.to_owned())
    }
}

/// Running back-offs (after 130429) per number.
#[derive(Debug, Default)]
pub(super) struct Backoffs(Mutex<HashMap<String, Instant>>);

impl Backoffs {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.0.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Holds `number` until `until` (never shortens a running hold).
    pub(super) fn hold(&self, number: &str, until: Instant) {
        let mut holds = self.lock();
        let entry = holds.entry(number.to_owned()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    /// The wait left on `number`'s hold, if any (expired holds are forgotten).
    pub(super) fn wait(&self, number: &str, now: Instant) -> Option<Duration> {
        let mut holds = self.lock();
        match holds.get(number) {
            Some(until) if *until > now => Some(*until - now),
            Some(_) => {
                holds.remove(number);
                None
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_grants_the_burst_then_one_per_interval() {
        let now = Instant::now();
        let limit = LocalGcra::new(Duration::from_millis(100), 3);
        for _ in 0..3 {
            assert_eq!(limit.take("a", now), Ok(()));
        }
        assert_eq!(limit.take("a", now), Err(Duration::from_millis(100)));
        assert_eq!(limit.take("b", now), Ok(()), "keys are independent");
        let later = now + Duration::from_millis(100);
        assert_eq!(limit.take("a", later), Ok(()));
        assert!(limit.take("a", later).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn the_local_pair_limit_wants_a_burst_paid_back() {
        let six = Duration::from_secs(6);
        let limit = LocalPair::new(six, 3, std::sync::Arc::new(crate::time::TokioClock));
        for _ in 0..3 {
            assert_eq!(limit.take("a"), Ok(()));
        }
        // Three intervals of debt, not one as GCRA would say.
        assert_eq!(limit.take("a"), Err(six * 3));
        assert_eq!(limit.take("b"), Ok(()), "users are independent");
        tokio::time::advance(six * 3).await;
        assert_eq!(limit.take("a"), Ok(()));
    }

    #[test]
    fn backoffs_keep_the_longest_hold() {
        let now = Instant::now();
        let holds = Backoffs::default();
        holds.hold("1", now + Duration::from_secs(2));
        holds.hold("1", now + Duration::from_secs(1));
        assert_eq!(holds.wait("1", now), Some(Duration::from_secs(2)));
        assert_eq!(holds.wait("2", now), None);
        assert_eq!(holds.wait("1", now + Duration::from_secs(3)), None);
    }
}
