//! Interactive messages: reply buttons, lists, a call-to-action URL button, and flows.
//!
//! Every kind has a body; a header (text, or media where Meta allows it) and a footer are
//! optional and set with [`Interactive::header`] and [`Interactive::footer`].

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::check;
use super::media::MediaSource;
use crate::error::ValidationError;

/// The longest header text.
pub const MAX_HEADER_TEXT_LEN: usize = 60;
/// The longest footer text.
pub const MAX_FOOTER_TEXT_LEN: usize = 60;
/// The longest body of a button, CTA URL or flow message.
pub const MAX_BODY_TEXT_LEN: usize = 1024;
/// The longest body of a list message.
pub const MAX_LIST_BODY_TEXT_LEN: usize = 4096;
/// The most reply buttons in one message.
pub const MAX_REPLY_BUTTONS: usize = 3;
/// The longest reply button id.
pub const MAX_REPLY_BUTTON_ID_LEN: usize = 256;
/// The longest reply button title.
pub const MAX_REPLY_BUTTON_TITLE_LEN: usize = 20;
/// The longest label of the button that opens a list.
pub const MAX_LIST_BUTTON_LEN: usize = 20;
/// The most sections in a list.
pub const MAX_LIST_SECTIONS: usize = 10;
/// The most rows in a list, all sections together.
pub const MAX_LIST_ROWS: usize = 10;
/// The longest section title.
pub const MAX_SECTION_TITLE_LEN: usize = 24;
/// The longest row id.
pub const MAX_ROW_ID_LEN: usize = 200;
/// The longest row title.
pub const MAX_ROW_TITLE_LEN: usize = 24;
/// The longest row description.
pub const MAX_ROW_DESCRIPTION_LEN: usize = 72;
/// The longest CTA URL button label.
pub const MAX_CTA_DISPLAY_TEXT_LEN: usize = 20;
/// The longest flow button label.
pub const MAX_FLOW_CTA_LEN: usize = 20;

/// An interactive message (`type: interactive`).
///
/// ```
/// use wacloud::messages::{Header, Interactive, OutgoingMessage, ReplyButton};
/// let question = Interactive::buttons(
///     "Can we confirm your appointment?",
///     [ReplyButton::new("yes", "Yes"), ReplyButton::new("no", "No")],
/// )
/// .header(Header::text("Appointment"))
/// .footer("Reply any time");
/// assert!(OutgoingMessage::new("+16505551234", question).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Interactive {
    header: Option<Header>,
    body: String,
    footer: Option<String>,
    action: Action,
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    Buttons(Vec<ReplyButton>),
    List {
        button: String,
        sections: Vec<Section>,
    },
    CtaUrl {
        display_text: String,
        url: String,
    },
    Flow(Box<Flow>),
}

impl Interactive {
    fn with(body: impl Into<String>, action: Action) -> Self {
        Interactive {
            header: None,
            body: body.into(),
            footer: None,
            action,
        }
    }

    /// Reply buttons (`type: button`): 1 to 3 buttons under the body.
    pub fn buttons(
        body: impl Into<String>,
        buttons: impl IntoIterator<Item = ReplyButton>,
    ) -> Self {
        Self::with(body, Action::Buttons(buttons.into_iter().collect()))
    }

    /// A list (`type: list`): a button labelled `button` opens 1 to 10 sections, holding at
    /// most 10 rows in all.
    ///
    /// ```
    /// use wacloud::messages::{Interactive, Row, Section};
    /// let menu = Interactive::list(
    ///     "Pick a delivery option",
    ///     "Options",
    ///     [Section::new([Row::new("std", "Standard").description("3-5 days")])],
    /// );
    /// # let _ = menu;
    /// ```
    pub fn list(
        body: impl Into<String>,
        button: impl Into<String>,
        sections: impl IntoIterator<Item = Section>,
    ) -> Self {
        Self::with(
            body,
            Action::List {
                button: button.into(),
                sections: sections.into_iter().collect(),
            },
        )
    }

    /// A call-to-action URL button (`type: cta_url`) labelled `display_text` that opens `url`.
    pub fn cta_url(
        body: impl Into<String>,
        display_text: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        Self::with(
            body,
            Action::CtaUrl {
                display_text: display_text.into(),
                url: url.into(),
            },
        )
    }

    /// A flow message (`type: flow`): a button that opens a WhatsApp Flow.
    ///
    /// ```
    /// use wacloud::messages::{Flow, Interactive};
    /// let signup = Interactive::flow(
    ///     "Join our rewards club",
    ///     Flow::by_id("1234567890", "Sign up").token("session-17").navigate("WELCOME"),
    /// );
    /// # let _ = signup;
    /// ```
    pub fn flow(body: impl Into<String>, flow: Flow) -> Self {
        Self::with(body, Action::Flow(Box::new(flow)))
    }

