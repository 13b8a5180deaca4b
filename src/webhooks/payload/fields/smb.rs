//! Fields of WhatsApp Business app numbers onboarded to the Cloud API (coexistence):
//! message echoes, contact sync and chat history.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::super::de::{self, into_static_struct, open_enum, try_parse, IntoStatic};
use super::super::{collect_items, parse_errors, ErrorObject, Message, Metadata};

open_enum! {
    /// `history_context.status`: the last delivery state of a message in a history sync.
    HistoryStatus {
        /// `SENT`.
        Sent = "SENT",
        /// `DELIVERED`.
        Delivered = "DELIVERED",
        /// `READ`.
        Read = "READ",
        /// `PLAYED`.
        Played = "PLAYED",
        /// `PENDING`.
        Pending = "PENDING",
        /// `ERROR`.
        Error = "ERROR",
    }
}

open_enum! {
    /// `action` of a contact sync item.
    SyncAction {
        /// `add`: a contact was added or edited.
        Add = "add",
        /// `remove`: a contact was removed.
        Remove = "remove",
    }
}

/// A message sent from the WhatsApp Business app (an echo, or a message in a history sync):
/// the message, shaped like an inbound one, plus whom it went to.
#[derive(Debug, Clone)]
pub struct EchoMessage<'a> {
    /// `to`: the user's phone number (echoes; history items the business sent).
    pub to: Option<Cow<'a, str>>,
    /// `history_context.status`, for history items.
    pub status: Option<HistoryStatus<'a>>,
    /// The message; [`Message::from`] is the business number for an echo.
    pub message: Message<'a>,
}
into_static_struct!(EchoMessage {
    to,
    status,
    message
});

#[derive(Deserialize)]
struct WireEcho<'a> {
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    to: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    history_context: Option<WireHistoryContext<'a>>,
}

#[derive(Deserialize)]
struct WireHistoryContext<'a> {
    #[serde(default, borrow)]
    status: Option<HistoryStatus<'a>>,
}

impl<'a> EchoMessage<'a> {
    fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let message = Message::from_raw(raw)?;
        let wire: WireEcho<'a> = serde_json::from_str(raw.get()).ok()?;
        Some(EchoMessage {
            to: wire.to,
            status: wire.history_context.and_then(|c| c.status),
            message,
        })
    }
}

#[derive(Deserialize)]
struct WireItems<'a> {
    #[serde(default, borrow)]
    metadata: Option<Metadata<'a>>,
    #[serde(default, borrow)]
    message_echoes: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    history: Option<Vec<&'a RawValue>>,
}

/// `smb_message_echoes`: messages the business sent from the WhatsApp Business app.
#[derive(Debug, Clone, Default)]
pub struct MessageEchoes<'a> {
    /// The business number.
    pub metadata: Option<Metadata<'a>>,
    /// `message_echoes`.
    pub message_echoes: Vec<EchoMessage<'a>>,
    /// Items that did not match their documented shape, kept raw.
    pub unparsed: Vec<Cow<'a, RawValue>>,
}
into_static_struct!(MessageEchoes {
    metadata,
    message_echoes,
    unparsed
});

impl<'a> MessageEchoes<'a> {
    pub(super) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let wire: WireItems<'a> = serde_json::from_str(raw.get()).ok()?;
        let mut unparsed = Vec::new();
        let message_echoes =
            collect_items(wire.message_echoes, &mut unparsed, EchoMessage::from_raw);
        Some(MessageEchoes {
            metadata: wire.metadata,
            message_echoes,
            unparsed,
        })
    }
}

/// `smb_app_state_sync`: the business's WhatsApp Business app contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AppStateSync<'a> {
    /// The business number.
    #[serde(default, borrow)]
    pub metadata: Option<Metadata<'a>>,
    /// `state_sync`.
    #[serde(default, borrow)]
    pub state_sync: Vec<StateSyncItem<'a>>,
}
into_static_struct!(AppStateSync {
    metadata,
    state_sync
});

/// One `state_sync[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct StateSyncItem<'a> {
    /// `type` (`contact`).
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
    /// `contact`.
    #[serde(default, borrow)]
    pub contact: Option<SyncedContact<'a>>,
    /// `action`.
    #[serde(default, borrow)]
    pub action: Option<SyncAction<'a>>,
    /// `metadata.timestamp` (unix seconds).
    #[serde(default, borrow)]
    pub metadata: Option<SyncMetadata<'a>>,
}
into_static_struct!(StateSyncItem {
    kind,
    contact,
    action,
    metadata
});

