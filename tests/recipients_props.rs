//! Property tests of the recipient rule table: restricted prefixes are always refused by their
//! rule, numbers beside them never are, and `check` never panics.

use proptest::prelude::*;
use wacloud::error::RejectReason;
use wacloud::layers::recipients::{Date, RecipientRules};

/// Every restricted prefix of the built-in table and the rule that must refuse it.
const RESTRICTED: &[(&str, &str)] = &[
    ("53", "sanctions.cuba"),
    ("98", "sanctions.iran"),
    ("850", "sanctions.north-korea"),
    ("963", "sanctions.syria"),
    ("38065", "sanctions.crimea"),
    ("38069", "sanctions.sevastopol"),
    ("380692", "sanctions.sevastopol"),
    ("38062", "sanctions.donetsk"),
    ("38064", "sanctions.luhansk"),
    ("7978", "sanctions.crimea-russian-ranges"),
    ("7365", "sanctions.crimea-russian-ranges"),
    ("7869", "sanctions.crimea-russian-ranges"),
];

/// Prefixes beside the restricted ones that must never be refused by a rule (today).
const SAFE: &[&str] = &[
    "1", "44", "49", "33", "39", "34", "31", "32", "41", "43", "45", "46", "47", "48", "351",
    "353", "358", "420", "36", "40", "30", "90", "91", "92", "880", "86", "81", "82", "852", "886",
    "65", "60", "62", "63", "66", "84", "61", "64", "55", "52", "54", "56", "57", "51", "58", "27",
    "234", "254", "20", "212", "971", "966", "972", "974", "994", "995", "374", "375", "373",
    "998", "996", "992", "993", "77", "7495", "7499", "7812", "7843", "7861", "7862", "7863",
    "7391", "7343", "7383", "7900", "7903", "7916", "7926", "7977", "7979", "7988", "38044",
    "38057", "38048", "38061", "38055", "38032", "38050", "38063", "38066", "38067", "38068",
    "38073", "38091", "38093", "38095", "38096", "38097", "38098", "38099", "38052", "38056",
    "38053", "38054",
];

/// `digits` written the way a caller might: with `+` and spaces, or as a bare wa_id.
fn written(digits: &str, style: u8) -> String {
    match style % 4 {
        0 => format!("+{digits}"),
        1 => digits.to_owned(),
        2 => {
            let (head, tail) = digits.split_at(digits.len().min(3));
            format!("+{head} {tail}")
        }
        _ => {
            let (head, tail) = digits.split_at(digits.len().min(4));
            format!("+{head}-({tail})")
        }
    }
}

