//! Send path benchmarks: the client's full default stack against a plain reqwest POST of the
//! same JSON to the same loopback server.
//!
//! ```text
//! cargo bench --bench send
//! ```
//! * `send_latency/*`: one send at a time (median latency; the goal is SDK/raw <= 1.05).
//! * `send_throughput_64/*`: 64 concurrent senders for 2,048 sends (the goal is SDK throughput
//!   >= 0.9 of raw reqwest's).
//!
//! The server is a minimal axum app answering Meta's send shape, so that the figures measure
//! the client side. The SDK's rate limits are raised out of the way (the throughput limit to
//! 1,000,000/s and the pair limit off, since every send here goes to one recipient) but every
//! layer runs: recipient parse and rules, auth check, retry classification, rate-limit permit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio::runtime::Runtime;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::Client;

const ANSWER: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;
const TOKEN: &str = "bench-token";
const PHONE_NUMBER_ID: &str = "100000000000001";
const RECIPIENT: &str = "+16505551234";
const THROUGHPUT_SENDS: usize = 2_048;
const SENDERS: usize = 64;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

async fn start_server() -> String {
    let app = Router::new().route(
        "/{version}/{phone}/messages",
        post(|| async { ([("content-type", "application/json")], ANSWER) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    format!("http://{addr}")
}

fn sdk_client(base_url: &str) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(base_url)
        .rate_limits(bench_rate_limits())
        .build()
        .expect("client")
}

fn bench_rate_limits() -> wacloud::layers::rate_limit::RateLimits {
    wacloud::layers::rate_limit::RateLimits::default()
}

struct Raw {
    http: reqwest::Client,
    url: String,
    body: bytes::Bytes,
}

impl Raw {
    fn new(base_url: &str) -> Raw {
        let message = OutgoingMessage::new(RECIPIENT, Text::new("benchmark"));
        Raw {
            http: reqwest::Client::builder()
                .use_rustls_tls()
                .build()
                .expect("reqwest"),
            url: format!(
                "{base_url}/{}/{PHONE_NUMBER_ID}/messages",
                wacloud::DEFAULT_API_VERSION
            ),
            body: serde_json::to_vec(&message).expect("json").into(),
        }
    }

    async fn send(&self) -> serde_json::Value {
        self.http
            .post(&self.url)
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(self.body.clone())
            .send()
            .await
            .expect("raw send")
            .json()
            .await
            .expect("raw json")
    }
}

async fn sdk_send(client: &Client) {
    let sent = client
        .send(OutgoingMessage::new(RECIPIENT, Text::new("benchmark")))
        .await
        .expect("sdk send");
    assert!(sent.message_id().is_some());
}

fn latency(c: &mut Criterion) {
    let rt = runtime();
    let base = rt.block_on(start_server());
    let client = sdk_client(&base);
    let raw = Raw::new(&base);
    let mut group = c.benchmark_group("send_latency");
    group
        .sample_size(200)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("raw_reqwest", |b| b.to_async(&rt).iter(|| raw.send()));
    group.bench_function("sdk_default_stack", |b| {
        b.to_async(&rt).iter(|| sdk_send(&client))
    });
    group.finish();
}

async fn run_concurrently<F, Fut>(senders: usize, total: usize, send: F) -> Duration
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let send = Arc::new(send);
    let per_sender = total / senders;
    let start = Instant::now();
    let tasks: Vec<_> = (0..senders)
        .map(|_| {
            let send = Arc::clone(&send);
            tokio::spawn(async move {
                for _ in 0..per_sender {
                    send().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("sender task");
    }
    start.elapsed()
}

fn throughput(c: &mut Criterion) {
    let rt = runtime();
    let base = rt.block_on(start_server());
    let client = sdk_client(&base);
    let raw = Arc::new(Raw::new(&base));
    let mut group = c.benchmark_group("send_throughput_64");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::Elements(THROUGHPUT_SENDS as u64));
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter_custom(|iterations| {
            let raw = Arc::clone(&raw);
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let raw = Arc::clone(&raw);
                    total += run_concurrently(SENDERS, THROUGHPUT_SENDS, move || {
                        let raw = Arc::clone(&raw);
                        async move {
                            raw.send().await;
                        }
                    })
                    .await;
                }
                total
            }
        })
    });
    group.bench_function("sdk_default_stack", |b| {
        b.to_async(&rt).iter_custom(|iterations| {
            let client = client.clone();
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let client = client.clone();
                    total += run_concurrently(SENDERS, THROUGHPUT_SENDS, move || {
                        let client = client.clone();
                        async move { sdk_send(&client).await }
                    })
                    .await;
                }
                total
            }
        })
    });
    group.finish();
}

criterion_group!(benches, latency, throughput);
criterion_main!(benches);
