//! Recipient rules: refuse an invalid or restricted recipient before any byte leaves the process.
//!
//! Meta may answer "sent" for a message to a user in a sanctioned country or region and then
//! never deliver it, without saying why; only a check before sending catches that. Every call
//! that names a recipient (every send) goes through [`RecipientRules::check`]:
//!
//! 1. the recipient is normalized to E.164 digits (`+`, spaces, dashes, dots and parentheses
//!    stripped; a `wa_id` is already digits) and refused as
//!    [`RejectReason::InvalidNumber`] if it is not a
//!    plausible international number;
//! 2. the rule table (below) is matched on those digits, as of
//!    today or of a chosen [`Date`], and a match is refused as
//!    [`RejectReason::Rule`] naming the rule, region, range,
//!    source and effective period;
//! 3. country calling codes learned from error 130497 are refused (if learning is on);
//! 4. the `phonenumber` crate validates the number (with a documented workaround for its
//!    +7/+375 leading-8 bug, see [`NormalizedNumber::parser_disagreed`]).
//!
//! A recipient given as a business-scoped user id (BSUID, `IR.1502576394655843`, or a parent
//! BSUID `IR.ENT.…`) carries no number, only the user's country (ISO 3166 alpha-2) as its
//! prefix. It is checked by [`RecipientRules::check_user`] on that country:
//!
//! 1. a rule applies to a user id when one of its ranges is a whole country calling code that
//!    the country uses (libphonenumber's table: `IR` is +98, so `sanctions.iran` refuses every
//!    `IR.` id; `CU`, `KP` and `SY` likewise; a custom rule on `+44` refuses `GB.`, `GG.`,
//!    `IM.` and `JE.` ids). The refusal is the same [`RejectReason::Rule`], with the prefix
//!    (`IR.`) as its range;
//! 2. a country calling code learned from error 130497 refuses that country's user ids too.
//!
//! **The regional rules cannot be applied to a user id.** Crimea, Sevastopol, Donetsk and
//! Luhansk are identified by number ranges inside +380 and +7, and a BSUID says only `UA` or
//! `RU`: a user there who shows a username instead of their number cannot be recognised
//! before sending (Meta may still answer "sent" and not deliver). The same holds for any rule
//! narrower than a whole country calling code.
//!
//! A refused call never reaches `next.run`: the server receives nothing.
//!
//! # The rule table
//! | id | region | ranges | period |
//! |---|---|---|---|
//! | `sanctions.cuba` | Cuba | +53 | always |
//! | `sanctions.iran` | Iran | +98 | always |
//! | `sanctions.north-korea` | North Korea | +850 | always |
//! | `sanctions.syria` | Syria | +963 | always |
//! | `sanctions.crimea` | Crimea (Ukrainian plan) | +380 65 | always |
//! | `sanctions.sevastopol` | Sevastopol (Ukrainian plan) | +380 69 (numbers +380 692 …) | always |
//! | `sanctions.donetsk` | Donetsk oblast (Ukrainian plan) | +380 62 | always |
//! | `sanctions.luhansk` | Luhansk oblast (Ukrainian plan) | +380 64 | always |
//! | `sanctions.crimea-russian-ranges` | Crimea and Sevastopol (Russian-issued) | +7 978, +7 365, +7 869 | always |
//! | `cloud-api.turkey` | Turkey | +90 | until 2024-05-15 (exclusive) |
//!
//! The four sanctioned countries (and Turkey, on the dates its rule was in effect) also refuse
//! user ids from `CU`, `IR`, `KP` and `SY` (`TR`); the regional rules do not apply to user ids.
//!
//! The Ukrainian regions are best effort: Ukrainian mobile numbers are national (not regional)
//! and the +7 ranges assigned in Donetsk and Luhansk after 2022 have no reliable public list,
//! so such recipients cannot be recognised from the number. Kyiv, Kharkiv, Odesa, Ukrainian
//! mobiles and Russian numbers outside the Crimean ranges are never refused.
//!
//! ```
//! use wacloud::error::RejectReason;
//! use wacloud::layers::recipients::{Date, RecipientRules};
//!
//! let today = RecipientRules::default();
//! assert!(today.check("+90 532 123 4567").is_ok());
//! let rejected = RecipientRules::as_of(Date::new(2024, 4, 25))
//!     .check("+90 532 123 4567")
//!     .unwrap_err();
//! assert!(matches!(rejected.reason, RejectReason::Rule { ref rule, .. } if rule == "cloud-api.turkey"));
//! ```

mod date;
mod fast;
mod number;
mod rules;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, RwLock};

