//! Sends, validation, auth and recording over real HTTP.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{json, Value};
use wacloud_sandbox::{Outcome, SandboxConfig, TokenInfo, SCOPE_MANAGEMENT};

fn all_types(to: &str) -> Vec<Value> {
    let base = |ty: &str, obj: Value| {
        let mut v = json!({"messaging_product": "whatsapp", "recipient_type": "individual",
                           "to": to, "type": ty});
        v[ty] = obj;
        v
    };
    vec![
        base("text", json!({"body": "hello", "preview_url": false})),
        base(
            "template",
            json!({"name": "order_update", "language": {"code": "en_US"}, "components": [
                {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://example.com/a.png"}}]},
                {"type": "body", "parameters": [{"type": "text", "text": "42"},
                    {"type": "currency", "currency": {"fallback_value": "$1", "code": "USD", "amount_1000": 1000}}]},
                {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "p"}]}
            ]}),
        ),
        base(
            "image",
            json!({"link": "https://example.com/a.jpg", "caption": "c"}),
        ),
        base("video", json!({"id": "12345"})),
        base("audio", json!({"id": "12345"})),
        base(
            "document",
            json!({"link": "https://example.com/a.pdf", "filename": "a.pdf"}),
        ),
        base("sticker", json!({"id": "12345"})),
        base(
            "location",
            json!({"latitude": 37.48, "longitude": -122.14, "name": "HQ"}),
        ),
        {
            let mut v = base("contacts", Value::Null);
            v["contacts"] = json!([{"name": {"formatted_name": "Ann Lee", "first_name": "Ann"},
                                    "phones": [{"phone": "+1 650 555 1234", "type": "WORK"}]}]);
            v
        },
        base(
            "interactive",
            json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "a", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "b", "title": "No"}}]}}),
        ),
        base(
            "interactive",
            json!({"type": "list", "body": {"text": "Pick"}, "action": {"button": "Options",
                "sections": [{"title": "S", "rows": [{"id": "r1", "title": "Row 1", "description": "d"}]}]}}),
        ),
        base(
            "interactive",
            json!({"type": "cta_url", "body": {"text": "Visit"}, "action": {"name": "cta_url",
                "parameters": {"display_text": "Open", "url": "https://example.com"}}}),
        ),
        base(
            "reaction",
            json!({"message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI", "emoji": "\u{1F44D}"}),
        ),
    ]
}

