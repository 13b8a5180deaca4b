//! The fault matrix: each failure the sandbox can stage, against the client's default stack over
//! real HTTP on loopback. Every row ends one of two ways: the message is delivered exactly once
//! (the sandbox accepted it once, no duplicate), or the send fails with a typed error. Where the
//! server may have acted, that error is `Error::OutcomeUnknown` carrying the correlation id that
//! the client wrote into `biz_opaque_callback_data`, so the caller can reconcile it against the
//! accepted message (in production: against status webhooks). Nothing panics, and nothing is
//! sent twice unless the caller opted in with `retry_unknown_outcome(true)`.
//!
//! A connection reset before any answer (`DropBeforeActing`) cannot be told apart from one after
//! the server acted (`DropAfterActing`): in both the request was written and no status came
//! back (the sandbox even reads the whole request before dropping). The client reports both as
//! `OutcomeUnknown`; only a failure to connect proves that nothing was sent, and only that is
//! retried for a send.
//!
//! | fault | outcome |
//! |---|---|
//! | connection refused | retried (transient), then `RetriesExhausted { last: Transport { phase: NotWritten } }`; nothing sent |
//! | reset before acting | `OutcomeUnknown { correlation_id }`, 1 request, nothing accepted |
//! | reset after acting | `OutcomeUnknown { correlation_id }`, 1 request, 1 accepted with that `biz_opaque_callback_data` |
//! | same, `retry_unknown_outcome(true)` | delivered, 2 requests, accepted twice: `duplicate_count() == 1` (the opt-in's trade-off) |
//! | HTML 502 once / always | retried, delivered once / `RetriesExhausted { last: Decode { status: 502 } }` after 5 |
//! | 200 with truncated JSON | `Decode { status: 200 }` with the correlation id, counted as an unknown outcome, not retried |
//! | 200 with a Graph error body (131000) | retried (transient), delivered once |
//! | slower than the timeout | `OutcomeUnknown` (timeout), not retried |
//! | 130429 with `Retry-After` | waits the `Retry-After`, delivered once |
//! | code 2 for 5 minutes | rides it out behind the outage gate, delivered once |
//! | 131056 | waits 6 s for that recipient, delivered once |
//! | 190 | `Auth` with the token guidance, 1 request |
//!
//! A 200 whose body cannot be decoded is `Error::Decode { status: 200 }` carrying the send's
//! correlation id, and `is_outcome_unknown()` is true: Meta has probably accepted the message, so
//! the caller reconciles from status webhooks instead of resending.

mod retry_support;

use std::sync::Arc;
use std::time::Duration;

use retry_support::Events;
use wacloud::error::{RetryClass, TransportPhase};
use wacloud::layers::retry::{RetryEventKind, RetryPolicy, Schedule};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud::{Client, Error};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

/// The client's per-attempt timeout (real time): the latency row answers later than this.
const TIMEOUT: Duration = Duration::from_millis(200);
/// Clock compression: backoffs and `Retry-After` waits of seconds take milliseconds.
const SCALE: f64 = 1_000.0;
const RECIPIENT: &str = "+16505551234";

/// What a row must end with.
enum Expect {
    /// Delivered: one accepted message carrying the send's correlation id, after `attempts`
    /// requests, with retries of `class` in between (if any).
    Delivered {
        attempts: std::ops::RangeInclusive<usize>,
        class: Option<RetryClass>,
    },
    /// `Error::OutcomeUnknown` with the correlation id; `accepted` messages (0 or 1) carry it.
    Unknown { accepted: usize },
    /// Another typed error, checked by the function; nothing accepted.
    Failed {
        check: fn(&Error) -> bool,
        attempts: usize,
    },
}

