//! Template messages: a pre-approved template, filled with parameters per component.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::check;
use super::media::MediaSource;
use crate::error::ValidationError;

/// The longest template name Meta accepts.
pub const MAX_TEMPLATE_NAME_LEN: usize = 512;
/// The highest template button index (Meta allows up to 10 buttons, indexed 0 to 9).
pub const MAX_BUTTON_INDEX: u8 = 9;
/// The longest header text parameter (a template text header is at most 60 characters).
pub const MAX_HEADER_TEXT_LEN: usize = 60;
/// The longest coupon code of a copy-code button.
pub const MAX_COUPON_CODE_LEN: usize = 15;

/// A template message (`type: template`).
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Parameter, Template};
/// let template = Template::new("order_update", "en_US")
///     .body([Parameter::text("Pablo"), Parameter::currency("$100.99", "USD", 100_990)])
///     .quick_reply_button(0, "unsubscribe");
/// assert!(OutgoingMessage::new("+16505551234", template).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Template {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Language {
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<LanguagePolicy>,
    code: String,
}

/// `language.policy`: how Meta picks the template's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LanguagePolicy {
    /// Use exactly the language given in `code` (Meta's only documented policy).
    Deterministic,
}

impl Template {
    /// The template `name` in the language `code` (e.g. `en_US`), as approved.
    pub fn new(name: impl Into<String>, language_code: impl Into<String>) -> Self {
        Template {
            name: name.into(),
            language: Language {
                policy: None,
                code: language_code.into(),
            },
            components: Vec::new(),
        }
    }

    /// Sets `language.policy`.
    pub fn language_policy(mut self, policy: LanguagePolicy) -> Self {
        self.language.policy = Some(policy);
        self
    }

    /// Fills the header's variable (text, currency, date/time, or its image/video/document).
    pub fn header(self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.component(Component::header(parameters))
    }

    /// Fills the body's variables, in order (or by name for named parameters).
    pub fn body(self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.component(Component::body(parameters))
    }

    /// Sets the payload returned when the quick-reply button at `index` is tapped.
    pub fn quick_reply_button(self, index: u8, payload: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::QuickReply,
            index,
            [Parameter::payload(payload)],
        ))
    }

    /// Sets the suffix appended to the dynamic URL of the button at `index`.
    pub fn url_button(self, index: u8, url_suffix: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::Url,
            index,
            [Parameter::text(url_suffix)],
        ))
    }

    /// Sets the code copied by the copy-code button at `index` (at most 15 characters).
    pub fn copy_code_button(self, index: u8, coupon_code: impl Into<String>) -> Self {
        self.component(Component::button(
            ButtonSubType::CopyCode,
            index,
            [Parameter::coupon_code(coupon_code)],
        ))
    }

    /// Sets the flow token and first-screen data of the flow button at `index`.
    ///
    /// ```
    /// use wacloud::messages::{Parameter, Template};
    /// let survey = Template::new("feedback_survey", "en_US")
    ///     .flow_button(0, Parameter::flow_action(Some("session-17".into()), None));
    /// # let _ = survey;
    /// ```
    pub fn flow_button(self, index: u8, action: Parameter) -> Self {
        self.component(Component::button(ButtonSubType::Flow, index, [action]))
    }

    /// Adds any component.
    pub fn component(mut self, component: Component) -> Self {
        self.components.push(component);
        self
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        check::text("template.name", &self.name, MAX_TEMPLATE_NAME_LEN)?;
        if !self
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(ValidationError::new(
                "template.name",
                "may hold only lowercase letters, digits and underscores",
            ));
        }
        check::required("template.language.code", &self.language.code)?;
        let mut seen_header = false;
        let mut seen_body = false;
        let mut seen_buttons: Vec<u8> = Vec::new();
        for (i, component) in self.components.iter().enumerate() {
            let path = format!("template.components[{i}]");
            match component.kind {
                ComponentKind::Header if seen_header => {
                    return Err(ValidationError::new(
                        format!("{path}.type"),
                        "a template has at most one header component",
                    ))
                }
                ComponentKind::Header => seen_header = true,
                ComponentKind::Body if seen_body => {
                    return Err(ValidationError::new(
                        format!("{path}.type"),
                        "a template has at most one body component",
                    ))
                }
                ComponentKind::Body => seen_body = true,
                ComponentKind::Button => {
                    if let Some(index) = component.index {
                        if seen_buttons.contains(&index) {
                            return Err(ValidationError::new(
                                format!("{path}.index"),
                                format!("button index {index} is used twice"),
                            ));
                        }
                        seen_buttons.push(index);
                    }
                }
            }
            component.validate(&path)?;
        }
        Ok(())
    }
}

