//! The middleware layers around every call, and the stack that orders them.
//!
//! Each layer is a reqwest-middleware [`Middleware`](reqwest_middleware::Middleware) that reads
//! the [`RequestFacts`](facts::RequestFacts) the client put in the request's extensions. The
//! default order, outermost first:
//!
//! 1. [`recipients`]: rejects an invalid or restricted recipient before anything else, so a
//!    rejected send never waits at a gate or takes a rate-limit permit, and no byte leaves.
//! 2. [`auth`]: turns the final token or permission failure into an error with guidance; it
//!    sits outside retry because auth failures are never retried and it must see the last answer.
//! 3. [`retry`]: classifies each answer by its Graph code, backs off, shares an outage gate and
//!    a retry budget across clones of the client.
//! 4. [`rate_limit`]: every attempt, retries included, takes a throughput permit and a pair
//!    permit, so that retries cannot push the client over Meta's limits.
//!
//! With [`shared`] limits (several replicas of a service, one business number), the rate limits,
//! the 130429 back-off and the outage gate live in a backend every replica shares (Redis, with
//! the `redis` feature) instead of in each process.
//!
//! Users can drop, reorder or add layers with [`LayerStack`] through
//! [`ClientBuilder::layers`](crate::ClientBuilder::layers).

pub mod auth;
pub mod facts;
pub mod rate_limit;
pub mod recipients;
pub mod retry;
pub mod shared;
mod stack;

pub(crate) mod body;
pub(crate) mod chain;
pub(crate) mod resend;

pub use stack::{Layer, LayerStack};

/// The name of the recipient rules layer in a [`LayerStack`].
pub const RECIPIENTS: &str = "recipients";
/// The name of the auth guidance layer in a [`LayerStack`].
pub const AUTH: &str = "auth";
/// The name of the retry layer in a [`LayerStack`].
pub const RETRY: &str = "retry";
/// The name of the rate limit layer in a [`LayerStack`].
pub const RATE_LIMIT: &str = "rate-limit";
