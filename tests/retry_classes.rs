//! Throttling, the pair limit, never-retry codes and the retry budget.

mod retry_support;

use std::sync::Arc;
use std::time::Duration;

use retry_support::{client, error_answer, fail_then_send, hits, sent_answer, text, Events};
use tokio::sync::Notify;
use wacloud::error::RetryClass;
use wacloud::layers::retry::{BudgetConfig, RetryEventKind, RetryPolicy, Schedule};
use wacloud::time::{Clock, ScaledClock};
use wacloud::Error;
use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer};

/// The default policy with time budgets long enough that request latency, magnified 1,000
/// times by the scaled clock on a busy machine, cannot use them up: for tests about counts.
fn patient() -> RetryPolicy {
    RetryPolicy::default()
        .transient(Schedule::transient().max_elapsed(Duration::from_secs(300)))
        .throttled(Schedule::throttled().max_elapsed(Duration::from_secs(300)))
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    fail_then_send(
        &server,
        error_answer(400, "130429-rate-limit-hit.json").insert_header("Retry-After", "2"),
        1,
    )
    .await;
    let events = Events::default();
    let client = client(&server, Arc::new(clock), events.policy(patient()));

    let start = clock.now();
    client.send(text("+16505551234")).await.expect("sent");
    let elapsed = clock.now() - start;

    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(hits(&server).await, 2);
    let retry = events
        .all()
        .into_iter()
        .find(|event| event.kind == RetryEventKind::Retrying)
        .expect("a retry event");
    assert_eq!(retry.code, Some(130_429));
    assert_eq!(retry.class, Some(RetryClass::Throttled));
    assert!(retry.delay >= Duration::from_secs(2));
    assert!(retry.reason.contains("Retry-After"), "{}", retry.reason);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_at_once() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            error_answer(400, "130429-rate-limit-hit.json").insert_header("Retry-After", "3600"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Arc::new(clock), RetryPolicy::default());
    let error = client.send(text("+16505551234")).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.code(), Some(130_429));
}

#[tokio::test]
async fn the_pair_limit_holds_one_recipient_only() {
    // A gentler scale: the 6 s pair wait is 600 ms of real time, well above request latency.
    let clock = ScaledClock::new(10.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("16505550001"))
        .respond_with(error_answer(400, "131056-pair-rate-limit.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sent_answer())
        .mount(&server)
        .await;
    let retrying = Arc::new(Notify::new());
    let policy = {
        let retrying = Arc::clone(&retrying);
        RetryPolicy::default().on_event(move |event| {
            if event.kind == RetryEventKind::Retrying && event.code == Some(131_056) {
                retrying.notify_one();
            }
        })
    };
    let client = client(&server, Arc::new(clock), policy);

    let start = clock.now();
    let a = {
        let client = client.clone();
        tokio::spawn(async move {
            let result = client.send(text("+16505550001")).await;
            (result, clock.now() - start)
        })
    };
    retrying.notified().await;
    let held_from = clock.now();
    // Another send to A waits out the hold; B goes at once.
    let a_again = {
        let client = client.clone();
        tokio::spawn(async move {
            let result = client.send(text("+1 650 555 0001")).await;
            (result, clock.now() - held_from)
        })
    };
    let b_start = clock.now();
    client.send(text("+16505550002")).await.expect("B is sent");
    let b_took = clock.now() - b_start;
    let a_finished = a.is_finished();

    let (a_result, a_took) = a.await.unwrap();
    a_result.expect("A is sent after the pair wait");
    let (again, again_took) = a_again.await.unwrap();
    again.expect("A's second message is sent after the hold");

    assert!(a_took >= Duration::from_secs(6), "A took {a_took:?}");
    assert!(b_took < Duration::from_secs(3), "B took {b_took:?}");
    assert!(!a_finished, "B should finish while A still waits");
    assert!(
        again_took >= Duration::from_secs(5),
        "A again took {again_took:?}"
    );
    // A twice (one pair error), A again once, B once.
    assert_eq!(hits(&server).await, 4);
}

#[tokio::test]
async fn undeliverable_is_tried_exactly_once() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(400, "131026-message-undeliverable.json"))
        .expect(1)
        .mount(&server)
        .await;
    let events = Events::default();
    let client = client(
        &server,
        Arc::new(clock),
        events.policy(RetryPolicy::default()),
    );
    let error = client.send(text("+16505551234")).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected the typed Graph error, got {error:?}");
    };
    assert_eq!(api.graph.code, 131_026);
    assert_eq!(api.status, 400);
    assert!(events.all().is_empty(), "{:?}", events.all());
}

