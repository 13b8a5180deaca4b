//! One error type for every way a call can fail, and the catalogue of Graph error codes.
//!
//! [`Error`] is an enum to `match` on. Each variant answers a different question a caller has:
//! did Meta answer with an error ([`Error::Api`], [`Error::Auth`])? was the call stopped before
//! a byte left the process ([`Error::Validation`], [`Error::RecipientRejected`],
//! [`Error::RateLimited`])? might the message have gone out anyway ([`Error::OutcomeUnknown`])?

pub mod catalogue;
pub(crate) mod graph;
mod recipient;
mod too_large;
mod transport;

use std::fmt;
use std::time::Duration;

pub use catalogue::{CatalogueEntry, Category, RetryClass};
pub use graph::{ErrorData, GraphError};
pub use recipient::{RecipientRejected, RejectReason};
pub use too_large::{SizeLimit, TooLarge};
pub use transport::{DecodeError, TransportError, TransportPhase, BODY_PREFIX_LIMIT};

use crate::layers::facts::Operation;
use crate::models::token::TokenDiagnosis;

/// A specialized `Result` for wacloud calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Meta answered with a Graph API error.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Meta rejected the token or its permissions (codes 0, 3, 10, 190, 200-299), with what to do.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The request broke a documented limit; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The recipient is invalid or in a restricted region; nothing was sent.
    #[error(transparent)]
    RecipientRejected(Box<RecipientRejected>),
    /// The request was written but no answer came back (timeout, dropped connection): the message
    /// may have been sent. Not retried unless the caller opted in.
    #[error(transparent)]
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// The retry layer gave up; the last error is inside.
    #[error(transparent)]
    RetriesExhausted(Box<RetriesExhausted>),
    /// A client-side rate limit is configured to fail fast and was hit; nothing was sent.
    #[error(transparent)]
    RateLimited(Box<RateLimited>),
    /// The call's own deadline passed before it could be sent or answered.
    #[error(transparent)]
    DeadlineExceeded(Box<DeadlineExceeded>),
    /// No answer: the connection failed before the request was written, or a local HTTP error.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// An answer came but could not be decoded (HTML from a proxy, truncated JSON, ...).
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// An answer's body was longer than allowed (a media file over its announced size or the
    /// caps, a Graph answer over 4 MiB); reading stopped there.
    #[error(transparent)]
    TooLarge(Box<TooLarge>),
    /// Reading a local file (e.g. media to upload) failed.
    #[error("could not read local input: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The Graph error Meta sent, if this error carries one (also inside auth errors and
    /// exhausted retries).
    pub fn graph_error(&self) -> Option<&GraphError> {
        match self {
            Error::Api(api) => Some(&api.graph),
            Error::Auth(auth) => Some(&auth.api.graph),
            Error::RetriesExhausted(exhausted) => exhausted.last.graph_error(),
            _ => None,
        }
    }

    /// The Graph error code, if any.
    pub fn code(&self) -> Option<i64> {
        self.graph_error().map(|graph| graph.code)
    }

    /// The HTTP status of the answer, if one came.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth(auth) => Some(auth.api.status),
            Error::RetriesExhausted(exhausted) => exhausted.last.http_status(),
            Error::Decode(decode) => Some(decode.status),
            Error::TooLarge(too_large) => Some(too_large.status),
            _ => None,
        }
    }

    /// True when the request may have been acted on although no readable answer says so: an
    /// unanswered send, or a send answered 2xx with a body that could not be read.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::OutcomeUnknown(_) => true,
            Error::Decode(decode) => decode.probably_sent(),
            // A send answered 2xx was probably accepted, however long the answer.
            Error::TooLarge(too_large) => {
                too_large.operation.has_side_effects() && (200..300).contains(&too_large.status)
            }
            Error::RetriesExhausted(exhausted) => exhausted.last.is_outcome_unknown(),
            _ => false,
        }
    }

    /// True when the call was stopped before anything was sent.
    pub fn is_local_rejection(&self) -> bool {
        matches!(
            self,
            Error::Validation(_) | Error::RecipientRejected(_) | Error::RateLimited(_)
        )
    }

    /// Wraps this error so that it can travel through a reqwest-middleware stack.
    pub fn into_middleware(self) -> reqwest_middleware::Error {
        reqwest_middleware::Error::Middleware(anyhow::Error::new(self))
    }

    /// Recovers a wacloud error from a middleware error, classifying raw transport failures by
    /// the operation they interrupted (a send that may have been written becomes
    /// [`Error::OutcomeUnknown`]).
    pub fn from_middleware(
        error: reqwest_middleware::Error,
        operation: Operation,
        correlation_id: Option<&str>,
    ) -> Error {
        match error {
            reqwest_middleware::Error::Middleware(inner) => match inner.downcast::<Error>() {
                Ok(error) => error,
                // A foreign middleware that wrapped a reqwest error: classify it like one (and
                // redact its URL, which reqwest's Display would print).
                Err(other) => match other.downcast::<reqwest::Error>() {
                    Ok(error) => Error::from_reqwest(error, operation, correlation_id),
                    Err(other) => {
                        Error::Transport(Box::new(TransportError::middleware(operation, other)))
                    }
                },
            },
            reqwest_middleware::Error::Reqwest(error) => {
                Error::from_reqwest(error, operation, correlation_id)
            }
        }
    }

    /// Classifies a reqwest error: a failure after the request may have been written is an
    /// unknown outcome for operations with side effects.
    pub fn from_reqwest(
        error: reqwest::Error,
        operation: Operation,
        correlation_id: Option<&str>,
    ) -> Error {
        let wrapped = reqwest_middleware::Error::Reqwest(transport::redact_url(error));
        let phase = TransportPhase::of(&wrapped);
        let error = match wrapped {
            reqwest_middleware::Error::Reqwest(error) => error,
            reqwest_middleware::Error::Middleware(other) => {
                return Error::Transport(Box::new(TransportError::middleware(operation, other)))
            }
        };
        if phase == TransportPhase::MaybeWritten && operation.has_side_effects() {
            Error::OutcomeUnknown(Box::new(OutcomeUnknown {
                operation,
                correlation_id: correlation_id.map(str::to_owned),
                source: error,
            }))
        } else {
            Error::Transport(Box::new(TransportError::reqwest(operation, phase, error)))
        }
    }
}

