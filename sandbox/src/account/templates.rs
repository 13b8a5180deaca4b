//! The WABA's message templates: seeded in several review states, listed with Meta's filters,
//! read, created (checked the way Meta answers: codes 100 and its 2388xxx subcodes), edited and
//! deleted by name or by id and name.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::error::GraphError;

#[derive(Debug, Clone)]
struct Template {
    id: String,
    name: String,
    language: String,
    status: String,
    category: String,
    parameter_format: String,
    components: Value,
    rejected_reason: Option<String>,
}

impl Template {
    fn to_json(&self) -> Value {
        let mut v = json!({
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        });
        if let Some(reason) = &self.rejected_reason {
            v["rejected_reason"] = json!(reason);
        }
        v
    }
}

/// The templates of the sandbox's WABA.
#[derive(Debug)]
pub(crate) struct Templates {
    items: Vec<Template>,
    next_id: u64,
}

fn body_only(text: &str) -> Value {
    json!([{"type": "BODY", "text": text}])
}

impl Templates {
    /// Eight templates in every review state a list shows: approved, pending, rejected,
    /// paused, disabled; in three categories and several languages.
    pub(crate) fn seeded() -> Self {
        let seed = [
            (
                "hello_world",
                "en_US",
                "APPROVED",
                "UTILITY",
                json!([
                    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
                    {"type": "BODY", "text": "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta."},
                    {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"}
                ]),
            ),
            (
                "order_update",
                "en_US",
                "APPROVED",
                "UTILITY",
                json!([
                    {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped.", "example": {"body_text": [["Pablo", "8c3d"]]}}
                ]),
            ),
            (
                "order_update",
                "pt_BR",
                "PENDING",
                "UTILITY",
                json!([
                    {"type": "BODY", "text": "Oi {{1}}, seu pedido {{2}} foi enviado.", "example": {"body_text": [["Pablo", "8c3d"]]}}
                ]),
            ),
            (
                "spring_sale",
                "en_US",
                "APPROVED",
                "MARKETING",
                json!([
                    {"type": "BODY", "text": "Hi {{1}}, our spring sale starts today!", "example": {"body_text": [["Pablo"]]}},
                    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop promotions"}]}
                ]),
            ),
            (
                "winter_teaser",
                "en_US",
                "REJECTED",
                "MARKETING",
                body_only("Something big is coming this winter"),
            ),
            (
                "verification_code",
                "en_US",
                "APPROVED",
                "AUTHENTICATION",
                json!([
                    {"type": "BODY", "text": "*{{1}}* is your verification code.", "add_security_recommendation": true},
                    {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Copy code", "url": "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}"}]}
                ]),
            ),
            (
                "summer_promo",
                "es_ES",
                "PAUSED",
                "MARKETING",
                body_only("Ofertas de verano para ti"),
            ),
            (
                "legacy_notice",
                "en_GB",
                "DISABLED",
                "UTILITY",
                body_only("Our terms changed"),
            ),
        ];
        let mut templates = Templates {
            items: Vec::new(),
            next_id: 1_000_000_000_001,
        };
        for (name, language, status, category, components) in seed {
            let id = templates.new_id();
            templates.items.push(Template {
                id,
                name: name.into(),
                language: language.into(),
                status: status.into(),
                category: category.into(),
                parameter_format: "POSITIONAL".into(),
                components,
                rejected_reason: (status == "REJECTED").then(|| "PROMOTIONAL".to_owned()),
            });
        }
        templates
    }

    fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    /// Whether `id` is a template id.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.items.iter().any(|t| t.id == id)
    }

    /// The templates matching Meta's list filters (`name` contains, the others exact).
    pub(crate) fn list(&self, q: &HashMap<String, String>) -> Result<Vec<Value>, GraphError> {
        for (key, allowed) in [
            (
                "status",
                &[
                    "APPROVED",
                    "PENDING",
                    "REJECTED",
                    "PAUSED",
                    "DISABLED",
                    "IN_APPEAL",
                    "PENDING_DELETION",
                    "DELETED",
                    "LIMIT_EXCEEDED",
                    "ARCHIVED",
                ][..],
            ),
            ("category", &["MARKETING", "UTILITY", "AUTHENTICATION"][..]),
        ] {
            if let Some(value) = q.get(key) {
                if !allowed.contains(&value.to_ascii_uppercase().as_str()) {
                    return Err(GraphError::invalid_param(format!(
                        "(#100) Param {key} must be one of {{{}}} - got \"{value}\"",
                        allowed.join(", ")
                    )));
                }
            }
        }
        let matches = |t: &&Template| {
            q.get("name")
                .map_or(true, |name| t.name.contains(name.as_str()))
                && q.get("status")
                    .map_or(true, |s| t.status.eq_ignore_ascii_case(s))
                && q.get("category")
                    .map_or(true, |c| t.category.eq_ignore_ascii_case(c))
                && q.get("language").map_or(true, |l| t.language == *l)
        };
        Ok(self
            .items
            .iter()
            .filter(matches)
            .map(Template::to_json)
            .collect())
    }

    /// One template by id.
    pub(crate) fn get(&self, id: &str) -> Option<Value> {
        self.items
            .iter()
            .find(|t| t.id == id)
            .map(Template::to_json)
    }

    /// Creates a template; answers `{id, status, category}`.
    pub(crate) fn create(&mut self, body: &[u8]) -> Result<Value, GraphError> {
        let v = super::parse_object(body)?;
        let name = str_field(&v, "name")?;
        if name.is_empty()
            || name.chars().count() > 512
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(invalid(2388042, "Invalid template name", "Template names may only hold lowercase letters, numbers and underscores, at most 512 characters."));
        }
        let language = str_field(&v, "language")?;
        let category = str_field(&v, "category")?.to_ascii_uppercase();
        if !["MARKETING", "UTILITY", "AUTHENTICATION"].contains(&category.as_str()) {
            return Err(GraphError::invalid_param(format!(
                "(#100) Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got \"{category}\"."
            )));
        }
        if self
            .items
            .iter()
            .any(|t| t.name == name && t.language == language)
        {
            return Err(invalid(2388024, "Content in this language already exists", &format!("There is already {language} content for this template. You can create a new template and try again.")));
        }
        let library = v.get("library_template_name").and_then(Value::as_str);
        let components = match library {
            Some(library) => body_only(&format!("(library template {library})")),
            None => {
                let components = v.get("components").cloned().unwrap_or(Value::Null);
                check_components(&components)?;
                components
            }
        };
        let id = self.new_id();
        // Library templates are pre-approved; others wait for review.
        let status = if library.is_some() {
            "APPROVED"
        } else {
            "PENDING"
        };
        self.items.push(Template {
            id: id.clone(),
            name: name.to_owned(),
            language: language.to_owned(),
            status: status.into(),
            category: category.clone(),
            parameter_format: v
                .get("parameter_format")
                .and_then(Value::as_str)
                .unwrap_or("POSITIONAL")
                .to_ascii_uppercase(),
            components,
            rejected_reason: None,
        });
        Ok(json!({"id": id, "status": status, "category": category}))
    }

