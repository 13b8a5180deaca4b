//! The cost of a shared permit: one send with the pair limit kept in process against the same
//! send with the pair limit kept in Redis (one Lua script, one round trip per send).
//!
//! ```text
//! WACLOUD_TEST_REDIS_URL=redis://127.0.0.1:6379 cargo bench --bench shared_permit
//! ```
//! Prints paired medians (local and shared sends alternate one by one, so a load change on a
//! shared machine hits both alike) and their difference, the price of the shared permit. Every
//! send goes to a recipient not seen before, so the pair permit is granted and nobody waits;
//! the throughput limit is off (it is clamped to Meta's 1,000/s, below loopback speed), so the
//! only Redis round trip is the pair permit's. Without Redis the bench says so and does
//! nothing.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::routing::post;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use wacloud::layers::rate_limit::RateLimits;
use wacloud::layers::shared::redis::RedisLimits;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::Client;

const ANSWER: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16502000000","wa_id":"16502000000"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;
const PAIRS: usize = 5_000;

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

fn client(base_url: &str, shared: Option<RedisLimits>) -> Client {
    let builder = Client::builder()
        .access_token("bench-token")
        .phone_number_id("100000000000001")
        .base_url(base_url)
        .rate_limits(
            RateLimits::default()
                .no_throughput()
                .pair(Duration::from_secs(6), 1),
        );
    match shared {
        Some(shared) => builder.shared_limits(shared),
        None => builder,
    }
    .build()
    .expect("client")
}

/// A valid North American number no send of this run used before.
fn recipient(n: usize) -> String {
    format!("+1650{}", 2_000_000 + n)
}

async fn timed_send(client: &Client, to: String) -> Duration {
    let start = Instant::now();
    client
        .send(OutgoingMessage::new(to, Text::new("benchmark")))
        .await
        .expect("send");
    start.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn paired(_: &mut Criterion) {
    let url = std::env::var("WACLOUD_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let base = start_server().await;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let shared = RedisLimits::builder(&url)
            .namespace(format!("wacloud-bench:{nanos}"))
            .build()
            .expect("valid settings");
        let local = client(&base, None);
        let shared = client(&base, Some(shared));
        // Warm up both (connections, the script cache) and check that Redis answers.
        timed_send(&local, recipient(0)).await;
        timed_send(&shared, recipient(1)).await;
        let mut redis = match redis::Client::open(url.as_str()) {
            Ok(client) => client.get_multiplexed_async_connection().await.ok(),
            Err(_) => None,
        };
        let Some(redis) = redis.as_mut() else {
            println!("shared_permit: skipped (no Redis at {url})");
            return;
        };
        let _: Result<String, _> = redis::cmd("PING").query_async(redis).await;
        let (mut local_samples, mut shared_samples) = (Vec::new(), Vec::new());
        for pair in 1..=PAIRS {
            local_samples.push(timed_send(&local, recipient(2 * pair)).await);
            shared_samples.push(timed_send(&shared, recipient(2 * pair + 1)).await);
        }
        let (local, shared) = (median(local_samples), median(shared_samples));
        println!(
            "shared_permit ({PAIRS} alternating sends each): local pair limit median {local:?}, \
             Redis pair limit median {shared:?}, a shared permit costs {:?} per send ({:.3}x)",
            shared.saturating_sub(local),
            shared.as_secs_f64() / local.as_secs_f64()
        );
    });
}

criterion_group!(benches, paired);
criterion_main!(benches);
