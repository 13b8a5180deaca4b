//! The number's business profile and the resumable upload API that gives a profile picture's
//! handle.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::parse_object;
use crate::error::GraphError;

const FIELDS: &[&str] = &[
    "about",
    "address",
    "description",
    "email",
    "profile_picture_url",
    "websites",
    "vertical",
];

const VERTICALS: &[&str] = &[
    "UNDEFINED",
    "OTHER",
    "AUTO",
    "BEAUTY",
    "APPAREL",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GROCERY",
    "GOVT",
    "HOTEL",
    "HEALTH",
    "NONPROFIT",
    "PROF_SERVICES",
    "RETAIL",
    "TRAVEL",
    "RESTAURANT",
    "NOT_A_BIZ",
    "ALCOHOL",
    "ONLINE_GAMBLING",
    "PHYSICAL_GAMBLING",
    "OTC_DRUGS",
];

/// The profile and the uploads that may become its picture.
#[derive(Debug)]
pub(crate) struct Profile {
    fields: Map<String, Value>,
    /// Upload sessions: id -> (file name, declared length, type, handle once uploaded).
    sessions: HashMap<String, (String, usize, String, Option<String>)>,
    next: u64,
}

impl Profile {
    pub(crate) fn seeded() -> Self {
        let mut fields = Map::new();
        fields.insert("about".into(), json!("Hey there! I am using WhatsApp."));
        fields.insert("address".into(), json!("1 Hacker Way, Menlo Park, CA"));
        fields.insert("description".into(), json!("The wacloud sandbox business"));
        fields.insert("email".into(), json!("sandbox@example.com"));
        fields.insert("websites".into(), json!(["https://example.com"]));
        fields.insert("vertical".into(), json!("OTHER"));
        Profile {
            fields,
            sessions: HashMap::new(),
            next: 1,
        }
    }

    pub(crate) fn get(&self, q: &HashMap<String, String>) -> Result<Value, GraphError> {
        let mut item = Map::new();
        let wanted: Vec<&str> = match q.get("fields") {
            Some(fields) => fields
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .collect(),
            None => vec![
                "about",
                "address",
                "description",
                "email",
                "websites",
                "vertical",
            ],
        };
        for field in wanted {
            if !FIELDS.contains(&field) {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Tried accessing nonexisting field ({field}) on node type (WhatsAppBusinessProfile)"
                )));
            }
            if let Some(value) = self.fields.get(field) {
                item.insert(field.into(), value.clone());
            }
        }
        item.insert("messaging_product".into(), json!("whatsapp"));
        Ok(json!({ "data": [item] }))
    }

    pub(crate) fn update(&mut self, body: &[u8]) -> Result<Value, GraphError> {
        let v = parse_object(body)?;
        if v.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
            return Err(GraphError::invalid_param(
                "(#100) The parameter messaging_product is required.",
            ));
        }
        let limits = [
            ("about", 139),
            ("address", 256),
            ("description", 512),
            ("email", 128),
        ];
        for (field, max) in limits {
            if let Some(value) = v.get(field) {
                let text = value.as_str().unwrap_or_default();
                if (field == "about" && text.is_empty()) || text.chars().count() > max {
                    return Err(GraphError::bad_value(format!(
                        "Param {field} must be at most {max} characters long."
                    )));
                }
            }
        }
        if let Some(sites) = v.get("websites") {
            let ok = sites.as_array().is_some_and(|s| {
                s.len() <= 2
                    && s.iter().all(|u| {
                        u.as_str()
                            .is_some_and(|u| u.starts_with("http://") || u.starts_with("https://"))
                    })
            });
            if !ok {
                return Err(GraphError::bad_value(
                    "Param websites must hold at most 2 http(s) URLs.",
                ));
            }
        }
        if let Some(vertical) = v.get("vertical") {
            if !vertical.as_str().is_some_and(|x| VERTICALS.contains(&x)) {
                return Err(GraphError::invalid_param(format!(
                    "(#100) Param vertical must be one of {{{}}} - got {vertical}.",
                    VERTICALS.join(", ")
                )));
            }
        }
        if let Some(handle) = v.get("profile_picture_handle") {
            let known = self
                .sessions
                .values()
                .any(|(.., h)| h.as_deref() == handle.as_str());
            if !known {
                return Err(GraphError::bad_value(
                    "Param profile_picture_handle is not a handle of an uploaded file.",
                ));
            }
            self.fields.insert(
                "profile_picture_url".into(),
                json!(format!(
                    "https://pps.whatsapp.net/sandbox/{}.jpg",
                    self.next
                )),
            );
        }
        for field in [
            "about",
            "address",
            "description",
            "email",
            "websites",
            "vertical",
        ] {
            if let Some(value) = v.get(field) {
                self.fields.insert(field.into(), value.clone());
            }
        }
        Ok(json!({"success": true}))
    }

    /// `POST /{app-id}/uploads?file_name&file_length&file_type`.
    pub(crate) fn open_upload(&mut self, q: &HashMap<String, String>) -> Result<Value, GraphError> {
        let name = q
            .get("file_name")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| GraphError::missing("The parameter file_name is required."))?;
        let length: usize = q
            .get("file_length")
            .and_then(|l| l.parse().ok())
            .filter(|l| *l > 0)
            .ok_or_else(|| {
                GraphError::invalid_param("(#100) Param file_length must be a positive integer.")
            })?;
        let kind = q.get("file_type").cloned().unwrap_or_default();
        if ![
            "application/pdf",
            "image/jpeg",
            "image/jpg",
            "image/png",
            "video/mp4",
        ]
        .contains(&kind.as_str())
        {
            return Err(GraphError::invalid_param(format!("(#100) Param file_type must be one of {{application/pdf, image/jpeg, image/jpg, image/png, video/mp4}} - got \"{kind}\".")));
        }
        let id = format!("upload:c2FuZGJveC11cGxvYWQt{}", self.next);
        self.next += 1;
        self.sessions
            .insert(id.clone(), (name.clone(), length, kind, None));
        Ok(json!({"id": format!("{id}?sig=ARZsandbox")}))
    }

    /// `POST /upload:...` with `file_offset: 0` and the bytes.
    pub(crate) fn upload(
        &mut self,
        id: &str,
        offset: Option<&str>,
        bytes: &[u8],
    ) -> Result<Value, GraphError> {
        let Some((name, length, kind, handle)) = self.sessions.get_mut(id) else {
            return Err(GraphError::unknown_object(id, "post"));
        };
        if offset != Some("0") {
            return Err(GraphError::invalid_param(
                "(#100) The file_offset header must be 0 for a new upload.",
            ));
        }
        if bytes.len() != *length {
            return Err(
                GraphError::new(StatusCode::BAD_REQUEST, 100, "(#100) Invalid parameter").details(
                    format!(
                        "The upload of {name} has {} bytes; file_length said {length}.",
                        bytes.len()
                    ),
                ),
            );
        }
        let h = format!("4::{}:ARb{}", base64_of(kind), self.next);
        self.next += 1;
        *handle = Some(h.clone());
        Ok(json!({ "h": h }))
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}
