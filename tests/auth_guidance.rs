//! Auth guidance: token and permission failures (codes 0, 3, 10, 190 and its subcodes,
//! 200-299) become `Error::Auth` with the seed's advice, keep the Graph error, can carry a
//! `debug_token` diagnosis, and never show the token, in errors or in logs.

use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use wacloud::DEFAULT_API_VERSION;

use wacloud::calls::token::TokenDiagnosis;
use wacloud::error::ACCESS_TOKEN_DEBUGGER;
use wacloud::layers::auth::AuthGuidance;
use wacloud::messages::{OutgoingMessage, SendResponse, Text};
use wacloud::{Client, ClientBuilder, Error};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
/// Every test of this file uses this token, so the log check covers all of them.
const TOKEN: &str = "EAAGm0PX4ZCpsBAUTHGUIDANCEsecretTOKEN1234567890";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/wiremock-fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// A tracing writer into a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures every log of this test binary at TRACE (the `log` records of reqwest and its
/// dependencies too, through the subscriber's log bridge) from the first call on.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        use tracing_subscriber::filter::{LevelFilter, Targets};
        use tracing_subscriber::layer::SubscriberExt;
        use tracing_subscriber::util::SubscriberInitExt;
        let buffer = LogBuffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(buffer.clone())
            .finish()
            // The mock server's own logs print the requests it receives, token included, as
            // any server would: they are the test harness, not the client.
            .with(
                Targets::new()
                    .with_default(LevelFilter::TRACE)
                    .with_target("wiremock", LevelFilter::OFF),
            );
        subscriber
            .try_init()
            .expect("the only global subscriber of this test binary");
        buffer
    })
}

