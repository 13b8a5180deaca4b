//! The ledger: status webhooks fold into rows in any order (delivered wins over failed),
//! settle unknown rows through the row id in the callback data (end to end through the
//! sandbox's webhooks and the SDK's receiver), and `explain` gives each fate with the seed's
//! causes and remedies.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::webhooks::router::WebhookReceiver;
use wacloud::webhooks::DeliveryState;
use wacloud_outbox::explain::{HOLD_WINDOW, MIN_APP_VERSIONS, TERMS_URL};
use wacloud_outbox::{
    Cause, Fate, Outbox, OutboxConfig, Remedy, RowId, Settlement, SqliteStore, State, WorkerConfig,
};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

const DAY: i64 = 86_400_000;

fn clock(start: i64) -> (Arc<AtomicI64>, wacloud_outbox::WallClock) {
    let now = Arc::new(AtomicI64::new(start));
    let read = Arc::clone(&now);
    (now, Arc::new(move || read.load(Ordering::SeqCst)))
}

/// A webhook body with one status.
fn status_body(wamid: &str, status: &str, callback: Option<&str>, code: Option<i64>) -> Vec<u8> {
    let mut entry = json!({"id": wamid, "status": status, "timestamp": "1700000000",
        "recipient_id": "16505551234"});
    if let Some(callback) = callback {
        entry["biz_opaque_callback_data"] = json!(callback);
    }
    if let Some(code) = code {
        entry["errors"] = json!([{"code": code, "title": "Message undeliverable",
            "error_data": {"details": "Message Undeliverable."}}]);
    }
    serde_json::to_vec(
        &json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100001", "phone_number_id": "100000000000001"},
        "statuses": [entry]}}]}]}),
    )
    .unwrap()
}

async fn feed(outbox: &Outbox, body: &[u8]) -> Option<RowId> {
    let notification = wacloud::webhooks::parse(body).expect("a webhook");
    let mut last = None;
    for (_, status) in notification.statuses() {
        last = outbox.feed_status(status).await.unwrap();
    }
    last
}

/// An accepted row with a wamid, ready for webhooks.
async fn accepted_row(outbox: &Outbox, wamid: &str) -> RowId {
    let id = outbox
        .enqueue(OutgoingMessage::new("+16505551234", Text::new("hi")))
        .await
        .unwrap();
    let store = outbox.store();
    store
        .claim("w", outbox.now(), outbox.now() + 60_000, 10)
        .await
        .unwrap();
    store
        .settle(
            id,
            &Settlement::Accepted {
                wamid: wamid.into(),
            },
            outbox.now(),
        )
        .await
        .unwrap();
    id
}

