//! Runs `examples/webhook_receiver.rs` as a process: builds it with cargo
//! (same target dir as this test), starts it on a free loopback port, posts
//! signed webhooks and checks its stdout line by line.
#![cfg(feature = "webhook-router")]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use wacloud::webhooks::AppSecret;

mod webhook_example_support;
use webhook_example_support::{example_binary, Running, SECRET};

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
    let example = Running::start();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = example.base_url();
        let client = reqwest::Client::new();
        example.wait_ready(&client).await;
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
        match example.lines.recv_timeout(left) {
            Ok(line) => got.push(line),
            Err(_) => break,
        }
    }
    assert_eq!(got, expected);
    // Nothing more arrives.
    assert!(example
        .lines
        .recv_timeout(Duration::from_millis(300))
        .is_err());
    drop(example);
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
