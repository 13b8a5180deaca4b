//! The dispatch observer: a callback fired at the innermost point of the layer stack, just
//! before a request's bytes may leave for the API, and again when the attempt ends.
//!
//! Why: a durable outbox must record "this message may have been sent" exactly when it becomes
//! true. Waiting at the outage gate or for a rate-limit permit sends nothing, so marking a row
//! when the send starts would turn every held send into an unknown outcome after a crash. The
//! layer that fires the observer is always the innermost one (after every user edit of the
//! [`LayerStack`](crate::layers::LayerStack)), so each attempt, retries included, is seen once,
//! after the gate and the limits let it through.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::layers::chain::{Inner, Rest, Stage};

use crate::error::TransportPhase;

/// A boxed future, as the observer returns it.
pub type ObserverFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How one attempt ended, as far as the innermost layer can tell without reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptEnd {
    /// The API answered with this HTTP status. A 2xx send answer means the message was
    /// accepted; an error status with a Graph error body means it was not.
    Answered(u16),
    /// The transport failed before the request was written: nothing reached the API.
    NotWritten,
    /// The transport failed after the request may have been written: the outcome is unknown.
    MaybeWritten,
}

/// The observer's refusal to let a request go: nothing is sent, and the call fails with
/// [`DispatchRefused`] wrapped as a middleware error.
#[derive(Debug, thiserror::Error)]
#[error("the dispatch observer refused to let the request go: {reason}")]
pub struct DispatchRefused {
    /// Why (e.g. the outbox could not record the dispatch durably).
    pub reason: String,
}

/// Told about each attempt of one send at the innermost point of the layer stack.
///
/// ```
/// use wacloud::dispatch::{AttemptEnd, DispatchObserver, DispatchRefused, ObserverFuture};
/// struct Log;
/// impl DispatchObserver for Log {
///     fn dispatching(&self) -> ObserverFuture<'_, Result<(), DispatchRefused>> {
///         Box::pin(async { Ok(()) })
///     }
///     fn attempt_ended(&self, _end: AttemptEnd) -> ObserverFuture<'_, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait DispatchObserver: Send + Sync + 'static {
    /// The request is about to be written. The send waits for this future: record what must
    /// be durable before the bytes go out here. An error sends nothing.
    fn dispatching(&self) -> ObserverFuture<'_, Result<(), DispatchRefused>>;

    /// The attempt ended (an answer or a transport error); a retry may follow.
    fn attempt_ended(&self, end: AttemptEnd) -> ObserverFuture<'_, ()>;
}

/// The observer of one request, carried in its extensions.
#[derive(Clone)]
pub(crate) struct DispatchHook(pub(crate) Arc<dyn DispatchObserver>);

/// The innermost layer: fires the request's [`DispatchObserver`], if it has one.
pub(crate) struct DispatchLayer;

impl DispatchLayer {
    /// The layer's work, with `next` for what comes after it (the rest of a
    /// `reqwest_middleware` stack, or the next layer of a fused run).
    async fn run_with<N: Inner>(
        &self,
        request: Box<Request>,
        extensions: &mut http::Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        match extensions.get::<DispatchHook>().cloned() {
            None => next.run(request, extensions).await,
            // Boxed: most sends have no observer, and its waits would make every send's future
            // larger.
            Some(DispatchHook(observer)) => {
                Box::pin(Self::observed(observer, request, extensions, next)).await
            }
        }
    }

    /// An attempt with an observer.
    async fn observed<N: Inner>(
        observer: Arc<dyn DispatchObserver>,
        request: Box<Request>,
        extensions: &mut http::Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        observer.dispatching().await.map_err(|refused| {
            reqwest_middleware::Error::Middleware(anyhow::Error::new(refused))
        })?;
        let result = next.run(request, extensions).await;
        let end = match &result {
            Ok(response) => AttemptEnd::Answered(response.status().as_u16()),
            Err(error) => match TransportPhase::of(error) {
                TransportPhase::MaybeWritten => AttemptEnd::MaybeWritten,
                // A connect failure or a local error (building the request): nothing was written.
                _ => AttemptEnd::NotWritten,
            },
        };
        observer.attempt_ended(end).await;
        result
    }
}

#[async_trait::async_trait]
impl Middleware for DispatchLayer {
    async fn handle(
        &self,
        request: Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        self.run_with(Box::new(request), extensions, &Rest(next))
            .await
    }
}

impl Stage for DispatchLayer {
    fn handle_with<'a, N: Inner>(
        &'a self,
        request: Box<Request>,
        extensions: &'a mut http::Extensions,
        next: &'a N,
    ) -> impl std::future::Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        self.run_with(request, extensions, next)
    }
}