struct Case {
    fault: &'static str,
    rule: FaultRule,
    expect: Expect,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            fault: "reset before acting (DropBeforeActing)",
            rule: FaultRule::new(Fault::DropBeforeActing)
                .sends_only()
                .times(1),
            expect: Expect::Unknown { accepted: 0 },
        },
        Case {
            fault: "reset after acting (DropAfterActing)",
            rule: FaultRule::new(Fault::DropAfterActing).sends_only().times(1),
            expect: Expect::Unknown { accepted: 1 },
        },
        Case {
            fault: "HTML 502 from a proxy",
            rule: FaultRule::new(Fault::html_502()).sends_only().times(1),
            expect: Expect::Delivered {
                attempts: 2..=2,
                class: Some(RetryClass::Transient),
            },
        },
        Case {
            fault: "HTML 502 that persists",
            rule: FaultRule::new(Fault::html_502()).sends_only(),
            expect: Expect::Failed {
                check: |error| {
                    matches!(error, Error::RetriesExhausted(exhausted)
                        if matches!(&exhausted.last, Error::Decode(decode) if decode.status == 502))
                },
                attempts: 5,
            },
        },
        Case {
            fault: "200 with truncated JSON",
            rule: FaultRule::new(Fault::truncated_json())
                .sends_only()
                .times(1),
            expect: Expect::Failed {
                check: |error| {
                    error.is_outcome_unknown()
                        && matches!(error, Error::Decode(decode)
                            if decode.status == 200
                                && decode.correlation_id.as_deref().is_some_and(|id| id.starts_with("wacloud-")))
                },
                attempts: 1,
            },
        },
        Case {
            fault: "200 with a Graph error body (131000)",
            rule: FaultRule::new(Fault::ok_with_error_body())
                .sends_only()
                .times(1),
            expect: Expect::Delivered {
                attempts: 2..=2,
                class: Some(RetryClass::Transient),
            },
        },
        Case {
            fault: "130429 with Retry-After: 2",
            rule: FaultRule::new(Fault::Throttle {
                per_second: 0,
                retry_after: Some(Duration::from_secs(2)),
            })
            .sends_only()
            .times(1),
            expect: Expect::Delivered {
                attempts: 2..=2,
                class: Some(RetryClass::Throttled),
            },
        },
        Case {
            // 300 ms of real time is 5 minutes on the client's clock.
            fault: "code 2 for 5 minutes (compressed)",
            rule: FaultRule::new(Fault::Outage)
                .for_duration(Duration::from_secs(300).div_f64(SCALE)),
            expect: Expect::Delivered {
                // Probes 1, 2, 4 s, then every 5 s: about 55 over 5 minutes, fewer when real
                // request latency (scaled 1000x) eats into the window.
                attempts: 20..=70,
                class: Some(RetryClass::Outage),
            },
        },
        Case {
            fault: "131056 pair rate limit",
            rule: FaultRule::new(Fault::Graph {
                status: 400,
                code: 131_056,
                message: "(#131056) (Business Account, Consumer Account) pair rate limit hit"
                    .into(),
            })
            .sends_only()
            .times(1),
            expect: Expect::Delivered {
                attempts: 2..=2,
                class: Some(RetryClass::Pair),
            },
        },
        Case {
            fault: "190 expired token",
            rule: FaultRule::new(Fault::Auth {
                code: 190,
                subcode: Some(463),
            })
            .sends_only(),
            expect: Expect::Failed {
                check: |error| matches!(error, Error::Auth(auth) if auth.token_expired()),
                attempts: 1,
            },
        },
    ]
}

fn client(sandbox: &SandboxHandle, events: &Events) -> Client {
    let config = sandbox.config();
    Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .clock(Arc::new(ScaledClock::new(SCALE)))
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .retry_policy(events.policy(policy()))
        .build()
        .expect("a valid client")
}

/// The default policy, except that the transient class may take 120 s of clock time instead of
/// 10 s: at 1000x a real millisecond of loopback latency is a clock second, which would
/// otherwise eat the budget before the 4 retries (the counts are what the rows check).
fn policy() -> RetryPolicy {
    RetryPolicy::default().transient(Schedule::transient().max_elapsed(Duration::from_secs(120)))
}

fn message(body: &str) -> OutgoingMessage {
    OutgoingMessage::new(RECIPIENT, Text::new(body))
}

/// Send requests the sandbox received (the auth layer may also call `debug_token`).
fn send_requests(sandbox: &SandboxHandle) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|request| request.method == "POST" && request.path.ends_with("/messages"))
        .count()
}

/// The correlation ids of the accepted messages.
fn accepted_ids(sandbox: &SandboxHandle) -> Vec<Option<String>> {
    sandbox
        .accepted_messages()
        .into_iter()
        .map(|message| message.biz_opaque_callback_data)
        .collect()
}

