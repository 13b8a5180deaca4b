//! Retry: classify each failure by its Graph code, back off, share an outage gate and a retry
//! budget across clones of the client, and never repeat a request that may have been acted on.
//!
//! - [`classify`](self#classification): the Graph error code in the body decides (the
//!   catalogue's [`RetryClass`]); the HTTP status only without a Graph body (429 is throttled,
//!   502/503/504 transient); failures without an answer are retried only when the connection
//!   failed before the request was written, or when the call allows retrying an unknown outcome.
//! - [`Schedule`]: jittered exponential backoff per class. Code 2 (API Service: up to 5 minutes
//!   of downtime while Meta updates the API) is retried for 330 s by default.
//! - The outage gate: once code 2 (or 131016, 133004) is seen, every call on the client waits
//!   instead of sending, and one probe at a time tests recovery on the outage schedule.
//! - The budget ([`BudgetConfig`]): a token bucket of retries per client, refilled by successes.
//! - Pair holds: after 131056 the same recipient waits (6 s or more) while others go on.
//!
//! # Classification
//! | outcome | class | default schedule |
//! |---|---|---|
//! | code 2 | outage (gate) | 1 s doubling to a 5 s cap, 330 s in all |
//! | codes 1, 131000, 131057; 131016, 133004 (gate); connect failure; HTTP 502/503/504 | transient | 0.5, 1, 2, 4 s; 4 retries within 10 s |
//! | codes 4, 80007, 130429; HTTP 429 | throttled | `Retry-After` (up to 60 s) or 2, 4, 8, 16 s; within 90 s |
//! | code 131056 | pair | 6, 12, 24 s for that recipient; within 60 s |
//! | timeout or dropped connection after writing | unknown outcome | not retried for sends unless allowed |
//! | any other code, later codes | never | the answer is returned untouched |
//!
//! Every wait goes through the client's [`Clock`](crate::time::Clock). Each decision is a
//! tracing event with target `wacloud::retry`, and is passed to the policy's observer
//! ([`RetryPolicy::on_event`]).

mod budget;
pub(crate) mod classify;
mod gate;
mod schedule;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Extensions;
use reqwest::{Request, Response};

use crate::layers::chain::Inner;
use tracing::Instrument;

pub use budget::BudgetConfig;
pub use schedule::{parse_retry_after, Schedule};

use self::budget::RetryBudget;
use self::classify::{Failure, Verdict};
use self::gate::{recipient_key, Gate, LastAnswer, PairHolds, Pass};
use crate::error::{DeadlineExceeded, Error, RetriesExhausted, RetryClass, SentState};
use crate::layers::facts::{HeldBack, Operation, RequestFacts, SendClearance};
use crate::layers::resend::Resend;
use crate::telemetry;
use crate::time::{later, Instant, SharedClock};

/// A function called with every retry decision (to print or count retries).
pub type RetryObserver = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

/// How the retry layer retries.
///
/// ```
/// use std::time::Duration;
/// use wacloud::layers::retry::{RetryPolicy, Schedule};
/// let policy = RetryPolicy::default()
///     .outage(Schedule::outage().max_elapsed(Duration::from_secs(600)))
///     .on_event(|event| println!("{event}"));
/// assert_eq!(policy.outage.max_elapsed, Duration::from_secs(600));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The schedule for code 2 (and the probes of the outage gate).
    pub outage: Schedule,
    /// The schedule for passing faults and connect failures.
    pub transient: Schedule,
    /// The schedule for rate limits without a `Retry-After`.
    pub throttled: Schedule,
    /// The schedule for the pair limit (131056), per recipient.
    pub pair: Schedule,
    /// The longest `Retry-After` the layer waits for; a longer one fails the call at once
    /// (an automatic retry should not sit through it, nor retry before it).
    pub max_retry_after: Duration,
    /// The Graph codes that close the shared outage gate (code 2 and any code of the outage
    /// class always do).
    pub gate_codes: Vec<i64>,
    /// The shared retry budget; `None` does not limit retries by a budget.
    pub budget: Option<BudgetConfig>,
    /// Called with every retry decision.
    pub observer: Option<RetryObserver>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            outage: Schedule::outage(),
            transient: Schedule::transient(),
            throttled: Schedule::throttled(),
            pair: Schedule::pair(),
            max_retry_after: Duration::from_secs(60),
            gate_codes: vec![2, 131_016, 133_004],
            budget: Some(BudgetConfig::default()),
            observer: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("outage", &self.outage)
            .field("transient", &self.transient)
            .field("throttled", &self.throttled)
            .field("pair", &self.pair)
            .field("max_retry_after", &self.max_retry_after)
            .field("gate_codes", &self.gate_codes)
            .field("budget", &self.budget)
            .field(
                "observer",
                &self.observer.as_ref().map(|_| "Fn(&RetryEvent)"),
            )
            .finish()
    }
}

