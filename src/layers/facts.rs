//! What the client tells the layers about a request, through its `http::Extensions`.
//!
//! The client serializes a request once and records the facts the layers need next to it, so
//! that every layer is a plain reqwest-middleware `Middleware` that reads typed facts and never
//! re-parses JSON.

use std::fmt;

use crate::messages::UserRef;
use crate::time::Instant;

/// The kind of call a request makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /{phone-number-id}/messages` with a message.
    Send,
    /// Mark a message as read.
    MarkRead,
    /// Show the typing indicator.
    TypingIndicator,
    /// `POST /{phone-number-id}/media`.
    UploadMedia,
    /// `GET /{media-id}`.
    MediaUrl,
    /// `GET {media-url}`.
    DownloadMedia,
    /// `DELETE /{media-id}`.
    DeleteMedia,
    /// `GET /{phone-number-id}`.
    NumberState,
    /// `GET /debug_token`.
    DebugToken,
    /// `POST /{phone-number-id}/marketing_messages`: a template sent through the Marketing
    /// Messages API. A send like [`Operation::Send`] (rate limits, recipient rules, unknown
    /// outcomes), on another path.
    MarketingSend,
    /// A management call (templates, business profile, phone numbers, blocked users, QR
    /// codes, webhook subscriptions): its name and whether repeating it is safe.
    Manage(Management),
}

impl Operation {
    /// Whether repeating the request after an unanswered attempt could duplicate something a
    /// person sees (a message). Only sends do; marking read twice or re-reading a URL is harmless.
    pub fn has_side_effects(self) -> bool {
        match self {
            Operation::Send | Operation::MarketingSend => true,
            Operation::Manage(management) => !management.is_idempotent(),
            _ => false,
        }
    }

    /// Whether a 2xx answer's body is a file (a media download) rather than Graph API JSON: no
    /// layer or decoder may read a Graph error in it, whatever it contains.
    pub fn is_download(self) -> bool {
        matches!(self, Operation::DownloadMedia)
    }

    /// Whether the request is a message send (which the rate limits and recipient rules cover).
    pub fn is_send(self) -> bool {
        matches!(self, Operation::Send | Operation::MarketingSend)
    }

    /// Whether the call is made on the client's own business phone number, so that a client
    /// built without one (for management calls on a WhatsApp Business Account only) must
    /// refuse it before sending.
    pub fn needs_phone_number_id(self) -> bool {
        matches!(
            self,
            Operation::Send
                | Operation::MarketingSend
                | Operation::MarkRead
                | Operation::TypingIndicator
                | Operation::UploadMedia
                | Operation::MediaUrl
                | Operation::NumberState
        )
    }

    /// A short name for logs and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Send => "send",
            Operation::MarkRead => "mark-read",
            Operation::TypingIndicator => "typing-indicator",
            Operation::UploadMedia => "media-upload",
            Operation::MediaUrl => "media-url",
            Operation::DownloadMedia => "media-download",
            Operation::DeleteMedia => "media-delete",
            Operation::NumberState => "number-state",
            Operation::DebugToken => "debug-token",
            Operation::MarketingSend => "marketing-send",
            Operation::Manage(management) => management.name(),
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A management call as the layers see it: a name for logs and errors, and whether Meta acting
/// on it twice is harmless.
///
/// Reads (list, get) and writes that set a state (update a profile, set a PIN, block a user,
/// subscribe an app) are idempotent: after an unanswered attempt the retry layer repeats them.
/// Creates (a template, a QR code, an upload session), registration, deregistration and
/// verification codes are not: repeating one could create a duplicate or spend a rate-limited
/// attempt, so an unanswered attempt is reported as an unknown outcome instead.
///
/// ```
/// use wacloud::layers::facts::{Management, Operation};
/// let create = Operation::Manage(Management::not_idempotent("template-create"));
/// assert!(create.has_side_effects());
/// assert!(!Operation::Manage(Management::read("template-list")).has_side_effects());
/// assert_eq!(create.as_str(), "template-create");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Management {
    name: &'static str,
    idempotent: bool,
    read_only: bool,
}

impl Management {
    /// A call that only reads.
    pub const fn read(name: &'static str) -> Self {
        Management {
            name,
            idempotent: true,
            read_only: true,
        }
    }

    /// A call that writes, where doing it twice leaves the same state as doing it once.
    pub const fn idempotent(name: &'static str) -> Self {
        Management {
            name,
            idempotent: true,
            read_only: false,
        }
    }

