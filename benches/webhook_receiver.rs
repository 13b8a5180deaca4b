//! Webhook receiver under load: acknowledging after handling (the default) against the
//! answer-first queue, over loopback HTTP/1.1 with keep-alive.
//!
//! ```text
//! cargo bench --bench webhook_receiver            # 6 alternating rounds of 3 s per contender
//! cargo bench --bench webhook_receiver -- 2 1     # 2 rounds of 1 s (a quick look)
//! ```
//! 64 concurrent senders post signed webhooks of one status each (a distinct message id per
//! POST) as fast as the answers come. Two handlers: `instant` (counts the event) and `io-1ms`
//! (awaits 1 ms, like a database write). The contenders alternate round by round, so a change
//! in machine load hits both alike; the figures printed are medians over the rounds:
//! acknowledged POSTs per second, p50 and p99 latency of all answers, and the share of 503s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wacloud::webhooks::router::{Acknowledge, Event, WebhookReceiver};
use wacloud::webhooks::AppSecret;

const SECRET: &str = "bench-app-secret";
const SENDERS: usize = 64;

#[derive(Clone, Copy, Debug)]
enum Work {
    Instant,
    Io1ms,
}

#[derive(Default)]
struct Round {
    ok: u64,
    refused: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

fn body(id: u64) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"statuses":[{{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI{id:020}","status":"delivered","timestamp":"1750263773","recipient_id":"16505551234","conversation":{{"id":"4cbd8c5e3f7c4d6f9e3a","origin":{{"type":"service"}}}},"pricing":{{"billable":true,"pricing_model":"PMP","category":"service"}}}}]}},"field":"messages"}}]}}]}}"#
    )
    .into_bytes()
}

async fn round(mode: Acknowledge, work: Work, length: Duration, first_id: u64) -> Round {
    let handled = Arc::new(AtomicU64::new(0));
    let receiver = WebhookReceiver::new(SECRET, "token")
        .acknowledge(mode)
        .on_event({
            let handled = Arc::clone(&handled);
            move |_event: Event| {
                let handled = Arc::clone(&handled);
                async move {
                    if let Work::Io1ms = work {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                    handled.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(receiver.serve_with_shutdown(listener, async {
        let _ = stop_rx.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(SENDERS)
        .build()
        .expect("client");
    let secret = AppSecret::new(SECRET);
    let next_id = Arc::new(AtomicU64::new(first_id));
    let start = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (client, url, secret, next_id) = (
                client.clone(),
                url.clone(),
                secret.clone(),
                Arc::clone(&next_id),
            );
            tokio::spawn(async move {
                let mut r = Round::default();
                while start.elapsed() < length {
                    let body = body(next_id.fetch_add(1, Ordering::Relaxed));
                    let sig = secret.sign(&body);
                    let sent = Instant::now();
                    let answer = client
                        .post(&url)
                        .header("X-Hub-Signature-256", sig)
                        .body(body)
                        .send()
                        .await
                        .expect("the receiver answers");
                    r.latencies.push(sent.elapsed());
                    if answer.status() == 200 {
                        r.ok += 1;
                    } else {
                        r.refused += 1;
                    }
                }
                r
            })
        })
        .collect();
    let mut total = Round::default();
    for s in senders {
        let r = s.await.expect("sender");
        total.ok += r.ok;
        total.refused += r.refused;
        total.latencies.extend(r.latencies);
    }
    total.elapsed = start.elapsed();
    let _ = stop_tx.send(());
    server.await.expect("server task").expect("server");
    total
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rounds = args.first().copied().unwrap_or(6).max(1);
    let secs = args.get(1).copied().unwrap_or(3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let contenders = [
        ("after-handling", Acknowledge::AfterHandling),
        ("on-queue", Acknowledge::OnQueue),
    ];
    println!(
        "{SENDERS} senders, 1 status per POST, {rounds} alternating rounds of {secs} s each; medians"
    );
    println!("| handler | acknowledge | acknowledged/s | p50 | p99 | 503s |");
    println!("|---|---|---|---|---|---|");
    let mut id = 0;
    for work in [Work::Instant, Work::Io1ms] {
        let mut figures: Vec<[Vec<f64>; 4]> = vec![Default::default(), Default::default()];
        for r in 0..rounds {
            for k in 0..contenders.len() {
                // Rotate who goes first.
                let (c, (_, mode)) = {
                    let c = (k + r as usize) % contenders.len();
                    (c, contenders[c])
                };
                let mut res = rt.block_on(round(mode, work, Duration::from_secs(secs), id));
                id += 10_000_000;
                res.latencies.sort();
                let all = (res.ok + res.refused).max(1) as f64;
                figures[c][0].push(res.ok as f64 / res.elapsed.as_secs_f64());
                figures[c][1].push(percentile(&res.latencies, 0.50).as_secs_f64() * 1e3);
                figures[c][2].push(percentile(&res.latencies, 0.99).as_secs_f64() * 1e3);
                figures[c][3].push(res.refused as f64 / all * 100.0);
            }
        }
        for (c, (name, _)) in contenders.iter().enumerate() {
            let [ok, p50, p99, refused] = figures[c].clone();
            println!(
                "| {work:?} | {name} | {:.0} | {:.2} ms | {:.2} ms | {:.1}% |",
                median(ok),
                median(p50),
                median(p99),
                median(refused)
            );
        }
    }
}
