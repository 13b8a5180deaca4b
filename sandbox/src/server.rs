//! The HTTP server: accept loop with per-connection kill switches, request handling, and
//! the [`SandboxHandle`].

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::config::{SandboxConfig, TokenInfo, SCOPE_MANAGEMENT, SCOPE_MESSAGING};
use crate::error::GraphError;
use crate::fault::{Decision, FaultRule, FaultSet, RequestFacts, Terminal};
use crate::media::{MediaStore, MEDIA_MIME_TYPES};
use crate::record::{self, AcceptedMessage, Duplicates, Outcome, RecordedRequest};
use crate::util;
use crate::validate::{self, MessagesRequest};
use crate::webhook::{StatusJob, StatusPlan, WebhookDelivery, Webhooks};

const MAX_BODY: usize = 110 * 1024 * 1024;
const MAX_MEDIA: usize = 100 * 1024 * 1024;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Closes the connection a request arrived on, without an answer.
#[derive(Clone)]
struct KillSwitch(Arc<Notify>);

pub(crate) struct Inner {
    config: SandboxConfig,
    base_url: String,
    tokens: RwLock<HashMap<String, TokenInfo>>,
    faults: Mutex<FaultSet>,
    records: Mutex<Vec<RecordedRequest>>,
    accepted: Mutex<Vec<AcceptedMessage>>,
    media: Mutex<MediaStore>,
    hooks: Arc<Webhooks>,
    account: crate::account::Account,
}

impl Inner {
    fn new(config: SandboxConfig, base_url: String) -> Self {
        let mut tokens = HashMap::new();
        tokens.insert(
            config.access_token.clone(),
            TokenInfo::new(config.access_token.clone()),
        );
        for t in &config.extra_tokens {
            tokens.insert(t.token.clone(), t.clone());
        }
        let mut faults = FaultSet::default();
        for r in &config.faults {
            faults.inject(r.clone());
        }
        Inner {
            hooks: Arc::new(Webhooks::new(&config)),
            account: crate::account::Account::new(&config),
            config,
            base_url,
            tokens: RwLock::new(tokens),
            faults: Mutex::new(faults),
            records: Mutex::new(Vec::new()),
            accepted: Mutex::new(Vec::new()),
            media: Mutex::new(MediaStore::default()),
        }
    }

    fn record(&self, parts: &axum::http::request::Parts, body: Bytes) -> u64 {
        let headers = parts
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if k == header::AUTHORIZATION {
                    "<redacted>".to_string()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k.as_str().to_string(), v)
            })
            .collect();
        let mut recs = lock(&self.records);
        let seq = recs.len() as u64;
        recs.push(RecordedRequest {
            seq,
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers,
            body,
            received_at: SystemTime::now(),
            received_instant: tokio::time::Instant::now(),
            outcome: Outcome::Pending,
        });
        seq
    }

    fn set_outcome(&self, seq: u64, outcome: Outcome) {
        if let Some(r) = lock(&self.records).get_mut(seq as usize) {
            r.outcome = outcome;
        }
    }

    fn token(&self, t: &str) -> Option<TokenInfo> {
        self.tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(t)
            .cloned()
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, serde_json::to_vec(v).unwrap_or_default()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

fn graph_response(e: &GraphError) -> Response {
    let mut r = json_response(e.status, &e.body());
    if let Some(s) = e.retry_after {
        if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    if e.status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth access token\"",
            ),
        );
    }
    r
}

