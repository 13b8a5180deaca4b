//! Interactive messages (`type: interactive`), one module per family:
//!
//! | module | `interactive.type` |
//! |---|---|
//! | [`buttons`] | `button` (reply buttons) |
//! | [`list`] | `list` |
//! | [`flow`] | `flow` |
//! | this module | `cta_url`, `location_request_message`, `call_permission_request`, `request_contact_info` |
//! | [`commerce`] | `catalog_message`, `product`, `product_list` |
//! | [`calling`] | `voice_call` |
//! | [`address`] | `address_message` (India) |
//! | [`payments`] | `order_details`, `order_status` |
//!
//! Every kind is one [`Interactive`], built by its own constructor. The header, body and footer
//! are shared, but Meta allows them per kind (a product list needs a text header, a location
//! request takes neither header nor footer, a product's body is optional): [`Interactive`]
//! checks that table before anything is sent, naming the field at fault.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::check;
use crate::error::ValidationError;

mod address;
mod buttons;
mod calling;
mod commerce;
mod flow;
mod header;
mod list;
mod payments;

pub use address::{AddressFields, AddressRequest, SavedAddress, MAX_IN_PIN_CODE_LEN};
pub use buttons::{
    ReplyButton, MAX_REPLY_BUTTONS, MAX_REPLY_BUTTON_ID_LEN, MAX_REPLY_BUTTON_TITLE_LEN,
};
pub use calling::{
    VoiceCall, MAX_VOICE_CALL_DISPLAY_TEXT_LEN, MAX_VOICE_CALL_PAYLOAD_LEN,
    MAX_VOICE_CALL_TTL_MINUTES,
};
pub(crate) use commerce::validate_sections as validate_product_sections;
pub use commerce::{ProductSection, MAX_PRODUCT_ITEMS, MAX_PRODUCT_SECTIONS};
pub use flow::{Flow, FlowAction, FlowMode, MAX_FLOW_CTA_LEN};
pub use header::Header;
pub use list::{
    Row, Section, MAX_LIST_BUTTON_LEN, MAX_LIST_ROWS, MAX_LIST_SECTIONS, MAX_ROW_DESCRIPTION_LEN,
    MAX_ROW_ID_LEN, MAX_ROW_TITLE_LEN, MAX_SECTION_TITLE_LEN,
};
pub use payments::{
    Amount, Charge, GoodsType, Order, OrderDetails, OrderItem, OrderStatus, OrderUpdate,
    PaymentSetting, MAX_ORDER_STATUS_DESCRIPTION_LEN, MAX_REFERENCE_ID_LEN,
};

/// The longest header text.
pub const MAX_HEADER_TEXT_LEN: usize = 60;
/// The longest footer text.
pub const MAX_FOOTER_TEXT_LEN: usize = 60;
/// The longest body of every kind but a list (1,024 characters).
pub const MAX_BODY_TEXT_LEN: usize = 1024;
/// The longest body of a list message (Meta allows 4,096 characters for lists).
pub const MAX_LIST_BODY_TEXT_LEN: usize = 4096;
/// The longest CTA URL button label.
pub const MAX_CTA_DISPLAY_TEXT_LEN: usize = 20;

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
    body: Option<String>,
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
    LocationRequest,
    CallPermissionRequest,
    RequestContactInfo,
    Catalog {
        thumbnail_product_retailer_id: Option<String>,
    },
    Product {
        catalog_id: String,
        product_retailer_id: String,
    },
    ProductList {
        catalog_id: String,
        sections: Vec<ProductSection>,
    },
    VoiceCall(VoiceCall),
    Address(Box<AddressRequest>),
    OrderDetails(Box<OrderDetails>),
    OrderStatus(OrderUpdate),
}

/// Which headers a kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderRule {
    /// Text, image, video or document.
    Any,
    /// Text only.
    TextOnly,
    /// A text header is required.
    TextRequired,
    /// No header at all.
    None,
}

/// What Meta documents for each kind: its header, whether its body is required, its body's
/// limit, and whether it takes a footer.
struct Shape {
    header: HeaderRule,
    body_required: bool,
    body_max: usize,
    footer: bool,
}

