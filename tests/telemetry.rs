//! What the SDK reports about itself: the call and attempt spans (through a recording
//! subscriber) and the metrics (through a debugging recorder), for a retried send, a failed
//! one, a code-2 outage, a rate-limit wait and webhooks. The client's innermost layer answers
//! from a script, so the retries' waits run on tokio's paused clock.

mod telemetry_support;

use telemetry_support::{client, Metrics, Scripted, Spans};
use wacloud::layers::rate_limit::RateLimits;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::telemetry::names::*;

fn text(to: &str) -> OutgoingMessage {
    OutgoingMessage::new(to, Text::new("hi"))
}

#[tokio::test(start_paused = true)]
async fn a_retried_send_has_a_call_span_with_one_child_per_attempt() {
    let spans = Spans::default();
    let _spans = spans.install();
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let script = Scripted::new([(500, "131000-something-went-wrong.json")]);
    let client = client(script).build().unwrap();

    client
        .send(text("+16505551234"))
        .await
        .expect("sent on the second attempt");

    let calls = spans.named(CALL_SPAN);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call.get(OPERATION), Some("send"));
    assert_eq!(call.get(PHONE_NUMBER_ID), Some("106540352242922"));
    assert_eq!(call.get(RECIPIENT), Some("+16*******34"));
    assert_eq!(call.get(MESSAGE_TYPE), Some("text"));
    assert!(
        call.get(CORRELATION_ID)
            .is_some_and(|id| id.starts_with("wacloud-")),
        "{call:?}"
    );
    assert_eq!(call.get(ERROR_TYPE), None, "{call:?}");

    let attempts = spans.named(ATTEMPT_SPAN);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    for (number, attempt) in attempts.iter().enumerate() {
        assert_eq!(attempt.parent, Some(call.id), "{attempt:?}");
        assert_eq!(
            attempt.get(ATTEMPT),
            Some((number + 1).to_string().as_str())
        );
        assert_eq!(attempt.get(HTTP_METHOD), Some("POST"));
        assert_eq!(
            attempt.get(URL_FULL),
            Some("http://127.0.0.1:9/v26.0/106540352242922/messages")
        );
    }
    let (first, second) = (&attempts[0], &attempts[1]);
    assert_eq!(first.get(HTTP_STATUS), Some("500"));
    assert_eq!(first.get(GRAPH_CODE), Some("131000"));
    assert_eq!(first.get(RETRY_CLASS), Some("transient"));
    assert_eq!(first.get(ERROR_TYPE), Some("500"));
    assert_eq!(first.get(RESEND_COUNT), None);
    let wait: u64 = first
        .get(RETRY_WAIT_MS)
        .expect("the wait is recorded")
        .parse()
        .unwrap();
    // The transient schedule's first wait: 0.5 s, jittered.
    assert!((250..=1_000).contains(&wait), "{wait}");
    assert_eq!(second.get(HTTP_STATUS), Some("200"));
    assert_eq!(second.get(RESEND_COUNT), Some("1"));
    assert_eq!(second.get(RETRY_CLASS), None);
    assert_eq!(second.get(ERROR_TYPE), None);

    let m = metrics.snapshot();
    let send = ("operation", "send");
    assert_eq!(
        m.counter(
            ATTEMPTS,
            &[send, ("class", "transient"), ("code", "131000")]
        ),
        1
    );
    assert_eq!(
        m.counter(ATTEMPTS, &[send, ("class", "none"), ("code", "none")]),
        1
    );
    assert_eq!(m.counter(RETRIES, &[send, ("class", "transient")]), 1);
    assert_eq!(
        m.histogram(CALL_DURATION, &[send, ("outcome", "ok")]).len(),
        1
    );
    assert_eq!(m.counter(SENDS, &[send, ("outcome", "accepted")]), 1);
    // A full budget of 500, less a retry (5), plus a success (1).
    assert_eq!(m.gauge(BUDGET_TOKENS, &[]), Some(496.0));
}

