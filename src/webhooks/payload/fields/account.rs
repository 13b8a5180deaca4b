//! Account fields: account updates, reviews, alerts and capability changes.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct, open_enum};

open_enum! {
    /// `event` of an `account_update`.
    AccountEvent {
        /// `ACCOUNT_DELETED`.
        AccountDeleted = "ACCOUNT_DELETED",
        /// `ACCOUNT_VIOLATION`: see `violation_info`.
        AccountViolation = "ACCOUNT_VIOLATION",
        /// `ACCOUNT_RESTRICTION`.
        AccountRestriction = "ACCOUNT_RESTRICTION",
        /// `AD_ACCOUNT_LINKED`: see `waba_info`.
        AdAccountLinked = "AD_ACCOUNT_LINKED",
        /// `AUTH_INTL_PRICE_ELIGIBILITY_UPDATE`: see `auth_international_rate_eligibility`.
        AuthIntlPriceEligibilityUpdate = "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
        /// `BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`: see `country`.
        BusinessPrimaryLocationCountryUpdate = "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
        /// `DISABLED_UPDATE`: see `ban_info`.
        DisabledUpdate = "DISABLED_UPDATE",
        /// `MM_LITE_TERMS_SIGNED`: the Marketing Messages API terms were accepted.
        MmLiteTermsSigned = "MM_LITE_TERMS_SIGNED",
        /// `PARTNER_ADDED`.
        PartnerAdded = "PARTNER_ADDED",
        /// `PARTNER_REMOVED`.
        PartnerRemoved = "PARTNER_REMOVED",
        /// `PARTNER_APP_INSTALLED`.
        PartnerAppInstalled = "PARTNER_APP_INSTALLED",
        /// `PARTNER_APP_UNINSTALLED`.
        PartnerAppUninstalled = "PARTNER_APP_UNINSTALLED",
        /// `PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE`.
        PartnerClientCertificationStatusUpdate = "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
        /// `VOLUME_BASED_PRICING_TIER_UPDATE`: see `volume_tier_info`.
        VolumeBasedPricingTierUpdate = "VOLUME_BASED_PRICING_TIER_UPDATE",
    }
}

open_enum! {
    /// A review decision (`account_review_update.decision`, `phone_number_name_update.decision`).
    ReviewDecision {
        /// `APPROVED`.
        Approved = "APPROVED",
        /// `REJECTED`.
        Rejected = "REJECTED",
        /// `PENDING`.
        Pending = "PENDING",
        /// `DEFERRED`.
        Deferred = "DEFERRED",
    }
}

open_enum! {
    /// `alert_info.alert_severity` of an `account_alerts` change.
    AlertSeverity {
        /// `CRITICAL`: a rejection or denial.
        Critical = "CRITICAL",
        /// `WARNING`: action may be needed.
        Warning = "WARNING",
        /// `INFORMATIONAL`: no action needed.
        Informational = "INFORMATIONAL",
    }
}

/// `account_update`: verification, deletion, partner sharing, violations, pricing eligibility.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccountUpdate<'a> {
    /// `event`.
    #[serde(default, borrow)]
    pub event: Option<AccountEvent<'a>>,
    /// `country` (ISO 3166 alpha-2), for `BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub country: Option<Cow<'a, str>>,
    /// `waba_info`, for partner, ad account and terms events.
    #[serde(default, borrow)]
    pub waba_info: Option<WabaInfo<'a>>,
    /// `violation_info.violation_type`, for `ACCOUNT_VIOLATION`.
    #[serde(default, borrow)]
    pub violation_info: Option<ViolationInfo<'a>>,
    /// `ban_info`, for `DISABLED_UPDATE`.
    #[serde(default, borrow)]
    pub ban_info: Option<BanInfo<'a>>,
}
into_static_struct!(AccountUpdate {
    event,
    country,
    waba_info,
    violation_info,
    ban_info
});

/// `account_update.waba_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct WabaInfo<'a> {
    /// `waba_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub waba_id: Option<Cow<'a, str>>,
    /// `owner_business_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub owner_business_id: Option<Cow<'a, str>>,
    /// `partner_app_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub partner_app_id: Option<Cow<'a, str>>,
    /// `ad_account_linked`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub ad_account_linked: Option<Cow<'a, str>>,
    /// `solution_id` (multi-partner solutions).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub solution_id: Option<Cow<'a, str>>,
}
into_static_struct!(WabaInfo {
    waba_id,
    owner_business_id,
    partner_app_id,
    ad_account_linked,
    solution_id
});

/// `account_update.violation_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ViolationInfo<'a> {
    /// `violation_type` (`ADULT`, `SCAM`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub violation_type: Option<Cow<'a, str>>,
}
into_static_struct!(ViolationInfo { violation_type });

/// `account_update.ban_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BanInfo<'a> {
    /// `waba_ban_state` (`DISABLE`, `REINSTATE`, `SCHEDULE_FOR_DISABLE`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub waba_ban_state: Option<Cow<'a, str>>,
    /// `waba_ban_date`, as sent (`April 17, 2025`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub waba_ban_date: Option<Cow<'a, str>>,
}
into_static_struct!(BanInfo {
    waba_ban_state,
    waba_ban_date
});

/// `account_review_update`: the account was reviewed against the policies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccountReviewUpdate<'a> {
    /// `decision`.
    #[serde(default, borrow)]
    pub decision: Option<ReviewDecision<'a>>,
}
into_static_struct!(AccountReviewUpdate { decision });

/// `account_alerts`: messaging limit, official business account and profile alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AccountAlert<'a> {
    /// `entity_type` (`BUSINESS`, `PHONE_NUMBER`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub entity_type: Option<Cow<'a, str>>,
    /// `entity_id`: a business portfolio or phone number id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub entity_id: Option<Cow<'a, str>>,
    /// `alert_info`.
    #[serde(default, borrow)]
    pub alert_info: Option<AlertInfo<'a>>,
}
into_static_struct!(AccountAlert {
    entity_type,
    entity_id,
    alert_info
});

/// `account_alerts.alert_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct AlertInfo<'a> {
    /// `alert_severity`.
    #[serde(default, borrow)]
    pub alert_severity: Option<AlertSeverity<'a>>,
    /// `alert_status` (`ACTIVE`, `NONE`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub alert_status: Option<Cow<'a, str>>,
    /// `alert_type` (`OBA_APPROVED`, `PROFILE_PICTURE_LOST`, ...).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub alert_type: Option<Cow<'a, str>>,
    /// `alert_description`: what happened and what to do.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub alert_description: Option<Cow<'a, str>>,
}
into_static_struct!(AlertInfo {
    alert_severity,
    alert_status,
    alert_type,
    alert_description
});

/// `business_capability_update`: messaging or phone number limits changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct BusinessCapabilityUpdate<'a> {
    /// `max_daily_conversations_per_business`: the portfolio's messaging limit, a number
    /// (`2000`, `-1` for unlimited) or a tier (`TIER_2K`), kept as sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub max_daily_conversations_per_business: Option<Cow<'a, str>>,
    /// `max_daily_conversation_per_phone` (being removed by Meta), as sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub max_daily_conversation_per_phone: Option<Cow<'a, str>>,
    /// `max_phone_numbers_per_business`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_phone_numbers_per_business: Option<i64>,
    /// `max_phone_numbers_per_waba`.
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub max_phone_numbers_per_waba: Option<i64>,
}
into_static_struct!(BusinessCapabilityUpdate {
    max_daily_conversations_per_business,
    max_daily_conversation_per_phone,
    max_phone_numbers_per_business,
    max_phone_numbers_per_waba
});
