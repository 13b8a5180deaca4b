//! Whom a message goes to: a phone number, or a business-scoped user id (BSUID).
//!
//! Since April 2026 a WhatsApp user who adopts a username may stop sharing their phone number
//! with businesses; Meta then identifies them by a business-scoped user id, `US.13491208655302741918`
//! (the user's ISO 3166 alpha-2 country, a period, up to 128 letters and digits), or by a
//! parent BSUID shared across a business portfolio, `US.ENT.11815799212886844830`. The send API
//! takes each form: a phone number in `to`, a BSUID or parent BSUID in `recipient` (never in
//! `to`). [`UserRef`] tells the forms apart from the text alone, so a caller can pass whatever a
//! webhook gave them ([`Message::reply_to`](crate::webhooks::Message::reply_to)).
//!
//! The phone form is kept as written: the recipient rules
//! ([`RecipientRules`](crate::layers::recipients::RecipientRules)) check it against the
//! numbering plan before sending, as they always have. A text shaped like a user id (a period
//! and a letter, no leading `+`) must be a well-formed one, or it is a
//! [`ValidationError`] naming `recipient`, and nothing is sent.

use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;

/// The most letters and digits Meta's user ids carry after their prefix.
pub const MAX_USER_ID_LEN: usize = 128;

/// The infix of a parent BSUID (`US.ENT.…`).
const PARENT_INFIX: &str = "ENT.";

/// A user reference in one of the three forms the send API accepts.
///
/// ```
/// use wacloud::messages::UserRef;
/// let phone: UserRef = "+16505551234".parse().unwrap();
/// assert!(phone.is_phone());
/// let user: UserRef = "US.13491208655302741918".parse().unwrap();
/// assert_eq!(user.user_id().unwrap().country(), "US");
/// let parent: UserRef = "US.ENT.11815799212886844830".parse().unwrap();
/// assert!(parent.user_id().unwrap().is_parent());
/// let bad = "us.abc".parse::<UserRef>().unwrap_err();
/// assert_eq!(bad.field, "recipient");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserRef {
    /// A phone number as written: `+` and the country code (`+1 650 555 1234`), or a `wa_id`
    /// (`16505551234`). Sent in `to`.
    Phone(String),
    /// A business-scoped user id or a parent BSUID. Sent in `recipient`.
    UserId(UserId),
}

impl UserRef {
    /// Reads a user reference. An empty text is an error naming `to`; a text shaped like a user
    /// id (it holds a period and a letter and does not start with `+`) must be a valid BSUID
    /// or parent BSUID, or it is an error naming `recipient`; anything else is a phone number,
    /// left for the recipient rules to check.
    pub fn parse(text: &str) -> Result<UserRef, ValidationError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::new("to", "must not be empty"));
        }
        if looks_like_user_id(trimmed) {
            UserId::parse(trimmed).map(UserRef::UserId)
        } else {
            Ok(UserRef::Phone(trimmed.to_owned()))
        }
    }

    /// Whether this is a phone number (sent in `to`).
    pub fn is_phone(&self) -> bool {
        matches!(self, UserRef::Phone(_))
    }

    /// The user id, when this is a BSUID or parent BSUID.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            UserRef::UserId(id) => Some(id),
            UserRef::Phone(_) => None,
        }
    }

    /// The request field this reference goes in: `to` for a phone number, `recipient` for a
    /// user id.
    pub fn field(&self) -> &'static str {
        match self {
            UserRef::Phone(_) => "to",
            UserRef::UserId(_) => "recipient",
        }
    }

    /// The reference as written (trimmed).
    pub fn as_str(&self) -> &str {
        match self {
            UserRef::Phone(text) => text,
            UserRef::UserId(id) => id.as_str(),
        }
    }

    /// One key per user reference, equal for every spelling of it: a phone number's digits
    /// (its `wa_id` form, so `+1 650 555 1234` and `16505551234` match), or the user id. A
    /// user id key always holds a period, a phone key never does, so the two cannot collide.
    /// The rate limits and the retry layer's pair holds key on it.
    pub fn key(&self) -> String {
        match self {
            UserRef::Phone(text) => {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                if digits.is_empty() {
                    text.clone()
                } else {
                    digits
                }
            }
            UserRef::UserId(id) => id.as_str().to_owned(),
        }
    }
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserRef {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        UserRef::parse(text)
    }
}

impl From<UserId> for UserRef {
    fn from(id: UserId) -> Self {
        UserRef::UserId(id)
    }
}

/// So that [`OutgoingMessage::new`](super::OutgoingMessage::new) takes a parsed reference as
/// well as a string.
impl From<UserRef> for String {
    fn from(user: UserRef) -> Self {
        match user {
            UserRef::Phone(text) => text,
            UserRef::UserId(id) => id.text,
        }
    }
}

impl From<&UserRef> for String {
    fn from(user: &UserRef) -> Self {
        user.as_str().to_owned()
    }
}

/// A well-formed business-scoped user id (`US.13491208655302741918`) or parent BSUID
/// (`US.ENT.11815799212886844830`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId {
    text: String,
}

