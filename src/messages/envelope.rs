//! The envelope every send shares.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::contacts::Contacts;
use super::interactive::Interactive;
use super::location::Location;
use super::media::{Audio, Document, Image, Sticker, Video};
use super::reaction::Reaction;
use super::template::Template;
use super::text::Text;
use super::user_ref::{self, UserRef};
use crate::error::ValidationError;

/// The longest `biz_opaque_callback_data` we send (the limit third parties cite).
pub const MAX_CALLBACK_DATA_LEN: usize = 512;

/// The content of a message: one of Meta's message types.
///
/// Every family converts into it with `From`, so [`OutgoingMessage::new`] takes any of them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageContent {
    /// `type: text`.
    Text(Text),
    /// `type: template`.
    Template(Template),
    /// `type: image`.
    Image(Image),
    /// `type: video`.
    Video(Video),
    /// `type: audio`.
    Audio(Audio),
    /// `type: document`.
    Document(Document),
    /// `type: sticker`.
    Sticker(Sticker),
    /// `type: location`.
    Location(Location),
    /// `type: contacts`.
    Contacts(Contacts),
    /// `type: interactive`.
    Interactive(Interactive),
    /// `type: reaction`.
    Reaction(Reaction),
}

impl MessageContent {
    /// Meta's `type` value, which is also the key of the content object.
    pub fn type_name(&self) -> &'static str {
        match self {
            MessageContent::Text(_) => "text",
            MessageContent::Template(_) => "template",
            MessageContent::Image(_) => "image",
            MessageContent::Video(_) => "video",
            MessageContent::Audio(_) => "audio",
            MessageContent::Document(_) => "document",
            MessageContent::Sticker(_) => "sticker",
            MessageContent::Location(_) => "location",
            MessageContent::Contacts(_) => "contacts",
            MessageContent::Interactive(_) => "interactive",
            MessageContent::Reaction(_) => "reaction",
        }
    }

    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            MessageContent::Text(content) => content.validate(),
            MessageContent::Template(content) => content.validate(),
            MessageContent::Image(content) => content.validate(),
            MessageContent::Video(content) => content.validate(),
            MessageContent::Audio(content) => content.validate(),
            MessageContent::Document(content) => content.validate(),
            MessageContent::Sticker(content) => content.validate(),
            MessageContent::Location(content) => content.validate(),
            MessageContent::Contacts(content) => content.validate(),
            MessageContent::Interactive(content) => content.validate(),
            MessageContent::Reaction(content) => content.validate(),
        }
    }

    fn serialize_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let key = self.type_name();
        map.serialize_entry("type", key)?;
        match self {
            MessageContent::Text(content) => map.serialize_entry(key, content),
            MessageContent::Template(content) => map.serialize_entry(key, content),
            MessageContent::Image(content) => map.serialize_entry(key, content),
            MessageContent::Video(content) => map.serialize_entry(key, content),
            MessageContent::Audio(content) => map.serialize_entry(key, content),
            MessageContent::Document(content) => map.serialize_entry(key, content),
            MessageContent::Sticker(content) => map.serialize_entry(key, content),
            MessageContent::Location(content) => map.serialize_entry(key, content),
            MessageContent::Contacts(content) => map.serialize_entry(key, content),
            MessageContent::Interactive(content) => map.serialize_entry(key, content),
            MessageContent::Reaction(content) => map.serialize_entry(key, content),
        }
    }
}

macro_rules! content_from {
    ($($family:ident),* $(,)?) => {
        $(
            impl From<$family> for MessageContent {
                fn from(content: $family) -> Self {
                    MessageContent::$family(content)
                }
            }
        )*
    };
}

content_from!(
    Text,
    Template,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Interactive,
    Reaction
);

impl From<super::contacts::Contact> for MessageContent {
    fn from(contact: super::contacts::Contact) -> Self {
        MessageContent::Contacts(Contacts::from(contact))
    }
}

/// `context`: makes the message a reply to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The wamid of the message replied to.
    pub message_id: String,
}

