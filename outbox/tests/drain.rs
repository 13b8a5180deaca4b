//! Workers against the sandbox over loopback: every row is sent once through the client's
//! layers with its row id in `biz_opaque_callback_data`; refusals, unknown outcomes and
//! outages settle rows as the crash-safety contract says.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{number, sandbox_client, SCALE};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud_outbox::{
    ListFilter, Outbox, OutboxConfig, Outcome, Settlement, SqliteStore, State, WorkerConfig,
};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

fn worker_config(concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        concurrency,
        ..WorkerConfig::default()
    }
}

async fn outbox() -> Outbox {
    Outbox::new(
        SqliteStore::in_memory().await.unwrap(),
        OutboxConfig::default(),
    )
}

#[tokio::test]
async fn a_drain_sends_every_row_once_with_its_row_id_as_callback_data() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let outbox = outbox().await;
    let rows = outbox
        .enqueue_many((0..40).map(|n| OutgoingMessage::new(number(n), Text::new("Shipped"))))
        .await
        .unwrap();
    let settled = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&settled);
    let report = outbox
        .worker(sandbox_client(&sandbox), worker_config(8))
        .on_settled(move |_, outcome| {
            assert!(matches!(
                outcome,
                Outcome::Settled(Settlement::Accepted { .. })
            ));
            seen.fetch_add(1, Ordering::SeqCst);
        })
        .drain()
        .await
        .unwrap();
    assert_eq!(report.accepted, 40);
    assert_eq!(settled.load(Ordering::SeqCst), 40);
    assert_eq!(sandbox.accepted_count(), 40);
    assert_eq!(sandbox.duplicate_count(), 0);
    let accepted = sandbox.accepted_messages();
    for enqueued in &rows {
        let row = outbox.get(enqueued.id).await.unwrap();
        assert_eq!(row.state, State::Accepted);
        let wamid = row.wamid.expect("a wamid");
        let message = accepted.iter().find(|m| m.wamid == wamid).expect("sent");
        assert_eq!(
            message.biz_opaque_callback_data.as_deref(),
            Some(outbox.callback_data(enqueued.id).as_str())
        );
    }
    // A second drain has nothing to do.
    let again = outbox
        .worker(sandbox_client(&sandbox), worker_config(8))
        .drain()
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    assert_eq!(sandbox.accepted_count(), 40);
}

#[tokio::test]
async fn a_refusal_is_rejected_with_its_code_and_a_lost_answer_is_unknown_and_not_resent() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sandbox.inject(
        FaultRule::new(Fault::Graph {
            status: 400,
            code: 131026,
            message: "(#131026) Message undeliverable".into(),
        })
        .for_recipient(number(1)),
    );
    sandbox.inject(FaultRule::new(Fault::DropAfterActing).for_recipient(number(2)));
    let outbox = outbox().await;
    let ok = outbox
        .enqueue(OutgoingMessage::new(number(0), Text::new("a")))
        .await
        .unwrap();
    let refused = outbox
        .enqueue(OutgoingMessage::new(number(1), Text::new("b")))
        .await
        .unwrap();
    let lost = outbox
        .enqueue(OutgoingMessage::new(number(2), Text::new("c")))
        .await
        .unwrap();
    let report = outbox
        .worker(sandbox_client(&sandbox), worker_config(4))
        .drain()
        .await
        .unwrap();
    assert_eq!(
        (report.accepted, report.rejected, report.unknown),
        (1, 1, 1)
    );
    assert_eq!(outbox.get(ok).await.unwrap().state, State::Accepted);
    let refused = outbox.get(refused).await.unwrap();
    assert_eq!(refused.state, State::Rejected);
    assert_eq!(refused.error.and_then(|error| error.code), Some(131026));
    assert_eq!(outbox.get(lost).await.unwrap().state, State::Unknown);

    // The unknown row is never sent again by a drain.
    let requests = sandbox.request_count();
    let again = outbox
        .worker(sandbox_client(&sandbox), worker_config(4))
        .drain()
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    assert_eq!(sandbox.request_count(), requests);
    assert_eq!(sandbox.duplicate_count(), 0);
}

/// Samples the number of `dispatched` rows until told to stop; returns the largest seen after
/// `settle_after` (once the outage gate has closed).
async fn max_dispatched(outbox: Outbox, stop: Arc<AtomicUsize>) -> u64 {
    let mut max = 0;
    while stop.load(Ordering::SeqCst) == 0 {
        let d = outbox.counts().await.unwrap().dispatched;
        max = max.max(d);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    max
}

#[tokio::test]
async fn a_crash_mid_outage_leaves_at_most_the_probe_unknown_and_a_restart_sends_the_rest_once() {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let open = || async {
        let store = SqliteStore::open(&path, wacloud_outbox::Durability::Process)
            .await
            .unwrap();
        Outbox::new(store, OutboxConfig::default())
    };
    let outbox = open().await;
    let sends = 30;
    outbox
        .enqueue_many((0..sends).map(|n| OutgoingMessage::new(number(n), Text::new("x"))))
        .await
        .unwrap();
    // Load the phone number metadata now (it takes a while in a debug build), so that the
    // sends reach the sandbox inside the compressed outage.
    wacloud::layers::recipients::RecipientRules::default()
        .check(&number(0))
        .unwrap();
    // The outage is on from the start: the first answers close the gate.
    sandbox.inject(
        FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(300).div_f64(SCALE)),
    );
    let worker = outbox.worker(sandbox_client(&sandbox), worker_config(8));
    let drain = tokio::spawn(async move { worker.drain().await });
    // Let the gate close and the probes start, then sample while the workers wait.
    while sandbox.request_count() < 2 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let stop = Arc::new(AtomicUsize::new(0));
    let sampler = tokio::spawn(max_dispatched(outbox.clone(), Arc::clone(&stop)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.store(1, Ordering::SeqCst);
    let max = sampler.await.unwrap();
    assert!(
        max <= 1,
        "at most the probe may be written during an outage, saw {max}"
    );
    // The crash, still inside the outage: the drain stops where it is.
    assert_eq!(
        sandbox.accepted_count(),
        0,
        "the outage still holds every send"
    );
    drain.abort();
    let _ = drain.await;
    drop(outbox);

    let restarted = open().await;
    let recovered = restarted.recover_after_restart().await.unwrap();
    assert!(recovered.unknown <= 1, "{recovered:?}");
    let report = restarted
        .worker(sandbox_client(&sandbox), worker_config(8))
        .drain()
        .await
        .unwrap();
    let counts = restarted.counts().await.unwrap();
    assert_eq!(
        counts.accepted + counts.unknown,
        sends as u64,
        "{counts:?} {report:?}"
    );
    assert_eq!(counts.unknown, recovered.unknown);
    // Every row was accepted exactly once, the unknown probe included if it got through.
    assert_eq!(sandbox.duplicate_count(), 0);
    assert!(sandbox.accepted_count() >= counts.accepted as usize);
    assert!(sandbox.accepted_count() <= sends);
    let unknown = restarted
        .list(&ListFilter {
            states: vec![State::Unknown],
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert!(unknown.iter().all(|row| row.dispatched_at.is_some()));
}
