//! Code 2 (API Service): up to 5 minutes of downtime while Meta updates the API. The retry
//! layer rides it out behind a shared gate, on a clock compressed 1,000 times.

mod retry_support;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wacloud::DEFAULT_API_VERSION;

use retry_support::{client, error_answer, hits, sent_answer, text, Events, JumpClock};
use tokio::sync::Notify;
use wacloud::error::{RetryClass, SentState};
use wacloud::layers::retry::{RetryEventKind, RetryPolicy, Schedule};
use wacloud::time::{Clock, Instant, ScaledClock};
use wacloud::Error;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers code 2 until the clock passes `until`, then sends.
struct OutageUntil<C> {
    clock: C,
    until: Instant,
}

impl<C: Clock + Clone> Respond for OutageUntil<C> {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.clock.now() < self.until {
            error_answer(503, "2-api-service.json")
        } else {
            sent_answer()
        }
    }
}

async fn outage_server<C: Clock + Clone>(clock: C, lasting: Duration) -> MockServer {
    // Load the phone number metadata first (a client build does it once per process): at
    // 1000x, its real second would otherwise eat 1000 s of the outage window.
    let _ = wacloud::layers::recipients::RecipientRules::default().check("+16505551234");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{DEFAULT_API_VERSION}/123/messages")))
        .respond_with(OutageUntil {
            until: clock.now() + lasting,
            clock,
        })
        .mount(&server)
        .await;
    server
}

/// The number of probe steps the outage schedule takes in `span` (each at least its base delay).
fn probe_steps(schedule: &Schedule, span: Duration) -> usize {
    let mut total = Duration::ZERO;
    let mut steps = 0;
    while total < span {
        total += schedule.base_delay(u32::try_from(steps).unwrap());
        steps += 1;
    }
    steps
}

#[tokio::test]
async fn a_five_minute_outage_is_ridden_out() {
    let clock = JumpClock::default();
    let server = outage_server(clock.clone(), Duration::from_secs(300)).await;
    let events = Events::default();
    let client = client(
        &server,
        Arc::new(clock.clone()),
        events.policy(RetryPolicy::default()),
    );

    let start = clock.now();
    let sent = client
        .send(text("+16505551234"))
        .await
        .expect("sent after the outage");
    let elapsed = clock.now() - start;

    assert!(sent.message_id().is_some());
    // Time moves only by the waits the layer chose: back within one probe step (at most 5 s
    // plus 20 % jitter) of the outage's end.
    assert!(elapsed >= Duration::from_secs(300), "only {elapsed:?}");
    assert!(elapsed <= Duration::from_secs(306), "took {elapsed:?}");
    let attempts = hits(&server).await;
    // 1, 2, 4, then 5 s (+ up to 20 % jitter): about 55 failures, then the success.
    let bound = probe_steps(&Schedule::outage(), Duration::from_secs(300)) + 2;
    assert!((8..=bound).contains(&attempts), "{attempts} attempts");
    println!("5-minute outage: {attempts} attempts over {elapsed:?}");
    for event in events.all() {
        println!("  {event}");
    }
    assert_eq!(events.count(RetryEventKind::OutageStarted), 1);
    assert_eq!(events.count(RetryEventKind::OutageEnded), 1);
    assert_eq!(events.count(RetryEventKind::GaveUp), 0);
    // Every failed attempt is reported with its wait.
    let retries = events.count(RetryEventKind::Retrying) + 1;
    assert_eq!(retries, attempts - 1);
}

#[tokio::test]
async fn an_endless_outage_gives_up_after_the_budget() {
    let clock = JumpClock::default();
    let server = outage_server(clock.clone(), Duration::from_secs(100_000)).await;
    let client = client(&server, Arc::new(clock.clone()), RetryPolicy::default());

    let start = clock.now();
    let error = client.send(text("+16505551234")).await.unwrap_err();
    let elapsed = clock.now() - start;

    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("expected RetriesExhausted, got {error:?}");
    };
    assert_eq!(exhausted.class, RetryClass::Outage);
    assert_eq!(error.code(), Some(2));
    assert_eq!(exhausted.attempts as usize, hits(&server).await);
    // The last attempt lands at the end of the 330 s budget, after 5 minutes.
    assert!(
        exhausted.elapsed >= Duration::from_secs(330),
        "{:?}",
        exhausted.elapsed
    );
    // The budget is 330 s and the last wait is at most one probe step (6 s with jitter).
    assert!(elapsed <= Duration::from_secs(336), "{elapsed:?}");
    let message = error.to_string();
    assert!(message.contains("5 minutes"), "{message}");
    assert!(message.contains("gave up after"), "{message}");
}

