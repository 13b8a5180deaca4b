//! An axum router that receives WhatsApp webhooks (feature `webhook-router`).
//!
//! ```no_run
//! use wacloud::webhooks::router::{Event, WebhookReceiver};
//!
//! # async fn run() -> std::io::Result<()> {
//! let receiver = WebhookReceiver::new("app-secret", "verify-token")
//!     .on_event(|event: Event| async move {
//!         if let Event::Status { status, reconciled, .. } = &event {
//!             println!("{} {} -> {}", status.id, status.status, reconciled.state);
//!         }
//!     });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // Stops on Ctrl-C after finishing what was accepted.
//! receiver
//!     .serve_with_shutdown(listener, async {
//!         let _ = tokio::signal::ctrl_c().await;
//!     })
//!     .await
//! # }
//! ```
//!
//! - `GET` answers the subscription handshake: 200 with the challenge, else 403.
//! - `POST` reads the body within a time limit ([`DEFAULT_BODY_TIMEOUT`]; 408 past it) and
//!   within a budget of bytes in flight across connections ([`DEFAULT_MAX_IN_FLIGHT`]; 503 at
//!   once, unread, past it), checks `X-Hub-Signature-256` on the raw body (403 when missing or
//!   wrong), refuses bodies over the limit (413; 8 MiB by default, Meta sends up to 3 MB;
//!   bodies declared over four times the limit are cut off at once, with `Connection: close`),
//!   parses (400 when not the envelope), folds every status into the [`StatusTracker`], and
//!   hands the events, in order, to the handler.
//! - **Acknowledged means kept** ([`Acknowledge::AfterHandling`], the default): the answer is
//!   200 only once the handler finished with every event of the body, within
//!   [`DEFAULT_HANDLER_TIMEOUT`]; when it fails (returns an error or panics) or takes longer,
//!   the answer is 503 and Meta delivers the webhook again, so a crash loses nothing. A
//!   re-delivered status comes back with `duplicate = true` only if the handler had finished
//!   with it; a copy arriving while the handler is still on the first waits for it.
//! - [`Acknowledge::OnQueue`] answers 200 once the events are queued in memory (bounded in
//!   bytes, [`DEFAULT_QUEUE_BYTES`]) and handles them on one background task, in order of
//!   arrival: faster answers, but what the queue holds is lost if the process dies.
//!
//! [`StatusTracker`]: super::StatusTracker

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use tokio::sync::mpsc;

mod body;
mod dispatch;
mod serve;

pub use super::events::Event;
use super::events::{collect_unconfirmed_events, observe_statuses};
use super::payload::parse;
use super::reconcile::StatusTracker;
use super::verify::{
    verify_handshake, verify_signature, AppSecret, HandshakeQuery, VerifyToken, SIGNATURE_HEADER,
};
use crate::time::{default_clock, SharedClock};
use body::{read_body, BodyLimits, InFlight};
pub use dispatch::HandlerOutcome;
use dispatch::{charge, Dispatch, Handler, Queue, Refusal};
pub use serve::{serve, ServeOptions, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS};

/// The default largest POST body accepted: 8 MiB (Meta sends up to 3 MB).
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The default time a POST body may take to arrive, from the end of its headers.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The default bytes of POST bodies held at once across all connections. Its last eighth is
/// kept for bodies of 64 KiB or less, so large uploads cannot lock out ordinary webhooks.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64 * 1024 * 1024;

/// The default time the handler has for the events of one POST before the answer is 503
/// (with [`Acknowledge::OnQueue`], for each event, which is then dropped and logged).
pub const DEFAULT_HANDLER_TIMEOUT: Duration = Duration::from_secs(10);

/// The default bytes of events the answer-first queue holds ([`Acknowledge::OnQueue`]).
pub const DEFAULT_QUEUE_BYTES: usize = 64 * 1024 * 1024;

