//! Status calls: marking a message as read, the typing indicator, and the business number's
//! own state (`GET /{phone-number-id}`).

use std::fmt;
use std::future::IntoFuture;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CallFuture;
use crate::client::{Body, Client, RawAnswer};
use crate::error::{DecodeError, Error, Result, ValidationError};
use crate::layers::facts::Operation;

/// The fields [`Client::number_state`] asks for (Graph returns `id` with any field list).
///
/// `whatsapp_business_manager_messaging_limit` replaces `messaging_limit_tier`, which Meta
/// deprecated when messaging limits moved to the business portfolio (October 2025); asking for
/// a field a version no longer has is a Graph error, so the old one is not requested.
pub const NUMBER_STATE_FIELDS: &str = "display_phone_number,verified_name,quality_rating,\
throughput,code_verification_status,name_status,platform_type,\
whatsapp_business_manager_messaging_limit";

/// The body of a mark-read or typing-indicator call.
#[derive(Serialize)]
struct ReadBody<'a> {
    messaging_product: &'static str,
    status: &'static str,
    message_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    typing_indicator: Option<TypingIndicatorBody>,
}

#[derive(Serialize)]
struct TypingIndicatorBody {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// `{"success": true}`, the answer of calls that only acknowledge.
#[derive(Deserialize)]
struct SuccessAnswer {
    #[serde(default)]
    success: bool,
}

/// Checks a `{"success": true}` answer; anything else is a [`Error::Decode`], because a caller
/// who is told "ok" must be able to rely on Meta having said so.
pub(crate) fn expect_success(answer: &RawAnswer) -> Result<()> {
    let parsed: SuccessAnswer = crate::client::decode_json(answer)?;
    if parsed.success {
        Ok(())
    } else {
        Err(Error::Decode(Box::new(DecodeError::new(
            answer.status,
            answer.content_type(),
            &answer.body,
            "the answer does not say \"success\": true",
        ))))
    }
}

/// Builds and runs a `POST /{phone-number-id}/messages` read receipt, with or without the typing
/// indicator.
async fn run_read(
    client: Client,
    message_id: String,
    typing: bool,
    deadline: Option<Duration>,
) -> Result<()> {
    let operation = if typing {
        Operation::TypingIndicator
    } else {
        Operation::MarkRead
    };
    if message_id.trim().is_empty() {
        return Err(ValidationError::new("message_id", "must not be empty").into());
    }
    let body = ReadBody {
        messaging_product: "whatsapp",
        status: "read",
        message_id: &message_id,
        typing_indicator: typing.then_some(TypingIndicatorBody { kind: "text" }),
    };
    let bytes = serde_json::to_vec(&body).map_err(|err| {
        ValidationError::new("message_id", format!("could not be serialized: {err}"))
    })?;
    let url = client.endpoint().messages_url().clone();
    let mut call = client.call(Method::POST, url, client.facts(operation));
    call.body = Some(Body::Json(Bytes::from(bytes)));
    call.deadline = deadline;
    let answer = client.execute(call).await?;
    expect_success(&answer)
}

/// Marks a received message as read (two blue ticks; earlier messages in the chat too).
///
/// ```no_run
/// # async fn demo(client: wacloud::Client) -> Result<(), wacloud::Error> {
/// client.mark_read("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA").await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "marking as read does nothing until it is awaited"]
pub struct MarkReadRequest {
    client: Client,
    message_id: String,
    deadline: Option<Duration>,
}

impl MarkReadRequest {
    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }
}

impl IntoFuture for MarkReadRequest {
    type Output = Result<()>;
    type IntoFuture = CallFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run_read(self.client, self.message_id, false, self.deadline))
    }
}

/// Marks a received message as read and shows the typing indicator, so the user sees that a
/// reply is coming. WhatsApp hides the indicator when the reply arrives or after 25 seconds,
/// whichever is first; only show it when you will reply.
#[derive(Debug)]
#[must_use = "the typing indicator does nothing until it is awaited"]
pub struct TypingIndicatorRequest {
    client: Client,
    message_id: String,
    deadline: Option<Duration>,
}

