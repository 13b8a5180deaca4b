//! Request validation for `POST /{v}/{id}/messages`, the way Meta answers it.

use serde_json::{Map, Value};

use crate::error::GraphError;

/// What a valid `/messages` body asks for.
#[derive(Debug, Clone)]
pub(crate) enum MessagesRequest {
    /// Mark as read (with or without a typing indicator).
    Read {
        #[allow(dead_code)]
        message_id: String,
        #[allow(dead_code)]
        typing: bool,
    },
    /// A message send.
    Send(SendInfo),
}

#[derive(Debug, Clone)]
pub(crate) struct SendInfo {
    /// The recipient as sent: `to`, or `recipient` for a send by user id.
    pub to: String,
    /// The phone number's digits; empty for a send by user id.
    pub wa_id: String,
    /// The business-scoped user id (or parent id) of a send by `recipient`.
    pub user_id: Option<String>,
    pub kind: String,
    pub callback: Option<String>,
    pub body: Value,
}

const TYPES: &[&str] = &[
    "audio",
    "contacts",
    "document",
    "image",
    "interactive",
    "location",
    "reaction",
    "sticker",
    "template",
    "text",
    "video",
];

pub(crate) fn chars(s: &str) -> usize {
    s.chars().count()
}

fn obj<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, GraphError> {
    match v.get(field) {
        None | Some(Value::Null) => Err(GraphError::missing(format!(
            "The parameter {field} is required."
        ))),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {field} must be a JSON object."
        ))),
    }
}

pub(crate) fn req_str<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<&'a str, GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Err(GraphError::missing(format!(
            "The parameter {path}['{field}'] is required."
        ))),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be a string."
        ))),
    }
}

pub(crate) fn opt_str<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<Option<&'a str>, GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be a string."
        ))),
    }
}

pub(crate) fn max_len(s: &str, max: usize, what: &str) -> Result<(), GraphError> {
    if chars(s) > max {
        return Err(GraphError::bad_value(format!(
            "{what} must be at most {max} characters long."
        )));
    }
    Ok(())
}

/// Validates a `/messages` body.
pub(crate) fn messages(body: &[u8]) -> Result<MessagesRequest, GraphError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        GraphError::invalid_param("(#100) Invalid parameter")
            .details(format!("The request body is not valid JSON: {e}"))
    })?;
    let Value::Object(root) = &v else {
        return Err(GraphError::invalid_param("(#100) Invalid parameter")
            .details("The request body must be a JSON object."));
    };
    match root.get("messaging_product") {
        None | Some(Value::Null) => {
            return Err(GraphError::invalid_param(
                "(#100) The parameter messaging_product is required.",
            ))
        }
        Some(Value::String(s)) if s == "whatsapp" => {}
        Some(other) => {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param messaging_product must be one of {{WHATSAPP}} - got {other}."
            )))
        }
    }

    if let Some(status) = root.get("status") {
        if status != "read" {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param status must be one of {{READ}} - got {status}."
            )));
        }
        let message_id = req_str(root, "body", "message_id")?;
        if !message_id.starts_with("wamid.") {
            return Err(GraphError::bad_value("Invalid message_id parameter."));
        }
        let typing = match root.get("typing_indicator") {
            None | Some(Value::Null) => false,
            Some(Value::Object(t)) => {
                let ty = req_str(t, "typing_indicator", "type")?;
                if ty != "text" {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param typing_indicator['type'] must be one of {{TEXT}} - got \"{ty}\"."
                    )));
                }
                true
            }
            Some(_) => {
                return Err(GraphError::invalid_param(
                    "(#100) Param typing_indicator must be a JSON object.",
                ))
            }
        };
        return Ok(MessagesRequest::Read {
            message_id: message_id.to_string(),
            typing,
        });
    }

    if let Some(rt) = root.get("recipient_type") {
        if rt != "individual" && rt != "group" {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param recipient_type must be one of {{INDIVIDUAL, GROUP}} - got {rt}."
            )));
        }
    }
    let (to, wa_id, user_id) = recipient_of(root)?;
    let kind = match root.get("type") {
        None | Some(Value::Null) => "text".to_string(),
        Some(Value::String(s)) if TYPES.contains(&s.as_str()) => s.clone(),
        Some(other) => {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param type must be one of {{AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO}} - got {other}."
            )))
        }
    };
    let callback = match root.get("biz_opaque_callback_data") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            max_len(s, 512, "biz_opaque_callback_data")?;
            Some(s.clone())
        }
        Some(_) => {
            return Err(GraphError::invalid_param(
                "(#100) Param biz_opaque_callback_data must be a string.",
            ))
        }
    };
    if let Some(ctx) = root.get("context") {
        let Value::Object(c) = ctx else {
            return Err(GraphError::invalid_param(
                "(#100) Param context must be a JSON object.",
            ));
        };
        req_str(c, "context", "message_id")?;
    }

    match kind.as_str() {
        "text" => text(&v)?,
        "image" | "video" | "audio" | "document" | "sticker" => media(&v, &kind)?,
        "template" => template(&v)?,
        "location" => location(&v)?,
        "contacts" => contacts(&v)?,
        "interactive" => crate::interactive::validate(&v)?,
        "reaction" => reaction(&v)?,
        _ => unreachable!("type checked above"),
    }
    Ok(MessagesRequest::Send(SendInfo {
        to,
        wa_id,
        user_id,
        kind,
        callback,
        body: v,
    }))
}

