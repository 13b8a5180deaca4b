//! Validation of the template components beyond header, body and plain buttons, the way Meta
//! answers: carousel cards, the limited-time offer, and the catalog and multi-product (MPM)
//! buttons.

use serde_json::{Map, Value};

use crate::error::GraphError;
use crate::interactive::product_sections;

fn array<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    field: &str,
) -> Result<&'a [Value], GraphError> {
    match m.get(field) {
        None | Some(Value::Null) => Err(GraphError::missing(format!(
            "The parameter {path}['{field}'] is required."
        ))),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['{field}'] must be an array."
        ))),
    }
}

/// The single parameter of a component that takes one, as an object.
fn first_parameter<'a>(
    c: &'a Map<String, Value>,
    path: &str,
) -> Result<&'a Map<String, Value>, GraphError> {
    match array(c, path, "parameters")?.first() {
        Some(Value::Object(p)) => Ok(p),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {path}['parameters'][0] must be a JSON object."
        ))),
        None => Err(GraphError::missing(format!(
            "The parameter {path}['parameters'][0] is required."
        ))),
    }
}

fn parameter_type<'a>(p: &'a Map<String, Value>, path: &str) -> Result<&'a str, GraphError> {
    match p.get("type") {
        Some(Value::String(t)) => Ok(t),
        _ => Err(GraphError::missing(format!(
            "The parameter {path}['parameters'][0]['type'] is required."
        ))),
    }
}

/// Checks component `c` at `path`, whose lower-cased type is `ty`; other components pass.
pub(crate) fn check(c: &Map<String, Value>, path: &str, ty: &str) -> Result<(), GraphError> {
    match ty {
        "carousel" => carousel(c, path),
        "limited_time_offer" => limited_time_offer(c, path),
        "button" => {
            let sub = c
                .get("sub_type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            match sub.as_str() {
                "catalog" => catalog_button(c, path, false),
                "mpm" => catalog_button(c, path, true),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn carousel(c: &Map<String, Value>, path: &str) -> Result<(), GraphError> {
    let cards = array(c, path, "cards")?;
    if !(2..=10).contains(&cards.len()) {
        return Err(GraphError::bad_value(format!(
            "Param {path}['cards'] must have between 2 and 10 cards; got {}.",
            cards.len()
        )));
    }
    let mut seen = Vec::new();
    for (i, card) in cards.iter().enumerate() {
        let cpath = format!("{path}['cards'][{i}]");
        let Value::Object(card) = card else {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param {cpath} must be a JSON object."
            )));
        };
        let index = match card.get("card_index") {
            Some(Value::Number(n)) if n.is_u64() => n.as_u64().unwrap_or_default(),
            None | Some(Value::Null) => {
                return Err(GraphError::missing(format!(
                    "The parameter {cpath}['card_index'] is required."
                )))
            }
            Some(_) => {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param {cpath}['card_index'] must be a non-negative integer."
                )))
            }
        };
        if seen.contains(&index) {
            return Err(GraphError::bad_value(format!(
                "Param {cpath}['card_index'] {index} is used twice."
            )));
        }
        seen.push(index);
        let components = array(card, &cpath, "components")?;
        let mut headers = 0;
        let mut buttons = 0;
        for (j, comp) in components.iter().enumerate() {
            let kpath = format!("{cpath}['components'][{j}]");
            let Value::Object(comp) = comp else {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param {kpath} must be a JSON object."
                )));
            };
            let kind = comp
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            match kind.as_str() {
                "header" => {
                    headers += 1;
                    let p = first_parameter(comp, &kpath)?;
                    let pty = parameter_type(p, &kpath)?;
                    if !matches!(pty, "image" | "video" | "product") {
                        return Err(GraphError::bad_value(format!(
                            "Param {kpath}['parameters'][0]['type'] must be image, video or product for a carousel card; got \"{pty}\"."
                        )));
                    }
                    match p.get(pty) {
                        Some(Value::Object(m)) if pty != "product" && (m.contains_key("id") || m.contains_key("link")) => {}
                        Some(Value::Object(m)) if pty == "product" && m.get("product_retailer_id").is_some_and(Value::is_string) && m.get("catalog_id").is_some_and(Value::is_string) => {}
                        _ => {
                            return Err(GraphError::bad_value(format!(
                                "Param {kpath}['parameters'][0]['{pty}'] is not valid."
                            )))
                        }
                    }
                }
                "body" => {}
                "button" => {
                    buttons += 1;
                    if !comp.contains_key("sub_type") || !comp.contains_key("index") {
                        return Err(GraphError::missing(format!(
                            "The parameters {kpath}['sub_type'] and ['index'] are required."
                        )));
                    }
                }
                other => {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param {kpath}['type'] must be one of {{HEADER, BODY, BUTTON}} - got \"{other}\"."
                    )))
                }
            }
        }
        if headers != 1 {
            return Err(GraphError::bad_value(format!(
                "Param {cpath}['components'] must hold exactly one header."
            )));
        }
        if buttons > 2 {
            return Err(GraphError::bad_value(format!(
                "Param {cpath}['components'] may hold at most 2 buttons; got {buttons}."
            )));
        }
    }
    Ok(())
}

fn limited_time_offer(c: &Map<String, Value>, path: &str) -> Result<(), GraphError> {
    let p = first_parameter(c, path)?;
    let pty = parameter_type(p, path)?;
    if pty != "limited_time_offer" {
        return Err(GraphError::bad_value(format!(
            "Param {path}['parameters'][0]['type'] must be limited_time_offer; got \"{pty}\"."
        )));
    }
    let offer = p.get("limited_time_offer").and_then(Value::as_object);
    match offer.and_then(|o| o.get("expiration_time_ms")) {
        Some(Value::Number(n)) if n.as_i64().is_some_and(|ms| ms > 0) => Ok(()),
        None => Err(GraphError::missing(format!(
            "The parameter {path}['parameters'][0]['limited_time_offer']['expiration_time_ms'] is required."
        ))),
        Some(_) => Err(GraphError::bad_value(format!(
            "Param {path}['parameters'][0]['limited_time_offer']['expiration_time_ms'] must be a Unix time in milliseconds."
        ))),
    }
}

fn catalog_button(c: &Map<String, Value>, path: &str, mpm: bool) -> Result<(), GraphError> {
    let p = first_parameter(c, path)?;
    let pty = parameter_type(p, path)?;
    let apath = format!("{path}['parameters'][0]['action']");
    if pty != "action" {
        return Err(GraphError::bad_value(format!(
            "Param {path}['parameters'][0]['type'] must be action; got \"{pty}\"."
        )));
    }
    let Some(Value::Object(action)) = p.get("action") else {
        return Err(GraphError::missing(format!(
            "The parameter {apath} is required."
        )));
    };
    match action.get("thumbnail_product_retailer_id") {
        Some(Value::String(id)) if !id.trim().is_empty() => {}
        Some(Value::String(_)) => {
            return Err(GraphError::bad_value(format!(
                "Param {apath}['thumbnail_product_retailer_id'] must be a non-empty string."
            )))
        }
        _ if !mpm => return Ok(()),
        _ => {
            return Err(GraphError::missing(format!(
                "The parameter {apath}['thumbnail_product_retailer_id'] is required."
            )))
        }
    }
    if mpm {
        product_sections(
            array(action, &apath, "sections")?,
            &format!("{apath}['sections']"),
        )?;
    }
    Ok(())
}
