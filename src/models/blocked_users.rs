//! Blocked users: who was blocked or unblocked, and who could not be and why.
//!
//! Meta answers a partial failure (code 139100) with HTTP 200: the users it blocked, the users
//! it could not block with an error each, and a top-level error. The outcome keeps all three.

use serde::{Deserialize, Serialize};

use crate::error::GraphError;

/// A user in a block list answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockedUser {
    /// The value sent (a phone number or WhatsApp id); absent in list answers.
    #[serde(default)]
    pub input: Option<String>,
    /// The user's WhatsApp id.
    #[serde(default)]
    pub wa_id: Option<String>,
}

/// Why one user could not be blocked or unblocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserError {
    /// The Graph error code.
    #[serde(default)]
    pub code: Option<i64>,
    /// Meta's message.
    #[serde(default)]
    pub message: Option<String>,
    /// Meta's details.
    #[serde(default)]
    pub error_data: Option<UserErrorData>,
}

/// `error_data` of a [`UserError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserErrorData {
    /// The details.
    #[serde(default)]
    pub details: Option<String>,
}

/// A user that could not be blocked or unblocked, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailedUser {
    /// The value sent.
    #[serde(default)]
    pub input: Option<String>,
    /// The user's WhatsApp id, when Meta knows it.
    #[serde(default)]
    pub wa_id: Option<String>,
    /// Why.
    #[serde(default)]
    pub errors: Vec<UserError>,
}

/// The outcome of a block or unblock: check [`failed`](BlockOutcome::failed), since a partial
/// failure is not an error.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "some users may have failed: check `failed`"]
#[non_exhaustive]
pub struct BlockOutcome {
    /// The users blocked (for an unblock: unblocked).
    pub done: Vec<BlockedUser>,
    /// The users that failed, each with Meta's errors.
    pub failed: Vec<FailedUser>,
    /// The top-level error of a partial failure (code 139100).
    pub error: Option<GraphError>,
}

impl BlockOutcome {
    /// Whether every user was blocked (or unblocked).
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.error.is_none()
    }
}
