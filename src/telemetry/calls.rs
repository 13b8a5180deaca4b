//! The span of a call and of each of its attempts, and the call and send metrics.
//!
//! A call span wraps everything a call does (the outage gate, rate-limit waits, every attempt
//! and backoff); the retry layer opens an attempt span, its child, around each request it
//! sends. Fields that cost something to compute (the redacted recipient, the URL) are only
//! computed when a subscriber wants the span.

use std::future::Future;
use std::time::Duration;

use tracing::field::Empty;
use tracing::instrument::Instrumented;
use tracing::{Instrument, Span};

use super::names::*;
use crate::error::{Error, Result};
use crate::layers::facts::{Operation, RequestFacts};
use crate::time::Clock;

/// A call's span and when it started.
pub(crate) struct CallTelemetry {
    span: Span,
    operation: Operation,
    start: crate::time::Instant,
}

impl CallTelemetry {
    /// Opens the call's span.
    pub(crate) fn start(facts: &RequestFacts, clock: &dyn Clock) -> Self {
        let span = tracing::info_span!(
            target: "wacloud::call",
            CALL_SPAN,
            { OPERATION } = facts.operation.as_str(),
            { PHONE_NUMBER_ID } = facts.phone_number_id.as_str(),
            { RECIPIENT } = Empty,
            { CORRELATION_ID } = facts.correlation_id.as_deref(),
            { MESSAGE_TYPE } = facts.message_type,
            { HTTP_STATUS } = Empty,
            { GRAPH_CODE } = Empty,
            { ERROR_TYPE } = Empty,
        );
        // Redacting allocates: only for a subscriber that takes the span.
        if let Some(to) = facts.recipient.as_ref().filter(|_| !span.is_disabled()) {
            span.record(RECIPIENT, redact(to.as_str()));
        }
        CallTelemetry {
            span,
            operation: facts.operation,
            start: clock.now(),
        }
    }

    /// The call, to run inside the span (so that the attempts' spans are its children).
    pub(crate) fn instrument<F: Future>(&self, call: F) -> Instrumented<F> {
        call.instrument(self.span.clone())
    }

    /// Records how the call ended.
    pub(crate) fn finish<T>(self, clock: &dyn Clock, result: Result<T>) -> Result<T> {
        let elapsed = clock.now().saturating_duration_since(self.start);
        let outcome = match &result {
            Ok(_) => "ok",
            Err(error) => {
                self.span.record(ERROR_TYPE, error_type(error));
                self.span.record(HTTP_STATUS, error.http_status());
                self.span.record(GRAPH_CODE, error.code());
                if error.is_outcome_unknown() {
                    metrics::counter!(UNKNOWN_OUTCOMES, LABEL_OPERATION => self.operation.as_str())
                        .increment(1);
                }
                error_type(error)
            }
        };
        match super::fixed::call_ok(self.operation).filter(|_| result.is_ok()) {
            Some(key) => super::fixed::histogram(key, &super::fixed::CALLS),
            None => metrics::histogram!(
                CALL_DURATION,
                LABEL_OPERATION => self.operation.as_str(),
                LABEL_OUTCOME => outcome
            ),
        }
        .record(super::seconds(elapsed));
        result
    }
}

/// Counts a message send by how it ended, the way a sender reports it: `accepted`,
/// `rejected` (stopped before sending), `unknown` (maybe sent) or `failed`.
pub(crate) fn count_send<T>(operation: Operation, result: Result<T>) -> Result<T> {
    let outcome = match &result {
        Ok(_) => "accepted",
        Err(error) if error.is_local_rejection() => "rejected",
        Err(error) if error.is_outcome_unknown() => "unknown",
        Err(_) => "failed",
    };
    match super::fixed::send_accepted(operation).filter(|_| result.is_ok()) {
        Some(key) => super::fixed::counter(key, &super::fixed::CALLS),
        None => metrics::counter!(
            SENDS,
            LABEL_OPERATION => operation.as_str(),
            LABEL_OUTCOME => outcome
        ),
    }
    .increment(1);
    result
}

/// Opens the span of one attempt (a child of the call's span, which is current).
pub(crate) fn attempt_span(attempt: u32, request: &reqwest::Request) -> Span {
    tracing::info_span!(
        target: "wacloud::attempt",
        ATTEMPT_SPAN,
        { ATTEMPT } = attempt,
        { HTTP_METHOD } = request.method().as_str(),
        { URL_FULL } = &request.url()[..url::Position::AfterPath],
        { RESEND_COUNT } = attempt.checked_sub(1).filter(|resends| *resends > 0),
        { HTTP_STATUS } = Empty,
        { GRAPH_CODE } = Empty,
        { RETRY_CLASS } = Empty,
        { RETRY_WAIT_MS } = Empty,
        { ERROR_TYPE } = Empty,
    )
}

/// The attempt failed and the call tries again after `wait`.
pub(crate) fn retry_wait(attempt: &Span, wait: Duration) {
    attempt.record(RETRY_WAIT_MS, super::millis(wait));
}

/// An inner layer held the attempt back (an outage began while it waited): nothing was sent.
pub(crate) fn held_back(attempt: &Span) {
    attempt.record(ERROR_TYPE, "held_back");
}

/// A low-cardinality name for an error: `error.type`, and the `outcome` label.
pub(crate) fn error_type(error: &Error) -> &'static str {
    match error {
        Error::Api(_) => "api_error",
        Error::Auth(_) => "auth",
        Error::Validation(_) => "validation",
        Error::RecipientRejected(_) => "recipient_rejected",
        Error::OutcomeUnknown(_) => "outcome_unknown",
        Error::RetriesExhausted(_) => "retries_exhausted",
        Error::RateLimited(_) => "rate_limited",
        Error::DeadlineExceeded(_) => "deadline_exceeded",
        Error::Transport(_) => "transport",
        Error::Decode(_) => "decode",
        Error::TooLarge(_) => "too_large",
        Error::Io(_) => "io",
    }
}

/// A recipient as spans show it: enough to tell two apart in a trace, never the whole number.
/// A phone number keeps its `+`, first two and last two digits (`+16*******34`); a
/// business-scoped user id keeps its country prefix and last two characters (`US.***...18`).
pub(crate) fn redact(recipient: &str) -> String {
    if let Some((prefix, rest)) = recipient.rsplit_once('.') {
        let count = rest.chars().count();
        let shown: String = rest.chars().skip(count.saturating_sub(2).max(1)).collect();
        let hidden = count - shown.chars().count();
        return format!("{prefix}.{}{shown}", "*".repeat(hidden));
    }
    let digits: Vec<char> = recipient.chars().filter(char::is_ascii_digit).collect();
    let plus = if recipient.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    if digits.len() <= 6 {
        return format!("{plus}{}", "*".repeat(digits.len()));
    }
    let head: String = digits[..2].iter().collect();
    let tail: String = digits[digits.len() - 2..].iter().collect();
    format!("{plus}{head}{}{tail}", "*".repeat(digits.len() - 4))
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redaction_hides_the_middle() {
        assert_eq!(redact("+16505551234"), "+16*******34");
        assert_eq!(redact("1 (650) 555-1234"), "16*******34");
        assert_eq!(redact("US.13491208655302741918"), "US.******************18");
        assert_eq!(
            redact("US.ENT.11815799212886844830"),
            "US.ENT.******************30"
        );
        assert_eq!(redact("+1234"), "+****");
        assert_eq!(redact("US.1"), "US.*");
    }
}
