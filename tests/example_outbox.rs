//! `bulk_send --outbox FILE` and `outbox status --db FILE` run as processes against a sandbox:
//! the resumable contract (a rerun adds nothing and sends nothing, new rows alone are sent,
//! SUMMARY counts every row of the outbox, the exit code says whether every row is sent or
//! rejected) and the status report with each failed or unknown message's diagnosis.

mod example_support;

use example_support::run;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

const PHONE_NUMBER_ID: &str = "100000000000001";

fn env_for(sb: &SandboxHandle) -> [(&'static str, &str); 3] {
    [
        ("WHATSAPP_ACCESS_TOKEN", "sandbox-token"),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
        ("WHATSAPP_API_BASE_URL", sb.base_url()),
    ]
}

fn row_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| !line.starts_with("SUMMARY"))
        .collect()
}

const PERMIT_AGE: &str = "throughput permit age at write: ";

/// The stderr line `bulk_send --outbox` adds to its summary when it wrote: "throughput permit
/// age at write: p50 A ms, p99 B ms, max C ms over N writes; R renewed", read as
/// ([A, B, C], N, R). Panics (with the whole stderr) if the line is missing or malformed.
fn permit_age_line(stderr: &str) -> ([f64; 3], usize, u64) {
    let fail = |why: &str| -> ! { panic!("{why}: no well-formed permit age line in:\n{stderr}") };
    let lines: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix(PERMIT_AGE))
        .collect();
    let [rest] = lines[..] else {
        fail(&format!("{} permit age lines", lines.len()))
    };
    let (ages, counts) = rest
        .split_once(" over ")
        .unwrap_or_else(|| fail("no ' over '"));
    let mut quantiles = [0.0; 3];
    let parts: Vec<&str> = ages.split(", ").collect();
    if parts.len() != 3 {
        fail("not three quantiles");
    }
    for ((part, name), slot) in parts
        .iter()
        .zip(["p50 ", "p99 ", "max "])
        .zip(&mut quantiles)
    {
        *slot = part
            .strip_prefix(name)
            .and_then(|ms| ms.strip_suffix(" ms"))
            .and_then(|ms| ms.parse().ok())
            .filter(|ms: &f64| ms.is_finite() && *ms >= 0.0)
            .unwrap_or_else(|| fail(&format!("bad {name}")));
    }
    let (writes, renewed) = counts
        .strip_suffix(" renewed")
        .and_then(|counts| counts.split_once(" writes; "))
        .unwrap_or_else(|| fail("no 'N writes; R renewed'"));
    let writes = writes.parse().unwrap_or_else(|_| fail("bad N"));
    let renewed = renewed.parse().unwrap_or_else(|_| fail("bad R"));
    (quantiles, writes, renewed)
}

/// The permit age line of a run that wrote `writes` rows: ordered quantiles, one age per write,
/// at most one renewal per write.
fn assert_permit_ages(stderr: &str, writes: usize) {
    let ([p50, p99, max], n, renewed) = permit_age_line(stderr);
    assert_eq!(n, writes, "one permit age per write:\n{stderr}");
    assert!(p50 <= p99 && p99 <= max, "unordered quantiles:\n{stderr}");
    assert!(renewed <= n as u64, "more renewals than writes:\n{stderr}");
}

/// How many sends reached the sandbox (each a write on a throughput permit).
fn sends(sb: &SandboxHandle) -> usize {
    sb.requests()
        .iter()
        .filter(|request| request.method == "POST" && request.path.ends_with("/messages"))
        .count()
}

