//! The business profile of a phone number: `GET|POST
//! /{phone-number-id}/whatsapp_business_profile`. Updating is idempotent (the same fields set
//! twice leave the same profile), so an unanswered update is repeated.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use super::manage::{json_body, management_call, run_json, run_success, PhoneNumber};
use crate::error::{DecodeError, Error, Result};
use crate::layers::facts::Management;
use crate::models::profile::{BusinessProfile, ProfileUpdate, PROFILE_FIELDS};

const GET: Management = Management::read("business-profile-get");
const UPDATE: Management = Management::idempotent("business-profile-update");

impl PhoneNumber {
    /// Reads the number's business profile.
    pub fn business_profile(&self) -> GetProfileRequest {
        GetProfileRequest {
            number: self.clone(),
            deadline: None,
        }
    }

    /// Updates the fields set in `update` (checked first: a broken limit sends nothing).
    ///
    /// ```no_run
    /// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
    /// use wacloud::models::profile::{ProfileUpdate, Vertical};
    /// client
    ///     .phone_number()
    ///     .update_business_profile(ProfileUpdate::new().about("Open 9-5").vertical(Vertical::Retail))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn update_business_profile(&self, update: ProfileUpdate) -> UpdateProfileRequest {
        UpdateProfileRequest {
            number: self.clone(),
            update,
            deadline: None,
        }
    }
}

/// Reads a business profile.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct GetProfileRequest {
    number: PhoneNumber,
    deadline: Option<Duration>,
}

#[derive(Deserialize)]
struct ProfileAnswer {
    #[serde(default)]
    data: Vec<BusinessProfile>,
}

impl GetProfileRequest {
    async fn run(self) -> Result<BusinessProfile> {
        let mut url = self.number.url(&["whatsapp_business_profile"])?;
        url.query_pairs_mut().append_pair("fields", PROFILE_FIELDS);
        let call = self.number.call(Method::GET, url, GET);
        let answer: ProfileAnswer = run_json(&self.number.client, call, self.deadline).await?;
        answer.data.into_iter().next().ok_or_else(|| {
            Error::Decode(Box::new(DecodeError::new(
                200,
                Some("application/json".to_owned()),
                b"",
                "the business profile answer has no data",
            )))
        })
    }
}

management_call!(GetProfileRequest -> BusinessProfile);

/// Updates a business profile.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct UpdateProfileRequest {
    number: PhoneNumber,
    update: ProfileUpdate,
    deadline: Option<Duration>,
}

impl UpdateProfileRequest {
    async fn run(self) -> Result<()> {
        self.update.check()?;
        let url = self.number.url(&["whatsapp_business_profile"])?;
        let mut call = self.number.call(Method::POST, url, UPDATE);
        call.body = Some(json_body("profile", &self.update.to_json())?);
        run_success(&self.number.client, call, self.deadline).await
    }
}

management_call!(UpdateProfileRequest -> ());