/// A contact of the business's address book.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SyncedContact<'a> {
    /// `full_name` (absent on `remove`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub full_name: Option<Cow<'a, str>>,
    /// `first_name` (absent on `remove`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub first_name: Option<Cow<'a, str>>,
    /// `phone_number`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub phone_number: Option<Cow<'a, str>>,
}
into_static_struct!(SyncedContact {
    full_name,
    first_name,
    phone_number
});

/// `state_sync[].metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SyncMetadata<'a> {
    /// `timestamp` (unix seconds, as sent).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub timestamp: Option<Cow<'a, str>>,
}
into_static_struct!(SyncMetadata { timestamp });

/// `history`: the business's WhatsApp Business app chat history, in phases and chunks, or
/// (in `messages`) the content of a media message announced as `media_placeholder`.
#[derive(Debug, Clone, Default)]
pub struct HistoryUpdate<'a> {
    /// The business number.
    pub metadata: Option<Metadata<'a>>,
    /// `history`: the chunks.
    pub history: Vec<HistoryChunk<'a>>,
    /// `messages`: media contents sent after the chunks.
    pub messages: Vec<Message<'a>>,
    /// Items that did not match their documented shape, kept raw.
    pub unparsed: Vec<Cow<'a, RawValue>>,
}
into_static_struct!(HistoryUpdate {
    metadata,
    history,
    messages,
    unparsed
});

/// One `history[]` chunk.
#[derive(Debug, Clone, Default)]
pub struct HistoryChunk<'a> {
    /// `metadata`: phase, chunk order and progress.
    pub progress: Option<HistoryProgress>,
    /// `threads`: one per user.
    pub threads: Vec<HistoryThread<'a>>,
    /// `errors` (for example 2593109: the business declined to share its history).
    pub errors: Vec<ErrorObject<'a>>,
}
into_static_struct!(HistoryChunk {
    progress,
    threads,
    errors
});

/// `history[].metadata`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct HistoryProgress {
    /// `phase` (0: day 0-1, 1: day 1-90, 2: day 90-180).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub phase: Option<i64>,
    /// `chunk_order`, to order chunks that arrive out of order.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub chunk_order: Option<i64>,
    /// `progress` in percent (100: done).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub progress: Option<i64>,
}

impl IntoStatic for HistoryProgress {
    type Static = HistoryProgress;
    fn into_static(self) -> HistoryProgress {
        self
    }
}

/// `history[].threads[]`: the messages exchanged with one user.
#[derive(Debug, Clone, Default)]
pub struct HistoryThread<'a> {
    /// The user's phone number.
    pub id: Option<Cow<'a, str>>,
    /// The messages, oldest first as sent.
    pub messages: Vec<EchoMessage<'a>>,
}
into_static_struct!(HistoryThread { id, messages });

#[derive(Deserialize)]
struct WireChunk<'a> {
    #[serde(default)]
    metadata: Option<HistoryProgress>,
    #[serde(default, borrow)]
    threads: Vec<WireThread<'a>>,
    #[serde(default, borrow)]
    errors: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct WireThread<'a> {
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    messages: Option<Vec<&'a RawValue>>,
}

impl<'a> HistoryUpdate<'a> {
    pub(super) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        let wire: WireItems<'a> = serde_json::from_str(raw.get()).ok()?;
        let mut unparsed = Vec::new();
        let chunks = collect_items(wire.history, &mut unparsed, |item| {
            try_parse::<WireChunk<'a>>(Some(item))
        });
        let history = chunks
            .into_iter()
            .map(|chunk| HistoryChunk {
                progress: chunk.metadata,
                threads: chunk
                    .threads
                    .into_iter()
                    .map(|t| HistoryThread {
                        id: t.id,
                        messages: collect_items(t.messages, &mut unparsed, EchoMessage::from_raw),
                    })
                    .collect(),
                errors: parse_errors(chunk.errors),
            })
            .collect();
        let messages = collect_items(wire.messages, &mut unparsed, Message::from_raw);
        Some(HistoryUpdate {
            metadata: wire.metadata,
            history,
            messages,
            unparsed,
        })
    }
}
