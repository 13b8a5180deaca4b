//! What the webhook receiver reports: events by kind, how far behind the handler is, and the
//! answer-first queue's depth.

use std::time::{SystemTime, UNIX_EPOCH};

use super::names::*;
use crate::webhooks::{ChangeValue, Event, Notification};

/// Counts the events of a signed, parsed notification by kind (duplicates included: Meta
/// re-delivers until it gets a 200).
pub(crate) fn received(notification: &Notification<'_>) {
    let (mut messages, mut statuses, mut errors, mut fields, mut other) = (0, 0, 0, 0, 0);
    for change in notification.entries.iter().flat_map(|entry| &entry.changes) {
        match &change.value {
            ChangeValue::Messages(value) => {
                messages += value.messages.len() as u64;
                statuses += value.statuses.len() as u64;
                errors += value.errors.len() as u64;
                other += value.unparsed.len() as u64;
            }
            ChangeValue::Field { .. } => fields += 1,
            ChangeValue::Other(_) => other += 1,
        }
    }
    for (kind, count) in [
        ("message", messages),
        ("status", statuses),
        ("error", errors),
        ("field", fields),
        ("other", other),
    ] {
        if count > 0 {
            metrics::counter!(WEBHOOK_EVENTS, KIND => kind).increment(count);
        }
    }
}

/// The handler is about to get `event`: records how long after its own timestamp (Meta's
/// clock, whole seconds) that is, for events that carry one.
pub(crate) fn handling(event: &Event) {
    let (kind, timestamp) = match event {
        Event::Message { message, .. } => ("message", message.timestamp.trim().parse().ok()),
        Event::Status { status, .. } => ("status", status.timestamp_secs()),
        Event::Field { time, .. } => ("field", *time),
        Event::Error { .. } | Event::Other { .. } => return,
    };
    let Some(timestamp) = timestamp else {
        return;
    };
    let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        return;
    };
    // A clock ahead of ours reads as no lag rather than a negative one.
    let lag = (now.as_secs_f64() - timestamp as f64).max(0.0);
    metrics::histogram!(WEBHOOK_LAG, KIND => kind).record(lag);
}

/// `count` events entered the answer-first queue.
pub(crate) fn queued(count: usize) {
    metrics::gauge!(WEBHOOK_QUEUE).increment(count as f64);
}

/// One event left the answer-first queue (handled, failed or timed out).
pub(crate) fn dequeued() {
    metrics::gauge!(WEBHOOK_QUEUE).decrement(1.0);
}