    /// Edits a template: new components and/or category; it goes back to review.
    pub(crate) fn edit(&mut self, id: &str, body: &[u8]) -> Result<Value, GraphError> {
        let v = super::parse_object(body)?;
        let components = v.get("components").cloned();
        if let Some(components) = &components {
            check_components(components)?;
        }
        let category = match v.get("category").and_then(Value::as_str) {
            Some(c) if ["MARKETING", "UTILITY", "AUTHENTICATION"].contains(&c.to_ascii_uppercase().as_str()) => Some(c.to_ascii_uppercase()),
            Some(c) => return Err(GraphError::invalid_param(format!("(#100) Param category must be one of {{AUTHENTICATION, MARKETING, UTILITY}} - got \"{c}\"."))),
            None => None,
        };
        let Some(template) = self.items.iter_mut().find(|t| t.id == id) else {
            return Err(GraphError::unknown_object(id, "post"));
        };
        if components.is_none() && category.is_none() && v.get("message_send_ttl_seconds").is_none()
        {
            return Err(
                GraphError::invalid_param("(#100) Invalid parameter").details(
                    "Nothing to edit: send components, category or message_send_ttl_seconds.",
                ),
            );
        }
        if let Some(components) = components {
            template.components = components;
        }
        if let Some(category) = category {
            template.category = category;
        }
        template.status = "PENDING".into();
        Ok(json!({"success": true}))
    }

    /// Deletes by `name` (every language) or by `hsm_id` and `name` (one).
    pub(crate) fn delete(&mut self, q: &HashMap<String, String>) -> Result<Value, GraphError> {
        let Some(name) = q.get("name").filter(|n| !n.is_empty()) else {
            return Err(GraphError::missing("The parameter name is required."));
        };
        let before = self.items.len();
        match q.get("hsm_id") {
            Some(id) => self.items.retain(|t| !(t.id == *id && t.name == *name)),
            None => self.items.retain(|t| t.name != *name),
        }
        if self.items.len() == before {
            return Err(invalid(
                2593002,
                "Message template not found",
                &format!("Message template \"{name}\" can't be found."),
            ));
        }
        Ok(json!({"success": true}))
    }
}

fn invalid(subcode: i64, title: &str, details: &str) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, 100, "Invalid parameter")
        .subcode(Some(subcode))
        .details(format!("{title}: {details}"))
}

fn str_field<'a>(v: &'a Value, field: &str) -> Result<&'a str, GraphError> {
    match v.get(field) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(GraphError::invalid_param(format!(
            "(#100) The parameter {field} is required."
        ))),
        Some(_) => Err(GraphError::invalid_param(format!(
            "(#100) Param {field} must be a string."
        ))),
    }
}

/// The checks Meta makes on components that a sandbox user is most likely to trip: a body is
/// required, texts have maximum lengths, at most ten buttons.
fn check_components(components: &Value) -> Result<(), GraphError> {
    let Some(list) = components.as_array().filter(|l| !l.is_empty()) else {
        return Err(GraphError::invalid_param(
            "(#100) The parameter components is required.",
        ));
    };
    let kind = |c: &Value| {
        c.get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_uppercase()
    };
    if !list.iter().any(|c| kind(c) == "BODY") {
        return Err(invalid(
            2388043,
            "Message template body is required",
            "Add a BODY component.",
        ));
    }
    for c in list {
        let text_len = c
            .get("text")
            .and_then(Value::as_str)
            .map_or(0, |t| t.chars().count());
        let max = match kind(c).as_str() {
            "HEADER" | "FOOTER" => 60,
            "BODY" => 1024,
            _ => usize::MAX,
        };
        if text_len > max {
            return Err(invalid(
                2388040,
                "Text too long",
                &format!(
                    "The {} text is {text_len} characters; the limit is {max}.",
                    kind(c)
                ),
            ));
        }
        if let Some(buttons) = c.get("buttons").and_then(Value::as_array) {
            if buttons.len() > 10 {
                return Err(invalid(
                    2388158,
                    "Too many buttons",
                    "A template has at most 10 buttons.",
                ));
            }
        }
    }
    Ok(())
}
