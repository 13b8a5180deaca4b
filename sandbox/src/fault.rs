//! Fault injection: what can go wrong, for which requests, and for how long.
//!
//! A [`FaultRule`] pairs a [`Fault`] with a scope (all requests, sends only, one recipient,
//! one path) and a lifetime (the next N times it fires, and/or a time window measured with
//! `tokio::time::Instant` from the moment the rule is injected, so paused tokio time stays
//! consistent). Rules are evaluated in insertion order for every request:
//! [`Fault::Latency`] adds delay and goes on; [`Fault::DropAfterActing`],
//! [`Fault::ConflictingStatuses`] and [`Fault::Undeliverable`] mark the request and go on;
//! every other fault that fires answers (or drops) the request and ends the evaluation.
//! "Fires" means the fault took effect: a throttle or pair rule fires only when it rejects.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

/// One kind of failure the sandbox can simulate.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Code 2 outage: `503` with `{"error":{"code":2,"is_transient":true,...}}`.
    /// Pair with [`FaultRule::for_duration`] (e.g. 5 minutes, or compressed).
    Outage,
    /// Throughput limit: above `per_second` matching requests in a one-second window,
    /// answer `429` with code 130429, and a `Retry-After` header (whole seconds, rounded up)
    /// when `retry_after` is set.
    Throttle {
        /// Admitted matching requests per one-second window.
        per_second: u32,
        /// The `Retry-After` header value, if any.
        retry_after: Option<Duration>,
    },
    /// Pair rate limit, strict: a send to a recipient this rule admitted less than `interval`
    /// ago is answered `400` with code 131056. Only applies to sends; other recipients go on.
    /// A send this rule admits counts from that moment, even if a later rule or validation
    /// then rejects it (so concurrent sends to one recipient cannot both slip through).
    /// Stricter than Meta (no burst): a client with the SDK's default pair limit (Meta's burst
    /// of 45) gets 131056 on its second message in a row; see [`Fault::PairBurst`] for Meta's
    /// model.
    PairLimit {
        /// The minimum gap between two sends to the same recipient (Meta: about 6 s).
        interval: Duration,
    },
    /// Pair rate limit as Meta documents it: one message per `interval` to a recipient, with
    /// bursts of up to `burst` messages within one interval borrowed from the future quota;
    /// after a burst of N, the recipient cannot be messaged until N x `interval` have passed
    /// since it began (a send before then is answered `400` with code 131056). Meta's values:
    /// 6 s and 45. Admission counts as in [`Fault::PairLimit`].
    PairBurst {
        /// The time each message costs (Meta: about 6 s).
        interval: Duration,
        /// The most messages in one burst (Meta: 45).
        burst: u32,
    },
    /// An authorization failure: 190 (401, with subcode 458/460/463/467), 0 (401),
    /// 3 (500), 10 or 200-299 (403).
    Auth {
        /// The Graph error code.
        code: i64,
        /// The optional `error_subcode`.
        subcode: Option<i64>,
    },
    /// A Meta-shaped Graph error with any code (e.g. 131000, 131016, 131057, 1).
    Graph {
        /// The HTTP status.
        status: u16,
        /// The Graph error code.
        code: i64,
        /// The error message (e.g. `"(#131000) Something went wrong"`).
        message: String,
    },
    /// Wait this long before handling the request (not terminal).
    Latency(Duration),
    /// Close the connection before acting: nothing is accepted, no answer is written.
    DropBeforeActing,
    /// Act on the request (a send is accepted and recorded), then close the connection
    /// without an answer.
    DropAfterActing,
    /// Answer with these exact bytes (HTML 502, truncated JSON, a 200 with an error body...).
    Raw {
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header.
        content_type: String,
        /// The body.
        body: Bytes,
    },
    /// Answer with a fixture file (relative to the fixtures directory, or absolute) as
    /// `application/json` with this status. A missing file is answered 500 with a plain
    /// text explanation (and logged).
    Fixture {
        /// The HTTP status.
        status: u16,
        /// The file path.
        path: PathBuf,
    },
    /// Accept the send normally, then deliver both `delivered` and `failed` (131026)
    /// status webhooks for it, `failed` first when `failed_first`.
    ConflictingStatuses {
        /// Whether the `failed` webhook comes before `delivered`.
        failed_first: bool,
    },
    /// Accept the send normally, then deliver a `failed` status webhook (131026).
    Undeliverable,
}

impl Fault {
    /// A raw HTML `502 Bad Gateway`, as a proxy in front of the API might answer.
    pub fn html_502() -> Fault {
        Fault::Raw {
            status: 502,
            content_type: "text/html".into(),
            body: Bytes::from_static(
                b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
            ),
        }
    }

    /// A `200` whose JSON body is cut off in the middle.
    pub fn truncated_json() -> Fault {
        Fault::Raw {
            status: 200,
            content_type: "application/json".into(),
            body: Bytes::from_static(b"{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input"),
        }
    }

