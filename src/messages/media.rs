//! Media messages: image, video, audio, document and sticker, each sent by the id of an
//! uploaded file or by a public link Meta fetches.
//!
//! Captions exist only where Meta allows them (image, video, document): [`Audio`] and
//! [`Sticker`] have no caption setter, so a captioned sticker cannot be written.

use serde::Serialize;

use super::check;
use crate::error::ValidationError;

/// The longest media caption Meta accepts, in characters.
pub const MAX_CAPTION_LEN: usize = 1024;

/// Where Meta finds the media: the id of an uploaded file, or a link it downloads.
///
/// Serializes as the single key `"id"` or `"link"` inside the media object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaSource {
    /// An id from `POST /{phone-number-id}/media` (valid 30 days) or from a webhook.
    Id(String),
    /// An `http`/`https` URL Meta downloads when sending.
    Link(String),
}

impl MediaSource {
    /// Media uploaded earlier, by its id.
    pub fn id(id: impl Into<String>) -> Self {
        MediaSource::Id(id.into())
    }

    /// Media Meta fetches from this URL.
    pub fn link(url: impl Into<String>) -> Self {
        MediaSource::Link(url.into())
    }

    /// Checks the id is present or the link is an http(s) URL; `path` is the media object's.
    pub(crate) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        match self {
            MediaSource::Id(id) => check::required(&format!("{path}.id"), id),
            MediaSource::Link(link) => check::web_url(&format!("{path}.link"), link),
        }
    }
}

fn check_caption(path: &str, caption: &Option<String>) -> Result<(), ValidationError> {
    match caption {
        Some(caption) => check::max_chars(&format!("{path}.caption"), caption, MAX_CAPTION_LEN),
        None => Ok(()),
    }
}

/// An image message (`type: image`), with an optional caption.
///
/// ```
/// use wacloud::messages::{Image, OutgoingMessage};
/// let message = OutgoingMessage::new("+16505551234", Image::from_id("1479537139650973").caption("Your receipt"));
/// assert!(message.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Image {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
}

impl Image {
    /// An image uploaded earlier, by its media id.
    pub fn from_id(id: impl Into<String>) -> Self {
        Self::new(MediaSource::id(id))
    }

    /// An image Meta fetches from `url`.
    pub fn from_link(url: impl Into<String>) -> Self {
        Self::new(MediaSource::link(url))
    }

    /// An image from either source.
    pub fn new(source: MediaSource) -> Self {
        Image {
            source,
            caption: None,
        }
    }

    /// A caption shown under the image (at most 1024 characters).
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.source.validate("image")?;
        check_caption("image", &self.caption)
    }
}

/// A video message (`type: video`), with an optional caption.
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Video};
/// let message = OutgoingMessage::new("+16505551234", Video::from_link("https://example.com/clip.mp4"));
/// assert!(message.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Video {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
}

impl Video {
    /// A video uploaded earlier, by its media id.
    pub fn from_id(id: impl Into<String>) -> Self {
        Self::new(MediaSource::id(id))
    }

    /// A video Meta fetches from `url`.
    pub fn from_link(url: impl Into<String>) -> Self {
        Self::new(MediaSource::link(url))
    }

    /// A video from either source.
    pub fn new(source: MediaSource) -> Self {
        Video {
            source,
            caption: None,
        }
    }

    /// A caption shown under the video (at most 1024 characters).
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.source.validate("video")?;
        check_caption("video", &self.caption)
    }
}

/// An audio message (`type: audio`). Meta allows no caption on audio, so there is no setter.
///
/// ```
/// use wacloud::messages::{Audio, OutgoingMessage};
/// let message = OutgoingMessage::new("+16505551234", Audio::from_id("1013859600285441"));
/// assert!(message.validate().is_ok());
/// let voice_note = Audio::from_id("1013859600285441").voice(true);
/// # let _ = voice_note;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Audio {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice: Option<bool>,
}

impl Audio {
    /// Audio uploaded earlier, by its media id.
    pub fn from_id(id: impl Into<String>) -> Self {
        Self::new(MediaSource::id(id))
    }

    /// Audio Meta fetches from `url`.
    pub fn from_link(url: impl Into<String>) -> Self {
        Self::new(MediaSource::link(url))
    }

    /// Audio from either source.
    pub fn new(source: MediaSource) -> Self {
        Audio {
            source,
            voice: None,
        }
    }

    /// Sends the audio as a voice message (`"voice": true`): shown with a play icon and the
    /// business's profile picture, downloaded automatically, transcribed when the user allows
    /// it, and reported with a `played` status. Meta requires an `.ogg` file with the OPUS codec.
    pub fn voice(mut self, voice: bool) -> Self {
        self.voice = Some(voice);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.source.validate("audio")
    }
}

/// A document message (`type: document`), with an optional caption and file name.
///
/// ```
/// use wacloud::messages::{Document, OutgoingMessage};
/// let invoice = Document::from_link("https://example.com/invoice.pdf")
///     .filename("invoice-42.pdf")
///     .caption("Invoice #42");
/// assert!(OutgoingMessage::new("+16505551234", invoice).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Document {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

impl Document {
    /// A document uploaded earlier, by its media id.
    pub fn from_id(id: impl Into<String>) -> Self {
        Self::new(MediaSource::id(id))
    }

    /// A document Meta fetches from `url`.
    pub fn from_link(url: impl Into<String>) -> Self {
        Self::new(MediaSource::link(url))
    }

    /// A document from either source.
    pub fn new(source: MediaSource) -> Self {
        Document {
            source,
            caption: None,
            filename: None,
        }
    }

    /// A caption shown under the document (at most 1024 characters).
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// The file name shown to the recipient; WhatsApp picks the icon from its extension.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.source.validate("document")?;
        check_caption("document", &self.caption)?;
        if let Some(filename) = &self.filename {
            check::required("document.filename", filename)?;
        }
        Ok(())
    }
}

/// A sticker message (`type: sticker`). Meta allows no caption on stickers.
///
/// ```
/// use wacloud::messages::{OutgoingMessage, Sticker};
/// let message = OutgoingMessage::new("+16505551234", Sticker::from_id("798882015472548"));
/// assert!(message.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Sticker {
    #[serde(flatten)]
    source: MediaSource,
}

impl Sticker {
    /// A sticker uploaded earlier, by its media id.
    pub fn from_id(id: impl Into<String>) -> Self {
        Self::new(MediaSource::id(id))
    }

    /// A sticker Meta fetches from `url`.
    pub fn from_link(url: impl Into<String>) -> Self {
        Self::new(MediaSource::link(url))
    }

    /// A sticker from either source.
    pub fn new(source: MediaSource) -> Self {
        Sticker { source }
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        self.source.validate("sticker")
    }
}