/// A Graph API error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// The parsed Graph error.
    pub graph: GraphError,
}

impl ApiError {
    /// The catalogue entry for the code, if documented.
    pub fn entry(&self) -> Option<&'static CatalogueEntry> {
        self.graph.entry()
    }
}

impl ApiError {
    /// Writes the error without the catalogue's guidance (for wrappers with their own).
    fn write(&self, f: &mut fmt::Formatter<'_>, with_guidance: bool) -> fmt::Result {
        let graph = &self.graph;
        write!(f, "Graph API error {}", graph.code)?;
        if let Some(subcode) = graph.subcode {
            write!(f, "/{subcode}")?;
        }
        if let Some(entry) = graph.entry() {
            write!(f, " ({})", entry.title)?;
        }
        write!(f, " [HTTP {}]: ", self.status)?;
        // Meta's sentences end with a period; trimming it keeps the joins below single.
        let message = graph.message.trim().trim_end_matches('.');
        f.write_str(if message.is_empty() {
            "(no message)"
        } else {
            message
        })?;
        if let Some(details) = graph.details() {
            write!(f, ": {}", details.trim().trim_end_matches('.'))?;
        }
        if let Some(trace) = &graph.fbtrace_id {
            write!(f, " (fbtrace_id {trace})")?;
        }
        match graph.entry() {
            Some(entry) if with_guidance => write!(f, ". What to do: {}", entry.guidance),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, true)
    }
}

impl std::error::Error for ApiError {}

/// The Access Token Debugger, where the seed tells users to paste their token.
pub const ACCESS_TOKEN_DEBUGGER: &str = "https://developers.facebook.com/tools/debug/accesstoken/";

/// An authorization failure with guidance on fixing the token.
#[derive(Debug, Clone)]
pub struct AuthError {
    /// The Graph error Meta sent.
    pub api: ApiError,
    /// What `GET /debug_token` said about the token, when the auth layer was asked to look.
    pub diagnosis: Option<TokenDiagnosis>,
}

