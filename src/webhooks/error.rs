//! Typed errors for webhook parsing and verification.

use std::fmt;

/// Why a webhook body could not be parsed as the documented
/// `whatsapp_business_account` envelope.
///
/// Only the envelope (`object`, `entry[].id`, `entry[].changes[].field` and
/// `.value`) is mandatory: unknown message types, statuses, fields and change
/// `field`s never produce an error, they are kept as raw JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is empty (or only whitespace).
    #[error("webhook body is empty")]
    Empty,
    /// The body ends before the JSON document is complete.
    #[error("webhook body is truncated JSON (line {line}, column {column})")]
    Truncated {
        /// 1-based line where the input ended.
        line: usize,
        /// 1-based column where the input ended.
        column: usize,
    },
    /// The body is not JSON at all (garbage, an HTML error page, ...).
    #[error("webhook body is not JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// 1-based line of the first offending byte.
        line: usize,
        /// 1-based column of the first offending byte.
        column: usize,
        /// The decoder's description.
        message: String,
    },
    /// The body is JSON but not the documented envelope
    /// (`{"object": ..., "entry": [{"id": ..., "changes": [{"field": ..., "value": ...}]}]}`).
    #[error("webhook body is not a WhatsApp webhook envelope: {message}")]
    NotEnvelope {
        /// What was wrong with the envelope.
        message: String,
    },
    /// The envelope's `object` is not `whatsapp_business_account`.
    #[error("webhook object is {object:?}, expected \"whatsapp_business_account\"")]
    UnexpectedObject {
        /// The `object` the body carried.
        object: String,
    },
}

impl WebhookError {
    pub(crate) fn from_json(err: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        match err.classify() {
            Category::Eof => WebhookError::Truncated {
                line: err.line(),
                column: err.column(),
            },
            Category::Syntax | Category::Io => WebhookError::NotJson {
                line: err.line(),
                column: err.column(),
                message: err.to_string(),
            },
            Category::Data => WebhookError::NotEnvelope {
                message: err.to_string(),
            },
        }
    }
}

/// Why an `X-Hub-Signature-256` header was rejected. A rejection is never a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The request carried no `X-Hub-Signature-256` header.
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    /// The header is not `sha256=` followed by 64 hexadecimal digits.
    #[error("malformed X-Hub-Signature-256 header")]
    Malformed,
    /// The header is well formed but the HMAC does not match the body.
    #[error("X-Hub-Signature-256 does not match the body")]
    Mismatch,
}

/// Why a GET verification handshake was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// A required query parameter (`hub.mode`, `hub.verify_token` or
    /// `hub.challenge`) is absent.
    #[error("missing query parameter {0}")]
    MissingParameter(&'static str),
    /// `hub.mode` is not `subscribe`.
    #[error("hub.mode is not \"subscribe\"")]
    WrongMode,
    /// `hub.verify_token` does not match the configured verify token.
    #[error("hub.verify_token does not match")]
    TokenMismatch,
}

/// Placeholder printed instead of a secret.
pub(crate) struct Redacted;

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
