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
//!
//! Memory is bounded in bytes: detailed records for the recent messages, and for evicted ones
//! only their state, 8 bytes each ([`summaries`]), so that at Meta's 80 messages/s a message's
//! state survives Meta's 7-day redelivery window even when its details do not.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::mem::size_of;
use std::time::{Duration, Instant};

use super::payload::{ErrorObject, Status, StatusKind};

mod summaries;
use summaries::Summaries;

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
    /// Whether the update was handled: folded by [`StatusTracker::observe`], or confirmed by
    /// [`StatusTracker::confirm`] after [`StatusTracker::observe_unconfirmed`]. Only a handled
    /// update makes a later copy of it a [duplicate](Reconciled::duplicate).
    pub handled: bool,
}

fn sort_key<'a>(
    status: &'a str,
    timestamp: &'a str,
) -> (i64, Option<DeliveryState>, &'a str, &'a str) {
    (
        timestamp.trim().parse().unwrap_or(i64::MAX),
        DeliveryState::from_status(&StatusKind::from_raw(Cow::Borrowed(status))),
        status,
        timestamp,
    )
}

impl HistoryEntry {
    fn sort_key(&self) -> (i64, Option<DeliveryState>, &str, &str) {
        sort_key(&self.status, &self.timestamp)
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
    /// The recipient, from the first update that named one: its phone number (`recipient_id`)
    /// or, for a user known only by a business-scoped user id, that id
    /// (`recipient_user_id`, else the parent id).
    pub recipient_id: Option<String>,
    /// `biz_opaque_callback_data`, from the first update that carried it.
    pub biz_opaque_callback_data: Option<String>,
    first_seen: Instant,
    seq: u64,
    footprint: usize,
}

/// What one record costs besides its strings and lists: the record, the map slot and key, the
/// age index entry and its copy of the id, allocator headers.
const RECORD_OVERHEAD: usize =
    size_of::<MessageRecord>() + 2 * size_of::<String>() + size_of::<(Instant, u64)>() + 64;

fn cow_len(s: &Option<Cow<'_, str>>) -> usize {
    s.as_ref().map_or(0, |s| s.len())
}

impl MessageRecord {
    /// When the tracker first saw this message (or, for a message whose details had been
    /// evicted, when it took it back).
    pub fn first_seen(&self) -> Instant {
        self.first_seen
    }

    /// Approximate heap bytes this record holds.
    fn measure(&self) -> usize {
        let strings = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        RECORD_OVERHEAD
            + 3 * self.message_id.len()
            + self.history.capacity() * size_of::<HistoryEntry>()
            + self
                .history
                .iter()
                .map(|h| h.status.capacity() + h.timestamp.capacity())
                .sum::<usize>()
            + self.errors.capacity() * size_of::<ErrorObject<'static>>()
            + self
                .errors
                .iter()
                .map(|e| {
                    cow_len(&e.title)
                        + cow_len(&e.message)
                        + cow_len(&e.href)
                        + e.error_data.as_ref().map_or(0, |d| cow_len(&d.details))
                })
                .sum::<usize>()
            + strings(&self.recipient_id)
            + strings(&self.biz_opaque_callback_data)
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
    /// Whether this exact update (same status and timestamp) had been handled
    /// before: a re-delivered webhook. An update folded but never handled (its
    /// webhook was refused, so Meta sends it again) is not a duplicate.
    pub duplicate: bool,
    /// The errors of the message's failed updates so far.
    pub errors: Vec<ErrorObject<'static>>,
    /// The tracker had evicted this message's details to stay within its byte budget and kept
    /// only its state: `previous` and `state` account for that state, so nothing is
    /// downgraded, but the updates and errors from before are gone and a re-delivery of one
    /// of them cannot be recognised (`duplicate` is false).
    pub history_evicted: bool,
    /// The message is new to the tracker while the tracker has dropped remembered states
    /// before their age, because its [remembered capacity](StatusTracker::with_remembered)
    /// was reached, less than `max_age` ago: this may be a message it forgot, so `state` may
    /// be lower than one reported before. Never set while that capacity is not exceeded.
    pub may_be_forgotten: bool,
}

impl Reconciled {
    /// Whether the update changed the state.
    pub fn changed(&self) -> bool {
        self.previous != Some(self.state)
    }
}

/// Folds status updates per message id into one [`DeliveryState`], within a memory budget.
///
/// - The details of each message ([`MessageRecord`]: history, errors, recipient) are kept for
///   at most [`capacity`](Self::capacity) messages and [`max_bytes`](Self::max_bytes) bytes;
///   the messages first seen earliest are evicted first.
/// - An evicted message's state is kept, 8 bytes each, for up to
///   [`remembered_capacity`](Self::remembered_capacity) messages, so a late update for it is
///   still folded into its real state ([`Reconciled::history_evicted`] says so).
/// - Everything about a message is forgotten `max_age` after it was first seen.
///
/// With the defaults, a late update can downgrade a state only when it arrives more than
/// 8 days (`max_age`) after the tracker first saw the message (Meta stops re-delivering after
/// 7 days), or, flagged with [`Reconciled::may_be_forgotten`], when more than 55,296,000
/// messages (80/s for 8 days) were evicted within 8 days; besides that, a new message id
/// collides with a remembered one with probability below 10^-10.
#[derive(Debug)]
pub struct StatusTracker {
    records: HashMap<String, MessageRecord>,
    by_age: BTreeMap<(Instant, u64), String>,
    next_seq: u64,
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    max_age: Duration,
    summaries: Summaries,
    /// The newest first sighting among the remembered states dropped before their age.
    forgotten_newest: Option<Instant>,
}

/// Default number of messages whose details a [`StatusTracker`] keeps; the byte budget
/// ([`DEFAULT_MAX_BYTES`]) usually binds first.
pub const DEFAULT_CAPACITY: usize = 262_144;
/// Default bytes of message details a [`StatusTracker`] keeps: about 90,000 messages of three
/// updates each (about 19 minutes at 80 messages/s; their states are kept far longer).
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Default number of evicted messages whose state a [`StatusTracker`] remembers (8 bytes
/// each): 80 messages/s, Meta's default throughput, for 8 days; at most about 422 MiB.
pub const DEFAULT_REMEMBERED: usize = 80 * 8 * 24 * 3600;
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
    /// A tracker keeping the details of at most `capacity` messages (at least 1), each for
    /// at most `max_age` after it was first seen, within [`DEFAULT_MAX_BYTES`], and the states
    /// of up to [`DEFAULT_REMEMBERED`] evicted messages.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        StatusTracker {
            records: HashMap::new(),
            by_age: BTreeMap::new(),
            next_seq: 0,
            capacity: capacity.max(1),
            max_bytes: DEFAULT_MAX_BYTES,
            bytes: 0,
            max_age,
            summaries: Summaries::new(DEFAULT_REMEMBERED),
            forgotten_newest: None,
        }
    }