/// A prefix followed by random digits, to a total length between 8 and 15.
fn extended(prefixes: &'static [&'static str]) -> impl Strategy<Value = (String, String)> {
    (
        0..prefixes.len(),
        8usize..=15,
        proptest::collection::vec(0u8..10, 15),
    )
        .prop_map(move |(index, total, digits)| {
            let prefix = prefixes[index];
            let mut number = prefix.to_owned();
            for digit in digits.iter().take(total.saturating_sub(prefix.len())) {
                number.push(char::from(b'0' + digit));
            }
            (prefix.to_owned(), number)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn restricted_prefixes_are_refused_by_their_rule(
        index in 0..RESTRICTED.len(),
        total in 8usize..=15,
        tail in proptest::collection::vec(0u8..10, 15),
        style in any::<u8>(),
    ) {
        let (prefix, rule_id) = RESTRICTED[index];
        let mut digits = prefix.to_owned();
        for digit in tail.iter().take(total.saturating_sub(prefix.len())) {
            digits.push(char::from(b'0' + digit));
        }
        let number = written(&digits, style);
        let rejected = RecipientRules::default().check(&number);
        match rejected.map_err(|error| error.reason) {
            Err(RejectReason::Rule { rule, .. }) => prop_assert_eq!(rule, rule_id, "{}", number),
            other => prop_assert!(false, "{} was not refused by {}: {:?}", number, rule_id, other),
        }
    }

    #[test]
    fn turkey_is_refused_as_of_april_2024((_, digits) in extended(&["90"]), style in any::<u8>()) {
        let number = written(&digits, style);
        let then = RecipientRules::as_of(Date::new(2024, 4, 25)).check(&number);
        let refused_by_turkey_rule = matches!(
            then.map_err(|error| error.reason),
            Err(RejectReason::Rule { ref rule, .. }) if rule == "cloud-api.turkey"
        );
        prop_assert!(refused_by_turkey_rule, "{}", number);
    }

    #[test]
    fn safe_prefixes_are_never_refused_by_a_rule((prefix, digits) in extended(SAFE), style in any::<u8>()) {
        let number = written(&digits, style);
        // Random digits may well be invalid numbers; what must never happen is a rule match.
        let result = RecipientRules::default().check(&number).map_err(|error| error.reason);
        prop_assert!(
            !matches!(result, Err(RejectReason::Rule { .. })),
            "{} (prefix {}) refused by a rule: {:?}", number, prefix, result
        );
    }

    #[test]
    fn a_wa_id_and_its_international_form_get_the_same_answer((_, digits) in extended(SAFE)) {
        let rules = RecipientRules::default();
        let as_wa_id = rules.check(&digits).map(|number| number.e164().to_owned()).map_err(|e| e.reason);
        let as_e164 = rules.check(&format!("+{digits}")).map(|number| number.e164().to_owned()).map_err(|e| e.reason);
        prop_assert_eq!(as_wa_id, as_e164);
    }

    #[test]
    fn check_never_panics_on_arbitrary_strings(input in any::<String>()) {
        let result = RecipientRules::default().check(&input);
        if let Err(rejected) = result {
            prop_assert_eq!(rejected.recipient, input);
        }
    }

    #[test]
    fn check_never_panics_on_number_like_strings(input in "[+0-9 ()\\-.]{0,40}") {
        let rules = RecipientRules::as_of(Date::new(2024, 4, 25)).learn_from_130497(true);
        rules.learn_country_code(44);
        let _ = rules.check(&input);
    }

    #[test]
    fn accepted_numbers_are_plausible_e164(input in "\\+?[1-9][0-9]{6,14}") {
        if let Ok(number) = RecipientRules::default().check(&input) {
            let digits = number.digits();
            prop_assert!((7..=15).contains(&digits.len()));
            prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(number.e164(), format!("+{}", input.trim_start_matches('+')));
            prop_assert!(digits.starts_with(&number.country_code().to_string()));
        }
    }
}

#[test]
fn known_valid_numbers_beside_each_range_pass() {
    let rules = RecipientRules::default();
    for number in [
        "+380 44 123 4567",
        "+380 57 123 4567",
        "+380 48 123 4567",
        "+380 50 123 4567",
        "+7 495 123 4567",
        "+7 916 123 4567",
        "+7 812 315 1234",
        "+90 532 123 4567",
        "+1 650 555 1234",
    ] {
        let checked = rules.check(number);
        assert!(checked.is_ok(), "{number}: {checked:?}");
    }
}

#[test]
fn the_parser_bug_is_worked_around_for_leading_eight_numbers() {
    // phonenumber 0.3.10 (issue #76) mangles +7 8.. numbers; St Petersburg must still pass,
    // and the answer says the parser disagreed.
    let spb = RecipientRules::default()
        .check("+7 812 315 1234")
        .expect("a real number");
    assert_eq!(spb.country_code(), 7);
    assert_eq!(spb.national(), "8123151234");
    // Sevastopol's +7 869 is refused by its rule, not as invalid.
    let sevastopol = RecipientRules::default()
        .check("+7 869 212 3456")
        .unwrap_err();
    assert!(
        matches!(sevastopol.reason, RejectReason::Rule { ref rule, .. } if rule == "sanctions.crimea-russian-ranges")
    );
    // Without the rule it is accepted despite the parser.
    let unruled = RecipientRules::default().without_rule("sanctions.crimea-russian-ranges");
    assert!(unruled.check("+7 869 212 3456").is_ok());
}
