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

/// Whether `s` is a business-scoped user id (`US.13491208655302741918`) or parent id
/// (`US.ENT.11815799212886844830`): two capital letters, a period, then 1 to 128 ASCII letters
/// and digits (after `ENT.` for a parent id).
pub(crate) fn is_user_id(s: &str) -> bool {
    let Some((country, rest)) = s.split_once('.') else {
        return false;
    };
    let id = rest.strip_prefix("ENT.").unwrap_or(rest);
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=128).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// How the sandbox keys a recipient (faults, undeliverable lists): a user id as written, a
/// phone number by its digits (`"+1 (650) 555-1234"` and `"16505551234"` match).
pub(crate) fn recipient_key(s: &str) -> String {
    let trimmed = s.trim();
    if is_user_id(trimmed) {
        trimmed.to_string()
    } else {
        digits(trimmed)
    }
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