impl RetryPolicy {
    /// A policy that never retries (the outage gate still holds calls back while another call
    /// has seen an outage).
    pub fn none() -> Self {
        RetryPolicy {
            outage: Schedule::none(),
            transient: Schedule::none(),
            throttled: Schedule::none(),
            pair: Schedule::none(),
            ..RetryPolicy::default()
        }
    }

    /// Sets the outage schedule.
    pub fn outage(mut self, schedule: Schedule) -> Self {
        self.outage = schedule;
        self
    }

    /// Sets the transient schedule.
    pub fn transient(mut self, schedule: Schedule) -> Self {
        self.transient = schedule;
        self
    }

    /// Sets the throttled schedule.
    pub fn throttled(mut self, schedule: Schedule) -> Self {
        self.throttled = schedule;
        self
    }

    /// Sets the pair-limit schedule.
    pub fn pair(mut self, schedule: Schedule) -> Self {
        self.pair = schedule;
        self
    }

    /// Sets the longest `Retry-After` honoured.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Sets the codes that close the outage gate.
    pub fn gate_codes(mut self, codes: impl IntoIterator<Item = i64>) -> Self {
        self.gate_codes = codes.into_iter().collect();
        self
    }

    /// Sets (or removes, with `None`) the retry budget.
    pub fn budget(mut self, budget: Option<BudgetConfig>) -> Self {
        self.budget = budget;
        self
    }

    /// Calls `observer` with every retry decision (e.g. to print each retry and its wait).
    pub fn on_event(mut self, observer: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The schedule of a class (`None` for classes that are never retried).
    pub fn schedule(&self, class: RetryClass) -> Option<&Schedule> {
        match class {
            RetryClass::Outage => Some(&self.outage),
            RetryClass::Transient => Some(&self.transient),
            RetryClass::Throttled => Some(&self.throttled),
            RetryClass::Pair => Some(&self.pair),
            _ => None,
        }
    }

    fn schedule_or_none(&self, class: RetryClass) -> Schedule {
        self.schedule(class).copied().unwrap_or_else(Schedule::none)
    }
}

/// What the retry layer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryEventKind {
    /// An attempt failed and the call will try again after `delay`.
    Retrying,
    /// This call's failure closed the outage gate: calls wait, the first probe goes after `delay`.
    OutageStarted,
    /// The call reached a closed gate and waits (the next probe is due after `delay`).
    WaitingForOutage,
    /// The call sends its request as the outage gate's probe.
    Probing,
    /// A probe got an answer: the gate is open again (`delay` is how long the outage lasted).
    OutageEnded,
    /// The call stops retrying and fails.
    GaveUp,
}

/// One retry decision, as the observer and the tracing events see it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryEvent {
    /// What happened.
    pub kind: RetryEventKind,
    /// The call's operation.
    pub operation: Operation,
    /// The call's correlation id, when it has one.
    pub correlation_id: Option<String>,
    /// Attempts this call has made so far (for [`RetryEventKind::Probing`]: the attempt about
    /// to be sent).
    pub attempt: u32,
    /// The retry class of the failure, when there is one.
    pub class: Option<RetryClass>,
    /// The Graph error code of the failure, when the API sent one.
    pub code: Option<i64>,
    /// The HTTP status of the failure, when an answer came.
    pub status: Option<u16>,
    /// The wait chosen (see [`RetryEventKind`] for what it measures).
    pub delay: Duration,
    /// Time since the call entered the retry layer.
    pub elapsed: Duration,
    /// Why.
    pub reason: String,
}

