//! Typed, borrowing parse of `whatsapp_business_account` webhook payloads.
//!
//! [`parse`] borrows strings from the raw body wherever the JSON allows it
//! (no escapes), so a large batch of statuses costs few allocations. Every
//! type has an `into_owned` method that detaches it from the body (used by
//! the router, whose events may outlive the request).
//!
//! Forward compatibility: only the envelope is mandatory. A change whose
//! `field` is not `messages`, a message type or status the SDK does not know,
//! or an item that does not match its documented shape never fails the parse;
//! it is kept as raw JSON ([`ChangeValue::Other`], [`MessageContent::Unknown`]
//! with [`Message::raw`], [`StatusKind::Other`] with [`Status::raw`],
//! [`MessagesValue::unparsed`]).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::{self, into_static_struct, try_parse, IntoStatic};
use super::error::WebhookError;

/// The `object` of every WhatsApp Business Account webhook.
pub const WHATSAPP_BUSINESS_ACCOUNT: &str = "whatsapp_business_account";

/// Parses a webhook POST body (the raw bytes, as received).
///
/// Fails only when the bytes are not the documented envelope; see
/// [`WebhookError`]. Never panics.
pub fn parse(body: &[u8]) -> Result<Notification<'_>, WebhookError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(WebhookError::Empty);
    }
    // Fast path, one pass over each `value`: every change is a `messages`
    // change whose value has the documented shape (the common case).
    if let Ok(wire) = serde_json::from_slice::<WireNotification<'_, WireMessagesValue<'_>>>(body) {
        let all_messages = wire
            .entry
            .iter()
            .all(|e| e.changes.iter().all(|c| c.field == "messages"));
        if all_messages && wire.object == WHATSAPP_BUSINESS_ACCOUNT {
            return Ok(wire.into_notification(|_, value| {
                ChangeValue::Messages(MessagesValue::from_wire(value))
            }));
        }
    }
    // General path: every change value is kept raw first, then typed.
    let wire: WireNotification<'_, &RawValue> =
        serde_json::from_slice(body).map_err(|e| WebhookError::from_json(&e))?;
    if wire.object != WHATSAPP_BUSINESS_ACCOUNT {
        return Err(WebhookError::UnexpectedObject {
            object: wire.object.into_owned(),
        });
    }
    Ok(wire.into_notification(|field, value| {
        if field == "messages" {
            parse_messages_value(value)
        } else {
            ChangeValue::Other(Cow::Borrowed(value))
        }
    }))
}

// ---------------------------------------------------------------------------
// Wire (private) types: the envelope, generic over the type of each change's
// `value`: `&RawValue` keeps it raw (general path), `WireMessagesValue` reads
// a `messages` value in the same pass (fast path).

#[derive(Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de>"))]
struct WireNotification<'a, V> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    object: Cow<'a, str>,
    #[serde(borrow)]
    entry: Vec<WireEntry<'a, V>>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de>"))]
struct WireEntry<'a, V> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(default, deserialize_with = "de::opt_i64")]
    time: Option<i64>,
    #[serde(borrow)]
    changes: Vec<WireChange<'a, V>>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de>"))]
struct WireChange<'a, V> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    field: Cow<'a, str>,
    value: V,
}

impl<'a, V> WireNotification<'a, V> {
    /// The public envelope, each change's value typed by `value(field, value)`.
    fn into_notification(
        self,
        mut value: impl FnMut(&str, V) -> ChangeValue<'a>,
    ) -> Notification<'a> {
        let entries = self
            .entry
            .into_iter()
            .map(|e| Entry {
                id: e.id,
                time: e.time,
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| Change {
                        value: value(&c.field, c.value),
                        field: c.field,
                    })
                    .collect(),
            })
            .collect();
        Notification {
            object: self.object,
            entries,
        }
    }
}

#[derive(Deserialize)]
struct WireMessagesValue<'a> {
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    messaging_product: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    metadata: Option<&'a RawValue>,
    #[serde(default, borrow)]
    contacts: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    statuses: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    errors: Option<Vec<&'a RawValue>>,
}

fn parse_messages_value(raw: &RawValue) -> ChangeValue<'_> {
    match serde_json::from_str::<WireMessagesValue<'_>>(raw.get()) {
        Ok(wire) => ChangeValue::Messages(MessagesValue::from_wire(wire)),
        Err(_) => ChangeValue::Other(Cow::Borrowed(raw)),
    }
}

