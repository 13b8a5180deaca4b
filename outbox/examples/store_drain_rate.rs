//! The drain rate of one worker on each store, side by side (a script for BENCHMARKS.md, not a
//! timed test). The same rows go to an in-process sandbox through the client, once from a
//! SQLite file and once from PostgreSQL; the client's clock is scaled so that its rate limits
//! (80/s) do not decide the figure. Run in release:
//!
//! ```text
//! cargo run --release -p wacloud-outbox --example store_drain_rate -- postgres://postgres@127.0.0.1:5432/test
//! ```
//! The PostgreSQL run uses a schema of its own (created, then dropped).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Connection as _;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud_outbox::{Durability, Outbox, OutboxConfig, PostgresStore, Store, WorkerConfig};
use wacloud_sandbox::{Sandbox, SandboxConfig};

const ROWS: usize = 5_000;
const CONCURRENCY: usize = 16;

fn message(n: usize) -> OutgoingMessage {
    OutgoingMessage::new(
        format!("+1650555{:04}", n % 10_000),
        Text::new(format!("row {n}")),
    )
}

async fn drain(label: &str, store: Arc<dyn Store>, client: &wacloud::Client) {
    let outbox = Outbox::with_shared_store(store, OutboxConfig::default());
    outbox.enqueue_many((0..ROWS).map(message)).await.unwrap();
    let worker = outbox.worker(
        client.clone(),
        WorkerConfig {
            concurrency: CONCURRENCY,
            ..WorkerConfig::default()
        },
    );
    let start = Instant::now();
    let report = worker.drain().await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(report.accepted, ROWS as u64);
    println!(
        "{label}: one worker, concurrency {CONCURRENCY}, {ROWS} rows drained in {:.2} s: {:.0} rows/s",
        elapsed.as_secs_f64(),
        ROWS as f64 / elapsed.as_secs_f64()
    );
}

async fn admin(url: &str, statement: &str) {
    let options = PgConnectOptions::from_str(url).unwrap();
    let mut connection = sqlx::PgConnection::connect_with(&options).await.unwrap();
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: store_drain_rate POSTGRES_URL");
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let config = sandbox.config();
    let client = wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .clock(Arc::new(ScaledClock::new(1_000.0)))
        .build()
        .unwrap();
    client.send(message(0)).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    for (durability, label) in [(Durability::Full, "full"), (Durability::Process, "process")] {
        let store =
            wacloud_outbox::SqliteStore::open(dir.path().join(format!("{label}.db")), durability)
                .await
                .unwrap();
        drain(
            &format!("SQLite ({label} durability)"),
            Arc::new(store),
            &client,
        )
        .await;
    }

    let schema = format!("drain_rate_{}", std::process::id());
    admin(&url, &format!("CREATE SCHEMA {schema}")).await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = PostgresStore::connect_with(PgPoolOptions::new().max_connections(10), options)
        .await
        .unwrap();
    drain("PostgreSQL (loopback)", Arc::new(store.clone()), &client).await;
    store.pool().close().await;
    admin(&url, &format!("DROP SCHEMA {schema} CASCADE")).await;
}
