//! A durable outbox and message ledger for the [`wacloud`] WhatsApp Cloud API client.
//!
//! - [`Outbox::enqueue`] returns a row id once the message is committed; `enqueue_many`
//!   commits a batch in one transaction; an idempotency key makes a repeat return the first
//!   row; a not-before time schedules a send.
//! - Workers drain it through the client's layers with bounded concurrency: only the rows in
//!   flight are in memory.
//! - A row becomes "possibly sent" only at the innermost point of the client's layer stack
//!   ([`wacloud::dispatch`]), after the outage gate and the rate limits, so after `kill -9` the
//!   waiting rows are sent and only rows whose request may have been written become
//!   [`State::Unknown`], never resent blindly.
//! - Status webhooks fold into the rows (the ledger), settle unknown rows (the row id travels
//!   in `biz_opaque_callback_data`), and `explain` says why a message is stuck or failed.
//!
//! The default store is one SQLite file ([`SqliteStore`]); a `postgres://` URL opens a
//! [`PostgresStore`] that any number of workers on any number of machines drain together
//! ([`Outbox::open`] picks by the location). Both go through `sqlx`: one crate serves both
//! behind the same [`Store`] trait, it is async on tokio like the client, and it is maintained.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod explain;
pub mod ledger;
pub mod metrics;
mod model;
mod outbox;
pub mod store;
mod worker;

pub use error::{OutboxError, StoreError};
pub use explain::{Cause, Diagnosis, Failure, Fate, Remedy};
pub use model::{
    Claimed, Counts, Enqueued, ErrorInfo, ListFilter, Millis, NewRow, Recovered, Row, RowId,
    Settlement, State, StatusUpdate,
};
pub use outbox::{system_clock, Enqueue, Outbox, OutboxConfig, WallClock, DEFAULT_CALLBACK_PREFIX};
pub use store::postgres::PostgresStore;
pub use store::sqlite::{Durability, SqliteStore};
pub use store::Store;
pub use worker::{DrainReport, Outcome, Worker, WorkerConfig};
