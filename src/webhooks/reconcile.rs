//! Status reconciliation: fold the status updates of each sent message into
//! one state, whatever their order of arrival and however often Meta
//! re-delivers them.
//!
//! The state only moves up the order
//! `unknown < sent < failed < delivered < read < played`:
//! a late or duplicate update never downgrades it, and a `delivered` (or
//! `read`/`played`) wins over a `failed` in either order of arrival, because
//! a message that got `delivered` reached at least one of the user's devices
//! (Meta sends both when one device got it and another did not). A `failed`
//! with no delivery stays `failed` and keeps its errors. Taking the maximum
//! is commutative, associative and idempotent, so any permutation or
//! duplication of the same updates gives the same state.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use super::payload::{ErrorObject, Status, StatusKind};

/// The reconciled delivery state of a sent message. Ordered: later variants
/// win over earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryState {
    /// Only statuses this SDK does not know have been seen.
    Unknown,
    /// `sent`.
    Sent,
    /// `failed`, and no delivery seen: terminal unless a delivery arrives.
    Failed,
    /// `delivered` to at least one device.
    Delivered,
    /// `read`.
    Read,
    /// `played` (voice messages).
    Played,
}

impl DeliveryState {
    /// The state of one status update; `None` for statuses this SDK does not know.
    pub fn from_status(kind: &StatusKind<'_>) -> Option<Self> {
        Some(match kind {
            StatusKind::Sent => DeliveryState::Sent,
            StatusKind::Delivered => DeliveryState::Delivered,
            StatusKind::Read => DeliveryState::Read,
            StatusKind::Played => DeliveryState::Played,
            StatusKind::Failed => DeliveryState::Failed,
            StatusKind::Other(_) => return None,
        })
    }

    /// Lowercase, as Meta spells statuses (`unknown` for [`DeliveryState::Unknown`]).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Unknown => "unknown",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Read => "read",
            DeliveryState::Played => "played",
        }
    }

    /// Whether the message reached at least one device.
    pub fn is_delivered(self) -> bool {
        self >= DeliveryState::Delivered
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One distinct status update of a message, as kept in its history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HistoryEntry {
    /// The status as Meta spelled it.
    pub status: String,
    /// The update's timestamp (unix seconds, as sent).
    pub timestamp: String,
}

impl HistoryEntry {
    fn sort_key(&self) -> (i64, Option<DeliveryState>, &str, &str) {
        (
            self.timestamp.trim().parse().unwrap_or(i64::MAX),
            DeliveryState::from_status(&StatusKind::from_raw(self.status.as_str().into())),
            &self.status,
            &self.timestamp,
        )
    }
}

/// Everything the tracker knows about one message.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    /// The message id (wamid).
    pub message_id: String,
    /// The reconciled state.
    pub state: DeliveryState,
    /// The errors of its failed updates (sorted, without duplicates, at most
    /// 16). They are kept even when a delivery wins: the message then failed
    /// on some device.
    pub errors: Vec<ErrorObject<'static>>,
    /// Its distinct updates, ordered by timestamp then state (not by arrival,
    /// so the history too is the same whatever the order of arrival); at
    /// most 32 entries, the earliest kept.
    pub history: Vec<HistoryEntry>,
    /// The recipient, from the first update that named one.
    pub recipient_id: Option<String>,
    /// `biz_opaque_callback_data`, from the first update that carried it.
    pub biz_opaque_callback_data: Option<String>,
    first_seen: Instant,
}

impl MessageRecord {
    /// When the tracker first saw this message.
    pub fn first_seen(&self) -> Instant {
        self.first_seen
    }
}

/// The result of folding one status update: the message's state afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciled {
    /// The message id (wamid).
    pub message_id: String,
    /// The reconciled state after this update.
    pub state: DeliveryState,
    /// The state before this update; `None` when the message was new.
    pub previous: Option<DeliveryState>,
    /// Whether this exact update (same status and timestamp) had been seen
    /// before: a re-delivered webhook.
    pub duplicate: bool,
    /// The errors of the message's failed updates so far.
    pub errors: Vec<ErrorObject<'static>>,
}

impl Reconciled {
    /// Whether the update changed the state.
    pub fn changed(&self) -> bool {
        self.previous != Some(self.state)
    }
}

