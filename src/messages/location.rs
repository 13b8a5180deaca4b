//! Location messages: a pin on a map, with an optional name and address.

use serde::Serialize;

use super::check;
use crate::error::ValidationError;

/// A location message (`type: location`).
///
/// ```
/// use wacloud::messages::{Location, OutgoingMessage};
/// let pin = Location::new(37.483307, -122.148981)
///     .name("Philz Coffee")
///     .address("101 Forest Ave, Palo Alto, CA 94301");
/// assert!(OutgoingMessage::new("+16505551234", pin).validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[must_use]
pub struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

impl Location {
    /// A pin at `latitude` (-90 to 90) and `longitude` (-180 to 180), in decimal degrees.
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Location {
            latitude,
            longitude,
            name: None,
            address: None,
        }
    }

    /// The place's name, shown above the address.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The place's address, shown under the name.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        if !(self.latitude.is_finite() && (-90.0..=90.0).contains(&self.latitude)) {
            return Err(ValidationError::new(
                "location.latitude",
                format!("is {}; must be between -90 and 90", self.latitude),
            ));
        }
        if !(self.longitude.is_finite() && (-180.0..=180.0).contains(&self.longitude)) {
            return Err(ValidationError::new(
                "location.longitude",
                format!("is {}; must be between -180 and 180", self.longitude),
            ));
        }
        if let Some(name) = &self.name {
            check::required("location.name", name)?;
        }
        if let Some(address) = &self.address {
            check::required("location.address", address)?;
        }
        Ok(())
    }
}
