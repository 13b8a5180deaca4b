//! Management calls through the layers: the management limits (4, 80007) are retried, a wait
//! of minutes (133016) is not, an unanswered create is reported as an unknown outcome and not
//! repeated while an unanswered list is, auth failures get guidance, and deadlines hold.

mod account_support;

use std::time::Duration;

use account_support::{builder, client, error_answer, hits, json, path, DropAfterWriting, WABA_ID};
use serde_json::json;
use wacloud::error::RetryClass;
use wacloud::layers::facts::{Management, Operation};
use wacloud::models::templates::{NewTemplate, TemplateBody, TemplateCategory};
use wacloud::Error;
use wiremock::matchers::{method, path as at};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn template() -> NewTemplate {
    NewTemplate::new("spring_sale", "en_US", TemplateCategory::Marketing)
        .body(TemplateBody::new("Spring sale: 20% off today"))
}

fn created() -> serde_json::Value {
    json!({"id": "572279198452421", "status": "PENDING", "category": "MARKETING"})
}

#[tokio::test]
async fn a_waba_rate_limit_80007_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(error_answer(400, "80007-rate-limit-issues.json"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(at(path(&[WABA_ID, "message_templates"])))
        .respond_with(json(200, json!({"data": [{"id": "1", "name": "a", "language": "en", "status": "APPROVED", "category": "UTILITY"}]})))
        .mount(&server)
        .await;
    let templates = client(&server)
        .business_account()
        .templates()
        .list()
        .await
        .expect("listed after two throttled answers");
    assert_eq!(templates.len(), 1);
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn an_app_rate_limit_4_is_retried_even_for_a_create() {
    // An error answer proves the create was not acted on, so repeating it is safe.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(400, "4-api-too-many-calls.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(json(200, created()))
        .mount(&server)
        .await;
    let created = client(&server)
        .business_account()
        .templates()
        .create(template())
        .await
        .unwrap();
    assert_eq!(created.id, "572279198452421");
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn throttling_that_outlasts_the_schedule_is_reported_with_its_class() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(error_answer(400, "80007-rate-limit-issues.json"))
        .mount(&server)
        .await;
    let error = client(&server)
        .business_account()
        .templates()
        .list()
        .await
        .unwrap_err();
    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("{error:?} after {} requests", hits(&server).await)
    };
    assert_eq!(exhausted.class, RetryClass::Throttled);
    assert_eq!(error.code(), Some(80007));
    assert_eq!(hits(&server).await, 4, "1 attempt and 3 retries");
}

#[tokio::test]
async fn a_register_rate_limit_133016_waits_for_the_caller() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(400, "133016-register-rate-limit.json"))
        .mount(&server)
        .await;
    let error = client(&server)
        .phone_number()
        .register("123456")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(133016));
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(
        hits(&server).await,
        1,
        "a wait of minutes is not sat through"
    );
}

#[tokio::test]
async fn a_create_whose_answer_never_came_is_reported_not_repeated() {
    let server = DropAfterWriting::start(1, created()).await;
    let client = builder(&server.base_url).build().unwrap();
    let error = client
        .business_account()
        .templates()
        .create(template())
        .await
        .unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else {
        panic!("expected an unknown outcome, got {error:?}")
    };
    assert_eq!(
        unknown.operation,
        Operation::Manage(Management::not_idempotent("template-create"))
    );
    assert!(error.is_outcome_unknown());
    assert!(
        error.to_string().contains("may have acted on it"),
        "{error}"
    );
    assert_eq!(server.requests(), 1, "the create was not sent again");
    assert!(server.bodies()[0].contains("spring_sale"));
}

#[tokio::test]
async fn a_register_whose_answer_never_came_is_reported_not_repeated() {
    let server = DropAfterWriting::start(1, json!({"success": true})).await;
    let client = builder(&server.base_url).build().unwrap();
    let error = client.phone_number().register("123456").await.unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown(_)), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_list_whose_answer_never_came_is_repeated() {
    let server = DropAfterWriting::start(1, json!({"data": []})).await;
    let client = builder(&server.base_url).build().unwrap();
    let templates = client.business_account().templates().list().await.unwrap();
    assert!(templates.is_empty());
    assert_eq!(server.requests(), 2, "reading twice is harmless");
}

#[tokio::test]
async fn an_expired_token_on_a_management_call_gets_guidance() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(error_answer(401, "190-access-token-expired.json"))
        .mount(&server)
        .await;
    let error = client(&server)
        .business_account()
        .templates()
        .list()
        .await
        .unwrap_err();
    let Error::Auth(auth) = &error else {
        panic!("{error:?}")
    };
    assert!(auth.token_expired());
    assert!(
        error.to_string().contains("whatsapp_business_management"),
        "{error}"
    );
}

#[tokio::test]
async fn a_list_deadline_covers_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [], "paging": {"cursors": {"after": "N"}, "next": "https://x/y"}}))
                .set_delay(Duration::from_millis(400)),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let error = client
        .business_account()
        .templates()
        .list()
        .deadline(Duration::from_millis(250))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::DeadlineExceeded(_)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}
