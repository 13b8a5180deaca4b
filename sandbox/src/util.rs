//! Small helpers: clocks, ids, digits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rand::Rng as _;

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// Wall-clock unix seconds.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The digits of a phone number (`"+1 (650) 555-1234"` -> `"16505551234"`).
pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// A unique message id shaped like Meta's: `wamid.` + base64 of a small binary record
/// holding the recipient's digits and a unique tail.
pub(crate) fn wamid(recipient_digits: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut raw: Vec<u8> = Vec::with_capacity(48);
    raw.extend_from_slice(&[0x1c, 0x18]);
    let d = recipient_digits.as_bytes();
    raw.push(d.len().min(255) as u8);
    raw.extend_from_slice(&d[..d.len().min(255)]);
    raw.extend_from_slice(&[0x15, 0x02, 0x00, 0x11, 0x18, 0x12]);
    let mut tail = [0u8; 10];
    rand::rng().fill(&mut tail[..]);
    raw.extend_from_slice(&tail);
    raw.extend_from_slice(&n.to_be_bytes());
    raw.push(0x00);
    format!(
        "wamid.{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A random id shaped like Graph's `fbtrace_id`.
pub(crate) fn fbtrace_id() -> String {
    let mut b = [0u8; 17];
    rand::rng().fill(&mut b[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A numeric id (media ids, inbound ids...), unique within the process.
pub(crate) fn numeric_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let r: u32 = rand::rng().random_range(0..1_000_000);
    format!("{}{:06}{:06}", 1_000, r, n % 1_000_000)
}

/// A random lowercase hex string of `bytes` bytes.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill(&mut b[..]);
    hex::encode(b)
}
