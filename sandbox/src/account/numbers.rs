//! The WABA's phone numbers, their registration, verification codes and two-step PIN.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::parse_object;
use crate::config::SandboxConfig;
use crate::error::GraphError;

/// The verification code the sandbox "sends" by SMS or voice (`request_code`), which
/// `verify_code` accepts.
pub const SANDBOX_VERIFICATION_CODE: &str = "123456";
/// Register and deregister calls allowed per number before 133016.
const REGISTER_LIMIT: u32 = 10;

#[derive(Debug)]
struct Number {
    id: String,
    display: String,
    registered: bool,
    verified: bool,
    code_sent: bool,
    pin: Option<String>,
    register_calls: u32,
}

/// The numbers: the configured one (registered, verified) and a second one, unverified and
/// unregistered, to walk through registration.
#[derive(Debug)]
pub(crate) struct Numbers {
    numbers: Vec<Number>,
}

/// The id of the sandbox's second phone number, listed with the configured one but neither
/// verified nor registered: the one to walk through `request_code`, `verify_code` and
/// `register`.
pub const SECOND_PHONE_NUMBER_ID: &str = "100000000000002";

impl Numbers {
    pub(crate) fn new(cfg: &SandboxConfig) -> Self {
        Numbers {
            numbers: vec![
                Number {
                    id: cfg.phone_number_id.clone(),
                    display: cfg.display_phone_number.clone(),
                    registered: true,
                    verified: true,
                    code_sent: false,
                    pin: None,
                    register_calls: 0,
                },
                Number {
                    id: SECOND_PHONE_NUMBER_ID.into(),
                    display: "+1 555 010 0002".into(),
                    registered: false,
                    verified: false,
                    code_sent: false,
                    pin: None,
                    register_calls: 0,
                },
            ],
        }
    }

    pub(crate) fn knows(&self, id: &str) -> bool {
        self.numbers.iter().any(|n| n.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut Number, GraphError> {
        self.numbers
            .iter_mut()
            .find(|n| n.id == id)
            .ok_or_else(|| GraphError::unknown_object(id, "post"))
    }

    /// The list items of `GET /{waba}/phone_numbers`.
    pub(crate) fn list(&self, cfg: &SandboxConfig) -> Vec<Value> {
        self.numbers.iter().map(|n| self.item(n, cfg)).collect()
    }

    /// `GET /{phone-number-id}` for a number the server does not describe itself.
    pub(crate) fn get(&self, id: &str, cfg: &SandboxConfig) -> Option<Value> {
        self.numbers
            .iter()
            .find(|n| n.id == id)
            .map(|n| self.item(n, cfg))
    }

    fn item(&self, n: &Number, cfg: &SandboxConfig) -> Value {
        let first = n.id == cfg.phone_number_id;
        json!({
            "id": n.id,
            "display_phone_number": n.display,
            "verified_name": cfg.verified_name,
            "code_verification_status": if n.verified { "VERIFIED" } else { "NOT_VERIFIED" },
            "quality_rating": if first { cfg.quality_rating.as_str() } else { "UNKNOWN" },
            "platform_type": if n.registered { "CLOUD_API" } else { "NOT_APPLICABLE" },
            "throughput": {"level": if first { cfg.throughput_level.as_str() } else { "NOT_APPLICABLE" }},
            "name_status": if first { "APPROVED" } else { "PENDING_REVIEW" },
            "whatsapp_business_manager_messaging_limit": "TIER_2K",
        })
    }

    pub(crate) fn request_code(&mut self, id: &str, body: &[u8]) -> Result<Value, GraphError> {
        let v = parse_object(body)?;
        match v.get("code_method").and_then(Value::as_str) {
            Some("SMS" | "VOICE") => {}
            _ => {
                return Err(GraphError::invalid_param(
                    "(#100) Param code_method must be one of {SMS, VOICE}.",
                ))
            }
        }
        if v.get("language").and_then(Value::as_str).is_none_or_empty() {
            return Err(GraphError::missing("The parameter language is required."));
        }
        self.get_mut(id)?.code_sent = true;
        Ok(json!({"success": true}))
    }

    pub(crate) fn verify_code(&mut self, id: &str, body: &[u8]) -> Result<Value, GraphError> {
        let v = parse_object(body)?;
        let number = self.get_mut(id)?;
        if !number.code_sent {
            return Err(GraphError::invalid_param("(#100) Invalid parameter")
                .details("Request a code before verifying it."));
        }
        if v.get("code").and_then(Value::as_str) != Some(SANDBOX_VERIFICATION_CODE) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                136025,
                "(#136025) Verify code error",
            )
            .details("The verification code does not match the code sent."));
        }
        number.verified = true;
        number.code_sent = false;
        Ok(json!({"success": true}))
    }

    pub(crate) fn register(&mut self, id: &str, body: &[u8]) -> Result<Value, GraphError> {
        let v = parse_object(body)?;
        if v.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
            return Err(GraphError::invalid_param(
                "(#100) The parameter messaging_product is required.",
            ));
        }
        let pin = v
            .get("pin")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GraphError::bad_value("Param pin must be 6 digits."));
        }
        if let Some(region) = v.get("data_localization_region") {
            if !region
                .as_str()
                .is_some_and(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
            {
                return Err(GraphError::bad_value(
                    "Param data_localization_region must be an ISO 3166 alpha-2 code.",
                ));
            }
        }
        let number = self.get_mut(id)?;
        number.register_calls += 1;
        if number.register_calls > REGISTER_LIMIT {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                133016,
                "(#133016) Account register deregister rate limit exceeded",
            )
            .details("Too many register or deregister calls for this number; try again later."));
        }
        if !number.verified {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                133006,
                "(#133006) Phone number re-verification needed",
            )
            .details("Verify the number (request_code, verify_code) before registering it."));
        }
        match &number.pin {
            Some(existing) if *existing != pin => {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    133005,
                    "(#133005) Two step verification PIN Mismatch",
                )
                .details("The PIN does not match the number's two-step verification PIN."));
            }
            _ => number.pin = Some(pin),
        }
        number.registered = true;
        Ok(json!({"success": true}))
    }

    pub(crate) fn deregister(&mut self, id: &str) -> Result<Value, GraphError> {
        let number = self.get_mut(id)?;
        number.register_calls += 1;
        if number.register_calls > REGISTER_LIMIT {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                133016,
                "(#133016) Account register deregister rate limit exceeded",
            )
            .details("Too many register or deregister calls for this number; try again later."));
        }
        number.registered = false;
        Ok(json!({"success": true}))
    }

    pub(crate) fn set_pin(&mut self, id: &str, body: &[u8]) -> Result<Value, GraphError> {
        let v = parse_object(body)?;
        let pin = v.get("pin").and_then(Value::as_str).unwrap_or_default();
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GraphError::bad_value("Param pin must be 6 digits."));
        }
        self.get_mut(id)?.pin = Some(pin.to_owned());
        Ok(json!({"success": true}))
    }
}

trait EmptyStr {
    fn is_none_or_empty(&self) -> bool;
}

impl EmptyStr for Option<&str> {
    fn is_none_or_empty(&self) -> bool {
        self.map_or(true, str::is_empty)
    }
}
