//! Secrets that must never reach a log.

use std::fmt;

/// A Graph API access token. `Debug` and `Display` print `[redacted]`; only
/// [`AccessToken::expose`] gives the value, and the crate calls it in exactly one place: when it
/// writes the `Authorization` header.
///
/// ```
/// let token = wacloud::AccessToken::new("EAAG-secret");
/// assert_eq!(format!("{token:?}"), "AccessToken([redacted])");
/// assert_eq!(token.to_string(), "[redacted]");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token. Surrounding whitespace (a newline from an env file, say) is removed:
    /// it would make the `Authorization` header invalid.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.len() == token.len() {
            AccessToken(token)
        } else {
            AccessToken(trimmed.to_owned())
        }
    }

    /// The token's value. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `Authorization` header value, marked sensitive so that HTTP tooling hides it too.
    pub(crate) fn bearer_header(&self) -> http::HeaderValue {
        self.header_with_scheme("Bearer")
    }

    /// The `Authorization` header value with another scheme: Meta's resumable upload API
    /// documents `OAuth` for the upload itself.
    pub(crate) fn header_with_scheme(&self, scheme: &str) -> http::HeaderValue {
        let mut value = http::HeaderValue::try_from(format!("{scheme} {}", self.0))
            .unwrap_or_else(|_| http::HeaderValue::from_static("Bearer invalid-token"));
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        AccessToken::new(token)
    }
}

impl From<&str> for AccessToken {
    fn from(token: &str) -> Self {
        AccessToken::new(token)
    }
}

#[cfg(test)]
mod tests {
    use super::AccessToken;

    #[test]
    fn whitespace_around_a_token_is_removed() {
        assert_eq!(AccessToken::from("  EAAG-abc\n").expose(), "EAAG-abc");
        assert_eq!(AccessToken::new(String::from("EAAG")).expose(), "EAAG");
    }
}
