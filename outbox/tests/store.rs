//! The SQLite store and durable enqueue: committed rows survive a reopen, batches are all or
//! nothing, idempotency keys and not-before times hold, and leases and recovery keep the
//! "possibly sent" rows apart from the waiting ones.
//!
//! Every test runs against SQLite and, when `WACLOUD_TEST_POSTGRES_URL` is set, against
//! PostgreSQL (a schema of its own per test), through [`support::each_store`].

mod support;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use support::each_store;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud_outbox::{
    Enqueue, ListFilter, Outbox, OutboxConfig, OutboxError, RowId, Settlement, State, Store,
};

fn text(to: &str, body: &str) -> OutgoingMessage {
    OutgoingMessage::new(to, Text::new(body))
}

/// A clock the test moves by hand.
fn manual_clock(start: i64) -> (Arc<AtomicI64>, wacloud_outbox::WallClock) {
    let now = Arc::new(AtomicI64::new(start));
    let read = Arc::clone(&now);
    (now, Arc::new(move || read.load(Ordering::SeqCst)))
}

fn outbox_on(store: Arc<dyn Store>) -> Outbox {
    Outbox::with_shared_store(store, OutboxConfig::default())
}

#[tokio::test]
async fn an_enqueued_row_is_committed_and_survives_a_reopen() {
    each_store("survives_a_reopen", |backend| async move {
        let outbox = outbox_on(backend.open().await);
        let id = outbox
            .enqueue(text("+16505551234", "Your order shipped"))
            .await
            .expect("enqueued");
        drop(outbox);

        // A second open runs the migrations again: they are versioned, so nothing changes.
        let reopened = outbox_on(backend.open().await);
        let row = reopened.get(id).await.expect("the row is there");
        assert_eq!(row.state, State::Queued);
        assert_eq!(row.recipient, "+16505551234");
        assert_eq!(row.message_type, "text");
        assert_eq!(reopened.counts().await.expect("counts").queued, 1);
    })
    .await;
}

#[tokio::test]
async fn enqueue_many_commits_all_rows_or_none() {
    each_store("enqueue_many", |backend| async move {
        let outbox = outbox_on(backend.open().await);
        let many = (0..50).map(|n| text(&format!("+1650555{n:04}"), "Hi"));
        let enqueued = outbox.enqueue_many(many).await.expect("a batch");
        assert_eq!(enqueued.len(), 50);
        assert!(enqueued.iter().all(|row| row.created));
        let ids: Vec<RowId> = enqueued.iter().map(|row| row.id).collect();
        let mut sorted = ids.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 50, "distinct ids");

        // One invalid message (an empty text) refuses the whole batch before the store sees it.
        let bad = vec![text("+16505550001", "ok"), text("+16505550002", "")];
        let err = outbox.enqueue_many(bad).await.expect_err("invalid");
        assert!(matches!(err, OutboxError::Invalid(_)), "{err}");
        assert_eq!(outbox.counts().await.unwrap().total(), 50);
    })
    .await;
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_row() {
    each_store("idempotency_key", |backend| async move {
        let outbox = outbox_on(backend.open().await);
        let first = outbox
            .enqueue(
                Enqueue::new(text("+16505551234", "Order 42 shipped")).idempotency_key("order-42"),
            )
            .await
            .unwrap();
        let again = outbox
            .enqueue(
                Enqueue::new(text("+16505551234", "Order 42 shipped")).idempotency_key("order-42"),
            )
            .await
            .unwrap();
        assert_eq!(first, again);
        let batch = outbox
            .enqueue_many(vec![
                Enqueue::new(text("+16505551234", "x")).idempotency_key("order-42"),
                Enqueue::new(text("+16505551234", "y")).idempotency_key("order-43"),
                Enqueue::new(text("+16505551234", "y")).idempotency_key("order-43"),
            ])
            .await
            .unwrap();
        assert_eq!(batch[0].id, first);
        assert!(!batch[0].created);
        assert!(batch[1].created);
        assert_eq!(batch[2].id, batch[1].id);
        assert!(!batch[2].created);
        assert_eq!(outbox.counts().await.unwrap().queued, 2);
        let row = outbox
            .store()
            .find_by_key("order-43")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.id, batch[1].id);
    })
    .await;
}