impl<'a> MessagesValue<'a> {
    fn from_wire(wire: WireMessagesValue<'a>) -> Self {
        let mut unparsed = Vec::new();
        let metadata = match wire.metadata {
            None => None,
            Some(m) => match serde_json::from_str::<Metadata<'a>>(m.get()) {
                Ok(m) => Some(m),
                Err(_) => {
                    unparsed.push(Cow::Borrowed(m));
                    None
                }
            },
        };
        fn collect<'a, T>(
            items: Option<Vec<&'a RawValue>>,
            unparsed: &mut Vec<Cow<'a, RawValue>>,
            f: impl Fn(&'a RawValue) -> Option<T>,
        ) -> Vec<T> {
            let items = items.unwrap_or_default();
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match f(item) {
                    Some(t) => out.push(t),
                    None => unparsed.push(Cow::Borrowed(item)),
                }
            }
            out
        }
        let contacts = collect(wire.contacts, &mut unparsed, |r| {
            serde_json::from_str(r.get()).ok()
        });
        let messages = collect(wire.messages, &mut unparsed, Message::from_raw);
        let statuses = collect(wire.statuses, &mut unparsed, Status::from_raw);
        let errors = collect(wire.errors, &mut unparsed, |r| {
            serde_json::from_str(r.get()).ok()
        });
        MessagesValue {
            messaging_product: wire.messaging_product,
            metadata,
            contacts,
            messages,
            statuses,
            errors,
            unparsed,
        }
    }
}

// ---------------------------------------------------------------------------
// Envelope.

/// A parsed webhook POST body: `{"object": ..., "entry": [...]}`.
#[derive(Debug, Clone)]
pub struct Notification<'a> {
    /// Always `whatsapp_business_account` (anything else is a [`WebhookError`]).
    pub object: Cow<'a, str>,
    /// The `entry` array: one per WhatsApp Business Account.
    pub entries: Vec<Entry<'a>>,
}

/// One `entry[]` item.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The WhatsApp Business Account id.
    pub id: Cow<'a, str>,
    /// `time`, when present (some change kinds carry it).
    pub time: Option<i64>,
    /// The `changes` array.
    pub changes: Vec<Change<'a>>,
}

/// One `changes[]` item.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// The subscribed field (`messages`, `message_template_status_update`, ...).
    pub field: Cow<'a, str>,
    /// The `value`, typed for `messages`, raw for every other field.
    pub value: ChangeValue<'a>,
}

/// The `value` of a change.
#[derive(Debug, Clone)]
pub enum ChangeValue<'a> {
    /// `field == "messages"`: inbound messages, statuses or errors.
    Messages(MessagesValue<'a>),
    /// Any other field (or a `messages` value that is not an object): the raw JSON.
    Other(Cow<'a, RawValue>),
}

/// The `value` of a `messages` change.
#[derive(Debug, Clone, Default)]
pub struct MessagesValue<'a> {
    /// `messaging_product` (`whatsapp`).
    pub messaging_product: Option<Cow<'a, str>>,
    /// The business number the change concerns.
    pub metadata: Option<Metadata<'a>>,
    /// `contacts`: the senders' profiles, for inbound messages.
    pub contacts: Vec<Contact<'a>>,
    /// `messages`: inbound messages.
    pub messages: Vec<Message<'a>>,
    /// `statuses`: status updates of messages the business sent.
    pub statuses: Vec<Status<'a>>,
    /// `errors`: system-level errors.
    pub errors: Vec<ErrorObject<'a>>,
    /// Items of the arrays above (or `metadata`) that did not match their
    /// documented shape (for example a status without an `id`), kept raw.
    pub unparsed: Vec<Cow<'a, RawValue>>,
}

/// `value.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Metadata<'a> {
    /// The business number as displayed.
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub display_phone_number: Cow<'a, str>,
    /// The business number's id (the one used to send).
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub phone_number_id: Cow<'a, str>,
}
into_static_struct!(Metadata {
    display_phone_number,
    phone_number_id
});

/// `value.contacts[]`: the profile of a user who sent a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Contact<'a> {
    /// The user's WhatsApp id (phone number).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// The user's business-scoped user id, where Meta sends one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub user_id: Option<Cow<'a, str>>,
    /// The user's profile.
    #[serde(default, borrow)]
    pub profile: Option<Profile<'a>>,
}
into_static_struct!(Contact {
    wa_id,
    user_id,
    profile
});

/// `contacts[].profile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Profile<'a> {
    /// The user's profile name.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
}
into_static_struct!(Profile { name });

// ---------------------------------------------------------------------------
// Errors.

