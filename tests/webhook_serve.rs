//! The receiver's own server (`serve`, `serve_with_shutdown`): a client that trickles its
//! request headers is cut off at the header deadline, at most `max_connections` are served at
//! once, and the others are served once a slot frees. The deadline runs on the receiver's
//! clock, scaled here so that the default 10 s take 50 ms.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wacloud::time::ScaledClock;
use wacloud::webhooks::router::{WebhookReceiver, DEFAULT_HEADER_READ_TIMEOUT};

const TOKEN: &str = "verify-token";
/// 10 s of clock in 50 ms.
const SCALE: f64 = 200.0;
/// A guard against a hang, far above any deadline under test (not a measurement).
const GUARD: Duration = Duration::from_secs(20);

async fn start(
    receiver: WebhookReceiver,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(receiver.serve_with_shutdown(listener, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

fn receiver() -> WebhookReceiver {
    WebhookReceiver::new("app-secret", TOKEN).clock(Arc::new(ScaledClock::new(SCALE)))
}

/// A complete handshake request; its answer is the challenge.
fn handshake(challenge: u32) -> String {
    format!(
        "GET /?hub.mode=subscribe&hub.challenge={challenge}&hub.verify_token={TOKEN} HTTP/1.1\r\n\
         Host: localhost\r\nConnection: close\r\n\r\n"
    )
}

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn headers_that_trickle_are_cut_off_at_the_deadline_and_others_are_served() {
    let (addr, _stop) = start(receiver()).await;
    // A slowloris: half a request head, then nothing.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let cut = read_to_close(&mut slow).await;
    assert!(
        !cut.contains("200 OK"),
        "no answer but a close (or a 408): {cut:?}"
    );
    // On the scaled clock the 10 s deadline is 50 ms; it did not wait for the guard.
    let real = DEFAULT_HEADER_READ_TIMEOUT.div_f64(SCALE);
    assert!(
        started.elapsed() >= real.mul_f64(0.5),
        "not before the deadline"
    );

    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(handshake(42).as_bytes()).await.unwrap();
    let answer = read_to_close(&mut ok).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("42"), "{answer}");
}

#[tokio::test]
async fn past_max_connections_the_next_waits_for_a_free_slot() {
    // A long deadline (10 min of clock, 3 s real): the slot frees because the client leaves.
    let (addr, _stop) = start(
        receiver()
            .max_connections(1)
            .header_read_timeout(Duration::from_secs(600)),
    )
    .await;
    let mut holder = TcpStream::connect(addr).await.unwrap();
    holder.write_all(b"GET / HTTP/1.1\r\nHo").await.unwrap();
    // Give the server time to take the first connection into its only slot.
    tokio::time::sleep(Duration::from_millis(50)).await;

    let mut waiting = TcpStream::connect(addr).await.unwrap(); // in the listen backlog
    waiting.write_all(handshake(7).as_bytes()).await.unwrap();
    let mut first = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), waiting.read(&mut first)).await;
    assert!(
        early.is_err(),
        "served while the only slot was taken: {early:?}"
    );

    drop(holder); // the slot frees
    let answer = read_to_close(&mut waiting).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with('7'), "{answer}");
}

#[tokio::test]
async fn a_shutdown_stops_accepting_and_returns_once_connections_close() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(receiver().serve_with_shutdown(listener, async {
        let _ = stopped.await;
    }));
    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(handshake(9).as_bytes()).await.unwrap();
    assert!(read_to_close(&mut ok).await.ends_with('9'));
    stop.send(()).unwrap();
    tokio::time::timeout(GUARD, server)
        .await
        .expect("the server returns after the signal")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed after shutdown"
    );
}
