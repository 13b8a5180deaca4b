//! The rate limit layer: throughput and pair limits, waiting on the client's clock or failing
//! fast. Tests without network I/O run on tokio's paused clock against a stub transport (a
//! terminal middleware that answers without any socket); tests through the client use wiremock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use wacloud::error::LimitKind;
use wacloud::layers::facts::{Operation, RequestFacts};
use wacloud::layers::rate_limit::{LimitMode, RateLimitLayer, RateLimits, ThroughputScope};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::{Instant, ScaledClock, SharedClock, TokioClock};
use wacloud::{Client, Error};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
const SEND_OK: &str = include_str!("../wiremock-fixtures/recipients/send_ok.json");
/// Never contacted: the stub transport answers before any connection is made.
const STUB_URL: &str = "http://127.0.0.1:9/v26.0/106540352242922/messages";

/// A terminal middleware that answers 200 without I/O and records when each request arrived.
#[derive(Debug)]
struct StubTransport {
    clock: SharedClock,
    arrivals: Mutex<Vec<(Instant, Option<String>)>>,
}

#[async_trait::async_trait]
impl Middleware for StubTransport {
    async fn handle(
        &self,
        _req: Request,
        extensions: &mut Extensions,
        _next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let recipient = RequestFacts::of(extensions)
            .and_then(|facts| facts.recipient.as_ref().map(|to| to.to_string()));
        self.arrivals
            .lock()
            .unwrap()
            .push((self.clock.now(), recipient));
        let answer = http::Response::builder()
            .status(200)
            .body(SEND_OK)
            .expect("a valid response");
        Ok(Response::from(answer))
    }
}

/// An outer middleware that makes two attempts, like a retry layer would.
#[derive(Debug)]
struct TwoAttempts;

#[async_trait::async_trait]
impl Middleware for TwoAttempts {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let again = req.try_clone().expect("a cloneable request");
        next.clone().run(req, extensions).await?;
        next.run(again, extensions).await
    }
}

struct Harness {
    http: ClientWithMiddleware,
    layer: Arc<RateLimitLayer>,
    stub: Arc<StubTransport>,
    clock: SharedClock,
}

fn harness(limits: RateLimits) -> Harness {
    harness_with(limits, None)
}

fn harness_with(limits: RateLimits, outer: Option<Arc<dyn Middleware>>) -> Harness {
    let clock: SharedClock = Arc::new(TokioClock);
    let layer = Arc::new(RateLimitLayer::new(limits, Arc::clone(&clock)));
    let stub = Arc::new(StubTransport {
        clock: Arc::clone(&clock),
        arrivals: Mutex::new(Vec::new()),
    });
    let mut builder = reqwest_middleware::ClientBuilder::new(reqwest::Client::new());
    if let Some(outer) = outer {
        builder = builder.with_arc(outer);
    }
    let http = builder
        .with_arc(Arc::clone(&layer) as Arc<dyn Middleware>)
        .with_arc(Arc::clone(&stub) as Arc<dyn Middleware>)
        .build();
    Harness {
        http,
        layer,
        stub,
        clock,
    }
}

impl Harness {
    async fn call(&self, operation: Operation, to: Option<&str>) -> Result<(), Error> {
        let mut facts = RequestFacts::new(operation, PHONE_NUMBER_ID);
        facts.recipient = to.map(|to| to.parse().expect("a recipient"));
        self.http
            .post(STUB_URL)
            .body("{}")
            .with_extension(facts)
            .send()
            .await
            .map(drop)
            .map_err(|err| Error::from_middleware(err, operation, None))
    }

    async fn send(&self, to: &str) -> Result<(), Error> {
        self.call(Operation::Send, Some(to)).await
    }

    fn arrivals(&self) -> Vec<(Instant, Option<String>)> {
        self.stub.arrivals.lock().unwrap().clone()
    }
}

