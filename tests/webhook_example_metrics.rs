//! The webhook example's metrics, read from outside: after N signed status webhooks (and one
//! message), `GET /metrics` on its listener says `wacloud_webhook_events_total` is N
//! for `kind="status"` and 1 for `kind="message"`.
#![cfg(feature = "webhook-router")]

use std::time::Duration;

use wacloud::webhooks::AppSecret;

mod webhook_example_support;
use webhook_example_support::{Running, SECRET};

const STATUSES: usize = 7;

fn status_webhook(id: usize) -> Vec<u8> {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"statuses":[{{"id":"wamid.M{id}","status":"delivered","timestamp":"1700000000","recipient_id":"16505551234"}}]}},"field":"messages"}}]}}]}}"#
    )
    .into_bytes()
}

const MESSAGE: &[u8] = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Kerry"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.IN1","timestamp":"1700000000","type":"text","text":{"body":"hi"}}]},"field":"messages"}]}]}"#;

/// The value of the sample with exactly this name and label set, if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.trim().parse().expect("a number"))
}

#[test]
fn the_status_counter_reads_the_number_of_signed_statuses_received() {
    let example = Running::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        example.wait_ready(&client).await;
        let post = |body: Vec<u8>| {
            let request = client
                .post(example.base_url())
                .header("X-Hub-Signature-256", AppSecret::new(SECRET).sign(&body))
                .header("Content-Type", "application/json")
                .body(body);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        // Refused webhooks are not events.
        let forged = client
            .post(example.base_url())
            .header("X-Hub-Signature-256", AppSecret::new("wrong").sign(b"x"))
            .body(status_webhook(99))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        for id in 0..STATUSES {
            assert_eq!(post(status_webhook(id)).await, 200);
        }
        assert_eq!(post(MESSAGE.to_vec()).await, 200);
        // The lines were printed before each 200.
        for _ in 0..=STATUSES {
            example
                .lines
                .recv_timeout(Duration::from_secs(10))
                .expect("a line per event");
        }

        let text = example.metrics(&client).await;
        let statuses = sample(&text, r#"wacloud_webhook_events_total{kind="status"}"#);
        assert_eq!(statuses, Some(STATUSES as f64), "{text}");
        let messages = sample(&text, r#"wacloud_webhook_events_total{kind="message"}"#);
        assert_eq!(messages, Some(1.0), "{text}");
        assert!(
            text.contains("# TYPE wacloud_webhook_events_total counter"),
            "{text}"
        );
    });
}
