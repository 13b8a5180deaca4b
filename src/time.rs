//! The clock and sleeper that every wait in the crate goes through.
//!
//! Backoff delays, rate-limit waits and the outage gate never call `tokio::time` directly: they
//! ask a [`Clock`]. The default, [`TokioClock`], is tokio's timer (so `tokio::time::pause()`
//! works in tests without network I/O); [`ScaledClock`] compresses time by a factor, so a test
//! or a demo can ride out a 5-minute outage in a fraction of a second against a real server.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use tokio::time::Instant;

/// A boxed sleep future.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of time and of waiting.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current instant on this clock.
    fn now(&self) -> Instant;
    /// A future that completes once `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep;
    /// A future that completes at `deadline` on this clock.
    fn sleep_until(&self, deadline: Instant) -> Sleep {
        let now = self.now();
        self.sleep(deadline.saturating_duration_since(now))
    }
}

/// A shared clock, as the layers hold it.
pub type SharedClock = Arc<dyn Clock>;

/// The longest wait the crate schedules (30 years, as tokio's own "far future"): a longer
/// setting or `Retry-After` waits this long instead of overflowing an [`Instant`].
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `at + wait`, cut to [`FAR_FUTURE`] after `at` when the sum cannot be represented: every
/// place where a setting or a header meets an instant goes through here (or through
/// `checked_add`, where "too far" means "never"), so no `Duration` can panic.
pub(crate) fn later(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait)
        .or_else(|| at.checked_add(FAR_FUTURE))
        .unwrap_or(at)
}

/// The fastest [`ScaledClock`]: a second per nanosecond.
const MAX_SCALE: f64 = 1e9;

/// Tokio's timer: real time, or virtual time under `tokio::time::pause()`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Real time compressed by a factor: `sleep(60 s)` with a factor of 1,000 waits 60 ms, and
/// [`Clock::now`] advances 1,000 times faster than the wall clock.
///
/// ```
/// use std::time::Duration;
/// use wacloud::time::{Clock, ScaledClock};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let clock = ScaledClock::new(1_000.0);
/// let start = clock.now();
/// clock.sleep(Duration::from_secs(5)).await; // about 5 ms of real time
/// assert!(clock.now() - start >= Duration::from_secs(5));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    origin: Instant,
    factor: f64,
}

impl ScaledClock {
    /// A clock running `factor` times faster than real time (`factor` clamped to 1..=1e9; a
    /// factor that is not a number means 1).
    pub fn new(factor: f64) -> Self {
        let factor = if factor.is_nan() {
            1.0
        } else {
            factor.clamp(1.0, MAX_SCALE)
        };
        ScaledClock {
            origin: Instant::now(),
            factor,
        }
    }

    /// The speed-up factor.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    fn to_real(self, duration: Duration) -> Duration {
        duration.div_f64(self.factor)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Instant {
        let real = Instant::now().saturating_duration_since(self.origin);
        let scaled =
            Duration::try_from_secs_f64(real.as_secs_f64() * self.factor).unwrap_or(Duration::MAX);
        later(self.origin, scaled)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(self.to_real(duration)))
    }
}

/// The default clock: tokio's.
pub fn default_clock() -> SharedClock {
    Arc::new(TokioClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_clocks_take_any_factor() {
        for factor in [f64::NAN, f64::NEG_INFINITY, -1.0, 0.0, 1e300, f64::INFINITY] {
            let clock = ScaledClock::new(factor);
            assert!((1.0..=MAX_SCALE).contains(&clock.factor()), "{factor}");
            assert!(clock.now() >= clock.origin);
        }
    }

    #[test]
    fn later_saturates() {
        let now = Instant::now();
        assert_eq!(
            later(now, Duration::from_secs(1)),
            now + Duration::from_secs(1)
        );
        assert_eq!(later(now, Duration::MAX), now + FAR_FUTURE);
    }
}
