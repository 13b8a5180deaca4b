//! Looks into a durable outbox (the SQLite file of `bulk_send --outbox FILE`, or any
//! `wacloud-outbox` store): how many messages are in each state, and why each stuck, failed
//! or unknown one is where it is, with Meta's causes and what to do.
//!
//! ```text
//! cargo run --example outbox -- status --db outbox.db
//! cargo run --example outbox -- explain --db outbox.db 42
//! cargo run --example outbox -- status --db postgres://postgres@127.0.0.1:5432/test
//! ```
//! `--db` is a SQLite file, or a `postgres://` URL for an outbox several workers share.
//! `status` prints two count lines, then one diagnosis per message that needs attention
//! (stuck at sent for a day or more, expired after 30 days, failed, rejected, or of unknown
//! outcome):
//! ```text
//! STATES queued=N dispatched=N accepted=N rejected=N unknown=N
//! DELIVERY sent=N delivered=N read=N failed=N
//! message 7 (text to +1650555**34): failed: error 131026 (Message undeliverable): ...
//!   cause: ...
//!   do: ...
//! ```
//! Phone numbers are shown with all but their last four digits hidden. Exit codes: 0, or 2
//! for a usage problem (a missing file, an unknown id).

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wacloud_outbox::store::is_postgres_url;
use wacloud_outbox::{Durability, Fate, ListFilter, Outbox, OutboxConfig, RowId};

/// Inspect a wacloud outbox.
#[derive(Parser, Debug)]
#[command(name = "outbox")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Counts per state, then each stuck, failed or unknown message with its diagnosis.
    Status {
        /// The outbox file, or a `postgres://` URL.
        #[arg(long)]
        db: String,
    },
    /// One message's diagnosis.
    Explain {
        /// The outbox file, or a `postgres://` URL.
        #[arg(long)]
        db: String,
        /// The row id.
        id: i64,
    },
}

fn needs_attention(fate: &Fate) -> bool {
    matches!(
        fate,
        Fate::Stuck { .. }
            | Fate::Expired { .. }
            | Fate::Failed(_)
            | Fate::Rejected(_)
            | Fate::Unknown { .. }
    )
}

async fn open(db: &str) -> Result<Outbox, String> {
    if !is_postgres_url(db) && !Path::new(db).is_file() {
        return Err(format!("no outbox at {db}"));
    }
    Outbox::open(db, Durability::Full, OutboxConfig::default())
        .await
        .map_err(|err| err.to_string())
}

async fn status(outbox: &Outbox) -> Result<(), String> {
    let counts = outbox.counts().await.map_err(|err| err.to_string())?;
    println!(
        "STATES queued={} dispatched={} accepted={} rejected={} unknown={}",
        counts.queued, counts.dispatched, counts.accepted, counts.rejected, counts.unknown
    );
    println!(
        "DELIVERY sent={} delivered={} read={} failed={}",
        counts.sent, counts.delivered, counts.read, counts.failed
    );
    // Page through the rows: memory stays flat however large the outbox.
    let mut after = None;
    loop {
        let page = outbox
            .list(&ListFilter {
                after,
                limit: 500,
                ..ListFilter::default()
            })
            .await
            .map_err(|err| err.to_string())?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for row in page {
            let diagnosis = outbox
                .explain(row.id)
                .await
                .map_err(|err| err.to_string())?;
            if needs_attention(&diagnosis.fate) {
                print!("{}", diagnosis.render(outbox.now()));
            }
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.command {
        Command::Status { db } => match open(db).await {
            Ok(outbox) => status(&outbox).await,
            Err(message) => Err(message),
        },
        Command::Explain { db, id } => match open(db).await {
            Ok(outbox) => match outbox.explain(RowId(*id)).await {
                Ok(diagnosis) => {
                    print!("{}", diagnosis.render(outbox.now()));
                    Ok(())
                }
                Err(err) => Err(err.to_string()),
            },
            Err(message) => Err(message),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