#[tokio::test]
async fn every_message_type_is_accepted() {
    let sb = start(SandboxConfig::default()).await;
    let bodies = all_types("+1 650-555-1234");
    let mut ids = HashSet::new();
    for b in &bodies {
        let (s, v) = send(&sb, b).await;
        assert_eq!(s, 200, "{b} -> {v}");
        assert_eq!(v["messaging_product"], "whatsapp");
        assert_eq!(v["contacts"][0]["input"], "+1 650-555-1234");
        assert_eq!(v["contacts"][0]["wa_id"], "16505551234");
        let id = v["messages"][0]["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("wamid.HBgL"), "{id}");
        if b["type"] == "template" {
            assert_eq!(v["messages"][0]["message_status"], "accepted");
        } else {
            assert!(v["messages"][0].get("message_status").is_none());
        }
        assert!(ids.insert(id));
    }
    let acc = sb.accepted_messages();
    assert_eq!(acc.len(), bodies.len());
    assert_eq!(acc[1].kind, "template");
    assert_eq!(acc[0].wa_id, "16505551234");
    assert_eq!(sb.request_count(), bodies.len());
    // Same bodies sent once each: only the two interactive variants differ, so no duplicates.
    assert_eq!(sb.duplicate_count(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn mark_as_read_and_typing_indicator() {
    let sb = start(SandboxConfig::default()).await;
    let (s, v) = send(
        &sb,
        &json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.ABC"}),
    )
    .await;
    assert_eq!((s, v), (200, json!({"success": true})));
    let (s, v) = send(
        &sb,
        &json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.ABC",
                "typing_indicator": {"type": "text"}}),
    )
    .await;
    assert_eq!((s, v), (200, json!({"success": true})));
    let (s, v) = send(
        &sb,
        &json!({"messaging_product": "whatsapp", "status": "read"}),
    )
    .await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 131008);
    assert_eq!(sb.accepted_messages().len(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn validation_errors_are_meta_shaped() {
    let sb = start(SandboxConfig::default()).await;
    let to = "16505551234";
    let cases: Vec<(Value, i64)> = vec![
        (
            json!({"to": to, "type": "text", "text": {"body": "x"}}),
            100,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "fax", "fax": {}}),
            100,
        ),
        (
            json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}),
            131008,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "text"}),
            131008,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "text", "text": {}}),
            131008,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "template",
                "template": {"language": {"code": "en"}}}),
            131008,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "template",
                "template": {"name": "t"}}),
            131008,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "text",
                "text": {"body": "x".repeat(4097)}}),
            100,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": ""}}),
            100,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "image", "image": {"caption": "c"}}),
            131009,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": {
            "type": "button", "body": {"text": "b"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "1", "title": "a"}},
                {"type": "reply", "reply": {"id": "2", "title": "b"}},
                {"type": "reply", "reply": {"id": "3", "title": "c"}},
                {"type": "reply", "reply": {"id": "4", "title": "d"}}]}}}),
            131009,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": to, "type": "interactive", "interactive": {
            "type": "button", "body": {"text": "b"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "1", "title": "x".repeat(21)}}]}}}),
            131009,
        ),
        (
            json!({"messaging_product": "whatsapp", "to": "not a number", "type": "text",
                "text": {"body": "x"}}),
            131009,
        ),
    ];
    for (body, code) in &cases {
        let (s, v) = send(&sb, body).await;
        assert_eq!(s, 400, "{body} -> {v}");
        assert_graph_error(&v, *code);
        if *code != 100 {
            assert_eq!(v["error"]["error_data"]["messaging_product"], "whatsapp");
            assert!(v["error"]["error_data"]["details"].is_string());
        }
    }
    // Bad JSON.
    let r = client()
        .post(messages_url(&sb))
        .bearer_auth("sandbox-token")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_graph_error(&r.json().await.unwrap(), 100);
    assert_eq!(sb.accepted_messages().len(), 0);
    assert_eq!(sb.request_count(), cases.len() + 1);
    assert!(sb.requests().iter().all(|r| matches!(
        r.outcome,
        Outcome::Answered {
            status: 400,
            wamid: None
        }
    )));
    sb.shutdown().await;
}

#[tokio::test]
async fn tokens_are_checked() {
    let sb = start(
        SandboxConfig::default()
            .token(TokenInfo::new("mgmt-only").scopes([SCOPE_MANAGEMENT]))
            .token(TokenInfo::new("old").expired()),
    )
    .await;
    let c = client();
    let url = messages_url(&sb);
    let body = text("16505551234", "hi");
    let (s, v, h) = post_json(&c, &url, "wrong", &body).await;
    assert_eq!(s, 401);
    assert_graph_error(&v, 190);
    assert!(h.get("www-authenticate").is_some());
    let r = c.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_graph_error(&r.json().await.unwrap(), 190);
    let (s, v, _) = post_json(&c, &url, "old", &body).await;
    assert_eq!(s, 401);
    assert_graph_error(&v, 190);
    assert_eq!(v["error"]["error_subcode"], 463);
    let (s, v, _) = post_json(&c, &url, "mgmt-only", &body).await;
    assert_eq!(s, 403);
    assert_graph_error(&v, 10);
    // Unknown phone number id.
    let bad = format!("{}/v23.0/999/messages", sb.base_url());
    let (s, v, _) = post_json(&c, &bad, "sandbox-token", &body).await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 100);
    assert_eq!(v["error"]["error_subcode"], 33);
    assert_eq!(sb.accepted_messages().len(), 0);
    // The Authorization value is never recorded.
    assert!(sb
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .all(|h| h == "<redacted>"));
    sb.shutdown().await;
}