/// Folds status updates per message id into one [`DeliveryState`], with
/// bounded memory: at most `capacity` messages, each forgotten `max_age`
/// after it was first seen; the oldest go first.
///
/// A message forgotten by the tracker starts afresh if an update for it
/// arrives later, so choose `max_age` longer than Meta's re-delivery window
/// (up to 7 days) if downgrades must never be reported.
#[derive(Debug)]
pub struct StatusTracker {
    records: HashMap<String, MessageRecord>,
    order: VecDeque<(Instant, String)>,
    capacity: usize,
    max_age: Duration,
}

/// Default number of messages a [`StatusTracker`] keeps.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// Default age after which a [`StatusTracker`] forgets a message (8 days:
/// longer than Meta's 7-day re-delivery window).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(8 * 24 * 3600);
const MAX_HISTORY: usize = 32;
const MAX_ERRORS: usize = 16;

impl Default for StatusTracker {
    fn default() -> Self {
        StatusTracker::new(DEFAULT_CAPACITY, DEFAULT_MAX_AGE)
    }
}

impl StatusTracker {
    /// A tracker keeping at most `capacity` messages (at least 1), each for
    /// at most `max_age` after it was first seen.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        StatusTracker {
            records: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            max_age,
        }
    }

    /// Folds one status update and returns the message's reconciled state.
    pub fn observe(&mut self, status: &Status<'_>) -> Reconciled {
        self.observe_at(status, Instant::now())
    }

    /// [`observe`](Self::observe) with an explicit clock reading, for tests
    /// and replays.
    pub fn observe_at(&mut self, status: &Status<'_>, now: Instant) -> Reconciled {
        self.evict_expired(now);
        let id: &str = &status.id;
        let previous = self.records.get(id).map(|r| r.state);
        if previous.is_none() {
            while self.records.len() >= self.capacity {
                if !self.evict_oldest() {
                    break;
                }
            }
            self.order.push_back((now, id.to_owned()));
            self.records.insert(
                id.to_owned(),
                MessageRecord {
                    message_id: id.to_owned(),
                    state: DeliveryState::Unknown,
                    errors: Vec::new(),
                    history: Vec::new(),
                    recipient_id: None,
                    biz_opaque_callback_data: None,
                    first_seen: now,
                },
            );
        }
        let Some(rec) = self.records.get_mut(id) else {
            unreachable!("record inserted above")
        };

        let entry = HistoryEntry {
            status: status.status.as_str().to_owned(),
            timestamp: status.timestamp.clone().into_owned(),
        };
        // Bounded lists keep their smallest items, so what they hold does not
        // depend on the order of arrival either.
        let duplicate = match rec
            .history
            .binary_search_by(|h| h.sort_key().cmp(&entry.sort_key()))
        {
            Ok(_) => true,
            Err(pos) => {
                rec.history.insert(pos, entry);
                rec.history.truncate(MAX_HISTORY);
                false
            }
        };
        if let Some(state) = DeliveryState::from_status(&status.status) {
            rec.state = rec.state.max(state);
        }
        for e in &status.errors {
            let e = e.clone().into_owned();
            if let Err(pos) = rec.errors.binary_search(&e) {
                rec.errors.insert(pos, e);
                rec.errors.truncate(MAX_ERRORS);
            }
        }
        if rec.recipient_id.is_none() {
            rec.recipient_id = status.recipient_id.as_deref().map(str::to_owned);
        }
        if rec.biz_opaque_callback_data.is_none() {
            rec.biz_opaque_callback_data = status
                .biz_opaque_callback_data
                .as_deref()
                .map(str::to_owned);
        }
        Reconciled {
            message_id: rec.message_id.clone(),
            state: rec.state,
            previous,
            duplicate,
            errors: rec.errors.clone(),
        }
    }

    /// What the tracker knows about a message.
    pub fn get(&self, message_id: &str) -> Option<&MessageRecord> {
        self.records.get(message_id)
    }

    /// Forgets a message.
    pub fn remove(&mut self, message_id: &str) -> Option<MessageRecord> {
        let rec = self.records.remove(message_id)?;
        self.order.retain(|(_, id)| id != message_id);
        Some(rec)
    }

    /// How many messages are tracked.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no message is tracked.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The most messages kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The age after which a message is forgotten.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// Forgets the messages first seen `max_age` or longer before `now`.
    pub fn evict_expired(&mut self, now: Instant) {
        while let Some((seen, _)) = self.order.front() {
            if now.saturating_duration_since(*seen) < self.max_age {
                break;
            }
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) -> bool {
        match self.order.pop_front() {
            Some((_, id)) => {
                self.records.remove(&id);
                true
            }
            None => false,
        }
    }
}
