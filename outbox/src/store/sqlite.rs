//! The default store: one SQLite file in WAL mode, through sqlx.
//!
//! One connection does everything. SQLite lets one writer in at a time anyway, and a single
//! connection rules out `SQLITE_BUSY` when a read transaction upgrades to a write; WAL keeps
//! commits cheap (an append, not a rewrite of pages).

use std::path::Path;
use std::str::FromStr;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row as _, Sqlite, Transaction};

use super::Store;
use crate::error::StoreError;
use crate::model::{
    parse_delivery, Claimed, Counts, Enqueued, ErrorInfo, ListFilter, Millis, NewRow, Recovered,
    Row, RowId, Settlement, State, StatusUpdate,
};

/// The versioned migrations, in order: each runs once, in its own transaction, and is
/// recorded in `outbox_schema`.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/0001_outbox.sql"))];

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is synced (`synchronous=FULL`): survives power loss.
    #[default]
    Full,
    /// Commits survive a crash of the process (`kill -9`) but the last ones may be lost on
    /// power loss (`synchronous=NORMAL` in WAL mode). Much faster for single enqueues.
    Process,
}

/// The SQLite store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file at `path` and migrates it.
    pub async fn open(path: impl AsRef<Path>, durability: Durability) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::connect(options, durability).await
    }

    /// An in-memory database (tests, benchmarks of the outbox logic alone).
    pub async fn in_memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|err| StoreError::new("opening", err))?;
        Self::connect(options, Durability::Process).await
    }

    async fn connect(
        options: SqliteConnectOptions,
        durability: Durability,
    ) -> Result<Self, StoreError> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Process => SqliteSynchronous::Normal,
            })
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|err| StoreError::new("opening", err))?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(|err| StoreError::new("beginning a transaction", err))
    }
}

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| StoreError::new(context, err)
}

const ROW_COLUMNS: &str = "id, idempotency_key, recipient, message_type, state, delivery, \
    not_before, created_at, updated_at, attempts, dispatched_at, wamid, error_code, error_title, \
    error_detail, sent_at, delivered_at, read_at, failed_at";

