//! Status reconciliation: ordering, the delivered/failed conflict,
//! idempotence, bounded memory, and permutation/duplication invariance.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::value::RawValue;
use wacloud::webhooks::{
    parse, DeliveryState, ErrorData, ErrorObject, Status, StatusKind, StatusTracker,
};

fn status(id: &str, kind: &str, ts: u64, error_code: Option<i64>) -> Status<'static> {
    let errors = error_code
        .map(|code| {
            vec![ErrorObject {
                code: Some(code),
                title: Some(Cow::Owned(format!("error {code}"))),
                message: None,
                error_data: Some(ErrorData {
                    details: Some(Cow::Borrowed("details")),
                }),
                href: None,
            }]
        })
        .unwrap_or_default();
    Status {
        id: Cow::Owned(id.to_owned()),
        status: StatusKind::from_raw(Cow::Owned(kind.to_owned())),
        timestamp: Cow::Owned(ts.to_string()),
        recipient_id: Some(Cow::Borrowed("16505551234")),
        recipient_user_id: None,
        parent_recipient_user_id: None,
        biz_opaque_callback_data: None,
        conversation: None,
        pricing: None,
        errors,
        raw: Cow::Owned(RawValue::from_string("{}".to_owned()).unwrap()),
    }
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
fn moves_up_never_down() {
    let mut t = StatusTracker::default();
    let r = t.observe(&status("m", "sent", 1, None));
    assert_eq!(
        (r.state, r.previous, r.duplicate),
        (DeliveryState::Sent, None, false)
    );
    assert!(r.changed());
    assert_eq!(
        t.observe(&status("m", "delivered", 2, None)).state,
        DeliveryState::Delivered
    );
    assert_eq!(
        t.observe(&status("m", "read", 3, None)).state,
        DeliveryState::Read
    );
    // Late arrivals do not downgrade.
    let r = t.observe(&status("m", "sent", 1, None));
    assert_eq!(r.state, DeliveryState::Read);
    assert!(r.duplicate);
    assert!(!r.changed());
    let r = t.observe(&status("m", "delivered", 5, None));
    assert_eq!(r.state, DeliveryState::Read);
    assert!(!r.duplicate);
    assert_eq!(
        t.observe(&status("m", "played", 6, None)).state,
        DeliveryState::Played
    );
    assert_eq!(
        t.observe(&status("m", "read", 7, None)).state,
        DeliveryState::Played
    );
    let rec = t.get("m").unwrap();
    assert_eq!(rec.state, DeliveryState::Played);
    let history: Vec<_> = rec
        .history
        .iter()
        .map(|h| format!("{}@{}", h.status, h.timestamp))
        .collect();
    assert_eq!(
        history,
        [
            "sent@1",
            "delivered@2",
            "read@3",
            "delivered@5",
            "played@6",
            "read@7"
        ]
    );
    assert_eq!(rec.recipient_id.as_deref(), Some("16505551234"));
}

#[test]
fn a_message_sent_to_a_bsuid_keeps_the_user_id_as_its_recipient() {
    let mut t = StatusTracker::default();
    let mut sent = status("m", "sent", 1, None);
    sent.recipient_id = None;
    sent.recipient_user_id = Some(Cow::Borrowed("US.13491208655302741918"));
    t.observe(&sent);
    let rec = t.get("m").unwrap();
    assert_eq!(rec.recipient_id.as_deref(), Some("US.13491208655302741918"));
}

#[test]
fn read_without_delivered() {
    let mut t = StatusTracker::default();
    assert_eq!(
        t.observe(&status("m", "read", 3, None)).state,
        DeliveryState::Read
    );
    assert_eq!(
        t.observe(&status("m", "delivered", 2, None)).state,
        DeliveryState::Read
    );
}

