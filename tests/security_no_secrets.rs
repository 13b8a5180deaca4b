//! No secret ever reaches a log line or an error message.
//!
//! A quickstart-like run against the sandbox over loopback — sends of several types, a code-2
//! outage window ridden out by the retry layer, a sanctioned recipient, a wrong token with token
//! diagnosis on, `diagnose_token`, a media upload and download, signed webhooks received by
//! `WebhookReceiver`, and a webhook with a bad signature — with every tracing event at TRACE
//! level captured into a buffer, and the `Display` and `Debug` of every error (and of the
//! client, builder, receiver and secret wrappers) collected. None of it may contain the access
//! token, the wrong token, the app secret or the verify token. Every span's fields are recorded
//! too: none may hold a secret or a full phone number.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tracing_subscriber::layer::SubscriberExt;
use wacloud::calls::media::MediaUpload;
use wacloud::layers::auth::AuthGuidance;
use wacloud::messages::{Image, Location, OutgoingMessage, Reaction, Template, Text};
use wacloud::time::ScaledClock;
use wacloud::webhooks::router::{Event, WebhookReceiver};
use wacloud::webhooks::{AppSecret, VerifyToken, SIGNATURE_HEADER};
use wacloud::Error;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

mod telemetry_support;
use telemetry_support::Spans;

/// Distinctive values, so a hit in the captured text can only be a leak.
const ACCESS_TOKEN: &str = "EAAGzSECRETaccessTOKEN4242424242";
const WRONG_TOKEN: &str = "EAAGzWRONGaccessTOKEN1717171717";
const APP_SECRET: &str = "appSECRETvalue0987654321zz";
const VERIFY_TOKEN: &str = "verifyTOKENsecret5151";
const SECRETS: [&str; 4] = [ACCESS_TOKEN, WRONG_TOKEN, APP_SECRET, VERIFY_TOKEN];
/// The recipients' numbers, without `+` (as Meta writes `wa_id`): no span may show one whole.
const NUMBERS: [&str; 7] = [
    "16505550201",
    "16505550202",
    "16505550203",
    "16505550204",
    "16505550205",
    "16505550206",
    "5352345678",
];

const PHONE_NUMBER_ID: &str = "100000000000001";
const WAIT: Duration = Duration::from_secs(10);

/// Everything the tracing subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().expect("capture lock").clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the run produced that a user could see: error texts and `Debug` renderings.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    fn error(&mut self, what: &str, err: &Error) {
        self.0.push(format!("{what}: {err}"));
        self.0.push(format!("{what}: {err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            self.0.push(format!("{what} (cause): {cause} / {cause:?}"));
            source = cause.source();
        }
    }

    fn debug(&mut self, what: &str, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{what}: {value:?}"));
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{what} contains a secret ({secret}):\n{text}"
        );
    }
}

fn builder(base_url: &str, token: &str) -> wacloud::ClientBuilder {
    wacloud::Client::builder()
        .base_url(base_url)
        .access_token(token)
        .phone_number_id(PHONE_NUMBER_ID)
}

