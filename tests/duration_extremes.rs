//! Every public `Duration` setting, at its extremes (0, 1 ns, `u64::MAX` seconds,
//! `Duration::MAX`) and at random values, through a real call against wiremock: no panic, and a
//! sensible result (the call succeeds, or fails with the error that setting explains).
//!
//! The calls run on tokio's paused clock, so that waits of days (or of the 30 years a wait too
//! long to represent is cut to) pass at once. The HTTP client has no timers of its own there
//! (no request timeout, no idle pool): the paused clock would fire them while the loopback
//! answer is in flight. The two transport timeouts, which are such timers, run on real time.

mod retry_support;

use std::time::Duration;

use proptest::prelude::*;
use retry_support::{error_answer, fail_then_send, sent_answer, text};
use serde_json::json;
use wacloud::calls::media::MediaUpload;
use wacloud::layers::rate_limit::RateLimits;
use wacloud::layers::retry::{RetryPolicy, Schedule};
use wacloud::{Client, ClientBuilder, Error, DEFAULT_API_VERSION};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EXTREMES: [Duration; 4] = [
    Duration::ZERO,
    Duration::from_nanos(1),
    Duration::from_secs(u64::MAX),
    Duration::MAX,
];

/// Any duration: the extremes, any count of seconds or nanoseconds, or a few minutes.
fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        proptest::sample::select(EXTREMES.to_vec()),
        any::<u64>().prop_map(Duration::from_secs),
        any::<u64>().prop_map(Duration::from_nanos),
        (0u64..600_000).prop_map(Duration::from_millis),
    ]
}

/// Runs `test` on a fresh runtime whose clock is paused.
fn paused<F: std::future::Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime")
        .block_on(test);
}

/// A client builder on the mock server whose HTTP client sets no timers (see the module docs).
fn builder(server: &MockServer) -> ClientBuilder {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client");
    Client::builder()
        .access_token("t")
        .phone_number_id("123")
        .base_url(server.uri())
        .http_client(http)
}

/// A server that answers every call the client makes.
async fn full_server() -> MockServer {
    let server = MockServer::start().await;
    let file = b"%PDF-1.7 a small file".to_vec();
    let media = json!({
        "messaging_product": "whatsapp",
        "url": format!("{}/lookaside/file?mid=1", server.uri()),
        "mime_type": "application/pdf",
        "file_size": file.len(),
        "id": "1",
    });
    let success = || ResponseTemplate::new(200).set_body_json(json!({"success": true}));
    // Most specific first: a read receipt and a send share the messages endpoint.
    let answers = [
        (
            "POST",
            format!("/{DEFAULT_API_VERSION}/123/messages"),
            Some("\"status\":\"read\""),
            success(),
        ),
        (
            "POST",
            format!("/{DEFAULT_API_VERSION}/123/messages"),
            None,
            sent_answer(),
        ),
        (
            "POST",
            format!("/{DEFAULT_API_VERSION}/123/media"),
            None,
            ResponseTemplate::new(200).set_body_json(json!({"id": "1"})),
        ),
        (
            "GET",
            format!("/{DEFAULT_API_VERSION}/1"),
            None,
            ResponseTemplate::new(200).set_body_json(media),
        ),
        (
            "DELETE",
            format!("/{DEFAULT_API_VERSION}/1"),
            None,
            success(),
        ),
        (
            "GET",
            format!("/{DEFAULT_API_VERSION}/123"),
            None,
            ResponseTemplate::new(200).set_body_json(json!({"id": "123"})),
        ),
        (
            "GET",
            "/lookaside/file".to_owned(),
            None,
            ResponseTemplate::new(200).set_body_raw(file, "application/pdf"),
        ),
    ];
    for (verb, at, containing, answer) in answers {
        let mock = Mock::given(method(verb)).and(path(at));
        let mock = match containing {
            Some(text) => mock.and(body_string_contains(text)),
            None => mock,
        };
        mock.respond_with(answer).mount(&server).await;
    }
    server
}

