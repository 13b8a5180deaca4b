//! A calendar date, just enough to give rules an effective period.
//!
//! Rules change on dates Meta announces (Turkey was lifted on 2024-05-15), so the table needs
//! dates but nothing else of a calendar library: a `(year, month, day)` triple that orders
//! correctly and knows today's date in UTC. That is why there is no `chrono` or `time` dependency.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date in the proleptic Gregorian calendar (UTC), ordered chronologically.
///
/// ```
/// use wacloud::layers::recipients::Date;
/// assert!(Date::new(2024, 4, 25) < Date::new(2024, 5, 15));
/// assert_eq!(Date::new(2024, 5, 15).to_string(), "2024-05-15");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date from its parts. Out-of-range months and days are clamped (month 1-12, day 1-31)
    /// so that a typo in a rule can never panic; the order of dates stays meaningful.
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        let month = if month < 1 {
            1
        } else if month > 12 {
            12
        } else {
            month
        };
        let day = if day < 1 {
            1
        } else if day > 31 {
            31
        } else {
            day
        };
        Date { year, month, day }
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1-12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1-31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Today's date in UTC, from the system clock (a clock before 1970 reads as 1970-01-01).
    pub fn today() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0);
        Date::from_days_since_epoch((seconds / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            year.clamp(0, i64::from(u16::MAX)) as u16,
            month as u8,
            day as u8,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_round_trip_known_dates() {
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
        // 2024-05-15 is day 19_858 after the epoch.
        assert_eq!(Date::from_days_since_epoch(19_858), Date::new(2024, 5, 15));
        assert_eq!(Date::from_days_since_epoch(19_782), Date::new(2024, 2, 29));
    }

    #[test]
    fn today_is_after_the_turkey_change() {
        assert!(Date::today() > Date::new(2024, 5, 15));
    }

    #[test]
    fn out_of_range_parts_are_clamped() {
        assert_eq!(Date::new(2024, 0, 0), Date::new(2024, 1, 1));
        assert_eq!(Date::new(2024, 13, 40), Date::new(2024, 12, 31));
    }
}
