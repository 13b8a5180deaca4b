//! The user-reference parser reads untrusted text (CSV rows, webhook fields, command lines):
//! it never panics, every valid BSUID and parent BSUID round-trips exactly and is sent in
//! `recipient`, and whatever it refuses is an error naming `to` or `recipient`.

use proptest::prelude::*;
use wacloud::messages::{OutgoingMessage, Text, UserRef, MAX_USER_ID_LEN};

/// A valid BSUID (`CC.` + 1..=128 alphanumerics) or parent BSUID (`CC.ENT.` + ...).
fn valid_user_id() -> impl Strategy<Value = String> {
    (
        "[A-Z]{2}",
        any::<bool>(),
        proptest::string::string_regex(&format!("[A-Za-z0-9]{{1,{MAX_USER_ID_LEN}}}")).unwrap(),
    )
        .prop_map(|(country, parent, id)| {
            if parent {
                format!("{country}.ENT.{id}")
            } else {
                format!("{country}.{id}")
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        match UserRef::parse(&text) {
            Ok(user) => {
                // Whatever was accepted reads back the same, and keys without panicking.
                prop_assert_eq!(user.as_str(), text.trim());
                let _ = user.key();
                prop_assert_eq!(UserRef::parse(user.as_str()), Ok(user.clone()));
            }
            Err(error) => prop_assert!(error.field == "to" || error.field == "recipient"),
        }
    }

    #[test]
    fn parsing_id_shaped_noise_never_panics(text in "[A-Za-z0-9.+ _-]{0,140}") {
        if let Err(error) = UserRef::parse(&text) {
            prop_assert!(error.field == "to" || error.field == "recipient");
        }
    }

    #[test]
    fn valid_user_ids_round_trip(id in valid_user_id()) {
        let user = UserRef::parse(&id).expect("a valid id");
        prop_assert_eq!(user.to_string(), id.clone());
        prop_assert_eq!(user.field(), "recipient");
        prop_assert_eq!(user.key(), id.clone());
        let user_id = user.user_id().expect("a user id");
        prop_assert_eq!(user_id.country(), &id[..2]);
        prop_assert_eq!(user_id.is_parent(), id[3..].starts_with("ENT."));
        let body = serde_json::to_value(OutgoingMessage::new(user, Text::new("hi"))).unwrap();
        prop_assert_eq!(body["recipient"].as_str(), Some(id.as_str()));
        prop_assert!(body.get("to").is_none());
    }

    #[test]
    fn an_id_past_128_characters_is_refused(country in "[A-Z]{2}", extra in 1usize..64) {
        let id = format!("{country}.{}", "7".repeat(MAX_USER_ID_LEN + extra));
        let error = UserRef::parse(&id).unwrap_err();
        prop_assert_eq!(error.field, "recipient");
    }
}
