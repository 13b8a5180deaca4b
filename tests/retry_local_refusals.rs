//! The retry layer and the rate-limit layer together, on tokio's paused clock against a stub
//! transport (a terminal middleware, no socket): what a call refused or held back locally
//! (nothing sent) does to the outage gate and to the pair permits.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use wacloud::layers::facts::{Operation, RequestFacts};
use wacloud::layers::rate_limit::{LimitMode, RateLimitLayer, RateLimits};
use wacloud::layers::retry::{RetryLayer, RetryPolicy, Schedule};
use wacloud::time::{Instant, SharedClock, TokioClock};
use wacloud::Error;

const PHONE_NUMBER_ID: &str = "106540352242922";
const URL: &str = "http://127.0.0.1:9/v26.0/106540352242922/messages";
const SEND_OK: &str = include_str!("../wiremock-fixtures/recipients/send_ok.json");
const CODE_2: &str = include_str!("../wiremock-fixtures/errors/2-api-service.json");

/// Answers code 2 (after 100 ms) to the recipients in `down` (as many times as listed), 200 at
/// once to everyone else, and records when each request arrived and for whom.
struct Stub {
    clock: SharedClock,
    down: Mutex<Vec<String>>,
    arrivals: Mutex<Vec<(Instant, String)>>,
}

#[async_trait::async_trait]
impl Middleware for Stub {
    async fn handle(
        &self,
        _req: Request,
        extensions: &mut Extensions,
        _next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let to = RequestFacts::of(extensions)
            .and_then(|facts| facts.recipient.as_ref().map(|to| to.to_string()))
            .unwrap_or_default();
        self.arrivals
            .lock()
            .unwrap()
            .push((self.clock.now(), to.clone()));
        let failing = {
            let mut down = self.down.lock().unwrap();
            let at = down.iter().position(|who| *who == to);
            at.map(|at| down.remove(at)).is_some()
        };
        let (status, body) = if failing {
            // The failure takes a moment, so that other calls can queue meanwhile.
            self.clock.sleep(Duration::from_millis(100)).await;
            (503, CODE_2)
        } else {
            (200, SEND_OK)
        };
        let answer = http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body)
            .expect("a valid response");
        Ok(Response::from(answer))
    }
}

struct Harness {
    http: ClientWithMiddleware,
    stub: Arc<Stub>,
    clock: SharedClock,
    start: Instant,
}

fn harness(limits: RateLimits, down: &[&str]) -> Harness {
    let clock: SharedClock = Arc::new(TokioClock);
    let policy = RetryPolicy::default().outage(Schedule::outage().jitter(0.0));
    let stub = Arc::new(Stub {
        clock: Arc::clone(&clock),
        down: Mutex::new(down.iter().map(|who| (*who).to_owned()).collect()),
        arrivals: Mutex::new(Vec::new()),
    });
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryLayer::new(policy, Arc::clone(&clock)))
        .with(RateLimitLayer::new(limits, Arc::clone(&clock)))
        .with_arc(Arc::clone(&stub) as Arc<dyn Middleware>)
        .build();
    Harness {
        http,
        stub,
        start: clock.now(),
        clock,
    }
}

impl Harness {
    async fn send(&self, to: &str, deadline: Option<Duration>) -> Result<(), Error> {
        let mut facts = RequestFacts::new(Operation::Send, PHONE_NUMBER_ID);
        facts.recipient = Some(to.parse().expect("a recipient"));
        facts.deadline = deadline.map(|deadline| self.clock.now() + deadline);
        self.http
            .post(URL)
            .body("{}")
            .with_extension(facts)
            .send()
            .await
            .map(drop)
            .map_err(|err| Error::from_middleware(err, Operation::Send, None))
    }

    /// When each request to `to` arrived, as time since the harness started.
    fn arrivals(&self, to: &str) -> Vec<Duration> {
        self.stub
            .arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, who)| who == to)
            .map(|(at, _)| at.saturating_duration_since(self.start))
            .collect()
    }
}

/// A probe that the rate-limit layer refuses (fail-fast, nothing sent) says nothing about the
/// API: the next waiting call probes at once, on the same schedule step.
#[tokio::test(start_paused = true)]
async fn a_probe_refused_locally_does_not_count_as_a_failed_probe() {
    let limits = RateLimits::default()
        .no_throughput()
        .pair(Duration::from_secs(600), 1)
        .mode(LimitMode::FailFast);
    let h = harness(limits, &["+16505550002"]);
    // The recipient's only pair permit is spent before the outage.
    h.send("+16505550001", None).await.expect("the first send");
    // A send meets code 2 at 100 ms and closes the gate (first probe due at 1.1 s); its
    // deadline takes it away before then, so it is not waiting any more.
    let closer = h
        .send("+16505550002", Some(Duration::from_millis(500)))
        .await;
    assert!(
        matches!(closer, Err(Error::DeadlineExceeded(_))),
        "{closer:?}"
    );
    // A second send to the first recipient waits, becomes the probe at 1.1 s, and is refused
    // by its pair limit before anything is sent.
    let refused = h.send("+16505550001", None).await;
    assert!(matches!(refused, Err(Error::RateLimited(_))), "{refused:?}");
    let refused_at = h.clock.now().saturating_duration_since(h.start);
    assert_eq!(refused_at, Duration::from_millis(1_100));
    // The next call probes at once: the refused probe did not push the schedule to its next
    // step (2 s later, at 3.1 s).
    h.send("+16505550003", None)
        .await
        .expect("the probe gets through");
    assert_eq!(h.arrivals("+16505550003"), [Duration::from_millis(1_100)]);
}

/// A send that took its pair permit and was then held back from the outage while it waited for
/// a throughput permit keeps that permit: after a short outage it goes out at once instead of
/// waiting out the pair interval for a second permit.
#[tokio::test(start_paused = true)]
async fn a_send_held_back_by_an_outage_does_not_spend_a_second_pair_permit() {
    let limits = RateLimits::default()
        .throughput(1)
        .throughput_burst(1)
        .pair(Duration::from_secs(6), 1);
    let h = Arc::new(harness(limits, &["+16505550002"]));
    // This send takes the only throughput permit of the first second and gets code 2 at
    // 100 ms: the gate closes (first probe at 1.1 s). Its deadline takes it away at 500 ms.
    let closer = {
        let h = Arc::clone(&h);
        tokio::spawn(async move {
            h.send("+16505550002", Some(Duration::from_millis(500)))
                .await
        })
    };
    tokio::task::yield_now().await;
    // This one takes its recipient's pair permit at 0 s, waits for a throughput permit (1 s),
    // sees the gate closed, goes back to it, and probes at 1.1 s.
    h.send("+16505550001", None).await.expect("delivered");
    let closer = closer.await.unwrap();
    assert!(
        matches!(closer, Err(Error::DeadlineExceeded(_))),
        "{closer:?}"
    );
    assert_eq!(h.arrivals("+16505550001"), [Duration::from_millis(1_100)]);
}
