//! Every outbound message type, sent to a mock Cloud API: the body must equal the fixture under
//! `wiremock-fixtures/requests/` (shaped like Meta's documented examples) and the typed answer
//! must carry what the fixture under `wiremock-fixtures/responses/` says.

mod common;

use common::{fixture, messages_path, quiet_client, TEST_TOKEN};
use serde_json::json;
use wacloud::messages::{Audio, MessageStatus, OutgoingMessage, Parameter, SendResponse, Template};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TO: &str = "+16505551234";

/// Mounts a mock that answers `response` only to a POST whose body equals
/// `requests/{request}.json`, sends `message`, and checks the mock was hit exactly once.
async fn send_expecting(message: OutgoingMessage, request: &str, response: &str) -> SendResponse {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header("authorization", format!("Bearer {TEST_TOKEN}")))
        .and(body_json(fixture(&format!("requests/{request}.json"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture(response)))
        .expect(1)
        .named(request)
        .mount(&server)
        .await;
    let client = quiet_client(&server);
    let sent = match client.send(message).await {
        Ok(sent) => sent,
        Err(err) => {
            let bodies: Vec<String> = server
                .received_requests()
                .await
                .unwrap_or_default()
                .iter()
                .map(|request| String::from_utf8_lossy(&request.body).into_owned())
                .collect();
            panic!("send failed for {request}: {err}; the server received {bodies:#?}");
        }
    };
    server.verify().await;
    sent
}

/// Sends and checks the answer matches `responses/send-ok.json`.
async fn assert_sends(message: OutgoingMessage, request: &str) {
    let sent = send_expecting(message, request, "responses/send-ok.json").await;
    let expected = fixture("responses/send-ok.json");
    assert_eq!(
        sent.message_id().map(|id| id.as_str()),
        expected["messages"][0]["id"].as_str()
    );
    assert_eq!(sent.wa_id(), Some("16505551234"));
    assert_eq!(sent.message_status(), None);
    assert_eq!(sent.contacts[0].input, TO);
}

fn to(content: impl Into<wacloud::messages::MessageContent>) -> OutgoingMessage {
    OutgoingMessage::new(TO, content)
}

/// The shared case whose fixture is `name` (see [`common::message_cases`]), sent to [`TO`].
fn case(name: &str) -> OutgoingMessage {
    let (content, envelope) = common::message_case(name);
    envelope(to(content))
}

#[tokio::test]
async fn text_with_preview_url() {
    assert_sends(case("text"), "text").await;
}

#[tokio::test]
async fn text_as_a_reply_carries_context() {
    assert_sends(case("text-reply"), "text-reply").await;
}

#[tokio::test]
async fn user_callback_data_is_sent_as_given() {
    assert_sends(case("text-callback"), "text-callback").await;
}

#[tokio::test]
async fn send_text_shorthand() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "type": "text",
            "text": {"body": "Your order shipped"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/send-ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let sent = quiet_client(&server)
        .send_text(TO, "Your order shipped")
        .await
        .expect("send_text succeeds");
    assert_eq!(sent.wa_id(), Some("16505551234"));
    server.verify().await;
}

#[tokio::test]
async fn image_by_id() {
    assert_sends(case("image-id"), "image-id").await;
}

#[tokio::test]
async fn image_by_link() {
    assert_sends(case("image-link"), "image-link").await;
}

#[tokio::test]
async fn video_by_id() {
    assert_sends(case("video-id"), "video-id").await;
}

#[tokio::test]
async fn video_by_link() {
    assert_sends(case("video-link"), "video-link").await;
}

#[tokio::test]
async fn audio_by_id() {
    assert_sends(case("audio-id"), "audio-id").await;
}

#[tokio::test]
async fn audio_as_voice_message() {
    let voice = Audio::from_id("1013859600285441").voice(true);
    assert_sends(to(voice), "audio-voice").await;
}

#[tokio::test]
async fn audio_by_link() {
    assert_sends(case("audio-link"), "audio-link").await;
}

#[tokio::test]
async fn document_by_id() {
    assert_sends(case("document-id"), "document-id").await;
}

#[tokio::test]
async fn document_by_link() {
    assert_sends(case("document-link"), "document-link").await;
}

#[tokio::test]
async fn sticker_by_id() {
    assert_sends(case("sticker-id"), "sticker-id").await;
}

#[tokio::test]
async fn sticker_by_link() {
    assert_sends(case("sticker-link"), "sticker-link").await;
}

#[tokio::test]
async fn location_with_name_and_address() {
    assert_sends(case("location"), "location").await;
}

#[tokio::test]
async fn contacts_with_every_field() {
    assert_sends(case("contacts"), "contacts").await;
}

#[tokio::test]
async fn interactive_reply_buttons_with_text_header_and_footer() {
    assert_sends(case("interactive-buttons"), "interactive-buttons").await;
}

#[tokio::test]
async fn interactive_reply_buttons_with_image_header() {
    assert_sends(
        case("interactive-buttons-image-header"),
        "interactive-buttons-image-header",
    )
    .await;
}

#[tokio::test]
async fn interactive_list_with_two_sections() {
    assert_sends(case("interactive-list"), "interactive-list").await;
}

#[tokio::test]
async fn interactive_cta_url_with_image_header() {
    assert_sends(case("interactive-cta-url"), "interactive-cta-url").await;
}

#[tokio::test]
async fn interactive_flow_navigate_with_data() {
    assert_sends(case("interactive-flow"), "interactive-flow").await;
}

#[tokio::test]
async fn interactive_flow_by_name_data_exchange_draft() {
    assert_sends(
        case("interactive-flow-data-exchange"),
        "interactive-flow-data-exchange",
    )
    .await;
}

#[tokio::test]
async fn template_with_every_parameter_type_and_button_kind() {
    assert_sends(case("template-all-parameters"), "template-all-parameters").await;
}

#[tokio::test]
async fn template_with_named_parameters_and_document_header() {
    assert_sends(case("template-named-document"), "template-named-document").await;
}

#[tokio::test]
async fn template_with_video_header() {
    assert_sends(case("template-video-header"), "template-video-header").await;
}

#[tokio::test]
async fn template_without_parameters() {
    assert_sends(case("template-no-parameters"), "template-no-parameters").await;
}

#[tokio::test]
async fn template_with_flow_button() {
    let template = Template::new("feedback_survey", "en_US")
        .body([Parameter::text("Pablo")])
        .flow_button(
            0,
            Parameter::flow_action(
                Some("AQAAAAACS5FpgQ_cAAAAAD0QI3s.".to_owned()),
                Some(json!({"customer_id": "cust-42", "order_total": 100})),
            ),
        );
    assert_sends(to(template), "template-flow-button").await;
}

#[tokio::test]
async fn paced_template_answer_is_accepted() {
    let sent = send_expecting(
        case("template-all-parameters"),
        "template-all-parameters",
        "responses/send-accepted.json",
    )
    .await;
    assert_eq!(sent.message_status(), Some(&MessageStatus::Accepted));
    assert_eq!(
        sent.message_id().map(|id| id.as_str()),
        Some("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBIyRjg1MTgzMzM2QjVGNjhEMTQA")
    );
    assert_eq!(sent.wa_id(), Some("16505551234"));
}

#[tokio::test]
async fn paced_template_answer_held_for_quality_assessment() {
    let sent = send_expecting(
        case("template-no-parameters"),
        "template-no-parameters",
        "responses/send-held.json",
    )
    .await;
    assert_eq!(
        sent.message_status(),
        Some(&MessageStatus::HeldForQualityAssessment)
    );
}

/// Every interactive kind beyond buttons, lists, CTA URLs and flows, and every template
/// component beyond header, body and plain buttons, each sent to a mock that answers only the
/// exact body of its fixture.
#[tokio::test]
async fn commerce_request_and_template_component_kinds() {
    let cases = common::commerce_and_request_cases();
    assert_eq!(cases.len(), 16);
    for (name, content, envelope) in cases {
        assert_sends(envelope(to(content)), name).await;
    }
}

#[tokio::test]
async fn paced_template_answer_keeps_unknown_status_verbatim() {
    let server = MockServer::start().await;
    let answer = json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": TO, "wa_id": "16505551234"}],
        "messages": [{"id": "wamid.X1", "message_status": "throttled_for_pacing"}]
    });
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(2)
        .mount(&server)
        .await;
    let client = quiet_client(&server);
    let sent = client.send(case("template-no-parameters")).await.unwrap();
    assert_eq!(
        sent.message_status(),
        Some(&MessageStatus::Other("throttled_for_pacing".to_owned()))
    );
    assert_eq!(
        sent.message_status().map(MessageStatus::as_str),
        Some("throttled_for_pacing")
    );
    // Written back verbatim too, so a stored answer round-trips.
    let stored = serde_json::to_value(&sent).unwrap();
    assert_eq!(
        stored["messages"][0]["message_status"],
        "throttled_for_pacing"
    );
    let paused: SendResponse = serde_json::from_value(json!({
        "messages": [{"id": "wamid.X2", "message_status": "paused"}]
    }))
    .unwrap();
    assert_eq!(paused.message_status(), Some(&MessageStatus::Paused));
    let _ = client.send(case("template-no-parameters")).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn reaction_set() {
    assert_sends(case("reaction"), "reaction").await;
}

