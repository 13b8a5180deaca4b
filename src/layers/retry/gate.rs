//! The outage gate shared by every clone of a client, and the per-recipient pair holds.
//!
//! When the API reports an outage (code 2, or another gate code), sending more requests only
//! adds load and burns attempts. The gate closes: every call waits instead of sending, and one
//! call at a time, on the backoff schedule, sends its real request as a probe. When a probe gets
//! an answer, the gate opens and the waiting calls go on at once (the rate-limit layer paces
//! them). So during an outage of T seconds with N waiting calls the server sees about
//! N + T / backoff requests, not N times the attempts.
//!
//! With a [shared gate](crate::layers::shared::SharedGate) (several replicas), this gate still
//! holds the process's waiters, but the call due to probe first asks the shared gate for the
//! probe lease: only the instance holding it probes, the others wait as it says and learn there
//! that the gate opened. Closing, a failed probe and an answer are reported to it too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use crate::error::{GraphError, RetryClass};
use crate::layers::shared::{Lease, ProbeTurn, SharedGate};
use crate::messages::UserRef;
use crate::time::{later, Clock, Instant};

/// The last error answer seen during an outage, for calls that give up while waiting.
#[derive(Debug, Clone)]
pub(crate) struct LastAnswer {
    pub(crate) status: u16,
    pub(crate) graph: Box<GraphError>,
}

#[derive(Debug)]
enum State {
    Open,
    Closed(Box<Outage>),
}

#[derive(Debug)]
struct Guarded {
    state: State,
    /// Failed probes since the gate was created: lets a waiter past its budget tell whether a
    /// probe failed after its budget ended.
    failed_probes: u64,
    /// Outages since the gate was created: the number of the current (or last) one.
    outages: u64,
}

#[derive(Debug)]
struct Outage {
    /// Which outage this is: a probe slot taken in an earlier one must not touch it.
    epoch: u64,
    since: Instant,
    class: RetryClass,
    step: u32,
    next_probe: Instant,
    probing: bool,
    last: LastAnswer,
}

/// What a call waiting at the gate got.
pub(crate) enum Pass<'a> {
    /// The gate is open: send.
    Open,
    /// The gate is closed and this call is the probe: send, then report.
    Probe(ProbeSlot<'a>),
    /// The call's deadline came first.
    Deadline,
    /// The call's retry budget for the outage ran out while a probe was in flight.
    Exhausted { class: RetryClass, last: LastAnswer },
}

/// The shared gate.
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<Guarded>,
    changed: watch::Sender<u64>,
    /// The gate shared with other processes, if any.
    remote: Option<Arc<dyn SharedGate>>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate::with_remote(None)
    }
}

/// What a waiter does once it has looked at the gate.
enum Step<'a> {
    /// Sleep until then (`None`: until the gate changes).
    Wake(Option<Instant>),
    /// Ask the shared gate whether this slot may probe.
    Ask(ProbeSlot<'a>),
}

/// Escalates an outage's class: an outage (code 2) stays one until the gate opens, so that a
/// transient code during an API update does not cut the waiters' patience short.
fn stronger(current: RetryClass, new: RetryClass) -> RetryClass {
    if current == RetryClass::Outage {
        current
    } else {
        new
    }
}

