//! Failures below the Graph API: no answer, or an answer that is not JSON.

use std::fmt;

use crate::layers::facts::Operation;

/// How far a failed request got, which decides whether a retry could duplicate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportPhase {
    /// The connection failed before the request was written: safe to retry.
    NotWritten,
    /// The request may have been written (timeout, connection dropped mid-exchange).
    MaybeWritten,
    /// A local error that retrying cannot fix (building the request, a bad redirect, ...).
    Local,
}

impl TransportPhase {
    /// Classifies a transport failure. reqwest-retry's classification decides what is
    /// transient; a connect failure is the only transient failure that proves nothing was
    /// written, so everything else transient counts as possibly written.
    pub fn of(error: &reqwest_middleware::Error) -> TransportPhase {
        let reqwest_middleware::Error::Reqwest(inner) = error else {
            return TransportPhase::Local;
        };
        if inner.is_connect() {
            return TransportPhase::NotWritten;
        }
        match reqwest_retry::default_on_request_failure(error) {
            Some(reqwest_retry::Retryable::Transient) => TransportPhase::MaybeWritten,
            _ if inner.is_timeout() || inner.is_request() => TransportPhase::MaybeWritten,
            _ => TransportPhase::Local,
        }
    }
}

/// No usable answer came back.
#[derive(Debug)]
pub struct TransportError {
    /// What the call was doing.
    pub operation: Operation,
    /// How far the request got.
    pub phase: TransportPhase,
    source: TransportSource,
}

#[derive(Debug)]
enum TransportSource {
    Reqwest(reqwest::Error),
    Middleware(anyhow::Error),
}

impl TransportError {
    pub(crate) fn reqwest(
        operation: Operation,
        phase: TransportPhase,
        error: reqwest::Error,
    ) -> Self {
        TransportError {
            operation,
            phase,
            source: TransportSource::Reqwest(redact_url(error)),
        }
    }

    pub(crate) fn middleware(operation: Operation, error: anyhow::Error) -> Self {
        TransportError {
            operation,
            phase: TransportPhase::Local,
            source: TransportSource::Middleware(error),
        }
    }

    /// The underlying reqwest error, if the failure came from reqwest.
    pub fn reqwest_error(&self) -> Option<&reqwest::Error> {
        match &self.source {
            TransportSource::Reqwest(error) => Some(error),
            TransportSource::Middleware(_) => None,
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            TransportSource::Reqwest(error) => write!(
                f,
                "transport error during {}: {}",
                self.operation,
                describe(error)
            ),
            TransportSource::Middleware(error) => {
                write!(f, "middleware error during {}: {error:#}", self.operation)
            }
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.source {
            TransportSource::Reqwest(error) => Some(error),
            TransportSource::Middleware(error) => Some(error.as_ref()),
        }
    }
}

/// Removes what a reqwest error's URL may carry of a secret (query, fragment, user info): the
/// `debug_token` call puts the access token in its query, and a reqwest error's `Debug` prints
/// its URL. The scheme, host and path stay, for diagnosis.
pub(crate) fn redact_url(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        url.set_query(None);
        url.set_fragment(None);
        let _ = url.set_password(None);
        let _ = url.set_username("");
    }
    error
}

/// A short description of a reqwest error that never includes the URL's query (which may
/// carry a token, e.g. `debug_token?input_token=`).
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_request() {
        "connection failed during the exchange"
    } else if error.is_body() {
        "body error"
    } else if error.is_decode() {
        "could not decode the answer"
    } else {
        "HTTP client error"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How many bytes of an undecodable body an error keeps.
pub const BODY_PREFIX_LIMIT: usize = 512;

/// An answer that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The first bytes of the body (lossy UTF-8, at most [`BODY_PREFIX_LIMIT`] bytes).
    pub body_prefix: String,
    /// The full body length in bytes.
    pub body_len: usize,
    /// What was wrong.
    pub reason: String,
    /// For a send answered 2xx: the id written into `biz_opaque_callback_data`. Such an
    /// answer means Meta probably accepted the message, so look for this id in status
    /// webhooks rather than sending again.
    pub correlation_id: Option<String>,
}

impl DecodeError {
    /// Builds a decode error from an answer's parts.
    pub fn new(
        status: u16,
        content_type: Option<String>,
        body: &[u8],
        reason: impl Into<String>,
    ) -> Self {
        DecodeError {
            status,
            content_type,
            body_prefix: body_prefix(body),
            body_len: body.len(),
            reason: reason.into(),
            correlation_id: None,
        }
    }

    /// Records the correlation id of the send this answer belongs to.
    pub fn with_correlation_id(mut self, correlation_id: Option<String>) -> Self {
        self.correlation_id = correlation_id;
        self
    }

    /// Whether the API answered 2xx to a send: the message was probably sent.
    pub fn probably_sent(&self) -> bool {
        (200..300).contains(&self.status) && self.correlation_id.is_some()
    }
}

/// At most [`BODY_PREFIX_LIMIT`] bytes of the body as text, never cutting a character in half.
/// Invalid UTF-8 becomes U+FFFD (three bytes each), so the text is cut again after conversion to
/// keep the limit.
fn body_prefix(body: &[u8]) -> String {
    let mut end = body.len().min(BODY_PREFIX_LIMIT);
    // Do not cut a UTF-8 sequence in half: back up to the start of the cut character (at most
    // three bytes: further back it is not UTF-8 anyway).
    let floor = end.saturating_sub(3);
    while end < body.len() && end > floor && (body[end] & 0b1100_0000) == 0b1000_0000 {
        end -= 1;
    }
    let mut text = String::from_utf8_lossy(&body[..end]).into_owned();
    if text.len() > BODY_PREFIX_LIMIT {
        let mut cut = BODY_PREFIX_LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode the answer (HTTP {}", self.status)?;
        if let Some(content_type) = &self.content_type {
            write!(f, ", {content_type}")?;
        }
        write!(f, ", {} bytes): {}", self.body_len, self.reason)?;
        if self.body_prefix.is_empty() {
            write!(f, "; the body was empty")?;
        } else {
            write!(f, "; body starts with: {:?}", self.body_prefix)?;
        }
        match &self.correlation_id {
            Some(id) if self.probably_sent() => write!(
                f,
                ". The API accepted the request, so the message was probably sent: do not resend; \
                 reconcile from status webhooks with biz_opaque_callback_data = {id}"
            ),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for DecodeError {}
