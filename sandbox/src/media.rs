//! The media store: uploads, expiring download URLs.

use std::collections::HashMap;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct MediaItem {
    pub bytes: Bytes,
    pub mime_type: String,
    pub sha256: String,
}

#[derive(Debug, Default)]
pub(crate) struct MediaStore {
    pub items: HashMap<String, MediaItem>,
    /// download token -> (media id, expiry)
    pub urls: HashMap<String, (String, Instant)>,
}

impl MediaStore {
    pub fn insert(&mut self, bytes: Bytes, mime_type: String) -> String {
        let id = crate::util::numeric_id();
        let sha256 = hex::encode(Sha256::digest(&bytes));
        self.items.insert(
            id.clone(),
            MediaItem {
                bytes,
                mime_type,
                sha256,
            },
        );
        id
    }

    pub fn new_url(&mut self, id: &str, expires: Instant) -> String {
        let now = Instant::now();
        self.urls.retain(|_, (_, e)| *e > now);
        let token = crate::util::random_hex(16);
        self.urls.insert(token.clone(), (id.to_string(), expires));
        token
    }
}

pub(crate) const MEDIA_MIME_TYPES: &[&str] = &[
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "text/plain",
    "application/vnd.ms-excel",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "video/3gpp",
    "video/mp4",
];