/// Whom a send is for: `to` (a phone number) when present, as Meta reads it first; otherwise
/// `recipient`, a business-scoped user id (`US.13491208655302741918`) or parent id
/// (`US.ENT.11815799212886844830`). Returns the value as sent, the phone digits (empty for a
/// user id) and the user id.
fn recipient_of(root: &Map<String, Value>) -> Result<(String, String, Option<String>), GraphError> {
    match root.get("to") {
        None | Some(Value::Null) => {}
        Some(Value::String(to)) => {
            let ok_chars = to
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            let wa_id = crate::util::digits(to);
            if !ok_chars || !(5..=15).contains(&wa_id.len()) {
                return Err(GraphError::bad_value(format!(
                    "Invalid 'to' parameter: {to:?} is not a phone number."
                )));
            }
            return Ok((to.clone(), wa_id, None));
        }
        Some(_) => {
            return Err(GraphError::invalid_param(
                "(#100) Param to must be a string.",
            ))
        }
    }
    match root.get("recipient") {
        None | Some(Value::Null) => Err(GraphError::missing("The parameter to is required.")),
        Some(Value::String(id)) if crate::util::is_user_id(id) => {
            Ok((id.clone(), String::new(), Some(id.clone())))
        }
        Some(Value::String(id)) => Err(GraphError::bad_value(format!(
            "Invalid 'recipient' parameter: {id:?} is not a business-scoped user ID."
        ))),
        Some(_) => Err(GraphError::invalid_param(
            "(#100) Param recipient must be a string.",
        )),
    }
}

fn text(v: &Value) -> Result<(), GraphError> {
    let t = obj(v, "text")?;
    let body = req_str(t, "text", "body")?;
    if body.trim().is_empty() {
        return Err(GraphError::invalid_param("(#100) Invalid parameter")
            .details("Param text['body'] must be a non-empty string."));
    }
    if chars(body) > 4096 {
        return Err(GraphError::invalid_param("(#100) Invalid parameter")
            .details("Param text['body'] must be at most 4096 characters long."));
    }
    if let Some(p) = t.get("preview_url") {
        if !p.is_boolean() {
            return Err(GraphError::invalid_param(
                "(#100) Param text['preview_url'] must be a boolean.",
            ));
        }
    }
    Ok(())
}

fn media(v: &Value, kind: &str) -> Result<(), GraphError> {
    let m = obj(v, kind)?;
    let id = opt_str(m, kind, "id")?;
    let link = opt_str(m, kind, "link")?;
    match (id, link) {
        (None, None) => {
            return Err(GraphError::bad_value(format!(
                "Please specify either an id or a link for {kind}."
            )))
        }
        (Some(_), Some(_)) => {
            return Err(GraphError::bad_value(format!(
                "Please specify only one of id or link for {kind}."
            )))
        }
        (None, Some(l)) if !(l.starts_with("https://") || l.starts_with("http://")) => {
            return Err(GraphError::bad_value(format!(
                "Param {kind}['link'] is not a valid URL."
            )))
        }
        (Some(""), None) => {
            return Err(GraphError::bad_value(format!(
                "Param {kind}['id'] must be a non-empty string."
            )))
        }
        _ => {}
    }
    if let Some(c) = opt_str(m, kind, "caption")? {
        if kind == "audio" || kind == "sticker" {
            return Err(GraphError::bad_value(format!(
                "Param {kind}['caption'] is not supported for {kind} messages."
            )));
        }
        max_len(c, 1024, &format!("Param {kind}['caption']"))?;
    }
    if m.contains_key("filename") && kind != "document" {
        return Err(GraphError::bad_value(format!(
            "Param {kind}['filename'] is only supported for document messages."
        )));
    }
    Ok(())
}

const PARAM_TYPES: &[&str] = &[
    "text",
    "currency",
    "date_time",
    "image",
    "document",
    "video",
    "payload",
    "location",
    "action",
    "coupon_code",
    "order_status",
    "product",
    "limited_time_offer",
];