impl fmt::Display for RetryEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} attempt {}", self.operation, self.attempt)?;
        if let Some(code) = self.code {
            write!(f, ", code {code}")?;
        } else if let Some(status) = self.status {
            write!(f, ", HTTP {status}")?;
        }
        if let Some(class) = self.class {
            write!(f, " ({class:?})")?;
        }
        match self.kind {
            RetryEventKind::Retrying => write!(f, ": retrying in {:.1?}", self.delay)?,
            RetryEventKind::OutageStarted => write!(
                f,
                ": API outage, holding calls back; first probe in {:.1?}",
                self.delay
            )?,
            RetryEventKind::WaitingForOutage => write!(
                f,
                ": waiting for the API outage to end (next probe in {:.1?})",
                self.delay
            )?,
            RetryEventKind::Probing => write!(f, ": probing whether the API is back")?,
            RetryEventKind::OutageEnded => {
                write!(f, ": the API is back after {:.1?}", self.delay)?;
            }
            RetryEventKind::GaveUp => write!(f, ": giving up after {:.1?}", self.elapsed)?,
        }
        write!(f, " ({})", self.reason)
    }
}

/// The retry middleware. Clones share the outage gate, the budget and the pair holds (as do
/// clones of a [`Client`](crate::Client), which share one layer).
#[derive(Clone)]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
    clock: SharedClock,
    shared: Arc<Shared>,
    /// The clearance every attempt carries (asks this layer's gate), built once.
    clearance: SendClearance,
}

#[derive(Debug)]
struct Shared {
    gate: Gate,
    budget: RetryBudget,
    pairs: PairHolds,
}

impl fmt::Debug for RetryLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .field("outage", &self.outage_in_progress())
            .field("budget_remaining", &self.budget_remaining())
            .finish_non_exhaustive()
    }
}

impl RetryLayer {
    /// A retry layer with this policy, waiting on this clock.
    pub fn new(policy: RetryPolicy, clock: SharedClock) -> Self {
        RetryLayer::with_shared_gate(policy, clock, None)
    }

