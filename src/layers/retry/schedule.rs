//! Backoff schedules: how long to wait before each retry, and when to stop.
//!
//! A small exponential function rather than a backoff crate: the retry layer needs the delay of
//! step *n* on its own (the outage gate spaces its probes by the gate's step, not by one call's
//! attempt count) and a budget measured on the injectable [`Clock`](crate::time::Clock), which
//! iterator-style backoff crates do not give.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;

/// A jittered exponential backoff schedule for one retry class.
///
/// The wait before retry `n` (0-based) is `initial * multiplier^n`, capped at `max_delay`, then
/// stretched by a random factor in `[1, 1 + jitter)`. Jitter only ever lengthens a wait, so a
/// documented minimum (the 6 s of the pair limit, a `Retry-After`) is never undercut, and
/// clones of a client that failed together do not retry in lockstep.
///
/// A call stops retrying after `max_retries` retries or once `max_elapsed` has passed since it
/// started, whichever comes first. The last wait is shortened so that a final attempt lands at
/// the end of `max_elapsed`: with the default outage schedule the last attempt comes at 330 s,
/// after the 5 minutes an API update can last.
///
/// ```
/// use std::time::Duration;
/// use wacloud::layers::retry::Schedule;
/// let schedule = Schedule::exponential(Duration::from_secs(1), Duration::from_secs(30));
/// assert_eq!(schedule.base_delay(0), Duration::from_secs(1));
/// assert_eq!(schedule.base_delay(3), Duration::from_secs(8));
/// assert_eq!(schedule.base_delay(10), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Schedule {
    /// The wait before the first retry.
    pub initial: Duration,
    /// The growth factor between waits (at least 1).
    pub multiplier: f64,
    /// The longest wait before jitter.
    pub max_delay: Duration,
    /// The most retries one call makes (`u32::MAX`: bounded by `max_elapsed` only).
    pub max_retries: u32,
    /// How long one call keeps retrying, measured from the moment it entered the layer.
    pub max_elapsed: Duration,
    /// The random stretch added to each wait, as a fraction of it (0.2 = up to 20 % longer).
    pub jitter: f64,
}

impl Schedule {
    /// Doubling waits from `initial` up to `max_delay`, 20 % jitter, at most 4 retries within
    /// 60 s (change those with the other builders).
    pub fn exponential(initial: Duration, max_delay: Duration) -> Self {
        Schedule {
            initial,
            multiplier: 2.0,
            max_delay,
            max_retries: 4,
            max_elapsed: Duration::from_secs(60),
            jitter: 0.2,
        }
    }

    /// A schedule that never retries.
    pub fn none() -> Self {
        Schedule {
            max_retries: 0,
            max_elapsed: Duration::ZERO,
            ..Schedule::exponential(Duration::ZERO, Duration::ZERO)
        }
    }

    /// The default for code 2 (API Service): 1 s doubling to a 5 s cap, for 330 s in all, so
    /// that the last attempt comes after the up to 5 minutes of downtime of an API update.
    ///
    /// The cap is short on purpose: behind the shared outage gate only one probe is in flight
    /// for the whole client, so a 5 s cap costs about 60 requests per 5-minute outage in all
    /// (not per call), and the backlog resumes within about 5 s of the recovery. With a 30 s cap
    /// the drill of 10,000 waiting sends noticed the recovery 27 s late and drained at 83% of the
    /// configured rate; with 5 s, at 99% for 41 more requests (BENCHMARKS.md, "Outage drill").
    pub fn outage() -> Self {
        Schedule::exponential(Duration::from_secs(1), Duration::from_secs(5))
            .max_retries(u32::MAX)
            .max_elapsed(Duration::from_secs(330))
    }

    /// The default for passing faults (codes 1, 131000, 131016, 131057, 133004, connect
    /// failures, HTTP 502/503/504 without a Graph body): 0.5 s, 1 s, 2 s, 4 s; at most 4 retries
    /// within 10 s.
    pub fn transient() -> Self {
        Schedule::exponential(Duration::from_millis(500), Duration::from_secs(4))
            .max_retries(4)
            .max_elapsed(Duration::from_secs(10))
    }

    /// The default for rate limits (codes 4, 80007, 130429, HTTP 429): 2 s, 4 s, 8 s, 16 s, or
    /// the server's `Retry-After` instead; at most 4 retries within 90 s.
    pub fn throttled() -> Self {
        Schedule::exponential(Duration::from_secs(2), Duration::from_secs(30))
            .max_retries(4)
            .max_elapsed(Duration::from_secs(90))
    }

    /// The default for the pair limit (code 131056): 6 s, 12 s, 24 s for the same recipient;
    /// at most 3 retries within 60 s.
    pub fn pair() -> Self {
        Schedule::exponential(Duration::from_secs(6), Duration::from_secs(24))
            .max_retries(3)
            .max_elapsed(Duration::from_secs(60))
    }