/// An error object as webhooks carry it (in `statuses[]`, `messages[]` or
/// `value.errors`): `{code, title, message, error_data: {details}, href}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct ErrorObject<'a> {
    /// The error code (for example 131026); unknown codes are kept as numbers.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub code: Option<i64>,
    /// The error title.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
    /// The error message.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message: Option<Cow<'a, str>>,
    /// `error_data`.
    #[serde(default, borrow)]
    pub error_data: Option<ErrorData<'a>>,
    /// A link to the error's documentation.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub href: Option<Cow<'a, str>>,
}
into_static_struct!(ErrorObject {
    code,
    title,
    message,
    error_data,
    href
});

impl ErrorObject<'_> {
    /// Detaches the error from the body it was parsed from.
    pub fn into_owned(self) -> ErrorObject<'static> {
        self.into_static()
    }
}

/// `error_data` of a webhook error.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct ErrorData<'a> {
    /// `details`: the most specific description Meta gives.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub details: Option<Cow<'a, str>>,
}
into_static_struct!(ErrorData { details });

fn parse_errors<'a>(raw: Option<&'a RawValue>) -> Vec<ErrorObject<'a>> {
    try_parse::<Vec<ErrorObject<'a>>>(raw).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Statuses.

/// The `status` of a status update, as Meta spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusKind<'a> {
    /// `sent`: the message left Meta's servers.
    Sent,
    /// `delivered`: the message reached at least one of the user's devices.
    Delivered,
    /// `read`: the user read the message.
    Read,
    /// `played`: the user played a voice message.
    Played,
    /// `failed`: the message could not be delivered (see [`Status::errors`]).
    Failed,
    /// A status this SDK does not know, as sent.
    Other(Cow<'a, str>),
}

impl<'a> StatusKind<'a> {
    /// Classifies a raw `status` string.
    pub fn from_raw(s: Cow<'a, str>) -> Self {
        match &*s {
            "sent" => StatusKind::Sent,
            "delivered" => StatusKind::Delivered,
            "read" => StatusKind::Read,
            "played" => StatusKind::Played,
            "failed" => StatusKind::Failed,
            _ => StatusKind::Other(s),
        }
    }

    /// The status as Meta spells it (`sent`, `delivered`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            StatusKind::Sent => "sent",
            StatusKind::Delivered => "delivered",
            StatusKind::Read => "read",
            StatusKind::Played => "played",
            StatusKind::Failed => "failed",
            StatusKind::Other(s) => s,
        }
    }

    /// Detaches the status from the body it was parsed from.
    pub fn into_owned(self) -> StatusKind<'static> {
        match self {
            StatusKind::Sent => StatusKind::Sent,
            StatusKind::Delivered => StatusKind::Delivered,
            StatusKind::Read => StatusKind::Read,
            StatusKind::Played => StatusKind::Played,
            StatusKind::Failed => StatusKind::Failed,
            StatusKind::Other(s) => StatusKind::Other(Cow::Owned(s.into_owned())),
        }
    }
}

impl fmt::Display for StatusKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IntoStatic for StatusKind<'_> {
    type Static = StatusKind<'static>;
    fn into_static(self) -> StatusKind<'static> {
        self.into_owned()
    }
}

/// One `statuses[]` item: an update on a message the business sent.
#[derive(Debug, Clone)]
pub struct Status<'a> {
    /// The message id (`wamid...`).
    pub id: Cow<'a, str>,
    /// The status.
    pub status: StatusKind<'a>,
    /// Unix seconds, as the string Meta sends.
    pub timestamp: Cow<'a, str>,
    /// The recipient's WhatsApp id.
    pub recipient_id: Option<Cow<'a, str>>,
    /// The string given at send time as `biz_opaque_callback_data`.
    pub biz_opaque_callback_data: Option<Cow<'a, str>>,
    /// `conversation` (omitted from v24.0 except in free entry-point windows).
    pub conversation: Option<Conversation<'a>>,
    /// `pricing`.
    pub pricing: Option<Pricing<'a>>,
    /// `errors`, for `failed` (and some other) updates.
    pub errors: Vec<ErrorObject<'a>>,
    /// The whole status object as received, for fields this SDK does not type.
    pub raw: Cow<'a, RawValue>,
}
into_static_struct!(Status {
    id,
    status,
    timestamp,
    recipient_id,
    biz_opaque_callback_data,
    conversation,
    pricing,
    errors,
    raw
});

#[derive(Deserialize)]
struct WireStatus<'a> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "de::cow_str")]
    status: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    timestamp: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    recipient_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    biz_opaque_callback_data: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    conversation: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pricing: Option<&'a RawValue>,
    #[serde(default, borrow)]
    errors: Option<&'a RawValue>,
}