/// Runs one row; returns the outcome for the matrix, or what went wrong.
async fn run_case(case: &Case) -> Result<String, String> {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .map_err(|error| format!("sandbox: {error}"))?;
    let events = Events::default();
    let client = client(&sandbox, &events);
    sandbox.inject(case.rule.clone());
    let result = client.send(message(case.fault)).await;
    // A dropped connection may leave the sandbox's handler finishing: let it settle.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let requests = send_requests(&sandbox);
    let accepted = accepted_ids(&sandbox);
    let duplicates = sandbox.duplicate_count();
    sandbox.shutdown().await;
    if duplicates != 0 {
        return Err(format!("{duplicates} duplicates"));
    }
    match (&case.expect, result) {
        (Expect::Delivered { attempts, class }, Ok(sent)) => {
            let wamid = sent.message_id().ok_or("no message id")?;
            if accepted.len() != 1 || accepted[0].is_none() {
                return Err(format!("accepted {accepted:?}"));
            }
            if !attempts.contains(&requests) {
                return Err(format!("{requests} requests, expected {attempts:?}"));
            }
            let retried: Vec<_> = events
                .all()
                .into_iter()
                .filter(|event| event.kind == RetryEventKind::Retrying)
                .collect();
            if let Some(class) = class {
                if retried.is_empty() || retried.iter().any(|event| event.class != Some(*class)) {
                    return Err(format!("retries {retried:?}, expected class {class:?}"));
                }
            }
            Ok(format!(
                "delivered once ({requests} requests; {} retries, class {:?}); {}",
                retried.len(),
                class,
                wamid.as_str().get(..12).unwrap_or_default()
            ))
        }
        (Expect::Unknown { accepted: expected }, Err(error)) => {
            let Error::OutcomeUnknown(unknown) = &error else {
                return Err(format!("expected OutcomeUnknown, got {error:?}"));
            };
            let id = unknown
                .correlation_id
                .clone()
                .ok_or("OutcomeUnknown without a correlation id")?;
            if !error.to_string().contains(&id) {
                return Err(format!("the message does not name {id}: {error}"));
            }
            if requests != 1 {
                return Err(format!(
                    "{requests} requests: an unknown outcome was retried"
                ));
            }
            if accepted.len() != *expected {
                return Err(format!("accepted {accepted:?}, expected {expected}"));
            }
            // Reconciliation: the accepted message (if any) carries the error's id.
            if accepted.iter().any(|cb| cb.as_deref() != Some(id.as_str())) {
                return Err(format!("accepted {accepted:?} does not carry {id}"));
            }
            Ok(format!(
                "OutcomeUnknown {{ correlation_id: {id} }}; 1 request, {} accepted{}",
                accepted.len(),
                if accepted.is_empty() {
                    ""
                } else {
                    " with biz_opaque_callback_data == correlation_id"
                }
            ))
        }
        (Expect::Failed { check, attempts }, Err(error)) => {
            if !check(&error) {
                return Err(format!(
                    "unexpected error after {requests} requests: {error:?}; events {:?}",
                    events
                        .all()
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                ));
            }
            if !accepted.is_empty() {
                return Err(format!("accepted {accepted:?}"));
            }
            if requests != *attempts {
                return Err(format!("{requests} requests, expected {attempts}"));
            }
            Ok(format!("{}; {requests} requests, 0 accepted", kind(&error)))
        }
        (_, Ok(_)) => Err("delivered, expected an error".into()),
        (_, Err(error)) => Err(format!("unexpected error: {error}")),
    }
}

fn kind(error: &Error) -> String {
    match error {
        Error::RetriesExhausted(exhausted) => format!(
            "RetriesExhausted {{ attempts: {}, class: {:?}, last: {} }}",
            exhausted.attempts,
            exhausted.class,
            kind(&exhausted.last)
        ),
        Error::Decode(decode) => format!("Decode {{ status: {} }}", decode.status),
        Error::Auth(auth) => format!("Auth {{ code: {} }}", auth.api.graph.code),
        Error::Transport(transport) => format!("Transport {{ phase: {:?} }}", transport.phase),
        other => format!("{other:?}").chars().take(60).collect(),
    }
}

