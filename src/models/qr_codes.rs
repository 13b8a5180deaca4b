//! QR codes and short links that open a chat with the business, a message typed in.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// The longest prefilled message.
pub const MAX_PREFILLED_MESSAGE_LEN: usize = 140;

/// The image format of a new QR code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QrImageFormat {
    /// An SVG image.
    Svg,
    /// A PNG image.
    Png,
}

impl QrImageFormat {
    /// The value of `generate_qr_image`.
    pub fn as_str(self) -> &'static str {
        match self {
            QrImageFormat::Svg => "SVG",
            QrImageFormat::Png => "PNG",
        }
    }
}

/// A QR code (and its short link) as Meta answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QrCode {
    /// The code, e.g. `4O4YGZEG3RIVE1`.
    pub code: String,
    /// The message typed in when the chat opens.
    #[serde(default)]
    pub prefilled_message: Option<String>,
    /// The short link, e.g. `https://wa.me/message/4O4YGZEG3RIVE1`.
    #[serde(default)]
    pub deep_link_url: Option<String>,
    /// Where the QR image is (only when one was asked for).
    #[serde(default)]
    pub qr_image_url: Option<String>,
}

/// Checks a prefilled message (1-140 characters).
pub fn check_prefilled_message(message: &str) -> Result<(), ValidationError> {
    let count = message.chars().count();
    if message.trim().is_empty() || count > MAX_PREFILLED_MESSAGE_LEN {
        return Err(ValidationError::new(
            "prefilled_message",
            format!("must be 1 to {MAX_PREFILLED_MESSAGE_LEN} characters (got {count})"),
        ));
    }
    Ok(())
}

/// Checks a QR code's code (letters and digits).
pub fn check_code(code: &str) -> Result<(), ValidationError> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ValidationError::new(
            "code",
            "must be the QR code's letters and digits",
        ));
    }
    Ok(())
}
