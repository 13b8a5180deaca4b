//! QR codes and short links of a phone number: `POST|GET /{phone-number-id}/message_qrdls`,
//! `GET|DELETE /{phone-number-id}/message_qrdls/{code}`.
//!
//! Creating is not repeated after an unanswered attempt (it could make a second code), nor is
//! deleting (a repeat would answer "not found"); updating the message is.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::manage::{json_body, management_call, run_json, run_success, PhoneNumber};
use super::paging::List;
use crate::error::{DecodeError, Error, Result};
use crate::layers::facts::Management;
use crate::models::qr_codes::{check_code, check_prefilled_message, QrCode, QrImageFormat};

const CREATE: Management = Management::not_idempotent("qr-code-create");
const LIST: Management = Management::read("qr-code-list");
const GET: Management = Management::read("qr-code-get");
const UPDATE: Management = Management::idempotent("qr-code-update");
const DELETE: Management = Management::not_idempotent("qr-code-delete");

impl PhoneNumber {
    /// Creates a QR code whose chat opens with `prefilled_message` (1-140 characters), with
    /// an image in `format`.
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// use wacloud::models::qr_codes::QrImageFormat;
    /// let qr = client.phone_number().create_qr_code("Hi! I'd like a table for two", QrImageFormat::Svg).await?;
    /// println!("{} {:?}", qr.code, qr.deep_link_url);
    /// # Ok(()) }
    /// ```
    pub fn create_qr_code(
        &self,
        prefilled_message: impl Into<String>,
        format: QrImageFormat,
    ) -> CreateQrCodeRequest {
        CreateQrCodeRequest {
            number: self.clone(),
            prefilled_message: prefilled_message.into(),
            format,
            deadline: None,
        }
    }

    /// Lists the number's QR codes, every page.
    pub fn qr_codes(&self) -> List<QrCode> {
        List::new(
            self.client.clone(),
            self.url(&["message_qrdls"]),
            LIST,
            Some(self.id.clone()),
        )
    }

    /// Reads one QR code.
    pub fn qr_code(&self, code: impl Into<String>) -> GetQrCodeRequest {
        GetQrCodeRequest {
            number: self.clone(),
            code: code.into(),
            deadline: None,
        }
    }

    /// Changes a QR code's prefilled message.
    pub fn update_qr_code(
        &self,
        code: impl Into<String>,
        prefilled_message: impl Into<String>,
    ) -> UpdateQrCodeRequest {
        UpdateQrCodeRequest {
            number: self.clone(),
            code: code.into(),
            prefilled_message: prefilled_message.into(),
            deadline: None,
        }
    }

    /// Deletes a QR code (its link stops working).
    pub fn delete_qr_code(&self, code: impl Into<String>) -> DeleteQrCodeRequest {
        DeleteQrCodeRequest {
            number: self.clone(),
            code: code.into(),
            deadline: None,
        }
    }
}

/// Creates a QR code.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateQrCodeRequest {
    number: PhoneNumber,
    prefilled_message: String,
    format: QrImageFormat,
    deadline: Option<Duration>,
}

impl CreateQrCodeRequest {
    async fn run(self) -> Result<QrCode> {
        check_prefilled_message(&self.prefilled_message)?;
        let url = self.number.url(&["message_qrdls"])?;
        let mut call = self.number.call(Method::POST, url, CREATE);
        let body = json!({"prefilled_message": self.prefilled_message, "generate_qr_image": self.format.as_str()});
        call.body = Some(json_body("qr_code", &body)?);
        run_json(&self.number.client, call, self.deadline).await
    }
}

management_call!(CreateQrCodeRequest -> QrCode);

#[derive(Deserialize)]
struct QrList {
    #[serde(default)]
    data: Vec<QrCode>,
}

/// Reads a QR code.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetQrCodeRequest {
    number: PhoneNumber,
    code: String,
    deadline: Option<Duration>,
}

impl GetQrCodeRequest {
    async fn run(self) -> Result<QrCode> {
        check_code(&self.code)?;
        let url = self.number.url(&["message_qrdls", &self.code])?;
        let call = self.number.call(Method::GET, url, GET);
        let list: QrList = run_json(&self.number.client, call, self.deadline).await?;
        list.data.into_iter().next().ok_or_else(|| {
            Error::Decode(Box::new(DecodeError::new(
                200,
                Some("application/json".to_owned()),
                b"",
                "the QR code answer has no data",
            )))
        })
    }
}

management_call!(GetQrCodeRequest -> QrCode);

/// Changes a QR code's message.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct UpdateQrCodeRequest {
    number: PhoneNumber,
    code: String,
    prefilled_message: String,
    deadline: Option<Duration>,
}

impl UpdateQrCodeRequest {
    async fn run(self) -> Result<QrCode> {
        check_code(&self.code)?;
        check_prefilled_message(&self.prefilled_message)?;
        let url = self.number.url(&["message_qrdls"])?;
        let mut call = self.number.call(Method::POST, url, UPDATE);
        let body = json!({"code": self.code, "prefilled_message": self.prefilled_message});
        call.body = Some(json_body("qr_code", &body)?);
        run_json(&self.number.client, call, self.deadline).await
    }
}

management_call!(UpdateQrCodeRequest -> QrCode);

/// Deletes a QR code.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct DeleteQrCodeRequest {
    number: PhoneNumber,
    code: String,
    deadline: Option<Duration>,
}

impl DeleteQrCodeRequest {
    async fn run(self) -> Result<()> {
        check_code(&self.code)?;
        let url = self.number.url(&["message_qrdls", &self.code])?;
        let call = self.number.call(Method::DELETE, url, DELETE);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(DeleteQrCodeRequest -> ());
