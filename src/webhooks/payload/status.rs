//! Status updates (`statuses[]` of a `messages` change) and the pricing enums they carry.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::de::{self, into_static_struct, open_enum, try_parse, IntoStatic};
use super::{parse_errors, ErrorObject};

/// The `status` of a status update, as Meta spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusKind<'a> {
    /// `sent`: the message left Meta's servers.
    Sent,
    /// `delivered`: the message reached at least one of the user's devices.
    Delivered,
    /// `read`: the user read the message.
    Read,
    /// `played`: the user played a voice message.
    Played,
    /// `failed`: the message could not be delivered (see [`Status::errors`]).
    Failed,
    /// A status this SDK does not know, as sent.
    Other(Cow<'a, str>),
}

impl<'a> StatusKind<'a> {
    /// Classifies a raw `status` string.
    pub fn from_raw(s: Cow<'a, str>) -> Self {
        match &*s {
            "sent" => StatusKind::Sent,
            "delivered" => StatusKind::Delivered,
            "read" => StatusKind::Read,
            "played" => StatusKind::Played,
            "failed" => StatusKind::Failed,
            _ => StatusKind::Other(s),
        }
    }

    /// The status as Meta spells it (`sent`, `delivered`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            StatusKind::Sent => "sent",
            StatusKind::Delivered => "delivered",
            StatusKind::Read => "read",
            StatusKind::Played => "played",
            StatusKind::Failed => "failed",
            StatusKind::Other(s) => s,
        }
    }

    /// Detaches the status from the body it was parsed from.
    pub fn into_owned(self) -> StatusKind<'static> {
        match self {
            StatusKind::Sent => StatusKind::Sent,
            StatusKind::Delivered => StatusKind::Delivered,
            StatusKind::Read => StatusKind::Read,
            StatusKind::Played => StatusKind::Played,
            StatusKind::Failed => StatusKind::Failed,
            StatusKind::Other(s) => StatusKind::Other(Cow::Owned(s.into_owned())),
        }
    }
}

impl fmt::Display for StatusKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IntoStatic for StatusKind<'_> {
    type Static = StatusKind<'static>;
    fn into_static(self) -> StatusKind<'static> {
        self.into_owned()
    }
}

/// One `statuses[]` item: an update on a message the business sent.
#[derive(Debug, Clone)]
pub struct Status<'a> {
    /// The message id (`wamid...`).
    pub id: Cow<'a, str>,
    /// The status.
    pub status: StatusKind<'a>,
    /// Unix seconds, as the string Meta sends.
    pub timestamp: Cow<'a, str>,
    /// The recipient's WhatsApp id (phone number); absent when Meta only knows the user by
    /// their business-scoped user id. See [`Status::recipient`].
    pub recipient_id: Option<Cow<'a, str>>,
    /// The recipient's business-scoped user id (BSUID, `US.13491208655302741918`), where sent.
    pub recipient_user_id: Option<Cow<'a, str>>,
    /// The recipient's parent BSUID (`US.ENT.…`), where sent. Meta's samples spell it
    /// `parent_recipient_user_id` and `recipient_parent_user_id`: both are read.
    pub parent_recipient_user_id: Option<Cow<'a, str>>,
    /// The string given at send time as `biz_opaque_callback_data`.
    pub biz_opaque_callback_data: Option<Cow<'a, str>>,
    /// `conversation` (omitted from v24.0 except in free entry-point windows).
    pub conversation: Option<Conversation<'a>>,
    /// `pricing`.
    pub pricing: Option<Pricing<'a>>,
    /// `errors`, for `failed` (and some other) updates.
    pub errors: Vec<ErrorObject<'a>>,
    /// The whole status object as received, for fields this SDK does not type.
    pub raw: Cow<'a, RawValue>,
}
into_static_struct!(Status {
    id,
    status,
    timestamp,
    recipient_id,
    recipient_user_id,
    parent_recipient_user_id,
    biz_opaque_callback_data,
    conversation,
    pricing,
    errors,
    raw
});

/// A status on the wire. Parsed first strictly ([`StrictStatus`]: the optional objects in their
/// documented shape, one pass) and, when that fails, leniently ([`LenientStatus`]: the objects
/// kept raw and parsed one by one, so one odd object does not lose the status).
#[derive(Deserialize)]
#[serde(bound(deserialize = "C: Deserialize<'de>, P: Deserialize<'de>, E: Deserialize<'de>"))]
struct WireStatus<'a, C, P, E> {
    #[serde(borrow, deserialize_with = "de::cow_str")]
    id: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "de::cow_str")]
    status: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::cow_str")]
    timestamp: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    recipient_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    recipient_user_id: Option<Cow<'a, str>>,
    #[serde(
        default,
        borrow,
        alias = "recipient_parent_user_id",
        deserialize_with = "de::opt_cow_str"
    )]
    parent_recipient_user_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    biz_opaque_callback_data: Option<Cow<'a, str>>,
    #[serde(default = "none")]
    conversation: Option<C>,
    #[serde(default = "none")]
    pricing: Option<P>,
    #[serde(default = "none")]
    errors: Option<E>,
}

fn none<T>() -> Option<T> {
    None
}

