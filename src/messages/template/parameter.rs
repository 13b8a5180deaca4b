//! The parameters of template components: the values that fill a template's variables and
//! buttons.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::component::ButtonSubType;
use super::{MAX_COUPON_CODE_LEN, MAX_HEADER_TEXT_LEN};
use crate::error::ValidationError;
use crate::messages::check;
use crate::messages::interactive::{validate_product_sections, ProductSection};
use crate::messages::media::MediaSource;

/// Where a parameter sits, which decides the kinds it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Header,
    CardHeader,
    Body,
    LimitedTimeOffer,
    Button(Option<ButtonSubType>),
}

/// One parameter of a template component.
///
/// ```
/// use wacloud::messages::{MediaSource, Parameter};
/// let name = Parameter::text("Jessica").name("customer_name");
/// let when = Parameter::date_time("February 25, 1977");
/// let cover = Parameter::image(MediaSource::link("https://example.com/cover.jpg"));
/// # let _ = (name, when, cover);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Parameter {
    value: ParameterValue,
    name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ParameterValue {
    Text(String),
    Currency(Currency),
    DateTime(DateTime),
    Image(MediaSource),
    Video(MediaSource),
    Document(TemplateDocument),
    Payload(String),
    CouponCode(String),
    Action(FlowButtonAction),
    CatalogAction(String),
    MpmAction {
        thumbnail_product_retailer_id: String,
        sections: Vec<ProductSection>,
    },
    Product {
        product_retailer_id: String,
        catalog_id: String,
    },
    LimitedTimeOffer(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct FlowButtonAction {
    #[serde(skip_serializing_if = "Option::is_none")]
    flow_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flow_action_data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Currency {
    fallback_value: String,
    code: String,
    amount_1000: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct DateTime {
    fallback_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct TemplateDocument {
    #[serde(flatten)]
    source: MediaSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

#[derive(Serialize)]
struct MediaOnly<'a> {
    #[serde(flatten)]
    source: &'a MediaSource,
}

impl Parameter {
    fn of(value: ParameterValue) -> Self {
        Parameter { value, name: None }
    }

    /// A text value (for a body or header variable, or a URL button's suffix).
    pub fn text(text: impl Into<String>) -> Self {
        Self::of(ParameterValue::Text(text.into()))
    }

    /// An amount of money: `fallback_value` is what is shown, `code` the ISO 4217 code, and
    /// `amount_1000` the amount times 1000 (`100_990` is 100.99).
    pub fn currency(
        fallback_value: impl Into<String>,
        code: impl Into<String>,
        amount_1000: i64,
    ) -> Self {
        Self::of(ParameterValue::Currency(Currency {
            fallback_value: fallback_value.into(),
            code: code.into(),
            amount_1000,
        }))
    }

    /// A date and time; Cloud API always shows `fallback_value` as given.
    pub fn date_time(fallback_value: impl Into<String>) -> Self {
        Self::of(ParameterValue::DateTime(DateTime {
            fallback_value: fallback_value.into(),
        }))
    }

    /// The image of an image header (or of a carousel card).
    pub fn image(source: MediaSource) -> Self {
        Self::of(ParameterValue::Image(source))
    }

    /// The video of a video header (or of a carousel card).
    pub fn video(source: MediaSource) -> Self {
        Self::of(ParameterValue::Video(source))
    }

    /// The document of a document header.
    pub fn document(source: MediaSource) -> Self {
        Self::of(ParameterValue::Document(TemplateDocument {
            source,
            filename: None,
        }))
    }

    /// The document of a document header, shown under `filename`.
    pub fn document_with_filename(source: MediaSource, filename: impl Into<String>) -> Self {
        Self::of(ParameterValue::Document(TemplateDocument {
            source,
            filename: Some(filename.into()),
        }))
    }

    /// The payload of a quick-reply button, echoed back when the user taps it.
    pub fn payload(payload: impl Into<String>) -> Self {
        Self::of(ParameterValue::Payload(payload.into()))
    }

    /// The code of a copy-code button (at most 15 characters).
    pub fn coupon_code(code: impl Into<String>) -> Self {
        Self::of(ParameterValue::CouponCode(code.into()))
    }

    /// The `action` of a flow button: the flow token (Meta uses `"unused"` when it is left
    /// out) and the data for the flow's first screen (a non-empty JSON object).
    pub fn flow_action(
        flow_token: Option<String>,
        flow_action_data: Option<serde_json::Value>,
    ) -> Self {
        Self::of(ParameterValue::Action(FlowButtonAction {
            flow_token,
            flow_action_data,
        }))
    }

    /// The `action` of a catalog button: the product whose thumbnail heads the message.
    pub fn catalog_action(thumbnail_product_retailer_id: impl Into<String>) -> Self {
        Self::of(ParameterValue::CatalogAction(
            thumbnail_product_retailer_id.into(),
        ))
    }

    /// The `action` of a multi-product (MPM) button: the thumbnail product and 1 to 10
    /// sections holding at most 30 products in all.
    pub fn mpm_action(
        thumbnail_product_retailer_id: impl Into<String>,
        sections: impl IntoIterator<Item = ProductSection>,
    ) -> Self {
        Self::of(ParameterValue::MpmAction {
            thumbnail_product_retailer_id: thumbnail_product_retailer_id.into(),
            sections: sections.into_iter().collect(),
        })
    }

    /// The product of a product card's header (product card carousels).
    pub fn product(catalog_id: impl Into<String>, product_retailer_id: impl Into<String>) -> Self {
        Self::of(ParameterValue::Product {
            product_retailer_id: product_retailer_id.into(),
            catalog_id: catalog_id.into(),
        })
    }

    /// The end of a limited-time offer, in Unix milliseconds.
    pub fn limited_time_offer(expiration_time_ms: i64) -> Self {
        Self::of(ParameterValue::LimitedTimeOffer(expiration_time_ms))
    }

    /// Names the parameter (`parameter_name`), for templates created with named variables
    /// such as `{{customer_name}}`.
    pub fn name(mut self, parameter_name: impl Into<String>) -> Self {
        self.name = Some(parameter_name.into());
        self
    }

    pub(super) fn as_text(&self) -> Option<&str> {
        match &self.value {
            ParameterValue::Text(text) => Some(text),
            _ => None,
        }
    }

    pub(super) fn is_named(&self) -> bool {
        self.name.is_some()
    }

    /// Meta's `type`.
    fn type_name(&self) -> &'static str {
        match &self.value {
            ParameterValue::Text(_) => "text",
            ParameterValue::Currency(_) => "currency",
            ParameterValue::DateTime(_) => "date_time",
            ParameterValue::Image(_) => "image",
            ParameterValue::Video(_) => "video",
            ParameterValue::Document(_) => "document",
            ParameterValue::Payload(_) => "payload",
            ParameterValue::CouponCode(_) => "coupon_code",
            ParameterValue::Action(_)
            | ParameterValue::CatalogAction(_)
            | ParameterValue::MpmAction { .. } => "action",
            ParameterValue::Product { .. } => "product",
            ParameterValue::LimitedTimeOffer(_) => "limited_time_offer",
        }
    }

    /// The kind as this module tells them apart: the three `action`s differ.
    fn kind(&self) -> &'static str {
        match &self.value {
            ParameterValue::Action(_) => "flow action",
            ParameterValue::CatalogAction(_) => "catalog action",
            ParameterValue::MpmAction { .. } => "mpm action",
            _ => self.type_name(),
        }
    }

    pub(super) fn validate(&self, path: &str, place: Place) -> Result<(), ValidationError> {
        let kind = self.kind();
        let allowed: &[&str] = match place {
            Place::Header => &[
                "text",
                "currency",
                "date_time",
                "image",
                "video",
                "document",
            ],
            Place::CardHeader => &["image", "video", "product"],
            Place::Body => &["text", "currency", "date_time"],
            Place::LimitedTimeOffer => &["limited_time_offer"],
            Place::Button(Some(ButtonSubType::QuickReply)) => &["payload"],
            Place::Button(Some(ButtonSubType::Url)) => &["text"],
            Place::Button(Some(ButtonSubType::CopyCode)) => &["coupon_code"],
            Place::Button(Some(ButtonSubType::Flow)) => &["flow action"],
            Place::Button(Some(ButtonSubType::Catalog)) => &["catalog action"],
            Place::Button(Some(ButtonSubType::Mpm)) => &["mpm action"],
            Place::Button(None) => &[],
        };
        if !allowed.contains(&kind) {
            return Err(ValidationError::new(
                format!("{path}.type"),
                format!("`{kind}` is not allowed here; expected one of {allowed:?}"),
            ));
        }
        if let Some(name) = &self.name {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(ValidationError::new(
                    format!("{path}.parameter_name"),
                    "must be lowercase letters, digits and underscores",
                ));
            }
        }
        match &self.value {
            ParameterValue::Text(text) => {
                let field = format!("{path}.text");
                check::required(&field, text)?;
                if place == Place::Header {
                    check::max_chars(&field, text, MAX_HEADER_TEXT_LEN)?;
                }
                if !matches!(place, Place::Button(_))
                    && (text.contains(['\n', '\t']) || text.contains("     "))
                {
                    return Err(ValidationError::new(
                        field,
                        "must not hold new lines, tabs or more than 4 consecutive spaces",
                    ));
                }
                Ok(())
            }
            ParameterValue::Currency(currency) => {
                check::required(
                    &format!("{path}.currency.fallback_value"),
                    &currency.fallback_value,
                )?;
                if !(currency.code.len() == 3
                    && currency.code.bytes().all(|b| b.is_ascii_uppercase()))
                {
                    return Err(ValidationError::new(
                        format!("{path}.currency.code"),
                        "must be an ISO 4217 code of three capital letters, e.g. USD",
                    ));
                }
                Ok(())
            }
            ParameterValue::DateTime(date_time) => check::required(
                &format!("{path}.date_time.fallback_value"),
                &date_time.fallback_value,
            ),
            ParameterValue::Image(source) => source.validate(&format!("{path}.image")),
            ParameterValue::Video(source) => source.validate(&format!("{path}.video")),
            ParameterValue::Document(document) => {
                document.source.validate(&format!("{path}.document"))?;
                if let Some(filename) = &document.filename {
                    check::required(&format!("{path}.document.filename"), filename)?;
                }
                Ok(())
            }
            ParameterValue::Payload(payload) => {
                check::required(&format!("{path}.payload"), payload)
            }
            ParameterValue::CouponCode(code) => {
                check::text(&format!("{path}.coupon_code"), code, MAX_COUPON_CODE_LEN)
            }
            ParameterValue::Action(action) => {
                if let Some(token) = &action.flow_token {
                    check::required(&format!("{path}.action.flow_token"), token)?;
                }
                match &action.flow_action_data {
                    Some(data) if !data.as_object().is_some_and(|object| !object.is_empty()) => {
                        Err(ValidationError::new(
                            format!("{path}.action.flow_action_data"),
                            "must be a non-empty JSON object",
                        ))
                    }
                    _ => Ok(()),
                }
            }
            ParameterValue::CatalogAction(thumbnail) => check::required(
                &format!("{path}.action.thumbnail_product_retailer_id"),
                thumbnail,
            ),
            ParameterValue::MpmAction {
                thumbnail_product_retailer_id,
                sections,
            } => {
                check::required(
                    &format!("{path}.action.thumbnail_product_retailer_id"),
                    thumbnail_product_retailer_id,
                )?;
                validate_product_sections(&format!("{path}.action.sections"), sections)
            }
            ParameterValue::Product {
                product_retailer_id,
                catalog_id,
            } => {
                check::required(&format!("{path}.product.catalog_id"), catalog_id)?;
                check::required(
                    &format!("{path}.product.product_retailer_id"),
                    product_retailer_id,
                )
            }
            ParameterValue::LimitedTimeOffer(expiration_time_ms) => {
                if *expiration_time_ms <= 0 {
                    return Err(ValidationError::new(
                        format!("{path}.limited_time_offer.expiration_time_ms"),
                        "must be a Unix time in milliseconds",
                    ));
                }
                Ok(())
            }
        }
    }
}

impl Serialize for Parameter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Thumbnail<'a> {
            thumbnail_product_retailer_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            sections: Option<&'a [ProductSection]>,
        }
        let mut map = serializer.serialize_map(None)?;
        let kind = self.type_name();
        map.serialize_entry("type", kind)?;
        match &self.value {
            ParameterValue::Text(text) => map.serialize_entry(kind, text)?,
            ParameterValue::Currency(currency) => map.serialize_entry(kind, currency)?,
            ParameterValue::DateTime(date_time) => map.serialize_entry(kind, date_time)?,
            ParameterValue::Image(source) | ParameterValue::Video(source) => {
                map.serialize_entry(kind, &MediaOnly { source })?
            }
            ParameterValue::Document(document) => map.serialize_entry(kind, document)?,
            ParameterValue::Payload(payload) => map.serialize_entry(kind, payload)?,
            ParameterValue::CouponCode(code) => map.serialize_entry(kind, code)?,
            ParameterValue::Action(action) => map.serialize_entry(kind, action)?,
            ParameterValue::CatalogAction(thumbnail) => map.serialize_entry(
                kind,
                &Thumbnail {
                    thumbnail_product_retailer_id: thumbnail,
                    sections: None,
                },
            )?,
            ParameterValue::MpmAction {
                thumbnail_product_retailer_id,
                sections,
            } => map.serialize_entry(
                kind,
                &Thumbnail {
                    thumbnail_product_retailer_id,
                    sections: Some(sections),
                },
            )?,
            ParameterValue::Product {
                product_retailer_id,
                catalog_id,
            } => map.serialize_entry(
                kind,
                &serde_json::json!({
                    "product_retailer_id": product_retailer_id,
                    "catalog_id": catalog_id,
                }),
            )?,
            ParameterValue::LimitedTimeOffer(expiration_time_ms) => map.serialize_entry(
                kind,
                &serde_json::json!({ "expiration_time_ms": expiration_time_ms }),
            )?,
        }
        if let Some(name) = &self.name {
            map.serialize_entry("parameter_name", name)?;
        }
        map.end()
    }
}