    /// A retry layer whose outage gate defers to `gate`, shared with other processes (see
    /// [`shared`](crate::layers::shared)): one probe at a time across all of them. `None` keeps
    /// the gate in this process.
    pub fn with_shared_gate(
        policy: RetryPolicy,
        clock: SharedClock,
        gate: Option<Arc<dyn crate::layers::shared::SharedGate>>,
    ) -> Self {
        let shared = Arc::new(Shared {
            gate: Gate::with_remote(gate),
            budget: RetryBudget::new(policy.budget),
            pairs: PairHolds::default(),
        });
        let asked = Arc::clone(&shared);
        RetryLayer {
            shared,
            policy: Arc::new(policy),
            clock,
            clearance: SendClearance::new(move || asked.gate.is_open()),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Whether the outage gate is closed right now.
    pub fn outage_in_progress(&self) -> bool {
        self.shared.gate.next_probe().is_some()
    }

    /// Tokens left in the retry budget (`None` without a budget).
    pub fn budget_remaining(&self) -> Option<u32> {
        self.shared.budget.remaining()
    }
}

/// One call's progress through the layer.
struct CallState {
    /// The request's facts. Until [`CallState::complete`], a copy without the text fields
    /// (phone number id, recipient, correlation id), which the success path never reads:
    /// copying them costs several allocations per send. Every path that reads them (waits,
    /// events, errors, retries) completes the copy first, from the extensions, and reads them
    /// through [`CallState::whole_facts`].
    facts: RequestFacts,
    /// Whether `facts` is the whole copy.
    whole: bool,
    /// Whether the facts name a recipient (known before the copy is whole).
    has_recipient: bool,
    start: Instant,
    attempts: u32,
    /// The call's last event already told that it waits for the outage gate.
    announced: bool,
}

impl CallState {
    /// The state of a call with these facts (`None`: the layer used in another stack, without
    /// facts: assume the worst, side effects).
    fn new(facts: Option<&RequestFacts>, start: Instant) -> CallState {
        let (facts, whole, has_recipient) = match facts {
            Some(facts) => (
                RequestFacts {
                    operation: facts.operation,
                    phone_number_id: String::new(),
                    recipient: None,
                    message_type: facts.message_type,
                    correlation_id: None,
                    retry_unknown_outcome: facts.retry_unknown_outcome,
                    deadline: facts.deadline,
                    resend: None,
                },
                false,
                facts.recipient.is_some(),
            ),
            None => (RequestFacts::new(Operation::Send, ""), true, false),
        };
        CallState {
            facts,
            whole,
            has_recipient,
            start,
            attempts: 0,
            announced: false,
        }
    }

    /// Makes `facts` the whole copy of the request's facts (once).
    fn complete(&mut self, extensions: &Extensions) {
        if self.whole {
            return;
        }
        self.whole = true;
        if let Some(facts) = RequestFacts::of(extensions) {
            self.facts = facts.clone();
        }
    }

    /// The whole copy of the facts, text fields included: for the paths that read those, after
    /// [`CallState::complete`] (checked in debug builds, so that a path that forgot it fails its
    /// tests instead of reporting an empty recipient or correlation id).
    fn whole_facts(&self) -> &RequestFacts {
        debug_assert!(
            self.whole,
            "the retry layer read the facts' text fields before CallState::complete"
        );
        &self.facts
    }

    fn event(&self, kind: RetryEventKind, now: Instant, reason: impl Into<String>) -> RetryEvent {
        RetryEvent {
            kind,
            operation: self.facts.operation,
            correlation_id: self.whole_facts().correlation_id.clone(),
            attempt: self.attempts,
            class: None,
            code: None,
            status: None,
            delay: Duration::ZERO,
            elapsed: now.saturating_duration_since(self.start),
            reason: reason.into(),
        }
    }

    fn failure_event(
        &self,
        kind: RetryEventKind,
        now: Instant,
        failure: &Failure,
        delay: Duration,
        reason: impl Into<String>,
    ) -> RetryEvent {
        RetryEvent {
            class: Some(failure.class),
            code: failure.code,
            status: failure.status,
            delay,
            ..self.event(kind, now, reason)
        }
    }

    fn deadline_error(&self, stage: &str) -> reqwest_middleware::Error {
        let deadline = self.facts.deadline.map_or(Duration::ZERO, |deadline| {
            deadline.saturating_duration_since(self.start)
        });
        Error::DeadlineExceeded(Box::new(DeadlineExceeded {
            deadline,
            stage: stage.to_owned(),
            sent: SentState::NotSent,
        }))
        .into_middleware()
    }
}

impl RetryLayer {
    /// The API answered: an outage, if one was on, is over. This call's probe resolves it, or
    /// the gate hears it; the event says how long it lasted.
    fn outage_over(
        &self,
        probe: Option<gate::ProbeSlot<'_>>,
        call: &mut CallState,
        extensions: &Extensions,
        now: Instant,
        reason: &str,
    ) {
        let lasted = match probe {
            Some(slot) => slot.up(now),
            None => self.shared.gate.report_up(now),
        };
        if let Some(lasted) = lasted {
            call.complete(extensions);
            self.emit(&RetryEvent {
                delay: lasted,
                ..call.event(RetryEventKind::OutageEnded, now, reason)
            });
        }
    }

    fn emit(&self, event: &RetryEvent) {
        let delay_ms = u64::try_from(event.delay.as_millis()).unwrap_or(u64::MAX);
        let elapsed_ms = u64::try_from(event.elapsed.as_millis()).unwrap_or(u64::MAX);
        let class = event.class.map(|class| format!("{class:?}"));
        match event.kind {
            RetryEventKind::GaveUp => tracing::warn!(
                target: "wacloud::retry",
                kind = ?event.kind,
                operation = %event.operation,
                correlation_id = event.correlation_id.as_deref(),
                attempt = event.attempt,
                code = event.code,
                status = event.status,
                class = class.as_deref(),
                elapsed_ms,
                reason = %event.reason,
                "giving up"
            ),
            RetryEventKind::WaitingForOutage | RetryEventKind::Probing => tracing::debug!(
                target: "wacloud::retry",
                kind = ?event.kind,
                operation = %event.operation,
                correlation_id = event.correlation_id.as_deref(),
                attempt = event.attempt,
                delay_ms,
                elapsed_ms,
                reason = %event.reason,
                "outage gate"
            ),
            _ => tracing::info!(
                target: "wacloud::retry",
                kind = ?event.kind,
                operation = %event.operation,
                correlation_id = event.correlation_id.as_deref(),
                attempt = event.attempt,
                code = event.code,
                status = event.status,
                class = class.as_deref(),
                delay_ms,
                elapsed_ms,
                reason = %event.reason,
                "retry"
            ),
        }
        telemetry::layers::retry_event(event);
        if let Some(observer) = &self.policy.observer {
            observer(event);
        }
    }

    /// Fails the call: the raw failure when it was never retried, `RetriesExhausted` otherwise.
    fn give_up(
        &self,
        call: &CallState,
        failure: Box<Failure>,
        reason: &str,
    ) -> reqwest_middleware::Result<Response> {
        let now = self.clock.now();
        self.emit(&call.failure_event(
            RetryEventKind::GaveUp,
            now,
            &failure,
            Duration::ZERO,
            reason,
        ));
        if call.attempts <= 1 {
            return failure.into_raw();
        }
        let class = failure.class;
        Err(Error::RetriesExhausted(Box::new(RetriesExhausted {
            attempts: call.attempts,
            elapsed: now.saturating_duration_since(call.start),
            class,
            last: failure.into_error(call.whole_facts()),
        }))
        .into_middleware())
    }

    /// Waits out a pair hold on the call's recipient.
    async fn wait_pair_hold(&self, call: &CallState) -> Result<(), reqwest_middleware::Error> {
        let Some(recipient) = call.whole_facts().recipient.as_ref() else {
            return Ok(());
        };
        if !self.shared.pairs.any() {
            return Ok(());
        }
        let now = self.clock.now();
        let Some(until) = self.shared.pairs.until(&recipient_key(recipient), now) else {
            return Ok(());
        };
        if call.facts.deadline.is_some_and(|deadline| deadline < until) {
            self.emit(&call.event(
                RetryEventKind::GaveUp,
                now,
                "the deadline comes before this recipient's pair-limit wait ends",
            ));
            return Err(call.deadline_error("waiting for this recipient's pair rate limit"));
        }
        self.clock.sleep_until(until).await;
        Ok(())
    }

    /// Waits at the outage gate.
    async fn wait_gate(&self, call: &CallState) -> Result<Option<gate::ProbeSlot<'_>>, GateStop> {
        let gate = &self.shared.gate;
        // The gate is open almost always: then there is nothing to announce or wait for.
        let Some(next_probe) = gate.next_probe() else {
            return Ok(None);
        };
        if !call.announced {
            let now = self.clock.now();
            self.emit(&RetryEvent {
                delay: next_probe.saturating_duration_since(now),
                ..call.event(
                    RetryEventKind::WaitingForOutage,
                    now,
                    "the API reported an outage; one probe at a time tests recovery",
                )
            });
        }
        let policy = Arc::clone(&self.policy);
        let start = call.start;
        let budget_end =
            move |class: RetryClass| start.checked_add(policy.schedule_or_none(class).max_elapsed);
        match gate
            .pass(&*self.clock, call.facts.deadline, &budget_end)
            .await
        {
            Pass::Open => Ok(None),
            Pass::Probe(slot) => {
                self.emit(&RetryEvent {
                    // The attempt about to be sent.
                    attempt: call.attempts.saturating_add(1),
                    ..call.event(
                        RetryEventKind::Probing,
                        self.clock.now(),
                        "this call's request tests whether the API is back",
                    )
                });
                Ok(Some(slot))
            }
            Pass::Deadline => Err(GateStop::Deadline),
            Pass::Exhausted { class, last } => Err(GateStop::Exhausted { class, last }),
        }
    }
}

/// Where the request of each attempt after the first comes from.
enum Resender {
    /// Rebuilt from the client's recipe when a retry is due: the request the layer received
    /// is exactly what the recipe builds, so nothing is copied before an attempt.
    Recipe(Resend),
    /// A copy of the request, made before each attempt (a request the client's recipe does
    /// not describe, e.g. changed by a layer outside this one). `None` once the request could
    /// not be copied (a streamed body): it is sent once, without retries.
    Copy(Option<Box<Request>>),
}

impl Resender {
    fn for_request(request: Option<&Request>, extensions: &Extensions) -> Resender {
        match (request, Resend::of(extensions)) {
            (Some(request), Some(recipe)) if recipe.matches(request) => {
                Resender::Recipe(recipe.clone())
            }
            _ => Resender::Copy(None),
        }
    }

