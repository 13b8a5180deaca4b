//! Sends one message to every row of a CSV file, with bounded concurrency, through the
//! client's default stack (recipient rules, auth guidance, retries, rate limits).
//!
//! ```text
//! cargo run --example bulk_send -- --csv examples/data/recipients.csv --dry-run
//! cargo run --example bulk_send -- --csv examples/data/recipients.csv --concurrency 8
//! ```
//! The numbers in `examples/data/*.csv` are fictional (NANP 555-01xx, Ofcom drama range)
//! and one Cuban (+53) number that the recipient rules reject before sending.
//!
//! Environment: `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` (required to send; a
//! `--dry-run` needs neither), `WHATSAPP_API_BASE_URL` (optional, default
//! `https://graph.facebook.com`).
//!
//! The CSV has a header row and one of two shapes:
//! `to` is a phone number or a business-scoped user id (`US.13491208655302741918`).
//! - `to,text`: a text message per row (only within 24 hours of the user's last message);
//! - `to,template,language`: an approved template per row, e.g. `hello_world,en_US` (the only
//!   way to start a conversation).
//!
//! Rows are numbered from 1 (the header is not a row). Each row's result is one line on stdout,
//! in the order the sends finish:
//! ```text
//! OK <row> <to> <wamid>
//! REJECTED <row> <to> <reason>          stopped before sending (bad row, number or rule)
//! FAILED <row> <to> <error>             the API (or the network) refused it
//! UNKNOWN <row> <to> <correlation id>   written but unanswered: it may have been sent;
//!                                       look for the id in status webhooks before resending
//! SUMMARY sent=N rejected=N failed=N unknown=N
//! ```
//! The exit code is 1 if any row failed or has an unknown outcome, else 0 (rejected rows are
//! reported, not fatal). With `--dry-run` nothing is sent: every row is parsed, built and
//! checked (message limits and the recipient rules, e.g. sanctioned countries), valid rows
//! print `VALID <row> <to> <e164>` (for a business-scoped user id, `VALID <row> <to> <id>`:
//! it has no E.164 form), and the exit code is 1 if any row was rejected. Usage
//! problems (missing environment or arguments, an unreadable CSV, an unknown header) exit
//! with 2. A progress bar is drawn on stderr only when stderr is a terminal.
//!
//! With `--outbox FILE` the run is resumable: each run first adds the CSV's rows that are not
//! yet in the outbox (a SQLite file or a PostgreSQL URL; a row is identified by its number and content, so
//! rerunning the same CSV adds nothing), then drains the outbox. It prints the lines above for
//! the rows settled in this run (the UNKNOWN id is the row's callback data), and SUMMARY over
//! every row of the outbox, earlier runs included; the exit code is 0 when every row is sent
//! or rejected, else 1. A run killed at any moment loses nothing and sends nothing twice: a
//! row whose request may have been written becomes UNKNOWN instead of being sent again. See
//! the `outbox` example for the counts and each stuck or failed message's diagnosis.
//!
//! Many processes, one number: `--outbox postgres://...` keeps the outbox in PostgreSQL, where
//! any number of bulk_send processes (same CSV) drain it together, each row claimed by one of
//! them; `--redis redis://...` shares the number's rate limits, the 130429 back-off and the
//! outage gate between them, so together they send no faster than one would.
//!
//! `--throughput` and `--burst` set the number's limit (default 80/s, burst one second's
//! worth); `--redis-namespace` separates fleets sharing one Redis; `--lease-secs` is how soon
//! the rows of a process that died go to the others (default 60 s).
//!
//! After a run that sent, four lines on stderr sum up what the SDK's metrics recorded
//! (`wacloud::telemetry`; class `none` is an attempt that succeeded; a probe is a request sent
//! through a closed outage gate to learn whether the API is back):
//! ```text
//! attempts: 5 (never=1 none=2 transient=1 unanswered=1)
//! retries: 1 (transient=1)
//! held at the outage gate: 0.0 s (closed 0 times)
//! outage probes sent: 0
//! ```
//! With `--outbox`, a fifth line says how long each throughput permit waited for the row's
//! durable record before its write, and how many went stale and were taken again (see
//! `wacloud_rate_limit_renewals_total`).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use std::collections::BTreeMap;

use clap::Parser;
use futures_util::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use wacloud::layers::rate_limit::RateLimits;
use wacloud::layers::recipients::RecipientRules;
use wacloud::messages::{MessageContent, OutgoingMessage, Template, Text};
use wacloud::telemetry::names;

#[path = "support/mod.rs"]
mod support;

#[path = "support/bulk_outbox.rs"]
mod bulk_outbox;