/// A status whose optional objects have their documented shape: parsed in
/// one pass. Anything else goes through the lenient [`WireStatus`].
#[derive(Deserialize)]
struct StrictStatus<'a> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "de::cow_str")]
    status: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    timestamp: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    recipient_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    biz_opaque_callback_data: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    conversation: Option<Conversation<'a>>,
    #[serde(default, borrow)]
    pricing: Option<Pricing<'a>>,
    #[serde(default, borrow)]
    errors: Option<Vec<ErrorObject<'a>>>,
}

impl<'a> Status<'a> {
    fn from_raw(raw: &'a RawValue) -> Option<Self> {
        if let Ok(w) = serde_json::from_str::<StrictStatus<'a>>(raw.get()) {
            return Some(Status {
                id: w.id,
                status: StatusKind::from_raw(w.status),
                timestamp: w.timestamp,
                recipient_id: w.recipient_id,
                biz_opaque_callback_data: w.biz_opaque_callback_data,
                conversation: w.conversation,
                pricing: w.pricing,
                errors: w.errors.unwrap_or_default(),
                raw: Cow::Borrowed(raw),
            });
        }
        let w: WireStatus<'a> = serde_json::from_str(raw.get()).ok()?;
        Some(Status {
            id: w.id,
            status: StatusKind::from_raw(w.status),
            timestamp: w.timestamp,
            recipient_id: w.recipient_id,
            biz_opaque_callback_data: w.biz_opaque_callback_data,
            conversation: try_parse(w.conversation),
            pricing: try_parse(w.pricing),
            errors: parse_errors(w.errors),
            raw: Cow::Borrowed(raw),
        })
    }

    /// The timestamp as unix seconds, when it is numeric.
    pub fn timestamp_secs(&self) -> Option<i64> {
        self.timestamp.trim().parse().ok()
    }

    /// Detaches the status from the body it was parsed from.
    pub fn into_owned(self) -> Status<'static> {
        self.into_static()
    }
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Conversation<'a> {
    /// The conversation id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// When the conversation window expires (unix seconds, as sent).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub expiration_timestamp: Option<Cow<'a, str>>,
    /// `origin`.
    #[serde(default, borrow)]
    pub origin: Option<ConversationOrigin<'a>>,
}
into_static_struct!(Conversation {
    id,
    expiration_timestamp,
    origin
});

/// `conversation.origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConversationOrigin<'a> {
    /// `type`: `marketing`, `utility`, `authentication`, `service`, ...
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ConversationOrigin { kind });

/// `statuses[].pricing`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Pricing<'a> {
    /// Whether the message is billable.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub billable: Option<bool>,
    /// `pricing_model` (`CBP`, `PMP`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub pricing_model: Option<Cow<'a, str>>,
    /// `category` (`marketing`, `utility`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub category: Option<Cow<'a, str>>,
    /// `type` (`regular`, `free_customer_service`, ...).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(Pricing {
    billable,
    pricing_model,
    category,
    kind
});

// ---------------------------------------------------------------------------
// Inbound messages.

/// One `messages[]` item: a message a user sent to the business.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// The sender's WhatsApp id.
    pub from: Cow<'a, str>,
    /// The message id (`wamid...`).
    pub id: Cow<'a, str>,
    /// Unix seconds, as the string Meta sends.
    pub timestamp: Cow<'a, str>,
    /// The `type`, as Meta spells it (`text`, `image`, ...), also for unknown types.
    pub kind: Cow<'a, str>,
    /// `context`: the message this one replies to or was forwarded from.
    pub context: Option<MessageContext<'a>>,
    /// `errors` (for example on `unsupported` messages).
    pub errors: Vec<ErrorObject<'a>>,
    /// The typed content.
    pub content: MessageContent<'a>,
    /// The whole message object as received.
    pub raw: Cow<'a, RawValue>,
}
into_static_struct!(Message {
    from,
    id,
    timestamp,
    kind,
    context,
    errors,
    content,
    raw
});

