//! Handing events to the handler: now, before answering (the default), or from a queue bounded
//! in bytes, after answering.
//!
//! Either way every call is guarded: a panic, in the handler's synchronous part or in its
//! future, is caught and logged like a returned error, and an update is confirmed in the
//! tracker (so that its re-delivery is a duplicate) only once its handler finished with it.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio::task::JoinHandle;

use super::super::events::Event;
use super::SharedTracker;
use crate::time::SharedClock;

/// What a handler's future may return: `()` (it cannot fail) or `Result<(), E>` with any
/// displayable error. An error, like a panic, makes the receiver answer 503 (Meta
/// re-delivers the webhook) when it acknowledges after handling.
pub trait HandlerOutcome: Send + 'static {
    /// `Err` with the reason to log when the handler failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl HandlerOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: fmt::Display + Send + 'static> HandlerOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| e.to_string())
    }
}

pub(super) type Handler =
    Arc<dyn Fn(Event) -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Boxes a user handler.
pub(super) fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutcome,
{
    Arc::new(move |event| {
        let fut = f(event);
        Box::pin(async move { fut.await.into_outcome() })
    })
}

/// Why events were not all handled.
#[derive(Debug)]
pub(super) enum Refusal {
    /// The handler returned an error.
    Failed(String),
    /// The handler panicked.
    Panicked(String),
    /// The handler did not finish in time.
    TimedOut(Duration),
    /// The queue had no room in time.
    QueueFull,
    /// The receiver is shutting down.
    Closed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Failed(reason) => write!(f, "handler failed: {reason}"),
            Refusal::Panicked(reason) => write!(f, "handler panicked: {reason}"),
            Refusal::TimedOut(after) => write!(f, "handler did not finish within {after:?}"),
            Refusal::QueueFull => f.write_str("event queue full"),
            Refusal::Closed => f.write_str("receiver shutting down"),
        }
    }
}

fn panic_reason(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// Calls the handler on one event, catching a panic of its synchronous part or of its future.
async fn call(handler: &Handler, event: Event) -> Result<(), Refusal> {
    let fut = std::panic::catch_unwind(AssertUnwindSafe(|| handler(event)))
        .map_err(|p| Refusal::Panicked(panic_reason(&*p)))?;
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(outcome) => outcome.map_err(Refusal::Failed),
        Err(p) => Err(Refusal::Panicked(panic_reason(&*p))),
    }
}

