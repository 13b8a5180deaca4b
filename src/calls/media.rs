//! Media: upload (`POST /{phone-number-id}/media`), look up a media URL (`GET /{media-id}`),
//! download it (`GET {url}`), and delete (`DELETE /{media-id}`).
//!
//! Uploads are encoded to bytes before they enter the layers, so a retry can resend them.
//! Downloads stream the body under a cap (the `file_size` Meta announced, Meta's 100 MB, the
//! client's and the call's caps: the smallest), failing with [`Error::TooLarge`] the moment it
//! is passed, hash it as it comes, verify Meta's `sha256`, and fetch a fresh URL once when the
//! old one has expired (media URLs live five minutes). A downloaded file is never read as a
//! Graph error, whatever it contains. [`DownloadMediaRequest::write_to`] streams into a writer
//! (a file) instead of memory.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use url::Url;

use super::multipart::Form;
use super::status::expect_success;
use super::CallFuture;
use crate::client::{Body, Client, RawAnswer};
use crate::error::{
    DeadlineExceeded, DecodeError, Error, Result, SentState, SizeLimit, TooLarge, ValidationError,
};
use crate::layers::facts::Operation;
use crate::time::Instant;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// The largest file the Cloud API accepts at all (100 MB).
pub const MAX_UPLOAD_BYTES: u64 = 100 * MIB;
/// The largest static sticker (100 KB).
pub const MAX_STATIC_STICKER_BYTES: u64 = 100 * KIB;
/// The largest animated sticker (500 KB).
pub const MAX_ANIMATED_STICKER_BYTES: u64 = 500 * KIB;

/// A media id: returned by an upload (valid 30 days) or found in a media webhook (7 days).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MediaId(pub String);

impl MediaId {
    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MediaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for MediaId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for MediaId {
    fn from(id: String) -> Self {
        MediaId(id)
    }
}

impl From<&str> for MediaId {
    fn from(id: &str) -> Self {
        MediaId(id.to_owned())
    }
}

/// The media families, each with its own supported MIME types and size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaKind {
    /// `audio/aac`, `audio/amr`, `audio/mpeg`, `audio/mp4`, `audio/ogg` (Opus only): 16 MB.
    Audio,
    /// Text, PDF, Word, Excel and PowerPoint files: 100 MB.
    Document,
    /// `image/jpeg`, `image/png`: 5 MB.
    Image,
    /// `image/webp`: 100 KB static, 500 KB animated.
    Sticker,
    /// `video/mp4`, `video/3gpp` (H.264 video, AAC audio): 16 MB.
    Video,
}

/// Meta's supported MIME types and the family each belongs to.
const SUPPORTED: &[(&str, MediaKind)] = &[
    ("audio/aac", MediaKind::Audio),
    ("audio/amr", MediaKind::Audio),
    ("audio/mpeg", MediaKind::Audio),
    ("audio/mp4", MediaKind::Audio),
    ("audio/ogg", MediaKind::Audio),
    ("text/plain", MediaKind::Document),
    ("application/pdf", MediaKind::Document),
    ("application/msword", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        MediaKind::Document,
    ),
    ("application/vnd.ms-excel", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        MediaKind::Document,
    ),
    ("application/vnd.ms-powerpoint", MediaKind::Document),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        MediaKind::Document,
    ),
    ("image/jpeg", MediaKind::Image),
    ("image/png", MediaKind::Image),
    ("image/webp", MediaKind::Sticker),
    ("video/mp4", MediaKind::Video),
    ("video/3gpp", MediaKind::Video),
    ("video/3gp", MediaKind::Video),
];

impl MediaKind {
    /// The family of a MIME type (parameters such as `; codecs=opus` ignored, case-insensitive),
    /// or `None` when the Cloud API does not accept it.
    pub fn of_mime(mime_type: &str) -> Option<MediaKind> {
        let essence = mime_essence(mime_type);
        SUPPORTED
            .iter()
            .find(|(known, _)| *known == essence)
            .map(|(_, kind)| *kind)
    }

