//! Retry (placeholder pass-through until the retry layer lands on this branch).

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::time::SharedClock;

/// The retry policy.
#[derive(Debug, Clone, Default)]
pub struct RetryPolicy {}

/// The retry middleware.
#[derive(Debug)]
pub struct RetryLayer {
    _clock: SharedClock,
}

impl RetryLayer {
    /// A retry layer.
    pub fn new(_policy: RetryPolicy, clock: SharedClock) -> Self {
        RetryLayer { _clock: clock }
    }
}

#[async_trait::async_trait]
impl Middleware for RetryLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        next.run(req, extensions).await
    }
}
