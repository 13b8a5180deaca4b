//! Lenient, borrowing serde helpers shared by the webhook payload types.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A string that may arrive as a JSON string or a number; borrowed when the
/// input allows it.
struct CowStrVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for CowStrVisitor<'a> {
    type Value = Option<Cow<'a, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A required string (string or number; `null` gives the empty string).
pub(crate) fn cow_str<'de: 'a, 'a, D>(d: D) -> Result<Cow<'a, str>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(d.deserialize_any(CowStrVisitor(PhantomData))?
        .unwrap_or_default())
}

/// An optional string (string or number; `null` gives `None`).
pub(crate) fn opt_cow_str<'de: 'a, 'a, D>(d: D) -> Result<Option<Cow<'a, str>>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(CowStrVisitor(PhantomData))
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.trim().parse::<f64>().ok())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An optional number that may arrive as a string; unparsable strings give `None`.
pub(crate) fn opt_f64<'de, D>(d: D) -> Result<Option<f64>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(NumVisitor)
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or an integer string")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).ok())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Some(v as i64)
        } else {
            None
        })
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.trim().parse::<i64>().ok())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An optional integer that may arrive as a string.
pub(crate) fn opt_i64<'de, D>(d: D) -> Result<Option<i64>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(IntVisitor)
}

struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = Option<bool>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match v {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// An optional boolean that may arrive as `"true"`/`"false"`.
pub(crate) fn opt_bool<'de, D>(d: D) -> Result<Option<bool>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_any(BoolVisitor)
}

/// Parses `T` from a raw value, `None` when it does not match.
pub(crate) fn try_parse<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
}

/// Conversion of a borrowed payload type into one that owns its data.
pub(crate) trait IntoStatic {
    type Static: 'static;
    fn into_static(self) -> Self::Static;
}

impl IntoStatic for Cow<'_, str> {
    type Static = Cow<'static, str>;
    fn into_static(self) -> Cow<'static, str> {
        Cow::Owned(self.into_owned())
    }
}

impl IntoStatic for Cow<'_, RawValue> {
    type Static = Cow<'static, RawValue>;
    fn into_static(self) -> Cow<'static, RawValue> {
        Cow::Owned(self.into_owned())
    }
}

impl<T: IntoStatic> IntoStatic for Option<T> {
    type Static = Option<T::Static>;
    fn into_static(self) -> Self::Static {
        self.map(IntoStatic::into_static)
    }
}

impl<T: IntoStatic> IntoStatic for Vec<T> {
    type Static = Vec<T::Static>;
    fn into_static(self) -> Self::Static {
        self.into_iter().map(IntoStatic::into_static).collect()
    }
}

macro_rules! into_static_copy {
    ($($t:ty),*) => {$(
        impl IntoStatic for $t {
            type Static = $t;
            fn into_static(self) -> $t { self }
        }
    )*};
}
into_static_copy!(bool, f64, i64);

/// Implements [`IntoStatic`] for a struct with one lifetime whose fields all
/// implement it.
macro_rules! into_static_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl<'a> $crate::webhooks::de::IntoStatic for $name<'a> {
            type Static = $name<'static>;
            fn into_static(self) -> $name<'static> {
                $name { $($field: $crate::webhooks::de::IntoStatic::into_static(self.$field)),* }
            }
        }
    };
}
pub(crate) use into_static_struct;

/// Declares an open enum of the values Meta documents for a payload field: each known value is
/// a variant, any other is kept verbatim in `Other`, so a value Meta adds tomorrow is neither an
/// error nor lost. It deserializes from a string (or a number), borrowing where it can.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $( $(#[$vmeta])* $variant, )*
            /// A value this SDK does not know, as sent.
            Other(std::borrow::Cow<'a, str>),
        }

        impl<'a> $name<'a> {
            /// Classifies a raw value; an unknown one is kept verbatim in `Other`.
            pub fn from_raw(value: std::borrow::Cow<'a, str>) -> Self {
                match &*value {
                    $( $value => $name::$variant, )*
                    _ => $name::Other(value),
                }
            }

            /// The value as Meta spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Other(value) => value,
                }
            }

            /// Detaches the value from the body it was parsed from.
            pub fn into_owned(self) -> $name<'static> {
                match self {
                    $( $name::$variant => $name::$variant, )*
                    $name::Other(value) => $name::Other(std::borrow::Cow::Owned(value.into_owned())),
                }
            }
        }

        impl std::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl<'de: 'a, 'a> serde::Deserialize<'de> for $name<'a> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::webhooks::de::cow_str(d).map(Self::from_raw)
            }
        }

        impl $crate::webhooks::de::IntoStatic for $name<'_> {
            type Static = $name<'static>;
            fn into_static(self) -> $name<'static> {
                self.into_owned()
            }
        }
    };
}
pub(crate) use open_enum;
