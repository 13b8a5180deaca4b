//! The PostgreSQL store: one outbox that any number of workers, on any number of machines,
//! drain together.
//!
//! Workers never coordinate with each other, only through rows. `claim` takes rows in one
//! statement with `FOR UPDATE SKIP LOCKED`, so two workers claiming at once get disjoint rows
//! without waiting on each other, and stamps them with a lease (`claimed_by`, `lease_until`).
//! A worker that dies stops renewing; once its leases lapse, the next worker's `recover` queues
//! its waiting rows again and turns its `dispatched` rows `unknown`, exactly as SQLite does
//! after a crash. Times are the outbox's clock (passed in), never the server's.

use std::str::FromStr;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, QueryBuilder, Row as _, Transaction};

use super::Store;
use crate::error::StoreError;
use crate::model::{
    parse_delivery, Claimed, Counts, Enqueued, ErrorInfo, ListFilter, Millis, NewRow, Recovered,
    Row, RowId, Settlement, State, StatusUpdate,
};

/// The versioned migrations, in order: each runs once and is recorded in `outbox_schema`.
const MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../../migrations/postgres/0001_outbox.sql"))];

/// The advisory lock every migrating worker takes first, so that workers starting together
/// migrate one after the other (the second finds the work done). "wacloud" in ASCII.
const MIGRATION_LOCK: i64 = 0x0077_6163_6c6f_7564;

/// The PostgreSQL store. Cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:5432/db`) with a pool of up to 10
    /// connections, and migrates. The URL's `options=-c search_path=...` picks a schema.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(db("parsing the URL"))?;
        Self::connect_with(PgPoolOptions::new().max_connections(10), options).await
    }

    /// Connects with explicit pool and connection options (a schema through
    /// [`PgConnectOptions::options`], a pool size), and migrates.
    pub async fn connect_with(
        pool: PgPoolOptions,
        options: PgConnectOptions,
    ) -> Result<Self, StoreError> {
        let pool = pool.connect_with(options).await.map_err(db("connecting"))?;
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// The pool, for callers that share it or close it.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(db("beginning a transaction"))
    }
}

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |err| StoreError::new(context, err)
}

const ROW_COLUMNS: &str = "id, idempotency_key, recipient, message_type, state, delivery, \
    not_before, created_at, updated_at, attempts, dispatched_at, wamid, error_code, error_title, \
    error_detail, sent_at, delivered_at, read_at, failed_at";

fn read_row(row: &PgRow) -> Result<Row, StoreError> {
    fn get<'r, T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>>(
        row: &'r PgRow,
        name: &str,
    ) -> Result<T, StoreError> {
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
impl Store for PostgresStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        // Held until commit: a second worker waits here, then sees the recorded versions.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db("taking the migration lock"))?;
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
            sqlx::query(
                "INSERT INTO outbox_schema (version, applied_at) \
                 VALUES ($1, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT)",
            )
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
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            )
            .bind(&row.idempotency_key)
            .bind(&row.recipient)
            .bind(&row.message_type)
            .bind(&row.body)
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
        // One statement: the inner SELECT locks the oldest free rows, skipping rows another
        // worker is claiming this instant, and the UPDATE leases exactly those.
        let rows = sqlx::query(
            "UPDATE outbox_messages \
             SET claimed_by = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'queued' AND not_before <= $3 \
                   AND (claimed_by IS NULL OR lease_until < $3) \
                 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) \
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
        // One statement, one commit, as in SQLite: the lease always goes; an acceptance a
        // webhook recorded meanwhile is kept, it is the better answer.
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
        // SKIP LOCKED here too: workers starting together all recover, and a row another one
        // is recovering (or settling) right now is left to it instead of waited for, so two
        // recoveries never wait on each other or deadlock.
        let mut tx = self.begin().await?;
        let unknown = sqlx::query(
            "UPDATE outbox_messages SET state = 'unknown', claimed_by = NULL, lease_until = NULL, \
             error_title = 'outcome unknown', \
             error_detail = 'the process stopped after the request may have been written', \
             updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'dispatched' AND (lease_until IS NULL OR lease_until < $2) \
                 FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .bind(expired_before)
        .execute(&mut *tx)
        .await
        .map_err(db("recovering dispatched rows"))?
        .rows_affected();
        let requeued = sqlx::query(
            "UPDATE outbox_messages SET claimed_by = NULL, lease_until = NULL, updated_at = $1 \
             WHERE id IN (SELECT id FROM outbox_messages \
                 WHERE state = 'queued' AND claimed_by IS NOT NULL AND lease_until < $2 \
                 FOR UPDATE SKIP LOCKED)",
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
        // FOR UPDATE: two webhooks for one row (sent, delivered) fold one after the other,
        // not over each other, when several receivers share the outbox.
        let by_row = match update.row {
            Some(id) => sqlx::query(&format!(
                "SELECT {ROW_COLUMNS} FROM outbox_messages WHERE id = $1 FOR UPDATE"
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
                 ORDER BY id LIMIT 1 FOR UPDATE"
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
            "UPDATE outbox_messages SET state = $1, wamid = $2, delivery = $3, \
             error_code = $4, error_title = $5, error_detail = $6, \
             sent_at = $7, delivered_at = $8, read_at = $9, failed_at = $10, updated_at = $11 \
             WHERE id = $12",
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
            "UPDATE outbox_messages SET state = 'queued', not_before = $1, updated_at = $1 \
             WHERE id = $2 AND state = 'unknown'",
        )
        .bind(now)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(db("requeueing a row"))?;
        Ok(done.rows_affected() == 1)
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
        let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!(
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
        if filter.limit > 0 {
            query
                .push(" ORDER BY id LIMIT ")
                .push_bind(i64::from(filter.limit));
        } else {
            query.push(" ORDER BY id");
        }
        let rows = query
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db("listing rows"))?;
        rows.iter().map(read_row).collect()
    }
}