/// Sends 50 from clones of one client once the outage is known; returns the server's count.
async fn fifty_during_an_outage(already_known: bool) -> (usize, usize) {
    let clock = ScaledClock::new(1_000.0);
    let server = outage_server(clock, Duration::from_secs(300)).await;
    let events = Events::default();
    let started = Arc::new(Notify::new());
    let policy = {
        let started = Arc::clone(&started);
        let events = events.clone();
        RetryPolicy::default().on_event(move |event| {
            if event.kind == RetryEventKind::OutageStarted {
                started.notify_one();
            }
            events
                .policy(RetryPolicy::default())
                .observer
                .as_ref()
                .unwrap()(event);
        })
    };
    let client = client(&server, Arc::new(clock), policy);

    let mut tasks = Vec::new();
    let first = if already_known { 1 } else { 50 };
    for _ in 0..first {
        let clone = client.clone();
        tasks.push(tokio::spawn(async move {
            clone.send(text("+16505551234")).await
        }));
    }
    if already_known {
        started.notified().await;
        for _ in 1..50 {
            let clone = client.clone();
            tasks.push(tokio::spawn(async move {
                clone.send(text("+16505551234")).await
            }));
        }
    }
    for task in tasks {
        let result = task.await.unwrap();
        if let Err(error) = result {
            let gave_up: Vec<_> = events
                .all()
                .into_iter()
                .filter(|event| event.kind == RetryEventKind::GaveUp)
                .map(|event| event.to_string())
                .collect();
            panic!("a send failed: {error}; gave up: {gave_up:#?}");
        }
    }
    let probes = events.count(RetryEventKind::Probing);
    (hits(&server).await, probes)
}

#[tokio::test]
async fn fifty_waiting_sends_cost_fifty_requests_plus_probes() {
    let (requests, probes) = fifty_during_an_outage(true).await;
    let steps = probe_steps(&Schedule::outage(), Duration::from_secs(330));
    println!("50 sends during a known outage: {requests} requests, {probes} probes");
    assert!(requests >= 50);
    assert!(requests <= 50 + 2 * steps, "{requests} requests");
    assert!(
        requests <= 50 + probes + 1,
        "{requests} requests, {probes} probes"
    );
}

#[tokio::test]
async fn fifty_sends_that_meet_the_outage_together_cost_two_rounds_plus_probes() {
    // All 50 are in flight before the first code 2 comes back; after that they wait.
    let (requests, probes) = fifty_during_an_outage(false).await;
    let steps = probe_steps(&Schedule::outage(), Duration::from_secs(330));
    println!("50 sends meeting an outage together: {requests} requests, {probes} probes");
    assert!(requests <= 2 * 50 + 2 * steps, "{requests} requests");
}

#[tokio::test]
async fn a_waiter_gives_up_at_its_deadline_without_sending() {
    let clock = ScaledClock::new(1_000.0);
    let server = outage_server(clock, Duration::from_secs(100_000)).await;
    let started = Arc::new(Notify::new());
    let policy = {
        let started = Arc::clone(&started);
        // The first probe is due after the waiter's deadline: any call waiting at the gate may
        // take a due probe slot, so with the default schedule the waiter could be the probe
        // whenever it wakes first. Here it can only wait, whatever the machine's load.
        RetryPolicy::default()
            .outage(Schedule::exponential(
                Duration::from_secs(60),
                Duration::from_secs(60),
            ))
            .on_event(move |event| {
                if event.kind == RetryEventKind::OutageStarted {
                    started.notify_one();
                }
            })
    };
    let client = client(&server, Arc::new(clock), policy);
    let first = {
        let clone = client.clone();
        tokio::spawn(async move { clone.send(text("+16505551234")).await })
    };
    started.notified().await;
    let before = hits(&server).await;

    let start = clock.now();
    let error = client
        .send(text("+16505551235"))
        .deadline(Duration::from_secs(20))
        .await
        .unwrap_err();
    let waited = clock.now() - start;

    let Error::DeadlineExceeded(exceeded) = &error else {
        panic!("expected DeadlineExceeded, got {error:?}");
    };
    assert_eq!(exceeded.sent, SentState::NotSent);
    assert_eq!(exceeded.deadline, Duration::from_secs(20));
    assert!(exceeded.stage.contains("outage"), "{}", exceeded.stage);
    assert!(waited >= Duration::from_secs(20), "{waited:?}");
    // No probe was due, and the waiter itself sent nothing.
    assert_eq!(hits(&server).await - before, 0);
    first.abort();
}

