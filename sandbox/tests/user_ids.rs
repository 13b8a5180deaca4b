//! Sends by business-scoped user id: `recipient` instead of `to`, `user_id` in the answer and
//! in status webhooks, `to` winning when both are present, 131062 for an authentication
//! template to a user id, and the pair faults keyed by the id.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use wacloud_sandbox::{Fault, FaultRule, SandboxConfig};

const BSUID: &str = "US.13491208655302741918";
const PARENT: &str = "US.ENT.11815799212886844830";

fn text_to_user(recipient: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "recipient_type": "individual",
           "recipient": recipient, "type": "text", "text": {"body": body}})
}

fn template(name: &str) -> Value {
    json!({"messaging_product": "whatsapp", "type": "template",
           "template": {"name": name, "language": {"code": "en_US"}, "components": [
               {"type": "body", "parameters": [{"type": "text", "text": "123456"}]},
               {"type": "button", "sub_type": "url", "index": "0",
                "parameters": [{"type": "text", "text": "123456"}]}]}})
}

#[tokio::test]
async fn a_bsuid_or_parent_send_is_answered_with_user_id() {
    let sb = start(SandboxConfig::default()).await;
    for id in [BSUID, PARENT] {
        let (status, v) = send(&sb, &text_to_user(id, "hi")).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["contacts"], json!([{"input": id, "user_id": id}]));
        assert!(v["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid."));
    }
    let accepted = sb.accepted_messages();
    assert_eq!(accepted[0].user_id.as_deref(), Some(BSUID));
    assert_eq!(accepted[0].to, BSUID);
    assert_eq!(accepted[0].wa_id, "");
    // A phone number is answered as before.
    let (status, v) = send(&sb, &text("+1 650 555 1234", "hi")).await;
    assert_eq!(status, 200);
    assert_eq!(
        v["contacts"],
        json!([{"input": "+1 650 555 1234", "wa_id": "16505551234"}])
    );
    assert_eq!(sb.accepted_messages()[2].user_id, None);
    sb.shutdown().await;
}

#[tokio::test]
async fn to_wins_over_recipient() {
    let sb = start(SandboxConfig::default()).await;
    let mut body = text_to_user(BSUID, "hi");
    body["to"] = json!("16505551234");
    let (status, v) = send(&sb, &body).await;
    assert_eq!(status, 200);
    assert_eq!(
        v["contacts"],
        json!([{"input": "16505551234", "wa_id": "16505551234"}])
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_or_missing_recipients_are_refused() {
    let sb = start(SandboxConfig::default()).await;
    let long = format!("US.{}", "1".repeat(129));
    for bad in [
        "US.",
        "us.123",
        "USA.123",
        "US.12-3",
        "US.ENT.",
        long.as_str(),
    ] {
        let (status, v) = send(&sb, &text_to_user(bad, "hi")).await;
        assert_eq!(status, 400, "{bad}");
        assert_graph_error(&v, 131009);
    }
    let (status, v) = send(&sb, &text_to_user(BSUID, "hi")).await;
    assert_eq!(status, 200, "{v}");
    let mut neither = text_to_user(BSUID, "hi");
    neither.as_object_mut().unwrap().remove("recipient");
    let (status, v) = send(&sb, &neither).await;
    assert_eq!(status, 400);
    assert_graph_error(&v, 131008);
    let (status, v) = send(&sb, &text_to_user(BSUID, "hi")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(sb.accepted_count(), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_authentication_template_to_a_bsuid_is_131062() {
    let sb = start(SandboxConfig::default().authentication_template("login_code")).await;
    let mut to_user = template("login_code");
    to_user["recipient"] = json!(BSUID);
    let (status, v) = send(&sb, &to_user).await;
    assert_eq!(status, 400);
    assert_graph_error(&v, 131062);
    assert_eq!(sb.accepted_count(), 0);
    // The request is still recorded, `recipient` and no `to`.
    let recorded = sb.requests()[0].json().unwrap();
    assert_eq!(recorded["recipient"], BSUID);
    assert!(recorded.get("to").is_none());

    // To the user's phone number it goes; another template goes to the user id.
    let mut to_phone = template("login_code");
    to_phone["to"] = json!("+16505551234");
    assert_eq!(send(&sb, &to_phone).await.0, 200);
    let mut other = template("order_update");
    other["recipient"] = json!(BSUID);
    assert_eq!(send(&sb, &other).await.0, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn statuses_of_a_bsuid_send_carry_recipient_user_id() {
    let (rx, url) = Receiver::start().await;
    let sb = start(
        SandboxConfig::default()
            .webhook_url(url)
            .status_delay(Duration::from_millis(5))
            .undeliverable(PARENT),
    )
    .await;
    let (status, v) = send(&sb, &text_to_user(BSUID, "hi")).await;
    assert_eq!(status, 200);
    let wamid = v["messages"][0]["id"].as_str().unwrap().to_string();
    rx.wait(3).await;
    let statuses = rx.statuses("sandbox-app-secret");
    assert_eq!(statuses.len(), 3);
    for s in &statuses {
        assert_eq!(s["id"], wamid.as_str());
        assert_eq!(s["recipient_user_id"], BSUID);
        assert!(s.get("recipient_id").is_none(), "{s}");
    }
    // A user id can be marked undeliverable, like a number.
    send(&sb, &text_to_user(PARENT, "hi")).await;
    rx.wait(4).await;
    let failed = rx.statuses("sandbox-app-secret");
    assert_eq!(failed[3]["status"], "failed");
    assert_eq!(failed[3]["recipient_user_id"], PARENT);
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn pair_faults_key_on_the_user_id() {
    let sb = start(SandboxConfig::default()).await;
    sb.inject(FaultRule::new(Fault::PairLimit {
        interval: Duration::from_secs(6),
    }));
    assert_eq!(send(&sb, &text_to_user(BSUID, "1")).await.0, 200);
    let (status, v) = send(&sb, &text_to_user(BSUID, "2")).await;
    assert_eq!(status, 400);
    assert_graph_error(&v, 131056);
    // The phone number made of the same digits is another user.
    assert_eq!(send(&sb, &text("+13491208655302", "3")).await.0, 200);
    sb.clear_faults();

    // Meta's model: a bot's four messages in a row pass.
    sb.inject(
        FaultRule::new(Fault::PairBurst {
            interval: Duration::from_secs(6),
            burst: 45,
        })
        .for_recipient(PARENT),
    );
    for n in 0..4 {
        assert_eq!(
            send(&sb, &text_to_user(PARENT, &n.to_string())).await.0,
            200
        );
    }
    sb.shutdown().await;
}