fn builder(base_url: &str) -> ClientBuilder {
    logs();
    Client::builder()
        .access_token(TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(base_url)
        .correlation_ids(false)
        .layers(|stack| {
            stack.remove(wacloud::layers::RETRY);
            stack.remove(wacloud::layers::RATE_LIMIT);
        })
}

async fn serve_send(server: &MockServer, status: u16, body: Vec<u8>) {
    Mock::given(method("POST"))
        .and(path(format!(
            "/{DEFAULT_API_VERSION}/{PHONE_NUMBER_ID}/messages"
        )))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

async fn serve_debug_token(server: &MockServer, response: ResponseTemplate, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/{DEFAULT_API_VERSION}/debug_token")))
        .and(query_param("input_token", TOKEN))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

async fn send(client: &Client) -> Result<SendResponse, Error> {
    client
        .send(OutgoingMessage::new("+16505551234", Text::new("hi")))
        .await
}

/// The auth error inside, after checking the guidance every auth error must give.
fn auth_error(err: &Error, code: i64) -> &wacloud::error::AuthError {
    let display = err.to_string();
    let Error::Auth(auth) = err else {
        panic!("code {code}: expected Error::Auth, got {err:?}");
    };
    assert_eq!(err.code(), Some(code), "{display}");
    for needed in [
        ACCESS_TOKEN_DEBUGGER,
        "https://developers.facebook.com/tools/debug/accesstoken/",
        "whatsapp_business_management",
        "whatsapp_business_messaging",
        "generate a new token",
        "Meta app you use for the API calls",
    ] {
        assert!(
            display.contains(needed),
            "code {code}: no {needed:?} in {display}"
        );
    }
    assert_eq!(
        display.contains("System User"),
        code == 190,
        "code {code}: a System User token is the advice for 190 only: {display}"
    );
    assert_eq!(auth.token_expired(), code == 190);
    assert!(
        !display.contains(".."),
        "code {code}: doubled period in {display}"
    );
    auth
}

/// (code, subcode, fixture, HTTP status) for every auth case: the fixtures, and 250 and 299
/// made from the 200 fixture.
fn auth_cases() -> Vec<(i64, Option<i64>, Vec<u8>, u16)> {
    let mut cases = vec![
        (0, None, fixture("errors/0-auth-exception.json"), 401),
        (3, None, fixture("errors/3-api-method.json"), 500),
        (10, None, fixture("errors/10-permission-denied.json"), 403),
        (
            190,
            None,
            fixture("errors/190-access-token-expired.json"),
            401,
        ),
        (
            190,
            Some(458),
            fixture("errors/190-458-app-not-installed.json"),
            401,
        ),
        (
            190,
            Some(460),
            fixture("errors/190-460-password-changed.json"),
            401,
        ),
        (
            190,
            Some(463),
            fixture("errors/190-463-session-expired.json"),
            401,
        ),
        (
            190,
            Some(467),
            fixture("errors/190-467-invalid-access-token.json"),
            401,
        ),
        (200, None, fixture("errors/200-api-permission.json"), 403),
    ];
    for code in [250, 299] {
        let mut body: serde_json::Value =
            serde_json::from_slice(&fixture("errors/200-api-permission.json")).unwrap();
        body["error"]["code"] = code.into();
        body["error"]["message"] = format!("(#{code}) API Permission").into();
        cases.push((code, None, serde_json::to_vec(&body).unwrap(), 403));
    }
    cases
}

#[tokio::test]
async fn auth_codes_become_guided_errors_that_keep_the_graph_error() {
    for (code, subcode, body, status) in auth_cases() {
        let server = MockServer::start().await;
        serve_send(&server, status, body).await;
        let client = builder(&server.uri()).build().unwrap();
        let err = send(&client).await.unwrap_err();
        let auth = auth_error(&err, code);
        assert_eq!(auth.api.status, status);
        assert_eq!(err.http_status(), Some(status));
        assert_eq!(auth.api.graph.code, code);
        assert_eq!(auth.api.graph.subcode, subcode);
        assert!(auth.api.graph.fbtrace_id.is_some());
        assert!(auth.diagnosis.is_none(), "diagnosis is off by default");
        assert!(!err.is_outcome_unknown());
    }
}

#[tokio::test]
async fn other_codes_stay_plain_api_errors() {
    for (file, status, code) in [
        ("errors/131005-access-denied.json", 403, 131005),
        ("errors/4-api-too-many-calls.json", 400, 4),
        ("errors/368-temporarily-blocked.json", 403, 368),
        ("errors/131056-pair-rate-limit.json", 400, 131056),
    ] {
        let server = MockServer::start().await;
        serve_send(&server, status, fixture(file)).await;
        // Diagnosis on: it must not run for a code that is not an auth code.
        serve_debug_token(&server, ResponseTemplate::new(200), 0).await;
        let client = builder(&server.uri())
            .auth_guidance(AuthGuidance::with_diagnosis(true))
            .build()
            .unwrap();
        let err = send(&client).await.unwrap_err();
        assert!(matches!(err, Error::Api(_)), "{file}: {err:?}");
        assert_eq!(err.code(), Some(code));
        server.verify().await;
    }
}

#[tokio::test]
async fn an_auth_error_in_a_200_answer_is_guided_too() {
    let server = MockServer::start().await;
    serve_send(&server, 200, fixture("errors/190-463-session-expired.json")).await;
    let client = builder(&server.uri()).build().unwrap();
    let err = send(&client).await.unwrap_err();
    let auth = auth_error(&err, 190);
    assert_eq!(auth.api.status, 200);
}

#[tokio::test]
async fn diagnosis_names_the_missing_permission() {
    let server = MockServer::start().await;
    serve_send(&server, 403, fixture("errors/10-permission-denied.json")).await;
    serve_debug_token(
        &server,
        ResponseTemplate::new(200).set_body_raw(
            fixture("responses/debug-token-missing-messaging.json"),
            "application/json",
        ),
        1,
    )
    .await;
    let client = builder(&server.uri())
        .auth_guidance(AuthGuidance::with_diagnosis(true))
        .build()
        .unwrap();
    let err = send(&client).await.unwrap_err();
    let auth = auth_error(&err, 10);
    let diagnosis = auth
        .diagnosis
        .as_ref()
        .expect("the layer diagnosed the token");
    assert!(diagnosis.is_valid);
    assert_eq!(
        diagnosis.missing_permissions,
        ["whatsapp_business_messaging"]
    );
    assert!(!diagnosis.is_usable());
    let display = err.to_string();
    assert!(display.contains("Token check"), "{display}");
    assert!(
        display.contains("missing: whatsapp_business_messaging"),
        "{display}"
    );
    assert!(display.contains("wacloud-demo"), "{display}");
    server.verify().await;
}

#[tokio::test]
async fn a_failed_diagnosis_still_gives_the_guidance() {
    for response in [
        ResponseTemplate::new(400).set_body_raw(
            fixture("errors/190-467-invalid-access-token.json"),
            "application/json",
        ),
        ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        ResponseTemplate::new(200).set_body_raw("{\"data\":", "application/json"),
    ] {
        let server = MockServer::start().await;
        serve_send(
            &server,
            401,
            fixture("errors/190-467-invalid-access-token.json"),
        )
        .await;
        serve_debug_token(&server, response, 1).await;
        let client = builder(&server.uri())
            .auth_guidance(AuthGuidance::with_diagnosis(true))
            .build()
            .unwrap();
        let err = send(&client).await.unwrap_err();
        let auth = auth_error(&err, 190);
        assert!(auth.diagnosis.is_none());
        assert_eq!(auth.api.graph.subcode, Some(467));
        server.verify().await;
    }
}

async fn diagnose_with(fixture_name: &str) -> TokenDiagnosis {
    let server = MockServer::start().await;
    serve_debug_token(
        &server,
        ResponseTemplate::new(200).set_body_raw(fixture(fixture_name), "application/json"),
        1,
    )
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let diagnosis = client.diagnose_token().await.expect(fixture_name);
    server.verify().await;
    diagnosis
}

#[tokio::test]
async fn diagnose_token_reports_validity_expiry_app_and_permissions() {
    let valid = diagnose_with("responses/debug-token-valid.json").await;
    assert!(valid.is_valid && valid.is_usable());
    assert_eq!(valid.app_id.as_deref(), Some("000000000000000"));
    assert_eq!(valid.application.as_deref(), Some("wacloud-demo"));
    assert_eq!(valid.token_type.as_deref(), Some("SYSTEM_USER"));
    assert_eq!(valid.expires_at, Some(0));
    assert!(valid.missing_permissions.is_empty());
    let text = valid.to_string();
    assert!(text.contains("token valid"), "{text}");
    assert!(text.contains("does not expire"), "{text}");
    assert!(text.contains("has both WhatsApp permissions"), "{text}");

    let missing = diagnose_with("responses/debug-token-missing-messaging.json").await;
    assert!(missing.is_valid && !missing.is_usable());
    assert_eq!(missing.expires_at, Some(1_764_086_400));
    assert_eq!(missing.missing_permissions, ["whatsapp_business_messaging"]);
    let text = missing.to_string();
    assert!(text.contains("expires at unix time 1764086400"), "{text}");
    assert!(
        text.contains("missing: whatsapp_business_messaging"),
        "{text}"
    );

    let expired = diagnose_with("responses/debug-token-expired.json").await;
    assert!(!expired.is_valid && !expired.is_usable());
    assert!(expired.missing_permissions.is_empty());
    assert!(expired.to_string().contains("NOT valid"));
}

#[tokio::test]
async fn diagnose_token_with_a_dead_token_asks_once() {
    let server = MockServer::start().await;
    serve_debug_token(
        &server,
        ResponseTemplate::new(400).set_body_raw(
            fixture("errors/190-460-password-changed.json"),
            "application/json",
        ),
        // Once: the auth layer must not diagnose the diagnosis call itself.
        1,
    )
    .await;
    let client = builder(&server.uri())
        .auth_guidance(AuthGuidance::with_diagnosis(true))
        .build()
        .unwrap();
    let err = client.diagnose_token().await.unwrap_err();
    let auth = auth_error(&err, 190);
    assert_eq!(auth.api.graph.subcode, Some(460));
    assert!(auth.diagnosis.is_none());
    server.verify().await;
}

#[tokio::test]
async fn without_the_auth_layer_an_auth_code_is_a_plain_api_error() {
    let server = MockServer::start().await;
    serve_send(&server, 401, fixture("errors/190-463-session-expired.json")).await;
    serve_debug_token(&server, ResponseTemplate::new(200), 0).await;
    let client = builder(&server.uri())
        .auth_guidance(AuthGuidance::with_diagnosis(true))
        .layers(|stack| {
            stack.remove(wacloud::layers::AUTH);
        })
        .build()
        .unwrap();
    assert!(!client
        .layer_names()
        .iter()
        .any(|name| name == wacloud::layers::AUTH));
    let err = send(&client).await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.graph.code, 190);
    assert_eq!(api.graph.subcode, Some(463));
    assert_eq!(api.status, 401);
    assert!(!err.to_string().contains(ACCESS_TOKEN_DEBUGGER));
    server.verify().await;
}

/// A loopback port nothing listens on.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn the_token_never_appears_in_errors_or_logs() {
    let logs = logs();
    let mut errors: Vec<Error> = Vec::new();

    // Auth failures, with a diagnosis that works and one that does not.
    for debug_answer in [
        ResponseTemplate::new(200).set_body_raw(
            fixture("responses/debug-token-missing-messaging.json"),
            "application/json",
        ),
        ResponseTemplate::new(400).set_body_raw(
            fixture("errors/190-467-invalid-access-token.json"),
            "application/json",
        ),
    ] {
        let server = MockServer::start().await;
        serve_send(&server, 401, fixture("errors/190-463-session-expired.json")).await;
        // Twice: once by the auth layer's diagnosis, once by `diagnose_token`.
        serve_debug_token(&server, debug_answer, 2).await;
        let client = builder(&server.uri())
            .auth_guidance(AuthGuidance::with_diagnosis(true))
            .build()
            .unwrap();
        errors.push(send(&client).await.unwrap_err());
        match client.diagnose_token().await {
            Ok(diagnosis) => {
                let text = format!("{diagnosis} {diagnosis:?}");
                assert!(!text.contains(TOKEN), "{text}");
            }
            Err(err) => errors.push(err),
        }
        server.verify().await;
    }

    // debug_token answering HTML: a decode error that quotes the body, not the URL.
    let server = MockServer::start().await;
    serve_debug_token(
        &server,
        ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        1,
    )
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let err = client.diagnose_token().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    errors.push(err);

    // debug_token timing out: reqwest's error carries the URL, query included, unless redacted.
    let server = MockServer::start().await;
    serve_debug_token(
        &server,
        ResponseTemplate::new(200)
            .set_body_raw(
                fixture("responses/debug-token-valid.json"),
                "application/json",
            )
            .set_delay(Duration::from_millis(800)),
        1,
    )
    .await;
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = client.diagnose_token().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    errors.push(err);

    // Nothing listening: a connect error for debug_token and for a send, and a diagnosis
    // attempt inside the auth layer that cannot connect either.
    let client = builder(&closed_port_url()).build().unwrap();
    let err = client.diagnose_token().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    errors.push(err);
    errors.push(send(&client).await.unwrap_err());

    let client = builder(&closed_port_url())
        .auth_guidance(AuthGuidance::with_diagnosis(true))
        .build()
        .unwrap();
    errors.push(send(&client).await.unwrap_err());
    errors.push(client.diagnose_token().await.unwrap_err());

    // The clients and builders themselves.
    let debug_client = format!("{client:?}");
    let debug_builder = format!("{:?}", builder("http://127.0.0.1:9"));
    assert!(!debug_client.contains(TOKEN), "{debug_client}");
    assert!(!debug_builder.contains(TOKEN), "{debug_builder}");

    assert!(errors.len() >= 8);
    for err in &errors {
        let mut texts = vec![err.to_string(), format!("{err:?}"), format!("{err:#?}")];
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            texts.push(cause.to_string());
            texts.push(format!("{cause:?}"));
            source = cause.source();
        }
        for text in texts {
            assert!(!text.contains(TOKEN), "the token leaked: {text}");
            assert!(
                !text.contains("input_token"),
                "the debug_token URL leaked: {text}"
            );
        }
    }

    let captured = logs.contents();
    assert!(
        captured.contains("authorization failure"),
        "the auth layer's warning was not captured: {captured}"
    );
    let leaks: Vec<&str> = captured
        .lines()
        .filter(|line| line.contains(TOKEN))
        .collect();
    assert!(
        leaks.is_empty(),
        "the token leaked into the logs: {leaks:#?}"
    );
    assert!(
        !captured.contains("input_token"),
        "the debug_token URL leaked into the logs"
    );
}