impl UserId {
    /// Reads a BSUID or parent BSUID exactly (no surrounding spaces); errors name `recipient`.
    pub fn parse(text: &str) -> Result<UserId, ValidationError> {
        let invalid = |problem: String| ValidationError::new("recipient", problem);
        let Some((country, rest)) = text.split_once('.') else {
            return Err(invalid(format!(
                "{text:?} is not a user id: {FORMAT} (e.g. US.13491208655302741918)"
            )));
        };
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(format!(
                "the country code {country:?} of {text:?} must be two capital letters (ISO 3166 \
                 alpha-2, e.g. US); {FORMAT}"
            )));
        }
        let id = rest.strip_prefix(PARENT_INFIX).unwrap_or(rest);
        if id.is_empty() {
            return Err(invalid(format!(
                "{text:?} has nothing after its prefix; {FORMAT}"
            )));
        }
        if let Some(bad) = id.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(invalid(format!(
                "{text:?} contains {bad:?} after its prefix; {FORMAT}"
            )));
        }
        if id.len() > MAX_USER_ID_LEN {
            return Err(invalid(format!(
                "{text:?} has {} characters after its prefix; {FORMAT}",
                id.len()
            )));
        }
        Ok(UserId {
            text: text.to_owned(),
        })
    }

    /// The id as Meta wrote it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The user's country: the ISO 3166 alpha-2 code before the first period (`US`).
    pub fn country(&self) -> &str {
        &self.text[..2]
    }

    /// Whether this is a parent BSUID (`CC.ENT.…`), shared by the businesses of a portfolio.
    pub fn is_parent(&self) -> bool {
        self.text[3..].starts_with(PARENT_INFIX) && self.text.len() > 3 + PARENT_INFIX.len()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for UserId {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        UserId::parse(text)
    }
}

impl AsRef<str> for UserId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// The format, for error messages.
const FORMAT: &str = "a user id is a two-letter country code, a period and 1 to 128 letters or \
                      digits (a parent id puts ENT. after the period)";

/// Whether `text` is meant as a user id rather than a phone number: phone numbers never hold a
/// letter (so `+1 650 CALL NOW` stays a phone number, refused as such by the recipient rules),
/// and one written with `+` is a phone number whatever else it holds.
pub(crate) fn looks_like_user_id(text: &str) -> bool {
    !text.starts_with('+') && text.contains('.') && text.bytes().any(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms() {
        let phone = UserRef::parse(" +1 650 555 1234 ").unwrap();
        assert_eq!(phone, UserRef::Phone("+1 650 555 1234".into()));
        assert_eq!(phone.field(), "to");
        assert_eq!(phone.key(), "16505551234");
        assert_eq!(UserRef::parse("16505551234").unwrap().key(), "16505551234");

        let user = UserRef::parse("US.13491208655302741918").unwrap();
        assert_eq!(user.field(), "recipient");
        assert_eq!(user.key(), "US.13491208655302741918");
        let id = user.user_id().unwrap();
        assert_eq!((id.country(), id.is_parent()), ("US", false));

        let parent = UserRef::parse("US.ENT.11815799212886844830").unwrap();
        let id = parent.user_id().unwrap();
        assert_eq!((id.country(), id.is_parent()), ("US", true));
        // `ENT` alone is an id like any other.
        assert!(!UserId::parse("US.ENT").unwrap().is_parent());
        // Letters in the id are allowed (Meta says alphanumerics).
        assert!(UserId::parse("BR.abcXYZ09").is_ok());
    }

    #[test]
    fn malformed_ids_name_recipient() {
        let long = format!("US.{}", "1".repeat(MAX_USER_ID_LEN + 1));
        let long_parent = format!("US.ENT.{}", "1".repeat(MAX_USER_ID_LEN + 1));
        for bad in [
            "US.",
            "us.abc",
            "U1.abc",
            "12.abc",
            "USA.123",
            "U.123",
            "US.ENT.",
            "US.12-34",
            "US.12.34",
            "US.ENT.1.2",
            "US.ab c",
            "US.١٢",
            long.as_str(),
            long_parent.as_str(),
        ] {
            let error = UserRef::parse(bad).unwrap_err();
            assert_eq!(error.field, "recipient", "{bad}");
        }
        let at_limit = format!("US.{}", "1".repeat(MAX_USER_ID_LEN));
        assert!(UserRef::parse(&at_limit).is_ok());
        let parent_at_limit = format!("US.ENT.{}", "a".repeat(MAX_USER_ID_LEN));
        assert!(UserRef::parse(&parent_at_limit).is_ok());
    }

    #[test]
    fn phone_shaped_text_stays_a_phone_number() {
        // These are not user ids: the recipient rules refuse the invalid ones, as before.
        for phone in [
            "+1.650.555.1234",
            "1.650.555.1234",
            "abc",
            "+1 650 CALL NOW",
            "+US.123",
        ] {
            assert!(UserRef::parse(phone).unwrap().is_phone(), "{phone}");
        }
        assert_eq!(UserRef::parse("  ").unwrap_err().field, "to");
    }
}
