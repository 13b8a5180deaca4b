//! Any string as a recipient: `RecipientRules::check` with the default rules never panics,
//! and an accepted number is canonical (its own E.164 form checks to the same number).
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wacloud::layers::recipients::RecipientRules;

/// One rule set for the whole run, as a client keeps one: building the table per input would
/// dominate the run time.
static RULES: OnceLock<RecipientRules> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let rules = RULES.get_or_init(RecipientRules::default);
    match rules.check(&input) {
        Ok(number) => {
            let e164 = number.e164();
            assert!(e164.starts_with('+'), "{e164}");
            assert!(number.digits().bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(&e164[1..], number.digits());
            let again = rules
                .check(e164)
                .expect("an accepted number's E.164 is accepted");
            assert_eq!(again.e164(), e164);
        }
        Err(rejected) => {
            assert_eq!(rejected.recipient, input);
            let _ = rejected.to_string();
        }
    }
});