    /// Sets the header (text for every kind; image, video or document for all but lists).
    pub fn header(mut self, header: Header) -> Self {
        self.header = Some(header);
        self
    }

    /// Sets the footer text (at most 60 characters).
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    /// Meta's `interactive.type`.
    pub fn type_name(&self) -> &'static str {
        match &self.action {
            Action::Buttons(_) => "button",
            Action::List { .. } => "list",
            Action::CtaUrl { .. } => "cta_url",
            Action::Flow(_) => "flow",
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        if let Some(header) = &self.header {
            match header {
                Header::Text(text) => {
                    check::text("interactive.header.text", text, MAX_HEADER_TEXT_LEN)?
                }
                _ if matches!(self.action, Action::List { .. }) => {
                    return Err(ValidationError::new(
                        "interactive.header.type",
                        "a list message takes only a text header",
                    ))
                }
                Header::Image(source) => source.validate("interactive.header.image")?,
                Header::Video(source) => source.validate("interactive.header.video")?,
                Header::Document { source, filename } => {
                    source.validate("interactive.header.document")?;
                    if let Some(filename) = filename {
                        check::required("interactive.header.document.filename", filename)?;
                    }
                }
            }
        }
        let body_max = match self.action {
            Action::List { .. } => MAX_LIST_BODY_TEXT_LEN,
            _ => MAX_BODY_TEXT_LEN,
        };
        check::text("interactive.body.text", &self.body, body_max)?;
        if let Some(footer) = &self.footer {
            check::text("interactive.footer.text", footer, MAX_FOOTER_TEXT_LEN)?;
        }
        match &self.action {
            Action::Buttons(buttons) => validate_buttons(buttons),
            Action::List { button, sections } => validate_list(button, sections),
            Action::CtaUrl { display_text, url } => {
                check::text(
                    "interactive.action.parameters.display_text",
                    display_text,
                    MAX_CTA_DISPLAY_TEXT_LEN,
                )?;
                check::web_url("interactive.action.parameters.url", url)
            }
            Action::Flow(flow) => flow.validate(),
        }
    }
}

fn validate_buttons(buttons: &[ReplyButton]) -> Result<(), ValidationError> {
    if buttons.is_empty() || buttons.len() > MAX_REPLY_BUTTONS {
        return Err(ValidationError::new(
            "interactive.action.buttons",
            format!(
                "holds {} buttons; Meta allows 1 to {MAX_REPLY_BUTTONS}",
                buttons.len()
            ),
        ));
    }
    for (i, button) in buttons.iter().enumerate() {
        let path = format!("interactive.action.buttons[{i}].reply");
        check::text(&format!("{path}.id"), &button.id, MAX_REPLY_BUTTON_ID_LEN)?;
        check::text(
            &format!("{path}.title"),
            &button.title,
            MAX_REPLY_BUTTON_TITLE_LEN,
        )?;
        if buttons[..i].iter().any(|earlier| earlier.id == button.id) {
            return Err(ValidationError::new(
                format!("{path}.id"),
                format!(
                    "`{}` is used by an earlier button; ids must be unique",
                    button.id
                ),
            ));
        }
        if buttons[..i]
            .iter()
            .any(|earlier| earlier.title == button.title)
        {
            return Err(ValidationError::new(
                format!("{path}.title"),
                format!(
                    "`{}` is used by an earlier button; titles must be unique",
                    button.title
                ),
            ));
        }
    }
    Ok(())
}

fn validate_list(button: &str, sections: &[Section]) -> Result<(), ValidationError> {
    check::text("interactive.action.button", button, MAX_LIST_BUTTON_LEN)?;
    if sections.is_empty() || sections.len() > MAX_LIST_SECTIONS {
        return Err(ValidationError::new(
            "interactive.action.sections",
            format!(
                "holds {} sections; Meta allows 1 to {MAX_LIST_SECTIONS}",
                sections.len()
            ),
        ));
    }
    let total: usize = sections.iter().map(|section| section.rows.len()).sum();
    if total > MAX_LIST_ROWS {
        return Err(ValidationError::new(
            "interactive.action.sections",
            format!("hold {total} rows in all; Meta allows at most {MAX_LIST_ROWS}"),
        ));
    }
    let mut ids: Vec<&str> = Vec::with_capacity(total);
    for (s, section) in sections.iter().enumerate() {
        let path = format!("interactive.action.sections[{s}]");
        match &section.title {
            Some(title) => check::text(&format!("{path}.title"), title, MAX_SECTION_TITLE_LEN)?,
            None if sections.len() > 1 => {
                return Err(ValidationError::new(
                    format!("{path}.title"),
                    "is required when a list has more than one section",
                ))
            }
            None => {}
        }
        if section.rows.is_empty() {
            return Err(ValidationError::new(
                format!("{path}.rows"),
                "must hold at least one row",
            ));
        }
        for (r, row) in section.rows.iter().enumerate() {
            let row_path = format!("{path}.rows[{r}]");
            check::text(&format!("{row_path}.id"), &row.id, MAX_ROW_ID_LEN)?;
            check::text(&format!("{row_path}.title"), &row.title, MAX_ROW_TITLE_LEN)?;
            if let Some(description) = &row.description {
                check::max_chars(
                    &format!("{row_path}.description"),
                    description,
                    MAX_ROW_DESCRIPTION_LEN,
                )?;
            }
            if ids.contains(&row.id.as_str()) {
                return Err(ValidationError::new(
                    format!("{row_path}.id"),
                    format!("`{}` is used by an earlier row; ids must be unique", row.id),
                ));
            }
            ids.push(&row.id);
        }
    }
    Ok(())
}