/// When the receiver answers 200 to a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Acknowledge {
    /// After the handler finished with every event of the body, within the handler timeout;
    /// else 503, so Meta delivers it again. Nothing acknowledged is lost in a crash; a slow
    /// handler slows the answers (Meta expects a median under 250 ms).
    #[default]
    AfterHandling,
    /// As soon as the events are in the in-memory queue (bounded in bytes; when it has no
    /// room, 503 at once). Answers do not wait for the handler, but a crash or a
    /// `kill -9` loses every queued event, and a failing handler loses its event (logged):
    /// Meta was already told it arrived.
    OnQueue,
}

/// The tracker shared between the router and the application.
pub type SharedTracker = Arc<Mutex<StatusTracker>>;

/// Builds the webhook router: `WebhookReceiver::new(app_secret, verify_token)
/// .on_event(handler).into_router()`.
pub struct WebhookReceiver {
    secret: AppSecret,
    token: VerifyToken,
    handler: Option<Handler>,
    tracker: SharedTracker,
    body_limit: usize,
    body_timeout: Duration,
    max_in_flight: usize,
    acknowledge: Acknowledge,
    handler_timeout: Duration,
    queue_bytes: usize,
    clock: SharedClock,
    serve_options: ServeOptions,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("secret", &self.secret)
            .field("token", &self.token)
            .field("handler", &self.handler.is_some())
            .field("body_limit", &self.body_limit)
            .field("body_timeout", &self.body_timeout)
            .field("max_in_flight", &self.max_in_flight)
            .field("acknowledge", &self.acknowledge)
            .field("handler_timeout", &self.handler_timeout)
            .field("queue_bytes", &self.queue_bytes)
            .finish()
    }
}

impl WebhookReceiver {
    /// A receiver checking signatures with `app_secret` and answering the
    /// handshake for `verify_token`.
    pub fn new(app_secret: impl Into<AppSecret>, verify_token: impl Into<VerifyToken>) -> Self {
        WebhookReceiver {
            secret: app_secret.into(),
            token: verify_token.into(),
            handler: None,
            tracker: Arc::new(Mutex::new(StatusTracker::default())),
            body_limit: DEFAULT_BODY_LIMIT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            acknowledge: Acknowledge::default(),
            handler_timeout: DEFAULT_HANDLER_TIMEOUT,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            clock: default_clock(),
            serve_options: ServeOptions::default(),
        }
    }

