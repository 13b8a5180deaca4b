//! Every outbound message type, sent to a mock Cloud API: the body must equal the fixture under
//! `wiremock-fixtures/requests/` (shaped like Meta's documented examples) and the typed answer
//! must carry what the fixture under `wiremock-fixtures/responses/` says.

mod common;

use common::{fixture, messages_path, quiet_client, TEST_TOKEN};
use serde_json::json;
use wacloud::messages::{
    Address, Audio, Contact, ContactUrl, Contacts, Document, Email, Flow, FlowMode, Header, Image,
    Interactive, LanguagePolicy, Location, MediaSource, MessageStatus, Org, OutgoingMessage,
    Parameter, Phone, Reaction, ReplyButton, Row, Section, SendResponse, Sticker, Template, Text,
    Video,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TO: &str = "+16505551234";
const WAMID: &str = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

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

#[tokio::test]
async fn text_with_preview_url() {
    let text = Text::new(
        "As requested, here's the link to our latest product: https://www.meta.com/quest/quest-3/",
    )
    .preview_url(true);
    assert_sends(to(text), "text").await;
}

#[tokio::test]
async fn text_as_a_reply_carries_context() {
    let message = to(Text::new("Thanks, your order is on its way.")).reply_to(WAMID);
    assert_sends(message, "text-reply").await;
}

#[tokio::test]
async fn user_callback_data_is_sent_as_given() {
    let message =
        to(Text::new("Your appointment is confirmed.")).callback_data("order-42|appointment-7");
    assert_sends(message, "text-callback").await;
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
    let image = Image::from_id("1479537139650973").caption("The best succulent ever?");
    assert_sends(to(image), "image-id").await;
}

#[tokio::test]
async fn image_by_link() {
    let image = Image::from_link(
        "https://upload.wikimedia.org/wikipedia/commons/a/a5/Echeveria_%27Black_Prince%27.jpg",
    )
    .caption("Black Prince");
    assert_sends(to(image), "image-link").await;
}

#[tokio::test]
async fn video_by_id() {
    let video = Video::from_id("1166846181421424").caption("A succulent eclipse!");
    assert_sends(to(video), "video-id").await;
}

#[tokio::test]
async fn video_by_link() {
    let video = Video::from_link("https://www.example.com/media/eclipse.mp4");
    assert_sends(to(video), "video-link").await;
}

#[tokio::test]
async fn audio_by_id() {
    assert_sends(to(Audio::from_id("1013859600285441")), "audio-id").await;
}

#[tokio::test]
async fn audio_as_voice_message() {
    let voice = Audio::from_id("1013859600285441").voice(true);
    assert_sends(to(voice), "audio-voice").await;
}

#[tokio::test]
async fn audio_by_link() {
    let audio = Audio::from_link("https://www.example.com/media/voice-note.ogg");
    assert_sends(to(audio), "audio-link").await;
}

#[tokio::test]
async fn document_by_id() {
    let document = Document::from_id("1376223850470843")
        .filename("order_abc123.pdf")
        .caption("Your order confirmation (PDF)");
    assert_sends(to(document), "document-id").await;
}

#[tokio::test]
async fn document_by_link() {
    let document = Document::new(MediaSource::link(
        "https://www.example.com/invoices/invoice-42.pdf",
    ))
    .filename("invoice-42.pdf");
    assert_sends(to(document), "document-link").await;
}

#[tokio::test]
async fn sticker_by_id() {
    assert_sends(to(Sticker::from_id("798882015472548")), "sticker-id").await;
}

#[tokio::test]
async fn sticker_by_link() {
    let sticker = Sticker::from_link("https://www.example.com/stickers/wave.webp");
    assert_sends(to(sticker), "sticker-link").await;
}

#[tokio::test]
async fn location_with_name_and_address() {
    let location = Location::new(37.44216251868683, -122.16153582049394)
        .name("Philz Coffee")
        .address("101 Forest Ave, Palo Alto, CA 94301");
    assert_sends(to(location), "location").await;
}

#[tokio::test]
async fn contacts_with_every_field() {
    let barbara = Contact::new("Barbara J. Johnson")
        .first_name("Barbara")
        .last_name("Johnson")
        .middle_name("Joana")
        .suffix("Esq.")
        .prefix("Dr.")
        .address(
            Address::new()
                .street("1 Lucky Shrub Way")
                .city("Menlo Park")
                .state("CA")
                .zip("94025")
                .country("United States")
                .country_code("US")
                .kind("WORK"),
        )
        .birthday("1999-01-23")
        .email(Email::new("bjohnson@luckyshrub.com").kind("WORK"))
        .email(Email::new("bjohnson@luckyshrubplants.com").kind("HOME"))
        .org(
            Org::new("Lucky Shrub")
                .department("Legal")
                .title("Lead Counsel"),
        )
        .phone(
            Phone::new("+1 (415) 555-0001")
                .kind("WORK")
                .wa_id("14155550001"),
        )
        .phone(Phone::new("+1 (415) 555-0002").kind("HOME"))
        .url(ContactUrl::new("https://www.luckyshrub.com").kind("WORK"));
    let pablo = Contact::new("Pablo Morales").phone(Phone::new("+1 (940) 555-1234"));
    let contacts = Contacts::new([barbara]).contact(pablo);
    assert_sends(to(contacts), "contacts").await;
}

#[tokio::test]
async fn interactive_reply_buttons_with_text_header_and_footer() {
    let buttons = Interactive::buttons(
        "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to reschedule. Thank you!",
        [
            ReplyButton::new("change-button", "Change"),
            ReplyButton::new("cancel-button", "Cancel"),
        ],
    )
    .header(Header::text("Appointment"))
    .footer("Lucky Shrub: Your gateway to succulents!");
    assert_sends(to(buttons), "interactive-buttons").await;
}

#[tokio::test]
async fn interactive_reply_buttons_with_image_header() {
    let buttons = Interactive::buttons(
        "Is this the succulent you ordered?",
        [
            ReplyButton::new("yes", "Yes"),
            ReplyButton::new("no", "No"),
            ReplyButton::new("unsure", "Not sure"),
        ],
    )
    .header(Header::image(MediaSource::id("2762702990552401")));
    assert_sends(to(buttons), "interactive-buttons-image-header").await;
}

#[tokio::test]
async fn interactive_list_with_two_sections() {
    let list = Interactive::list(
        "Which shipping option do you prefer?",
        "Shipping Options",
        [
            Section::new([
                Row::new("priority_express", "Priority Mail Express")
                    .description("Next Day to 2 Days"),
                Row::new("priority_mail", "Priority Mail").description("1–3 Days"),
            ])
            .title("I want it ASAP!"),
            Section::new([])
                .title("I can wait a bit")
                .row(
                    Row::new("usps_ground_advantage", "USPS Ground Advantage")
                        .description("2–5 Days"),
                )
                .row(Row::new("media_mail", "Media Mail")),
        ],
    )
    .header(Header::text("Choose Shipping Option"))
    .footer("Lucky Shrub: Your gateway to succulents™");
    assert_sends(to(list), "interactive-list").await;
}

#[tokio::test]
async fn interactive_cta_url_with_image_header() {
    let cta = Interactive::cta_url(
        "Tap the button below to see available dates.",
        "See Dates",
        "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4",
    )
    .header(Header::image(MediaSource::link(
        "https://www.luckyshrub.com/assets/succulents/aloe.png",
    )))
    .footer("Dates subject to change.");
    assert_sends(to(cta), "interactive-cta-url").await;
}

#[tokio::test]
async fn interactive_flow_navigate_with_data() {
    let flow = Flow::by_id("1", "Book!")
        .token("AQAAAAACS5FpgQ_cAAAAAD0QI3s.")
        .navigate_with_data(
            "RECOMMEND",
            json!({"product_name": "name", "product_description": "description", "product_price": 100}),
        );
    let message = Interactive::flow("Flow message body", flow)
        .header(Header::text("Flow message header"))
        .footer("Flow message footer");
    assert_sends(to(message), "interactive-flow").await;
}

#[tokio::test]
async fn interactive_flow_by_name_data_exchange_draft() {
    let flow = Flow::by_name("rewards_signup", "Sign up")
        .data_exchange()
        .mode(FlowMode::Draft);
    let message = Interactive::flow("Sign up for our rewards club", flow);
    assert_sends(to(message), "interactive-flow-data-exchange").await;
}

fn template_with_every_parameter_type() -> Template {
    Template::new("order_delivery_update", "en_US")
        .language_policy(LanguagePolicy::Deterministic)
        .header([Parameter::image(MediaSource::link(
            "https://www.luckyshrub.com/media/images/pothos.jpg",
        ))])
        .body([
            Parameter::text("Pablo"),
            Parameter::currency("$100.99", "USD", 100_990),
            Parameter::date_time("February 25, 1977"),
        ])
        .quick_reply_button(0, "stop-promotions")
        .url_button(1, "order/8c3d")
        .copy_code_button(2, "SAVE25")
}

#[tokio::test]
async fn template_with_every_parameter_type_and_button_kind() {
    assert_sends(
        to(template_with_every_parameter_type()),
        "template-all-parameters",
    )
    .await;
}

#[tokio::test]
async fn template_with_named_parameters_and_document_header() {
    let template = Template::new("order_confirmation", "en_US")
        .header([Parameter::document_with_filename(
            MediaSource::id("1376223850470843"),
            "order_abc123.pdf",
        )])
        .body([
            Parameter::text("Jessica").name("customer_name"),
            Parameter::text("SKBUP2-4CPIG9").name("order_number"),
        ]);
    assert_sends(to(template), "template-named-document").await;
}

#[tokio::test]
async fn template_with_video_header() {
    let template = Template::new("product_launch", "es_MX")
        .header([Parameter::video(MediaSource::id("1166846181421424"))]);
    assert_sends(to(template), "template-video-header").await;
}

#[tokio::test]
async fn template_without_parameters() {
    assert_sends(
        to(Template::new("hello_world", "en_US")),
        "template-no-parameters",
    )
    .await;
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
        to(template_with_every_parameter_type()),
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
        to(Template::new("hello_world", "en_US")),
        "template-no-parameters",
        "responses/send-held.json",
    )
    .await;
    assert_eq!(
        sent.message_status(),
        Some(&MessageStatus::HeldForQualityAssessment)
    );
}

#[tokio::test]
async fn reaction_set() {
    assert_sends(to(Reaction::new(WAMID, "\u{1F600}")), "reaction").await;
}

#[tokio::test]
async fn reaction_remove() {
    assert_sends(to(Reaction::remove(WAMID)), "reaction-remove").await;
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
        .send(to(
            Image::from_id("1479537139650973").caption("The best succulent ever?")
        ))
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
    let message =
        to(Text::new("Your appointment is confirmed.")).callback_data("order-42|appointment-7");
    client.send(message).await.expect("the send succeeds");
    server.verify().await;
    let body = only_body(&server).await;
    assert_eq!(body["biz_opaque_callback_data"], "order-42|appointment-7");
}
