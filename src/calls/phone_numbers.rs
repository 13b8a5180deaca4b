//! Phone numbers: list a WhatsApp Business Account's numbers (`GET /{waba-id}/phone_numbers`),
//! read one (`GET /{phone-number-id}`), request and verify a code (`POST .../request_code`,
//! `.../verify_code`), register and deregister (`POST .../register`, `.../deregister`), and
//! set the two-step verification PIN (`POST /{phone-number-id}`).
//!
//! Requesting a code, verifying it, registering and deregistering are not repeated after an
//! unanswered attempt (each can send an SMS, spend a code or count against the 133016
//! register limit): such an attempt is an unknown outcome. Setting the PIN is repeated.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::manage::{
    json_body, management_call, run_json, run_success, BusinessAccount, PhoneNumber,
};
use super::paging::List;
use super::status::{PhoneNumberState, NUMBER_STATE_FIELDS};
use crate::error::Result;
use crate::layers::facts::Management;
use crate::models::phone_numbers::{
    check_code, check_language, check_pin, check_region, CodeMethod,
};

const LIST: Management = Management::read("phone-number-list");
const GET: Management = Management::read("phone-number-get");
const REQUEST_CODE: Management = Management::not_idempotent("phone-number-request-code");
const VERIFY_CODE: Management = Management::not_idempotent("phone-number-verify-code");
const REGISTER: Management = Management::not_idempotent("phone-number-register");
const DEREGISTER: Management = Management::not_idempotent("phone-number-deregister");
const SET_PIN: Management = Management::idempotent("phone-number-set-pin");

impl BusinessAccount {
    /// Lists the account's phone numbers with their state (every page).
    pub fn phone_numbers(&self) -> List<PhoneNumberState> {
        List::new(
            self.client.clone(),
            self.url(&["phone_numbers"]),
            LIST,
            None,
        )
        .query("fields", &format!("id,{NUMBER_STATE_FIELDS}"))
    }
}

impl PhoneNumber {
    /// Reads the number's state: quality rating, throughput, messaging limit, name status.
    pub fn get(&self) -> GetPhoneNumberRequest {
        GetPhoneNumberRequest {
            number: self.clone(),
            deadline: None,
        }
    }

    /// Asks Meta to send a verification code by SMS or voice call, in `language` (e.g.
    /// `en_US`).
    pub fn request_code(
        &self,
        method: CodeMethod,
        language: impl Into<String>,
    ) -> RequestCodeRequest {
        RequestCodeRequest {
            number: self.clone(),
            method,
            language: language.into(),
            deadline: None,
        }
    }

    /// Verifies the number with the code Meta sent.
    pub fn verify_code(&self, code: impl Into<String>) -> VerifyCodeRequest {
        VerifyCodeRequest {
            number: self.clone(),
            code: code.into(),
            deadline: None,
        }
    }

    /// Registers the number with the Cloud API, with its six-digit two-step verification PIN
    /// (which this sets if the number has none).
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// client.phone_number().register("123456").data_localization_region("DE").await?;
    /// # Ok(()) }
    /// ```
    pub fn register(&self, pin: impl Into<String>) -> RegisterRequest {
        RegisterRequest {
            number: self.clone(),
            pin: pin.into(),
            region: None,
            deadline: None,
        }
    }

    /// Deregisters the number from the Cloud API.
    pub fn deregister(&self) -> DeregisterRequest {
        DeregisterRequest {
            number: self.clone(),
            deadline: None,
        }
    }

    /// Sets (or changes) the six-digit two-step verification PIN.
    pub fn set_two_step_pin(&self, pin: impl Into<String>) -> SetPinRequest {
        SetPinRequest {
            number: self.clone(),
            pin: pin.into(),
            deadline: None,
        }
    }
}

/// Reads a number's state.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetPhoneNumberRequest {
    number: PhoneNumber,
    deadline: Option<Duration>,
}

impl GetPhoneNumberRequest {
    async fn run(self) -> Result<PhoneNumberState> {
        let mut url = self.number.url(&[])?;
        url.query_pairs_mut()
            .append_pair("fields", NUMBER_STATE_FIELDS);
        let call = self.number.call(Method::GET, url, GET);
        run_json(&self.number.client, call, self.deadline).await
    }
}

management_call!(GetPhoneNumberRequest -> PhoneNumberState);

/// Asks for a verification code.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct RequestCodeRequest {
    number: PhoneNumber,
    method: CodeMethod,
    language: String,
    deadline: Option<Duration>,
}

impl RequestCodeRequest {
    async fn run(self) -> Result<()> {
        check_language(&self.language)?;
        let url = self.number.url(&["request_code"])?;
        let mut call = self.number.call(Method::POST, url, REQUEST_CODE);
        let body = json!({"code_method": self.method.as_str(), "language": self.language});
        call.body = Some(json_body("request_code", &body)?);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(RequestCodeRequest -> ());

/// Verifies a code.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct VerifyCodeRequest {
    number: PhoneNumber,
    code: String,
    deadline: Option<Duration>,
}

impl VerifyCodeRequest {
    async fn run(self) -> Result<()> {
        let code = check_code(&self.code)?;
        let url = self.number.url(&["verify_code"])?;
        let mut call = self.number.call(Method::POST, url, VERIFY_CODE);
        call.body = Some(json_body("verify_code", &json!({ "code": code }))?);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(VerifyCodeRequest -> ());

/// Registers a number. Its `Debug` output hides the PIN.
#[must_use = "a request does nothing until it is awaited"]
pub struct RegisterRequest {
    number: PhoneNumber,
    pin: String,
    region: Option<String>,
    deadline: Option<Duration>,
}

impl RegisterRequest {
    /// Stores the number's messages at rest in this country (local storage, an ISO 3166
    /// alpha-2 code such as `DE`).
    pub fn data_localization_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    async fn run(self) -> Result<()> {
        check_pin("pin", &self.pin)?;
        let mut body = json!({"messaging_product": "whatsapp", "pin": self.pin});
        if let Some(region) = &self.region {
            check_region(region)?;
            body["data_localization_region"] = json!(region);
        }
        let url = self.number.url(&["register"])?;
        let mut call = self.number.call(Method::POST, url, REGISTER);
        call.body = Some(json_body("register", &body)?);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(RegisterRequest -> ());

impl std::fmt::Debug for RegisterRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisterRequest")
            .field("number", &self.number.id)
            .field("pin", &"<redacted>")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Deregisters a number.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct DeregisterRequest {
    number: PhoneNumber,
    deadline: Option<Duration>,
}

impl DeregisterRequest {
    async fn run(self) -> Result<()> {
        let url = self.number.url(&["deregister"])?;
        let call = self.number.call(Method::POST, url, DEREGISTER);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(DeregisterRequest -> ());

/// Sets the two-step verification PIN. Its `Debug` output hides the PIN.
#[must_use = "a request does nothing until it is awaited"]
pub struct SetPinRequest {
    number: PhoneNumber,
    pin: String,
    deadline: Option<Duration>,
}

impl SetPinRequest {
    async fn run(self) -> Result<()> {
        check_pin("pin", &self.pin)?;
        let url = self.number.url(&[])?;
        let mut call = self.number.call(Method::POST, url, SET_PIN);
        call.body = Some(json_body("pin", &json!({ "pin": self.pin }))?);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(SetPinRequest -> ());

impl std::fmt::Debug for SetPinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetPinRequest")
            .field("number", &self.number.id)
            .field("pin", &"<redacted>")
            .finish_non_exhaustive()
    }
}
