//! The crash drill: the sending process is killed with SIGKILL at 20 random moments across
//! normal sending, code-2 outages and the recoveries after them, and restarted each time, with
//! the sandbox in another process and time compressed (the client's clock runs 200 times
//! faster: Meta's 5-minute outage lasts 1.5 s). Afterwards: no row lost (every row accepted, or
//! `unknown` with its request possibly written), none accepted twice (the sandbox's status
//! webhooks carry each row id with at most one wamid), and unknowns only where a request may
//! have been written.
//!
//! Both child processes are this test binary run again in a role (`drill_child_role`), so they
//! use the sandbox and the outbox as libraries, like the test.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wacloud::messages::{OutgoingMessage, Text};
use wacloud::time::ScaledClock;
use wacloud::webhooks::router::WebhookReceiver;
use wacloud::webhooks::Event;
use wacloud_outbox::{Durability, Outbox, OutboxConfig, SqliteStore, State, WorkerConfig};
use wacloud_sandbox::{Fault, FaultRule, Sandbox, SandboxConfig};

const SCALE: f64 = 200.0;
const ROWS: usize = 3_000;
const KILLS: usize = 20;
const CONCURRENCY: usize = 8;
/// The outages, in real time from the sandbox's start: (start, length). Each is Meta's 5
/// minutes at the drill's scale.
const OUTAGES: [(u64, u64); 3] = [(2_000, 1_500), (6_000, 1_500), (10_000, 1_500)];

fn role() -> Option<String> {
    std::env::var("OUTBOX_DRILL_ROLE").ok()
}

