//! `explain`: every message's fate, with the causes and remedies of Meta's troubleshooting
//! page ("Message Not Delivered") and the error catalogue.

use std::fmt;
use std::time::Duration;

use wacloud::webhooks::DeliveryState;

use crate::error::OutboxError;
use crate::model::{Millis, Row, RowId, State};
use crate::outbox::Outbox;

/// How long Meta holds a message for a user who does not come online: after that a message
/// still at `sent` will not be delivered.
pub const HOLD_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// The Terms of Service link users must accept.
pub const TERMS_URL: &str = "https://wa.me/tos/20210210";

/// The oldest WhatsApp versions that receive Cloud API messages: (client, version).
pub const MIN_APP_VERSIONS: [(&str, &str); 6] = [
    ("Android", "2.21.15.15"),
    ("SMBA", "2.21.15.15"),
    ("iOS", "2.21.170.4"),
    ("SMBI", "2.21.170.4"),
    ("KaiOS", "2.2130.10"),
    ("Web", "2.2132.6"),
];

/// Why a message may be stuck at `sent` or fail as undeliverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// The user has not come online (Meta holds messages 30 days).
    NotOnline,
    /// The user blocked this number or another number of the business.
    Blocked,
    /// The user is in a restricted or sanctioned country.
    RestrictedCountry,
    /// The user has not accepted the latest Terms of Service.
    TermsNotAccepted,
    /// The user runs a WhatsApp older than [`MIN_APP_VERSIONS`].
    OldAppVersion,
    /// The user is part of an experiment group (130472).
    Experiment,
    /// Meta's per-user marketing template limit held the message back (131049).
    MarketingLimit,
    /// More than 24 hours since the user last wrote; only a template may be sent (131047).
    OutsideWindow,
}

impl Cause {
    /// The cause in words.
    pub fn describe(self) -> &'static str {
        match self {
            Cause::NotOnline => "the user has not come online (Meta holds messages for offline users 30 days)",
            Cause::Blocked => "the user blocked this business phone number or another number of the business",
            Cause::RestrictedCountry => "the user is in a restricted or sanctioned country",
            Cause::TermsNotAccepted => "the user has not accepted the latest Terms of Service",
            Cause::OldAppVersion => "the user runs an old version of WhatsApp",
            Cause::Experiment => "the user is part of an experiment group",
            Cause::MarketingLimit => "Meta's per-user marketing template message limits held the message back to keep a high quality user experience",
            Cause::OutsideWindow => "more than 24 hours passed since the user last messaged the business",
        }
    }

    /// The causes Meta lists for a message that shows as sent but is not delivered.
    pub const NOT_DELIVERED: [Cause; 3] =
        [Cause::NotOnline, Cause::Blocked, Cause::RestrictedCountry];

    /// The causes behind a 131026 "Message undeliverable".
    pub const UNDELIVERABLE: [Cause; 5] = [
        Cause::Blocked,
        Cause::RestrictedCountry,
        Cause::TermsNotAccepted,
        Cause::OldAppVersion,
        Cause::Experiment,
    ];
}

/// What to do, per Meta's "Possible Solutions": ask the user, through another channel than
/// WhatsApp, to...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Remedy {
    /// ...confirm that they can send a message to the business number.
    ConfirmCanMessage,
    /// ...confirm that no number of the business is in Settings > Privacy > Blocked.
    ConfirmNotBlocked,
    /// ...accept the latest Terms of Service ([`TERMS_URL`]).
    AcceptTerms,
    /// ...update WhatsApp to at least [`MIN_APP_VERSIONS`].
    UpdateApp,
    /// Send an approved template: the 24-hour window is closed.
    SendTemplate,
    /// Wait at least 24 hours before sending this user marketing again; do not resend now.
    WaitForMarketing,
    /// Nothing to fix: do not resend.
    DoNotResend,
    /// Look the message up through the webhooks (its row id is its callback data); resend
    /// only if the recipient confirms it never arrived.
    CheckBeforeResending,
}

