//! The "Call on WhatsApp" button (`type: voice_call`) of the Calling API. A tap starts a
//! user-initiated call to the business number; the optional payload comes back in the call
//! webhooks as `cta_payload`.

use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The longest label of the call button (Meta's default label is "Call Now").
pub const MAX_VOICE_CALL_DISPLAY_TEXT_LEN: usize = 20;
/// The longest time the button stays usable: 43,200 minutes (30 days; Meta's default is 7).
pub const MAX_VOICE_CALL_TTL_MINUTES: u32 = 43_200;
/// The longest tracking payload.
pub const MAX_VOICE_CALL_PAYLOAD_LEN: usize = 512;

/// The optional `parameters` of a voice call button; all unset sends no `parameters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[must_use]
pub struct VoiceCall {
    #[serde(skip_serializing_if = "Option::is_none")]
    display_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<String>,
}

impl VoiceCall {
    /// A button with Meta's defaults ("Call Now", usable for 7 days).
    pub fn new() -> Self {
        VoiceCall::default()
    }

    /// The button's label (at most 20 characters).
    pub fn display_text(mut self, text: impl Into<String>) -> Self {
        self.display_text = Some(text.into());
        self
    }

    /// How long the button stays usable, 1 to 43,200 minutes.
    pub fn ttl_minutes(mut self, minutes: u32) -> Self {
        self.ttl_minutes = Some(minutes);
        self
    }

    /// A string echoed back in the call webhooks (at most 512 characters).
    pub fn payload(mut self, payload: impl Into<String>) -> Self {
        self.payload = Some(payload.into());
        self
    }

    pub(super) fn is_default(&self) -> bool {
        *self == VoiceCall::default()
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        if let Some(text) = &self.display_text {
            check::text(
                &format!("{PATH}.display_text"),
                text,
                MAX_VOICE_CALL_DISPLAY_TEXT_LEN,
            )?;
        }
        if let Some(minutes) = self.ttl_minutes {
            if !(1..=MAX_VOICE_CALL_TTL_MINUTES).contains(&minutes) {
                return Err(ValidationError::new(
                    format!("{PATH}.ttl_minutes"),
                    format!("is {minutes}; Meta allows 1 to {MAX_VOICE_CALL_TTL_MINUTES} minutes"),
                ));
            }
        }
        if let Some(payload) = &self.payload {
            check::text(
                &format!("{PATH}.payload"),
                payload,
                MAX_VOICE_CALL_PAYLOAD_LEN,
            )?;
        }
        Ok(())
    }
}