#[tokio::test]
async fn reaction_remove() {
    assert_sends(case("reaction-remove"), "reaction-remove").await;
}

/// The JSON body of the one request the server received.
async fn only_body(server: &MockServer) -> serde_json::Value {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    serde_json::from_slice(&requests[0].body).expect("a JSON body")
}

#[tokio::test]
async fn default_client_adds_a_correlation_id_as_callback_data() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(|request: &Request| {
            serde_json::from_slice::<serde_json::Value>(&request.body)
                .ok()
                .and_then(|body| body["biz_opaque_callback_data"].as_str().map(str::to_owned))
                .is_some_and(|data| data.starts_with("wacloud-"))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/send-ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server);
    client
        .send(case("image-id"))
        .await
        .expect("the send succeeds");
    server.verify().await;

    let mut body = only_body(&server).await;
    let data = body["biz_opaque_callback_data"]
        .as_str()
        .expect("callback data is a string")
        .to_owned();
    let hex = data.strip_prefix("wacloud-").expect("the wacloud- prefix");
    assert_eq!(hex.len(), 16, "16 hex digits in {data}");
    assert!(
        hex.bytes().all(|b| b.is_ascii_hexdigit()),
        "hex digits in {data}"
    );
    // Apart from the callback data, the body is exactly the documented image message.
    body.as_object_mut()
        .expect("an object")
        .remove("biz_opaque_callback_data");
    assert_eq!(body, fixture("requests/image-id.json"));
}

#[tokio::test]
async fn default_client_keeps_user_callback_data_untouched() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(fixture("requests/text-callback.json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/send-ok.json")))
        .expect(1)
        .mount(&server)
        .await;
    let client = common::client(&server);
    client
        .send(case("text-callback"))
        .await
        .expect("the send succeeds");
    server.verify().await;
    let body = only_body(&server).await;
    assert_eq!(body["biz_opaque_callback_data"], "order-42|appointment-7");
}