#[tokio::test]
async fn any_version_prefix_and_number_status() {
    let sb = start(SandboxConfig::default().throughput_level("HIGH")).await;
    let c = client();
    for v in ["v23.0", "v24.0", "v26.0"] {
        let url = format!(
            "{}/{v}/{}/messages",
            sb.base_url(),
            sb.config().phone_number_id
        );
        let (s, _, _) = post_json(&c, &url, "sandbox-token", &text("16505551234", v)).await;
        assert_eq!(s, 200);
    }
    let url = format!(
        "{}/latest/{}/messages",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let (s, _, _) = post_json(&c, &url, "sandbox-token", &text("16505551234", "x")).await;
    assert_eq!(s, 400);

    let url = format!(
        "{}/v23.0/{}?fields=display_phone_number,verified_name,quality_rating,throughput",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let v: Value = c
        .get(&url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v,
        json!({"display_phone_number": "+1 555 010 0001", "verified_name": "Wacloud Sandbox",
               "quality_rating": "GREEN", "throughput": {"level": "HIGH"},
               "id": "100000000000001"})
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn debug_token_reports_scopes_and_validity() {
    let sb = start(
        SandboxConfig::default()
            .token(TokenInfo::new("mgmt-only").scopes([SCOPE_MANAGEMENT]))
            .token(
                TokenInfo::new("user-old")
                    .kind(wacloud_sandbox::TokenKind::User)
                    .expired(),
            ),
    )
    .await;
    let c = client();
    let get = |t: &str| {
        let url = format!("{}/v23.0/debug_token?input_token={t}", sb.base_url());
        let c = c.clone();
        async move {
            c.get(url)
                .bearer_auth("sandbox-token")
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let d = get("sandbox-token").await["data"].clone();
    assert_eq!(d["is_valid"], true);
    assert_eq!(d["type"], "SYSTEM_USER");
    assert_eq!(d["app_id"], "300000000000001");
    assert_eq!(d["expires_at"], 0);
    let scopes: Vec<&str> = d["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(scopes.contains(&"whatsapp_business_management"));
    assert!(scopes.contains(&"whatsapp_business_messaging"));
    assert_eq!(d["granular_scopes"].as_array().unwrap().len(), 2);
    assert!(d["application"].is_string());

    let d = get("mgmt-only").await["data"].clone();
    assert_eq!(d["is_valid"], true);
    assert_eq!(d["scopes"], json!(["whatsapp_business_management"]));

    let d = get("user-old").await["data"].clone();
    assert_eq!(d["is_valid"], false);
    assert_eq!(d["type"], "USER");
    assert_eq!(d["error"]["code"], 190);

    let d = get("nonsense").await["data"].clone();
    assert_eq!(d["is_valid"], false);

    // A token registered at runtime.
    sb.register_token(TokenInfo::new("late"));
    assert_eq!(get("late").await["data"]["is_valid"], true);
    sb.shutdown().await;
}

#[tokio::test]
async fn duplicates_are_counted() {
    let sb = start(SandboxConfig::default()).await;
    let mut a = text("16505551234", "same");
    a["biz_opaque_callback_data"] = json!("corr-1");
    send(&sb, &a).await;
    send(&sb, &a).await;
    let mut b = text("16505551234", "other");
    b["biz_opaque_callback_data"] = json!("corr-1");
    send(&sb, &b).await;
    send(&sb, &text("16505551234", "x")).await;
    send(&sb, &text("16505551234", "y")).await;
    assert_eq!(sb.accepted_messages().len(), 5);
    assert_eq!(sb.duplicate_count(), 2);
    let d = sb.duplicates();
    assert_eq!(d.same_body, 1);
    assert_eq!(d.same_callback_data, 2);
    assert_eq!(
        sb.accepted_messages()[0]
            .biz_opaque_callback_data
            .as_deref(),
        Some("corr-1")
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_ten_thousand_sends_at_64_concurrency() {
    use futures_like::*;
    let sb = start(SandboxConfig::default()).await;
    let c = client();
    let url = std::sync::Arc::new(messages_url(&sb));
    let total = 10_000usize;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (c, url, next) = (c.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break ok;
                }
                let mut b = text(&format!("1650555{:04}", i % 10_000), "drill");
                b["biz_opaque_callback_data"] = json!(format!("drill-{i}"));
                let r = c
                    .post(url.as_str())
                    .bearer_auth("sandbox-token")
                    .json(&b)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let _ = r.bytes().await.unwrap();
                ok += 1;
            }
        }));
    }
    let ok: usize = join_all(tasks).await;
    assert_eq!(ok, total);
    assert_eq!(sb.request_count(), total);
    let acc = sb.accepted_messages();
    assert_eq!(acc.len(), total);
    assert_eq!(sb.duplicate_count(), 0);
    let ids: HashSet<_> = acc.iter().map(|m| m.wamid.clone()).collect();
    assert_eq!(ids.len(), total);
    eprintln!("10,000 sends in {:?}", started.elapsed());
    sb.shutdown().await;
}

mod futures_like {
    pub async fn join_all(tasks: Vec<tokio::task::JoinHandle<usize>>) -> usize {
        let mut n = 0;
        for t in tasks {
            n += t.await.unwrap();
        }
        n
    }
}