/// `components[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
enum ComponentKind {
    Header,
    Body,
    Button,
}

/// `components[].sub_type` of a button component: the kind of button the template defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ButtonSubType {
    /// A quick-reply button; its parameter is a `payload`.
    QuickReply,
    /// A call-to-action URL button; its parameter is the `text` appended to the URL.
    Url,
    /// A copy-code button; its parameter is a `coupon_code`.
    CopyCode,
    /// A flow button; its parameter is an `action` (flow token and first-screen data).
    Flow,
}

/// One component of a template: which part it fills and the parameters for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Component {
    #[serde(rename = "type")]
    kind: ComponentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_type: Option<ButtonSubType>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "index_as_string"
    )]
    index: Option<u8>,
    parameters: Vec<Parameter>,
}

// Meta documents `index` as a string ("0"), so it is written as one.
fn index_as_string<S: Serializer>(index: &Option<u8>, serializer: S) -> Result<S::Ok, S::Error> {
    match index {
        Some(index) => serializer.serialize_str(&index.to_string()),
        None => serializer.serialize_none(),
    }
}

impl Component {
    /// The header component.
    pub fn header(parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Self::plain(ComponentKind::Header, parameters)
    }

    /// The body component.
    pub fn body(parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Self::plain(ComponentKind::Body, parameters)
    }

    /// The button at `index` (0 to 9), of the given kind.
    pub fn button(
        sub_type: ButtonSubType,
        index: u8,
        parameters: impl IntoIterator<Item = Parameter>,
    ) -> Self {
        Component {
            kind: ComponentKind::Button,
            sub_type: Some(sub_type),
            index: Some(index),
            parameters: parameters.into_iter().collect(),
        }
    }

    fn plain(kind: ComponentKind, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        Component {
            kind,
            sub_type: None,
            index: None,
            parameters: parameters.into_iter().collect(),
        }
    }

    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if self.parameters.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.parameters"),
                "must hold at least one parameter (leave out a component that has no variables)",
            ));
        }
        let named = self.parameters.iter().filter(|p| p.name.is_some()).count();
        if named != 0 && named != self.parameters.len() {
            return Err(ValidationError::new(
                format!("{path}.parameters"),
                "mixes named and positional parameters; a template uses one or the other",
            ));
        }
        match self.kind {
            ComponentKind::Header => {
                if self.parameters.len() > 1 {
                    return Err(ValidationError::new(
                        format!("{path}.parameters"),
                        "a template header has at most one variable",
                    ));
                }
            }
            ComponentKind::Body => {}
            ComponentKind::Button => {
                let index = self.index.unwrap_or(0);
                if index > MAX_BUTTON_INDEX {
                    return Err(ValidationError::new(
                        format!("{path}.index"),
                        format!("is {index}; button indexes run from 0 to {MAX_BUTTON_INDEX}"),
                    ));
                }
                if self.parameters.len() != 1 {
                    return Err(ValidationError::new(
                        format!("{path}.parameters"),
                        "a button component takes exactly one parameter",
                    ));
                }
            }
        }
        for (i, parameter) in self.parameters.iter().enumerate() {
            parameter.validate(&format!("{path}.parameters[{i}]"), self.kind, self.sub_type)?;
        }
        Ok(())
    }
}

