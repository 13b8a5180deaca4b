//! Address messages (`type: address_message`): a button that opens WhatsApp's address form.
//! Meta offers them only to businesses in India messaging users in India (country `IN`); the
//! submitted address comes back as an `nfm_reply` webhook.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// The longest Indian PIN code Meta's form takes.
pub const MAX_IN_PIN_CODE_LEN: usize = 6;

/// The fields of Meta's address form; every one is optional.
const FIELDS: &[&str] = &[
    "name",
    "phone_number",
    "in_pin_code",
    "house_number",
    "floor_number",
    "tower_number",
    "building_name",
    "address",
    "landmark_area",
    "city",
    "state",
];

/// The `action.parameters` of an address message.
///
/// ```
/// use wacloud::messages::{AddressFields, AddressRequest, Interactive, OutgoingMessage, SavedAddress};
/// let ask = Interactive::address_message(
///     "Where should we deliver your order?",
///     AddressRequest::india()
///         .values(AddressFields::new().name("Asha Rao").city("Bengaluru"))
///         .saved_address(SavedAddress::new(
///             "home",
///             AddressFields::new().address("12 MG Road").city("Bengaluru").in_pin_code("560001"),
///         )),
/// );
/// assert!(OutgoingMessage::new("+919876543210", ask).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct AddressRequest {
    country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<AddressFields>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    saved_addresses: Vec<SavedAddress>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    validation_errors: BTreeMap<String, String>,
}

impl AddressRequest {
    /// An address form for the ISO 3166 alpha-2 `country`; Meta supports only `IN`, which is
    /// checked before sending.
    pub fn new(country: impl Into<String>) -> Self {
        AddressRequest {
            country: country.into(),
            values: None,
            saved_addresses: Vec::new(),
            validation_errors: BTreeMap::new(),
        }
    }

    /// An address form for India (`country: IN`).
    pub fn india() -> Self {
        Self::new("IN")
    }

    /// Prefills the form.
    pub fn values(mut self, values: AddressFields) -> Self {
        self.values = Some(values);
        self
    }

    /// Offers an address the user gave before.
    pub fn saved_address(mut self, address: SavedAddress) -> Self {
        self.saved_addresses.push(address);
        self
    }

    /// Marks `field` (e.g. `in_pin_code`) as wrong, with the message shown to the user: for
    /// sending the form again after an address failed your checks.
    pub fn validation_error(
        mut self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.validation_errors.insert(field.into(), message.into());
        self
    }

    pub(super) fn validate(&self) -> Result<(), ValidationError> {
        const PATH: &str = "interactive.action.parameters";
        if self.country != "IN" {
            return Err(ValidationError::new(
                format!("{PATH}.country"),
                format!(
                    "is `{}`; Meta offers address messages only in India (`IN`)",
                    self.country
                ),
            ));
        }
        if let Some(values) = &self.values {
            values.validate(&format!("{PATH}.values"))?;
        }
        for (i, saved) in self.saved_addresses.iter().enumerate() {
            let path = format!("{PATH}.saved_addresses[{i}]");
            check::required(&format!("{path}.id"), &saved.id)?;
            if self.saved_addresses[..i]
                .iter()
                .any(|earlier| earlier.id == saved.id)
            {
                return Err(ValidationError::new(
                    format!("{path}.id"),
                    format!("`{}` is used by an earlier saved address", saved.id),
                ));
            }
            saved.value.validate(&format!("{path}.value"))?;
        }
        for (field, message) in &self.validation_errors {
            let path = format!("{PATH}.validation_errors.{field}");
            if !FIELDS.contains(&field.as_str()) {
                return Err(ValidationError::new(
                    path,
                    format!("is not a field of Meta's address form; expected one of {FIELDS:?}"),
                ));
            }
            check::required(&path, message)?;
        }
        Ok(())
    }
}

/// An address offered to the user: `{"id", "value": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct SavedAddress {
    id: String,
    value: AddressFields,
}

impl SavedAddress {
    /// The address `value` under your `id` (echoed back if the user picks it).
    pub fn new(id: impl Into<String>, value: AddressFields) -> Self {
        SavedAddress {
            id: id.into(),
            value,
        }
    }
}

/// The fields of Meta's address form (India), each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[must_use]
pub struct AddressFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_pin_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    house_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tower_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    building_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    landmark_area: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
}

macro_rules! address_setters {
    ($($field:ident: $doc:literal),* $(,)?) => {
        impl AddressFields {
            /// No field set.
            pub fn new() -> Self {
                AddressFields::default()
            }

            $(
                #[doc = $doc]
                pub fn $field(mut self, value: impl Into<String>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*

        }
    };
}

address_setters!(
    name: "`name`: the addressee.",
    phone_number: "`phone_number`: a valid phone number.",
    in_pin_code: "`in_pin_code`: the PIN code, at most 6 characters.",
    house_number: "`house_number`: flat or house number.",
    floor_number: "`floor_number`.",
    tower_number: "`tower_number`.",
    building_name: "`building_name`: building or apartment name.",
    address: "`address`: the street address.",
    landmark_area: "`landmark_area`: a landmark or area.",
    city: "`city`.",
    state: "`state`.",
);

impl AddressFields {
    /// Meta's form checks the values the user submits; of what is prefilled, only the PIN
    /// code's length is documented (an empty prefill, as in Meta's sample, leaves the field blank).
    fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if let Some(pin) = &self.in_pin_code {
            check::max_chars(&format!("{path}.in_pin_code"), pin, MAX_IN_PIN_CODE_LEN)?;
        }
        Ok(())
    }
}
