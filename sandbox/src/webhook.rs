//! Signed webhook delivery: statuses for accepted messages and inbound messages.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// One webhook the sandbox tried to deliver.
#[derive(Debug, Clone)]
pub struct WebhookDelivery {
    /// The URL posted to.
    pub url: String,
    /// The exact body posted.
    pub body: Bytes,
    /// The `X-Hub-Signature-256` header value (`sha256=<hex>`).
    pub signature: String,
    /// Attempts made.
    pub attempts: u32,
    /// The HTTP status of the last attempt, if an answer came.
    pub last_status: Option<u16>,
    /// Whether an attempt got a 2xx answer.
    pub delivered: bool,
}

impl WebhookDelivery {
    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The `statuses[]` entries of this payload (empty for inbound messages).
    pub fn statuses(&self) -> Vec<Value> {
        let v = self.json();
        v["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| e["changes"].as_array().cloned().unwrap_or_default())
            .flat_map(|c| {
                c["value"]["statuses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// `sha256=<hex hmac-sha256(secret, body)>`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub(crate) struct Webhooks {
    client: reqwest::Client,
    pub url: RwLock<Option<String>>,
    secret: String,
    attempts: u32,
    pub log: Mutex<Vec<WebhookDelivery>>,
    pub waba_id: String,
    pub display_phone_number: String,
    pub phone_number_id: String,
}

impl Webhooks {
    pub fn new(cfg: &crate::SandboxConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Webhooks {
            client,
            url: RwLock::new(cfg.webhook_url.clone()),
            secret: cfg.app_secret.clone(),
            attempts: cfg.webhook_attempts.max(1),
            log: Mutex::new(Vec::new()),
            waba_id: cfg.waba_id.clone(),
            display_phone_number: cfg.display_phone_number.clone(),
            phone_number_id: cfg.phone_number_id.clone(),
        }
    }

    pub fn url(&self) -> Option<String> {
        self.url.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Performs Meta's subscription handshake against the current URL: `GET` with
    /// `hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`; true when the answer is 200
    /// with the challenge as its body.
    pub async fn handshake(&self, verify_token: &str) -> std::io::Result<bool> {
        let Some(url) = self.url() else {
            return Err(std::io::Error::other("no webhook URL is configured"));
        };
        let challenge = crate::util::numeric_id();
        let r = self
            .client
            .get(&url)
            .query(&[
                ("hub.mode", "subscribe"),
                ("hub.challenge", challenge.as_str()),
                ("hub.verify_token", verify_token),
            ])
            .send()
            .await
            .map_err(std::io::Error::other)?;
        let ok = r.status().is_success();
        let body = r.text().await.map_err(std::io::Error::other)?;
        Ok(ok && body == challenge)
    }

    /// Wraps a `messages` change `value` (without metadata) into a full payload.
    pub fn envelope(&self, value: Value) -> Value {
        self.field_envelope("messages", self.with_metadata(value), None)
    }

    /// Adds `messaging_product` and `metadata` (the business number) when missing, as Meta
    /// does for the fields that concern one number.
    pub fn with_metadata(&self, mut value: Value) -> Value {
        if let Value::Object(m) = &mut value {
            m.entry("messaging_product")
                .or_insert_with(|| json!("whatsapp"));
            m.entry("metadata").or_insert_with(|| {
                json!({
                    "display_phone_number": crate::util::digits(&self.display_phone_number),
                    "phone_number_id": self.phone_number_id,
                })
            });
        }
        value
    }

    /// Wraps a change of `field` into a full payload, with the entry's `time` when given
    /// (Meta sends it with the account and template fields).
    pub fn field_envelope(&self, field: &str, value: Value, time: Option<u64>) -> Value {
        let mut entry = json!({
            "id": self.waba_id,
            "changes": [{"field": field, "value": value}],
        });
        if let Some(time) = time {
            entry["time"] = json!(time);
        }
        json!({"object": "whatsapp_business_account", "entry": [entry]})
    }

    /// Posts a payload to the current URL (retrying), logs the outcome. Never panics.
    pub async fn post(self: &Arc<Self>, payload: &Value) -> std::io::Result<()> {
        let Some(url) = self.url() else {
            return Err(std::io::Error::other("no webhook URL is configured"));
        };
        let body = Bytes::from(serde_json::to_vec(payload).unwrap_or_default());
        self.post_bytes(url, body).await
    }

    /// Posts exact bytes (signed) to `url`, retrying; logs the outcome. Never panics.
    pub async fn post_bytes(self: &Arc<Self>, url: String, body: Bytes) -> std::io::Result<()> {
        let signature = sign(&self.secret, &body);
        let mut attempts = 0;
        let mut last_status = None;
        let mut delivered = false;
        let mut last_err = String::new();
        let mut backoff = Duration::from_millis(50);
        while attempts < self.attempts {
            attempts += 1;
            let r = self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", &signature)
                .header("user-agent", "facebookexternalua")
                .body(body.clone())
                .send()
                .await;
            match r {
                Ok(resp) => {
                    last_status = Some(resp.status().as_u16());
                    if resp.status().is_success() {
                        delivered = true;
                        break;
                    }
                    last_err = format!("answered {}", resp.status());
                }
                Err(e) => last_err = e.to_string(),
            }
            tracing::warn!(%url, attempt = attempts, error = %last_err, "webhook delivery failed");
            if attempts < self.attempts {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(WebhookDelivery {
                url,
                body,
                signature,
                attempts,
                last_status,
                delivered,
            });
        if delivered {
            Ok(())
        } else {
            tracing::error!(attempts, error = %last_err, "webhook given up");
            Err(std::io::Error::other(format!(
                "webhook not delivered after {attempts} attempts: {last_err}"
            )))
        }
    }
}

/// How the status sequence of one accepted message goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StatusPlan {
    Normal { read: bool },
    Conflicting { failed_first: bool },
    Undeliverable,
}

pub(crate) struct StatusJob {
    pub wamid: String,
    /// The phone number's digits (`recipient_id`); empty for a send by user id.
    pub recipient: String,
    /// The user id of a send by `recipient` (`recipient_user_id`, and no `recipient_id`).
    pub recipient_user_id: Option<String>,
    pub callback: Option<String>,
    pub category: &'static str,
    pub plan: StatusPlan,
    pub delay: Duration,
}

fn failed_error() -> Value {
    json!([{
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "Message Undeliverable."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }])
}

impl StatusJob {
    pub fn status(&self, status: &str) -> Value {
        let mut s = json!({
            "id": self.wamid,
            "status": status,
            "timestamp": crate::util::unix_now().to_string(),
        });
        match &self.recipient_user_id {
            Some(user_id) => s["recipient_user_id"] = json!(user_id),
            None => s["recipient_id"] = json!(self.recipient),
        }
        if let Some(cb) = &self.callback {
            s["biz_opaque_callback_data"] = json!(cb);
        }
        if status == "failed" {
            s["errors"] = failed_error();
        } else {
            s["pricing"] = json!({
                "billable": true,
                "pricing_model": "PMP",
                "type": "regular",
                "category": self.category,
            });
        }
        s
    }

    pub async fn run(self, hooks: Arc<Webhooks>) {
        let steps: Vec<&str> = match self.plan {
            StatusPlan::Normal { read: true } => vec!["sent", "delivered", "read"],
            StatusPlan::Normal { read: false } => vec!["sent", "delivered"],
            StatusPlan::Conflicting { failed_first: true } => vec!["sent", "failed", "delivered"],
            StatusPlan::Conflicting {
                failed_first: false,
            } => vec!["sent", "delivered", "failed"],
            StatusPlan::Undeliverable => vec!["failed"],
        };
        for step in steps {
            tokio::time::sleep(self.delay).await;
            let payload = hooks.envelope(json!({ "statuses": [self.status(step)] }));
            if let Err(e) = hooks.post(&payload).await {
                tracing::warn!(wamid = %self.wamid, status = step, error = %e, "status webhook lost");
            }
        }
    }
}
