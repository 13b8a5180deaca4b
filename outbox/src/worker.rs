//! Workers: drain the outbox through the client's layers with bounded concurrency.
//!
//! Only the rows being worked on are in memory: a worker claims as many rows as it has free
//! slots, never more, so a backlog of a million rows costs the same memory as a backlog of ten.
//! Each send carries a [`DispatchObserver`] that marks its row `dispatched` at the innermost
//! point of the layer stack, after the outage gate and the rate limits: a row waiting out an
//! outage is still `queued`, and after a crash it is sent, not reported as unknown.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wacloud::dispatch::{AttemptEnd, DispatchObserver, DispatchRefused, ObserverFuture};
use wacloud::error::RetryClass;
use wacloud::messages::PreparedMessage;
use wacloud::{Client, Error};

use crate::error::OutboxError;
use crate::model::{Claimed, ErrorInfo, Millis, RowId, Settlement};
use crate::outbox::{Outbox, WallClock};
use crate::store::Store;

/// How a worker drains.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Sends in flight at once (rows in memory at once).
    pub concurrency: usize,
    /// How long a row that could not be sent yet (a transport failure before writing, a rate
    /// limit configured to fail fast, an expired token) waits before its next claim.
    pub retry_delay: Duration,
    /// A name for this worker's leases (unique per running worker).
    pub name: String,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 32,
            retry_delay: Duration::from_secs(5),
            name: format!("worker-{}-{:x}", std::process::id(), rand_suffix()),
        }
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    hasher.finish()
}

/// A row's end in this run, as handed to [`Worker::on_settled`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Settled: accepted, rejected or unknown.
    Settled(Settlement),
    /// Not sent yet (nothing was written); queued again for later.
    Postponed {
        /// Why.
        reason: String,
    },
}

/// What one drain did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DrainReport {
    /// Rows accepted by Meta in this drain.
    pub accepted: u64,
    /// Rows refused for good.
    pub rejected: u64,
    /// Rows whose request may have been written without an answer.
    pub unknown: u64,
    /// Rows put back in the queue (nothing written).
    pub postponed: u64,
}

type SettledCallback = Arc<dyn Fn(RowId, &Outcome) + Send + Sync>;

/// A worker: drains one outbox through one client.
#[derive(Clone)]
pub struct Worker {
    outbox: Outbox,
    client: Client,
    config: WorkerConfig,
    on_settled: Option<SettledCallback>,
    counts_every: Option<Duration>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// A worker that sends this outbox's rows through `client` (and its layers).
    pub fn worker(&self, client: Client, config: WorkerConfig) -> Worker {
        Worker {
            outbox: self.clone(),
            client,
            config,
            on_settled: None,
            counts_every: None,
        }
    }

    /// Recovers every lease at once: call it at startup when this process is the only one
    /// draining the store (always true of a SQLite file). Rows whose request may have been
    /// written become `unknown`; the others are queued again.
    pub async fn recover_after_restart(&self) -> Result<crate::Recovered, OutboxError> {
        Ok(self.store.recover(Millis::MAX, self.now()).await?)
    }
}

impl Worker {
    /// Called once per row this worker finishes with (e.g. to print a line per row).
    pub fn on_settled(
        mut self,
        callback: impl Fn(RowId, &Outcome) + Send + Sync + 'static,
    ) -> Self {
        self.on_settled = Some(Arc::new(callback));
        self
    }

    /// While [`run`](Self::run) goes on, publish the rows-by-state gauges
    /// ([`Outbox::publish_counts`]) after a drain when `every` has passed since the last time
    /// (and after the first drain). Off by default: each count is a query over the whole table.
    pub fn publish_counts_every(mut self, every: Duration) -> Self {
        self.counts_every = Some(every);
        self
    }