#[derive(Deserialize)]
struct WireMessage<'a> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    from: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    timestamp: Cow<'a, str>,
    #[serde(default, rename = "type", borrow, deserialize_with = "de::cow_str")]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    context: Option<&'a RawValue>,
    #[serde(default, borrow)]
    errors: Option<&'a RawValue>,
    #[serde(default, borrow)]
    text: Option<&'a RawValue>,
    #[serde(default, borrow)]
    image: Option<&'a RawValue>,
    #[serde(default, borrow)]
    audio: Option<&'a RawValue>,
    #[serde(default, borrow)]
    video: Option<&'a RawValue>,
    #[serde(default, borrow)]
    document: Option<&'a RawValue>,
    #[serde(default, borrow)]
    sticker: Option<&'a RawValue>,
    #[serde(default, borrow)]
    location: Option<&'a RawValue>,
    #[serde(default, borrow)]
    contacts: Option<&'a RawValue>,
    #[serde(default, borrow)]
    interactive: Option<&'a RawValue>,
    #[serde(default, borrow)]
    button: Option<&'a RawValue>,
    #[serde(default, borrow)]
    reaction: Option<&'a RawValue>,
    #[serde(default, borrow)]
    order: Option<&'a RawValue>,
    #[serde(default, borrow)]
    system: Option<&'a RawValue>,
    #[serde(default, borrow)]
    unsupported: Option<&'a RawValue>,
}

impl<'a> Message<'a> {
    fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let w: WireMessage<'a> = serde_json::from_str(raw.get()).ok()?;
        let content = match &*w.kind {
            "text" => try_parse(w.text).map(MessageContent::Text),
            "image" => try_parse(w.image).map(MessageContent::Image),
            "audio" => try_parse(w.audio).map(MessageContent::Audio),
            "video" => try_parse(w.video).map(MessageContent::Video),
            "document" => try_parse(w.document).map(MessageContent::Document),
            "sticker" => try_parse(w.sticker).map(MessageContent::Sticker),
            "location" => try_parse(w.location).map(MessageContent::Location),
            "contacts" => try_parse(w.contacts).map(MessageContent::Contacts),
            "interactive" => w
                .interactive
                .and_then(Interactive::from_raw)
                .map(MessageContent::Interactive),
            "button" => try_parse(w.button).map(MessageContent::Button),
            "reaction" => try_parse(w.reaction).map(MessageContent::Reaction),
            "order" => try_parse(w.order).map(MessageContent::Order),
            "system" => try_parse(w.system).map(MessageContent::System),
            "unsupported" => Some(MessageContent::Unsupported(
                try_parse(w.unsupported).unwrap_or_default(),
            )),
            _ => None,
        }
        .unwrap_or(MessageContent::Unknown);
        Some(Message {
            from: w.from,
            id: w.id,
            timestamp: w.timestamp,
            kind: w.kind,
            context: try_parse(w.context),
            errors: parse_errors(w.errors),
            content,
            raw: Cow::Borrowed(raw),
        })
    }

    /// Detaches the message from the body it was parsed from.
    pub fn into_owned(self) -> Message<'static> {
        self.into_static()
    }
}

/// `messages[].context`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MessageContext<'a> {
    /// The sender of the message replied to.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub from: Option<Cow<'a, str>>,
    /// The id of the message replied to.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// Whether the message was forwarded.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub forwarded: Option<bool>,
    /// Whether the message was forwarded more than 5 times.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub frequently_forwarded: Option<bool>,
    /// The product the user asked about, for product enquiries.
    #[serde(default, borrow)]
    pub referred_product: Option<ReferredProduct<'a>>,
}
into_static_struct!(MessageContext {
    from,
    id,
    forwarded,
    frequently_forwarded,
    referred_product
});

/// `context.referred_product`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReferredProduct<'a> {
    /// The catalog id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub catalog_id: Option<Cow<'a, str>>,
    /// The product's retailer id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub product_retailer_id: Option<Cow<'a, str>>,
}
into_static_struct!(ReferredProduct {
    catalog_id,
    product_retailer_id
});

