//! Failures without an answer: only a request that was never written is repeated for a send.

mod retry_support;

use std::sync::Arc;
use std::time::Duration;

use retry_support::{builder, error_answer, fail_then_send, hits, sent_answer, text, Events};
use tokio::sync::mpsc;
use wacloud::error::{RetryClass, TransportPhase};
use wacloud::layers::retry::{RetryEventKind, RetryPolicy, Schedule};
use wacloud::time::{ScaledClock, SharedClock, TokioClock};
use wacloud::{Client, Error};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

/// A client with 200 ms (connect) timeouts, so a slow answer fails fast in real time.
fn client_at(base_url: &str, clock: SharedClock, policy: RetryPolicy) -> Client {
    builder(base_url, clock, policy)
        .timeout(Duration::from_millis(200))
        .connect_timeout(Duration::from_millis(200))
        .build()
        .expect("a valid client")
}

/// Short real-time transient retries: 10, 20, 40, 80 ms.
fn quick() -> RetryPolicy {
    RetryPolicy::default().transient(
        Schedule::exponential(Duration::from_millis(10), Duration::from_millis(100))
            .max_retries(4)
            .max_elapsed(Duration::from_secs(5)),
    )
}

async fn slow_server() -> MockServer {
    let server = MockServer::start().await;
    // Answers after the client's 200 ms timeout, the first time only.
    fail_then_send(
        &server,
        sent_answer().set_delay(Duration::from_millis(600)),
        1,
    )
    .await;
    server
}

#[tokio::test]
async fn a_timeout_after_writing_is_not_retried_for_a_send() {
    let server = slow_server().await;
    let events = Events::default();
    let client = client_at(&server.uri(), Arc::new(TokioClock), events.policy(quick()));

    let error = client.send(text("+16505551234")).await.unwrap_err();

    let Error::OutcomeUnknown(unknown) = &error else {
        panic!("expected OutcomeUnknown, got {error:?}");
    };
    let id = unknown.correlation_id.as_deref().expect("a correlation id");
    assert!(id.starts_with("wacloud-"), "{id}");
    assert!(error.to_string().contains(id));
    assert!(error.is_outcome_unknown());
    assert_eq!(hits(&server).await, 1);
    assert_eq!(events.count(RetryEventKind::Retrying), 0);
}

#[tokio::test]
async fn a_timeout_after_writing_is_retried_when_the_call_allows_it() {
    let server = slow_server().await;
    let client = client_at(&server.uri(), Arc::new(TokioClock), quick());

    let sent = client
        .send(text("+16505551234"))
        .retry_unknown_outcome(true)
        .await
        .expect("sent on the second attempt");
    assert!(sent.message_id().is_some());
    assert_eq!(hits(&server).await, 2);
}

/// A loopback port that nothing listens on.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test]
async fn connection_refused_is_retried_then_exhausted() {
    let port = dead_port();
    let clock = ScaledClock::new(1_000.0);
    let events = Events::default();
    let client = client_at(
        &format!("http://127.0.0.1:{port}"),
        Arc::new(clock),
        events.policy(
            RetryPolicy::default()
                .transient(Schedule::transient().max_elapsed(Duration::from_secs(120))),
        ),
    );

    let error = client.send(text("+16505551234")).await.unwrap_err();

    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("expected RetriesExhausted, got {error:?}");
    };
    assert_eq!(exhausted.attempts, 5);
    assert_eq!(exhausted.class, RetryClass::Transient);
    let Error::Transport(transport) = &exhausted.last else {
        panic!(
            "expected a transport error inside, got {:?}",
            exhausted.last
        );
    };
    assert_eq!(transport.phase, TransportPhase::NotWritten);
    assert!(!error.is_outcome_unknown());
    assert_eq!(events.count(RetryEventKind::Retrying), 4);
}

#[tokio::test]
async fn a_server_that_appears_after_the_first_failure_is_used() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr");
    drop(listener);
    let (first_failure, mut failed) = mpsc::unbounded_channel();
    let policy = RetryPolicy::default()
        .transient(
            // 150 ms of real time before the retry: time enough to start the server.
            Schedule::exponential(Duration::from_millis(150), Duration::from_millis(300))
                .max_retries(4)
                .max_elapsed(Duration::from_secs(5))
                .jitter(0.0),
        )
        .on_event(move |event| {
            if event.kind == RetryEventKind::Retrying {
                let _ = first_failure.send(());
            }
        });
    let client = client_at(&format!("http://{address}"), Arc::new(TokioClock), policy);

    let send = tokio::spawn(async move { client.send(text("+16505551234")).await });
    failed.recv().await.expect("a first failure");
    let listener = std::net::TcpListener::bind(address).expect("rebind the port");
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(&server)
        .await;

    let sent = send.await.unwrap().expect("sent once the server is up");
    assert!(sent.message_id().is_some());
    assert_eq!(hits(&server).await, 1);
}

#[tokio::test]
async fn an_error_answer_is_retried_even_for_a_send() {
    // An error answer proves the request was not acted on: safe to repeat.
    let server = MockServer::start().await;
    fail_then_send(&server, error_answer(503, "2-api-service.json"), 1).await;
    let client = client_at(
        &server.uri(),
        Arc::new(ScaledClock::new(1_000.0)),
        RetryPolicy::default(),
    );
    client.send(text("+16505551234")).await.expect("sent");
    assert_eq!(hits(&server).await, 2);
}