/// A call with a deadline succeeds or fails on its deadline; a deadline of zero always fails,
/// and one too far to represent is no deadline.
fn assert_deadline_result<T: std::fmt::Debug>(
    deadline: Duration,
    call: &str,
    result: Result<T, Error>,
) {
    match &result {
        // Tiny deadlines race the loopback answer: the paused clock advances to them only
        // when the runtime idles.
        Ok(_) => assert!(
            !deadline.is_zero(),
            "{call} with a {deadline:?} deadline succeeded"
        ),
        Err(Error::DeadlineExceeded(_)) => assert!(
            deadline < Duration::from_secs(u64::MAX),
            "{call} with a {deadline:?} deadline gave up: {result:?}"
        ),
        Err(other) => panic!("{call} with a {deadline:?} deadline: {other:?}"),
    }
}

fn check_call_deadlines(deadline: Duration) {
    paused(async move {
        let server = full_server().await;
        let client = builder(&server).build().expect("a client");
        let sent = client.send(text("+16505551234")).deadline(deadline).await;
        assert_deadline_result(deadline, "send", sent);
        let read = client.mark_read("wamid.1").deadline(deadline).await;
        assert_deadline_result(deadline, "mark_read", read);
        let typing = client.typing_indicator("wamid.1").deadline(deadline).await;
        assert_deadline_result(deadline, "typing_indicator", typing);
        let state = client.number_state().deadline(deadline).await;
        assert_deadline_result(deadline, "number_state", state);
        let upload = MediaUpload::from_bytes(&b"%PDF-1.7"[..], "application/pdf", "a.pdf");
        let uploaded = client.upload_media(upload).deadline(deadline).await;
        assert_deadline_result(deadline, "upload_media", uploaded);
        let info = client.media_url("1").deadline(deadline).await;
        assert_deadline_result(deadline, "media_url", info);
        let downloaded = client.download_media("1").deadline(deadline).await;
        assert_deadline_result(deadline, "download_media", downloaded);
        let deleted = client.delete_media("1").deadline(deadline).await;
        assert_deadline_result(deadline, "delete_media", deleted);
    });
}

/// `Retry-After: {header}` on a first 429 (code 130429), then success: the call waits for it
/// and succeeds, or gives up with the 130429.
fn check_retry_after(max_retry_after: Duration, header: u64) {
    paused(async move {
        let server = MockServer::start().await;
        let throttled = error_answer(429, "130429-rate-limit-hit.json")
            .insert_header("retry-after", header.to_string());
        fail_then_send(&server, throttled, 1).await;
        let policy = RetryPolicy::default()
            .max_retry_after(max_retry_after)
            .throttled(Schedule::throttled().max_elapsed(Duration::MAX));
        let client = builder(&server)
            .retry_policy(policy)
            .build()
            .expect("a client");
        match client.send(text("+16505551234")).await {
            Ok(_) => assert!(
                Duration::from_secs(header) <= max_retry_after,
                "waited for a Retry-After of {header} s past the {max_retry_after:?} limit"
            ),
            Err(err) => assert_eq!(err.code(), Some(130_429), "{err:?}"),
        }
    });
}

/// Which schedule a check sets, and the answer that puts a call on it.
#[derive(Debug, Clone, Copy)]
enum Class {
    Outage,
    Transient,
    Throttled,
    Pair,
}

impl Class {
    const ALL: [Class; 4] = [
        Class::Outage,
        Class::Transient,
        Class::Throttled,
        Class::Pair,
    ];

    fn failure(self) -> (ResponseTemplate, Option<i64>) {
        match self {
            Class::Outage => (error_answer(503, "2-api-service.json"), Some(2)),
            Class::Transient => (ResponseTemplate::new(503), None),
            Class::Throttled => (
                error_answer(429, "130429-rate-limit-hit.json"),
                Some(130_429),
            ),
            Class::Pair => (
                error_answer(400, "131056-pair-rate-limit.json"),
                Some(131_056),
            ),
        }
    }

    fn set(self, policy: RetryPolicy, schedule: Schedule) -> RetryPolicy {
        match self {
            Class::Outage => policy.outage(schedule),
            Class::Transient => policy.transient(schedule),
            Class::Throttled => policy.throttled(schedule),
            Class::Pair => policy.pair(schedule),
        }
    }

