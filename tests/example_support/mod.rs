//! Runs the command-line examples as processes, for the tests of their contracts (stdout lines,
//! stderr, exit codes): what a user scripts against is tested from the outside.
//!
//! The examples are built once per test binary with the `cargo` that runs the tests (`build
//! --example`, respecting `CARGO_TARGET_DIR`); usually a no-op, as `cargo test` has just built
//! them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

/// Every example the process tests run.
const EXAMPLES: &[&str] = &[
    "send_text",
    "bulk_send",
    "send_template",
    "send_media",
    "templates",
    "outbox",
];

/// The directory holding the built examples (`<target>/debug/examples`).
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut command = std::process::Command::new(env!("CARGO"));
        command.current_dir(manifest).args(["build", "--quiet"]);
        for name in EXAMPLES {
            command.args(["--example", name]);
        }
        let output = command.output().expect("cargo runs");
        assert!(
            output.status.success(),
            "building the examples failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    manifest.join(dir)
                }
            })
            .unwrap_or_else(|| manifest.join("target"));
        target.join("debug").join("examples")
    })
}

/// The path of a built example.
pub fn example(name: &str) -> PathBuf {
    let path = examples_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// What the process printed and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stdout.contains("panicked"),
            "the example panicked:\n{}",
            self.stderr
        );
    }
}

/// Runs an example with exactly the WhatsApp environment given (inherited values removed).
pub async fn run(name: &str, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = tokio::process::Command::new(example(name));
    command
        .args(args)
        .env_remove("WHATSAPP_ACCESS_TOKEN")
        .env_remove("WHATSAPP_PHONE_NUMBER_ID")
        .env_remove("WHATSAPP_BUSINESS_ACCOUNT_ID")
        .env_remove("WHATSAPP_API_BASE_URL")
        .env_remove("RUST_BACKTRACE")
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let run = Run::from(command.output().await.expect("the example starts"));
    run.assert_no_panic();
    run
}

/// The PostgreSQL and Redis URLs of the real services (`WACLOUD_TEST_POSTGRES_URL`,
/// `WACLOUD_TEST_REDIS_URL`; `.ci/run` sets both), or `None` when either is unset: the tests
/// that need them then say they were skipped.
pub fn services() -> Option<(String, String)> {
    match (
        std::env::var("WACLOUD_TEST_POSTGRES_URL"),
        std::env::var("WACLOUD_TEST_REDIS_URL"),
    ) {
        (Ok(pg), Ok(redis)) if !pg.is_empty() && !redis.is_empty() => Some((pg, redis)),
        _ => None,
    }
}
