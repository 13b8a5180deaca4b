//! The outbound message model: each type serializes exactly to Meta's JSON.
//!
//! An [`OutgoingMessage`] is the envelope (`messaging_product`, `recipient_type`, `to`, `type`,
//! `context`, `biz_opaque_callback_data`); its [`MessageContent`] is one of the families below.
//! Every type checks Meta's documented limits in [`OutgoingMessage::validate`], which the
//! client runs before sending, so a bad message is a typed error and no request.

mod envelope;
mod response;
mod text;

pub use envelope::{Context, MessageContent, OutgoingMessage};
pub use response::{MessageStatus, SendResponse, SentContact, SentMessage, Wamid};
pub use text::Text;
