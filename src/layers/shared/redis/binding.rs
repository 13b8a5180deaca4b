//! One client's view of the shared limits: its permits and its gate, with the local fallback.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ::redis::{FromRedisValue, RedisResult, ScriptInvocation};
use tokio::sync::{mpsc, oneshot};

use super::fallback::{Backoffs, LocalGcra, LocalPair};
use super::health::{Health, Route};
use super::scripts::{
    BACKOFF_SCRIPT, GATE_CLOSE_SCRIPT, GATE_FAILED_SCRIPT, GATE_OPEN_SCRIPT, GATE_RELEASE_SCRIPT,
    GATE_TRY_SCRIPT, PAIR_PERMIT_SCRIPT, PERMIT_SCRIPT,
};
use super::{Connection, GATE_TTL, MAX_HEALTH_BACKOFF, MAX_THROTTLE_BACKOFF};
use crate::layers::rate_limit::RateLimits;
use crate::layers::shared::{Lease, PermitRequest, ProbeTurn, SharedGate, SharedPermits};
use crate::time::{later, SharedClock};

/// The shortest wait the gate is told, so that a zero never makes it spin.
const MIN_WAIT: Duration = Duration::from_millis(1);

/// A limit as the script takes it: the emission interval in µs and the burst.
#[derive(Debug, Clone, Copy)]
struct Quota {
    interval_us: u64,
    burst: u32,
}

/// What the permits and the gate's worker share.
struct Core {
    connection: Arc<Connection>,
    clock: SharedClock,
    health: Health,
    /// This binding's name in probe leases.
    token: String,
    throughput: Option<Quota>,
    pair: Option<Quota>,
    local_throughput: Option<LocalGcra>,
    local_pair: Option<LocalPair>,
    backoffs: Backoffs,
}

/// One client's shared permits and gate.
pub(super) struct Binding {
    core: Arc<Core>,
    /// The queue of gate reports, applied in order by a task started at the first report.
    worker: OnceLock<Option<mpsc::UnboundedSender<GateOp>>>,
}

impl fmt::Debug for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBinding")
            .field("url", &self.core.connection.shown_url)
            .field("namespace", &self.core.connection.settings.namespace)
            .field("redis_down", &self.core.health.is_down())
            .finish_non_exhaustive()
    }
}

/// A report to the shared gate, or a question.
enum GateOp {
    Closed(Duration),
    Try(oneshot::Sender<ProbeTurn>),
    Failed(Lease, Duration, bool),
    Opened,
    Release(Lease),
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

impl Binding {
    pub(super) fn new(
        connection: Arc<Connection>,
        limits: &RateLimits,
        clock: SharedClock,
    ) -> Self {
        let settings = &connection.settings;
        let share = settings.fallback_share;
        let throughput = limits.throughput_per_second().map(|per_second| Quota {
            // Rounded up: never faster than the rate.
            interval_us: 1_000_000u64.div_ceil(u64::from(per_second.max(1))),
            burst: limits.throughput_burst_size().unwrap_or(per_second).max(1),
        });
        let pair = limits.pair_limit().map(|(interval, burst)| Quota {
            interval_us: micros(interval).max(1),
            burst: burst.max(1),
        });
        let local_throughput = throughput.map(|quota| {
            let per_second = 1e6 / quota.interval_us as f64 * share;
            LocalGcra::new(
                Duration::from_secs_f64(1.0 / per_second),
                (f64::from(quota.burst) * share).floor() as u32,
            )
        });
        // The pair limit is per user, not per number: no share (one user is rarely sent to by
        // several replicas at once).
        let local_pair = pair.map(|quota| {
            LocalPair::new(
                Duration::from_micros(quota.interval_us),
                quota.burst,
                Arc::clone(&clock),
            )
        });
        let health = Health::new(
            clock.now(),
            settings.health_backoff,
            MAX_HEALTH_BACKOFF.max(settings.health_backoff),
            share,
        );
        Binding {
            core: Arc::new(Core {
                connection,
                clock,
                health,
                token: format!("{:016x}", rand::random::<u64>()),
                throughput,
                pair,
                local_throughput,
                local_pair,
                backoffs: Backoffs::default(),
            }),
            worker: OnceLock::new(),
        }
    }

