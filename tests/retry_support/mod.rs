//! Helpers shared by the retry tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use std::time::Duration;
use wacloud::layers::retry::{RetryEvent, RetryEventKind, RetryPolicy};
use wacloud::messages::{OutgoingMessage, Text};

use wacloud::time::{Clock, Instant, SharedClock, Sleep};
use wacloud::{Client, ClientBuilder};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A fixture from `wiremock-fixtures/errors/`.
pub fn error_fixture(name: &str) -> String {
    let path = format!(
        "{}/wiremock-fixtures/errors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("fixture {path}: {err}"))
}

/// A Graph error answer from a fixture.
pub fn error_answer(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(error_fixture(name), "application/json")
}

/// A send answer, as Meta shapes it.
pub fn sent_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#,
        "application/json",
    )
}

/// The events the policy's observer saw.
#[derive(Clone, Default)]
pub struct Events(Arc<Mutex<Vec<RetryEvent>>>);

impl Events {
    /// A policy that records into these events.
    pub fn policy(&self, policy: RetryPolicy) -> RetryPolicy {
        let events = self.clone();
        policy.on_event(move |event| events.record(event))
    }

    /// Records one event (for observers that do more than record).
    pub fn record(&self, event: &RetryEvent) {
        self.0.lock().unwrap().push(event.clone());
    }

    /// The events so far.
    pub fn all(&self) -> Vec<RetryEvent> {
        self.0.lock().unwrap().clone()
    }

    /// How many events of this kind.
    pub fn count(&self, kind: RetryEventKind) -> usize {
        self.all().iter().filter(|event| event.kind == kind).count()
    }
}

/// A client builder for `base_url` with this clock and policy, for tests that set more.
pub fn builder(base_url: &str, clock: SharedClock, policy: RetryPolicy) -> ClientBuilder {
    Client::builder()
        .access_token("t")
        .phone_number_id("123")
        .base_url(base_url)
        .clock(clock)
        .retry_policy(policy)
}

/// A client on the mock server with this clock and policy.
pub fn client(server: &MockServer, clock: SharedClock, policy: RetryPolicy) -> Client {
    builder(&server.uri(), clock, policy)
        .build()
        .expect("a valid client")
}

/// Answers the first `times` POSTs with `first`, and every later one with [`sent_answer`].
pub async fn fail_then_send(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(server)
        .await;
}

/// A text message to `to`.
pub fn text(to: &str) -> OutgoingMessage {
    OutgoingMessage::new(to, Text::new("hi"))
}

/// How many requests the server received.
pub async fn hits(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .map_or(0, |requests| requests.len())
}

/// A clock for a test with one call: time moves only when that call sleeps, by exactly the
/// sleep, and stands still while a request is on the wire. A 5-minute outage is then ridden out
/// in milliseconds with the same virtual timeline on an idle machine and a loaded one, so the
/// test can bound the elapsed time tightly. (With several concurrent sleepers each would move
/// time by its own wait: use it for one call at a time.)
#[derive(Debug, Clone)]
pub struct JumpClock {
    start: Instant,
    offset: Arc<Mutex<Duration>>,
}

impl Default for JumpClock {
    fn default() -> Self {
        JumpClock {
            start: Instant::now(),
            offset: Arc::default(),
        }
    }
}

impl Clock for JumpClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        let offset = Arc::clone(&self.offset);
        Box::pin(async move {
            *offset.lock().unwrap() += duration;
            tokio::task::yield_now().await;
        })
    }
}