impl Remedy {
    /// The remedy in words.
    pub fn describe(self) -> String {
        match self {
            Remedy::ConfirmCanMessage => "ask the user (not on WhatsApp) to confirm they can send a message to your WhatsApp business phone number".into(),
            Remedy::ConfirmNotBlocked => "ask the user to confirm none of your business numbers is blocked (Settings > Privacy > Blocked, or Blocked contacts)".into(),
            Remedy::AcceptTerms => format!("ask the user to accept the latest Terms of Service: {TERMS_URL} (Settings > Help, or Settings > Application information)"),
            Remedy::UpdateApp => {
                let versions: Vec<String> = MIN_APP_VERSIONS
                    .iter()
                    .map(|(client, version)| format!("{client} {version}"))
                    .collect();
                format!("ask the user to update WhatsApp to at least {}", versions.join(", "))
            }
            Remedy::SendTemplate => "send an approved template message: free-form messages need a message from the user in the last 24 hours".into(),
            Remedy::WaitForMarketing => "wait at least 24 hours before sending this user marketing again (marketing templates to US +1 numbers are not delivered at all since 2025-04-01): do not resend now".into(),
            Remedy::DoNotResend => "nothing to fix: do not resend".into(),
            Remedy::CheckBeforeResending => "wait for a status webhook carrying the row id (it settles the row); resend only if the recipient confirms it never arrived".into(),
        }
    }

    /// The remedies for a message that is not delivered.
    pub const NOT_DELIVERED: [Remedy; 4] = [
        Remedy::ConfirmCanMessage,
        Remedy::ConfirmNotBlocked,
        Remedy::AcceptTerms,
        Remedy::UpdateApp,
    ];
}

/// A message's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fate {
    /// Waiting to be sent, due at this time.
    Waiting {
        /// Due at (ms since the epoch).
        not_before: Millis,
    },
    /// Its request may be on its way (a worker holds it).
    InFlight,
    /// Accepted; no status webhook yet, or `sent`, for less than the stuck threshold.
    Sent {
        /// Since when (ms).
        since: Millis,
    },
    /// At `sent` (or accepted without a status) longer than the stuck threshold.
    Stuck {
        /// Since when (ms).
        since: Millis,
        /// The possible causes.
        causes: Vec<Cause>,
        /// What to do.
        remedies: Vec<Remedy>,
    },
    /// At `sent` for longer than Meta holds messages ([`HOLD_WINDOW`]): it will not arrive.
    Expired {
        /// Since when (ms).
        since: Millis,
    },
    /// Delivered to at least one device.
    Delivered,
    /// Read (or played).
    Read,
    /// A `failed` status (and no delivery).
    Failed(Failure),
    /// Refused when sent: a Graph error or a local refusal.
    Rejected(Failure),
    /// The request may have been written and no answer came.
    Unknown {
        /// Since when (ms).
        since: Millis,
        /// Whether it is older than the configured window (reported as unresolved).
        unresolved: bool,
    },
}

/// An error with its causes and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error code, if any.
    pub code: Option<i64>,
    /// The title (Meta's or the catalogue's).
    pub title: Option<String>,
    /// Meta's details, or the SDK's message.
    pub detail: Option<String>,
    /// The possible causes.
    pub causes: Vec<Cause>,
    /// What to do.
    pub remedies: Vec<Remedy>,
    /// The catalogue's guidance for the code, when it has the code.
    pub guidance: Option<&'static str>,
}

impl Failure {
    fn of(row: &Row) -> Failure {
        let error = row.error.clone().unwrap_or_default();
        let (causes, remedies) = match error.code {
            Some(131026) => (
                Cause::UNDELIVERABLE.to_vec(),
                Remedy::NOT_DELIVERED.to_vec(),
            ),
            Some(131049) => (vec![Cause::MarketingLimit], vec![Remedy::WaitForMarketing]),
            Some(131047) => (vec![Cause::OutsideWindow], vec![Remedy::SendTemplate]),
            Some(130472) => (vec![Cause::Experiment], vec![Remedy::DoNotResend]),
            _ => (Vec::new(), Vec::new()),
        };
        let entry = error.code.and_then(wacloud::error::catalogue::lookup);
        Failure {
            code: error.code,
            title: error
                .title
                .or_else(|| entry.map(|entry| entry.title.to_owned())),
            detail: error.detail,
            causes,
            remedies,
            guidance: entry.map(|entry| entry.guidance),
        }
    }
}

/// A row and its fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The row.
    pub row: Row,
    /// Its fate.
    pub fate: Fate,
}

