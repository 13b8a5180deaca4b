//! The outage drill: N sends started while the embedded sandbox answers code 2 (Meta's "API
//! Service" error, up to 5 minutes of downtime during an API update), then recovers.
//!
//! ```text
//! cargo run --release --example outage_drill -- [--sends 10000] [--outage-secs 300] [--scale 1]
//!     [--throughput 80] [--burst N] [--probe-cap-secs 5] [--naive] [--naive-retries 3]
//! ```
//!
//! `--scale F` runs the client's clock F times faster and shortens the sandbox's outage window
//! by the same factor (`--scale 10`: the 5 minutes take 30 s). `--naive` replaces the wacloud
//! client with a plain `reqwest_middleware` client using reqwest-retry's
//! `RetryTransientMiddleware` and `ExponentialBackoff` (`--naive-retries`, 3 as in its README;
//! its waits are divided by the scale too). Prints requests, accepted, duplicates, peak RSS,
//! drain rate and elapsed time; exits non-zero when a send was lost or duplicated.

#[path = "../tests/drill_support/mod.rs"]
mod drill_support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use drill_support::{Drill, Mode};

/// The outage drill (see the file's docs).
#[derive(Parser, Debug)]
#[command(about = "Sends started into a code-2 outage on the embedded sandbox")]
struct Args {
    /// How many sends to start.
    #[arg(long, default_value_t = 10_000)]
    sends: usize,
    /// How long the sandbox answers code 2, in seconds of clock time.
    #[arg(long, default_value_t = 300.0)]
    outage_secs: f64,
    /// Clock speed-up (1 = real time).
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// The client's throughput limit in sends per second (Meta's default: 80).
    #[arg(long, default_value_t = 80)]
    throughput: u32,
    /// The throughput burst (default: one second's worth).
    #[arg(long)]
    burst: Option<u32>,
    /// The longest wait between two outage probes, in seconds (default 30).
    #[arg(long)]
    probe_cap_secs: Option<f64>,
    /// Use a plain reqwest-retry client instead of wacloud.
    #[arg(long)]
    naive: bool,
    /// Retries of the naive client's ExponentialBackoff.
    #[arg(long, default_value_t = 3)]
    naive_retries: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let valid = args.scale.is_finite()
        && args.scale >= 1.0
        && args.outage_secs.is_finite()
        && args.outage_secs >= 0.0;
    if !valid {
        eprintln!("--scale must be at least 1 and --outage-secs not negative");
        return ExitCode::from(2);
    }
    let drill = Drill {
        sends: args.sends,
        outage: Duration::from_secs_f64(args.outage_secs),
        scale: args.scale,
        throughput: args.throughput,
        burst: args.burst,
        probe_cap: args
            .probe_cap_secs
            .filter(|secs| secs.is_finite() && *secs > 0.0)
            .map(Duration::from_secs_f64),
        mode: if args.naive {
            Mode::Naive {
                max_retries: args.naive_retries,
            }
        } else {
            Mode::Sdk
        },
    };
    println!(
        "outage drill: {} sends into a {} s code-2 outage (clock x{}) ...",
        drill.sends, args.outage_secs, drill.scale
    );
    match drill_support::run(drill).await {
        Ok(report) => {
            println!("{report}");
            let lost = report.drill.sends - report.distinct_accepted.min(report.drill.sends);
            println!("lost:              {lost}");
            if lost == 0 && report.duplicates == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("outage drill failed: {error}");
            ExitCode::FAILURE
        }
    }
}
