//! Template fields: status, quality, components and category updates.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct, open_enum};

open_enum! {
    /// `event` of a `message_template_status_update`.
    TemplateEvent {
        /// `APPROVED`: the template can be sent.
        Approved = "APPROVED",
        /// `REJECTED`: see `reason` (and `rejection_info`).
        Rejected = "REJECTED",
        /// `PENDING`: under review.
        Pending = "PENDING",
        /// `PAUSED`: paused after negative feedback (see `other_info`).
        Paused = "PAUSED",
        /// `DISABLED`: disabled after negative feedback (see `disable_info`).
        Disabled = "DISABLED",
        /// `FLAGGED`: at risk of being disabled.
        Flagged = "FLAGGED",
        /// `IN_APPEAL`: an appeal is under way.
        InAppeal = "IN_APPEAL",
        /// `REINSTATED`: no longer flagged or disabled.
        Reinstated = "REINSTATED",
        /// `ARCHIVED`.
        Archived = "ARCHIVED",
        /// `UNARCHIVED`.
        Unarchived = "UNARCHIVED",
        /// `DELETED`.
        Deleted = "DELETED",
        /// `PENDING_DELETION`: deleted in WhatsApp Manager, removed after a grace period.
        PendingDeletion = "PENDING_DELETION",
        /// `LIMIT_EXCEEDED`: the account is at its template limit.
        LimitExceeded = "LIMIT_EXCEEDED",
        /// `LOCKED`: cannot be edited.
        Locked = "LOCKED",
        /// `UNLOCKED`.
        Unlocked = "UNLOCKED",
    }
}

open_enum! {
    /// A template category as template webhooks spell it.
    TemplateCategory {
        /// `MARKETING`.
        Marketing = "MARKETING",
        /// `UTILITY`.
        Utility = "UTILITY",
        /// `AUTHENTICATION`.
        Authentication = "AUTHENTICATION",
    }
}

open_enum! {
    /// A quality score or rating (templates and phone numbers).
    QualityScore {
        /// `GREEN`: high quality.
        Green = "GREEN",
        /// `YELLOW`: medium quality.
        Yellow = "YELLOW",
        /// `RED`: low quality.
        Red = "RED",
        /// `UNKNOWN`: quality pending.
        Unknown = "UNKNOWN",
    }
}

/// `message_template_status_update`: a template was approved, rejected, paused, disabled...
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateStatusUpdate<'a> {
    /// `event`: the template's new status.
    #[serde(default, borrow)]
    pub event: Option<TemplateEvent<'a>>,
    /// `message_template_id` (a number on the wire, kept as its digits).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_id: Option<Cow<'a, str>>,
    /// `message_template_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_name: Option<Cow<'a, str>>,
    /// `message_template_language` (`en_US`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_language: Option<Cow<'a, str>>,
    /// `reason` (`NONE`, `INVALID_FORMAT`, `PROMOTIONAL`, ...; `null` for a deletion).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub reason: Option<Cow<'a, str>>,
    /// `message_template_category`.
    #[serde(default, borrow)]
    pub message_template_category: Option<TemplateCategory<'a>>,
    /// `disable_info.disable_date`, for a disabled template.
    #[serde(default, borrow)]
    pub disable_info: Option<TemplateDisableInfo<'a>>,
    /// `other_info`, for a paused, locked or unlocked template.
    #[serde(default, borrow)]
    pub other_info: Option<TemplateOtherInfo<'a>>,
    /// `rejection_info`, for a template rejected with `INVALID_FORMAT`.
    #[serde(default, borrow)]
    pub rejection_info: Option<TemplateRejectionInfo<'a>>,
}
into_static_struct!(TemplateStatusUpdate {
    event,
    message_template_id,
    message_template_name,
    message_template_language,
    reason,
    message_template_category,
    disable_info,
    other_info,
    rejection_info
});

/// `disable_info` of a template status update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateDisableInfo<'a> {
    /// `disable_date` (unix seconds, as sent).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub disable_date: Option<Cow<'a, str>>,
}
into_static_struct!(TemplateDisableInfo { disable_date });

