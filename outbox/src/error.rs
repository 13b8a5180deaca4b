//! The outbox's errors.

/// The store failed (the database, or a row it cannot read).
#[derive(Debug, thiserror::Error)]
#[error("outbox store: {context}: {source}")]
pub struct StoreError {
    context: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StoreError {
    /// An error while doing `context`.
    pub fn new(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError {
            context,
            source: source.into(),
        }
    }
}

/// What can go wrong using the outbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The message breaks a documented limit; nothing was stored.
    #[error(transparent)]
    Invalid(#[from] wacloud::error::ValidationError),
    /// The message carries its own `biz_opaque_callback_data`; the outbox writes its row id
    /// there to settle unknown outcomes from webhooks.
    #[error("the message sets biz_opaque_callback_data, which the outbox uses for its row id")]
    CallbackDataTaken,
    /// A send task of a worker panicked or was cancelled.
    #[error("an outbox worker task failed: {0}")]
    Worker(String),
    /// No row has this id.
    #[error("no outbox row {0}")]
    NoSuchRow(crate::RowId),
}
