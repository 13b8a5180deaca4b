//! Recipient rules (placeholder pass-through until the rules layer lands on this branch).

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// The recipient rule table.
#[derive(Debug, Clone, Default)]
pub struct RecipientRules {}

/// The recipient rules middleware.
#[derive(Debug)]
pub struct RecipientLayer {}

impl RecipientLayer {
    /// A recipient layer.
    pub fn new(_rules: RecipientRules) -> Self {
        RecipientLayer {}
    }
}

#[async_trait::async_trait]
impl Middleware for RecipientLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        next.run(req, extensions).await
    }
}