    fn default_schedule(self) -> Schedule {
        match self {
            Class::Outage => Schedule::outage(),
            Class::Transient => Schedule::transient(),
            Class::Throttled => Schedule::throttled(),
            Class::Pair => Schedule::pair(),
        }
    }
}

/// A schedule's field set to `value`; two failures, then success: the call succeeds or gives
/// up with the failure's code (or status).
fn check_schedule(class: Class, field: usize, value: Duration) {
    paused(async move {
        let server = MockServer::start().await;
        let (failure, code) = class.failure();
        fail_then_send(&server, failure, 2).await;
        let mut schedule = class.default_schedule();
        match field {
            0 => schedule.initial = value,
            1 => schedule.max_delay = value,
            _ => schedule = schedule.max_elapsed(value),
        }
        let policy = class.set(RetryPolicy::default(), schedule);
        let client = builder(&server)
            .retry_policy(policy)
            .build()
            .expect("a client");
        if let Err(err) = client.send(text("+16505551234")).await {
            match code {
                Some(code) => assert_eq!(err.code(), Some(code), "{class:?}: {err:?}"),
                None => assert_eq!(err.http_status(), Some(503), "{class:?}: {err:?}"),
            }
        }
    });
}

/// A pair limit of `interval` (clamped) and `burst`: three sends to one recipient all go,
/// the later ones after the limiter's wait.
fn check_pair_interval(interval: Duration, burst: u32) {
    paused(async move {
        let server = full_server().await;
        let limits = RateLimits::default().pair(interval, burst);
        let client = builder(&server)
            .rate_limits(limits)
            .build()
            .expect("a client");
        for _ in 0..3 {
            client
                .send(text("+16505551234"))
                .await
                .expect("a send waits for its pair permit");
        }
    });
}

/// A transport timeout (a tokio timer inside reqwest): real time, so only tiny or huge values.
fn check_transport_timeout(timeout: Duration, connect: bool) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(async move {
            let server = full_server().await;
            let builder = Client::builder()
                .access_token("t")
                .phone_number_id("123")
                .base_url(server.uri());
            let builder = if connect {
                builder.connect_timeout(timeout)
            } else {
                builder.timeout(timeout)
            };
            // Not retried: a timeout of zero would otherwise wait out the transient schedule.
            let client = builder
                .retry_policy(RetryPolicy::none())
                .build()
                .expect("a client");
            match client.number_state().await {
                Ok(_) => {}
                Err(Error::Transport(transport)) => assert!(
                    timeout < Duration::from_secs(1),
                    "{timeout:?}: {transport:?}"
                ),
                Err(other) => panic!("{timeout:?}: {other:?}"),
            }
        });
}

#[test]
fn call_deadlines_at_their_extremes() {
    for deadline in EXTREMES {
        check_call_deadlines(deadline);
    }
}

#[test]
fn a_retry_after_of_u64_max_seconds_with_an_unlimited_max_retry_after() {
    for max_retry_after in EXTREMES {
        check_retry_after(max_retry_after, u64::MAX);
    }
}

#[test]
fn schedules_at_their_extremes() {
    for class in Class::ALL {
        for field in 0..3 {
            for value in EXTREMES {
                check_schedule(class, field, value);
            }
        }
    }
}

#[test]
fn pair_intervals_at_their_extremes() {
    for interval in EXTREMES {
        for burst in [0, 1, u32::MAX] {
            check_pair_interval(interval, burst);
        }
    }
}

#[test]
fn transport_timeouts_at_their_extremes() {
    for timeout in EXTREMES {
        check_transport_timeout(timeout, false);
        check_transport_timeout(timeout, true);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn any_call_deadline(deadline in any_duration()) {
        check_call_deadlines(deadline);
    }

    #[test]
    fn any_retry_after(max_retry_after in any_duration(), header in prop_oneof![any::<u64>(), 0u64..120]) {
        check_retry_after(max_retry_after, header);
    }

    #[test]
    fn any_schedule(class in proptest::sample::select(Class::ALL.to_vec()), field in 0usize..3, value in any_duration()) {
        check_schedule(class, field, value);
    }

    #[test]
    fn any_pair_interval(interval in any_duration(), burst in any::<u32>()) {
        check_pair_interval(interval, burst);
    }
}
