//! Recipient check: number parse plus rule lookup (`RecipientRules::default().check`) per
//! number over a mixed set, the work the recipient layer adds to every send.
//!
//! ```text
//! cargo bench --bench recipients
//! ```
//! Three cases: `never_seen` (one warm `RecipientRules`, every check a number it has not seen:
//! the cheap path of `fast.rs`, or `phonenumber` where that cannot decide), `cold` (fresh rules per pass: every number pays the full parse and validation)
//! and `warm` (one `RecipientRules` throughout: accepted numbers hit its validation cache).
//! Criterion reports the time per batch and elements/s; BENCHMARKS.md divides it into ns per
//! number and compares it with one loopback round trip (the raw reqwest median of
//! `cargo bench --bench send`). The goal is under 1% of that round trip.

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use wacloud::layers::recipients::RecipientRules;

/// A mix of what a send sees: plain E.164, formatted numbers, bare `wa_id`s, numbers under a
/// rule (refused), and junk (refused as invalid).
const NUMBERS: &[&str] = &[
    "+16505551234",
    "+1 650 555 1234",
    "16505551234",
    "+44 7700 900123",
    "447700900123",
    "+49 1512 3456789",
    "+33 6 12 34 56 78",
    "+91 98765 43210",
    "+55 11 91234-5678",
    "+234 803 123 4567",
    "+81 90-1234-5678",
    "+61 412 345 678",
    "+52 1 55 1234 5678",
    "+62 812-3456-7890",
    "+5352345678",
    "+98 912 345 6789",
    "+850 191 234 5678",
    "+963 944 567 890",
    "call me",
    "+1 (650) 555-12",
];

fn check(c: &mut Criterion) {
    let rules = RecipientRules::default();
    let accepted = NUMBERS.iter().filter(|n| rules.check(n).is_ok()).count();
    // The mix must exercise both outcomes, or the figure only measures one path.
    assert!(accepted > 0 && accepted < NUMBERS.len());

    let mut group = c.benchmark_group("recipient_check");
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(NUMBERS.len() as u64));
    // Cold: fresh rules for every pass, so every accepted number pays the full `phonenumber`
    // validation (bulk sends to distinct numbers).
    group.bench_function("default_rules_mixed_20_cold", |b| {
        b.iter_batched(
            RecipientRules::default,
            |rules| {
                let mut ok = 0usize;
                for number in NUMBERS {
                    if rules.check(black_box(number)).is_ok() {
                        ok += 1;
                    }
                }
                (ok, rules)
            },
            BatchSize::SmallInput,
        )
    });
    // Warm: the same rules throughout, so accepted numbers come from the validation cache
    // (repeat recipients: conversations, retries); the rules themselves are checked each time.
    group.bench_function("default_rules_mixed_20_warm", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for number in NUMBERS {
                if rules.check(black_box(number)).is_ok() {
                    ok += 1;
                }
            }
            black_box(ok)
        })
    });
    group.finish();

    // Never seen: distinct valid numbers of several countries, one per check, through one warm
    // `RecipientRules`. 300,000 numbers cycle far past the validation cache (4,096 entries,
    // cleared when full), so no check is answered from it. Per element = per number.
    let fresh = never_seen_numbers(300_000);
    assert!(fresh.iter().take(1_000).all(|n| rules.check(n).is_ok()));
    let mut group = c.benchmark_group("recipient_check");
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function("default_rules_never_seen_number", |b| {
        b.iter(|| {
            next = (next + 1) % fresh.len();
            rules.check(black_box(&fresh[next])).is_ok()
        })
    });
    group.finish();
}

/// Distinct valid numbers written as callers do, mixing countries (US, UK, Germany, India,
/// Brazil, Nigeria, Indonesia, Mexico).
fn never_seen_numbers(count: usize) -> Vec<String> {
    let shapes: [(&str, usize); 8] = [
        ("+1650", 7),
        ("+447700", 6),
        ("+49151", 8),
        ("+9198", 8),
        ("+55119", 8),
        ("+234803", 7),
        ("+62812", 8),
        ("+5255", 8),
    ];
    (0..count)
        .map(|i| {
            let (prefix, width) = shapes[i % shapes.len()];
            let serial = 2_000_000 + (i / shapes.len()) as u64 * 7;
            format!("{prefix}{:0width$}", serial % 10u64.pow(width as u32))
        })
        .collect()
}

criterion_group!(benches, check);
criterion_main!(benches);