    /// The handler called for every event, in order within a POST (POSTs that arrive
    /// together are handled concurrently, as Meta sends them; with
    /// [`Acknowledge::OnQueue`], one event at a time in order of arrival).
    ///
    /// Its future returns `()`, or `Result<(), E>` with a displayable `E` to report a
    /// failure: then, or when it panics (also before its first `.await`), the failure is
    /// logged, the POST is answered 503 and the receiver carries on.
    #[must_use]
    pub fn on_event<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Event) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: HandlerOutcome,
    {
        self.handler = Some(dispatch::handler(handler));
        self
    }

    /// Sends every event to a channel instead of calling a handler. An event counts as
    /// handled once the channel took it (what the channel holds is yours to keep); a closed
    /// channel fails the POST.
    #[must_use]
    pub fn forward_to(self, sender: mpsc::Sender<Event>) -> Self {
        self.on_event(move |event| {
            let sender = sender.clone();
            async move {
                sender
                    .send(event)
                    .await
                    .map_err(|_| "the event channel is closed")
            }
        })
    }

    /// Uses `tracker` (for example one shared with the application) instead
    /// of a new [`StatusTracker::default`].
    #[must_use]
    pub fn with_tracker(mut self, tracker: SharedTracker) -> Self {
        self.tracker = tracker;
        self
    }

    /// The tracker the router folds statuses into, to query with
    /// [`StatusTracker::get`].
    pub fn tracker(&self) -> SharedTracker {
        Arc::clone(&self.tracker)
    }

    /// The largest POST body accepted (default [`DEFAULT_BODY_LIMIT`]);
    /// larger ones get 413.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long a POST body may take to arrive (default [`DEFAULT_BODY_TIMEOUT`]); past it,
    /// 408 and the connection is closed.
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The bytes of POST bodies held at once across connections (default
    /// [`DEFAULT_MAX_IN_FLIGHT`]; raised if needed to fit one body of the limit besides the
    /// eighth kept for small bodies). A body that does not fit gets 503 at once, unread.
    #[must_use]
    pub fn max_in_flight(mut self, bytes: usize) -> Self {
        self.max_in_flight = bytes;
        self
    }

    /// When to answer 200 (default [`Acknowledge::AfterHandling`]).
    #[must_use]
    pub fn acknowledge(mut self, acknowledge: Acknowledge) -> Self {
        self.acknowledge = acknowledge;
        self
    }

    /// How long the handler has (default [`DEFAULT_HANDLER_TIMEOUT`]): for all the events of
    /// a POST when acknowledging after handling (then 503; keep it below Meta's own request
    /// timeout), for each event with [`Acknowledge::OnQueue`] (then the event is dropped and
    /// logged, so that one stuck event does not stop the queue).
    #[must_use]
    pub fn handler_timeout(mut self, timeout: Duration) -> Self {
        self.handler_timeout = timeout;
        self
    }

    /// The bytes of events the answer-first queue holds (default [`DEFAULT_QUEUE_BYTES`],
    /// at least 1 KiB; only with [`Acknowledge::OnQueue`]). A batch is charged twice its
    /// body's size plus 512 bytes per event.
    #[must_use]
    pub fn queue_bytes(mut self, bytes: usize) -> Self {
        self.queue_bytes = bytes.max(1024);
        self
    }

    /// The clock the timeouts run on (default tokio's; see [`crate::time`]).
    #[must_use]
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.serve_options = self.serve_options.clock(Arc::clone(&clock));
        self.clock = clock;
        self
    }

    /// The time a request's headers may take to arrive when this receiver serves its own
    /// connections ([`serve`](Self::serve), [`serve_with_shutdown`](Self::serve_with_shutdown));
    /// default [`DEFAULT_HEADER_READ_TIMEOUT`]. It also closes keep-alive connections idle that
    /// long. (With [`into_router`](Self::into_router), your server's settings apply.)
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.serve_options = self.serve_options.header_read_timeout(timeout);
        self
    }

    /// The connections served at once when this receiver serves its own connections (default
    /// [`DEFAULT_MAX_CONNECTIONS`]); the next ones wait in the listen backlog.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.serve_options = self.serve_options.max_connections(connections);
        self
    }

    /// Serves [`into_router`](Self::into_router) on `listener` for ever (see [`serve()`] for
    /// the connection limits).
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let options = self.serve_options.clone();
        serve(
            listener,
            self.into_router(),
            options,
            std::future::pending(),
        )
        .await
    }

    /// Serves until `signal` completes, then shuts down gracefully: stops accepting
    /// connections, finishes the POSTs in flight (each within the body and handler
    /// timeouts), handles every queued event, and returns.
    pub async fn serve_with_shutdown(
        self,
        listener: tokio::net::TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let options = self.serve_options.clone();
        let (router, handle) = self.into_parts();
        let served = serve(listener, router, options, signal).await;
        handle.drain().await;
        served
    }

    /// The router: it serves the webhook at `/` and at every other path, so
    /// it can be served as it is or nested (`Router::nest("/webhook", ..)`).
    pub fn into_router(self) -> Router {
        self.into_parts().0
    }

    /// The router and a handle on its limits and queue, for serving it yourself: call
    /// [`ReceiverHandle::drain`] once your server stopped, so that queued events are handled.
    pub fn into_parts(self) -> (Router, ReceiverHandle) {
        let dispatch = self.handler.map(|handler| {
            Arc::new(Dispatch {
                handler,
                tracker: Arc::clone(&self.tracker),
                clock: Arc::clone(&self.clock),
                timeout: self.handler_timeout,
                in_progress: Default::default(),
            })
        });
        let queue = match (&dispatch, self.acknowledge) {
            (Some(dispatch), Acknowledge::OnQueue) => {
                Some(Arc::new(Queue::new(Arc::clone(dispatch), self.queue_bytes)))
            }
            _ => None,
        };
        let shared = Arc::new(Shared {
            secret: self.secret,
            token: self.token,
            tracker: self.tracker,
            dispatch,
            queue: queue.clone(),
            body: BodyLimits {
                limit: self.body_limit,
                timeout: self.body_timeout,
                in_flight: InFlight::new(self.max_in_flight, self.body_limit),
                clock: self.clock,
            },
        });
        let handle = ReceiverHandle {
            shared: Arc::clone(&shared),
        };
        let endpoint: MethodRouter = get(handle_get).post(handle_post).with_state(shared);
        let router = Router::new()
            .route("/", endpoint.clone())
            .fallback_service(endpoint);
        (router, handle)
    }
}

