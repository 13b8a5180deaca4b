//! Business phone number fields: quality and limits, display name, security, username.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct, open_enum};
use super::account::ReviewDecision;

open_enum! {
    /// `event` of a `phone_number_quality_update`.
    QualityEvent {
        /// `FLAGGED`: quality dropped; the limit may be lowered.
        Flagged = "FLAGGED",
        /// `UNFLAGGED`.
        Unflagged = "UNFLAGGED",
        /// `DOWNGRADE`: the messaging limit was lowered.
        Downgrade = "DOWNGRADE",
        /// `UPGRADE`: the messaging limit was raised.
        Upgrade = "UPGRADE",
        /// `ONBOARDING`: the number is still being registered.
        Onboarding = "ONBOARDING",
        /// `THROUGHPUT_UPGRADE`: the number's throughput was raised.
        ThroughputUpgrade = "THROUGHPUT_UPGRADE",
    }
}

open_enum! {
    /// A messaging limit tier (`current_limit`, `old_limit`, ...).
    MessagingLimitTier {
        /// `TIER_50`.
        Tier50 = "TIER_50",
        /// `TIER_250`.
        Tier250 = "TIER_250",
        /// `TIER_1K`.
        Tier1K = "TIER_1K",
        /// `TIER_2K`.
        Tier2K = "TIER_2K",
        /// `TIER_10K`.
        Tier10K = "TIER_10K",
        /// `TIER_100K`.
        Tier100K = "TIER_100K",
        /// `TIER_UNLIMITED`.
        Unlimited = "TIER_UNLIMITED",
        /// `TIER_NOT_SET`: the number has not sent yet.
        NotSet = "TIER_NOT_SET",
    }
}

open_enum! {
    /// `event` of a `security` change.
    SecurityEvent {
        /// `PIN_CHANGED`: the two-step verification PIN was changed or enabled.
        PinChanged = "PIN_CHANGED",
        /// `PIN_RESET_REQUEST`: someone asked to turn two-step verification off.
        PinResetRequest = "PIN_RESET_REQUEST",
        /// `PIN_RESET_SUCCESS`: two-step verification was turned off.
        PinResetSuccess = "PIN_RESET_SUCCESS",
        /// `PIN_REQUEST_SUCCESS`: the spelling of the same event in some of Meta's pages.
        PinRequestSuccess = "PIN_REQUEST_SUCCESS",
    }
}

open_enum! {
    /// `status` of a `business_username_update`.
    UsernameStatus {
        /// `approved`.
        Approved = "approved",
        /// `reserved`.
        Reserved = "reserved",
        /// `deleted` (the username is then absent).
        Deleted = "deleted",
    }
}

/// `phone_number_quality_update`: the number's quality, messaging limit or throughput changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PhoneNumberQualityUpdate<'a> {
    /// `display_phone_number`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub display_phone_number: Option<Cow<'a, str>>,
    /// `event`.
    #[serde(default, borrow)]
    pub event: Option<QualityEvent<'a>>,
    /// `current_limit` (being replaced by `max_daily_conversations_per_business`).
    #[serde(default, borrow)]
    pub current_limit: Option<MessagingLimitTier<'a>>,
    /// `old_limit`, for limit changes.
    #[serde(default, borrow)]
    pub old_limit: Option<MessagingLimitTier<'a>>,
    /// `max_daily_conversations_per_business`: the portfolio's messaging limit.
    #[serde(default, borrow)]
    pub max_daily_conversations_per_business: Option<MessagingLimitTier<'a>>,
}
into_static_struct!(PhoneNumberQualityUpdate {
    display_phone_number,
    event,
    current_limit,
    old_limit,
    max_daily_conversations_per_business
});

/// `phone_number_name_update`: the outcome of a display name review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PhoneNumberNameUpdate<'a> {
    /// `display_phone_number`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub display_phone_number: Option<Cow<'a, str>>,
    /// `decision`.
    #[serde(default, borrow)]
    pub decision: Option<ReviewDecision<'a>>,
    /// `requested_verified_name`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub requested_verified_name: Option<Cow<'a, str>>,
    /// `rejection_reason` (`NAME_FORMAT_UNACCEPTABLE`, ...; `null` when accepted).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub rejection_reason: Option<Cow<'a, str>>,
}
into_static_struct!(PhoneNumberNameUpdate {
    display_phone_number,
    decision,
    requested_verified_name,
    rejection_reason
});

/// `security`: the number's two-step verification settings changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SecurityUpdate<'a> {
    /// `display_phone_number`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub display_phone_number: Option<Cow<'a, str>>,
    /// `event`.
    #[serde(default, borrow)]
    pub event: Option<SecurityEvent<'a>>,
    /// `requester`: the Meta Business Suite user who asked (PIN reset requests).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub requester: Option<Cow<'a, str>>,
}
into_static_struct!(SecurityUpdate {
    display_phone_number,
    event,
    requester
});

/// `business_username_update` (also spelled `business_username_updates`): the business
/// number's username was approved, reserved or deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BusinessUsernameUpdate<'a> {
    /// `display_phone_number`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub display_phone_number: Option<Cow<'a, str>>,
    /// `username` (absent when `deleted`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub username: Option<Cow<'a, str>>,
    /// `status`.
    #[serde(default, borrow)]
    pub status: Option<UsernameStatus<'a>>,
}
into_static_struct!(BusinessUsernameUpdate {
    display_phone_number,
    username,
    status
});
