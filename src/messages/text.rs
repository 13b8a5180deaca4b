//! Text messages.

use serde::Serialize;

use crate::error::ValidationError;

/// The longest text body Meta accepts, in characters.
pub const MAX_TEXT_LEN: usize = 4096;

/// A text message: `{"body": ..., "preview_url": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Text {
    body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview_url: Option<bool>,
}

impl Text {
    /// A text message with this body (1 to 4096 characters).
    pub fn new(body: impl Into<String>) -> Self {
        Text {
            body: body.into(),
            preview_url: None,
        }
    }

    /// Ask WhatsApp to render a preview of the first URL in the body.
    pub fn preview_url(mut self, preview: bool) -> Self {
        self.preview_url = Some(preview);
        self
    }

    /// The body.
    pub fn body(&self) -> &str {
        &self.body
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        super::check::text("text.body", &self.body, MAX_TEXT_LEN)
    }
}
