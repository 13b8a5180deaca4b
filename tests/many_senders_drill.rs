//! The many-senders drill of issue 12 at a small scale: four `bulk_send` processes drain one
//! PostgreSQL outbox with the number's limits shared in Redis, against the sandbox enforcing the
//! throughput (130429 above it); one worker is SIGKILLed once a quarter of the rows was
//! accepted, and the sandbox answers code 2 for a few seconds once half was. Every row is
//! accepted once (the killed worker's rows by the others, after its lease), none twice, no
//! 130429, and the outage sees about one probe stream, not one per worker.
//!
//! The phases are triggered by the sandbox's progress, not by timers; the test's own waits are
//! 10 ms polls while the workers run. Needs `WACLOUD_TEST_POSTGRES_URL` and
//! `WACLOUD_TEST_REDIS_URL` (`.ci/run` sets both); without them the test says it was skipped.
//! The full-size drill is `examples/many_senders_drill.rs` (BENCHMARKS.md).

mod example_support;
mod many_senders_support;

use std::time::Duration;

use example_support::services;
use many_senders_support::{single_worker_probes, Drill};

const MESSAGES: usize = 400;
const WORKERS: usize = 4;
const OUTAGE: Duration = Duration::from_secs(8);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_one_killed_share_the_rate_and_one_probe_stream_and_lose_nothing() {
    let Some((postgres, redis)) = services() else {
        eprintln!("skipped: set WACLOUD_TEST_POSTGRES_URL and WACLOUD_TEST_REDIS_URL to run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let drill = Drill {
        messages: MESSAGES,
        workers: WORKERS,
        sandbox_rate: 200,
        // Well under the sandbox's 200 per one-second window, with a burst of 2: at most 152
        // sends in any second, whatever the machine's scheduling jitter.
        client_rate: 150,
        client_burst: 2,
        concurrency: 8,
        lease: Duration::from_secs(3),
        kill_at: 0.25,
        outage_at: 0.5,
        outage: OUTAGE,
        postgres,
        redis,
        bulk_send: example_support::example("bulk_send"),
        dir: dir.path().to_owned(),
        timeout: Duration::from_secs(120),
    };
    let report = many_senders_support::run(drill).await.unwrap();
    let workers: Vec<String> = report.workers.iter().map(|w| format!("{w:?}")).collect();
    let context = format!("{report}\n{}", workers.join("\n"));
    eprintln!("{report}");

    // Nothing lost, nothing twice, nothing refused, every row settled.
    assert_eq!(report.rows, MESSAGES as u64, "{context}");
    assert_eq!(report.lost, 0, "{context}");
    assert_eq!(report.duplicates, 0, "{context}");
    assert_eq!(report.unsettled, 0, "{context}");
    assert_eq!(report.rejected, 0, "{context}");
    assert_eq!(report.wamid_mismatches, 0, "{context}");
    assert_eq!(
        report.distinct_accepted + report.unknowns.not_accepted,
        MESSAGES,
        "{context}"
    );
    // The shared limit kept every second within the sandbox's window: no 130429.
    assert_eq!(report.throttled, 0, "{context}");
    assert!(report.max_per_second <= 200, "{context}");

    // The first worker was killed mid-run; the three others finished, its rows included.
    assert!(report.killed_at.is_some(), "{context}");
    assert!(report.workers[0].killed, "{context}");
    assert!(report.workers[0].summary.is_none(), "{context}");
    // Each survivor sums up the outbox when it runs out of rows; the last one to finish sees
    // every row settled (one may give up waiting on a row another holds through the outage).
    let settled = format!(
        "SUMMARY sent={} rejected=0 failed=0 unknown={}",
        report.distinct_accepted - report.unknowns.accepted,
        report.unknowns.rows
    );
    for worker in &report.workers[1..] {
        assert!(worker.summary.is_some(), "{context}");
        assert!(worker.probes.is_some(), "{context}");
    }
    assert!(
        report.workers[1..]
            .iter()
            .any(|worker| worker.summary.as_deref() == Some(settled.as_str())),
        "{context}"
    );

    // The outage: one probe stream across the workers, not one per worker. Each worker meets
    // the outage on its own (its gate closes on its first code 2; sends that were already past
    // it go out too, at most its concurrency), all within the window's first second; after
    // that, only probes reach the sandbox: one worker's schedule (1 s, 2 s, 4 s, ...) in all,
    // where workers probing on their own would make that many each.
    let single = single_worker_probes(OUTAGE);
    assert!(report.outage_began.is_some(), "{context}");
    assert_eq!(report.workers_in_outage, WORKERS - 1, "{context}");
    assert!(report.outage_answers >= 1, "{context}");
    let meeting = report.outage_requests - report.outage_late_requests;
    assert!(
        meeting <= report.workers_in_outage * usize::from(report.drill.concurrency),
        "{context}"
    );
    assert!(report.outage_late_requests <= single + 1, "{context}");
    // The workers' own count includes the probe that found the API back, after the window.
    assert!(report.probes_reported() <= single as u64 + 2, "{context}");
    assert!(
        report.probes_reported() < (report.workers_in_outage * single) as u64,
        "{context}"
    );
}
