//! Webhook subscriptions of a WhatsApp Business Account: `POST|GET|DELETE
//! /{waba-id}/subscribed_apps`. Subscribing and unsubscribing are idempotent, so an
//! unanswered attempt is repeated.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::manage::{json_body, management_call, run_success, BusinessAccount};
use super::paging::List;
use crate::error::{Result, ValidationError};
use crate::layers::facts::Management;
use crate::models::subscriptions::SubscribedApp;

const SUBSCRIBE: Management = Management::idempotent("subscribe-app");
const LIST: Management = Management::read("subscribed-apps-list");
const UNSUBSCRIBE: Management = Management::idempotent("unsubscribe-app");

impl BusinessAccount {
    /// Subscribes the token's app to the account's webhooks.
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// client
    ///     .business_account()
    ///     .subscribe_app()
    ///     .override_callback("https://hooks.example.com/whatsapp", "my-verify-token")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn subscribe_app(&self) -> SubscribeRequest {
        SubscribeRequest {
            account: self.clone(),
            callback: None,
            deadline: None,
        }
    }

    /// The apps subscribed to the account's webhooks.
    pub fn subscribed_apps(&self) -> List<SubscribedApp> {
        List::new(
            self.client.clone(),
            self.url(&["subscribed_apps"]),
            LIST,
            None,
        )
    }

    /// Unsubscribes the token's app.
    pub fn unsubscribe_app(&self) -> UnsubscribeRequest {
        UnsubscribeRequest {
            account: self.clone(),
            deadline: None,
        }
    }
}

/// Subscribes an app. Its `Debug` output hides the verify token.
#[must_use = "a request does nothing until it is awaited"]
pub struct SubscribeRequest {
    account: BusinessAccount,
    callback: Option<(String, String)>,
    deadline: Option<Duration>,
}

impl std::fmt::Debug for SubscribeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscribeRequest")
            .field("account", &self.account.id)
            .field(
                "override_callback_uri",
                &self.callback.as_ref().map(|(uri, _)| uri),
            )
            .finish_non_exhaustive()
    }
}

impl SubscribeRequest {
    /// Sends this account's webhooks to `uri` (https) instead of the app's callback URL;
    /// Meta verifies it with `verify_token` first, as in the app's own handshake.
    pub fn override_callback(
        mut self,
        uri: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> Self {
        self.callback = Some((uri.into(), verify_token.into()));
        self
    }

    async fn run(self) -> Result<()> {
        let url = self.account.url(&["subscribed_apps"])?;
        let mut call = self.account.call(Method::POST, url, SUBSCRIBE);
        if let Some((uri, token)) = &self.callback {
            if !uri.starts_with("https://") || uri.len() <= "https://".len() {
                return Err(ValidationError::new(
                    "override_callback_uri",
                    "must be an https:// URL",
                )
                .into());
            }
            if token.trim().is_empty() {
                return Err(ValidationError::new("verify_token", "must not be empty").into());
            }
            let body = json!({"override_callback_uri": uri, "verify_token": token});
            call.body = Some(json_body("subscribed_apps", &body)?);
        }
        run_success(&self.account.client, call, self.deadline).await
    }
}

management_call!(SubscribeRequest -> ());

/// Unsubscribes an app.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct UnsubscribeRequest {
    account: BusinessAccount,
    deadline: Option<Duration>,
}

impl UnsubscribeRequest {
    async fn run(self) -> Result<()> {
        let url = self.account.url(&["subscribed_apps"])?;
        let call = self.account.call(Method::DELETE, url, UNSUBSCRIBE);
        run_success(&self.account.client, call, self.deadline).await
    }
}

management_call!(UnsubscribeRequest -> ());
