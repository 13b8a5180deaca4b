//! The many-senders drill (issue 12), shared by `tests/many_senders_drill.rs` and
//! `examples/many_senders_drill.rs` (which includes this file with `#[path]`): several
//! `bulk_send` processes drain one PostgreSQL outbox, sharing the number's limits through
//! Redis, against the sandbox enforcing the number's throughput (130429 above it); one of them
//! is killed with SIGKILL part-way, and the sandbox answers code 2 for a while later on.
//!
//! The driver (this module) runs the sandbox in its own process; the workers are separate
//! processes running the `bulk_send` example (`--outbox postgres://... --redis URL`), so the
//! outbox, the leases and the shared limits are exactly the ones users run. The phases are
//! triggered by progress, not by the clock: the worker is killed once a share of the messages
//! was accepted, the outage injected once a larger share was.
//!
//! What is counted comes from the sandbox's record (every request, every accepted message with
//! its `biz_opaque_callback_data`, which names the outbox row) and from the outbox itself (the
//! state of every row), never from what the workers say about themselves, except their
//! outage-probe counts (their `outage probes sent: N` stderr line).
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use sqlx::Connection;
use tokio::process::{Child, Command};
use tokio::time::Instant;
use wacloud::layers::retry::Schedule;
use wacloud_outbox::{Durability, ListFilter, Outbox, OutboxConfig, RowId, State};
use wacloud_sandbox::{Fault, FaultRule, Outcome, Sandbox, SandboxConfig, SandboxHandle};

#[path = "../drill_support/recipients.rs"]
mod recipients;
pub use recipients::recipients;

/// A boxed error for the drill's setup failures.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One drill's parameters.
#[derive(Debug, Clone)]
pub struct Drill {
    /// Rows in the outbox (one message each, to distinct recipients).
    pub messages: usize,
    /// Worker processes.
    pub workers: usize,
    /// The number's throughput as the sandbox enforces it: 130429 above this many sends in a
    /// one-second window.
    pub sandbox_rate: u32,
    /// The workers' shared throughput limit (`bulk_send --throughput`).
    pub client_rate: u32,
    /// The workers' throughput burst (`bulk_send --burst`).
    pub client_burst: u32,
    /// Sends in flight per worker (`bulk_send --concurrency`).
    pub concurrency: u16,
    /// The outbox lease (`bulk_send --lease-secs`): how soon a dead worker's rows go to others.
    pub lease: Duration,
    /// The first worker is killed (SIGKILL) once this share of the messages was accepted.
    pub kill_at: f64,
    /// The code-2 outage starts once this share of the messages was accepted.
    pub outage_at: f64,
    /// How long the sandbox answers code 2.
    pub outage: Duration,
    /// The PostgreSQL server (a fresh schema is made in it, and dropped at the end).
    pub postgres: String,
    /// The Redis server (a fresh namespace).
    pub redis: String,
    /// The `bulk_send` executable.
    pub bulk_send: PathBuf,
    /// Where the workers' stdout and stderr files go.
    pub dir: PathBuf,
    /// The longest the drill waits for the workers before giving up on them.
    pub timeout: Duration,
}

/// A worker's end.
#[derive(Debug, Clone)]
pub struct WorkerEnd {
    /// Killed by the drill.
    pub killed: bool,
    /// Its exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Its `SUMMARY` line, if it printed one.
    pub summary: Option<String>,
    /// Result lines (`OK`, `UNKNOWN`, ...) it printed.
    pub lines: usize,
    /// Its `outage probes sent: N`, if it printed it.
    pub probes: Option<u64>,
    /// Its `held at the outage gate` line, if it printed it.
    pub held: Option<String>,
    /// Its `throughput permit age at write` line, if it printed it.
    pub permit_age: Option<String>,
    /// The last lines of its stderr, for failures.
    pub stderr_tail: String,
}

/// How the `unknown` rows settled, by the sandbox's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unknowns {
    /// Rows the outbox holds as `unknown`.
    pub rows: usize,
    /// Of those, the sandbox accepted (once): they were delivered, not to be resent.
    pub accepted: usize,
    /// Of those, the sandbox never accepted: not delivered, safe to resend.
    pub not_accepted: usize,
}