/// Send a WhatsApp message to every row of a CSV file.
#[derive(Parser, Debug)]
#[command(
    name = "bulk_send",
    after_help = "CSV header: to,text  or  to,template,language\n\
                  Environment: WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID (required \
                  unless --dry-run), WHATSAPP_API_BASE_URL (optional, default \
                  https://graph.facebook.com)"
)]
struct Args {
    /// The CSV file of recipients (header `to,text` or `to,template,language`).
    #[arg(long)]
    csv: PathBuf,
    /// Check every row (message limits, recipient rules) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// How many sends may be in flight at once (the client's rate limits still apply).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Keep the rows in this durable outbox (a SQLite file, or a `postgres://` URL that
    /// several bulk_send processes drain together): the run resumes after a crash, adds only
    /// the rows not yet in it, and never sends a row twice.
    #[arg(long, value_name = "FILE|URL")]
    outbox: Option<String>,
    /// Share the number's rate limits and the outage gate with every process pointed at this
    /// Redis (`redis://host:6379`); without it the limits are this process's own.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// The key prefix of the shared limits in Redis: processes share limits only within one
    /// namespace (one per business number's fleet of senders).
    #[arg(long, default_value = "bulk_send", value_name = "NAME")]
    redis_namespace: String,
    /// The number's throughput limit, in messages per second (Meta's default: 80).
    #[arg(long, default_value_t = wacloud::layers::rate_limit::DEFAULT_THROUGHPUT,
          value_parser = clap::value_parser!(u32).range(1..=1_000))]
    throughput: u32,
    /// How many sends may go at once before the throughput pacing applies (default: one
    /// second's worth). Against a server that counts each one-second window, a small burst
    /// (2) and a throughput a little under the limit keep every window within it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    burst: Option<u32>,
    /// How long a row claimed by this process stays its own without renewal, in seconds
    /// (default 60): a process that dies leaves its rows to the others this long after.
    #[arg(long, value_name = "SECS")]
    lease_secs: Option<f64>,
}

const USAGE: &str = "usage: WHATSAPP_ACCESS_TOKEN=... WHATSAPP_PHONE_NUMBER_ID=... \
[WHATSAPP_API_BASE_URL=...] cargo run --example bulk_send -- --csv <path> [--dry-run] \
[--concurrency 8] [--outbox FILE|URL] [--redis URL] [--redis-namespace NAME] \
[--throughput 80] [--burst N] [--lease-secs 60]";

/// The throughput limit and burst, and with `--redis URL` the limits shared through that Redis
/// (in `--redis-namespace`, default `bulk_send`). Redis is connected lazily: a run that starts
/// while Redis is down sends at a quarter of the number's throughput until Redis answers.
fn limits(builder: wacloud::ClientBuilder, args: &Args) -> Result<wacloud::ClientBuilder, String> {
    let mut rate_limits = RateLimits::default().throughput(args.throughput);
    if let Some(burst) = args.burst {
        rate_limits = rate_limits.throughput_burst(burst);
    }
    let builder = builder.rate_limits(rate_limits);
    let Some(url) = args.redis.clone() else {
        return Ok(builder);
    };
    let shared = wacloud::layers::shared::RedisLimits::builder(url)
        .namespace(args.redis_namespace.clone())
        .build()
        .map_err(|err| format!("--redis: {err}"))?;
    Ok(builder.shared_limits(shared))
}

/// What each row asks for, decided by the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `to,text`
    Text,
    /// `to,template,language`
    Template,
}

/// One data row: its number, its recipient, and the message, or why it cannot be built.
#[derive(Debug)]
struct Row {
    number: usize,
    to: String,
    message: Result<OutgoingMessage, String>,
}

/// The result of one row.
#[derive(Debug)]
enum Outcome {
    Sent(String),
    Valid(String),
    Rejected(String),
    Failed(String),
    Unknown(String),
}

#[derive(Debug, Default)]
struct Summary {
    sent: usize,
    valid: usize,
    rejected: usize,
    failed: usize,
    unknown: usize,
}

impl Summary {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Sent(_) => self.sent += 1,
            Outcome::Valid(_) => self.valid += 1,
            Outcome::Rejected(_) => self.rejected += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Unknown(_) => self.unknown += 1,
        }
    }
}

