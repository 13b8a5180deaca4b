//! Reply buttons (`type: button`): up to three buttons whose tap comes back as a
//! `button_reply` webhook carrying the button's id.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The most reply buttons in one message.
pub const MAX_REPLY_BUTTONS: usize = 3;
/// The longest reply button id.
pub const MAX_REPLY_BUTTON_ID_LEN: usize = 256;
/// The longest reply button title.
pub const MAX_REPLY_BUTTON_TITLE_LEN: usize = 20;

/// A reply button: `{"type": "reply", "reply": {"id", "title"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ReplyButton {
    id: String,
    title: String,
}

impl ReplyButton {
    /// A button with a unique `id` (at most 256 characters, sent back in the reply webhook)
    /// and a unique `title` of 1 to 20 characters.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        ReplyButton {
            id: id.into(),
            title: title.into(),
        }
    }
}

impl Serialize for ReplyButton {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Reply<'a> {
            id: &'a str,
            title: &'a str,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", "reply")?;
        map.serialize_entry(
            "reply",
            &Reply {
                id: &self.id,
                title: &self.title,
            },
        )?;
        map.end()
    }
}

pub(super) fn validate(buttons: &[ReplyButton]) -> Result<(), ValidationError> {
    if buttons.is_empty() || buttons.len() > MAX_REPLY_BUTTONS {
        return Err(ValidationError::new(
            "interactive.action.buttons",
            format!(
                "holds {} buttons; Meta allows 1 to {MAX_REPLY_BUTTONS}",
                buttons.len()
            ),
        ));
    }
    for (i, button) in buttons.iter().enumerate() {
        let path = format!("interactive.action.buttons[{i}].reply");
        check::text(&format!("{path}.id"), &button.id, MAX_REPLY_BUTTON_ID_LEN)?;
        check::text(
            &format!("{path}.title"),
            &button.title,
            MAX_REPLY_BUTTON_TITLE_LEN,
        )?;
        if buttons[..i].iter().any(|earlier| earlier.id == button.id) {
            return Err(ValidationError::new(
                format!("{path}.id"),
                format!(
                    "`{}` is used by an earlier button; ids must be unique",
                    button.id
                ),
            ));
        }
        if buttons[..i]
            .iter()
            .any(|earlier| earlier.title == button.title)
        {
            return Err(ValidationError::new(
                format!("{path}.title"),
                format!(
                    "`{}` is used by an earlier button; titles must be unique",
                    button.title
                ),
            ));
        }
    }
    Ok(())
}
