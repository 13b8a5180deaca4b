//! Property tests of the receiver's limits and acknowledgements (issue 14): any body, any
//! declared length, any limits, any mix of handler outcomes (success, error, panic before or
//! inside the future, hang), in both acknowledgement modes. Requests go through the router
//! in-process on a paused clock, so hangs and stalls resolve at once and deterministically.
#![cfg(feature = "webhook-router")]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use futures_util::stream;
use futures_util::StreamExt;
use proptest::prelude::*;
use tower::ServiceExt;
use wacloud::webhooks::router::{Acknowledge, Event, ReceiverHandle, WebhookReceiver};
use wacloud::webhooks::{AppSecret, SIGNATURE_HEADER};

const SECRET: &str = "limits-secret";
const IDS: [&str; 3] = ["wamid.A", "wamid.B", "wamid.C"];
const KINDS: [&str; 4] = ["sent", "delivered", "read", "failed"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Ok,
    Err,
    PanicBefore,
    PanicInside,
    Hang,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        6 => Just(Outcome::Ok),
        1 => Just(Outcome::Err),
        1 => Just(Outcome::PanicBefore),
        1 => Just(Outcome::PanicInside),
        1 => Just(Outcome::Hang),
    ]
}

type Update = (usize, usize, u8);

fn body_of(updates: &[Update]) -> Vec<u8> {
    let items: Vec<String> = updates
        .iter()
        .map(|(id, kind, ts)| {
            format!(
                r#"{{"id":"{}","status":"{}","timestamp":"{ts}"}}"#,
                IDS[*id], KINDS[*kind]
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"statuses":[{}]}}}}]}}]}}"#,
        items.join(",")
    )
    .into_bytes()
}

/// How the body is declared and sent.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// `Content-Length` right, one chunk.
    Exact,
    /// No `Content-Length`, in chunks of this size.
    Chunked(usize),
    /// `Content-Length` smaller than the body.
    Understated,
    /// `Content-Length` larger than the body.
    Overstated,
    /// Part of the body, then nothing more: a stalled upload.
    Stalled,
}

fn framing() -> impl Strategy<Value = Framing> {
    prop_oneof![
        4 => Just(Framing::Exact),
        2 => (1usize..600).prop_map(Framing::Chunked),
        1 => Just(Framing::Understated),
        1 => Just(Framing::Overstated),
        1 => Just(Framing::Stalled),
    ]
}

fn request(bytes: &[u8], signed: bool, framing: Framing) -> Request<Body> {
    let mut req = Request::post("/");
    if signed {
        req = req.header(SIGNATURE_HEADER, AppSecret::new(SECRET).sign(bytes));
    }
    let owned = bytes.to_vec();
    let body = match framing {
        Framing::Exact => {
            req = req.header(header::CONTENT_LENGTH, owned.len());
            Body::from(owned)
        }
        Framing::Chunked(size) => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                owned.chunks(size).map(|c| Ok(c.to_vec())).collect();
            Body::from_stream(stream::iter(chunks))
        }
        Framing::Understated => {
            req = req.header(header::CONTENT_LENGTH, owned.len() / 2);
            Body::from(owned)
        }
        Framing::Overstated => {
            req = req.header(header::CONTENT_LENGTH, owned.len() * 2 + 10);
            Body::from(owned)
        }
        Framing::Stalled => {
            req = req.header(header::CONTENT_LENGTH, owned.len() + 1);
            let first: Result<Vec<u8>, std::io::Error> = Ok(owned);
            Body::from_stream(stream::iter([first]).chain(stream::pending()))
        }
    };
    req.body(body).unwrap()
}

/// The handler: plays `plan` (by call index) until `all_ok` is set; records what it finished.
struct Script {
    plan: Vec<Outcome>,
    calls: AtomicUsize,
    all_ok: AtomicBool,
    /// `(update index in the body, duplicate)` of every status handled successfully.
    finished: Mutex<Vec<(String, String, bool)>>,
}

impl Script {
    fn new(plan: Vec<Outcome>) -> Arc<Script> {
        Arc::new(Script {
            plan,
            calls: AtomicUsize::new(0),
            all_ok: AtomicBool::new(false),
            finished: Mutex::new(Vec::new()),
        })
    }
}

fn receiver(script: &Arc<Script>, mode: Acknowledge) -> WebhookReceiver {
    let script = Arc::clone(script);
    WebhookReceiver::new(SECRET, "token")
        .acknowledge(mode)
        .on_event(move |event: Event| {
            let i = script.calls.fetch_add(1, Ordering::SeqCst);
            let outcome = if script.all_ok.load(Ordering::SeqCst) {
                Outcome::Ok
            } else {
                script.plan[i % script.plan.len()]
            };
            if outcome == Outcome::PanicBefore {
                panic!("planned panic before the future");
            }
            let script = Arc::clone(&script);
            async move {
                match outcome {
                    Outcome::Err => return Err("planned error"),
                    Outcome::PanicInside => panic!("planned panic inside the future"),
                    Outcome::Hang => std::future::pending::<()>().await,
                    _ => {}
                }
                if let Event::Status {
                    status, reconciled, ..
                } = &event
                {
                    script.finished.lock().unwrap().push((
                        status.id.to_string(),
                        format!("{}@{}", status.status.as_str(), status.timestamp),
                        reconciled.duplicate,
                    ));
                }
                Ok(())
            }
        })
}

