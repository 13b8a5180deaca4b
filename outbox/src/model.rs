//! The rows of the outbox and the words the store and the outbox speak.

use std::fmt;
use std::str::FromStr;

use wacloud::webhooks::DeliveryState;

/// A row's id: the outbox's own message id, written into `biz_opaque_callback_data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowId(pub i64);

impl fmt::Display for RowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Milliseconds since the Unix epoch: what the store keeps times in (portable to any SQL).
pub type Millis = i64;

/// Where a row is on the way out. The answer side; webhooks fold into [`Row::delivery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting to be sent (maybe claimed by a worker that holds it at the outage gate or for
    /// a rate-limit permit: nothing was written).
    Queued,
    /// Its request may have been written and no answer is recorded yet. After a crash such a
    /// row becomes [`State::Unknown`].
    Dispatched,
    /// Meta accepted it (a wamid).
    Accepted,
    /// Refused for good: by Meta (a Graph error) or before sending (validation, recipient rules).
    Rejected,
    /// It may have been sent, and no answer came: never resent unless asked for.
    Unknown,
}

impl State {
    /// Every state, in the order the counts print them.
    pub const ALL: [State; 5] = [
        State::Queued,
        State::Dispatched,
        State::Accepted,
        State::Rejected,
        State::Unknown,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Dispatched => "dispatched",
            State::Accepted => "accepted",
            State::Rejected => "rejected",
            State::Unknown => "unknown",
        }
    }

    /// Whether the row is settled (no worker will touch it again unless asked to resend).
    pub fn is_settled(self) -> bool {
        matches!(self, State::Accepted | State::Rejected | State::Unknown)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| format!("unknown outbox state {text:?}"))
    }
}

/// Reads a stored delivery state (the names of [`DeliveryState::as_str`]).
pub fn parse_delivery(text: &str) -> Option<DeliveryState> {
    [
        DeliveryState::Sent,
        DeliveryState::Failed,
        DeliveryState::Delivered,
        DeliveryState::Read,
        DeliveryState::Played,
    ]
    .into_iter()
    .find(|state| state.as_str() == text)
}

/// A row to insert.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// Makes a repeated enqueue return the first row.
    pub idempotency_key: Option<String>,
    /// The recipient as written in the message.
    pub recipient: String,
    /// Meta's message type.
    pub message_type: String,
    /// The message's JSON, without the outbox's callback data.
    pub body: Vec<u8>,
    /// Not sent before this time.
    pub not_before: Millis,
}

/// What an insert did with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    /// The row's id (the first row's, for a repeated idempotency key).
    pub id: RowId,
    /// False when the idempotency key was already there and nothing was added.
    pub created: bool,
}

/// A row handed to a worker: only what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The row.
    pub id: RowId,
    /// The message's JSON.
    pub body: Vec<u8>,
    /// Attempts so far, this claim included.
    pub attempts: i64,
}

/// How a send ended, as a worker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Accepted, with the wamid.
    Accepted {
        /// The message id Meta gave.
        wamid: String,
    },
    /// Refused for good.
    Rejected(ErrorInfo),
    /// The request may have been written; no answer.
    Unknown {
        /// What happened, for the diagnosis.
        detail: String,
    },
}

/// An error as stored: Meta's code when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorInfo {
    /// The Graph error code (or a status webhook's error code).
    pub code: Option<i64>,
    /// Meta's title or the SDK's short reason.
    pub title: Option<String>,
    /// Details, never a full phone number or a token.
    pub detail: Option<String>,
}

/// One status webhook, as the ledger folds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The wamid the status is about.
    pub wamid: String,
    /// The row id read from `biz_opaque_callback_data`, when it carries one of this outbox.
    pub row: Option<RowId>,
    /// The status, reconciled order: sent < failed < delivered < read.
    pub delivery: DeliveryState,
    /// The webhook's timestamp.
    pub at: Millis,
    /// The first error of a `failed` status.
    pub error: Option<ErrorInfo>,
}

/// One row, everything the ledger knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The id.
    pub id: RowId,
    /// The idempotency key, if one was given.
    pub idempotency_key: Option<String>,
    /// The recipient as written in the message.
    pub recipient: String,
    /// Meta's message type.
    pub message_type: String,
    /// The answer side.
    pub state: State,
    /// The furthest delivery status seen (webhooks), if any.
    pub delivery: Option<DeliveryState>,
    /// Not sent before.
    pub not_before: Millis,
    /// Enqueued at.
    pub created_at: Millis,
    /// Last change.
    pub updated_at: Millis,
    /// Attempts (claims) so far.
    pub attempts: i64,
    /// When its request was last possibly written.
    pub dispatched_at: Option<Millis>,
    /// Meta's message id.
    pub wamid: Option<String>,
    /// The last error (a rejection or a failed status).
    pub error: Option<ErrorInfo>,
    /// First `sent` status.
    pub sent_at: Option<Millis>,
    /// First `delivered` status.
    pub delivered_at: Option<Millis>,
    /// First `read` status.
    pub read_at: Option<Millis>,
    /// First `failed` status.
    pub failed_at: Option<Millis>,
}

/// How many rows are in each state, and how far the accepted ones got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// [`State::Queued`].
    pub queued: u64,
    /// [`State::Dispatched`].
    pub dispatched: u64,
    /// [`State::Accepted`].
    pub accepted: u64,
    /// [`State::Rejected`].
    pub rejected: u64,
    /// [`State::Unknown`].
    pub unknown: u64,
    /// Accepted, furthest status `sent` (or none yet).
    pub sent: u64,
    /// Furthest status `delivered`.
    pub delivered: u64,
    /// Furthest status `read` or `played`.
    pub read: u64,
    /// Furthest status `failed`.
    pub failed: u64,
}

impl Counts {
    /// All rows.
    pub fn total(&self) -> u64 {
        self.queued + self.dispatched + self.accepted + self.rejected + self.unknown
    }

    /// Adds `n` rows of a state and delivery.
    pub fn add(&mut self, state: State, delivery: Option<DeliveryState>, n: u64) {
        match state {
            State::Queued => self.queued += n,
            State::Dispatched => self.dispatched += n,
            State::Accepted => self.accepted += n,
            State::Rejected => self.rejected += n,
            State::Unknown => self.unknown += n,
        }
        match delivery {
            Some(DeliveryState::Failed) => self.failed += n,
            Some(DeliveryState::Delivered) => self.delivered += n,
            Some(DeliveryState::Read | DeliveryState::Played) => self.read += n,
            Some(DeliveryState::Sent | DeliveryState::Unknown) => self.sent += n,
            None if state == State::Accepted => self.sent += n,
            None => {}
        }
    }
}

/// Which rows [`Store::list`](crate::Store::list) returns, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only these states (all when empty).
    pub states: Vec<State>,
    /// Only rows whose delivery is this.
    pub delivery: Option<DeliveryState>,
    /// Only rows with an id above this (for paging).
    pub after: Option<RowId>,
    /// At most this many rows.
    pub limit: u32,
}

/// What a recovery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recovered {
    /// Claimed rows that had not been written, put back in the queue.
    pub requeued: u64,
    /// Rows whose request may have been written, now [`State::Unknown`].
    pub unknown: u64,
}
