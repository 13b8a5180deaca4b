//! What the SDK tells about itself: a `tracing` span per call and per attempt, and metrics
//! through the [`metrics`] facade.
//!
//! The library installs no exporter: pick one (Prometheus, OpenTelemetry, statsd...) and
//! install it as the global recorder, then call [`describe`] to register units and help texts.
//! Without a recorder every metric goes to the facade's no-op recorder (which still builds each
//! metric's key: the facade cannot tell that nothing listens), and without a subscriber the
//! spans are disabled before any field that allocates is computed: about 3,700 instructions per
//! send in all (BENCHMARKS.md). Label values are a bounded set (no ids, no phone numbers).
//! Names: [`names`]; the README's "Observability" section lists them with their labels.
//!
//! The code that records lives here, not in the layers: each layer has one-line call sites.

pub(crate) mod calls;
pub(crate) mod layers;
pub mod names;
#[cfg(feature = "webhook-router")]
pub(crate) mod webhooks;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};

use crate::error::RetryClass;

/// Registers every metric's unit and description with the installed recorder (call it once,
/// after installing one; without a recorder it does nothing).
pub fn describe() {
    use names::*;
    describe_histogram!(
        CALL_DURATION,
        Unit::Seconds,
        "How long calls took, retries and waits included"
    );
    describe_counter!(
        SENDS,
        Unit::Count,
        "Message sends, by operation and outcome"
    );
    describe_counter!(
        UNKNOWN_OUTCOMES,
        Unit::Count,
        "Calls written but unanswered: they may have been acted on"
    );
    describe_counter!(
        ATTEMPTS,
        Unit::Count,
        "Attempts, by operation, retry class and Graph code"
    );
    describe_counter!(RETRIES, Unit::Count, "Retries scheduled, by retry class");
    describe_counter!(
        GIVE_UPS,
        Unit::Count,
        "Calls that stopped retrying and failed, by retry class"
    );
    describe_gauge!(
        BUDGET_TOKENS,
        Unit::Count,
        "Tokens left in the retry budget"
    );
    describe_gauge!(
        GATE_CLOSED,
        "1 while the outage gate holds calls back, else 0"
    );
    describe_counter!(GATE_CLOSURES, Unit::Count, "Times the outage gate closed");
    describe_histogram!(
        GATE_CLOSED_DURATION,
        Unit::Seconds,
        "How long each outage held the gate closed"
    );
    describe_counter!(
        GATE_PROBES,
        Unit::Count,
        "Probes sent through a closed gate"
    );
    describe_histogram!(
        RATE_LIMIT_WAIT,
        Unit::Seconds,
        "Wait for each client-side rate-limit permit"
    );
    describe_counter!(
        RATE_LIMIT_REFUSALS,
        Unit::Count,
        "Sends refused by a fail-fast client-side rate limit"
    );
    describe_histogram!(
        RATE_LIMIT_PERMIT_AGE,
        Unit::Seconds,
        "From a throughput permit to its write, where a durable dispatch record sits between"
    );
    describe_counter!(
        RATE_LIMIT_RENEWALS,
        Unit::Count,
        "Throughput permits that went stale before the write and were taken again"
    );
    describe_counter!(
        WEBHOOK_EVENTS,
        Unit::Count,
        "Webhook events received (signed and parsed), by kind"
    );
    describe_histogram!(
        WEBHOOK_LAG,
        Unit::Seconds,
        "From a webhook event's timestamp to the handler getting it"
    );
    describe_gauge!(
        WEBHOOK_QUEUE,
        Unit::Count,
        "Webhook events waiting in the answer-first queue"
    );
}

/// The `class` label of a retry class.
pub(crate) fn class_label(class: RetryClass) -> &'static str {
    match class {
        RetryClass::Outage => "outage",
        RetryClass::Transient => "transient",
        RetryClass::Throttled => "throttled",
        RetryClass::Pair => "pair",
        RetryClass::Later(_) => "later",
        RetryClass::Never => "never",
    }
}

/// The `code` label: documented codes as themselves, others folded, so the set stays bounded.
pub(crate) fn code_label(code: Option<i64>) -> metrics::SharedString {
    match code {
        None => metrics::SharedString::const_str("none"),
        Some(code) if crate::error::catalogue::lookup(code).is_some() => code.to_string().into(),
        Some(_) => metrics::SharedString::const_str("other"),
    }
}

/// Seconds as a histogram value.
pub(crate) fn seconds(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64()
}

/// Milliseconds as a span field.
pub(crate) fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_labels_stay_bounded() {
        assert_eq!(code_label(None).as_ref(), "none");
        assert_eq!(code_label(Some(131_056)).as_ref(), "131056");
        assert_eq!(code_label(Some(987_654_321)).as_ref(), "other");
    }
}
