//! A template definition to create, and an edit of an existing template.

use serde_json::{json, Map, Value};

use super::components::{
    CarouselCard, LimitedTimeOffer, TemplateBody, TemplateButton, TemplateFooter, TemplateHeader,
};
use super::{check, ParameterFormat, TemplateCategory};
use crate::error::ValidationError;

/// A template to create, in Meta's JSON shape: built from typed components, read from JSON
/// ([`NewTemplate::from_json`]), or taken from Meta's template library
/// ([`NewTemplate::from_library`]). [`check`](NewTemplate::check) runs Meta's limits; creating
/// runs it too, so a definition that breaks one is never sent.
///
/// ```
/// use wacloud::models::templates::{
///     NewTemplate, TemplateBody, TemplateButton, TemplateCategory, TemplateFooter, TemplateHeader,
/// };
/// let template = NewTemplate::new("order_shipped", "en_US", TemplateCategory::Utility)
///     .header(TemplateHeader::text("Order {{1}}").example("8c3d"))
///     .body(TemplateBody::new("Hi {{1}}, your order shipped today.").examples(["Pablo"]))
///     .footer(TemplateFooter::new("Reply STOP to opt out"))
///     .button(TemplateButton::quick_reply("Thanks"));
/// assert!(template.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewTemplate(Map<String, Value>);

impl NewTemplate {
    /// A template `name` (lowercase letters, digits, underscores; at most 512) in
    /// `language` (e.g. `en_US`) and `category`.
    pub fn new(
        name: impl Into<String>,
        language: impl Into<String>,
        category: TemplateCategory,
    ) -> Self {
        let mut map = Map::new();
        map.insert("name".into(), json!(name.into()));
        map.insert("language".into(), json!(language.into()));
        map.insert("category".into(), json!(category.as_str()));
        map.insert("components".into(), json!([]));
        NewTemplate(map)
    }

    /// A template from Meta's template library (`library_template_name`, e.g.
    /// `delivery_update_1`): Meta supplies the components; add button inputs where the library
    /// template has URL or phone buttons.
    pub fn from_library(
        name: impl Into<String>,
        language: impl Into<String>,
        category: TemplateCategory,
        library_template_name: impl Into<String>,
    ) -> Self {
        let mut map = Map::new();
        map.insert("name".into(), json!(name.into()));
        map.insert("language".into(), json!(language.into()));
        map.insert("category".into(), json!(category.as_str()));
        map.insert(
            "library_template_name".into(),
            json!(library_template_name.into()),
        );
        NewTemplate(map)
    }

    /// A definition in Meta's JSON shape (e.g. read from a file). It is checked like a typed
    /// one; a value that is not a JSON object is a validation error here.
    pub fn from_json(value: Value) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Ok(NewTemplate(map)),
            _ => Err(ValidationError::new("template", "must be a JSON object")),
        }
    }

    /// Sets the header.
    pub fn header(self, header: TemplateHeader) -> Self {
        self.replace_component("HEADER", header.into_value())
    }

    /// Sets the body.
    pub fn body(self, body: TemplateBody) -> Self {
        self.replace_component("BODY", body.into_value())
    }

    /// Sets the footer.
    pub fn footer(self, footer: TemplateFooter) -> Self {
        self.replace_component("FOOTER", footer.into_value())
    }

    /// Adds a button (quick replies must stay together, before or after the other buttons).
    pub fn button(self, button: TemplateButton) -> Self {
        self.with_components(|components| {
            let button = button.into_value();
            let existing = components
                .iter_mut()
                .find(|c| is_type(c, "BUTTONS"))
                .and_then(|c| c.get_mut("buttons"))
                .and_then(Value::as_array_mut);
            match existing {
                Some(buttons) => buttons.push(button),
                None => components.push(json!({"type": "BUTTONS", "buttons": [button]})),
            }
        })
    }

    /// Sets the carousel's cards (a carousel template has a body and cards, nothing else).
    pub fn carousel(self, cards: impl IntoIterator<Item = CarouselCard>) -> Self {
        let cards: Vec<Value> = cards.into_iter().map(CarouselCard::into_value).collect();
        self.replace_component("CAROUSEL", json!({"type": "CAROUSEL", "cards": cards}))
    }

    /// Makes it a limited-time offer template.
    pub fn limited_time_offer(self, offer: LimitedTimeOffer) -> Self {
        self.replace_component("LIMITED_TIME_OFFER", offer.into_value())
    }

    /// How the variables are written (named variables need [`ParameterFormat::Named`]).
    pub fn parameter_format(mut self, format: ParameterFormat) -> Self {
        self.0
            .insert("parameter_format".into(), json!(format.as_str()));
        self
    }

    /// How long Meta keeps trying to deliver a message of this template (seconds).
    pub fn message_send_ttl_seconds(mut self, seconds: u32) -> Self {
        self.0
            .insert("message_send_ttl_seconds".into(), json!(seconds));
        self
    }

    /// A value for a URL or phone number button of a library template.
    pub fn library_button_input(mut self, input: LibraryButtonInput) -> Self {
        let inputs = self
            .0
            .entry("library_template_button_inputs")
            .or_insert_with(|| json!([]));
        if let Value::Array(inputs) = inputs {
            inputs.push(input.0);
        }
        self
    }

    /// The optional parts of a library template's body.
    pub fn library_body_inputs(mut self, inputs: LibraryBodyInputs) -> Self {
        self.0
            .insert("library_template_body_inputs".into(), inputs.to_value());
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        self.0.get("name").and_then(Value::as_str).unwrap_or("")
    }

    /// Checks Meta's limits; the error names the field at fault.
    pub fn check(&self) -> Result<(), ValidationError> {
        check::definition(&self.0)
    }

    /// The definition as Meta's JSON.
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// Edits the component list (a list that is not an array, from JSON, starts over).
    fn with_components(mut self, edit: impl FnOnce(&mut Vec<Value>)) -> Self {
        let mut components = match self.0.remove("components") {
            Some(Value::Array(components)) => components,
            _ => Vec::new(),
        };
        edit(&mut components);
        self.0.insert("components".into(), Value::Array(components));
        self
    }

    fn replace_component(self, kind: &str, value: Value) -> Self {
        self.with_components(
            |components| match components.iter().position(|c| is_type(c, kind)) {
                Some(index) => components[index] = value,
                None => components.push(value),
            },
        )
    }
}