fn status_of(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn terminal_response(t: Terminal, cfg: &SandboxConfig) -> Response {
    match t {
        Terminal::Outage => graph_response(&GraphError::outage()),
        Terminal::Throttled(ra) => graph_response(&GraphError::throttled(
            ra.map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
        )),
        Terminal::Pair => graph_response(&GraphError::pair_limit()),
        Terminal::Auth(code, sub) => graph_response(&GraphError::auth(code, sub)),
        Terminal::Graph(status, code, message) => {
            graph_response(&GraphError::new(status_of(status), code, message))
        }
        Terminal::Raw(status, ct, body) => {
            let mut r = (status_of(status), body).into_response();
            if let Ok(v) = HeaderValue::from_str(&ct) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        Terminal::Fixture(status, path) => {
            let full = if path.is_absolute() {
                path
            } else {
                cfg.fixtures_dir.join(path)
            };
            match std::fs::read(&full) {
                Ok(bytes) => {
                    let mut r = (status_of(status), bytes).into_response();
                    r.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json; charset=UTF-8"),
                    );
                    r
                }
                Err(e) => {
                    tracing::error!(path = %full.display(), error = %e, "fixture file unreadable");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        format!(
                            "wacloud-sandbox: fixture {} unreadable: {e}",
                            full.display()
                        ),
                    )
                        .into_response()
                }
            }
        }
        Terminal::Drop => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn hang(kill: Option<KillSwitch>) -> Response {
    match kill {
        Some(k) => {
            k.0.notify_one();
            std::future::pending::<Response>().await
        }
        None => {
            tracing::error!("no kill switch on this connection; answering 500 instead of dropping");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn facts(method: &Method, path: &str, body: &[u8]) -> RequestFacts {
    let mut f = RequestFacts {
        path: path.to_string(),
        ..Default::default()
    };
    if method == Method::POST
        && (path.ends_with("/messages") || path.ends_with("/marketing_messages"))
    {
        if let Ok(v) = serde_json::from_slice::<Value>(body) {
            if v.get("status").is_none() {
                f.is_send = true;
                // As Meta reads it: `to` first, else `recipient` (a user id).
                f.recipient = v
                    .get("to")
                    .and_then(Value::as_str)
                    .or_else(|| v.get("recipient").and_then(Value::as_str))
                    .map(util::recipient_key);
            }
        } else {
            f.is_send = true;
        }
    }
    f
}

fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let mut it = rest.splitn(2, '.');
    let major = it.next().unwrap_or("");
    let minor = it.next().unwrap_or("");
    !major.is_empty()
        && !minor.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && minor.bytes().all(|b| b.is_ascii_digit())
}

async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let kill = parts.extensions.get::<KillSwitch>().cloned();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "request body unreadable");
            return graph_response(
                &GraphError::invalid_param("(#100) Invalid parameter")
                    .details("The request body could not be read or is too large."),
            );
        }
    };
    let seq = inner.record(&parts, bytes.clone());
    let f = facts(&parts.method, parts.uri.path(), &bytes);
    let decision = lock(&inner.faults).evaluate(&f);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if let Some(t) = decision.terminal.clone() {
        if matches!(t, Terminal::Drop) {
            inner.set_outcome(seq, Outcome::DroppedBeforeActing);
            return hang(kill).await;
        }
        let r = terminal_response(t, &inner.config);
        inner.set_outcome(
            seq,
            Outcome::Answered {
                status: r.status().as_u16(),
                wamid: None,
            },
        );
        return r;
    }
    let (resp, wamid) = dispatch(&inner, &parts, bytes, &decision, seq).await;
    tracing::debug!(method = %parts.method, path = %parts.uri.path(), status = resp.status().as_u16(), "answered");
    if decision.drop_after {
        inner.set_outcome(seq, Outcome::DroppedAfterActing { wamid });
        return hang(kill).await;
    }
    inner.set_outcome(
        seq,
        Outcome::Answered {
            status: resp.status().as_u16(),
            wamid,
        },
    );
    resp
}

fn bearer(parts: &axum::http::request::Parts, q: &HashMap<String, String>) -> Option<String> {
    if let Some(v) = parts.headers.get(header::AUTHORIZATION) {
        let v = v.to_str().ok()?.trim();
        let t = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .or_else(|| v.strip_prefix("OAuth "))?;
        return Some(t.trim().to_string());
    }
    q.get("access_token").cloned()
}

fn authorize(inner: &Inner, token: Option<String>) -> Result<TokenInfo, GraphError> {
    let Some(t) = token.filter(|t| !t.is_empty()) else {
        return Err(GraphError::new(
            StatusCode::UNAUTHORIZED,
            190,
            "An active access token must be used to query information about the current user.",
        ));
    };
    let Some(info) = inner.token(&t) else {
        return Err(GraphError::auth(190, None));
    };
    if !info.valid {
        return Err(GraphError::auth(190, Some(460)));
    }
    if info.is_expired() {
        return Err(GraphError::auth(190, Some(463)));
    }
    Ok(info)
}

fn need_scope(info: &TokenInfo, scope: &str) -> Result<(), GraphError> {
    if info.has_scope(scope) {
        return Ok(());
    }
    if scope == SCOPE_MESSAGING {
        Err(GraphError::auth(10, None))
    } else {
        Err(GraphError::auth(200, None))
    }
}

