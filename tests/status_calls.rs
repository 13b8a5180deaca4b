//! Mark as read, typing indicator and number state against a mock Graph API.

mod common;

use common::{client, fixture, PHONE_NUMBER_ID, TEST_TOKEN};
use serde_json::json;
use wacloud::calls::status::{
    CodeVerificationStatus, NameStatus, PlatformType, QualityRating, ThroughputLevel,
    NUMBER_STATE_FIELDS,
};
use wacloud::Error;
use wacloud::DEFAULT_API_VERSION;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WAMID: &str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA";

fn messages_path() -> String {
    format!("/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/messages")
}

#[tokio::test]
async fn mark_read_posts_exactly_metas_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header(
            "authorization",
            format!("Bearer {TEST_TOKEN}").as_str(),
        ))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": WAMID,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/success.json")))
        .expect(1)
        .mount(&server)
        .await;

    client(&server).mark_read(WAMID).await.expect("marked read");

    let received = server.received_requests().await.unwrap();
    assert_eq!(
        std::str::from_utf8(&received[0].body).unwrap(),
        format!(r#"{{"messaging_product":"whatsapp","status":"read","message_id":"{WAMID}"}}"#)
    );
}

#[tokio::test]
async fn typing_indicator_adds_the_typing_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header(
            "authorization",
            format!("Bearer {TEST_TOKEN}").as_str(),
        ))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": WAMID,
            "typing_indicator": {"type": "text"},
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/success.json")))
        .expect(1)
        .mount(&server)
        .await;

    let wamid = wacloud::messages::Wamid(WAMID.to_owned());
    client(&server)
        .typing_indicator(&wamid)
        .await
        .expect("typing shown");
}

#[tokio::test]
async fn a_success_false_answer_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": false})))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server).mark_read(WAMID).await.unwrap_err();
    let Error::Decode(decode) = err else {
        panic!("expected a decode error, got {err:?}");
    };
    assert!(decode.reason.contains("success"), "{decode}");
}

#[tokio::test]
async fn an_empty_message_id_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;

    let err = client(&server).typing_indicator("  ").await.unwrap_err();
    assert!(err.is_local_rejection(), "{err:?}");
    let Error::Validation(validation) = err else {
        panic!("expected a validation error");
    };
    assert_eq!(validation.field, "message_id");
}

#[tokio::test]
async fn a_graph_error_on_mark_read_is_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": {
                "message": "(#100) Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_data": {"messaging_product": "whatsapp", "details": "Invalid message_id"},
                "fbtrace_id": "AbCdEf"
            }
        })))
        .expect(1)
        .mount(&server)
        .await;

    let err = client(&server)
        .mark_read("wamid.unknown")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(100));
    assert_eq!(err.http_status(), Some(400));
}

#[tokio::test]
async fn number_state_asks_for_the_fields_and_decodes_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}")))
        .and(query_param("fields", NUMBER_STATE_FIELDS))
        .and(header(
            "authorization",
            format!("Bearer {TEST_TOKEN}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("responses/number-state.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let state = client(&server).number_state().await.expect("number state");
    assert_eq!(state.id.as_deref(), Some(PHONE_NUMBER_ID));
    assert_eq!(
        state.display_phone_number.as_deref(),
        Some("+1 555-010-0001")
    );
    assert_eq!(state.verified_name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(state.quality_rating, QualityRating::Green);
    assert_eq!(
        state.throughput.map(|throughput| throughput.level),
        Some(ThroughputLevel::Standard)
    );
    assert_eq!(
        state.code_verification_status,
        Some(CodeVerificationStatus::Verified)
    );
    assert_eq!(state.name_status, Some(NameStatus::Approved));
    assert_eq!(state.platform_type, Some(PlatformType::CloudApi));
    assert_eq!(state.messaging_limit.as_deref(), Some("TIER_2K"));
    assert_eq!(state.messaging_limit_tier, None);

    let fields: Vec<&str> = NUMBER_STATE_FIELDS.split(',').collect();
    for field in [
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "throughput",
    ] {
        assert!(fields.contains(&field), "{field} must be requested");
    }
}

#[tokio::test]
async fn number_state_keeps_unknown_values_and_tolerates_missing_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("responses/number-state-lenient.json")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let state = client(&server)
        .number_state()
        .await
        .expect("lenient decode");
    assert_eq!(
        state.quality_rating,
        QualityRating::Other("AMBER".to_owned())
    );
    assert_eq!(
        state
            .throughput
            .as_ref()
            .map(|throughput| &throughput.level),
        Some(&ThroughputLevel::Other("TURBO".to_owned()))
    );
    assert_eq!(
        state.name_status,
        Some(NameStatus::Other("UNDER_APPEAL".to_owned()))
    );
    assert_eq!(state.display_phone_number, None);
    assert_eq!(state.code_verification_status, None);
    assert_eq!(state.messaging_limit, None);
    assert_eq!(state.messaging_limit_tier.as_deref(), Some("TIER_1K"));
}

#[tokio::test]
async fn number_state_without_quality_or_throughput_reads_as_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": PHONE_NUMBER_ID})))
        .mount(&server)
        .await;

    let state = client(&server)
        .number_state()
        .await
        .expect("minimal decode");
    assert_eq!(state.quality_rating, QualityRating::Unknown);
    assert_eq!(state.throughput, None);
    assert_eq!(state.platform_type, None);
}