fn is_type(component: &Value, kind: &str) -> bool {
    component
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|value| value.eq_ignore_ascii_case(kind))
}

/// A value for a button of a library template.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryButtonInput(Value);

impl LibraryButtonInput {
    /// A URL button: its base URL and an example of the suffix a send appends.
    pub fn url(base_url: impl Into<String>, url_suffix_example: impl Into<String>) -> Self {
        LibraryButtonInput(json!({
            "type": "URL",
            "url": {"base_url": base_url.into(), "url_suffix_example": url_suffix_example.into()},
        }))
    }

    /// A phone number button.
    pub fn phone_number(phone_number: impl Into<String>) -> Self {
        LibraryButtonInput(json!({"type": "PHONE_NUMBER", "phone_number": phone_number.into()}))
    }

    /// The one-tap autofill button of a library authentication template.
    pub fn one_tap(app: super::SupportedApp) -> Self {
        LibraryButtonInput(json!({
            "type": "OTP",
            "otp_type": "ONE_TAP",
            "supported_apps": [{"package_name": app.package_name, "signature_hash": app.signature_hash}],
        }))
    }
}

/// The optional parts of a library template's body (each only where the library template
/// offers it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LibraryBodyInputs {
    /// Adds the business's contact number.
    pub add_contact_number: Option<bool>,
    /// Adds a "learn more" link.
    pub add_learn_more_link: Option<bool>,
    /// Adds the security recommendation (authentication).
    pub add_security_recommendation: Option<bool>,
    /// Adds a package tracking link.
    pub add_track_package_link: Option<bool>,
    /// The code's expiry in minutes (authentication).
    pub code_expiration_minutes: Option<u32>,
}

impl LibraryBodyInputs {
    fn to_value(&self) -> Value {
        let mut map = Map::new();
        let flags = [
            ("add_contact_number", self.add_contact_number),
            ("add_learn_more_link", self.add_learn_more_link),
            (
                "add_security_recommendation",
                self.add_security_recommendation,
            ),
            ("add_track_package_link", self.add_track_package_link),
        ];
        for (key, value) in flags {
            if let Some(value) = value {
                map.insert(key.into(), json!(value));
            }
        }
        if let Some(minutes) = self.code_expiration_minutes {
            map.insert("code_expiration_minutes".into(), json!(minutes));
        }
        Value::Object(map)
    }
}

/// An edit of an existing template (`POST /{template-id}`): new components, a new category,
/// or a new delivery time-to-live. Meta limits edits of approved templates (about once a day,
/// ten times a month); the components are checked like a new template's.
///
/// ```
/// use wacloud::models::templates::{TemplateBody, TemplateEdit};
/// let edit = TemplateEdit::new().body(TemplateBody::new("Hi {{1}}, thanks!").examples(["Pablo"]));
/// assert!(edit.check().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TemplateEdit(Map<String, Value>);

impl TemplateEdit {
    /// An empty edit.
    pub fn new() -> Self {
        TemplateEdit::default()
    }

    /// An edit in Meta's JSON shape.
    pub fn from_json(value: Value) -> Result<Self, ValidationError> {
        match value {
            Value::Object(map) => Ok(TemplateEdit(map)),
            _ => Err(ValidationError::new("template", "must be a JSON object")),
        }
    }

    /// Changes the category.
    pub fn category(mut self, category: TemplateCategory) -> Self {
        self.0.insert("category".into(), json!(category.as_str()));
        self
    }

    /// Replaces the components with those of `template` (its name, language and category are
    /// not part of an edit; set the category with [`TemplateEdit::category`]).
    pub fn components_of(mut self, template: &NewTemplate) -> Self {
        if let Some(components) = template.0.get("components") {
            self.0.insert("components".into(), components.clone());
        }
        if let Some(format) = template.0.get("parameter_format") {
            self.0.insert("parameter_format".into(), format.clone());
        }
        self
    }

    /// Replaces the body (the other components are then the template's only components:
    /// Meta replaces the whole list). For several components use
    /// [`TemplateEdit::components_of`].
    pub fn body(mut self, body: TemplateBody) -> Self {
        self.0
            .insert("components".into(), json!([body.into_value()]));
        self
    }

    /// Changes the delivery time-to-live.
    pub fn message_send_ttl_seconds(mut self, seconds: u32) -> Self {
        self.0
            .insert("message_send_ttl_seconds".into(), json!(seconds));
        self
    }

    /// Checks Meta's limits on what the edit sets.
    pub fn check(&self) -> Result<(), ValidationError> {
        check::edit(&self.0)
    }

    /// The edit as Meta's JSON.
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }
}
