//! The outbox's figures for BENCHMARKS.md (a script, not a timed test). Run in release:
//!
//! ```text
//! cargo run --release -p wacloud-outbox --example outbox_figures -- enqueue
//! cargo run --release -p wacloud-outbox --example outbox_figures -- overhead
//! cargo build --release -p wacloud-sandbox
//! cargo run --release -p wacloud-outbox --example outbox_figures -- outage target/release/wacloud-sandbox
//! ```
//! - `enqueue`: rows per second of single durable enqueues (each its own transaction, synced:
//!   `Durability::Full`, and crash-durable only: `Durability::Process`), and of one
//!   `enqueue_many` of 100,000 rows.
//! - `overhead`: the same 2,000 sends to an in-process sandbox, directly with the client and
//!   through the outbox (enqueue + drain), as a time ratio in one run.
//! - `outage`: 10,000 sends through a code-2 outage of Meta's 5 minutes compressed 100 times
//!   (3 s real; the client's clock runs 100 times faster) with the sandbox binary in another
//!   process; prints the peak RSS of this process (`VmHWM`) and the sandbox's acceptance count
//!   as seen by this process (every row accepted once).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud_outbox::{Durability, Outbox, OutboxConfig, SqliteStore, WorkerConfig};
use wacloud_sandbox::{Sandbox, SandboxConfig};

fn message(n: usize) -> OutgoingMessage {
    OutgoingMessage::new(
        format!("+1650555{:04}", n % 10_000),
        Text::new(format!("row {n}")),
    )
}

async fn file_outbox(dir: &tempfile::TempDir, name: &str, durability: Durability) -> Outbox {
    let store = SqliteStore::open(dir.path().join(name), durability)
        .await
        .unwrap();
    Outbox::new(store, OutboxConfig::default())
}

async fn enqueue() {
    let dir = tempfile::tempdir().unwrap();
    for (durability, label) in [(Durability::Full, "full"), (Durability::Process, "process")] {
        let outbox = file_outbox(&dir, &format!("single-{label}.db"), durability).await;
        let n = 2_000;
        let start = Instant::now();
        for i in 0..n {
            outbox.enqueue(message(i)).await.unwrap();
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("enqueue single ({label} durability): {rate:.0} rows/s over {n} rows");
    }
    let outbox = file_outbox(&dir, "many.db", Durability::Full).await;
    let n = 100_000;
    let start = Instant::now();
    outbox.enqueue_many((0..n).map(message)).await.unwrap();
    let elapsed = start.elapsed();
    println!(
        "enqueue_many of {n}: {:.0} rows/s ({:.2} s, one transaction)",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}

fn client(base_url: &str, scale: f64) -> wacloud::Client {
    wacloud::Client::builder()
        .access_token("sandbox-token")
        .phone_number_id("100000000000001")
        .base_url(base_url)
        .clock(Arc::new(ScaledClock::new(scale)))
        .build()
        .unwrap()
}

async fn overhead() {
    let n = 2_000;
    let concurrency = 16;
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // The clock is scaled so that the client's rate limits (80/s) do not decide the figure.
    let client = client(sandbox.base_url(), 1_000.0);
    client.send(message(0)).await.unwrap();

    let start = Instant::now();
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let permit = Arc::clone(&semaphore).acquire_owned().await.unwrap();
        let client = client.clone();
        tasks.spawn(async move {
            client.send(message(i)).await.unwrap();
            drop(permit);
        });
    }
    while tasks.join_next().await.is_some() {}
    let direct = start.elapsed();

    let dir = tempfile::tempdir().unwrap();
    for (durability, label) in [(Durability::Full, "full"), (Durability::Process, "process")] {
        let outbox = file_outbox(&dir, &format!("overhead-{label}.db"), durability).await;
        let start = Instant::now();
        outbox.enqueue_many((0..n).map(message)).await.unwrap();
        let report = outbox
            .worker(
                client.clone(),
                WorkerConfig {
                    concurrency,
                    ..WorkerConfig::default()
                },
            )
            .drain()
            .await
            .unwrap();
        let through = start.elapsed();
        assert_eq!(report.accepted, n as u64);
        println!(
            "drain overhead: {n} sends, concurrency {concurrency}: direct {:.2} s, through the outbox {:.2} s ({label} durability), ratio {:.2}",
            direct.as_secs_f64(),
            through.as_secs_f64(),
            through.as_secs_f64() / direct.as_secs_f64()
        );
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn outage(sandbox_binary: &str) {
    let n = 10_000;
    let mut sandbox = Command::new(sandbox_binary)
        .args(["--outage-secs", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox binary starts");
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let base_url = loop {
        let line = lines
            .next()
            .expect("the sandbox prints its address")
            .unwrap();
        if let Some(url) = line.strip_prefix("wacloud-sandbox listening on ") {
            break url.trim().to_owned();
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let outbox = file_outbox(&dir, "outage.db", Durability::Full).await;
    outbox.enqueue_many((0..n).map(message)).await.unwrap();
    let rss_before = peak_rss_kib();
    let start = Instant::now();
    let report = outbox
        .worker(
            client(&base_url, 100.0),
            WorkerConfig {
                concurrency: 64,
                retry_delay: Duration::from_millis(50),
                ..WorkerConfig::default()
            },
        )
        .drain()
        .await
        .unwrap();
    let mut accepted = report.accepted;
    // Rows the retry layer gave up on come back after `retry_delay`.
    while outbox.counts().await.unwrap().queued > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        accepted += outbox
            .worker(client(&base_url, 100.0), WorkerConfig::default())
            .drain()
            .await
            .unwrap()
            .accepted;
    }
    let counts = outbox.counts().await.unwrap();
    let _ = sandbox.kill();
    let _ = sandbox.wait();
    println!(
        "outage: {n} sends through a 5-minute code-2 outage (compressed 100x, sandbox in another process): \
         {:.1} s, accepted {accepted} (outbox: {counts:?}), peak RSS {:.1} MiB (after enqueue, before draining: {:.1} MiB)",
        start.elapsed().as_secs_f64(),
        peak_rss_kib() as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("enqueue") => enqueue().await,
        Some("overhead") => overhead().await,
        Some("outage") => outage(args.get(1).expect("the sandbox binary's path")).await,
        _ => eprintln!("usage: outbox_figures enqueue | overhead | outage SANDBOX_BINARY"),
    }
}
