//! The typed answer to a send.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A WhatsApp message id (`wamid.…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Wamid(pub String);

impl Wamid {
    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Wamid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Wamid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `messages[].message_status`: set for paced templates. A value this version does not know
/// is kept verbatim in [`MessageStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageStatus {
    /// `accepted`: accepted for delivery.
    Accepted,
    /// `held_for_quality_assessment`: held while Meta assesses the template's quality
    /// (pacing).
    HeldForQualityAssessment,
    /// `paused`: not sent because the template is paused.
    Paused,
    /// Any other value, as Meta sent it.
    Other(String),
}

impl MessageStatus {
    /// The value as Meta writes it.
    pub fn as_str(&self) -> &str {
        match self {
            MessageStatus::Accepted => "accepted",
            MessageStatus::HeldForQualityAssessment => "held_for_quality_assessment",
            MessageStatus::Paused => "paused",
            MessageStatus::Other(value) => value,
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for MessageStatus {
    fn from(value: String) -> Self {
        match value.as_str() {
            "accepted" => MessageStatus::Accepted,
            "held_for_quality_assessment" => MessageStatus::HeldForQualityAssessment,
            "paused" => MessageStatus::Paused,
            _ => MessageStatus::Other(value),
        }
    }
}

impl Serialize for MessageStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MessageStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(MessageStatus::from)
    }
}

/// `contacts[]` of a send answer: `input` and `wa_id` for a send by phone number, `input` and
/// `user_id` for a send by business-scoped user id (`recipient`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentContact {
    /// The `to` (or `recipient`) value as sent.
    #[serde(default)]
    pub input: String,
    /// The recipient's WhatsApp id; empty when Meta sent none (a send by user id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wa_id: String,
    /// The recipient's business-scoped user id, for a send by user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl SentContact {
    /// The recipient's WhatsApp id, when Meta sent one.
    pub fn wa_id(&self) -> Option<&str> {
        Some(self.wa_id.as_str()).filter(|id| !id.is_empty())
    }

    /// The recipient's business-scoped user id, when Meta sent one.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref().filter(|id| !id.is_empty())
    }
}

/// `messages[]` of a send answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// The message id.
    pub id: Wamid,
    /// The pacing status, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_status: Option<MessageStatus>,
}

/// The answer to a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendResponse {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: String,
    /// The recipient(s).
    #[serde(default)]
    pub contacts: Vec<SentContact>,
    /// The message(s) created.
    pub messages: Vec<SentMessage>,
}

impl SendResponse {
    /// The id of the message sent (the first one). `None` only for a malformed answer, which
    /// the client reports as a decode error instead.
    pub fn message_id(&self) -> Option<&Wamid> {
        self.messages.first().map(|message| &message.id)
    }

    /// The recipient's WhatsApp id (`None` for a send by user id, which Meta answers with
    /// `user_id` instead).
    pub fn wa_id(&self) -> Option<&str> {
        self.contacts.first().and_then(SentContact::wa_id)
    }

    /// The recipient's business-scoped user id, for a send by user id.
    pub fn user_id(&self) -> Option<&str> {
        self.contacts.first().and_then(SentContact::user_id)
    }

    /// The pacing status, when Meta sent one.
    pub fn message_status(&self) -> Option<&MessageStatus> {
        self.messages.first()?.message_status.as_ref()
    }
}