impl Gate {
    /// A gate that defers to `remote` (shared with other processes) before each probe.
    pub(crate) fn with_remote(remote: Option<Arc<dyn SharedGate>>) -> Self {
        Gate {
            state: Mutex::new(Guarded {
                state: State::Open,
                failed_probes: 0,
                outages: 0,
            }),
            changed: watch::Sender::new(0),
            remote,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Guarded> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn notify(&self) {
        self.changed.send_modify(|generation| {
            *generation = generation.wrapping_add(1);
        });
    }

    /// Whether an outage is going on; if so, when the next probe is due.
    pub(crate) fn next_probe(&self) -> Option<Instant> {
        match &self.lock().state {
            State::Open => None,
            State::Closed(outage) => Some(outage.next_probe),
        }
    }

    /// Whether no outage is going on.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.lock().state, State::Open)
    }

    /// The class of the outage going on, if any.
    pub(crate) fn outage_class(&self) -> Option<RetryClass> {
        match &self.lock().state {
            State::Open => None,
            State::Closed(outage) => Some(outage.class),
        }
    }

    /// Waits until the call may send: the gate is open, or it is this call's turn to probe.
    ///
    /// `budget_end` gives, for the outage's class, the instant this call stops retrying (`None`:
    /// never, the budget is too long to represent). A call
    /// that reaches it makes one last attempt as the probe (so that its final attempt lands at
    /// the end of its budget, after the 5 minutes of an update) unless a probe fails after that
    /// instant: then it gives up without sending. While a probe is in flight it waits for it.
    pub(crate) async fn pass(
        &self,
        clock: &dyn Clock,
        deadline: Option<Instant>,
        budget_end: &(dyn Fn(RetryClass) -> Option<Instant> + Send + Sync),
    ) -> Pass<'_> {
        let mut changes = self.changed.subscribe();
        // The failed-probe count when this call's budget ran out.
        let mut failed_at_end: Option<u64> = None;
        // When the shared gate said to ask again.
        let mut remote_not_before: Option<Instant> = None;
        loop {
            changes.borrow_and_update();
            let step = {
                let mut guarded = self.lock();
                let failed_probes = guarded.failed_probes;
                let State::Closed(outage) = &mut guarded.state else {
                    return Pass::Open;
                };
                let now = clock.now();
                if deadline.is_some_and(|deadline| now >= deadline) {
                    return Pass::Deadline;
                }
                let end = budget_end(outage.class);
                let past_end = end.is_some_and(|end| now >= end);
                if past_end {
                    let noted = *failed_at_end.get_or_insert(failed_probes);
                    if failed_probes > noted {
                        return Pass::Exhausted {
                            class: outage.class,
                            last: outage.last.clone(),
                        };
                    }
                }
                let remote_ready = remote_not_before.map_or(true, |at| now >= at);
                if !outage.probing && (now >= outage.next_probe || past_end) && remote_ready {
                    outage.probing = true;
                    let slot = ProbeSlot {
                        gate: self,
                        epoch: outage.epoch,
                        resolved: false,
                        lease: None,
                    };
                    if self.remote.is_none() {
                        return Pass::Probe(slot);
                    }
                    Step::Ask(slot)
                } else {
                    let mut wake_at = if outage.probing || past_end {
                        // Woken by the probe's result.
                        None
                    } else {
                        Some(end.map_or(outage.next_probe, |end| outage.next_probe.min(end)))
                    };
                    if let Some(at) = remote_not_before.filter(|_| !outage.probing) {
                        wake_at = Some(wake_at.map_or(at, |wake| wake.min(at)));
                    }
                    if let Some(deadline) = deadline {
                        wake_at = Some(wake_at.map_or(deadline, |at| at.min(deadline)));
                    }
                    Step::Wake(wake_at)
                }
            };
            let wake_at = match step {
                Step::Wake(wake_at) => wake_at,
                Step::Ask(slot) => match self.ask_remote(clock, slot).await {
                    Ok(pass) => return pass,
                    Err(wait) => {
                        remote_not_before = Some(later(clock.now(), wait));
                        continue;
                    }
                },
            };
            let sleep = async {
                match wake_at {
                    Some(at) => clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::pin!(sleep);
            tokio::select! {
                changed = changes.changed() => {
                    if changed.is_err() {
                        // Cannot happen (the sender lives in `self`); never spin if it did.
                        sleep.as_mut().await;
                    }
                }
                () = sleep.as_mut() => {}
            }
        }
    }

    /// Asks the shared gate whether `slot` may probe: the pass to return, or the wait before
    /// asking again.
    async fn ask_remote<'a>(
        &'a self,
        clock: &dyn Clock,
        mut slot: ProbeSlot<'a>,
    ) -> Result<Pass<'a>, Duration> {
        let Some(remote) = &self.remote else {
            return Ok(Pass::Probe(slot));
        };
        match remote.try_probe().await {
            ProbeTurn::Granted(lease) => {
                if let State::Closed(outage) = &mut self.lock().state {
                    if outage.epoch == slot.epoch {
                        // The next probe's wait follows the shared schedule.
                        outage.step = lease.step;
                    }
                }
                slot.lease = Some(lease);
                Ok(Pass::Probe(slot))
            }
            // The store is unreachable: this gate decides alone.
            ProbeTurn::Unavailable => Ok(Pass::Probe(slot)),
            ProbeTurn::Open => {
                slot.resolved = true;
                if let Some(lasted) = self.open_local(clock.now()) {
                    crate::telemetry::layers::gate_opened(lasted);
                    tracing::debug!(
                        target: "wacloud::retry",
                        ?lasted,
                        "another instance's probe ended the outage"
                    );
                }
                Ok(Pass::Open)
            }
            ProbeTurn::Wait(wait) => {
                slot.resolved = true;
                let now = clock.now();
                if let State::Closed(outage) = &mut self.lock().state {
                    if outage.epoch == slot.epoch {
                        outage.probing = false;
                        outage.next_probe = later(now, wait).max(outage.next_probe);
                    }
                }
                self.notify();
                Err(wait)
            }
        }
    }

