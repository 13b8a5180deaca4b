//! `POST /{phone-number-id}/messages`: sending a message.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{ready, Either};
use rand::Rng;
use reqwest::Method;

use super::CallFuture;
use crate::client::dispatch::{DispatchHook, DispatchObserver};
use crate::client::{Body, Client};
use crate::error::{DecodeError, Error, Result};
use crate::layers::facts::Operation;
use crate::messages::{OutgoingMessage, PreparedMessage, SendResponse, Text};

/// A send, ready to `.await`.
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// use wacloud::messages::{OutgoingMessage, Text};
/// let sent = client
///     .send(OutgoingMessage::new("+16505551234", Text::new("Your order shipped")))
///     .deadline(std::time::Duration::from_secs(600))
///     .await?;
/// println!("{}", sent.message_id().unwrap());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a send does nothing until it is awaited"]
pub struct SendRequest {
    client: Client,
    payload: Payload,
    retry_unknown_outcome: Option<bool>,
    deadline: Option<Duration>,
    dispatch: Option<DispatchHook>,
}

impl std::fmt::Debug for DispatchHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DispatchHook")
    }
}

impl SendRequest {
    pub(crate) fn new(client: Client, message: OutgoingMessage) -> Self {
        SendRequest {
            client,
            payload: Payload::Message(message),
            retry_unknown_outcome: None,
            deadline: None,
            dispatch: None,
        }
    }

    /// Tells `observer` when each attempt of this send is about to be written, after the
    /// outage gate and the rate limits let it through, and how the attempt ended: the moment
    /// the message may reach the API. A durable outbox records the dispatch there.
    pub fn on_dispatch(mut self, observer: Arc<dyn DispatchObserver>) -> Self {
        self.dispatch = Some(DispatchHook(observer));
        self
    }

    /// Allow (or forbid) retrying this send when its outcome is unknown, overriding the
    /// client's setting. Allowing it can deliver the message twice.
    pub fn retry_unknown_outcome(mut self, allow: bool) -> Self {
        self.retry_unknown_outcome = Some(allow);
        self
    }

    /// Give up after this long, waiting at an outage gate included.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    // Not an `async fn`: that would move `self` into a second place in the future.
    #[allow(clippy::manual_async_fn)]
    fn run(self) -> impl std::future::Future<Output = Result<SendResponse>> + Send + 'static {
        async move {
            // Scoped, and the fields taken from `self` in place: the send's future (boxed by
            // `into_future`) then holds little besides the delivery's own.
            let delivering = {
                let options = Options {
                    retry_unknown_outcome: self.retry_unknown_outcome,
                    deadline: self.deadline,
                    dispatch: self.dispatch,
                };
                let prepared = match self.payload {
                    Payload::Message(message) => prepare(&self.client, message),
                    Payload::Prepared(prepared) => Ok(prepared),
                };
                match prepared {
                    Ok(prepared) => Either::Left(deliver_prepared(
                        self.client,
                        prepared,
                        Route::MESSAGES,
                        options,
                    )),
                    Err(error) => Either::Right(ready(Err(error))),
                }
            };
            crate::telemetry::calls::count_send(Operation::Send, delivering.await)
        }
    }
}

/// Where a message goes: the path under the phone number id, the operation the layers see,
/// and the top-level fields that path adds to the message.
pub(crate) struct Route {
    pub(crate) path: &'static str,
    pub(crate) operation: Operation,
    pub(crate) extra: Vec<(&'static str, serde_json::Value)>,
}

impl Route {
    /// `POST /{phone-number-id}/messages`.
    pub(crate) const MESSAGES: Route = Route {
        path: "messages",
        operation: Operation::Send,
        extra: Vec::new(),
    };
}

/// What a send carries: a typed message, or one prepared earlier (an outbox's stored body).
#[derive(Debug)]
enum Payload {
    Message(OutgoingMessage),
    Prepared(PreparedMessage),
}

/// Validates, serializes and sends a message along `route`: the whole send path (correlation
/// id, facts for the layers, answer checks), shared by every way of sending.
pub(crate) async fn deliver(
    client: Client,
    message: OutgoingMessage,
    route: Route,
    retry_unknown_outcome: Option<bool>,
    deadline: Option<Duration>,
) -> Result<SendResponse> {
    let prepared = prepare(&client, message)?;
    deliver_prepared(
        client,
        prepared,
        route,
        Options {
            retry_unknown_outcome,
            deadline,
            dispatch: None,
        },
    )
    .await
}

/// Validates and serializes a typed message, with a fresh correlation id in its callback data
/// when the client adds them and the message has none.
fn prepare(client: &Client, mut message: OutgoingMessage) -> Result<PreparedMessage> {
    if message.callback_data_value().is_none() && client.inner.correlation_ids {
        message = message.callback_data(new_correlation_id());
    }
    Ok(message.prepare()?)
}

/// A send's options beyond its message.
pub(crate) struct Options {
    pub(crate) retry_unknown_outcome: Option<bool>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) dispatch: Option<DispatchHook>,
}