use http::Extensions;
use reqwest::{Request, Response};

use crate::layers::chain::Inner;

pub use date::Date;
pub use number::NormalizedNumber;
pub use rules::{Range, Rule};

use super::body;
use super::facts::RequestFacts;
use crate::error::{Error, GraphError, RecipientRejected, RejectReason};
use crate::messages::{UserId, UserRef};

/// The Graph error code for "Business account is restricted from messaging users in this
/// country".
pub const RESTRICTED_COUNTRY_CODE: i64 = 130_497;

/// The recipient rule table and how to apply it.
///
/// [`Default`] is the built-in table evaluated on the day of each check, without learning.
/// Clones share the set of country calling codes learned from error 130497, so every client
/// built from one `RecipientRules` benefits from what any of them learned.
#[derive(Debug, Clone)]
pub struct RecipientRules {
    rules: Vec<Rule>,
    as_of: Option<Date>,
    learn_130497: bool,
    learned: Arc<RwLock<BTreeSet<u16>>>,
    /// Shared by clones, like `learned`: see [`number::ValidatedCache`].
    validated: Arc<number::ValidatedCache>,
}

impl Default for RecipientRules {
    fn default() -> Self {
        RecipientRules {
            rules: rules::built_in(),
            as_of: None,
            learn_130497: false,
            learned: Arc::default(),
            validated: Arc::default(),
        }
    }
}

impl RecipientRules {
    /// The built-in table, evaluated on the day of each check.
    pub fn new() -> Self {
        RecipientRules::default()
    }

    /// A table without any rule: only malformed numbers (and learned countries) are refused.
    pub fn empty() -> Self {
        RecipientRules {
            rules: Vec::new(),
            ..RecipientRules::default()
        }
    }

    /// The built-in table evaluated as of `date` (e.g. to reproduce what applied on a past day:
    /// as of 2024-04-25 Turkish numbers are refused, today they are not).
    pub fn as_of(date: Date) -> Self {
        RecipientRules::default().on_date(date)
    }

    /// Evaluates this table as of `date` instead of the day of each check.
    pub fn on_date(mut self, date: Date) -> Self {
        self.as_of = Some(date);
        self
    }

    /// Evaluates this table on the day of each check (the default).
    pub fn on_check_date(mut self) -> Self {
        self.as_of = None;
        self
    }