    /// The bytes of message details to keep (approximate heap bytes; default
    /// [`DEFAULT_MAX_BYTES`]). The message being updated is always kept.
    #[must_use]
    pub fn with_max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How many evicted messages' states to remember, 8 bytes each (default
    /// [`DEFAULT_REMEMBERED`]; 0 remembers none).
    #[must_use]
    pub fn with_remembered(mut self, messages: usize) -> Self {
        self.summaries.set_capacity(messages);
        self
    }

    /// Folds one status update as handled and returns the message's reconciled state.
    pub fn observe(&mut self, status: &Status<'_>) -> Reconciled {
        self.fold(status, Instant::now(), true)
    }

    /// [`observe`](Self::observe) with an explicit clock reading, for tests
    /// and replays.
    pub fn observe_at(&mut self, status: &Status<'_>, now: Instant) -> Reconciled {
        self.fold(status, now, true)
    }

    /// Folds one status update whose handling is still to come: the state moves as with
    /// [`observe`](Self::observe), but a re-delivery of this update is not reported as a
    /// duplicate until [`confirm`](Self::confirm) says it was handled. A receiver that
    /// answers a webhook only after handling it folds with this, so a webhook it refused
    /// (handler failed, timeout, crash) comes back as new.
    pub fn observe_unconfirmed(&mut self, status: &Status<'_>) -> Reconciled {
        self.fold(status, Instant::now(), false)
    }

    /// Records that an update folded by [`observe_unconfirmed`](Self::observe_unconfirmed)
    /// was handled. Returns false when the tracker no longer holds the message's details
    /// (then a re-delivery is not recognised as a duplicate).
    pub fn confirm(&mut self, status: &Status<'_>) -> bool {
        self.confirm_update(&status.id, status.status.as_str(), &status.timestamp)
    }

    /// [`confirm`](Self::confirm) by the update's message id, status and timestamp.
    pub(crate) fn confirm_update(
        &mut self,
        message_id: &str,
        status: &str,
        timestamp: &str,
    ) -> bool {
        let Some(rec) = self.records.get_mut(message_id) else {
            return false;
        };
        let key = sort_key(status, timestamp);
        match rec.history.binary_search_by(|h| h.sort_key().cmp(&key)) {
            Ok(pos) => {
                rec.history[pos].handled = true;
                true
            }
            Err(_) => false,
        }
    }

    /// Whether a handler finished with this update ([`confirm`](Self::confirm) recorded it).
    pub(crate) fn is_handled(&self, message_id: &str, status: &str, timestamp: &str) -> bool {
        let Some(rec) = self.records.get(message_id) else {
            return false;
        };
        let key = sort_key(status, timestamp);
        rec.history
            .binary_search_by(|h| h.sort_key().cmp(&key))
            .is_ok_and(|pos| rec.history[pos].handled)
    }

