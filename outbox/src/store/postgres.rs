//! The PostgreSQL store: one outbox that any number of workers, on any number of machines,
//! drain together.
//!
//! Workers never coordinate with each other, only through rows. `claim` takes rows in one
//! statement with `FOR UPDATE SKIP LOCKED`, so two workers claiming at once get disjoint rows
//! without waiting on each other, and stamps them with a lease (`claimed_by`, `lease_until`).
//! A worker that dies stops renewing; once its leases lapse, the next worker's `recover` queues
//! its waiting rows again and turns its `dispatched` rows `unknown`, exactly as SQLite does
//! after a crash. Times are the outbox's clock (passed in), never the server's. The statements
//! are the ones every engine runs ([`super::sql`]), with PostgreSQL's row locks.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Postgres;

use super::sql::{db, SqlStore};
use super::Store;
use crate::error::StoreError;

/// The PostgreSQL store. Cheap to clone (a connection pool).
pub type PostgresStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
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
        let store = SqlStore { pool };
        store.migrate().await?;
        Ok(store)
    }
}
