//! Issue 14, receiver side: acknowledged means kept, failures and panics answered 503,
//! re-deliveries recognised without hiding events, limits under abuse, graceful shutdown.
//! Real HTTP on loopback; timeouts run on a scaled clock, so no test waits long.
#![cfg(feature = "webhook-router")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot, Notify};
use wacloud::time::ScaledClock;
use wacloud::webhooks::router::{Acknowledge, Event, ReceiverHandle, WebhookReceiver};
use wacloud::webhooks::AppSecret;

const SECRET: &str = "ack-test-secret";
const TOKEN: &str = "ack-test-token";

/// A signed-webhook body with one status per `(id, status, timestamp)`, and `pad` bytes of
/// callback data on each (to make bodies of a given size).
fn statuses(updates: &[(&str, &str, u32)], pad: usize) -> Vec<u8> {
    let pad = "p".repeat(pad);
    let items: Vec<String> = updates
        .iter()
        .map(|(id, status, ts)| {
            format!(
                r#"{{"id":"{id}","status":"{status}","timestamp":"{ts}","recipient_id":"16505551234","biz_opaque_callback_data":"{pad}"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"statuses":[{}]}}}}]}}]}}"#,
        items.join(",")
    )
    .into_bytes()
}

async fn start(receiver: WebhookReceiver) -> (String, ReceiverHandle) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (router, handle) = receiver.into_parts();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), handle)
}