async fn dispatch(
    inner: &Arc<Inner>,
    parts: &axum::http::request::Parts,
    body: Bytes,
    decision: &Decision,
    seq: u64,
) -> (Response, Option<String>) {
    let path = parts.uri.path().to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let q: HashMap<String, String> = Query::try_from_uri(&parts.uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let m = &parts.method;
    let r = |e: GraphError| (graph_response(&e), None);

    if segs.len() >= 2 && segs[0] == "whatsapp_business" && segs[1] == "attachments" {
        if m != Method::GET {
            return r(GraphError::unknown_object("attachments", m.as_str()));
        }
        if let Err(e) = authorize(inner, bearer(parts, &q)) {
            return r(e);
        }
        return (download(inner, &q), None);
    }
    let Some(v) = segs.first() else {
        return r(GraphError::invalid_param(
            "(#100) Unknown path components: /",
        ));
    };
    if !is_version(v) {
        return r(GraphError::invalid_param(format!(
            "(#100) Unknown path components: {path}"
        )));
    }
    let rest = &segs[1..];
    if m == Method::GET && rest == ["debug_token"] {
        return (debug_token(inner, &q), None);
    }
    let info = match authorize(inner, bearer(parts, &q)) {
        Ok(i) => i,
        Err(e) => return r(e),
    };
    let account = crate::account::Request {
        config: &inner.config,
        method: m,
        rest,
        query: &q,
        body: &body,
        versioned_base: format!("{}/{v}", inner.base_url),
        base_url: &inner.base_url,
        file_offset: parts
            .headers
            .get("file_offset")
            .and_then(|value| value.to_str().ok()),
    };
    if let Some(scope) = inner.account.scope(&account) {
        if let Err(e) = need_scope(&info, scope) {
            return r(e);
        }
        return match inner.account.handle(&account) {
            Ok((status, value)) => (json_response(status, &value), None),
            Err(e) => r(e),
        };
    }
    let cfg = &inner.config;
    match (m.clone(), rest) {
        (Method::POST, [id, "marketing_messages"]) => {
            if *id != cfg.phone_number_id {
                return r(GraphError::unknown_object(id, "post"));
            }
            if let Err(e) = need_scope(&info, SCOPE_MESSAGING) {
                return r(e);
            }
            if let Err(e) = crate::account::check_marketing(&body) {
                return r(e);
            }
            send(inner, &body, decision, seq)
        }
        (Method::POST, [id, "messages"]) => {
            if *id != cfg.phone_number_id {
                return r(GraphError::unknown_object(id, "post"));
            }
            if let Err(e) = need_scope(&info, SCOPE_MESSAGING) {
                return r(e);
            }
            send(inner, &body, decision, seq)
        }
        (Method::POST, [id, "media"]) => {
            if *id != cfg.phone_number_id {
                return r(GraphError::unknown_object(id, "post"));
            }
            if let Err(e) = need_scope(&info, SCOPE_MESSAGING) {
                return r(e);
            }
            (upload(inner, parts, body).await, None)
        }
        (Method::GET, [id]) => {
            if *id == cfg.phone_number_id {
                if let Err(e) = need_scope(&info, SCOPE_MANAGEMENT) {
                    return r(e);
                }
                return (number_info(cfg, &q), None);
            }
            if *id == cfg.waba_id {
                return (
                    json_response(
                        StatusCode::OK,
                        &json!({"id": cfg.waba_id, "name": cfg.verified_name, "timezone_id": "1", "message_template_namespace": "sandbox_namespace"}),
                    ),
                    None,
                );
            }
            (media_info(inner, id, &q), None)
        }
        (Method::DELETE, [id]) => {
            let removed = lock(&inner.media).items.remove(*id).is_some();
            if removed {
                (
                    json_response(StatusCode::OK, &json!({"success": true})),
                    None,
                )
            } else {
                r(GraphError::unknown_object(id, "delete"))
            }
        }
        (_, [id]) | (_, [id, _]) => r(GraphError::unknown_object(id, &m.as_str().to_lowercase())),
        _ => r(GraphError::invalid_param(format!(
            "(#100) Unknown path components: {path}"
        ))),
    }
}

fn send(
    inner: &Arc<Inner>,
    body: &[u8],
    decision: &Decision,
    seq: u64,
) -> (Response, Option<String>) {
    let req = match validate::messages(body) {
        Ok(r) => r,
        Err(e) => return (graph_response(&e), None),
    };
    let info = match req {
        MessagesRequest::Read { .. } => {
            return (
                json_response(StatusCode::OK, &json!({"success": true})),
                None,
            )
        }
        MessagesRequest::Send(info) => info,
    };
    let key = info.user_id.clone().unwrap_or_else(|| info.wa_id.clone());
    let is_template = info.kind == "template";
    let template_name = info
        .body
        .pointer("/template/name")
        .and_then(Value::as_str)
        .filter(|_| is_template);
    let is_authentication = template_name.is_some_and(|name| {
        inner
            .config
            .authentication_templates
            .iter()
            .any(|t| t == name)
    });
    if is_authentication && info.user_id.is_some() {
        return (graph_response(&GraphError::user_id_not_supported()), None);
    }
    let wamid = util::wamid(&util::digits(&key));
    let plan = if decision.undeliverable || inner.config.undeliverable.contains(&key) {
        StatusPlan::Undeliverable
    } else if let Some(failed_first) = decision.conflicting {
        StatusPlan::Conflicting { failed_first }
    } else {
        StatusPlan::Normal {
            read: inner.config.send_read_status,
        }
    };
    let job = StatusJob {
        wamid: wamid.clone(),
        recipient: info.wa_id.clone(),
        recipient_user_id: info.user_id.clone(),
        callback: info.callback.clone(),
        category: if is_authentication {
            "authentication"
        } else if is_template {
            "utility"
        } else {
            "service"
        },
        plan,
        delay: inner.config.status_delay,
    };
    let answer = {
        let mut msg = json!({"id": wamid});
        if is_template {
            msg["message_status"] = json!("accepted");
        }
        // Meta answers a send by user id with `user_id`, a send by phone number with `wa_id`.
        let contact = match &info.user_id {
            Some(user_id) => json!({"input": info.to, "user_id": user_id}),
            None => json!({"input": info.to, "wa_id": info.wa_id}),
        };
        json!({
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [msg],
        })
    };
    lock(&inner.accepted).push(AcceptedMessage {
        wamid: wamid.clone(),
        to: info.to,
        wa_id: info.wa_id,
        user_id: info.user_id,
        kind: info.kind,
        body: info.body,
        biz_opaque_callback_data: info.callback,
        request_seq: seq,
        accepted_at: SystemTime::now(),
    });
    if inner.hooks.url().is_some() {
        tokio::spawn(job.run(inner.hooks.clone()));
    }
    (json_response(StatusCode::OK, &answer), Some(wamid))
}

async fn upload(inner: &Arc<Inner>, parts: &axum::http::request::Parts, body: Bytes) -> Response {
    let ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static(""));
    let req = match axum::http::Request::builder()
        .method(Method::POST)
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
    {
        Ok(r) => r,
        Err(_) => {
            return graph_response(&GraphError::invalid_param("(#100) Invalid parameter"));
        }
    };
    let mut mp = match axum::extract::Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => {
            return graph_response(
                &GraphError::invalid_param("(#100) Invalid parameter")
                    .details(format!("The upload must be multipart/form-data: {e}")),
            )
        }
    };
    let mut product = None;
    let mut kind = None;
    let mut file: Option<(Bytes, Option<String>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let fct = field.content_type().map(str::to_string);
                let data = match field.bytes().await {
                    Ok(d) => d,
                    Err(e) => {
                        return graph_response(
                            &GraphError::invalid_param("(#100) Invalid parameter")
                                .details(format!("Unreadable multipart field {name}: {e}")),
                        )
                    }
                };
                match name.as_str() {
                    "messaging_product" => {
                        product = Some(String::from_utf8_lossy(&data).into_owned())
                    }
                    "type" => kind = Some(String::from_utf8_lossy(&data).into_owned()),
                    "file" => file = Some((data, fct)),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => {
                return graph_response(
                    &GraphError::invalid_param("(#100) Invalid parameter")
                        .details(format!("Malformed multipart body: {e}")),
                )
            }
        }
    }
    match product.as_deref() {
        Some("whatsapp") => {}
        None => {
            return graph_response(&GraphError::invalid_param(
                "(#100) The parameter messaging_product is required.",
            ))
        }
        Some(other) => {
            return graph_response(&GraphError::invalid_param(format!(
                "(#100) Param messaging_product must be one of {{WHATSAPP}} - got \"{other}\"."
            )))
        }
    }
    let Some((data, fct)) = file else {
        return graph_response(&GraphError::missing("The parameter file is required."));
    };
    let mime = fct
        .or(kind.clone())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if kind.is_none() {
        return graph_response(&GraphError::missing("The parameter type is required."));
    }
    if !MEDIA_MIME_TYPES.contains(&mime.as_str()) {
        return graph_response(
            &GraphError::new(
                StatusCode::BAD_REQUEST,
                131053,
                "(#131053) Media upload error",
            )
            .details(format!("Unsupported file type: {mime:?}.")),
        );
    }
    if data.is_empty() || data.len() > MAX_MEDIA {
        return graph_response(
            &GraphError::new(
                StatusCode::BAD_REQUEST,
                131053,
                "(#131053) Media upload error",
            )
            .details(format!(
                "The file must hold between 1 byte and 100 MB; got {} bytes.",
                data.len()
            )),
        );
    }
    let id = lock(&inner.media).insert(data, mime);
    json_response(StatusCode::OK, &json!({"id": id}))
}

