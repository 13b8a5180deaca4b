//! Several workers drain one PostgreSQL outbox against the sandbox over loopback: each row is
//! accepted once, and the rows a worker held when it stopped are finished by the others once
//! its leases lapse (its possibly-written ones become `unknown`, never resent).
//!
//! Needs `WACLOUD_TEST_POSTGRES_URL`; says it was skipped without it.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{number, sandbox_client};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud_outbox::{Outbox, OutboxConfig, State, Store, WorkerConfig};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

const ROWS: usize = 60;

fn worker(name: &str) -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        name: name.to_owned(),
        ..WorkerConfig::default()
    }
}

/// Rows whose lease `worker` holds.
async fn held_by(schema: &support::PgSchema, worker: &str) -> i64 {
    let store = schema.store().await;
    let held: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox_messages WHERE claimed_by = $1")
            .bind(worker)
            .fetch_one(store.pool())
            .await
            .unwrap();
    store.pool().close().await;
    held
}

#[tokio::test]
async fn three_workers_drain_one_postgres_outbox_and_finish_a_stopped_workers_rows() {
    let Some(schema) = support::PgSchema::create("three_workers").await else {
        eprintln!("skipped: {} is not set", support::POSTGRES_URL_VAR);
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    // One wall clock for every worker, moved by hand: leases lapse when the test says so.
    let now = Arc::new(AtomicI64::new(1_000_000));
    let read = Arc::clone(&now);
    let clock: wacloud_outbox::WallClock = Arc::new(move || read.load(Ordering::SeqCst));
    let config = OutboxConfig::default();
    let lease = i64::try_from(config.lease.as_millis()).unwrap();
    // Each worker is its own Outbox on its own connection pool, as on separate machines.
    let open = || async {
        let store: Arc<dyn Store> = Arc::new(schema.store().await);
        Outbox::with_shared_store(store, config.clone()).with_clock(Arc::clone(&clock))
    };
    let first = open().await;
    first
        .enqueue_many((0..ROWS).map(|n| OutgoingMessage::new(number(n), Text::new("Shipped"))))
        .await
        .unwrap();
    // Load the phone number metadata now (slow in a debug build), so that the sends reach
    // the sandbox while the outage below is on.
    wacloud::layers::recipients::RecipientRules::default()
        .check(&number(0))
        .unwrap();

    // Worker C starts alone during an outage: its client's gate closes and its claimed rows
    // wait at the gate (leased, nothing written but at most the probe). Then it stops.
    sandbox.inject(FaultRule::new(Fault::Outage));
    let doomed = open()
        .await
        .worker(sandbox_client(&sandbox), worker("worker-c"));
    let drain = tokio::spawn(async move { doomed.drain().await });
    while sandbox.request_count() < 2 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Let the first answers settle: then only the gate's probe may be in flight.
    for _ in 0..200 {
        if first.counts().await.unwrap().dispatched <= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    drain.abort();
    let _ = drain.await;
    let held = held_by(&schema, "worker-c").await;
    assert!(held >= 1, "the stopped worker holds leases");
    eprintln!("worker C stopped holding {held} leases");
    sandbox.clear_faults();

    // A and B drain together, on their own pools: they share the rest, skipping C's rows.
    let a = open().await;
    let b = open().await;
    let worker_a = a.worker(sandbox_client(&sandbox), worker("worker-a"));
    let worker_b = b.worker(sandbox_client(&sandbox), worker("worker-b"));
    let (report_a, report_b) = tokio::join!(worker_a.drain(), worker_b.drain());
    let (report_a, report_b) = (report_a.unwrap(), report_b.unwrap());
    let before_expiry = (report_a.accepted + report_b.accepted) as usize;
    assert_eq!(
        before_expiry,
        ROWS - held as usize,
        "{report_a:?} {report_b:?}"
    );
    assert_eq!(
        held_by(&schema, "worker-c").await,
        held,
        "C's leases still hold"
    );

    // C's leases lapse: the next drains recover its rows. The waiting ones are sent; the
    // ones it may have written (the outage probe in flight) are unknown and not resent.
    now.fetch_add(lease + 1, Ordering::SeqCst);
    let (again_a, again_b) = tokio::join!(worker_a.drain(), worker_b.drain());
    let (again_a, again_b) = (again_a.unwrap(), again_b.unwrap());
    eprintln!("before expiry: A {report_a:?}, B {report_b:?}; after: A {again_a:?}, B {again_b:?}");
    assert_eq!(held_by(&schema, "worker-c").await, 0);

    let counts = a.counts().await.unwrap();
    assert_eq!(counts.accepted + counts.unknown, ROWS as u64, "{counts:?}");
    // Only rows C marked as possibly written are unknown. (Which ones exactly is racy to
    // observe: a statement C sent just before it stopped may still commit after.)
    assert!(
        counts.unknown <= held as u64,
        "only C's rows can be unknown: {counts:?}"
    );
    assert_eq!(
        again_a.accepted + again_b.accepted,
        held as u64 - counts.unknown,
        "the others finished C's waiting rows"
    );
    let unknown = a
        .list(&wacloud_outbox::ListFilter {
            states: vec![State::Unknown],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(unknown.iter().all(|row| row.dispatched_at.is_some()));
    // Every row accepted exactly once: the sandbox holds one accepted message per accepted
    // row, with that row's callback data, and no duplicate. (An unknown row's request may
    // have reached the sandbox too: that is what unknown means; it is not sent again.)
    assert_eq!(sandbox.duplicate_count(), 0);
    let callbacks: HashSet<String> = sandbox
        .accepted_messages()
        .into_iter()
        .filter_map(|message| message.biz_opaque_callback_data)
        .collect();
    assert_eq!(callbacks.len(), sandbox.accepted_count());
    assert!(sandbox.accepted_count() as u64 <= counts.accepted + counts.unknown);
    let accepted = a
        .list(&wacloud_outbox::ListFilter {
            states: vec![State::Accepted],
            ..Default::default()
        })
        .await
        .unwrap();
    for row in &accepted {
        assert!(
            callbacks.contains(&a.callback_data(row.id)),
            "row {}",
            row.id
        );
    }
    drop((first, a, b, worker_a, worker_b));
    schema.drop_schema().await;
}
