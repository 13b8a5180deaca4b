//! The `wacloud-sandbox` binary prints its base URL and serves.

mod common;

use std::process::Stdio;

use common::*;
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn binary_prints_base_url_and_serves_with_an_outage() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_wacloud-sandbox"))
        .args([
            "--token",
            "bin-token",
            "--phone-number-id",
            "555",
            "--outage-secs",
            "600",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let base = first
        .strip_prefix("wacloud-sandbox listening on ")
        .expect(&first)
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"));
    assert_eq!(
        lines.next_line().await.unwrap().unwrap(),
        "token: bin-token"
    );
    assert_eq!(
        lines.next_line().await.unwrap().unwrap(),
        "phone number id: 555"
    );
    let (s, v, _) = post_json(
        &client(),
        &format!("{base}/v23.0/555/messages"),
        "bin-token",
        &text("16505551234", "x"),
    )
    .await;
    assert_eq!(s, 503);
    assert_graph_error(&v, 2);
    child.kill().await.unwrap();
}
