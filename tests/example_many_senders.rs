//! Two `bulk_send` processes drain one PostgreSQL outbox together (`--outbox postgres://...`),
//! sharing the number's limits through Redis (`--redis`): every row is sent once, by one of
//! them, and the sandbox sees no duplicate. Needs `WACLOUD_TEST_POSTGRES_URL` and
//! `WACLOUD_TEST_REDIS_URL` (`.ci/run` sets both); without them the test says it was skipped.

mod example_support;

use std::collections::HashMap;

use example_support::{run, services};
use sqlx::Connection;
use wacloud_sandbox::{Sandbox, SandboxConfig};

const ROWS: usize = 30;

/// Runs `sql` on the server (schema setup and teardown).
async fn execute(url: &str, sql: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn two_bulk_send_processes_drain_one_postgres_outbox_and_send_each_row_once() {
    let Some((pg, redis)) = services() else {
        eprintln!("skipped: set WACLOUD_TEST_POSTGRES_URL and WACLOUD_TEST_REDIS_URL to run");
        return;
    };
    let schema = format!(
        "bulk_send_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    execute(&pg, &format!("CREATE SCHEMA {schema}")).await;
    let separator = if pg.contains('?') { '&' } else { '?' };
    let outbox = format!("{pg}{separator}options=-c%20search_path%3D{schema}");

    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("recipients.csv");
    let mut rows = String::from("to,text\n");
    for n in 0..ROWS {
        rows.push_str(&format!("+165055501{n:02},hello {n}\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let env = [
        ("WHATSAPP_ACCESS_TOKEN", "sandbox-token"),
        ("WHATSAPP_PHONE_NUMBER_ID", "100000000000001"),
        ("WHATSAPP_API_BASE_URL", sb.base_url()),
    ];
    let args = [
        "--csv",
        csv.to_str().unwrap(),
        "--outbox",
        outbox.as_str(),
        "--redis",
        redis.as_str(),
        "--concurrency",
        "4",
    ];

    let (first, second) =
        tokio::join!(run("bulk_send", &env, &args), run("bulk_send", &env, &args));
    // Each run prints the rows it settled; together they are every row, each once.
    let mut settled: HashMap<String, usize> = HashMap::new();
    for out in [&first, &second] {
        for line in out.stdout.lines().filter(|l| !l.starts_with("SUMMARY")) {
            assert!(line.starts_with("OK "), "{line}\n{}", out.stderr);
            *settled
                .entry(line.split(' ').nth(1).unwrap().to_owned())
                .or_default() += 1;
        }
    }
    assert_eq!(
        settled.len(),
        ROWS,
        "{}\n---\n{}",
        first.stdout,
        second.stdout
    );
    assert!(settled.values().all(|&n| n == 1), "{settled:?}");
    assert_eq!(sb.accepted_count(), ROWS);
    assert_eq!(sb.duplicate_count(), 0);

    // A third run adds nothing, sends nothing, and sums up every row of the shared outbox.
    let third = run("bulk_send", &env, &args).await;
    assert_eq!(third.code, Some(0), "{}\n{}", third.stdout, third.stderr);
    assert_eq!(
        third.stdout.trim(),
        format!("SUMMARY sent={ROWS} rejected=0 failed=0 unknown=0")
    );
    assert_eq!(sb.accepted_count(), ROWS);

    execute(&pg, &format!("DROP SCHEMA {schema} CASCADE")).await;
}
