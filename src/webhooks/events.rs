//! What a webhook POST tells, as owned events for a handler.
//!
//! [`collect_events`] turns a parsed [`Notification`] into [`Event`]s in order of arrival,
//! folding every status into a [`StatusTracker`] on the way, so the event carries the message's
//! reconciled state. It needs no HTTP server: a receiver built on another framework uses it the
//! same way the axum router does.

use serde_json::value::RawValue;

use super::payload::{
    ChangeValue, Contact, ErrorObject, FieldUpdate, Message, Metadata, Notification, Status,
};
use super::reconcile::{Reconciled, StatusTracker};

/// One thing a webhook told: owned, so the handler may keep or spawn it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// An inbound message. Reply to [`Message::reply_to`] (also [`Event::reply_to`]): the
    /// phone number, or the BSUID of a user who does not share it.
    Message {
        /// The WhatsApp Business Account id (`entry[].id`).
        waba_id: String,
        /// The business number it was sent to.
        metadata: Metadata<'static>,
        /// The sender's profile, when the webhook included it (matched by phone number or
        /// BSUID).
        contact: Option<Contact<'static>>,
        /// The message.
        message: Message<'static>,
    },
    /// A status update of a message the business sent.
    Status {
        /// The WhatsApp Business Account id (`entry[].id`).
        waba_id: String,
        /// The business number that sent the message.
        metadata: Metadata<'static>,
        /// The update, as received.
        status: Status<'static>,
        /// The message's state after folding this update in.
        reconciled: Reconciled,
    },
    /// A system-level error (`value.errors`).
    Error {
        /// The WhatsApp Business Account id (`entry[].id`).
        waba_id: String,
        /// The business number concerned.
        metadata: Metadata<'static>,
        /// The error.
        error: ErrorObject<'static>,
    },
    /// A change of another documented field (templates, phone number quality, account,
    /// user preferences, calls, groups, ...): one event per change, typed.
    Field {
        /// The WhatsApp Business Account id (`entry[].id`).
        waba_id: String,
        /// `entry[].time` (unix seconds), when sent: template and account fields carry no
        /// other timestamp.
        time: Option<i64>,
        /// The change's `field`.
        field: String,
        /// The typed value.
        update: FieldUpdate<'static>,
        /// The value as received, for what the types do not name.
        raw: Box<RawValue>,
    },
    /// A change of a field this SDK does not know, a value that does not match its field's
    /// documented shape, or an item that did not match its documented shape: the raw JSON.
    Other {
        /// The WhatsApp Business Account id (`entry[].id`).
        waba_id: String,
        /// The change's `field`.
        field: String,
        /// The change's `value` (or the unrecognized item).
        value: Box<RawValue>,
    },
}

impl Event {
    /// The business number's id (`metadata.phone_number_id`), when the event has one.
    pub fn phone_number_id(&self) -> Option<&str> {
        match self {
            Event::Message { metadata, .. }
            | Event::Status { metadata, .. }
            | Event::Error { metadata, .. } => Some(&metadata.phone_number_id),
            Event::Field { update, .. } => update.metadata().map(|m| &*m.phone_number_id),
            Event::Other { .. } => None,
        }
    }

    /// The WhatsApp Business Account id (`entry[].id`).
    pub fn waba_id(&self) -> &str {
        match self {
            Event::Message { waba_id, .. }
            | Event::Status { waba_id, .. }
            | Event::Error { waba_id, .. }
            | Event::Field { waba_id, .. }
            | Event::Other { waba_id, .. } => waba_id,
        }
    }

    /// For a message: whom to reply to ([`Message::reply_to`]), the phone number when Meta
    /// sent it, else the BSUID. `None` for other events.
    pub fn reply_to(&self) -> Option<&str> {
        match self {
            Event::Message { message, .. } => message.reply_to(),
            _ => None,
        }
    }
}

/// Turns a notification into events in order of arrival, folding each status into `tracker`
/// as handled ([`StatusTracker::observe`]).
pub fn collect_events(notification: Notification<'_>, tracker: &mut StatusTracker) -> Vec<Event> {
    collect(notification, tracker, true)
}

/// [`collect_events`] for a receiver that answers only after handling: statuses are folded
/// with [`StatusTracker::observe_unconfirmed`], so a re-delivery counts as a duplicate only
/// once [`StatusTracker::confirm`] recorded that the handler finished with it.
pub fn collect_unconfirmed_events(
    notification: Notification<'_>,
    tracker: &mut StatusTracker,
) -> Vec<Event> {
    collect(notification, tracker, false)
}

fn collect(
    notification: Notification<'_>,
    tracker: &mut StatusTracker,
    handled: bool,
) -> Vec<Event> {
    let mut events = Vec::new();
    for entry in notification.entries {
        for change in entry.changes {
            match change.value {
                ChangeValue::Messages(mut value) => {
                    let metadata = value.metadata.clone().unwrap_or_default().into_owned();
                    for error in std::mem::take(&mut value.errors) {
                        events.push(Event::Error {
                            waba_id: entry.id.to_string(),
                            metadata: metadata.clone(),
                            error: error.into_owned(),
                        });
                    }
                    for message in std::mem::take(&mut value.messages) {
                        let contact = value.contact_of(&message).cloned();
                        events.push(Event::Message {
                            waba_id: entry.id.to_string(),
                            metadata: metadata.clone(),
                            contact: contact.map(Contact::into_owned),
                            message: message.into_owned(),
                        });
                    }
                    for status in value.statuses {
                        let reconciled = if handled {
                            tracker.observe(&status)
                        } else {
                            tracker.observe_unconfirmed(&status)
                        };
                        events.push(Event::Status {
                            waba_id: entry.id.to_string(),
                            metadata: metadata.clone(),
                            status: status.into_owned(),
                            reconciled,
                        });
                    }
                    for raw in value.unparsed {
                        events.push(Event::Other {
                            waba_id: entry.id.to_string(),
                            field: change.field.to_string(),
                            value: raw.into_owned(),
                        });
                    }
                }
                ChangeValue::Field { update, raw } => events.push(Event::Field {
                    waba_id: entry.id.to_string(),
                    time: entry.time,
                    field: change.field.to_string(),
                    update: update.into_owned(),
                    raw: raw.into_owned(),
                }),
                ChangeValue::Other(raw) => events.push(Event::Other {
                    waba_id: entry.id.to_string(),
                    field: change.field.to_string(),
                    value: raw.into_owned(),
                }),
            }
        }
    }
    events
}

/// Folds every status of a notification into `tracker` without building events (a receiver
/// with no handler still keeps the reconciled states).
pub fn observe_statuses(notification: &Notification<'_>, tracker: &mut StatusTracker) {
    for entry in &notification.entries {
        for change in &entry.changes {
            if let ChangeValue::Messages(value) = &change.value {
                for status in &value.statuses {
                    tracker.observe(status);
                }
            }
        }
    }
}
