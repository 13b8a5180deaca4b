//! Shared helpers for the sandbox's HTTP tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use wacloud_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

pub const V: &str = "v23.0";

pub async fn start(cfg: SandboxConfig) -> SandboxHandle {
    Sandbox::start(cfg).await.expect("sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

pub fn messages_url(sb: &SandboxHandle) -> String {
    format!(
        "{}/{V}/{}/messages",
        sb.base_url(),
        sb.config().phone_number_id
    )
}

pub async fn post_json(
    c: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> (u16, Value, HeaderMap) {
    let r = c
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v, headers)
}

pub async fn send(sb: &SandboxHandle, body: &Value) -> (u16, Value) {
    let (s, v, _) = post_json(&client(), &messages_url(sb), "sandbox-token", body).await;
    (s, v)
}

pub fn text(to: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
           "type": "text", "text": {"body": body}})
}

/// Asserts a Meta-shaped Graph error with this code.
pub fn assert_graph_error(v: &Value, code: i64) {
    let e = &v["error"];
    assert_eq!(e["code"], json!(code), "body: {v}");
    assert_eq!(e["type"], json!("OAuthException"), "body: {v}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {v}"
    );
    assert!(
        e["fbtrace_id"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {v}"
    );
}

/// A webhook receiver on loopback that records (raw body, signature header) and answers
/// with the configured status.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<(Bytes, String)>>>,
    pub fail_first: Arc<Mutex<usize>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    {
        let mut f = r.fail_first.lock().unwrap();
        if *f > 0 {
            *f -= 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    r.got.lock().unwrap().push((body, sig));
    StatusCode::OK
}

async fn handshake(
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> (StatusCode, String) {
    if q.get("hub.mode").map(String::as_str) == Some("subscribe")
        && q.get("hub.verify_token").map(String::as_str) == Some("verify-me")
    {
        (
            StatusCode::OK,
            q.get("hub.challenge").cloned().unwrap_or_default(),
        )
    } else {
        (StatusCode::FORBIDDEN, String::new())
    }
}

impl Receiver {
    pub async fn start() -> (Receiver, String) {
        let r = Receiver::default();
        let app = axum::Router::new()
            .route("/webhook", axum::routing::post(receive).get(handshake))
            .with_state(r.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhook", l.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        (r, url)
    }

    pub fn bodies(&self) -> Vec<(Bytes, String)> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (up to 1 s real time) for `n` payloads.
    pub async fn wait(&self, n: usize) -> Vec<(Bytes, String)> {
        for _ in 0..200 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        self.bodies()
    }

    /// All statuses received, in arrival order, after checking every signature.
    pub fn statuses(&self, secret: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (body, sig) in self.bodies() {
            assert!(verify(secret, &body, &sig), "bad signature {sig}");
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["object"], "whatsapp_business_account");
            for s in v["entry"][0]["changes"][0]["value"]["statuses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                out.push(s);
            }
        }
        out
    }
}

pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}