    /// The largest file of this family (for stickers, the animated limit).
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Audio | MediaKind::Video => 16 * MIB,
            MediaKind::Document => MAX_UPLOAD_BYTES,
            MediaKind::Image => 5 * MIB,
            MediaKind::Sticker => MAX_ANIMATED_STICKER_BYTES,
        }
    }

    /// The family's name as the message types spell it (`image`, `sticker`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Image => "image",
            MediaKind::Sticker => "sticker",
            MediaKind::Video => "video",
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn mime_essence(mime_type: &str) -> String {
    mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a WebP file is animated: an extended (`VP8X`) header with the animation flag set.
fn is_animated_webp(bytes: &[u8]) -> bool {
    bytes.len() > 20
        && &bytes[0..4] == b"RIFF"
        && &bytes[8..12] == b"WEBP"
        && &bytes[12..16] == b"VP8X"
        && bytes[20] & 0x02 != 0
}

#[derive(Debug, Clone)]
enum Source {
    Bytes(Bytes),
    Path(PathBuf),
}

/// A file to upload, with its MIME type and file name.
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// use wacloud::calls::media::MediaUpload;
/// let id = client
///     .upload_media(MediaUpload::from_path("invoice.pdf", "application/pdf"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MediaUpload {
    source: Source,
    mime_type: String,
    filename: String,
}

impl MediaUpload {
    /// Media already in memory.
    pub fn from_bytes(
        bytes: impl Into<Bytes>,
        mime_type: impl Into<String>,
        filename: impl Into<String>,
    ) -> Self {
        MediaUpload {
            source: Source::Bytes(bytes.into()),
            mime_type: mime_type.into(),
            filename: filename.into(),
        }
    }

    /// A local file, read (with `tokio::fs`) when the upload runs; its size is checked before
    /// it is read, so an oversized file is rejected without loading it. A read failure is an
    /// [`Error::Io`]. The file name sent is the path's last component.
    pub fn from_path(path: impl AsRef<Path>, mime_type: impl Into<String>) -> Self {
        let path = path.as_ref().to_path_buf();
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        MediaUpload {
            source: Source::Path(path),
            mime_type: mime_type.into(),
            filename,
        }
    }

    /// Sends another file name than the one given or taken from the path.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = filename.into();
        self
    }

    /// The MIME type as given.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// The file name that will be sent.
    pub fn file_name(&self) -> &str {
        &self.filename
    }

    /// The media family of the MIME type, if supported.
    pub fn kind(&self) -> Option<MediaKind> {
        MediaKind::of_mime(&self.mime_type)
    }

    /// Checks the MIME type (and, for in-memory media, the size) against Meta's limits.
    pub fn validate(&self) -> std::result::Result<MediaKind, ValidationError> {
        let kind = self.validate_type()?;
        if let Source::Bytes(bytes) = &self.source {
            check_size(kind, bytes.len() as u64, Some(bytes))?;
        }
        Ok(kind)
    }

    fn validate_type(&self) -> std::result::Result<MediaKind, ValidationError> {
        let mime = self.mime_type.trim();
        if mime.is_empty() {
            return Err(ValidationError::new("type", "the MIME type is required"));
        }
        if mime.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "type",
                "the MIME type must not contain control characters",
            ));
        }
        MediaKind::of_mime(mime).ok_or_else(|| {
            let supported: Vec<&str> = SUPPORTED.iter().map(|(name, _)| *name).collect();
            ValidationError::new(
                "type",
                format!(
                    "{mime:?} is not a MIME type the Cloud API accepts; supported: {}",
                    supported.join(", ")
                ),
            )
        })
    }

    /// Validates, reads the file if needed, and returns the bytes with the kind.
    async fn load(&self) -> Result<(MediaKind, Bytes)> {
        let kind = self.validate_type()?;
        let bytes = match &self.source {
            Source::Bytes(bytes) => bytes.clone(),
            Source::Path(path) => {
                let metadata = tokio::fs::metadata(path).await?;
                if !metadata.is_file() {
                    return Err(Error::Io(std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{} is not a regular file", path.display()),
                    )));
                }
                check_size(kind, metadata.len(), None)?;
                Bytes::from(tokio::fs::read(path).await?)
            }
        };
        check_size(kind, bytes.len() as u64, Some(&bytes))?;
        Ok((kind, bytes))
    }
}

