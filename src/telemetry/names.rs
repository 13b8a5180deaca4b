//! Every span, field, metric and label name the SDK emits, in one place: what the README
//! documents, what dashboards and tests match on. Field names follow OpenTelemetry's HTTP client
//! conventions where one exists (`http.request.method`, `url.full`, ...); the rest are
//! `wacloud.*`.

/// The span around one call (a send, an upload, a template list...), retries included.
pub const CALL_SPAN: &str = "wacloud.call";
/// The span around one attempt of a call, a child of [`CALL_SPAN`].
pub const ATTEMPT_SPAN: &str = "wacloud.attempt";

/// Field: the operation (`send`, `media-upload`, `template-create`, ...).
pub const OPERATION: &str = "wacloud.operation";
/// Field: the business phone number id the call is made for.
pub const PHONE_NUMBER_ID: &str = "wacloud.phone_number_id";
/// Field: the recipient of a send, redacted (`+16*******34`, `US.***41`).
pub const RECIPIENT: &str = "wacloud.recipient";
/// Field: the correlation id written into `biz_opaque_callback_data`.
pub const CORRELATION_ID: &str = "wacloud.correlation_id";
/// Field: the message type of a send (`text`, `template`, ...).
pub const MESSAGE_TYPE: &str = "wacloud.message_type";
/// Field: the attempt number, from 1.
pub const ATTEMPT: &str = "wacloud.attempt";
/// Field: the Graph error code of the answer, when it carried one.
pub const GRAPH_CODE: &str = "wacloud.graph.code";
/// Field: the retry class of a failed attempt (see [`CLASS`] for the values).
pub const RETRY_CLASS: &str = "wacloud.retry.class";
/// Field: the wait before the next attempt, in milliseconds, when the call retries.
pub const RETRY_WAIT_MS: &str = "wacloud.retry.wait_ms";
/// Field (OpenTelemetry): the HTTP method.
pub const HTTP_METHOD: &str = "http.request.method";
/// Field (OpenTelemetry): the request URL, its query left out (it may carry a token).
pub const URL_FULL: &str = "url.full";
/// Field (OpenTelemetry): the HTTP status of the answer.
pub const HTTP_STATUS: &str = "http.response.status_code";
/// Field (OpenTelemetry): how many times this request was sent before (on attempts after the
/// first).
pub const RESEND_COUNT: &str = "http.request.resend_count";
/// Field (OpenTelemetry): what went wrong, low-cardinality (an error kind or an HTTP status).
pub const ERROR_TYPE: &str = "error.type";

/// Histogram (seconds): how long calls took, retries and waits included, by `operation` and
/// `outcome` (`ok` or an [`ERROR_TYPE`] value); its count is the number of calls.
pub const CALL_DURATION: &str = "wacloud_call_duration_seconds";
/// Counter: message sends, by `operation` and `outcome` (`accepted`, `rejected`, `failed`,
/// `unknown`).
pub const SENDS: &str = "wacloud_sends_total";
/// Counter: calls whose outcome is unknown (written, unanswered), by `operation`.
pub const UNKNOWN_OUTCOMES: &str = "wacloud_unknown_outcomes_total";
/// Counter: attempts, by `operation`, `class` and `code`.
pub const ATTEMPTS: &str = "wacloud_attempts_total";
/// Counter: retries scheduled, by `operation` and `class`.
pub const RETRIES: &str = "wacloud_retries_total";
/// Counter: calls that stopped retrying and failed, by `operation` and `class`.
pub const GIVE_UPS: &str = "wacloud_retry_give_ups_total";
/// Gauge: tokens left in the retry budget.
pub const BUDGET_TOKENS: &str = "wacloud_retry_budget_tokens";
/// Gauge: 1 while the outage gate is closed, else 0.
pub const GATE_CLOSED: &str = "wacloud_outage_gate_closed";
/// Counter: times the outage gate closed.
pub const GATE_CLOSURES: &str = "wacloud_outage_gate_closures_total";
/// Histogram (seconds): how long each outage held the gate closed.
pub const GATE_CLOSED_DURATION: &str = "wacloud_outage_gate_closed_seconds";
/// Counter: probes sent through a closed gate.
pub const GATE_PROBES: &str = "wacloud_outage_gate_probes_total";
/// Histogram (seconds): the wait for each client-side rate-limit permit, by `limit`.
pub const RATE_LIMIT_WAIT: &str = "wacloud_rate_limit_wait_seconds";
/// Counter: sends a fail-fast client-side rate limit refused, by `limit`.
pub const RATE_LIMIT_REFUSALS: &str = "wacloud_rate_limit_refusals_total";
/// Histogram (seconds): from a throughput permit to the write it let through, where a durable
/// dispatch record (an outbox) sits between them.
pub const RATE_LIMIT_PERMIT_AGE: &str = "wacloud_rate_limit_permit_age_seconds";
/// Counter: throughput permits given up because they went stale before the write, and taken
/// again.
pub const RATE_LIMIT_RENEWALS: &str = "wacloud_rate_limit_renewals_total";
/// Counter: webhook events received (signed and parsed), by `kind`.
pub const WEBHOOK_EVENTS: &str = "wacloud_webhook_events_total";
/// Histogram (seconds): from the event's own timestamp to the handler getting it, by `kind`.
pub const WEBHOOK_LAG: &str = "wacloud_webhook_handler_lag_seconds";
/// Gauge: events waiting in the answer-first queue.
pub const WEBHOOK_QUEUE: &str = "wacloud_webhook_queue_events";

/// Label: the operation (as [`OPERATION`]).
pub const LABEL_OPERATION: &str = "operation";
/// Label: how a call or send ended.
pub const LABEL_OUTCOME: &str = "outcome";
/// Label: the retry class: `none` (success), `outage`, `transient`, `throttled`, `pair`,
/// `later`, `never`, `unanswered` (no answer, not retried), `refused` (an inner layer sent
/// nothing).
pub const CLASS: &str = "class";
/// Label: the Graph error code when the catalogue documents it, `other` for an undocumented
/// one, `none` without one (a bounded set).
pub const CODE: &str = "code";
/// Label: the client-side limit, `throughput` or `pair`.
pub const LIMIT: &str = "limit";
/// Label: the webhook event kind: `message`, `status`, `error`, `field`, `other`.
pub const KIND: &str = "kind";
