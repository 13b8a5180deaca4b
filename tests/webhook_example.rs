//! Runs `examples/webhook_receiver.rs` as a process: builds it with cargo
//! (same target dir as this test), starts it on a free loopback port, posts
//! signed webhooks and checks its stdout line by line.
#![cfg(feature = "webhook-router")]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wacloud::webhooks::AppSecret;

const SECRET: &str = "example-secret";
const TOKEN: &str = "example-token";

/// Kills the child when dropped, also on a failed assertion.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `target/<profile>` of this test binary (`target/<profile>/deps/<test>`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

fn example_binary() -> PathBuf {
    let profile = profile_dir();
    let target_dir = profile.parent().unwrap().to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--quiet", "--example", "webhook_receiver"])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir);
    if profile.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .expect("run cargo build --example webhook_receiver");
    assert!(
        status.success(),
        "cargo build --example webhook_receiver failed"
    );
    let bin = profile
        .join("examples")
        .join(format!("webhook_receiver{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} not built", bin.display());
    bin
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("wiremock-fixtures/webhooks")
            .join(name),
    )
    .unwrap()
}

#[test]
fn example_prints_reconciled_statuses_and_messages() {
    let bin = example_binary();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&bin)
        .env("WHATSAPP_APP_SECRET", SECRET)
        .env("WHATSAPP_VERIFY_TOKEN", TOKEN)
        .env("WEBHOOK_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Killed(child);
    let (tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        // Wait (at most 20 s) for the server to answer the handshake.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = client
                .get(format!(
                    "{base}/?hub.mode=subscribe&hub.challenge=31337&hub.verify_token={TOKEN}"
                ))
                .send()
                .await;
            if let Ok(r) = r {
                assert_eq!(r.status(), 200);
                assert_eq!(r.text().await.unwrap(), "31337");
                break;
            }
            assert!(Instant::now() < deadline, "webhook_receiver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let post = |body: Vec<u8>, sig: Option<String>| {
            let mut req = client.post(&base).body(body);
            if let Some(sig) = sig {
                req = req.header("X-Hub-Signature-256", sig);
            }
            async move { req.send().await.unwrap().status().as_u16() }
        };
        let signed = |body: Vec<u8>| {
            let sig = AppSecret::new(SECRET).sign(&body);
            post(body, Some(sig))
        };
        let get_status = |q: &'static str| {
            let c = client.clone();
            let u = format!("{base}/?{q}");
            async move { c.get(u).send().await.unwrap().status().as_u16() }
        };

        // Rejected requests print nothing.
        assert_eq!(
            get_status("hub.mode=subscribe&hub.challenge=1&hub.verify_token=bad").await,
            403
        );
        assert_eq!(post(fixture("status_sent.json"), None).await, 403);
        assert_eq!(
            post(fixture("status_sent.json"), Some(AppSecret::new("wrong").sign(b"x"))).await,
            403
        );
        assert_eq!(signed(b"not json".to_vec()).await, 400);
        assert_eq!(signed(vec![b' '; 9 * 1024 * 1024]).await, 413);

        // A signed status batch: failed then delivered then a duplicate failure.
        let batch = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[
            {"id":"wamid.X","status":"sent","timestamp":"1","recipient_id":"16505551234"},
            {"id":"wamid.X","status":"failed","timestamp":"3","recipient_id":"16505551234","errors":[{"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{"details":"x"}}]},
            {"id":"wamid.X","status":"delivered","timestamp":"2","recipient_id":"16505551234"},
            {"id":"wamid.Y","status":"failed","timestamp":"2","recipient_id":"16505551234","errors":[{"code":131026,"title":"Message undeliverable"}]},
            {"id":"wamid.X","status":"sent","timestamp":"1","recipient_id":"16505551234"}
        ]},"field":"messages"}]}]}"#;
        assert_eq!(signed(batch.to_vec()).await, 200);
        assert_eq!(signed(fixture("status_conflict_failed.json")).await, 200);
        assert_eq!(signed(fixture("status_conflict_delivered.json")).await, 200);
        assert_eq!(signed(fixture("status_read.json")).await, 200);
        assert_eq!(signed(fixture("message_text.json")).await, 200);
        assert_eq!(signed(fixture("message_interactive_button_reply.json")).await, 200);
        // A non-message field prints nothing; a BSUID user without `type` prints the BSUID
        // as <from> and the type of its content.
        assert_eq!(signed(fixture("field_message_template_status_update.json")).await, 200);
        assert_eq!(signed(fixture("message_bsuid_no_type.json")).await, 200);
    });

    let expected = [
        "STATUS wamid.X sent -> sent",
        "STATUS wamid.X failed -> failed",
        "STATUS wamid.X delivered -> delivered",
        "STATUS wamid.Y failed -> failed",
        "STATUS wamid.X sent -> delivered",
        "STATUS wamid.CONFLICT1 failed -> failed",
        "STATUS wamid.CONFLICT1 delivered -> delivered",
        "STATUS wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA read -> read",
        "MESSAGE wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA= text 16505551234",
        "MESSAGE wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA= interactive 16505551234",
        "MESSAGE wamid.HBgLVVMuMTM0OTEyMDg2NTUzMDI3NDE5MTgVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA= image US.13491208655302741918",
    ];
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.len() < expected.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => got.push(line),
            Err(_) => break,
        }
    }
    assert_eq!(got, expected);
    // Nothing more arrives.
    assert!(lines.recv_timeout(Duration::from_millis(300)).is_err());
    drop(child);
}

#[test]
fn example_without_configuration_exits_2_with_usage() {
    let bin = example_binary();
    let out = Command::new(&bin)
        .env_remove("WHATSAPP_APP_SECRET")
        .env_remove("WHATSAPP_VERIFY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("usage"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = Command::new(&bin)
        .env("WHATSAPP_APP_SECRET", SECRET)
        .env_remove("WHATSAPP_VERIFY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("WHATSAPP_VERIFY_TOKEN"));
}
