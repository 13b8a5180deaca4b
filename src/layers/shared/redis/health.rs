//! Whether Redis answers, and when to try it again after it did not.
//!
//! While Redis is down every call goes to the local fallback at once, without a connection
//! attempt; one call at a time is let through as a trial when the back-off (on the client's
//! clock) has passed. A warning marks the fall to local limits and a note the return, once per
//! transition, not per call.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::time::{later, Instant};

/// Where a call takes its limit from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// Redis (up, or due for a trial).
    Shared,
    /// The local fallback.
    Local,
}

#[derive(Debug)]
struct State {
    down: bool,
    /// A trial call is out: its outcome decides the next step.
    trial: bool,
    backoff: Duration,
    next_try: Instant,
}

/// The health of one client's link to Redis.
#[derive(Debug)]
pub(super) struct Health {
    state: Mutex<State>,
    first_backoff: Duration,
    max_backoff: Duration,
    /// For the warning: the share of the throughput kept while down.
    share: f64,
}

impl Health {
    pub(super) fn new(
        now: Instant,
        first_backoff: Duration,
        max_backoff: Duration,
        share: f64,
    ) -> Self {
        Health {
            state: Mutex::new(State {
                down: false,
                trial: false,
                backoff: first_backoff,
                next_try: now,
            }),
            first_backoff,
            max_backoff,
            share,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Whether Redis is believed down.
    pub(super) fn is_down(&self) -> bool {
        self.lock().down
    }

    /// Where the next call goes.
    pub(super) fn route(&self, now: Instant) -> Route {
        let mut state = self.lock();
        if !state.down {
            return Route::Shared;
        }
        if state.trial || now < state.next_try {
            return Route::Local;
        }
        state.trial = true;
        // Should the trial never report (a cancelled call), the next one comes anyway.
        state.next_try = later(now, state.backoff);
        Route::Shared
    }

    /// A call to Redis failed.
    pub(super) fn failed(&self, now: Instant, error: &::redis::RedisError) {
        let mut state = self.lock();
        if !state.down {
            state.down = true;
            state.trial = false;
            state.backoff = self.first_backoff;
            state.next_try = later(now, state.backoff);
            drop(state);
            tracing::warn!(
                target: "wacloud::shared",
                error = %error,
                fallback_share = self.share,
                "Redis is unreachable: using local limits at a share of each number's throughput \
                 and the local outage gate until it answers again"
            );
        } else if state.trial {
            state.trial = false;
            state.backoff = state.backoff.saturating_mul(2).min(self.max_backoff);
            state.next_try = later(now, state.backoff);
            tracing::debug!(
                target: "wacloud::shared",
                error = %error,
                next_try_ms = u64::try_from(state.backoff.as_millis()).unwrap_or(u64::MAX),
                "Redis still unreachable"
            );
        }
    }

    /// A call to Redis got an answer.
    pub(super) fn answered(&self) {
        let mut state = self.lock();
        state.trial = false;
        if state.down {
            state.down = false;
            state.backoff = self.first_backoff;
            drop(state);
            tracing::info!(
                target: "wacloud::shared",
                "Redis answers again: back to the shared limits"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused() -> ::redis::RedisError {
        ::redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
    }

    #[test]
    fn one_trial_at_a_time_with_a_growing_backoff() {
        let start = Instant::now();
        let second = Duration::from_secs(1);
        let health = Health::new(start, second, 4 * second, 0.25);
        assert_eq!(health.route(start), Route::Shared);
        health.failed(start, &refused());
        assert!(health.is_down());
        assert_eq!(health.route(start), Route::Local);
        // The back-off passes: one trial, the others stay local.
        let at = start + second;
        assert_eq!(health.route(at), Route::Shared);
        assert_eq!(health.route(at), Route::Local);
        health.failed(at, &refused());
        // Doubled: 2 s, then 4 s (the cap).
        assert_eq!(health.route(at + second), Route::Local);
        assert_eq!(health.route(at + 2 * second), Route::Shared);
        health.failed(at + 2 * second, &refused());
        assert_eq!(health.route(at + 5 * second), Route::Local);
        assert_eq!(health.route(at + 6 * second), Route::Shared);
        health.answered();
        assert!(!health.is_down());
        assert_eq!(health.route(at + 6 * second), Route::Shared);
    }
}
