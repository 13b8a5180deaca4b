//! Money: an [`Amount`] is an integer `value` and an `offset` (`{"value": 12345, "offset":
//! 100}` is 123.45); a [`Charge`] adds a description (tax, shipping, discount).

use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// An amount of money: `value` divided by `offset` (`Amount::new(12345, 100)` is 123.45).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Amount {
    value: i64,
    offset: u32,
}

impl Amount {
    /// `value` in units of 1/`offset` (use 100 for INR and BRL).
    pub fn new(value: i64, offset: u32) -> Self {
        Amount { value, offset }
    }

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        if self.value < 0 {
            return Err(ValidationError::new(
                format!("{path}.value"),
                format!("is {}; an amount cannot be negative", self.value),
            ));
        }
        if self.offset == 0 {
            return Err(ValidationError::new(
                format!("{path}.offset"),
                "must be positive (100 for two decimals)",
            ));
        }
        Ok(())
    }
}

/// A tax, shipping fee or discount: an [`Amount`] with an optional description (and, for a
/// discount, the name of the discount program).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use]
pub struct Charge {
    #[serde(flatten)]
    amount: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount_program_name: Option<String>,
}

impl Charge {
    /// `value` in units of 1/`offset`.
    pub fn new(value: i64, offset: u32) -> Self {
        Amount::new(value, offset).into()
    }

    /// A description shown with the charge.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The discount program's name (for a discount).
    pub fn discount_program_name(mut self, name: impl Into<String>) -> Self {
        self.discount_program_name = Some(name.into());
        self
    }

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        self.amount.validate(path)?;
        if let Some(description) = &self.description {
            check::required(&format!("{path}.description"), description)?;
        }
        if let Some(name) = &self.discount_program_name {
            check::required(&format!("{path}.discount_program_name"), name)?;
        }
        Ok(())
    }
}

impl From<Amount> for Charge {
    fn from(amount: Amount) -> Self {
        Charge {
            amount,
            description: None,
            discount_program_name: None,
        }
    }
}
