//! Running `examples/webhook_receiver.rs` as a child process: built with cargo (same target
//! dir and profile as the test), on a free loopback port, its stdout read line by line.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const SECRET: &str = "example-secret";
pub const TOKEN: &str = "example-token";

/// Kills the child when dropped, also on a failed assertion.
pub struct Killed(pub Child);

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

pub fn example_binary() -> PathBuf {
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

/// The example, running.
pub struct Running {
    pub child: Killed,
    pub port: u16,
    /// Its stdout, line by line; disconnected at EOF.
    pub lines: mpsc::Receiver<String>,
}

impl Running {
    /// Starts the example with the test secret and token on a free port.
    pub fn start() -> Running {
        let bin = example_binary();
        let port = {
            let free = TcpListener::bind("127.0.0.1:0").unwrap();
            free.local_addr().unwrap().port()
        };
        let mut child = Command::new(&bin)
            .env("WHATSAPP_APP_SECRET", SECRET)
            .env("WHATSAPP_VERIFY_TOKEN", TOKEN)
            .env("WEBHOOK_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child: Killed(child),
            port,
            lines,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its Prometheus text, from `GET /metrics`.
    pub async fn metrics(&self, client: &reqwest::Client) -> String {
        let answer = client
            .get(format!("http://127.0.0.1:{}/metrics", self.port))
            .send()
            .await
            .expect("the example answers GET /metrics");
        assert_eq!(answer.status(), 200);
        answer.text().await.unwrap()
    }

    /// Waits (at most 20 s) until the server answers the handshake.
    pub async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = client
                .get(format!(
                    "{}/?hub.mode=subscribe&hub.challenge=31337&hub.verify_token={TOKEN}",
                    self.base_url()
                ))
                .send()
                .await;
            if let Ok(r) = r {
                assert_eq!(r.status(), 200);
                assert_eq!(r.text().await.unwrap(), "31337");
                return;
            }
            assert!(Instant::now() < deadline, "webhook_receiver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
