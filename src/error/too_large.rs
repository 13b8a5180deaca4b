//! An answer longer than the client accepts: reading stopped at the limit.

use std::fmt;

use crate::layers::facts::Operation;

/// Which limit an answer's body passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SizeLimit {
    /// The `file_size` Meta announced for the media (exact: one byte more is not that file).
    Announced,
    /// This call's own cap (`DownloadMediaRequest::max_bytes`).
    Call,
    /// The client's download cap (`ClientBuilder::max_download_bytes`).
    Client,
    /// Meta's 100 MB limit on any media file.
    Meta,
    /// The largest Graph API answer the client reads (4 MiB; Meta's are a few KB).
    Answer,
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SizeLimit::Announced => "the file_size Meta announced",
            SizeLimit::Call => "this call's max_bytes",
            SizeLimit::Client => "the client's max_download_bytes",
            SizeLimit::Meta => "Meta's 100 MB media limit",
            SizeLimit::Answer => "the largest Graph API answer the client reads",
        })
    }
}

/// An answer's body was longer than allowed. Reading stopped as soon as the limit was passed
/// (or before reading, when `Content-Length` already said so), so memory stayed bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TooLarge {
    /// The call that got the answer.
    pub operation: Operation,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The limit passed, in bytes.
    pub limit: u64,
    /// Where the limit came from.
    pub limit_kind: SizeLimit,
    /// Bytes read before stopping: more than `limit` (by at most one network chunk), or 0 when
    /// `Content-Length` was already over it.
    pub read: u64,
    /// The `Content-Length` the server announced, if any.
    pub content_length: Option<u64>,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} answer (HTTP {}) is longer than its {}-byte limit ({}); ",
            self.operation, self.status, self.limit, self.limit_kind
        )?;
        match self.content_length {
            Some(length) if self.read == 0 => {
                write!(f, "it announced {length} bytes, so none were read")
            }
            _ => write!(f, "reading stopped after {} bytes", self.read),
        }
    }
}

impl std::error::Error for TooLarge {}
