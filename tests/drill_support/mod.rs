//! The outage drill, shared by `tests/outage_drill.rs` and `examples/outage_drill.rs` (which
//! includes this file with `#[path]`): N sends started while the sandbox answers code 2 for a
//! window, then recovers; what the server saw, what the process used, how fast the backlog
//! drained.
//!
//! Time: the client runs on a [`ScaledClock`] of factor `scale`; the sandbox's fault window is
//! measured in tokio (real) time, so the outage is injected for `outage / scale` of real time.
//! Figures in clock time (drain rate, elapsed clock) are real durations times `scale`.
//!
//! Memory: a thread samples the process's `VmRSS` (`/proc/self/status`) every 2 ms during the
//! run; the peak is the largest sample. `VmHWM` is reset at the start (writing `5` to
//! `/proc/self/clear_refs`) when the kernel allows it and read at the end as a cross-check. Both
//! cover the whole process: the client, its 10,000 pending sends, and the in-process sandbox
//! with its record of every request.
#![allow(dead_code)]

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt};
use wacloud::layers::rate_limit::RateLimits;
use wacloud::layers::retry::{RetryEventKind, RetryPolicy, Schedule};
use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud::Client;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

mod recipients;
pub use recipients::recipients;

/// A boxed error for the drill's setup failures.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which client rides the outage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The wacloud client with its default retry policy and the configured rate limits.
    Sdk,
    /// A plain `reqwest_middleware` client with `RetryTransientMiddleware` and reqwest-retry's
    /// `ExponentialBackoff` (1 s doubling, full jitter, capped at 30 min) with this many
    /// retries, its waits divided by the drill's scale; no rate limit, no outage gate.
    Naive {
        /// `build_with_max_retries(n)`; reqwest-retry's README uses 3.
        max_retries: u32,
    },
}

/// One drill's parameters.
#[derive(Debug, Clone)]
pub struct Drill {
    /// How many sends are started.
    pub sends: usize,
    /// How long the sandbox answers code 2, in clock time (Meta: up to 5 minutes).
    pub outage: Duration,
    /// The clock's speed-up (1 = real time).
    pub scale: f64,
    /// The client's throughput limit, in sends per second of clock time.
    pub throughput: u32,
    /// The throughput burst (`None`: the library default, one second's worth).
    pub burst: Option<u32>,
    /// The longest wait between two outage probes (`None`: the default, 5 s). Shorter notices
    /// the recovery sooner, for a few more requests during the outage.
    pub probe_cap: Option<Duration>,
    /// The client.
    pub mode: Mode,
}

impl Default for Drill {
    fn default() -> Self {
        Drill {
            sends: 10_000,
            outage: Duration::from_secs(300),
            scale: 1.0,
            throughput: wacloud::layers::rate_limit::DEFAULT_THROUGHPUT,
            burst: None,
            probe_cap: None,
            mode: Mode::Sdk,
        }
    }
}

/// What a drill measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The parameters.
    pub drill: Drill,
    /// Sends that ended with a message id.
    pub delivered: usize,
    /// Sends that ended with an error.
    pub failed: usize,
    /// The first error seen, for the printout.
    pub first_error: Option<String>,
    /// HTTP requests the sandbox received.
    pub requests: usize,
    /// Requests answered with the outage's code 2 (HTTP 503): the ones that met the outage.
    pub requests_during_outage: usize,
    /// Messages the sandbox accepted.
    pub accepted: usize,
    /// Distinct `biz_opaque_callback_data` / bodies among them.
    pub distinct_accepted: usize,
    /// The sandbox's `duplicate_count()`.
    pub duplicates: usize,
    /// Process RSS before the sends started, in KiB.
    pub baseline_rss_kib: u64,
    /// The largest sampled RSS during the run, in KiB.
    pub peak_rss_kib: u64,
    /// RSS halfway through the outage (every send started and waiting), in KiB.
    pub mid_outage_rss_kib: Option<u64>,
    /// `VmHWM` at the end, in KiB (since the reset at the start when the kernel allowed it).
    pub hwm_kib: Option<u64>,
    /// Whether `VmHWM` was reset at the start.
    pub hwm_reset: bool,
    /// Accepted messages per second of clock time from the sandbox's recovery to the last
    /// acceptance (includes the client's time to notice the recovery).
    pub drain_from_recovery: Option<f64>,
    /// Accepted messages per second of clock time from the first to the last acceptance after
    /// recovery (the pace of the drain itself).
    pub drain_from_first: Option<f64>,
    /// Clock time from the sandbox's recovery to the first acceptance (the probe's lag).
    pub detection_lag: Option<Duration>,
    /// Real time from the start of the sends to the end of the last one.
    pub elapsed_real: Duration,
    /// The same in clock time.
    pub elapsed_clock: Duration,
    /// Retry events of the SDK: outage gate probes sent.
    pub probes: usize,
    /// Retry events of the SDK: calls that gave up.
    pub gave_up: usize,
}