    /// Sets the most retries per call.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets how long one call keeps retrying.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Sets the jitter fraction (clamped to 0..=1).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Sets the growth factor (at least 1).
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The wait before retry `retry` (0-based) without jitter.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let multiplier = if self.multiplier.is_finite() {
            self.multiplier.max(1.0)
        } else {
            1.0
        };
        let factor = multiplier.powi(i32::try_from(retry.min(64)).unwrap_or(64));
        let seconds = self.initial.as_secs_f64() * factor;
        let cap = self.max_delay.as_secs_f64();
        if !seconds.is_finite() || seconds >= cap {
            self.max_delay
        } else {
            Duration::from_secs_f64(seconds.max(0.0))
        }
    }

    /// The wait before retry `retry` (0-based), jittered.
    pub fn delay(&self, retry: u32) -> Duration {
        stretch(self.base_delay(retry), self.jitter)
    }

    /// The sum of the base waits a call can make before giving up: the time from the first
    /// attempt to the last (attempt time itself excluded).
    pub fn total(&self) -> Duration {
        let mut total = Duration::ZERO;
        let mut retry = 0;
        while retry < self.max_retries && total < self.max_elapsed {
            let delay = self.base_delay(retry);
            if self.base_delay(retry.saturating_add(1)) == delay {
                // Constant from here on (capped, zero, or a multiplier of 1): no need to walk
                // up to 4 billion retries one by one.
                let left = self.max_retries - retry;
                total = total.saturating_add(delay.saturating_mul(left));
                break;
            }
            total = total.saturating_add(delay);
            retry += 1;
        }
        total.min(self.max_elapsed)
    }
}

/// Lengthens `delay` by a random fraction in `[0, jitter)`.
pub(crate) fn stretch(delay: Duration, jitter: f64) -> Duration {
    if !(jitter.is_finite() && jitter > 0.0) || delay.is_zero() {
        return delay;
    }
    let extra: f64 = rand::rng().random_range(0.0..jitter.min(1.0));
    // Saturating: a `Retry-After` of u64::MAX seconds must not overflow when stretched.
    Duration::try_from_secs_f64(delay.as_secs_f64() * (1.0 + extra)).unwrap_or(Duration::MAX)
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (IMF-fixdate, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`), measured against the system's wall clock. A date in the
/// past is a zero wait; anything unreadable is `None`.
///
/// ```
/// use std::time::Duration;
/// use wacloud::layers::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
/// assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("soon"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Seconds since the Unix epoch of an IMF-fixdate (RFC 9110 §5.6.7), the form servers must send.
fn parse_http_date(value: &str) -> Option<u64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let (_, rest) = value.split_once(", ")?;
    let mut parts = rest.split_ascii_whitespace();
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 || year < 1970 {
        return None;
    }
    let days = days_from_civil(year, month, i64::try_from(day).ok()?);
    let days = u64::try_from(days).ok()?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outage_schedule_outlasts_five_minutes() {
        let schedule = Schedule::outage();
        assert!(schedule.total() >= Duration::from_secs(300));
        assert_eq!(schedule.total(), Duration::from_secs(330));
        let delays: Vec<_> = (0..7).map(|n| schedule.base_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5, 5, 5]);
    }

    #[test]
    fn transient_schedule_is_short() {
        let schedule = Schedule::transient();
        assert_eq!(schedule.total(), Duration::from_millis(7_500));
        assert!(schedule.total() <= Duration::from_secs(10));
    }

    #[test]
    fn jitter_only_lengthens() {
        let schedule = Schedule::pair();
        for _ in 0..100 {
            let delay = schedule.delay(0);
            assert!(delay >= Duration::from_secs(6));
            assert!(delay < Duration::from_secs_f64(6.0 * 1.2));
        }
    }

    #[test]
    fn extreme_settings_neither_panic_nor_hang() {
        let huge = Schedule::exponential(Duration::MAX, Duration::MAX)
            .max_retries(u32::MAX)
            .max_elapsed(Duration::MAX);
        assert_eq!(huge.total(), Duration::MAX);
        assert_eq!(huge.delay(0), Duration::MAX);
        let endless_zero = Schedule::exponential(Duration::ZERO, Duration::from_secs(5))
            .max_retries(u32::MAX)
            .max_elapsed(Duration::MAX);
        assert_eq!(endless_zero.total(), Duration::ZERO);
        let flat = endless_zero.multiplier(1.0);
        assert_eq!(flat.total(), Duration::ZERO);
        assert_eq!(stretch(Duration::MAX, 1.0), Duration::MAX);
        assert_eq!(stretch(Duration::from_secs(u64::MAX), 1.0), Duration::MAX);
    }

    #[test]
    fn none_never_retries() {
        assert_eq!(Schedule::none().total(), Duration::ZERO);
        assert_eq!(Schedule::none().max_retries, 0);
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date(""), None);
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        let future = SystemTime::now() + Duration::from_secs(3_600);
        let secs = future.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let formatted = format_http_date(secs);
        let wait = parse_retry_after(&formatted).unwrap();
        assert!(wait > Duration::from_secs(3_590) && wait <= Duration::from_secs(3_600));
    }

    fn format_http_date(secs: u64) -> String {
        // Inverse of days_from_civil, for the round-trip test only.
        let days = i64::try_from(secs / 86_400).unwrap() + 719_468;
        let era = days.div_euclid(146_097);
        let doe = days - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let rem = secs % 86_400;
        format!(
            "Mon, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
            names[usize::try_from(month - 1).unwrap()],
            rem / 3_600,
            rem % 3_600 / 60,
            rem % 60
        )
    }
}