#[test]
fn delivered_wins_over_failed_in_either_order() {
    for order in [["delivered", "failed"], ["failed", "delivered"]] {
        let mut t = StatusTracker::default();
        let first = t.observe(&status(
            "m",
            order[0],
            10,
            (order[0] == "failed").then_some(131000),
        ));
        let second = t.observe(&status(
            "m",
            order[1],
            11,
            (order[1] == "failed").then_some(131000),
        ));
        assert_eq!(second.state, DeliveryState::Delivered, "{order:?}");
        if order[0] == "failed" {
            assert_eq!(first.state, DeliveryState::Failed);
        }
        // The failure on the other device is kept for the record.
        assert_eq!(second.errors.len(), 1);
        assert_eq!(second.errors[0].code, Some(131000));
        assert!(second.state.is_delivered());
    }
}

#[test]
fn read_and_played_win_over_failed() {
    for winner in ["read", "played"] {
        let mut t = StatusTracker::default();
        t.observe(&status("m", winner, 5, None));
        assert_eq!(
            t.observe(&status("m", "failed", 6, Some(131026)))
                .state
                .as_str(),
            winner
        );
    }
}

#[test]
fn failure_without_delivery_is_terminal_and_keeps_errors() {
    let mut t = StatusTracker::default();
    t.observe(&status("m", "sent", 1, None));
    let r = t.observe(&status("m", "failed", 2, Some(131026)));
    assert_eq!(r.state, DeliveryState::Failed);
    assert_eq!(r.errors[0].code, Some(131026));
    // A late `sent` does not revive it.
    let r = t.observe(&status("m", "sent", 3, None));
    assert_eq!(r.state, DeliveryState::Failed);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(t.get("m").unwrap().errors[0].code, Some(131026));
}

#[test]
fn redelivered_webhooks_are_idempotent() {
    let mut t = StatusTracker::default();
    let a = t.observe(&status("m", "failed", 2, Some(131026)));
    for _ in 0..5 {
        let again = t.observe(&status("m", "failed", 2, Some(131026)));
        assert!(again.duplicate);
        assert_eq!(again.state, a.state);
        assert_eq!(again.errors, a.errors);
    }
    let rec = t.get("m").unwrap();
    assert_eq!(rec.history.len(), 1);
    assert_eq!(rec.errors.len(), 1);
    assert_eq!(t.len(), 1);
}

#[test]
fn unknown_statuses_are_recorded_without_changing_state() {
    let mut t = StatusTracker::default();
    let r = t.observe(&status("m", "teleported", 1, None));
    assert_eq!(r.state, DeliveryState::Unknown);
    assert_eq!(r.state.as_str(), "unknown");
    assert_eq!(
        t.observe(&status("m", "sent", 2, None)).state,
        DeliveryState::Sent
    );
    assert_eq!(
        t.observe(&status("m", "warning", 3, None)).state,
        DeliveryState::Sent
    );
    assert_eq!(t.get("m").unwrap().history.len(), 3);
}

#[test]
fn capacity_evicts_the_oldest() {
    let mut t = StatusTracker::new(2, Duration::from_secs(3600));
    t.observe(&status("a", "sent", 1, None));
    t.observe(&status("b", "sent", 1, None));
    t.observe(&status("a", "read", 2, None)); // an update does not refresh age
    t.observe(&status("c", "sent", 1, None));
    assert_eq!(t.len(), 2);
    assert!(t.get("a").is_none());
    assert!(t.get("b").is_some() && t.get("c").is_some());
    assert_eq!(t.capacity(), 2);
}

#[test]
fn age_limit_evicts() {
    let start = Instant::now();
    let mut t = StatusTracker::new(100, Duration::from_secs(60));
    t.observe_at(&status("a", "sent", 1, None), start);
    t.observe_at(
        &status("b", "sent", 1, None),
        start + Duration::from_secs(30),
    );
    t.observe_at(
        &status("c", "sent", 1, None),
        start + Duration::from_secs(61),
    );
    assert!(t.get("a").is_none());
    assert!(t.get("b").is_some());
    t.evict_expired(start + Duration::from_secs(200));
    assert!(t.is_empty());
    // A forgotten message starts afresh.
    let r = t.observe_at(
        &status("a", "delivered", 2, None),
        start + Duration::from_secs(201),
    );
    assert_eq!(r.previous, None);
}

