//! The Graph API error body, parsed leniently.
//!
//! Meta's answer to a failed call is `{"error": {...}}`. Every field but `code` is optional here,
//! and a field of an unexpected type is dropped rather than failing the parse: a proxy, a new API
//! version or a partial outage must never turn an error into a parse failure, and a code we have
//! not catalogued stays a plain number.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

impl GraphError {
    /// Parses a Graph error answer (`{"error": {...}}`). `None` when the bytes are not one.
    ///
    /// The parse is lenient field by field: a field of an unexpected type (some Graph endpoints
    /// send `error_data` as a JSON string, proxies may rewrite numbers as strings) is dropped or
    /// converted instead of failing the whole error. Only `code` is required: an `error` object
    /// without a numeric code is not a Graph error (reading it as code 0, `AuthException`, would
    /// send users chasing a token problem that does not exist).
    ///
    /// ```
    /// let body = br#"{"error":{"message":"(#2) Service temporarily unavailable","code":2}}"#;
    /// let err = wacloud::GraphError::from_body(body).unwrap();
    /// assert_eq!(err.code, 2);
    /// assert!(wacloud::GraphError::from_body(br#"{"error":"nope"}"#).is_none());
    /// ```
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        // A cheap pre-check keeps large success bodies from a second full parse.
        if !mentions_error(body) {
            return None;
        }
        let Ok(Value::Object(mut root)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let Some(Value::Object(mut error)) = root.remove("error") else {
            return None;
        };
        let code = integer(error.get("code"))?;
        Some(GraphError {
            message: string(error.remove("message")).unwrap_or_default(),
            kind: string(error.remove("type")),
            code,
            subcode: integer(error.get("error_subcode")),
            error_data: error_data(error.remove("error_data")),
            is_transient: match error.get("is_transient") {
                Some(Value::Bool(flag)) => Some(*flag),
                _ => None,
            },
            error_user_title: string(error.remove("error_user_title")),
            error_user_msg: string(error.remove("error_user_msg")),
            fbtrace_id: string(error.remove("fbtrace_id")),
        })
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

/// The cheap pre-check of [`GraphError::from_body`]: a body without `"error"` carries none.
pub(crate) fn mentions_error(body: &[u8]) -> bool {
    // memchr's SIMD search, its searcher built once: this check runs on every answer, and a
    // byte-by-byte window scan cost about ten times as much on a send's answer.
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"error\""));
    FINDER.find(body).is_some()
}

/// A string field; anything else (number, object, null) is dropped.
fn string(value: Option<Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// An integer field, also when sent as a numeric string (`"190"`).
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `error_data`: an object with `details`, or (on some Graph endpoints) a bare string, which is
/// kept as the details.
fn error_data(value: Option<Value>) -> Option<ErrorData> {
    match value? {
        Value::Object(mut data) => Some(ErrorData {
            messaging_product: string(data.remove("messaging_product")),
            details: string(data.remove("details")),
        }),
        Value::String(text) if !text.is_empty() => Some(ErrorData {
            messaging_product: None,
            details: Some(text),
        }),
        _ => None,
    }
}