#[tokio::test(start_paused = true)]
async fn a_refused_send_records_its_error_on_the_call_span() {
    let spans = Spans::default();
    let _spans = spans.install();
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let script = Scripted::new([(400, "131026-message-undeliverable.json")]);
    let client = client(script).build().unwrap();

    let err = client
        .send(text("+16505551234"))
        .await
        .expect_err("undeliverable");
    assert_eq!(err.code(), Some(131_026));
    // Refused locally: a sanctioned country, no request.
    client.send(text("+5352345678")).await.expect_err("refused");

    let calls = spans.named(CALL_SPAN);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].get(ERROR_TYPE), Some("api_error"));
    assert_eq!(calls[0].get(HTTP_STATUS), Some("400"));
    assert_eq!(calls[0].get(GRAPH_CODE), Some("131026"));
    assert_eq!(calls[1].get(ERROR_TYPE), Some("recipient_rejected"));
    assert_eq!(calls[1].get(RECIPIENT), Some("+53******78"));
    let attempts = spans.named(ATTEMPT_SPAN);
    assert_eq!(
        attempts.len(),
        1,
        "no attempt for the refused recipient: {attempts:?}"
    );
    assert_eq!(attempts[0].get(RETRY_CLASS), Some("never"));

    let m = metrics.snapshot();
    let send = ("operation", "send");
    assert_eq!(
        m.counter(ATTEMPTS, &[send, ("class", "never"), ("code", "131026")]),
        1
    );
    assert_eq!(m.counter(RETRIES, &[]), 0);
    assert_eq!(m.counter(SENDS, &[send, ("outcome", "failed")]), 1);
    assert_eq!(m.counter(SENDS, &[send, ("outcome", "rejected")]), 1);
    let calls = |outcome| {
        m.histogram(CALL_DURATION, &[send, ("outcome", outcome)])
            .len()
    };
    assert_eq!((calls("api_error"), calls("recipient_rejected")), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_code_2_outage_closes_the_gate_and_a_probe_reopens_it() {
    let spans = Spans::default();
    let _spans = spans.install();
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let outage = (503, "2-api-service.json");
    let client = client(Scripted::new([outage, outage, outage]))
        .build()
        .unwrap();

    let started = tokio::time::Instant::now();
    client
        .send(text("+16505551234"))
        .await
        .expect("sent once the API is back");
    let held = started.elapsed();

    let m = metrics.snapshot();
    let send = ("operation", "send");
    assert_eq!(m.counter(GATE_CLOSURES, &[]), 1);
    // The first probe failed twice, the third answered.
    assert_eq!(m.counter(GATE_PROBES, &[]), 3);
    assert_eq!(m.gauge(GATE_CLOSED, &[]), Some(0.0), "open again");
    let closed = m.histogram(GATE_CLOSED_DURATION, &[]);
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(
        closed[0] > 0.0 && closed[0] <= held.as_secs_f64(),
        "{closed:?} vs {held:?}"
    );
    assert_eq!(
        m.counter(ATTEMPTS, &[send, ("class", "outage"), ("code", "2")]),
        3
    );
    assert_eq!(m.counter(ATTEMPTS, &[send, ("class", "none")]), 1);
    assert_eq!(m.counter(RETRIES, &[send, ("class", "outage")]), 3);
    assert_eq!(m.counter(GIVE_UPS, &[]), 0);

    let attempts = spans.named(ATTEMPT_SPAN);
    assert_eq!(attempts.len(), 4);
    // The failed probes know their wait before the next probe.
    for probe in &attempts[1..3] {
        assert_eq!(probe.get(RETRY_CLASS), Some("outage"));
        assert!(probe.get(RETRY_WAIT_MS).is_some(), "{probe:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn rate_limit_waits_are_measured_per_permit() {
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let limits = RateLimits::default()
        .throughput(2)
        .throughput_burst(1)
        .no_pair();
    let client = client(Scripted::default())
        .rate_limits(limits)
        .build()
        .unwrap();

    for i in 0..3 {
        client
            .send(text(&format!("+1650555123{i}")))
            .await
            .expect("sent");
    }

    let m = metrics.snapshot();
    let mut waits = m.histogram(RATE_LIMIT_WAIT, &[("limit", "throughput")]);
    waits.sort_by(f64::total_cmp);
    assert_eq!(waits.len(), 3, "{waits:?}");
    // The first permit is free; the next two wait about half a second each (2 per second).
    assert_eq!(waits[0], 0.0);
    for wait in &waits[1..] {
        assert!((0.4..=0.6).contains(wait), "{waits:?}");
    }
    assert_eq!(m.counter(RATE_LIMIT_REFUSALS, &[]), 0);
}

#[cfg(feature = "webhook-router")]
#[tokio::test]
async fn webhook_events_are_counted_by_kind_and_their_lag_measured() {
    use axum::body::Body;
    use tower::ServiceExt;
    use wacloud::webhooks::router::{Acknowledge, Event, WebhookReceiver};
    use wacloud::webhooks::AppSecret;

    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sent = now - 30;
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},
        "contacts":[{{"profile":{{"name":"Kerry"}},"wa_id":"16505551234"}}],
        "messages":[{{"from":"16505551234","id":"wamid.IN","timestamp":"{sent}","type":"text","text":{{"body":"hi"}}}}],
        "statuses":[{{"id":"wamid.A","status":"sent","timestamp":"{sent}","recipient_id":"16505551234"}},{{"id":"wamid.B","status":"delivered","timestamp":"{sent}","recipient_id":"16505551234"}}]
        }},"field":"messages"}}]}}]}}"#
    );
    let (router, handle) = WebhookReceiver::new("telemetry-secret", "token")
        .acknowledge(Acknowledge::OnQueue)
        .on_event(|_: Event| async {})
        .into_parts();
    let request = http::Request::post("/")
        .header(
            "X-Hub-Signature-256",
            AppSecret::new("telemetry-secret").sign(body.as_bytes()),
        )
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let answer = router.oneshot(request).await.unwrap();
    assert_eq!(answer.status(), 200);
    handle.drain().await;

    let m = metrics.snapshot();
    assert_eq!(m.counter(WEBHOOK_EVENTS, &[("kind", "status")]), 2);
    assert_eq!(m.counter(WEBHOOK_EVENTS, &[("kind", "message")]), 1);
    let lags = m.histogram(WEBHOOK_LAG, &[]);
    assert_eq!(lags.len(), 3, "{lags:?}");
    assert!(
        lags.iter().all(|lag| (29.0..120.0).contains(lag)),
        "{lags:?}"
    );
    // Queued, then handled: the queue is empty again.
    assert_eq!(m.gauge(WEBHOOK_QUEUE, &[]), Some(0.0));
}

