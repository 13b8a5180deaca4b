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
    /// A clock running `factor` times faster than real time (`factor` at least 1).
    pub fn new(factor: f64) -> Self {
        ScaledClock {
            origin: Instant::now(),
            factor: factor.max(1.0),
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
        self.origin + real.mul_f64(self.factor)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(self.to_real(duration)))
    }
}

/// The default clock: tokio's.
pub fn default_clock() -> SharedClock {
    Arc::new(TokioClock)
}
