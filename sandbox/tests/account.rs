//! The account endpoints over raw HTTP: Meta's shapes (paging with `next` only when a page
//! follows, the 139100 partial failure answered 200 with both lists and an error, the
//! Marketing Messages API refusing anything but a template), independent of the client.

mod common;

use common::{client, post_json, start, V};
use serde_json::{json, Value};
use wacloud_sandbox::SandboxConfig;

async fn get(url: &str) -> (u16, Value) {
    let r = client()
        .get(url)
        .bearer_auth("sandbox-token")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn template_pages_carry_cursors_and_next_until_the_last() {
    let sb = start(SandboxConfig::default()).await;
    let base = format!(
        "{}/{V}/{}/message_templates",
        sb.base_url(),
        sb.config().waba_id
    );
    let mut url = format!("{base}?limit=3");
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = get(&url).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for t in page["data"].as_array().unwrap() {
            for key in ["id", "name", "language", "status", "category", "components"] {
                assert!(t.get(key).is_some(), "{key} missing in {t}");
            }
            names.push(t["name"].as_str().unwrap().to_owned());
        }
        assert!(page["paging"]["cursors"]["after"].is_string());
        match page["paging"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((pages, names.len()), (3, 8));
    let (status, error) = get(&format!("{base}?status=NOPE")).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 100);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_partial_block_failure_is_http_200_with_both_lists_and_an_error() {
    let sb = start(SandboxConfig::default().undeliverable("+16505550199")).await;
    let url = format!(
        "{}/{V}/{}/block_users",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let body = json!({"messaging_product": "whatsapp", "block_users": [{"user": "+16505550101"}, {"user": "+16505550199"}]});
    let (status, answer, _) = post_json(&client(), &url, "sandbox-token", &body).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["block_users"]["added_users"][0]["wa_id"],
        "16505550101"
    );
    assert_eq!(
        answer["block_users"]["failed_users"][0]["errors"][0]["code"],
        139100
    );
    assert_eq!(answer["error"]["code"], 139100);
    sb.shutdown().await;
}

#[tokio::test]
async fn marketing_messages_take_templates_only() {
    let sb = start(SandboxConfig::default()).await;
    let url = format!(
        "{}/{V}/{}/marketing_messages",
        sb.base_url(),
        sb.config().phone_number_id
    );
    let text = json!({"messaging_product": "whatsapp", "to": "+16505550101", "type": "text", "text": {"body": "hi"}});
    let (status, error, _) = post_json(&client(), &url, "sandbox-token", &text).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], 134102);
    let bad_policy = json!({"messaging_product": "whatsapp", "to": "+16505550101", "type": "template",
        "template": {"name": "spring_sale", "language": {"code": "en_US"}}, "product_policy": "SOMETIMES"});
    let (status, error, _) = post_json(&client(), &url, "sandbox-token", &bad_policy).await;
    assert_eq!((status, error["error"]["code"].as_i64()), (400, Some(100)));
    let mut ok = bad_policy.clone();
    ok["product_policy"] = json!("STRICT");
    let (status, answer, _) = post_json(&client(), &url, "sandbox-token", &ok).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messages"][0]["message_status"], "accepted");
    assert_eq!(sb.accepted_count(), 1);
    sb.shutdown().await;
}