#[tokio::test]
async fn bulk_send_with_an_outbox_resumes_without_adding_or_resending_rows() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 400,
            code: 131047,
            message: "(#131047) Re-engagement message".into(),
        })
        .for_recipient("+16505550134"),
    );
    sb.inject(FaultRule::new(Fault::DropAfterActing).for_recipient("+16505550135"));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("recipients.csv");
    let db = dir.path().join("outbox.db");
    let rows = "to,text\n\
                +16505550131,first\n\
                +16505550132,second\n\
                +5352345678,sanctioned\n\
                +16505550134,outside the 24 hour window\n\
                +16505550135,answer lost\n";
    std::fs::write(&csv, rows).unwrap();
    let args = [
        "--csv",
        csv.to_str().unwrap(),
        "--outbox",
        db.to_str().unwrap(),
        "--concurrency",
        "3",
    ];

    let first = run("bulk_send", &env_for(&sb), &args).await;
    assert_eq!(first.code, Some(1), "{}\n{}", first.stdout, first.stderr);
    let lines = row_lines(&first.stdout);
    assert_eq!(lines.len(), 5, "{}", first.stdout);
    let line_for = |row: &str| {
        lines
            .iter()
            .find(|line| line.split(' ').nth(1) == Some(row))
            .copied()
            .unwrap_or_else(|| panic!("no line for row {row}: {}", first.stdout))
    };
    assert!(
        line_for("1").starts_with("OK 1 +16505550131 wamid."),
        "{}",
        line_for("1")
    );
    assert!(line_for("2").starts_with("OK 2 +16505550132 wamid."));
    assert!(
        line_for("3").starts_with("REJECTED 3 +5352345678 "),
        "{}",
        line_for("3")
    );
    assert!(
        line_for("4").starts_with("FAILED 4 +16505550134 "),
        "{}",
        line_for("4")
    );
    assert!(line_for("4").contains("131047"), "{}", line_for("4"));
    let unknown = line_for("5");
    assert!(
        unknown.starts_with("UNKNOWN 5 +16505550135 wacloud-outbox:"),
        "{unknown}"
    );
    // The UNKNOWN id is what the sandbox got as callback data.
    let id = unknown.split(' ').nth(3).unwrap();
    assert!(sb
        .accepted_messages()
        .iter()
        .any(|m| m.biz_opaque_callback_data.as_deref() == Some(id)));
    assert_eq!(
        first.stdout.lines().last(),
        Some("SUMMARY sent=2 rejected=1 failed=1 unknown=1")
    );
    // Rows 1, 2, 4 and 5 were written (3 was refused locally), each on a throughput permit.
    let written = sends(&sb);
    assert_eq!(written, 4, "{:?}", sb.requests());
    assert_permit_ages(&first.stderr, written);

    // The same CSV again: nothing added, nothing sent, the summary over every row.
    let requests = sb.request_count();
    let again = run("bulk_send", &env_for(&sb), &args).await;
    assert_eq!(again.code, Some(1));
    assert!(row_lines(&again.stdout).is_empty(), "{}", again.stdout);
    assert_eq!(
        again.stdout.trim(),
        "SUMMARY sent=2 rejected=1 failed=1 unknown=1"
    );
    assert_eq!(sb.request_count(), requests, "a rerun sends nothing");
    // Nothing written, no permit ages: the line is left out.
    assert!(!again.stderr.contains(PERMIT_AGE), "{}", again.stderr);

    // A new row (and an edited one, which is new content): only they are sent.
    let more = format!(
        "{}+16505550136,sixth\n",
        rows.replace("second", "second edited")
    );
    std::fs::write(&csv, more).unwrap();
    let before = sends(&sb);
    let third = run("bulk_send", &env_for(&sb), &args).await;
    let written = sends(&sb) - before;
    assert_eq!(written, 2, "{:?}", sb.requests());
    assert_permit_ages(&third.stderr, written);
    let lines = row_lines(&third.stdout);
    assert_eq!(lines.len(), 2, "{}", third.stdout);
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("OK 2 +16505550132 wamid.")),
        "{}",
        third.stdout
    );
    assert!(lines
        .iter()
        .any(|line| line.starts_with("OK 6 +16505550136 wamid.")));
    assert_eq!(
        third.stdout.lines().last(),
        Some("SUMMARY sent=4 rejected=1 failed=1 unknown=1")
    );
    assert_eq!(sb.duplicate_count(), 0);

    // The status report: counts, then the failed, rejected and unknown rows explained.
    let status = run("outbox", &[], &["status", "--db", db.to_str().unwrap()]).await;
    assert_eq!(status.code, Some(0), "{}", status.stderr);
    let out = &status.stdout;
    assert!(
        out.starts_with("STATES queued=0 dispatched=0 accepted=4 rejected=2 unknown=1\n"),
        "{out}"
    );
    assert!(
        out.contains("DELIVERY sent=4 delivered=0 read=0 failed=0"),
        "{out}"
    );
    assert!(out.contains("rejected: error 131047"), "{out}");
    assert!(out.contains("send an approved template"), "{out}");
    assert!(out.contains("outcome unknown"), "{out}");
    assert!(!out.contains("6505550135"), "numbers are masked: {out}");

    let missing = run("outbox", &[], &["status", "--db", "/nonexistent/outbox.db"]).await;
    assert_eq!(missing.code, Some(2));
}

#[tokio::test]
async fn bulk_send_with_an_outbox_exits_zero_when_every_row_is_sent_or_rejected() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("recipients.csv");
    let db = dir.path().join("outbox.db");
    std::fs::write(&csv, "to,text\n+16505550141,a\n+5352345678,b\n,missing\n").unwrap();
    let args = [
        "--csv",
        csv.to_str().unwrap(),
        "--outbox",
        db.to_str().unwrap(),
    ];
    let done = run("bulk_send", &env_for(&sb), &args).await;
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    assert!(done.stdout.contains("REJECTED 3 - "), "{}", done.stdout);
    assert_eq!(
        done.stdout.lines().last(),
        Some("SUMMARY sent=1 rejected=2 failed=0 unknown=0")
    );
    assert_eq!(sends(&sb), 1);
    assert_permit_ages(&done.stderr, 1);
}