async fn post(url: &str, body: Vec<u8>) -> u16 {
    let sig = AppSecret::new(SECRET).sign(&body);
    reqwest::Client::new()
        .post(url)
        .header("X-Hub-Signature-256", sig)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `(message id, raw status, duplicate)` of the status events a handler saw.
type Seen = Arc<Mutex<Vec<(String, String, bool)>>>;

fn record(seen: &Seen, event: &Event) {
    if let Event::Status {
        status, reconciled, ..
    } = event
    {
        seen.lock().unwrap().push((
            status.id.to_string(),
            status.status.as_str().to_owned(),
            reconciled.duplicate,
        ));
    }
}

/// Posts statuses a, b, c (answered 503), then again (answered 200); returns `(id,
/// duplicate)` of what the handler finished with.
async fn refused_then_redelivered(receiver: WebhookReceiver, seen: &Seen) -> Vec<(String, bool)> {
    let (url, _handle) = start(receiver).await;
    let body = statuses(&[("a", "sent", 1), ("b", "sent", 1), ("c", "sent", 1)], 0);
    assert_eq!(post(&url, body.clone()).await, 503);
    assert_eq!(post(&url, body).await, 200);
    let seen = seen.lock().unwrap();
    seen.iter().map(|(id, _, d)| (id.clone(), *d)).collect()
}

fn status_id(event: &Event) -> &str {
    match event {
        Event::Status { status, .. } => &status.id,
        _ => "",
    }
}

fn fast_clock() -> Arc<ScaledClock> {
    Arc::new(ScaledClock::new(100.0))
}

/// Defect 1: a panic in the handler's synchronous part, before its future exists, killed the
/// queue worker for good (later POSTs got 200 and their events were dropped). It is now
/// caught, the POST gets 503, and later events are handled.
#[tokio::test]
async fn a_synchronous_panic_is_caught_in_both_modes() {
    for mode in [Acknowledge::AfterHandling, Acknowledge::OnQueue] {
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let receiver = WebhookReceiver::new(SECRET, TOKEN)
            .acknowledge(mode)
            .on_event(move |event: Event| {
                if status_id(&event) == "panic" {
                    panic!("handler bug before its future");
                }
                let tx = tx.clone();
                async move {
                    let _ = tx.send(status_id(&event).to_owned());
                }
            });
        let (url, _handle) = start(receiver).await;
        let first = post(&url, statuses(&[("panic", "sent", 1)], 0)).await;
        let expected = if mode == Acknowledge::AfterHandling {
            503
        } else {
            200
        };
        assert_eq!(first, expected, "{mode:?}");
        for i in 0..3 {
            let id = format!("after-{i}");
            assert_eq!(post(&url, statuses(&[(&id, "sent", 1)], 0)).await, 200);
            let got = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("the receiver still handles events")
                .unwrap();
            assert_eq!(got, id, "{mode:?}");
        }
    }
}

/// Defect 2: the 200 went out once events were queued in memory. By default it now waits for
/// the handler.
#[tokio::test]
async fn the_answer_waits_for_the_handler() {
    let release = Arc::new(Notify::new());
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let started_tx = Mutex::new(Some(started_tx));
    let handled = Arc::new(AtomicUsize::new(0));
    let receiver = WebhookReceiver::new(SECRET, TOKEN).on_event({
        let release = Arc::clone(&release);
        let handled = Arc::clone(&handled);
        move |_event: Event| {
            let release = Arc::clone(&release);
            let handled = Arc::clone(&handled);
            if let Some(tx) = started_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            async move {
                release.notified().await;
                handled.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let (url, _handle) = start(receiver).await;
    let answer = tokio::spawn(async move { post(&url, statuses(&[("m", "sent", 1)], 0)).await });
    started_rx.await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !answer.is_finished(),
        "answered before the handler finished"
    );
    release.notify_one();
    assert_eq!(answer.await.unwrap(), 200);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

/// Defects 2 and 3: a failing handler gets the POST a 503; on re-delivery the updates the
/// handler finished with are duplicates, the others are not (they were never handled).
#[tokio::test]
async fn a_failure_answers_503_and_the_redelivery_hides_nothing() {
    let seen: Seen = Arc::default();
    let fail_once = Arc::new(AtomicUsize::new(1));
    let receiver = WebhookReceiver::new(SECRET, TOKEN).on_event({
        let seen = Arc::clone(&seen);
        let fail_once = Arc::clone(&fail_once);
        move |event: Event| {
            let seen = Arc::clone(&seen);
            let fail_once = Arc::clone(&fail_once);
            async move {
                record(&seen, &event);
                if status_id(&event) == "b" && fail_once.fetch_sub(1, Ordering::SeqCst) == 1 {
                    return Err("database unavailable");
                }
                Ok(())
            }
        }
    });
    let seen = refused_then_redelivered(receiver, &seen).await;
    let seen: Vec<(&str, bool)> = seen.iter().map(|(id, d)| (id.as_str(), *d)).collect();
    assert_eq!(
        seen,
        [
            ("a", false),
            ("b", false),
            // Re-delivery: "a" was handled, "b" failed, "c" was never reached.
            ("a", true),
            ("b", false),
            ("c", false),
        ]
    );
}

/// A handler that does not finish in time gets the POST a 503; the cut-off batch comes back
/// as new.
#[tokio::test]
async fn a_slow_handler_answers_503_and_its_batch_comes_back_new() {
    let seen: Seen = Arc::default();
    let stall = Arc::new(AtomicUsize::new(1));
    let receiver = WebhookReceiver::new(SECRET, TOKEN)
        .clock(fast_clock())
        .handler_timeout(Duration::from_secs(5))
        .on_event({
            let seen = Arc::clone(&seen);
            let stall = Arc::clone(&stall);
            move |event: Event| {
                let seen = Arc::clone(&seen);
                let stall = Arc::clone(&stall);
                async move {
                    if status_id(&event) == "b" && stall.fetch_sub(1, Ordering::SeqCst) == 1 {
                        std::future::pending::<()>().await;
                    }
                    record(&seen, &event);
                }
            }
        });
    let seen = refused_then_redelivered(receiver, &seen).await;
    let seen: Vec<(&str, bool)> = seen.iter().map(|(id, d)| (id.as_str(), *d)).collect();
    assert_eq!(
        seen,
        [("a", false), ("a", true), ("b", false), ("c", false)]
    );
}

/// Defect 7: the answer-first queue counted events, so one-MiB bodies piled up in memory. It
/// now counts bytes: with a stuck handler, POSTs beyond the budget get 503 at once.
#[tokio::test]
async fn the_queue_is_bounded_in_bytes() {
    let release = Arc::new(Notify::new());
    let receiver = WebhookReceiver::new(SECRET, TOKEN)
        .acknowledge(Acknowledge::OnQueue)
        .queue_bytes(1024 * 1024)
        .handler_timeout(Duration::from_secs(60))
        .on_event({
            let release = Arc::clone(&release);
            move |_event: Event| {
                let release = Arc::clone(&release);
                async move { release.notified().await }
            }
        });
    let (url, handle) = start(receiver).await;
    let mut answers = Vec::new();
    for i in 0..6 {
        let body = statuses(&[(&format!("m{i}"), "sent", 1)], 200 * 1024);
        answers.push(post(&url, body).await);
        assert!(
            handle.queued_bytes() <= 1024 * 1024,
            "{}",
            handle.queued_bytes()
        );
    }
    // Each ~200 KiB body is charged ~400 KiB, held until handled: two fit in 1 MiB.
    assert_eq!(answers, [200, 200, 503, 503, 503, 503]);
    assert!(handle.queued_bytes() > 0);
    for _ in 0..3 {
        release.notify_one();
    }
}

/// Defect 4: bodies are read against a budget of bytes in flight; what does not fit is
/// refused at once, unread, and a stalled upload is cut off by the read timeout. Small
/// webhooks keep their reserve.
#[tokio::test]
async fn bodies_in_flight_are_bounded_and_stalls_time_out() {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let receiver = WebhookReceiver::new(SECRET, TOKEN)
        .body_limit(200 * 1024)
        .max_in_flight(256 * 1024)
        .clock(fast_clock())
        .body_timeout(Duration::from_secs(30))
        .on_event(move |event: Event| {
            let _ = tx.send(status_id(&event).to_owned());
            async {}
        });
    let (url, handle) = start(receiver).await;
    let addr = url.trim_start_matches("http://").to_owned();
    let stalled_upload = |len: usize, sent: usize| {
        let addr = addr.clone();
        async move {
            let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
            let head = format!(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
            );
            s.write_all(head.as_bytes()).await.unwrap();
            // The server may refuse before reading; a failed write is expected then.
            let _ = s.write_all(&vec![b' '; sent]).await;
            s
        }
    };
    // A 150 KiB upload stalls one byte short: admitted, it holds its bytes.
    let mut first = stalled_upload(150 * 1024, 150 * 1024 - 1).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while handle.in_flight_bytes() < 150 * 1024 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the upload was not admitted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A second one does not fit besides it: 503 at once, body unread, connection closed.
    let mut second = stalled_upload(150 * 1024, 0).await;
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), second.read_to_string(&mut answer))
        .await
        .expect("refused at once")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    // A real webhook still gets through: small bodies keep the last eighth.
    assert_eq!(post(&url, statuses(&[("real", "sent", 1)], 0)).await, 200);
    assert_eq!(rx.recv().await.unwrap(), "real");
    // The stalled upload is cut off by the read timeout (30 s on a 100x clock) with 408,
    // and its bytes are released.
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), first.read_to_string(&mut answer))
        .await
        .expect("timed out by the server")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(handle.in_flight_bytes(), 0);
}

/// Graceful shutdown: queued events are handled and a POST in flight gets its answer before
/// `serve_with_shutdown` returns.
#[tokio::test]
async fn shutdown_drains_what_was_accepted() {
    for mode in [Acknowledge::OnQueue, Acknowledge::AfterHandling] {
        let handled = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let receiver = WebhookReceiver::new(SECRET, TOKEN)
            .acknowledge(mode)
            .on_event({
                let handled = Arc::clone(&handled);
                let entered = Arc::clone(&entered);
                let gate = Arc::clone(&gate);
                move |_event: Event| {
                    let handled = Arc::clone(&handled);
                    let gate = Arc::clone(&gate);
                    entered.fetch_add(1, Ordering::SeqCst);
                    async move {
                        gate.acquire().await.unwrap().forget();
                        handled.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server = tokio::spawn(receiver.serve_with_shutdown(listener, async {
            let _ = stop_rx.await;
        }));
        let posts: Vec<_> = (0..5)
            .map(|i| {
                let url = url.clone();
                tokio::spawn(async move {
                    post(&url, statuses(&[(&format!("m{i}"), "sent", 1)], 0)).await
                })
            })
            .collect();
        if mode == Acknowledge::OnQueue {
            // All five are acknowledged while the handler is still blocked.
            for p in posts {
                assert_eq!(p.await.unwrap(), 200);
            }
            assert_eq!(handled.load(Ordering::SeqCst), 0);
            stop_tx.send(()).unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!server.is_finished(), "returned with events still queued");
            gate.add_permits(5);
            server.await.unwrap().unwrap();
            assert_eq!(handled.load(Ordering::SeqCst), 5, "{mode:?}");
        } else {
            // Wait until the five POSTs are in the handler, then stop.
            while entered.load(Ordering::SeqCst) < 5 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            stop_tx.send(()).unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!server.is_finished(), "returned with POSTs in flight");
            gate.add_permits(5);
            for p in posts {
                assert_eq!(p.await.unwrap(), 200, "{mode:?}");
            }
            server.await.unwrap().unwrap();
            assert_eq!(handled.load(Ordering::SeqCst), 5, "{mode:?}");
        }
    }
}

/// Timeouts of `Duration::MAX` mean "no timeout", not a panic.
#[tokio::test]
async fn maximal_timeouts_do_not_panic() {
    let receiver = WebhookReceiver::new(SECRET, TOKEN)
        .body_timeout(Duration::MAX)
        .handler_timeout(Duration::MAX)
        .max_in_flight(usize::MAX)
        .queue_bytes(usize::MAX)
        .on_event(|_event: Event| async {});
    let (url, _handle) = start(receiver).await;
    assert_eq!(post(&url, statuses(&[("m", "sent", 1)], 0)).await, 200);
    let receiver = WebhookReceiver::new(SECRET, TOKEN)
        .acknowledge(Acknowledge::OnQueue)
        .handler_timeout(Duration::MAX)
        .queue_bytes(usize::MAX)
        .on_event(|_event: Event| async {});
    let (url, _handle) = start(receiver).await;
    assert_eq!(post(&url, statuses(&[("m", "sent", 1)], 0)).await, 200);
}

/// Two copies of one webhook at once (Meta re-delivers when an answer is slow): the second
/// waits for the handler to finish with the first, then comes as a duplicate; the handler is
/// never on the same update twice at a time.
#[tokio::test]
async fn a_concurrent_copy_waits_for_the_first_and_comes_as_a_duplicate() {
    let seen: Seen = Arc::default();
    let busy = Arc::new(AtomicUsize::new(0));
    let (release, released) = oneshot::channel::<()>();
    let released = Arc::new(Mutex::new(Some(released)));
    let (first_in, mut first_entered) = mpsc::unbounded_channel::<()>();
    let receiver = WebhookReceiver::new(SECRET, TOKEN).on_event({
        let (seen, busy) = (Arc::clone(&seen), Arc::clone(&busy));
        move |event: Event| {
            let (seen, busy, released, first_in) = (
                Arc::clone(&seen),
                Arc::clone(&busy),
                Arc::clone(&released),
                first_in.clone(),
            );
            async move {
                assert_eq!(busy.fetch_add(1, Ordering::SeqCst), 0, "two at a time");
                let wait = released.lock().unwrap().take();
                if let Some(wait) = wait {
                    // The first copy: hold the handler until the second copy is in.
                    let _ = first_in.send(());
                    let _ = wait.await;
                }
                record(&seen, &event);
                busy.fetch_sub(1, Ordering::SeqCst);
            }
        }
    });
    let (url, _handle) = start(receiver).await;
    let body = statuses(&[("m1", "delivered", 5)], 0);
    let first = tokio::spawn(post_owned(url.clone(), body.clone()));
    first_entered.recv().await.unwrap();
    let second = tokio::spawn(post_owned(url.clone(), body));
    // Let the second copy reach the receiver and wait there (without the wait it would
    // enter the handler now and trip the "two at a time" assertion).
    tokio::time::sleep(Duration::from_millis(100)).await;
    release.send(()).unwrap();
    assert_eq!(first.await.unwrap(), 200);
    assert_eq!(second.await.unwrap(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            ("m1".to_owned(), "delivered".to_owned(), false),
            ("m1".to_owned(), "delivered".to_owned(), true),
        ]
    );
}

/// The first copy's handler fails: the waiting copy is then new, not a duplicate (the
/// update was never handled), and it is the one acknowledged. It waited: the handler never had
/// both copies at once.
#[tokio::test]
async fn a_concurrent_copy_of_a_failed_update_is_handled_as_new() {
    let seen: Seen = Arc::default();
    let calls = Arc::new(AtomicUsize::new(0));
    // Copies inside the handler now, and the most there ever were.
    let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let gate = Arc::new(Notify::new());
    let (first_in, mut first_entered) = mpsc::unbounded_channel::<()>();
    let receiver = WebhookReceiver::new(SECRET, TOKEN).on_event({
        let (seen, calls, gate) = (Arc::clone(&seen), Arc::clone(&calls), Arc::clone(&gate));
        let (inside, most) = (Arc::clone(&inside), Arc::clone(&most));
        move |event: Event| {
            let (seen, calls, gate, first_in) = (
                Arc::clone(&seen),
                Arc::clone(&calls),
                Arc::clone(&gate),
                first_in.clone(),
            );
            let (inside, most) = (Arc::clone(&inside), Arc::clone(&most));
            async move {
                most.fetch_max(inside.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                let result = if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    let _ = first_in.send(());
                    gate.notified().await;
                    Err("the database is down")
                } else {
                    record(&seen, &event);
                    Ok(())
                };
                inside.fetch_sub(1, Ordering::SeqCst);
                result
            }
        }
    });
    let (url, _handle) = start(receiver).await;
    let body = statuses(&[("m2", "read", 9)], 0);
    let first = tokio::spawn(post_owned(url.clone(), body.clone()));
    first_entered.recv().await.unwrap();
    let second = tokio::spawn(post_owned(url.clone(), body));
    tokio::time::sleep(Duration::from_millis(100)).await;
    gate.notify_one();
    assert_eq!(first.await.unwrap(), 503);
    assert_eq!(second.await.unwrap(), 200);
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![("m2".to_owned(), "read".to_owned(), false)]
    );
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "both copies were in the handler at once"
    );
}

async fn post_owned(url: String, body: Vec<u8>) -> u16 {
    post(&url, body).await
}
