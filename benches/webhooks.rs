//! Webhook ingest: the signature check plus the typed parse of a 3 MB batch of 1,000 status
//! updates, against an untyped `serde_json::Value` parse of the same bytes.
//!
//! ```text
//! cargo bench --bench webhooks
//! ```
//! The goal is that the whole typed ingest (HMAC over every byte, then the borrowing typed
//! parse) is not slower than the untyped parse alone. Criterion prints the throughput of each
//! in MiB/s (`Throughput::Bytes`).

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use wacloud::webhooks::{parse, verify_signature, AppSecret};

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

criterion_group!(benches, ingest);
criterion_main!(benches);