    /// Queues a gate report; `false` when no runtime can run the queue.
    fn send(&self, op: GateOp) -> bool {
        let worker = self.worker.get_or_init(|| {
            let runtime = tokio::runtime::Handle::try_current().ok()?;
            let (sender, mut receiver) = mpsc::unbounded_channel();
            let core = Arc::clone(&self.core);
            // Ends when the binding (the sender) is dropped.
            runtime.spawn(async move {
                while let Some(op) = receiver.recv().await {
                    core.apply(op).await;
                }
            });
            Some(sender)
        });
        worker
            .as_ref()
            .is_some_and(|worker| worker.send(op).is_ok())
    }
}

impl Core {
    fn settings(&self) -> &super::Settings {
        &self.connection.settings
    }

    fn key(&self, parts: &[&str]) -> String {
        let mut key = self.settings().namespace.clone();
        for part in parts {
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Runs a script if the health allows; `None` means "use the fallback".
    ///
    /// A call that finds the connection broken runs once more: the connection manager starts
    /// reconnecting when a call fails, so the second call gets the new connection (Redis
    /// restarted, or back after an outage) instead of the old failure.
    async fn shared<T: FromRedisValue>(&self, script: &ScriptInvocation<'_>) -> Option<T> {
        if self.health.route(self.clock.now()) == Route::Local {
            return None;
        }
        let mut again = true;
        loop {
            let result: RedisResult<T> = match self.connection.manager().await {
                Ok(mut manager) => script.invoke_async(&mut manager).await,
                Err(error) => Err(error),
            };
            match result {
                Ok(value) => {
                    self.health.answered();
                    return Some(value);
                }
                Err(error) if again && (error.is_io_error() || error.is_unrecoverable_error()) => {
                    again = false;
                }
                Err(error) => {
                    self.health.failed(self.clock.now(), &error);
                    return None;
                }
            }
        }
    }

    async fn permit(&self, request: PermitRequest<'_>) -> Result<(), Duration> {
        let (quota, script, keys) = match request {
            PermitRequest::Throughput { phone_number_id } => (
                self.throughput,
                &*PERMIT_SCRIPT,
                vec![
                    self.key(&["tp", phone_number_id]),
                    self.key(&["backoff", phone_number_id]),
                ],
            ),
            PermitRequest::Pair {
                phone_number_id,
                recipient,
            } => (
                self.pair,
                &*PAIR_PERMIT_SCRIPT,
                vec![self.key(&["pair", phone_number_id, recipient])],
            ),
        };
        let Some(quota) = quota else {
            return Ok(());
        };
        let mut script = script.prepare_invoke();
        script.key(keys).arg(quota.interval_us).arg(quota.burst);
        let answer = self.shared::<Vec<i64>>(&script).await;
        match answer.as_deref() {
            Some([1, ..]) => Ok(()),
            Some([0, wait_us, ..]) => Err(Duration::from_micros(
                u64::try_from(*wait_us).unwrap_or(0).max(1),
            )),
            // Down, or an answer this version does not know: decide locally.
            _ => self.local_permit(request),
        }
    }

    /// The permit decided in this process, while Redis cannot decide it.
    fn local_permit(&self, request: PermitRequest<'_>) -> Result<(), Duration> {
        let now = self.clock.now();
        match request {
            PermitRequest::Throughput { phone_number_id } => {
                if let Some(wait) = self.backoffs.wait(phone_number_id, now) {
                    return Err(wait);
                }
                self.local_throughput
                    .as_ref()
                    .map_or(Ok(()), |local| local.take(phone_number_id, now))
            }
            PermitRequest::Pair {
                phone_number_id,
                recipient,
            } => self.local_pair.as_ref().map_or(Ok(()), |local| {
                local.take(&format!("{phone_number_id}\u{0}{recipient}"))
            }),
        }
    }

    async fn throttled(&self, phone_number_id: &str, retry_after: Option<Duration>) {
        let wait = retry_after
            .unwrap_or(self.settings().throttle_backoff)
            .min(MAX_THROTTLE_BACKOFF);
        // Kept locally too, should Redis go away before the back-off ends.
        self.backoffs
            .hold(phone_number_id, later(self.clock.now(), wait));
        let mut script = BACKOFF_SCRIPT.prepare_invoke();
        script
            .key(self.key(&["backoff", phone_number_id]))
            .arg(millis(wait));
        self.shared::<i64>(&script).await;
    }

    /// Applies one gate report, or answers one question.
    async fn apply(&self, op: GateOp) {
        let gate = self.key(&["gate"]);
        let lease_key = self.key(&["gate", "lease"]);
        let ttl = millis(GATE_TTL);
        match op {
            GateOp::Try(reply) => {
                let mut script = GATE_TRY_SCRIPT.prepare_invoke();
                script
                    .key(gate)
                    .key(lease_key)
                    .arg(&self.token)
                    .arg(millis(self.settings().probe_lease))
                    .arg(micros(self.settings().probe_poll));
                let answer = self.shared::<Vec<i64>>(&script).await;
                let turn = match answer.as_deref() {
                    Some([0, ..]) => ProbeTurn::Open,
                    Some([1, wait_us, ..]) => ProbeTurn::Wait(
                        Duration::from_micros(u64::try_from(*wait_us).unwrap_or(0)).max(MIN_WAIT),
                    ),
                    Some([2, epoch, step, ..]) => ProbeTurn::Granted(Lease::new(
                        u64::try_from(*epoch).unwrap_or(0),
                        u32::try_from(*step).unwrap_or(0),
                    )),
                    _ => ProbeTurn::Unavailable,
                };
                let _ = reply.send(turn);
            }
            GateOp::Closed(first) => {
                let mut script = GATE_CLOSE_SCRIPT.prepare_invoke();
                script.key(gate).arg(micros(first)).arg(ttl);
                self.shared::<i64>(&script).await;
            }
            GateOp::Failed(lease, next, reclose) => {
                let mut script = GATE_FAILED_SCRIPT.prepare_invoke();
                script
                    .key(gate)
                    .key(lease_key)
                    .arg(&self.token)
                    .arg(lease.epoch)
                    .arg(micros(next))
                    .arg(ttl)
                    .arg(u8::from(reclose));
                self.shared::<i64>(&script).await;
            }
            GateOp::Opened => {
                let mut script = GATE_OPEN_SCRIPT.prepare_invoke();
                script.key(gate).key(lease_key);
                self.shared::<i64>(&script).await;
            }
            GateOp::Release(lease) => {
                let mut script = GATE_RELEASE_SCRIPT.prepare_invoke();
                script.key(lease_key).arg(&self.token).arg(lease.epoch);
                self.shared::<i64>(&script).await;
            }
        }
    }
}

#[async_trait::async_trait]
impl SharedPermits for Binding {
    async fn take(&self, request: PermitRequest<'_>) -> Result<(), Duration> {
        self.core.permit(request).await
    }

    async fn throttled(&self, phone_number_id: &str, retry_after: Option<Duration>) {
        self.core.throttled(phone_number_id, retry_after).await;
    }
}

#[async_trait::async_trait]
impl SharedGate for Binding {
    fn closed(&self, first_probe_in: Duration) {
        self.send(GateOp::Closed(first_probe_in));
    }

    async fn try_probe(&self) -> ProbeTurn {
        let (reply, answer) = oneshot::channel();
        if !self.send(GateOp::Try(reply)) {
            return ProbeTurn::Unavailable;
        }
        answer.await.unwrap_or(ProbeTurn::Unavailable)
    }

    fn probe_failed(&self, lease: Lease, next_probe_in: Duration, reclose: bool) {
        self.send(GateOp::Failed(lease, next_probe_in, reclose));
    }

    fn opened(&self) {
        self.send(GateOp::Opened);
    }

    fn release(&self, lease: Lease) {
        self.send(GateOp::Release(lease));
    }
}