    /// Adds a rule, replacing any rule with the same id.
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.retain(|existing| existing.id() != rule.id());
        self.rules.push(rule);
        self
    }

    /// Removes the rule with this id (nothing happens if there is none).
    pub fn without_rule(mut self, id: &str) -> Self {
        self.rules.retain(|existing| existing.id() != id);
        self
    }

    /// Remember the country calling code of a recipient for which Meta answered error 130497
    /// (business restricted from messaging users in this country), and refuse that country
    /// locally from then on. Off by default.
    pub fn learn_from_130497(mut self, learn: bool) -> Self {
        self.learn_130497 = learn;
        self
    }

    /// Whether learning from error 130497 is on.
    pub fn learns_from_130497(&self) -> bool {
        self.learn_130497
    }

    /// The rules, in the order they are matched.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id() == id)
    }

    /// The date the rules are evaluated on: the fixed date, or today (UTC).
    pub fn effective_date(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today)
    }

    /// The country calling codes learned so far, ascending.
    pub fn learned_country_codes(&self) -> Vec<u16> {
        self.learned
            .read()
            .map(|set| set.iter().copied().collect())
            .unwrap_or_else(|poisoned| poisoned.into_inner().iter().copied().collect())
    }

    /// Refuses a country calling code from now on, as if error 130497 had been received.
    pub fn learn_country_code(&self, code: u16) {
        match self.learned.write() {
            Ok(mut set) => set.insert(code),
            Err(poisoned) => poisoned.into_inner().insert(code),
        };
    }

    /// Forgets every learned country calling code (e.g. after Meta lifted the restriction).
    pub fn forget_learned(&self) {
        match self.learned.write() {
            Ok(mut set) => set.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    fn is_learned(&self, code: u16) -> bool {
        match self.learned.read() {
            Ok(set) => !set.is_empty() && set.contains(&code),
            Err(poisoned) => poisoned.into_inner().contains(&code),
        }
    }

    /// Checks one recipient (`+` and country code, or a `wa_id`) without any HTTP.
    ///
    /// ```
    /// use wacloud::error::RejectReason;
    /// use wacloud::layers::recipients::RecipientRules;
    /// let rules = RecipientRules::default();
    /// assert_eq!(rules.check("+1 650 555 1234").unwrap().e164(), "+16505551234");
    /// let cuba = rules.check("5352345678").unwrap_err();
    /// assert!(matches!(cuba.reason, RejectReason::Rule { .. }));
    /// let junk = rules.check("call me").unwrap_err();
    /// assert!(matches!(junk.reason, RejectReason::InvalidNumber { .. }));
    /// ```
    // The rejection is returned by value: it is the whole point of the call, and boxing it
    // would cost an allocation per refused number in bulk checks.
    #[allow(clippy::result_large_err)]
    pub fn check(&self, number: &str) -> Result<NormalizedNumber, RecipientRejected> {
        self.check_with(number, |digits| self.validated.validate(digits))
    }

    /// [`check`](Self::check) with the full `phonenumber` validation on every number (no
    /// cheap path, no cache): the reference `tests/recipients_fast.rs` compares `check` with.
    #[doc(hidden)]
    #[allow(clippy::result_large_err)]
    pub fn check_full_parse(&self, number: &str) -> Result<NormalizedNumber, RecipientRejected> {
        self.check_with(number, number::validate_full)
    }

    #[allow(clippy::result_large_err)]
    fn check_with(
        &self,
        number: &str,
        validate: impl FnOnce(String) -> Result<NormalizedNumber, String>,
    ) -> Result<NormalizedNumber, RecipientRejected> {
        let invalid = |detail: String| RecipientRejected {
            recipient: number.to_owned(),
            reason: RejectReason::InvalidNumber { detail },
        };
        let digits = number::normalize(number).map_err(invalid)?;
        if !self.rules.is_empty() {
            let date = self.effective_date();
            for rule in self.rules.iter().filter(|rule| rule.in_effect_on(date)) {
                if let Some(range) = rule.matching_range(&digits) {
                    return Err(RecipientRejected {
                        recipient: number.to_owned(),
                        reason: RejectReason::Rule {
                            rule: rule.id().to_owned(),
                            region: rule.region().to_owned(),
                            range: range.display().to_owned(),
                            source: rule.source().to_owned(),
                            effective: format!("{}; checked as of {date}", rule.period()),
                        },
                    });
                }
            }
        }
        if let Some(code) = number::country_code(&digits).filter(|code| self.is_learned(*code)) {
            return Err(RecipientRejected {
                recipient: number.to_owned(),
                reason: RejectReason::Rule {
                    rule: format!("learned.130497.{code}"),
                    region: format!("country calling code +{code}"),
                    range: format!("+{code}"),
                    source: rules::learned_source(),
                    effective: "in effect since the 130497 answer, until forget_learned()"
                        .to_owned(),
                },
            });
        }
        validate(digits).map_err(invalid)
    }

    /// Checks any form of recipient without any HTTP: a phone number as [`check`](Self::check)
    /// does, a business-scoped user id on its country (see the module docs: only rules that
    /// cover a whole country calling code can apply to it).
    ///
    /// ```
    /// use wacloud::error::RejectReason;
    /// use wacloud::layers::recipients::RecipientRules;
    /// use wacloud::messages::UserRef;
    /// let rules = RecipientRules::default();
    /// let us: UserRef = "US.13491208655302741918".parse().unwrap();
    /// assert_eq!(rules.check_user(&us).unwrap().to_string(), "US.13491208655302741918");
    /// let iran: UserRef = "IR.1502576394655843".parse().unwrap();
    /// let rejected = rules.check_user(&iran).unwrap_err();
    /// assert!(matches!(rejected.reason, RejectReason::Rule { ref rule, .. } if rule == "sanctions.iran"));
    /// ```
    #[allow(clippy::result_large_err)]
    pub fn check_user(&self, user: &UserRef) -> Result<CheckedRecipient, RecipientRejected> {
        match user {
            UserRef::UserId(id) => self.check_user_id(id).map(CheckedRecipient::UserId),
            // `UserRef` is open to new forms; any other is a phone number's text.
            other => self.check(other.as_str()).map(CheckedRecipient::Number),
        }
    }

    #[allow(clippy::result_large_err)]
    fn check_user_id(&self, id: &UserId) -> Result<UserId, RecipientRejected> {
        let country = id.country();
        let Some(code) = number::calling_code_of_region(country) else {
            // A country without a calling code in libphonenumber's table: no rule names it.
            return Ok(id.clone());
        };
        let code_digits = code.to_string();
        let date = self.effective_date();
        let rejected = |reason| RecipientRejected {
            recipient: id.as_str().to_owned(),
            reason,
        };
        for rule in self.rules.iter().filter(|rule| rule.in_effect_on(date)) {
            if rule
                .ranges()
                .iter()
                .any(|range| range.digits() == code_digits)
            {
                return Err(rejected(RejectReason::Rule {
                    rule: rule.id().to_owned(),
                    region: rule.region().to_owned(),
                    range: format!("{country}."),
                    source: rule.source().to_owned(),
                    effective: format!(
                        "{}; checked as of {date}; applied to the user id's country {country} \
                         (+{code})",
                        rule.period()
                    ),
                }));
            }
        }
        if self.is_learned(code) {
            return Err(rejected(RejectReason::Rule {
                rule: format!("learned.130497.{code}"),
                region: format!("country calling code +{code}"),
                range: format!("{country}."),
                source: rules::learned_source(),
                effective: "in effect since the 130497 answer, until forget_learned()".to_owned(),
            }));
        }
        Ok(id.clone())
    }
}

/// A recipient the rules let through: a valid phone number, or a user id whose country no rule
/// refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckedRecipient {
    /// A phone number, normalized.
    Number(NormalizedNumber),
    /// A business-scoped user id (or parent BSUID), as given.
    UserId(UserId),
}

