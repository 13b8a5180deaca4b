//! QR codes and short links.

use axum::http::StatusCode;
use rand::Rng as _;
use serde_json::{json, Value};

use super::parse_object;
use crate::error::GraphError;

#[derive(Debug, Clone)]
struct Qr {
    code: String,
    message: String,
}

/// The number's QR codes, in creation order.
#[derive(Debug, Default)]
pub(crate) struct QrCodes {
    codes: Vec<Qr>,
}

fn item(qr: &Qr) -> Value {
    json!({
        "code": qr.code,
        "prefilled_message": qr.message,
        "deep_link_url": format!("https://wa.me/message/{}", qr.code),
    })
}

fn message(v: &Value) -> Result<String, GraphError> {
    let text = v
        .get("prefilled_message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if text.is_empty() {
        return Err(GraphError::missing(
            "The parameter prefilled_message is required.",
        ));
    }
    if text.chars().count() > 140 {
        return Err(GraphError::bad_value(
            "Param prefilled_message must be at most 140 characters long.",
        ));
    }
    Ok(text.to_owned())
}

fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

impl QrCodes {
    pub(crate) fn list(&self) -> Vec<Value> {
        self.codes.iter().map(item).collect()
    }

    pub(crate) fn get(&self, code: &str) -> Result<Value, GraphError> {
        self.codes
            .iter()
            .find(|qr| qr.code == code)
            .map(|qr| json!({ "data": [item(qr)] }))
            .ok_or_else(|| GraphError::unknown_object(code, "get"))
    }

    /// Creates a code (no `code` in the body) or updates one.
    pub(crate) fn post(
        &mut self,
        body: &[u8],
        base_url: &str,
    ) -> Result<(StatusCode, Value), GraphError> {
        let v = parse_object(body)?;
        let text = message(&v)?;
        if let Some(code) = v.get("code").and_then(Value::as_str) {
            let Some(qr) = self.codes.iter_mut().find(|qr| qr.code == code) else {
                return Err(GraphError::unknown_object(code, "post"));
            };
            qr.message = text;
            return Ok((StatusCode::OK, item(qr)));
        }
        let format = match v.get("generate_qr_image").and_then(Value::as_str) {
            None => None,
            Some(f @ ("SVG" | "PNG")) => Some(f.to_ascii_lowercase()),
            Some(other) => {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param generate_qr_image must be one of {{SVG, PNG}} - got \"{other}\"."
                )))
            }
        };
        let qr = Qr {
            code: new_code(),
            message: text,
        };
        let mut answer = item(&qr);
        if let Some(format) = format {
            answer["qr_image_url"] = json!(format!("{base_url}/qr/{}.{format}", qr.code));
        }
        self.codes.push(qr);
        Ok((StatusCode::OK, answer))
    }

    pub(crate) fn delete(&mut self, code: &str) -> Result<Value, GraphError> {
        let before = self.codes.len();
        self.codes.retain(|qr| qr.code != code);
        if self.codes.len() == before {
            return Err(GraphError::unknown_object(code, "delete"));
        }
        Ok(json!({"success": true}))
    }
}
