//! Every webhook field other than `messages`, typed.
//!
//! Shapes follow Meta's webhook reference pages (2025-2026) and payloads other projects
//! recorded. Each type reads the documented keys leniently (missing keys are `None`, numbers
//! where strings are documented are accepted) and every value Meta enumerates is an open enum.
//! What the types do not name stays in the change's raw JSON ([`ChangeValue::Field`]).
//!
//! [`ChangeValue::Field`]: super::ChangeValue::Field

mod account;
mod calls;
mod groups;
mod phone;
mod smb;
mod templates;
mod users;

use serde_json::value::RawValue;

use super::super::de::{try_parse, IntoStatic};
use super::Metadata;

pub use account::{
    AccountAlert, AccountEvent, AccountReviewUpdate, AccountUpdate, AlertInfo, AlertSeverity,
    BanInfo, BusinessCapabilityUpdate, ReviewDecision, ViolationInfo, WabaInfo,
};
pub use calls::{Call, CallDirection, CallEvent, CallSession, CallStatus, CallsUpdate};
pub use groups::{GroupChange, GroupParticipant, GroupsUpdate};
pub use phone::{
    BusinessUsernameUpdate, MessagingLimitTier, PhoneNumberNameUpdate, PhoneNumberQualityUpdate,
    QualityEvent, SecurityEvent, SecurityUpdate, UsernameStatus,
};
pub use smb::{
    AppStateSync, EchoMessage, HistoryChunk, HistoryProgress, HistoryStatus, HistoryThread,
    HistoryUpdate, MessageEchoes, StateSyncItem, SyncAction, SyncMetadata, SyncedContact,
};
pub use templates::{
    QualityScore, TemplateButton, TemplateCategory, TemplateCategoryUpdate,
    TemplateComponentsUpdate, TemplateDisableInfo, TemplateEvent, TemplateOtherInfo,
    TemplateQualityUpdate, TemplateRejectionInfo, TemplateStatusUpdate,
};
pub use users::{
    PreferenceValue, UserIdChange, UserIdUpdate, UserIdUpdates, UserPreference,
    UserPreferencesUpdate,
};

