//! Webhooks: typed payloads, verification, signature checks and status reconciliation.
//!
//! - [`parse`] turns a POST body into a typed, borrowing [`Notification`].
//! - [`verify_signature`] checks `X-Hub-Signature-256` against the raw body;
//!   [`verify_handshake`] answers the GET subscription handshake.
//! - [`collect_events`] turns a notification into owned [`Event`]s for a handler.
//! - [`StatusTracker`] folds status updates per message id into one
//!   reconciled state (a `delivered` wins over a `failed`), within a byte budget.
//! - `router::WebhookReceiver` (feature `webhook-router`) puts it all
//!   behind an axum router that answers 200 only for what its handler finished.

pub(crate) mod de;
mod error;
mod events;
mod payload;
mod reconcile;
#[cfg(feature = "webhook-router")]
pub mod router;
mod verify;

pub use error::{HandshakeError, SignatureError, WebhookError};
pub use events::{collect_events, collect_unconfirmed_events, observe_statuses, Event};
pub use payload::*;
pub use reconcile::{
    DeliveryState, HistoryEntry, MessageRecord, Reconciled, StatusTracker, DEFAULT_CAPACITY,
    DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES, DEFAULT_REMEMBERED,
};
pub use verify::{
    verify_handshake, verify_signature, AppSecret, HandshakeQuery, VerifyToken, SIGNATURE_HEADER,
};
