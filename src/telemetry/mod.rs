//! What the SDK tells about itself: a `tracing` span per call and per attempt, and metrics
//! through the [`metrics`] facade.
//!
//! The library installs no exporter: pick one (Prometheus, OpenTelemetry, statsd...) and
//! install it as the global recorder, then call [`describe`] to register units and help texts.
//! Without a recorder every metric goes to the facade's no-op recorder (a send that succeeds
//! first time uses keys built at compile time; other keys are built per call: the
//! facade cannot tell that nothing listens), and without a subscriber the spans are disabled
//! before any field that allocates is computed: under 2,000 instructions per send in all
//! (BENCHMARKS.md). Label values are a bounded set (no ids, no phone numbers).
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

/// Label sets of the success path, built at compile time.
///
/// `metrics::counter!(NAME, LABEL => value)` with a runtime value builds its key's labels in a
/// new `Vec` on every call (and drops it), recorder or not. The labels of a call that succeeded
/// on its first attempt are known in advance for every operation with a fixed name, so those
/// keys borrow these static tables instead: the same names, labels and metadata reach the
/// recorder installed at the time of the call (a recorder installed later sees every metric
/// from then on). Other label sets (failures, management calls) still go through the macros.
pub(crate) mod fixed {
    use metrics::{Counter, Histogram, Key, Label, Level, Metadata};

    use super::names::*;
    use crate::layers::facts::Operation;

