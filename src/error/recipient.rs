//! The error for a recipient refused before sending.

use std::fmt;

/// A recipient refused by the recipient rules; no request was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRejected {
    /// The recipient as the caller gave it.
    pub recipient: String,
    /// Why it was refused.
    pub reason: RejectReason,
}

/// Why a recipient was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// Not a valid international phone number (or wa_id).
    InvalidNumber {
        /// What is wrong with it.
        detail: String,
    },
    /// A rule of the recipient rule table matched.
    Rule {
        /// The rule's id, e.g. `sanctions.cuba`.
        rule: String,
        /// The region it covers, e.g. `Cuba`.
        region: String,
        /// The number range that matched, e.g. `+53`; for a business-scoped user id, its
        /// country prefix, e.g. `IR.`.
        range: String,
        /// Where the rule comes from.
        source: String,
        /// The rule's effective period in words (e.g. `in effect until 2024-05-15 (exclusive)`),
        /// so that a dated rule explains why it applied on the day it was checked.
        effective: String,
    },
}

impl fmt::Display for RecipientRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            RejectReason::InvalidNumber { detail } => write!(
                f,
                "recipient {} rejected before sending: not a valid phone number ({detail})",
                self.recipient
            ),
            RejectReason::Rule {
                rule,
                region,
                range,
                source,
                effective,
            } => write!(
                f,
                "recipient {} rejected before sending by rule {rule}: {region} ({range}) cannot \
                 receive WhatsApp Business Platform messages (source: {source}; {effective})",
                self.recipient
            ),
        }
    }
}

impl std::error::Error for RecipientRejected {}