#[test]
fn memory_stays_bounded_under_many_messages() {
    let mut t = StatusTracker::new(1000, Duration::from_secs(3600));
    for i in 0..20_000 {
        t.observe(&status(&format!("wamid.{i}"), "sent", 1, None));
    }
    assert_eq!(t.len(), 1000);
    assert!(t.get("wamid.19999").is_some());
    assert!(t.get("wamid.18999").is_none());
    // Per-message history is bounded too.
    for ts in 0..100 {
        t.observe(&status("wamid.19999", "sent", ts, None));
    }
    assert_eq!(t.get("wamid.19999").unwrap().history.len(), 32);
    assert!(t.remove("wamid.19999").is_some());
    assert_eq!(t.len(), 999);
}

#[test]
fn conflicting_fixtures_reconcile_to_delivered() {
    for order in [
        [
            "status_conflict_delivered.json",
            "status_conflict_failed.json",
        ],
        [
            "status_conflict_failed.json",
            "status_conflict_delivered.json",
        ],
    ] {
        let mut t = StatusTracker::default();
        let mut last = None;
        for name in order {
            let body = fixture(name);
            let n = parse(&body).unwrap();
            for (_, s) in n.statuses() {
                last = Some(t.observe(s));
            }
        }
        let last = last.unwrap();
        assert_eq!(last.message_id, "wamid.CONFLICT1");
        assert_eq!(last.state, DeliveryState::Delivered);
        assert_eq!(last.errors[0].code, Some(131000));
    }
}

#[test]
fn batch_fixture_folds() {
    let body = fixture("batch_1000_statuses.json");
    let n = parse(&body).unwrap();
    let mut t = StatusTracker::default();
    for (_, s) in n.statuses() {
        t.observe(s);
    }
    // Three updates per message id in the batch.
    assert_eq!(t.len(), 334);
}

const KINDS: [&str; 6] = ["sent", "delivered", "read", "played", "failed", "deleted"];

fn update() -> impl Strategy<Value = (usize, usize, u64, Option<i64>)> {
    (
        0usize..3,
        0usize..KINDS.len(),
        0u64..5,
        prop::option::of(prop::sample::select(vec![131026i64, 131000, 131049])),
    )
}

type Folded = (
    DeliveryState,
    Vec<ErrorObject<'static>>,
    Vec<(String, String)>,
);

