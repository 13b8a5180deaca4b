//! The SDK's webhook receiver fed by the sandbox over real HTTP on loopback: messages sent with
//! the client produce signed status webhooks (the receiver answers 403 to a bad signature, so
//! an event arriving at all proves the signature checked out), and the receiver reconciles
//! them: sent → delivered → read; a conflicting delivered/failed pair is delivered in either
//! order; an undeliverable recipient ends failed with error 131026.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use wacloud::webhooks::router::{Event, SharedTracker, WebhookReceiver};
use wacloud::webhooks::{DeliveryState, Reconciled};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

const APP_SECRET: &str = "sandbox-app-secret";
const VERIFY_TOKEN: &str = "wacloud-test-verify-token";
const PHONE_NUMBER_ID: &str = "100000000000001";
/// How long a test waits for webhooks that should take milliseconds.
const WAIT: Duration = Duration::from_secs(10);

/// One status event as the receiver handed it over.
#[derive(Debug, Clone)]
struct Seen {
    status: String,
    callback_data: Option<String>,
    error_codes: Vec<Option<i64>>,
    reconciled: Reconciled,
}

/// A receiver on an ephemeral loopback port, and what it has received so far.
struct Receiver {
    url: String,
    rx: mpsc::Receiver<Event>,
    tracker: SharedTracker,
    seen: HashMap<String, Vec<Seen>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Receiver {
    async fn start(app_secret: &str) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = mpsc::channel(256);
        let receiver = WebhookReceiver::new(app_secret, VERIFY_TOKEN).forward_to(tx);
        let tracker = receiver.tracker();
        let server = tokio::spawn(receiver.serve(listener));
        Receiver {
            // The router answers on every path; use the conventional one.
            url: format!("http://{addr}/webhook"),
            rx,
            tracker,
            seen: HashMap::new(),
            server,
        }
    }