/// `fut`, unless `clock` says `timeout` passed first.
pub(super) async fn within<F: Future>(
    clock: &SharedClock,
    timeout: Duration,
    fut: F,
) -> Option<F::Output> {
    tokio::select! {
        out = fut => Some(out),
        () = clock.sleep(timeout) => None,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The update a status event carries, to confirm once it was handled.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Update {
    message_id: String,
    status: String,
    timestamp: String,
}

impl Update {
    fn of(event: &Event) -> Option<Update> {
        match event {
            Event::Status { status, .. } => Some(Update {
                message_id: status.id.to_string(),
                status: status.status.as_str().to_owned(),
                timestamp: status.timestamp.to_string(),
            }),
            _ => None,
        }
    }

    fn confirm(&self, tracker: &SharedTracker) {
        lock(tracker).confirm_update(&self.message_id, &self.status, &self.timestamp);
    }

    fn is_handled(&self, tracker: &SharedTracker) -> bool {
        lock(tracker).is_handled(&self.message_id, &self.status, &self.timestamp)
    }
}

/// The updates a handler is working on right now. Meta may deliver one webhook twice at
/// nearly the same time (it re-delivers when an answer is slow); folded while neither copy is
/// handled, both would look new. So a copy waits for the handler to finish with the other,
/// then goes on as a [duplicate](crate::webhooks::Reconciled::duplicate) if that one was
/// handled, or as new if it failed. One entry per update in the handler's hands, never more.
#[derive(Default)]
pub(super) struct InProgress {
    updates: Mutex<HashMap<Update, Arc<tokio::sync::Mutex<()>>>>,
}

/// An update held by one handler call; dropping it lets the next copy of the update go on.
struct Held<'a> {
    in_progress: &'a InProgress,
    update: Update,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl InProgress {
    /// Holds `update`, after any other call holding it let it go. True in `.1` when it had
    /// to wait.
    async fn hold(&self, update: Update) -> (Held<'_>, bool) {
        let slot = Arc::clone(lock(&self.updates).entry(update.clone()).or_default());
        let (guard, waited) = match Arc::clone(&slot).try_lock_owned() {
            Ok(guard) => (guard, false),
            Err(_) => (slot.lock_owned().await, true),
        };
        let held = Held {
            in_progress: self,
            update,
            guard: Some(guard),
        };
        (held, waited)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.updates).len()
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut updates = lock(&self.in_progress.updates);
        self.guard.take();
        // The map's Arc and none other: no call holds or waits for the update any more. (A
        // waiter clones the Arc under this same lock, so the count cannot rise meanwhile.)
        if updates
            .get(&self.update)
            .is_some_and(|slot| Arc::strong_count(slot) == 1)
        {
            updates.remove(&self.update);
        }
    }
}

/// Calls the handler on one event and confirms its update when it succeeded. A copy of an
/// update another call is handling waits for it first (see [`InProgress`]).
async fn handle(
    handler: &Handler,
    tracker: &SharedTracker,
    in_progress: &InProgress,
    mut event: Event,
) -> Result<(), Refusal> {
    let held = match Update::of(&event) {
        Some(update) => {
            let (held, waited) = in_progress.hold(update).await;
            if waited && held.update.is_handled(tracker) {
                if let Event::Status { reconciled, .. } = &mut event {
                    reconciled.duplicate = true;
                }
            }
            Some(held)
        }
        None => None,
    };
    crate::telemetry::webhooks::handling(&event);
    call(handler, event).await?;
    // Confirmed while still held: a copy waiting for it then sees it handled.
    if let Some(held) = &held {
        held.update.confirm(tracker);
    }
    Ok(())
}

/// The handler and what it needs, shared by both ways of acknowledging.
pub(super) struct Dispatch {
    pub(super) handler: Handler,
    pub(super) tracker: SharedTracker,
    pub(super) clock: SharedClock,
    pub(super) timeout: Duration,
    pub(super) in_progress: InProgress,
}

impl Dispatch {
    /// Handles the events in order, all within the timeout; stops at the first failure.
    pub(super) async fn handle_all(&self, events: Vec<Event>) -> Result<(), Refusal> {
        let all = async {
            for event in events {
                handle(&self.handler, &self.tracker, &self.in_progress, event).await?;
            }
            Ok(())
        };
        within(&self.clock, self.timeout, all)
            .await
            .unwrap_or(Err(Refusal::TimedOut(self.timeout)))
    }
}

struct Batch {
    events: Vec<Event>,
    /// The queue room the batch holds until it is handled.
    _room: OwnedSemaphorePermit,
}

enum Worker {
    /// Not started: no batch yet (the receiver may be built outside a runtime).
    Idle(mpsc::UnboundedReceiver<Batch>),
    Running(JoinHandle<()>),
    Stopped,
}

/// The answer-first queue: bounded in bytes (KiB permits), drained by one worker in order.
pub(super) struct Queue {
    dispatch: Arc<Dispatch>,
    tx: Mutex<Option<mpsc::UnboundedSender<Batch>>>,
    worker: Mutex<Worker>,
    room: Arc<Semaphore>,
    capacity_kib: u32,
}

/// What a batch of events is charged in the queue: owned events hold about twice the JSON
/// they came from (the raw object and the parsed fields), plus their own structure.
pub(super) fn charge(body_bytes: usize, events: usize) -> usize {
    body_bytes
        .saturating_mul(2)
        .saturating_add(events.saturating_mul(512))
}

impl Queue {
    pub(super) fn new(dispatch: Arc<Dispatch>, bytes: usize) -> Self {
        let capacity_kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(
                1,
                (Semaphore::MAX_PERMITS as u64).min(u32::MAX as u64) as u32,
            );
        let (tx, rx) = mpsc::unbounded_channel();
        Queue {
            dispatch,
            tx: Mutex::new(Some(tx)),
            worker: Mutex::new(Worker::Idle(rx)),
            room: Arc::new(Semaphore::new(capacity_kib as usize)),
            capacity_kib,
        }
    }

    /// Bytes the queued events are charged (rounded up to KiB per batch).
    pub(super) fn queued_bytes(&self) -> usize {
        (self.capacity_kib as usize - self.room.available_permits()) * 1024
    }

    /// Queues the events if the queue has room for `bytes` now. All or nothing: a batch is
    /// never half queued.
    pub(super) fn push(&self, events: Vec<Event>, bytes: usize) -> Result<(), Refusal> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.capacity_kib);
        let room = match Arc::clone(&self.room).try_acquire_many_owned(kib) {
            Ok(room) => room,
            Err(TryAcquireError::NoPermits) => return Err(Refusal::QueueFull),
            Err(TryAcquireError::Closed) => return Err(Refusal::Closed),
        };
        self.start_worker();
        let tx = lock(&self.tx);
        let Some(tx) = tx.as_ref() else {
            return Err(Refusal::Closed);
        };
        let count = events.len();
        tx.send(Batch {
            events,
            _room: room,
        })
        .map_err(|_| Refusal::Closed)
        .map(|()| crate::telemetry::webhooks::queued(count))
    }

    /// Starts the worker on the first batch (a runtime is then running).
    fn start_worker(&self) {
        let mut worker = lock(&self.worker);
        if !matches!(*worker, Worker::Idle(_)) {
            return;
        }
        let Worker::Idle(mut rx) = std::mem::replace(&mut *worker, Worker::Stopped) else {
            unreachable!("checked above")
        };
        let dispatch = Arc::clone(&self.dispatch);
        *worker = Worker::Running(tokio::spawn(async move {
            while let Some(batch) = rx.recv().await {
                for event in batch.events {
                    let handled = within(
                        &dispatch.clock,
                        dispatch.timeout,
                        handle(
                            &dispatch.handler,
                            &dispatch.tracker,
                            &dispatch.in_progress,
                            event,
                        ),
                    )
                    .await
                    .unwrap_or(Err(Refusal::TimedOut(dispatch.timeout)));
                    crate::telemetry::webhooks::dequeued();
                    if let Err(refusal) = handled {
                        tracing::error!(
                            %refusal,
                            "webhook event lost: it was acknowledged before it was handled"
                        );
                    }
                }
            }
        }));
    }

    /// Refuses new batches, lets the worker handle what is queued, and waits for it.
    pub(super) async fn drain(&self) {
        lock(&self.tx).take();
        self.room.close();
        let worker = std::mem::replace(&mut *lock(&self.worker), Worker::Stopped);
        if let Worker::Running(handle) = worker {
            if let Err(err) = handle.await {
                tracing::error!(%err, "webhook event worker ended abnormally");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(().into_outcome(), Ok(()));
        assert_eq!(Ok::<(), &str>(()).into_outcome(), Ok(()));
        assert_eq!(Err::<(), _>("boom").into_outcome(), Err("boom".to_owned()));
    }

    #[test]
    fn panic_reasons() {
        let p = std::panic::catch_unwind(|| panic!("static")).unwrap_err();
        assert_eq!(panic_reason(&*p), "static");
        let p = std::panic::catch_unwind(|| panic!("{}", 42)).unwrap_err();
        assert_eq!(panic_reason(&*p), "42");
        let p = std::panic::catch_unwind(|| std::panic::panic_any(7u8)).unwrap_err();
        assert_eq!(panic_reason(&*p), "a non-string panic");
    }

    #[tokio::test]
    async fn an_update_is_held_by_one_call_at_a_time_and_forgotten_after() {
        let in_progress = InProgress::default();
        let update = Update {
            message_id: "wamid.1".into(),
            status: "sent".into(),
            timestamp: "1".into(),
        };
        let (first, waited) = in_progress.hold(update.clone()).await;
        assert!(!waited);
        let second = in_progress.hold(update.clone());
        tokio::pin!(second);
        assert!(
            (&mut second).now_or_never().is_none(),
            "waits for the first"
        );
        drop(first);
        let (second, waited) = second.await;
        assert!(waited);
        assert_eq!(in_progress.len(), 1);
        drop(second);
        assert_eq!(in_progress.len(), 0, "no entry outlives its calls");
    }

    #[test]
    fn charges_grow_with_bytes_and_events() {
        assert_eq!(charge(1000, 2), 3024);
        assert_eq!(charge(usize::MAX, usize::MAX), usize::MAX);
    }
}
