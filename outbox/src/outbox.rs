//! The outbox: durable enqueue, and the handle the workers, the ledger and `explain` share.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wacloud::messages::OutgoingMessage;

use crate::error::OutboxError;
use crate::model::{Counts, Enqueued, ListFilter, Millis, NewRow, Row, RowId};
use crate::store::Store;

/// The wall clock the outbox reads (milliseconds since the Unix epoch); tests replace it.
pub type WallClock = Arc<dyn Fn() -> Millis + Send + Sync>;

/// The system clock.
pub fn system_clock() -> WallClock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
            })
    })
}

/// The default prefix of the row id in `biz_opaque_callback_data`.
pub const DEFAULT_CALLBACK_PREFIX: &str = "wacloud-outbox:";

/// A message to enqueue, with its options.
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Text};
/// use wacloud_outbox::Enqueue;
/// let job = Enqueue::new(OutgoingMessage::new("+16505551234", Text::new("Shipped")))
///     .idempotency_key("order-42")
///     .not_before(std::time::SystemTime::now() + std::time::Duration::from_secs(60));
/// # let _ = job;
/// ```
#[derive(Debug, Clone)]
pub struct Enqueue {
    message: OutgoingMessage,
    idempotency_key: Option<String>,
    not_before: Option<SystemTime>,
}

impl Enqueue {
    /// A message, due now, without a key.
    pub fn new(message: OutgoingMessage) -> Self {
        Enqueue {
            message,
            idempotency_key: None,
            not_before: None,
        }
    }

    /// A key (an order id, say): enqueueing the same key again returns the first row.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Not sent before this time.
    pub fn not_before(mut self, at: SystemTime) -> Self {
        self.not_before = Some(at);
        self
    }
}

impl From<OutgoingMessage> for Enqueue {
    fn from(message: OutgoingMessage) -> Self {
        Enqueue::new(message)
    }
}

/// How the outbox behaves; [`OutboxConfig::default`] suits most.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// The prefix of the row id in `biz_opaque_callback_data`: distinct per outbox when
    /// several share one business number and one webhook.
    pub callback_prefix: String,
    /// How long a worker's claim on a row lasts without renewal (workers renew at a third of
    /// it); a row whose lease lapses is recovered by another worker.
    pub lease: Duration,
    /// A row at `sent` longer than this is reported as stuck by `explain`.
    pub stuck_after: Duration,
    /// An `unknown` row older than this is reported by `explain` as unresolved.
    pub unknown_window: Duration,
    /// Whether `unknown` rows may be resent at all ([`Outbox::resend_unknown`]); off by
    /// default, because resending can deliver the message twice.
    pub allow_resend_unknown: bool,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            callback_prefix: DEFAULT_CALLBACK_PREFIX.to_owned(),
            lease: Duration::from_secs(60),
            stuck_after: Duration::from_secs(24 * 3600),
            unknown_window: Duration::from_secs(3600),
            allow_resend_unknown: false,
        }
    }
}

/// A durable outbox on a [`Store`]. Cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: WallClock,
    pub(crate) config: Arc<OutboxConfig>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn millis(at: SystemTime) -> Millis {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

impl Outbox {
    /// An outbox on `store`, with the system clock.
    pub fn new(store: impl Store, config: OutboxConfig) -> Self {
        Outbox {
            store: Arc::new(store),
            clock: system_clock(),
            config: Arc::new(config),
        }
    }

    /// Opens the outbox at `location`: a `postgres://` or `postgresql://` URL opens a
    /// [`crate::PostgresStore`] (shared by every worker pointed at it), anything else the
    /// SQLite file at that path with `durability`. The store's migrations run first.
    pub async fn open(
        location: &str,
        durability: crate::Durability,
        config: OutboxConfig,
    ) -> Result<Self, OutboxError> {
        Ok(Self::with_shared_store(
            crate::store::open(location, durability).await?,
            config,
        ))
    }

    /// An outbox on a store already shared (one [`crate::store::open`] returned), with the
    /// system clock.
    pub fn with_shared_store(store: Arc<dyn Store>, config: OutboxConfig) -> Self {
        Outbox {
            store,
            clock: system_clock(),
            config: Arc::new(config),
        }
    }

    /// Replaces the clock (tests, drills in compressed time).
    pub fn with_clock(mut self, clock: WallClock) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &OutboxConfig {
        &self.config
    }

    /// Now, on the outbox's clock.
    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    /// The `biz_opaque_callback_data` of a row.
    pub fn callback_data(&self, id: RowId) -> String {
        format!("{}{id}", self.config.callback_prefix)
    }

    fn row(&self, job: Enqueue, now: Millis) -> Result<NewRow, OutboxError> {
        if job.message.callback_data_value().is_some() {
            return Err(OutboxError::CallbackDataTaken);
        }
        let prepared = job.message.prepare()?;
        Ok(NewRow {
            idempotency_key: job.idempotency_key,
            recipient: prepared.recipient().as_str().to_owned(),
            message_type: prepared.message_type().to_owned(),
            body: prepared.body().to_vec(),
            not_before: job.not_before.map_or(now, millis),
        })
    }

    /// Validates and stores one message; returns its row id once the row is committed. With
    /// an idempotency key already present, returns the first row's id and adds nothing.
    pub async fn enqueue(&self, job: impl Into<Enqueue>) -> Result<RowId, OutboxError> {
        let now = self.now();
        let row = self.row(job.into(), now)?;
        let enqueued = self.store.insert(std::slice::from_ref(&row), now).await?;
        Ok(enqueued[0].id)
    }

    /// Validates every message, then stores them all in one transaction (all or none).
    pub async fn enqueue_many<I>(&self, jobs: I) -> Result<Vec<Enqueued>, OutboxError>
    where
        I: IntoIterator,
        I::Item: Into<Enqueue>,
    {
        let now = self.now();
        let rows = jobs
            .into_iter()
            .map(|job| self.row(job.into(), now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.store.insert(&rows, now).await?)
    }

    /// One row.
    pub async fn get(&self, id: RowId) -> Result<Row, OutboxError> {
        self.store.get(id).await?.ok_or(OutboxError::NoSuchRow(id))
    }

    /// Counts per state and delivery.
    pub async fn counts(&self) -> Result<Counts, OutboxError> {
        Ok(self.store.counts().await?)
    }

    /// Rows matching a filter.
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<Row>, OutboxError> {
        Ok(self.store.list(filter).await?)
    }

    /// Resends an `unknown` row: the explicit opt-in, only when the configuration allows it
    /// ([`OutboxConfig::allow_resend_unknown`]). The message may then arrive twice. Returns
    /// false when the row was not unknown or resending is not allowed.
    pub async fn resend_unknown(&self, id: RowId) -> Result<bool, OutboxError> {
        if !self.config.allow_resend_unknown {
            return Ok(false);
        }
        Ok(self.store.requeue_unknown(id, self.now()).await?)
    }
}