fn media_info(inner: &Arc<Inner>, id: &str, q: &HashMap<String, String>) -> Response {
    if let Some(p) = q.get("phone_number_id") {
        if *p != inner.config.phone_number_id {
            return graph_response(
                &GraphError::invalid_param("(#100) Invalid parameter")
                    .details("phone_number_id does not own this media."),
            );
        }
    }
    let mut store = lock(&inner.media);
    let Some(item) = store.items.get(id).cloned() else {
        return graph_response(&GraphError::unknown_object(id, "get"));
    };
    let expires = tokio::time::Instant::now() + inner.config.media_url_ttl;
    let token = store.new_url(id, expires);
    let url = format!(
        "{}/whatsapp_business/attachments/?mid={id}&ext={}&hash={token}",
        inner.base_url,
        util::unix_now() + inner.config.media_url_ttl.as_secs(),
    );
    json_response(
        StatusCode::OK,
        &json!({
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": item.mime_type,
            "sha256": item.sha256,
            "file_size": if inner.config.media_file_size_as_string {
                json!(item.bytes.len().to_string())
            } else {
                json!(item.bytes.len())
            },
            "id": id,
        }),
    )
}

fn download(inner: &Arc<Inner>, q: &HashMap<String, String>) -> Response {
    let store = lock(&inner.media);
    let found = q
        .get("hash")
        .and_then(|t| store.urls.get(t))
        .filter(|(id, _)| Some(id) == q.get("mid"));
    let Some((id, expires)) = found else {
        return graph_response(
            &GraphError::new(StatusCode::NOT_FOUND, 100, "(#100) URL signature mismatch")
                .details("The media URL is not valid."),
        );
    };
    if tokio::time::Instant::now() >= *expires {
        return graph_response(
            &GraphError::new(StatusCode::NOT_FOUND, 100, "(#100) URL signature expired")
                .details("The media URL has expired; retrieve a new one."),
        );
    }
    let Some(item) = store.items.get(id) else {
        return graph_response(
            &GraphError::new(StatusCode::NOT_FOUND, 100, "(#100) Media not found")
                .details("The media was deleted."),
        );
    };
    let mut r = (StatusCode::OK, item.bytes.clone()).into_response();
    if let Ok(v) = HeaderValue::from_str(&item.mime_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn number_info(cfg: &SandboxConfig, q: &HashMap<String, String>) -> Response {
    let all = json!({
        "verified_name": cfg.verified_name,
        "code_verification_status": "VERIFIED",
        "display_phone_number": cfg.display_phone_number,
        "quality_rating": cfg.quality_rating,
        "platform_type": "CLOUD_API",
        "throughput": {"level": cfg.throughput_level},
        "name_status": "APPROVED",
        "messaging_limit_tier": "TIER_1K",
        // The field Meta documents in place of the deprecated `messaging_limit_tier`.
        "whatsapp_business_manager_messaging_limit": "TIER_2K",
        "is_official_business_account": false,
        "account_mode": "LIVE",
        "status": "CONNECTED",
        "id": cfg.phone_number_id,
    });
    let Some(fields) = q.get("fields") else {
        let mut v = json!({});
        for k in [
            "verified_name",
            "code_verification_status",
            "display_phone_number",
            "quality_rating",
            "platform_type",
            "throughput",
            "id",
        ] {
            v[k] = all[k].clone();
        }
        return json_response(StatusCode::OK, &v);
    };
    let mut v = json!({});
    for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match all.get(f) {
            Some(x) => v[f] = x.clone(),
            None => {
                return graph_response(&GraphError::invalid_param(format!(
                    "(#100) Tried accessing nonexisting field ({f}) on node type (WhatsAppBusinessPhoneNumber)"
                )))
            }
        }
    }
    v["id"] = json!(cfg.phone_number_id);
    json_response(StatusCode::OK, &v)
}

fn debug_token(inner: &Arc<Inner>, q: &HashMap<String, String>) -> Response {
    let Some(t) = q.get("input_token").filter(|t| !t.is_empty()) else {
        return graph_response(&GraphError::invalid_param(
            "(#100) The parameter input_token is required",
        ));
    };
    let cfg = &inner.config;
    let Some(info) = inner.token(t) else {
        return json_response(
            StatusCode::OK,
            &json!({"data": {
                "error": {"code": 190, "message": "Invalid OAuth access token."},
                "is_valid": false,
                "scopes": [],
            }}),
        );
    };
    let granular: Vec<Value> = info
        .scopes
        .iter()
        .map(|s| {
            if s.starts_with("whatsapp_") {
                json!({"scope": s, "target_ids": [cfg.waba_id]})
            } else {
                json!({"scope": s})
            }
        })
        .collect();
    let mut data = json!({
        "app_id": cfg.app_id,
        "type": info.kind.as_str(),
        "application": "wacloud sandbox",
        "data_access_expires_at": 0,
        "expires_at": info.expires_at,
        "is_valid": info.valid && !info.is_expired(),
        "scopes": info.scopes,
        "granular_scopes": granular,
        "user_id": "400000000000001",
    });
    if !info.valid {
        data["error"] = json!({"code": 190, "subcode": 460, "message": "Error validating access token: The session has been invalidated."});
    } else if info.is_expired() {
        data["error"] = json!({"code": 190, "subcode": 463, "message": format!("Error validating access token: Session has expired at unix time {}.", info.expires_at)});
    }
    json_response(StatusCode::OK, &json!({ "data": data }))
}

struct Ctl {
    shutdown: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// Starts sandboxes.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// Binds `config.listen` and serves until [`SandboxHandle::shutdown`].
    pub async fn start(config: SandboxConfig) -> io::Result<SandboxHandle> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let inner = Arc::new(Inner::new(config, base_url));
        let router = Router::new().fallback(handle).with_state(inner.clone());
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, rx));
        tracing::info!(%addr, "wacloud-sandbox listening");
        Ok(SandboxHandle {
            inner,
            addr,
            ctl: Arc::new(Ctl {
                shutdown: tx,
                task: Mutex::new(Some(task)),
            }),
        })
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => break,
        };
        let (stream, _peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let switch = KillSwitch(kill.clone());
            let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(switch.clone());
                router.clone().oneshot(req)
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                _ = kill.notified() => {
                    tracing::debug!("dropping connection without an answer (fault)");
                }
                _ = shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_millis(500), conn).await;
                }
            }
        });
    }
}

