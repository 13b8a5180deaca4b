//! Webhook ingest: the signature check plus the typed parse of a 3 MB batch of 1,000 status
//! updates, against an untyped `serde_json::Value` parse of the same bytes.
//!
//! ```text
//! cargo bench --bench webhooks
//! ```
//! The goal is that the whole typed ingest (HMAC over every byte, then the borrowing typed
//! parse) is not slower than the untyped parse alone. Criterion prints the throughput of each
//! in MiB/s (`Throughput::Bytes`).
//!
//! `status_tracker/*`: `StatusTracker::remove` (then the same message observed again, so the
//! size stays put) in a tracker of 100,000 messages; issue 14 measured 4 ms a call before
//! `remove` stopped rebuilding the age queue.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use wacloud::webhooks::{parse, verify_signature, AppSecret, StatusTracker};

/// The fixture shared with the tests and the sandbox (regenerate with its `generate.py`).
const BATCH: &[u8] = include_bytes!("../wiremock-fixtures/webhooks/batch_1000_statuses.json");
const APP_SECRET: &str = "bench-app-secret";

fn ingest(c: &mut Criterion) {
    let secret = AppSecret::new(APP_SECRET);
    let header = secret.sign(BATCH);
    // Check once that the fixture is what the figures claim, so a changed fixture cannot
    // silently turn this into a benchmark of an error path.
    let parsed = parse(BATCH).expect("the batch fixture parses");
    assert_eq!(parsed.statuses().count(), 1_000);
    assert!(BATCH.len() > 2_500_000);

    let mut group = c.benchmark_group("webhook_ingest_3mb");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Bytes(BATCH.len() as u64));
    group.bench_function("untyped_value_parse", |b| {
        b.iter(|| {
            let value: serde_json::Value =
                serde_json::from_slice(black_box(BATCH)).expect("valid JSON");
            black_box(value)
        })
    });
    group.bench_function("signature_plus_typed_parse", |b| {
        b.iter(|| {
            verify_signature(&secret, Some(header.as_bytes()), black_box(BATCH))
                .expect("signature matches");
            let notification = parse(black_box(BATCH)).expect("typed parse");
            black_box(notification.statuses().count())
        })
    });
    group.bench_function("typed_parse_only", |b| {
        b.iter(|| {
            let notification = parse(black_box(BATCH)).expect("typed parse");
            black_box(notification.statuses().count())
        })
    });
    group.bench_function("signature_only", |b| {
        b.iter(|| {
            verify_signature(&secret, Some(header.as_bytes()), black_box(BATCH))
                .expect("signature matches")
        })
    });
    group.finish();
}

fn tracker(c: &mut Criterion) {
    const MESSAGES: usize = 100_000;
    let bodies: Vec<Vec<u8>> = (0..MESSAGES)
        .map(|i| {
            format!(
                r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"statuses":[{{"id":"wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI{i:020}","status":"delivered","timestamp":"1750263773","recipient_id":"16505551234"}}]}}}}]}}]}}"#
            )
            .into_bytes()
        })
        .collect();
    let notifications: Vec<_> = bodies.iter().map(|b| parse(b).expect("parses")).collect();
    let status = |i: usize| notifications[i].statuses().next().expect("one status").1;
    let mut t =
        StatusTracker::new(2 * MESSAGES, Duration::from_secs(86_400)).with_max_bytes(usize::MAX);
    for i in 0..MESSAGES {
        t.observe(status(i));
    }
    assert_eq!(t.len(), MESSAGES);
    let mut group = c.benchmark_group("status_tracker");
    let mut i = 0;
    group.bench_function("remove_and_observe_again_at_100k", |b| {
        b.iter(|| {
            let s = status(i % MESSAGES);
            i += 1;
            black_box(t.remove(&s.id));
            black_box(t.observe(s));
        })
    });
    group.finish();
}

criterion_group!(benches, ingest, tracker);
criterion_main!(benches);
