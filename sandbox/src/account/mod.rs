//! The account-management endpoints: message templates, the business profile and resumable
//! uploads, phone numbers and their registration, blocked users, QR codes, webhook
//! subscriptions, and the Marketing Messages API's extra checks. The server routes here after
//! authenticating; each route says which permission it needs, so that a token without it is
//! refused before anything changes.

mod blocked;
mod numbers;
mod paging;
mod profile;
mod qr;
mod subscriptions;
mod templates;

pub use numbers::{SANDBOX_VERIFICATION_CODE, SECOND_PHONE_NUMBER_ID};

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::config::{SandboxConfig, SCOPE_MANAGEMENT, SCOPE_MESSAGING};
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
    /// The sandbox's base URL.
    pub(crate) base_url: &'a str,
    /// The `file_offset` header of an upload.
    pub(crate) file_offset: Option<&'a str>,
}

/// The account's mutable state.
#[derive(Debug)]
pub(crate) struct Account {
    templates: Mutex<templates::Templates>,
    profile: Mutex<profile::Profile>,
    numbers: Mutex<numbers::Numbers>,
    blocked: Mutex<blocked::Blocked>,
    qr: Mutex<qr::QrCodes>,
    subscriptions: Mutex<subscriptions::Subscriptions>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, value))
}

