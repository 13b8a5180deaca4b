//! The header of an interactive message: text, or media where the kind allows it.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::MAX_HEADER_TEXT_LEN;
use crate::error::ValidationError;
use crate::messages::check;
use crate::messages::media::MediaSource;

/// The header of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Header {
    /// `{"type": "text", "text": ...}` (at most 60 characters).
    Text(String),
    /// `{"type": "image", "image": {id | link}}`.
    Image(MediaSource),
    /// `{"type": "video", "video": {id | link}}`.
    Video(MediaSource),
    /// `{"type": "document", "document": {id | link, filename?}}`.
    Document {
        /// Where the document is.
        source: MediaSource,
        /// The file name shown to the recipient.
        filename: Option<String>,
    },
}

impl Header {
    /// A text header.
    pub fn text(text: impl Into<String>) -> Self {
        Header::Text(text.into())
    }

    /// An image header.
    pub fn image(source: MediaSource) -> Self {
        Header::Image(source)
    }

    /// A video header.
    pub fn video(source: MediaSource) -> Self {
        Header::Video(source)
    }

    /// A document header, optionally shown under `filename`.
    pub fn document(source: MediaSource, filename: Option<String>) -> Self {
        Header::Document { source, filename }
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Header::Text(text) => check::text("interactive.header.text", text, MAX_HEADER_TEXT_LEN),
            Header::Image(source) => source.validate("interactive.header.image"),
            Header::Video(source) => source.validate("interactive.header.video"),
            Header::Document { source, filename } => {
                source.validate("interactive.header.document")?;
                if let Some(filename) = filename {
                    check::required("interactive.header.document.filename", filename)?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Media<'a> {
            #[serde(flatten)]
            source: &'a MediaSource,
            #[serde(skip_serializing_if = "Option::is_none")]
            filename: Option<&'a str>,
        }
        let mut map = serializer.serialize_map(Some(2))?;
        let (kind, source, filename) = match self {
            Header::Text(text) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("text", text)?;
                return map.end();
            }
            Header::Image(source) => ("image", source, None),
            Header::Video(source) => ("video", source, None),
            Header::Document { source, filename } => ("document", source, filename.as_deref()),
        };
        map.serialize_entry("type", kind)?;
        map.serialize_entry(kind, &Media { source, filename })?;
        map.end()
    }
}
