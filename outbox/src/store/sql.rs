//! The one SQL store both engines run: every statement is written once, with `$N` parameters
//! (which SQLite accepts as well as PostgreSQL), and an [`Engine`] supplies the few pieces
//! that differ: row locks, how migrations are serialised and recorded, and where the
//! migrations live.
//!
//! Row locks are what make many workers safe on PostgreSQL: `claim` and `recover` select with
//! `FOR UPDATE SKIP LOCKED`, so two workers at the same instant take disjoint rows without
//! waiting on each other, and `fold_status` locks its row so that two webhooks for one message
//! fold one after the other. SQLite needs none of it: one connection does everything, and
//! SQLite lets one writer in at a time anyway.

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row as _, Transaction,
    Type,
};

use super::Store;
use crate::error::StoreError;
use crate::model::{
    parse_delivery, Claimed, Counts, Enqueued, ErrorInfo, ListFilter, Millis, NewRow, Recovered,
    Row, RowId, Settlement, State, StatusUpdate,
};

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}

/// An SQL engine the outbox runs on: SQLite or PostgreSQL (sealed). What differs between
/// them, as SQL text.
pub trait Engine: Database + sealed::Sealed {
    /// The versioned migrations, in order: each runs once and is recorded in `outbox_schema`.
    const MIGRATIONS: &'static [(i64, &'static str)];
    /// Taken first in the migration transaction and held until its commit, so that workers
    /// starting together migrate one after the other (the second finds the work done).
    const MIGRATION_LOCK: Option<&'static str>;
    /// The engine's time now, in milliseconds since the epoch (when a migration was applied).
    const NOW_MILLIS: &'static str;
    /// Appended to a SELECT of rows to work on: lock them, skipping rows another transaction
    /// holds.
    const LOCK_SKIP_LOCKED: &'static str;
    /// Appended to a SELECT of one row to update: lock it, waiting for another holder.
    const LOCK_ROW: &'static str;

    /// How many rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

impl Engine for sqlx::Sqlite {
    const MIGRATIONS: &'static [(i64, &'static str)] =
        &[(1, include_str!("../../migrations/0001_outbox.sql"))];
    const MIGRATION_LOCK: Option<&'static str> = None;
    const NOW_MILLIS: &'static str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    const LOCK_SKIP_LOCKED: &'static str = "";
    const LOCK_ROW: &'static str = "";

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

impl Engine for sqlx::Postgres {
    const MIGRATIONS: &'static [(i64, &'static str)] =
        &[(1, include_str!("../../migrations/postgres/0001_outbox.sql"))];
    /// An advisory lock: 0x0077_6163_6c6f_7564, "wacloud" in ASCII.
    const MIGRATION_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(33624314245084516)");
    const NOW_MILLIS: &'static str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
    const LOCK_SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const LOCK_ROW: &'static str = " FOR UPDATE";

    fn rows_affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }
}

/// The outbox's store on one SQL engine: [`super::sqlite::SqliteStore`] or
/// [`super::postgres::PostgresStore`]. Cheap to clone (a connection pool).
pub struct SqlStore<DB: Engine> {
    pub(super) pool: Pool<DB>,
}

impl<DB: Engine> Clone for SqlStore<DB> {
    fn clone(&self) -> Self {
        SqlStore {
            pool: self.pool.clone(),
        }
    }
}

impl<DB: Engine> std::fmt::Debug for SqlStore<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("engine", &DB::NAME)
            .field("pool", &self.pool)
            .finish()
    }
}

impl<DB: Engine> SqlStore<DB> {
    /// The pool, for callers that share it or close it.
    pub fn pool(&self) -> &Pool<DB> {
        &self.pool
    }

    async fn begin(&self) -> Result<Transaction<'static, DB>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(db("beginning a transaction"))
    }
}

pub(super) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| StoreError::new(context, err)
}

const ROW_COLUMNS: &str = "id, idempotency_key, recipient, message_type, state, delivery, \
    not_before, created_at, updated_at, attempts, dispatched_at, wamid, error_code, error_title, \
    error_detail, sent_at, delivered_at, read_at, failed_at";

