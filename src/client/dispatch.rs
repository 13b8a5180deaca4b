//! The dispatch observer: a callback fired at the innermost point of the layer stack, just
//! before a request's bytes may leave for the API, and again when the attempt ends.
//!
//! Why: a durable outbox must record "this message may have been sent" exactly when it becomes
//! true. Waiting at the outage gate or for a rate-limit permit sends nothing, so marking a row
//! when the send starts would turn every held send into an unknown outcome after a crash. The
//! layer that fires the observer is always the innermost one (after every user edit of the
//! [`LayerStack`](crate::layers::LayerStack)), so each attempt, retries included, is seen once,
//! after the gate and the limits let it through. Since the record comes after the throughput
//! permit, a record that took longer than the permit's shelf life renews the permit before the
//! write (see `layers::rate_limit::ThroughputPermit`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::layers::chain::{Inner, Rest, Stage};
use crate::layers::rate_limit::ThroughputPermit;

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
        // The record may have taken a while: the write must not go on a stale throughput permit.
        if let Some(permit) = extensions.remove::<ThroughputPermit>() {
            if let Err(error) = permit.renew_if_stale(extensions).await {
                observer.attempt_ended(AttemptEnd::NotWritten).await;
                return Err(error);
            }
        }
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use futures_util::future::join_all;

    use super::*;
    use crate::layers::facts::{Operation, RequestFacts};
    use crate::layers::rate_limit::{RateLimitLayer, RateLimits, WriteMayLag};
    use crate::time::{Instant, SharedClock, TokioClock};

    /// An observer whose durable record takes `stall` on the clock.
    struct SlowRecord {
        clock: SharedClock,
        stall: Duration,
    }

    impl DispatchObserver for SlowRecord {
        fn dispatching(&self) -> ObserverFuture<'_, Result<(), DispatchRefused>> {
            Box::pin(async move {
                self.clock.sleep(self.stall).await;
                Ok(())
            })
        }

        fn attempt_ended(&self, _end: AttemptEnd) -> ObserverFuture<'_, ()> {
            Box::pin(async {})
        }
    }

    /// The end of the stack: answers 200 at once and notes when each request was written.
    struct Writes {
        clock: SharedClock,
        at: Mutex<Vec<Instant>>,
    }

    #[async_trait::async_trait]
    impl Middleware for Writes {
        async fn handle(
            &self,
            _request: Request,
            _extensions: &mut http::Extensions,
            _next: Next<'_>,
        ) -> reqwest_middleware::Result<Response> {
            self.at.lock().unwrap().push(self.clock.now());
            Ok(Response::from(http::Response::new("{}")))
        }
    }

    /// Five sends at 10/s with a burst of 1 (one permit every 100 ms); the first send's record
    /// stalls for 250 ms. Returns the gaps between consecutive writes.
    async fn gaps_with_a_stalled_record(renew: bool) -> Vec<Duration> {
        let clock: SharedClock = Arc::new(TokioClock);
        let limits = RateLimits::default()
            .throughput(10)
            .throughput_burst(1)
            .no_pair();
        let writes = Arc::new(Writes {
            clock: Arc::clone(&clock),
            at: Mutex::new(Vec::new()),
        });
        let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(RateLimitLayer::new(limits, Arc::clone(&clock)))
            .with(DispatchLayer)
            .with_arc(Arc::clone(&writes) as Arc<dyn Middleware>)
            .build();
        let sends = (0..5).map(|i| {
            let observer = SlowRecord {
                clock: Arc::clone(&clock),
                stall: Duration::from_millis(if i == 0 { 250 } else { 0 }),
            };
            let mut request = http
                .post("http://127.0.0.1:9/v26.0/1/messages")
                .with_extension(RequestFacts::new(Operation::Send, "1"))
                .with_extension(DispatchHook(Arc::new(observer)));
            if renew {
                request = request.with_extension(WriteMayLag);
            }
            request.send()
        });
        for result in join_all(sends).await {
            result.expect("sent");
        }
        let mut at = writes.at.lock().unwrap().clone();
        at.sort();
        at.windows(2).map(|pair| pair[1] - pair[0]).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_never_goes_on_a_permit_its_record_outlived() {
        // Without renewal the stalled send arrives 50 ms after the one permitted at 200 ms:
        // two writes closer than the rate allows.
        let bunched = gaps_with_a_stalled_record(false).await;
        assert!(
            bunched.iter().any(|gap| *gap < Duration::from_millis(99)),
            "{bunched:?}"
        );
        // With renewal the stalled send takes a fresh permit (at 500 ms): every write is one
        // permit interval after the previous one.
        let spaced = gaps_with_a_stalled_record(true).await;
        assert_eq!(spaced.len(), 4);
        assert!(
            spaced.iter().all(|gap| *gap >= Duration::from_millis(99)),
            "{spaced:?}"
        );
    }
}
