//! `bulk_send --outbox FILE`: the resumable run. Each run adds the CSV's rows that are not yet
//! in the outbox (a row is identified by its number and its message, so rerunning the same
//! CSV adds nothing), recovers what a crashed run left (rows whose request may have been
//! written become UNKNOWN, never resent), then drains the outbox through the client's layers.
//!
//! Lines: one per row settled in this run (`OK`, `REJECTED`, `FAILED`, `UNKNOWN` as without
//! an outbox; the UNKNOWN id is the row's `biz_opaque_callback_data`), then `SUMMARY` over
//! every row of the outbox, earlier runs included. Rows the CSV holds that cannot be built
//! are never stored: they are REJECTED on every run.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use wacloud_outbox::{
    Durability, Enqueue, ListFilter, Outbox, OutboxConfig, Outcome as RowOutcome, Row, RowId,
    Settlement, State, WorkerConfig,
};

use super::{line, Outcome, Row as CsvRow};

/// The idempotency key of a CSV row: its number and a digest of its message.
fn key(number: usize, body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("bulk_send:{number}:{}", hex::encode(&digest[..8]))
}

/// The row number a key names.
fn number_of(key: Option<&str>) -> Option<usize> {
    key?.strip_prefix("bulk_send:")?
        .split(':')
        .next()?
        .parse()
        .ok()
}

/// How a settled row prints.
fn outcome_of(outbox: &Outbox, id: RowId, settlement: &Settlement) -> Outcome {
    match settlement {
        Settlement::Accepted { wamid } => Outcome::Sent(wamid.clone()),
        Settlement::Rejected(error) => {
            let detail = super::one_line(
                error
                    .detail
                    .as_deref()
                    .or(error.title.as_deref())
                    .unwrap_or("refused"),
            );
            // A Graph code means the API refused it; none means the layers stopped it first.
            if error.code.is_some() {
                Outcome::Failed(detail)
            } else {
                Outcome::Rejected(detail)
            }
        }
        Settlement::Unknown { .. } => Outcome::Unknown(outbox.callback_data(id)),
    }
}

/// Counts over every row of the outbox: (sent, rejected, failed, unknown, unsettled).
async fn totals(outbox: &Outbox) -> Result<[u64; 5], String> {
    let counts = outbox.counts().await.map_err(|err| err.to_string())?;
    // Rejected rows split by whether the API refused them (a code) or the layers did.
    let mut failed = 0u64;
    each_in(outbox, State::Rejected, |row| {
        if row.error.as_ref().is_some_and(|error| error.code.is_some()) {
            failed += 1;
        }
    })
    .await?;
    Ok([
        counts.accepted,
        counts.rejected - failed,
        failed,
        counts.unknown,
        counts.queued + counts.dispatched,
    ])
}

/// Visits every row in `state`, a page at a time (memory stays flat however many there are).
async fn each_in(outbox: &Outbox, state: State, mut visit: impl FnMut(&Row)) -> Result<(), String> {
    let mut after = None;
    loop {
        let page = outbox
            .list(&ListFilter {
                states: vec![state],
                after,
                limit: 1_000,
                ..ListFilter::default()
            })
            .await
            .map_err(|err| err.to_string())?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        page.iter().for_each(&mut visit);
    }
    Ok(())
}

/// The ids of every row in `state`.
async fn ids_in(outbox: &Outbox, state: State) -> Result<std::collections::HashSet<RowId>, String> {
    let mut ids = std::collections::HashSet::new();
    each_in(outbox, state, |row| {
        ids.insert(row.id);
    })
    .await?;
    Ok(ids)
}