impl Serialize for Interactive {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct TextOnly<'a> {
            text: &'a str,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        if let Some(header) = &self.header {
            map.serialize_entry("header", header)?;
        }
        map.serialize_entry("body", &TextOnly { text: &self.body })?;
        if let Some(footer) = &self.footer {
            map.serialize_entry("footer", &TextOnly { text: footer })?;
        }
        map.serialize_entry("action", &self.action)?;
        map.end()
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Action::Buttons(buttons) => map.serialize_entry("buttons", buttons)?,
            Action::List { button, sections } => {
                map.serialize_entry("button", button)?;
                map.serialize_entry("sections", sections)?;
            }
            Action::CtaUrl { display_text, url } => {
                #[derive(Serialize)]
                struct CtaParameters<'a> {
                    display_text: &'a str,
                    url: &'a str,
                }
                map.serialize_entry("name", "cta_url")?;
                map.serialize_entry("parameters", &CtaParameters { display_text, url })?;
            }
            Action::Flow(flow) => {
                map.serialize_entry("name", "flow")?;
                map.serialize_entry("parameters", flow)?;
            }
        }
        map.end()
    }
}

/// The header of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Header {
    /// `{"type": "text", "text": ...}` (at most 60 characters).
    Text(String),
    /// `{"type": "image", "image": {id | link}}`.
    Image(MediaSource),
    /// `{"type": "video", "video": {id | link}}`.
    Video(MediaSource),
    /// `{"type": "document", "document": {id | link, filename?}}`.
    Document {
        /// Where the document is.
        source: MediaSource,
        /// The file name shown to the recipient.
        filename: Option<String>,
    },
}

impl Header {
    /// A text header.
    pub fn text(text: impl Into<String>) -> Self {
        Header::Text(text.into())
    }

    /// An image header.
    pub fn image(source: MediaSource) -> Self {
        Header::Image(source)
    }

    /// A video header.
    pub fn video(source: MediaSource) -> Self {
        Header::Video(source)
    }

    /// A document header, optionally shown under `filename`.
    pub fn document(source: MediaSource, filename: Option<String>) -> Self {
        Header::Document { source, filename }
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Media<'a> {
            #[serde(flatten)]
            source: &'a MediaSource,
            #[serde(skip_serializing_if = "Option::is_none")]
            filename: Option<&'a str>,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            Header::Text(text) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
            }
            Header::Image(source) => {
                map.serialize_entry("type", "image")?;
                map.serialize_entry(
                    "image",
                    &Media {
                        source,
                        filename: None,
                    },
                )?;
            }
            Header::Video(source) => {
                map.serialize_entry("type", "video")?;
                map.serialize_entry(
                    "video",
                    &Media {
                        source,
                        filename: None,
                    },
                )?;
            }
            Header::Document { source, filename } => {
                map.serialize_entry("type", "document")?;
                map.serialize_entry(
                    "document",
                    &Media {
                        source,
                        filename: filename.as_deref(),
                    },
                )?;
            }
        }
        map.end()
    }
}

/// A reply button: `{"type": "reply", "reply": {"id", "title"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ReplyButton {
    id: String,
    title: String,
}

impl ReplyButton {
    /// A button with a unique `id` (at most 256 characters, sent back in the reply webhook)
    /// and a unique `title` of 1 to 20 characters.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        ReplyButton {
            id: id.into(),
            title: title.into(),
        }
    }
}

impl Serialize for ReplyButton {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Reply<'a> {
            id: &'a str,
            title: &'a str,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", "reply")?;
        map.serialize_entry(
            "reply",
            &Reply {
                id: &self.id,
                title: &self.title,
            },
        )?;
        map.end()
    }
}

/// A section of a list: an optional title (required when there are several) and its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Section {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    rows: Vec<Row>,
}

