//! The store: where rows live. A trait, so that a PostgreSQL store can stand in for the
//! SQLite one without the outbox, the workers or the ledger changing.
//!
//! Every method is one transaction. Times are [`Millis`] chosen by the caller (the outbox's
//! clock), so that stores never read a clock and tests control time.
//!
//! [`open`] picks the store from where the outbox lives: a `postgres://` or `postgresql://`
//! URL is a [`postgres::PostgresStore`] that many workers share, anything else is the path
//! of a [`sqlite::SqliteStore`] file.

pub mod postgres;
pub mod sql;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::StoreError;
use crate::model::{
    Claimed, Counts, Enqueued, ListFilter, Millis, NewRow, Recovered, Row, RowId, Settlement,
    StatusUpdate,
};

/// Whether `location` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens and migrates the store at `location`: a `postgres://` or `postgresql://` URL opens
/// a [`postgres::PostgresStore`], anything else the SQLite file at that path (created if
/// missing) with `durability`, which PostgreSQL ignores (its commits are always durable).
pub async fn open(
    location: &str,
    durability: sqlite::Durability,
) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres_url(location) {
        Ok(Arc::new(postgres::PostgresStore::connect(location).await?))
    } else {
        Ok(Arc::new(
            sqlite::SqliteStore::open(location, durability).await?,
        ))
    }
}

/// A durable home for outbox rows.
///
/// The contract the outbox relies on:
/// - `insert` commits every row or none, and returns only once they are durable;
/// - `claim` hands each queued, due row to one worker at a time (a lease), oldest first;
/// - a row goes `queued -> dispatched` only through `mark_dispatched` by its lease holder, and
///   `recover` turns every expired `dispatched` row into `unknown`, never back into `queued`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies the store's versioned migrations (idempotent).
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Inserts rows in one transaction. A row whose idempotency key exists is not added: its
    /// first row's id comes back with `created: false`.
    async fn insert(&self, rows: &[NewRow], now: Millis) -> Result<Vec<Enqueued>, StoreError>;

    /// Claims up to `limit` queued rows due at `now` that no live lease holds, for `worker`
    /// until `lease_until`, oldest first.
    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError>;

    /// Extends the leases `worker` holds.
    async fn renew(&self, worker: &str, lease_until: Millis) -> Result<(), StoreError>;

    /// Records that the row's request may be written now. Must be durable before it returns:
    /// the bytes go out right after.
    async fn mark_dispatched(&self, id: RowId, worker: &str, now: Millis)
        -> Result<(), StoreError>;

    /// Records that the last attempt was answered with a refusal or never written: the row
    /// is queued again (still held by the worker, which may retry it).
    async fn mark_undispatched(
        &self,
        id: RowId,
        worker: &str,
        now: Millis,
    ) -> Result<(), StoreError>;

    /// Records how a send ended and drops the lease. A row a webhook already settled as
    /// accepted keeps that answer.
    async fn settle(
        &self,
        id: RowId,
        settlement: &Settlement,
        now: Millis,
    ) -> Result<(), StoreError>;

    /// Gives a claimed, unwritten row back to the queue, due at `not_before`.
    async fn release(&self, id: RowId, worker: &str, not_before: Millis) -> Result<(), StoreError>;

    /// Rows whose lease expired before `expired_before`: `dispatched` ones become `unknown`,
    /// the others are queued again.
    async fn recover(&self, expired_before: Millis, now: Millis) -> Result<Recovered, StoreError>;

    /// Folds a status webhook into its row (found by row id, else by wamid). A row in
    /// `dispatched` or `unknown` state is settled as accepted with the webhook's wamid. Returns
    /// the row, or `None` when no row matches.
    async fn fold_status(
        &self,
        update: &StatusUpdate,
        now: Millis,
    ) -> Result<Option<RowId>, StoreError>;

    /// Queues an `unknown` row again: the explicit resend. False when it was not unknown.
    async fn requeue_unknown(&self, id: RowId, now: Millis) -> Result<bool, StoreError>;

    /// One row.
    async fn get(&self, id: RowId) -> Result<Option<Row>, StoreError>;

    /// The row with this idempotency key.
    async fn find_by_key(&self, key: &str) -> Result<Option<Row>, StoreError>;

    /// Counts per state and delivery.
    async fn counts(&self) -> Result<Counts, StoreError>;

    /// Rows matching the filter, by id.
    async fn list(&self, filter: &ListFilter) -> Result<Vec<Row>, StoreError>;
}
