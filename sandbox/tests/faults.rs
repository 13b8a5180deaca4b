//! Fault injection over real HTTP.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use serde_json::json;
use wacloud_sandbox::{Fault, FaultRule, Outcome, SandboxConfig};

#[tokio::test(start_paused = true)]
async fn outage_window_answers_code_2_then_recovers() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::Outage).for_duration(Duration::from_millis(300)));
    let (s, v) = send(&sb, &text("16505551234", "a")).await;
    assert_eq!(s, 503);
    assert_graph_error(&v, 2);
    assert_eq!(v["error"]["is_transient"], true);
    assert_eq!(
        v["error"]["message"],
        "(#2) Service temporarily unavailable"
    );
    // Other endpoints are down too.
    let url = format!("{}/v23.0/{}", sb.base_url(), sb.config().phone_number_id);
    let r = client()
        .get(&url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    tokio::time::advance(Duration::from_millis(350)).await;
    let (s, _) = send(&sb, &text("16505551234", "b")).await;
    assert_eq!(s, 200);
    assert_eq!(sb.accepted_messages().len(), 1);
    assert_eq!(sb.active_faults(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn outage_from_config_for_n_requests() {
    let sb =
        start(SandboxConfig::default().fault(FaultRule::new(Fault::Outage).sends_only().times(2)))
            .await;
    // Not a send: unaffected.
    let (s, _) = send(
        &sb,
        &json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(send(&sb, &text("16505551234", "a")).await.0, 503);
    assert_eq!(send(&sb, &text("16505551234", "a")).await.0, 503);
    assert_eq!(send(&sb, &text("16505551234", "a")).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn throttle_answers_130429_with_retry_after() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::Throttle {
        per_second: 3,
        retry_after: Some(Duration::from_secs(2)),
    }));
    let c = client();
    let url = messages_url(&sb);
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..5 {
        let (s, v, h) = post_json(
            &c,
            &url,
            "sandbox-token",
            &text(&format!("165055500{i:02}"), "t"),
        )
        .await;
        statuses.push(s);
        if s != 200 {
            last = Some((v, h));
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    let (v, h) = last.unwrap();
    assert_graph_error(&v, 130429);
    assert_eq!(h.get("retry-after").unwrap(), "2");
    assert_eq!(sb.accepted_messages().len(), 3);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn pair_limit_hits_one_recipient_while_another_goes_on() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::PairLimit {
        interval: Duration::from_millis(400),
    }));
    let a = "16505550001";
    let b = "16505550002";
    assert_eq!(send(&sb, &text(a, "1")).await.0, 200);
    let (s, v) = send(&sb, &text(a, "2")).await;
    assert_eq!(s, 400);
    assert_graph_error(&v, 131056);
    assert_eq!(send(&sb, &text(b, "1")).await.0, 200);
    assert_eq!(send(&sb, &text("+1 650 555 0001", "3")).await.0, 400);
    tokio::time::advance(Duration::from_millis(450)).await;
    assert_eq!(send(&sb, &text(a, "4")).await.0, 200);
    let to: Vec<String> = sb
        .accepted_messages()
        .into_iter()
        .map(|m| m.wa_id)
        .collect();
    assert_eq!(to, vec![a, b, a]);
    sb.shutdown().await;
}

#[tokio::test]
async fn drop_before_acting_accepts_nothing() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(
        FaultRule::new(Fault::DropBeforeActing)
            .sends_only()
            .times(1),
    );
    let c = client();
    let r = c
        .post(messages_url(&sb))
        .bearer_auth("sandbox-token")
        .json(&text("16505551234", "x"))
        .send()
        .await;
    assert!(r.is_err(), "expected a connection error, got {r:?}");
    assert_eq!(sb.accepted_messages().len(), 0);
    assert_eq!(sb.request_count(), 1);
    assert_eq!(sb.requests()[0].outcome, Outcome::DroppedBeforeActing);
    // The next one goes through.
    let (s, _, _) = post_json(
        &c,
        &messages_url(&sb),
        "sandbox-token",
        &text("16505551234", "x"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(sb.accepted_messages().len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn drop_after_acting_accepts_but_does_not_answer() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(
        FaultRule::new(Fault::DropAfterActing)
            .for_recipient("+1 650 555 1234")
            .times(1),
    );
    let c = client();
    let mut body = text("16505551234", "x");
    body["biz_opaque_callback_data"] = json!("corr-9");
    let r = c
        .post(messages_url(&sb))
        .bearer_auth("sandbox-token")
        .json(&body)
        .send()
        .await;
    assert!(r.is_err(), "expected a connection error, got {r:?}");
    let acc = sb.accepted_messages();
    assert_eq!(acc.len(), 1);
    match &sb.requests()[0].outcome {
        Outcome::DroppedAfterActing { wamid: Some(w) } => assert_eq!(*w, acc[0].wamid),
        o => panic!("unexpected outcome {o:?}"),
    }
    // A blind retry is a duplicate the sandbox can count.
    let (s, _, _) = post_json(&c, &messages_url(&sb), "sandbox-token", &body).await;
    assert_eq!(s, 200);
    assert_eq!(sb.duplicate_count(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn raw_answers_and_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let sb = start(SandboxConfig::default().fixtures_dir(dir)).await;
    let c = client();
    let url = messages_url(&sb);

    sb.inject(FaultRule::new(Fault::html_502()).times(1));
    let r = c
        .post(&url)
        .bearer_auth("sandbox-token")
        .json(&text("16505551234", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("Bad Gateway"));

    sb.inject(FaultRule::new(Fault::truncated_json()).times(1));
    let r = c
        .post(&url)
        .bearer_auth("sandbox-token")
        .json(&text("16505551234", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.bytes().await.unwrap()).is_err());

    sb.inject(FaultRule::new(Fault::ok_with_error_body()).times(1));
    let (s, v, _) = post_json(&c, &url, "sandbox-token", &text("16505551234", "x")).await;
    assert_eq!(s, 200);
    assert_graph_error(&v, 131000);

    sb.inject(
        FaultRule::new(Fault::Raw {
            status: 500,
            content_type: "text/plain".into(),
            body: Bytes::new(),
        })
        .times(1),
    );
    let r = c
        .post(&url)
        .bearer_auth("sandbox-token")
        .json(&text("16505551234", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);

    sb.inject(
        FaultRule::new(Fault::Fixture {
            status: 500,
            path: "error-131000.json".into(),
        })
        .times(1),
    );
    let (s, v, _) = post_json(&c, &url, "sandbox-token", &text("16505551234", "x")).await;
    assert_eq!(s, 500);
    assert_eq!(v["error"]["fbtrace_id"], "AFixtureTraceId000000001");

    sb.inject(
        FaultRule::new(Fault::Fixture {
            status: 503,
            path: "does-not-exist.json".into(),
        })
        .times(1),
    );
    let r = c
        .post(&url)
        .bearer_auth("sandbox-token")
        .json(&text("16505551234", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);

    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 500,
            code: 131057,
            message: "(#131057) Account in maintenance mode".into(),
        })
        .times(1),
    );
    let (s, v, _) = post_json(&c, &url, "sandbox-token", &text("16505551234", "x")).await;
    assert_eq!(s, 500);
    assert_graph_error(&v, 131057);

    assert_eq!(sb.accepted_messages().len(), 0);
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn auth_faults() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(
        FaultRule::new(Fault::Auth {
            code: 190,
            subcode: Some(463),
        })
        .times(1),
    );
    sb.inject(
        FaultRule::new(Fault::Auth {
            code: 10,
            subcode: None,
        })
        .times(1),
    );
    sb.inject(
        FaultRule::new(Fault::Auth {
            code: 200,
            subcode: None,
        })
        .times(1),
    );
    let (s, v) = send(&sb, &text("16505551234", "x")).await;
    assert_eq!(s, 401);
    assert_graph_error(&v, 190);
    assert_eq!(v["error"]["error_subcode"], 463);
    let (s, v) = send(&sb, &text("16505551234", "x")).await;
    assert_eq!(s, 403);
    assert_graph_error(&v, 10);
    let (s, v) = send(&sb, &text("16505551234", "x")).await;
    assert_eq!(s, 403);
    assert_graph_error(&v, 200);
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn latency_and_path_scope() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(
        FaultRule::new(Fault::Latency(Duration::from_millis(150)))
            .for_path("/messages")
            .times(1),
    );
    sb.inject(FaultRule::new(Fault::Outage).for_path("debug_token"));
    let t = std::time::Instant::now();
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    let r = client()
        .get(format!(
            "{}/v23.0/debug_token?input_token=sandbox-token",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    sb.clear_faults();
    let r = client()
        .get(format!(
            "{}/v23.0/debug_token?input_token=sandbox-token",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn delayed_start_window() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(
        FaultRule::new(Fault::Outage)
            .starting_after(Duration::from_millis(200))
            .for_duration(Duration::from_millis(200)),
    );
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    tokio::time::advance(Duration::from_millis(220)).await;
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 503);
    tokio::time::advance(Duration::from_millis(220)).await;
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn five_minute_outage_under_paused_time() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(300)));
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 503);
    tokio::time::advance(Duration::from_secs(299)).await;
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 503);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(send(&sb, &text("16505551234", "x")).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn pair_limit_under_paused_time() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::PairLimit {
        interval: Duration::from_secs(6),
    }));
    let c = client();
    let url = messages_url(&sb);
    assert_eq!(
        post_json(&c, &url, "sandbox-token", &text("16505550001", "a"))
            .await
            .0,
        200
    );
    for i in 0..20 {
        let to = format!("165055510{i:02}");
        assert_eq!(
            post_json(&c, &url, "sandbox-token", &text(&to, "b"))
                .await
                .0,
            200
        );
    }
    assert_eq!(
        post_json(&c, &url, "sandbox-token", &text("16505550001", "a"))
            .await
            .0,
        400
    );
    tokio::time::advance(Duration::from_secs(6)).await;
    assert_eq!(
        post_json(&c, &url, "sandbox-token", &text("16505550001", "a"))
            .await
            .0,
        200
    );
    sb.shutdown().await;
}