/// Checks a size against the family's limit; for stickers, `content` tells static from
/// animated (without it only the larger, animated limit can be checked).
fn check_size(
    kind: MediaKind,
    len: u64,
    content: Option<&[u8]>,
) -> std::result::Result<(), ValidationError> {
    if len == 0 {
        return Err(ValidationError::new("file", "the file is empty"));
    }
    let (limit, what) = match (kind, content) {
        (MediaKind::Sticker, Some(content)) if !is_animated_webp(content) => {
            (MAX_STATIC_STICKER_BYTES, "a static sticker")
        }
        (MediaKind::Sticker, _) => (MAX_ANIMATED_STICKER_BYTES, "an animated sticker"),
        (MediaKind::Audio, _) => (kind.max_bytes(), "audio"),
        (MediaKind::Document, _) => (kind.max_bytes(), "a document"),
        (MediaKind::Image, _) => (kind.max_bytes(), "an image"),
        (MediaKind::Video, _) => (kind.max_bytes(), "a video"),
    };
    let limit = limit.min(MAX_UPLOAD_BYTES);
    if len > limit {
        return Err(ValidationError::new(
            "file",
            format!("{len} bytes is over the {limit}-byte limit for {what}"),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct UploadAnswer {
    #[serde(default)]
    id: Option<String>,
}

/// The end of a call's overall deadline, so that each HTTP step of a multi-step call gets only
/// the time left (and the layers see the true deadline in the request facts).
#[derive(Debug, Clone, Copy)]
struct Overall {
    end: Option<Instant>,
}

impl Overall {
    fn start(client: &Client, deadline: Option<Duration>) -> Self {
        // A deadline too far away to represent as an instant is no deadline.
        Overall {
            end: deadline.and_then(|deadline| client.clock().now().checked_add(deadline)),
        }
    }

    fn remaining(self, client: &Client) -> Option<Duration> {
        self.end
            .map(|end| end.saturating_duration_since(client.clock().now()))
    }
}

/// Runs `fut` under an overall deadline on the client's clock.
async fn with_deadline<T>(
    client: &Client,
    deadline: Option<Duration>,
    stage: &str,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    let clock = Arc::clone(client.clock());
    // As in `Overall::start`: a deadline too far away to represent is no deadline.
    let Some(deadline) = deadline.filter(|deadline| clock.now().checked_add(*deadline).is_some())
    else {
        return fut.await;
    };
    tokio::select! {
        result = fut => result,
        () = clock.sleep(deadline) => Err(Error::DeadlineExceeded(Box::new(DeadlineExceeded {
            deadline,
            stage: stage.to_owned(),
            sent: SentState::MaybeSent,
        }))),
    }
}

/// An upload, ready to `.await`; answers the new [`MediaId`].
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadMediaRequest {
    client: Client,
    upload: MediaUpload,
    deadline: Option<Duration>,
}

impl UploadMediaRequest {
    /// Give up after this long (reading the file included).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    async fn run(self) -> Result<MediaId> {
        let UploadMediaRequest {
            client,
            upload,
            deadline,
        } = self;
        let overall = Overall::start(&client, deadline);
        let inner = async {
            let (_kind, bytes) = upload.load().await?;
            let mut call = build_upload_call(&client, &upload, bytes);
            call.deadline = overall.remaining(&client);
            let answer = client.execute(call).await?;
            let parsed: UploadAnswer = crate::client::decode_json(&answer)?;
            match parsed.id.filter(|id| !id.is_empty()) {
                Some(id) => Ok(MediaId(id)),
                None => Err(decode_error(&answer, "the upload answer has no media id")),
            }
        };
        with_deadline(&client, deadline, "uploading media", inner).await
    }
}

/// The upload call: a multipart body held as bytes, so the request can be cloned for retries.
pub(crate) fn build_upload_call(
    client: &Client,
    upload: &MediaUpload,
    bytes: Bytes,
) -> crate::client::Call {
    let mime = upload.mime_type.trim();
    let filename = if upload.filename.trim().is_empty() {
        "upload"
    } else {
        upload.filename.as_str()
    };
    let encoded = Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", mime)
        .file("file", filename, mime, bytes)
        .encode();
    let url = client
        .endpoint()
        .url(&[client.endpoint().phone_number_id(), "media"]);
    let mut call = client.call(Method::POST, url, client.facts(Operation::UploadMedia));
    call.body = Some(Body::Multipart {
        boundary: encoded.boundary,
        bytes: encoded.bytes,
    });
    call
}

impl IntoFuture for UploadMediaRequest {
    type Output = Result<MediaId>;
    type IntoFuture = CallFuture<MediaId>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// What `GET /{media-id}` says about a media object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaInfo {
    /// Where to download it; expires five minutes after the lookup.
    pub url: String,
    /// The MIME type.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// The SHA-256 of the file, hex.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The size in bytes (Meta sends a number or a string; both are read).
    #[serde(default, deserialize_with = "lenient_size")]
    pub file_size: Option<u64>,
    /// The media id.
    #[serde(default)]
    pub id: Option<MediaId>,
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
}

fn lenient_size<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Size {
        Number(u64),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Size>::deserialize(deserializer)? {
        Some(Size::Number(size)) => Some(size),
        Some(Size::Text(text)) => text.trim().parse().ok(),
        Some(Size::Other(_)) | None => None,
    })
}

/// Looks up a media object's download URL (which expires after five minutes).
#[derive(Debug)]
#[must_use = "a media lookup does nothing until it is awaited"]
pub struct MediaUrlRequest {
    client: Client,
    id: String,
    deadline: Option<Duration>,
}

impl MediaUrlRequest {
    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }
}

impl IntoFuture for MediaUrlRequest {
    type Output = Result<MediaInfo>;
    type IntoFuture = CallFuture<MediaInfo>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(fetch_media_info(self.client, self.id, self.deadline))
    }
}

