//! Send path benchmarks: the client's full default stack against a plain reqwest POST of the
//! same JSON to the same loopback server.
//!
//! ```text
//! cargo bench --bench send
//! ```
//! * `send_latency/*`: one send at a time (median latency; the goal is SDK/raw <= 1.05).
//! * `send_latency_layers/*`: the SDK with one default layer removed at a time, and with none
//!   (where the overhead comes from).
//! * `paired`: printed medians of alternating raw/SDK sends (latency) and rounds (throughput),
//!   the figures least disturbed by a noisy machine.
//! * `send_throughput_64/*`: 64 concurrent senders for 2,048 sends (the goal is SDK throughput
//!   >= 0.9 of raw reqwest's).
//!
//! * instructions per send: `scripts/callgrind-send.sh` runs this binary's `SEND_COST` mode
//!   under callgrind (see [`send_cost`]).
//!
//! The server is a minimal axum app answering Meta's send shape, so that the figures measure
//! the client side. The SDK's rate limits are set out of the way (no throughput limit, since
//! Meta's maximum of 1,000/s is far below loopback speed, and no pair limit, since every send
//! here goes to one recipient) but every layer runs: recipient parse and rules, auth check,
//! retry classification, the rate-limit layer's fact lookup.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::post;
use axum::Router;
use criterion::{criterion_group, Criterion, Throughput};
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

/// The default layers, for the "no layers at all" variant.
const ALL_LAYERS: [&str; 4] = [
    wacloud::layers::RECIPIENTS,
    wacloud::layers::AUTH,
    wacloud::layers::RETRY,
    wacloud::layers::RATE_LIMIT,
];

fn sdk_client(base_url: &str) -> Client {
    sdk_client_without(base_url, &[])
}

