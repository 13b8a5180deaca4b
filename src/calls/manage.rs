//! What every management call shares: the handles that name the object a call acts on (a
//! WhatsApp Business Account, a business phone number), building a call with the facts the
//! layers read, JSON bodies, and the `{"success": true}` answer.
//!
//! Management calls go through the same layers as a send: the auth layer turns a token problem
//! into guidance, the retry layer classifies each answer by its Graph code (4 and 80007 are
//! throttled and retried, 133016 asks for a wait and is not), and an unanswered attempt is
//! repeated only when the call says it is idempotent
//! ([`Management`]).

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::status::expect_success;
use crate::client::{Body, Call, Client};
use crate::error::{Result, ValidationError};
use crate::layers::facts::{Management, Operation};

/// Implements `deadline` and [`IntoFuture`](std::future::IntoFuture) for a request builder
/// that has a `deadline: Option<Duration>` field and an `async fn run(self) -> Result<T>`.
macro_rules! management_call {
    ($name:ident -> $output:ty) => {
        impl $name {
            /// Give up after this long (waits at the outage gate and retries included).
            pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
                self.deadline = Some(deadline);
                self
            }
        }

        impl std::future::IntoFuture for $name {
            type Output = crate::Result<$output>;
            type IntoFuture = crate::calls::CallFuture<$output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}
pub(crate) use management_call;

/// A WhatsApp Business Account (WABA): the owner of templates, phone numbers and webhook
/// subscriptions. Get one with [`Client::business_account`] (the id set on the builder) or
/// [`Client::waba`].
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// let waba = client.waba("102290129340398");
/// let numbers = waba.phone_numbers().await?;
/// # let _ = numbers; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct BusinessAccount {
    pub(crate) client: Client,
    pub(crate) id: String,
}

impl BusinessAccount {
    /// The account id (empty when the builder had none: every call then fails validation).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `{base}/{version}/{waba-id}/{segments...}`, after checking the id.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        check_graph_id("business_account_id", &self.id)?;
        let mut all = vec![self.id.as_str()];
        all.extend_from_slice(segments);
        Ok(self.client.endpoint().url(&all))
    }

    /// A call on this account.
    pub(crate) fn call(&self, method: Method, url: Url, management: Management) -> Call {
        manage_call(&self.client, method, url, management, None)
    }
}

/// A business phone number, by its phone number id: its registration, two-step PIN,
/// business profile, blocked users and QR codes. Get one with [`Client::phone_number`] (the
/// client's own number) or [`Client::phone_number_with_id`].
#[derive(Debug, Clone)]
pub struct PhoneNumber {
    pub(crate) client: Client,
    pub(crate) id: String,
}

impl PhoneNumber {
    /// The phone number id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `{base}/{version}/{phone-number-id}/{segments...}`, after checking the id.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        check_graph_id("phone_number_id", &self.id)?;
        let mut all = vec![self.id.as_str()];
        all.extend_from_slice(segments);
        Ok(self.client.endpoint().url(&all))
    }

    /// A call on this number (the facts name it, whichever number the client sends from).
    pub(crate) fn call(&self, method: Method, url: Url, management: Management) -> Call {
        manage_call(&self.client, method, url, management, Some(&self.id))
    }
}

impl Client {
    /// The WhatsApp Business Account set with
    /// [`ClientBuilder::business_account_id`](crate::ClientBuilder::business_account_id).
    /// Without one, its calls fail validation (naming `business_account_id`) and send nothing.
    pub fn business_account(&self) -> BusinessAccount {
        BusinessAccount {
            client: self.clone(),
            id: self
                .endpoint()
                .business_account_id()
                .unwrap_or_default()
                .to_owned(),
        }
    }

    /// Another WhatsApp Business Account, by id, managed with this client's token and layers.
    pub fn waba(&self, id: impl Into<String>) -> BusinessAccount {
        BusinessAccount {
            client: self.clone(),
            id: id.into().trim().to_owned(),
        }
    }

    /// The client's own business phone number, for management calls (registration, profile,
    /// blocked users, QR codes).
    pub fn phone_number(&self) -> PhoneNumber {
        PhoneNumber {
            client: self.clone(),
            id: self.endpoint().phone_number_id().to_owned(),
        }
    }

    /// Another business phone number, by its phone number id (e.g. one listed by
    /// [`BusinessAccount::phone_numbers`]).
    pub fn phone_number_with_id(&self, id: impl Into<String>) -> PhoneNumber {
        PhoneNumber {
            client: self.clone(),
            id: id.into().trim().to_owned(),
        }
    }
}

/// Graph object ids are decimal digits; anything else would name another object or path.
pub(crate) fn check_graph_id(field: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(ValidationError::new(field, "is not set").into());
    }
    if !id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ValidationError::new(field, "must be a Graph id (decimal digits only)").into());
    }
    Ok(())
}

/// A management call with its facts; `on_number` names the phone number it acts on.
pub(crate) fn manage_call(
    client: &Client,
    method: Method,
    url: Url,
    management: Management,
    on_number: Option<&str>,
) -> Call {
    let mut facts = client.facts(Operation::Manage(management));
    if let Some(id) = on_number {
        id.clone_into(&mut facts.phone_number_id);
    }
    client.call(method, url, facts)
}

/// A JSON body, serialized once (so that a retry resends the same bytes).
pub(crate) fn json_body<T: Serialize>(field: &str, value: &T) -> Result<Body> {
    serde_json::to_vec(value)
        .map(|bytes| Body::Json(Bytes::from(bytes)))
        .map_err(|err| {
            ValidationError::new(field, format!("could not be serialized: {err}")).into()
        })
}

/// Runs a call and decodes its JSON answer.
pub(crate) async fn run_json<T: DeserializeOwned>(
    client: &Client,
    mut call: Call,
    deadline: Option<Duration>,
) -> Result<T> {
    call.deadline = deadline;
    client.execute_json(call).await
}

/// Runs a call whose answer is `{"success": true}`.
pub(crate) async fn run_success(
    client: &Client,
    mut call: Call,
    deadline: Option<Duration>,
) -> Result<()> {
    call.deadline = deadline;
    let answer = client.execute(call).await?;
    expect_success(&answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_ids_are_digits() {
        assert!(check_graph_id("business_account_id", "102290129340398").is_ok());
        let error = check_graph_id("business_account_id", "").unwrap_err();
        assert!(error.to_string().contains("business_account_id"), "{error}");
        assert!(check_graph_id("phone_number_id", "12/../34").is_err());
        assert!(check_graph_id("phone_number_id", "me").is_err());
    }
}