fn media_id_url(client: &Client, id: &str) -> Result<Url> {
    if id.trim().is_empty() {
        return Err(ValidationError::new("media_id", "must not be empty").into());
    }
    let mut url = client.endpoint().url(&[id]);
    url.query_pairs_mut()
        .append_pair("phone_number_id", client.endpoint().phone_number_id());
    Ok(url)
}

async fn fetch_media_info(
    client: Client,
    id: String,
    deadline: Option<Duration>,
) -> Result<MediaInfo> {
    let url = media_id_url(&client, &id)?;
    let mut call = client.call(Method::GET, url, client.facts(Operation::MediaUrl));
    call.deadline = deadline;
    client.execute_json(call).await
}

/// Downloaded media, checked against Meta's `sha256` when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaDownload {
    /// The file.
    pub bytes: Bytes,
    /// The MIME type from the lookup, else the download's `Content-Type`.
    pub mime_type: Option<String>,
    /// The SHA-256 of `bytes`, lowercase hex (computed here).
    pub sha256: String,
}

/// Media streamed into a writer by [`DownloadMediaRequest::write_to`], checked against Meta's
/// `sha256` when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SavedMedia {
    /// Bytes written.
    pub len: u64,
    /// The MIME type from the lookup, else the download's `Content-Type`.
    pub mime_type: Option<String>,
    /// The SHA-256 of what was written, lowercase hex (computed as it streamed).
    pub sha256: String,
}

/// A download, ready to `.await` (into memory) or to [`write_to`](Self::write_to) a writer.
#[derive(Debug)]
#[must_use = "a download does nothing until it is awaited"]
pub struct DownloadMediaRequest {
    client: Client,
    target: DownloadTarget,
    deadline: Option<Duration>,
    max_bytes: Option<u64>,
}

/// Where a download's bytes go.
enum Sink<'w> {
    Memory(BytesMut),
    Writer(&'w mut (dyn AsyncWrite + Unpin + Send)),
}

