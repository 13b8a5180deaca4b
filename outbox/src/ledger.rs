//! The ledger: status webhooks folded into rows.
//!
//! The order is the SDK's reconciled one ([`DeliveryState`]: sent < failed < delivered < read
//! < played), so a late or repeated webhook never moves a row back, and `delivered` wins over
//! `failed` whichever arrives first (a message delivered to one of the user's devices reached
//! the user). Folding is a maximum: any order of the same webhooks gives the same row.

use wacloud::webhooks::{DeliveryState, Status, StatusKind};

use crate::model::{ErrorInfo, Millis, Row, RowId, State, StatusUpdate};

/// What a row becomes after one status update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The answer side: a dispatched or unknown row is settled as accepted by any status.
    pub state: State,
    /// The wamid (the row's, else the webhook's).
    pub wamid: Option<String>,
    /// The furthest delivery.
    pub delivery: Option<DeliveryState>,
    /// The error kept: a `failed` status's, unless a delivery outranks it.
    pub error: Option<ErrorInfo>,
    /// First `sent`.
    pub sent_at: Option<Millis>,
    /// First `delivered`.
    pub delivered_at: Option<Millis>,
    /// First `read` (or `played`).
    pub read_at: Option<Millis>,
    /// First `failed`.
    pub failed_at: Option<Millis>,
}

/// Folds one update into a row. Pure, so every store folds the same way.
pub fn fold(row: &Row, update: &StatusUpdate) -> Folded {
    let delivery = match row.delivery {
        Some(current) => current.max(update.delivery),
        None => update.delivery,
    };
    // A status proves Meta accepted the message: it settles an unknown outcome.
    let state = match row.state {
        State::Dispatched | State::Unknown | State::Queued => State::Accepted,
        other => other,
    };
    let first = |current: Option<Millis>, kind: DeliveryState| {
        current.or((update.delivery == kind).then_some(update.at))
    };
    let error = if delivery == DeliveryState::Failed {
        update.error.clone().or_else(|| row.error.clone())
    } else if state == State::Rejected {
        row.error.clone()
    } else {
        // Delivered outranks failed, and a settled unknown is no longer unknown: the old
        // error no longer describes the message.
        None
    };
    Folded {
        state,
        wamid: row.wamid.clone().or_else(|| Some(update.wamid.clone())),
        delivery: Some(delivery),
        error,
        sent_at: first(row.sent_at, DeliveryState::Sent),
        delivered_at: first(row.delivered_at, DeliveryState::Delivered),
        read_at: row.read_at.or(matches!(
            update.delivery,
            DeliveryState::Read | DeliveryState::Played
        )
        .then_some(update.at)),
        failed_at: first(row.failed_at, DeliveryState::Failed),
    }
}

/// Reads the row id out of `biz_opaque_callback_data` written with `prefix`.
pub fn row_of_callback(prefix: &str, data: &str) -> Option<RowId> {
    data.strip_prefix(prefix)?.parse().ok().map(RowId)
}

/// A status webhook as the ledger folds it; `None` for statuses the SDK does not know.
pub fn status_update(prefix: &str, status: &Status<'_>) -> Option<StatusUpdate> {
    let delivery = DeliveryState::from_status(&status.status)?;
    let seconds: i64 = status.timestamp.parse().unwrap_or(0);
    let error = (status.status == StatusKind::Failed).then(|| {
        status
            .errors
            .first()
            .map(|error| ErrorInfo {
                code: error.code,
                title: error.title.as_deref().map(str::to_owned),
                detail: error
                    .error_data
                    .as_ref()
                    .and_then(|data| data.details.as_deref())
                    .map(str::to_owned),
            })
            .unwrap_or_default()
    });
    Some(StatusUpdate {
        wamid: status.id.to_string(),
        row: status
            .biz_opaque_callback_data
            .as_deref()
            .and_then(|data| row_of_callback(prefix, data)),
        delivery,
        at: seconds.saturating_mul(1000),
        error,
    })
}

impl crate::Outbox {
    /// Folds one status webhook into its row (found by the row id in its callback data, else
    /// by wamid). Returns the row, or `None` when the status is not about this outbox's rows.
    pub async fn feed_status(
        &self,
        status: &Status<'_>,
    ) -> Result<Option<RowId>, crate::OutboxError> {
        let Some(update) = status_update(&self.config.callback_prefix, status) else {
            return Ok(None);
        };
        Ok(self.store.fold_status(&update, self.now()).await?)
    }

    /// Folds a webhook event (statuses only; other events are ignored).
    pub async fn feed_event(
        &self,
        event: &wacloud::webhooks::Event,
    ) -> Result<Option<RowId>, crate::OutboxError> {
        match event {
            wacloud::webhooks::Event::Status { status, .. } => self.feed_status(status).await,
            _ => Ok(None),
        }
    }

    /// A handler for [`WebhookReceiver::on_event`](wacloud::webhooks::router::WebhookReceiver::on_event)
    /// that feeds every status into the outbox. A store failure answers the POST with 503, so
    /// Meta delivers the webhook again.
    pub fn webhook_handler(
        &self,
    ) -> impl Fn(
        wacloud::webhooks::Event,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), crate::OutboxError>> + Send>,
    > + Send
           + Sync
           + 'static {
        let outbox = self.clone();
        move |event| {
            let outbox = outbox.clone();
            Box::pin(async move { outbox.feed_event(&event).await.map(|_| ()) })
        }
    }
}
