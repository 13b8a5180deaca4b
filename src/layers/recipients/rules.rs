//! The recipient rule table, kept as data: each rule has an id, the region it covers, the number
//! ranges (E.164 digit prefixes) that identify that region, an effective period and a source.
//!
//! The table follows Meta's troubleshooting page ("Message Not Delivered" > "Country
//! Restrictions") and its support page (updated 2025-11-19): users in Cuba, Iran, North Korea,
//! Syria and three sanctioned regions of Ukraine (Crimea, Donetsk, Luhansk) cannot receive
//! WhatsApp Business Platform messages; the API may still answer "sent", so only a check before
//! sending catches it. Cloud API messages to Turkish numbers (+90) were not delivered until Meta
//! lifted that restriction on 2024-05-15.
//!
//! **Best effort for the Ukrainian regions.** Number ranges identify the regions only for fixed
//! lines of the Ukrainian plan (area codes 62, 64, 65, 69) and for the ranges Russia issued in
//! Crimea and Sevastopol (+7 978, +7 365, +7 869). Ukrainian mobile prefixes are national, not
//! regional, and there is no reliable public list of the +7 ranges assigned in Donetsk and
//! Luhansk after 2022, so such numbers cannot be caught before sending. Zaporizhzhia and Kherson
//! are not on Meta's list and are not blocked.

use std::fmt;

use super::date::Date;

/// One rule of the built-in table, in `static` form.
struct StaticRule {
    id: &'static str,
    region: &'static str,
    ranges: &'static [&'static str],
    from: Option<Date>,
    until: Option<Date>,
    source: &'static str,
}

