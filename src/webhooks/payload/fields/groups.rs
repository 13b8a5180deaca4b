//! The four group fields (Groups API): lifecycle, participants, settings and status updates.

use std::borrow::Cow;

use serde::Deserialize;

use super::super::super::de::{self, into_static_struct};
use super::super::{ErrorObject, Metadata};

/// `group_lifecycle_update`, `group_participants_update`, `group_settings_update` or
/// `group_status_update`: what happened to the business's groups (the field says which).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GroupsUpdate<'a> {
    /// The business number that owns the groups.
    #[serde(default, borrow)]
    pub metadata: Option<Metadata<'a>>,
    /// `groups`: one item per group event.
    #[serde(default, borrow)]
    pub groups: Vec<GroupChange<'a>>,
}
into_static_struct!(GroupsUpdate { metadata, groups });

/// One `groups[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GroupChange<'a> {
    /// `group_id`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub group_id: Option<Cow<'a, str>>,
    /// `type` (`group_create`, `group_delete`, `group_participants_add`, ...), as sent.
    #[serde(default, rename = "type", borrow, deserialize_with = "de::opt_cow_str")]
    pub kind: Option<Cow<'a, str>>,
    /// `timestamp` (unix seconds).
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub timestamp: Option<i64>,
    /// `request_id` of the API call that caused it, where there was one.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub request_id: Option<Cow<'a, str>>,
    /// `subject`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub subject: Option<Cow<'a, str>>,
    /// `description`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub description: Option<Cow<'a, str>>,
    /// `invite_link`.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub invite_link: Option<Cow<'a, str>>,
    /// `join_approval_mode` (`auto_approve`, `approval_required`).
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub join_approval_mode: Option<Cow<'a, str>>,
    /// `added_participants`.
    #[serde(default, borrow)]
    pub added_participants: Vec<GroupParticipant<'a>>,
    /// `removed_participants`.
    #[serde(default, borrow)]
    pub removed_participants: Vec<GroupParticipant<'a>>,
    /// `failed_participants`.
    #[serde(default, borrow)]
    pub failed_participants: Vec<GroupParticipant<'a>>,
    /// `errors`, for a failed request.
    #[serde(default, borrow)]
    pub errors: Vec<ErrorObject<'a>>,
}
into_static_struct!(GroupChange {
    group_id,
    kind,
    timestamp,
    request_id,
    subject,
    description,
    invite_link,
    join_approval_mode,
    added_participants,
    removed_participants,
    failed_participants,
    errors
});

/// A participant in a group change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct GroupParticipant<'a> {
    /// `input`: the id as the business gave it.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub input: Option<Cow<'a, str>>,
    /// `wa_id`: the phone number, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub wa_id: Option<Cow<'a, str>>,
    /// `user_id`: the BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub user_id: Option<Cow<'a, str>>,
    /// `parent_user_id`: the parent BSUID, where sent.
    #[serde(default, borrow, deserialize_with = "de::opt_cow_str")]
    pub parent_user_id: Option<Cow<'a, str>>,
    /// `errors`, for a participant that could not be added or removed.
    #[serde(default, borrow)]
    pub errors: Vec<ErrorObject<'a>>,
}
into_static_struct!(GroupParticipant {
    input,
    wa_id,
    user_id,
    parent_user_id,
    errors
});
