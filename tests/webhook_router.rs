//! The axum receiver over real HTTP on loopback.
#![cfg(feature = "webhook-router")]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use wacloud::webhooks::router::{Event, WebhookReceiver};
use wacloud::webhooks::{AppSecret, DeliveryState, MessageContent, StatusKind};

const SECRET: &str = "router-test-secret";
const TOKEN: &str = "router-test-token";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("wiremock-fixtures/webhooks")
            .join(name),
    )
    .unwrap()
}

async fn start(receiver: WebhookReceiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(receiver.serve(listener));
    format!("http://{addr}")
}

async fn start_channel() -> (String, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel(4096);
    let url = start(WebhookReceiver::new(SECRET, TOKEN).forward_to(tx)).await;
    (url, rx)
}

async fn post_signed(url: &str, body: Vec<u8>) -> reqwest::Response {
    let sig = AppSecret::new(SECRET).sign(&body);
    reqwest::Client::new()
        .post(url)
        .header("X-Hub-Signature-256", sig)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn next(rx: &mut mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an event within 10 s")
        .expect("channel open")
}

#[tokio::test]
async fn handshake() {
    let (url, _rx) = start_channel().await;
    let ok = reqwest::get(format!(
        "{url}/?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={TOKEN}"
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    for bad in [
        format!("{url}/?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong"),
        format!("{url}/?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={TOKEN}"),
        format!("{url}/?hub.mode=subscribe&hub.verify_token={TOKEN}"),
        format!("{url}/"),
    ] {
        let r = reqwest::get(&bad).await.unwrap();
        assert_eq!(r.status(), 403, "{bad}");
        assert!(!r.text().await.unwrap().contains('1'));
    }
    // Any path works, so the router can be mounted anywhere.
    let r = reqwest::get(format!(
        "{url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=abc&hub.verify_token={TOKEN}"
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "abc");
}

#[tokio::test]
async fn signed_message_is_delivered_as_an_event() {
    let (url, mut rx) = start_channel().await;
    let r = post_signed(&url, fixture("message_text.json")).await;
    assert_eq!(r.status(), 200);
    match next(&mut rx).await {
        Event::Message {
            waba_id,
            metadata,
            contact,
            message,
        } => {
            assert_eq!(waba_id, "102290129340398");
            assert_eq!(metadata.phone_number_id, "106540352242922");
            assert_eq!(
                contact.unwrap().profile.unwrap().name.as_deref(),
                Some("Sheena Nelson")
            );
            assert_eq!(message.kind, "text");
            assert!(
                matches!(message.content, MessageContent::Text(t) if t.body == "Does it come in another color?")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn statuses_come_with_their_reconciled_state() {
    let (url, mut rx) = start_channel().await;
    for name in [
        "status_conflict_failed.json",
        "status_conflict_delivered.json",
    ] {
        assert_eq!(post_signed(&url, fixture(name)).await.status(), 200);
    }
    // Meta re-delivers the failure later: still delivered.
    assert_eq!(
        post_signed(&url, fixture("status_conflict_failed.json"))
            .await
            .status(),
        200
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        match next(&mut rx).await {
            Event::Status {
                status, reconciled, ..
            } => {
                assert_eq!(status.id, "wamid.CONFLICT1");
                seen.push((
                    status.status.as_str().to_owned(),
                    reconciled.state,
                    reconciled.duplicate,
                ));
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("failed".to_owned(), DeliveryState::Failed, false),
            ("delivered".to_owned(), DeliveryState::Delivered, false),
            ("failed".to_owned(), DeliveryState::Delivered, true),
        ]
    );
}

#[tokio::test]
async fn errors_and_unknown_fields_are_events() {
    let (url, mut rx) = start_channel().await;
    assert_eq!(
        post_signed(&url, fixture("system_error.json"))
            .await
            .status(),
        200
    );
    assert_eq!(
        post_signed(&url, fixture("unknown_field.json"))
            .await
            .status(),
        200
    );
    match next(&mut rx).await {
        Event::Error {
            error, metadata, ..
        } => {
            assert_eq!(error.code, Some(131042));
            assert_eq!(metadata.phone_number_id, "106540352242922");
        }
        other => panic!("{other:?}"),
    }
    match next(&mut rx).await {
        Event::Other { field, value, .. } => {
            assert_eq!(field, "brand_new_field");
            assert!(value.get().contains("APPROVED"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn big_batch_is_accepted_and_every_status_reconciled() {
    let (url, mut rx) = start_channel().await;
    let body = fixture("batch_1000_statuses.json");
    assert!(body.len() > 2_500_000);
    let r = post_signed(&url, body).await;
    assert_eq!(r.status(), 200);
    let mut failed_but_delivered = 0;
    for _ in 0..1000 {
        match next(&mut rx).await {
            Event::Status {
                status, reconciled, ..
            } => {
                assert_eq!(reconciled.message_id, status.id);
                if status.status == StatusKind::Failed && reconciled.state.is_delivered() {
                    failed_but_delivered += 1;
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(failed_but_delivered > 0);
}

#[tokio::test]
async fn rejections() {
    let (url, mut rx) = start_channel().await;
    let client = reqwest::Client::new();
    let body = fixture("status_sent.json");
    // Missing signature.
    let r = client.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // Wrong secret.
    let r = client
        .post(&url)
        .header("X-Hub-Signature-256", AppSecret::new("other").sign(&body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Malformed header.
    let r = client
        .post(&url)
        .header("X-Hub-Signature-256", "sha256=nothex")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Tampered body.
    let sig = AppSecret::new(SECRET).sign(&body);
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let r = client
        .post(&url)
        .header("X-Hub-Signature-256", sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Signed but not the envelope.
    for bad in [
        &b""[..],
        b"garbage",
        b"<html><body>Bad Gateway</body></html>",
        b"{\"object\":\"whatsapp_business_account\",\"entry\":[",
        b"{\"object\":\"page\",\"entry\":[]}",
    ] {
        assert_eq!(post_signed(&url, bad.to_vec()).await.status(), 400);
    }
    // Over the limit (8 MiB by default).
    let huge = vec![b' '; 9 * 1024 * 1024];
    let r = post_signed(&url, huge).await;
    assert_eq!(r.status(), 413);
    // Nothing was emitted for the rejected requests: the next event is the
    // next accepted one.
    assert_eq!(
        post_signed(&url, fixture("status_read.json"))
            .await
            .status(),
        200
    );
    match next(&mut rx).await {
        Event::Status { status, .. } => assert_eq!(status.status, StatusKind::Read),
        other => panic!("{other:?}"),
    }
    assert!(rx.try_recv().is_err());
    // Other methods are not allowed.
    let r = client.put(&url).body("x").send().await.unwrap();
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn configurable_body_limit() {
    let url = start(WebhookReceiver::new(SECRET, TOKEN).body_limit(1024)).await;
    let body = fixture("message_contacts.json");
    assert!(body.len() > 1024);
    assert_eq!(post_signed(&url, body).await.status(), 413);
    assert_eq!(
        post_signed(&url, fixture("status_read.json"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn closure_handler_and_shared_tracker() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, mut done_rx) = mpsc::channel(16);
    let receiver = WebhookReceiver::new(SECRET, TOKEN).on_event({
        let seen = Arc::clone(&seen);
        move |event: Event| {
            let seen = Arc::clone(&seen);
            let done_tx = done_tx.clone();
            async move {
                if let Event::Status { reconciled, .. } = &event {
                    if reconciled.message_id == "panic" {
                        panic!("handler bug");
                    }
                }
                seen.lock().unwrap().push(event);
                let _ = done_tx.send(()).await;
            }
        }
    });
    let tracker = receiver.tracker();
    let url = start(receiver).await;
    // A panicking handler gets its POST a 503 (Meta delivers it again) and does not stop
    // later events.
    let panicking = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"panic","status":"sent","timestamp":"1"}]}}]}]}"#;
    assert_eq!(post_signed(&url, panicking.to_vec()).await.status(), 503);
    assert_eq!(
        post_signed(&url, fixture("status_failed.json"))
            .await
            .status(),
        200
    );
    tokio::time::timeout(Duration::from_secs(10), done_rx.recv())
        .await
        .unwrap();
    let events = seen.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].phone_number_id(), Some("106540352242922"));
    assert_eq!(events[0].waba_id(), "102290129340398");
    let tracker = tracker.lock().unwrap();
    let rec = tracker
        .get("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA")
        .unwrap();
    assert_eq!(rec.state, DeliveryState::Failed);
    assert_eq!(rec.errors[0].code, Some(131026));
    let panicked = tracker.get("panic").unwrap();
    assert_eq!(panicked.state, DeliveryState::Sent);
    // Folded, but not handled: its re-delivery will not be a duplicate.
    assert!(!panicked.history[0].handled);
}

#[tokio::test]
async fn nests_under_a_path() {
    let router = axum::Router::new().nest(
        "/webhook",
        WebhookReceiver::new(SECRET, TOKEN).into_router(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let r = reqwest::get(format!(
        "http://{addr}/webhook?hub.mode=subscribe&hub.challenge=42&hub.verify_token={TOKEN}"
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "42");
    let r = post_signed(
        &format!("http://{addr}/webhook"),
        fixture("status_sent.json"),
    )
    .await;
    assert_eq!(r.status(), 200);
}