/// Code 2, or code 2 slowly (while probing), or success.
struct Switch {
    mode: Arc<AtomicU8>,
}

impl Respond for Switch {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        match self.mode.load(Ordering::SeqCst) {
            0 => error_answer(503, "2-api-service.json"),
            1 => error_answer(503, "2-api-service.json").set_delay(Duration::from_millis(400)),
            _ => sent_answer(),
        }
    }
}

#[tokio::test]
async fn a_cancelled_probe_does_not_wedge_the_gate() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    let mode = Arc::new(AtomicU8::new(0));
    Mock::given(method("POST"))
        .respond_with(Switch {
            mode: Arc::clone(&mode),
        })
        .mount(&server)
        .await;
    let probing = Arc::new(Notify::new());
    let policy = {
        let probing = Arc::clone(&probing);
        let mode = Arc::clone(&mode);
        RetryPolicy::default().on_event(move |event| match event.kind {
            // From now on the server hangs on answers: the probe will be in flight when dropped.
            RetryEventKind::OutageStarted => mode.store(1, Ordering::SeqCst),
            RetryEventKind::Probing => probing.notify_one(),
            _ => {}
        })
    };
    let client = client(&server, Arc::new(clock), policy);

    let doomed = {
        let clone = client.clone();
        tokio::spawn(async move { clone.send(text("+16505551234")).await })
    };
    probing.notified().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    doomed.abort();
    assert!(doomed.await.unwrap_err().is_cancelled());
    mode.store(2, Ordering::SeqCst);

    let start = clock.now();
    let sent = client.send(text("+16505551234")).await;
    let elapsed = clock.now() - start;
    assert!(sent.is_ok(), "{sent:?}");
    // The slot was freed at once: no wait for the 330 s budget to run out.
    assert!(elapsed < Duration::from_secs(120), "{elapsed:?}");
}

/// Sends queued for a rate-limit permit when an outage begins do not go out into it: the
/// rate-limit layer sees the gate close (the retry layer's `SendClearance`) and hands them back
/// to the gate, so the server sees one request per send plus the probes, not two per send.
#[tokio::test]
async fn sends_queued_for_a_permit_wait_at_the_gate_instead_of_hitting_the_outage() {
    // 10x, not 1000x: a loopback round trip of a few real milliseconds on a busy machine (a
    // debug build, tests in parallel) must stay well under one permit interval (500 ms of clock
    // time, 50 ms real), or queued sends leave before the first code 2 is back.
    let clock = ScaledClock::new(10.0);
    let server = outage_server(clock, Duration::from_secs(6)).await;
    let client = wacloud::Client::builder()
        .access_token("t")
        .phone_number_id("123")
        .base_url(server.uri())
        .clock(Arc::new(clock))
        .rate_limits(
            wacloud::layers::rate_limit::RateLimits::default()
                .throughput(2)
                .throughput_burst(1)
                .no_pair(),
        )
        .build()
        .expect("a valid client");

    let sends = 10;
    let tasks: Vec<_> = (0..sends)
        .map(|_| {
            let clone = client.clone();
            tokio::spawn(async move { clone.send(text("+16505551234")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every send ends delivered");
    }
    let requests = hits(&server).await;
    let steps = probe_steps(&Schedule::outage(), Duration::from_secs(6));
    println!(
        "{sends} sends queued at 2/s into a 6 s outage: {requests} requests ({steps} probe steps)"
    );
    // Without the hand-back, the 9 queued sends would each meet the outage once: about 22.
    assert!(requests >= sends, "{requests} requests");
    assert!(requests <= sends + steps + 2, "{requests} requests");
}
