//! The pair limit as Meta describes it: one message every `interval` to one user, with bursts
//! borrowed from the future quota.
//!
//! Meta: about one message every 6 s to the same user; a burst of up to 45 messages within 6 s
//! is allowed, and then the user cannot be messaged again until the borrowed time is paid
//! back (after a burst of N, about N x 6 s). Per key the limiter keeps the moment the debt is
//! paid (`paid_at`: every message adds one interval to it) and the current burst window:
//!
//! - no debt (`now >= paid_at`): the message goes and opens a burst window of one interval;
//! - inside that window and under the burst size: the message goes, adding to the debt;
//! - otherwise: wait until `paid_at`.
//!
//! So a bot's four-message answer goes at once, a 45-message burst is followed by 270 s of
//! silence (not by one message every 6 s, which a token bucket such as GCRA would let through
//! and Meta would answer with 131056), and a steady sender settles at one message per
//! interval. With a burst of 1 it is a plain "one per interval" limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::time::{later, Instant, SharedClock};

/// One key's debt.
#[derive(Debug, Clone, Copy)]
struct Debt {
    /// When the current burst window closes.
    window_end: Instant,
    /// Messages sent in the current burst window.
    sent_in_window: u32,
    /// When every message sent so far is paid for.
    paid_at: Instant,
}

/// Per-key pair limits on the client's clock.
pub(crate) struct PairLimiter<K> {
    interval: Duration,
    burst: u32,
    clock: SharedClock,
    debts: Mutex<HashMap<K, Debt>>,
}

impl<K: Hash + Eq + Clone> PairLimiter<K> {
    /// One message per `interval`, bursts of up to `burst` (at least 1).
    pub(crate) fn new(interval: Duration, burst: u32, clock: SharedClock) -> Self {
        PairLimiter {
            interval,
            burst: burst.max(1),
            clock,
            debts: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Debt>> {
        // Every update is a single assignment: the map is consistent after a panic elsewhere.
        self.debts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Takes a permit for `key` now, or says how long until one is available.
    pub(crate) fn try_take(&self, key: &K) -> Result<(), Duration> {
        let now = self.clock.now();
        let mut debts = self.lock();
        match debts.get_mut(key) {
            Some(debt) if now < debt.paid_at => {
                if now < debt.window_end && debt.sent_in_window < self.burst {
                    debt.sent_in_window += 1;
                    debt.paid_at = later(debt.paid_at, self.interval);
                    Ok(())
                } else {
                    Err(debt.paid_at.saturating_duration_since(now))
                }
            }
            _ => {
                let window_end = later(now, self.interval);
                debts.insert(
                    key.clone(),
                    Debt {
                        window_end,
                        sent_in_window: 1,
                        paid_at: window_end,
                    },
                );
                Ok(())
            }
        }
    }

    /// How many keys have an unpaid debt or have not been pruned yet.
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Forgets the keys whose debt is paid (they are back to "fresh").
    pub(crate) fn prune(&self) {
        let now = self.clock.now();
        let mut debts = self.lock();
        debts.retain(|_, debt| now < debt.paid_at);
        debts.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::time::TokioClock;

    const SIX: Duration = Duration::from_secs(6);

    fn limiter(burst: u32) -> PairLimiter<&'static str> {
        PairLimiter::new(SIX, burst, Arc::new(TokioClock))
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_paid_back_before_the_next_message() {
        let pair = limiter(45);
        for _ in 0..45 {
            assert_eq!(pair.try_take(&"a"), Ok(()));
        }
        // The 46th waits for the whole debt: 45 x 6 s.
        assert_eq!(pair.try_take(&"a"), Err(Duration::from_secs(270)));
        // Another user is not affected.
        assert_eq!(pair.try_take(&"b"), Ok(()));
        tokio::time::advance(SIX).await;
        assert_eq!(pair.try_take(&"a"), Err(Duration::from_secs(264)));
        tokio::time::advance(Duration::from_secs(264)).await;
        assert_eq!(pair.try_take(&"a"), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_small_burst_then_the_window_closes() {
        let pair = limiter(45);
        for _ in 0..4 {
            assert_eq!(pair.try_take(&"a"), Ok(()));
        }
        // Still inside the 6 s window: a fifth may join the burst.
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(pair.try_take(&"a"), Ok(()));
        // The window has closed: wait until the 5 x 6 s are paid (30 s after the first).
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(pair.try_take(&"a"), Err(Duration::from_secs(23)));
    }

    #[tokio::test(start_paused = true)]
    async fn burst_one_is_one_per_interval_and_prune_forgets_paid_debts() {
        let pair = limiter(1);
        assert_eq!(pair.try_take(&"a"), Ok(()));
        assert_eq!(pair.try_take(&"a"), Err(SIX));
        tokio::time::advance(SIX).await;
        assert_eq!(pair.try_take(&"a"), Ok(()));
        assert_eq!(pair.len(), 1);
        pair.prune();
        assert_eq!(pair.len(), 1);
        tokio::time::advance(SIX).await;
        pair.prune();
        assert_eq!(pair.len(), 0);
    }
}
