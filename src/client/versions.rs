//! The Graph API versions the SDK knows, with Meta's dates, and the default.
//!
//! Meta releases a Graph API version two or three times a year and keeps each one available
//! for at least two years after its successor ships (v25.0: released 2026-02-18, available
//! until 2028-07-29, two years after v26.0). A call to a retired version fails, so the default
//! must never name one: a unit test checks [`DEFAULT_API_VERSION`] against this table and the
//! build's clock.
//!
//! **Why v26.0.** It is Meta's current version (since 2026-07-29), the one Meta's documentation
//! of the features this SDK covers (business-scoped user ids, per-message pricing, the 2026
//! webhook fields) describes, and the one that stays available longest: v25.0 goes on
//! 2028-07-29, v26.0 no earlier than two years after v27.0 ships. Nothing the SDK sends or reads
//! differs between v25.0 and v26.0, so a caller pinned to v25.0 (`api_version("v25.0")`) loses
//! nothing but runway.

use crate::layers::recipients::Date;

/// The Graph API version used unless the builder sets another.
pub const DEFAULT_API_VERSION: &str = "v26.0";

/// One Graph API version and Meta's dates for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphApiVersion {
    /// The version as it appears in URLs, e.g. `v26.0`.
    pub name: &'static str,
    /// The day Meta released it.
    pub released: Date,
    /// The last day it is available: announced by Meta, or two years after its successor's
    /// release (Meta's guarantee); `None` while its successor is not out.
    pub available_until: Option<Date>,
}

impl GraphApiVersion {
    /// Whether Meta has retired the version on `date` (the day after its last day).
    pub fn is_retired_on(&self, date: Date) -> bool {
        self.available_until.is_some_and(|until| until < date)
    }

    /// The version of this name in [`GRAPH_API_VERSIONS`].
    pub fn lookup(name: &str) -> Option<&'static GraphApiVersion> {
        GRAPH_API_VERSIONS
            .iter()
            .find(|version| version.name == name)
    }
}

/// The versions the SDK knows, oldest first (Meta's changelog; dates of the 2026 reference).
pub const GRAPH_API_VERSIONS: &[GraphApiVersion] = &[
    GraphApiVersion {
        name: "v23.0",
        released: Date::new(2025, 5, 29),
        // Two years after v24.0.
        available_until: Some(Date::new(2027, 10, 8)),
    },
    GraphApiVersion {
        name: "v24.0",
        released: Date::new(2025, 10, 8),
        // Two years after v25.0.
        available_until: Some(Date::new(2028, 2, 18)),
    },
    GraphApiVersion {
        name: "v25.0",
        released: Date::new(2026, 2, 18),
        // Announced by Meta.
        available_until: Some(Date::new(2028, 7, 29)),
    },
    GraphApiVersion {
        name: "v26.0",
        released: Date::new(2026, 7, 29),
        available_until: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails once Meta has retired the default: then move [`DEFAULT_API_VERSION`] on (and add
    /// the new versions to the table).
    #[test]
    fn the_default_version_is_known_and_not_retired() {
        let default = GraphApiVersion::lookup(DEFAULT_API_VERSION)
            .expect("the default version is in the table");
        let today = Date::today();
        assert!(
            !default.is_retired_on(today),
            "{} was retired after {:?}: move DEFAULT_API_VERSION on",
            default.name,
            default.available_until
        );
        assert!(default.released <= today);
    }

    #[test]
    fn the_table_is_ordered_and_follows_the_two_year_rule() {
        for pair in GRAPH_API_VERSIONS.windows(2) {
            let (older, newer) = (pair[0], pair[1]);
            assert!(older.released < newer.released, "{}", newer.name);
            let until = older
                .available_until
                .expect("a version with a successor has a last day");
            assert_eq!(
                until,
                Date::new(
                    newer.released.year() + 2,
                    newer.released.month(),
                    newer.released.day()
                ),
                "{}",
                older.name
            );
        }
        let newest = GRAPH_API_VERSIONS.last().unwrap();
        assert_eq!(newest.available_until, None);
        for version in GRAPH_API_VERSIONS {
            assert!(crate::client::builder::is_version_name(version.name));
        }
    }

    #[test]
    fn retirement_is_checked_against_the_given_day() {
        let v25 = GraphApiVersion::lookup("v25.0").unwrap();
        assert!(!v25.is_retired_on(Date::new(2028, 7, 29)));
        assert!(v25.is_retired_on(Date::new(2028, 7, 30)));
        let v26 = GraphApiVersion::lookup("v26.0").unwrap();
        assert!(!v26.is_retired_on(Date::new(2100, 1, 1)));
        assert!(GraphApiVersion::lookup("v2.0").is_none());
    }
}
