//! What the sandbox received and what it did with it.

use std::collections::HashMap;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

/// What happened to a recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still being handled (e.g. waiting on injected latency).
    Pending,
    /// Answered with this HTTP status; `wamid` is set when a message was accepted.
    Answered {
        /// The HTTP status written.
        status: u16,
        /// The accepted message id, for accepted sends.
        wamid: Option<String>,
    },
    /// The connection was closed before the request was acted on.
    DroppedBeforeActing,
    /// The request was acted on (a send accepted: `wamid`), then the connection was
    /// closed without an answer.
    DroppedAfterActing {
        /// The accepted message id, for accepted sends.
        wamid: Option<String>,
    },
}

/// One HTTP request the sandbox received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Arrival order, from 0.
    pub seq: u64,
    /// The HTTP method (`"POST"`).
    pub method: String,
    /// The path (`"/v23.0/100000000000001/messages"`).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers in arrival order; the `Authorization` value is replaced by `"<redacted>"`.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
    /// Wall-clock arrival time.
    pub received_at: SystemTime,
    /// Arrival time on tokio's clock.
    pub received_instant: tokio::time::Instant,
    /// What the sandbox did.
    pub outcome: Outcome,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One message the sandbox accepted (answered or not).
#[derive(Debug, Clone)]
pub struct AcceptedMessage {
    /// The id issued (`wamid.…`).
    pub wamid: String,
    /// `to` as sent, or `recipient` for a send by business-scoped user id.
    pub to: String,
    /// The recipient's digits (the `wa_id` answered); empty for a send by user id.
    pub wa_id: String,
    /// The business-scoped user id (or parent id) of a send by `recipient` (the `user_id`
    /// answered).
    pub user_id: Option<String>,
    /// The message `type` (`"text"`, `"template"`, ...).
    pub kind: String,
    /// The whole request body.
    pub body: Value,
    /// `biz_opaque_callback_data`, if sent.
    pub biz_opaque_callback_data: Option<String>,
    /// The `seq` of the request that carried it.
    pub request_seq: u64,
    /// Wall-clock acceptance time.
    pub accepted_at: SystemTime,
}

/// Duplicate counts over accepted messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Duplicates {
    /// Accepted messages whose body is identical to an earlier accepted one.
    pub same_body: usize,
    /// Accepted messages whose `biz_opaque_callback_data` equals an earlier accepted one's.
    pub same_callback_data: usize,
}

pub(crate) fn duplicates(msgs: &[AcceptedMessage]) -> Duplicates {
    let mut bodies: HashMap<String, usize> = HashMap::new();
    let mut cbs: HashMap<&str, usize> = HashMap::new();
    let mut d = Duplicates::default();
    for m in msgs {
        let c = bodies.entry(m.body.to_string()).or_default();
        if *c > 0 {
            d.same_body += 1;
        }
        *c += 1;
        if let Some(cb) = &m.biz_opaque_callback_data {
            let c = cbs.entry(cb.as_str()).or_default();
            if *c > 0 {
                d.same_callback_data += 1;
            }
            *c += 1;
        }
    }
    d
}

/// Accepted messages that duplicate an earlier one: same `biz_opaque_callback_data` when it
/// is present, same body otherwise.
pub(crate) fn duplicate_count(msgs: &[AcceptedMessage]) -> usize {
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut n = 0;
    for m in msgs {
        let key = match &m.biz_opaque_callback_data {
            Some(cb) => format!("cb:{cb}"),
            None => format!("body:{}", m.body),
        };
        if seen.insert(key, ()).is_some() {
            n += 1;
        }
    }
    n
}
