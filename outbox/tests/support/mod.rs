//! The stores the tests run against: SQLite always, PostgreSQL when
//! `WACLOUD_TEST_POSTGRES_URL` names a server. Each PostgreSQL test gets its own schema, so
//! tests run in parallel on one database without seeing each other's rows.

#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Connection as _;
use wacloud_outbox::{Durability, PostgresStore, SqliteStore, Store};

/// The variable naming the test server.
pub const POSTGRES_URL_VAR: &str = "WACLOUD_TEST_POSTGRES_URL";

/// Where a test's store lives; `open` may be called again to reopen the same data.
pub enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite {
        dir: tempfile::TempDir,
        path: PathBuf,
    },
    /// A fresh schema on the PostgreSQL test server.
    Postgres(PgSchema),
}

impl Backend {
    /// "sqlite" or "postgres", for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Opens (and migrates) the store.
    pub async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite { path, .. } => Arc::new(
                SqliteStore::open(path, Durability::Process)
                    .await
                    .expect("the SQLite store opens"),
            ),
            Backend::Postgres(schema) => Arc::new(schema.store().await),
        }
    }

    /// Removes what the test left (the PostgreSQL schema; the temp dir goes by itself).
    pub async fn finish(self) {
        match self {
            Backend::Sqlite { dir, .. } => drop(dir),
            Backend::Postgres(schema) => schema.drop_schema().await,
        }
    }
}

/// A SQLite backend in a fresh temporary directory.
pub fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("outbox.db");
    Backend::Sqlite { dir, path }
}

/// Runs `case` against SQLite, then against PostgreSQL when the test server is configured
/// (saying so on stderr when it is not).
pub async fn each_store<F, Fut>(test: &str, case: F)
where
    F: Fn(Arc<Backend>) -> Fut,
    Fut: Future<Output = ()>,
{
    let backend = Arc::new(sqlite());
    case(Arc::clone(&backend)).await;
    finish(backend).await;
    match PgSchema::create(test).await {
        Some(schema) => {
            let backend = Arc::new(Backend::Postgres(schema));
            case(Arc::clone(&backend)).await;
            finish(backend).await;
        }
        None => eprintln!("{test}: PostgreSQL variant skipped ({POSTGRES_URL_VAR} is not set)"),
    }
}

async fn finish(backend: Arc<Backend>) {
    if let Ok(backend) = Arc::try_unwrap(backend) {
        backend.finish().await;
    }
}

/// A schema of its own on the test server, dropped by [`PgSchema::drop_schema`].
pub struct PgSchema {
    url: String,
    name: String,
}

impl PgSchema {
    /// A new, empty schema named after the test; `None` without a test server.
    pub async fn create(test: &str) -> Option<PgSchema> {
        let url = std::env::var(POSTGRES_URL_VAR).ok()?;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let tag: String = test
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(24)
            .collect();
        let name = format!(
            "t_{tag}_{}_{nanos}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        )
        .to_ascii_lowercase();
        let schema = PgSchema { url, name };
        schema
            .admin(&format!("CREATE SCHEMA \"{}\"", schema.name))
            .await;
        Some(schema)
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection options that put every statement in this schema.
    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::from_str(&self.url)
            .expect("a PostgreSQL URL")
            .options([("search_path", self.name.as_str())])
    }

    /// A store on this schema (migrated), with a small pool.
    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect_with(PgPoolOptions::new().max_connections(4), self.options())
            .await
            .expect("the PostgreSQL store opens")
    }

    /// Drops the schema and everything in it.
    pub async fn drop_schema(self) {
        self.admin(&format!("DROP SCHEMA \"{}\" CASCADE", self.name))
            .await;
    }

    async fn admin(&self, statement: &str) {
        let options = PgConnectOptions::from_str(&self.url).expect("a PostgreSQL URL");
        let mut connection = sqlx::PgConnection::connect_with(&options)
            .await
            .expect("the PostgreSQL test server answers");
        sqlx::query(statement)
            .execute(&mut connection)
            .await
            .expect("a schema statement");
        connection.close().await.expect("closing");
    }
}

/// How much faster than real time the sandbox tests' clients run (outages, backoffs, leases).
pub const SCALE: f64 = 1_000.0;

/// A client of `sandbox` with the default layers, its clock [`SCALE`] times faster.
pub fn sandbox_client(sandbox: &wacloud_sandbox::SandboxHandle) -> wacloud::Client {
    let config = sandbox.config();
    wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .clock(Arc::new(wacloud::time::ScaledClock::new(SCALE)))
        .build()
        .expect("a client")
}

/// The `n`th of distinct valid US numbers.
pub fn number(n: usize) -> String {
    format!("+1650555{:04}", 1000 + n)
}