    /// A call that was not the probe got a gate failure: closes the gate if it was open.
    /// Returns the wait until the first probe when this call closed it.
    pub(crate) fn report_failure(
        &self,
        now: Instant,
        class: RetryClass,
        last: LastAnswer,
        first_delay: Duration,
    ) -> Option<Duration> {
        let mut guarded = self.lock();
        match &mut guarded.state {
            State::Open => {
                guarded.outages = guarded.outages.wrapping_add(1);
                guarded.state = State::Closed(Box::new(Outage {
                    epoch: guarded.outages,
                    since: now,
                    class,
                    step: 0,
                    next_probe: later(now, first_delay),
                    probing: false,
                    last,
                }));
                drop(guarded);
                self.notify();
                if let Some(remote) = &self.remote {
                    remote.closed(first_delay);
                }
                Some(first_delay)
            }
            State::Closed(outage) => {
                outage.class = stronger(outage.class, class);
                outage.last = last;
                None
            }
        }
    }

    /// A call that was not the probe got an answer that proves the API is up: opens the gate.
    /// Returns how long the outage lasted when this call ended it.
    pub(crate) fn report_up(&self, now: Instant) -> Option<Duration> {
        let lasted = self.open_local(now);
        if let Some(remote) = self.remote.as_ref().filter(|_| lasted.is_some()) {
            remote.opened();
        }
        lasted
    }

    /// Opens this process's gate, without telling the shared one.
    fn open_local(&self, now: Instant) -> Option<Duration> {
        let mut guarded = self.lock();
        let State::Closed(outage) = &guarded.state else {
            return None;
        };
        let lasted = now.saturating_duration_since(outage.since);
        guarded.state = State::Open;
        drop(guarded);
        self.notify();
        Some(lasted)
    }
}

/// The right to probe; dropping it unresolved (a cancelled call) frees the slot for another.
///
/// A slot belongs to the outage it was taken in (its `epoch`): if that outage ended and another
/// began while the probe was in flight, the slot no longer frees or reschedules anything, since
/// the new outage has its own probe.
pub(crate) struct ProbeSlot<'a> {
    gate: &'a Gate,
    epoch: u64,
    resolved: bool,
    /// The shared gate's lease, when it granted one.
    lease: Option<Lease>,
}

impl ProbeSlot<'_> {
    /// The probe got an answer that proves the API is up: opens the gate for everyone.
    /// Returns how long the outage lasted.
    pub(crate) fn up(mut self, now: Instant) -> Option<Duration> {
        self.resolved = true;
        let lasted = self.gate.open_local(now);
        if let Some(remote) = &self.gate.remote {
            if lasted.is_some() || self.lease.is_some() {
                remote.opened();
            }
        }
        lasted
    }

    /// The probe failed: the next probe is due after the schedule's next step. Returns that wait.
    pub(crate) fn failed(
        mut self,
        now: Instant,
        failure: Option<(RetryClass, LastAnswer)>,
        delay: &dyn Fn(RetryClass, u32) -> Duration,
    ) -> Duration {
        self.resolved = true;
        let reclose = failure.is_some();
        let mut guarded = self.gate.lock();
        guarded.failed_probes = guarded.failed_probes.wrapping_add(1);
        let wait = match &mut guarded.state {
            // A probe from an earlier outage: its failure is news about the API, but the current
            // outage's probe and schedule are not its own.
            State::Closed(outage) if outage.epoch != self.epoch => {
                if let Some((class, last)) = failure {
                    outage.class = stronger(outage.class, class);
                    outage.last = last;
                }
                outage.next_probe.saturating_duration_since(now)
            }
            State::Closed(outage) => {
                if let Some((class, last)) = failure {
                    outage.class = stronger(outage.class, class);
                    outage.last = last;
                }
                outage.step = outage.step.saturating_add(1);
                let wait = delay(outage.class, outage.step);
                outage.next_probe = later(now, wait);
                outage.probing = false;
                wait
            }
            State::Open => match failure {
                // Another call's success opened the gate meanwhile, but this probe says the API
                // is down again: close it anew.
                Some((class, last)) => {
                    let wait = delay(class, 0);
                    guarded.outages = guarded.outages.wrapping_add(1);
                    guarded.state = State::Closed(Box::new(Outage {
                        epoch: guarded.outages,
                        since: now,
                        class,
                        step: 0,
                        next_probe: later(now, wait),
                        probing: false,
                        last,
                    }));
                    wait
                }
                None => Duration::ZERO,
            },
        };
        drop(guarded);
        self.gate.notify();
        if let (Some(remote), Some(lease)) = (&self.gate.remote, self.lease) {
            remote.probe_failed(lease, wait, reclose);
        }
        wait
    }
}