/// What a drill measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The parameters.
    pub drill: Drill,
    /// Requests the sandbox received.
    pub requests: usize,
    /// Requests answered 429 (code 130429).
    pub throttled: usize,
    /// When each 429 was answered, in seconds from the first acceptance.
    pub throttled_at: Vec<f64>,
    /// Messages the sandbox accepted.
    pub accepted: usize,
    /// Distinct rows among them (by `biz_opaque_callback_data`).
    pub distinct_accepted: usize,
    /// The sandbox's duplicate count.
    pub duplicates: usize,
    /// Rows the sandbox never accepted that the outbox does not flag as unknown (or holds as
    /// accepted without the sandbox having it): silently lost.
    pub lost: usize,
    /// Rows the outbox holds as rejected.
    pub rejected: u64,
    /// Rows still queued or dispatched at the end.
    pub unsettled: u64,
    /// The outbox's rows in all.
    pub rows: u64,
    /// Rows whose wamid in the outbox is not the one the sandbox issued for them.
    pub wamid_mismatches: usize,
    /// Unknown rows and how they settled.
    pub unknowns: Unknowns,
    /// Rows claimed more than once (the killed worker's, taken over, and postponed ones).
    pub reclaimed: usize,
    /// Accepted sends per second over the steady part: from the first acceptance to the
    /// outage, and from the first acceptance after the outage to the last.
    pub steady_rate: Option<f64>,
    /// The same before the outage only.
    pub rate_before: Option<f64>,
    /// The same after the outage only.
    pub rate_after: Option<f64>,
    /// The most acceptances in any one-second window (sliding).
    pub max_per_second: usize,
    /// Seconds from the end of the outage to the first acceptance after it.
    pub recovery_lag: Option<Duration>,
    /// Requests the sandbox received during the outage window.
    pub outage_requests: usize,
    /// Of those, answered with code 2 (HTTP 503).
    pub outage_answers: usize,
    /// Requests of the outage window after its first second: the workers find the outage on
    /// their own within its first moments (each sees one code 2 before its gate closes), so
    /// what comes later are the probes.
    pub outage_late_requests: usize,
    /// When each request of the outage window arrived, in ms from its start.
    pub outage_offsets_ms: Vec<u64>,
    /// Probes one worker alone makes in the outage (the default schedule without jitter: the
    /// most it can make).
    pub single_worker_probes: usize,
    /// Workers still running when the outage began.
    pub workers_in_outage: usize,
    /// When the worker was killed, in seconds from the first acceptance (`None`: never).
    pub killed_at: Option<f64>,
    /// When the outage began, in seconds from the first acceptance (`None`: never).
    pub outage_began: Option<f64>,
    /// Each worker's end.
    pub workers: Vec<WorkerEnd>,
    /// From the start of the workers to the end of the last.
    pub elapsed: Duration,
}

impl Report {
    /// Probes the surviving workers said they sent, in all.
    pub fn probes_reported(&self) -> u64 {
        self.workers.iter().filter_map(|worker| worker.probes).sum()
    }
}

