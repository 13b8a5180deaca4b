//! The apps subscribed to the WABA's webhooks.

use serde_json::{json, Value};

use crate::config::SandboxConfig;
use crate::error::GraphError;

/// Whether the token's app is subscribed, and its override callback.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    subscribed: bool,
    override_callback: Option<String>,
}

impl Subscriptions {
    pub(crate) fn list(&self, cfg: &SandboxConfig) -> Vec<Value> {
        if !self.subscribed {
            return Vec::new();
        }
        let mut item = json!({"whatsapp_business_api_data": {
            "id": cfg.app_id,
            "link": format!("https://www.facebook.com/games/?app_id={}", cfg.app_id),
            "name": "wacloud sandbox app",
        }});
        if let Some(uri) = &self.override_callback {
            item["override_callback_uri"] = json!(uri);
        }
        vec![item]
    }

    pub(crate) fn subscribe(&mut self, body: &[u8]) -> Result<Value, GraphError> {
        let v: Value = if body.is_empty() {
            json!({})
        } else {
            super::parse_object(body)?
        };
        match (v.get("override_callback_uri"), v.get("verify_token")) {
            (None, _) => self.override_callback = None,
            (Some(uri), token) => {
                let Some(uri) = uri.as_str().filter(|u| u.starts_with("https://")) else {
                    return Err(GraphError::bad_value(
                        "Param override_callback_uri must be an https URL.",
                    ));
                };
                if !token.and_then(Value::as_str).is_some_and(|t| !t.is_empty()) {
                    return Err(GraphError::missing(
                        "The parameter verify_token is required with override_callback_uri.",
                    ));
                }
                self.override_callback = Some(uri.to_owned());
            }
        }
        self.subscribed = true;
        Ok(json!({"success": true}))
    }

    pub(crate) fn unsubscribe(&mut self) -> Value {
        self.subscribed = false;
        self.override_callback = None;
        json!({"success": true})
    }
}
