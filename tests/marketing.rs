//! The Marketing Messages API against wiremock: the path and its two fields, the send's answer
//! and errors (131063 with what to do), templates only, recipient rules, and an unanswered
//! send reported with its correlation id rather than repeated.

mod account_support;

use account_support::{
    builder, client, error_answer, hits, json, path, DropAfterWriting, PHONE_NUMBER_ID,
};
use serde_json::json;
use wacloud::calls::marketing::ProductPolicy;
use wacloud::messages::{MessageStatus, OutgoingMessage, Parameter, Template};
use wacloud::Error;
use wiremock::matchers::{body_partial_json, method, path as at};
use wiremock::{Mock, MockServer};

fn sale(to: &str) -> OutgoingMessage {
    OutgoingMessage::new(
        to,
        Template::new("spring_sale", "en_US").body([Parameter::text("Pablo")]),
    )
}

fn accepted() -> serde_json::Value {
    json!({"messaging_product": "whatsapp",
           "contacts": [{"input": "+16505551234", "wa_id": "16505551234"}],
           "messages": [{"id": "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", "message_status": "accepted"}]})
}

#[tokio::test]
async fn a_template_goes_to_marketing_messages_with_its_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(at(path(&[PHONE_NUMBER_ID, "marketing_messages"])))
        .and(body_partial_json(json!({
            "messaging_product": "whatsapp",
            "to": "+16505551234",
            "type": "template",
            "template": {"name": "spring_sale", "language": {"code": "en_US"}},
            "product_policy": "STRICT",
            "message_activity_sharing": true
        })))
        .respond_with(json(200, accepted()))
        .expect(1)
        .mount(&server)
        .await;
    let sent = client(&server)
        .send_marketing(sale("+16505551234"))
        .product_policy(ProductPolicy::Strict)
        .message_activity_sharing(true)
        .await
        .unwrap();
    assert!(sent.message_id().is_some());
    assert_eq!(sent.message_status(), Some(&MessageStatus::Accepted));
    let body: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    let correlation = body["biz_opaque_callback_data"].as_str().unwrap();
    assert!(correlation.starts_with("wacloud-"), "{body}");
}

#[tokio::test]
async fn without_options_no_extra_fields_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(200, accepted()))
        .mount(&server)
        .await;
    client(&server)
        .send_marketing(sale("+16505551234"))
        .await
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert!(body.get("product_policy").is_none() && body.get("message_activity_sharing").is_none());
}

#[tokio::test]
async fn only_templates_and_only_valid_recipients_are_sent() {
    let server = MockServer::start().await;
    let client = client(&server);
    let error = client
        .send_marketing(OutgoingMessage::new(
            "+16505551234",
            wacloud::messages::Text::new("hi"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "type"),
        "{error:?}"
    );
    let error = client.send_marketing(sale("12")).await.unwrap_err();
    assert!(matches!(error, Error::RecipientRejected(_)), "{error:?}");
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn marketing_disabled_on_the_cloud_api_says_what_to_do() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(
            400,
            "131063-marketing-disabled-on-cloud-api.json",
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .send_marketing(sale("+16505551234"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(131063));
    let text = error.to_string();
    assert!(text.contains("Marketing Messages API"), "{text}");
    assert_eq!(hits(&server).await, 1, "never retried");
}

#[tokio::test]
async fn an_unanswered_marketing_send_is_an_unknown_outcome() {
    let server = DropAfterWriting::start(1, accepted()).await;
    let client = builder(&server.base_url).build().unwrap();
    let error = client
        .send_marketing(sale("+16505551234"))
        .await
        .unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else {
        panic!("{error:?}")
    };
    let id = unknown.correlation_id.as_deref().expect("a correlation id");
    assert!(server.bodies()[0].contains(id));
    assert!(
        error.to_string().contains("the message may have been sent"),
        "{error}"
    );
    assert_eq!(server.requests(), 1);
    // Allowed to, it repeats.
    let server = DropAfterWriting::start(1, accepted()).await;
    let client = builder(&server.base_url).build().unwrap();
    client
        .send_marketing(sale("+16505551234"))
        .retry_unknown_outcome(true)
        .await
        .unwrap();
    assert_eq!(server.requests(), 2);
}
