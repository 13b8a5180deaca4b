//! Sends addressed by business-scoped user id, against a mock Cloud API: the body must equal
//! the fixture under `wiremock-fixtures/requests/` (`recipient`, no `to`), and the answer in
//! the shape Meta gives for such a send (`contacts[].input` and `user_id`, no `wa_id`) must
//! keep the user id.

mod common;

use common::{fixture, messages_path, quiet_client};
use wacloud::messages::{OutgoingMessage, SendResponse, Text};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn send_expecting(message: OutgoingMessage, request: &str, response: &str) -> SendResponse {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(fixture(&format!("requests/{request}.json"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture(response)))
        .expect(1)
        .mount(&server)
        .await;
    let sent = quiet_client(&server)
        .send(message)
        .await
        .unwrap_or_else(|err| panic!("{request}: {err}"));
    server.verify().await;
    sent
}

#[tokio::test]
async fn a_bsuid_send_matches_its_fixture_and_keeps_user_id() {
    for (id, request, response) in [
        (
            "US.13491208655302741918",
            "text-bsuid",
            "responses/send-ok-user-id.json",
        ),
        (
            "US.ENT.11815799212886844830",
            "text-parent-bsuid",
            "responses/send-ok-parent-user-id.json",
        ),
    ] {
        let message = OutgoingMessage::new(id, Text::new("Your order shipped"));
        let sent = send_expecting(message, request, response).await;
        let expected = fixture(response);
        assert_eq!(
            sent.message_id().map(|id| id.as_str()),
            expected["messages"][0]["id"].as_str()
        );
        assert_eq!(sent.user_id(), Some(id));
        assert_eq!(sent.wa_id(), None);
        assert_eq!(sent.contacts[0].input, id);
        assert_eq!(sent.contacts[0].user_id(), Some(id));
        assert_eq!(sent.contacts[0].wa_id(), None);
        // Serializing the answer keeps what Meta sent.
        let again = serde_json::to_value(&sent).unwrap();
        assert_eq!(again["contacts"], expected["contacts"]);
    }
}

#[test]
fn a_phone_answer_has_no_user_id() {
    let sent: SendResponse = serde_json::from_value(fixture("responses/send-ok.json")).unwrap();
    assert_eq!(sent.wa_id(), Some("16505551234"));
    assert_eq!(sent.user_id(), None);
    let again = serde_json::to_value(&sent).unwrap();
    assert!(again["contacts"][0].get("user_id").is_none());
}
