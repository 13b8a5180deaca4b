//! The cheap validation path (`layers/recipients/fast.rs`) against the full `phonenumber`
//! check: `RecipientRules::check` and its `check_full_parse` reference must give the same
//! verdict (the same accepted number, or the same typed refusal) on every input.
//!
//! Inputs: every example number of libphonenumber's metadata (valid numbers of every region and
//! type, then each mutated), and over 100,000 generated numbers weighted towards what the rules
//! and the parser treat specially: sanctioned codes, +380 regional ranges, +7 (Crimean ranges,
//! the leading-8 bug), +1 area codes and national-prefix digits, Italian leading zeros,
//! non-geographic codes, and random lengths.

use phonenumber::metadata::DATABASE;
use proptest::prelude::*;
use wacloud::layers::recipients::RecipientRules;

/// Both paths on one input, with the built-in rules and without rules (so that numbers the
/// rules refuse also reach validation).
fn assert_same(number: &str) {
    static RULES: std::sync::LazyLock<[RecipientRules; 2]> =
        std::sync::LazyLock::new(|| [RecipientRules::default(), RecipientRules::empty()]);
    for rules in RULES.iter() {
        let fast = format!("{:?}", rules.check(number));
        let full = format!("{:?}", rules.check_full_parse(number));
        assert_eq!(fast, full, "{number:?}");
        // A second check may be answered by the validation cache: still the same.
        assert_eq!(format!("{:?}", rules.check(number)), full, "{number:?}");
    }
}

/// Every example number in the metadata, in E.164 digits.
fn examples() -> Vec<String> {
    let mut numbers = Vec::new();
    for meta in DATABASE.iter() {
        let d = meta.descriptors();
        let descriptors = [
            Some(d.general()),
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        for example in descriptors
            .into_iter()
            .flatten()
            .filter_map(|d| d.example())
        {
            numbers.push(format!("{}{example}", meta.country_code()));
        }
    }
    numbers
}

#[test]
fn every_metadata_example_and_its_neighbours_get_the_same_verdict() {
    let examples = examples();
    assert!(examples.len() > 1_000, "{}", examples.len());
    let mut accepted = 0;
    for digits in &examples {
        if RecipientRules::empty().check(digits).is_ok() {
            accepted += 1;
        }
        assert_same(digits);
        assert_same(&format!("+{digits}"));
        // Neighbours: one digit longer or shorter, and the last digit changed.
        assert_same(&format!("{digits}5"));
        assert_same(&digits[..digits.len() - 1]);
        let mut changed = digits[..digits.len() - 1].to_owned();
        changed.push(if digits.ends_with('9') { '0' } else { '9' });
        assert_same(&changed);
    }
    // The examples are valid numbers: most must be accepted, or the test compares refusals only.
    assert!(
        accepted * 10 > examples.len() * 9,
        "{accepted}/{}",
        examples.len()
    );
}

/// Prefixes the rules or the parser treat specially.
const PREFIXES: &[&str] = &[
    "53", "98", "850", "963", "90", "380", "38062", "38064", "38065", "38069", "380692", "38044",
    "38050", "7", "78", "7978", "7365", "7869", "7812", "7495", "79", "77", "76", "375", "3758",
    "37529", "1", "11", "1650", "1212", "1800", "1900", "1242", "1787", "1876", "1403", "1416",
    "44", "4407", "447", "49", "39", "390", "393", "379", "3906698", "33", "34", "86", "91", "55",
    "52", "521", "54", "549", "62", "81", "82", "61", "64", "234", "20", "971", "966", "800",
    "808", "870", "878", "881", "882", "883", "888", "979", "262", "590", "599", "47", "358",
    "212", "672", "6721", "995", "998",
];

/// One generated input: a weighted prefix, an example number with digits changed, or random
/// digits; with a random total length (including too short and too long).
fn generated() -> impl Strategy<Value = String> {
    let examples = examples();
    let tail = proptest::collection::vec(0u8..10, 17);
    prop_oneof![
        4 => (0..PREFIXES.len(), 5usize..=16, tail.clone()).prop_map(|(index, total, tail)| {
            let mut number = PREFIXES[index].to_owned();
            for digit in tail.iter().take(total.saturating_sub(number.len())) {
                number.push(char::from(b'0' + digit));
            }
            number
        }),
        4 => (0..examples.len(), 0usize..4, tail.clone(), -1i8..=1).prop_map(
            move |(index, changes, tail, length)| {
                let mut number = examples[index].clone().into_bytes();
                for (i, digit) in tail.iter().take(changes).enumerate() {
                    // Change digits after the calling code (at most 3 digits).
                    let at = 3 + (usize::from(*digit) * 7 + i * 3) % number.len().saturating_sub(3).max(1);
                    if at < number.len() {
                        number[at] = b'0' + tail[16 - i];
                    }
                }
                match length {
                    -1 => {
                        number.pop();
                    }
                    1 => number.push(b'0' + tail[9]),
                    _ => {}
                }
                String::from_utf8(number).expect("digits")
            },
        ),
        2 => (1u8..10, 6usize..=16, tail).prop_map(|(first, total, tail)| {
            let mut number = char::from(b'0' + first).to_string();
            for digit in tail.iter().take(total - 1) {
                number.push(char::from(b'0' + digit));
            }
            number
        }),
    ]
}

proptest! {
    // 100,000 generated numbers, each checked with and without the built-in rules.
    #![proptest_config(ProptestConfig {
        cases: 100_000,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_numbers_get_the_same_verdict_on_both_paths(number in generated(), plus in any::<bool>()) {
        let number = if plus { format!("+{number}") } else { number };
        assert_same(&number);
    }
}