impl Section {
    /// An untitled section (fine when the list has one section).
    pub fn new(rows: impl IntoIterator<Item = Row>) -> Self {
        Section {
            title: None,
            rows: rows.into_iter().collect(),
        }
    }

    /// Sets the section's title (at most 24 characters).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a row.
    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }
}

/// A row of a list section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Row {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl Row {
    /// A row with a unique `id` (at most 200 characters) and a `title` (at most 24).
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Row {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    /// A description under the title (at most 72 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Which flow to open: by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FlowRef {
    Id(String),
    Name(String),
}

/// `flow_action`: what opening the flow does first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlowAction {
    /// Open a given screen (with `flow_action_payload`).
    Navigate,
    /// Ask the business's flow endpoint for the first screen.
    DataExchange,
}

/// `mode`: whether the flow is a draft (for testing) or published (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlowMode {
    /// A draft flow, for testing.
    Draft,
    /// A published flow.
    Published,
}

/// The `parameters` of a flow message's action.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Flow {
    flow: FlowRef,
    cta: String,
    token: Option<String>,
    action: Option<FlowAction>,
    screen: Option<String>,
    data: Option<serde_json::Value>,
    mode: Option<FlowMode>,
}

impl Flow {
    fn with(flow: FlowRef, cta: impl Into<String>) -> Self {
        Flow {
            flow,
            cta: cta.into(),
            token: None,
            action: None,
            screen: None,
            data: None,
            mode: None,
        }
    }

    /// The flow with this id, behind a button labelled `cta` (at most 20 characters).
    pub fn by_id(flow_id: impl Into<String>, cta: impl Into<String>) -> Self {
        Self::with(FlowRef::Id(flow_id.into()), cta)
    }

    /// The flow with this name, behind a button labelled `cta` (at most 20 characters).
    pub fn by_name(flow_name: impl Into<String>, cta: impl Into<String>) -> Self {
        Self::with(FlowRef::Name(flow_name.into()), cta)
    }

    /// `flow_token`: your identifier for this flow session, echoed back in the reply.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Opens `screen` first (`flow_action: navigate`).
    pub fn navigate(mut self, screen: impl Into<String>) -> Self {
        self.action = Some(FlowAction::Navigate);
        self.screen = Some(screen.into());
        self
    }

    /// Opens `screen` first with input `data` (a non-empty JSON object).
    pub fn navigate_with_data(
        mut self,
        screen: impl Into<String>,
        data: serde_json::Value,
    ) -> Self {
        self = self.navigate(screen);
        self.data = Some(data);
        self
    }

    /// Lets the flow endpoint choose the first screen (`flow_action: data_exchange`).
    pub fn data_exchange(mut self) -> Self {
        self.action = Some(FlowAction::DataExchange);
        self.screen = None;
        self.data = None;
        self
    }

    /// Sends a draft flow (testing) or a published one.
    pub fn mode(mut self, mode: FlowMode) -> Self {
        self.mode = Some(mode);
        self
    }

    fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        match &self.flow {
            FlowRef::Id(id) => check::required(&format!("{PATH}.flow_id"), id)?,
            FlowRef::Name(name) => check::required(&format!("{PATH}.flow_name"), name)?,
        }
        check::text(&format!("{PATH}.flow_cta"), &self.cta, MAX_FLOW_CTA_LEN)?;
        if let Some(token) = &self.token {
            check::required(&format!("{PATH}.flow_token"), token)?;
        }
        if let Some(screen) = &self.screen {
            check::required(&format!("{PATH}.flow_action_payload.screen"), screen)?;
        }
        if let Some(data) = &self.data {
            if !data.as_object().is_some_and(|object| !object.is_empty()) {
                return Err(ValidationError::new(
                    format!("{PATH}.flow_action_payload.data"),
                    "must be a non-empty JSON object",
                ));
            }
        }
        Ok(())
    }
}

impl Serialize for Flow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Payload<'a> {
            screen: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            data: Option<&'a serde_json::Value>,
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("flow_message_version", "3")?;
        if let Some(token) = &self.token {
            map.serialize_entry("flow_token", token)?;
        }
        match &self.flow {
            FlowRef::Id(id) => map.serialize_entry("flow_id", id)?,
            FlowRef::Name(name) => map.serialize_entry("flow_name", name)?,
        }
        map.serialize_entry("flow_cta", &self.cta)?;
        if let Some(action) = &self.action {
            map.serialize_entry("flow_action", action)?;
        }
        if let Some(screen) = &self.screen {
            map.serialize_entry(
                "flow_action_payload",
                &Payload {
                    screen,
                    data: self.data.as_ref(),
                },
            )?;
        }
        if let Some(mode) = &self.mode {
            map.serialize_entry("mode", mode)?;
        }
        map.end()
    }
}
