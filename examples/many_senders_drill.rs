//! The many-senders drill of issue 12: several `bulk_send` processes drain one PostgreSQL
//! outbox, sharing one number's limits through Redis, against the embedded sandbox enforcing
//! that number's throughput (130429 above it). One worker is killed with SIGKILL part-way; later
//! the sandbox answers code 2 (an outage) for a while. Prints the rate, the 130429 answers, the
//! accepted, duplicate, lost and unknown rows, and the requests during the outage.
//!
//! ```text
//! cargo run --release --example many_senders_drill -- [--messages 20000] [--workers 4]
//!     [--rate 80] [--client-rate 78] [--burst 2] [--concurrency 8] [--lease-secs 10]
//!     [--kill-at 0.25] [--outage-at 0.5] [--outage-secs 60]
//! ```
//!
//! Needs PostgreSQL and Redis: `--postgres URL` and `--redis URL`, or `WACLOUD_TEST_POSTGRES_URL`
//! and `WACLOUD_TEST_REDIS_URL` (default `postgres://postgres@127.0.0.1:5432/test` and
//! `redis://127.0.0.1:6379`). A fresh schema and Redis namespace are used, and the schema is
//! dropped at the end. The workers are the `bulk_send` example beside the drill's executable
//! (under `cargo run`, built first; otherwise `cargo build --release --example bulk_send`).
//!
//! Exits non-zero when a row was lost or sent twice, a 130429 was answered, or a row was left
//! unsettled.

#[path = "../tests/many_senders_support/mod.rs"]
mod many_senders_support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use many_senders_support::Drill;

/// The many-senders drill (see the file's docs).
#[derive(Parser, Debug)]
#[command(about = "Worker processes drain one PostgreSQL outbox with limits shared in Redis")]
struct Args {
    /// Rows in the outbox.
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// Worker processes (`bulk_send`).
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// The number's throughput the sandbox enforces (130429 above it in a one-second window).
    #[arg(long, default_value_t = 80)]
    rate: u32,
    /// The workers' shared throughput limit (default: the rate less 2.5 %, see BENCHMARKS.md).
    #[arg(long)]
    client_rate: Option<u32>,
    /// The workers' throughput burst.
    #[arg(long, default_value_t = 2)]
    burst: u32,
    /// Sends in flight per worker.
    #[arg(long, default_value_t = 8)]
    concurrency: u16,
    /// The outbox lease, in seconds: how soon the killed worker's rows go to the others.
    #[arg(long, default_value_t = 10.0)]
    lease_secs: f64,
    /// Kill the first worker once this share of the messages was accepted.
    #[arg(long, default_value_t = 0.25)]
    kill_at: f64,
    /// Start the outage once this share of the messages was accepted.
    #[arg(long, default_value_t = 0.5)]
    outage_at: f64,
    /// How long the sandbox answers code 2, in seconds (0: no outage).
    #[arg(long, default_value_t = 60.0)]
    outage_secs: f64,
    /// The PostgreSQL server.
    #[arg(
        long,
        env = "WACLOUD_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres: String,
    /// The Redis server.
    #[arg(
        long,
        env = "WACLOUD_TEST_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    redis: String,
    /// Give up on the workers after this many seconds.
    #[arg(long, default_value_t = 3_600)]
    timeout_secs: u64,
}

/// The `bulk_send` example beside this executable. Under `cargo run` it is built first with
/// the cargo running us (a no-op when up to date); run directly, it must have been built.
fn bulk_send() -> Result<PathBuf, String> {
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut command = std::process::Command::new(cargo);
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--quiet",
            "--example",
            "bulk_send",
        ]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let output = command
            .output()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        if !output.status.success() {
            return Err(format!(
                "building bulk_send failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    let me = std::env::current_exe().map_err(|err| err.to_string())?;
    let path = me
        .parent()
        .ok_or("the drill has no directory")?
        .join(format!("bulk_send{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: cargo build --release --example bulk_send",
            path.display()
        ))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let valid = args.messages > 0
        && args.workers > 0
        && args.rate > 0
        && (0.0..=1.0).contains(&args.kill_at)
        && (0.0..=1.0).contains(&args.outage_at)
        && args.outage_secs.is_finite()
        && args.outage_secs >= 0.0
        && args.lease_secs.is_finite()
        && args.lease_secs >= 0.1;
    if !valid {
        eprintln!(
            "--messages, --workers and --rate must be positive, --kill-at and --outage-at in \
             [0, 1], --outage-secs not negative, --lease-secs at least 0.1"
        );
        return ExitCode::from(2);
    }
    let bulk_send = match bulk_send() {
        Ok(path) => path,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("cannot make a temporary directory: {err}");
            return ExitCode::FAILURE;
        }
    };
    let drill = Drill {
        messages: args.messages,
        workers: args.workers,
        sandbox_rate: args.rate,
        client_rate: args
            .client_rate
            .unwrap_or_else(|| (f64::from(args.rate) * 0.975).floor().max(1.0) as u32),
        client_burst: args.burst.max(1),
        concurrency: args.concurrency.max(1),
        lease: Duration::from_secs_f64(args.lease_secs),
        kill_at: args.kill_at,
        outage_at: args.outage_at,
        outage: Duration::from_secs_f64(args.outage_secs),
        postgres: args.postgres,
        redis: args.redis,
        bulk_send,
        dir: dir.path().to_owned(),
        timeout: Duration::from_secs(args.timeout_secs),
    };
    println!(
        "many senders drill: {} messages, {} workers, sandbox at {}/s ...",
        drill.messages, drill.workers, drill.sandbox_rate
    );
    match many_senders_support::run(drill).await {
        Ok(report) => {
            println!("{report}");
            let ok = report.lost == 0
                && report.duplicates == 0
                && report.throttled == 0
                && report.unsettled == 0
                && report.wamid_mismatches == 0;
            if ok {
                ExitCode::SUCCESS
            } else {
                for (i, worker) in report.workers.iter().enumerate() {
                    eprintln!("--- worker {} stderr (tail)\n{}", i + 1, worker.stderr_tail);
                }
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("many senders drill failed: {error}");
            ExitCode::FAILURE
        }
    }
}