impl Sink<'_> {
    /// Starts a fresh download of `expected` bytes (as far as known).
    fn start(&mut self, expected: u64) {
        if let Sink::Memory(bytes) = self {
            bytes.clear();
            bytes.reserve(usize::try_from(expected).unwrap_or(0));
        }
    }

    async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Memory(bytes) => {
                bytes.extend_from_slice(chunk);
                Ok(())
            }
            Sink::Writer(writer) => writer.write_all(chunk).await,
        }
    }

    async fn finish(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Memory(_) => Ok(()),
            Sink::Writer(writer) => writer.flush().await,
        }
    }

    /// The bytes kept in memory (for an error's body prefix).
    fn kept(&self) -> &[u8] {
        match self {
            Sink::Memory(bytes) => bytes,
            Sink::Writer(_) => &[],
        }
    }
}

/// What one download gave, wherever its bytes went.
struct Fetched {
    len: u64,
    mime_type: Option<String>,
    sha256: String,
}

#[derive(Debug)]
enum DownloadTarget {
    Id(String),
    Info(MediaInfo),
}

impl DownloadMediaRequest {
    /// Give up after this long, for the whole download (lookups included).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Reads at most this many bytes of the file. The `file_size` Meta announced, Meta's 100 MB
    /// limit and the client's [`max_download_bytes`](crate::ClientBuilder::max_download_bytes)
    /// apply too: the smallest wins. A longer body fails with [`Error::TooLarge`] as soon as it
    /// passes the limit.
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes);
        self
    }

    /// Streams the file into `writer` instead of memory, hashing it as it goes, and flushes the
    /// writer. Nothing is written before the media host answers 2xx; after an error, the writer
    /// may hold part of the file (never more than the limit): discard it.
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// let mut file = tokio::fs::File::create("invoice.pdf").await?;
    /// let saved = client.download_media("1037543291543636").write_to(&mut file).await?;
    /// println!("{} bytes, sha256 {}", saved.len, saved.sha256);
    /// # Ok(()) }
    /// ```
    pub async fn write_to<W>(self, writer: &mut W) -> Result<SavedMedia>
    where
        W: AsyncWrite + Unpin + Send,
    {
        let fetched = self.run(&mut Sink::Writer(writer)).await?;
        Ok(SavedMedia {
            len: fetched.len,
            mime_type: fetched.mime_type,
            sha256: fetched.sha256,
        })
    }

    async fn into_memory(self) -> Result<MediaDownload> {
        let mut sink = Sink::Memory(BytesMut::new());
        let fetched = self.run(&mut sink).await?;
        let bytes = match sink {
            Sink::Memory(bytes) => bytes.freeze(),
            Sink::Writer(_) => Bytes::new(),
        };
        Ok(MediaDownload {
            bytes,
            mime_type: fetched.mime_type,
            sha256: fetched.sha256,
        })
    }

    async fn run(self, sink: &mut Sink<'_>) -> Result<Fetched> {
        let DownloadMediaRequest {
            client,
            target,
            deadline,
            max_bytes,
        } = self;
        let overall = Overall::start(&client, deadline);
        let inner = async {
            let (info, id) = match target {
                DownloadTarget::Id(id) => {
                    let remaining = overall.remaining(&client);
                    let info = fetch_media_info(client.clone(), id.clone(), remaining).await?;
                    (info, Some(id))
                }
                DownloadTarget::Info(info) => {
                    let id = info.id.as_ref().map(|id| id.0.clone());
                    (info, id)
                }
            };
            let remaining = overall.remaining(&client);
            match fetch_and_verify(&client, &info, remaining, max_bytes, sink).await {
                Err(err) if url_expired(&err) => {
                    let Some(id) = id.filter(|id| !id.trim().is_empty()) else {
                        return Err(err);
                    };
                    tracing::debug!(
                        status = err.http_status(),
                        "media URL refused; fetching a fresh one once"
                    );
                    let remaining = overall.remaining(&client);
                    let fresh = fetch_media_info(client.clone(), id, remaining).await?;
                    let remaining = overall.remaining(&client);
                    fetch_and_verify(&client, &fresh, remaining, max_bytes, sink).await
                }
                other => other,
            }
        };
        with_deadline(&client, deadline, "downloading media", inner).await
    }
}

impl IntoFuture for DownloadMediaRequest {
    type Output = Result<MediaDownload>;
    type IntoFuture = CallFuture<MediaDownload>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.into_memory())
    }
}