fn template(v: &Value) -> Result<(), GraphError> {
    let t = obj(v, "template")?;
    let name = req_str(t, "template", "name")?;
    if name.is_empty() {
        return Err(GraphError::missing(
            "The parameter template['name'] is required.",
        ));
    }
    let lang = match t.get("language") {
        None | Some(Value::Null) => {
            return Err(GraphError::missing(
                "The parameter template['language'] is required.",
            ))
        }
        Some(Value::Object(l)) => l,
        Some(_) => {
            return Err(GraphError::invalid_param(
                "(#100) Param template['language'] must be a JSON object.",
            ))
        }
    };
    let code = req_str(lang, "template['language']", "code")?;
    if code.is_empty() {
        return Err(GraphError::missing(
            "The parameter template['language']['code'] is required.",
        ));
    }
    let Some(components) = t.get("components") else {
        return Ok(());
    };
    let Value::Array(components) = components else {
        return Err(GraphError::invalid_param(
            "(#100) Param template['components'] must be an array.",
        ));
    };
    for (i, c) in components.iter().enumerate() {
        let Value::Object(c) = c else {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param template['components'][{i}] must be a JSON object."
            )));
        };
        let path = format!("template['components'][{i}]");
        let ty = req_str(c, &path, "type")?.to_ascii_lowercase();
        if ![
            "header",
            "body",
            "button",
            "footer",
            "carousel",
            "limited_time_offer",
        ]
        .contains(&ty.as_str())
        {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path}['type'] must be one of {{HEADER, BODY, BUTTON, FOOTER, CAROUSEL, LIMITED_TIME_OFFER}} - got \"{ty}\"."
            )));
        }
        if ty == "button" {
            req_str(c, &path, "sub_type")?;
            match c.get("index") {
                None | Some(Value::Null) => {
                    return Err(GraphError::missing(format!(
                        "The parameter {path}['index'] is required."
                    )))
                }
                Some(Value::String(_)) | Some(Value::Number(_)) => {}
                Some(_) => {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param {path}['index'] must be a number."
                    )))
                }
            }
        }
        crate::template_parts::check(c, &path, &ty)?;
        if let Some(params) = c.get("parameters") {
            let Value::Array(params) = params else {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param {path}['parameters'] must be an array."
                )));
            };
            for (j, p) in params.iter().enumerate() {
                let ppath = format!("{path}['parameters'][{j}]");
                let Value::Object(p) = p else {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param {ppath} must be a JSON object."
                    )));
                };
                let pty = req_str(p, &ppath, "type")?;
                if !PARAM_TYPES.contains(&pty) {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param {ppath}['type'] is not valid: \"{pty}\"."
                    )));
                }
                if pty == "text" {
                    req_str(p, &ppath, "text")?;
                }
                if pty == "payload" {
                    req_str(p, &ppath, "payload")?;
                }
                if ["image", "document", "video"].contains(&pty) {
                    match p.get(pty) {
                        Some(Value::Object(m))
                            if m.contains_key("id") || m.contains_key("link") => {}
                        _ => {
                            return Err(GraphError::bad_value(format!(
                                "Please specify either an id or a link for {ppath}['{pty}']."
                            )))
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn number(m: &Map<String, Value>, field: &str, limit: f64) -> Result<(), GraphError> {
    let x = match m.get(field) {
        None | Some(Value::Null) => {
            return Err(GraphError::missing(format!(
                "The parameter location['{field}'] is required."
            )))
        }
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => s.parse::<f64>().unwrap_or(f64::NAN),
        Some(_) => f64::NAN,
    };
    if !(x.is_finite() && x.abs() <= limit) {
        return Err(GraphError::bad_value(format!(
            "Param location['{field}'] must be a number between -{limit} and {limit}."
        )));
    }
    Ok(())
}

fn location(v: &Value) -> Result<(), GraphError> {
    let l = obj(v, "location")?;
    number(l, "latitude", 90.0)?;
    number(l, "longitude", 180.0)?;
    opt_str(l, "location", "name")?;
    opt_str(l, "location", "address")?;
    Ok(())
}

fn contacts(v: &Value) -> Result<(), GraphError> {
    let list = match v.get("contacts") {
        None | Some(Value::Null) => {
            return Err(GraphError::missing("The parameter contacts is required."))
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(GraphError::invalid_param(
                "(#100) Param contacts must be an array.",
            ))
        }
    };
    if list.is_empty() {
        return Err(GraphError::missing(
            "The parameter contacts must hold at least one contact.",
        ));
    }
    for (i, c) in list.iter().enumerate() {
        let path = format!("contacts[{i}]");
        let Value::Object(c) = c else {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {path} must be a JSON object."
            )));
        };
        match c.get("name") {
            Some(Value::Object(n)) => {
                req_str(n, &format!("{path}['name']"), "formatted_name")?;
            }
            _ => {
                return Err(GraphError::missing(format!(
                    "The parameter {path}['name'] is required."
                )))
            }
        }
    }
    Ok(())
}

fn reaction(v: &Value) -> Result<(), GraphError> {
    let r = obj(v, "reaction")?;
    req_str(r, "reaction", "message_id")?;
    req_str(r, "reaction", "emoji")?;
    Ok(())
}