impl TypingIndicatorRequest {
    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }
}

impl IntoFuture for TypingIndicatorRequest {
    type Output = Result<()>;
    type IntoFuture = CallFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run_read(self.client, self.message_id, true, self.deadline))
    }
}

/// Declares a string enum that keeps values it does not know, so a new value from Meta is data,
/// not a decode failure.
macro_rules! lenient_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept as Meta sent it.
            Other(String),
        }

        impl $name {
            /// The value as Meta writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::from(text.as_str()))
            }
        }
    };
}

// Shared with the management models, which read Meta's open-ended enums the same way.
pub(crate) use lenient_enum;

lenient_enum! {
    /// The number's quality rating, from the messages users received in the last 7 days.
    pub enum QualityRating {
        /// High quality.
        Green = "GREEN",
        /// Medium quality.
        Yellow = "YELLOW",
        /// Low quality: messaging limits may drop.
        Red = "RED",
        /// Not rated yet (also used when the answer has no rating).
        Unknown = "UNKNOWN",
    }
}

lenient_enum! {
    /// The number's throughput level.
    pub enum ThroughputLevel {
        /// 80 messages per second (the default).
        Standard = "STANDARD",
        /// Up to 1,000 messages per second.
        High = "HIGH",
        /// Throughput does not apply (e.g. a number not on Cloud API).
        NotApplicable = "NOT_APPLICABLE",
    }
}

lenient_enum! {
    /// Whether the number's ownership was verified with a code.
    pub enum CodeVerificationStatus {
        /// Verified.
        Verified = "VERIFIED",
        /// Not verified.
        NotVerified = "NOT_VERIFIED",
        /// The verification expired.
        Expired = "EXPIRED",
    }
}

lenient_enum! {
    /// The review state of the number's display name.
    pub enum NameStatus {
        /// Approved.
        Approved = "APPROVED",
        /// Usable without review.
        AvailableWithoutReview = "AVAILABLE_WITHOUT_REVIEW",
        /// Rejected.
        Declined = "DECLINED",
        /// Expired.
        Expired = "EXPIRED",
        /// Waiting for review.
        PendingReview = "PENDING_REVIEW",
        /// No name submitted.
        None = "NONE",
    }
}

lenient_enum! {
    /// Which platform the number is registered on.
    pub enum PlatformType {
        /// Meta's Cloud API.
        CloudApi = "CLOUD_API",
        /// The retired On-Premises API.
        OnPremise = "ON_PREMISE",
        /// Not registered.
        NotApplicable = "NOT_APPLICABLE",
    }
}

/// The number's throughput.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Throughput {
    /// The level Meta currently grants.
    pub level: ThroughputLevel,
}

/// The business number's state as Meta reports it. Every field is optional because Graph only
/// returns what it has; unknown enum values are kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumberState {
    /// The phone number id.
    #[serde(default)]
    pub id: Option<String>,
    /// The number as users see it, e.g. `+1 555-010-0001`.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// The approved business name.
    #[serde(default)]
    pub verified_name: Option<String>,
    /// The quality rating; [`QualityRating::Unknown`] when absent.
    #[serde(default = "unknown_quality")]
    pub quality_rating: QualityRating,
    /// The throughput level, when reported.
    #[serde(default, deserialize_with = "throughput_or_none")]
    pub throughput: Option<Throughput>,
    /// Code verification status.
    #[serde(default)]
    pub code_verification_status: Option<CodeVerificationStatus>,
    /// Display name review status.
    #[serde(default)]
    pub name_status: Option<NameStatus>,
    /// The platform the number is on.
    #[serde(default)]
    pub platform_type: Option<PlatformType>,
    /// The business portfolio's messaging limit (`TIER_250`, `TIER_2K`, `TIER_10K`,
    /// `TIER_100K`, `TIER_UNLIMITED`, ...), kept as text since Meta changes the tiers.
    #[serde(default, rename = "whatsapp_business_manager_messaging_limit")]
    pub messaging_limit: Option<String>,
    /// The deprecated per-number tier, if an older API version still sends it.
    #[serde(default)]
    pub messaging_limit_tier: Option<String>,
}

