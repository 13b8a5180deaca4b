//! Typed, borrowing parse of `whatsapp_business_account` webhook payloads.
//!
//! [`parse`] borrows strings from the raw body wherever the JSON allows it
//! (no escapes), so a large batch of statuses costs few allocations. Every
//! type has an `into_owned` method that detaches it from the body (used by
//! the router, whose events may outlive the request).
//!
//! Every field Meta documents is typed: `messages` as [`ChangeValue::Messages`], the others
//! (templates, phone numbers, account, users, calls, groups, coexistence) as
//! [`ChangeValue::Field`] with the change's raw JSON beside the typed [`FieldUpdate`].
//!
//! Forward compatibility: only the envelope is mandatory. A field the SDK does
//! not know, a message type or status it does not know, or an item that does
//! not match its documented shape never fails the parse; it is kept as raw JSON
//! ([`ChangeValue::Other`], [`MessageContent::Unknown`] with [`Message::raw`],
//! [`StatusKind::Other`] with [`Status::raw`], [`MessagesValue::unparsed`]),
//! and every value Meta enumerates is an open enum that keeps unknown values.
//!
//! Business-scoped user ids: a user who adopted a username may come without a
//! phone number (`from`, `wa_id`, `recipient_id` absent) and with a BSUID
//! instead; [`Message::reply_to`] and [`Status::recipient`] give whichever id
//! Meta sent, in the form the send API takes.

mod fields;
mod message;
mod status;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::{self, into_static_struct, try_parse, IntoStatic};
use super::error::WebhookError;

pub use fields::*;
pub use message::*;
pub use status::*;

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
            match fields::parse_field(field, value) {
                Some(update) => ChangeValue::Field {
                    update,
                    raw: Cow::Borrowed(value),
                },
                None => ChangeValue::Other(Cow::Borrowed(value)),
            }
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

/// Parses each raw item with `f`; an item it does not take goes to `unparsed`, so nothing is
/// dropped silently.
fn collect_items<'a, T>(
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
        let contacts = collect_items(wire.contacts, &mut unparsed, |r| {
            serde_json::from_str(r.get()).ok()
        });
        let messages = collect_items(wire.messages, &mut unparsed, Message::from_raw);
        let statuses = collect_items(wire.statuses, &mut unparsed, Status::from_raw);
        let errors = collect_items(wire.errors, &mut unparsed, |r| {
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
    /// The `value`, typed for every field Meta documents, raw for any other.
    pub value: ChangeValue<'a>,
}

/// The `value` of a change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ChangeValue<'a> {
    /// `field == "messages"`: inbound messages, statuses or errors.
    Messages(MessagesValue<'a>),
    /// Another documented field, typed, with the value's raw JSON for what the types do not
    /// name.
    Field {
        /// The typed value.
        update: FieldUpdate<'a>,
        /// The value as received.
        raw: Cow<'a, RawValue>,
    },
    /// A field this SDK does not know, or a value that does not match its field's documented
    /// shape: the raw JSON.
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
    /// The user's WhatsApp id (phone number); absent for a username user who has not shared it.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// The user's business-scoped user id (BSUID), where Meta sends one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub user_id: Option<Cow<'a, str>>,
    /// The user's parent BSUID (shared across a business portfolio), where Meta sends one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub parent_user_id: Option<Cow<'a, str>>,
    /// The user's profile.
    #[serde(default, borrow)]
    pub profile: Option<Profile<'a>>,
}
into_static_struct!(Contact {
    wa_id,
    user_id,
    parent_user_id,
    profile
});

/// `contacts[].profile`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Profile<'a> {
    /// The user's profile name.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub name: Option<Cow<'a, str>>,
    /// The user's WhatsApp username, where they adopted one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub username: Option<Cow<'a, str>>,
}
into_static_struct!(Profile { name, username });

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
// Owned conversions of the envelope.

impl IntoStatic for ChangeValue<'_> {
    type Static = ChangeValue<'static>;
    fn into_static(self) -> ChangeValue<'static> {
        match self {
            ChangeValue::Messages(v) => ChangeValue::Messages(v.into_static()),
            ChangeValue::Field { update, raw } => ChangeValue::Field {
                update: update.into_static(),
                raw: raw.into_static(),
            },
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
                _ => None,
            })
    }
}

impl<'a> MessagesValue<'a> {
    /// The contact whose `wa_id`, `user_id` or `parent_user_id` is `id`.
    pub fn contact_for(&self, id: &str) -> Option<&Contact<'a>> {
        let id = Some(id);
        self.contacts.iter().find(|c| {
            c.wa_id.as_deref() == id
                || c.user_id.as_deref() == id
                || c.parent_user_id.as_deref() == id
        })
    }

    /// The profile of the sender of `message`: the contact matching its phone number, else
    /// its BSUID (a username user may come with the BSUID only), else its parent BSUID.
    pub fn contact_of(&self, message: &Message<'_>) -> Option<&Contact<'a>> {
        let same = |mine: &Option<Cow<'_, str>>, theirs: &Option<Cow<'_, str>>| {
            mine.is_some() && mine.as_deref() == theirs.as_deref()
        };
        let find =
            |matches: &dyn Fn(&Contact<'a>) -> bool| self.contacts.iter().find(|c| matches(c));
        find(&|c| same(&message.from, &c.wa_id))
            .or_else(|| find(&|c| same(&message.from_user_id, &c.user_id)))
            .or_else(|| find(&|c| same(&message.from_parent_user_id, &c.parent_user_id)))
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
