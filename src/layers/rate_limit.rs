//! Rate limits (placeholder pass-through until the rate limit layer lands on this branch).

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::time::SharedClock;

/// The rate limits.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {}

/// The rate limit middleware.
#[derive(Debug)]
pub struct RateLimitLayer {
    _clock: SharedClock,
}

impl RateLimitLayer {
    /// A rate limit layer.
    pub fn new(_policy: RateLimits, clock: SharedClock) -> Self {
        RateLimitLayer { _clock: clock }
    }
}

#[async_trait::async_trait]
impl Middleware for RateLimitLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        next.run(req, extensions).await
    }
}