fn read_row<R>(row: &R) -> Result<Row, StoreError>
where
    R: sqlx::Row,
    for<'a> &'a str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn get<'r, R, T>(row: &'r R, name: &str) -> Result<T, StoreError>
    where
        R: sqlx::Row,
        for<'a> &'a str: ColumnIndex<R>,
        T: Decode<'r, R::Database> + Type<R::Database>,
    {
        row.try_get(name).map_err(db("reading a row"))
    }
    let state: String = get(row, "state")?;
    let delivery: Option<String> = get(row, "delivery")?;
    let code: Option<i64> = get(row, "error_code")?;
    let title: Option<String> = get(row, "error_title")?;
    let detail: Option<String> = get(row, "error_detail")?;
    let error = (code.is_some() || title.is_some() || detail.is_some()).then_some(ErrorInfo {
        code,
        title,
        detail,
    });
    Ok(Row {
        id: RowId(get(row, "id")?),
        idempotency_key: get(row, "idempotency_key")?,
        recipient: get(row, "recipient")?,
        message_type: get(row, "message_type")?,
        state: State::from_str(&state).map_err(|err| StoreError::new("reading a row", err))?,
        delivery: delivery.as_deref().and_then(parse_delivery),
        not_before: get(row, "not_before")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
        attempts: get(row, "attempts")?,
        dispatched_at: get(row, "dispatched_at")?,
        wamid: get(row, "wamid")?,
        error,
        sent_at: get(row, "sent_at")?,
        delivered_at: get(row, "delivered_at")?,
        read_at: get(row, "read_at")?,
        failed_at: get(row, "failed_at")?,
    })
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Vec<u8>: Decode<'q, DB> + Type<DB>,
{
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if let Some(lock) = DB::MIGRATION_LOCK {
            sqlx::query(lock)
                .execute(&mut *tx)
                .await
                .map_err(db("taking the migration lock"))?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS outbox_schema \
             (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(db("creating the schema table"))?;
        let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM outbox_schema")
            .fetch_one(&mut *tx)
            .await
            .map_err(db("reading the schema version"))?;
        let record = format!(
            "INSERT INTO outbox_schema (version, applied_at) VALUES ($1, {})",
            DB::NOW_MILLIS
        );
        for (version, sql) in DB::MIGRATIONS {
            if current.is_some_and(|current| current >= *version) {
                continue;
            }
            // Statement by statement: the migrations hold no `;` inside a statement.
            for statement in sql.split(';').filter(|part| !part.trim().is_empty()) {
                sqlx::query(statement)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("applying a migration"))?;
            }
            sqlx::query(&record)
                .bind(*version)
                .execute(&mut *tx)
                .await
                .map_err(db("recording a migration"))?;
        }
        tx.commit().await.map_err(db("committing the migrations"))
    }

    async fn insert(&self, rows: &[NewRow], now: Millis) -> Result<Vec<Enqueued>, StoreError> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO outbox_messages \
                 (idempotency_key, recipient, message_type, body, not_before, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            )
            .bind(row.idempotency_key.as_deref())
            .bind(row.recipient.as_str())
            .bind(row.message_type.as_str())
            .bind(row.body.as_slice())
            .bind(row.not_before)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("inserting a row"))?;
            let enqueued = match inserted {
                Some(id) => Enqueued {
                    id: RowId(id),
                    created: true,
                },
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "SELECT id FROM outbox_messages WHERE idempotency_key = $1",
                    )
                    .bind(row.idempotency_key.as_deref())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db("reading an existing key"))?;
                    Enqueued {
                        id: RowId(id),
                        created: false,
                    }
                }
            };
            out.push(enqueued);
        }
        tx.commit().await.map_err(db("committing an insert"))?;
        Ok(out)
    }

    async fn claim(
        &self,
        worker: &str,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> Result<Vec<Claimed>, StoreError> {
        // One statement: the inner SELECT picks (on PostgreSQL: locks) the oldest free rows,
        // skipping rows another worker is claiming this instant, and the UPDATE leases exactly
        // those.
        let sql = format!(
            "UPDATE outbox_messages \
             SET claimed_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'queued' AND not_before <= $3 \
                   AND (claimed_by IS NULL OR lease_until < $3) \
                 ORDER BY id LIMIT $4{}) \
             RETURNING id, body, attempts",
            DB::LOCK_SKIP_LOCKED
        );
        let rows = sqlx::query(&sql)
            .bind(worker)
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db("claiming rows"))?;
        let mut claimed = rows
            .iter()
            .map(|row| {
                Ok(Claimed {
                    id: RowId(row.try_get("id").map_err(db("reading a claim"))?),
                    body: row.try_get("body").map_err(db("reading a claim"))?,
                    attempts: row.try_get("attempts").map_err(db("reading a claim"))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        claimed.sort_by_key(|row| row.id);
        Ok(claimed)
    }

    async fn renew(&self, worker: &str, lease_until: Millis) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox_messages SET lease_until = $1 WHERE claimed_by = $2")
            .bind(lease_until)
            .bind(worker)
            .execute(&self.pool)
            .await
            .map_err(db("renewing leases"))?;
        Ok(())
    }

    async fn mark_dispatched(
        &self,
        id: RowId,
        worker: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE outbox_messages SET state = 'dispatched', dispatched_at = $1, updated_at = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state IN ('queued', 'dispatched')",
        )
        .bind(now)
        .bind(id.0)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(db("marking a row dispatched"))?;
        if DB::rows_affected(&done) == 1 {
            Ok(())
        } else {
            Err(StoreError::new(
                "marking a row dispatched",
                format!("row {id} is not held by this worker any more"),
            ))
        }
    }

    async fn mark_undispatched(
        &self,
        id: RowId,
        worker: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox_messages SET state = 'queued', updated_at = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'dispatched'",
        )
        .bind(now)
        .bind(id.0)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(db("marking a row not dispatched"))?;
        Ok(())
    }

    async fn settle(
        &self,
        id: RowId,
        settlement: &Settlement,
        now: Millis,
    ) -> Result<(), StoreError> {
        let (state, wamid, error) = match settlement {
            Settlement::Accepted { wamid } => (State::Accepted, Some(wamid.clone()), None),
            Settlement::Rejected(error) => (State::Rejected, None, Some(error.clone())),
            Settlement::Unknown { detail } => (
                State::Unknown,
                None,
                Some(ErrorInfo {
                    code: None,
                    title: Some("outcome unknown".to_owned()),
                    detail: Some(detail.clone()),
                }),
            ),
        };
        let error = error.unwrap_or_default();
        // One statement, one commit: the lease always goes; an acceptance a webhook recorded
        // meanwhile is kept, it is the better answer.
        sqlx::query(
            "UPDATE outbox_messages SET \
             state = CASE WHEN state = 'accepted' THEN state ELSE $1 END, \
             wamid = CASE WHEN state = 'accepted' THEN COALESCE(wamid, $2) \
                 ELSE COALESCE($2, wamid) END, \
             error_code = CASE WHEN state = 'accepted' AND $1 <> 'accepted' THEN error_code \
                 ELSE COALESCE($3, error_code) END, \
             error_title = CASE WHEN state = 'accepted' AND $1 <> 'accepted' THEN error_title \
                 ELSE COALESCE($4, error_title) END, \
             error_detail = CASE WHEN state = 'accepted' AND $1 <> 'accepted' THEN error_detail \
                 ELSE COALESCE($5, error_detail) END, \
             claimed_by = NULL, lease_until = NULL, updated_at = $6 \
             WHERE id = $7",
        )
        .bind(state.as_str())
        .bind(wamid)
        .bind(error.code)
        .bind(error.title)
        .bind(error.detail)
        .bind(now)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(db("settling a row"))?;
        Ok(())
    }

    async fn release(&self, id: RowId, worker: &str, not_before: Millis) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox_messages SET claimed_by = NULL, lease_until = NULL, not_before = $1 \
             WHERE id = $2 AND claimed_by = $3 AND state = 'queued'",
        )
        .bind(not_before)
        .bind(id.0)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(db("releasing a row"))?;
        Ok(())
    }

    async fn recover(&self, expired_before: Millis, now: Millis) -> Result<Recovered, StoreError> {
        // Rows another worker is recovering (or settling) right now are skipped, not waited
        // for: workers starting together all recover, and two recoveries never wait on each
        // other or deadlock.
        let mut tx = self.begin().await?;
        let unknown = sqlx::query(&format!(
            "UPDATE outbox_messages SET state = 'unknown', claimed_by = NULL, lease_until = NULL, \
             error_title = 'outcome unknown', \
             error_detail = 'the process stopped after the request may have been written', \
             updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'dispatched' AND (lease_until IS NULL OR lease_until < $2){})",
            DB::LOCK_SKIP_LOCKED
        ))
        .bind(now)
        .bind(expired_before)
        .execute(&mut *tx)
        .await
        .map_err(db("recovering dispatched rows"))?;
        let requeued = sqlx::query(&format!(
            "UPDATE outbox_messages SET claimed_by = NULL, lease_until = NULL, updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'queued' AND claimed_by IS NOT NULL AND lease_until < $2{})",
            DB::LOCK_SKIP_LOCKED
        ))
        .bind(now)
        .bind(expired_before)
        .execute(&mut *tx)
        .await
        .map_err(db("recovering claimed rows"))?;
        tx.commit().await.map_err(db("committing a recovery"))?;
        Ok(Recovered {
            requeued: DB::rows_affected(&requeued),
            unknown: DB::rows_affected(&unknown),
        })
    }

    async fn fold_status(
        &self,
        update: &StatusUpdate,
        now: Millis,
    ) -> Result<Option<RowId>, StoreError> {
        // The row is locked: two webhooks for one row (sent, delivered) fold one after the
        // other, not over each other, when several receivers share the outbox.
        let mut tx = self.begin().await?;
        let by_row = match update.row {
            Some(id) => sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id = $1{}",
                DB::LOCK_ROW
            ))
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("finding a status's row"))?,
            None => None,
        };
        let found = match by_row {
            Some(row) => Some(row),
            None => sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE wamid = $1 \
                 ORDER BY id LIMIT 1{}",
                DB::LOCK_ROW
            ))
            .bind(update.wamid.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("finding a status's row"))?,
        };
        let Some(found) = found else {
            return Ok(None);
        };
        let row = read_row(&found)?;
        let folded = crate::ledger::fold(&row, update);
        let error = folded.error.unwrap_or_default();
        sqlx::query(
            "UPDATE outbox_messages SET state = $1, wamid = $2, delivery = $3, \
             error_code = $4, error_title = $5, error_detail = $6, \
             sent_at = $7, delivered_at = $8, read_at = $9, failed_at = $10, updated_at = $11 \
             WHERE id = $12",
        )
        .bind(folded.state.as_str())
        .bind(folded.wamid)
        .bind(folded.delivery.map(|delivery| delivery.as_str()))
        .bind(error.code)
        .bind(error.title)
        .bind(error.detail)
        .bind(folded.sent_at)
        .bind(folded.delivered_at)
        .bind(folded.read_at)
        .bind(folded.failed_at)
        .bind(now)
        .bind(row.id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("folding a status"))?;
        tx.commit().await.map_err(db("committing a status"))?;
        Ok(Some(row.id))
    }

    async fn requeue_unknown(&self, id: RowId, now: Millis) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox_messages SET state = 'queued', not_before = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'unknown'",
        )
        .bind(now)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(db("requeueing a row"))?;
        Ok(DB::rows_affected(&done) == 1)
    }

    async fn get(&self, id: RowId) -> Result<Option<Row>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a row"))?;
        row.as_ref().map(read_row).transpose()
    }

    async fn find_by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE idempotency_key = $1"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a row"))?;
        row.as_ref().map(read_row).transpose()
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let rows = sqlx::query(
            "SELECT state, delivery, COUNT(*) AS n FROM outbox_messages GROUP BY state, delivery",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting rows"))?;
        let mut counts = Counts::default();
        for row in rows {
            let state: String = row.try_get("state").map_err(db("counting rows"))?;
            let delivery: Option<String> = row.try_get("delivery").map_err(db("counting rows"))?;
            let n: i64 = row.try_get("n").map_err(db("counting rows"))?;
            let state = State::from_str(&state).map_err(|err| StoreError::new("counting", err))?;
            counts.add(
                state,
                delivery.as_deref().and_then(parse_delivery),
                u64::try_from(n).unwrap_or(0),
            );
        }
        Ok(counts)
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<Row>, StoreError> {
        // The SQL with numbered parameters, then the values bound in the same order.
        let mut sql = format!("SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id > $1");
        let mut next = 2;
        if !filter.states.is_empty() {
            let params: Vec<String> = (0..filter.states.len())
                .map(|n| format!("${}", next + n))
                .collect();
            next += filter.states.len();
            sql.push_str(&format!(" AND state IN ({})", params.join(", ")));
        }
        if filter.delivery.is_some() {
            sql.push_str(&format!(" AND delivery = ${next}"));
            next += 1;
        }
        sql.push_str(" ORDER BY id");
        if filter.limit > 0 {
            sql.push_str(&format!(" LIMIT ${next}"));
        }
        let mut query = sqlx::query(&sql).bind(filter.after.map_or(0, |id| id.0));
        for state in &filter.states {
            query = query.bind(state.as_str());
        }
        if let Some(delivery) = filter.delivery {
            query = query.bind(delivery.as_str());
        }
        if filter.limit > 0 {
            query = query.bind(i64::from(filter.limit));
        }
        let rows = query
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing rows"))?;
        rows.iter().map(read_row).collect()
    }
}