impl AuthError {
    /// Whether the token itself expired or was invalidated (code 190).
    pub fn token_expired(&self) -> bool {
        self.api.graph.code == 190
    }

    /// The guidance text, in the seed's terms.
    pub fn guidance(&self) -> String {
        let mut text = String::new();
        if let Some(entry) = self.api.entry() {
            text.push_str(entry.guidance);
            text.push(' ');
        }
        text.push_str(&format!(
            "Paste the access token into the Access Token Debugger ({ACCESS_TOKEN_DEBUGGER}) and \
             check that it has the whatsapp_business_management and whatsapp_business_messaging \
             permissions. If it does not, generate a new token, selecting the Meta app you use \
             for the API calls and those two permissions."
        ));
        if self.token_expired() && !text.contains("System User") {
            text.push_str(
                " The token has expired or was invalidated: for a token that does not expire \
                 daily, use a System User access token.",
            );
        }
        text
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("authorization failed: ")?;
        self.api.write(f, false)?;
        write!(f, ". What to do: {}", self.guidance())?;
        if let Some(diagnosis) = &self.diagnosis {
            write!(f, " Token check: {diagnosis}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {}

/// A local validation failure: the request breaks a documented limit and was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {problem}")]
pub struct ValidationError {
    /// The field at fault, as a path (e.g. `interactive.action.buttons[3].title`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ValidationError {
    /// Creates a validation error.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        ValidationError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// A request with side effects that was written but not answered.
#[derive(Debug)]
pub struct OutcomeUnknown {
    /// What the call was doing.
    pub operation: Operation,
    /// The id the client put in `biz_opaque_callback_data`: look for it in status webhooks.
    pub correlation_id: Option<String>,
    /// The transport failure.
    pub source: reqwest::Error,
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let effect = if self.operation.is_send() {
            "the message may have been sent"
        } else {
            "Meta may have acted on it (check before repeating it)"
        };
        write!(
            f,
            "outcome unknown: the {} request was written but no answer came ({}); {effect}, so \
             it was not retried",
            self.operation,
            transport::describe(&self.source)
        )?;
        if let Some(id) = &self.correlation_id {
            write!(
                f,
                ". Reconcile from status webhooks: biz_opaque_callback_data = {id}"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The retry layer tried and gave up.
#[derive(Debug)]
pub struct RetriesExhausted {
    /// How many attempts were made in all.
    pub attempts: u32,
    /// How long the layer kept trying.
    pub elapsed: Duration,
    /// The retry class of the last failure.
    pub class: RetryClass,
    /// The last failure.
    pub last: Error,
}

impl fmt::Display for RetriesExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up after {} attempts over {:.1?}",
            self.attempts, self.elapsed
        )?;
        if self.class == RetryClass::Outage {
            write!(
                f,
                " (Meta's API updates can cause up to 5 minutes of downtime; wait 5 minutes and \
                 try again)"
            )?;
        }
        write!(f, ": {}", self.last)
    }
}

impl std::error::Error for RetriesExhausted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.last)
    }
}

/// Which client-side limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// Messages per second per business phone number.
    Throughput,
    /// Messages to one recipient (the pair limit).
    Pair,
}

/// A fail-fast client-side rate limit refused the call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client-side {kind:?} rate limit reached; retry in {retry_after:?}; nothing was sent")]
pub struct RateLimited {
    /// The limit that was hit.
    pub kind: LimitKind,
    /// When a permit is next available.
    pub retry_after: Duration,
}

/// A call's deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("deadline of {deadline:?} exceeded while {stage}; {sent}")]
pub struct DeadlineExceeded {
    /// The deadline the call had.
    pub deadline: Duration,
    /// What the call was doing (e.g. "waiting for the API outage to end").
    pub stage: String,
    /// Whether the request might have been sent.
    pub sent: SentState,
}

/// Whether a request that failed locally might have reached the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SentState {
    /// Nothing was sent.
    NotSent,
    /// It may have been sent.
    MaybeSent,
}

impl fmt::Display for SentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SentState::NotSent => "nothing was sent",
            SentState::MaybeSent => "the request may have been sent",
        })
    }
}