    /// Waits until `count` status events for `wamid` have arrived, and answers them in order.
    async fn statuses(&mut self, wamid: &str, count: usize) -> Vec<Seen> {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.seen.get(wamid).map_or(0, Vec::len) < count {
            let event = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "timed out waiting for {count} statuses of {wamid}; seen {:#?}",
                        self.seen
                    )
                })
                .expect("the receiver is running");
            if let Event::Status {
                status, reconciled, ..
            } = event
            {
                self.seen
                    .entry(status.id.to_string())
                    .or_default()
                    .push(Seen {
                        status: status.status.as_str().to_owned(),
                        callback_data: status.biz_opaque_callback_data.map(|d| d.into_owned()),
                        error_codes: status.errors.iter().map(|e| e.code).collect(),
                        reconciled,
                    });
            }
        }
        self.seen[wamid].clone()
    }

    fn tracked_state(&self, wamid: &str) -> Option<DeliveryState> {
        let tracker = self.tracker.lock().expect("tracker lock");
        tracker.get(wamid).map(|record| record.state)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn sandbox(config: SandboxConfig) -> SandboxHandle {
    Sandbox::start(config).await.expect("the sandbox starts")
}

fn client(sb: &SandboxHandle) -> wacloud::Client {
    wacloud::Client::builder()
        .base_url(sb.base_url())
        .access_token("sandbox-token")
        .phone_number_id(PHONE_NUMBER_ID)
        .build()
        .expect("a valid client")
}

async fn send(client: &wacloud::Client, to: &str) -> String {
    client
        .send_text(to, "Hello from the webhook test")
        .await
        .expect("the send is accepted")
        .message_id()
        .expect("a message id")
        .to_string()
}

fn states(seen: &[Seen]) -> Vec<DeliveryState> {
    seen.iter().map(|s| s.reconciled.state).collect()
}

/// Waits for the sandbox to log `count` deliveries (it logs after the answer, which can come
/// after the receiver handed the event over), then checks each was signed and accepted.
async fn assert_all_delivered_signed(sb: &SandboxHandle, count: usize) {
    assert!(sb.wait_for_webhooks(count, WAIT).await, "{count} webhooks");
    let deliveries = sb.webhook_deliveries();
    assert_eq!(deliveries.len(), count);
    for delivery in deliveries {
        assert!(delivery.signature.starts_with("sha256="), "{delivery:?}");
        assert!(delivery.delivered, "{delivery:?}");
        assert_eq!(delivery.last_status, Some(200), "{delivery:?}");
        assert_eq!(delivery.attempts, 1, "{delivery:?}");
    }
}

#[tokio::test]
async fn statuses_arrive_signed_and_reconcile_sent_delivered_read() {
    let mut receiver = Receiver::start(APP_SECRET).await;
    let sb = sandbox(SandboxConfig::default().webhook_url(&receiver.url)).await;
    assert!(
        sb.verify_webhook_subscription(VERIFY_TOKEN)
            .await
            .expect("the handshake runs"),
        "the receiver answers the subscription handshake"
    );
    let client = client(&sb);
    let wamid = send(&client, "+16505550111").await;
    let correlation = sb.accepted_messages()[0]
        .biz_opaque_callback_data
        .clone()
        .expect("the client wrote a correlation id");

    let seen = receiver.statuses(&wamid, 3).await;
    let statuses: Vec<&str> = seen.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(statuses, ["sent", "delivered", "read"]);
    assert_eq!(
        states(&seen),
        [
            DeliveryState::Sent,
            DeliveryState::Delivered,
            DeliveryState::Read
        ]
    );
    assert_eq!(seen[0].reconciled.previous, None);
    assert!(seen.iter().all(|s| !s.reconciled.duplicate));
    for s in &seen {
        assert_eq!(s.callback_data.as_deref(), Some(correlation.as_str()));
    }
    assert_eq!(receiver.tracked_state(&wamid), Some(DeliveryState::Read));
    assert_all_delivered_signed(&sb, 3).await;

    // A re-delivered webhook (Meta retries) is recognised as a duplicate and changes nothing.
    let last = sb.webhook_deliveries().len() - 1;
    sb.redeliver_webhook(last).await.expect("re-delivery");
    let seen = receiver.statuses(&wamid, 4).await;
    assert!(seen[3].reconciled.duplicate, "{:?}", seen[3]);
    assert_eq!(seen[3].reconciled.state, DeliveryState::Read);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_app_secret_means_every_webhook_is_refused() {
    let mut receiver = Receiver::start("not-the-app-secret").await;
    let sb = sandbox(
        SandboxConfig::default()
            .webhook_url(&receiver.url)
            .webhook_attempts(1)
            .send_read_status(false),
    )
    .await;
    send(&client(&sb), "+16505550112").await;
    assert!(sb.wait_for_webhooks(2, WAIT).await, "two statuses posted");
    for delivery in sb.webhook_deliveries() {
        assert!(!delivery.delivered, "{delivery:?}");
        assert_eq!(delivery.last_status, Some(403), "{delivery:?}");
    }
    assert!(receiver.rx.try_recv().is_err(), "no event got through");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_conflicting_pair_reconciles_to_delivered_in_both_orders() {
    let mut receiver = Receiver::start(APP_SECRET).await;
    let sb = sandbox(SandboxConfig::default().webhook_url(&receiver.url)).await;
    let client = client(&sb);
    for (to, failed_first) in [("+16505550113", true), ("+16505550114", false)] {
        sb.inject(
            FaultRule::new(Fault::ConflictingStatuses { failed_first })
                .for_recipient(to)
                .times(1),
        );
        let wamid = send(&client, to).await;
        let seen = receiver.statuses(&wamid, 3).await;
        let statuses: Vec<&str> = seen.iter().map(|s| s.status.as_str()).collect();
        let expected = if failed_first {
            ["sent", "failed", "delivered"]
        } else {
            ["sent", "delivered", "failed"]
        };
        assert_eq!(statuses, expected, "failed_first = {failed_first}");
        let last = seen.last().expect("three statuses");
        assert_eq!(
            last.reconciled.state,
            DeliveryState::Delivered,
            "failed_first = {failed_first}: a delivery wins over a failure"
        );
        let failed = seen
            .iter()
            .find(|s| s.status == "failed")
            .expect("a failed status");
        assert_eq!(failed.error_codes, [Some(131026)]);
        assert!(
            last.reconciled
                .errors
                .iter()
                .any(|error| error.code == Some(131026)),
            "the failure is kept beside the delivery: {:?}",
            last.reconciled
        );
        assert_eq!(
            receiver.tracked_state(&wamid),
            Some(DeliveryState::Delivered)
        );
    }
    assert_all_delivered_signed(&sb, 6).await;
    sb.shutdown().await;
}

#[tokio::test]
async fn an_undeliverable_recipient_ends_failed_with_its_error() {
    let mut receiver = Receiver::start(APP_SECRET).await;
    let to = "+16505550115";
    let sb = sandbox(
        SandboxConfig::default()
            .webhook_url(&receiver.url)
            .undeliverable(to),
    )
    .await;
    // The send itself succeeds: Meta accepts the message and reports the failure later.
    let wamid = send(&client(&sb), to).await;
    let seen = receiver.statuses(&wamid, 1).await;
    assert_eq!(seen[0].status, "failed");
    assert_eq!(seen[0].error_codes, [Some(131026)]);
    assert_eq!(seen[0].reconciled.state, DeliveryState::Failed);
    assert_eq!(seen[0].reconciled.errors.len(), 1);
    assert_eq!(seen[0].reconciled.errors[0].code, Some(131026));
    assert_eq!(receiver.tracked_state(&wamid), Some(DeliveryState::Failed));
    assert_all_delivered_signed(&sb, 1).await;
    sb.shutdown().await;
}
