//! Meta-shaped Graph error answers.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::util::fbtrace_id;

/// A Graph API error answer, written the way Meta writes it.
#[derive(Debug, Clone)]
pub(crate) struct GraphError {
    pub status: StatusCode,
    pub code: i64,
    pub subcode: Option<i64>,
    pub message: String,
    pub details: Option<String>,
    pub is_transient: Option<bool>,
    pub retry_after: Option<u64>,
}

impl GraphError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        GraphError {
            status,
            code,
            subcode: None,
            message: message.into(),
            details: None,
            is_transient: None,
            retry_after: None,
        }
    }

    pub fn details(mut self, d: impl Into<String>) -> Self {
        self.details = Some(d.into());
        self
    }

    pub fn subcode(mut self, s: Option<i64>) -> Self {
        self.subcode = s;
        self
    }

    /// 100 Invalid parameter.
    /// `error_data.details` defaults to the message without its `(#100) ` prefix.
    pub fn invalid_param(message: impl Into<String>) -> Self {
        let message = message.into();
        let details = message
            .strip_prefix("(#100) ")
            .unwrap_or(&message)
            .to_string();
        GraphError::new(StatusCode::BAD_REQUEST, 100, message).details(details)
    }

    /// 131062: a business-scoped user id cannot receive this message (authentication
    /// templates need a phone number).
    pub fn user_id_not_supported() -> Self {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            131062,
            "(#131062) Business-scoped User ID (BSUID) recipients are not supported for this message",
        )
        .details(
            "Authentication templates (one-tap, zero-tap and copy code) cannot be sent to a \
             business-scoped user ID; send them to the user's phone number.",
        )
    }

    /// 131008 Required parameter is missing.
    pub fn missing(details: impl Into<String>) -> Self {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            131008,
            "(#131008) Required parameter is missing",
        )
        .details(details)
    }

    /// 131009 Parameter value is not valid.
    pub fn bad_value(details: impl Into<String>) -> Self {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            131009,
            "(#131009) Parameter value is not valid",
        )
        .details(details)
    }

    /// Code 2, the outage answer.
    pub fn outage() -> Self {
        let mut e = GraphError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            2,
            "(#2) Service temporarily unavailable",
        );
        e.is_transient = Some(true);
        e
    }

    /// 130429 throughput exceeded.
    pub fn throttled(retry_after: Option<u64>) -> Self {
        let mut e = GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            130429,
            "(#130429) Rate limit hit",
        )
        .details("Cloud API message throughput has been reached.");
        e.retry_after = retry_after;
        e
    }

    /// 131056 pair rate limit.
    pub fn pair_limit() -> Self {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            131056,
            "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        )
        .details(
            "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
        )
    }

    /// An authorization error for `code` (190, 0, 3, 10, 200..=299) with an optional subcode.
    pub fn auth(code: i64, subcode: Option<i64>) -> Self {
        let (status, message) = match code {
            190 => (
                StatusCode::UNAUTHORIZED,
                match subcode {
                    Some(463) => {
                        "Error validating access token: Session has expired.".to_string()
                    }
                    Some(460) => "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.".to_string(),
                    Some(458) => "Error validating access token: The user has not authorized application.".to_string(),
                    Some(467) => "Error validating access token: The access token is invalid.".to_string(),
                    _ => "Invalid OAuth access token - Cannot parse access token".to_string(),
                },
            ),
            0 => (
                StatusCode::UNAUTHORIZED,
                "(#0) AuthException".to_string(),
            ),
            3 => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "(#3) Application does not have the capability to make this API call.".to_string(),
            ),
            10 => (
                StatusCode::FORBIDDEN,
                "(#10) Application does not have permission for this action".to_string(),
            ),
            c if (200..=299).contains(&c) => (
                StatusCode::FORBIDDEN,
                format!("(#{c}) Requires whatsapp_business_messaging permission to manage the object"),
            ),
            c => (StatusCode::UNAUTHORIZED, format!("(#{c}) Authorization error")),
        };
        GraphError::new(status, code, message).subcode(subcode)
    }

    /// Unknown object id (code 100, subcode 33).
    pub fn unknown_object(id: &str, verb: &str) -> Self {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            100,
            format!(
                "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
            ),
        )
        .subcode(Some(33))
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert("message".into(), json!(self.message));
        e.insert("type".into(), json!("OAuthException"));
        e.insert("code".into(), json!(self.code));
        if let Some(s) = self.subcode {
            e.insert("error_subcode".into(), json!(s));
        }
        if let Some(t) = self.is_transient {
            e.insert("is_transient".into(), json!(t));
        }
        if let Some(d) = &self.details {
            e.insert(
                "error_data".into(),
                json!({"messaging_product": "whatsapp", "details": d}),
            );
        }
        e.insert("fbtrace_id".into(), json!(fbtrace_id()));
        json!({ "error": Value::Object(e) })
    }
}