/// A look at a running receiver's limits, and the way to drain its queue.
pub struct ReceiverHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ReceiverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverHandle")
            .field("in_flight_bytes", &self.in_flight_bytes())
            .field("queued_bytes", &self.queued_bytes())
            .finish()
    }
}

impl ReceiverHandle {
    /// Bytes of POST bodies held right now (rounded up to KiB per body).
    pub fn in_flight_bytes(&self) -> usize {
        self.shared.body.in_flight.used_bytes()
    }

    /// The in-flight budget in bytes, as raised to fit one body of the limit.
    pub fn max_in_flight(&self) -> usize {
        self.shared.body.in_flight.total_bytes()
    }

    /// Bytes the answer-first queue is charged for right now (0 when acknowledging after
    /// handling).
    pub fn queued_bytes(&self) -> usize {
        self.shared.queue.as_ref().map_or(0, |q| q.queued_bytes())
    }

    /// Refuses further batches (503), handles every event already queued, and returns when
    /// the queue is empty. Call it after the server stopped; without a queue it returns at
    /// once (a POST acknowledged after handling is finished when the server stops).
    pub async fn drain(self) {
        if let Some(queue) = &self.shared.queue {
            queue.drain().await;
        }
    }
}

struct Shared {
    secret: AppSecret,
    token: VerifyToken,
    tracker: SharedTracker,
    dispatch: Option<Arc<Dispatch>>,
    queue: Option<Arc<Queue>>,
    body: BodyLimits,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn handle_get(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query = HandshakeQuery::from_query(query.as_deref().unwrap_or(""));
    match verify_handshake(&shared.token, &query) {
        Ok(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge.to_owned(),
        )
            .into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "webhook handshake refused");
            (StatusCode::FORBIDDEN, "forbidden").into_response()
        }
    }
}

async fn handle_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (body, _reservation) = match read_body(&shared.body, &headers, body).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let signature = headers.get(SIGNATURE_HEADER).map(|v| v.as_bytes());
    if let Err(reason) = verify_signature(&shared.secret, signature, &body) {
        tracing::warn!(%reason, "webhook POST refused");
        return (StatusCode::FORBIDDEN, "forbidden").into_response();
    }
    let notification = match parse(&body) {
        Ok(n) => n,
        Err(reason) => {
            tracing::warn!(%reason, "webhook POST body refused");
            return (StatusCode::BAD_REQUEST, "bad request").into_response();
        }
    };
    crate::telemetry::webhooks::received(&notification);
    let Some(dispatch) = &shared.dispatch else {
        observe_statuses(&notification, &mut lock(&shared.tracker));
        return (StatusCode::OK, "ok").into_response();
    };
    let events = collect_unconfirmed_events(notification, &mut lock(&shared.tracker));
    // The events own their data; the in-flight reservation stays until the answer, standing
    // for them.
    let body_len = body.len();
    drop(body);
    let count = events.len();
    let handled = match &shared.queue {
        Some(queue) => queue.push(events, charge(body_len, count)),
        None => dispatch.handle_all(events).await,
    };
    match handled {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(refusal) => {
            match &refusal {
                Refusal::Failed(_) | Refusal::Panicked(_) => {
                    tracing::error!(%refusal, events = count, "webhook POST answered 503");
                }
                _ => tracing::warn!(%refusal, events = count, "webhook POST answered 503"),
            }
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
        }
    }
}
