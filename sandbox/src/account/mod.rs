//! The account-management endpoints: message templates, and the Marketing Messages API's
//! extra checks. The server routes here after authenticating; each route says which
//! permission it needs, so that a token without it is refused before anything changes.

mod paging;
mod templates;

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::config::{SandboxConfig, SCOPE_MANAGEMENT};
use crate::error::GraphError;

/// An account endpoint's answer.
pub(crate) type Answer = Result<(StatusCode, Value), GraphError>;

/// What a request needs to know besides the account state.
pub(crate) struct Request<'a> {
    pub(crate) config: &'a SandboxConfig,
    pub(crate) method: &'a Method,
    /// The path segments after the version.
    pub(crate) rest: &'a [&'a str],
    pub(crate) query: &'a HashMap<String, String>,
    pub(crate) body: &'a [u8],
    /// `{base}/{version}`, for `next` links.
    pub(crate) versioned_base: String,
}

/// The account's mutable state.
#[derive(Debug)]
pub(crate) struct Account {
    templates: Mutex<templates::Templates>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, value))
}

impl Account {
    pub(crate) fn new() -> Self {
        Account {
            templates: Mutex::new(templates::Templates::seeded()),
        }
    }

    /// The permission the request needs when it is an account endpoint; `None` when it is not
    /// one (the server handles it or answers "unknown path").
    pub(crate) fn scope(&self, req: &Request<'_>) -> Option<&'static str> {
        let cfg = req.config;
        let m = req.method;
        match req.rest {
            [waba, "message_templates"]
                if *waba == cfg.waba_id
                    && (m == Method::GET || m == Method::POST || m == Method::DELETE) =>
            {
                Some(SCOPE_MANAGEMENT)
            }
            [id] if (m == Method::GET || m == Method::POST)
                && lock(&self.templates).contains(id) =>
            {
                Some(SCOPE_MANAGEMENT)
            }
            _ => None,
        }
    }

    /// Handles an account endpoint (one [`Account::scope`] recognised).
    pub(crate) fn handle(&self, req: &Request<'_>) -> Answer {
        let m = req.method;
        match req.rest {
            [waba, "message_templates"] => {
                let mut templates = lock(&self.templates);
                if m == Method::GET {
                    let items = templates.list(req.query)?;
                    let url = format!("{}/{waba}/message_templates", req.versioned_base);
                    ok(paging::page(items, req.query, &url)?)
                } else if m == Method::POST {
                    ok(templates.create(req.body)?)
                } else {
                    ok(templates.delete(req.query)?)
                }
            }
            [id] => {
                let mut templates = lock(&self.templates);
                if m == Method::GET {
                    templates
                        .get(id)
                        .map(|t| (StatusCode::OK, t))
                        .ok_or_else(|| GraphError::unknown_object(id, "get"))
                } else {
                    ok(templates.edit(id, req.body)?)
                }
            }
            _ => Err(GraphError::invalid_param("(#100) Unknown path components")),
        }
    }
}

/// The Marketing Messages API's own checks before a message goes the send path: template
/// messages only, `product_policy` and `message_activity_sharing` well-formed.
pub(crate) fn check_marketing(body: &[u8]) -> Result<(), GraphError> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        // The send path reports malformed JSON the way /messages does.
        return Ok(());
    };
    if let Some(policy) = v.get("product_policy") {
        if !matches!(policy.as_str(), Some("CLOUD_API_FALLBACK" | "STRICT")) {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param product_policy must be one of {{CLOUD_API_FALLBACK, STRICT}} - got {policy}."
            )));
        }
    }
    if let Some(sharing) = v.get("message_activity_sharing") {
        if !sharing.is_boolean() {
            return Err(GraphError::invalid_param(
                "(#100) Param message_activity_sharing must be a boolean.",
            ));
        }
    }
    match v.get("type").and_then(Value::as_str) {
        Some("template") => Ok(()),
        _ => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            134102,
            "(#134102) Marketing Messages API: message not allowed",
        )
        .details("Only template messages can be sent through the Marketing Messages API.")),
    }
}
