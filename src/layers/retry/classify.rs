//! What one attempt's outcome means for retrying it.
//!
//! The Graph error **code** in the body decides (through the catalogue's
//! [`RetryClass`]); the HTTP status only matters when there is no Graph body (a proxy's 502, a
//! bare 429). For failures without an answer, reqwest-retry's classification (through
//! [`TransportPhase`]) tells whether the request was written: only a failure before writing is
//! safe to repeat for a call with side effects.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Response;

use super::schedule::parse_retry_after;
use super::RetryPolicy;
use crate::error::{DecodeError, Error, GraphError, RetryClass, TransportPhase};
use crate::layers::body;
use crate::layers::facts::RequestFacts;

/// The verdict on one attempt.
// Lives for one attempt and is moved once: boxing the large variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Verdict {
    /// A usable answer.
    Success(Response),
    /// Hand this back untouched: retrying cannot help or could duplicate a side effect.
    Final {
        result: reqwest_middleware::Result<Response>,
        /// Whether the API answered (which proves it is up).
        answered: bool,
        /// The Graph error code of the answer, when it carried one.
        code: Option<i64>,
        /// Why it is not retried, for the trace.
        reason: &'static str,
    },
    /// A failure that proves the request was not acted on: a retry candidate.
    Retry(Failure),
}

/// A retryable failure and what is known about it.
pub(crate) struct Failure {
    pub(crate) class: RetryClass,
    pub(crate) code: Option<i64>,
    pub(crate) status: Option<u16>,
    pub(crate) retry_after: Option<Duration>,
    /// A timeout (the budget charges more for it).
    pub(crate) timeout: bool,
    /// Whether this failure closes (or keeps closed) the shared outage gate.
    pub(crate) gate: bool,
    pub(crate) reason: &'static str,
    pub(crate) kept: Kept,
}

/// The failure itself, kept to be handed back or wrapped when the layer gives up.
#[allow(clippy::large_enum_variant)] // see `Verdict`
pub(crate) enum Kept {
    Answer {
        response: Response,
        status: u16,
        content_type: Option<String>,
        /// `None` when the body was too long to be a Graph error (and was not read).
        body: Option<Bytes>,
        graph: Option<GraphError>,
    },
    Transport(reqwest::Error),
}

impl Failure {
    /// Whether the API answered (as opposed to no answer at all).
    pub(crate) fn answered(&self) -> bool {
        matches!(self.kept, Kept::Answer { .. })
    }

    /// The Graph error, when the API sent one.
    pub(crate) fn graph(&self) -> Option<&GraphError> {
        match &self.kept {
            Kept::Answer { graph, .. } => graph.as_ref(),
            Kept::Transport(_) => None,
        }
    }

    /// The failure as the response or error the next layer out would have seen.
    pub(crate) fn into_raw(self) -> reqwest_middleware::Result<Response> {
        match self.kept {
            Kept::Answer { response, .. } => Ok(response),
            Kept::Transport(error) => Err(reqwest_middleware::Error::Reqwest(error)),
        }
    }

    /// The failure as a typed error (for [`Error::RetriesExhausted::last`]).
    pub(crate) fn into_error(self, facts: &RequestFacts) -> Error {
        match self.kept {
            Kept::Answer {
                status,
                content_type,
                body,
                graph,
                ..
            } => match graph {
                Some(graph) => crate::client::api_error(status, graph),
                None => Error::Decode(Box::new(DecodeError::new(
                    status,
                    content_type,
                    body.as_deref().unwrap_or_default(),
                    if body.is_some() {
                        "an error status without a Graph error body"
                    } else {
                        "an error status with a body too long to be a Graph error (not read)"
                    },
                ))),
            },
            Kept::Transport(error) => {
                Error::from_reqwest(error, facts.operation, facts.correlation_id.as_deref())
            }
        }
    }
}

/// Whether a 2xx answer may still carry a Graph error body worth reading.
fn may_carry_json(response: &Response) -> bool {
    response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            contains_ignoring_case(value.as_bytes(), b"json")
                || contains_ignoring_case(value.as_bytes(), b"javascript")
        })
}

