//! Normalizing a recipient to E.164 digits and validating it.
//!
//! Meta's `to` is `+` and the country calling code (without `+`, Meta would prepend the
//! business number's own country code); a `wa_id` from a webhook is the same digits without the
//! `+`. Both normalize to the same digits here, and the rule table decides on those digits.
//!
//! **Parser caveat.** Validity comes from the `phonenumber` crate (libphonenumber metadata), but
//! phonenumber 0.3.10 drops a leading 8 from the national part of +7 and +375 numbers even in
//! international format (whisperfish/rust-phonenumber issue #76, open), so real numbers such as
//! St Petersburg `+7 812 …` or Sevastopol `+7 869 …` come out "invalid". Two consequences:
//! range rules never depend on the parser (they match the normalized digits, and run before
//! validation, so `+7 869 …` is refused by its rule, not as invalid), and a +7 or +375 number
//! whose national part starts with 8 and has that country's national length is accepted even
//! when the parser calls it invalid.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The shortest international number accepted, country calling code included (Niue and
/// Saint Helena have 4-digit national numbers behind a 3-digit code).
const MIN_DIGITS: usize = 7;
/// E.164's maximum length.
const MAX_DIGITS: usize = 15;

/// A recipient in E.164 form, as the rules checked it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NormalizedNumber {
    e164: String,
    country_code: u16,
    parser_disagreed: bool,
}

impl NormalizedNumber {
    /// The number as `+` and digits, e.g. `+16505551234`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// The digits without `+` (the `wa_id` form).
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    /// The country calling code, e.g. 1 or 380.
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// The national part (digits after the country calling code).
    pub fn national(&self) -> &str {
        &self.digits()[country_code_len(self.country_code)..]
    }

    /// True when the `phonenumber` parser called the number invalid and it was accepted anyway
    /// because of the known +7/+375 leading-8 bug (see the module docs).
    pub fn parser_disagreed(&self) -> bool {
        self.parser_disagreed
    }
}

impl fmt::Display for NormalizedNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

fn country_code_len(code: u16) -> usize {
    match code {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

/// Strips `+`, spaces, dashes, dots and parentheses; anything else makes the number invalid.
pub(crate) fn normalize(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("the number is empty".to_owned());
    }
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut digits = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            other => {
                return Err(format!(
                    "it contains {other:?}; a number is `+`, the country calling code and \
                     digits (spaces, dashes, dots and parentheses allowed)"
                ))
            }
        }
    }
    if digits.is_empty() {
        return Err("it has no digits".to_owned());
    }
    if digits.starts_with('0') {
        return Err(
            "it starts with 0: write `+` and the country calling code, not a national \
                    or international dialling prefix"
                .to_owned(),
        );
    }
    if digits.len() < MIN_DIGITS {
        return Err(format!(
            "too short: {} digits, an international number has at least {MIN_DIGITS} with its \
             country calling code",
            digits.len()
        ));
    }
    if digits.len() > MAX_DIGITS {
        return Err(format!(
            "too long: {} digits, E.164 allows at most {MAX_DIGITS}",
            digits.len()
        ));
    }
    Ok(digits)
}

/// The country calling code the digits start with, if libphonenumber knows it (calling codes
/// are prefix-free, so the first match is the only one).
pub(crate) fn country_code(digits: &str) -> Option<u16> {
    super::fast::country_code(digits)
}

/// The country calling code of an ISO 3166 alpha-2 region (`IR` -> 98), if libphonenumber
/// knows the region.
pub(crate) fn calling_code_of_region(region: &str) -> Option<u16> {
    phonenumber::metadata::DATABASE
        .by_id(region)
        .map(|metadata| metadata.country_code())
}

/// Validates normalized digits: with the cheap path of [`super::fast`] where it can decide,
/// with the `phonenumber` parser otherwise; either way working around its +7/+375 leading-8
/// bug.
pub(crate) fn validate(digits: String) -> Result<NormalizedNumber, String> {
    validate_with(digits, |code, national, e164| {
        super::fast::parser_valid(code, national).unwrap_or_else(|| parser_valid(code, e164))
    })
}

/// [`validate`] with the `phonenumber` parser on every number: the reference the cheap path
/// is tested against.
pub(crate) fn validate_full(digits: String) -> Result<NormalizedNumber, String> {
    validate_with(digits, |code, _, e164| parser_valid(code, e164))
}

/// `phonenumber`'s verdict: the number parses to this calling code and is valid.
fn parser_valid(code: u16, e164: &str) -> bool {
    phonenumber::parse(None, e164)
        .map(|parsed| parsed.code().value() == code && phonenumber::is_valid(&parsed))
        .unwrap_or(false)
}

fn validate_with(
    digits: String,
    parser_valid: impl FnOnce(u16, &str, &str) -> bool,
) -> Result<NormalizedNumber, String> {
    let Some(code) = country_code(&digits) else {
        return Err(format!(
            "+{} is not a known country calling code",
            &digits[..digits.len().min(3)]
        ));
    };
    let e164 = format!("+{digits}");
    let national = &digits[country_code_len(code)..];
    let parser_valid = parser_valid(code, national, &e164);
    let parser_disagreed = !parser_valid && leading_eight_bug_applies(code, national);
    if !parser_valid && !parser_disagreed {
        return Err(format!(
            "not a valid number for country calling code +{code} (libphonenumber metadata)"
        ));
    }
    Ok(NormalizedNumber {
        e164,
        country_code: code,
        parser_disagreed,
    })
}