/// The typed content of an inbound message, by `type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageContent<'a> {
    /// `text`.
    Text(Text<'a>),
    /// `image`.
    Image(Media<'a>),
    /// `audio` (`voice: true` for voice notes).
    Audio(Media<'a>),
    /// `video`.
    Video(Media<'a>),
    /// `document`.
    Document(Media<'a>),
    /// `sticker`.
    Sticker(Media<'a>),
    /// `location`.
    Location(Location<'a>),
    /// `contacts`: shared contact cards.
    Contacts(Vec<ContactCard<'a>>),
    /// `interactive`: a reply button, list or flow answer.
    Interactive(Interactive<'a>),
    /// `button`: a quick-reply button of a template.
    Button(Button<'a>),
    /// `reaction`.
    Reaction(Reaction<'a>),
    /// `order`.
    Order(Order<'a>),
    /// `system`: for example the user changed number.
    System(System<'a>),
    /// `unsupported`: see [`Message::errors`].
    Unsupported(Unsupported<'a>),
    /// A type this SDK does not know, or content that does not match its
    /// documented shape: see [`Message::kind`] and [`Message::raw`].
    Unknown,
}

impl IntoStatic for MessageContent<'_> {
    type Static = MessageContent<'static>;
    fn into_static(self) -> MessageContent<'static> {
        match self {
            MessageContent::Text(x) => MessageContent::Text(x.into_static()),
            MessageContent::Image(x) => MessageContent::Image(x.into_static()),
            MessageContent::Audio(x) => MessageContent::Audio(x.into_static()),
            MessageContent::Video(x) => MessageContent::Video(x.into_static()),
            MessageContent::Document(x) => MessageContent::Document(x.into_static()),
            MessageContent::Sticker(x) => MessageContent::Sticker(x.into_static()),
            MessageContent::Location(x) => MessageContent::Location(x.into_static()),
            MessageContent::Contacts(x) => MessageContent::Contacts(x.into_static()),
            MessageContent::Interactive(x) => MessageContent::Interactive(x.into_static()),
            MessageContent::Button(x) => MessageContent::Button(x.into_static()),
            MessageContent::Reaction(x) => MessageContent::Reaction(x.into_static()),
            MessageContent::Order(x) => MessageContent::Order(x.into_static()),
            MessageContent::System(x) => MessageContent::System(x.into_static()),
            MessageContent::Unsupported(x) => MessageContent::Unsupported(x.into_static()),
            MessageContent::Unknown => MessageContent::Unknown,
        }
    }
}

/// `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Text<'a> {
    /// The text.
    #[serde(borrow, deserialize_with = "de::cow_str")]
    pub body: Cow<'a, str>,
}
into_static_struct!(Text { body });

/// `image`, `audio`, `video`, `document` or `sticker`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Media<'a> {
    /// The media id (valid for 7 days) to fetch its URL with.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// The MIME type.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub mime_type: Option<Cow<'a, str>>,
    /// The SHA-256 of the file.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub sha256: Option<Cow<'a, str>>,
    /// The caption (image, video, document).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub caption: Option<Cow<'a, str>>,
    /// The file name (document).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub filename: Option<Cow<'a, str>>,
    /// A download URL, where Meta includes one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
    /// Whether a sticker is animated.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub animated: Option<bool>,
    /// Whether an audio is a voice note.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub voice: Option<bool>,
}
into_static_struct!(Media {
    id,
    mime_type,
    sha256,
    caption,
    filename,
    url,
    animated,
    voice
});

/// `location`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Location<'a> {
    /// Latitude.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub latitude: Option<f64>,
    /// Longitude.
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub longitude: Option<f64>,
    /// The place's name.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
    /// The place's address.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub address: Option<Cow<'a, str>>,
    /// The place's URL.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
}
into_static_struct!(Location {
    latitude,
    longitude,
    name,
    address,
    url
});

/// One shared contact card of a `contacts` message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactCard<'a> {
    /// `name`.
    #[serde(default, borrow)]
    pub name: Option<ContactName<'a>>,
    /// `phones`.
    #[serde(default, borrow)]
    pub phones: Vec<ContactPhone<'a>>,
    /// `emails`.
    #[serde(default, borrow)]
    pub emails: Vec<ContactEmail<'a>>,
    /// `urls`.
    #[serde(default, borrow)]
    pub urls: Vec<ContactUrl<'a>>,
    /// `addresses`.
    #[serde(default, borrow)]
    pub addresses: Vec<ContactAddress<'a>>,
    /// `org`.
    #[serde(default, borrow)]
    pub org: Option<ContactOrg<'a>>,
    /// `birthday` (`YYYY-MM-DD`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub birthday: Option<Cow<'a, str>>,
}
into_static_struct!(ContactCard {
    name,
    phones,
    emails,
    urls,
    addresses,
    org,
    birthday
});

/// A contact card's `name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactName<'a> {
    /// `formatted_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub formatted_name: Option<Cow<'a, str>>,
    /// `first_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub first_name: Option<Cow<'a, str>>,
    /// `last_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub last_name: Option<Cow<'a, str>>,
    /// `middle_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub middle_name: Option<Cow<'a, str>>,
    /// `prefix`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub prefix: Option<Cow<'a, str>>,
    /// `suffix`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub suffix: Option<Cow<'a, str>>,
}
into_static_struct!(ContactName {
    formatted_name,
    first_name,
    last_name,
    middle_name,
    prefix,
    suffix
});

/// A contact card's phone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactPhone<'a> {
    /// The number.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub phone: Option<Cow<'a, str>>,
    /// Its WhatsApp id, when it has one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`, `CELL`, ...).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactPhone { phone, wa_id, kind });

/// A contact card's email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactEmail<'a> {
    /// The address.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub email: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactEmail { email, kind });

/// A contact card's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactUrl<'a> {
    /// The URL.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub url: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactUrl { url, kind });

/// A contact card's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactAddress<'a> {
    /// `street`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub street: Option<Cow<'a, str>>,
    /// `city`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub city: Option<Cow<'a, str>>,
    /// `state`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub state: Option<Cow<'a, str>>,
    /// `zip`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub zip: Option<Cow<'a, str>>,
    /// `country`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub country: Option<Cow<'a, str>>,
    /// `country_code`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub country_code: Option<Cow<'a, str>>,
    /// `type` (`HOME`, `WORK`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(ContactAddress {
    street,
    city,
    state,
    zip,
    country,
    country_code,
    kind
});

/// A contact card's `org`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ContactOrg<'a> {
    /// `company`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub company: Option<Cow<'a, str>>,
    /// `department`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub department: Option<Cow<'a, str>>,
    /// `title`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
}
into_static_struct!(ContactOrg {
    company,
    department,
    title
});

/// `interactive`: the user's answer to an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Interactive<'a> {
    /// `button_reply`: a reply button was tapped.
    ButtonReply(ReplyId<'a>),
    /// `list_reply`: a list row was chosen.
    ListReply(ReplyId<'a>),
    /// `nfm_reply`: a Flow was completed.
    NfmReply(NfmReply<'a>),
    /// Another interactive `type` (kept in [`Message::raw`]), as sent.
    Other(Cow<'a, str>),
}

impl IntoStatic for Interactive<'_> {
    type Static = Interactive<'static>;
    fn into_static(self) -> Interactive<'static> {
        match self {
            Interactive::ButtonReply(x) => Interactive::ButtonReply(x.into_static()),
            Interactive::ListReply(x) => Interactive::ListReply(x.into_static()),
            Interactive::NfmReply(x) => Interactive::NfmReply(x.into_static()),
            Interactive::Other(x) => Interactive::Other(x.into_static()),
        }
    }
}

#[derive(Deserialize)]
struct WireInteractive<'a> {
    #[serde(default, rename = "type", borrow, deserialize_with = "de::cow_str")]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    button_reply: Option<&'a RawValue>,
    #[serde(default, borrow)]
    list_reply: Option<&'a RawValue>,
    #[serde(default, borrow)]
    nfm_reply: Option<&'a RawValue>,
}

impl<'a> Interactive<'a> {
    fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let w: WireInteractive<'a> = serde_json::from_str(raw.get()).ok()?;
        let parsed = match &*w.kind {
            "button_reply" => try_parse(w.button_reply).map(Interactive::ButtonReply),
            "list_reply" => try_parse(w.list_reply).map(Interactive::ListReply),
            "nfm_reply" => try_parse(w.nfm_reply).map(Interactive::NfmReply),
            _ => None,
        };
        Some(parsed.unwrap_or(Interactive::Other(w.kind)))
    }
}

/// A `button_reply` or `list_reply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ReplyId<'a> {
    /// The id given when sending the button or row.
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub id: Cow<'a, str>,
    /// The button or row title.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
    /// The row description (lists).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub description: Option<Cow<'a, str>>,
}
into_static_struct!(ReplyId {
    id,
    title,
    description
});

/// An `nfm_reply`: a completed Flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct NfmReply<'a> {
    /// `name` (`flow`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
    /// `body` (`Sent`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub body: Option<Cow<'a, str>>,
    /// `response_json`: the Flow's answer, a JSON document inside a string.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub response_json: Option<Cow<'a, str>>,
}
into_static_struct!(NfmReply {
    name,
    body,
    response_json
});

