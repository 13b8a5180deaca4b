//! Reaction messages: put an emoji on an earlier message, or take it off.

use serde::Serialize;

use super::check;
use crate::error::ValidationError;

/// A reaction message (`type: reaction`): `{message_id, emoji}`; an empty emoji removes it.
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Reaction};
/// let thumbs_up = Reaction::new("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA", "\u{1F44D}");
/// assert!(OutgoingMessage::new("+16505551234", thumbs_up).validate().is_ok());
/// let removed = Reaction::remove("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
/// assert!(removed.is_removal());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Reaction {
    message_id: String,
    emoji: String,
}

impl Reaction {
    /// Reacts to `message_id` with `emoji` (the emoji itself, e.g. `"\u{1F600}"`).
    pub fn new(message_id: impl Into<String>, emoji: impl Into<String>) -> Self {
        Reaction {
            message_id: message_id.into(),
            emoji: emoji.into(),
        }
    }

    /// Removes the business's reaction from `message_id` (Meta's `"emoji": ""`).
    pub fn remove(message_id: impl Into<String>) -> Self {
        Self::new(message_id, "")
    }

    /// Whether this reaction removes an earlier one.
    pub fn is_removal(&self) -> bool {
        self.emoji.is_empty()
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        check::required("reaction.message_id", &self.message_id)?;
        // An emoji (keycaps and flag tag sequences included) never holds ASCII letters or
        // whitespace: those mean text was passed where an emoji belongs.
        if self
            .emoji
            .chars()
            .any(|c| c.is_ascii_alphabetic() || c.is_whitespace())
        {
            return Err(ValidationError::new(
                "reaction.emoji",
                "must be an emoji (or empty to remove the reaction), not text",
            ));
        }
        Ok(())
    }
}