/// A message to send: recipient, content, and the optional reply context and callback data.
///
/// The recipient is any form of [`UserRef`]: a phone number goes in `to`, a business-scoped
/// user id (BSUID) or parent BSUID in `recipient` (Meta's field for them; never `to`).
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Text};
/// let message = OutgoingMessage::new("+16505551234", Text::new("Hello"))
///     .reply_to("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA")
///     .callback_data("order-42");
/// assert_eq!(message.to(), "+16505551234");
///
/// // A user who shows a username instead of their number: reply to their BSUID.
/// let reply = OutgoingMessage::new("US.13491208655302741918", Text::new("On its way"));
/// let body = serde_json::to_value(&reply).unwrap();
/// assert_eq!(body["recipient"], "US.13491208655302741918");
/// assert!(body.get("to").is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct OutgoingMessage {
    to: String,
    content: MessageContent,
    context: Option<Context>,
    biz_opaque_callback_data: Option<String>,
}

impl OutgoingMessage {
    /// A message to `to`: a phone number (`+` and the country code, or a wa_id), a BSUID
    /// (`US.13491208655302741918`) or a parent BSUID (`US.ENT.11815799212886844830`), as a
    /// string or a [`UserRef`]. The form is checked by [`OutgoingMessage::validate`].
    pub fn new(to: impl Into<String>, content: impl Into<MessageContent>) -> Self {
        OutgoingMessage {
            to: to.into(),
            content: content.into(),
            context: None,
            biz_opaque_callback_data: None,
        }
    }

    /// Sends the message as a reply to `message_id`.
    pub fn reply_to(mut self, message_id: impl Into<String>) -> Self {
        self.context = Some(Context {
            message_id: message_id.into(),
        });
        self
    }

    /// Sets `biz_opaque_callback_data`, echoed back in status webhooks.
    pub fn callback_data(mut self, data: impl Into<String>) -> Self {
        self.biz_opaque_callback_data = Some(data.into());
        self
    }

    /// The recipient as given (a phone number or a user id).
    pub fn to(&self) -> &str {
        &self.to
    }

    /// The recipient read as a [`UserRef`]; an error (naming `to` or `recipient`) when it is
    /// empty or a malformed user id.
    pub fn user_ref(&self) -> Result<UserRef, ValidationError> {
        UserRef::parse(&self.to)
    }

    /// The content.
    pub fn content(&self) -> &MessageContent {
        &self.content
    }

    /// The callback data, if set.
    pub fn callback_data_value(&self) -> Option<&str> {
        self.biz_opaque_callback_data.as_deref()
    }

    /// Checks Meta's documented limits; the client calls this before sending.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.validated_recipient().map(|_| ())
    }

    /// [`validate`](Self::validate), answering the recipient it parsed (so that preparing a
    /// message parses it once).
    pub(crate) fn validated_recipient(&self) -> Result<UserRef, ValidationError> {
        let recipient = self.user_ref()?;
        if let Some(context) = &self.context {
            if context.message_id.trim().is_empty() {
                return Err(ValidationError::new(
                    "context.message_id",
                    "must not be empty",
                ));
            }
        }
        if let Some(data) = &self.biz_opaque_callback_data {
            // At most that many bytes is at most that many characters: only longer is counted.
            if data.len() > MAX_CALLBACK_DATA_LEN && data.chars().count() > MAX_CALLBACK_DATA_LEN {
                return Err(ValidationError::new(
                    "biz_opaque_callback_data",
                    format!("must be at most {MAX_CALLBACK_DATA_LEN} characters"),
                ));
            }
        }
        self.content.validate()?;
        Ok(recipient)
    }
}

impl Serialize for OutgoingMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("messaging_product", "whatsapp")?;
        map.serialize_entry("recipient_type", "individual")?;
        // A user id goes in `recipient`: Meta reads `to` first and would take it for a number.
        let trimmed = self.to.trim();
        if user_ref::looks_like_user_id(trimmed) {
            map.serialize_entry("recipient", trimmed)?;
        } else {
            map.serialize_entry("to", &self.to)?;
        }
        self.content.serialize_into(&mut map)?;
        if let Some(context) = &self.context {
            map.serialize_entry("context", context)?;
        }
        if let Some(data) = &self.biz_opaque_callback_data {
            map.serialize_entry("biz_opaque_callback_data", data)?;
        }
        map.end()
    }
}
