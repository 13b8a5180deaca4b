//! The Graph API error body, parsed leniently.
//!
//! Meta's answer to a failed call is `{"error": {...}}`. Every field is optional here: a proxy, a
//! new API version or a partial outage must never turn an error into a parse failure, and a code
//! we have not catalogued stays a plain number.

use serde::{Deserialize, Serialize};

use super::catalogue::{self, CatalogueEntry, RetryClass};

/// The `error` object of a Graph API error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct GraphError {
    /// Meta's message, e.g. `"(#131030) Recipient phone number not in allowed list"`.
    #[serde(default)]
    pub message: String,
    /// The Graph error type, e.g. `OAuthException`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The numeric code: the field to build handling on (Meta's advice).
    #[serde(default)]
    pub code: i64,
    /// The subcode (documented as gone since v16.0, still seen, e.g. 190/463).
    #[serde(
        rename = "error_subcode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub subcode: Option<i64>,
    /// `error_data`: the WhatsApp-specific details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    /// Generic Graph flag; Meta sets it on some outage answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    /// A short title meant for end users, when Meta sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// A message meant for end users, when Meta sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// Meta's trace id: quote it in a support ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
}

/// `error.error_data` of a Graph error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct ErrorData {
    /// Always `whatsapp` for Cloud API errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    /// The precise reason: often the most useful text of the whole error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

impl GraphError {
    /// Parses a Graph error answer (`{"error": {...}}`). `None` when the bytes are not one.
    ///
    /// ```
    /// let body = br#"{"error":{"message":"(#2) Service temporarily unavailable","code":2}}"#;
    /// let err = wacloud::GraphError::from_body(body).unwrap();
    /// assert_eq!(err.code, 2);
    /// ```
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        // A cheap pre-check keeps large success bodies from a second full parse.
        if !contains(body, b"\"error\"") {
            return None;
        }
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|envelope| envelope.error)
    }

    /// The catalogue entry of this code, when the code is documented.
    pub fn entry(&self) -> Option<&'static CatalogueEntry> {
        catalogue::lookup(self.code)
    }

    /// How a retry should treat this error (unknown codes: [`RetryClass::Never`], unless Meta
    /// flags the error as transient).
    pub fn retry_class(&self) -> RetryClass {
        match self.entry() {
            Some(entry) => entry.retry,
            None if self.is_transient == Some(true) => RetryClass::Transient,
            None => RetryClass::Never,
        }
    }

    /// `error_data.details`, when present.
    pub fn details(&self) -> Option<&str> {
        self.error_data.as_ref()?.details.as_deref()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