fn rate_limited(result: Result<(), Error>) -> (LimitKind, Duration) {
    match result {
        Err(Error::RateLimited(limited)) => (limited.kind, limited.retry_after),
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn two_hundred_sends_at_80_per_second_take_one_and_a_half_seconds() {
    let h = harness(RateLimits::default().no_pair());
    let start = h.clock.now();
    let sends = (0..200).map(|i| {
        let h = &h;
        async move { h.send(&format!("+1650555{i:04}")).await }
    });
    for result in join_all(sends).await {
        result.expect("waiting mode never fails");
    }
    let elapsed = h.clock.now() - start;
    // 80 go at once (the burst), the other 120 at 80/s: 1.5 s.
    assert!(elapsed >= Duration::from_millis(1_490), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1_700), "{elapsed:?}");
    // A token bucket: any window of d seconds holds at most the burst (80) plus 80 per second.
    let mut times: Vec<Instant> = h.arrivals().into_iter().map(|(at, _)| at).collect();
    times.sort();
    assert_eq!(times.len(), 200);
    for window in [
        Duration::from_millis(100),
        Duration::from_millis(500),
        Duration::from_secs(1),
    ] {
        let allowed = 80 + (80.0 * window.as_secs_f64()).ceil() as usize;
        for (i, at) in times.iter().enumerate() {
            let inside = times[i..]
                .iter()
                .take_while(|later| **later - *at < window)
                .count();
            assert!(
                inside <= allowed,
                "{inside} sends within {window:?} of send {i}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_one_spaces_sends_evenly() {
    let h = harness(RateLimits::default().throughput_burst(1).no_pair());
    let start = h.clock.now();
    for i in 0..200 {
        h.send(&format!("+1650555{i:04}")).await.unwrap();
    }
    // 199 gaps of 12.5 ms.
    let elapsed = h.clock.now() - start;
    assert!(elapsed >= Duration::from_millis(2_480), "{elapsed:?}");
    let times: Vec<Instant> = h.arrivals().into_iter().map(|(at, _)| at).collect();
    for (i, at) in times.iter().enumerate() {
        let inside = times[i..]
            .iter()
            .take_while(|later| **later - *at < Duration::from_secs(1))
            .count();
        assert!(inside <= 80, "{inside} sends within 1 s of send {i}");
    }
}

#[tokio::test(start_paused = true)]
async fn throughput_is_settable_up_to_1000() {
    let h = harness(RateLimits::default().throughput(1_000).no_pair());
    let start = h.clock.now();
    for i in 0..2_000 {
        h.send(&format!("+1650555{i:04}")).await.unwrap();
    }
    let elapsed = h.clock.now() - start;
    // 1,000 at once, 1,000 more at 1,000/s.
    assert!(elapsed >= Duration::from_millis(990), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1_100), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn the_pair_limit_delays_the_same_recipient_only() {
    let h = harness(RateLimits::default().pair(Duration::from_secs(6), 1));
    let start = h.clock.now();
    h.send("+1 650 555 1234").await.unwrap();
    assert!(h.clock.now() - start < Duration::from_millis(50));

    // The same recipient, written as a wa_id: waits about 6 s.
    let again = h.clock.now();
    h.send("16505551234").await.unwrap();
    let waited = h.clock.now() - again;
    assert!(waited >= Duration::from_millis(5_990), "{waited:?}");
    assert!(waited < Duration::from_millis(6_100), "{waited:?}");

    // Another recipient goes at once.
    let other = h.clock.now();
    h.send("+44 7911 123456").await.unwrap();
    assert!(h.clock.now() - other < Duration::from_millis(50));
}

#[tokio::test(start_paused = true)]
async fn concurrent_sends_to_one_recipient_do_not_hold_up_others() {
    let h = harness(RateLimits::default().pair(Duration::from_secs(6), 1));
    let start = h.clock.now();
    let busy = async {
        for _ in 0..3 {
            h.send("+16505551234").await.unwrap();
        }
    };
    let others = async {
        for i in 0..20 {
            h.send(&format!("+4479111234{i:02}")).await.unwrap();
        }
        h.clock.now() - start
    };
    let ((), others_done) = tokio::join!(busy, others);
    assert!(others_done < Duration::from_millis(100), "{others_done:?}");
    let total = h.clock.now() - start;
    assert!(total >= Duration::from_secs(12), "{total:?}");
}

#[tokio::test(start_paused = true)]
async fn the_default_pair_limit_is_metas_burst_of_45_paid_back_at_6_s_each() {
    let h = harness(RateLimits::default());
    assert_eq!(
        RateLimits::default().pair_limit(),
        Some((Duration::from_secs(6), 45))
    );
    // A bot answering with four messages in a row: all four go at once.
    let start = h.clock.now();
    for _ in 0..4 {
        h.send("+16505551234").await.unwrap();
    }
    assert!(h.clock.now() - start < Duration::from_millis(50));

    // Up to 45 within the 6 s burst window...
    for _ in 4..45 {
        h.send("+16505551234").await.unwrap();
    }
    assert!(h.clock.now() - start < Duration::from_millis(50));
    // ...then the borrowed time is paid back: the 46th waits 45 x 6 s after the first.
    h.send("+16505551234").await.unwrap();
    let paid = h.clock.now() - start;
    assert!(paid >= Duration::from_millis(269_990), "{paid:?}");
    assert!(paid < Duration::from_millis(270_100), "{paid:?}");
    assert_eq!(h.arrivals().len(), 46);
}

#[tokio::test(start_paused = true)]
async fn a_bsuid_has_its_own_pair_permit() {
    let h = harness(RateLimits::default().pair(Duration::from_secs(6), 1));
    let start = h.clock.now();
    h.send("+16505551234").await.unwrap();
    // A BSUID made of the same digits is another user: no wait.
    h.send("US.16505551234").await.unwrap();
    assert!(h.clock.now() - start < Duration::from_millis(50));
    // The same BSUID again waits like a number does.
    h.send("US.16505551234").await.unwrap();
    let waited = h.clock.now() - start;
    assert!(waited >= Duration::from_millis(5_990), "{waited:?}");
    let arrivals: Vec<Option<String>> = h.arrivals().into_iter().map(|(_, to)| to).collect();
    assert_eq!(arrivals[1].as_deref(), Some("US.16505551234"));
}

#[tokio::test(start_paused = true)]
async fn fail_fast_pair_limit_says_when_to_retry() {
    let h = harness(
        RateLimits::default()
            .pair(Duration::from_secs(6), 1)
            .mode(LimitMode::FailFast),
    );
    h.send("+16505551234").await.unwrap();
    let (kind, retry_after) = rate_limited(h.send("+16505551234").await);
    assert_eq!(kind, LimitKind::Pair);
    assert!(retry_after > Duration::from_millis(5_900) && retry_after <= Duration::from_secs(6));
    assert_eq!(
        h.arrivals().len(),
        1,
        "the refused send reached the transport"
    );
    tokio::time::advance(retry_after).await;
    h.send("+16505551234").await.unwrap();
    assert_eq!(h.arrivals().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn every_attempt_takes_a_permit() {
    // An outer layer makes two attempts of one send: the second needs a second pair permit.
    let h = harness_with(
        RateLimits::default()
            .pair(Duration::from_secs(6), 1)
            .mode(LimitMode::FailFast),
        Some(Arc::new(TwoAttempts)),
    );
    let (kind, _) = rate_limited(h.send("+16505551234").await);
    assert_eq!(kind, LimitKind::Pair);
    assert_eq!(h.arrivals().len(), 1);

    let waiting = harness_with(
        RateLimits::default().pair(Duration::from_secs(6), 1),
        Some(Arc::new(TwoAttempts)),
    );
    let start = waiting.clock.now();
    waiting.send("+16505551234").await.unwrap();
    assert!(waiting.clock.now() - start >= Duration::from_millis(5_990));
    assert_eq!(waiting.arrivals().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_throughput_scope_decides_whether_mark_read_counts() {
    let sends_only = harness(
        RateLimits::default()
            .throughput(1)
            .mode(LimitMode::FailFast),
    );
    for _ in 0..5 {
        sends_only.call(Operation::MarkRead, None).await.unwrap();
    }
    sends_only.send("+16505551234").await.unwrap();
    let (kind, retry_after) = rate_limited(sends_only.send("+447911123456").await);
    assert_eq!(kind, LimitKind::Throughput);
    assert!(retry_after <= Duration::from_secs(1));

    let all_calls = harness(
        RateLimits::default()
            .throughput(1)
            .throughput_scope(ThroughputScope::MessagesEndpoint)
            .mode(LimitMode::FailFast),
    );
    all_calls.call(Operation::MarkRead, None).await.unwrap();
    let (kind, _) = rate_limited(all_calls.call(Operation::TypingIndicator, None).await);
    assert_eq!(kind, LimitKind::Throughput);
    assert_eq!(all_calls.arrivals().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn disabled_limits_never_wait() {
    let h = harness(RateLimits::disabled());
    let start = h.clock.now();
    for _ in 0..500 {
        h.send("+16505551234").await.unwrap();
    }
    assert_eq!(h.clock.now() - start, Duration::ZERO);
    assert_eq!(h.layer.tracked_recipients(), 0);
}

#[tokio::test(start_paused = true)]
async fn pair_state_stays_bounded_for_many_recipients() {
    let h = harness(RateLimits::default().no_throughput());
    let mut most = 0;
    for i in 0..10_000u32 {
        h.send(&format!("+1650{i:07}")).await.unwrap();
        tokio::time::advance(Duration::from_millis(50)).await;
        most = most.max(h.layer.tracked_recipients());
    }
    // A recipient's state is kept while its debt is unpaid (6 s here: 120 recipients at one
    // send per 50 ms), plus at most PRUNE_EVERY checks between prunings.
    assert!(most <= 240 + 1_024 + 16, "{most} recipients tracked");
    h.layer.prune();
    assert!(
        h.layer.tracked_recipients() <= 260,
        "{}",
        h.layer.tracked_recipients()
    );
    // Nothing was lost: every send arrived.
    assert_eq!(h.arrivals().len(), 10_000);
}

// Through the client, against wiremock, on a clock running 1,000 times faster than real time.

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/{}/{PHONE_NUMBER_ID}/messages",
            wacloud::DEFAULT_API_VERSION
        )))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SEND_OK, "application/json"))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, limits: RateLimits, clock: SharedClock) -> Client {
    Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(server.uri())
        .clock(clock)
        .rate_limits(limits)
        .build()
        .expect("a valid client")
}

async fn send(client: &Client, to: &str) -> Result<(), Error> {
    client
        .send(OutgoingMessage::new(to, Text::new("hello")))
        .await
        .map(drop)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_client_waits_six_seconds_of_clock_time_for_the_same_recipient() {
    let server = server().await;
    let clock: SharedClock = Arc::new(ScaledClock::new(1_000.0));
    let client = client(
        &server,
        RateLimits::default().pair(Duration::from_secs(6), 1),
        Arc::clone(&clock),
    );
    // The first send's permit was taken just after `start`; the second permit is 6 s later.
    let start = clock.now();
    send(&client, "+16505551234").await.unwrap();
    send(&client, "+16505551234").await.unwrap();
    let waited = clock.now() - start;
    assert!(waited >= Duration::from_millis(5_900), "{waited:?}");
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn fail_fast_sends_nothing_to_the_server() {
    let server = server().await;
    let clock: SharedClock = Arc::new(TokioClock);
    let client = client(
        &server,
        RateLimits::default()
            .pair(Duration::from_secs(6), 1)
            .mode(LimitMode::FailFast),
        Arc::clone(&clock),
    );
    send(&client, "+16505551234").await.unwrap();
    let error = send(&client, "+1 650 555 1234").await.unwrap_err();
    assert!(error.is_local_rejection(), "{error}");
    let (kind, retry_after) = rate_limited(Err(error));
    assert_eq!(kind, LimitKind::Pair);
    assert!(retry_after > Duration::from_secs(5));
    assert_eq!(requests(&server).await, 1);

    let throughput = client_fail_fast_throughput(&server, clock);
    let before = requests(&server).await;
    send(&throughput, "+447911123456").await.unwrap();
    let (kind, _) = rate_limited(send(&throughput, "+4915112345678").await);
    assert_eq!(kind, LimitKind::Throughput);
    assert_eq!(requests(&server).await, before + 1);
}

fn client_fail_fast_throughput(server: &MockServer, clock: SharedClock) -> Client {
    client(
        server,
        RateLimits::default()
            .throughput(1)
            .no_pair()
            .mode(LimitMode::FailFast),
        clock,
    )
}

#[tokio::test]
async fn clones_of_a_client_share_the_limits() {
    let server = server().await;
    let client = client(
        &server,
        RateLimits::default()
            .pair(Duration::from_secs(6), 1)
            .mode(LimitMode::FailFast),
        Arc::new(TokioClock),
    );
    let clone = client.clone();
    send(&client, "+16505551234").await.unwrap();
    let (kind, _) = rate_limited(send(&clone, "+16505551234").await);
    assert_eq!(kind, LimitKind::Pair);
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_wait_beyond_the_deadline_fails_at_once_with_nothing_sent() {
    let server = server().await;
    let client = client(
        &server,
        RateLimits::default().pair(Duration::from_secs(6), 1),
        Arc::new(TokioClock),
    );
    send(&client, "+16505551234").await.unwrap();
    let started = std::time::Instant::now();
    let result = client
        .send(OutgoingMessage::new("+16505551234", Text::new("again")))
        .deadline(Duration::from_secs(2))
        .await;
    match result {
        Err(Error::DeadlineExceeded(exceeded)) => {
            assert_eq!(exceeded.sent, wacloud::error::SentState::NotSent);
            assert!(exceeded.stage.contains("pair"), "{}", exceeded.stage);
        }
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(1), "it waited");
    assert_eq!(requests(&server).await, 1);
}
