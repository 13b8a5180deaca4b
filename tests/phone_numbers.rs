//! Phone numbers against wiremock: the account's numbers (paged), one number's state, codes,
//! registration (PIN, data localization region), deregistration and the two-step PIN, with
//! their inputs checked before anything is sent.

mod account_support;

use account_support::{client, hits, json, path, success, PHONE_NUMBER_ID, WABA_ID};
use serde_json::json;
use wacloud::calls::status::{QualityRating, ThroughputLevel};
use wacloud::models::phone_numbers::CodeMethod;
use wacloud::Error;
use wiremock::matchers::{body_json, method, path as at, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer};

#[tokio::test]
async fn the_accounts_numbers_follow_every_page() {
    let server = MockServer::start().await;
    let list = path(&[WABA_ID, "phone_numbers"]);
    Mock::given(method("GET"))
        .and(at(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(json(200, json!({
            "data": [{"id": "1", "display_phone_number": "+1 555-0100", "verified_name": "A", "quality_rating": "GREEN",
                      "throughput": {"level": "STANDARD"}, "whatsapp_business_manager_messaging_limit": "TIER_2K"}],
            "paging": {"cursors": {"after": "P1"}, "next": "https://x/y?after=P1"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(list))
        .and(query_param("after", "P1"))
        .respond_with(json(200, json!({"data": [{"id": "2", "quality_rating": "RED"}], "paging": {"cursors": {"after": "P2"}}})))
        .mount(&server)
        .await;
    let numbers = client(&server)
        .business_account()
        .phone_numbers()
        .await
        .unwrap();
    assert_eq!(numbers.len(), 2);
    assert_eq!(
        numbers[0].throughput.as_ref().unwrap().level,
        ThroughputLevel::Standard
    );
    assert_eq!(numbers[0].messaging_limit.as_deref(), Some("TIER_2K"));
    assert_eq!(numbers[1].quality_rating, QualityRating::Red);
    let first = &server.received_requests().await.unwrap()[0];
    assert!(
        first.url.query().unwrap().contains("fields="),
        "{}",
        first.url
    );
}

#[tokio::test]
async fn one_numbers_state() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(at(path(&["106540352242999"])))
        .and(query_param(
            "fields",
            wacloud::calls::status::NUMBER_STATE_FIELDS,
        ))
        .respond_with(json(
            200,
            json!({"id": "106540352242999", "name_status": "APPROVED", "quality_rating": "YELLOW"}),
        ))
        .mount(&server)
        .await;
    let state = client(&server)
        .phone_number_with_id("106540352242999")
        .get()
        .await
        .unwrap();
    assert_eq!(state.quality_rating, QualityRating::Yellow);
}

#[tokio::test]
async fn codes_registration_and_pin() {
    let server = MockServer::start().await;
    let posts = [
        (
            "request_code",
            json!({"code_method": "VOICE", "language": "en_US"}),
        ),
        ("verify_code", json!({"code": "123456"})),
        (
            "register",
            json!({"messaging_product": "whatsapp", "pin": "654321", "data_localization_region": "DE"}),
        ),
    ];
    for (edge, body) in posts {
        Mock::given(method("POST"))
            .and(at(path(&[PHONE_NUMBER_ID, edge])))
            .and(body_json(body))
            .respond_with(success())
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(at(path(&[PHONE_NUMBER_ID, "deregister"])))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(at(path(&[PHONE_NUMBER_ID])))
        .and(body_json(json!({"pin": "111222"})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let number = client(&server).phone_number();
    number
        .request_code(CodeMethod::Voice, "en_US")
        .await
        .unwrap();
    number.verify_code("123-456").await.unwrap();
    number
        .register("654321")
        .data_localization_region("DE")
        .await
        .unwrap();
    number.deregister().await.unwrap();
    number.set_two_step_pin("111222").await.unwrap();
}

#[tokio::test]
async fn bad_inputs_are_refused_before_sending() {
    let server = MockServer::start().await;
    let number = client(&server).phone_number();
    let field = |error: Error| match error {
        Error::Validation(validation) => validation.field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(number.register("12345").await.unwrap_err()), "pin");
    assert_eq!(
        field(
            number
                .register("123456")
                .data_localization_region("Germany")
                .await
                .unwrap_err()
        ),
        "data_localization_region"
    );
    assert_eq!(
        field(number.set_two_step_pin("abcdef").await.unwrap_err()),
        "pin"
    );
    assert_eq!(field(number.verify_code("12").await.unwrap_err()), "code");
    assert_eq!(
        field(
            number
                .request_code(CodeMethod::Sms, "en US")
                .await
                .unwrap_err()
        ),
        "language"
    );
    assert_eq!(
        field(
            client(&server)
                .phone_number_with_id("")
                .deregister()
                .await
                .unwrap_err()
        ),
        "phone_number_id"
    );
    assert_eq!(hits(&server).await, 0);
    // The PIN never shows in debug output.
    let debug = format!("{:?}", number.register("987654"));
    assert!(!debug.contains("987654"), "{debug}");
}

#[tokio::test]
async fn a_wrong_pin_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(account_support::error_answer(
            400,
            "133005-two-step-pin-mismatch.json",
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone_number()
        .register("123456")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(133005));
    assert!(error.to_string().contains("PIN"), "{error}");
}