impl Drop for ProbeSlot<'_> {
    fn drop(&mut self) {
        if self.resolved {
            return;
        }
        if let (Some(remote), Some(lease)) = (&self.gate.remote, self.lease) {
            remote.release(lease);
        }
        if let State::Closed(outage) = &mut self.gate.lock().state {
            if outage.epoch == self.epoch {
                outage.probing = false;
            }
        }
        self.gate.notify();
    }
}

/// Per-recipient holds after a pair-limit error (131056): later sends to the same recipient
/// wait until the hold passes; other recipients are not affected.
#[derive(Debug, Default)]
pub(crate) struct PairHolds {
    holds: Mutex<HashMap<String, Instant>>,
    /// Whether any hold may be running: lets every send skip the lock (and the recipient's
    /// key) while no recipient is held, which is almost always.
    any: AtomicBool,
}

/// The key of a recipient: a phone number's digits, so that `+1 650 555 1234` and
/// `16505551234` match, or a user id as sent (see [`UserRef::key`]).
pub(crate) fn recipient_key(recipient: &UserRef) -> String {
    recipient.key()
}

impl PairHolds {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.holds
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Holds the recipient until `until` (never shortens an existing hold).
    pub(crate) fn hold(&self, key: String, until: Instant) {
        let mut holds = self.lock();
        self.any.store(true, Ordering::Release);
        let entry = holds.entry(key).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    /// The end of the recipient's hold, if one is still running; forgets expired holds.
    pub(crate) fn until(&self, key: &str, now: Instant) -> Option<Instant> {
        let mut holds = self.lock();
        holds.retain(|_, until| *until > now);
        if holds.is_empty() {
            // Under the lock: a hold added later sets the flag again.
            self.any.store(false, Ordering::Release);
        }
        holds.get(key).copied()
    }

    /// Whether some recipient may be on hold (`false`: none is, no need to look).
    pub(crate) fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TokioClock;

    fn last() -> LastAnswer {
        LastAnswer {
            status: 503,
            graph: Box::default(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_probe_at_a_time_and_drop_frees_the_slot() {
        let clock = TokioClock;
        let gate = Gate::default();
        let start = clock.now();
        let end = |_: RetryClass| Some(start + Duration::from_secs(1_000));
        assert!(matches!(gate.pass(&clock, None, &end).await, Pass::Open));
        gate.report_failure(start, RetryClass::Outage, last(), Duration::from_secs(1));
        let first = gate.pass(&clock, None, &end).await;
        assert!(matches!(first, Pass::Probe(_)));
        assert!(clock.now() - start >= Duration::from_secs(1));
        // A second caller waits while the probe is in flight, and takes over when it is dropped.
        let second = async {
            match gate.pass(&clock, None, &end).await {
                Pass::Probe(slot) => slot.up(clock.now()),
                _ => None,
            }
        };
        let release = async {
            clock.sleep(Duration::from_secs(5)).await;
            drop(first);
        };
        let (lasted, ()) = tokio::join!(second, release);
        assert!(lasted.is_some());
        assert!(matches!(gate.pass(&clock, None, &end).await, Pass::Open));
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_and_budget_end() {
        let clock = TokioClock;
        let gate = Gate::default();
        let start = clock.now();
        gate.report_failure(start, RetryClass::Outage, last(), Duration::from_secs(60));
        let end = |_: RetryClass| Some(start + Duration::from_secs(100));
        let deadline = Some(start + Duration::from_secs(10));
        assert!(matches!(
            gate.pass(&clock, deadline, &end).await,
            Pass::Deadline
        ));
        assert_eq!(clock.now() - start, Duration::from_secs(10));
        // Budget end before the next probe: a last attempt as the probe...
        let short = |_: RetryClass| Some(start + Duration::from_secs(30));
        let slot = gate.pass(&clock, None, &short).await;
        assert!(matches!(slot, Pass::Probe(_)));
        assert_eq!(clock.now() - start, Duration::from_secs(30));
        // ...a second caller past its budget waits for it, and gives up when it fails.
        let second = gate.pass(&clock, None, &short);
        let fail = async {
            clock.sleep(Duration::from_secs(2)).await;
            if let Pass::Probe(slot) = slot {
                slot.failed(clock.now(), None, &|_, step| {
                    Duration::from_secs(u64::from(step))
                })
            } else {
                Duration::ZERO
            }
        };
        let (second, wait) = tokio::join!(second, fail);
        assert_eq!(wait, Duration::from_secs(1));
        assert!(matches!(second, Pass::Exhausted { .. }));
    }

    /// A probe slot from an earlier outage, cancelled during a later one, must not free the
    /// later outage's probe slot: that would let a second probe go while the first is in flight.
    #[tokio::test(start_paused = true)]
    async fn a_stale_probe_slot_does_not_free_the_current_outage_slot() {
        let clock = TokioClock;
        let gate = Gate::default();
        let start = clock.now();
        let end = |_: RetryClass| Some(start + Duration::from_secs(1_000));
        let delay = |_: RetryClass, _: u32| Duration::from_secs(1);
        // An outage begins (the first probe due in 1 s) and this call takes its probe slot.
        let probe_new_outage = || async {
            gate.report_up(clock.now());
            gate.report_failure(
                clock.now(),
                RetryClass::Outage,
                last(),
                delay(RetryClass::Outage, 0),
            );
            match gate.pass(&clock, None, &end).await {
                Pass::Probe(slot) => slot,
                _ => panic!("the only caller probes"),
            }
        };
        // Whether a third caller still waits while the current probe is in flight.
        let third_waits =
            || tokio::time::timeout(Duration::from_secs(60), gate.pass(&clock, None, &end));

        // Outage 1's probe is in flight when another call's success ends the outage, and
        // outage 2's probe goes out. The stale call is cancelled: the third caller must wait.
        let stale = probe_new_outage().await;
        let current = probe_new_outage().await;
        drop(stale);
        assert!(
            third_waits().await.is_err(),
            "a second probe went out while the current one was in flight"
        );
        drop(current);
        // Same for a stale probe that reports a failure: the current probe keeps its slot.
        let stale = probe_new_outage().await;
        let current = probe_new_outage().await;
        stale.failed(clock.now(), None, &delay);
        assert!(
            third_waits().await.is_err(),
            "a stale probe's failure freed the current probe's slot"
        );
        drop(current);
    }

    /// A shared gate of the test's own: answers from a list of turns, records the reports.
    #[derive(Debug, Default)]
    struct ScriptedRemote {
        turns: Mutex<std::collections::VecDeque<ProbeTurn>>,
        reports: Mutex<Vec<String>>,
    }

    impl ScriptedRemote {
        fn turns(&self, turns: impl IntoIterator<Item = ProbeTurn>) {
            self.turns.lock().unwrap().extend(turns);
        }

        fn report(&self, report: String) {
            self.reports.lock().unwrap().push(report);
        }

        fn reports(&self) -> Vec<String> {
            std::mem::take(&mut *self.reports.lock().unwrap())
        }
    }

    #[async_trait::async_trait]
    impl SharedGate for ScriptedRemote {
        fn closed(&self, first_probe_in: Duration) {
            self.report(format!("closed {first_probe_in:?}"));
        }

        async fn try_probe(&self) -> ProbeTurn {
            self.report("try".to_owned());
            let turn = self.turns.lock().unwrap().pop_front();
            turn.unwrap_or(ProbeTurn::Unavailable)
        }

        fn probe_failed(&self, lease: Lease, next_probe_in: Duration, reclose: bool) {
            self.report(format!(
                "failed {}/{} next {next_probe_in:?} reclose {reclose}",
                lease.epoch, lease.step
            ));
        }

        fn opened(&self) {
            self.report("opened".to_owned());
        }

        fn release(&self, lease: Lease) {
            self.report(format!("release {}", lease.epoch));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_shared_gate_decides_who_probes_and_hears_every_outcome() {
        let clock = TokioClock;
        let remote = Arc::new(ScriptedRemote::default());
        let gate = Gate::with_remote(Some(remote.clone()));
        let start = clock.now();
        let end = |_: RetryClass| Some(start + Duration::from_secs(1_000));
        let delay = |_: RetryClass, step: u32| Duration::from_secs(u64::from(step));
        let seconds = |from: Instant| (clock.now() - from).as_secs();

        gate.report_failure(start, RetryClass::Outage, last(), Duration::from_secs(1));
        assert_eq!(remote.reports(), ["closed 1s"]);

        // Another instance probes: this one waits as told, asks again, and gets the lease of
        // the shared outage 7 after 2 failed probes.
        remote.turns([
            ProbeTurn::Wait(Duration::from_secs(3)),
            ProbeTurn::Granted(Lease::new(7, 2)),
        ]);
        let Pass::Probe(slot) = gate.pass(&clock, None, &end).await else {
            panic!("the lease was granted");
        };
        assert_eq!(seconds(start), 4);
        // Its failure follows the shared schedule (step 3) and returns the lease.
        let wait = slot.failed(clock.now(), Some((RetryClass::Outage, last())), &delay);
        assert_eq!(wait, Duration::from_secs(3));
        assert_eq!(
            remote.reports(),
            ["try", "try", "failed 7/2 next 3s reclose true"]
        );

        // Another instance's probe opened the shared gate: learnt at the next probe time.
        let asked = clock.now();
        remote.turns([ProbeTurn::Open]);
        assert!(matches!(gate.pass(&clock, None, &end).await, Pass::Open));
        assert_eq!(seconds(asked), 3);
        assert!(gate.is_open());
        assert_eq!(remote.reports(), ["try"], "an opening learnt is not echoed");

        // A cancelled probe returns its lease; a successful one opens the shared gate.
        gate.report_failure(clock.now(), RetryClass::Outage, last(), Duration::ZERO);
        remote.turns([
            ProbeTurn::Granted(Lease::new(8, 0)),
            ProbeTurn::Granted(Lease::new(8, 0)),
        ]);
        let Pass::Probe(slot) = gate.pass(&clock, None, &end).await else {
            panic!("the lease was granted");
        };
        drop(slot);
        let Pass::Probe(slot) = gate.pass(&clock, None, &end).await else {
            panic!("the lease was granted again");
        };
        assert!(slot.up(clock.now()).is_some());
        assert_eq!(
            remote.reports(),
            ["closed 0ns", "try", "release 8", "try", "opened"]
        );

        // Redis unreachable: the local gate decides alone.
        gate.report_failure(clock.now(), RetryClass::Outage, last(), Duration::ZERO);
        let Pass::Probe(slot) = gate.pass(&clock, None, &end).await else {
            panic!("an unavailable shared gate leaves the decision here");
        };
        slot.failed(clock.now(), None, &delay);
        assert_eq!(
            remote.reports(),
            ["closed 0ns", "try"],
            "no lease, no report"
        );
    }

    #[test]
    fn pair_holds() {
        let holds = PairHolds::default();
        let now = Instant::now();
        let key = |text: &str| recipient_key(&UserRef::parse(text).unwrap());
        holds.hold(key("+1 650-555-0001"), now + Duration::from_secs(6));
        holds.hold(key("16505550001"), now + Duration::from_secs(1));
        holds.hold(key("US.16505550001"), now + Duration::from_secs(2));
        assert_eq!(
            holds.until("16505550001", now),
            Some(now + Duration::from_secs(6))
        );
        assert_eq!(holds.until("16505550002", now), None);
        // A BSUID made of the same digits is another user, with its own hold.
        assert_eq!(
            holds.until("US.16505550001", now),
            Some(now + Duration::from_secs(2))
        );
        assert_eq!(
            holds.until("16505550001", now + Duration::from_secs(7)),
            None
        );
    }
}
