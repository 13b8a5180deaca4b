//! Templates against wiremock: list (filters, every page, one page, a repeated cursor), get,
//! create (typed, from JSON, from the library; a definition that breaks a limit sends
//! nothing), edit, delete by name and by id, and the management-only client.

mod account_support;

use account_support::{client, hits, json, path, success, PHONE_NUMBER_ID, WABA_ID};
use futures_util::TryStreamExt;
use serde_json::json;
use wacloud::models::templates::{
    LibraryButtonInput, NewTemplate, TemplateBody, TemplateButton, TemplateCategory, TemplateEdit,
    TemplateHeader, TemplateStatus,
};
use wacloud::{Client, Error};
use wiremock::matchers::{body_json, method, path as at, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer};

fn item(id: &str, name: &str, status: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "language": "en_US", "status": status, "category": "UTILITY",
           "components": [{"type": "BODY", "text": "Hello"}]})
}

async fn two_pages(server: &MockServer) {
    let list = path(&[WABA_ID, "message_templates"]);
    Mock::given(method("GET"))
        .and(at(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(json(
            200,
            json!({
                "data": [item("1", "first", "APPROVED"), item("2", "second", "PENDING")],
                "paging": {"cursors": {"before": "B1", "after": "C1"},
                           "next": "https://graph.facebook.com/v24.0/x/message_templates?after=C1"}
            }),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(at(list))
        .and(query_param("after", "C1"))
        .respond_with(json(
            200,
            json!({
                "data": [item("3", "third", "REJECTED")],
                "paging": {"cursors": {"before": "B2", "after": "C2"}}
            }),
        ))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_list_follows_every_page_in_order() {
    let server = MockServer::start().await;
    two_pages(&server).await;
    let templates = client(&server)
        .business_account()
        .templates()
        .list()
        .await
        .unwrap();
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["first", "second", "third"]);
    assert_eq!(templates[2].status, TemplateStatus::Rejected);
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_stream_yields_items_and_filters_go_into_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(at(path(&[WABA_ID, "message_templates"])))
        .and(query_param("status", "APPROVED"))
        .and(query_param("category", "UTILITY"))
        .and(query_param("language", "en_US"))
        .and(query_param("name", "order"))
        .and(query_param("limit", "2"))
        .respond_with(json(
            200,
            json!({"data": [item("1", "order_update", "APPROVED")]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let stream = client(&server)
        .business_account()
        .templates()
        .list()
        .status(TemplateStatus::Approved)
        .category(TemplateCategory::Utility)
        .language("en_US")
        .name("order")
        .limit(2)
        .stream();
    let items: Vec<_> = stream.try_collect().await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, "1");
}

#[tokio::test]
async fn one_page_on_request_and_the_next_from_its_cursor() {
    let server = MockServer::start().await;
    two_pages(&server).await;
    let templates = client(&server).business_account().templates();
    let first = templates.list().page().await.unwrap();
    assert_eq!(first.data.len(), 2);
    assert_eq!(first.after().as_deref(), Some("C1"));
    let second = templates.list().after("C1").page().await.unwrap();
    assert_eq!(second.data.len(), 1);
    assert_eq!(second.after(), None, "the last page has no next link");
}

#[tokio::test]
async fn a_repeated_cursor_is_reported_not_looped_on() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(
            200,
            json!({
                "data": [item("1", "loop", "APPROVED")],
                "paging": {"cursors": {"after": "SAME"}, "next": "https://x/y?after=SAME"}
            }),
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .business_account()
        .templates()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("repeated a cursor"), "{error}");
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_bad_page_size_is_refused_before_sending() {
    let server = MockServer::start().await;
    let error = client(&server)
        .business_account()
        .templates()
        .list()
        .limit(0)
        .await
        .unwrap_err();
    let Error::Validation(validation) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(validation.field, "limit");
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn get_reads_one_template() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(at(path(&["594425479261596"])))
        .respond_with(json(
            200,
            item("594425479261596", "order_update", "APPROVED"),
        ))
        .mount(&server)
        .await;
    let template = client(&server)
        .business_account()
        .templates()
        .get("594425479261596")
        .await
        .unwrap();
    assert_eq!(template.name, "order_update");
    assert_eq!(template.status, TemplateStatus::Approved);
    let error = client(&server)
        .business_account()
        .templates()
        .get("../me")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "template_id"),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_posts_metas_shape_and_reads_the_answer() {
    let server = MockServer::start().await;
    let expected = json!({
        "name": "order_shipped",
        "language": "en_US",
        "category": "UTILITY",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": {"header_text": ["8c3d"]}},
            {"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped.", "example": {"body_text": [["Pablo", "8c3d"]]}},
            {"type": "BUTTONS", "buttons": [
                {"type": "QUICK_REPLY", "text": "Thanks"},
                {"type": "URL", "text": "Track", "url": "https://example.com/t/{{1}}", "example": ["https://example.com/t/8c3d"]}
            ]}
        ]
    });
    Mock::given(method("POST"))
        .and(at(path(&[WABA_ID, "message_templates"])))
        .and(body_json(&expected))
        .respond_with(json(
            200,
            json!({"id": "572279198452421", "status": "PENDING", "category": "UTILITY"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let template = NewTemplate::new("order_shipped", "en_US", TemplateCategory::Utility)
        .header(TemplateHeader::text("Order {{1}}").example("8c3d"))
        .body(TemplateBody::new("Hi {{1}}, order {{2}} shipped.").examples(["Pablo", "8c3d"]))
        .button(TemplateButton::quick_reply("Thanks"))
        .button(
            TemplateButton::url("Track", "https://example.com/t/{{1}}")
                .example("https://example.com/t/8c3d"),
        );
    let created = client(&server)
        .business_account()
        .templates()
        .create(template)
        .await
        .unwrap();
    assert_eq!(created.id, "572279198452421");
    assert_eq!(created.status, TemplateStatus::Pending);
    assert_eq!(created.category, TemplateCategory::Utility);
}

#[tokio::test]
async fn a_definition_that_breaks_a_limit_names_the_field_and_sends_nothing() {
    let server = MockServer::start().await;
    let templates = client(&server).business_account().templates();
    let missing_example = NewTemplate::new("welcome", "en_US", TemplateCategory::Marketing)
        .body(TemplateBody::new("Hi {{1}}, welcome aboard!"));
    let error = templates.create(missing_example).await.unwrap_err();
    let Error::Validation(validation) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(validation.field, "components[0].example.body_text");
    let bad_name = NewTemplate::new("Welcome-Offer", "en_US", TemplateCategory::Marketing)
        .body(TemplateBody::new("Hello there"));
    let error = templates.create(bad_name).await.unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "name"),
        "{error:?}"
    );
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn create_from_json_and_from_the_library() {
    let server = MockServer::start().await;
    let from_file = json!({"name": "plain", "language": "en", "category": "MARKETING",
                           "components": [{"type": "BODY", "text": "Spring sale today"}]});
    let library = json!({"name": "delivery", "language": "en_US", "category": "UTILITY",
    "library_template_name": "delivery_update_1",
    "library_template_button_inputs": [
        {"type": "URL", "url": {"base_url": "https://example.com/{{1}}", "url_suffix_example": "https://example.com/x"}}
    ]});
    for (body, id) in [(&from_file, "11"), (&library, "12")] {
        Mock::given(method("POST"))
            .and(body_json(body))
            .respond_with(json(
                200,
                json!({"id": id, "status": "APPROVED", "category": "UTILITY"}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let templates = client(&server).business_account().templates();
    let created = templates
        .create(NewTemplate::from_json(from_file.clone()).unwrap())
        .await
        .unwrap();
    assert_eq!(created.id, "11");
    let created = templates
        .create(
            NewTemplate::from_library(
                "delivery",
                "en_US",
                TemplateCategory::Utility,
                "delivery_update_1",
            )
            .library_button_input(LibraryButtonInput::url(
                "https://example.com/{{1}}",
                "https://example.com/x",
            )),
        )
        .await
        .unwrap();
    assert_eq!(created.id, "12");
    assert_eq!(created.status, TemplateStatus::Approved);
}

#[tokio::test]
async fn edit_posts_to_the_template_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(at(path(&["594425479261596"])))
        .and(body_json(json!({"category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}, new offers!", "example": {"body_text": [["Pablo"]]}}]})))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .business_account()
        .templates()
        .edit(
            "594425479261596",
            TemplateEdit::new()
                .category(TemplateCategory::Marketing)
                .body(TemplateBody::new("Hi {{1}}, new offers!").examples(["Pablo"])),
        )
        .await
        .unwrap();
    let error = client(&server)
        .business_account()
        .templates()
        .edit("594425479261596", TemplateEdit::new())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
}

#[tokio::test]
async fn delete_by_name_and_by_id() {
    let server = MockServer::start().await;
    let list = path(&[WABA_ID, "message_templates"]);
    Mock::given(method("DELETE"))
        .and(at(list.clone()))
        .and(query_param("name", "order_update"))
        .and(query_param_is_missing("hsm_id"))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(at(list))
        .and(query_param("name", "order_update"))
        .and(query_param("hsm_id", "1407680676729941"))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;
    let templates = client(&server).business_account().templates();
    templates.delete_by_name("order_update").await.unwrap();
    templates
        .delete_by_id("1407680676729941", "order_update")
        .await
        .unwrap();
}

#[tokio::test]
async fn an_answer_without_success_is_not_a_success() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(json(200, json!({"success": false})))
        .mount(&server)
        .await;
    let error = client(&server)
        .business_account()
        .templates()
        .delete_by_name("x")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}

#[tokio::test]
async fn a_graph_error_comes_back_typed_with_guidance() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(account_support::error_answer(
            400,
            "100-invalid-parameter.json",
        ))
        .mount(&server)
        .await;
    let template = NewTemplate::new("plain", "en", TemplateCategory::Marketing)
        .body(TemplateBody::new("Spring sale"));
    let error = client(&server)
        .business_account()
        .templates()
        .create(template)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(100));
    assert!(error.to_string().contains("What to do"), "{error}");
    assert_eq!(hits(&server).await, 1, "100 is never retried");
}

#[tokio::test]
async fn a_management_only_client_manages_but_does_not_send() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({"data": []})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token("test-token")
        .business_account_id(WABA_ID)
        .base_url(server.uri())
        .build()
        .expect("a WABA id is enough to build");
    assert!(client
        .business_account()
        .templates()
        .list()
        .await
        .unwrap()
        .is_empty());
    let error = client.send_text("+16505551234", "hi").await.unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "phone_number_id"),
        "{error:?}"
    );
    assert_eq!(hits(&server).await, 1);
    // Without either id the builder still refuses.
    let error = Client::builder().access_token("t").build().unwrap_err();
    assert!(error.to_string().contains("phone_number_id"), "{error}");
}

#[tokio::test]
async fn without_a_business_account_id_the_call_names_the_field() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .build()
        .unwrap();
    let error = client
        .business_account()
        .templates()
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "business_account_id"),
        "{error:?}"
    );
    let error = client
        .business_account()
        .templates()
        .delete_by_name("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation(v) if v.field == "business_account_id"),
        "{error:?}"
    );
    assert_eq!(hits(&server).await, 0);
}
