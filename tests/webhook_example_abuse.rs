//! Issue 14, checked from outside on `examples/webhook_receiver.rs` as a real child process:
//!
//! - after `kill -9` in the middle of a flood, every status whose POST got 200 has its
//!   `STATUS` line on stdout (acknowledged means written and flushed);
//! - with 150 stalled unsigned 8 MiB uploads the receiver stays under 256 MB and a real signed
//!   webhook still gets its 200 (default settings).
#![cfg(all(feature = "webhook-router", target_os = "linux"))]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use wacloud::webhooks::AppSecret;

mod webhook_example_support;
use webhook_example_support::{Running, SECRET};

fn statuses(ids: &[String]) -> Vec<u8> {
    let items: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":"{id}","status":"sent","timestamp":"1","recipient_id":"16505551234"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"statuses":[{}]}}}}]}}]}}"#,
        items.join(",")
    )
    .into_bytes()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `(VmRSS, VmHWM)` of a process, in bytes.
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn kill_9_mid_flood_loses_no_acknowledged_status() {
    let mut example = Running::start();
    let rt = runtime();
    let acknowledged: Vec<String> = rt.block_on(async {
        let client = reqwest::Client::new();
        example.wait_ready(&client).await;
        let url = example.base_url();
        let stop = Arc::new(AtomicBool::new(false));
        let senders: Vec<_> = (0..16)
            .map(|sender| {
                let (client, url, stop) = (client.clone(), url.clone(), Arc::clone(&stop));
                tokio::spawn(async move {
                    let mut acked = Vec::new();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let ids: Vec<String> = (0..1 + n % 64)
                            .map(|k| format!("wamid.FLOOD{sender}x{n}x{k}"))
                            .collect();
                        n += 1;
                        let body = statuses(&ids);
                        let sig = AppSecret::new(SECRET).sign(&body);
                        let answer = client
                            .post(&url)
                            .header("X-Hub-Signature-256", sig)
                            .timeout(Duration::from_secs(10))
                            .body(body)
                            .send()
                            .await;
                        match answer {
                            Ok(r) if r.status() == 200 => acked.extend(ids),
                            Ok(_) => {}
                            // The receiver is gone.
                            Err(_) => break,
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(600)).await;
        // SIGKILL, mid-flood: no chance to flush or drain anything.
        example.child.0.kill().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acked = Vec::new();
        for s in senders {
            acked.extend(s.await.unwrap());
        }
        acked
    });
    // stdout is at EOF once the process is gone: read every line it wrote.
    let printed: HashSet<String> = example.lines.iter().collect();
    assert!(
        acknowledged.len() > 100,
        "only {} statuses acknowledged before the kill",
        acknowledged.len()
    );
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !printed.contains(&format!("STATUS {id} sent -> sent")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged statuses have no STATUS line, e.g. {:?}",
        missing.len(),
        acknowledged.len(),
        &missing[..missing.len().min(5)]
    );
    eprintln!(
        "kill -9 mid-flood: {} statuses acknowledged, all {} printed ({} lines in all)",
        acknowledged.len(),
        acknowledged.len(),
        printed.len()
    );
}

#[test]
fn stalled_uploads_neither_exhaust_memory_nor_lock_out_webhooks() {
    const STALLS: usize = 150;
    const DECLARED: usize = 8 * 1024 * 1024;
    let example = Running::start();
    let pid = example.child.0.id();
    let rt = runtime();
    rt.block_on(async {
        let client = reqwest::Client::new();
        example.wait_ready(&client).await;
        let addr = format!("127.0.0.1:{}", example.port);
        // 150 unsigned uploads declaring 8 MiB each, sending all but the last byte, then
        // stalling. Uploads the receiver refuses (503 at once, connection closed) fail to write.
        let uploads: Vec<_> = (0..STALLS)
            .map(|_| {
                let addr = addr.clone();
                tokio::spawn(async move {
                    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
                    let head = format!(
                        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                         Content-Length: {DECLARED}\r\n\r\n"
                    );
                    s.write_all(head.as_bytes()).await.unwrap();
                    let chunk = vec![b' '; 64 * 1024];
                    let mut sent = 0;
                    let write = async {
                        while sent < DECLARED - 1 {
                            let n = chunk.len().min(DECLARED - 1 - sent);
                            if s.write_all(&chunk[..n]).await.is_err() {
                                return false;
                            }
                            sent += n;
                        }
                        true
                    };
                    // A refused upload may also just stop being read: give up on it after 5 s.
                    let complete = tokio::time::timeout(Duration::from_secs(5), write)
                        .await
                        .unwrap_or(false);
                    (s, complete)
                })
            })
            .collect();
        let mut held = Vec::new();
        for u in uploads {
            held.push(u.await.unwrap());
        }
        let stalled = held.iter().filter(|(_, complete)| *complete).count();
        assert!(stalled > 0, "no upload got in: the test would prove nothing");

        // While they stall, a real signed webhook gets its 200 and its line.
        let body = statuses(&["wamid.REAL".to_owned()]);
        let sig = AppSecret::new(SECRET).sign(&body);
        let r = client
            .post(example.base_url())
            .header("X-Hub-Signature-256", sig)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let line = example
            .lines
            .recv_timeout(Duration::from_secs(5))
            .expect("the STATUS line");
        assert_eq!(line, "STATUS wamid.REAL sent -> sent");

        // The stalled uploads are still open and unanswered.
        let mut unanswered = 0;
        for (s, complete) in &held {
            let mut buf = [0u8; 64];
            if *complete && matches!(s.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
            {
                unanswered += 1;
            }
        }
        assert!(unanswered > 0, "no upload is still stalled");
        let (rss, peak) = memory_of(pid);
        eprintln!(
            "{STALLS} stalled 8 MiB uploads: {stalled} admitted and stalled ({unanswered} still \
             unanswered), the rest refused; receiver RSS {} MiB, peak {} MiB",
            rss >> 20,
            peak >> 20
        );
        assert!(peak < 256 * 1024 * 1024, "peak RSS {} MiB", peak >> 20);
        drop(held);
    });
}
