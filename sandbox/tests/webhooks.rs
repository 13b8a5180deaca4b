//! Signed status and inbound webhooks, including the conflicting pair.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use wacloud_sandbox::{Fault, FaultRule, SandboxConfig};

const SECRET: &str = "sandbox-app-secret";

fn cfg(url: &str) -> SandboxConfig {
    SandboxConfig::default()
        .webhook_url(url)
        .status_delay(Duration::from_millis(5))
}

fn kinds(st: &[Value], wamid: &str) -> Vec<String> {
    st.iter()
        .filter(|s| s["id"] == wamid)
        .map(|s| s["status"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn statuses_are_signed_and_shaped() {
    let (rx, url) = Receiver::start().await;
    let sb = start(cfg(&url)).await;
    let mut body = text("+1 650 555 1234", "hi");
    body["biz_opaque_callback_data"] = json!("corr-42");
    let (s, v) = send(&sb, &body).await;
    assert_eq!(s, 200);
    let wamid = v["messages"][0]["id"].as_str().unwrap().to_string();
    let got = rx.wait(3).await;
    assert_eq!(got.len(), 3);
    let st = rx.statuses(SECRET);
    assert_eq!(kinds(&st, &wamid), ["sent", "delivered", "read"]);
    for s in &st {
        assert_eq!(s["recipient_id"], "16505551234");
        assert_eq!(s["biz_opaque_callback_data"], "corr-42");
        assert!(s["timestamp"].as_str().unwrap().parse::<u64>().is_ok());
    }
    assert_eq!(st[0]["pricing"]["billable"], true);
    let whole: Value = serde_json::from_slice(&got[0].0).unwrap();
    assert_eq!(whole["entry"][0]["id"], sb.config().waba_id.as_str());
    assert_eq!(whole["entry"][0]["changes"][0]["field"], "messages");
    let value = &whole["entry"][0]["changes"][0]["value"];
    assert_eq!(value["messaging_product"], "whatsapp");
    assert_eq!(
        value["metadata"]["phone_number_id"],
        sb.config().phone_number_id.as_str()
    );
    assert!(value["metadata"]["display_phone_number"].is_string());
    // A tampered body fails verification.
    assert!(!verify(SECRET, b"{}", &got[0].1));
    assert!(!verify("other-secret", &got[0].0, &got[0].1));
    // The sandbox's own log agrees.
    assert!(sb.wait_for_webhooks(3, Duration::from_secs(1)).await);
    assert!(sb
        .webhook_deliveries()
        .iter()
        .all(|d| d.delivered && d.attempts == 1));
    sb.shutdown().await;
}

#[tokio::test]
async fn conflicting_pair_in_both_orders() {
    let (rx, url) = Receiver::start().await;
    let sb = start(cfg(&url)).await;
    sb.inject(
        FaultRule::new(Fault::ConflictingStatuses { failed_first: true })
            .for_recipient("16505550001")
            .times(1),
    );
    sb.inject(
        FaultRule::new(Fault::ConflictingStatuses {
            failed_first: false,
        })
        .for_recipient("16505550002")
        .times(1),
    );
    let (_, a) = send(&sb, &text("16505550001", "a")).await;
    let (_, b) = send(&sb, &text("16505550002", "b")).await;
    let wa = a["messages"][0]["id"].as_str().unwrap();
    let wb = b["messages"][0]["id"].as_str().unwrap();
    rx.wait(6).await;
    let st = rx.statuses(SECRET);
    assert_eq!(kinds(&st, wa), ["sent", "failed", "delivered"]);
    assert_eq!(kinds(&st, wb), ["sent", "delivered", "failed"]);
    let failed = st.iter().find(|s| s["status"] == "failed").unwrap();
    let e = &failed["errors"][0];
    assert_eq!(e["code"], 131026);
    assert!(e["title"].is_string() && e["message"].is_string() && e["href"].is_string());
    assert!(e["error_data"]["details"].is_string());
    sb.shutdown().await;
}

#[tokio::test]
async fn undeliverable_recipients_fail() {
    let (rx, url) = Receiver::start().await;
    let sb = start(cfg(&url).undeliverable("+44 7700 900000")).await;
    let (s, v) = send(&sb, &text("447700900000", "x")).await;
    assert_eq!(s, 200);
    let w = v["messages"][0]["id"].as_str().unwrap().to_string();
    sb.inject(FaultRule::new(Fault::Undeliverable).times(1));
    let (_, v2) = send(&sb, &text("16505551234", "y")).await;
    let w2 = v2["messages"][0]["id"].as_str().unwrap().to_string();
    rx.wait(2).await;
    let st = rx.statuses(SECRET);
    assert_eq!(kinds(&st, &w), ["failed"]);
    assert_eq!(kinds(&st, &w2), ["failed"]);
    sb.shutdown().await;
}

#[tokio::test]
async fn inbound_text_and_retries() {
    let (rx, url) = Receiver::start().await;
    let sb = start(SandboxConfig::default()).await;
    // No URL yet: an error, no panic.
    assert!(sb.post_inbound_text("16505551234", "hi").await.is_err());
    sb.set_webhook_url(&url);
    *rx.fail_first.lock().unwrap() = 1;
    let id = sb
        .post_inbound_text("16505551234", "hello there")
        .await
        .unwrap();
    let got = rx.wait(1).await;
    assert_eq!(got.len(), 1);
    assert!(verify(SECRET, &got[0].0, &got[0].1));
    let v: Value = serde_json::from_slice(&got[0].0).unwrap();
    let value = &v["entry"][0]["changes"][0]["value"];
    assert_eq!(value["contacts"][0]["wa_id"], "16505551234");
    let m = &value["messages"][0];
    assert_eq!(m["from"], "16505551234");
    assert_eq!(m["id"], id.as_str());
    assert_eq!(m["type"], "text");
    assert_eq!(m["text"]["body"], "hello there");
    let log = sb.webhook_deliveries();
    assert_eq!(log.last().unwrap().attempts, 2);
    // An unreachable URL is logged and given up on, never a panic.
    sb.set_webhook_url("http://127.0.0.1:9/unreachable");
    assert!(sb.post_inbound_text("16505551234", "lost").await.is_err());
    assert!(!sb.webhook_deliveries().last().unwrap().delivered);
    sb.shutdown().await;
}

#[tokio::test]
async fn scripted_status_for_an_accepted_message() {
    let (rx, url) = Receiver::start().await;
    let sb = start(SandboxConfig::default()).await;
    let (_, v) = send(&sb, &text("16505551234", "x")).await;
    let w = v["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(sb.post_status(&w, "read").await.is_err(), "no URL yet");
    sb.set_webhook_url(&url);
    sb.post_status(&w, "read").await.unwrap();
    sb.post_status(&w, "delivered").await.unwrap();
    assert!(sb.post_status("wamid.unknown", "read").await.is_err());
    rx.wait(2).await;
    assert_eq!(kinds(&rx.statuses(SECRET), &w), ["read", "delivered"]);
    sb.shutdown().await;
}

#[test]
fn handle_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<wacloud_sandbox::SandboxHandle>();
    check::<wacloud_sandbox::SandboxConfig>();
    check::<wacloud_sandbox::FaultRule>();
}

#[tokio::test]
async fn redelivery_and_handshake() {
    let (rx, url) = Receiver::start().await;
    let sb = start(cfg(&url).send_read_status(false)).await;
    assert!(sb.verify_webhook_subscription("verify-me").await.unwrap());
    assert!(!sb.verify_webhook_subscription("wrong").await.unwrap());
    send(&sb, &text("16505551234", "x")).await;
    assert!(sb.wait_for_webhooks(2, Duration::from_secs(1)).await);
    sb.redeliver_webhook(0).await.unwrap();
    let got = rx.wait(3).await;
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], got[0], "byte-identical re-delivery, same signature");
    assert!(sb.redeliver_webhook(99).await.is_err());
    sb.shutdown().await;
}