#[tokio::test]
async fn an_expired_token_is_not_retried() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(401, "190-access-token-expired.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Arc::new(clock), RetryPolicy::default());
    let error = client.send(text("+16505551234")).await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert_eq!(error.code(), Some(190));
}

#[tokio::test]
async fn transient_errors_are_retried_a_few_times() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    fail_then_send(
        &server,
        error_answer(500, "131000-something-went-wrong.json"),
        2,
    )
    .await;
    let client = client(&server, Arc::new(clock), patient());
    client
        .send(text("+16505551234"))
        .await
        .expect("sent on the third attempt");
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn an_empty_budget_stops_retrying() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(500, "131000-something-went-wrong.json"))
        .mount(&server)
        .await;
    // 20 tokens: four retries of 5 tokens, for the whole client.
    let events = Events::default();
    // The retry count, not the scaled clock's request latency, must bound the first call.
    let policy = events.policy(
        RetryPolicy::default()
            .transient(Schedule::transient().max_elapsed(Duration::from_secs(120)))
            .budget(Some(BudgetConfig::with_capacity(20))),
    );
    let client = client(&server, Arc::new(clock), policy);

    let first = client.send(text("+16505551234")).await.unwrap_err();
    let Error::RetriesExhausted(exhausted) = &first else {
        panic!("expected RetriesExhausted, got {first:?}");
    };
    assert_eq!(exhausted.attempts, 5);
    assert_eq!(exhausted.class, RetryClass::Transient);
    assert_eq!(hits(&server).await, 5);

    // The bucket is empty: the next failures are returned at once, from a clone too.
    for _ in 0..3 {
        let error = client.clone().send(text("+16505551234")).await.unwrap_err();
        assert!(matches!(error, Error::Api(_)), "{error:?}");
        assert_eq!(error.code(), Some(131_000));
    }
    assert_eq!(hits(&server).await, 8);
    let budget_give_ups = events
        .all()
        .iter()
        .filter(|event| event.kind == RetryEventKind::GaveUp && event.reason.contains("budget"))
        .count();
    assert_eq!(budget_give_ups, 3);
}

#[tokio::test]
async fn service_unavailable_closes_the_gate_too() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    fail_then_send(
        &server,
        error_answer(500, "131016-service-unavailable.json"),
        2,
    )
    .await;
    let events = Events::default();
    let client = client(&server, Arc::new(clock), events.policy(patient()));
    client.send(text("+16505551234")).await.expect("sent");
    let started: Vec<_> = events
        .all()
        .into_iter()
        .filter(|event| event.kind == RetryEventKind::OutageStarted)
        .collect();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].code, Some(131_016));
    assert_eq!(started[0].class, Some(RetryClass::Transient));
    assert_eq!(events.count(RetryEventKind::OutageEnded), 1);
    assert_eq!(hits(&server).await, 3);
}

#[tokio::test]
async fn a_gateway_error_without_a_graph_body_is_retried() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    fail_then_send(
        &server,
        wiremock::ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        1,
    )
    .await;
    let client = client(&server, Arc::new(clock), patient());
    client.send(text("+16505551234")).await.expect("sent");
    assert_eq!(hits(&server).await, 2);
}

#[tokio::test]
async fn a_bad_request_without_a_graph_body_is_not_retried() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            wiremock::ResponseTemplate::new(400).set_body_raw("<html>no</html>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Arc::new(clock), RetryPolicy::default());
    let error = client.send(text("+16505551234")).await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}

