//! What generated code names, in one place, and nothing a user should call: generated files
//! write `use <runtime>::__private as rt;` and reach every name through it, the standard
//! library's included, so that a schema type called `Option` or `Result` cannot change
//! what the code means, and a crate that includes generated files needs no serde of its
//! own. Not part of the API: it changes with the generator.

pub use ::serde;

pub use ::core::convert::{From, Infallible, Into};
pub use ::core::fmt;
pub use ::core::option::Option::{self, None, Some};
pub use ::core::result::Result::{self, Err, Ok};
pub use ::core::str::FromStr;
pub use ::std::borrow::Cow;
pub use ::std::boxed::Box;
pub use ::std::string::String;
pub use ::std::vec::Vec;

pub use crate::xml::{
    AnyElement, Base64Binary, Choice, Date, DateTime, Duration, FromXml, HexBinary, Items,
    Namespace, ParseError, Slot, Start, Text, Time, ToXml, ValueError, XmlReader, XmlValue,
    XmlWriter, XML,
};

/// The namespace argument of an unqualified element or attribute.
pub const NO_NAMESPACE: Option<&'static Namespace> = None;

pub use crate::messages::ResponseCode;
pub use crate::operation::{
    item_results, single, with_status, EwsError, ItemResults, Operation, OperationVisitor, PerItem,
    Reply, ResponseError, ResponseMessage,
};
pub use crate::types::ResponseClass;

/// `Display`, `XmlValue` and `Serialize` of a generated enum of values, through its
/// `as_str` and `FromStr`.
#[doc(hidden)]
#[macro_export]
macro_rules! __value_enum {
    ($name:ident) => {
        impl $crate::__private::fmt::Display for $name {
            fn fmt(
                &self,
                f: &mut $crate::__private::fmt::Formatter<'_>,
            ) -> $crate::__private::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::XmlValue for $name {
            fn from_text(
                text: &str,
            ) -> $crate::__private::Result<Self, $crate::__private::ValueError> {
                let $crate::__private::Ok(value) = text
                    .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
                    .parse();
                $crate::__private::Ok(value)
            }

            fn to_text(&self) -> $crate::__private::Cow<'_, str> {
                $crate::__private::Cow::Borrowed(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> $crate::__private::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// `Deserialize` of a generated enum of values, from its text.
#[doc(hidden)]
#[macro_export]
macro_rules! __value_enum_deserialize {
    ($name:ident) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> $crate::__private::Result<Self, D::Error> {
                let text = <$crate::__private::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(d)?;
                let $crate::__private::Ok(value) = text.parse();
                $crate::__private::Ok(value)
            }
        }
    };
}

pub use crate::{__value_enum as value_enum, __value_enum_deserialize as value_enum_deserialize};
