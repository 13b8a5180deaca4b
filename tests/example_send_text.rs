//! The `send_text`, `bulk_send`, `send_template` and `send_media` examples run as processes
//! (see `example_support`), against a sandbox started in the test on loopback.

mod example_support;

use example_support::run;
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig, SandboxHandle};

const PHONE_NUMBER_ID: &str = "100000000000001";
const DEBUGGER: &str = "developers.facebook.com/tools/debug/accesstoken";

async fn sandbox() -> SandboxHandle {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts")
}

fn env_for<'a>(sb: &'a SandboxHandle, token: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("WHATSAPP_ACCESS_TOKEN", token),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
        ("WHATSAPP_API_BASE_URL", sb.base_url()),
    ]
}

#[tokio::test]
async fn send_text_prints_one_wamid_line_and_exits_zero() {
    let sb = sandbox().await;
    let run = run(
        "send_text",
        &env_for(&sb, "sandbox-token"),
        &[
            "--to",
            "+16505550121",
            "--text",
            "Hello from the process test",
        ],
    )
    .await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {:?}", run.stdout);
    assert!(lines[0].starts_with("wamid"), "stdout: {:?}", run.stdout);
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].wamid, lines[0]);
    assert_eq!(accepted[0].to, "+16505550121");
    assert_eq!(
        accepted[0].body["text"]["body"],
        "Hello from the process test"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn send_text_usage_problems_exit_non_zero_with_a_usage_message() {
    // No environment at all: nothing to send with, no request possible.
    let run_without_env = run("send_text", &[], &["--to", "+16505550122", "--text", "Hi"]).await;
    assert_ne!(run_without_env.code, Some(0));
    assert!(
        run_without_env.stderr.contains("WHATSAPP_ACCESS_TOKEN"),
        "stderr: {}",
        run_without_env.stderr
    );
    assert!(
        run_without_env.stderr.contains("usage"),
        "stderr: {}",
        run_without_env.stderr
    );
    assert!(run_without_env.stdout.is_empty());

    // The environment but no --to.
    let sb = sandbox().await;
    let run_without_to = run(
        "send_text",
        &env_for(&sb, "sandbox-token"),
        &["--text", "Hi"],
    )
    .await;
    assert_ne!(run_without_to.code, Some(0));
    assert!(
        run_without_to.stderr.contains("--to"),
        "stderr: {}",
        run_without_to.stderr
    );
    assert!(
        run_without_to.stderr.to_lowercase().contains("usage"),
        "stderr: {}",
        run_without_to.stderr
    );
    assert!(run_without_to.stdout.is_empty());
    assert_eq!(sb.request_count(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn send_text_wrong_token_prints_the_code_and_the_token_debugger() {
    let sb = sandbox().await;
    let run = run(
        "send_text",
        &env_for(&sb, "definitely-not-the-token"),
        &["--to", "+16505550123", "--text", "Hi"],
    )
    .await;
    assert_ne!(run.code, Some(0));
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("190"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains(DEBUGGER), "stderr: {}", run.stderr);
    assert!(
        !run.stderr.contains("definitely-not-the-token"),
        "the token leaked: {}",
        run.stderr
    );
    assert_eq!(sb.accepted_count(), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn send_text_rejects_a_sanctioned_recipient_without_a_request() {
    let sb = sandbox().await;
    let run = run(
        "send_text",
        &env_for(&sb, "sandbox-token"),
        &["--to", "+5352345678", "--text", "Hi"],
    )
    .await;
    assert_ne!(run.code, Some(0));
    assert!(run.stdout.is_empty(), "stdout: {}", run.stdout);
    assert!(run.stderr.contains("rejected"), "stderr: {}", run.stderr);
    assert!(run.stderr.contains("Cuba"), "stderr: {}", run.stderr);
    assert_eq!(sb.request_count(), 0, "nothing reached the sandbox");
    sb.shutdown().await;
}

#[tokio::test]
async fn send_text_sends_to_a_bsuid_in_recipient() {
    let sb = sandbox().await;
    let run = run(
        "send_text",
        &env_for(&sb, "sandbox-token"),
        &["--to", "US.13491208655302741918", "--text", "hi"],
    )
    .await;
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {:?}", run.stdout);
    assert!(lines[0].starts_with("wamid."), "stdout: {:?}", run.stdout);
    let requests = sb.requests();
    assert_eq!(requests.len(), 1);
    let body = requests[0].json().expect("a JSON body");
    assert_eq!(body["recipient"], "US.13491208655302741918");
    assert!(body.get("to").is_none(), "{body}");
    let accepted = sb.accepted_messages();
    assert_eq!(accepted[0].wamid, lines[0]);
    assert_eq!(
        accepted[0].user_id.as_deref(),
        Some("US.13491208655302741918")
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn send_text_rejects_a_bsuid_from_a_sanctioned_country_or_malformed_without_a_request() {
    let sb = sandbox().await;
    let iran = run(
        "send_text",
        &env_for(&sb, "sandbox-token"),
        &["--to", "IR.1502576394655843", "--text", "hi"],
    )
    .await;
    assert_eq!(iran.code, Some(1), "stderr: {}", iran.stderr);
    assert!(iran.stdout.is_empty(), "stdout: {}", iran.stdout);
    assert!(
        iran.stderr.contains("rejected") && iran.stderr.contains("sanctions.iran"),
        "stderr: {}",
        iran.stderr
    );
    assert!(iran.stderr.contains("Iran"), "stderr: {}", iran.stderr);

    for malformed in ["US.", "us.abc", "US.12-34"] {
        let bad = run(
            "send_text",
            &env_for(&sb, "sandbox-token"),
            &["--to", malformed, "--text", "hi"],
        )
        .await;
        assert_eq!(bad.code, Some(1), "{malformed}: {}", bad.stderr);
        assert!(
            bad.stderr.contains("invalid recipient"),
            "{malformed}: {}",
            bad.stderr
        );
    }
    assert_eq!(sb.request_count(), 0, "nothing reached the sandbox");
    sb.shutdown().await;
}

#[tokio::test]
async fn bulk_send_dry_run_checks_bsuids_on_their_country() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let csv = dir.path().join("users.csv");
    std::fs::write(
        &csv,
        "to,text\n\
         US.13491208655302741918,by user id\n\
         IR.1502576394655843,sanctioned country\n\
         +16505550131,by number\n",
    )
    .expect("write the CSV");
    let csv = csv.to_str().expect("a UTF-8 path");
    let dry = run("bulk_send", &[], &["--csv", csv, "--dry-run"]).await;
    assert_eq!(dry.code, Some(1), "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("VALID 1 US.13491208655302741918 US.13491208655302741918"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .lines()
            .any(|line| line.starts_with("REJECTED 2 IR.1502576394655843 ")
                && line.contains("sanctions.iran")),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("VALID 3 +16505550131 +16505550131"),
        "{}",
        dry.stdout
    );
}

#[tokio::test]
async fn bulk_send_reports_every_row_and_the_summary() {
    let sb = sandbox().await;
    // Row 4 fails with a Graph error, row 5 is accepted but its answer is lost.
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 400,
            code: 131047,
            message: "(#131047) Re-engagement message".into(),
        })
        .for_recipient("+16505550134"),
    );
    sb.inject(FaultRule::new(Fault::DropAfterActing).for_recipient("+16505550135"));
    // Row 1's first attempt meets a passing fault: retried (after about 0.5 s) and accepted.
    sb.inject(
        FaultRule::new(Fault::Graph {
            status: 500,
            code: 131000,
            message: "(#131000) Something went wrong".into(),
        })
        .for_recipient("+16505550131")
        .times(1),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let csv = dir.path().join("recipients.csv");
    std::fs::write(
        &csv,
        "to,text\n\
         +16505550131,first\n\
         +16505550132,second\n\
         +5352345678,sanctioned\n\
         +16505550134,outside the 24 hour window\n\
         +16505550135,answer lost\n",
    )
    .expect("write the CSV");
    let csv = csv.to_str().expect("a UTF-8 path");

    let dry = run("bulk_send", &[], &["--csv", csv, "--dry-run"]).await;
    assert_eq!(
        dry.code,
        Some(1),
        "a rejected row fails a dry run: {}",
        dry.stderr
    );
    assert!(
        dry.stdout.contains("VALID 1 +16505550131 +16505550131"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("REJECTED 3 +5352345678 "),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.lines().last().is_some_and(
            |line| line.starts_with("SUMMARY sent=0 rejected=1 failed=0 unknown=0 valid=4")
        ),
        "{}",
        dry.stdout
    );
    assert_eq!(sb.request_count(), 0, "a dry run sends nothing");

    let sent = run(
        "bulk_send",
        &env_for(&sb, "sandbox-token"),
        &["--csv", csv, "--concurrency", "3"],
    )
    .await;
    assert_eq!(sent.code, Some(1), "stderr: {}", sent.stderr);
    let lines: Vec<&str> = sent.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "stdout: {}", sent.stdout);
    assert_eq!(
        lines.last().copied(),
        Some("SUMMARY sent=2 rejected=1 failed=1 unknown=1")
    );
    let line_for = |row: &str| {
        lines
            .iter()
            .find(|line| line.split(' ').nth(1) == Some(row))
            .copied()
            .unwrap_or_else(|| panic!("no line for row {row}: {}", sent.stdout))
    };
    let accepted = sb.accepted_messages();
    for (row, to) in [("1", "+16505550131"), ("2", "+16505550132")] {
        let line = line_for(row);
        assert!(line.starts_with(&format!("OK {row} {to} wamid.")), "{line}");
        let wamid = line.split(' ').nth(3).expect("a wamid");
        assert!(accepted.iter().any(|m| m.wamid == wamid && m.to == to));
    }
    assert!(
        line_for("3").starts_with("REJECTED 3 +5352345678 "),
        "{}",
        line_for("3")
    );
    let failed = line_for("4");
    assert!(failed.starts_with("FAILED 4 +16505550134 "), "{failed}");
    assert!(failed.contains("131047"), "{failed}");
    let unknown = line_for("5");
    assert!(
        unknown.starts_with("UNKNOWN 5 +16505550135 wacloud-"),
        "{unknown}"
    );
    // The unknown row was in fact accepted: its correlation id is how to find out.
    let correlation = unknown.split(' ').nth(3).expect("a correlation id");
    assert!(accepted
        .iter()
        .any(|m| m.to == "+16505550135"
            && m.biz_opaque_callback_data.as_deref() == Some(correlation)));
    assert_eq!(accepted.len(), 3);
    assert_eq!(sb.duplicate_count(), 0, "nothing was sent twice");
    // The SDK's own account, on stderr (stdout keeps its line contract above): five attempts
    // (row 1 twice), one retry, no outage.
    for line in [
        "attempts: 5 (never=1 none=2 transient=1 unanswered=1)",
        "retries: 1 (transient=1)",
        "held at the outage gate: 0.0 s (closed 0 times)",
    ] {
        assert!(
            sent.stderr.lines().any(|l| l == line),
            "no `{line}` in stderr: {}",
            sent.stderr
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn send_template_defaults_to_hello_world_and_send_media_uploads_then_sends() {
    let sb = sandbox().await;
    let env = env_for(&sb, "sandbox-token");
    let template = run("send_template", &env, &["--to", "+16505550141"]).await;
    assert_eq!(template.code, Some(0), "stderr: {}", template.stderr);
    let wamid = template.stdout.lines().next().expect("a wamid line");
    assert!(wamid.starts_with("wamid"), "{}", template.stdout);
    let accepted = sb.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].wamid, wamid);
    assert_eq!(accepted[0].kind, "template");
    assert_eq!(
        accepted[0].body["template"],
        serde_json::json!({"name": "hello_world", "language": {"code": "en_US"}})
    );

    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("menu.pdf");
    std::fs::write(&file, b"%PDF-1.4 a tiny menu").expect("write the file");
    let file = file.to_str().expect("a UTF-8 path");
    let media = run(
        "send_media",
        &env,
        &[
            "--to",
            "+16505550142",
            "--file",
            file,
            "--mime",
            "application/pdf",
            "--caption",
            "Today's menu",
        ],
    )
    .await;
    assert_eq!(media.code, Some(0), "stderr: {}", media.stderr);
    let lines: Vec<&str> = media.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "stdout: {}", media.stdout);
    let media_id = lines[0].strip_prefix("media_id ").expect("a media id line");
    assert!(lines[1].starts_with("wamid"), "{}", media.stdout);
    let document = sb
        .accepted_messages()
        .into_iter()
        .find(|m| m.wamid == lines[1])
        .expect("the document was accepted");
    assert_eq!(document.kind, "document");
    assert_eq!(
        document.body["document"],
        serde_json::json!({"id": media_id, "caption": "Today's menu", "filename": "menu.pdf"})
    );

    // A caption on audio is a usage problem found before any upload.
    let requests = sb.request_count();
    let audio = run(
        "send_media",
        &env,
        &[
            "--to",
            "+16505550143",
            "--file",
            file,
            "--mime",
            "audio/ogg",
            "--caption",
            "x",
        ],
    )
    .await;
    assert_eq!(audio.code, Some(2), "stderr: {}", audio.stderr);
    assert!(audio.stderr.contains("usage"), "{}", audio.stderr);
    assert_eq!(sb.request_count(), requests, "no upload was attempted");
    sb.shutdown().await;
}
