//! User fields: marketing preferences and business-scoped user id changes.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct, open_enum};
use super::super::{Contact, Metadata};

open_enum! {
    /// `value` of a user preference.
    PreferenceValue {
        /// `stop`: the user stopped marketing messages.
        Stop = "stop",
        /// `resume`: the user resumed marketing messages.
        Resume = "resume",
    }
}

/// `user_preferences`: users stopped or resumed marketing messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserPreferencesUpdate<'a> {
    /// The business number concerned.
    #[serde(default, borrow)]
    pub metadata: Option<Metadata<'a>>,
    /// `contacts`: the users' profiles.
    #[serde(default, borrow)]
    pub contacts: Vec<Contact<'a>>,
    /// `user_preferences`.
    #[serde(default, borrow)]
    pub user_preferences: Vec<UserPreference<'a>>,
}
into_static_struct!(UserPreferencesUpdate {
    metadata,
    contacts,
    user_preferences
});

/// One `user_preferences[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserPreference<'a> {
    /// `wa_id`: the user's phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `user_id`: the user's BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub user_id: Option<Cow<'a, str>>,
    /// `detail`: a description (`User requested to stop marketing messages`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub detail: Option<Cow<'a, str>>,
    /// `category` (`marketing_messages`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub category: Option<Cow<'a, str>>,
    /// `value`.
    #[serde(default, borrow)]
    pub value: Option<PreferenceValue<'a>>,
    /// `timestamp` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
}
into_static_struct!(UserPreference {
    wa_id,
    user_id,
    detail,
    category,
    value,
    timestamp
});

/// `user_id_update`: users' business-scoped user ids changed (a new phone number gives a new
/// BSUID): map the previous id to the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserIdUpdates<'a> {
    /// The business number concerned.
    #[serde(default, borrow)]
    pub metadata: Option<Metadata<'a>>,
    /// `contacts`: the users' profiles.
    #[serde(default, borrow)]
    pub contacts: Vec<Contact<'a>>,
    /// `user_id_update`.
    #[serde(default, borrow)]
    pub user_id_update: Vec<UserIdUpdate<'a>>,
}
into_static_struct!(UserIdUpdates {
    metadata,
    contacts,
    user_id_update
});

/// One `user_id_update[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserIdUpdate<'a> {
    /// `wa_id`: the user's phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `detail`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub detail: Option<Cow<'a, str>>,
    /// `user_id`: `{previous, current}`.
    #[serde(default, borrow)]
    pub user_id: Option<UserIdChange<'a>>,
    /// `parent_user_id`: `{previous, current}`, where sent.
    #[serde(default, borrow)]
    pub parent_user_id: Option<UserIdChange<'a>>,
    /// `timestamp` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
}
into_static_struct!(UserIdUpdate {
    wa_id,
    detail,
    user_id,
    parent_user_id,
    timestamp
});

/// A changed id: `{previous, current}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct UserIdChange<'a> {
    /// `previous`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub previous: Option<Cow<'a, str>>,
    /// `current`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub current: Option<Cow<'a, str>>,
}
into_static_struct!(UserIdChange { previous, current });
