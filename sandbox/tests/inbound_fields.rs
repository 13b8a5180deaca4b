//! Inbound messages from users known only by their business-scoped user id, and the
//! non-message webhook fields, delivered signed like every other webhook.

mod common;

use common::*;
use serde_json::{json, Value};
use wacloud_sandbox::SandboxConfig;

const SECRET: &str = "sandbox-app-secret";
const BSUID: &str = "US.13491208655302741918";

fn change(body: &[u8]) -> (String, Value, Value) {
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["object"], "whatsapp_business_account");
    let entry = v["entry"][0].clone();
    let change = &entry["changes"][0];
    (
        change["field"].as_str().unwrap().to_owned(),
        change["value"].clone(),
        entry,
    )
}

#[tokio::test]
async fn bsuid_only_inbound_message() {
    let (rx, url) = Receiver::start().await;
    let sb = start(SandboxConfig::default().webhook_url(&url)).await;
    let id = sb
        .post_inbound_text_from_user_id(BSUID, Some("sheena.nelson"), "hi, no number here")
        .await
        .unwrap();
    let got = rx.wait(1).await;
    assert!(verify(SECRET, &got[0].0, &got[0].1));
    let (field, value, _) = change(&got[0].0);
    assert_eq!(field, "messages");
    assert_eq!(value["metadata"]["phone_number_id"], "100000000000001");
    let contact = &value["contacts"][0];
    assert_eq!(contact["user_id"], BSUID);
    assert_eq!(contact["profile"]["username"], "sheena.nelson");
    assert!(contact.get("wa_id").is_none());
    let m = &value["messages"][0];
    assert_eq!(m["from_user_id"], BSUID);
    assert!(m.get("from").is_none());
    assert_eq!(m["id"], id.as_str());
    assert!(id.starts_with("wamid."));
    assert_eq!(m["text"]["body"], "hi, no number here");

    // Any type, and a `from` given by mistake is removed: the user shares no number.
    sb.post_inbound_from_user_id(
        BSUID,
        None,
        json!({"from": "16505551234", "type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "x"}}),
    )
    .await
    .unwrap();
    let got = rx.wait(2).await;
    let (_, value, _) = change(&got[1].0);
    assert!(value["messages"][0].get("from").is_none());
    assert!(value["contacts"][0]["profile"].get("username").is_none());
    sb.shutdown().await;
}

#[tokio::test]
async fn template_and_quality_fields() {
    let (rx, url) = Receiver::start().await;
    let sb = start(SandboxConfig::default().webhook_url(&url)).await;
    sb.post_template_status("order_confirmation", "en_US", "APPROVED", None)
        .await
        .unwrap();
    sb.post_template_status(
        "order_confirmation",
        "en_US",
        "REJECTED",
        Some("INVALID_FORMAT"),
    )
    .await
    .unwrap();
    sb.post_template_quality("order_confirmation", "en_US", "GREEN", "YELLOW")
        .await
        .unwrap();
    sb.post_phone_number_quality("DOWNGRADE", "TIER_2K")
        .await
        .unwrap();
    sb.post_user_preference(BSUID, "stop").await.unwrap();
    sb.post_field("account_review_update", json!({"decision": "APPROVED"}))
        .await
        .unwrap();
    let got = rx.wait(6).await;
    assert!(got.iter().all(|(body, sig)| verify(SECRET, body, sig)));
    let changes: Vec<_> = got.iter().map(|(b, _)| change(b)).collect();

    let (field, v, entry) = &changes[0];
    assert_eq!(field, "message_template_status_update");
    assert_eq!(entry["id"], "200000000000001");
    assert!(entry["time"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(v["event"], "APPROVED");
    assert_eq!(v["reason"], "NONE");
    assert_eq!(v["message_template_name"], "order_confirmation");
    assert_eq!(v["message_template_language"], "en_US");
    // A number, the same one for the same template.
    let template_id = v["message_template_id"].as_u64().unwrap();
    assert_eq!(
        changes[1].1["message_template_id"].as_u64(),
        Some(template_id)
    );
    assert_eq!(changes[1].1["reason"], "INVALID_FORMAT");
    // No messaging metadata on template fields.
    assert!(v.get("metadata").is_none());

    let (field, v, _) = &changes[2];
    assert_eq!(field, "message_template_quality_update");
    assert_eq!(v["previous_quality_score"], "GREEN");
    assert_eq!(v["new_quality_score"], "YELLOW");

    let (field, v, _) = &changes[3];
    assert_eq!(field, "phone_number_quality_update");
    assert_eq!(v["event"], "DOWNGRADE");
    assert_eq!(v["current_limit"], "TIER_2K");
    assert_eq!(v["display_phone_number"], "15550100001");

    let (field, v, _) = &changes[4];
    assert_eq!(field, "user_preferences");
    assert_eq!(v["metadata"]["phone_number_id"], "100000000000001");
    assert_eq!(v["user_preferences"][0]["user_id"], BSUID);
    assert_eq!(v["user_preferences"][0]["value"], "stop");

    assert_eq!(changes[5].0, "account_review_update");
    assert_eq!(changes[5].1["decision"], "APPROVED");
    sb.shutdown().await;
}
