//! The outage drill: sends started while the sandbox answers code 2 for a compressed 5-minute
//! window, then recovers. Every send ends delivered exactly once, the server sees about one
//! request per send, memory stays bounded, and the backlog drains at the configured rate.
//! The full 10,000-send drill also runs as `cargo run --release --example outage_drill`.

mod drill_support;

use std::sync::Arc;
use std::time::Duration;

use drill_support::{run, Drill, Mode, Report};

/// The drills measure the whole process's RSS: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// 64 MiB, the drill's memory goal for the whole process.
const MEMORY_GOAL_KIB: u64 = 64 * 1024;

fn assert_delivered_exactly_once(report: &Report) {
    let sends = report.drill.sends;
    assert_eq!(report.failed, 0, "{report}");
    assert_eq!(report.delivered, sends, "{report}");
    assert_eq!(report.accepted, sends, "{report}");
    assert_eq!(report.distinct_accepted, sends, "{report}");
    assert_eq!(report.duplicates, 0, "{report}");
}

/// The invariants that hold at any time compression: every send delivered exactly once, none
/// lost, none given up, and after the recovery every request the server sees is an acceptance
/// (no send is repeated once the API is back). During the outage each send makes at most the
/// one attempt it had in flight when the first code 2 came back, plus the gate's probes.
fn assert_outage_invariants(report: &Report) {
    assert_delivered_exactly_once(report);
    assert_eq!(report.gave_up, 0, "{report}");
    let after = report.requests - report.requests_during_outage;
    assert_eq!(after, report.drill.sends, "{report}");
    assert!(
        report.requests_during_outage <= report.drill.sends + report.probes + 1,
        "{report}"
    );
}

/// 1,000 sends into a 5-minute code-2 outage compressed 100 times (3 s of real time).
///
/// What a compressed run cannot show: at 100x the configured 80/s is 8,000 sends per real
/// second, and a loopback round trip of a real millisecond is 100 ms of clock time. So the
/// sends that leave before the first code 2 comes back, and the drain rate (bounded by what a
/// debug build on 2 cores can push through), say more about the test machine than about the
/// client: those goals are measured by `examples/outage_drill.rs` at `--scale 10` and in real
/// time (see BENCHMARKS.md), and only printed here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sends_ride_out_a_compressed_five_minute_outage() {
    let _one = ONE_AT_A_TIME.lock().await;
    let report = run(Drill {
        sends: 1_000,
        outage: Duration::from_secs(300),
        scale: 100.0,
        ..Drill::default()
    })
    .await
    .expect("the drill runs");
    println!("{report}");
    assert_outage_invariants(&report);
    // The backlog was released by a probe, within one probe interval (5 s + 20 % jitter) and
    // the real latency of the first requests after the recovery (large at 100x in debug).
    let lag = report.detection_lag.expect("acceptances after recovery");
    assert!(lag <= Duration::from_secs(60), "{report}");
}

/// The full drill: 10,000 sends, every goal asserted except where noted. Minutes in a debug
/// build; run it with `cargo test --release --test outage_drill -- --ignored --nocapture` (or
/// the example, which prints the same report).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "10,000 sends: run in release (see the doc comment)"]
async fn ten_thousand_sends_ride_out_a_five_minute_outage() {
    let _one = ONE_AT_A_TIME.lock().await;
    let report = run(Drill {
        sends: 10_000,
        outage: Duration::from_secs(300),
        scale: 10.0,
        ..Drill::default()
    })
    .await
    .expect("the drill runs");
    println!("{report}");
    assert_outage_invariants(&report);
    assert!(report.requests <= 10_000 + 100, "{report}");
    let drain = report.drain_ratio_from_first().expect("a drain");
    assert!(drain >= 0.95, "{report}");
    // Not asserted: the 64 MiB memory goal (not met: see BENCHMARKS.md). The drain rate from
    // the sandbox's recovery (which includes up to one probe interval of lag) is printed.
    if report.peak_rss_kib > MEMORY_GOAL_KIB {
        println!(
            "peak RSS {} KiB is over the {} KiB goal",
            report.peak_rss_kib, MEMORY_GOAL_KIB
        );
    }
}

/// The comparison: a plain reqwest-middleware client with reqwest-retry's
/// `RetryTransientMiddleware` and `ExponentialBackoff` (3 retries, as its README builds it),
/// its waits compressed by the same factor as the outage. It gives up within seconds of a
/// 5-minute outage: every send fails after 4 requests, and nothing is delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_naive_retry_client_gives_up_on_the_same_outage() {
    let _one = ONE_AT_A_TIME.lock().await;
    let report = run(Drill {
        sends: 200,
        outage: Duration::from_secs(300),
        scale: 100.0,
        mode: Mode::Naive { max_retries: 3 },
        ..Drill::default()
    })
    .await
    .expect("the drill runs");
    println!("{report}");
    assert_eq!(report.delivered, 0, "{report}");
    assert_eq!(report.failed, 200, "{report}");
    assert_eq!(report.requests, 4 * 200, "{report}");
    assert_eq!(report.duplicates, 0, "{report}");
}

/// A clock that counts the sleeps asked of it (each is a waiter's wake-up).
#[derive(Debug, Default)]
struct CountingClock {
    sleeps: std::sync::atomic::AtomicUsize,
}

impl wacloud::time::Clock for CountingClock {
    fn now(&self) -> wacloud::time::Instant {
        tokio::time::Instant::now()
    }

    fn sleep(&self, duration: Duration) -> wacloud::time::Sleep {
        self.sleeps
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Answers 200 without any socket.
struct Stub;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Stub {
    async fn handle(
        &self,
        _req: reqwest::Request,
        _extensions: &mut http::Extensions,
        _next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let answer = http::Response::builder()
            .status(200)
            .body("{}")
            .expect("a valid response");
        Ok(reqwest::Response::from(answer))
    }
}

/// After an outage the whole backlog waits for throughput permits at once. Each permit must
/// wake about one waiter, not all of them: otherwise a backlog of N costs N²/2 wake-ups and the
/// drain falls behind the configured rate on a busy machine.
#[tokio::test(start_paused = true)]
async fn a_backlog_of_sends_wakes_one_waiter_per_permit() {
    use std::sync::atomic::Ordering;
    use wacloud::layers::facts::{Operation, RequestFacts};
    use wacloud::layers::rate_limit::{RateLimitLayer, RateLimits};

    let clock = Arc::new(CountingClock::default());
    let layer = RateLimitLayer::new(RateLimits::default().no_pair(), clock.clone());
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(layer)
        .with(Stub)
        .build();
    let sends = 2_000;
    let start = tokio::time::Instant::now();
    let calls = (0..sends).map(|_| {
        http.post("http://127.0.0.1:9/v26.0/1/messages")
            .body("{}")
            .with_extension(RequestFacts::new(Operation::Send, "1"))
            .send()
    });
    for result in futures_util::future::join_all(calls).await {
        assert!(result.is_ok(), "{result:?}");
    }
    let took = start.elapsed();
    let sleeps = clock.sleeps.load(Ordering::Relaxed);
    println!("{sends} backlogged sends at 80/s: {took:?} (virtual), {sleeps} clock sleeps");
    // 80 go at once, the rest one permit every 12.5 ms.
    assert!(took >= Duration::from_millis(24_000), "{took:?}");
    assert!(took <= Duration::from_millis(25_000), "{took:?}");
    assert!(sleeps <= 3 * sends, "{sleeps} sleeps for {sends} sends");
}