/// Whether `haystack` contains `needle` (lowercase ASCII), whatever the case of its letters:
/// without lowercasing the header into a new string on every answer.
fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Judges one attempt (an answer may need its body read: the judgement is a future).
pub(crate) fn classify<'a>(
    result: reqwest_middleware::Result<Response>,
    facts: &'a RequestFacts,
    policy: &'a RetryPolicy,
) -> impl std::future::Future<Output = Verdict> + Send + 'a {
    use futures_util::future::{ready, Either};
    match result {
        Ok(response) => Either::Left(classify_answer(response, facts, policy)),
        Err(error) => Either::Right(ready(classify_error(error, facts))),
    }
}

async fn classify_answer(
    response: Response,
    facts: &RequestFacts,
    policy: &RetryPolicy,
) -> Verdict {
    let status = response.status().as_u16();
    let success = (200..300).contains(&status);
    if success && (facts.operation.is_download() || !may_carry_json(&response)) {
        // A downloaded file is never a Graph error, whatever it contains; other non-JSON
        // successes carry none either. Neither is buffered here.
        return Verdict::Success(response);
    }
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_retry_after);
    let content_type = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let (response, body) = match body::buffer(response).await {
        Ok(parts) => parts,
        Err(error) => {
            return Verdict::Final {
                result: Err(reqwest_middleware::Error::Reqwest(error)),
                answered: true,
                code: None,
                reason: "the answer's body could not be read",
            }
        }
    };
    // Checked once for every layer and the client (see `ReadBody::graph_error`).
    let graph = body::ReadBody::of(&response).and_then(body::ReadBody::graph_error);
    let (class, code, reason) = match &graph {
        Some(graph) => (
            graph.retry_class(),
            Some(graph.code),
            "the Graph error code says so",
        ),
        None if success => return Verdict::Success(response),
        None => match status {
            429 => (
                RetryClass::Throttled,
                None,
                "HTTP 429 without a Graph error body",
            ),
            502..=504 => (
                RetryClass::Transient,
                None,
                "a gateway error without a Graph error body",
            ),
            _ => (
                RetryClass::Never,
                None,
                "an error status without a Graph error body",
            ),
        },
    };
    match class {
        RetryClass::Never => Verdict::Final {
            result: Ok(response),
            answered: true,
            code,
            reason: "retrying cannot help with this error",
        },
        RetryClass::Later(_) => Verdict::Final {
            result: Ok(response),
            answered: true,
            code,
            reason: "this error asks for a wait of minutes or hours",
        },
        _ => {
            let gate = class == RetryClass::Outage
                || code.is_some_and(|code| policy.gate_codes.contains(&code));
            Verdict::Retry(Failure {
                class,
                code,
                status: Some(status),
                retry_after,
                timeout: false,
                gate,
                reason,
                kept: Kept::Answer {
                    response,
                    status,
                    content_type,
                    body,
                    graph,
                },
            })
        }
    }
}

fn classify_error(error: reqwest_middleware::Error, facts: &RequestFacts) -> Verdict {
    let phase = TransportPhase::of(&error);
    let error = match error {
        reqwest_middleware::Error::Reqwest(error) => error,
        other => {
            // An inner layer's own error (a fail-fast rate limit, ...): not ours to retry.
            return Verdict::Final {
                result: Err(other),
                answered: false,
                code: None,
                reason: "an inner layer failed the call",
            };
        }
    };
    let timeout = error.is_timeout();
    match phase {
        TransportPhase::NotWritten => Verdict::Retry(Failure {
            class: RetryClass::Transient,
            code: None,
            status: None,
            retry_after: None,
            timeout,
            gate: false,
            reason: "the connection failed before the request was written",
            kept: Kept::Transport(error),
        }),
        TransportPhase::MaybeWritten if facts.may_retry_unknown_outcome() => {
            Verdict::Retry(Failure {
                class: RetryClass::Transient,
                code: None,
                status: None,
                retry_after: None,
                timeout,
                gate: false,
                reason: if facts.operation.has_side_effects() {
                    "no answer after the request may have been written; the caller allowed a retry"
                } else {
                    "no answer after the request was written; repeating it is harmless"
                },
                kept: Kept::Transport(error),
            })
        }
        TransportPhase::MaybeWritten => Verdict::Final {
            result: Err(reqwest_middleware::Error::Reqwest(error)),
            answered: false,
            code: None,
            reason: "the request may have been written and acted on: not retried (outcome unknown)",
        },
        _ => Verdict::Final {
            result: Err(reqwest_middleware::Error::Reqwest(error)),
            answered: false,
            code: None,
            reason: "a local error that retrying cannot fix",
        },
    }
}