/// `other_info` of a template status update (pauses, locks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateOtherInfo<'a> {
    /// `title` (`FIRST_PAUSE`, `SECOND_PAUSE`, `RATE_LIMITING_PAUSE`, `UNPAUSE`, `DISABLED`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub title: Option<Cow<'a, str>>,
    /// `description`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub description: Option<Cow<'a, str>>,
}
into_static_struct!(TemplateOtherInfo { title, description });

/// `rejection_info` of a template status update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateRejectionInfo<'a> {
    /// `reason`: what is wrong.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub reason: Option<Cow<'a, str>>,
    /// `recommendation`: how to fix it.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub recommendation: Option<Cow<'a, str>>,
}
into_static_struct!(TemplateRejectionInfo {
    reason,
    recommendation
});

/// `message_template_quality_update`: a template's quality score changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateQualityUpdate<'a> {
    /// `previous_quality_score`.
    #[serde(default, borrow)]
    pub previous_quality_score: Option<QualityScore<'a>>,
    /// `new_quality_score`.
    #[serde(default, borrow)]
    pub new_quality_score: Option<QualityScore<'a>>,
    /// `message_template_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_id: Option<Cow<'a, str>>,
    /// `message_template_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_name: Option<Cow<'a, str>>,
    /// `message_template_language`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_language: Option<Cow<'a, str>>,
}
into_static_struct!(TemplateQualityUpdate {
    previous_quality_score,
    new_quality_score,
    message_template_id,
    message_template_name,
    message_template_language
});

/// `message_template_components_update`: a template was edited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateComponentsUpdate<'a> {
    /// `message_template_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_id: Option<Cow<'a, str>>,
    /// `message_template_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_name: Option<Cow<'a, str>>,
    /// `message_template_language`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_language: Option<Cow<'a, str>>,
    /// `message_template_element`: the body text.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_element: Option<Cow<'a, str>>,
    /// `message_template_title`: the text header, when it has one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_title: Option<Cow<'a, str>>,
    /// `message_template_footer`, when it has one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_footer: Option<Cow<'a, str>>,
    /// `message_template_buttons` (URL and phone number buttons).
    #[serde(default, borrow)]
    pub message_template_buttons: Vec<TemplateButton<'a>>,
}
into_static_struct!(TemplateComponentsUpdate {
    message_template_id,
    message_template_name,
    message_template_language,
    message_template_element,
    message_template_title,
    message_template_footer,
    message_template_buttons
});

/// One `message_template_buttons[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateButton<'a> {
    /// `message_template_button_type` (`URL`, `PHONE_NUMBER`, `QUICK_REPLY`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_button_type: Option<Cow<'a, str>>,
    /// `message_template_button_text`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_button_text: Option<Cow<'a, str>>,
    /// `message_template_button_url` (URL buttons).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_button_url: Option<Cow<'a, str>>,
    /// `message_template_button_phone_number` (phone number buttons).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_button_phone_number: Option<Cow<'a, str>>,
}
into_static_struct!(TemplateButton {
    message_template_button_type,
    message_template_button_text,
    message_template_button_url,
    message_template_button_phone_number
});

/// `template_category_update`: a template's category changed, or will in 24 hours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TemplateCategoryUpdate<'a> {
    /// `message_template_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_id: Option<Cow<'a, str>>,
    /// `message_template_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_name: Option<Cow<'a, str>>,
    /// `message_template_language`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub message_template_language: Option<Cow<'a, str>>,
    /// `previous_category` (a completed change).
    #[serde(default, borrow)]
    pub previous_category: Option<TemplateCategory<'a>>,
    /// `new_category`: the new category, or for an impending change the current one.
    #[serde(default, borrow)]
    pub new_category: Option<TemplateCategory<'a>>,
    /// `correct_category`: what the template will become (an impending change).
    #[serde(default, borrow)]
    pub correct_category: Option<TemplateCategory<'a>>,
    /// `category_update_timestamp`: when an impending change happens (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub category_update_timestamp: Option<i64>,
}
into_static_struct!(TemplateCategoryUpdate {
    message_template_id,
    message_template_name,
    message_template_language,
    previous_category,
    new_category,
    correct_category,
    category_update_timestamp
});