/// Sends a prepared message along `route`.
pub(crate) async fn deliver_prepared(
    client: Client,
    mut message: PreparedMessage,
    route: Route,
    options: Options,
) -> Result<SendResponse> {
    let correlation_id = match message.callback_data() {
        Some(data) => Some(data.to_owned()),
        None if client.inner.correlation_ids => {
            let id = new_correlation_id();
            message = message.with_callback_data(id.clone())?;
            Some(id)
        }
        None => None,
    };
    let answer = {
        // Scoped: the call's parts take no room in the future while it runs.
        let body = if route.extra.is_empty() {
            message.body().clone()
        } else {
            message.body_with(route.extra)?
        };
        let mut facts = client.facts(route.operation);
        facts.recipient = Some(message.recipient().clone());
        facts.message_type = Some(message.message_type());
        // The message keeps its own copy (`callback_data`), which the errors below read.
        facts.correlation_id = correlation_id;
        if let Some(allow) = options.retry_unknown_outcome {
            facts.retry_unknown_outcome = allow;
        }
        let url = if route.path == Route::MESSAGES.path {
            Arc::clone(client.endpoint().messages_url())
        } else {
            Arc::new(
                client
                    .endpoint()
                    .url(&[client.endpoint().phone_number_id(), route.path]),
            )
        };
        let mut call = client.call(Method::POST, url, facts);
        call.body = Some(Body::Json(body));
        call.deadline = options.deadline;
        call.dispatch = options.dispatch;
        // Boxed: see `Boxed` in `layers::chain` (a future over a kilobyte is dear to move and
        // to allocate).
        Box::pin(client.execute(call))
    }
    .await?;
    // A 2xx that cannot be read still means Meta probably accepted the message: the error
    // carries the correlation id so that the caller reconciles instead of resending.
    let correlation_id = || message.callback_data().map(str::to_owned);
    let response: SendResponse = crate::client::decode_json(&answer).map_err(|err| match err {
        Error::Decode(decode) => {
            Error::Decode(Box::new(decode.with_correlation_id(correlation_id())))
        }
        other => other,
    })?;
    if response.messages.is_empty() {
        return Err(Error::Decode(Box::new(
            DecodeError::new(
                answer.status,
                answer.content_type(),
                &answer.body,
                "the send answer has no message id",
            )
            .with_correlation_id(correlation_id()),
        )));
    }
    Ok(response)
}

impl IntoFuture for SendRequest {
    type Output = Result<SendResponse>;
    type IntoFuture = CallFuture<SendResponse>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A fresh correlation id: `wacloud-` and 16 hex digits.
pub(crate) fn new_correlation_id() -> String {
    correlation_id_of(rand::rng().random())
}

/// `wacloud-` and `value` as 16 lowercase hex digits.
fn correlation_id_of(value: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Written digit by digit: the formatting machinery cost several times as much per send.
    let mut id = String::with_capacity(24);
    id.push_str("wacloud-");
    for shift in (0..16).rev() {
        id.push(char::from(HEX[((value >> (shift * 4)) & 0xf) as usize]));
    }
    id
}

impl Client {
    /// Sends a message. Validation runs first: a message that breaks a documented limit is an
    /// [`Error::Validation`] and makes no request.
    pub fn send(&self, message: OutgoingMessage) -> SendRequest {
        SendRequest::new(self.clone(), message)
    }

    /// Sends a message prepared earlier ([`OutgoingMessage::prepare`], or a stored body read
    /// back with [`PreparedMessage::from_json`]), through the same layers as [`Client::send`].
    pub fn send_prepared(&self, message: PreparedMessage) -> SendRequest {
        SendRequest {
            client: self.clone(),
            payload: Payload::Prepared(message),
            retry_unknown_outcome: None,
            deadline: None,
            dispatch: None,
        }
    }

    /// Sends a plain text message: shorthand for `send(OutgoingMessage::new(to, Text::new(body)))`.
    /// `to` is a phone number, a BSUID or a parent BSUID (see [`UserRef`](crate::messages::UserRef)).
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// let sent = client.send_text("+16505551234", "Your order shipped").await?;
    /// let sent = client.send_text("US.13491208655302741918", "Your order shipped").await?;
    /// # let _ = sent; Ok(()) }
    /// ```
    pub fn send_text(&self, to: impl Into<String>, body: impl Into<String>) -> SendRequest {
        self.send(OutgoingMessage::new(to, Text::new(body)))
    }
}

#[cfg(test)]
mod tests {
    use super::correlation_id_of;

    #[test]
    fn correlation_ids_are_the_prefix_and_sixteen_hex_digits() {
        for value in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef, 1 << 63] {
            assert_eq!(correlation_id_of(value), format!("wacloud-{value:016x}"));
        }
    }
}
