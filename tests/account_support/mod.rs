//! Helpers shared by the management (account) tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wacloud::layers::retry::{RetryPolicy, Schedule};
use wacloud::time::TokioClock;
use wacloud::{Client, ClientBuilder};
use wiremock::{MockServer, ResponseTemplate};

/// The WhatsApp Business Account id every test client manages.
pub const WABA_ID: &str = "102290129340398";
/// The phone number id every test client sends from.
pub const PHONE_NUMBER_ID: &str = "106540352242922";

/// `/{version}/{segments...}`.
pub fn path(segments: &[&str]) -> String {
    format!("/{}/{}", wacloud::DEFAULT_API_VERSION, segments.join("/"))
}

/// A builder for `base_url` with both ids and short real-time retries.
pub fn builder(base_url: &str) -> ClientBuilder {
    Client::builder()
        .access_token("test-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .business_account_id(WABA_ID)
        .base_url(base_url)
        .clock(Arc::new(TokioClock))
        .retry_policy(quick_retries())
}

/// Transient and throttled retries that take milliseconds.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .transient(
            Schedule::exponential(Duration::from_millis(5), Duration::from_millis(20))
                .max_retries(3)
                .max_elapsed(Duration::from_secs(5)),
        )
        .throttled(
            Schedule::exponential(Duration::from_millis(5), Duration::from_millis(20))
                .max_retries(3)
                .max_elapsed(Duration::from_secs(5)),
        )
}

/// A client on the mock server.
pub fn client(server: &MockServer) -> Client {
    builder(&server.uri()).build().expect("a valid client")
}

/// A JSON answer.
pub fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// `{"success": true}`.
pub fn success() -> ResponseTemplate {
    json(200, serde_json::json!({"success": true}))
}

/// A Graph error answer from `wiremock-fixtures/errors/`.
pub fn error_answer(status: u16, name: &str) -> ResponseTemplate {
    let path = format!(
        "{}/wiremock-fixtures/errors/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    ResponseTemplate::new(status).set_body_raw(body, "application/json")
}

/// How many requests the server received.
pub async fn hits(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .map_or(0, |requests| requests.len())
}

/// A loopback HTTP/1.1 server that reads each request whole, then closes the connection
/// without answering for the first `drops` requests (the request was written and may have
/// been acted on: an unknown outcome), and answers the later ones with `answer`.
pub struct DropAfterWriting {
    /// The base URL, `http://127.0.0.1:port`.
    pub base_url: String,
    requests: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl DropAfterWriting {
    /// Starts the server.
    pub async fn start(drops: usize, answer: serde_json::Value) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let answer = answer.to_string();
        let (count, seen) = (Arc::clone(&requests), Arc::clone(&bodies));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (count, seen, answer) = (Arc::clone(&count), Arc::clone(&seen), answer.clone());
                tokio::spawn(async move {
                    let Some(body) = read_request(&mut socket).await else {
                        return;
                    };
                    seen.lock().unwrap().push(body);
                    let number = count.fetch_add(1, Ordering::SeqCst);
                    if number < drops {
                        // Close without a byte of answer.
                        drop(socket);
                        return;
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        answer.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        DropAfterWriting {
            base_url,
            requests,
            bodies,
        }
    }

    /// How many whole requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The request bodies, in arrival order.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

/// Reads one request (head and `content-length` body); answers the body.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    Some(String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned())
}