fn permutations(items: &[&'static str]) -> Vec<Vec<&'static str>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for index in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(index);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

#[tokio::test]
async fn statuses_fold_in_any_order_and_delivered_wins_over_failed() {
    let outbox = Outbox::new(
        SqliteStore::in_memory().await.unwrap(),
        OutboxConfig::default(),
    );
    for (n, order) in permutations(&["sent", "delivered", "failed", "read"])
        .into_iter()
        .enumerate()
    {
        let wamid = format!("wamid.P{n}");
        let id = accepted_row(&outbox, &wamid).await;
        for status in order.iter().chain(order.iter()) {
            let code = (*status == "failed").then_some(131026);
            assert_eq!(
                feed(&outbox, &status_body(&wamid, status, None, code)).await,
                Some(id)
            );
        }
        let row = outbox.get(id).await.unwrap();
        assert_eq!(row.delivery, Some(DeliveryState::Read), "{order:?}");
        assert_eq!(
            row.error, None,
            "{order:?}: a delivery outranks the failure"
        );
        assert!(row.sent_at.is_some() && row.delivered_at.is_some() && row.read_at.is_some());
    }
    for order in permutations(&["sent", "delivered", "failed"]) {
        let wamid = format!("wamid.{}", order.join("-"));
        let id = accepted_row(&outbox, &wamid).await;
        for status in &order {
            let code = (*status == "failed").then_some(131026);
            feed(&outbox, &status_body(&wamid, status, None, code)).await;
        }
        let row = outbox.get(id).await.unwrap();
        assert_eq!(row.delivery, Some(DeliveryState::Delivered), "{order:?}");
    }
    let id = accepted_row(&outbox, "wamid.F").await;
    feed(&outbox, &status_body("wamid.F", "sent", None, None)).await;
    feed(
        &outbox,
        &status_body("wamid.F", "failed", None, Some(131026)),
    )
    .await;
    let row = outbox.get(id).await.unwrap();
    assert_eq!(row.delivery, Some(DeliveryState::Failed));
    assert_eq!(row.error.and_then(|error| error.code), Some(131026));
    // A status about a message the outbox never sent is not ours.
    assert_eq!(
        feed(&outbox, &status_body("wamid.other", "sent", None, None)).await,
        None
    );
    let counts = outbox.counts().await.unwrap();
    assert_eq!(counts.failed, 1);
    assert_eq!(counts.read, 24);
    assert_eq!(counts.delivered, 6);
}

#[tokio::test]
async fn an_unknown_row_is_settled_by_the_sandbox_webhook_that_carries_its_row_id() {
    let outbox = Outbox::new(
        SqliteStore::in_memory().await.unwrap(),
        OutboxConfig::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver_url = format!("http://{}/", listener.local_addr().unwrap());
    let receiver =
        WebhookReceiver::new("sandbox-app-secret", "verify").on_event(outbox.webhook_handler());
    tokio::spawn(receiver.serve(listener));
    let sandbox = Sandbox::start(SandboxConfig {
        webhook_url: Some(receiver_url),
        status_delay: Duration::from_millis(5),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // Meta takes the message, but the answer is lost: the row is unknown.
    sandbox.inject(FaultRule::new(Fault::DropAfterActing).times(1));
    let config = sandbox.config();
    let client = wacloud::Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let lost = outbox
        .enqueue(OutgoingMessage::new(
            "+16505551234",
            Text::new("lost answer"),
        ))
        .await
        .unwrap();
    let report = outbox
        .worker(client, WorkerConfig::default())
        .drain()
        .await
        .unwrap();
    assert_eq!(report.unknown, 1);
    // The sandbox's sent, delivered and read webhooks carry the row id: the row settles.
    let row = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let row = outbox.get(lost).await.unwrap();
            if row.delivery == Some(DeliveryState::Read) {
                return row;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the webhooks arrive");
    assert_eq!(row.state, State::Accepted);
    assert_eq!(
        row.wamid.as_deref(),
        Some(sandbox.accepted_messages()[0].wamid.as_str())
    );
    assert_eq!(row.error, None);
    assert!(matches!(
        outbox.explain(lost).await.unwrap().fate,
        Fate::Read
    ));
}

#[tokio::test]
async fn explain_gives_each_fate_with_the_seeds_causes_and_remedies() {
    let start = 1_700_000_000_000;
    let (now, clock) = clock(start);
    let outbox = Outbox::new(
        SqliteStore::in_memory().await.unwrap(),
        OutboxConfig::default(),
    )
    .with_clock(clock);
    let store = outbox.store().clone();

    // Stuck at sent past the threshold (a day by default), then expired after 30 days.
    let stuck = accepted_row(&outbox, "wamid.S").await;
    feed(&outbox, &status_body("wamid.S", "sent", None, None)).await;
    let sent_at = outbox.get(stuck).await.unwrap().sent_at.unwrap();
    now.store(sent_at + DAY / 2, Ordering::SeqCst);
    assert!(matches!(
        outbox.explain(stuck).await.unwrap().fate,
        Fate::Sent { .. }
    ));
    now.store(sent_at + 2 * DAY, Ordering::SeqCst);
    let diagnosis = outbox.explain(stuck).await.unwrap();
    match &diagnosis.fate {
        Fate::Stuck {
            causes, remedies, ..
        } => {
            assert_eq!(
                causes,
                &[Cause::NotOnline, Cause::Blocked, Cause::RestrictedCountry]
            );
            assert!(remedies.contains(&Remedy::AcceptTerms));
            assert!(remedies.contains(&Remedy::UpdateApp));
        }
        other => panic!("{other:?}"),
    }
    let text = diagnosis.render(outbox.now());
    assert!(text.contains("stuck at sent for 2.0 days"), "{text}");
    assert!(text.contains(TERMS_URL), "{text}");
    assert!(text.contains("Settings > Privacy > Blocked"), "{text}");
    for (client, version) in MIN_APP_VERSIONS {
        assert!(text.contains(&format!("{client} {version}")), "{text}");
    }
    assert!(text.contains("restricted or sanctioned country"), "{text}");
    assert!(
        !text.contains("6505551234"),
        "no full number in a report: {text}"
    );
    let hold = i64::try_from(HOLD_WINDOW.as_millis()).unwrap();
    now.store(sent_at + hold + 1, Ordering::SeqCst);
    assert!(matches!(
        outbox.explain(stuck).await.unwrap().fate,
        Fate::Expired { .. }
    ));
    assert!(outbox
        .explain(stuck)
        .await
        .unwrap()
        .render(outbox.now())
        .contains("expired"));

    // Failed with 131026: the undeliverable causes and the remedies.
    let failed = accepted_row(&outbox, "wamid.F").await;
    feed(
        &outbox,
        &status_body("wamid.F", "failed", None, Some(131026)),
    )
    .await;
    match outbox.explain(failed).await.unwrap().fate {
        Fate::Failed(failure) => {
            assert_eq!(failure.code, Some(131026));
            assert!(failure.causes.contains(&Cause::TermsNotAccepted));
            assert!(failure.causes.contains(&Cause::OldAppVersion));
            assert!(failure.causes.contains(&Cause::Experiment));
            assert!(failure.remedies.contains(&Remedy::ConfirmNotBlocked));
        }
        other => panic!("{other:?}"),
    }

    // Rejected when sent: each code's advice.
    for (code, cause, remedy) in [
        (131049, Cause::MarketingLimit, Remedy::WaitForMarketing),
        (131047, Cause::OutsideWindow, Remedy::SendTemplate),
        (130472, Cause::Experiment, Remedy::DoNotResend),
    ] {
        let id = outbox
            .enqueue(OutgoingMessage::new("+16505551234", Text::new("x")))
            .await
            .unwrap();
        store
            .claim("w", outbox.now(), outbox.now() + 60_000, 10)
            .await
            .unwrap();
        let error = wacloud_outbox::ErrorInfo {
            code: Some(code),
            title: None,
            detail: None,
        };
        store
            .settle(id, &Settlement::Rejected(error), outbox.now())
            .await
            .unwrap();
        let diagnosis = outbox.explain(id).await.unwrap();
        match &diagnosis.fate {
            Fate::Rejected(failure) => {
                assert_eq!(failure.causes, vec![cause]);
                assert_eq!(failure.remedies, vec![remedy]);
                assert!(failure.title.is_some(), "the catalogue names {code}");
            }
            other => panic!("{code}: {other:?}"),
        }
        assert!(diagnosis.render(outbox.now()).contains(&code.to_string()));
    }

    // Unknown: reported as unresolved after the window (an hour by default).
    let unknown = outbox
        .enqueue(OutgoingMessage::new("+16505551234", Text::new("x")))
        .await
        .unwrap();
    store
        .claim("w", outbox.now(), outbox.now() + 60_000, 10)
        .await
        .unwrap();
    store
        .mark_dispatched(unknown, "w", outbox.now())
        .await
        .unwrap();
    store.recover(i64::MAX, outbox.now()).await.unwrap();
    assert!(matches!(
        outbox.explain(unknown).await.unwrap().fate,
        Fate::Unknown {
            unresolved: false,
            ..
        }
    ));
    now.fetch_add(2 * 3_600_000, Ordering::SeqCst);
    let diagnosis = outbox.explain(unknown).await.unwrap();
    assert!(matches!(
        diagnosis.fate,
        Fate::Unknown {
            unresolved: true,
            ..
        }
    ));
    assert!(diagnosis.render(outbox.now()).contains("unresolved"));
}
