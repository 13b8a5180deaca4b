//! What the telemetry costs per send: the client's full default stack with an in-process
//! transport (no socket, so the figures are the client's own work), with no metrics recorder
//! and no tracing subscriber (the library's default), with a Prometheus recorder installed, and
//! with a subscriber that takes every span.
//!
//! ```text
//! cargo bench --bench telemetry                 # criterion: time per send, each mode
//! scripts/telemetry_cost.sh                     # callgrind: instructions per send (BENCHMARKS.md)
//! <bench binary> callgrind <off|prometheus|spans> <sends>   # what the script runs
//! ```
//! A process installs a global recorder once, so criterion measures `off` and `spans` first,
//! then installs the Prometheus recorder for `prometheus`.

use std::time::Duration;

use criterion::Criterion;
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tokio::runtime::Runtime;
use wacloud::layers::rate_limit::RateLimits;
use wacloud::layers::Layer;
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::Client;

const ANSWER: &str = r#"{"messaging_product":"whatsapp","contacts":[{"input":"+16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"}]}"#;

/// The innermost layer: answers Meta's send shape without any I/O.
struct Answer;

#[async_trait::async_trait]
impl Middleware for Answer {
    async fn handle(
        &self,
        _req: Request,
        _extensions: &mut Extensions,
        _next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let answer = http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(ANSWER)
            .expect("a valid response");
        Ok(Response::from(answer))
    }
}

fn client() -> Client {
    Client::builder()
        .access_token("bench-token")
        .phone_number_id("100000000000001")
        .base_url("http://127.0.0.1:9")
        // Out of the way, as in benches/send.rs: every send goes to one recipient.
        .rate_limits(RateLimits::default().no_throughput().no_pair())
        .layers(|stack| {
            stack.push(Layer::new("answer", Answer));
        })
        .build()
        .expect("a client")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn send(client: &Client) {
    let message = OutgoingMessage::new("+16505551234", Text::new("Your order has shipped"));
    client.send(message).await.expect("sent");
}

fn install_prometheus() {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder");
}

/// A subscriber that is interested in every span and event and keeps nothing.
fn span_subscriber() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::registry()
}

/// `sends` sends in one mode, for callgrind: the script runs two counts and divides the
/// difference, so the set-up cancels out.
fn callgrind(mode: &str, sends: usize) {
    let _guard = match mode {
        "off" => None,
        "prometheus" => {
            install_prometheus();
            None
        }
        "spans" => Some(tracing::subscriber::set_default(span_subscriber())),
        other => panic!("unknown mode {other}: off, prometheus or spans"),
    };
    let rt = runtime();
    let client = client();
    rt.block_on(async {
        for _ in 0..sends {
            send(&client).await;
        }
    });
}

fn bench(c: &mut Criterion, name: &str, rt: &Runtime, client: &Client) {
    c.bench_function(name, |b| b.iter(|| rt.block_on(send(client))));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("callgrind") {
        let mode = args.get(2).map_or("off", String::as_str);
        let sends = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1_000);
        callgrind(mode, sends);
        return;
    }
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let rt = runtime();
    let client = client();
    bench(&mut c, "telemetry_send/off", &rt, &client);
    {
        let _spans = tracing::subscriber::set_default(span_subscriber());
        bench(&mut c, "telemetry_send/spans", &rt, &client);
    }
    install_prometheus();
    bench(&mut c, "telemetry_send/prometheus", &rt, &client);
    c.final_summary();
}