fn rate(value: Option<f64>, of: u32) -> String {
    match value {
        Some(value) => format!(
            "{value:.2}/s ({:.1} % of {of}/s)",
            100.0 * value / f64::from(of)
        ),
        None => "n/a".to_owned(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.drill;
        writeln!(
            f,
            "drill:             {} messages, {} worker processes (bulk_send --concurrency {}), \
             sandbox {}/s per 1-s window, client {}/s burst {}, lease {:?}",
            d.messages,
            d.workers,
            d.concurrency,
            d.sandbox_rate,
            d.client_rate,
            d.client_burst,
            d.lease
        )?;
        writeln!(
            f,
            "phases:            worker 1 SIGKILLed at {} accepted ({}), {:?} code-2 outage at {} \
             accepted ({})",
            (d.kill_at * d.messages as f64) as usize,
            self.killed_at
                .map_or_else(|| "not reached".to_owned(), |s| format!("t={s:.1} s")),
            d.outage,
            (d.outage_at * d.messages as f64) as usize,
            self.outage_began
                .map_or_else(|| "not reached".to_owned(), |s| format!("t={s:.1} s")),
        )?;
        writeln!(
            f,
            "steady rate:       {} (excluding the outage; before {}, after {})",
            rate(self.steady_rate, d.sandbox_rate),
            rate(self.rate_before, d.sandbox_rate),
            rate(self.rate_after, d.sandbox_rate)
        )?;
        writeln!(
            f,
            "busiest second:    {} accepted in one sliding 1-s window",
            self.max_per_second
        )?;
        write!(f, "130429 answers:    {}", self.throttled)?;
        if !self.throttled_at.is_empty() {
            let at: Vec<String> = self
                .throttled_at
                .iter()
                .take(10)
                .map(|s| format!("{s:.1}"))
                .collect();
            let more = if self.throttled_at.len() > 10 {
                ", ..."
            } else {
                ""
            };
            write!(f, " (at t={}{more} s)", at.join(", "))?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "accepted:          {} ({} distinct rows of {}), duplicates {}, lost {}",
            self.accepted, self.distinct_accepted, self.rows, self.duplicates, self.lost
        )?;
        writeln!(
            f,
            "outbox:            {} rejected, {} unsettled, {} rows claimed more than once, {} \
             wamid mismatches",
            self.rejected, self.unsettled, self.reclaimed, self.wamid_mismatches
        )?;
        writeln!(
            f,
            "unknown rows:      {} ({} accepted by the sandbox: delivered once, not to resend; {} \
             never accepted: safe to resend)",
            self.unknowns.rows, self.unknowns.accepted, self.unknowns.not_accepted
        )?;
        writeln!(
            f,
            "outage:            {} requests during the {:?} window ({} answered code 2) from {} \
             workers: {} in its first second (each worker meets it), {} after (probes); one \
             worker alone: 1 + at most {} probes; probes the workers reported: {}",
            self.outage_requests,
            d.outage,
            self.outage_answers,
            self.workers_in_outage,
            self.outage_requests - self.outage_late_requests,
            self.outage_late_requests,
            self.single_worker_probes,
            self.probes_reported()
        )?;
        writeln!(
            f,
            "                   arrivals in the outage window (ms from its start): {:?}",
            self.outage_offsets_ms
        )?;
        if let Some(lag) = self.recovery_lag {
            writeln!(
                f,
                "recovery:          first acceptance {:.2} s after the outage ended",
                lag.as_secs_f64()
            )?;
        }
        writeln!(f, "requests:          {} in all", self.requests)?;
        for (i, worker) in self.workers.iter().enumerate() {
            writeln!(
                f,
                "worker {}:          {}{} lines, {}",
                i + 1,
                if worker.killed { "killed, " } else { "" },
                worker.lines,
                worker.summary.as_deref().unwrap_or("no SUMMARY")
            )?;
            if let Some(line) = &worker.permit_age {
                writeln!(f, "                   {line}")?;
            }
        }
        write!(f, "elapsed:           {:.1} s", self.elapsed.as_secs_f64())
    }
}

/// How many probes one worker makes during an outage of `outage` on the default outage
/// schedule, at most (no jitter: jitter only lengthens the waits).
pub fn single_worker_probes(outage: Duration) -> usize {
    let schedule = Schedule::outage();
    let mut at = Duration::ZERO;
    let mut probes = 0;
    loop {
        at += schedule.base_delay(u32::try_from(probes).unwrap_or(u32::MAX));
        if at >= outage {
            return probes;
        }
        probes += 1;
    }
}

/// Runs `sql` on the server.
async fn execute(url: &str, sql: &str) -> Result<(), BoxError> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::raw_sql(sql).execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// A unique name for this run's schema and Redis namespace.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Runs one drill: a fresh sandbox, schema and namespace; the schema is dropped at the end.
pub async fn run(drill: Drill) -> Result<Report, BoxError> {
    let schema = unique("many_senders");
    execute(&drill.postgres, &format!("CREATE SCHEMA {schema}")).await?;
    let separator = if drill.postgres.contains('?') {
        '&'
    } else {
        '?'
    };
    let outbox_url = format!(
        "{}{separator}options=-c%20search_path%3D{schema}",
        drill.postgres
    );
    let sandbox = Sandbox::start(
        SandboxConfig::default().fault(
            FaultRule::new(Fault::Throttle {
                per_second: drill.sandbox_rate,
                retry_after: None,
            })
            .sends_only(),
        ),
    )
    .await?;
    let result = run_on(&drill, &sandbox, &outbox_url).await;
    sandbox.shutdown().await;
    let dropped = execute(&drill.postgres, &format!("DROP SCHEMA {schema} CASCADE")).await;
    let report = result?;
    dropped?;
    Ok(report)
}

/// One worker process and where its output goes.
struct Worker {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
    killed: bool,
    code: Option<Option<i32>>,
}

fn spawn(
    drill: &Drill,
    sandbox: &SandboxHandle,
    args: &[String],
    index: usize,
) -> Result<Worker, BoxError> {
    let stdout = drill.dir.join(format!("worker-{}.out", index + 1));
    let stderr = drill.dir.join(format!("worker-{}.err", index + 1));
    let config = sandbox.config();
    let child = Command::new(&drill.bulk_send)
        .args(args)
        .env_remove("WHATSAPP_BUSINESS_ACCOUNT_ID")
        .env_remove("RUST_LOG")
        .env("WHATSAPP_ACCESS_TOKEN", &config.access_token)
        .env("WHATSAPP_PHONE_NUMBER_ID", &config.phone_number_id)
        .env("WHATSAPP_API_BASE_URL", sandbox.base_url())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout)?)
        .stderr(std::fs::File::create(&stderr)?)
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", drill.bulk_send.display()))?;
    Ok(Worker {
        child,
        stdout,
        stderr,
        killed: false,
        code: None,
    })
}