    /// Sends every due row, then returns once none is due and none is in flight. Rows
    /// postponed in this drain wait for a later one.
    pub async fn drain(&self) -> Result<DrainReport, OutboxError> {
        let store = Arc::clone(&self.outbox.store);
        let lease = millis(self.outbox.config.lease);
        let concurrency = self.config.concurrency.max(1);
        let report = Arc::new(Counters::default());
        // Sends run as tasks, so that each makes progress while this loop awaits the store.
        let mut in_flight = tokio::task::JoinSet::new();
        let mut renew = tokio::time::interval(self.outbox.config.lease / 3);
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew.tick().await;
        let mut exhausted = false;
        // Recover rows whose holder died (its lease lapsed) before claiming.
        let now = self.outbox.now();
        store.recover(now, now).await?;
        loop {
            if !exhausted && in_flight.len() < concurrency {
                let now = self.outbox.now();
                let free = u32::try_from(concurrency - in_flight.len()).unwrap_or(u32::MAX);
                let claimed = store
                    .claim(&self.config.name, now, now + lease, free)
                    .await?;
                exhausted = claimed.is_empty();
                for row in claimed {
                    in_flight.spawn(self.clone().send_row(row, Arc::clone(&report)));
                }
                if !exhausted {
                    continue;
                }
            }
            if in_flight.is_empty() {
                break;
            }
            tokio::select! {
                done = in_flight.join_next() => {
                    if let Some(result) = done {
                        result.map_err(|err| OutboxError::Worker(err.to_string()))??;
                    }
                    // A free slot: look for more rows (new ones may have arrived).
                    exhausted = false;
                }
                _ = renew.tick() => {
                    let now = self.outbox.now();
                    store.renew(&self.config.name, now + lease).await?;
                }
            }
        }
        Ok(report.snapshot())
    }

    /// Drains, then polls every `idle` for new rows, until `shutdown` completes. Sends in
    /// flight at shutdown are finished first.
    pub async fn run(
        &self,
        idle: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), OutboxError> {
        tokio::pin!(shutdown);
        let mut published: Option<tokio::time::Instant> = None;
        loop {
            self.drain().await?;
            if let Some(every) = self.counts_every {
                let due = match published {
                    Some(at) => at.elapsed() >= every,
                    None => true,
                };
                if due {
                    self.outbox.publish_counts().await?;
                    published = Some(tokio::time::Instant::now());
                }
            }
            tokio::select! {
                () = &mut shutdown => return Ok(()),
                () = tokio::time::sleep(idle) => {}
            }
        }
    }

    async fn send_row(self, row: Claimed, report: Arc<Counters>) -> Result<(), OutboxError> {
        let store = &self.outbox.store;
        let id = row.id;
        let prepared = PreparedMessage::from_json(&row.body)
            .and_then(|message| message.with_callback_data(self.outbox.callback_data(id)));
        let outcome = match prepared {
            Err(invalid) => Outcome::Settled(Settlement::Rejected(ErrorInfo {
                code: None,
                title: Some("invalid stored message".to_owned()),
                detail: Some(invalid.to_string()),
            })),
            Ok(message) => {
                let observer = Arc::new(RowObserver {
                    store: Arc::clone(store),
                    id,
                    worker: self.config.name.clone(),
                    clock: Arc::clone(&self.outbox.clock),
                    written: AtomicBool::new(false),
                });
                let result = self
                    .client
                    .send_prepared(message)
                    .on_dispatch(observer.clone())
                    .await;
                judge(result, observer.written.load(Ordering::SeqCst))
            }
        };
        let now = self.outbox.now();
        match &outcome {
            Outcome::Settled(settlement) => {
                store.settle(id, settlement, now).await?;
                report.count(settlement);
                crate::metrics::settled(settlement);
            }
            Outcome::Postponed { reason } => {
                tracing::debug!(row = id.0, reason, "outbox row postponed");
                store
                    .release(id, &self.config.name, now + millis(self.config.retry_delay))
                    .await?;
                report.postponed.fetch_add(1, Ordering::Relaxed);
                crate::metrics::postponed();
            }
        }
        if let Some(callback) = &self.on_settled {
            callback(id, &outcome);
        }
        Ok(())
    }
}