impl Account {
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        Account {
            templates: Mutex::new(templates::Templates::seeded()),
            profile: Mutex::new(profile::Profile::seeded()),
            numbers: Mutex::new(numbers::Numbers::new(config)),
            blocked: Mutex::new(blocked::Blocked::default()),
            qr: Mutex::new(qr::QrCodes::default()),
            subscriptions: Mutex::new(subscriptions::Subscriptions::default()),
        }
    }

    /// The permission the request needs when it is an account endpoint; `None` when it is not
    /// one (the server handles it or answers "unknown path").
    pub(crate) fn scope(&self, req: &Request<'_>) -> Option<&'static str> {
        let cfg = req.config;
        let m = req.method;
        let (get, post, delete) = (m == Method::GET, m == Method::POST, m == Method::DELETE);
        let own = |id: &str| id == cfg.phone_number_id;
        let number = |id: &str| lock(&self.numbers).knows(id);
        match req.rest {
            [waba, "message_templates"] if *waba == cfg.waba_id && (get || post || delete) => {
                Some(SCOPE_MANAGEMENT)
            }
            [waba, "phone_numbers" | "subscribed_apps"]
                if *waba == cfg.waba_id && (get || post || delete) =>
            {
                Some(SCOPE_MANAGEMENT)
            }
            [id] if (get || post) && lock(&self.templates).contains(id) => Some(SCOPE_MANAGEMENT),
            // The configured number's GET is the server's own; the second number's is here.
            [id] if get && *id == SECOND_PHONE_NUMBER_ID => Some(SCOPE_MANAGEMENT),
            [id] if post && number(id) => Some(SCOPE_MANAGEMENT),
            [id, "request_code" | "verify_code" | "register" | "deregister"]
                if post && number(id) =>
            {
                Some(SCOPE_MANAGEMENT)
            }
            [id, "whatsapp_business_profile"] if (get || post) && own(id) => Some(SCOPE_MANAGEMENT),
            [id, "block_users"] if (get || post || delete) && own(id) => Some(SCOPE_MESSAGING),
            [id, "message_qrdls"] if (get || post) && own(id) => Some(SCOPE_MANAGEMENT),
            [id, "message_qrdls", _] if (get || delete) && own(id) => Some(SCOPE_MANAGEMENT),
            [app, "uploads"] if post && *app == cfg.app_id => Some(SCOPE_MANAGEMENT),
            [session] if post && session.starts_with("upload:") => Some(SCOPE_MANAGEMENT),
            _ => None,
        }
    }

    /// Handles an account endpoint (one [`Account::scope`] recognised).
    pub(crate) fn handle(&self, req: &Request<'_>) -> Answer {
        let m = req.method;
        let cfg = req.config;
        let (get, post) = (m == Method::GET, m == Method::POST);
        let page = |items: Vec<Value>, edge: &str| -> Answer {
            let url = format!("{}/{edge}", req.versioned_base);
            ok(paging::page(items, req.query, &url)?)
        };
        match req.rest {
            [waba, "message_templates"] => {
                let mut templates = lock(&self.templates);
                if get {
                    let items = templates.list(req.query)?;
                    page(items, &format!("{waba}/message_templates"))
                } else if post {
                    ok(templates.create(req.body)?)
                } else {
                    ok(templates.delete(req.query)?)
                }
            }
            [waba, "phone_numbers"] => page(
                lock(&self.numbers).list(cfg),
                &format!("{waba}/phone_numbers"),
            ),
            [waba, "subscribed_apps"] => {
                let mut subscriptions = lock(&self.subscriptions);
                if get {
                    page(subscriptions.list(cfg), &format!("{waba}/subscribed_apps"))
                } else if post {
                    ok(subscriptions.subscribe(req.body)?)
                } else {
                    ok(subscriptions.unsubscribe())
                }
            }
            [session] if session.starts_with("upload:") => {
                ok(lock(&self.profile).upload(session, req.file_offset, req.body)?)
            }
            [id] if lock(&self.templates).contains(id) => {
                let mut templates = lock(&self.templates);
                if get {
                    templates
                        .get(id)
                        .map(|t| (StatusCode::OK, t))
                        .ok_or_else(|| GraphError::unknown_object(id, "get"))
                } else {
                    ok(templates.edit(id, req.body)?)
                }
            }
            [id] if get => lock(&self.numbers)
                .get(id, cfg)
                .map(|n| (StatusCode::OK, n))
                .ok_or_else(|| GraphError::unknown_object(id, "get")),
            [id] => ok(lock(&self.numbers).set_pin(id, req.body)?),
            [id, "request_code"] => ok(lock(&self.numbers).request_code(id, req.body)?),
            [id, "verify_code"] => ok(lock(&self.numbers).verify_code(id, req.body)?),
            [id, "register"] => ok(lock(&self.numbers).register(id, req.body)?),
            [id, "deregister"] => ok(lock(&self.numbers).deregister(id)?),
            [_, "whatsapp_business_profile"] => {
                let mut profile = lock(&self.profile);
                if get {
                    ok(profile.get(req.query)?)
                } else {
                    ok(profile.update(req.body)?)
                }
            }
            [app, "uploads"] => {
                let _ = app;
                ok(lock(&self.profile).open_upload(req.query)?)
            }
            [id, "block_users"] => {
                let mut blocked = lock(&self.blocked);
                if get {
                    page(blocked.list(), &format!("{id}/block_users"))
                } else {
                    blocked.change(req.body, post, &cfg.undeliverable)
                }
            }
            [id, "message_qrdls"] => {
                let mut qr = lock(&self.qr);
                if get {
                    page(qr.list(), &format!("{id}/message_qrdls"))
                } else {
                    qr.post(req.body, req.base_url)
                }
            }
            [_, "message_qrdls", code] => {
                let mut qr = lock(&self.qr);
                if get {
                    ok(qr.get(code)?)
                } else {
                    ok(qr.delete(code)?)
                }
            }
            _ => Err(GraphError::invalid_param("(#100) Unknown path components")),
        }
    }
}

/// A JSON object body, or Meta's answer to anything else.
pub(crate) fn parse_object(body: &[u8]) -> Result<Value, GraphError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        GraphError::invalid_param("(#100) Invalid parameter")
            .details(format!("The request body is not valid JSON: {e}"))
    })?;
    if !v.is_object() {
        return Err(GraphError::invalid_param("(#100) Invalid parameter")
            .details("The request body must be a JSON object."));
    }
    Ok(v)
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
