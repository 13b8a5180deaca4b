//! Helpers shared by the integration tests. Only add functions here; never rename.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::json;
use wacloud::messages::{
    Address, Audio, Contact, ContactUrl, Contacts, Document, Email, Flow, FlowMode, Header, Image,
    Interactive, LanguagePolicy, Location, MediaSource, MessageContent, Org, OutgoingMessage,
    Parameter, Phone, Reaction, ReplyButton, Row, Section, Sticker, Template, Text, Video,
};

/// The token every test client uses.
pub const TEST_TOKEN: &str = "test-token";
/// The phone number id every test client uses.
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// The path of a file under `wiremock-fixtures/`.
pub fn fixture_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("wiremock-fixtures")
        .join(relative)
}

/// A fixture parsed as JSON, e.g. `fixture("responses/success.json")`.
pub fn fixture(relative: &str) -> serde_json::Value {
    let path = fixture_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("bad JSON in {relative}: {err}"))
}

/// A client pointed at a mock server, with the test token and phone number id.
pub fn client(server: &wiremock::MockServer) -> wacloud::Client {
    wacloud::Client::builder()
        .access_token(TEST_TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .build()
        .expect("a valid test client")
}

/// A client pointed at a mock server with correlation ids off, so a send's body is exactly the
/// message (no generated `biz_opaque_callback_data`) and can be matched against a fixture.
pub fn quiet_client(server: &wiremock::MockServer) -> wacloud::Client {
    wacloud::Client::builder()
        .access_token(TEST_TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .correlation_ids(false)
        .build()
        .expect("a valid test client")
}

/// The path of the send endpoint a test client posts to: `/{DEFAULT_API_VERSION}/{phone-number-id}/messages`.
pub fn messages_path() -> String {
    format!(
        "/{}/{PHONE_NUMBER_ID}/messages",
        wacloud::DEFAULT_API_VERSION
    )
}

/// The message id the reply and reaction cases point at (as in their fixtures).
const CASE_WAMID: &str = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

/// One case of [`message_cases`]: the fixture name under `wiremock-fixtures/requests/`, the
/// content, and what to add to the envelope.
pub type MessageCase = (
    &'static str,
    MessageContent,
    fn(OutgoingMessage) -> OutgoingMessage,
);

/// The content and envelope of the case whose fixture is `name`.
pub fn message_case(name: &str) -> (MessageContent, fn(OutgoingMessage) -> OutgoingMessage) {
    message_cases()
        .into_iter()
        .find(|(case, _, _)| *case == name)
        .map(|(_, content, envelope)| (content, envelope))
        .unwrap_or_else(|| panic!("no message case named {name}"))
}

/// The contacts message of the `contacts` case: one contact with every field, one minimal.
pub fn contacts_case() -> Contacts {
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
    Contacts::new([barbara]).contact(pablo)
}

/// Every message variant the model has, each with the fixture under
/// `wiremock-fixtures/requests/` its body must equal: shared by the mock tests
/// (`send_messages`) and the sandbox round trip, so both check the same messages. The envelope
/// options (reply context, callback data) ride on text.
pub fn message_cases() -> Vec<MessageCase> {
    fn plain(message: OutgoingMessage) -> OutgoingMessage {
        message
    }
    fn reply(message: OutgoingMessage) -> OutgoingMessage {
        message.reply_to(CASE_WAMID)
    }
    fn callback(message: OutgoingMessage) -> OutgoingMessage {
        message.callback_data("order-42|appointment-7")
    }
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
    let every_parameter = Template::new("order_delivery_update", "en_US")
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
        .copy_code_button(2, "SAVE25");
    let mut cases: Vec<MessageCase> = vec![
        (
            "text",
            Text::new(
                "As requested, here's the link to our latest product: https://www.meta.com/quest/quest-3/",
            )
            .preview_url(true)
            .into(),
            plain,
        ),
        ("text-reply", Text::new("Thanks, your order is on its way.").into(), reply),
        ("text-callback", Text::new("Your appointment is confirmed.").into(), callback),
        (
            "image-id",
            Image::from_id("1479537139650973").caption("The best succulent ever?").into(),
            plain,
        ),
        (
            "image-link",
            Image::from_link(
                "https://upload.wikimedia.org/wikipedia/commons/a/a5/Echeveria_%27Black_Prince%27.jpg",
            )
            .caption("Black Prince")
            .into(),
            plain,
        ),
        (
            "video-id",
            Video::from_id("1166846181421424").caption("A succulent eclipse!").into(),
            plain,
        ),
        (
            "video-link",
            Video::from_link("https://www.example.com/media/eclipse.mp4").into(),
            plain,
        ),
        ("audio-id", Audio::from_id("1013859600285441").into(), plain),
        (
            "audio-link",
            Audio::from_link("https://www.example.com/media/voice-note.ogg").into(),
            plain,
        ),
        (
            "document-id",
            Document::from_id("1376223850470843")
                .filename("order_abc123.pdf")
                .caption("Your order confirmation (PDF)")
                .into(),
            plain,
        ),
        (
            "document-link",
            Document::new(MediaSource::link("https://www.example.com/invoices/invoice-42.pdf"))
                .filename("invoice-42.pdf")
                .into(),
            plain,
        ),
        ("sticker-id", Sticker::from_id("798882015472548").into(), plain),
        (
            "sticker-link",
            Sticker::from_link("https://www.example.com/stickers/wave.webp").into(),
            plain,
        ),
        (
            "location",
            Location::new(37.44216251868683, -122.16153582049394)
                .name("Philz Coffee")
                .address("101 Forest Ave, Palo Alto, CA 94301")
                .into(),
            plain,
        ),
        ("contacts", contacts_case().into(), plain),
        (
            "interactive-buttons",
            Interactive::buttons(
                "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to reschedule. Thank you!",
                [
                    ReplyButton::new("change-button", "Change"),
                    ReplyButton::new("cancel-button", "Cancel"),
                ],
            )
            .header(Header::text("Appointment"))
            .footer("Lucky Shrub: Your gateway to succulents!")
            .into(),
            plain,
        ),
        (
            "interactive-buttons-image-header",
            Interactive::buttons(
                "Is this the succulent you ordered?",
                [
                    ReplyButton::new("yes", "Yes"),
                    ReplyButton::new("no", "No"),
                    ReplyButton::new("unsure", "Not sure"),
                ],
            )
            .header(Header::image(MediaSource::id("2762702990552401")))
            .into(),
            plain,
        ),
        ("interactive-list", list.into(), plain),
        (
            "interactive-cta-url",
            Interactive::cta_url(
                "Tap the button below to see available dates.",
                "See Dates",
                "https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4",
            )
            .header(Header::image(MediaSource::link(
                "https://www.luckyshrub.com/assets/succulents/aloe.png",
            )))
            .footer("Dates subject to change.")
            .into(),
            plain,
        ),
        (
            "interactive-flow",
            Interactive::flow(
                "Flow message body",
                Flow::by_id("1", "Book!")
                    .token("AQAAAAACS5FpgQ_cAAAAAD0QI3s.")
                    .navigate_with_data(
                        "RECOMMEND",
                        json!({"product_name": "name", "product_description": "description", "product_price": 100}),
                    ),
            )
            .header(Header::text("Flow message header"))
            .footer("Flow message footer")
            .into(),
            plain,
        ),
        (
            "interactive-flow-data-exchange",
            Interactive::flow(
                "Sign up for our rewards club",
                Flow::by_name("rewards_signup", "Sign up")
                    .data_exchange()
                    .mode(FlowMode::Draft),
            )
            .into(),
            plain,
        ),
        ("template-all-parameters", every_parameter.into(), plain),
        (
            "template-named-document",
            Template::new("order_confirmation", "en_US")
                .header([Parameter::document_with_filename(
                    MediaSource::id("1376223850470843"),
                    "order_abc123.pdf",
                )])
                .body([
                    Parameter::text("Jessica").name("customer_name"),
                    Parameter::text("SKBUP2-4CPIG9").name("order_number"),
                ])
                .into(),
            plain,
        ),
        (
            "template-video-header",
            Template::new("product_launch", "es_MX")
                .header([Parameter::video(MediaSource::id("1166846181421424"))])
                .into(),
            plain,
        ),
        (
            "template-no-parameters",
            Template::new("hello_world", "en_US").into(),
            plain,
        ),
        ("reaction", Reaction::new(CASE_WAMID, "😀").into(), plain),
        ("reaction-remove", Reaction::remove(CASE_WAMID).into(), plain),
    ];
    cases.extend(commerce_and_request_cases());
    cases
}

/// The interactive kinds beyond buttons, lists, CTA URLs and flows, and the template
/// components beyond header, body and plain buttons: each with its fixture under
/// `wiremock-fixtures/requests/`, shaped like Meta's documented examples.
pub fn commerce_and_request_cases() -> Vec<MessageCase> {
    use wacloud::messages::{
        AddressFields, AddressRequest, Amount, CarouselCard, Charge, GoodsType, Order,
        OrderDetails, OrderItem, OrderStatus, OrderUpdate, PaymentSetting, ProductSection,
        SavedAddress, VoiceCall,
    };
    fn plain(message: OutgoingMessage) -> OutgoingMessage {
        message
    }
    const CATALOG: &str = "194836987003835";
    let address = AddressRequest::india()
        .values(
            AddressFields::new()
                .name("CUSTOMER_NAME")
                .phone_number("+91xxxxxxxxxx"),
        )
        .saved_address(SavedAddress::new(
            "address1",
            AddressFields::new()
                .name("CUSTOMER_NAME")
                .phone_number("+91xxxxxxxxxx")
                .in_pin_code("400063")
                .floor_number("8")
                .building_name("")
                .address("Wing A, Cello Triumph, IB Patel Rd")
                .landmark_area("Near the Sun Pharma")
                .city("Mumbai"),
        ));
    let bill = OrderDetails::new(
        "order-2026-0042",
        GoodsType::Physical,
        "INR",
        Amount::new(102_200, 100),
    )
    .payment_setting(
        PaymentSetting::payment_gateway("razorpay", "luckyshrub-razorpay")
            .gateway_data(json!({"receipt": "receipt-42", "notes": {"promo": "summer"}})),
    )
    .order(
        Order::new(OrderStatus::Pending)
            .catalog_id(CATALOG)
            .item(
                OrderItem::new(
                    "pot-terracotta-12",
                    "Terracotta pot",
                    Amount::new(45_000, 100),
                    2,
                )
                .sale_amount(Amount::new(40_000, 100)),
            )
            .subtotal(Amount::new(80_000, 100))
            .tax(Charge::new(14_400, 100).description("GST 18%"))
            .shipping(Charge::new(10_000, 100).description("Express"))
            .discount(
                Charge::new(2_200, 100)
                    .description("Summer sale")
                    .discount_program_name("summer-26"),
            )
            .expires_at(1_893_456_000, "This order expires at the end of 2029."),
    );
    let card = |header: Parameter, code: &str, payload: &str, suffix: &str| {
        CarouselCard::new(header)
            .body([Parameter::text(code)])
            .quick_reply_button(0, payload)
            .url_button(1, suffix)
    };
    vec![
        (
            "interactive-location-request",
            Interactive::location_request(
                "Let's start with your pickup. You can either manually *enter an address* or *share your current location*.",
            )
            .into(),
            plain,
        ),
        (
            "interactive-call-permission-request",
            Interactive::call_permission_request(
                "We would like to call you to help support your query on Order No: ON-12853.",
            )
            .into(),
            plain,
        ),
        (
            "interactive-request-contact-info",
            Interactive::request_contact_info(
                "Please share your phone number so we can finish your request.",
            )
            .into(),
            plain,
        ),
        (
            "interactive-catalog",
            Interactive::catalog_message_with_thumbnail(
                "Hello! Thanks for your interest. Ordering is easy. Just visit our catalog and add items to purchase.",
                "2lc20305pt",
            )
            .footer("Best grocery deals on WhatsApp!")
            .into(),
            plain,
        ),
        (
            "interactive-product",
            Interactive::product(CATALOG, "pot-terracotta-12")
                .body("Our best seller is back in stock.")
                .footer("Lucky Shrub")
                .into(),
            plain,
        ),
        (
            "interactive-product-list",
            Interactive::product_list(
                "Our pots",
                "Pick a pot for your new succulent.",
                CATALOG,
                [
                    ProductSection::new(["pot-terracotta-12", "pot-terracotta-16"])
                        .title("Terracotta"),
                    ProductSection::new(["pot-glazed-12"]).title("Glazed"),
                ],
            )
            .footer("Free shipping over $50")
            .into(),
            plain,
        ),
        (
            "interactive-voice-call",
            Interactive::voice_call(
                "You can call us on WhatsApp now for faster service!",
                VoiceCall::new()
                    .display_text("Call on WhatsApp")
                    .ttl_minutes(100)
                    .payload("payload data"),
            )
            .into(),
            plain,
        ),
        (
            "interactive-address",
            Interactive::address_message(
                "Thanks for your order! Tell us what address you'd like this order delivered to.",
                address,
            )
            .into(),
            plain,
        ),
        (
            "interactive-order-details",
            Interactive::order_details("Your order is ready: review and pay.", bill)
                .header(Header::image(MediaSource::link(
                    "https://www.luckyshrub.com/media/images/order-42.jpg",
                )))
                .footer("Lucky Shrub")
                .into(),
            plain,
        ),
        (
            "interactive-order-status",
            Interactive::order_status(
                "Your pots are on their way.",
                OrderUpdate::new("order-2026-0042", OrderStatus::Shipped)
                    .description("Courier: BlueDart, AWB 1234567890"),
            )
            .into(),
            plain,
        ),
        (
            "template-carousel",
            Template::new("summer_carousel_promo_2026", "en_US")
                .body([Parameter::text("15OFF"), Parameter::text("15%")])
                .carousel([
                    card(
                        Parameter::image(MediaSource::id("1558081531584829")),
                        "10OFF",
                        "more-aloes",
                        "blue_elf",
                    ),
                    card(
                        Parameter::video(MediaSource::id("861236878885705")),
                        "20OFF",
                        "more-echeverias",
                        "lola",
                    ),
                ])
                .into(),
            plain,
        ),
        (
            "template-product-carousel",
            Template::new("product_carousel_2026", "en_US")
                .carousel([
                    CarouselCard::new(Parameter::product(CATALOG, "pot-terracotta-12")),
                    CarouselCard::new(Parameter::product(CATALOG, "pot-glazed-12")),
                ])
                .into(),
            plain,
        ),
        (
            "template-limited-time-offer",
            Template::new("limited_time_offer_caribbean_pkg_2026", "en_US")
                .header([Parameter::image(MediaSource::id("1602186516975000"))])
                .body([Parameter::text("Pablo"), Parameter::text("CARIBE25")])
                .limited_time_offer(1_893_456_000_000)
                .copy_code_button(0, "CARIBE25")
                .url_button(1, "n3mtql")
                .into(),
            plain,
        ),
        (
            "template-authentication",
            Template::new("verification_code", "en_US")
                .authentication_code("J$FpnYnP")
                .into(),
            plain,
        ),
        (
            "template-catalog",
            Template::new("intro_catalog_offer", "en_US")
                .body([
                    Parameter::text("100"),
                    Parameter::text("400"),
                    Parameter::text("3"),
                ])
                .catalog_button(0, "2lc20305pt")
                .into(),
            plain,
        ),
        (
            "template-mpm",
            Template::new("abandoned_cart", "en_US")
                .header([Parameter::text("Pablo")])
                .body([Parameter::text("10OFF")])
                .mpm_button(
                    0,
                    "2lc20305pt",
                    [
                        ProductSection::new(["2lc20305pt", "nseiw1x5ut"]).title("Popular Bundles"),
                        ProductSection::new(["ma1jvepdqr"]).title("Premium Packages"),
                    ],
                )
                .into(),
            plain,
        ),
    ]
}

/// A loopback HTTP/1.1 server that answers every request with one status and a body that can
/// be far longer than announced, or endless: what wiremock (which holds bodies in memory)
/// cannot serve. `written` counts the body bytes it managed to hand to the socket.
pub struct Flood {
    /// The status of every answer.
    pub status: u16,
    /// The `Content-Type` of every answer.
    pub content_type: &'static str,
    /// The `Content-Length` announced; without one the body ends when the connection closes.
    pub content_length: Option<u64>,
    /// The body's first bytes.
    pub prefix: Vec<u8>,
    /// The body's length, prefix included (`None`: endless); the rest is `x` bytes.
    pub len: Option<u64>,
}

impl Flood {
    /// An endless 200 `application/octet-stream` body without a `Content-Length`.
    pub fn endless() -> Self {
        Flood {
            status: 200,
            content_type: "application/octet-stream",
            content_length: None,
            prefix: Vec::new(),
            len: None,
        }
    }

    /// Starts serving; answers the base URL (`http://127.0.0.1:port`) and the byte counter.
    pub async fn serve(self) -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        const CHUNK: usize = 64 * 1024;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let written = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = std::sync::Arc::clone(&written);
        let flood = std::sync::Arc::new(self);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let counter = std::sync::Arc::clone(&counter);
                let flood = std::sync::Arc::clone(&flood);
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let framing = match flood.content_length {
                        Some(length) => format!("content-length: {length}\r\n"),
                        None => "connection: close\r\n".to_owned(),
                    };
                    let head = format!(
                        "HTTP/1.1 {} Flood\r\ncontent-type: {}\r\n{framing}\r\n",
                        flood.status, flood.content_type
                    );
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let len = flood.len.unwrap_or(u64::MAX);
                    let prefix_len = flood.prefix.len().min(usize::try_from(len).unwrap_or(0));
                    if socket.write_all(&flood.prefix[..prefix_len]).await.is_err() {
                        return;
                    }
                    let mut sent = prefix_len as u64;
                    counter.fetch_add(sent, Ordering::Relaxed);
                    let chunk = vec![b'x'; CHUNK];
                    while sent < len {
                        let take =
                            usize::try_from(len - sent).map_or(CHUNK, |left| left.min(CHUNK));
                        if socket.write_all(&chunk[..take]).await.is_err() {
                            return;
                        }
                        sent += take as u64;
                        counter.fetch_add(take as u64, Ordering::Relaxed);
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        (base_url, written)
    }
}

/// What a [`Flood`] server wrote once the client hung up (it stops at the first failed write).
pub async fn settled(written: &std::sync::atomic::AtomicU64) -> u64 {
    use std::sync::atomic::Ordering;
    let mut last = written.load(Ordering::Relaxed);
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let now = written.load(Ordering::Relaxed);
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

/// Sends `message` to a server that would accept anything, and checks it is refused locally
/// with `field` at fault and that nothing reached the server.
pub async fn assert_rejected(message: wacloud::messages::OutgoingMessage, field: &str) {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("responses/send-ok.json")))
        .mount(&server)
        .await;
    match quiet_client(&server).send(message).await {
        Err(wacloud::Error::Validation(err)) => {
            assert_eq!(
                err.field, field,
                "wrong field; the problem was: {}",
                err.problem
            );
            assert!(!err.problem.is_empty());
        }
        other => panic!("expected a validation error on {field}, got {other:?}"),
    }
    let received = server.received_requests().await.expect("recording is on");
    assert!(received.is_empty(), "a rejected message must not be sent");
}

/// One test per `name: message => field;` line: the message is refused locally, naming the
/// field, and nothing is sent (see [`assert_rejected`]). Needs `#[macro_use] mod common;`.
#[allow(unused_macros)]
macro_rules! rejects {
    ($($name:ident: $message:expr => $field:expr;)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                common::assert_rejected($message, $field).await;
            }
        )*
    };
}