fn unknown_quality() -> QualityRating {
    QualityRating::Unknown
}

/// `throughput` without a `level` (or `null`) carries nothing usable, so it reads as `None`.
fn throughput_or_none<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Throughput>, D::Error> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        level: Option<ThroughputLevel>,
    }
    let raw: Option<Raw> = Option::deserialize(deserializer)?;
    Ok(raw
        .and_then(|raw| raw.level)
        .map(|level| Throughput { level }))
}

/// Reads the business number's state: quality rating, throughput level, name and verification
/// status. A Graph management call, so it counts against the management rate limit (200 calls
/// an hour per app and business account): poll it sparingly.
#[derive(Debug)]
#[must_use = "reading the number state does nothing until it is awaited"]
pub struct NumberStateRequest {
    client: Client,
    deadline: Option<Duration>,
}

impl NumberStateRequest {
    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    async fn run(self) -> Result<PhoneNumberState> {
        let NumberStateRequest { client, deadline } = self;
        let mut url = client
            .endpoint()
            .url(&[client.endpoint().phone_number_id()]);
        url.query_pairs_mut()
            .append_pair("fields", NUMBER_STATE_FIELDS);
        let mut call = client.call(Method::GET, url, client.facts(Operation::NumberState));
        call.deadline = deadline;
        client.execute_json(call).await
    }
}

impl IntoFuture for NumberStateRequest {
    type Output = Result<PhoneNumberState>;
    type IntoFuture = CallFuture<PhoneNumberState>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl Client {
    /// Marks a received message (by its `wamid`) as read. An empty id is an
    /// [`Error::Validation`] and makes no request.
    pub fn mark_read(&self, message_id: impl AsRef<str>) -> MarkReadRequest {
        MarkReadRequest {
            client: self.clone(),
            message_id: message_id.as_ref().to_owned(),
            deadline: None,
        }
    }

    /// Marks a received message as read and shows the typing indicator until you reply or 25
    /// seconds pass.
    pub fn typing_indicator(&self, message_id: impl AsRef<str>) -> TypingIndicatorRequest {
        TypingIndicatorRequest {
            client: self.clone(),
            message_id: message_id.as_ref().to_owned(),
            deadline: None,
        }
    }

    /// Reads the business number's state (see [`NumberStateRequest`]).
    pub fn number_state(&self) -> NumberStateRequest {
        NumberStateRequest {
            client: self.clone(),
            deadline: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_body_is_exactly_metas_shape() {
        let body = ReadBody {
            messaging_product: "whatsapp",
            status: "read",
            message_id: "wamid.X",
            typing_indicator: None,
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X"}"#
        );
        let typing = ReadBody {
            typing_indicator: Some(TypingIndicatorBody { kind: "text" }),
            ..body
        };
        assert_eq!(
            serde_json::to_string(&typing).unwrap(),
            r#"{"messaging_product":"whatsapp","status":"read","message_id":"wamid.X","typing_indicator":{"type":"text"}}"#
        );
    }

    #[test]
    fn lenient_enums_round_trip() {
        assert_eq!(QualityRating::from("GREEN"), QualityRating::Green);
        assert_eq!(
            QualityRating::from("PURPLE"),
            QualityRating::Other("PURPLE".to_owned())
        );
        assert_eq!(QualityRating::Other("PURPLE".into()).as_str(), "PURPLE");
        assert_eq!(ThroughputLevel::NotApplicable.to_string(), "NOT_APPLICABLE");
        let json = serde_json::to_string(&NameStatus::PendingReview).unwrap();
        assert_eq!(json, "\"PENDING_REVIEW\"");
    }

    #[test]
    fn number_state_tolerates_null_and_empty_throughput() {
        let state: PhoneNumberState =
            serde_json::from_str(r#"{"throughput":null,"id":"1"}"#).unwrap();
        assert_eq!(state.throughput, None);
        let state: PhoneNumberState = serde_json::from_str(r#"{"throughput":{}}"#).unwrap();
        assert_eq!(state.throughput, None);
        assert_eq!(state.quality_rating, QualityRating::Unknown);
    }
}