async fn send(router: &axum::Router, req: Request<Body>) -> u16 {
    router.clone().oneshot(req).await.unwrap().status().as_u16()
}

/// The planned panics are expected: keep them out of the output, report any other.
fn quiet_planned_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let planned = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("planned panic"));
            if !planned {
                default(info);
            }
        }));
    });
}

fn paused_runtime() -> tokio::runtime::Runtime {
    quiet_planned_panics();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

fn settled(handle: &ReceiverHandle) {
    assert_eq!(handle.in_flight_bytes(), 0, "in-flight bytes not released");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Acknowledging after handling: 200 exactly when every event of a valid, signed body was
    /// handled; the budget is always released; a re-delivery marks as duplicates exactly the
    /// updates the handler finished with.
    #[test]
    fn acknowledged_means_handled(
        updates in prop::collection::vec((0usize..3, 0usize..4, 1u8..3), 0..8),
        plan in prop::collection::vec(outcome(), 1..6),
        framing in framing(),
        signed in any::<bool>(),
        body_limit in prop_oneof![Just(usize::MAX / 2), 0usize..1200],
        max_in_flight in prop_oneof![Just(64 * 1024 * 1024), 0usize..4096],
    ) {
        let bytes = body_of(&updates);
        let script = Script::new(plan);
        let (router, handle) = receiver(&script, Acknowledge::AfterHandling)
            .body_limit(body_limit)
            .max_in_flight(max_in_flight)
            .body_timeout(Duration::from_secs(5))
            .handler_timeout(Duration::from_secs(5))
            .into_parts();
        paused_runtime().block_on(async {
            let status = send(&router, request(&bytes, signed, framing)).await;
            settled(&handle);
            let declared = match framing {
                Framing::Overstated => bytes.len() * 2 + 10,
                _ => bytes.len(),
            };
            let fits = bytes.len() <= body_limit && declared <= body_limit;
            let expected_refusal = match framing {
                Framing::Stalled => Some(vec![408, 413]),
                _ if !fits => Some(vec![413]),
                _ if !signed => Some(vec![403]),
                _ => None,
            };
            if let Some(allowed) = expected_refusal {
                prop_assert!(allowed.contains(&status), "{status} for {framing:?}");
                prop_assert_eq!(script.calls.load(Ordering::SeqCst), 0);
                return Ok(());
            }
            let finished = script.finished.lock().unwrap().clone();
            prop_assert!(status == 200 || status == 503, "{status}");
            prop_assert_eq!(status == 200, finished.len() == updates.len());
            // The first delivery to a fresh tracker has no duplicates.
            prop_assert!(finished.iter().all(|(_, _, dup)| !dup));

            // Meta delivers it again (after a 200 too: at-least-once); this time all succeed.
            script.all_ok.store(true, Ordering::SeqCst);
            script.finished.lock().unwrap().clear();
            let again = send(&router, request(&bytes, true, Framing::Exact)).await;
            settled(&handle);
            prop_assert_eq!(again, 200);
            let redelivered = script.finished.lock().unwrap().clone();
            prop_assert_eq!(redelivered.len(), updates.len());
            for (id, update, duplicate) in &redelivered {
                let handled_before = finished.iter().any(|(i, u, _)| i == id && u == update);
                prop_assert_eq!(*duplicate, handled_before, "{} {}", id, update);
            }
            Ok(())
        })?;
    }

    /// Acknowledging on queue: whatever the outcomes, queued bytes stay within the queue's
    /// budget, the in-flight budget is released, and every event of a 200 reaches the handler
    /// once the queue is drained.
    #[test]
    fn the_queue_stays_within_its_bytes(
        bodies in prop::collection::vec(prop::collection::vec((0usize..3, 0usize..4, 1u8..3), 1..6), 1..8),
        plan in prop::collection::vec(outcome(), 1..6),
        queue_bytes in 1024usize..8192,
    ) {
        let script = Script::new(plan);
        let (router, handle) = receiver(&script, Acknowledge::OnQueue)
            .queue_bytes(queue_bytes)
            .handler_timeout(Duration::from_secs(5))
            .into_parts();
        paused_runtime().block_on(async {
            let mut accepted = 0;
            for updates in &bodies {
                let status = send(&router, request(&body_of(updates), true, Framing::Exact)).await;
                prop_assert!(status == 200 || status == 503, "{status}");
                if status == 200 {
                    accepted += updates.len();
                }
                settled(&handle);
                prop_assert!(handle.queued_bytes() <= queue_bytes.div_ceil(1024) * 1024);
                tokio::task::yield_now().await;
            }
            handle.drain().await;
            prop_assert!(script.calls.load(Ordering::SeqCst) >= accepted);
            Ok(())
        })?;
    }

    /// Any bytes at all, signed or not: a defined answer, never a call with nothing parsed.
    #[test]
    fn any_bytes_get_a_defined_answer(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        signed in any::<bool>(),
        framing in framing(),
    ) {
        let script = Script::new(vec![Outcome::Ok]);
        let (router, handle) = receiver(&script, Acknowledge::AfterHandling).into_parts();
        paused_runtime().block_on(async {
            let status = send(&router, request(&bytes, signed, framing)).await;
            settled(&handle);
            prop_assert!([200, 400, 403, 408, 413].contains(&status), "{status}");
            Ok(())
        })?;
    }
}