    /// A call that must not be repeated blindly (creates, register, deregister, codes).
    pub const fn not_idempotent(name: &'static str) -> Self {
        Management {
            name,
            idempotent: false,
            read_only: false,
        }
    }

    /// The call's name, e.g. `template-create`.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// Whether repeating the call after an unanswered attempt is harmless.
    pub const fn is_idempotent(self) -> bool {
        self.idempotent
    }

    /// Whether the call only reads.
    pub const fn is_read_only(self) -> bool {
        self.read_only
    }
}

/// Facts about one request, stored in its extensions by the client.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestFacts {
    /// The kind of call.
    pub operation: Operation,
    /// The business phone number id the call is made for.
    pub phone_number_id: String,
    /// The recipient of a send: a phone number (sent in `to`, as the caller wrote it) or a
    /// business-scoped user id (sent in `recipient`). The recipient rules check it, and the
    /// pair limit keys on it ([`UserRef::key`]).
    pub recipient: Option<UserRef>,
    /// The message type of a send (`text`, `template`, ...).
    pub message_type: Option<&'static str>,
    /// The id written into `biz_opaque_callback_data`, to reconcile an unknown outcome.
    pub correlation_id: Option<String>,
    /// Whether the caller allows retrying after the request may have been written.
    pub retry_unknown_outcome: bool,
    /// The instant after which the call must give up (on the client's clock).
    pub deadline: Option<Instant>,
    /// What the client built the request from, for the retry layer to rebuild it (see
    /// [`Resend`](super::resend::Resend)); kept here rather than as an extension of its own,
    /// which would cost an allocation and a map insert per send.
    pub(crate) resend: Option<super::resend::Resend>,
}

impl RequestFacts {
    /// Facts for a call that names no recipient.
    pub fn new(operation: Operation, phone_number_id: impl Into<String>) -> Self {
        RequestFacts {
            operation,
            phone_number_id: phone_number_id.into(),
            recipient: None,
            message_type: None,
            correlation_id: None,
            retry_unknown_outcome: false,
            deadline: None,
            resend: None,
        }
    }

    /// Reads the facts from a request's extensions.
    pub fn of(extensions: &http::Extensions) -> Option<&RequestFacts> {
        extensions.get::<RequestFacts>()
    }

    /// Whether a retry after a possibly-written attempt is allowed for this request.
    pub fn may_retry_unknown_outcome(&self) -> bool {
        !self.operation.has_side_effects() || self.retry_unknown_outcome
    }
}

/// Whether a request that waited inside the stack may still be sent.
///
/// The retry layer puts one in the extensions of each attempt it lets through its outage gate.
/// A layer inside it that waits (the rate-limit layer, for a permit) asks again before sending:
/// if an outage began meanwhile, it answers [`HeldBack`] instead of sending into it, and the
/// retry layer returns the call to the gate without counting an attempt. Without this, every
/// send already queued for a permit when an outage starts would still hit the failing API.
#[derive(Clone)]
pub struct SendClearance(std::sync::Arc<dyn Fn() -> bool + Send + Sync>);

impl SendClearance {
    /// A clearance that asks `is_clear` each time.
    pub fn new(is_clear: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        SendClearance(std::sync::Arc::new(is_clear))
    }

    /// Whether the request may be sent now.
    pub fn is_clear(&self) -> bool {
        (self.0)()
    }

    /// Reads the clearance from a request's extensions.
    pub fn of(extensions: &http::Extensions) -> Option<&SendClearance> {
        extensions.get::<SendClearance>()
    }
}

impl fmt::Debug for SendClearance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SendClearance")
            .field(&self.is_clear())
            .finish()
    }
}

/// The answer of a layer that held a request back because its [`SendClearance`] was
/// withdrawn: nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("held back before sending: an outage began while the request waited")]
pub struct HeldBack;

impl HeldBack {
    /// This answer as a middleware error.
    pub fn into_middleware(self) -> reqwest_middleware::Error {
        reqwest_middleware::Error::Middleware(anyhow::Error::new(self))
    }

    /// Whether a middleware result is this answer.
    pub fn is(result: &reqwest_middleware::Result<reqwest::Response>) -> bool {
        matches!(result, Err(reqwest_middleware::Error::Middleware(error)) if error.is::<HeldBack>())
    }
}
