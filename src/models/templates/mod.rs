//! Message templates as the management API sees them: a definition to create
//! ([`NewTemplate`], built from typed components or read from Meta's JSON), the checks Meta's
//! limits impose before anything is sent ([`check`]), and what Meta answers about a template
//! ([`TemplateInfo`], [`CreatedTemplate`]).
//!
//! Definitions are kept in Meta's own JSON shape, so a typed definition and one read from a
//! file go through the same checks, and the field named in an error is the field Meta would
//! name.

pub mod check;
mod components;
mod definition;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calls::status::lenient_enum;

pub use components::{
    CarouselCard, FlowRef, LimitedTimeOffer, MediaFormat, SupportedApp, TemplateBody,
    TemplateButton, TemplateFooter, TemplateHeader,
};
pub use definition::{LibraryBodyInputs, LibraryButtonInput, NewTemplate, TemplateEdit};

/// The longest template name (lowercase letters, digits and underscores).
pub const MAX_NAME_LEN: usize = 512;
/// The longest text header.
pub const MAX_HEADER_TEXT_LEN: usize = 60;
/// The longest body.
pub const MAX_BODY_LEN: usize = 1024;
/// The longest body of a limited-time offer template.
pub const MAX_OFFER_BODY_LEN: usize = 600;
/// The longest body of a carousel card.
pub const MAX_CARD_BODY_LEN: usize = 160;
/// The longest footer.
pub const MAX_FOOTER_LEN: usize = 60;
/// The most buttons a template has (a carousel card: 2).
pub const MAX_BUTTONS: usize = 10;
/// The longest button label.
pub const MAX_BUTTON_TEXT_LEN: usize = 25;
/// The longest URL of a URL button.
pub const MAX_BUTTON_URL_LEN: usize = 2000;
/// The longest phone number of a phone number button.
pub const MAX_BUTTON_PHONE_LEN: usize = 20;
/// The longest example code of a copy-code button.
pub const MAX_COPY_CODE_LEN: usize = 15;
/// The most cards in a carousel.
pub const MAX_CARDS: usize = 10;
/// The longest limited-time offer text.
pub const MAX_OFFER_TEXT_LEN: usize = 16;
/// The longest code expiration of an authentication template, in minutes.
pub const MAX_CODE_EXPIRATION_MINUTES: u64 = 90;
/// The most apps a one-tap or zero-tap button names.
pub const MAX_SUPPORTED_APPS: usize = 5;
/// The length of an Android app signature hash.
pub const SIGNATURE_HASH_LEN: usize = 11;

lenient_enum! {
    /// A template's category, which sets its price and what it may say.
    pub enum TemplateCategory {
        /// Promotions, offers, re-engagement.
        Marketing = "MARKETING",
        /// Updates about a transaction or account the user asked for.
        Utility = "UTILITY",
        /// One-time passwords (Meta writes the text).
        Authentication = "AUTHENTICATION",
    }
}

lenient_enum! {
    /// Where a template is in Meta's review and quality cycle.
    pub enum TemplateStatus {
        /// Approved: can be sent.
        Approved = "APPROVED",
        /// Waiting for review.
        Pending = "PENDING",
        /// Rejected (see `rejected_reason`).
        Rejected = "REJECTED",
        /// Paused for low quality.
        Paused = "PAUSED",
        /// Disabled for low quality.
        Disabled = "DISABLED",
        /// The business appealed a rejection.
        InAppeal = "IN_APPEAL",
        /// Being deleted.
        PendingDeletion = "PENDING_DELETION",
        /// Deleted.
        Deleted = "DELETED",
        /// The account reached its template limit.
        LimitExceeded = "LIMIT_EXCEEDED",
        /// Archived.
        Archived = "ARCHIVED",
    }
}

lenient_enum! {
    /// How a template writes its variables.
    pub enum ParameterFormat {
        /// `{{1}}`, `{{2}}`, ... (Meta's default).
        Positional = "POSITIONAL",
        /// `{{first_name}}`, ...
        Named = "NAMED",
    }
}

/// A template's quality score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QualityScore {
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    #[serde(default)]
    pub score: Option<String>,
    /// When it was scored (unix seconds).
    #[serde(default)]
    pub date: Option<i64>,
}

/// A template as Meta describes it (list and get answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TemplateInfo {
    /// The template id.
    #[serde(default)]
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The language code, e.g. `en_US`.
    #[serde(default)]
    pub language: String,
    /// The review status.
    #[serde(default = "unknown_status")]
    pub status: TemplateStatus,
    /// The category.
    #[serde(default = "unknown_category")]
    pub category: TemplateCategory,
    /// The category before Meta changed it, if it did.
    #[serde(default)]
    pub previous_category: Option<TemplateCategory>,
    /// The sub-category (e.g. `ORDER_DETAILS`), when Meta sets one.
    #[serde(default)]
    pub sub_category: Option<String>,
    /// How the template writes its variables.
    #[serde(default)]
    pub parameter_format: Option<ParameterFormat>,
    /// Why it was rejected (`NONE` when it was not).
    #[serde(default)]
    pub rejected_reason: Option<String>,
    /// Its quality score.
    #[serde(default)]
    pub quality_score: Option<QualityScore>,
    /// Its components, in Meta's JSON shape.
    #[serde(default)]
    pub components: Vec<serde_json::Value>,
}

fn unknown_status() -> TemplateStatus {
    TemplateStatus::Other(String::new())
}

fn unknown_category() -> TemplateCategory {
    TemplateCategory::Other(String::new())
}

/// The answer to a create: the new template's id, review status and category (which Meta may
/// have changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedTemplate {
    /// The template id.
    pub id: String,
    /// Usually `PENDING`; `APPROVED` for templates Meta approves at once (library templates).
    #[serde(default = "unknown_status")]
    pub status: TemplateStatus,
    /// The category Meta filed it under.
    #[serde(default = "unknown_category")]
    pub category: TemplateCategory,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_info_reads_metas_list_item() {
        let info: TemplateInfo = serde_json::from_str(
            r#"{"name":"order_update","parameter_format":"POSITIONAL","components":[{"type":"BODY","text":"Hi {{1}}"}],
                "language":"en_US","status":"APPROVED","category":"UTILITY","id":"1234",
                "quality_score":{"score":"GREEN","date":1700000000}}"#,
        )
        .unwrap();
        assert_eq!(info.status, TemplateStatus::Approved);
        assert_eq!(info.category, TemplateCategory::Utility);
        assert_eq!(info.parameter_format, Some(ParameterFormat::Positional));
        assert_eq!(info.components.len(), 1);
        let odd: TemplateInfo =
            serde_json::from_str(r#"{"name":"x","status":"NEW_STATE","id":"1"}"#).unwrap();
        assert_eq!(odd.status.as_str(), "NEW_STATE");
    }
}
