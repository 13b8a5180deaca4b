//! Typed template components. Each one writes Meta's JSON for itself; the limits are checked
//! on the whole definition ([`check`](super::check)) before it is sent, so that a definition
//! read from a file gets exactly the same checks.

use serde_json::{json, Map, Value};

/// The format of a media header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaFormat {
    /// A JPEG or PNG image.
    Image,
    /// An MP4 video.
    Video,
    /// An MP4 shown as a GIF (Marketing Messages API only).
    Gif,
    /// A PDF document.
    Document,
}

impl MediaFormat {
    /// The value of `format`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaFormat::Image => "IMAGE",
            MediaFormat::Video => "VIDEO",
            MediaFormat::Gif => "GIF",
            MediaFormat::Document => "DOCUMENT",
        }
    }
}

/// A template's header: text (with at most one variable), media, or a location map.
///
/// ```
/// use wacloud::models::templates::TemplateHeader;
/// let header = TemplateHeader::text("Order {{1}} shipped").example("8c3d");
/// # let _ = header;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct TemplateHeader(Map<String, Value>);

impl TemplateHeader {
    /// A text header (at most 60 characters, at most one variable).
    pub fn text(text: impl Into<String>) -> Self {
        let mut map = component("HEADER");
        map.insert("format".into(), json!("TEXT"));
        map.insert("text".into(), json!(text.into()));
        TemplateHeader(map)
    }

    /// The example value of a text header's positional variable (`{{1}}`).
    pub fn example(mut self, value: impl Into<String>) -> Self {
        self.0
            .insert("example".into(), json!({"header_text": [value.into()]}));
        self
    }

    /// The example value of a text header's named variable.
    pub fn named_example(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(
            "example".into(),
            json!({"header_text_named_params": [{"param_name": name.into(), "example": value.into()}]}),
        );
        self
    }

    /// A media header; `handle` is the asset handle the resumable upload API answered
    /// ([`Client::upload_file`](crate::Client::upload_file)).
    pub fn media(format: MediaFormat, handle: impl Into<String>) -> Self {
        let mut map = component("HEADER");
        map.insert("format".into(), json!(format.as_str()));
        map.insert("example".into(), json!({"header_handle": [handle.into()]}));
        TemplateHeader(map)
    }

    /// An image header.
    pub fn image(handle: impl Into<String>) -> Self {
        Self::media(MediaFormat::Image, handle)
    }

    /// A video header.
    pub fn video(handle: impl Into<String>) -> Self {
        Self::media(MediaFormat::Video, handle)
    }

    /// A document header.
    pub fn document(handle: impl Into<String>) -> Self {
        Self::media(MediaFormat::Document, handle)
    }