    /// A `200` carrying a Graph error body (code 131000).
    pub fn ok_with_error_body() -> Fault {
        Fault::Raw {
            status: 200,
            content_type: "application/json".into(),
            body: Bytes::from_static(
                b"{\"error\":{\"message\":\"(#131000) Something went wrong\",\"type\":\"OAuthException\",\"code\":131000,\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"Something went wrong\"},\"fbtrace_id\":\"AbCdEfGhIjKlMnOpQrStUvW\"}}",
            ),
        }
    }
}

/// Which requests a rule applies to.
#[derive(Debug, Clone, Default)]
struct Scope {
    sends_only: bool,
    recipient: Option<String>,
    path: Option<String>,
}

/// A fault with its scope and lifetime. Build with [`FaultRule::new`] and the setters.
#[derive(Debug, Clone)]
pub struct FaultRule {
    fault: Fault,
    scope: Scope,
    times: Option<u64>,
    duration: Option<Duration>,
    delay: Option<Duration>,
}

impl FaultRule {
    /// A rule applying `fault` to every request, forever (until cleared).
    pub fn new(fault: Fault) -> Self {
        FaultRule {
            fault,
            scope: Scope::default(),
            times: None,
            duration: None,
            delay: None,
        }
    }

    /// Only message sends (`POST /{v}/{id}/messages` without `status`), not mark-as-read,
    /// media or number calls.
    pub fn sends_only(mut self) -> Self {
        self.scope.sends_only = true;
        self
    }

    /// Only sends to this recipient: a phone number (compared by digits: `"+1 650-555-1234"`
    /// == `"16505551234"`) or a business-scoped user id (compared as written, with the
    /// `recipient` of a send by user id). Implies sends only.
    pub fn for_recipient(mut self, to: impl AsRef<str>) -> Self {
        self.scope.recipient = Some(crate::util::recipient_key(to.as_ref()));
        self.scope.sends_only = true;
        self
    }

    /// Only requests whose path contains this string (e.g. `"/media"`, `"debug_token"`).
    pub fn for_path(mut self, path: impl Into<String>) -> Self {
        self.scope.path = Some(path.into());
        self
    }

    /// The rule retires after firing `n` times.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// The rule retires `d` after it becomes active.
    pub fn for_duration(mut self, d: Duration) -> Self {
        self.duration = Some(d);
        self
    }

    /// The rule becomes active `d` after it is injected (its duration counts from then).
    pub fn starting_after(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }

    /// The fault.
    pub fn fault(&self) -> &Fault {
        &self.fault
    }
}

/// What the request looks like, for matching.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestFacts {
    pub path: String,
    pub is_send: bool,
    /// Digits of `to`, for sends.
    pub recipient: Option<String>,
}

/// A terminal action decided by the faults.
#[derive(Debug, Clone)]
pub(crate) enum Terminal {
    Outage,
    Throttled(Option<Duration>),
    Pair,
    Auth(i64, Option<i64>),
    Graph(u16, i64, String),
    Drop,
    Raw(u16, String, Bytes),
    Fixture(u16, PathBuf),
}

/// The outcome of evaluating all rules for one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub terminal: Option<Terminal>,
    pub drop_after: bool,
    pub conflicting: Option<bool>,
    pub undeliverable: bool,
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    starts: Instant,
    ends: Option<Instant>,
    fired: u64,
    window_start: Option<Instant>,
    window_count: u32,
    pair_last: HashMap<String, Instant>,
    pair_debt: HashMap<String, PairDebt>,
}

/// One recipient's borrowed quota under [`Fault::PairBurst`].
#[derive(Debug, Clone, Copy)]
struct PairDebt {
    window_end: Instant,
    sent_in_window: u32,
    paid_at: Instant,
}

impl ActiveRule {
    fn exhausted(&self, now: Instant) -> bool {
        self.rule.times.is_some_and(|n| self.fired >= n) || self.ends.is_some_and(|e| now >= e)
    }

    fn matches(&self, f: &RequestFacts) -> bool {
        let s = &self.rule.scope;
        if s.sends_only && !f.is_send {
            return false;
        }
        if let Some(r) = &s.recipient {
            if f.recipient.as_deref() != Some(r.as_str()) {
                return false;
            }
        }
        if let Some(p) = &s.path {
            if !f.path.contains(p.as_str()) {
                return false;
            }
        }
        true
    }
}

/// The set of live rules.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    rules: Vec<ActiveRule>,
}

impl FaultSet {
    pub fn inject(&mut self, rule: FaultRule) {
        let starts = Instant::now() + rule.delay.unwrap_or_default();
        let ends = rule.duration.map(|d| starts + d);
        self.rules.push(ActiveRule {
            rule,
            starts,
            ends,
            fired: 0,
            window_start: None,
            window_count: 0,
            pair_last: HashMap::new(),
            pair_debt: HashMap::new(),
        });
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.rules.iter().filter(|r| !r.exhausted(now)).count()
    }