/// Judges a row at `now`.
pub fn diagnose(
    row: Row,
    now: Millis,
    stuck_after: Duration,
    unknown_window: Duration,
) -> Diagnosis {
    let ms = |duration: Duration| i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
    let fate = match (row.state, row.delivery) {
        (State::Queued, _) => Fate::Waiting {
            not_before: row.not_before,
        },
        (State::Dispatched, _) => Fate::InFlight,
        (State::Rejected, _) => Fate::Rejected(Failure::of(&row)),
        (State::Unknown, _) => {
            let since = row.dispatched_at.unwrap_or(row.updated_at);
            Fate::Unknown {
                since,
                unresolved: now.saturating_sub(since) >= ms(unknown_window),
            }
        }
        (State::Accepted, Some(DeliveryState::Read | DeliveryState::Played)) => Fate::Read,
        (State::Accepted, Some(DeliveryState::Delivered)) => Fate::Delivered,
        (State::Accepted, Some(DeliveryState::Failed)) => Fate::Failed(Failure::of(&row)),
        (State::Accepted, _) => {
            let since = row.sent_at.or(row.dispatched_at).unwrap_or(row.updated_at);
            let age = now.saturating_sub(since);
            if age >= ms(HOLD_WINDOW) {
                Fate::Expired { since }
            } else if age >= ms(stuck_after) {
                Fate::Stuck {
                    since,
                    causes: Cause::NOT_DELIVERED.to_vec(),
                    remedies: Remedy::NOT_DELIVERED.to_vec(),
                }
            } else {
                Fate::Sent { since }
            }
        }
    };
    Diagnosis { row, fate }
}

impl Outbox {
    /// Explains one message's fate.
    pub async fn explain(&self, id: RowId) -> Result<Diagnosis, OutboxError> {
        let row = self.get(id).await?;
        Ok(diagnose(
            row,
            self.now(),
            self.config.stuck_after,
            self.config.unknown_window,
        ))
    }
}

fn list(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    items: impl Iterator<Item = String>,
) -> fmt::Result {
    for item in items {
        writeln!(f, "  {label}: {item}")?;
    }
    Ok(())
}

fn days(ms: Millis) -> String {
    format!("{:.1} days", ms as f64 / 86_400_000.0)
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "error {code}")?,
            None => write!(f, "error")?,
        }
        if let Some(title) = &self.title {
            write!(f, " ({title})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        writeln!(f)?;
        list(
            f,
            "cause",
            self.causes.iter().map(|cause| cause.describe().to_owned()),
        )?;
        list(
            f,
            "do",
            self.remedies.iter().map(|remedy| remedy.describe()),
        )?;
        if self.remedies.is_empty() {
            if let Some(guidance) = self.guidance {
                writeln!(f, "  do: {guidance}")?;
            }
        }
        Ok(())
    }
}

impl Diagnosis {
    /// The text, with durations measured at `now`.
    pub fn render(&self, now: Millis) -> String {
        struct At<'a>(&'a Diagnosis, Millis);
        impl fmt::Display for At<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, self.1)
            }
        }
        At(self, now).to_string()
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, now: Millis) -> fmt::Result {
        let row = &self.row;
        write!(
            f,
            "message {} ({} to {}): ",
            row.id,
            row.message_type,
            mask(&row.recipient)
        )?;
        match &self.fate {
            Fate::Waiting { not_before } if *not_before > now => {
                writeln!(f, "waiting, due in {} s", (not_before - now) / 1000)
            }
            Fate::Waiting { .. } => writeln!(f, "waiting to be sent"),
            Fate::InFlight => writeln!(f, "being sent"),
            Fate::Sent { since } => writeln!(f, "sent {} ago, not delivered yet", days(now - since)),
            Fate::Stuck { since, causes, remedies } => {
                writeln!(f, "stuck at sent for {}", days(now - since))?;
                list(f, "cause", causes.iter().map(|cause| cause.describe().to_owned()))?;
                list(f, "do", remedies.iter().map(|remedy| remedy.describe()))
            }
            Fate::Expired { since } => writeln!(
                f,
                "expired: at sent for {}, longer than the 30 days Meta holds messages for offline users; it will not be delivered",
                days(now - since)
            ),
            Fate::Delivered => writeln!(f, "delivered"),
            Fate::Read => writeln!(f, "read"),
            Fate::Failed(failure) => write!(f, "failed: {failure}"),
            Fate::Rejected(failure) => write!(f, "rejected: {failure}"),
            Fate::Unknown { since, unresolved } => {
                writeln!(
                    f,
                    "outcome unknown for {}{}: the request may have reached Meta",
                    days(now - since),
                    if *unresolved { " (unresolved)" } else { "" }
                )?;
                writeln!(f, "  do: {}", Remedy::CheckBeforeResending.describe())
            }
        }
    }
}

/// A phone number with all but its last four digits hidden (logs and reports never show
/// full numbers).
pub fn mask(recipient: &str) -> String {
    let chars: Vec<char> = recipient.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 4;
    chars
        .iter()
        .enumerate()
        .map(|(index, c)| {
            if index < hidden && c.is_ascii_digit() {
                '*'
            } else {
                *c
            }
        })
        .collect()
}