#[tokio::test]
async fn a_policy_of_none_never_retries() {
    let clock = ScaledClock::new(1_000.0);
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(error_answer(500, "131000-something-went-wrong.json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, Arc::new(clock), RetryPolicy::none());
    let error = client.send(text("+16505551234")).await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.code(), Some(131_000));
}

/// A retried attempt is the very request of the first: rebuilt from the client's parts when no
/// layer changed it (the default stack), copied when a layer outside the retry layer did.
#[tokio::test]
async fn a_retry_resends_the_same_request_whether_rebuilt_or_copied() {
    struct Sign;
    #[async_trait::async_trait]
    impl reqwest_middleware::Middleware for Sign {
        async fn handle(
            &self,
            mut req: reqwest::Request,
            extensions: &mut http::Extensions,
            next: reqwest_middleware::Next<'_>,
        ) -> reqwest_middleware::Result<reqwest::Response> {
            req.headers_mut()
                .insert("x-signed", http::HeaderValue::from_static("yes"));
            next.run(req, extensions).await
        }
    }
    for signed in [false, true] {
        let server = MockServer::start().await;
        fail_then_send(&server, error_answer(500, "1-api-unknown.json"), 1).await;
        let mut builder = retry_support::builder(
            &server.uri(),
            Arc::new(ScaledClock::new(1_000.0)),
            patient(),
        );
        if signed {
            builder = builder.layers(|stack| {
                stack.insert_before(
                    wacloud::layers::RETRY,
                    wacloud::layers::Layer::new("sign", Sign),
                );
            });
        }
        let client = builder.build().expect("a valid client");
        client.send(text("+16505551234")).await.expect("sent");

        let requests = server.received_requests().await.expect("recorded");
        assert_eq!(requests.len(), 2, "signed: {signed}");
        let (first, retry) = (&requests[0], &requests[1]);
        assert_eq!(first.method, retry.method);
        assert_eq!(first.url, retry.url);
        assert_eq!(first.body, retry.body);
        for name in ["authorization", "content-type", "x-signed"] {
            assert_eq!(
                first.headers.get(name),
                retry.headers.get(name),
                "{name}, signed: {signed}"
            );
        }
        assert_eq!(retry.headers.get("x-signed").is_some(), signed);
        assert!(first.headers.get("authorization").is_some());
    }
}

/// The built-in layers read an answer's body once and hand it on without rebuilding the
/// response; a user's layer anywhere in the stack (outside, between or inside them) still gets
/// the whole body, and the send still succeeds.
#[tokio::test]
async fn a_users_layer_anywhere_in_the_stack_reads_the_whole_answer() {
    #[derive(Clone, Default)]
    struct Peek(Arc<std::sync::Mutex<Vec<bytes::Bytes>>>);
    #[async_trait::async_trait]
    impl reqwest_middleware::Middleware for Peek {
        async fn handle(
            &self,
            req: reqwest::Request,
            extensions: &mut http::Extensions,
            next: reqwest_middleware::Next<'_>,
        ) -> reqwest_middleware::Result<reqwest::Response> {
            let response = next.run(req, extensions).await?;
            let (status, headers) = (response.status(), response.headers().clone());
            let body = response.bytes().await?;
            self.0.lock().unwrap().push(body.clone());
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            Ok(reqwest::Response::from(rebuilt))
        }
    }
    type Place = fn(&mut wacloud::layers::LayerStack, wacloud::layers::Layer);
    let places: [(&str, Place); 3] = [
        ("outside", |stack, layer| {
            stack.push_front(layer);
        }),
        ("between", |stack, layer| {
            stack.insert_after(wacloud::layers::RETRY, layer);
        }),
        ("inside", |stack, layer| {
            stack.push(layer);
        }),
    ];
    for (place, put) in places {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(sent_answer())
            .mount(&server)
            .await;
        let peek = Peek::default();
        let layer = peek.clone();
        let client = retry_support::builder(
            &server.uri(),
            Arc::new(ScaledClock::new(1_000.0)),
            patient(),
        )
        .layers(move |stack| put(stack, wacloud::layers::Layer::new("peek", layer.clone())))
        .build()
        .expect("a valid client");
        let sent = client.send(text("+16505551234")).await.expect(place);
        assert!(sent.message_id().is_some(), "{place}");
        let seen = peek.0.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{place}");
        let answer: serde_json::Value = serde_json::from_slice(&seen[0]).expect(place);
        assert_eq!(answer["messaging_product"], "whatsapp", "{place}");
    }
}