impl CheckedRecipient {
    /// The country calling code the rules checked: the number's, or the one of the user id's
    /// country (`None` for a country libphonenumber does not know).
    pub fn country_code(&self) -> Option<u16> {
        match self {
            CheckedRecipient::Number(number) => Some(number.country_code()),
            CheckedRecipient::UserId(id) => number::calling_code_of_region(id.country()),
        }
    }
}

/// The E.164 form of a number, or the user id.
impl fmt::Display for CheckedRecipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckedRecipient::Number(number) => number.fmt(f),
            CheckedRecipient::UserId(id) => id.fmt(f),
        }
    }
}

/// The recipient rules middleware: refuses invalid or restricted recipients before `next.run`,
/// and (optionally) learns restricted countries from error 130497.
#[derive(Debug, Clone)]
pub struct RecipientLayer {
    rules: RecipientRules,
}

impl RecipientLayer {
    /// A recipient layer applying these rules.
    pub fn new(rules: RecipientRules) -> Self {
        number::warm_up();
        RecipientLayer { rules }
    }

    /// The rules this layer applies (sharing its learned countries).
    pub fn rules(&self) -> &RecipientRules {
        &self.rules
    }

    fn learn(&self, recipient: &CheckedRecipient) {
        let Some(country_code) = recipient.country_code() else {
            return;
        };
        tracing::warn!(
            country_code,
            "error 130497: this business may not message this country; refusing it locally from now on"
        );
        self.rules.learn_country_code(country_code);
    }
}

impl RecipientLayer {
    /// The layer's work, with `next` for what comes after it (the rest of a
    /// `reqwest_middleware` stack, or the next layer of a fused run).
    async fn run_with<N: Inner>(
        &self,
        req: Box<Request>,
        extensions: &mut Extensions,
        next: &N,
    ) -> reqwest_middleware::Result<Response> {
        // Checked in place: the verdict is owned, so the facts need no copy.
        let verdict = match RequestFacts::of(extensions).and_then(|f| f.recipient.as_ref()) {
            Some(recipient) => self.rules.check_user(recipient),
            None => return next.run(req, extensions).await,
        };
        let checked = match verdict {
            Ok(checked) => checked,
            Err(rejected) => {
                if let RejectReason::Rule { rule, region, .. } = &rejected.reason {
                    tracing::warn!(%rule, %region, "recipient refused by a rule; nothing sent");
                } else {
                    tracing::warn!(
                        "recipient is not a valid phone number or user id; nothing sent"
                    );
                }
                return Err(Error::RecipientRejected(Box::new(rejected)).into_middleware());
            }
        };
        let result = next.run(req, extensions).await;
        if !self.rules.learns_from_130497() {
            return result;
        }
        match result {
            Ok(response) if !response.status().is_success() => {
                let (response, bytes) = Box::pin(body::buffer(response)).await?;
                if bytes
                    .as_deref()
                    .and_then(GraphError::from_body)
                    .is_some_and(|graph| graph.code == RESTRICTED_COUNTRY_CODE)
                {
                    self.learn(&checked);
                }
                Ok(response)
            }
            Err(reqwest_middleware::Error::Middleware(inner)) => {
                if inner
                    .downcast_ref::<Error>()
                    .and_then(Error::code)
                    .is_some_and(|code| code == RESTRICTED_COUNTRY_CODE)
                {
                    self.learn(&checked);
                }
                Err(reqwest_middleware::Error::Middleware(inner))
            }
            other => other,
        }
    }
}

crate::layers::chain::builtin_layer!(RecipientLayer);