#[tokio::test(start_paused = true)]
async fn describe_registers_units_and_labels_stay_bounded() {
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    wacloud::telemetry::describe();
    let client = client(Scripted::new([(400, "100-invalid-parameter.json")]))
        .build()
        .unwrap();
    let _ = client.send(text("+16505551234")).await;
    let _ = client.send(text("+16505551235")).await;

    let m = metrics.snapshot();
    let duration =
        m.0.iter()
            .find(|e| e.name == CALL_DURATION)
            .expect("a call duration");
    assert_eq!(duration.unit, Some(metrics::Unit::Seconds));
    // No label value is a number the caller chose (a phone number, a message id).
    for entry in &m.0 {
        for (key, value) in &entry.labels {
            assert!(!value.contains("1650555"), "{} {key}={value}", entry.name);
            assert!(
                !value.starts_with("wamid") && !value.starts_with("wacloud-"),
                "{value}"
            );
        }
    }
    let mut codes = m.label_values(ATTEMPTS, "code");
    codes.sort();
    assert_eq!(codes, ["100", "none"]);
}

#[tokio::test(start_paused = true)]
async fn a_send_that_runs_out_of_retries_counts_a_give_up() {
    let spans = Spans::default();
    let _spans = spans.install();
    let metrics = Metrics::default();
    let _metrics = metrics.install();
    // The transient schedule allows 4 retries: the fifth failure is final.
    let fault = (500, "131000-something-went-wrong.json");
    let client = client(Scripted::new([fault; 5])).build().unwrap();

    let err = client
        .send(text("+16505551234"))
        .await
        .expect_err("retries exhausted");
    assert!(
        matches!(err, wacloud::Error::RetriesExhausted(_)),
        "{err:?}"
    );

    let call = &spans.named(CALL_SPAN)[0];
    assert_eq!(call.get(ERROR_TYPE), Some("retries_exhausted"));
    assert_eq!(call.get(GRAPH_CODE), Some("131000"));
    let attempts = spans.named(ATTEMPT_SPAN);
    assert_eq!(attempts.len(), 5);
    assert_eq!(
        attempts[4].get(RETRY_WAIT_MS),
        None,
        "no wait after the last"
    );
    let m = metrics.snapshot();
    let send = ("operation", "send");
    assert_eq!(m.counter(GIVE_UPS, &[send, ("class", "transient")]), 1);
    assert_eq!(m.counter(RETRIES, &[send, ("class", "transient")]), 4);
    assert_eq!(m.counter(SENDS, &[send, ("outcome", "failed")]), 1);
    // 500, less 4 retries at 5 tokens.
    assert_eq!(m.gauge(BUDGET_TOKENS, &[]), Some(480.0));
}

/// Real time, briefly: the client gives up waiting for an answer after 200 ms.
#[tokio::test]
async fn an_unanswered_send_counts_as_an_unknown_outcome() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let metrics = Metrics::default();
    let _metrics = metrics.install();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = wacloud::Client::builder()
        .access_token("EAAGtelemetryTOKEN")
        .phone_number_id("106540352242922")
        .base_url(server.uri())
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();

    let err = client
        .send(text("+16505551234"))
        .await
        .expect_err("no answer");
    assert!(err.is_outcome_unknown(), "{err:?}");

    let m = metrics.snapshot();
    let send = ("operation", "send");
    assert_eq!(m.counter(UNKNOWN_OUTCOMES, &[send]), 1);
    assert_eq!(m.counter(SENDS, &[send, ("outcome", "unknown")]), 1);
    assert_eq!(m.counter(ATTEMPTS, &[send, ("class", "unanswered")]), 1);
    let calls = m.histogram(CALL_DURATION, &[send, ("outcome", "outcome_unknown")]);
    assert_eq!(calls.len(), 1);
}
