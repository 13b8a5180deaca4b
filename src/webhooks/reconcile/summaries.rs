//! The compact memory of evicted messages: 8 bytes per message, its state and nothing else.
//!
//! A detailed [`MessageRecord`](super::MessageRecord) costs hundreds of bytes, so the tracker
//! keeps only the recent ones. When it evicts one to stay within its budget, the message's state
//! moves here, so a late update for it still cannot downgrade it. A key is a 64-bit keyed hash of
//! the message id (a random key per tracker, so no sender can aim at a collision) whose low
//! three bits are replaced by the state: a new message is mistaken for a remembered one with
//! probability about `n / 2^61` (n remembered messages; below 10^-10 at 55 million).
//!
//! Keys are grouped in generations by when their message was first seen; a generation covers
//! `max_age / GENERATIONS` and is dropped whole once its newest message is `max_age` old. Inside
//! a generation, keys sit in sorted runs (a small sorted head, then runs merged like a binary
//! counter), so memory is the keys themselves and a lookup is a few binary searches.

use std::collections::hash_map::RandomState;
use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use super::DeliveryState;

/// How many generations cover `max_age`.
const GENERATIONS: u32 = 8;
/// Keys a generation collects, sorted, before they become a run.
const HEAD: usize = 1024;
const STATE_BITS: u64 = 0b111;

#[derive(Debug)]
struct Generation {
    oldest: Instant,
    newest: Instant,
    head: Vec<u64>,
    runs: Vec<Vec<u64>>,
    len: usize,
}

impl Generation {
    fn new(first_seen: Instant) -> Self {
        Generation {
            oldest: first_seen,
            newest: first_seen,
            head: Vec::new(),
            runs: Vec::new(),
            len: 0,
        }
    }

    fn insert(&mut self, key: u64, first_seen: Instant) {
        self.newest = self.newest.max(first_seen);
        let pos = self.head.partition_point(|k| *k < key);
        self.head.insert(pos, key);
        self.len += 1;
        if self.head.len() >= HEAD {
            self.runs.push(std::mem::take(&mut self.head));
            // Binary-counter merging keeps O(log n) runs at O(log n) amortized work per key.
            while let [.., a, b] = &self.runs[..] {
                if a.len() > b.len() {
                    break;
                }
                let (Some(b), Some(a)) = (self.runs.pop(), self.runs.pop()) else {
                    unreachable!("two runs checked above")
                };
                self.runs.push(merge(&a, &b));
            }
        }
    }

    /// The highest state remembered under `prefix` (the hash without its state bits).
    fn get(&self, prefix: u64) -> Option<u64> {
        std::iter::once(&self.head)
            .chain(&self.runs)
            .filter_map(|run| {
                let from = run.partition_point(|k| *k < prefix);
                run[from..]
                    .iter()
                    .take_while(|k| **k & !STATE_BITS == prefix)
                    .map(|k| k & STATE_BITS)
                    .max()
            })
            .max()
    }

    fn bytes(&self) -> usize {
        (self.head.capacity() + self.runs.iter().map(Vec::capacity).sum::<usize>()) * 8
            + self.runs.capacity() * std::mem::size_of::<Vec<u64>>()
            + std::mem::size_of::<Self>()
    }
}