    /// Where the call sites of [`calls`](super::calls) and [`layers`](super::layers) are, as the
    /// macros would have named them in each metric's metadata.
    pub(crate) static CALLS: Metadata<'static> = Metadata::new(
        "wacloud::telemetry::calls",
        Level::INFO,
        Some("wacloud::telemetry::calls"),
    );
    pub(crate) static LAYERS: Metadata<'static> = Metadata::new(
        "wacloud::telemetry::layers",
        Level::INFO,
        Some("wacloud::telemetry::layers"),
    );

    /// A function answering, for an operation with a fixed name, the key `name` with labels
    /// `operation` (the operation's name) and those given; `None` for a management call (its
    /// name is the caller's). Each key is a `static`: built, hash included, at compile time.
    macro_rules! fixed_keys {
        ($(#[$doc:meta])* $function:ident: $name:expr, $count:literal, $extra:tt) => {
            $(#[$doc])*
            pub(crate) fn $function(operation: Operation) -> Option<&'static Key> {
                Some(match operation {
                    Operation::Send => fixed_keys!(@one $name, $count, "send", $extra),
                    Operation::MarkRead => fixed_keys!(@one $name, $count, "mark-read", $extra),
                    Operation::TypingIndicator => {
                        fixed_keys!(@one $name, $count, "typing-indicator", $extra)
                    }
                    Operation::UploadMedia => {
                        fixed_keys!(@one $name, $count, "media-upload", $extra)
                    }
                    Operation::MediaUrl => fixed_keys!(@one $name, $count, "media-url", $extra),
                    Operation::DownloadMedia => {
                        fixed_keys!(@one $name, $count, "media-download", $extra)
                    }
                    Operation::DeleteMedia => {
                        fixed_keys!(@one $name, $count, "media-delete", $extra)
                    }
                    Operation::NumberState => {
                        fixed_keys!(@one $name, $count, "number-state", $extra)
                    }
                    Operation::DebugToken => {
                        fixed_keys!(@one $name, $count, "debug-token", $extra)
                    }
                    Operation::MarketingSend => {
                        fixed_keys!(@one $name, $count, "marketing-send", $extra)
                    }
                    Operation::Manage(_) => return None,
                })
            }
        };
        (@one $name:expr, $count:literal, $operation:literal, { $($key:expr => $value:expr),* }) => {{
            static LABELS: [Label; $count] = [
                Label::from_static_parts(LABEL_OPERATION, $operation)
                $(, Label::from_static_parts($key, $value))*
            ];
            static KEY: Key = Key::from_static_parts($name, &LABELS);
            &KEY
        }};
    }

    fixed_keys!(
        /// [`CALL_DURATION`] of a call that succeeded: `operation`, `outcome="ok"`.
        call_ok: CALL_DURATION, 2, { LABEL_OUTCOME => "ok" }
    );
    fixed_keys!(
        /// [`SENDS`] of a send that was accepted: `operation`, `outcome="accepted"`.
        send_accepted: SENDS, 2, { LABEL_OUTCOME => "accepted" }
    );
    fixed_keys!(
        /// [`ATTEMPTS`] of a successful attempt: `operation`, `class="none"`, `code="none"`.
        attempt_ok: ATTEMPTS, 3, { CLASS => "none", CODE => "none" }
    );

    /// The counter `key`, from the recorder installed now.
    pub(crate) fn counter(key: &'static Key, metadata: &'static Metadata<'static>) -> Counter {
        metrics::with_recorder(|recorder| recorder.register_counter(key, metadata))
    }

    /// The histogram `key`, from the recorder installed now.
    pub(crate) fn histogram(key: &'static Key, metadata: &'static Metadata<'static>) -> Histogram {
        metrics::with_recorder(|recorder| recorder.register_histogram(key, metadata))
    }
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
    fn fixed_keys_name_each_operation_as_it_names_itself() {
        use crate::layers::facts::{Management, Operation};
        let labels = |key: &metrics::Key| -> Vec<(String, String)> {
            key.labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect()
        };
        let pair = |key: &str, value: &str| (key.to_owned(), value.to_owned());
        for operation in [
            Operation::Send,
            Operation::MarkRead,
            Operation::TypingIndicator,
            Operation::UploadMedia,
            Operation::MediaUrl,
            Operation::DownloadMedia,
            Operation::DeleteMedia,
            Operation::NumberState,
            Operation::DebugToken,
            Operation::MarketingSend,
        ] {
            let name = operation.as_str();
            let key = fixed::call_ok(operation).expect("a fixed name");
            assert_eq!(key.name(), names::CALL_DURATION);
            assert_eq!(
                labels(key),
                [
                    pair(names::LABEL_OPERATION, name),
                    pair(names::LABEL_OUTCOME, "ok")
                ]
            );
            let key = fixed::send_accepted(operation).expect("a fixed name");
            assert_eq!(key.name(), names::SENDS);
            assert_eq!(
                labels(key),
                [
                    pair(names::LABEL_OPERATION, name),
                    pair(names::LABEL_OUTCOME, "accepted")
                ]
            );
            let key = fixed::attempt_ok(operation).expect("a fixed name");
            assert_eq!(key.name(), names::ATTEMPTS);
            assert_eq!(
                labels(key),
                [
                    pair(names::LABEL_OPERATION, name),
                    pair(names::CLASS, "none"),
                    pair(names::CODE, "none")
                ]
            );
            // The same key as the macros build (name, labels and hash).
            assert_eq!(
                *key,
                metrics::Key::from_parts(
                    names::ATTEMPTS,
                    vec![
                        metrics::Label::new(names::LABEL_OPERATION, name),
                        metrics::Label::new(names::CLASS, "none"),
                        metrics::Label::new(names::CODE, "none"),
                    ]
                )
            );
        }
        let manage = Operation::Manage(Management::read("template-list"));
        assert!(fixed::call_ok(manage).is_none());
        assert!(fixed::send_accepted(manage).is_none());
        assert!(fixed::attempt_ok(manage).is_none());
    }

    #[test]
    fn code_labels_stay_bounded() {
        assert_eq!(code_label(None).as_ref(), "none");
        assert_eq!(code_label(Some(131_056)).as_ref(), "131056");
        assert_eq!(code_label(Some(987_654_321)).as_ref(), "other");
    }
}