/// A running sandbox. Cheap to clone (`Arc` inside), `Send + Sync`.
#[derive(Clone)]
pub struct SandboxHandle {
    inner: Arc<Inner>,
    addr: SocketAddr,
    ctl: Arc<Ctl>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, without a version or trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the sandbox started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// Adds a fault rule (evaluated after the rules already present).
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.inner.faults).inject(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    /// How many fault rules are still live.
    pub fn active_faults(&self) -> usize {
        lock(&self.inner.faults).len()
    }

    /// Registers (or replaces) a known token.
    pub fn register_token(&self, token: TokenInfo) {
        self.inner
            .tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.token.clone(), token);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.records).clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        lock(&self.inner.records).len()
    }

    /// Every message accepted so far (answered or dropped after acting).
    pub fn accepted_messages(&self) -> Vec<AcceptedMessage> {
        lock(&self.inner.accepted).clone()
    }

    /// How many messages were accepted.
    pub fn accepted_count(&self) -> usize {
        lock(&self.inner.accepted).len()
    }

    /// Accepted messages that duplicate an earlier accepted one: same
    /// `biz_opaque_callback_data` when present, otherwise the same body.
    pub fn duplicate_count(&self) -> usize {
        record::duplicate_count(&lock(&self.inner.accepted))
    }

    /// Duplicate counts by body and by `biz_opaque_callback_data` separately.
    pub fn duplicates(&self) -> Duplicates {
        record::duplicates(&lock(&self.inner.accepted))
    }

    /// Forgets recorded requests and accepted messages (faults and media stay).
    pub fn clear_records(&self) {
        lock(&self.inner.records).clear();
        lock(&self.inner.accepted).clear();
    }

    /// Sets where webhooks go (from now on).
    pub fn set_webhook_url(&self, url: impl Into<String>) {
        *self
            .inner
            .hooks
            .url
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(url.into());
    }

    /// Stops posting webhooks.
    pub fn clear_webhook_url(&self) {
        *self
            .inner
            .hooks
            .url
            .write()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Every webhook payload posted so far (with its outcome).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.inner.hooks.log).clone()
    }

    /// Waits (on tokio's clock, polling) until at least `n` webhooks were posted, or
    /// `timeout` passes. Returns whether `n` was reached.
    pub async fn wait_for_webhooks(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if lock(&self.inner.hooks.log).len() >= n {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Posts an inbound text message webhook from `from`; returns its `wamid`.
    pub async fn post_inbound_text(&self, from: &str, body: &str) -> io::Result<String> {
        self.post_inbound(from, json!({"type": "text", "text": {"body": body}}))
            .await
    }

    /// Posts an inbound message webhook from `from`. `message` holds the type-specific part
    /// (e.g. `{"type":"reaction","reaction":{...}}`); `from`, `id` and `timestamp` are filled
    /// in when missing. Returns the message id.
    pub async fn post_inbound(&self, from: &str, mut message: Value) -> io::Result<String> {
        let wa_id = util::digits(from);
        let id = match message.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => util::wamid(&wa_id),
        };
        if let Value::Object(m) = &mut message {
            m.entry("from").or_insert_with(|| json!(wa_id));
            m.insert("id".into(), json!(id));
            m.entry("timestamp")
                .or_insert_with(|| json!(util::unix_now().to_string()));
        }
        let value = json!({
            "contacts": [{"profile": {"name": "Sandbox User"}, "wa_id": wa_id}],
            "messages": [message],
        });
        self.post_webhook_value(value).await?;
        Ok(id)
    }

    /// Posts an inbound message webhook from a user known only by their business-scoped user
    /// id (a user who adopted a username): `from_user_id` and a contact with `user_id` (and
    /// `profile.username` when given), no `from` and no `wa_id`. `message` holds the
    /// type-specific part (e.g. `{"type":"text","text":{"body":"hi"}}`). Returns the message id.
    pub async fn post_inbound_from_user_id(
        &self,
        user_id: &str,
        username: Option<&str>,
        message: Value,
    ) -> io::Result<String> {
        let (value, id) = crate::fields::bsuid_inbound(user_id, username, message);
        self.post_webhook_value(value).await?;
        Ok(id)
    }

    /// Posts an inbound text message webhook from a BSUID-only user (see
    /// [`SandboxHandle::post_inbound_from_user_id`]); returns its `wamid`.
    pub async fn post_inbound_text_from_user_id(
        &self,
        user_id: &str,
        username: Option<&str>,
        body: &str,
    ) -> io::Result<String> {
        let message = json!({"type": "text", "text": {"body": body}});
        self.post_inbound_from_user_id(user_id, username, message)
            .await
    }

    /// Posts a change of any webhook `field` with `value` as given (signed, with the entry's
    /// `time`), e.g. a field the sandbox has no helper for.
    pub async fn post_field(&self, field: &str, value: Value) -> io::Result<()> {
        let payload = self
            .inner
            .hooks
            .field_envelope(field, value, Some(util::unix_now()));
        self.inner.hooks.post(&payload).await
    }

    /// Posts a `message_template_status_update`: `event` (`APPROVED`, `REJECTED`, `PAUSED`,
    /// `DISABLED`, ...) for template `name` in `language`, `reason` defaulting to `NONE`.
    pub async fn post_template_status(
        &self,
        name: &str,
        language: &str,
        event: &str,
        reason: Option<&str>,
    ) -> io::Result<()> {
        let value = crate::fields::template_status(name, language, event, reason);
        self.post_field("message_template_status_update", value)
            .await
    }

    /// Posts a `message_template_quality_update` (scores `GREEN`, `YELLOW`, `RED`, `UNKNOWN`).
    pub async fn post_template_quality(
        &self,
        name: &str,
        language: &str,
        previous: &str,
        new: &str,
    ) -> io::Result<()> {
        let value = crate::fields::template_quality(name, language, previous, new);
        self.post_field("message_template_quality_update", value)
            .await
    }

    /// Posts a `phone_number_quality_update` for the sandbox's number: `event` (`FLAGGED`,
    /// `DOWNGRADE`, `UPGRADE`, `THROUGHPUT_UPGRADE`, ...) and the limit now in force
    /// (`TIER_2K`, ..., `TIER_UNLIMITED`).
    pub async fn post_phone_number_quality(
        &self,
        event: &str,
        current_limit: &str,
    ) -> io::Result<()> {
        let value = crate::fields::phone_number_quality(
            &self.inner.config.display_phone_number,
            event,
            current_limit,
        );
        self.post_field("phone_number_quality_update", value).await
    }

    /// Posts a `user_preferences` change: `user` (a phone number or a BSUID) stopped (`stop`)
    /// or resumed (`resume`) marketing messages.
    pub async fn post_user_preference(&self, user: &str, value: &str) -> io::Result<()> {
        let value = self
            .inner
            .hooks
            .with_metadata(crate::fields::user_preference(user, value));
        self.post_field("user_preferences", value).await
    }

    /// Posts one status webhook (`sent`, `delivered`, `read`, `failed`, `played`...) for a
    /// message the sandbox accepted, e.g. to script an order the automatic sequence does not
    /// produce. `failed` carries a 131026 error. Errors if `wamid` is unknown or delivery fails.
    pub async fn post_status(&self, wamid: &str, status: &str) -> io::Result<()> {
        let Some(m) = lock(&self.inner.accepted)
            .iter()
            .find(|m| m.wamid == wamid)
            .cloned()
        else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no accepted message {wamid}"),
            ));
        };
        let job = StatusJob {
            wamid: m.wamid,
            recipient: m.wa_id,
            recipient_user_id: m.user_id,
            callback: m.biz_opaque_callback_data,
            category: if m.kind == "template" {
                "utility"
            } else {
                "service"
            },
            plan: StatusPlan::Normal { read: false },
            delay: Duration::ZERO,
        };
        let value = json!({ "statuses": [job.status(status)] });
        self.post_webhook_value(value).await
    }

    /// Posts one change `value` (`metadata` and `messaging_product` are added when missing),
    /// signed, to the webhook URL.
    pub async fn post_webhook_value(&self, value: Value) -> io::Result<()> {
        let payload = self.inner.hooks.envelope(value);
        self.inner.hooks.post(&payload).await
    }

    /// Re-posts the `index`-th payload of [`SandboxHandle::webhook_deliveries`] byte for byte
    /// (same signature) to the current URL, as Meta does when it re-delivers: a receiver must
    /// deduplicate.
    pub async fn redeliver_webhook(&self, index: usize) -> io::Result<()> {
        let body = lock(&self.inner.hooks.log)
            .get(index)
            .map(|d| d.body.clone())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such delivery"))?;
        let url = self
            .inner
            .hooks
            .url()
            .ok_or_else(|| io::Error::other("no webhook URL is configured"))?;
        self.inner.hooks.post_bytes(url, body).await
    }

    /// Runs Meta's verification handshake (`GET ?hub.mode=subscribe&hub.challenge=X&
    /// hub.verify_token=T`) against the webhook URL; true when it echoes the challenge.
    pub async fn verify_webhook_subscription(&self, verify_token: &str) -> io::Result<bool> {
        self.inner.hooks.handshake(verify_token).await
    }

    /// Stops accepting, closes connections (gracefully, at most 500 ms), and waits for the
    /// accept loop to end. Other clones of the handle stop working too.
    pub async fn shutdown(&self) {
        let _ = self.ctl.shutdown.send(true);
        let task = lock(&self.ctl.task).take();
        if let Some(t) = task {
            let _ = t.await;
        }
    }
}
