//! A message validated and serialized once, kept as its JSON bytes.
//!
//! Why: a durable outbox stores a message and sends it later, maybe from another process. It
//! keeps these bytes rather than the typed model (which only serializes), and hands them back
//! to [`Client::send_prepared`](crate::Client::send_prepared), which reads the few facts the
//! layers need (recipient, type, callback data) from the JSON itself, so the facts always
//! agree with what is sent.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::envelope::{OutgoingMessage, MAX_CALLBACK_DATA_LEN};
use super::user_ref::UserRef;
use crate::error::ValidationError;

/// The `type` values Meta accepts, as the layers name them.
const MESSAGE_TYPES: [&str; 11] = [
    "text",
    "template",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "reaction",
];

/// A message's JSON body, validated, with the facts read from it.
///
/// ```
/// use wacloud::messages::{OutgoingMessage, PreparedMessage, Text};
/// let prepared = OutgoingMessage::new("+16505551234", Text::new("Hi")).prepare().unwrap();
/// let stored = prepared.body().to_vec();
/// let again = PreparedMessage::from_json(&stored).unwrap().with_callback_data("row-7").unwrap();
/// assert_eq!(again.message_type(), "text");
/// assert_eq!(again.callback_data(), Some("row-7"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedMessage {
    body: Bytes,
    recipient: UserRef,
    message_type: &'static str,
    callback_data: Option<String>,
}

impl OutgoingMessage {
    /// Validates the message and serializes it once, for storing and sending later.
    pub fn prepare(&self) -> Result<PreparedMessage, ValidationError> {
        let recipient = self.validated_recipient()?;
        // Most messages fit: one allocation instead of a few growing ones.
        let mut body = Vec::with_capacity(256);
        serde_json::to_writer(&mut body, self).map_err(|err| {
            ValidationError::new("message", format!("could not be serialized: {err}"))
        })?;
        Ok(PreparedMessage {
            body: Bytes::from(body),
            recipient,
            message_type: self.content().type_name(),
            callback_data: self.callback_data_value().map(str::to_owned),
        })
    }
}

impl PreparedMessage {
    /// Reads a body made by [`OutgoingMessage::prepare`] (or any message JSON Meta accepts):
    /// it must be an object with `to` or `recipient`, and a known `type`.
    pub fn from_json(body: &[u8]) -> Result<PreparedMessage, ValidationError> {
        let value: Map<String, Value> = serde_json::from_slice(body).map_err(|err| {
            ValidationError::new("message", format!("is not a JSON object: {err}"))
        })?;
        let to = value
            .get("recipient")
            .or_else(|| value.get("to"))
            .and_then(Value::as_str)
            .ok_or_else(|| ValidationError::new("to", "must be a string"))?;
        let recipient = UserRef::parse(to)?;
        let type_name = value
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let message_type = MESSAGE_TYPES
            .iter()
            .copied()
            .find(|known| *known == type_name)
            .ok_or_else(|| {
                ValidationError::new("type", format!("{type_name:?} is not a message type"))
            })?;
        let callback_data = match value.get("biz_opaque_callback_data") {
            None | Some(Value::Null) => None,
            Some(Value::String(data)) => Some(data.clone()),
            Some(_) => {
                return Err(ValidationError::new(
                    "biz_opaque_callback_data",
                    "must be a string",
                ))
            }
        };
        Ok(PreparedMessage {
            body: Bytes::copy_from_slice(body),
            recipient,
            message_type,
            callback_data,
        })
    }

    /// Sets (or replaces) `biz_opaque_callback_data` in the body.
    pub fn with_callback_data(mut self, data: impl Into<String>) -> Result<Self, ValidationError> {
        let data = data.into();
        if data.chars().count() > MAX_CALLBACK_DATA_LEN {
            return Err(ValidationError::new(
                "biz_opaque_callback_data",
                format!("must be at most {MAX_CALLBACK_DATA_LEN} characters"),
            ));
        }
        self.body = with_field(
            &self.body,
            "biz_opaque_callback_data",
            Value::String(data.clone()),
        )?;
        self.callback_data = Some(data);
        Ok(self)
    }

    /// The JSON body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The recipient.
    pub fn recipient(&self) -> &UserRef {
        &self.recipient
    }

    /// Meta's `type` value.
    pub fn message_type(&self) -> &'static str {
        self.message_type
    }

    /// The callback data, if set.
    pub fn callback_data(&self) -> Option<&str> {
        self.callback_data.as_deref()
    }

    /// The body with top-level fields added (a route's extra fields).
    pub(crate) fn body_with(
        &self,
        extra: Vec<(&'static str, Value)>,
    ) -> Result<Bytes, ValidationError> {
        let mut body = self.body.clone();
        for (key, value) in extra {
            body = with_field(&body, key, value)?;
        }
        Ok(body)
    }
}

/// `body` with one top-level field set.
fn with_field(body: &[u8], key: &str, field: Value) -> Result<Bytes, ValidationError> {
    let mut value: Map<String, Value> = serde_json::from_slice(body)
        .map_err(|err| ValidationError::new("message", format!("is not a JSON object: {err}")))?;
    value.insert(key.to_owned(), field);
    let bytes = serde_json::to_vec(&value).map_err(|err| {
        ValidationError::new("message", format!("could not be serialized: {err}"))
    })?;
    Ok(Bytes::from(bytes))
}
