//! `payment_settings`: how the user pays (a payment gateway in India, a link or Pix in Brazil).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::error::ValidationError;
use crate::messages::check;

/// One entry of `payment_settings`: `{"type": T, T: {...}}`.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct PaymentSetting(Setting);

#[derive(Debug, Clone, PartialEq)]
enum Setting {
    Gateway {
        gateway: String,
        configuration_name: String,
        data: Option<serde_json::Value>,
    },
    Link {
        uri: String,
    },
    Pix {
        code: String,
        merchant_name: String,
        key: String,
        key_type: String,
    },
    Other {
        kind: String,
        value: serde_json::Value,
    },
}

impl PaymentSetting {
    /// A payment gateway (India): `gateway` is the provider (`razorpay`, `payu`, ...) and
    /// `configuration_name` the payment configuration set up in WhatsApp Manager.
    pub fn payment_gateway(
        gateway: impl Into<String>,
        configuration_name: impl Into<String>,
    ) -> Self {
        PaymentSetting(Setting::Gateway {
            gateway: gateway.into(),
            configuration_name: configuration_name.into(),
            data: None,
        })
    }

    /// Adds the gateway's own object (e.g. Razorpay's `{"receipt", "notes"}`), sent under the
    /// gateway's name. Ignored for other settings.
    pub fn gateway_data(mut self, data: serde_json::Value) -> Self {
        if let Setting::Gateway { data: slot, .. } = &mut self.0 {
            *slot = Some(data);
        }
        self
    }

    /// A payment link (Brazil): the user pays at `uri`.
    pub fn payment_link(uri: impl Into<String>) -> Self {
        PaymentSetting(Setting::Link { uri: uri.into() })
    }

    /// A dynamic Pix code (Brazil).
    pub fn pix_dynamic_code(
        code: impl Into<String>,
        merchant_name: impl Into<String>,
        key: impl Into<String>,
        key_type: impl Into<String>,
    ) -> Self {
        PaymentSetting(Setting::Pix {
            code: code.into(),
            merchant_name: merchant_name.into(),
            key: key.into(),
            key_type: key_type.into(),
        })
    }

    /// Any other setting Meta documents (e.g. `boleto`): `value` (a JSON object) is sent
    /// under `kind`.
    pub fn other(kind: impl Into<String>, value: serde_json::Value) -> Self {
        PaymentSetting(Setting::Other {
            kind: kind.into(),
            value,
        })
    }

    fn kind(&self) -> &str {
        match &self.0 {
            Setting::Gateway { .. } => "payment_gateway",
            Setting::Link { .. } => "payment_link",
            Setting::Pix { .. } => "pix_dynamic_code",
            Setting::Other { kind, .. } => kind,
        }
    }

    pub(super) fn validate(&self, path: &str) -> Result<(), ValidationError> {
        let object = |field: &str, value: &serde_json::Value| {
            if value.is_object() {
                Ok(())
            } else {
                Err(ValidationError::new(
                    format!("{path}.{field}"),
                    "must be a JSON object",
                ))
            }
        };
        match &self.0 {
            Setting::Gateway {
                gateway,
                configuration_name,
                data,
            } => {
                check::required(&format!("{path}.payment_gateway.type"), gateway)?;
                check::required(
                    &format!("{path}.payment_gateway.configuration_name"),
                    configuration_name,
                )?;
                match data {
                    Some(data) => object(&format!("payment_gateway.{gateway}"), data),
                    None => Ok(()),
                }
            }
            Setting::Link { uri } => check::web_url(&format!("{path}.payment_link.uri"), uri),
            Setting::Pix {
                code,
                merchant_name,
                key,
                key_type,
            } => {
                for (field, value) in [
                    ("code", code),
                    ("merchant_name", merchant_name),
                    ("key", key),
                    ("key_type", key_type),
                ] {
                    check::required(&format!("{path}.pix_dynamic_code.{field}"), value)?;
                }
                Ok(())
            }
            Setting::Other { kind, value } => {
                check::required(&format!("{path}.type"), kind)?;
                object(kind, value)
            }
        }
    }
}

impl Serialize for PaymentSetting {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kind = self.kind();
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("type", kind)?;
        match &self.0 {
            Setting::Gateway {
                gateway,
                configuration_name,
                data,
            } => {
                let mut inner = serde_json::Map::new();
                inner.insert("type".into(), gateway.as_str().into());
                inner.insert(
                    "configuration_name".into(),
                    configuration_name.as_str().into(),
                );
                if let Some(data) = data {
                    inner.insert(gateway.clone(), data.clone());
                }
                map.serialize_entry(kind, &inner)?;
            }
            Setting::Link { uri } => {
                map.serialize_entry(kind, &serde_json::json!({ "uri": uri }))?;
            }
            Setting::Pix {
                code,
                merchant_name,
                key,
                key_type,
            } => {
                map.serialize_entry(
                    kind,
                    &serde_json::json!({
                        "code": code,
                        "merchant_name": merchant_name,
                        "key": key,
                        "key_type": key_type,
                    }),
                )?;
            }
            Setting::Other { value, .. } => map.serialize_entry(kind, value)?,
        }
        map.end()
    }
}
