//! A WhatsApp webhook receiver.
//!
//! ```text
//! WHATSAPP_APP_SECRET=... WHATSAPP_VERIFY_TOKEN=... [WEBHOOK_LISTEN=127.0.0.1:8080] \
//!     cargo run --example webhook_receiver
//! ```
//!
//! `GET /metrics` on the same listener answers the SDK's metrics in Prometheus text, among them
//! `wacloud_webhook_events_total{kind="status"}` and `{kind="message"}`: the events received.
//! (A production service would keep `/metrics` off the port it exposes to Meta, or behind its
//! firewall; the example keeps one port so that a first run needs nothing else.)
//!
//! For every status update it prints `STATUS <message-id> <raw-status> -> <reconciled-status>`
//! and for every inbound message `MESSAGE <message-id> <type> <from>` to stdout, one line
//! each, flushed. A POST is answered 200 only after its lines were written and flushed; if
//! stdout fails, the answer is 503 and Meta delivers the webhook again. Rejected requests
//! (403, 400, 408, 413, 503) print nothing to stdout; logs go to stderr. Ctrl-C stops it
//! after finishing the POSTs in flight.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use wacloud::webhooks::router::{serve, Event, ServeOptions, WebhookReceiver};

const USAGE: &str = "usage: WHATSAPP_APP_SECRET=<app secret> WHATSAPP_VERIFY_TOKEN=<verify token> \
[WEBHOOK_LISTEN=127.0.0.1:8080] cargo run --example webhook_receiver";

/// `GET /metrics`: Prometheus text. Also keeps the recorder's histograms trimmed.
fn metrics_route(handle: PrometheusHandle) -> axum::routing::MethodRouter {
    let upkeep = handle.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            upkeep.run_upkeep();
        }
    });
    axum::routing::get(move || {
        let text = handle.render();
        async move {
            (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                text,
            )
        }
    })
}

fn required(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            eprintln!("error: environment variable {name} is required");
            None
        }
    }
}

/// Writes and flushes one line; the error (a closed stdout, say) fails the event, so its
/// webhook is answered 503 instead of being acknowledged without its line.
fn print_line(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

fn describe(event: &Event) -> Option<String> {
    match event {
        Event::Status {
            status, reconciled, ..
        } => Some(format!(
            "STATUS {} {} -> {}",
            status.id, status.status, reconciled.state
        )),
        Event::Message { message, .. } => Some(format!(
            "MESSAGE {} {} {}",
            message.id,
            message.kind,
            message.reply_to().unwrap_or_default()
        )),
        Event::Error { error, .. } => {
            eprintln!(
                "webhook error: code {:?}: {}",
                error.code,
                error.message.as_deref().unwrap_or("")
            );
            None
        }
        _ => None,
    }
}

fn main() -> ExitCode {
    let (Some(secret), Some(token)) = (
        required("WHATSAPP_APP_SECRET"),
        required("WHATSAPP_VERIFY_TOKEN"),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let listen = std::env::var("WEBHOOK_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    // The SDK records through the `metrics` facade; this process picks Prometheus.
    let metrics = match PrometheusBuilder::new().install_recorder() {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("error: cannot install the metrics recorder: {e}");
            return ExitCode::FAILURE;
        }
    };
    wacloud::telemetry::describe();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        match listener.local_addr() {
            Ok(addr) => eprintln!("webhook_receiver listening on http://{addr}"),
            Err(_) => eprintln!("webhook_receiver listening on http://{listen}"),
        }
        let receiver = WebhookReceiver::new(secret, token).on_event(|event: Event| async move {
            match describe(&event) {
                Some(line) => print_line(&line),
                None => Ok(()),
            }
        });
        let stop = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handling here: run until killed.
                std::future::pending::<()>().await;
            }
        };
        // The receiver's router answers webhooks on every path; `/metrics` is added beside it.
        let (router, handle) = receiver.into_parts();
        let app = router.route("/metrics", metrics_route(metrics));
        // The SDK's server: request headers within 10 s, at most 4,096 connections at once.
        let served = serve(listener, app, ServeOptions::default(), stop).await;
        // Events already acknowledged are handled before the process exits.
        handle.drain().await;
        match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: server failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