/// How a send's result settles its row. `written`: the last attempt may have reached the API
/// and was not answered with a refusal.
fn judge(result: Result<wacloud::messages::SendResponse, Error>, written: bool) -> Outcome {
    let error = match result {
        Ok(response) => {
            return match response.message_id() {
                Some(wamid) => Outcome::Settled(Settlement::Accepted {
                    wamid: wamid.as_str().to_owned(),
                }),
                None => Outcome::Settled(Settlement::Unknown {
                    detail: "an answer without a message id".to_owned(),
                }),
            }
        }
        Err(error) => error,
    };
    if error.is_outcome_unknown() || written {
        return Outcome::Settled(Settlement::Unknown {
            detail: error.to_string(),
        });
    }
    let rejected = |error: &Error| {
        let graph = error.graph_error();
        Outcome::Settled(Settlement::Rejected(ErrorInfo {
            code: graph.map(|graph| graph.code),
            title: graph
                .and_then(|graph| graph.entry())
                .map(|entry| entry.title.to_owned()),
            detail: Some(error.to_string()),
        }))
    };
    match &error {
        Error::Validation(_) | Error::RecipientRejected(_) => rejected(&error),
        Error::Api(api) => match api.graph.retry_class() {
            RetryClass::Never | RetryClass::Later(_) => rejected(&error),
            // Outage, transient, throttled, pair limit: the retry layer gave up for now.
            _ => Outcome::Postponed {
                reason: error.to_string(),
            },
        },
        // Auth failures, exhausted retries, fail-fast limits, deadlines, transport failures
        // before writing: nothing was sent, and a later attempt may succeed.
        _ => Outcome::Postponed {
            reason: error.to_string(),
        },
    }
}

fn millis(duration: Duration) -> Millis {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    rejected: AtomicU64,
    unknown: AtomicU64,
    postponed: AtomicU64,
}

impl Counters {
    fn count(&self, settlement: &Settlement) {
        let counter = match settlement {
            Settlement::Accepted { .. } => &self.accepted,
            Settlement::Rejected(_) => &self.rejected,
            Settlement::Unknown { .. } => &self.unknown,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> DrainReport {
        DrainReport {
            accepted: self.accepted.load(Ordering::Relaxed),
            rejected: self.rejected.load(Ordering::Relaxed),
            unknown: self.unknown.load(Ordering::Relaxed),
            postponed: self.postponed.load(Ordering::Relaxed),
        }
    }
}

/// Marks one row `dispatched` when its request may be written, and `queued` again when an
/// attempt is answered with a refusal or never written.
struct RowObserver {
    store: Arc<dyn Store>,
    id: RowId,
    worker: String,
    clock: WallClock,
    written: AtomicBool,
}

impl DispatchObserver for RowObserver {
    fn dispatching(&self) -> ObserverFuture<'_, Result<(), DispatchRefused>> {
        Box::pin(async move {
            self.store
                .mark_dispatched(self.id, &self.worker, (self.clock)())
                .await
                .map_err(|err| DispatchRefused {
                    reason: err.to_string(),
                })?;
            self.written.store(true, Ordering::SeqCst);
            Ok(())
        })
    }

    fn attempt_ended(&self, end: AttemptEnd) -> ObserverFuture<'_, ()> {
        Box::pin(async move {
            let refused = match end {
                AttemptEnd::Answered(status) => status >= 300,
                AttemptEnd::NotWritten => true,
                _ => false,
            };
            if !refused {
                return;
            }
            match self
                .store
                .mark_undispatched(self.id, &self.worker, (self.clock)())
                .await
            {
                Ok(()) => self.written.store(false, Ordering::SeqCst),
                // The row stays `dispatched`: after a crash it is reported unknown, which is
                // the safe side.
                Err(err) => {
                    tracing::warn!(row = self.id.0, %err, "outbox: could not record a refusal")
                }
            }
        })
    }
}
