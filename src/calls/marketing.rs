//! `POST /{phone-number-id}/marketing_messages`: a marketing template through Meta's Marketing
//! Messages API (formerly "MM Lite").
//!
//! It is a send in every way but its path: the same validation, correlation id, recipient
//! rules, rate limits, retries (an unanswered attempt is an unknown outcome, not retried unless
//! allowed) and answer. Only template messages go this way; two fields are added:
//! `product_policy` and `message_activity_sharing`.

use std::future::IntoFuture;
use std::time::Duration;

use serde_json::json;

use super::send::{deliver, Route};
use super::CallFuture;
use crate::client::Client;
use crate::error::{Result, ValidationError};
use crate::layers::facts::Operation;
use crate::messages::{MessageContent, OutgoingMessage, SendResponse};

/// What Meta does when the Marketing Messages API cannot take the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProductPolicy {
    /// Fall back to a Cloud API send (Meta's default).
    CloudApiFallback,
    /// Never fall back: fail instead.
    Strict,
}

impl ProductPolicy {
    /// The value of `product_policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductPolicy::CloudApiFallback => "CLOUD_API_FALLBACK",
            ProductPolicy::Strict => "STRICT",
        }
    }
}

/// A marketing template send through the Marketing Messages API, ready to `.await`.
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// use wacloud::calls::marketing::ProductPolicy;
/// use wacloud::messages::{OutgoingMessage, Template};
/// let sent = client
///     .send_marketing(OutgoingMessage::new("+16505551234", Template::new("spring_sale", "en_US")))
///     .product_policy(ProductPolicy::Strict)
///     .message_activity_sharing(true)
///     .await?;
/// println!("{} {:?}", sent.message_id().unwrap(), sent.message_status());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a send does nothing until it is awaited"]
pub struct MarketingSendRequest {
    client: Client,
    message: OutgoingMessage,
    product_policy: Option<ProductPolicy>,
    message_activity_sharing: Option<bool>,
    retry_unknown_outcome: Option<bool>,
    deadline: Option<Duration>,
}

impl MarketingSendRequest {
    /// Whether Meta may fall back to a Cloud API send (`product_policy`; Meta's default when
    /// unset is to fall back).
    pub fn product_policy(mut self, policy: ProductPolicy) -> Self {
        self.product_policy = Some(policy);
        self
    }

    /// Whether Meta shares the message's activity (reads, clicks) with the business for
    /// optimisation (`message_activity_sharing`).
    pub fn message_activity_sharing(mut self, share: bool) -> Self {
        self.message_activity_sharing = Some(share);
        self
    }

    /// Allow (or forbid) retrying when the outcome is unknown; allowing it can deliver the
    /// message twice.
    pub fn retry_unknown_outcome(mut self, allow: bool) -> Self {
        self.retry_unknown_outcome = Some(allow);
        self
    }

    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    async fn run(self) -> Result<SendResponse> {
        if !matches!(self.message.content(), MessageContent::Template(_)) {
            let refused = Err(ValidationError::new(
                "type",
                "the Marketing Messages API sends template messages only",
            )
            .into());
            return crate::telemetry::calls::count_send(Operation::MarketingSend, refused);
        }
        let mut extra = Vec::new();
        if let Some(policy) = self.product_policy {
            extra.push(("product_policy", json!(policy.as_str())));
        }
        if let Some(share) = self.message_activity_sharing {
            extra.push(("message_activity_sharing", json!(share)));
        }
        let route = Route {
            path: "marketing_messages",
            operation: Operation::MarketingSend,
            extra,
        };
        let sent = deliver(
            self.client,
            self.message,
            route,
            self.retry_unknown_outcome,
            self.deadline,
        )
        .await;
        crate::telemetry::calls::count_send(Operation::MarketingSend, sent)
    }
}

impl IntoFuture for MarketingSendRequest {
    type Output = Result<SendResponse>;
    type IntoFuture = CallFuture<SendResponse>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl Client {
    /// Sends a marketing template through the Marketing Messages API
    /// (`/marketing_messages`). Anything but a template message is an
    /// [`Error::Validation`](crate::Error::Validation) and makes no request.
    pub fn send_marketing(&self, message: OutgoingMessage) -> MarketingSendRequest {
        MarketingSendRequest {
            client: self.clone(),
            message,
            product_policy: None,
            message_activity_sharing: None,
            retry_unknown_outcome: None,
            deadline: None,
        }
    }
}