fn child(role: &str, envs: &[(&str, String)]) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([
            "--ignored",
            "--exact",
            "drill_child_role",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("OUTBOX_DRILL_ROLE", role)
        .stdin(Stdio::null());
    for (key, value) in envs {
        command.env(key, value);
    }
    command
}

/// The child processes' entry: the sandbox, or the sender. Not a test of its own: ignored, and
/// run only by the drill with `OUTBOX_DRILL_ROLE` set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child process of the crash drill"]
async fn drill_child_role() {
    match role().as_deref() {
        Some("sandbox") => sandbox_role().await,
        Some("sender") => sender_role().await,
        other => panic!("run by the crash drill only (role {other:?})"),
    }
}

async fn sandbox_role() {
    let mut config = SandboxConfig {
        webhook_url: Some(std::env::var("DRILL_WEBHOOK_URL").unwrap()),
        send_read_status: false,
        status_delay: Duration::from_millis(5),
        ..SandboxConfig::default()
    };
    // Every request takes a little time, so that sending spans the kill points.
    config
        .faults
        .push(FaultRule::new(Fault::Latency(Duration::from_millis(15))));
    for (start, length) in OUTAGES {
        config.faults.push(
            FaultRule::new(Fault::Outage)
                .starting_after(Duration::from_millis(start))
                .for_duration(Duration::from_millis(length)),
        );
    }
    let sandbox = Sandbox::start(config).await.unwrap();
    println!("BASE_URL {}", sandbox.base_url());
    // Until the drill kills it.
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn sender_role() {
    let db = std::env::var("DRILL_DB").unwrap();
    let base_url = std::env::var("DRILL_BASE_URL").unwrap();
    let store = SqliteStore::open(&db, Durability::Full).await.unwrap();
    let outbox = Outbox::new(store, OutboxConfig::default());
    outbox.recover_after_restart().await.unwrap();
    let client = wacloud::Client::builder()
        .access_token("sandbox-token")
        .phone_number_id("100000000000001")
        .base_url(base_url)
        .clock(Arc::new(ScaledClock::new(SCALE)))
        .build()
        .unwrap();
    let worker = outbox.worker(
        client,
        WorkerConfig {
            concurrency: CONCURRENCY,
            retry_delay: Duration::from_millis(20),
            ..WorkerConfig::default()
        },
    );
    loop {
        worker.drain().await.unwrap();
        let counts = outbox.counts().await.unwrap();
        if counts.queued == 0 && counts.dispatched == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("DRAINED");
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_kill_nine_points_lose_nothing_and_send_nothing_twice() {
    if role().is_some() {
        return;
    }
    // Status webhooks from the sandbox: row id (callback data) -> wamids seen with it.
    let seen: Arc<Mutex<BTreeMap<String, BTreeSet<String>>>> = Arc::default();
    let statuses: Arc<Mutex<Vec<Event>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webhook_url = format!("http://{}/", listener.local_addr().unwrap());
    let (record, keep) = (Arc::clone(&seen), Arc::clone(&statuses));
    let receiver = WebhookReceiver::new("sandbox-app-secret", "verify").on_event(move |event| {
        if let Event::Status { status, .. } = &event {
            if let Some(data) = &status.biz_opaque_callback_data {
                record
                    .lock()
                    .unwrap()
                    .entry(data.to_string())
                    .or_default()
                    .insert(status.id.to_string());
            }
        }
        keep.lock().unwrap().push(event);
        async {}
    });
    tokio::spawn(receiver.serve(listener));

    let mut sandbox = child("sandbox", &[("DRILL_WEBHOOK_URL", webhook_url)])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let sandbox_started = Instant::now();
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let base_url = loop {
        let line = lines
            .next()
            .expect("the sandbox prints its address")
            .unwrap();
        // libtest may print the test's name on the same line.
        if let Some((_, url)) = line.split_once("BASE_URL ") {
            break url.trim().to_owned();
        }
    };
    let _sandbox = Killed(sandbox);
    eprintln!("drill: sandbox at {base_url}");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("drill.db");
    {
        let store = SqliteStore::open(&db, Durability::Full).await.unwrap();
        let outbox = Outbox::new(store, OutboxConfig::default());
        outbox
            .enqueue_many((0..ROWS).map(|n| {
                OutgoingMessage::new(
                    format!("+1650555{:04}", n % 10_000),
                    Text::new(format!("row {n}")),
                )
            }))
            .await
            .unwrap();
    }
    let envs = [
        ("DRILL_DB", db.to_str().unwrap().to_owned()),
        ("DRILL_BASE_URL", base_url),
    ];

    // 20 kills at random moments; a pseudo-random sequence with a fixed seed, so a failure
    // replays.
    let mut seed: u64 = 0x005e_ed0f_d1ce;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kill_times = Vec::new();
    for _ in 0..KILLS {
        let mut sender = Killed(
            child("sender", &envs)
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
        // The child needs about half a second to start sending (a debug build); kill within
        // 0.3 to 1 s of its start.
        let wait = Duration::from_millis(300 + next() % 700);
        std::thread::sleep(wait);
        let _ = sender.0.kill();
        let _ = sender.0.wait();
        kill_times.push(sandbox_started.elapsed().as_millis() as u64);
        eprintln!("drill: killed at {:?}", kill_times.last());
    }
    // The last run goes to the end.
    let finished = child("sender", &envs).output().unwrap();
    assert!(
        finished.status.success(),
        "{}",
        String::from_utf8_lossy(&finished.stderr)
    );
    assert!(String::from_utf8_lossy(&finished.stdout).contains("DRAINED"));

    let in_outage = kill_times
        .iter()
        .filter(|at| {
            OUTAGES
                .iter()
                .any(|(start, length)| **at >= *start && **at < start + length)
        })
        .count();
    let after_outage = kill_times
        .iter()
        .filter(|at| {
            OUTAGES
                .iter()
                .any(|(start, length)| **at >= start + length && **at < start + length + 1_000)
        })
        .count();

    let store = SqliteStore::open(&db, Durability::Full).await.unwrap();
    let outbox = Outbox::new(store, OutboxConfig::default());
    let before = outbox.counts().await.unwrap();
    // Let the last status webhooks arrive, then fold them all in.
    let accepted_rows = before.accepted as usize;
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().len() < accepted_rows && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let events: Vec<Event> = std::mem::take(&mut *statuses.lock().unwrap());
    for event in &events {
        outbox.feed_event(event).await.unwrap();
    }
    let after = outbox.counts().await.unwrap();
    let seen = seen.lock().unwrap().clone();

    eprintln!(
        "crash drill: {KILLS} kills ({in_outage} in an outage, {after_outage} in the second after one); \
         rows {ROWS}; before webhooks {before:?}; after {after:?}; rows seen accepted by the sandbox {}",
        seen.len()
    );
    // 0 sent twice: every row id came back with one wamid at most.
    let twice: Vec<_> = seen.iter().filter(|(_, wamids)| wamids.len() > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    // 0 lost: no row left waiting, every row accepted or unknown.
    assert_eq!(after.queued + after.dispatched, 0, "{after:?}");
    assert_eq!(after.accepted + after.unknown + after.rejected, ROWS as u64);
    assert_eq!(after.rejected, 0);
    // Every accepted row was accepted by the sandbox with the same wamid, and every row the
    // sandbox accepted is accepted in the outbox (a webhook settles an unknown one).
    let mut after_id = None;
    let mut unknown_rows = 0;
    loop {
        let page = outbox
            .list(&wacloud_outbox::ListFilter {
                after: after_id,
                limit: 1_000,
                ..Default::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after_id = Some(last.id);
        for row in page {
            let wamids = seen.get(&outbox.callback_data(row.id));
            match row.state {
                State::Accepted => {
                    let wamid = row.wamid.clone().unwrap();
                    assert_eq!(
                        wamids.map(|w| w.iter().collect::<Vec<_>>()),
                        Some(vec![&wamid]),
                        "row {}",
                        row.id
                    );
                }
                State::Unknown => {
                    unknown_rows += 1;
                    // Unknown only where the request may have been written.
                    assert!(row.dispatched_at.is_some(), "row {}", row.id);
                    assert!(
                        wamids.is_none(),
                        "row {} was accepted: a webhook settles it",
                        row.id
                    );
                }
                other => panic!("row {} is {other}", row.id),
            }
        }
    }
    // Each kill leaves at most the sends in flight unknown.
    assert!(unknown_rows <= KILLS * CONCURRENCY, "{unknown_rows}");
    assert!(
        in_outage >= 1,
        "the drill must kill during an outage: {kill_times:?}"
    );
}