/// One line of text: results are line-oriented, so a multi-line error is folded.
fn one_line(text: impl std::fmt::Display) -> String {
    text.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the CSV: the header decides the shape; a bad data row becomes a rejected row, so one
/// typo does not stop the run. A problem with the file itself is a usage error.
fn read_rows(path: &PathBuf) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|err| format!("cannot read the header of {}: {err}", path.display()))?
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let shape = match header.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["to", "text"] => Shape::Text,
        ["to", "template", "language"] => Shape::Template,
        _ => {
            return Err(format!(
                "{}: the header must be `to,text` or `to,template,language`, not `{}`",
                path.display(),
                header.join(",")
            ))
        }
    };
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = index + 1;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                rows.push(Row {
                    number,
                    to: "-".to_owned(),
                    message: Err(one_line(format_args!("unreadable row: {err}"))),
                });
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("").to_owned();
        let to = field(0);
        let message = build_message(shape, &record, &to, field(1), field(2));
        rows.push(Row {
            number,
            to: if to.is_empty() { "-".to_owned() } else { to },
            message,
        });
    }
    Ok(rows)
}

fn build_message(
    shape: Shape,
    record: &csv::StringRecord,
    to: &str,
    second: String,
    third: String,
) -> Result<OutgoingMessage, String> {
    let expected = match shape {
        Shape::Text => 2,
        Shape::Template => 3,
    };
    if record.len() != expected {
        return Err(format!(
            "expected {expected} fields, found {}",
            record.len()
        ));
    }
    if to.is_empty() {
        return Err("the `to` field is empty".to_owned());
    }
    let content: MessageContent = match shape {
        Shape::Text => Text::new(second).into(),
        Shape::Template => Template::new(second, third).into(),
    };
    let message = OutgoingMessage::new(to, content);
    // The client checks this again before sending; checking here gives dry runs the same
    // answer a real send would get, with no request.
    message.validate().map_err(one_line)?;
    Ok(message)
}

/// The correlation id the client wrote into `biz_opaque_callback_data`, from an
/// unknown-outcome error (possibly wrapped by the retry layer).
fn correlation_id(err: &wacloud::Error) -> Option<&str> {
    match err {
        wacloud::Error::OutcomeUnknown(unknown) => unknown.correlation_id.as_deref(),
        wacloud::Error::RetriesExhausted(exhausted) => correlation_id(&exhausted.last),
        _ => None,
    }
}

async fn send_row(client: &wacloud::Client, message: OutgoingMessage) -> Outcome {
    match client.send(message).await {
        Ok(sent) => match sent.message_id() {
            Some(id) => Outcome::Sent(id.to_string()),
            None => Outcome::Failed("the API answered without a message id".to_owned()),
        },
        Err(err) if err.is_local_rejection() => Outcome::Rejected(one_line(&err)),
        Err(err) if err.is_outcome_unknown() => {
            Outcome::Unknown(correlation_id(&err).unwrap_or("-").to_owned())
        }
        Err(err) => Outcome::Failed(one_line(&err)),
    }
}

fn check_row(rules: &RecipientRules, message: &OutgoingMessage) -> Outcome {
    // `build_message` validated the message, so its recipient reads.
    let user = match message.user_ref() {
        Ok(user) => user,
        Err(err) => return Outcome::Rejected(one_line(&err)),
    };
    // A number prints as E.164; a business-scoped user id as itself (it has no other form).
    match rules.check_user(&user) {
        Ok(checked) => Outcome::Valid(checked.to_string()),
        Err(rejected) => Outcome::Rejected(one_line(&rejected)),
    }
}

fn line(number: usize, to: &str, outcome: &Outcome) -> String {
    let (tag, detail) = match outcome {
        Outcome::Sent(detail) => ("OK", detail),
        Outcome::Valid(detail) => ("VALID", detail),
        Outcome::Rejected(detail) => ("REJECTED", detail),
        Outcome::Failed(detail) => ("FAILED", detail),
        Outcome::Unknown(detail) => ("UNKNOWN", detail),
    };
    format!("{tag} {number} {to} {detail}")
}

/// Counts per value of one label, e.g. attempts per retry class.
#[derive(Default)]
struct ByLabel(BTreeMap<String, u64>);

impl ByLabel {
    fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

impl std::fmt::Display for ByLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, n)| format!("{k}={n}")).collect();
        write!(f, "{} ({})", self.total(), parts.join(" "))
    }
}