fn end_of(worker: &Worker) -> WorkerEnd {
    let stdout = std::fs::read_to_string(&worker.stdout).unwrap_or_default();
    let stderr = std::fs::read_to_string(&worker.stderr).unwrap_or_default();
    let summary = stdout
        .lines()
        .find(|line| line.starts_with("SUMMARY"))
        .map(str::to_owned);
    let lines = stdout
        .lines()
        .filter(|line| !line.starts_with("SUMMARY"))
        .count();
    let probes = stderr
        .lines()
        .find_map(|line| line.strip_prefix("outage probes sent: "))
        .and_then(|n| n.trim().parse().ok());
    let held = stderr
        .lines()
        .find(|line| line.starts_with("held at the outage gate"))
        .map(str::to_owned);
    let permit_age = stderr
        .lines()
        .find(|line| line.starts_with("throughput permit age at write"))
        .map(str::to_owned);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    WorkerEnd {
        killed: worker.killed,
        code: worker.code.flatten(),
        summary,
        lines,
        probes,
        held,
        permit_age,
        stderr_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    }
}

async fn run_on(
    drill: &Drill,
    sandbox: &SandboxHandle,
    outbox_url: &str,
) -> Result<Report, BoxError> {
    let to = recipients(drill.messages)?;
    let csv = drill.dir.join("recipients.csv");
    let mut rows = String::from("to,text\n");
    for (i, number) in to.iter().enumerate() {
        rows.push_str(&format!("{number},many senders drill message {i}\n"));
    }
    std::fs::write(&csv, rows)?;
    let namespace = unique("drill");
    let mut args: Vec<String> = [
        "--csv",
        csv.to_str().ok_or("a temporary path that is not UTF-8")?,
        "--outbox",
        outbox_url,
        "--redis",
        &drill.redis,
        "--redis-namespace",
        &namespace,
        "--concurrency",
    ]
    .iter()
    .map(|arg| (*arg).to_owned())
    .collect();
    args.push(drill.concurrency.to_string());
    args.push("--throughput".to_owned());
    args.push(drill.client_rate.to_string());
    args.push("--burst".to_owned());
    args.push(drill.client_burst.to_string());
    args.push("--lease-secs".to_owned());
    args.push(drill.lease.as_secs_f64().to_string());

    let started = Instant::now();
    let mut workers = Vec::with_capacity(drill.workers);
    for index in 0..drill.workers {
        workers.push(spawn(drill, sandbox, &args, index)?);
    }
    let kill_at = (drill.kill_at * drill.messages as f64).ceil() as usize;
    let outage_at = (drill.outage_at * drill.messages as f64).ceil() as usize;
    let mut killed_instant = None;
    let mut outage_window: Option<(Instant, Instant)> = None;
    let mut workers_in_outage = 0;
    let deadline = started + drill.timeout;
    loop {
        let accepted = sandbox.accepted_count();
        if killed_instant.is_none() && accepted >= kill_at && drill.workers > 1 {
            if let Some(victim) = workers.first_mut().filter(|w| w.code.is_none()) {
                // SIGKILL: no cleanup, its leases and any request in flight left as they are.
                victim.child.start_kill()?;
                let status = victim.child.wait().await?;
                victim.killed = true;
                victim.code = Some(status.code());
                killed_instant = Some(Instant::now());
            }
        }
        if outage_window.is_none() && accepted >= outage_at && !drill.outage.is_zero() {
            let from = Instant::now();
            sandbox.inject(
                FaultRule::new(Fault::Outage)
                    .sends_only()
                    .for_duration(drill.outage),
            );
            outage_window = Some((from, from + drill.outage));
            workers_in_outage = workers.iter().filter(|w| w.code.is_none()).count();
        }
        for worker in workers.iter_mut().filter(|w| w.code.is_none()) {
            if let Some(status) = worker.child.try_wait()? {
                worker.code = Some(status.code());
            }
        }
        if workers.iter().all(|w| w.code.is_some()) {
            break;
        }
        if Instant::now() >= deadline {
            for worker in workers.iter_mut().filter(|w| w.code.is_none()) {
                let _ = worker.child.start_kill();
            }
            let ends: Vec<String> = workers.iter().map(|w| end_of(w).stderr_tail).collect();
            return Err(format!(
                "the workers did not finish within {:?} ({} accepted):\n{}",
                drill.timeout,
                sandbox.accepted_count(),
                ends.join("\n---\n")
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed();

    // What the sandbox saw.
    let requests = sandbox.requests();
    let accepted = sandbox.accepted_messages();
    let throttled = requests
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Answered { status: 429, .. }))
        .count();
    let mut by_callback: HashMap<&str, (usize, &str)> = HashMap::new();
    for message in &accepted {
        if let Some(callback) = message.biz_opaque_callback_data.as_deref() {
            by_callback
                .entry(callback)
                .or_insert((0, message.wamid.as_str()))
                .0 += 1;
        }
    }
    let mut times: Vec<Instant> = accepted
        .iter()
        .filter_map(|m| usize::try_from(m.request_seq).ok())
        .filter_map(|seq| requests.get(seq))
        .map(|r| r.received_instant)
        .collect();
    times.sort();
    let first = times.first().copied();
    let throttled_at: Vec<f64> = requests
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Answered { status: 429, .. }))
        .map(|r| {
            r.received_instant
                .checked_duration_since(first.unwrap_or(started))
                .unwrap_or_default()
                .as_secs_f64()
        })
        .collect();
    let outage_offsets_ms: Vec<u64> = outage_window
        .map(|(from, to)| {
            requests
                .iter()
                .filter(|r| r.received_instant >= from && r.received_instant < to)
                .map(|r| r.received_instant.duration_since(from).as_millis() as u64)
                .collect()
        })
        .unwrap_or_default();
    let (outage_requests, outage_answers, outage_late_requests) = match outage_window {
        Some((from, to)) => {
            let during: Vec<_> = requests
                .iter()
                .filter(|r| r.received_instant >= from && r.received_instant < to)
                .collect();
            let answers = during
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Answered { status: 503, .. }))
                .count();
            let late = during
                .iter()
                .filter(|r| r.received_instant >= from + Duration::from_secs(1))
                .count();
            (during.len(), answers, late)
        }
        None => (0, 0, 0),
    };
    let span_rate = |slice: &[Instant]| -> Option<(usize, f64)> {
        let (first, last) = (slice.first()?, slice.last()?);
        let secs = last.duration_since(*first).as_secs_f64();
        (secs > 0.0).then(|| (slice.len() - 1, secs))
    };
    let (before, after): (Vec<Instant>, Vec<Instant>) = match outage_window {
        Some((from, to)) => (
            times.iter().copied().filter(|t| *t < from).collect(),
            times.iter().copied().filter(|t| *t >= to).collect(),
        ),
        None => (times.clone(), Vec::new()),
    };
    let rate_before = span_rate(&before).map(|(n, secs)| n as f64 / secs);
    let rate_after = span_rate(&after).map(|(n, secs)| n as f64 / secs);
    let steady_rate = match (span_rate(&before), span_rate(&after)) {
        (Some((a, x)), Some((b, y))) => Some((a + b) as f64 / (x + y)),
        (Some((a, x)), None) | (None, Some((a, x))) => Some(a as f64 / x),
        (None, None) => None,
    };
    let mut max_per_second = 0;
    let mut low = 0;
    for high in 0..times.len() {
        while times[high].duration_since(times[low]) >= Duration::from_secs(1) {
            low += 1;
        }
        max_per_second = max_per_second.max(high - low + 1);
    }
    let recovery_lag =
        outage_window.and_then(|(_, to)| after.first().map(|first| first.duration_since(to)));

    // What the outbox holds.
    let outbox = Outbox::open(outbox_url, Durability::Full, OutboxConfig::default()).await?;
    let counts = outbox.counts().await?;
    let mut lost = 0;
    let mut wamid_mismatches = 0;
    let mut unknowns = Unknowns::default();
    let mut reclaimed = 0;
    let mut ours: HashSet<String> = HashSet::new();
    let mut after_id: Option<RowId> = None;
    loop {
        let page = outbox
            .list(&ListFilter {
                after: after_id,
                limit: 1_000,
                ..ListFilter::default()
            })
            .await?;
        let Some(last) = page.last() else { break };
        after_id = Some(last.id);
        for row in &page {
            let callback = outbox.callback_data(row.id);
            let seen = by_callback.get(callback.as_str()).copied();
            ours.insert(callback);
            if row.attempts > 1 {
                reclaimed += 1;
            }
            match (row.state, seen) {
                (State::Accepted, Some((_, wamid))) => {
                    if row.wamid.as_deref() != Some(wamid) {
                        wamid_mismatches += 1;
                    }
                }
                (State::Unknown, Some(_)) => {
                    unknowns.rows += 1;
                    unknowns.accepted += 1;
                }
                (State::Unknown, None) => {
                    unknowns.rows += 1;
                    unknowns.not_accepted += 1;
                }
                // Accepted by the sandbox yet not settled as such (a queued or rejected row
                // the sandbox has): not lost, but not right either.
                (_, Some(_)) => wamid_mismatches += 1,
                (_, None) => lost += 1,
            }
        }
    }
    let distinct_accepted = by_callback
        .keys()
        .filter(|callback| ours.contains(**callback))
        .count();
    let origin = first.unwrap_or(started);
    let since_first = |at: Instant| {
        at.checked_duration_since(origin)
            .unwrap_or_default()
            .as_secs_f64()
    };

    Ok(Report {
        drill: drill.clone(),
        requests: requests.len(),
        throttled,
        throttled_at,
        accepted: accepted.len(),
        distinct_accepted,
        duplicates: sandbox.duplicate_count(),
        lost,
        rejected: counts.rejected,
        unsettled: counts.queued + counts.dispatched,
        rows: counts.total(),
        wamid_mismatches,
        unknowns,
        reclaimed,
        steady_rate,
        rate_before,
        rate_after,
        max_per_second,
        recovery_lag,
        outage_requests,
        outage_answers,
        outage_late_requests,
        outage_offsets_ms,
        single_worker_probes: single_worker_probes(drill.outage),
        workers_in_outage,
        killed_at: killed_instant.map(since_first),
        outage_began: outage_window.map(|(from, _)| since_first(from)),
        workers: workers.iter().map(end_of).collect(),
        elapsed,
    })
}