/// Runs the outbox mode; the exit code is 0 when every row is sent or rejected.
pub async fn run(
    client: wacloud::Client,
    rows: Vec<CsvRow>,
    location: &str,
    concurrency: usize,
    config: OutboxConfig,
) -> Result<bool, String> {
    let lease = config.lease;
    // A `postgres://` URL opens the shared PostgreSQL outbox, anything else a SQLite file.
    let outbox = Outbox::open(location, Durability::Full, config)
        .await
        .map_err(|err| format!("cannot open the outbox {location}: {err}"))?;
    let mut where_from: HashMap<RowId, (usize, String)> = HashMap::new();
    let mut invalid = 0u64;
    let mut jobs = Vec::new();
    let mut numbers = Vec::new();
    for row in rows {
        let prepared = row.message.and_then(|message| {
            message
                .prepare()
                .map(|prepared| (message, prepared))
                .map_err(super::one_line)
        });
        match prepared {
            Err(reason) => {
                invalid += 1;
                println!("{}", line(row.number, &row.to, &Outcome::Rejected(reason)));
            }
            Ok((message, prepared)) => {
                jobs.push(Enqueue::new(message).idempotency_key(key(row.number, prepared.body())));
                numbers.push((row.number, row.to));
            }
        }
    }
    let enqueued = outbox
        .enqueue_many(jobs)
        .await
        .map_err(|err| format!("cannot add the rows to the outbox: {err}"))?;
    for (enqueued, origin) in enqueued.into_iter().zip(numbers) {
        where_from.insert(enqueued.id, origin);
    }
    let describe = |row: &Row, where_from: &HashMap<RowId, (usize, String)>| {
        where_from.get(&row.id).cloned().unwrap_or_else(|| {
            (
                number_of(row.idempotency_key.as_deref()).unwrap_or(0),
                row.recipient.clone(),
            )
        })
    };

    // A PostgreSQL outbox may be drained by other processes right now: their rows in flight
    // are theirs (the workers recover a row only once its lease expired). A SQLite file has
    // one process: what a crashed run left in flight may have been sent, so it becomes
    // unknown, and is said so.
    let shared = wacloud_outbox::store::is_postgres_url(location);
    let unknown_before = ids_in(&outbox, State::Unknown).await?;
    if !shared {
        let in_flight = outbox
            .list(&ListFilter {
                states: vec![State::Dispatched],
                ..ListFilter::default()
            })
            .await
            .map_err(|err| err.to_string())?;
        outbox
            .recover_after_restart()
            .await
            .map_err(|err| err.to_string())?;
        for row in in_flight {
            let (number, to) = describe(&row, &where_from);
            println!(
                "{}",
                line(number, &to, &Outcome::Unknown(outbox.callback_data(row.id)))
            );
        }
    }

    let (sender, mut settled) = mpsc::unbounded_channel();
    let worker = outbox
        .worker(
            client,
            WorkerConfig {
                concurrency,
                ..WorkerConfig::default()
            },
        )
        .on_settled(move |id, outcome| {
            if let RowOutcome::Settled(settlement) = outcome {
                let _ = sender.send((id, settlement.clone()));
            }
        });
    let waiter = outbox.clone();
    let drain = tokio::spawn(async move {
        // Shared: rows other processes hold are waited for (until they settle them, or their
        // lease expires and this drain takes them over), so SUMMARY is final. The wait counts
        // from the last time any process settled a row: a long run still waits out a dead
        // process's leases at its end.
        let mut give_up = tokio::time::Instant::now() + lease * 2;
        let mut last = None;
        loop {
            let report = worker.drain().await?;
            if !shared {
                return Ok::<(), wacloud_outbox::OutboxError>(());
            }
            let counts = waiter.counts().await?;
            let progress = report.accepted + report.rejected + report.unknown + report.postponed;
            if progress > 0 || last != Some(counts) {
                // This process, or another, moved: the rows left may still settle.
                give_up = tokio::time::Instant::now() + lease * 2;
            }
            last = Some(counts);
            if counts.queued + counts.dispatched == 0 || tokio::time::Instant::now() >= give_up {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(250).min(lease / 4)).await;
        }
    });
    let mut printed = std::collections::HashSet::new();
    while let Some((id, settlement)) = settled.recv().await {
        printed.insert(id);
        let (number, to) = match where_from.get(&id) {
            Some(origin) => origin.clone(),
            None => match outbox.get(id).await {
                Ok(row) => describe(&row, &where_from),
                Err(_) => (0, "-".to_owned()),
            },
        };
        println!(
            "{}",
            line(number, &to, &outcome_of(&outbox, id, &settlement))
        );
    }
    drain
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| err.to_string())?;

    // Rows this run found abandoned by a dead process (lease expired while dispatched).
    for id in ids_in(&outbox, State::Unknown).await? {
        if unknown_before.contains(&id) || printed.contains(&id) {
            continue;
        }
        if let Ok(row) = outbox.get(id).await {
            let (number, to) = describe(&row, &where_from);
            println!(
                "{}",
                line(number, &to, &Outcome::Unknown(outbox.callback_data(id)))
            );
        }
    }

    let [sent, rejected, failed, unknown, unsettled] = totals(&outbox).await?;
    println!(
        "SUMMARY sent={sent} rejected={} failed={failed} unknown={unknown}",
        rejected + invalid
    );
    if unsettled > 0 {
        eprintln!("{unsettled} row(s) could not be sent yet: run again to send them");
    }
    if unknown > 0 {
        eprintln!(
            "{unknown} row(s) have an unknown outcome: they may have been delivered. Match \
             their ids against biz_opaque_callback_data in status webhooks (or feed the \
             webhooks to the outbox) before sending them again."
        );
    }
    Ok(failed == 0 && unknown == 0 && unsettled == 0)
}