/// Stands in for a retry layer that turns the final Graph error answer into an `Error::Api`
/// itself: the auth layer outside it must still add the guidance.
struct ErrorMakingLayer;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for ErrorMakingLayer {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let response = next.run(req, extensions).await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let graph = wacloud::GraphError::from_body(&bytes).expect("the mock sends a Graph error");
        Err(Error::Api(Box::new(wacloud::error::ApiError { status, graph })).into_middleware())
    }
}

#[tokio::test]
async fn an_api_error_from_an_inner_layer_is_guided_too() {
    for (file, status, code, is_auth) in [
        ("errors/190-458-app-not-installed.json", 401, 190, true),
        ("errors/200-api-permission.json", 403, 200, true),
        ("errors/131056-pair-rate-limit.json", 400, 131056, false),
    ] {
        let server = MockServer::start().await;
        serve_send(&server, status, fixture(file)).await;
        let client = builder(&server.uri())
            .layers(|stack| {
                stack.push(wacloud::layers::Layer::new("error-maker", ErrorMakingLayer));
            })
            .build()
            .unwrap();
        let err = send(&client).await.unwrap_err();
        if is_auth {
            let auth = auth_error(&err, code);
            assert_eq!(auth.api.status, status);
        } else {
            assert!(matches!(err, Error::Api(_)), "{file}: {err:?}");
            assert_eq!(err.code(), Some(code));
        }
    }
}
