//! What the layers report: each attempt's result, retries and give-ups by class, the outage
//! gate, the retry budget and the client-side rate limits.

use std::time::Duration;

use tracing::Span;

use super::names::*;
use super::{class_label, code_label, seconds};
use crate::error::{LimitKind, RetryClass};
use crate::layers::facts::Operation;
use crate::layers::retry::classify::Verdict;
use crate::layers::retry::{RetryEvent, RetryEventKind};

/// Records one attempt's result on its span and counts it; `previous` is the class of the
/// failure this attempt retries (`None` for a first attempt).
pub(crate) fn attempt(
    span: &Span,
    operation: Operation,
    previous: Option<RetryClass>,
    verdict: &Verdict,
) {
    let (status, code, class, error) = match verdict {
        Verdict::Success(response) => (Some(response.status().as_u16()), None, "none", None),
        Verdict::Final {
            result,
            answered,
            code,
            ..
        } => {
            let status = result
                .as_ref()
                .ok()
                .map(|response| response.status().as_u16());
            let class = match (code, answered, result) {
                (Some(code), _, _) => crate::error::catalogue::lookup(*code)
                    .map_or("never", |entry| class_label(entry.retry)),
                (None, true, _) => "never",
                (None, false, Err(reqwest_middleware::Error::Middleware(_))) => "refused",
                (None, false, _) => "unanswered",
            };
            (status, *code, class, Some(class))
        }
        Verdict::Retry(failure) => (
            failure.status,
            failure.code,
            class_label(failure.class),
            Some(class_label(failure.class)),
        ),
    };
    if !span.is_disabled() {
        span.record(HTTP_STATUS, status);
        span.record(GRAPH_CODE, code);
        if let Some(class) = error {
            span.record(RETRY_CLASS, class);
            // OpenTelemetry's convention: the status code when there is an error status.
            match status {
                Some(status) if status >= 400 => {
                    span.record(ERROR_TYPE, tracing::field::display(status))
                }
                _ => span.record(ERROR_TYPE, class),
            };
        }
    }
    if let Some(previous) = previous {
        metrics::counter!(RETRIES, LABEL_OPERATION => operation.as_str(), CLASS => class_label(previous))
            .increment(1);
    }
    let success = matches!(verdict, Verdict::Success(_));
    match super::fixed::attempt_ok(operation).filter(|_| success) {
        Some(key) => super::fixed::counter(key, &super::fixed::LAYERS),
        None => metrics::counter!(
            ATTEMPTS,
            LABEL_OPERATION => operation.as_str(),
            CLASS => class,
            CODE => code_label(code)
        ),
    }
    .increment(1);
}

/// A retry decision: the outage gate's changes, probes and give-ups.
pub(crate) fn retry_event(event: &RetryEvent) {
    match event.kind {
        RetryEventKind::OutageStarted => {
            metrics::gauge!(GATE_CLOSED).set(1.0);
            metrics::counter!(GATE_CLOSURES).increment(1);
        }
        RetryEventKind::OutageEnded => gate_opened(event.delay),
        RetryEventKind::Probing => metrics::counter!(GATE_PROBES).increment(1),
        RetryEventKind::GaveUp => metrics::counter!(
            GIVE_UPS,
            LABEL_OPERATION => event.operation.as_str(),
            CLASS => event.class.map_or("none", class_label)
        )
        .increment(1),
        RetryEventKind::Retrying | RetryEventKind::WaitingForOutage => {}
    }
}

/// The outage gate opened after `lasted` (a probe of this process got an answer, or another
/// instance's did, through a shared gate).
pub(crate) fn gate_opened(lasted: Duration) {
    metrics::gauge!(GATE_CLOSED).set(0.0);
    metrics::histogram!(GATE_CLOSED_DURATION).record(seconds(lasted));
}

/// The retry budget's level after a change.
pub(crate) fn budget_level(tokens: u32) {
    metrics::gauge!(BUDGET_TOKENS).set(f64::from(tokens));
}

/// A success refilled the budget from `before` to `after` (the same when it was full, the
/// usual case: then there is nothing to record).
pub(crate) fn budget_refilled(before: u32, after: u32) {
    if before != after {
        budget_level(after);
    }
}

/// A client-side rate-limit permit was taken after `waited` (zero when one was free).
pub(crate) fn permit(kind: LimitKind, waited: Duration) {
    metrics::histogram!(RATE_LIMIT_WAIT, LIMIT => limit_label(kind)).record(seconds(waited));
}

/// A throughput permit reached the write `age` after it was taken (only where a durable record
/// sits between them); `renewed` when it had gone stale and a fresh one was taken.
pub(crate) fn permit_age(age: Duration, renewed: bool) {
    metrics::histogram!(RATE_LIMIT_PERMIT_AGE).record(seconds(age));
    if renewed {
        metrics::counter!(RATE_LIMIT_RENEWALS).increment(1);
    }
}

/// A fail-fast client-side rate limit refused a send.
pub(crate) fn refused(kind: LimitKind) {
    metrics::counter!(RATE_LIMIT_REFUSALS, LIMIT => limit_label(kind)).increment(1);
}

fn limit_label(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Throughput => "throughput",
        LimitKind::Pair => "pair",
    }
}