fn merge(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn code(state: DeliveryState) -> u64 {
    match state {
        DeliveryState::Unknown => 0,
        DeliveryState::Sent => 1,
        DeliveryState::Failed => 2,
        DeliveryState::Delivered => 3,
        DeliveryState::Read => 4,
        DeliveryState::Played => 5,
    }
}

fn state(code: u64) -> DeliveryState {
    match code {
        1 => DeliveryState::Sent,
        2 => DeliveryState::Failed,
        3 => DeliveryState::Delivered,
        4 => DeliveryState::Read,
        5 => DeliveryState::Played,
        _ => DeliveryState::Unknown,
    }
}

/// The states of evicted messages, bounded by a number of messages and by age.
#[derive(Debug)]
pub(super) struct Summaries {
    hasher: RandomState,
    generations: VecDeque<Generation>,
    len: usize,
    capacity: usize,
}

impl Summaries {
    pub(super) fn new(capacity: usize) -> Self {
        Summaries {
            hasher: RandomState::new(),
            generations: VecDeque::new(),
            len: 0,
            capacity,
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(super) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Approximate heap bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.generations.iter().map(Generation::bytes).sum()
    }

    fn prefix(&self, message_id: &str) -> u64 {
        self.hasher.hash_one(message_id) & !STATE_BITS
    }

    /// The state remembered for `message_id`, if any.
    pub(super) fn get(&self, message_id: &str) -> Option<DeliveryState> {
        if self.len == 0 {
            return None;
        }
        let prefix = self.prefix(message_id);
        self.generations
            .iter()
            .filter_map(|g| g.get(prefix))
            .max()
            .map(state)
    }

    /// Remembers that `message_id`, first seen at `first_seen`, reached `state`. Returns the
    /// newest first-seen instant among the messages dropped to make room, if any were.
    pub(super) fn insert(
        &mut self,
        message_id: &str,
        state: DeliveryState,
        first_seen: Instant,
        max_age: Duration,
    ) -> Option<Instant> {
        let key = self.prefix(message_id) | code(state);
        let span = max_age / GENERATIONS;
        let fits = self.generations.back().is_some_and(|g| {
            // A first sighting older than the generation (a replay) joins it too.
            !matches!(first_seen.checked_duration_since(g.oldest), Some(d) if d >= span)
        });
        if !fits {
            self.generations.push_back(Generation::new(first_seen));
        }
        if let Some(g) = self.generations.back_mut() {
            g.insert(key, first_seen);
        }
        self.len += 1;
        let mut dropped = None;
        while self.len > self.capacity {
            let Some(g) = self.generations.pop_front() else {
                break;
            };
            self.len -= g.len;
            dropped = dropped.max(Some(g.newest));
        }
        dropped
    }

    /// Forgets the generations whose newest message was first seen `max_age` or longer ago.
    pub(super) fn expire(&mut self, now: Instant, max_age: Duration) {
        while let Some(g) = self.generations.front() {
            if now.saturating_duration_since(g.newest) < max_age {
                break;
            }
            self.len -= g.len;
            self.generations.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn remembers_the_highest_state_and_forgets_by_age() {
        let t0 = Instant::now();
        let mut s = Summaries::new(1_000_000);
        for i in 0..5_000 {
            s.insert(&format!("m{i}"), DeliveryState::Delivered, t0, DAY);
        }
        s.insert("m7", DeliveryState::Read, t0 + DAY / 2, DAY);
        assert_eq!(s.get("m7"), Some(DeliveryState::Read));
        assert_eq!(s.get("m4999"), Some(DeliveryState::Delivered));
        assert_eq!(s.get("never"), None);
        assert_eq!(s.len(), 5_001);
        assert!(s.bytes() >= 5_001 * 8);
        // The first generation's newest message is t0: it goes at t0 + max_age.
        s.expire(t0 + DAY, DAY);
        assert_eq!(s.get("m4999"), None);
        assert_eq!(s.get("m7"), Some(DeliveryState::Read));
        s.expire(t0 + DAY * 2, DAY);
        assert_eq!(s.len(), 0);
        assert_eq!(s.get("m7"), None);
    }

    #[test]
    fn capacity_drops_the_oldest_generation_and_says_so() {
        let t0 = Instant::now();
        let mut s = Summaries::new(3);
        assert_eq!(s.insert("a", DeliveryState::Read, t0, DAY), None);
        assert_eq!(s.insert("b", DeliveryState::Read, t0, DAY), None);
        let later = t0 + DAY / 4;
        assert_eq!(s.insert("c", DeliveryState::Read, later, DAY), None);
        assert_eq!(s.insert("d", DeliveryState::Read, later, DAY), Some(t0));
        assert_eq!(s.get("a"), None);
        assert_eq!(s.get("d"), Some(DeliveryState::Read));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn every_state_round_trips() {
        for st in [
            DeliveryState::Unknown,
            DeliveryState::Sent,
            DeliveryState::Failed,
            DeliveryState::Delivered,
            DeliveryState::Read,
            DeliveryState::Played,
        ] {
            assert_eq!(state(code(st)), st);
        }
    }
}
