//! What the phone number calls take: how to receive a verification code, the two-step PIN and
//! the registration's data localization region, each checked where it is set.
//!
//! A number's state (quality, throughput, messaging limit, name status) is
//! [`PhoneNumberState`](crate::calls::status::PhoneNumberState), shared with
//! [`Client::number_state`](crate::Client::number_state).

use crate::error::ValidationError;

/// How Meta delivers a verification code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeMethod {
    /// By text message.
    Sms,
    /// By a voice call.
    Voice,
}

impl CodeMethod {
    /// The value of `code_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeMethod::Sms => "SMS",
            CodeMethod::Voice => "VOICE",
        }
    }
}

/// Checks a six-digit two-step verification PIN (also the registration PIN).
pub fn check_pin(field: &str, pin: &str) -> Result<(), ValidationError> {
    if pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new(field, "must be exactly 6 digits"))
    }
}

/// Checks a verification code as Meta sends it (digits, possibly written `123-456`); answers
/// the digits.
pub fn check_code(code: &str) -> Result<String, ValidationError> {
    let digits: String = code.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if (4..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(ValidationError::new(
            "code",
            "must be the digits of the verification code Meta sent",
        ))
    }
}

/// Checks a data localization region: an ISO 3166 alpha-2 country code such as `DE`.
pub fn check_region(region: &str) -> Result<(), ValidationError> {
    if region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(ValidationError::new(
            "data_localization_region",
            "must be a two-letter country code in capitals, e.g. DE",
        ))
    }
}

/// Checks a language code for the verification message (e.g. `en_US`).
pub fn check_language(language: &str) -> Result<(), ValidationError> {
    let ok = !language.is_empty()
        && language.len() <= 10
        && language
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            "language",
            "must be a language code such as en_US",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_codes_and_regions() {
        assert!(check_pin("pin", "123456").is_ok());
        for bad in ["12345", "1234567", "12a456", ""] {
            assert_eq!(check_pin("pin", bad).unwrap_err().field, "pin");
        }
        assert_eq!(check_code("123-456").unwrap(), "123456");
        assert!(check_code("12x456").is_err());
        assert!(check_region("DE").is_ok());
        assert!(check_region("de").is_err());
        assert!(check_language("en_US").is_ok());
        assert!(check_language("en/US").is_err());
    }
}