/// The SDK client with some default layers removed (by name, e.g. `layers::RECIPIENTS`), to
/// see what each layer costs.
fn sdk_client_without(base_url: &str, removed: &[&'static str]) -> Client {
    let removed = removed.to_vec();
    Client::builder()
        .access_token(TOKEN)
        .phone_number_id(PHONE_NUMBER_ID)
        .base_url(base_url)
        .rate_limits(bench_rate_limits())
        .layers(move |stack| {
            for name in removed {
                stack.remove(name);
            }
        })
        .build()
        .expect("client")
}

/// The rate limits out of the way: no throughput limit (it is clamped to Meta's 1,000/s, far
/// below loopback speed) and no pair limit (every send goes to one recipient). The rate-limit
/// layer still runs for every send: it reads the facts and finds no limiter to wait on.
fn bench_rate_limits() -> wacloud::layers::rate_limit::RateLimits {
    wacloud::layers::rate_limit::RateLimits::default()
        .no_throughput()
        .no_pair()
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
            // The SDK's default attempt timeout, so both sides arm the same timer.
            http: reqwest::Client::builder()
                .use_rustls_tls()
                .timeout(Duration::from_secs(30))
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

/// The latency with one default layer removed at a time, and with none at all: where the
/// stack's overhead comes from (run beside `send_latency`, so the figures share conditions).
fn latency_by_layer(c: &mut Criterion) {
    use wacloud::layers::{AUTH, RATE_LIMIT, RECIPIENTS, RETRY};
    let rt = runtime();
    let base = rt.block_on(start_server());
    let mut group = c.benchmark_group("send_latency_layers");
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(5));
    let variants: [(&str, &[&'static str]); 5] = [
        ("without_recipients", &[RECIPIENTS]),
        ("without_auth", &[AUTH]),
        ("without_retry", &[RETRY]),
        ("without_rate_limit", &[RATE_LIMIT]),
        ("no_layers", &[RECIPIENTS, AUTH, RETRY, RATE_LIMIT]),
    ];
    for (name, removed) in variants {
        let client = sdk_client_without(&base, removed);
        group.bench_function(name, |b| b.to_async(&rt).iter(|| sdk_send(&client)));
    }
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

/// The median of some durations.
fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Paired measurements, printed (not a criterion group): raw and SDK sends alternate one by one
/// (latency) and round by round (throughput), so a load change on a shared machine hits both
/// sides alike. These are the figures BENCHMARKS.md quotes for the goals.
fn paired(_: &mut Criterion) {
    const PAIRS: usize = 10_000;
    const ROUNDS: usize = 12;
    let rt = runtime();
    let base = rt.block_on(start_server());
    let client = sdk_client(&base);
    let raw = Arc::new(Raw::new(&base));
    use wacloud::layers::{AUTH, RATE_LIMIT, RECIPIENTS, RETRY};
    // Round robin over raw reqwest, the default stack, and the stack missing one layer (or
    // all), one send each per turn.
    let variants: Vec<(&str, Client)> = vec![
        ("sdk_default_stack", client.clone()),
        (
            "without_recipients",
            sdk_client_without(&base, &[RECIPIENTS]),
        ),
        ("without_auth", sdk_client_without(&base, &[AUTH])),
        ("without_retry", sdk_client_without(&base, &[RETRY])),
        (
            "without_rate_limit",
            sdk_client_without(&base, &[RATE_LIMIT]),
        ),
        ("no_layers", sdk_client_without(&base, &ALL_LAYERS)),
    ];
    let (raw_latency, medians) = rt.block_on(async {
        // Warm the connection pools and the recipient metadata.
        for _ in 0..200 {
            raw.send().await;
            for (_, variant) in &variants {
                sdk_send(variant).await;
            }
        }
        let mut raw_times = Vec::with_capacity(PAIRS);
        let mut times = vec![Vec::with_capacity(PAIRS); variants.len()];
        for turn in 0..PAIRS {
            // Rotate who goes first, so no side always runs on a freshly woken thread.
            let first = turn % (variants.len() + 1);
            for slot in (0..=variants.len()).map(|i| (i + first) % (variants.len() + 1)) {
                let start = Instant::now();
                if slot == variants.len() {
                    raw.send().await;
                    raw_times.push(start.elapsed());
                } else {
                    sdk_send(&variants[slot].1).await;
                    times[slot].push(start.elapsed());
                }
            }
        }
        (
            median(raw_times),
            times.into_iter().map(median).collect::<Vec<_>>(),
        )
    });
    println!("paired latency ({PAIRS} round-robin turns): raw_reqwest median {raw_latency:?}");
    for ((name, _), latency) in variants.iter().zip(&medians) {
        println!(
            "paired latency: {name} median {latency:?}, /raw {:.3}",
            latency.as_secs_f64() / raw_latency.as_secs_f64()
        );
    }

    let (raw_round, sdk_round) = rt.block_on(async {
        let mut raw_rounds = Vec::with_capacity(ROUNDS);
        let mut sdk_rounds = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let r = Arc::clone(&raw);
            raw_rounds.push(
                run_concurrently(SENDERS, THROUGHPUT_SENDS, move || {
                    let r = Arc::clone(&r);
                    async move {
                        r.send().await;
                    }
                })
                .await,
            );
            let c = client.clone();
            sdk_rounds.push(
                run_concurrently(SENDERS, THROUGHPUT_SENDS, move || {
                    let c = c.clone();
                    async move { sdk_send(&c).await }
                })
                .await,
            );
        }
        (median(raw_rounds), median(sdk_rounds))
    });
    let rate = |round: Duration| THROUGHPUT_SENDS as f64 / round.as_secs_f64();
    println!(
        "paired throughput ({ROUNDS} alternating rounds of {THROUGHPUT_SENDS} sends, {SENDERS} \
         senders): raw median {:.0}/s, SDK median {:.0}/s, SDK/raw {:.3}",
        rate(raw_round),
        rate(sdk_round),
        rate(sdk_round) / rate(raw_round)
    );
}

criterion_group!(benches, paired, latency, latency_by_layer, throughput);

/// The instruction-count mode for `scripts/callgrind-send.sh` (not a criterion run):
/// `SEND_COST=server` serves the loopback answer and prints its address (run outside
/// valgrind, so the server's work is not counted); `SEND_COST=raw|sdk|sdk_no_layers` with
/// `SEND_COST_BASE=<address>` and `SEND_COST_N=<sends>` makes that many sends one at a time on
/// a current-thread runtime (after 50 warm-up sends), to be run under callgrind.
fn send_cost(mode: &str) {
    if mode == "server" {
        let rt = runtime();
        rt.block_on(async {
            let base = start_server().await;
            println!("{base}");
            std::future::pending::<()>().await;
        });
        return;
    }
    let base = std::env::var("SEND_COST_BASE").expect("SEND_COST_BASE");
    let sends: usize = std::env::var("SEND_COST_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        match mode {
            "raw" => {
                let raw = Raw::new(&base);
                for _ in 0..50 + sends {
                    raw.send().await;
                }
            }
            "sdk" | "sdk_no_layers" => {
                let client = if mode == "sdk" {
                    sdk_client(&base)
                } else {
                    sdk_client_without(&base, &ALL_LAYERS)
                };
                for _ in 0..50 + sends {
                    sdk_send(&client).await;
                }
            }
            other => panic!("SEND_COST={other}: expected server, raw, sdk or sdk_no_layers"),
        }
    });
}

fn main() {
    if let Ok(mode) = std::env::var("SEND_COST") {
        send_cost(&mode);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