#[tokio::test]
async fn a_message_with_its_own_callback_data_is_refused() {
    each_store("own_callback_data", |backend| async move {
        let outbox = outbox_on(backend.open().await);
        let err = outbox
            .enqueue(text("+16505551234", "x").callback_data("mine"))
            .await
            .expect_err("the outbox owns the callback data");
        assert!(matches!(err, OutboxError::CallbackDataTaken));
    })
    .await;
}

#[tokio::test]
async fn a_row_is_not_claimed_before_its_time() {
    each_store("not_before", |backend| async move {
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let (now, clock) = manual_clock(start);
        let outbox = outbox_on(backend.open().await).with_clock(clock);
        let later = SystemTime::now() + Duration::from_secs(3600);
        let scheduled = outbox
            .enqueue(Enqueue::new(text("+16505551234", "later")).not_before(later))
            .await
            .unwrap();
        let due = outbox.enqueue(text("+16505551235", "now")).await.unwrap();
        let store = outbox.store();
        let claimed = store
            .claim("w1", outbox.now(), outbox.now() + 60_000, 10)
            .await
            .unwrap();
        assert_eq!(
            claimed.iter().map(|row| row.id).collect::<Vec<_>>(),
            vec![due]
        );

        store
            .settle(
                due,
                &Settlement::Accepted {
                    wamid: "wamid.D".into(),
                },
                outbox.now(),
            )
            .await
            .unwrap();
        now.fetch_add(3_601_000, Ordering::SeqCst);
        let claimed = store
            .claim("w1", outbox.now(), outbox.now() + 60_000, 10)
            .await
            .unwrap();
        assert_eq!(
            claimed.iter().map(|row| row.id).collect::<Vec<_>>(),
            vec![scheduled]
        );
    })
    .await;
}

#[tokio::test]
async fn a_lease_keeps_a_row_to_one_worker_and_recovery_keeps_dispatched_rows_unknown() {
    each_store("lease_and_recovery", |backend| async move {
        let store = backend.open().await;
        let outbox = outbox_on(Arc::clone(&store)).with_clock(manual_clock(0).1);
        let waiting = outbox.enqueue(text("+16505550001", "a")).await.unwrap();
        let written = outbox.enqueue(text("+16505550002", "b")).await.unwrap();
        let answered = outbox.enqueue(text("+16505550003", "c")).await.unwrap();

        let claimed = store.claim("w1", 1_000, 61_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 3);
        assert!(
            store
                .claim("w2", 2_000, 62_000, 10)
                .await
                .unwrap()
                .is_empty(),
            "leased"
        );

        // Only the lease holder may mark a row dispatched.
        assert!(store.mark_dispatched(written, "w2", 2_000).await.is_err());
        store.mark_dispatched(written, "w1", 2_000).await.unwrap();
        store.mark_dispatched(answered, "w1", 2_000).await.unwrap();
        store
            .settle(
                answered,
                &Settlement::Accepted {
                    wamid: "wamid.A".into(),
                },
                2_500,
            )
            .await
            .unwrap();

        // A recovery before the lease ends changes nothing.
        let none = store.recover(30_000, 30_000).await.unwrap();
        assert_eq!((none.requeued, none.unknown), (0, 0));

        // The worker died: after the lease, the waiting row is queued again, the written one is
        // unknown, the answered one keeps its answer.
        let recovered = store.recover(70_000, 70_000).await.unwrap();
        assert_eq!((recovered.requeued, recovered.unknown), (1, 1));
        assert_eq!(
            store.get(waiting).await.unwrap().unwrap().state,
            State::Queued
        );
        assert_eq!(
            store.get(written).await.unwrap().unwrap().state,
            State::Unknown
        );
        let kept = store.get(answered).await.unwrap().unwrap();
        assert_eq!(
            (kept.state, kept.wamid.as_deref()),
            (State::Accepted, Some("wamid.A"))
        );

        // The unknown row is never claimed again; the waiting one is.
        let again = store.claim("w2", 71_000, 131_000, 10).await.unwrap();
        assert_eq!(
            again.iter().map(|row| row.id).collect::<Vec<_>>(),
            vec![waiting]
        );
        assert_eq!(again[0].attempts, 2);

        // Resending an unknown row is an explicit opt-in.
        assert!(!outbox.resend_unknown(written).await.unwrap());
        let opted = Outbox::with_shared_store(
            Arc::clone(&store),
            OutboxConfig {
                allow_resend_unknown: true,
                ..OutboxConfig::default()
            },
        )
        .with_clock(manual_clock(200_000).1);
        assert!(opted.resend_unknown(written).await.unwrap());
        assert_eq!(
            store.get(written).await.unwrap().unwrap().state,
            State::Queued
        );
    })
    .await;
}