/// The built-in table. Ranges are written in international format; only their digits count.
static BUILT_IN: &[StaticRule] = &[
    StaticRule {
        id: "sanctions.cuba",
        region: "Cuba",
        ranges: &["+53"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             country); range: libphonenumber country calling code",
    },
    StaticRule {
        id: "sanctions.iran",
        region: "Iran",
        ranges: &["+98"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             country); range: libphonenumber country calling code",
    },
    StaticRule {
        id: "sanctions.north-korea",
        region: "North Korea",
        ranges: &["+850"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             country); range: libphonenumber country calling code",
    },
    StaticRule {
        id: "sanctions.syria",
        region: "Syria",
        ranges: &["+963"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             country); range: libphonenumber country calling code",
    },
    StaticRule {
        id: "sanctions.crimea",
        region: "Crimea (Ukrainian numbering plan)",
        ranges: &["+380 65"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             region of Ukraine); range: libphonenumber geocoding 380.txt, area code 65",
    },
    StaticRule {
        id: "sanctions.sevastopol",
        region: "Sevastopol (Ukrainian numbering plan)",
        // Area code 69 is Sevastopol only; its numbers are written +380 692 xxx xxx.
        ranges: &["+380 69"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (Crimea, \
             sanctioned region of Ukraine); range: libphonenumber geocoding 380.txt, area code \
             69 (+380 692)",
    },
    StaticRule {
        id: "sanctions.donetsk",
        region: "Donetsk oblast (Ukrainian numbering plan)",
        ranges: &["+380 62"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             region of Ukraine); range: libphonenumber geocoding 380.txt, area code 62",
    },
    StaticRule {
        id: "sanctions.luhansk",
        region: "Luhansk oblast (Ukrainian numbering plan)",
        ranges: &["+380 64"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (sanctioned \
             region of Ukraine); range: libphonenumber geocoding 380.txt, area code 64",
    },
    StaticRule {
        id: "sanctions.crimea-russian-ranges",
        region: "Crimea and Sevastopol (Russian-issued numbers)",
        ranges: &["+7 978", "+7 365", "+7 869"],
        from: None,
        until: None,
        source: "Meta, WhatsApp Cloud API troubleshooting, \"Country Restrictions\" (Crimea, \
             sanctioned region of Ukraine); ranges: Russian numbering plan, issued 2014-2015 \
             (+7 978 mobile, +7 365 Crimea landline, +7 869 Sevastopol landline)",
    },
    StaticRule {
        id: "cloud-api.turkey",
        region: "Turkey",
        ranges: &["+90"],
        from: None,
        until: Some(Date::new(2024, 5, 15)),
        source:
            "Meta, WhatsApp Cloud API troubleshooting (version of 2024-04-25): messages sent via \
             Cloud API to users with a Turkish country calling code are not delivered; lifted \
             on 2024-05-15 (Meta support page, updated 2025-11-19)",
    },
];

/// One number range of a rule: E.164 digits and how the table wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    digits: String,
    display: String,
}

impl Range {
    /// A range from an international prefix such as `+380 65` (anything but digits is ignored).
    pub fn new(prefix: &str) -> Self {
        let digits: String = prefix.chars().filter(char::is_ascii_digit).collect();
        Range {
            display: format_range(&digits, prefix),
            digits,
        }
    }

    /// The E.164 digit prefix, e.g. `38065`.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The range as written, e.g. `+380 65`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Whether the normalized digits of a number fall in this range.
    pub fn contains(&self, digits: &str) -> bool {
        !self.digits.is_empty() && digits.starts_with(self.digits.as_str())
    }
}

fn format_range(digits: &str, written: &str) -> String {
    let trimmed = written.trim();
    if trimmed.starts_with('+') {
        trimmed.to_owned()
    } else {
        format!("+{digits}")
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// A rule: numbers in these ranges are refused while the rule is in effect.
///
/// A business adds its own restrictions with [`Rule::new`] and
/// [`RecipientRules::with_rule`](super::RecipientRules::with_rule):
///
/// ```
/// use wacloud::layers::recipients::{Date, RecipientRules, Rule};
/// let rules = RecipientRules::default()
///     .with_rule(
///         Rule::new("acme.no-uk-landlines", "United Kingdom landlines", ["+44 1", "+44 2"],
///                   "ACME compliance policy 7.3")
///             .effective_from(Date::new(2025, 1, 1)),
///     )
///     .without_rule("sanctions.cuba");
/// assert!(rules.check("+44 20 7946 0958").is_err());
/// assert!(rules.check("+53 5 123 4567").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    id: String,
    region: String,
    ranges: Vec<Range>,
    from: Option<Date>,
    until: Option<Date>,
    source: String,
}

impl Rule {
    /// A rule in effect at all times. Ranges are international prefixes (`+44 20`, `4420`);
    /// characters other than digits are ignored, and a range without digits matches nothing.
    pub fn new<I, S>(
        id: impl Into<String>,
        region: impl Into<String>,
        ranges: I,
        source: impl Into<String>,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Rule {
            id: id.into(),
            region: region.into(),
            ranges: ranges
                .into_iter()
                .map(|range| Range::new(range.as_ref()))
                .collect(),
            from: None,
            until: None,
            source: source.into(),
        }
    }

    /// The first day the rule applies (inclusive).
    pub fn effective_from(mut self, date: Date) -> Self {
        self.from = Some(date);
        self
    }

    /// The day the rule stops applying (exclusive): a rule lifted on 2024-05-15 has
    /// `effective_until(Date::new(2024, 5, 15))`.
    pub fn effective_until(mut self, date: Date) -> Self {
        self.until = Some(date);
        self
    }

    /// The rule's id, e.g. `sanctions.cuba`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The region it covers.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The number ranges.
    pub fn ranges(&self) -> &[Range] {
        &self.ranges
    }

    /// The first day it applies, if bounded.
    pub fn from(&self) -> Option<Date> {
        self.from
    }

    /// The day it stops applying, if bounded.
    pub fn until(&self) -> Option<Date> {
        self.until
    }

    /// Where it comes from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the rule applies on `date`.
    pub fn in_effect_on(&self, date: Date) -> bool {
        self.from.map_or(true, |from| from <= date) && self.until.map_or(true, |until| date < until)
    }

    /// The effective period in words, e.g. `in effect until 2024-05-15 (exclusive)`.
    pub fn period(&self) -> String {
        match (self.from, self.until) {
            (None, None) => "in effect with no end date".to_owned(),
            (Some(from), None) => format!("in effect from {from}"),
            (None, Some(until)) => format!("in effect until {until} (exclusive)"),
            (Some(from), Some(until)) => {
                format!("in effect from {from} until {until} (exclusive)")
            }
        }
    }

    /// The first range containing the number's digits.
    pub fn matching_range(&self, digits: &str) -> Option<&Range> {
        self.ranges.iter().find(|range| range.contains(digits))
    }
}

/// The built-in table as owned rules.
pub(crate) fn built_in() -> Vec<Rule> {
    BUILT_IN
        .iter()
        .map(|rule| Rule {
            id: rule.id.to_owned(),
            region: rule.region.to_owned(),
            ranges: rule.ranges.iter().map(|range| Range::new(range)).collect(),
            from: rule.from,
            until: rule.until,
            source: rule.source.to_owned(),
        })
        .collect()
}

/// The source text of rules learned from error 130497.
pub(crate) fn learned_source() -> String {
    "learned from Graph API error 130497 (business account is restricted from messaging users \
     in this country) on an earlier send"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_ids_are_unique_and_every_rule_has_ranges_and_a_source() {
        let rules = built_in();
        let mut ids: Vec<&str> = rules.iter().map(Rule::id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), rules.len());
        for rule in &rules {
            assert!(!rule.ranges().is_empty(), "{}", rule.id());
            assert!(rule.ranges().iter().all(|range| !range.digits().is_empty()));
            assert!(!rule.source().is_empty());
        }
    }

    #[test]
    fn periods_are_half_open() {
        let rule = Rule::new("t", "T", ["+90"], "s")
            .effective_from(Date::new(2020, 1, 1))
            .effective_until(Date::new(2024, 5, 15));
        assert!(!rule.in_effect_on(Date::new(2019, 12, 31)));
        assert!(rule.in_effect_on(Date::new(2020, 1, 1)));
        assert!(rule.in_effect_on(Date::new(2024, 5, 14)));
        assert!(!rule.in_effect_on(Date::new(2024, 5, 15)));
    }

    #[test]
    fn ranges_keep_only_digits() {
        let range = Range::new("+380 (65)-");
        assert_eq!(range.digits(), "38065");
        assert!(range.contains("380651234567"));
        assert!(!range.contains("38066"));
        assert!(!Range::new("+").contains("1"));
    }
}