    /// A location header (a map; the location is given when sending). Utility and marketing
    /// templates only.
    pub fn location() -> Self {
        let mut map = component("HEADER");
        map.insert("format".into(), json!("LOCATION"));
        TemplateHeader(map)
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// A template's body: the text with its variables and an example value for each.
///
/// ```
/// use wacloud::models::templates::TemplateBody;
/// let body = TemplateBody::new("Hi {{1}}, order {{2}} is on its way.").examples(["Pablo", "8c3d"]);
/// let named = TemplateBody::new("Hi {{first_name}}!").named_example("first_name", "Pablo");
/// # let _ = (body, named);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct TemplateBody(Map<String, Value>);

impl TemplateBody {
    /// A body with `text` (at most 1,024 characters; 600 in a limited-time offer, 160 on a
    /// carousel card). Every variable needs an example value.
    pub fn new(text: impl Into<String>) -> Self {
        let mut map = component("BODY");
        map.insert("text".into(), json!(text.into()));
        TemplateBody(map)
    }

    /// The body of an authentication template: Meta writes the text ("{code} is your
    /// verification code."), optionally with its security recommendation.
    pub fn authentication(add_security_recommendation: bool) -> Self {
        let mut map = component("BODY");
        map.insert(
            "add_security_recommendation".into(),
            json!(add_security_recommendation),
        );
        TemplateBody(map)
    }

    /// Example values of the positional variables, in order (`{{1}}`, `{{2}}`, ...).
    pub fn examples<I, S>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        self.0
            .insert("example".into(), json!({ "body_text": [values] }));
        self
    }

    /// The example value of a named variable; call once per variable.
    pub fn named_example(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let example = self
            .0
            .entry("example")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|example| {
                example
                    .entry("body_text_named_params")
                    .or_insert_with(|| json!([]))
            });
        if let Some(Value::Array(params)) = example {
            params.push(json!({"param_name": name.into(), "example": value.into()}));
        }
        self
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// A template's footer: a short text, or (authentication templates) the code's expiry.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct TemplateFooter(Map<String, Value>);

impl TemplateFooter {
    /// A text footer (at most 60 characters, no variables).
    pub fn new(text: impl Into<String>) -> Self {
        let mut map = component("FOOTER");
        map.insert("text".into(), json!(text.into()));
        TemplateFooter(map)
    }

    /// The footer of an authentication template: "This code expires in N minutes." (1-90).
    pub fn code_expiration(minutes: u32) -> Self {
        let mut map = component("FOOTER");
        map.insert("code_expiration_minutes".into(), json!(minutes));
        TemplateFooter(map)
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// An Android app that a one-tap or zero-tap authentication button hands the code to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportedApp {
    /// The app's package name, e.g. `com.example.app`.
    pub package_name: String,
    /// The app's 11-character signing key hash.
    pub signature_hash: String,
}

impl SupportedApp {
    /// An app by package name and signing key hash.
    pub fn new(package_name: impl Into<String>, signature_hash: impl Into<String>) -> Self {
        SupportedApp {
            package_name: package_name.into(),
            signature_hash: signature_hash.into(),
        }
    }

    fn to_value(&self) -> Value {
        json!({"package_name": self.package_name, "signature_hash": self.signature_hash})
    }
}

/// Which flow a flow button opens.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowRef {
    /// A published flow, by id.
    Id(String),
    /// A flow by name.
    Name(String),
    /// A flow defined inline (its Flow JSON, as a string).
    Json(String),
}

/// One template button.
///
/// ```
/// use wacloud::models::templates::{SupportedApp, TemplateButton};
/// let buttons = [
///     TemplateButton::quick_reply("Stop promotions"),
///     TemplateButton::url("Track", "https://example.com/track/{{1}}")
///         .example("https://example.com/track/8c3d"),
///     TemplateButton::phone_number("Call us", "+16505551234"),
///     TemplateButton::copy_code("SAVE25"),
///     TemplateButton::one_tap([SupportedApp::new("com.example.app", "K8a/AINcGX7")]),
/// ];
/// # let _ = buttons;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct TemplateButton(Map<String, Value>);

impl TemplateButton {
    fn of(kind: &str) -> Self {
        let mut map = Map::new();
        map.insert("type".into(), json!(kind));
        TemplateButton(map)
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.0.insert(key.into(), value);
        self
    }

    /// A quick reply button (label at most 25 characters; at most 10 per template).
    pub fn quick_reply(text: impl Into<String>) -> Self {
        Self::of("QUICK_REPLY").with("text", json!(text.into()))
    }

    /// A URL button (at most 2 per template). The URL may end with one variable (`{{1}}`),
    /// which then needs an [`example`](TemplateButton::example).
    pub fn url(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self::of("URL")
            .with("text", json!(text.into()))
            .with("url", json!(url.into()))
    }

    /// The example of a URL button with a variable: the whole URL, variable filled in.
    pub fn example(self, full_url: impl Into<String>) -> Self {
        self.with("example", json!([full_url.into()]))
    }

    /// A button that calls a phone number (at most 20 characters; one per template).
    pub fn phone_number(text: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self::of("PHONE_NUMBER")
            .with("text", json!(text.into()))
            .with("phone_number", json!(phone_number.into()))
    }

    /// A copy-code button (an offer code; the example at most 15 characters).
    pub fn copy_code(example: impl Into<String>) -> Self {
        Self::of("COPY_CODE").with("example", json!(example.into()))
    }

    /// The copy-code button of an authentication template.
    pub fn otp_copy_code() -> Self {
        Self::of("OTP").with("otp_type", json!("COPY_CODE"))
    }

    /// A one-tap autofill button of an authentication template (Android; other devices get a
    /// copy-code button).
    pub fn one_tap(apps: impl IntoIterator<Item = SupportedApp>) -> Self {
        Self::of("OTP")
            .with("otp_type", json!("ONE_TAP"))
            .with("supported_apps", apps_value(apps))
    }

    /// A zero-tap button of an authentication template: the code goes straight to the app.
    /// Meta requires accepting its zero-tap terms (`terms_accepted` must be true).
    pub fn zero_tap(apps: impl IntoIterator<Item = SupportedApp>, terms_accepted: bool) -> Self {
        Self::of("OTP")
            .with("otp_type", json!("ZERO_TAP"))
            .with("zero_tap_terms_accepted", json!(terms_accepted))
            .with("supported_apps", apps_value(apps))
    }

    /// An authentication button's copy-code label (at most 25 characters).
    pub fn text(self, text: impl Into<String>) -> Self {
        self.with("text", json!(text.into()))
    }

    /// A one-tap button's autofill label (at most 25 characters).
    pub fn autofill_text(self, text: impl Into<String>) -> Self {
        self.with("autofill_text", json!(text.into()))
    }

    /// A button that opens a WhatsApp Flow.
    pub fn flow(text: impl Into<String>, flow: FlowRef) -> Self {
        let (key, value) = match flow {
            FlowRef::Id(id) => ("flow_id", id),
            FlowRef::Name(name) => ("flow_name", name),
            FlowRef::Json(flow_json) => ("flow_json", flow_json),
        };
        Self::of("FLOW")
            .with("text", json!(text.into()))
            .with(key, json!(value))
    }

    /// A flow button's action: `navigate` (to [`navigate_screen`](Self::navigate_screen)) or
    /// `data_exchange`.
    pub fn flow_action(self, action: impl Into<String>) -> Self {
        self.with("flow_action", json!(action.into()))
    }

    /// The first screen a `navigate` flow button opens.
    pub fn navigate_screen(self, screen: impl Into<String>) -> Self {
        self.with("navigate_screen", json!(screen.into()))
    }

    /// The button of a catalog template ("View catalog"); the template's only button.
    pub fn catalog(text: impl Into<String>) -> Self {
        Self::of("CATALOG").with("text", json!(text.into()))
    }

    /// The button of a multi-product template ("View items"); the template's only button.
    pub fn multi_product(text: impl Into<String>) -> Self {
        Self::of("MPM").with("text", json!(text.into()))
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

fn apps_value(apps: impl IntoIterator<Item = SupportedApp>) -> Value {
    Value::Array(apps.into_iter().map(|app| app.to_value()).collect())
}

/// One card of a media card carousel: an image or video header, an optional body (at most
/// 160 characters) and up to two buttons. Every card of a carousel has the same components.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct CarouselCard {
    components: Vec<Value>,
    buttons: Vec<Value>,
}

impl CarouselCard {
    /// A card with a media header (`MediaFormat::Image` or `MediaFormat::Video`).
    pub fn new(format: MediaFormat, handle: impl Into<String>) -> Self {
        CarouselCard {
            components: vec![TemplateHeader::media(format, handle).into_value()],
            buttons: Vec::new(),
        }
    }

    /// The card's body.
    pub fn body(mut self, body: TemplateBody) -> Self {
        self.components.push(body.into_value());
        self
    }

    /// Adds a button (quick reply, URL or phone number).
    pub fn button(mut self, button: TemplateButton) -> Self {
        self.buttons.push(button.into_value());
        self
    }

    pub(crate) fn into_value(self) -> Value {
        let mut components = self.components;
        if !self.buttons.is_empty() {
            components.push(json!({"type": "BUTTONS", "buttons": self.buttons}));
        }
        json!({ "components": components })
    }
}

/// The offer of a limited-time offer template (marketing only; no footer).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct LimitedTimeOffer {
    text: String,
    has_expiration: bool,
}

impl LimitedTimeOffer {
    /// The offer's headline (at most 16 characters).
    pub fn new(text: impl Into<String>) -> Self {
        LimitedTimeOffer {
            text: text.into(),
            has_expiration: false,
        }
    }

    /// Shows the expiry (given when sending) with a countdown; needs a copy-code button.
    pub fn has_expiration(mut self, has_expiration: bool) -> Self {
        self.has_expiration = has_expiration;
        self
    }

    pub(crate) fn into_value(self) -> Value {
        json!({
            "type": "LIMITED_TIME_OFFER",
            "limited_time_offer": {"text": self.text, "has_expiration": self.has_expiration},
        })
    }
}

fn component(kind: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("type".into(), json!(kind));
    map
}