#[tokio::test]
async fn an_answered_refusal_puts_a_dispatched_row_back_in_the_queue() {
    each_store("answered_refusal", |backend| async move {
        let store = backend.open().await;
        let outbox = outbox_on(Arc::clone(&store)).with_clock(manual_clock(0).1);
        let id = outbox.enqueue(text("+16505550001", "a")).await.unwrap();
        store.claim("w1", 1_000, 61_000, 1).await.unwrap();
        store.mark_dispatched(id, "w1", 1_500).await.unwrap();
        store.mark_undispatched(id, "w1", 1_600).await.unwrap();
        // The worker died while the row waited for its retry: nothing is unknown.
        let recovered = store.recover(i64::MAX, 70_000).await.unwrap();
        assert_eq!((recovered.requeued, recovered.unknown), (1, 0));
        let listed = outbox
            .list(&ListFilter {
                states: vec![State::Queued],
                ..ListFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn workers_starting_together_migrate_a_postgres_schema_once() {
    let Some(schema) = support::PgSchema::create("migrate_together").await else {
        eprintln!("skipped: {} is not set", support::POSTGRES_URL_VAR);
        return;
    };
    // Five workers open the empty schema at once: the advisory lock lets one migrate, and
    // the others find the version recorded.
    let stores = futures_util::future::join_all((0..5).map(|_| schema.store())).await;
    let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM outbox_schema")
        .fetch_all(stores[0].pool())
        .await
        .unwrap();
    assert_eq!(versions, vec![(1,)]);
    let outbox = outbox_on(Arc::new(stores[4].clone()));
    let id = outbox.enqueue(text("+16505550001", "a")).await.unwrap();
    assert_eq!(
        stores[0].get(id).await.unwrap().unwrap().state,
        State::Queued
    );
    for store in stores {
        store.pool().close().await;
    }
    schema.drop_schema().await;
}

#[tokio::test]
async fn outbox_open_picks_postgres_by_url_and_sqlite_otherwise() {
    assert!(wacloud_outbox::store::is_postgres_url("postgres://u@h/db"));
    assert!(wacloud_outbox::store::is_postgres_url(
        "postgresql://u@h/db"
    ));
    assert!(!wacloud_outbox::store::is_postgres_url("outbox.db"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let on_file = Outbox::open(
        path.to_str().unwrap(),
        wacloud_outbox::Durability::Process,
        OutboxConfig::default(),
    )
    .await
    .unwrap();
    on_file.enqueue(text("+16505550001", "a")).await.unwrap();
    assert!(path.is_file(), "a path opens a SQLite file");

    let Some(schema) = support::PgSchema::create("open_by_url").await else {
        eprintln!(
            "PostgreSQL part skipped: {} is not set",
            support::POSTGRES_URL_VAR
        );
        return;
    };
    let base = std::env::var(support::POSTGRES_URL_VAR).unwrap();
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!(
        "{base}{separator}options=-c%20search_path%3D{}",
        schema.name()
    );
    let on_server = Outbox::open(
        &url,
        wacloud_outbox::Durability::Full,
        OutboxConfig::default(),
    )
    .await
    .unwrap();
    let id = on_server.enqueue(text("+16505550002", "b")).await.unwrap();
    // The row is in the schema the URL named, seen through a store opened on that schema.
    let store = schema.store().await;
    assert_eq!(
        store.get(id).await.unwrap().unwrap().recipient,
        "+16505550002"
    );
    store.pool().close().await;
    drop(on_server);
    schema.drop_schema().await;
}

#[tokio::test]
async fn concurrent_postgres_claims_take_disjoint_rows() {
    let Some(schema) = support::PgSchema::create("disjoint_claims").await else {
        eprintln!("skipped: {} is not set", support::POSTGRES_URL_VAR);
        return;
    };
    let first = schema.store().await;
    outbox_on(Arc::new(first.clone()))
        .with_clock(manual_clock(0).1)
        .enqueue_many((0..60).map(|n| text(&format!("+1650555{n:04}"), "x")))
        .await
        .unwrap();
    // Six workers, each on its own pool, claim 7 rows at once, twice: SKIP LOCKED hands
    // each row to one of them.
    let stores = futures_util::future::join_all((0..6).map(|_| schema.store())).await;
    let claims =
        futures_util::future::join_all(stores.iter().enumerate().map(|(n, store)| async move {
            let name = format!("w{n}");
            let mut ids = store.claim(&name, 1_000, 61_000, 7).await.unwrap();
            ids.extend(store.claim(&name, 1_000, 61_000, 7).await.unwrap());
            ids.into_iter().map(|row| row.id).collect::<Vec<_>>()
        }))
        .await;
    let mut all: Vec<RowId> = claims.iter().flatten().copied().collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), total, "no row claimed twice");
    assert_eq!(total, 60, "every row claimed: {claims:?}");
    for store in stores {
        store.pool().close().await;
    }
    first.pool().close().await;
    schema.drop_schema().await;
}

#[tokio::test]
async fn an_acceptance_from_a_webhook_outranks_a_later_unknown_settlement() {
    each_store("acceptance_outranks", |backend| async move {
        let store = backend.open().await;
        let outbox = outbox_on(Arc::clone(&store)).with_clock(manual_clock(0).1);
        let id = outbox.enqueue(text("+16505550001", "a")).await.unwrap();
        store.claim("w1", 1_000, 61_000, 1).await.unwrap();
        store.mark_dispatched(id, "w1", 1_500).await.unwrap();
        // The status webhook overtakes the lost answer.
        let update = wacloud_outbox::StatusUpdate {
            wamid: "wamid.W".into(),
            row: Some(id),
            delivery: wacloud::webhooks::DeliveryState::Sent,
            at: 2_000,
            error: None,
        };
        assert_eq!(store.fold_status(&update, 2_000).await.unwrap(), Some(id));
        store
            .settle(
                id,
                &Settlement::Unknown {
                    detail: "timed out".into(),
                },
                3_000,
            )
            .await
            .unwrap();
        let row = store.get(id).await.unwrap().unwrap();
        assert_eq!(row.state, State::Accepted);
        assert_eq!(row.wamid.as_deref(), Some("wamid.W"));
        assert_eq!(row.error, None);
        // The lease is dropped: no recovery touches it.
        let recovered = store.recover(i64::MAX, 4_000).await.unwrap();
        assert_eq!((recovered.requeued, recovered.unknown), (0, 0));
    })
    .await;
}