type StrictStatus<'a> = WireStatus<'a, Conversation<'a>, Pricing<'a>, Vec<ErrorObject<'a>>>;
type LenientStatus<'a> = WireStatus<'a, &'a RawValue, &'a RawValue, &'a RawValue>;

impl<'a, C, P, E> WireStatus<'a, C, P, E> {
    fn into_status(
        self,
        raw: &'a RawValue,
        conversation: impl FnOnce(Option<C>) -> Option<Conversation<'a>>,
        pricing: impl FnOnce(Option<P>) -> Option<Pricing<'a>>,
        errors: impl FnOnce(Option<E>) -> Vec<ErrorObject<'a>>,
    ) -> Status<'a> {
        Status {
            id: self.id,
            status: StatusKind::from_raw(self.status),
            timestamp: self.timestamp,
            recipient_id: self.recipient_id,
            recipient_user_id: self.recipient_user_id,
            parent_recipient_user_id: self.parent_recipient_user_id,
            biz_opaque_callback_data: self.biz_opaque_callback_data,
            conversation: conversation(self.conversation),
            pricing: pricing(self.pricing),
            errors: errors(self.errors),
            raw: Cow::Borrowed(raw),
        }
    }
}

impl<'a> Status<'a> {
    pub(super) fn from_raw(raw: &'a RawValue) -> Option<Self> {
        if let Ok(w) = serde_json::from_str::<StrictStatus<'a>>(raw.get()) {
            return Some(w.into_status(raw, |c| c, |p| p, Option::unwrap_or_default));
        }
        let w: LenientStatus<'a> = serde_json::from_str(raw.get()).ok()?;
        Some(w.into_status(raw, try_parse, try_parse, parse_errors))
    }

    /// Whom the message was sent to, as Meta reported it: the phone number (`recipient_id`)
    /// when present, else the BSUID, else the parent BSUID. A send to the same user can use it.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient_id
            .as_deref()
            .or(self.recipient_user_id.as_deref())
            .or(self.parent_recipient_user_id.as_deref())
    }

    /// The timestamp as unix seconds, when it is numeric.
    pub fn timestamp_secs(&self) -> Option<i64> {
        self.timestamp.trim().parse().ok()
    }

    /// Detaches the status from the body it was parsed from.
    pub fn into_owned(self) -> Status<'static> {
        self.into_static()
    }
}

/// `statuses[].conversation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Conversation<'a> {
    /// The conversation id.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub id: Option<Cow<'a, str>>,
    /// When the conversation window expires (unix seconds, as sent).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub expiration_timestamp: Option<Cow<'a, str>>,
    /// `origin`.
    #[serde(default, borrow)]
    pub origin: Option<ConversationOrigin<'a>>,
}
into_static_struct!(Conversation {
    id,
    expiration_timestamp,
    origin
});

/// `conversation.origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConversationOrigin<'a> {
    /// `type`: the conversation's category (`marketing`, `utility`, ...).
    #[serde(default, rename = "type", borrow)]
    pub kind: Option<PricingCategory<'a>>,
}
into_static_struct!(ConversationOrigin { kind });

/// `statuses[].pricing`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Pricing<'a> {
    /// Whether the message is billable.
    #[serde(default, deserialize_with = "de::opt_bool")]
    pub billable: Option<bool>,
    /// `pricing_model` (`PMP` since 2025-07-01, `CBP` before).
    #[serde(default, borrow)]
    pub pricing_model: Option<PricingModel<'a>>,
    /// `category` (`marketing`, `utility`, `authentication`, ...).
    #[serde(default, borrow)]
    pub category: Option<PricingCategory<'a>>,
    /// `type` (`regular`, `free_customer_service`, `free_entry_point`).
    #[serde(default, rename = "type", borrow)]
    pub kind: Option<PricingType<'a>>,
}
into_static_struct!(Pricing {
    billable,
    pricing_model,
    category,
    kind
});

open_enum! {
    /// `pricing.pricing_model`.
    PricingModel {
        /// `PMP`: per-message pricing (since 2025-07-01).
        PerMessage = "PMP",
        /// `CBP`: conversation-based pricing (before 2025-07-01).
        ConversationBased = "CBP",
    }
}

open_enum! {
    /// `pricing.type`: whether and why a message is charged.
    PricingType {
        /// `regular`: charged at the category's rate.
        Regular = "regular",
        /// `free_customer_service`: free, inside the customer service window.
        FreeCustomerService = "free_customer_service",
        /// `free_entry_point`: free, inside a free entry point window (ads, page buttons).
        FreeEntryPoint = "free_entry_point",
    }
}

open_enum! {
    /// `pricing.category` and `conversation.origin.type`: the category a message is priced in.
    PricingCategory {
        /// `marketing`.
        Marketing = "marketing",
        /// `marketing_lite`: marketing sent through the Marketing Messages API.
        MarketingLite = "marketing_lite",
        /// `utility`.
        Utility = "utility",
        /// `authentication`.
        Authentication = "authentication",
        /// `authentication_international`: authentication at the international rate.
        AuthenticationInternational = "authentication_international",
        /// `service`.
        Service = "service",
        /// `referral_conversion`: a free entry point conversation (conversation-based pricing).
        ReferralConversion = "referral_conversion",
    }
}