/// The typed `value` of a webhook field other than `messages`, one variant per field.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FieldUpdate<'a> {
    /// `message_template_status_update`.
    TemplateStatus(TemplateStatusUpdate<'a>),
    /// `message_template_quality_update`.
    TemplateQuality(TemplateQualityUpdate<'a>),
    /// `message_template_components_update`.
    TemplateComponents(TemplateComponentsUpdate<'a>),
    /// `template_category_update`.
    TemplateCategory(TemplateCategoryUpdate<'a>),
    /// `phone_number_quality_update`.
    PhoneNumberQuality(PhoneNumberQualityUpdate<'a>),
    /// `phone_number_name_update`.
    PhoneNumberName(PhoneNumberNameUpdate<'a>),
    /// `account_update`.
    Account(AccountUpdate<'a>),
    /// `account_review_update`.
    AccountReview(AccountReviewUpdate<'a>),
    /// `account_alerts`.
    AccountAlert(AccountAlert<'a>),
    /// `business_capability_update`.
    BusinessCapability(BusinessCapabilityUpdate<'a>),
    /// `user_preferences`: marketing messages stopped or resumed.
    UserPreferences(UserPreferencesUpdate<'a>),
    /// `security`.
    Security(SecurityUpdate<'a>),
    /// `user_id_update`: users' BSUIDs changed.
    UserIdUpdate(UserIdUpdates<'a>),
    /// `business_username_update` (or `business_username_updates`).
    BusinessUsername(BusinessUsernameUpdate<'a>),
    /// `calls`.
    Calls(CallsUpdate<'a>),
    /// `group_lifecycle_update`: groups created or deleted.
    GroupLifecycle(GroupsUpdate<'a>),
    /// `group_participants_update`: participants or join requests changed.
    GroupParticipants(GroupsUpdate<'a>),
    /// `group_settings_update`: subject, description or picture changed.
    GroupSettings(GroupsUpdate<'a>),
    /// `group_status_update`: a group was suspended or reinstated.
    GroupStatus(GroupsUpdate<'a>),
    /// `smb_message_echoes`.
    MessageEchoes(MessageEchoes<'a>),
    /// `smb_app_state_sync`.
    AppStateSync(AppStateSync<'a>),
    /// `history`.
    History(HistoryUpdate<'a>),
}

/// Types the value of `field`; `None` for a field this SDK does not know, or a value that
/// does not match the field's documented shape (both are then kept raw).
pub(super) fn parse_field<'a>(field: &str, raw: &'a RawValue) -> Option<FieldUpdate<'a>> {
    let some = Some(raw);
    Some(match field {
        "message_template_status_update" => FieldUpdate::TemplateStatus(try_parse(some)?),
        "message_template_quality_update" => FieldUpdate::TemplateQuality(try_parse(some)?),
        "message_template_components_update" => FieldUpdate::TemplateComponents(try_parse(some)?),
        "template_category_update" => FieldUpdate::TemplateCategory(try_parse(some)?),
        "phone_number_quality_update" => FieldUpdate::PhoneNumberQuality(try_parse(some)?),
        "phone_number_name_update" => FieldUpdate::PhoneNumberName(try_parse(some)?),
        "account_update" => FieldUpdate::Account(try_parse(some)?),
        "account_review_update" => FieldUpdate::AccountReview(try_parse(some)?),
        "account_alerts" => FieldUpdate::AccountAlert(try_parse(some)?),
        "business_capability_update" => FieldUpdate::BusinessCapability(try_parse(some)?),
        "user_preferences" => FieldUpdate::UserPreferences(try_parse(some)?),
        "security" => FieldUpdate::Security(try_parse(some)?),
        "user_id_update" => FieldUpdate::UserIdUpdate(try_parse(some)?),
        "business_username_update" | "business_username_updates" => {
            FieldUpdate::BusinessUsername(try_parse(some)?)
        }
        "calls" => FieldUpdate::Calls(try_parse(some)?),
        "group_lifecycle_update" => FieldUpdate::GroupLifecycle(try_parse(some)?),
        "group_participants_update" => FieldUpdate::GroupParticipants(try_parse(some)?),
        "group_settings_update" => FieldUpdate::GroupSettings(try_parse(some)?),
        "group_status_update" => FieldUpdate::GroupStatus(try_parse(some)?),
        "smb_message_echoes" => FieldUpdate::MessageEchoes(MessageEchoes::from_raw(raw)?),
        "smb_app_state_sync" => FieldUpdate::AppStateSync(try_parse(some)?),
        "history" => FieldUpdate::History(HistoryUpdate::from_raw(raw)?),
        _ => return None,
    })
}

impl<'a> FieldUpdate<'a> {
    /// The business number the update concerns, for fields whose value carries `metadata`.
    pub fn metadata(&self) -> Option<&Metadata<'a>> {
        match self {
            FieldUpdate::UserPreferences(v) => v.metadata.as_ref(),
            FieldUpdate::UserIdUpdate(v) => v.metadata.as_ref(),
            FieldUpdate::Calls(v) => v.metadata.as_ref(),
            FieldUpdate::GroupLifecycle(v)
            | FieldUpdate::GroupParticipants(v)
            | FieldUpdate::GroupSettings(v)
            | FieldUpdate::GroupStatus(v) => v.metadata.as_ref(),
            FieldUpdate::MessageEchoes(v) => v.metadata.as_ref(),
            FieldUpdate::AppStateSync(v) => v.metadata.as_ref(),
            FieldUpdate::History(v) => v.metadata.as_ref(),
            _ => None,
        }
    }

    /// Detaches the update from the body it was parsed from.
    pub fn into_owned(self) -> FieldUpdate<'static> {
        self.into_static()
    }
}

impl IntoStatic for FieldUpdate<'_> {
    type Static = FieldUpdate<'static>;
    fn into_static(self) -> FieldUpdate<'static> {
        use FieldUpdate as F;
        match self {
            F::TemplateStatus(v) => F::TemplateStatus(v.into_static()),
            F::TemplateQuality(v) => F::TemplateQuality(v.into_static()),
            F::TemplateComponents(v) => F::TemplateComponents(v.into_static()),
            F::TemplateCategory(v) => F::TemplateCategory(v.into_static()),
            F::PhoneNumberQuality(v) => F::PhoneNumberQuality(v.into_static()),
            F::PhoneNumberName(v) => F::PhoneNumberName(v.into_static()),
            F::Account(v) => F::Account(v.into_static()),
            F::AccountReview(v) => F::AccountReview(v.into_static()),
            F::AccountAlert(v) => F::AccountAlert(v.into_static()),
            F::BusinessCapability(v) => F::BusinessCapability(v.into_static()),
            F::UserPreferences(v) => F::UserPreferences(v.into_static()),
            F::Security(v) => F::Security(v.into_static()),
            F::UserIdUpdate(v) => F::UserIdUpdate(v.into_static()),
            F::BusinessUsername(v) => F::BusinessUsername(v.into_static()),
            F::Calls(v) => F::Calls(v.into_static()),
            F::GroupLifecycle(v) => F::GroupLifecycle(v.into_static()),
            F::GroupParticipants(v) => F::GroupParticipants(v.into_static()),
            F::GroupSettings(v) => F::GroupSettings(v.into_static()),
            F::GroupStatus(v) => F::GroupStatus(v.into_static()),
            F::MessageEchoes(v) => F::MessageEchoes(v.into_static()),
            F::AppStateSync(v) => F::AppStateSync(v.into_static()),
            F::History(v) => F::History(v.into_static()),
        }
    }
}
