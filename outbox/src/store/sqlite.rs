//! The default store: one SQLite file in WAL mode, through sqlx.
//!
//! One connection does everything. SQLite lets one writer in at a time anyway, and a single
//! connection rules out `SQLITE_BUSY` when a read transaction upgrades to a write; WAL keeps
//! commits cheap (an append, not a rewrite of pages). The statements are the ones every engine
//! runs ([`super::sql`]).

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Sqlite;

use super::sql::SqlStore;
use super::Store;
use crate::error::StoreError;

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
pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
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
        let store = SqlStore { pool };
        store.migrate().await?;
        Ok(store)
    }
}
