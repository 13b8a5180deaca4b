//! The outbox's metrics, through the [`metrics`] facade like the client's (no exporter here).
//!
//! Rows by state are a gauge read from the store ([`Outbox::publish_counts`]): a count over the
//! whole table, so it is published only when asked for, by the caller or by a worker's
//! [`Worker::publish_counts_every`](crate::Worker::publish_counts_every), never per send. Rows
//! settled by a worker are a counter, bumped in memory as each row settles. Label values are the
//! fixed state and status names, never ids or numbers.

use ::metrics::{describe_counter, describe_gauge, Unit};

use crate::error::OutboxError;
use crate::model::{Counts, Settlement, State};
use crate::outbox::Outbox;

/// Gauge: rows in the outbox, by `state` (`queued`, `dispatched`, `accepted`, `rejected`,
/// `unknown`).
pub const ROWS: &str = "wacloud_outbox_rows";
/// Gauge: accepted rows by the furthest `status` a webhook reported (`sent` for none yet or
/// `sent`, `delivered`, `read`, `failed`).
pub const DELIVERY: &str = "wacloud_outbox_delivery_rows";
/// Counter: rows a worker of this process settled, by `state` (`accepted`, `rejected`,
/// `unknown`).
pub const SETTLED: &str = "wacloud_outbox_settled_total";
/// Counter: rows a worker of this process put back in the queue (nothing was written).
pub const POSTPONED: &str = "wacloud_outbox_postponed_total";
/// Label: a row's state.
pub const LABEL_STATE: &str = "state";
/// Label: an accepted row's furthest delivery status.
pub const LABEL_STATUS: &str = "status";

/// Registers the outbox metrics' units and descriptions with the installed recorder (call it
/// once, next to `wacloud::telemetry::describe`).
pub fn describe() {
    describe_gauge!(ROWS, Unit::Count, "Rows in the outbox, by state");
    describe_gauge!(
        DELIVERY,
        Unit::Count,
        "Accepted rows, by the furthest status a webhook reported"
    );
    describe_counter!(
        SETTLED,
        Unit::Count,
        "Rows this process's workers settled, by state"
    );
    describe_counter!(
        POSTPONED,
        Unit::Count,
        "Rows this process's workers put back in the queue, nothing written"
    );
}

/// Sets the gauges from one count of the store.
pub(crate) fn publish(counts: &Counts) {
    for state in State::ALL {
        let rows = match state {
            State::Queued => counts.queued,
            State::Dispatched => counts.dispatched,
            State::Accepted => counts.accepted,
            State::Rejected => counts.rejected,
            State::Unknown => counts.unknown,
        };
        ::metrics::gauge!(ROWS, LABEL_STATE => state.as_str()).set(rows as f64);
    }
    for (status, rows) in [
        ("sent", counts.sent),
        ("delivered", counts.delivered),
        ("read", counts.read),
        ("failed", counts.failed),
    ] {
        ::metrics::gauge!(DELIVERY, LABEL_STATUS => status).set(rows as f64);
    }
}

/// Counts one row a worker settled.
pub(crate) fn settled(settlement: &Settlement) {
    let state = match settlement {
        Settlement::Accepted { .. } => State::Accepted,
        Settlement::Rejected(_) => State::Rejected,
        Settlement::Unknown { .. } => State::Unknown,
    };
    ::metrics::counter!(SETTLED, LABEL_STATE => state.as_str()).increment(1);
}

/// Counts one row a worker put back.
pub(crate) fn postponed() {
    ::metrics::counter!(POSTPONED).increment(1);
}

impl Outbox {
    /// Counts the rows by state and publishes the counts as the [`ROWS`] and [`DELIVERY`]
    /// gauges (a query over the whole table: call it on a schedule, not per send). Returns the
    /// counts.
    pub async fn publish_counts(&self) -> Result<Counts, OutboxError> {
        let counts = self.counts().await?;
        publish(&counts);
        Ok(counts)
    }
}