/// How many accepted numbers a [`ValidatedCache`] keeps before it starts over.
const VALIDATED_CAPACITY: usize = 4_096;

/// Numbers [`validate`] accepted, by digits. The `phonenumber` parse and validity check cost
/// several microseconds per number (pattern matching against libphonenumber metadata, through
/// a regex cache keyed by pattern text), the largest part of the SDK's per-send overhead in
/// `benches/send.rs`; the verdict depends on the digits alone, so a repeat recipient (a
/// conversation, a retry) skips it. Bounded: when full it is cleared, so memory stays small
/// for bulk sends to distinct numbers (which pay the full check, as before). Only the
/// validation is cached: the rules (dated, and learned from 130497) are checked every time.
#[derive(Debug, Default)]
pub(crate) struct ValidatedCache(Mutex<HashMap<String, NormalizedNumber>>);

impl ValidatedCache {
    /// [`validate`], answered from the cache when these digits were accepted before.
    pub(crate) fn validate(&self, digits: String) -> Result<NormalizedNumber, String> {
        if let Some(number) = self.lock().get(&digits) {
            return Ok(number.clone());
        }
        let number = validate(digits)?;
        let mut cache = self.lock();
        if cache.len() >= VALIDATED_CAPACITY {
            cache.clear();
        }
        cache.insert(number.digits().to_owned(), number.clone());
        Ok(number)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, NormalizedNumber>> {
        // The map is consistent after any panic (inserts are single calls): keep using it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// Whether the parser's verdict cannot be trusted: a +7 or +375 national number starting with 8
/// with a plausible national length (10 digits in Russia and Kazakhstan, 9 or 10 in Belarus).
fn leading_eight_bug_applies(code: u16, national: &str) -> bool {
    if !national.starts_with('8') {
        return false;
    }
    match code {
        7 => national.len() == 10,
        375 => (9..=10).contains(&national.len()),
        _ => false,
    }
}

/// Loads libphonenumber's metadata now rather than on the first send. Decoding the database
/// and compiling its first patterns takes a noticeable moment (about a second in a debug
/// build), which would otherwise land inside the first call's latency and its deadline.
pub(crate) fn warm_up() {
    let _ = &*phonenumber::metadata::DATABASE;
    let _ = phonenumber::parse(None, "+16505551234").map(|number| phonenumber::is_valid(&number));
    // And the cheap path's patterns for the busiest calling code.
    let _ = validate("16505551234".to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(number: &str) -> Result<NormalizedNumber, String> {
        validate(normalize(number)?)
    }

    #[test]
    fn the_validated_cache_answers_as_validate_does_and_stays_bounded() {
        let cache = ValidatedCache::default();
        let mut accepted = std::collections::BTreeSet::new();
        for number in [
            "+16505551234",
            "+1 650 555 1234",
            "+7 812 315 1234",
            "+44 7700 900123",
            "+1 650 555 12",
            "+999 1234 5678",
        ] {
            let digits = normalize(number).unwrap();
            if validate(digits.clone()).is_ok() {
                accepted.insert(digits.clone());
            }
            // Twice: the second answer may come from the cache.
            for _ in 0..2 {
                assert_eq!(
                    cache.validate(digits.clone()),
                    validate(digits.clone()),
                    "{number}"
                );
            }
        }
        // Two formats of one number share an entry; refusals are not cached.
        assert!(accepted.len() >= 2, "{accepted:?}");
        assert_eq!(cache.len(), accepted.len());
        for n in 0..(VALIDATED_CAPACITY as u64 + 10) {
            let digits = format!("1650{:07}", 2_000_000 + n);
            assert_eq!(cache.validate(digits.clone()), validate(digits));
        }
        assert!(cache.len() <= VALIDATED_CAPACITY);
    }

    #[test]
    fn formats_and_wa_ids_normalize_alike() {
        let a = check("+1 (650) 555-1234").unwrap();
        let b = check("16505551234").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.e164(), "+16505551234");
        assert_eq!(a.country_code(), 1);
        assert_eq!(a.national(), "6505551234");
    }

    #[test]
    fn leading_eight_numbers_the_parser_mangles_are_accepted() {
        let spb = check("+7 812 315 1234").unwrap();
        assert_eq!(spb.country_code(), 7);
        assert!(
            spb.parser_disagreed(),
            "phonenumber issue #76 seems fixed: revisit the caveat"
        );
        let moscow = check("+7 495 123 4567").unwrap();
        assert!(!moscow.parser_disagreed());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "   ",
            "+",
            "abc",
            "+1650555123x",
            "+12345",
            "+1234567890123456",
            "+999 123 456 789",
            "++16505551234",
            "0044 20 7946 0958",
        ] {
            assert!(check(bad).is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn regions_map_to_their_calling_codes() {
        assert_eq!(calling_code_of_region("IR"), Some(98));
        assert_eq!(calling_code_of_region("US"), Some(1));
        assert_eq!(calling_code_of_region("CA"), Some(1));
        assert_eq!(calling_code_of_region("KP"), Some(850));
        assert_eq!(calling_code_of_region("ZZ"), None);
    }

    #[test]
    fn country_codes_of_each_length() {
        assert_eq!(country_code("16505551234"), Some(1));
        assert_eq!(country_code("447946095800"), Some(44));
        assert_eq!(country_code("380441234567"), Some(380));
        assert_eq!(country_code("999123456789"), None);
    }
}