/// The summary lines, from what the SDK recorded through the `metrics` facade.
fn telemetry_summary(snapshotter: &Snapshotter) -> Vec<String> {
    let (mut attempts, mut retries) = (ByLabel::default(), ByLabel::default());
    let (mut closures, mut held, mut probes) = (0, 0.0, 0);
    let (mut permit_ages, mut renewed) = (Vec::new(), 0);
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let class = key
            .labels()
            .find(|label| label.key() == names::CLASS)
            .map(|label| label.value().to_owned())
            .unwrap_or_default();
        match (key.name(), value) {
            (names::ATTEMPTS, DebugValue::Counter(n)) => *attempts.0.entry(class).or_default() += n,
            (names::RETRIES, DebugValue::Counter(n)) => *retries.0.entry(class).or_default() += n,
            (names::GATE_CLOSURES, DebugValue::Counter(n)) => closures += n,
            (names::GATE_PROBES, DebugValue::Counter(n)) => probes += n,
            (names::GATE_CLOSED_DURATION, DebugValue::Histogram(values)) => {
                held += values.iter().map(|v| v.into_inner()).sum::<f64>();
            }
            (names::RATE_LIMIT_PERMIT_AGE, DebugValue::Histogram(values)) => {
                permit_ages.extend(values.iter().map(|v| v.into_inner()));
            }
            (names::RATE_LIMIT_RENEWALS, DebugValue::Counter(n)) => renewed += n,
            _ => {}
        }
    }
    let mut lines = vec![
        format!("attempts: {attempts}"),
        format!("retries: {retries}"),
        format!("held at the outage gate: {held:.1} s (closed {closures} times)"),
        format!("outage probes sent: {probes}"),
    ];
    // With an outbox, each write waits for its durable record after its throughput permit.
    if !permit_ages.is_empty() {
        permit_ages.sort_by(f64::total_cmp);
        let at = |q: f64| permit_ages[((permit_ages.len() - 1) as f64 * q).round() as usize] * 1e3;
        lines.push(format!(
            "throughput permit age at write: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} \
             writes; {renewed} renewed",
            at(0.5),
            at(0.99),
            at(1.0),
            permit_ages.len()
        ));
    }
    lines
}

fn progress_bar(rows: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed_precise} (eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // The SDK records through the `metrics` facade; this run keeps the values in memory for
    // its summary (a service would install a Prometheus or OpenTelemetry recorder instead).
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    if recorder.install().is_err() {
        eprintln!("warning: a metrics recorder was already installed: no summary");
    }
    let client = if args.dry_run {
        None
    } else {
        match support::client_from_env_with(USAGE, |builder| limits(builder, &args)) {
            Ok(client) => Some(client),
            Err(message) => return support::usage_error(message),
        }
    };
    let rows = match read_rows(&args.csv) {
        Ok(rows) => rows,
        Err(message) => {
            return support::usage_error(format_args!("error: {message}\n{USAGE}"));
        }
    };
    if let (Some(path), Some(client)) = (&args.outbox, &client) {
        let mut config = wacloud_outbox::OutboxConfig::default();
        match args.lease_secs.map(Duration::try_from_secs_f64) {
            None => {}
            Some(Ok(lease)) if lease >= Duration::from_millis(100) => config.lease = lease,
            Some(_) => {
                return support::usage_error(format_args!(
                    "error: --lease-secs must be at least 0.1\n{USAGE}"
                ))
            }
        }
        let result = bulk_outbox::run(
            client.clone(),
            rows,
            path,
            usize::from(args.concurrency),
            config,
        )
        .await;
        for line in telemetry_summary(&snapshotter) {
            eprintln!("{line}");
        }
        return match result {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let bar = progress_bar(rows.len());
    let rules = RecipientRules::default();
    let mut results = stream::iter(rows)
        .map(|row| {
            let client = client.clone();
            let rules = &rules;
            async move {
                let outcome = match (row.message, client) {
                    (Err(reason), _) => Outcome::Rejected(reason),
                    (Ok(message), None) => check_row(rules, &message),
                    (Ok(message), Some(client)) => send_row(&client, message).await,
                };
                (row.number, row.to, outcome)
            }
        })
        .buffer_unordered(usize::from(args.concurrency));
    let mut summary = Summary::default();
    while let Some((number, to, outcome)) = results.next().await {
        summary.add(&outcome);
        let text = line(number, &to, &outcome);
        bar.suspend(|| println!("{text}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    if args.dry_run {
        println!(
            "SUMMARY sent=0 rejected={} failed=0 unknown=0 valid={} (dry run: nothing sent)",
            summary.rejected, summary.valid
        );
        return if summary.rejected > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    println!(
        "SUMMARY sent={} rejected={} failed={} unknown={}",
        summary.sent, summary.rejected, summary.failed, summary.unknown
    );
    for line in telemetry_summary(&snapshotter) {
        eprintln!("{line}");
    }
    if summary.unknown > 0 {
        eprintln!(
            "{} row(s) have an unknown outcome: they may have been delivered. Match their \
             correlation ids against biz_opaque_callback_data in status webhooks before \
             sending them again.",
            summary.unknown
        );
    }
    if summary.failed > 0 || summary.unknown > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
