//! The business profile users see: what Meta answers, and an update checked against Meta's
//! limits where each field is set.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use crate::calls::status::lenient_enum;
use crate::error::ValidationError;

/// The longest "about" text.
pub const MAX_ABOUT_LEN: usize = 139;
/// The longest address.
pub const MAX_ADDRESS_LEN: usize = 256;
/// The longest description.
pub const MAX_DESCRIPTION_LEN: usize = 512;
/// The longest email address.
pub const MAX_EMAIL_LEN: usize = 128;
/// The most websites.
pub const MAX_WEBSITES: usize = 2;
/// The longest website URL.
pub const MAX_WEBSITE_LEN: usize = 256;

/// The fields [`PhoneNumber::business_profile`](crate::calls::manage::PhoneNumber::business_profile)
/// asks for.
pub const PROFILE_FIELDS: &str =
    "about,address,description,email,profile_picture_url,websites,vertical";

lenient_enum! {
    /// The business's industry.
    pub enum Vertical {
        /// Not set.
        Undefined = "UNDEFINED",
        /// Another industry (Meta's `OTHER`).
        OtherIndustry = "OTHER",
        /// Automotive.
        Auto = "AUTO",
        /// Beauty, spa and salon.
        Beauty = "BEAUTY",
        /// Clothing and apparel.
        Apparel = "APPAREL",
        /// Education.
        Edu = "EDU",
        /// Entertainment.
        Entertain = "ENTERTAIN",
        /// Event planning and service.
        EventPlan = "EVENT_PLAN",
        /// Finance and banking.
        Finance = "FINANCE",
        /// Food and grocery.
        Grocery = "GROCERY",
        /// Public service.
        Govt = "GOVT",
        /// Hotel and lodging.
        Hotel = "HOTEL",
        /// Medical and health.
        Health = "HEALTH",
        /// Non-profit.
        Nonprofit = "NONPROFIT",
        /// Professional services.
        ProfServices = "PROF_SERVICES",
        /// Shopping and retail.
        Retail = "RETAIL",
        /// Travel and transportation.
        Travel = "TRAVEL",
        /// Restaurant.
        Restaurant = "RESTAURANT",
        /// Not a business.
        NotABiz = "NOT_A_BIZ",
    }
}

/// The business profile as Meta answers it; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BusinessProfile {
    /// The "about" text.
    #[serde(default)]
    pub about: Option<String>,
    /// The address.
    #[serde(default)]
    pub address: Option<String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The contact email.
    #[serde(default)]
    pub email: Option<String>,
    /// Where the profile picture is (a URL that expires).
    #[serde(default)]
    pub profile_picture_url: Option<String>,
    /// Up to two websites.
    #[serde(default)]
    pub websites: Vec<String>,
    /// The industry.
    #[serde(default)]
    pub vertical: Option<Vertical>,
}

/// An update of the business profile: only the fields set are sent. Each setter checks Meta's
/// limit; the first failure is reported when the update is sent (nothing is sent then).
///
/// ```
/// use wacloud::models::profile::{ProfileUpdate, Vertical};
/// let update = ProfileUpdate::new()
///     .about("Fresh succulents, delivered")
///     .email("hello@example.com")
///     .websites(["https://example.com"])
///     .vertical(Vertical::Retail);
/// assert!(update.check().is_ok());
/// assert!(ProfileUpdate::new().about("").check().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct ProfileUpdate {
    fields: Map<String, Value>,
    error: Option<ValidationError>,
}

impl ProfileUpdate {
    /// An empty update.
    pub fn new() -> Self {
        ProfileUpdate::default()
    }

    fn text(mut self, field: &str, value: String, max: usize) -> Self {
        let count = value.chars().count();
        if value.trim().is_empty() || count > max {
            return self.fail(ValidationError::new(
                field,
                format!("must be 1 to {max} characters (got {count})"),
            ));
        }
        self.fields.insert(field.into(), json!(value));
        self
    }

    fn fail(mut self, error: ValidationError) -> Self {
        self.error.get_or_insert(error);
        self
    }

    /// The "about" text (1-139 characters).
    pub fn about(self, about: impl Into<String>) -> Self {
        self.text("about", about.into(), MAX_ABOUT_LEN)
    }

    /// The address (at most 256 characters).
    pub fn address(self, address: impl Into<String>) -> Self {
        self.text("address", address.into(), MAX_ADDRESS_LEN)
    }

    /// The description (at most 512 characters).
    pub fn description(self, description: impl Into<String>) -> Self {
        self.text("description", description.into(), MAX_DESCRIPTION_LEN)
    }

    /// The contact email (at most 128 characters).
    pub fn email(self, email: impl Into<String>) -> Self {
        let email = email.into();
        let plausible = email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
            && !email.contains(char::is_whitespace);
        if !plausible {
            return self.fail(ValidationError::new("email", "must be an email address"));
        }
        self.text("email", email, MAX_EMAIL_LEN)
    }

    /// The websites (at most two, each an http(s) URL of at most 256 characters); replaces
    /// the current ones.
    pub fn websites<I, S>(mut self, websites: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let websites: Vec<String> = websites.into_iter().map(Into::into).collect();
        if websites.len() > MAX_WEBSITES {
            return self.fail(ValidationError::new(
                "websites",
                format!("at most {MAX_WEBSITES} websites"),
            ));
        }
        for (index, site) in websites.iter().enumerate() {
            let ok = (site.starts_with("https://") || site.starts_with("http://"))
                && site.chars().count() <= MAX_WEBSITE_LEN;
            if !ok {
                return self.fail(ValidationError::new(
                    format!("websites[{index}]"),
                    format!("must be an http:// or https:// URL of at most {MAX_WEBSITE_LEN} characters"),
                ));
            }
        }
        self.fields.insert("websites".into(), json!(websites));
        self
    }

    /// The industry.
    pub fn vertical(mut self, vertical: Vertical) -> Self {
        self.fields
            .insert("vertical".into(), json!(vertical.as_str()));
        self
    }

    /// The profile picture, by the handle the resumable upload API answered
    /// ([`Client::upload_file`](crate::Client::upload_file)).
    pub fn profile_picture_handle(mut self, handle: impl Into<String>) -> Self {
        let handle = handle.into();
        if handle.trim().is_empty() {
            return self.fail(ValidationError::new(
                "profile_picture_handle",
                "must not be empty",
            ));
        }
        self.fields
            .insert("profile_picture_handle".into(), json!(handle));
        self
    }

    /// The first limit a setter found broken, or an empty update.
    pub fn check(&self) -> Result<(), ValidationError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.fields.is_empty() {
            return Err(ValidationError::new(
                "profile",
                "an update must set at least one field",
            ));
        }
        Ok(())
    }

    /// The request body: the fields set, with `messaging_product`.
    pub(crate) fn to_json(&self) -> Value {
        let mut body = self.fields.clone();
        body.insert("messaging_product".into(), json!("whatsapp"));
        Value::Object(body)
    }
}