/// `button`: a template quick-reply button was tapped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Button<'a> {
    /// The payload given in the template.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub payload: Option<Cow<'a, str>>,
    /// The button text.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub text: Option<Cow<'a, str>>,
}
into_static_struct!(Button { payload, text });

/// `reaction`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Reaction<'a> {
    /// The message reacted to.
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    pub message_id: Cow<'a, str>,
    /// The emoji; absent or empty when the reaction was removed.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub emoji: Option<Cow<'a, str>>,
}
into_static_struct!(Reaction { message_id, emoji });

/// `order`: a cart sent from a catalog.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Order<'a> {
    /// The catalog id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub catalog_id: Option<Cow<'a, str>>,
    /// The text sent with the order.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub text: Option<Cow<'a, str>>,
    /// The items.
    #[serde(default, borrow)]
    pub product_items: Vec<ProductItem<'a>>,
}
into_static_struct!(Order {
    catalog_id,
    text,
    product_items
});

/// `order.product_items[]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProductItem<'a> {
    /// The product's retailer id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub product_retailer_id: Option<Cow<'a, str>>,
    /// The quantity (a number or numeric string on the wire).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub quantity: Option<f64>,
    /// The unit price (a number or numeric string on the wire).
    #[serde(default, deserialize_with = "de::opt_f64")]
    pub item_price: Option<f64>,
    /// The currency.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub currency: Option<Cow<'a, str>>,
}
into_static_struct!(ProductItem {
    product_retailer_id,
    quantity,
    item_price,
    currency
});