    pub fn evaluate(&mut self, f: &RequestFacts) -> Decision {
        let now = Instant::now();
        self.rules.retain(|r| !r.exhausted(now));
        let mut d = Decision::default();
        for r in self.rules.iter_mut() {
            if now < r.starts || r.exhausted(now) || !r.matches(f) {
                continue;
            }
            let terminal = match &r.rule.fault {
                Fault::Latency(l) => {
                    d.latency += *l;
                    r.fired += 1;
                    continue;
                }
                Fault::DropAfterActing => {
                    d.drop_after = true;
                    r.fired += 1;
                    continue;
                }
                Fault::ConflictingStatuses { failed_first } => {
                    if f.is_send {
                        d.conflicting = Some(*failed_first);
                        r.fired += 1;
                    }
                    continue;
                }
                Fault::Undeliverable => {
                    if f.is_send {
                        d.undeliverable = true;
                        r.fired += 1;
                    }
                    continue;
                }
                Fault::Outage => Terminal::Outage,
                Fault::Throttle {
                    per_second,
                    retry_after,
                } => {
                    let fresh = match r.window_start {
                        Some(ws) => now.duration_since(ws) >= Duration::from_secs(1),
                        None => true,
                    };
                    if fresh {
                        r.window_start = Some(now);
                        r.window_count = 0;
                    }
                    if r.window_count < *per_second {
                        r.window_count += 1;
                        continue;
                    }
                    Terminal::Throttled(*retry_after)
                }
                Fault::PairLimit { interval } => {
                    let Some(to) = f.recipient.as_ref().filter(|_| f.is_send) else {
                        continue;
                    };
                    match r.pair_last.get(to) {
                        Some(last) if now.duration_since(*last) < *interval => Terminal::Pair,
                        _ => {
                            r.pair_last.insert(to.clone(), now);
                            continue;
                        }
                    }
                }
                Fault::PairBurst { interval, burst } => {
                    let Some(to) = f.recipient.as_ref().filter(|_| f.is_send) else {
                        continue;
                    };
                    match r.pair_debt.get_mut(to) {
                        Some(debt) if now < debt.paid_at => {
                            if now < debt.window_end && debt.sent_in_window < *burst {
                                debt.sent_in_window += 1;
                                debt.paid_at += *interval;
                                continue;
                            }
                            Terminal::Pair
                        }
                        _ => {
                            r.pair_debt.insert(
                                to.clone(),
                                PairDebt {
                                    window_end: now + *interval,
                                    sent_in_window: 1,
                                    paid_at: now + *interval,
                                },
                            );
                            continue;
                        }
                    }
                }
                Fault::Auth { code, subcode } => Terminal::Auth(*code, *subcode),
                Fault::Graph {
                    status,
                    code,
                    message,
                } => Terminal::Graph(*status, *code, message.clone()),
                Fault::DropBeforeActing => Terminal::Drop,
                Fault::Raw {
                    status,
                    content_type,
                    body,
                } => Terminal::Raw(*status, content_type.clone(), body.clone()),
                Fault::Fixture { status, path } => Terminal::Fixture(*status, path.clone()),
            };
            r.fired += 1;
            d.terminal = Some(terminal);
            break;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(to: &str) -> RequestFacts {
        RequestFacts {
            path: "/v23.0/1/messages".into(),
            is_send: true,
            recipient: Some(to.into()),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn times_and_window() {
        let mut s = FaultSet::default();
        s.inject(FaultRule::new(Fault::Outage).times(2));
        assert!(s.evaluate(&send("1")).terminal.is_some());
        assert!(s.evaluate(&send("1")).terminal.is_some());
        assert!(s.evaluate(&send("1")).terminal.is_none());
        s.inject(FaultRule::new(Fault::Outage).for_duration(Duration::from_secs(300)));
        assert!(s.evaluate(&send("1")).terminal.is_some());
        tokio::time::advance(Duration::from_secs(301)).await;
        assert!(s.evaluate(&send("1")).terminal.is_none());
        assert_eq!(s.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn pair_limit_per_recipient() {
        let mut s = FaultSet::default();
        s.inject(FaultRule::new(Fault::PairLimit {
            interval: Duration::from_secs(6),
        }));
        assert!(s.evaluate(&send("1")).terminal.is_none());
        assert!(matches!(
            s.evaluate(&send("1")).terminal,
            Some(Terminal::Pair)
        ));
        assert!(s.evaluate(&send("2")).terminal.is_none());
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(s.evaluate(&send("1")).terminal.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn pair_burst_borrows_then_pays_back() {
        let mut s = FaultSet::default();
        s.inject(FaultRule::new(Fault::PairBurst {
            interval: Duration::from_secs(6),
            burst: 45,
        }));
        // A bot's four messages in a row pass.
        for _ in 0..4 {
            assert!(s.evaluate(&send("1")).terminal.is_none());
        }
        for _ in 4..45 {
            assert!(s.evaluate(&send("1")).terminal.is_none());
        }
        assert!(matches!(
            s.evaluate(&send("1")).terminal,
            Some(Terminal::Pair)
        ));
        assert!(s.evaluate(&send("2")).terminal.is_none());
        // 6 s later the burst window is closed and 264 s of debt remain.
        tokio::time::advance(Duration::from_secs(6)).await;
        assert!(s.evaluate(&send("1")).terminal.is_some());
        tokio::time::advance(Duration::from_secs(264)).await;
        assert!(s.evaluate(&send("1")).terminal.is_none());
    }
}