fn fold(updates: &[(usize, usize, u64, Option<i64>)]) -> Vec<Folded> {
    let mut t = StatusTracker::default();
    for &(id, kind, ts, err) in updates {
        t.observe(&status(&format!("wamid.{id}"), KINDS[kind], ts, err));
    }
    (0..3)
        .map(|id| match t.get(&format!("wamid.{id}")) {
            Some(r) => (
                r.state,
                r.errors.clone(),
                r.history
                    .iter()
                    .map(|h| (h.status.clone(), h.timestamp.clone()))
                    .collect(),
            ),
            None => (DeliveryState::Unknown, vec![], vec![]),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every permutation and duplication of the same updates gives the same
    /// final state, errors and history.
    #[test]
    fn permutation_and_duplication_invariant(
        updates in prop::collection::vec(update(), 0..24),
        dups in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        seed in any::<u64>(),
    ) {
        let expected = fold(&updates);
        let mut shuffled = updates.clone();
        if !updates.is_empty() {
            for d in &dups {
                shuffled.push(updates[d.index(updates.len())]);
            }
        }
        // Deterministic Fisher-Yates from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(fold(&shuffled), expected);
    }

    /// The state is the maximum of the known statuses seen, delivered beats failed.
    #[test]
    fn state_is_the_maximum(updates in prop::collection::vec(update(), 1..24)) {
        let folded = fold(&updates);
        for (id, folded) in folded.iter().enumerate() {
            let seen: Vec<&str> = updates.iter().filter(|u| u.0 == id).map(|u| KINDS[u.1]).collect();
            let expected = if seen.contains(&"played") { DeliveryState::Played }
                else if seen.contains(&"read") { DeliveryState::Read }
                else if seen.contains(&"delivered") { DeliveryState::Delivered }
                else if seen.contains(&"failed") { DeliveryState::Failed }
                else if seen.contains(&"sent") { DeliveryState::Sent }
                else { DeliveryState::Unknown };
            prop_assert_eq!(folded.0, expected);
        }
    }
}

/// Issue 14, defect 6: once a message's details were evicted, a late update used to start it
/// afresh (`read` then a late `sent` came back as `sent`). Its state is now remembered.
#[test]
fn late_update_after_eviction_does_not_downgrade() {
    let mut t = StatusTracker::new(2, Duration::from_secs(3600));
    t.observe(&status("m", "read", 5, None));
    t.observe(&status("a", "sent", 6, None));
    t.observe(&status("b", "sent", 7, None));
    assert!(t.get("m").is_none(), "the details of m are evicted");
    assert_eq!(t.remembered(), 1);
    let late = t.observe(&status("m", "sent", 1, None));
    assert_eq!(late.state, DeliveryState::Read);
    assert_eq!(late.previous, Some(DeliveryState::Read));
    assert!(late.history_evicted);
    assert!(!late.may_be_forgotten);
    assert!(!late.changed());
    // A message the tracker never saw is not flagged.
    let fresh = t.observe(&status("new", "sent", 9, None));
    assert_eq!((fresh.previous, fresh.history_evicted), (None, false));
}

/// Issue 14, defect 6, at the volume it was seen: 80 messages/s overflow the detailed records
/// within the hour (the old default kept 100,000), and a late `sent` for the first message, a
/// week later, downgraded it. The defaults now cover Meta's 7-day redelivery window at 80/s.
#[test]
fn defaults_cover_80_per_second_over_the_redelivery_window() {
    const RATE: u64 = 80;
    const WEEK: u64 = 7 * 24 * 3600;
    assert!(wacloud::webhooks::DEFAULT_REMEMBERED as u64 >= RATE * WEEK);
    assert!(wacloud::webhooks::DEFAULT_MAX_AGE > Duration::from_secs(WEEK));
    let start = Instant::now();
    let at = |i: u64| start + Duration::from_millis(i * 1000 / RATE);
    let mut t = StatusTracker::default();
    let n = RATE * 1800;
    for i in 0..n {
        let id = format!("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI{i:027}");
        t.observe_at(&status(&id, "delivered", i, None), at(i));
        t.observe_at(&status(&id, "read", i + 1, None), at(i));
    }
    assert!(t.len() < n as usize, "details were evicted");
    assert!(t.remembered() > 0);
    // Memory: about 8 bytes per remembered message beyond the detail budget.
    assert!(
        t.bytes() <= t.max_bytes() + 16 * t.remembered() + (1 << 20),
        "{} bytes",
        t.bytes()
    );
    let first = format!("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI{:027}", 0);
    let late = t.observe_at(
        &status(&first, "sent", 0, None),
        start + Duration::from_secs(WEEK),
    );
    assert_eq!(late.state, DeliveryState::Read);
    assert!(late.history_evicted);
}

/// "Tracker records capped by entry count, not bytes": a record may carry 16 errors with long
/// texts; the detail budget is in bytes.
#[test]
fn details_are_bounded_in_bytes() {
    let budget = 4 * 1024 * 1024;
    let mut t = StatusTracker::new(1_000_000, Duration::from_secs(3600)).with_max_bytes(budget);
    assert_eq!(t.max_bytes(), budget);
    let long = "x".repeat(4096);
    for i in 0..1000 {
        let mut s = status(&format!("wamid.{i}"), "failed", 1, None);
        s.errors = (0..16)
            .map(|code| ErrorObject {
                code: Some(code),
                title: Some(Cow::Owned(long.clone())),
                message: Some(Cow::Owned(long.clone())),
                error_data: None,
                href: None,
            })
            .collect();
        t.observe(&s);
        assert!(t.bytes() <= budget + 16 * t.remembered() + 256 * 1024);
    }
    // 1,000 such records hold over 128 MB; the budget keeps a few dozen.
    assert!(t.len() < 100, "{} records", t.len());
    assert_eq!(t.len() + t.remembered(), 1000);
    // Evicted, but not downgraded.
    assert_eq!(
        t.observe(&status("wamid.0", "sent", 0, None)).state,
        DeliveryState::Failed
    );
}

/// Past its remembered capacity the tracker cannot tell a new message from a forgotten one,
/// and says so until those forgotten messages would have aged out anyway.
#[test]
fn a_full_memory_flags_new_messages_until_max_age() {
    let start = Instant::now();
    let hour = Duration::from_secs(3600);
    let mut t = StatusTracker::new(1, hour).with_remembered(2);
    assert_eq!(t.remembered_capacity(), 2);
    // Each arrival evicts the previous message's details into the memory of states.
    for (i, id) in ["a", "b", "c"].into_iter().enumerate() {
        let at = start + hour / 8 * i as u32;
        assert!(
            !t.observe_at(&status(id, "read", 1, None), at)
                .may_be_forgotten
        );
    }
    assert_eq!(t.remembered(), 2);
    // The third eviction overflows it: the oldest state ("a") is dropped before its age.
    t.observe_at(&status("d", "read", 1, None), start + hour / 8 * 3);
    assert_eq!(t.remembered(), 2);
    // A late update for "a" could downgrade it, and is flagged.
    let r = t.observe_at(&status("a", "sent", 0, None), start + hour / 2);
    assert_eq!((r.state, r.previous), (DeliveryState::Sent, None));
    assert!(r.may_be_forgotten);
    // Once everything dropped early would have aged out, new messages are not flagged.
    let r = t.observe_at(&status("z", "sent", 0, None), start + hour * 2);
    assert!(!r.may_be_forgotten);
}

/// Issue 14, defect 3, in the tracker: an update folded but never handled (its webhook was
/// refused) is not a duplicate when it comes back; once confirmed, it is.
#[test]
fn unconfirmed_updates_are_not_duplicates() {
    let mut t = StatusTracker::default();
    let s = status("m", "delivered", 2, None);
    let first = t.observe_unconfirmed(&s);
    assert_eq!(first.state, DeliveryState::Delivered);
    let again = t.observe_unconfirmed(&s);
    assert!(!again.duplicate, "never handled: not a duplicate");
    assert!(!t.get("m").unwrap().history[0].handled);
    assert!(t.confirm(&s));
    assert!(t.get("m").unwrap().history[0].handled);
    assert!(t.observe_unconfirmed(&s).duplicate);
    assert!(t.observe(&s).duplicate);
    assert!(!t.confirm(&status("other", "sent", 1, None)));
    assert!(!t.confirm(&status("m", "read", 3, None)));
}

#[test]
fn remove_keeps_the_age_order() {
    let mut t = StatusTracker::new(3, Duration::from_secs(3600));
    for id in ["a", "b", "c"] {
        t.observe(&status(id, "sent", 1, None));
    }
    assert!(t.remove("b").is_some());
    assert!(t.remove("b").is_none());
    t.observe(&status("d", "sent", 1, None));
    assert_eq!(t.len(), 3);
    t.observe(&status("e", "sent", 1, None));
    // "a" was the oldest left; "b" no longer counts.
    assert!(t.get("a").is_none());
    assert!(t.get("c").is_some() && t.get("d").is_some() && t.get("e").is_some());
}
