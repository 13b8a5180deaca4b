//! An axum router that receives WhatsApp webhooks (feature `webhook-router`).
//!
//! ```no_run
//! use wacloud::webhooks::router::{Event, WebhookReceiver};
//!
//! # async fn run() -> std::io::Result<()> {
//! let app = WebhookReceiver::new("app-secret", "verify-token")
//!     .on_event(|event: Event| async move {
//!         if let Event::Status { status, reconciled, .. } = &event {
//!             println!("{} {} -> {}", status.id, status.status, reconciled.state);
//!         }
//!     })
//!     .into_router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await
//! // or, without axum in scope: `receiver.serve(listener).await`
//! # }
//! ```
//!
//! - `GET` answers the subscription handshake: 200 with the challenge, else 403.
//! - `POST` checks `X-Hub-Signature-256` on the raw body (403 when missing or
//!   wrong), refuses bodies over the limit (413; 8 MiB by default, Meta sends
//!   up to 3 MB; bodies declared over four times the limit are cut off at
//!   once, with `Connection: close`), parses (400 when not the envelope), folds every status into
//!   the [`StatusTracker`], answers 200 at once and hands the events, in order
//!   of arrival, to the handler, which runs on a background task.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use bytes::BytesMut;
use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};
use tokio::sync::mpsc;

pub use super::events::Event;
use super::events::{collect_events, observe_statuses};
use super::payload::parse;
use super::reconcile::StatusTracker;
use super::verify::{
    verify_handshake, verify_signature, AppSecret, HandshakeQuery, VerifyToken, SIGNATURE_HEADER,
};

/// The default largest POST body accepted: 8 MiB (Meta sends up to 3 MB).
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// How many events may wait for the handler before requests wait too.
pub const DEFAULT_QUEUE: usize = 16 * 1024;

type Handler = Arc<dyn Fn(Event) -> BoxFuture<'static, ()> + Send + Sync>;

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
    queue: usize,
}

impl std::fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("secret", &self.secret)
            .field("token", &self.token)
            .field("handler", &self.handler.is_some())
            .field("body_limit", &self.body_limit)
            .field("queue", &self.queue)
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
            queue: DEFAULT_QUEUE,
        }
    }

    /// The handler called for every event, one at a time, in order of
    /// arrival, on a background task (the request is answered first). A
    /// panicking handler is logged and does not stop later events.
    pub fn on_event<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.handler = Some(Arc::new(move |e| Box::pin(handler(e))));
        self
    }

    /// Sends every event to a channel instead of calling a handler.
    pub fn forward_to(self, sender: mpsc::Sender<Event>) -> Self {
        self.on_event(move |event| {
            let sender = sender.clone();
            async move {
                if sender.send(event).await.is_err() {
                    tracing::warn!("webhook event receiver dropped; event discarded");
                }
            }
        })
    }

    /// Uses `tracker` (for example one shared with the application) instead
    /// of a new [`StatusTracker::default`].
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
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How many events may wait for the handler (default [`DEFAULT_QUEUE`])
    /// before requests wait for room.
    pub fn queue(mut self, events: usize) -> Self {
        self.queue = events.max(1);
        self
    }

    /// Serves [`into_router`](Self::into_router) on `listener` until the
    /// server fails.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.into_router()).await
    }

    /// The router: it serves the webhook at `/` and at every other path, so
    /// it can be served as it is or nested (`Router::nest("/webhook", ..)`).
    pub fn into_router(self) -> Router {
        let dispatch = self.handler.map(|handler| {
            let (tx, rx) = mpsc::channel(self.queue);
            Dispatch {
                tx,
                rx: Mutex::new(Some(rx)),
                handler,
            }
        });
        let shared = Arc::new(Shared {
            secret: self.secret,
            token: self.token,
            tracker: self.tracker,
            dispatch,
            body_limit: self.body_limit,
        });
        let endpoint: MethodRouter = get(handle_get).post(handle_post).with_state(shared);
        Router::new()
            .route("/", endpoint.clone())
            .fallback_service(endpoint)
    }
}

struct Dispatch {
    tx: mpsc::Sender<Event>,
    rx: Mutex<Option<mpsc::Receiver<Event>>>,
    handler: Handler,
}

impl Dispatch {
    /// Starts the worker on the first request (a runtime is then running).
    fn ensure_worker(&self) {
        let Some(mut rx) = lock(&self.rx).take() else {
            return;
        };
        let handler = Arc::clone(&self.handler);
        tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                if AssertUnwindSafe(handler(event))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!("webhook event handler panicked");
                }
            }
        });
    }
}

struct Shared {
    secret: AppSecret,
    token: VerifyToken,
    tracker: SharedTracker,
    dispatch: Option<Dispatch>,
    body_limit: usize,
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

fn too_large(close: bool) -> Response {
    let mut response = (StatusCode::PAYLOAD_TOO_LARGE, "payload too large").into_response();
    if close {
        // The rest of the body is not read: the client must not reuse the connection.
        response.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Reads the body up to the limit. A body over the limit is read on and
/// discarded (up to four times the limit) so that the client, still
/// sending, gets the 413 instead of a broken connection; beyond that the
/// connection is closed.
async fn read_body(shared: &Shared, headers: &HeaderMap, body: Body) -> Result<Bytes, Response> {
    let limit = shared.body_limit;
    let drain_cap = limit.saturating_mul(4).max(limit.saturating_add(1 << 20)) as u64;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > drain_cap) {
        tracing::warn!(declared, limit, "webhook POST body too large");
        return Err(too_large(true));
    }
    let mut over = declared.is_some_and(|len| len > limit as u64);
    let capacity = if over {
        0
    } else {
        declared.unwrap_or(0) as usize
    };
    let mut buf = BytesMut::with_capacity(capacity);
    let mut total: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(err) => {
                tracing::warn!(%err, "webhook POST body could not be read");
                return Err((StatusCode::BAD_REQUEST, "bad request").into_response());
            }
        };
        total += chunk.len() as u64;
        if total > drain_cap {
            tracing::warn!(total, limit, "webhook POST body too large");
            return Err(too_large(true));
        }
        if !over {
            if buf.len() + chunk.len() > limit {
                over = true;
                buf = BytesMut::new();
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
    }
    if over {
        tracing::warn!(total, limit, "webhook POST body too large");
        return Err(too_large(false));
    }
    Ok(buf.freeze())
}

async fn handle_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match read_body(&shared, &headers, body).await {
        Ok(b) => b,
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
    let events = {
        let mut tracker = lock(&shared.tracker);
        if shared.dispatch.is_some() {
            collect_events(notification, &mut tracker)
        } else {
            observe_statuses(&notification, &mut tracker);
            Vec::new()
        }
    };
    if let Some(dispatch) = &shared.dispatch {
        dispatch.ensure_worker();
        for event in events {
            if dispatch.tx.send(event).await.is_err() {
                tracing::error!("webhook event worker stopped; events discarded");
                break;
            }
        }
    }
    (StatusCode::OK, "ok").into_response()
}