/// One parameter of a template component.
///
/// ```
/// use wacloud::messages::{MediaSource, Parameter};
/// let name = Parameter::text("Jessica").name("customer_name");
/// let when = Parameter::date_time("February 25, 1977");
/// let cover = Parameter::image(MediaSource::link("https://example.com/cover.jpg"));
/// # let _ = (name, when, cover);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Parameter {
    value: ParameterValue,
    name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ParameterValue {
    Text(String),
    Currency(Currency),
    DateTime(DateTime),
    Image(MediaSource),
    Video(MediaSource),
    Document(TemplateDocument),
    Payload(String),
    CouponCode(String),
    Action(FlowButtonAction),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct FlowButtonAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    flow_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flow_action_data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Currency {
    fallback_value: String,
    code: String,
    amount_1000: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct DateTime {
    fallback_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct TemplateDocument {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

#[derive(Serialize)]
struct MediaOnly<'a> {
    #[serde(flatten)]
    source: &'a MediaSource,
}

impl Parameter {
    fn of(value: ParameterValue) -> Self {
        Parameter { value, name: None }
    }

    /// A text value (for a body or header variable, or a URL button's suffix).
    pub fn text(text: impl Into<String>) -> Self {
        Self::of(ParameterValue::Text(text.into()))
    }

    /// An amount of money: `fallback_value` is what is shown, `code` the ISO 4217 code, and
    /// `amount_1000` the amount times 1000 (`100_990` is 100.99).
    pub fn currency(
        fallback_value: impl Into<String>,
        code: impl Into<String>,
        amount_1000: i64,
    ) -> Self {
        Self::of(ParameterValue::Currency(Currency {
            fallback_value: fallback_value.into(),
            code: code.into(),
            amount_1000,
        }))
    }

    /// A date and time; Cloud API always shows `fallback_value` as given.
    pub fn date_time(fallback_value: impl Into<String>) -> Self {
        Self::of(ParameterValue::DateTime(DateTime {
            fallback_value: fallback_value.into(),
        }))
    }

    /// The image of an image header.
    pub fn image(source: MediaSource) -> Self {
        Self::of(ParameterValue::Image(source))
    }

    /// The video of a video header.
    pub fn video(source: MediaSource) -> Self {
        Self::of(ParameterValue::Video(source))
    }

    /// The document of a document header.
    pub fn document(source: MediaSource) -> Self {
        Self::of(ParameterValue::Document(TemplateDocument {
            source,
            filename: None,
        }))
    }

    /// The document of a document header, shown under `filename`.
    pub fn document_with_filename(source: MediaSource, filename: impl Into<String>) -> Self {
        Self::of(ParameterValue::Document(TemplateDocument {
            source,
            filename: Some(filename.into()),
        }))
    }

    /// The payload of a quick-reply button, echoed back when the user taps it.
    pub fn payload(payload: impl Into<String>) -> Self {
        Self::of(ParameterValue::Payload(payload.into()))
    }

    /// The code of a copy-code button (at most 15 characters).
    pub fn coupon_code(code: impl Into<String>) -> Self {
        Self::of(ParameterValue::CouponCode(code.into()))
    }

    /// The `action` of a flow button: the flow token (Meta uses `"unused"` when it is left
    /// out) and the data for the flow's first screen (a non-empty JSON object).
    pub fn flow_action(
        flow_token: Option<String>,
        flow_action_data: Option<serde_json::Value>,
    ) -> Self {
        Self::of(ParameterValue::Action(FlowButtonAction {
            flow_token,
            flow_action_data,
        }))
    }

    /// Names the parameter (`parameter_name`), for templates created with named variables
    /// such as `{{customer_name}}`.
    pub fn name(mut self, parameter_name: impl Into<String>) -> Self {
        self.name = Some(parameter_name.into());
        self
    }

    fn type_name(&self) -> &'static str {
        match &self.value {
            ParameterValue::Text(_) => "text",
            ParameterValue::Currency(_) => "currency",
            ParameterValue::DateTime(_) => "date_time",
            ParameterValue::Image(_) => "image",
            ParameterValue::Video(_) => "video",
            ParameterValue::Document(_) => "document",
            ParameterValue::Payload(_) => "payload",
            ParameterValue::CouponCode(_) => "coupon_code",
            ParameterValue::Action(_) => "action",
        }
    }

    fn validate(
        &self,
        path: &str,
        component: ComponentKind,
        sub_type: Option<ButtonSubType>,
    ) -> Result<(), ValidationError> {
        let kind = self.type_name();
        let allowed: &[&str] = match (component, sub_type) {
            (ComponentKind::Header, _) => &[
                "text",
                "currency",
                "date_time",
                "image",
                "video",
                "document",
            ],
            (ComponentKind::Body, _) => &["text", "currency", "date_time"],
            (ComponentKind::Button, Some(ButtonSubType::QuickReply)) => &["payload"],
            (ComponentKind::Button, Some(ButtonSubType::Url)) => &["text"],
            (ComponentKind::Button, Some(ButtonSubType::CopyCode)) => &["coupon_code"],
            (ComponentKind::Button, Some(ButtonSubType::Flow)) => &["action"],
            (ComponentKind::Button, None) => &[],
        };
        if !allowed.contains(&kind) {
            return Err(ValidationError::new(
                format!("{path}.type"),
                format!("`{kind}` is not allowed here; expected one of {allowed:?}"),
            ));
        }
        if let Some(name) = &self.name {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(ValidationError::new(
                    format!("{path}.parameter_name"),
                    "must be lowercase letters, digits and underscores",
                ));
            }
        }
        match &self.value {
            ParameterValue::Text(text) => {
                let field = format!("{path}.text");
                check::required(&field, text)?;
                if component == ComponentKind::Header {
                    check::max_chars(&field, text, MAX_HEADER_TEXT_LEN)?;
                }
                if component != ComponentKind::Button
                    && (text.contains(['\n', '\t']) || text.contains("     "))
                {
                    return Err(ValidationError::new(
                        field,
                        "must not hold new lines, tabs or more than 4 consecutive spaces",
                    ));
                }
                Ok(())
            }
            ParameterValue::Currency(currency) => {
                check::required(
                    &format!("{path}.currency.fallback_value"),
                    &currency.fallback_value,
                )?;
                if !(currency.code.len() == 3
                    && currency.code.bytes().all(|b| b.is_ascii_uppercase()))
                {
                    return Err(ValidationError::new(
                        format!("{path}.currency.code"),
                        "must be an ISO 4217 code of three capital letters, e.g. USD",
                    ));
                }
                Ok(())
            }
            ParameterValue::DateTime(date_time) => check::required(
                &format!("{path}.date_time.fallback_value"),
                &date_time.fallback_value,
            ),
            ParameterValue::Image(source) => source.validate(&format!("{path}.image")),
            ParameterValue::Video(source) => source.validate(&format!("{path}.video")),
            ParameterValue::Document(document) => {
                document.source.validate(&format!("{path}.document"))?;
                if let Some(filename) = &document.filename {
                    check::required(&format!("{path}.document.filename"), filename)?;
                }
                Ok(())
            }
            ParameterValue::Payload(payload) => {
                check::required(&format!("{path}.payload"), payload)
            }
            ParameterValue::CouponCode(code) => {
                check::text(&format!("{path}.coupon_code"), code, MAX_COUPON_CODE_LEN)
            }
            ParameterValue::Action(action) => {
                if let Some(token) = &action.flow_token {
                    check::required(&format!("{path}.action.flow_token"), token)?;
                }
                match &action.flow_action_data {
                    Some(data) if !data.as_object().is_some_and(|object| !object.is_empty()) => {
                        Err(ValidationError::new(
                            format!("{path}.action.flow_action_data"),
                            "must be a non-empty JSON object",
                        ))
                    }
                    _ => Ok(()),
                }
            }
        }
    }
}

impl Serialize for Parameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        let kind = self.type_name();
        map.serialize_entry("type", kind)?;
        match &self.value {
            ParameterValue::Text(text) => map.serialize_entry(kind, text)?,
            ParameterValue::Currency(currency) => map.serialize_entry(kind, currency)?,
            ParameterValue::DateTime(date_time) => map.serialize_entry(kind, date_time)?,
            ParameterValue::Image(source) | ParameterValue::Video(source) => {
                map.serialize_entry(kind, &MediaOnly { source })?
            }
            ParameterValue::Document(document) => map.serialize_entry(kind, document)?,
            ParameterValue::Payload(payload) => map.serialize_entry(kind, payload)?,
            ParameterValue::CouponCode(code) => map.serialize_entry(kind, code)?,
            ParameterValue::Action(action) => map.serialize_entry(kind, action)?,
        }
        if let Some(name) = &self.name {
            map.serialize_entry("parameter_name", name)?;
        }
        map.end()
    }
}