/// 401, 403 and 404 from the media host are what an expired URL looks like.
fn url_expired(err: &Error) -> bool {
    matches!(err.http_status(), Some(401 | 403 | 404))
}

fn decode_error(answer: &RawAnswer, reason: impl Into<String>) -> Error {
    Error::Decode(Box::new(DecodeError::new(
        answer.status,
        answer.content_type(),
        &answer.body,
        reason,
    )))
}

/// Checks that a media URL is one the bearer token may be sent to: http(s), and https whenever
/// the API itself is reached over https (Meta's media URLs always are), so a tampered or
/// downgraded URL cannot carry the token in clear text.
fn media_download_url(client: &Client, raw: &str) -> Result<Url> {
    let refuse = |reason: String| {
        Error::Decode(Box::new(DecodeError::new(
            200,
            Some("application/json".to_owned()),
            raw.as_bytes(),
            reason,
        )))
    };
    let url = Url::parse(raw).map_err(|err| refuse(format!("the media URL is invalid: {err}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if client.endpoint().base_url().scheme() == "http" => Ok(url),
        scheme => Err(refuse(format!(
            "refusing to send the access token to a {scheme}:// media URL"
        ))),
    }
}

/// The smallest of the limits on a download, and where it comes from (on a tie, the first
/// listed: the announced size, the call's cap, Meta's limit, the client's cap).
fn download_limit(announced: Option<u64>, call: Option<u64>, client: u64) -> (u64, SizeLimit) {
    [
        (announced, SizeLimit::Announced),
        (call, SizeLimit::Call),
        (Some(MAX_UPLOAD_BYTES), SizeLimit::Meta),
        (Some(client), SizeLimit::Client),
    ]
    .into_iter()
    .filter_map(|(limit, kind)| Some((limit?, kind)))
    .min_by_key(|(limit, _)| *limit)
    .unwrap_or((MAX_UPLOAD_BYTES, SizeLimit::Meta))
}

/// Downloads one media URL into `sink`: the body streams under the limit, hashed as it comes.
async fn fetch_and_verify(
    client: &Client,
    info: &MediaInfo,
    deadline: Option<Duration>,
    max_bytes: Option<u64>,
    sink: &mut Sink<'_>,
) -> Result<Fetched> {
    const OPERATION: Operation = Operation::DownloadMedia;
    let url = media_download_url(client, &info.url)?;
    let mut call = client.call(Method::GET, url, client.facts(OPERATION));
    call.deadline = deadline;
    let mut response = client.execute_streaming(call).await?;
    let status = response.status().as_u16();
    let content_type = crate::client::content_type(&response);
    let content_length = response.content_length();
    let (limit, limit_kind) =
        download_limit(info.file_size, max_bytes, client.inner.max_download_bytes);
    let too_large = |read: u64| {
        Error::TooLarge(Box::new(TooLarge {
            operation: OPERATION,
            status,
            limit,
            limit_kind,
            read,
            content_length,
        }))
    };
    if content_length.is_some_and(|length| length > limit) {
        return Err(too_large(0));
    }
    sink.start(content_length.unwrap_or(0));
    let mut hasher = Sha256::new();
    let mut read: u64 = 0;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| Error::from_reqwest(err, OPERATION, None))?
    {
        read = read.saturating_add(chunk.len() as u64);
        if read > limit {
            return Err(too_large(read));
        }
        hasher.update(&chunk);
        sink.write(&chunk).await?;
    }
    sink.finish().await?;
    let digest = hex::encode(hasher.finalize());
    if let Some(expected) = info.sha256.as_deref().map(str::trim) {
        if !expected.is_empty() && !expected.eq_ignore_ascii_case(&digest) {
            let mut decode = DecodeError::new(
                status,
                content_type,
                sink.kept(),
                format!("sha256 mismatch: Meta announced {expected}, the download is {digest}"),
            );
            decode.body_len = usize::try_from(read).unwrap_or(usize::MAX);
            return Err(Error::Decode(Box::new(decode)));
        }
    }
    Ok(Fetched {
        len: read,
        mime_type: info.mime_type.clone().or(content_type),
        sha256: digest,
    })
}

/// Deletes an uploaded media object.
#[derive(Debug)]
#[must_use = "a delete does nothing until it is awaited"]
pub struct DeleteMediaRequest {
    client: Client,
    id: String,
    deadline: Option<Duration>,
}

impl DeleteMediaRequest {
    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    async fn run(self) -> Result<()> {
        let DeleteMediaRequest {
            client,
            id,
            deadline,
        } = self;
        let url = media_id_url(&client, &id)?;
        let mut call = client.call(Method::DELETE, url, client.facts(Operation::DeleteMedia));
        call.deadline = deadline;
        let answer = client.execute(call).await?;
        expect_success(&answer)
    }
}

impl IntoFuture for DeleteMediaRequest {
    type Output = Result<()>;
    type IntoFuture = CallFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl Client {
    /// Uploads media and answers its id (valid 30 days). The MIME type and size are checked
    /// first: an unsupported type or an oversized file is an [`Error::Validation`] and makes
    /// no request.
    pub fn upload_media(&self, upload: MediaUpload) -> UploadMediaRequest {
        UploadMediaRequest {
            client: self.clone(),
            upload,
            deadline: None,
        }
    }

    /// Looks up a media object: its download URL (valid five minutes), type, size and hash.
    /// The lookup names this client's phone number id, so Meta only answers for media that
    /// belongs to it.
    pub fn media_url(&self, id: impl AsRef<str>) -> MediaUrlRequest {
        MediaUrlRequest {
            client: self.clone(),
            id: id.as_ref().to_owned(),
            deadline: None,
        }
    }

    /// Downloads media by id: looks up the URL, fetches it with the access token, and checks
    /// the `sha256`. If the URL is refused (401, 403 or 404: it expired), a fresh one is looked
    /// up once. The body is read under a cap (see [`DownloadMediaRequest::max_bytes`]); await
    /// the request for the bytes in memory, or stream them with
    /// [`write_to`](DownloadMediaRequest::write_to).
    pub fn download_media(&self, id: impl AsRef<str>) -> DownloadMediaRequest {
        DownloadMediaRequest {
            client: self.clone(),
            target: DownloadTarget::Id(id.as_ref().to_owned()),
            deadline: None,
            max_bytes: None,
        }
    }

    /// Downloads media from a lookup you already have; if its URL has expired and it carries
    /// an id, a fresh URL is looked up once.
    pub fn download_media_url(&self, info: &MediaInfo) -> DownloadMediaRequest {
        DownloadMediaRequest {
            client: self.clone(),
            target: DownloadTarget::Info(info.clone()),
            deadline: None,
            max_bytes: None,
        }
    }

    /// Deletes uploaded media. The request names this client's phone number id, so Meta only
    /// deletes media uploaded through this number.
    pub fn delete_media(&self, id: impl AsRef<str>) -> DeleteMediaRequest {
        DeleteMediaRequest {
            client: self.clone(),
            id: id.as_ref().to_owned(),
            deadline: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder()
            .access_token("test-token")
            .phone_number_id("1234")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    }

    #[test]
    fn upload_request_body_is_bytes_and_clones() {
        let client = client();
        let upload = MediaUpload::from_bytes(&b"\x89PNG data"[..], "image/png", "a.png");
        let call = build_upload_call(&client, &upload, Bytes::from_static(b"\x89PNG data"));
        let Some(Body::Multipart { boundary, bytes }) = call.body else {
            panic!("the upload body must be multipart bytes");
        };
        // Build the request the way the client does and check a retry layer could clone it.
        let request = reqwest::Client::new()
            .request(call.method, reqwest::Url::clone(&call.url))
            .header(
                http::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(bytes.clone())
            .build()
            .unwrap();
        let clone = request.try_clone().expect("a bytes body clones");
        let cloned_body = clone.body().and_then(|body| body.as_bytes()).unwrap();
        assert_eq!(cloned_body, &bytes[..]);
    }

    #[test]
    fn mime_types_map_to_kinds() {
        assert_eq!(MediaKind::of_mime("image/jpeg"), Some(MediaKind::Image));
        assert_eq!(
            MediaKind::of_mime(" Audio/OGG; codecs=opus"),
            Some(MediaKind::Audio)
        );
        assert_eq!(MediaKind::of_mime("image/webp"), Some(MediaKind::Sticker));
        assert_eq!(MediaKind::of_mime("image/gif"), None);
        assert_eq!(MediaKind::Image.max_bytes(), 5 * MIB);
    }

    #[test]
    fn sticker_limits_depend_on_animation() {
        let mut animated = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\x02".to_vec();
        animated.resize(200 * 1024, 0);
        let mut still = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
        still.resize(200 * 1024, 0);
        let animated = MediaUpload::from_bytes(animated, "image/webp", "a.webp");
        let still = MediaUpload::from_bytes(still, "image/webp", "s.webp");
        assert!(animated.validate().is_ok());
        let err = still.validate().unwrap_err();
        assert_eq!(err.field, "file");
        assert!(err.problem.contains("static sticker"), "{err}");
    }

    #[test]
    fn validation_rejects_bad_type_empty_and_oversized() {
        let gif = MediaUpload::from_bytes(&b"GIF89a"[..], "image/gif", "a.gif");
        assert_eq!(gif.validate().unwrap_err().field, "type");
        let injected = MediaUpload::from_bytes(&b"x"[..], "image/png\r\nX: 1", "a.png");
        assert_eq!(injected.validate().unwrap_err().field, "type");
        let empty = MediaUpload::from_bytes(Bytes::new(), "image/png", "a.png");
        assert!(empty.validate().unwrap_err().problem.contains("empty"));
        let big = MediaUpload::from_bytes(vec![0u8; 5 * 1024 * 1024 + 1], "image/png", "a.png");
        assert!(big.validate().unwrap_err().problem.contains("image"));
        let ok = MediaUpload::from_bytes(vec![0u8; 5 * 1024 * 1024], "image/png", "a.png");
        assert_eq!(ok.validate(), Ok(MediaKind::Image));
    }

    #[test]
    fn the_smallest_download_limit_wins() {
        let meta = MAX_UPLOAD_BYTES;
        assert_eq!(download_limit(None, None, meta), (meta, SizeLimit::Meta));
        assert_eq!(
            download_limit(Some(u64::MAX), Some(u64::MAX), meta),
            (meta, SizeLimit::Meta)
        );
        assert_eq!(
            download_limit(Some(1_024), Some(10), meta),
            (10, SizeLimit::Call)
        );
        assert_eq!(
            download_limit(Some(1_024), Some(1_024), 1_024),
            (1_024, SizeLimit::Announced)
        );
        assert_eq!(download_limit(None, None, 5), (5, SizeLimit::Client));
    }

    #[test]
    fn file_size_reads_numbers_and_strings() {
        let info: MediaInfo =
            serde_json::from_str(r#"{"url":"https://x/y","file_size":"303833"}"#).unwrap();
        assert_eq!(info.file_size, Some(303_833));
        let info: MediaInfo =
            serde_json::from_str(r#"{"url":"https://x/y","file_size":12}"#).unwrap();
        assert_eq!(info.file_size, Some(12));
        let info: MediaInfo =
            serde_json::from_str(r#"{"url":"https://x/y","file_size":null}"#).unwrap();
        assert_eq!(info.file_size, None);
        let info: MediaInfo =
            serde_json::from_str(r#"{"url":"https://x/y","file_size":[1]}"#).unwrap();
        assert_eq!(info.file_size, None);
    }

    #[test]
    fn media_urls_must_not_downgrade_to_http() {
        let https_client = Client::builder()
            .access_token("t")
            .phone_number_id("1")
            .build()
            .unwrap();
        assert!(media_download_url(&https_client, "https://lookaside.fbsbx.com/x").is_ok());
        assert!(matches!(
            media_download_url(&https_client, "http://lookaside.fbsbx.com/x"),
            Err(Error::Decode(_))
        ));
        assert!(matches!(
            media_download_url(&https_client, "file:///etc/passwd"),
            Err(Error::Decode(_))
        ));
        assert!(media_download_url(&client(), "http://127.0.0.1:9/m").is_ok());
        assert!(matches!(
            media_download_url(&client(), "not a url"),
            Err(Error::Decode(_))
        ));
    }
}