fn read_row(row: &SqliteRow) -> Result<Row, StoreError> {
    let get = db("reading a row");
    let state: String = row.try_get("state").map_err(get)?;
    let delivery: Option<String> = row.try_get("delivery").map_err(db("reading a row"))?;
    let code: Option<i64> = row.try_get("error_code").map_err(db("reading a row"))?;
    let title: Option<String> = row.try_get("error_title").map_err(db("reading a row"))?;
    let detail: Option<String> = row.try_get("error_detail").map_err(db("reading a row"))?;
    let error = (code.is_some() || title.is_some() || detail.is_some()).then_some(ErrorInfo {
        code,
        title,
        detail,
    });
    let field = |name: &'static str| -> Result<Option<i64>, StoreError> {
        row.try_get(name).map_err(db("reading a row"))
    };
    Ok(Row {
        id: RowId(row.try_get("id").map_err(db("reading a row"))?),
        idempotency_key: row
            .try_get("idempotency_key")
            .map_err(db("reading a row"))?,
        recipient: row.try_get("recipient").map_err(db("reading a row"))?,
        message_type: row.try_get("message_type").map_err(db("reading a row"))?,
        state: State::from_str(&state).map_err(|err| StoreError::new("reading a row", err))?,
        delivery: delivery.as_deref().and_then(parse_delivery),
        not_before: row.try_get("not_before").map_err(db("reading a row"))?,
        created_at: row.try_get("created_at").map_err(db("reading a row"))?,
        updated_at: row.try_get("updated_at").map_err(db("reading a row"))?,
        attempts: row.try_get("attempts").map_err(db("reading a row"))?,
        dispatched_at: field("dispatched_at")?,
        wamid: row.try_get("wamid").map_err(db("reading a row"))?,
        error,
        sent_at: field("sent_at")?,
        delivered_at: field("delivered_at")?,
        read_at: field("read_at")?,
        failed_at: field("failed_at")?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS outbox_schema \
             (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(db("creating the schema table"))?;
        let current: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM outbox_schema")
            .fetch_one(&mut *tx)
            .await
            .map_err(db("reading the schema version"))?;
        for (version, sql) in MIGRATIONS {
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
            sqlx::query("INSERT INTO outbox_schema (version, applied_at) VALUES (?, 0)")
                .bind(version)
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
                 VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            )
            .bind(&row.idempotency_key)
            .bind(&row.recipient)
            .bind(&row.message_type)
            .bind(&row.body)
            .bind(row.not_before)
            .bind(now)
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
                        "SELECT id FROM outbox_messages WHERE idempotency_key = ?",
                    )
                    .bind(&row.idempotency_key)
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
        let rows = sqlx::query(
            "UPDATE outbox_messages \
             SET claimed_by = ?1, lease_until = ?2, attempts = attempts + 1, updated_at = ?3 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'queued' AND not_before <= ?3 \
                   AND (claimed_by IS NULL OR lease_until < ?3) \
                 ORDER BY id LIMIT ?4) \
             RETURNING id, body, attempts",
        )
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
        sqlx::query("UPDATE outbox_messages SET lease_until = ? WHERE claimed_by = ?")
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
            "UPDATE outbox_messages SET state = 'dispatched', dispatched_at = ?, updated_at = ? \
             WHERE id = ? AND claimed_by = ? AND state IN ('queued', 'dispatched')",
        )
        .bind(now)
        .bind(now)
        .bind(id.0)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(db("marking a row dispatched"))?;
        if done.rows_affected() == 1 {
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
            "UPDATE outbox_messages SET state = 'queued', updated_at = ? \
             WHERE id = ? AND claimed_by = ? AND state = 'dispatched'",
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
            Settlement::Accepted { wamid } => (State::Accepted, Some(wamid.as_str()), None),
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
        // One statement, one commit. An acceptance a webhook recorded meanwhile is kept: it
        // is the better answer.
        sqlx::query(
            "UPDATE outbox_messages SET \
             state = CASE WHEN state = 'accepted' THEN state ELSE ?1 END, \
             wamid = CASE WHEN state = 'accepted' THEN COALESCE(wamid, ?2) \
                 ELSE COALESCE(?2, wamid) END, \
             error_code = CASE WHEN state = 'accepted' AND ?1 != 'accepted' THEN error_code \
                 ELSE COALESCE(?3, error_code) END, \
             error_title = CASE WHEN state = 'accepted' AND ?1 != 'accepted' THEN error_title \
                 ELSE COALESCE(?4, error_title) END, \
             error_detail = CASE WHEN state = 'accepted' AND ?1 != 'accepted' THEN error_detail \
                 ELSE COALESCE(?5, error_detail) END, \
             claimed_by = NULL, lease_until = NULL, updated_at = ?6 \
             WHERE id = ?7",
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
            "UPDATE outbox_messages SET claimed_by = NULL, lease_until = NULL, not_before = ? \
             WHERE id = ? AND claimed_by = ? AND state = 'queued'",
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
        let mut tx = self.begin().await?;
        let unknown = sqlx::query(
            "UPDATE outbox_messages SET state = 'unknown', claimed_by = NULL, lease_until = NULL, \
             error_title = 'outcome unknown', \
             error_detail = 'the process stopped after the request may have been written', \
             updated_at = ? \
             WHERE state = 'dispatched' AND (lease_until IS NULL OR lease_until < ?)",
        )
        .bind(now)
        .bind(expired_before)
        .execute(&mut *tx)
        .await
        .map_err(db("recovering dispatched rows"))?
        .rows_affected();
        let requeued = sqlx::query(
            "UPDATE outbox_messages SET claimed_by = NULL, lease_until = NULL, updated_at = ? \
             WHERE state = 'queued' AND claimed_by IS NOT NULL AND lease_until < ?",
        )
        .bind(now)
        .bind(expired_before)
        .execute(&mut *tx)
        .await
        .map_err(db("recovering claimed rows"))?
        .rows_affected();
        tx.commit().await.map_err(db("committing a recovery"))?;
        Ok(Recovered { requeued, unknown })
    }

    async fn fold_status(
        &self,
        update: &StatusUpdate,
        now: Millis,
    ) -> Result<Option<RowId>, StoreError> {
        let mut tx = self.begin().await?;
        let by_row = match update.row {
            Some(id) => sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id = ?"
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
                "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE wamid = ?"
            ))
            .bind(&update.wamid)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("finding a status's row"))?,
        };
        let Some(found) = found else {
            return Ok(None);
        };
        let row = read_row(&found)?;
        let folded = crate::ledger::fold(&row, update);
        sqlx::query(
            "UPDATE outbox_messages SET state = ?, wamid = ?, delivery = ?, \
             error_code = ?, error_title = ?, error_detail = ?, \
             sent_at = ?, delivered_at = ?, read_at = ?, failed_at = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(folded.state.as_str())
        .bind(&folded.wamid)
        .bind(folded.delivery.map(|delivery| delivery.as_str()))
        .bind(folded.error.as_ref().and_then(|error| error.code))
        .bind(folded.error.as_ref().and_then(|error| error.title.clone()))
        .bind(folded.error.as_ref().and_then(|error| error.detail.clone()))
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
            "UPDATE outbox_messages SET state = 'queued', not_before = ?, updated_at = ? \
             WHERE id = ? AND state = 'unknown'",
        )
        .bind(now)
        .bind(now)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(db("requeueing a row"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn get(&self, id: RowId) -> Result<Option<Row>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a row"))?;
        row.as_ref().map(read_row).transpose()
    }

    async fn find_by_key(&self, key: &str) -> Result<Option<Row>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE idempotency_key = ?"
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
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id > "
        ));
        query.push_bind(filter.after.map_or(0, |id| id.0));
        if !filter.states.is_empty() {
            query.push(" AND state IN (");
            let mut states = query.separated(", ");
            for state in &filter.states {
                states.push_bind(state.as_str());
            }
            query.push(")");
        }
        if let Some(delivery) = filter.delivery {
            query.push(" AND delivery = ").push_bind(delivery.as_str());
        }
        let limit = if filter.limit == 0 {
            u32::MAX
        } else {
            filter.limit
        };
        query
            .push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = query
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing rows"))?;
        rows.iter().map(read_row).collect()
    }
}