    fn fold(&mut self, status: &Status<'_>, now: Instant, handled: bool) -> Reconciled {
        self.evict_expired(now);
        let id: &str = &status.id;
        let mut history_evicted = false;
        let mut may_be_forgotten = false;
        let previous = match self.records.get(id) {
            Some(rec) => Some(rec.state),
            None => {
                let remembered = self.summaries.get(id);
                history_evicted = remembered.is_some();
                may_be_forgotten = remembered.is_none()
                    && self
                        .forgotten_newest
                        .is_some_and(|t| now.saturating_duration_since(t) < self.max_age);
                self.insert_record(id, remembered.unwrap_or(DeliveryState::Unknown), now);
                remembered
            }
        };
        let Some(rec) = self.records.get_mut(id) else {
            unreachable!("record inserted above")
        };
        let before = rec.footprint;

        let entry = HistoryEntry {
            status: status.status.as_str().to_owned(),
            timestamp: status.timestamp.clone().into_owned(),
            handled,
        };
        // Bounded lists keep their smallest items, so what they hold does not
        // depend on the order of arrival either.
        let duplicate = match rec
            .history
            .binary_search_by(|h| h.sort_key().cmp(&entry.sort_key()))
        {
            Ok(pos) => {
                let seen = &mut rec.history[pos];
                let duplicate = seen.handled;
                seen.handled |= handled;
                duplicate
            }
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
            // A message sent to a BSUID may come back without `recipient_id`: keep the id it
            // was sent to (`recipient_user_id`) rather than nothing.
            rec.recipient_id = status.recipient().map(str::to_owned);
        }
        if rec.biz_opaque_callback_data.is_none() {
            rec.biz_opaque_callback_data = status
                .biz_opaque_callback_data
                .as_deref()
                .map(str::to_owned);
        }
        rec.footprint = rec.measure();
        let reconciled = Reconciled {
            message_id: rec.message_id.clone(),
            state: rec.state,
            previous,
            duplicate,
            errors: rec.errors.clone(),
            history_evicted,
            may_be_forgotten,
        };
        self.bytes = self.bytes - before + rec.footprint;
        while self.records.len() > self.capacity
            || (self.bytes > self.max_bytes && self.records.len() > 1)
        {
            if !self.evict_oldest(now, true) {
                break;
            }
        }
        reconciled
    }

    fn insert_record(&mut self, id: &str, state: DeliveryState, now: Instant) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_age.insert((now, seq), id.to_owned());
        self.records.insert(
            id.to_owned(),
            MessageRecord {
                message_id: id.to_owned(),
                state,
                errors: Vec::new(),
                history: Vec::new(),
                recipient_id: None,
                biz_opaque_callback_data: None,
                first_seen: now,
                seq,
                footprint: 0,
            },
        );
    }

    /// What the tracker knows about a message (its details; `None` once they were evicted,
    /// even if its state is still remembered).
    pub fn get(&self, message_id: &str) -> Option<&MessageRecord> {
        self.records.get(message_id)
    }

    /// Forgets a message's details (its remembered state, if it had been evicted before,
    /// stays until its age).
    pub fn remove(&mut self, message_id: &str) -> Option<MessageRecord> {
        let rec = self.records.remove(message_id)?;
        self.by_age.remove(&(rec.first_seen, rec.seq));
        self.bytes -= rec.footprint;
        Some(rec)
    }

    /// How many messages' details are kept.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no message's details are kept.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many evicted messages' states are remembered.
    pub fn remembered(&self) -> usize {
        self.summaries.len()
    }

    /// Approximate heap bytes held: details and remembered states.
    pub fn bytes(&self) -> usize {
        self.bytes + self.summaries.bytes()
    }

    /// The most messages whose details are kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most bytes of details kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The most evicted messages whose states are remembered.
    pub fn remembered_capacity(&self) -> usize {
        self.summaries.capacity()
    }

    /// The age after which a message is forgotten.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// Forgets the messages first seen `max_age` or longer before `now`.
    pub fn evict_expired(&mut self, now: Instant) {
        while let Some(((seen, _), _)) = self.by_age.first_key_value() {
            if now.saturating_duration_since(*seen) < self.max_age {
                break;
            }
            self.evict_oldest(now, false);
        }
        self.summaries.expire(now, self.max_age);
    }

    /// Evicts the message first seen earliest; with `remember`, keeps its state if it is
    /// younger than `max_age`.
    fn evict_oldest(&mut self, now: Instant, remember: bool) -> bool {
        let Some(((first_seen, _), id)) = self.by_age.pop_first() else {
            return false;
        };
        let Some(rec) = self.records.remove(&id) else {
            return true;
        };
        self.bytes -= rec.footprint;
        if remember && now.saturating_duration_since(first_seen) < self.max_age {
            if let Some(newest) = self
                .summaries
                .insert(&id, rec.state, first_seen, self.max_age)
            {
                self.forgotten_newest = self.forgotten_newest.max(Some(newest));
            }
        }
        true
    }
}