impl Interactive {
    fn with(body: Option<String>, action: Action) -> Self {
        Interactive {
            header: None,
            body,
            footer: None,
            action,
        }
    }

    fn with_body(body: impl Into<String>, action: Action) -> Self {
        Self::with(Some(body.into()), action)
    }

    /// Reply buttons (`type: button`): 1 to 3 buttons under the body.
    pub fn buttons(
        body: impl Into<String>,
        buttons: impl IntoIterator<Item = ReplyButton>,
    ) -> Self {
        Self::with_body(body, Action::Buttons(buttons.into_iter().collect()))
    }

    /// A list (`type: list`): a button labelled `button` opens 1 to 10 sections, holding at
    /// most 10 rows in all. A list's body may be up to 4,096 characters.
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
        Self::with_body(
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
        Self::with_body(
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
        Self::with_body(body, Action::Flow(Box::new(flow)))
    }

    /// A location request (`type: location_request_message`): the body and a "Send location"
    /// button; the user's answer arrives as an ordinary `location` message. No header or
    /// footer.
    ///
    /// ```
    /// use wacloud::messages::{Interactive, OutgoingMessage};
    /// let ask = Interactive::location_request("Where should we pick you up?");
    /// assert!(OutgoingMessage::new("+16505551234", ask).validate().is_ok());
    /// ```
    pub fn location_request(body: impl Into<String>) -> Self {
        Self::with_body(body, Action::LocationRequest)
    }

    /// A call permission request (`type: call_permission_request`): asks the user to let the
    /// business call them on WhatsApp. No header or footer.
    pub fn call_permission_request(body: impl Into<String>) -> Self {
        Self::with_body(body, Action::CallPermissionRequest)
    }

    /// A request for the user's contact card (`type: request_contact_info`): the way to learn
    /// the phone number of a user known only by a business-scoped user id. The answer arrives
    /// as a `contacts` message. No header or footer.
    pub fn request_contact_info(body: impl Into<String>) -> Self {
        Self::with_body(body, Action::RequestContactInfo)
    }

    /// A catalog message (`type: catalog_message`): a "View catalog" button; WhatsApp uses the
    /// first product's image as the header. A footer is allowed, a header is not.
    pub fn catalog_message(body: impl Into<String>) -> Self {
        Self::with_body(
            body,
            Action::Catalog {
                thumbnail_product_retailer_id: None,
            },
        )
    }

    /// A catalog message whose header image is the thumbnail of the product
    /// `thumbnail_product_retailer_id` (its SKU, "Content ID" in the Commerce Manager).
    pub fn catalog_message_with_thumbnail(
        body: impl Into<String>,
        thumbnail_product_retailer_id: impl Into<String>,
    ) -> Self {
        Self::with_body(
            body,
            Action::Catalog {
                thumbnail_product_retailer_id: Some(thumbnail_product_retailer_id.into()),
            },
        )
    }

    /// A single-product message (`type: product`): one item of the catalog `catalog_id`. The
    /// body is optional (set it with [`Interactive::body`]); a header is not allowed.
    ///
    /// ```
    /// use wacloud::messages::{Interactive, OutgoingMessage};
    /// let pot = Interactive::product("194836987003835", "pot-terracotta-12").body("Back in stock!");
    /// assert!(OutgoingMessage::new("+16505551234", pot).validate().is_ok());
    /// ```
    pub fn product(catalog_id: impl Into<String>, product_retailer_id: impl Into<String>) -> Self {
        Self::with(
            None,
            Action::Product {
                catalog_id: catalog_id.into(),
                product_retailer_id: product_retailer_id.into(),
            },
        )
    }

    /// A multi-product message (`type: product_list`): a required text `header`, a body, and
    /// 1 to 10 sections holding at most 30 products in all, from the catalog `catalog_id`.
    ///
    /// ```
    /// use wacloud::messages::{Interactive, OutgoingMessage, ProductSection};
    /// let pots = Interactive::product_list(
    ///     "Our pots",
    ///     "Pick a pot for your new succulent",
    ///     "194836987003835",
    ///     [
    ///         ProductSection::new(["pot-terracotta-12", "pot-terracotta-16"]).title("Terracotta"),
    ///         ProductSection::new(["pot-glazed-12"]).title("Glazed"),
    ///     ],
    /// );
    /// assert!(OutgoingMessage::new("+16505551234", pots).validate().is_ok());
    /// ```
    pub fn product_list(
        header: impl Into<String>,
        body: impl Into<String>,
        catalog_id: impl Into<String>,
        sections: impl IntoIterator<Item = ProductSection>,
    ) -> Self {
        Self::with_body(
            body,
            Action::ProductList {
                catalog_id: catalog_id.into(),
                sections: sections.into_iter().collect(),
            },
        )
        .header(Header::text(header))
    }

    /// A "Call on WhatsApp" button (`type: voice_call`). No header or footer.
    ///
    /// ```
    /// use wacloud::messages::{Interactive, VoiceCall};
    /// let call = Interactive::voice_call(
    ///     "Talk to a gardener now",
    ///     VoiceCall::new().display_text("Call us").ttl_minutes(60).payload("campaign-7"),
    /// );
    /// # let _ = call;
    /// ```
    pub fn voice_call(body: impl Into<String>, call: VoiceCall) -> Self {
        Self::with_body(body, Action::VoiceCall(call))
    }

    /// An address message (`type: address_message`, India only): a button that opens an
    /// address form, optionally prefilled or offering saved addresses.
    pub fn address_message(body: impl Into<String>, request: AddressRequest) -> Self {
        Self::with_body(body, Action::Address(Box::new(request)))
    }

    /// An order to review and pay (`type: order_details`, action `review_and_pay`).
    pub fn order_details(body: impl Into<String>, details: OrderDetails) -> Self {
        Self::with_body(body, Action::OrderDetails(Box::new(details)))
    }

    /// A status update for an earlier order (`type: order_status`, action `review_order`).
    pub fn order_status(body: impl Into<String>, update: OrderUpdate) -> Self {
        Self::with_body(body, Action::OrderStatus(update))
    }

    /// Sets the header (which headers a kind takes is checked before sending).
    pub fn header(mut self, header: Header) -> Self {
        self.header = Some(header);
        self
    }

    /// Sets or replaces the body text (optional only for a single-product message).
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
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
            Action::LocationRequest => "location_request_message",
            Action::CallPermissionRequest => "call_permission_request",
            Action::RequestContactInfo => "request_contact_info",
            Action::Catalog { .. } => "catalog_message",
            Action::Product { .. } => "product",
            Action::ProductList { .. } => "product_list",
            Action::VoiceCall(_) => "voice_call",
            Action::Address(_) => "address_message",
            Action::OrderDetails(_) => "order_details",
            Action::OrderStatus(_) => "order_status",
        }
    }

    fn shape(&self) -> Shape {
        let (header, body_required, body_max, footer) = match &self.action {
            Action::List { .. } => (HeaderRule::TextOnly, true, MAX_LIST_BODY_TEXT_LEN, true),
            Action::Buttons(_)
            | Action::CtaUrl { .. }
            | Action::Flow(_)
            | Action::Address(_)
            | Action::OrderDetails(_)
            | Action::OrderStatus(_) => (HeaderRule::Any, true, MAX_BODY_TEXT_LEN, true),
            Action::Catalog { .. } => (HeaderRule::None, true, MAX_BODY_TEXT_LEN, true),
            Action::Product { .. } => (HeaderRule::None, false, MAX_BODY_TEXT_LEN, true),
            Action::ProductList { .. } => (HeaderRule::TextRequired, true, MAX_BODY_TEXT_LEN, true),
            Action::LocationRequest
            | Action::CallPermissionRequest
            | Action::RequestContactInfo
            | Action::VoiceCall(_) => (HeaderRule::None, true, MAX_BODY_TEXT_LEN, false),
        };
        Shape {
            header,
            body_required,
            body_max,
            footer,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        let shape = self.shape();
        let kind = self.type_name();
        match (&self.header, shape.header) {
            (None, HeaderRule::TextRequired) => {
                return Err(ValidationError::new(
                    "interactive.header",
                    format!("a {kind} message requires a text header"),
                ))
            }
            (None, _) => {}
            (Some(_), HeaderRule::None) => {
                return Err(ValidationError::new(
                    "interactive.header",
                    format!("a {kind} message takes no header"),
                ))
            }
            (Some(Header::Text(_)), _) | (Some(_), HeaderRule::Any) => {}
            (Some(_), HeaderRule::TextOnly | HeaderRule::TextRequired) => {
                return Err(ValidationError::new(
                    "interactive.header.type",
                    format!("a {kind} message takes only a text header"),
                ))
            }
        }
        if let Some(header) = &self.header {
            header.validate()?;
        }
        match &self.body {
            Some(body) => check::text("interactive.body.text", body, shape.body_max)?,
            None if shape.body_required => {
                return Err(ValidationError::new(
                    "interactive.body.text",
                    format!("a {kind} message requires a body"),
                ))
            }
            None => {}
        }
        if let Some(footer) = &self.footer {
            if !shape.footer {
                return Err(ValidationError::new(
                    "interactive.footer",
                    format!("a {kind} message takes no footer"),
                ));
            }
            check::text("interactive.footer.text", footer, MAX_FOOTER_TEXT_LEN)?;
        }
        match &self.action {
            Action::Buttons(buttons) => buttons::validate(buttons),
            Action::List { button, sections } => list::validate(button, sections),
            Action::CtaUrl { display_text, url } => {
                check::text(
                    "interactive.action.parameters.display_text",
                    display_text,
                    MAX_CTA_DISPLAY_TEXT_LEN,
                )?;
                check::web_url("interactive.action.parameters.url", url)
            }
            Action::Flow(flow) => flow.validate(),
            Action::LocationRequest
            | Action::CallPermissionRequest
            | Action::RequestContactInfo => Ok(()),
            Action::Catalog {
                thumbnail_product_retailer_id,
            } => commerce::validate_catalog(thumbnail_product_retailer_id.as_deref()),
            Action::Product {
                catalog_id,
                product_retailer_id,
            } => commerce::validate_product(catalog_id, product_retailer_id),
            Action::ProductList {
                catalog_id,
                sections,
            } => commerce::validate_product_list(catalog_id, sections),
            Action::VoiceCall(call) => call.validate(),
            Action::Address(request) => request.validate(),
            Action::OrderDetails(details) => details.validate(),
            Action::OrderStatus(update) => update.validate(),
        }
    }
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
        if let Some(body) = &self.body {
            map.serialize_entry("body", &TextOnly { text: body })?;
        }
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
            Action::LocationRequest => map.serialize_entry("name", "send_location")?,
            Action::CallPermissionRequest => {
                map.serialize_entry("name", "call_permission_request")?
            }
            Action::RequestContactInfo => map.serialize_entry("name", "request_contact_info")?,
            Action::Catalog {
                thumbnail_product_retailer_id,
            } => {
                #[derive(Serialize)]
                struct Thumbnail<'a> {
                    thumbnail_product_retailer_id: &'a str,
                }
                map.serialize_entry("name", "catalog_message")?;
                if let Some(id) = thumbnail_product_retailer_id {
                    map.serialize_entry(
                        "parameters",
                        &Thumbnail {
                            thumbnail_product_retailer_id: id,
                        },
                    )?;
                }
            }
            Action::Product {
                catalog_id,
                product_retailer_id,
            } => {
                map.serialize_entry("catalog_id", catalog_id)?;
                map.serialize_entry("product_retailer_id", product_retailer_id)?;
            }
            Action::ProductList {
                catalog_id,
                sections,
            } => {
                map.serialize_entry("catalog_id", catalog_id)?;
                map.serialize_entry("sections", sections)?;
            }
            Action::VoiceCall(call) => {
                map.serialize_entry("name", "voice_call")?;
                if !call.is_default() {
                    map.serialize_entry("parameters", call)?;
                }
            }
            Action::Address(request) => {
                map.serialize_entry("name", "address_message")?;
                map.serialize_entry("parameters", request)?;
            }
            Action::OrderDetails(details) => {
                map.serialize_entry("name", "review_and_pay")?;
                map.serialize_entry("parameters", details)?;
            }
            Action::OrderStatus(update) => {
                map.serialize_entry("name", "review_order")?;
                map.serialize_entry("parameters", update)?;
            }
        }
        map.end()
    }
}