impl Report {
    /// The configured throughput, in sends per second of clock time.
    pub fn configured_rate(&self) -> f64 {
        f64::from(self.drill.throughput)
    }

    /// The drain rate from recovery as a fraction of the configured rate.
    pub fn drain_ratio_from_recovery(&self) -> Option<f64> {
        self.drain_from_recovery
            .map(|rate| rate / self.configured_rate())
    }

    /// The drain rate from the first acceptance as a fraction of the configured rate.
    pub fn drain_ratio_from_first(&self) -> Option<f64> {
        self.drain_from_first
            .map(|rate| rate / self.configured_rate())
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn rate(value: Option<f64>, configured: f64) -> String {
    match value {
        Some(value) => format!(
            "{value:.1}/s ({:.1} % of {configured}/s)",
            100.0 * value / configured
        ),
        None => "n/a (nothing accepted after recovery)".to_owned(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let drill = &self.drill;
        let mode = match drill.mode {
            Mode::Sdk => "wacloud (default retry policy, outage gate, rate limit)".to_owned(),
            Mode::Naive { max_retries } => format!(
                "naive reqwest-retry (ExponentialBackoff, {max_retries} retries, no rate limit)"
            ),
        };
        writeln!(f, "mode:              {mode}")?;
        write!(
            f,
            "drill:             {} sends, {:?} code-2 outage, clock x{}",
            drill.sends, drill.outage, drill.scale
        )?;
        if drill.mode == Mode::Sdk {
            write!(
                f,
                ", throughput {}/s burst {}, probes at most {:?} apart",
                drill.throughput,
                drill
                    .burst
                    .map_or_else(|| "default".to_owned(), |b| b.to_string()),
                drill.probe_cap.unwrap_or(Schedule::outage().max_delay)
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "sends:             {} delivered, {} failed{}",
            self.delivered,
            self.failed,
            self.first_error
                .as_deref()
                .map_or_else(String::new, |error| format!(" (first error: {error})"))
        )?;
        writeln!(
            f,
            "requests:          {} ({} met the outage, {} over the sends)",
            self.requests,
            self.requests_during_outage,
            self.requests as i64 - drill.sends as i64
        )?;
        writeln!(
            f,
            "accepted:          {} ({} distinct)",
            self.accepted, self.distinct_accepted
        )?;
        writeln!(f, "duplicates:        {}", self.duplicates)?;
        writeln!(
            f,
            "peak RSS:          {:.1} MiB sampled VmRSS (baseline {:.1} MiB, +{:.1} MiB); VmHWM {}",
            mib(self.peak_rss_kib),
            mib(self.baseline_rss_kib),
            mib(self.peak_rss_kib.saturating_sub(self.baseline_rss_kib)),
            match (self.hwm_kib, self.hwm_reset) {
                (Some(hwm), true) => format!("{:.1} MiB (reset at start)", mib(hwm)),
                (Some(hwm), false) => format!("{:.1} MiB (since process start)", mib(hwm)),
                (None, _) => "n/a".to_owned(),
            }
        )?;
        if let Some(mid) = self.mid_outage_rss_kib {
            writeln!(
                f,
                "RSS mid-outage:    {:.1} MiB (every send started and waiting)",
                mib(mid)
            )?;
        }
        writeln!(
            f,
            "drain rate:        {} from recovery to last acceptance",
            rate(self.drain_from_recovery, self.configured_rate())
        )?;
        writeln!(
            f,
            "                   {} from first to last acceptance",
            rate(self.drain_from_first, self.configured_rate())
        )?;
        if let Some(lag) = self.detection_lag {
            writeln!(
                f,
                "recovery noticed:  {:.1} s (clock) after the sandbox recovered",
                lag.as_secs_f64()
            )?;
        }
        if drill.mode == Mode::Sdk {
            writeln!(
                f,
                "retry events:      {} probes, {} gave up",
                self.probes, self.gave_up
            )?;
        }
        write!(
            f,
            "elapsed:           {:.2} s real, {:.1} s clock",
            self.elapsed_real.as_secs_f64(),
            self.elapsed_clock.as_secs_f64()
        )
    }
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// Resets `VmHWM` to the current RSS (Linux: `5` into `/proc/self/clear_refs`).
pub fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Samples `VmRSS` on a thread until dropped; keeps the largest sample.
pub struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    /// Starts sampling every `every`.
    pub fn start(every: Duration) -> Self {
        let peak = Arc::new(AtomicU64::new(proc_status_kib("VmRSS").unwrap_or(0)));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let peak = Arc::clone(&peak);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(rss) = proc_status_kib("VmRSS") {
                        peak.fetch_max(rss, Ordering::Relaxed);
                    }
                    std::thread::sleep(every);
                }
            })
        };
        RssSampler {
            peak,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops sampling; returns the peak in KiB.
    pub fn finish(mut self) -> u64 {
        self.halt();
        self.peak.load(Ordering::Relaxed)
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.halt();
    }
}

/// One send's outcome, kept small (10,000 of them are held at once).
type Outcome = Result<(), String>;

#[derive(Default)]
struct Counters {
    probes: AtomicUsize,
    gave_up: AtomicUsize,
}

/// Runs one drill against a fresh sandbox.
pub async fn run(drill: Drill) -> Result<Report, BoxError> {
    // The phone number metadata loads once per process (about a second in a debug build):
    // load it before the outage window starts, or it eats a compressed window's real time.
    let to = recipients(drill.sends)?;
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let result = run_on(&drill, &sandbox, &to).await;
    sandbox.shutdown().await;
    result
}

async fn run_on(drill: &Drill, sandbox: &SandboxHandle, to: &[String]) -> Result<Report, BoxError> {
    let clock = ScaledClock::new(drill.scale);
    let counters = Arc::new(Counters::default());
    let config = sandbox.config().clone();
    let sdk = {
        let counters = Arc::clone(&counters);
        let mut limits = RateLimits::default().throughput(drill.throughput);
        if let Some(burst) = drill.burst {
            limits = limits.throughput_burst(burst);
        }
        let mut policy = RetryPolicy::default();
        if let Some(cap) = drill.probe_cap {
            let mut outage = Schedule::outage();
            outage.max_delay = cap;
            policy = policy.outage(outage);
        }
        Client::builder()
            .access_token(config.access_token.clone())
            .phone_number_id(config.phone_number_id.clone())
            .base_url(sandbox.base_url())
            .clock(Arc::new(clock))
            .rate_limits(limits)
            .retry_policy(policy.on_event(move |event| match event.kind {
                RetryEventKind::Probing => {
                    counters.probes.fetch_add(1, Ordering::Relaxed);
                }
                RetryEventKind::GaveUp => {
                    counters.gave_up.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }))
            .build()?
    };
    let naive = match drill.mode {
        Mode::Naive { max_retries } => Some(naive_client(max_retries, drill.scale)),
        Mode::Sdk => None,
    };
    let url = format!(
        "{}/{}/{}/messages",
        sandbox.base_url(),
        wacloud::DEFAULT_API_VERSION,
        config.phone_number_id
    );
    let token = config.access_token.clone();

    let hwm_reset = reset_hwm();
    let baseline_rss_kib = proc_status_kib("VmRSS").unwrap_or(0);
    let sampler = RssSampler::start(Duration::from_millis(2));

    let outage_real = drill.outage.div_f64(drill.scale);
    // Taken before the window opens: the measured drain starts no later than the recovery.
    let started = tokio::time::Instant::now();
    let recovery = started + outage_real;
    sandbox.inject(FaultRule::new(Fault::Outage).for_duration(outage_real));

    let mid_outage = tokio::spawn(async move {
        tokio::time::sleep(outage_real / 2).await;
        proc_status_kib("VmRSS")
    });
    let mut pending = FuturesUnordered::new();
    for (i, recipient) in to.iter().enumerate() {
        let body = format!("outage drill message {i}");
        let task = match &naive {
            None => {
                let client = sdk.clone();
                let message = OutgoingMessage::new(recipient.as_str(), Text::new(body));
                tokio::spawn(async move {
                    client
                        .send(message)
                        .await
                        .map(drop)
                        .map_err(|error| error.to_string())
                })
            }
            Some(naive) => {
                let naive = naive.clone();
                let url = url.clone();
                let token = token.clone();
                let json = serde_json::json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": recipient,
                    "type": "text",
                    "text": {"body": body},
                    "biz_opaque_callback_data": format!("naive-{i:016x}"),
                });
                tokio::spawn(async move { naive_send(&naive, &url, &token, &json).await })
            }
        };
        pending.push(task);
    }
    let mut delivered = 0;
    let mut failed = 0;
    let mut first_error = None;
    while let Some(joined) = pending.next().await {
        let outcome: Outcome = joined.unwrap_or_else(|error| Err(format!("task: {error}")));
        match outcome {
            Ok(()) => delivered += 1,
            Err(error) => {
                failed += 1;
                first_error.get_or_insert(error);
            }
        }
    }
    let elapsed_real = started.elapsed();
    let mid_outage_rss_kib = mid_outage.await.ok().flatten();
    let peak_rss_kib = sampler.finish();
    let hwm_kib = proc_status_kib("VmHWM");

    let requests = sandbox.requests();
    let accepted = sandbox.accepted_messages();
    let requests_during_outage = requests
        .iter()
        .filter(|request| {
            matches!(
                request.outcome,
                wacloud_sandbox::Outcome::Answered { status: 503, .. }
            )
        })
        .count();
    let distinct_accepted = accepted
        .iter()
        .map(|message| {
            message
                .biz_opaque_callback_data
                .clone()
                .unwrap_or_else(|| message.body.to_string())
        })
        .collect::<std::collections::HashSet<_>>()
        .len();
    let times: Vec<tokio::time::Instant> = accepted
        .iter()
        .filter_map(|message| {
            usize::try_from(message.request_seq)
                .ok()
                .and_then(|seq| requests.get(seq))
        })
        .map(|request| request.received_instant)
        .collect();
    let first = times.iter().min().copied();
    let last = times.iter().max().copied();
    let clock_secs = |real: Duration| real.as_secs_f64() * drill.scale;
    let drain_from_recovery = last
        .map(|last| clock_secs(last.saturating_duration_since(recovery)))
        .filter(|secs| *secs > 0.0)
        .map(|secs| times.len() as f64 / secs);
    let drain_from_first = first
        .zip(last)
        .map(|(first, last)| clock_secs(last.saturating_duration_since(first)))
        .filter(|secs| *secs > 0.0)
        .map(|secs| (times.len() - 1) as f64 / secs);
    let detection_lag = first.map(|first| {
        first
            .saturating_duration_since(recovery)
            .mul_f64(drill.scale)
    });

    Ok(Report {
        drill: drill.clone(),
        delivered,
        failed,
        first_error,
        requests: requests.len(),
        requests_during_outage,
        accepted: accepted.len(),
        distinct_accepted,
        duplicates: sandbox.duplicate_count(),
        baseline_rss_kib,
        peak_rss_kib,
        mid_outage_rss_kib,
        hwm_kib,
        hwm_reset,
        drain_from_recovery,
        drain_from_first,
        detection_lag,
        elapsed_real,
        elapsed_clock: elapsed_real.mul_f64(drill.scale),
        probes: counters.probes.load(Ordering::Relaxed),
        gave_up: counters.gave_up.load(Ordering::Relaxed),
    })
}

/// reqwest-retry's `ExponentialBackoff` as its README builds it, its waits divided by `scale`
/// so that it keeps pace with the compressed outage window.
fn naive_client(max_retries: u32, scale: f64) -> reqwest_middleware::ClientWithMiddleware {
    use reqwest_retry::policies::ExponentialBackoff;
    use reqwest_retry::RetryTransientMiddleware;
    let default = ExponentialBackoff::builder().build_with_max_retries(max_retries);
    let policy = ExponentialBackoff::builder()
        .retry_bounds(
            default.min_retry_interval.div_f64(scale),
            default.max_retry_interval.div_f64(scale),
        )
        .build_with_max_retries(max_retries);
    reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(RetryTransientMiddleware::new_with_policy(policy))
        .build()
}

async fn naive_send(
    client: &reqwest_middleware::ClientWithMiddleware,
    url: &str,
    token: &str,
    json: &serde_json::Value,
) -> Outcome {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(json)
        .send()
        .await
        .map_err(|error| format!("no answer: {error}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|error| format!("body: {error}"))?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(120)])
        ))
    }
}