// A current-thread runtime: every task (client, sandbox, receiver) runs on the test's thread,
// where the capturing subscriber is the default.
#[tokio::test(flavor = "current_thread")]
async fn no_secret_in_logs_errors_or_debug_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .with(spans.clone())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut seen = Seen::default();

    // The webhook receiver, then the sandbox posting signed webhooks to it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let webhook_url = format!("http://{}/webhook", listener.local_addr().expect("addr"));
    let (tx, mut rx) = mpsc::channel(256);
    let receiver = WebhookReceiver::new(APP_SECRET, VERIFY_TOKEN).forward_to(tx);
    seen.debug("WebhookReceiver", &receiver);
    let server = tokio::spawn(receiver.serve(listener));
    let sb = Sandbox::start(
        SandboxConfig::default()
            .access_token(ACCESS_TOKEN)
            .app_secret(APP_SECRET)
            .webhook_url(&webhook_url)
            .send_read_status(false),
    )
    .await
    .expect("the sandbox starts");
    assert!(
        sb.verify_webhook_subscription(VERIFY_TOKEN)
            .await
            .expect("the handshake runs"),
        "the receiver answers the handshake"
    );

    let client_builder = builder(sb.base_url(), ACCESS_TOKEN);
    seen.debug("ClientBuilder", &client_builder);
    let client = client_builder.build().expect("a client");
    seen.debug("Client", &client);

    // Sends of several types.
    let messages = [
        OutgoingMessage::new("+16505550201", Text::new("Hello from the security test")),
        OutgoingMessage::new(
            "+16505550202",
            Image::from_link("https://www.example.com/media/pothos.jpg").caption("Pothos"),
        ),
        OutgoingMessage::new(
            "+16505550203",
            Location::new(37.483_307, -122.148_981)
                .name("Pablo Morales")
                .address("1 Hacker Way, Menlo Park, CA 94025"),
        ),
        OutgoingMessage::new("+16505550204", Template::new("hello_world", "en_US")),
    ];
    let mut wamids = Vec::new();
    for message in messages {
        let sent = client.send(message).await.expect("the send is accepted");
        seen.debug("SendResponse", &sent);
        wamids.push(sent.message_id().expect("an id").to_string());
    }
    let reaction = client
        .send(OutgoingMessage::new(
            "+16505550201",
            Reaction::new(wamids[0].as_str(), "\u{1f44d}"),
        ))
        .await
        .expect("the reaction is accepted");
    seen.debug("SendResponse", &reaction);

    // A code-2 window: three answers of "service unavailable", ridden out by the retry layer
    // on a compressed clock.
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 503,
            code: 2,
            message: "(#2) Service temporarily unavailable".into(),
        })
        .sends_only()
        .times(3),
    );
    let outage_client = builder(sb.base_url(), ACCESS_TOKEN)
        .clock(Arc::new(ScaledClock::new(1_000.0)))
        .build()
        .expect("a client");
    let sent = outage_client
        .send_text("+16505550205", "After the outage")
        .await
        .expect("sent once the outage is over");
    assert!(sent.message_id().is_some());

    // A sanctioned recipient: refused locally.
    let err = client
        .send_text("+5352345678", "Hola")
        .await
        .expect_err("a sanctioned recipient is refused");
    assert!(matches!(err, Error::RecipientRejected(_)), "{err:?}");
    seen.error("sanctioned recipient", &err);

    // A wrong token, with the token diagnosis on.
    let wrong = builder(sb.base_url(), WRONG_TOKEN)
        .auth_guidance(AuthGuidance::with_diagnosis(true))
        .build()
        .expect("a client");
    seen.debug("Client (wrong token)", &wrong);
    let err = wrong
        .send_text("+16505550206", "Hello")
        .await
        .expect_err("the token is refused");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    seen.error("wrong token", &err);
    match wrong.diagnose_token().await {
        Ok(diagnosis) => {
            seen.0.push(format!("diagnosis (wrong token): {diagnosis}"));
            seen.debug("diagnosis (wrong token)", &diagnosis);
        }
        Err(err) => seen.error("diagnose_token (wrong token)", &err),
    }

    // diagnose_token with the right token.
    let diagnosis = client.diagnose_token().await.expect("debug_token answers");
    assert!(diagnosis.is_usable(), "{diagnosis}");
    seen.0.push(format!("diagnosis: {diagnosis}"));
    seen.debug("diagnosis", &diagnosis);

    // Media upload and download, and a missing media id.
    let upload = MediaUpload::from_bytes(
        b"%PDF-1.4\nsecurity test\n".to_vec(),
        "application/pdf",
        "report.pdf",
    );
    let id = client.upload_media(upload).await.expect("the upload");
    let download = client.download_media(&id).await.expect("the download");
    assert!(download.bytes.starts_with(b"%PDF"));
    seen.debug("MediaDownload", &download.sha256);
    client.delete_media(&id).await.expect("the delete");
    let err = client
        .media_url(&id)
        .await
        .expect_err("deleted media has no URL");
    seen.error("deleted media", &err);

    // The signed status webhooks of the sends arrive at the receiver (a bad signature would
    // have been refused, so an event proves the secret was used).
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut statuses = 0;
    while statuses < 2 {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("status webhooks arrive")
            .expect("the receiver runs");
        if let Event::Status { status, .. } = event {
            seen.debug("status event", &status);
            statuses += 1;
        }
    }

    // A webhook with a bad signature is refused.
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let forged = AppSecret::new("not-the-app-secret").sign(body);
    let answer = reqwest::Client::new()
        .post(&webhook_url)
        .header(SIGNATURE_HEADER, forged)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .expect("the receiver answers");
    assert_eq!(answer.status().as_u16(), 403);
    seen.0.push(format!(
        "bad signature answer: {}",
        answer.text().await.unwrap_or_default()
    ));

    seen.debug("AppSecret", &AppSecret::new(APP_SECRET));
    seen.0
        .push(format!("AppSecret: {}", AppSecret::new(APP_SECRET)));
    seen.debug("VerifyToken", &VerifyToken::new(VERIFY_TOKEN));
    seen.0
        .push(format!("VerifyToken: {}", VerifyToken::new(VERIFY_TOKEN)));
    seen.debug(
        "AccessToken",
        &wacloud::AccessToken::new(ACCESS_TOKEN.to_owned()),
    );

    server.abort();
    sb.shutdown().await;
    drop(_guard);

    let logs = captured.text();
    // The capture worked: it holds the SDK's own events (the outage retries, the refusals).
    assert!(logs.lines().count() > 10, "too little captured:\n{logs}");
    assert!(
        logs.contains("wacloud::retry"),
        "no retry event captured:\n{logs}"
    );
    assert!(
        logs.contains("wacloud::layers::auth"),
        "no auth event captured:\n{logs}"
    );
    assert_no_secret("the TRACE log", &logs);
    // The spans: one per call at least, each field free of secrets and whole numbers.
    let spans = spans.all();
    let calls = spans
        .iter()
        .filter(|span| span.name == wacloud::telemetry::names::CALL_SPAN)
        .count();
    assert!(calls >= 10, "{calls} call spans");
    for span in &spans {
        for (field, value) in &span.fields {
            let what = format!("span {} field {field}", span.name);
            assert_no_secret(&what, value);
            for number in NUMBERS {
                assert!(
                    !value.contains(number),
                    "{what} holds a phone number: {value}"
                );
            }
        }
    }
    assert!(seen.0.len() > 20, "{} renderings", seen.0.len());
    for text in &seen.0 {
        assert_no_secret("an error or Debug rendering", text);
    }
}
