//! Reading a POST body under three limits: its size, the time it may take, and the bytes all
//! connections may hold at once.
//!
//! The body must be read whole before its signature can be checked, so an unauthenticated
//! client can make the receiver hold memory. The in-flight budget bounds that across
//! connections: a body is admitted only if its declared length fits in what is left (else 503
//! at once, before reading, and the connection is closed); a body without a length, or longer
//! than it said, reserves as it arrives. The last eighth of the budget is kept for small bodies
//! (64 KiB or less; Meta's webhooks are mostly a few KiB), so large uploads held open by an
//! attacker cannot lock out a real webhook. The read timeout frees what a stalled upload held.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::time::SharedClock;

/// Bodies up to this size may use the part of the in-flight budget kept for small bodies.
pub(super) const SMALL_BODY: usize = 64 * 1024;

/// Permits count KiB, so that a semaphore (u32 permits per acquire) covers any size.
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}

/// The bytes of bodies held across all connections.
#[derive(Debug)]
pub(super) struct InFlight {
    /// The whole budget.
    all: Arc<Semaphore>,
    /// What bodies over [`SMALL_BODY`] may use: the budget less its last eighth.
    large: Arc<Semaphore>,
    total_kib: usize,
}

impl InFlight {
    /// A budget of `bytes`, raised if needed so that one body of `body_limit` fits besides the
    /// part kept for small bodies.
    pub(super) fn new(bytes: usize, body_limit: usize) -> Self {
        let total = kib(bytes) as usize;
        let reserve = total / 8;
        let large = (total - reserve).max(kib(body_limit) as usize);
        let total_kib = large + reserve;
        InFlight {
            all: Arc::new(Semaphore::new(total_kib)),
            large: Arc::new(Semaphore::new(large)),
            total_kib,
        }
    }

    /// Bytes reserved right now (rounded up to KiB per body).
    pub(super) fn used_bytes(&self) -> usize {
        (self.total_kib - self.all.available_permits()) * 1024
    }

    /// The budget in bytes.
    pub(super) fn total_bytes(&self) -> usize {
        self.total_kib * 1024
    }

    fn reserve(&self, bytes: usize, small: bool) -> Option<Reservation> {
        let mut r = Reservation::default();
        r.grow(self, bytes, small).then_some(r)
    }
}

/// Bytes of the in-flight budget held by one body; released when dropped.
#[derive(Debug, Default)]
pub(super) struct Reservation {
    all: Option<OwnedSemaphorePermit>,
    large: Option<OwnedSemaphorePermit>,
    bytes: usize,
}

impl Reservation {
    /// Makes the reservation cover `bytes` in all; false (and unchanged) when the budget has
    /// no room.
    fn grow(&mut self, budget: &InFlight, bytes: usize, small: bool) -> bool {
        let have = kib(self.bytes);
        let want = kib(bytes);
        if want <= have {
            return true;
        }
        let more = want - have;
        let large = if small {
            None
        } else {
            match Arc::clone(&budget.large).try_acquire_many_owned(more) {
                Ok(p) => Some(p),
                Err(_) => return false,
            }
        };
        let Ok(all) = Arc::clone(&budget.all).try_acquire_many_owned(more) else {
            return false;
        };
        merge(&mut self.all, all);
        if let Some(large) = large {
            merge(&mut self.large, large);
        }
        self.bytes = bytes;
        true
    }
}

fn merge(slot: &mut Option<OwnedSemaphorePermit>, permit: OwnedSemaphorePermit) {
    match slot {
        Some(held) => held.merge(permit),
        None => *slot = Some(permit),
    }
}

/// The limits a body is read under.
#[derive(Debug)]
pub(super) struct BodyLimits {
    pub(super) limit: usize,
    pub(super) timeout: Duration,
    pub(super) in_flight: InFlight,
    pub(super) clock: SharedClock,
}

/// A refusal that leaves the rest of the body unread: the client must not reuse the
/// connection.
fn closing(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn too_large(close: bool) -> Response {
    if close {
        closing(StatusCode::PAYLOAD_TOO_LARGE, "payload too large")
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, "payload too large").into_response()
    }
}

fn busy() -> Response {
    closing(StatusCode::SERVICE_UNAVAILABLE, "busy")
}

/// Reads the body up to the limit, within the timeout and the in-flight budget. A body over
/// the limit is read on and discarded (up to four times the limit, holding nothing) so that
/// the client, still sending, gets the 413 instead of a broken connection; beyond that the
/// connection is closed.
pub(super) async fn read_body(
    limits: &BodyLimits,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, Reservation), Response> {
    let deadline = limits.clock.sleep(limits.timeout);
    tokio::select! {
        read = read_within_budget(limits, headers, body) => read,
        () = deadline => {
            tracing::warn!(timeout = ?limits.timeout, "webhook POST body not received in time");
            Err(closing(StatusCode::REQUEST_TIMEOUT, "request timeout"))
        }
    }
}

async fn read_within_budget(
    limits: &BodyLimits,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Bytes, Reservation), Response> {
    let limit = limits.limit;
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
    // Within the limit, so it fits in usize.
    let expected = if over {
        0
    } else {
        declared.unwrap_or(0) as usize
    };
    let small = declared.is_some_and(|len| len <= SMALL_BODY as u64);
    let Some(mut reservation) = limits.in_flight.reserve(expected, small) else {
        tracing::warn!(
            declared,
            in_flight = limits.in_flight.used_bytes(),
            "webhook POST refused: too many body bytes in flight"
        );
        return Err(busy());
    };
    let mut buf = BytesMut::with_capacity(expected);
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
        if over {
            continue;
        }
        let len = buf.len() + chunk.len();
        if len > limit {
            over = true;
            buf = BytesMut::new();
            reservation = Reservation::default();
        } else if !reservation.grow(&limits.in_flight, len, small && len <= SMALL_BODY) {
            tracing::warn!(
                received = len,
                "webhook POST refused: too many body bytes in flight"
            );
            return Err(busy());
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    if over {
        tracing::warn!(total, limit, "webhook POST body too large");
        return Err(too_large(false));
    }
    Ok((buf.freeze(), reservation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_leave_the_last_eighth_to_small_ones() {
        let budget = InFlight::new(8 << 20, 1 << 20);
        assert_eq!(budget.total_bytes(), 8 << 20);
        let held: Vec<_> = (0..7)
            .map(|_| budget.reserve(1 << 20, false).expect("room for 7 MiB"))
            .collect();
        assert!(budget.reserve(1 << 20, false).is_none());
        assert!(budget.reserve(1024, false).is_none());
        let small = budget.reserve(SMALL_BODY, true).expect("the reserve");
        assert_eq!(budget.used_bytes(), (7 << 20) + SMALL_BODY);
        drop(held);
        drop(small);
        assert_eq!(budget.used_bytes(), 0);
    }

    #[test]
    fn the_budget_fits_one_body_of_the_limit() {
        let budget = InFlight::new(1024, 4 << 20);
        assert!(budget.reserve(4 << 20, false).is_some());
        assert!(budget.total_bytes() >= 4 << 20);
    }

    #[test]
    fn a_reservation_grows_and_fails_unchanged() {
        let budget = InFlight::new(64 * 1024, 64 * 1024);
        let mut r = budget.reserve(0, false).unwrap();
        assert!(r.grow(&budget, 10_000, false));
        assert_eq!(budget.used_bytes(), 10 * 1024);
        assert!(!r.grow(&budget, 1 << 30, false));
        assert_eq!(budget.used_bytes(), 10 * 1024);
        drop(r);
        assert_eq!(budget.used_bytes(), 0);
    }
}