/// `system`: for example `customer_changed_number`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct System<'a> {
    /// A human-readable description.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub body: Option<Cow<'a, str>>,
    /// `type` (`customer_changed_number`, `customer_identity_changed`, ...).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
    /// The user's new WhatsApp id (`customer_changed_number`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub new_wa_id: Option<Cow<'a, str>>,
    /// `wa_id`, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `customer`, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub customer: Option<Cow<'a, str>>,
}
into_static_struct!(System {
    body,
    kind,
    new_wa_id,
    wa_id,
    customer
});

/// `unsupported`: details, where Meta sends them (the errors are in
/// [`Message::errors`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Unsupported<'a> {
    /// The unsupported content's `type`, where given (for example `edit`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
}
into_static_struct!(Unsupported { kind });

// ---------------------------------------------------------------------------
// Owned conversions of the envelope.

impl IntoStatic for ChangeValue<'_> {
    type Static = ChangeValue<'static>;
    fn into_static(self) -> ChangeValue<'static> {
        match self {
            ChangeValue::Messages(v) => ChangeValue::Messages(v.into_static()),
            ChangeValue::Other(raw) => ChangeValue::Other(raw.into_static()),
        }
    }
}
into_static_struct!(MessagesValue {
    messaging_product,
    metadata,
    contacts,
    messages,
    statuses,
    errors,
    unparsed
});
into_static_struct!(Change { field, value });
into_static_struct!(Entry { id, time, changes });
into_static_struct!(Notification { object, entries });

impl Notification<'_> {
    /// Detaches the notification from the body it was parsed from.
    pub fn into_owned(self) -> Notification<'static> {
        self.into_static()
    }

    /// Every status update in the notification, with its change's metadata.
    pub fn statuses(&self) -> impl Iterator<Item = (Option<&Metadata<'_>>, &Status<'_>)> {
        self.messages_values()
            .flat_map(|v| v.statuses.iter().map(move |s| (v.metadata.as_ref(), s)))
    }

    /// Every inbound message in the notification, with its change's metadata.
    pub fn messages(&self) -> impl Iterator<Item = (Option<&Metadata<'_>>, &Message<'_>)> {
        self.messages_values()
            .flat_map(|v| v.messages.iter().map(move |m| (v.metadata.as_ref(), m)))
    }

    /// Every `messages` change value in the notification.
    pub fn messages_values(&self) -> impl Iterator<Item = &MessagesValue<'_>> {
        self.entries
            .iter()
            .flat_map(|e| e.changes.iter())
            .filter_map(|c| match &c.value {
                ChangeValue::Messages(v) => Some(v),
                ChangeValue::Other(_) => None,
            })
    }
}

impl<'a> MessagesValue<'a> {
    /// The contact whose `wa_id` is `from` (the sender of an inbound message).
    pub fn contact_for(&self, from: &str) -> Option<&Contact<'a>> {
        self.contacts
            .iter()
            .find(|c| c.wa_id.as_deref() == Some(from))
    }

    /// Detaches the value from the body it was parsed from.
    pub fn into_owned(self) -> MessagesValue<'static> {
        self.into_static()
    }
}

impl Metadata<'_> {
    /// Detaches the metadata from the body it was parsed from.
    pub fn into_owned(self) -> Metadata<'static> {
        self.into_static()
    }
}

impl Contact<'_> {
    /// Detaches the contact from the body it was parsed from.
    pub fn into_owned(self) -> Contact<'static> {
        self.into_static()
    }
}