#[tokio::test]
async fn every_fault_ends_delivered_once_or_as_a_typed_error() {
    let mut failures = Vec::new();
    println!("| fault | outcome |\n|---|---|");
    for case in cases() {
        match run_case(&case).await {
            Ok(outcome) => println!("| {} | {outcome} |", case.fault),
            Err(problem) => {
                println!("| {} | FAILED: {problem} |", case.fault);
                failures.push(format!("{}: {problem}", case.fault));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A loopback port that nothing listens on.
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test]
async fn connection_refused_is_retried_and_reported_as_not_sent() {
    let events = Events::default();
    let client = Client::builder()
        .access_token("sandbox-token")
        .phone_number_id("100000000000001")
        .base_url(format!("http://127.0.0.1:{}", dead_port()))
        .clock(Arc::new(ScaledClock::new(SCALE)))
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .retry_policy(events.policy(policy()))
        .build()
        .expect("a valid client");

    let error = client.send(message("refused")).await.unwrap_err();

    let Error::RetriesExhausted(exhausted) = &error else {
        panic!("expected RetriesExhausted, got {error:?}");
    };
    assert_eq!(exhausted.class, RetryClass::Transient);
    let Error::Transport(transport) = &exhausted.last else {
        panic!(
            "expected a transport error inside, got {:?}",
            exhausted.last
        );
    };
    // A connect failure proves nothing was written: retried, and not an unknown outcome.
    assert_eq!(transport.phase, TransportPhase::NotWritten);
    assert!(!error.is_outcome_unknown());
    assert_eq!(
        events.count(RetryEventKind::Retrying) + 1,
        exhausted.attempts as usize
    );
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_an_unknown_outcome() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let events = Events::default();
    let client = client(&sandbox, &events);
    sandbox.inject(
        FaultRule::new(Fault::Latency(Duration::from_millis(500)))
            .sends_only()
            .times(1),
    );

    let error = client.send(message("slow")).await.unwrap_err();

    let Error::OutcomeUnknown(unknown) = &error else {
        panic!("expected OutcomeUnknown, got {error:?}");
    };
    assert!(unknown.source.is_timeout(), "{error:?}");
    let id = unknown.correlation_id.clone().expect("a correlation id");
    assert_eq!(events.count(RetryEventKind::Retrying), 0);
    // Give the sandbox time to finish (or abandon) the slow request, then reconcile.
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(send_requests(&sandbox), 1);
    let accepted = accepted_ids(&sandbox);
    println!("timeout: {error}; sandbox accepted {accepted:?}");
    assert!(accepted.len() <= 1, "{accepted:?}");
    assert!(accepted.iter().all(|cb| cb.as_deref() == Some(id.as_str())));
    assert_eq!(sandbox.duplicate_count(), 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn opting_in_to_retry_an_unknown_outcome_can_duplicate_the_message() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let events = Events::default();
    let client = client(&sandbox, &events);
    sandbox.inject(FaultRule::new(Fault::DropAfterActing).sends_only().times(1));

    let sent = client
        .send(message("retried after a drop"))
        .retry_unknown_outcome(true)
        .await
        .expect("delivered on the retry");

    assert!(sent.message_id().is_some());
    assert_eq!(send_requests(&sandbox), 2);
    let accepted = accepted_ids(&sandbox);
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    // The documented trade-off: the same message (same correlation id) accepted twice.
    assert_eq!(accepted[0], accepted[1]);
    assert!(accepted[0].is_some());
    assert_eq!(sandbox.duplicate_count(), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn without_the_opt_in_the_same_drop_is_not_retried() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let events = Events::default();
    let client = client(&sandbox, &events);
    sandbox.inject(FaultRule::new(Fault::DropAfterActing).sends_only().times(1));

    let error = client.send(message("not retried")).await.unwrap_err();

    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(send_requests(&sandbox), 1);
    assert_eq!(sandbox.accepted_count(), 1);
    assert_eq!(sandbox.duplicate_count(), 0);
    // The caller reconciles later; a second, explicit send is the caller's decision.
    sandbox.shutdown().await;
}
