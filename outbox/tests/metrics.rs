//! The outbox's metrics through a debugging recorder: rows settled by a worker are counted as
//! they settle, and the rows-by-state gauges equal the store's counts when published (by the
//! caller, or by a running worker on its schedule).

mod support;

use std::collections::HashMap;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::MetricKind;
use support::{number, sandbox_client};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud_outbox::metrics::{DELIVERY, POSTPONED, ROWS, SETTLED};
use wacloud_outbox::{Outbox, OutboxConfig, SqliteStore, WorkerConfig};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

/// `(kind, name, label value) -> value` of what was recorded since the last snapshot.
fn values(snapshotter: &Snapshotter) -> HashMap<(MetricKind, String, String), f64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let label = key
                .key()
                .labels()
                .map(|l| l.value().to_owned())
                .collect::<Vec<_>>()
                .join(",");
            let value = match value {
                DebugValue::Counter(n) => n as f64,
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(h) => h.len() as f64,
            };
            ((key.kind(), key.key().name().to_owned(), label), value)
        })
        .collect()
}

fn value(
    all: &HashMap<(MetricKind, String, String), f64>,
    kind: MetricKind,
    name: &str,
    label: &str,
) -> f64 {
    all.get(&(kind, name.to_owned(), label.to_owned()))
        .copied()
        .unwrap_or_else(|| panic!("{name}{{{label}}} was not recorded: {all:?}"))
}

/// Three accepted, one refused by Meta (rejected), one without an answer (unknown), one
/// refused by the client's recipient rules before sending (rejected), one waiting for later.
async fn outbox_with_every_fate(sandbox: &SandboxHandle) -> Outbox {
    sandbox.inject(
        FaultRule::new(Fault::Graph {
            status: 400,
            code: 131026,
            message: "(#131026) Message undeliverable".into(),
        })
        .for_recipient(number(3)),
    );
    sandbox.inject(FaultRule::new(Fault::DropAfterActing).for_recipient(number(4)));
    let outbox = Outbox::new(
        SqliteStore::in_memory().await.unwrap(),
        OutboxConfig::default(),
    );
    for n in 0..5 {
        outbox
            .enqueue(OutgoingMessage::new(number(n), Text::new("Shipped")))
            .await
            .unwrap();
    }
    // Cuba: refused by the recipient rules, nothing leaves the process.
    outbox
        .enqueue(OutgoingMessage::new("+5372345678", Text::new("Shipped")))
        .await
        .unwrap();
    let tomorrow = std::time::SystemTime::now() + Duration::from_secs(86_400);
    outbox
        .enqueue(
            wacloud_outbox::Enqueue::new(OutgoingMessage::new(number(9), Text::new("Later")))
                .not_before(tomorrow),
        )
        .await
        .unwrap();
    outbox
}

#[tokio::test]
async fn settled_rows_are_counted_and_the_gauges_equal_the_store_counts() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let outbox = outbox_with_every_fate(&sandbox).await;

    let report = outbox
        .worker(sandbox_client(&sandbox), WorkerConfig::default())
        .drain()
        .await
        .unwrap();
    assert_eq!(
        (report.accepted, report.rejected, report.unknown),
        (3, 2, 1)
    );
    let after_drain = values(&snapshotter);
    assert_eq!(
        value(&after_drain, MetricKind::Counter, SETTLED, "accepted"),
        3.0
    );
    assert_eq!(
        value(&after_drain, MetricKind::Counter, SETTLED, "rejected"),
        2.0
    );
    assert_eq!(
        value(&after_drain, MetricKind::Counter, SETTLED, "unknown"),
        1.0
    );
    assert!(
        !after_drain
            .keys()
            .any(|(_, name, _)| name == ROWS || name == POSTPONED),
        "a drain counts no rows in the store and postponed nothing: {after_drain:?}"
    );

    let counts = outbox.publish_counts().await.unwrap();
    let gauges = values(&snapshotter);
    for (state, rows) in [
        ("queued", counts.queued),
        ("dispatched", counts.dispatched),
        ("accepted", counts.accepted),
        ("rejected", counts.rejected),
        ("unknown", counts.unknown),
    ] {
        assert_eq!(
            value(&gauges, MetricKind::Gauge, ROWS, state),
            rows as f64,
            "{state}"
        );
    }
    assert_eq!(
        (
            counts.queued,
            counts.accepted,
            counts.rejected,
            counts.unknown
        ),
        (1, 3, 2, 1)
    );
    assert_eq!(
        value(&gauges, MetricKind::Gauge, DELIVERY, "sent"),
        counts.sent as f64
    );
    assert_eq!(value(&gauges, MetricKind::Gauge, DELIVERY, "failed"), 0.0);
}

#[tokio::test]
async fn a_running_worker_publishes_the_gauges_on_its_schedule() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let _guard = metrics::set_default_local_recorder(&recorder);
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let outbox = outbox_with_every_fate(&sandbox).await;
    let worker = outbox
        .worker(sandbox_client(&sandbox), WorkerConfig::default())
        .publish_counts_every(Duration::from_secs(60));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        worker
            .run(Duration::from_millis(50), async {
                let _ = stopped.await;
            })
            .await
    });
    // The first drain is followed by a publication; the next is a minute away.
    let mut waited = 0;
    while !gauges_show_the_drain(&snapshotter) {
        assert!(waited < 500, "no rows-by-state gauges within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
    }
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    let counts = outbox.counts().await.unwrap();
    assert_eq!(counts.accepted, 3);
    assert_eq!(counts.queued, 1);
}

/// Whether the rows-by-state gauges show the drained outbox: 3 accepted, 1 waiting.
fn gauges_show_the_drain(snapshotter: &Snapshotter) -> bool {
    let all = values(snapshotter);
    let gauge = |state: &str| all.get(&(MetricKind::Gauge, ROWS.to_owned(), state.to_owned()));
    gauge("accepted") == Some(&3.0) && gauge("queued") == Some(&1.0)
}
