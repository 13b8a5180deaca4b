//! Meta's resumable upload API, which answers the *handle* that template media headers and the
//! business profile picture take: `POST /{app-id}/uploads` opens a session, `POST
//! /{upload-session-id}` (with `Authorization: OAuth`, `file_offset: 0`) sends the bytes.
//!
//! Opening a session is not repeated after an unanswered attempt (it would leave an orphan
//! session); sending the bytes at offset 0 is (the same bytes at the same offset).

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::Deserialize;

use super::manage::{check_graph_id, manage_call, management_call, run_json};
use crate::client::{Body, Client};
use crate::error::{DecodeError, Error, Result, ValidationError};
use crate::layers::facts::Management;

const OPEN: Management = Management::not_idempotent("upload-session-create");
const SEND: Management = Management::idempotent("upload-file");

/// The file types the resumable upload API takes.
pub const UPLOAD_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// A file to upload: its name, MIME type and bytes.
#[derive(Debug, Clone)]
pub struct FileUpload {
    name: String,
    mime_type: String,
    bytes: Bytes,
}

impl FileUpload {
    /// A file from memory.
    pub fn new(
        name: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> Self {
        FileUpload {
            name: name.into(),
            mime_type: mime_type.into(),
            bytes: bytes.into(),
        }
    }

    fn check(&self) -> std::result::Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("file_name", "must not be empty"));
        }
        if !UPLOAD_TYPES.contains(&self.mime_type.as_str()) {
            return Err(ValidationError::new(
                "file_type",
                format!("must be one of {}", UPLOAD_TYPES.join(", ")),
            ));
        }
        if self.bytes.is_empty() {
            return Err(ValidationError::new("file_length", "the file is empty"));
        }
        Ok(())
    }
}

/// An uploaded file's handle (e.g. `4::aW...`), for a template media header or a profile
/// picture.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UploadHandle {
    /// The handle.
    #[serde(rename = "h")]
    pub handle: String,
}

#[derive(Deserialize)]
struct Session {
    id: String,
}

/// Uploads a file and answers its handle.
#[derive(Debug)]
#[must_use = "an upload does nothing until it is awaited"]
pub struct UploadFileRequest {
    client: Client,
    app_id: String,
    file: FileUpload,
    deadline: Option<Duration>,
}

impl UploadFileRequest {
    async fn run(self) -> Result<UploadHandle> {
        check_graph_id("app_id", &self.app_id)?;
        self.file.check()?;
        let client = &self.client;
        let mut url = client.endpoint().url(&[&self.app_id, "uploads"]);
        url.query_pairs_mut()
            .append_pair("file_name", &self.file.name)
            .append_pair("file_length", &self.file.bytes.len().to_string())
            .append_pair("file_type", &self.file.mime_type);
        let open = manage_call(client, Method::POST, url, OPEN, None);
        let session: Session = run_json(client, open, self.deadline).await?;
        // Meta's session id carries its signature as a query: `upload:MTph...?sig=ARZ...`.
        let (session_path, signature) = session.id.split_once('?').unwrap_or((&session.id, ""));
        if !session_path.starts_with("upload:") || session_path.contains('/') {
            return Err(Error::Decode(Box::new(DecodeError::new(
                200,
                Some("application/json".to_owned()),
                session.id.as_bytes(),
                "the upload session id is not Meta's `upload:...`",
            ))));
        }
        let mut url = client.endpoint().url(&[session_path]);
        if !signature.is_empty() {
            url.set_query(Some(signature));
        }
        let mut send = manage_call(client, Method::POST, url, SEND, None);
        send.oauth_scheme = true;
        send.headers.push((
            http::HeaderName::from_static("file_offset"),
            http::HeaderValue::from_static("0"),
        ));
        send.body = Some(Body::Raw {
            content_type: self.file.mime_type.clone(),
            bytes: self.file.bytes.clone(),
        });
        run_json(client, send, self.deadline).await
    }
}

management_call!(UploadFileRequest -> UploadHandle);

impl Client {
    /// Uploads a file through Meta's resumable upload API, as the app `app_id`, and answers
    /// the handle that a template media header or a profile picture takes.
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client, jpeg: Vec<u8>) -> Result<(), wacloud::Error> {
    /// use wacloud::calls::uploads::FileUpload;
    /// use wacloud::models::profile::ProfileUpdate;
    /// let uploaded = client
    ///     .upload_file("300000000000001", FileUpload::new("logo.jpg", "image/jpeg", jpeg))
    ///     .await?;
    /// client
    ///     .phone_number()
    ///     .update_business_profile(ProfileUpdate::new().profile_picture_handle(uploaded.handle))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(&self, app_id: impl Into<String>, file: FileUpload) -> UploadFileRequest {
        UploadFileRequest {
            client: self.clone(),
            app_id: app_id.into(),
            file,
            deadline: None,
        }
    }
}
