//! The endpoints: one request type per call, each a `#[must_use]` builder that implements
//! [`IntoFuture`](std::future::IntoFuture), so `client.send(message).await` just works and
//! per-call options chain before the `.await`.

pub mod blocked_users;
pub mod manage;
pub mod marketing;
pub mod media;
mod multipart;
pub mod paging;
pub mod phone_numbers;
pub mod profile;
pub mod qr_codes;
pub mod send;
pub mod status;
pub mod subscriptions;
pub mod templates;
pub mod token;
pub mod uploads;

use std::future::Future;
use std::pin::Pin;

/// The future a request builder turns into.
pub type CallFuture<T> = Pin<Box<dyn Future<Output = crate::Result<T>> + Send + 'static>>;