    /// The request of the next attempt: `fresh` (the one received) first, then rebuilt or
    /// copied ones. `None` when there is none left to send.
    fn next(&mut self, fresh: Option<Box<Request>>, operation: Operation) -> Option<Box<Request>> {
        match (fresh, self) {
            (Some(request), Resender::Recipe(_)) => Some(request),
            (None, Resender::Recipe(recipe)) => Some(Box::new(recipe.request())),
            (fresh, Resender::Copy(kept)) => {
                let request = fresh.or_else(|| kept.take())?;
                *kept = request.try_clone().map(Box::new);
                if kept.is_none() {
                    tracing::warn!(
                        target: "wacloud::retry",
                        operation = %operation,
                        "the request body cannot be cloned (a stream): it is sent once, without retries"
                    );
                }
                Some(request)
            }
        }
    }

    /// Whether another attempt can be sent.
    fn can_resend(&self) -> bool {
        match self {
            Resender::Recipe(_) => true,
            Resender::Copy(kept) => kept.is_some(),
        }
    }
}

enum GateStop {
    Deadline,
    Exhausted { class: RetryClass, last: LastAnswer },
}

fn last_answer(failure: &Failure) -> Option<LastAnswer> {
    let graph = Box::new(failure.graph()?.clone());
    Some(LastAnswer {
        status: failure.status.unwrap_or(0),
        graph,
    })
}

impl RetryLayer {
    /// The layer's work, with `next` for what comes after it (the rest of a
    /// `reqwest_middleware` stack, or the next layer of a fused run).
    fn run_with<'a, N: Inner>(
        &'a self,
        req: Box<Request>,
        extensions: &'a mut Extensions,
        next: &'a N,
    ) -> impl std::future::Future<Output = reqwest_middleware::Result<Response>> + Send + 'a {
        // The request goes in as the attempts' own `Option`: one place in the future for it.
        self.attempts(Some(req), extensions, next)
    }

    /// Sends the request (`fresh`, taken by the first attempt) until an answer is final.
    async fn attempts<N: Inner>(
        &self,
        mut fresh: Option<Box<Request>>,
        extensions: &mut Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        let mut call = CallState::new(RequestFacts::of(extensions), self.clock.now());
        // The request of the next attempt: the one received, then a rebuilt or copied one.
        let mut resender = Resender::for_request(fresh.as_deref(), extensions);
        // Boxed: a failure is large, and rare.
        let mut last: Option<Box<Failure>> = None;
        loop {
            // The waits are boxed, and only entered when there is something to wait for: their
            // state would otherwise make every call's future larger (and each move of it dearer).
            if call.has_recipient && self.shared.pairs.any() {
                call.complete(extensions);
                Box::pin(self.wait_pair_hold(&call)).await?;
            }
            let gate_pass = if self.shared.gate.next_probe().is_none() {
                Ok(None)
            } else {
                call.complete(extensions);
                Box::pin(self.wait_gate(&call)).await
            };
            call.announced = false;
            let probe = match gate_pass {
                Ok(probe) => probe,
                Err(GateStop::Deadline) => {
                    self.emit(&call.event(
                        RetryEventKind::GaveUp,
                        self.clock.now(),
                        "the deadline passed while waiting for the API outage to end",
                    ));
                    return Err(call.deadline_error("waiting for the API outage to end"));
                }
                Err(GateStop::Exhausted { class, last: seen }) => {
                    if let Some(failure) = last.take() {
                        return self.give_up(
                            &call,
                            failure,
                            "the outage outlasted this call's retry schedule",
                        );
                    }
                    let now = self.clock.now();
                    self.emit(&RetryEvent {
                        class: Some(class),
                        code: Some(seen.graph.code),
                        status: Some(seen.status),
                        ..call.event(
                            RetryEventKind::GaveUp,
                            now,
                            "the outage outlasted this call's retry schedule",
                        )
                    });
                    return Err(Error::RetriesExhausted(Box::new(RetriesExhausted {
                        attempts: call.attempts,
                        elapsed: now.saturating_duration_since(call.start),
                        class,
                        last: crate::client::api_error(seen.status, *seen.graph),
                    }))
                    .into_middleware());
                }
            };

            // Scoped, so that the request and the raw result take no room in the future
            // beyond their use.
            let (attempt, sent) = {
                let Some(request) = resender.next(fresh.take(), call.facts.operation) else {
                    // Unreachable: the loop only continues while the request can be sent again.
                    return match last {
                        Some(failure) => failure.into_raw(),
                        None => Err(Error::Validation(crate::error::ValidationError::new(
                            "request",
                            "the retry layer lost its request",
                        ))
                        .into_middleware()),
                    };
                };
                call.attempts += 1;
                if probe.is_some() {
                    // The probe must go out whatever the gate says: it is what tests recovery.
                    extensions.remove::<SendClearance>();
                } else {
                    extensions.insert(self.clearance.clone());
                }
                let attempt = telemetry::calls::attempt_span(call.attempts, &request);
                let sent = next.run(request, extensions).instrument(attempt.clone());
                (attempt, sent)
            };
            let (judging, refused_locally) = {
                let result = sent.await;
                if HeldBack::is(&result) {
                    telemetry::calls::held_back(&attempt);
                    // An inner layer waited and saw the gate close: nothing was sent, so this
                    // was not an attempt. Back to the gate.
                    call.attempts -= 1;
                    continue;
                }
                // An inner layer's own error (a fail-fast rate limit, a deadline that a permit
                // wait would overrun) sent nothing: it says nothing about the API.
                let refused_locally =
                    matches!(result, Err(reqwest_middleware::Error::Middleware(_)));
                // Boxed: reading the answer is most of a kilobyte of state (see `Boxed` in
                // `layers::chain`).
                (
                    Box::pin(classify::classify(result, &call.facts, &self.policy)),
                    refused_locally,
                )
            };
            // Scoped: the verdict takes no room in the future during the wait before a retry.
            let (now, failure) = {
                let verdict = judging.await;
                if !matches!(verdict, Verdict::Success(_)) {
                    call.complete(extensions);
                }
                telemetry::layers::attempt(
                    &attempt,
                    call.facts.operation,
                    last.as_ref().map(|failure| failure.class),
                    &verdict,
                );
                let now = self.clock.now();
                let failure = match verdict {
                    Verdict::Success(response) => {
                        self.outage_over(probe, &mut call, extensions, now, "an attempt succeeded");
                        self.shared.budget.deposit_success();
                        return Ok(response);
                    }
                    Verdict::Final {
                        result,
                        answered,
                        reason,
                        ..
                    } => {
                        if answered {
                            self.outage_over(
                                probe,
                                &mut call,
                                extensions,
                                now,
                                "the API answered a probe",
                            );
                        } else if refused_locally {
                            // Nothing was sent: the probe slot is freed unresolved, so another
                            // waiting call probes at once, on the same schedule step.
                            drop(probe);
                        } else if let Some(slot) = probe {
                            let policy = &self.policy;
                            slot.failed(now, None, &|class, step| {
                                policy.schedule_or_none(class).delay(step)
                            });
                        }
                        tracing::debug!(
                            target: "wacloud::retry",
                            operation = %call.facts.operation,
                            attempt = call.attempts,
                            reason,
                            "not retried"
                        );
                        return result;
                    }
                    Verdict::Retry(failure) => Box::new(failure),
                };
                (now, failure)
            };

            let schedule = self.policy.schedule_or_none(failure.class);
            let elapsed = now.saturating_duration_since(call.start);

            if failure.gate {
                let policy = &self.policy;
                let delay_of =
                    |class: RetryClass, step: u32| policy.schedule_or_none(class).delay(step);
                let seen = last_answer(&failure);
                match (probe, seen) {
                    (Some(slot), seen) => {
                        let wait =
                            slot.failed(now, seen.map(|seen| (failure.class, seen)), &delay_of);
                        telemetry::calls::retry_wait(&attempt, wait);
                        self.emit(&call.failure_event(
                            RetryEventKind::Retrying,
                            now,
                            &failure,
                            wait,
                            "the probe failed; the next probe waits longer",
                        ));
                        call.announced = true;
                    }
                    (None, Some(seen)) => {
                        let first = delay_of(failure.class, 0);
                        if let Some(wait) =
                            self.shared
                                .gate
                                .report_failure(now, failure.class, seen, first)
                        {
                            self.emit(&call.failure_event(
                                RetryEventKind::OutageStarted,
                                now,
                                &failure,
                                wait,
                                "the API reported an outage",
                            ));
                            call.announced = true;
                        }
                    }
                    (None, None) => {}
                }
                if !resender.can_resend() {
                    return self.give_up(&call, failure, "the request cannot be cloned to retry");
                }
                // While the outage is a code 2 one, this call is as patient as the outage
                // schedule, whatever code its own last attempt got.
                let schedule = match self.shared.gate.outage_class() {
                    Some(RetryClass::Outage) => self.policy.outage,
                    _ => schedule,
                };
                if call.attempts > schedule.max_retries || elapsed >= schedule.max_elapsed {
                    return self.give_up(
                        &call,
                        failure,
                        "the outage outlasted this call's retry schedule",
                    );
                }
                last = Some(failure);
                continue;
            }

            // Not a gate failure. A probe that got an answer still proves the API is up.
            if let Some(slot) = probe {
                if failure.answered() {
                    if let Some(lasted) = slot.up(now) {
                        self.emit(&RetryEvent {
                            delay: lasted,
                            ..call.event(
                                RetryEventKind::OutageEnded,
                                now,
                                "the API answered a probe",
                            )
                        });
                    }
                } else {
                    let policy = &self.policy;
                    slot.failed(now, None, &|class, step| {
                        policy.schedule_or_none(class).delay(step)
                    });
                }
            }
            let retries = call.attempts - 1;
            if !resender.can_resend() {
                return self.give_up(&call, failure, "the request cannot be cloned to retry");
            }
            if retries >= schedule.max_retries {
                return self.give_up(&call, failure, "no retries left in this class's schedule");
            }
            let mut delay = match failure.retry_after {
                Some(wait) if wait > self.policy.max_retry_after => {
                    return self.give_up(
                        &call,
                        failure,
                        "the server's Retry-After is longer than the policy waits",
                    );
                }
                Some(wait) => schedule::stretch(wait, schedule.jitter),
                None => schedule.delay(retries),
            };
            let remaining = schedule.max_elapsed.saturating_sub(elapsed);
            if remaining.is_zero() {
                return self.give_up(&call, failure, "this class's retry time is used up");
            }
            if delay > remaining {
                if failure.retry_after.is_some() {
                    return self.give_up(
                        &call,
                        failure,
                        "the server's Retry-After goes past this class's retry time",
                    );
                }
                // The last attempt lands at the end of the schedule's time.
                delay = remaining;
            }
            if call.facts.deadline.is_some_and(|deadline| {
                now.checked_add(delay).map_or(true, |next| next >= deadline)
            }) {
                return self.give_up(
                    &call,
                    failure,
                    "the call's deadline comes before the next attempt",
                );
            }
            if !self.shared.budget.try_withdraw(failure.timeout) {
                return self.give_up(
                    &call,
                    failure,
                    "the client's retry budget is empty (too many recent failures)",
                );
            }
            let reason = match (failure.class, failure.retry_after) {
                (_, Some(wait)) => format!("{}; honouring Retry-After of {wait:?}", failure.reason),
                (RetryClass::Pair, _) => format!(
                    "{}; this recipient waits, other recipients go on",
                    failure.reason
                ),
                _ => failure.reason.to_owned(),
            };
            self.emit(&call.failure_event(RetryEventKind::Retrying, now, &failure, delay, reason));
            telemetry::calls::retry_wait(&attempt, delay);
            if failure.class == RetryClass::Pair {
                if let Some(recipient) = call.whole_facts().recipient.as_ref() {
                    self.shared
                        .pairs
                        .hold(recipient_key(recipient), later(now, delay));
                }
            }
            self.clock.sleep(delay).await;
            last = Some(failure);
        }
    }
}

crate::layers::chain::builtin_layer!(RetryLayer);
