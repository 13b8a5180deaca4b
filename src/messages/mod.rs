//! The outbound message model: each type serializes exactly to Meta's JSON.
//!
//! An [`OutgoingMessage`] is the envelope (`messaging_product`, `recipient_type`, `to` or
//! `recipient`, `type`, `context`, `biz_opaque_callback_data`), addressed to a [`UserRef`] (a
//! phone number, or a business-scoped user id for users who show a username); its [`MessageContent`] is one of the families below.
//! Every type checks Meta's documented limits in [`OutgoingMessage::validate`], which the
//! client runs before sending, so a bad message is a typed error and no request.
//!
//! | family | types |
//! |---|---|
//! | text | [`Text`] |
//! | template | [`Template`], [`Component`], [`Parameter`], [`CarouselCard`] |
//! | media | [`Image`], [`Video`], [`Audio`], [`Document`], [`Sticker`], by [`MediaSource`] |
//! | location | [`Location`] |
//! | contacts | [`Contacts`], [`Contact`], [`Phone`], [`Email`], [`Address`], [`Org`], [`ContactUrl`] |
//! | interactive | [`Interactive`]: buttons, list, cta_url, flow ([`Header`], [`ReplyButton`], [`Section`], [`Row`], [`Flow`]); location request, call permission request, request contact info; catalog, product, product list ([`ProductSection`]); voice call ([`VoiceCall`]); address ([`AddressRequest`]); order details and status ([`OrderDetails`], [`OrderUpdate`]) |
//! | reaction | [`Reaction`] |
//!
//! ```
//! use wacloud::messages::{Image, OutgoingMessage};
//! let message = OutgoingMessage::new("+16505551234", Image::from_id("123").caption("x"));
//! assert_eq!(message.content().type_name(), "image");
//! ```

mod check;
mod contacts;
mod envelope;
mod interactive;
mod location;
mod media;
mod prepared;
mod reaction;
mod response;
mod template;
mod text;
mod user_ref;

pub use contacts::{Address, Contact, ContactUrl, Contacts, Email, Org, Phone};
pub use envelope::{Context, MessageContent, OutgoingMessage, MAX_CALLBACK_DATA_LEN};
pub use interactive::{
    AddressFields, AddressRequest, Amount, Charge, Flow, FlowAction, FlowMode, GoodsType, Header,
    Interactive, Order, OrderDetails, OrderItem, OrderStatus, OrderUpdate, PaymentSetting,
    ProductSection, ReplyButton, Row, SavedAddress, Section, VoiceCall, MAX_BODY_TEXT_LEN,
    MAX_CTA_DISPLAY_TEXT_LEN, MAX_FLOW_CTA_LEN, MAX_FOOTER_TEXT_LEN, MAX_IN_PIN_CODE_LEN,
    MAX_LIST_BODY_TEXT_LEN, MAX_LIST_BUTTON_LEN, MAX_LIST_ROWS, MAX_LIST_SECTIONS,
    MAX_ORDER_STATUS_DESCRIPTION_LEN, MAX_PRODUCT_ITEMS, MAX_PRODUCT_SECTIONS,
    MAX_REFERENCE_ID_LEN, MAX_REPLY_BUTTONS, MAX_REPLY_BUTTON_ID_LEN, MAX_REPLY_BUTTON_TITLE_LEN,
    MAX_ROW_DESCRIPTION_LEN, MAX_ROW_ID_LEN, MAX_ROW_TITLE_LEN, MAX_SECTION_TITLE_LEN,
    MAX_VOICE_CALL_DISPLAY_TEXT_LEN, MAX_VOICE_CALL_PAYLOAD_LEN, MAX_VOICE_CALL_TTL_MINUTES,
};
pub use location::Location;
pub use media::{Audio, Document, Image, MediaSource, Sticker, Video, MAX_CAPTION_LEN};
pub use prepared::PreparedMessage;
pub use reaction::Reaction;
pub use response::{MessageStatus, SendResponse, SentContact, SentMessage, Wamid};
pub use template::{
    ButtonSubType, CarouselCard, Component, LanguagePolicy, Parameter, Template,
    MAX_AUTHENTICATION_CODE_LEN, MAX_BUTTON_INDEX, MAX_CAROUSEL_CARDS, MAX_CAROUSEL_CARD_BUTTONS,
    MAX_COUPON_CODE_LEN, MAX_TEMPLATE_NAME_LEN, MIN_CAROUSEL_CARDS,
};
pub use text::{Text, MAX_TEXT_LEN};
pub use user_ref::{UserId, UserRef, MAX_USER_ID_LEN};
