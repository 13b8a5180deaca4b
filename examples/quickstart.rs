//! The whole product in one run, with no Meta account: `cargo run --example quickstart`.
//!
//! It starts the embedded sandbox (a local Cloud API, faults included) and a webhook receiver,
//! then, through the client's default layer stack:
//! 1. sends several message types;
//! 2. rides out a code-2 outage (compressed to a few seconds), showing each retry and its wait;
//! 3. rejects a recipient in a sanctioned region without making a request;
//! 4. shows an auth failure with its Access Token Debugger guidance;
//! 5. receives the signed status webhooks and prints the reconciled states, including a
//!    message that was both delivered and failed (multi-device), which reconciles to delivered.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tracing_subscriber::EnvFilter;
use wacloud::layers::retry::RetryPolicy;
use wacloud::messages::{
    Image, Interactive, Location, OutgoingMessage, Reaction, ReplyButton, Template, Text,
};
use wacloud::webhooks::router::{Event, WebhookReceiver};
use wacloud::{Client, Error};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

const VERIFY_TOKEN: &str = "quickstart-verify-token";
const CUSTOMER: &str = "+16505551234";
const SECOND_CUSTOMER: &str = "+447911123456";
const MULTI_DEVICE_CUSTOMER: &str = "+4915123456789";
const OUTAGE_CUSTOMER: &str = "+14155552671";
const SANCTIONED: &str = "+5352123456";
const OUTAGE: Duration = Duration::from_secs(5);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quickstart failed: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), BoxError> {
    let started = Instant::now();
    // Library warnings (a refused recipient, an auth failure) as plain lines on stderr.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_target(false)
        .with_ansi(false)
        .without_time()
        .compact()
        .with_writer(std::io::stderr)
        .init();

    heading("1. A local Cloud API and a webhook receiver");
    let (events_tx, mut events) = mpsc::channel::<Event>(1024);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receiver_addr = listener.local_addr()?;
    let sandbox_config = SandboxConfig::default()
        .webhook_url(format!("http://{receiver_addr}/webhook"))
        .status_delay(Duration::from_millis(50));
    let receiver =
        WebhookReceiver::new(sandbox_config.app_secret.clone(), VERIFY_TOKEN).forward_to(events_tx);
    tokio::spawn(async move {
        if let Err(err) = receiver.serve(listener).await {
            eprintln!("webhook receiver stopped: {err}");
        }
    });
    let sandbox = Sandbox::start(sandbox_config).await?;
    println!("sandbox Cloud API at {}", sandbox.base_url());
    println!("webhook receiver at http://{receiver_addr}/webhook (checks X-Hub-Signature-256)");

    let config = sandbox.config();
    let client = Client::builder()
        .access_token(config.access_token.clone())
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        // The default policy, plus an observer that prints each retry decision and its wait.
        .retry_policy(RetryPolicy::default().on_event(|event| println!("  retry: {event}")))
        .build()?;
    println!(
        "client layers, outermost first: {}",
        client.layer_names().join(" -> ")
    );

    heading("2. Sending several message types");
    let text = client
        .send(OutgoingMessage::new(
            CUSTOMER,
            Text::new("Your order #1042 has shipped."),
        ))
        .await?;
    let first_id = text.message_id().cloned().ok_or("no message id")?;
    report("text", &first_id);
    let sends = vec![
        (
            "image by link",
            OutgoingMessage::new(
                CUSTOMER,
                Image::from_link("https://example.com/parcel.jpg").caption("Your parcel"),
            ),
        ),
        (
            "reply buttons",
            OutgoingMessage::new(
                SECOND_CUSTOMER,
                Interactive::buttons(
                    "Was the delivery on time?",
                    vec![ReplyButton::new("yes", "Yes"), ReplyButton::new("no", "No")],
                ),
            ),
        ),
        (
            "location",
            OutgoingMessage::new(
                SECOND_CUSTOMER,
                Location::new(51.5072, -0.1276)
                    .name("Pickup point")
                    .address("1 Example Street, London"),
            ),
        ),
        (
            "template",
            OutgoingMessage::new(SECOND_CUSTOMER, Template::new("hello_world", "en_US")),
        ),
        (
            "reaction (a reply)",
            OutgoingMessage::new(CUSTOMER, Reaction::new(first_id.as_str(), "\u{1f44d}")),
        ),
    ];
    for (label, message) in sends {
        let sent = client.send(message).await?;
        report(label, sent.message_id().ok_or("no message id")?);
    }
    client.mark_read(first_id.as_str()).await?;
    println!("  {:<22} done", "mark as read");

    heading("3. Riding out a code-2 outage (Meta: up to 5 minutes during API updates)");
    println!(
        "the sandbox now answers every call with error 2 for {} s (compressed from 5 minutes)",
        OUTAGE.as_secs()
    );
    let before = sandbox.request_count();
    sandbox.inject(FaultRule::new(Fault::Outage).for_duration(OUTAGE));
    let outage_start = Instant::now();
    let sent = client
        .send(OutgoingMessage::new(
            OUTAGE_CUSTOMER,
            Text::new("Sent through an outage."),
        ))
        .await?;
    println!(
        "accepted after {:.1} s and {} requests (one per attempt): {}",
        outage_start.elapsed().as_secs_f64(),
        sandbox.request_count() - before,
        sent.message_id().ok_or("no message id")?
    );

    heading("4. A recipient in a sanctioned region");
    let before = sandbox.request_count();
    match client
        .send(OutgoingMessage::new(SANCTIONED, Text::new("Hello")))
        .await
    {
        Err(err @ Error::RecipientRejected(_)) => println!("rejected: {err}"),
        Ok(sent) => println!("unexpectedly sent: {:?}", sent.message_id()),
        Err(other) => println!("unexpected error: {other}"),
    }
    println!(
        "requests the sandbox received for it: {}",
        sandbox.request_count() - before
    );

    heading("5. An auth failure, with what to do");
    let wrong_token = Client::builder()
        .access_token("EAAG-an-expired-token")
        .phone_number_id(config.phone_number_id.clone())
        .base_url(sandbox.base_url())
        .build()?;
    match wrong_token
        .send(OutgoingMessage::new(CUSTOMER, Text::new("Hello")))
        .await
    {
        Err(err @ Error::Auth(_)) => println!("{err}"),
        Ok(_) => println!("unexpectedly sent"),
        Err(other) => println!("unexpected error: {other}"),
    }

    heading("6. Status webhooks, reconciled");
    sandbox.inject(
        FaultRule::new(Fault::ConflictingStatuses {
            failed_first: false,
        })
        .for_recipient(MULTI_DEVICE_CUSTOMER)
        .times(1),
    );
    let multi = client
        .send(OutgoingMessage::new(
            MULTI_DEVICE_CUSTOMER,
            Text::new("Logged in on two phones"),
        ))
        .await?;
    let multi_id = multi.message_id().cloned().ok_or("no message id")?;
    println!("{multi_id} goes to a user on two devices: one gets it, one fails");
    let expected = sandbox.accepted_count();
    let mut finals: BTreeMap<String, String> = BTreeMap::new();
    let mut multi_seen: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
        let Event::Status {
            status, reconciled, ..
        } = event
        else {
            continue;
        };
        let raw = status.status.as_str().to_owned();
        let state = reconciled.state.as_str().to_owned();
        println!("  STATUS {} {raw:<9} -> {state}", short(&status.id));
        if status.id == multi_id.as_str() {
            multi_seen.push(raw);
        }
        finals.insert(status.id.to_string(), state);
        let multi_done = ["delivered", "failed"]
            .iter()
            .all(|needed| multi_seen.iter().any(|seen| seen == needed));
        let others_read = finals
            .iter()
            .filter(|(id, state)| *id != multi_id.as_str() && *state == "read")
            .count();
        if multi_done && others_read + 1 >= expected {
            break;
        }
    }
    println!(
        "{} messages tracked; the multi-device message saw [{}] and reconciled to {}",
        finals.len(),
        multi_seen.join(", "),
        finals
            .get(multi_id.as_str())
            .map_or("(no webhook yet)", String::as_str)
    );

    heading("Done");
    println!(
        "sandbox requests: {}, accepted messages: {}, duplicates: {}, in {:.1} s",
        sandbox.request_count(),
        sandbox.accepted_count(),
        sandbox.duplicate_count(),
        started.elapsed().as_secs_f64()
    );
    sandbox.shutdown().await;
    Ok(())
}

fn heading(title: &str) {
    println!("\n== {title}");
}

fn report(label: &str, id: &wacloud::messages::Wamid) {
    println!("  {label:<22} {}", short(id.as_str()));
}

/// The end of a wamid: its start encodes the recipient, its end tells messages apart.
fn short(id: &str) -> String {
    let count = id.chars().count();
    if count <= 20 {
        return id.to_owned();
    }
    let tail: String = id.chars().skip(count - 16).collect();
    format!("wamid…{tail}")
}
