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
    AnyElement, Base64Binary, Choice, ChoiceList, Date, DateTime, Duration, FromXml, HexBinary,
    Items, Namespace, ParseError, Slot, Start, Text, Time, ToXml, ValueError, XmlReader, XmlValue,
    XmlWriter, XML,
};

/// The reader a generated reader reads with (a shorter name, so that its signature fits
/// one line).
pub type Reader<'a> = XmlReader<'a>;

/// What a generated reader returns.
pub type Parsed<T> = Result<T, ParseError>;

/// The namespace a generated writer writes its element in (`None`: none).
pub type ElementNs = Option<&'static Namespace>;

/// `text` without the XML whitespace around it (an enumeration's value, collapsed).
#[inline]
pub fn collapse(text: &str) -> &str {
    text.trim_matches(crate::xml::is_xml_space)
}

/// The response code of a message, as the runtime's enum (read from `code`, the generated
/// one, by its text).
pub fn response_code<C: XmlValue>(code: &Option<C>) -> Option<ResponseCode> {
    let code = code.as_ref()?.to_text();
    let Ok(code) = code.parse();
    Some(code)
}

pub use crate::messages::ResponseCode;
pub use crate::operation::{
    item_results, single, with_status, EwsError, ItemResults, Operation, OperationVisitor, PerItem,
    Reply, ResponseError, ResponseMessage,
};
pub use crate::types::ResponseClass;

pub use crate::xml::serialize::{listed, serialize, Fields, Member, Sequence, Value};

/// `expr?` for a `Result` of any type: the value, or the error returned. Generated code
/// writes this rather than `?`, which compiles a `Try::branch` for each type read and a
/// `FromResidual::from_residual` for each reader's own: thousands of small functions for
/// the whole schema, where this is a `match` in place.
#[doc(hidden)]
#[macro_export]
macro_rules! __tri {
    ($e:expr $(,)?) => {
        match $e {
            $crate::__private::Ok(value) => value,
            $crate::__private::Err(e) => return $crate::__private::Err(e),
        }
    };
}

/// [`tri!`](crate::__tri) of `FromXml::from_xml(r, start)`: the element `start` read as
/// the type the context asks for.
#[doc(hidden)]
#[macro_export]
macro_rules! __read {
    ($r:ident, $start:expr $(,)?) => {
        $crate::__private::tri!($crate::__private::FromXml::from_xml($r, $start))
    };
}

/// `let slot = slot else { return Err(…) }`: the value of the required element `name` read
/// into `slot` (an `Option`, which the value then shadows), or the error of `parent` (a
/// `&Start`) lacking it. A statement of its own, after the element loop, rather than a
/// `?` in the struct literal: an early return there drops the fields built so far, and
/// each required field would add a drop path.
#[doc(hidden)]
#[macro_export]
macro_rules! __required {
    ($r:ident, $parent:expr, $slot:ident, $name:literal $(,)?) => {
        let $crate::__private::Some($slot) = $slot else {
            return $crate::__private::Err($r.missing($name, $parent));
        };
    };
}

/// `Serialize` of a generated type, through its [`Member`] value; for a struct, written
/// `struct Name(member, [list], …);` (its members in order, a list of its own in brackets:
/// left out when empty), its `Member` and `Fields` too.
#[doc(hidden)]
#[macro_export]
macro_rules! __reflected {
    (struct $name:ident($($member:tt),* $(,)?);) => {
        impl $crate::__private::Member for $name {
            #[inline]
            fn value(&self) -> $crate::__private::Value<'_> {
                $crate::__private::Value::Struct(::core::stringify!($name), self)
            }
        }

        impl $crate::__private::Fields for $name {
            #[inline]
            fn members(
                &self,
                _f: &mut dyn ::core::ops::FnMut(&'static str, $crate::__private::Value<'_>),
            ) {
                $( $crate::__private::reflected!(@member self, _f, $member); )*
            }
        }

        $crate::__private::reflected!($name);
    };
    (@member $this:ident, $f:ident, [$field:ident]) => {
        $f(::core::stringify!($field), $crate::__private::listed(&$this.$field))
    };
    (@member $this:ident, $f:ident, $field:ident) => {
        $f(::core::stringify!($field), $crate::__private::Member::value(&$this.$field))
    };
    ($name:ident) => {
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> $crate::__private::Result<S::Ok, S::Error> {
                $crate::__private::serialize(s, self)
            }
        }
    };
}

/// A generated enum of values: the enum (with `other`, the variant keeping a value the
/// schema does not list; each variant documented with its XML text), `VALUES`, `as_str`,
/// `FromStr`, `Display`, `XmlValue` and `Serialize`, from one list of variants and their XML
/// text. Its functions are `#[inline]` in debug builds, as the generated readers and writers
/// are (see ews-codegen's `render`): compiled where they are used.
#[doc(hidden)]
#[macro_export]
macro_rules! __value_enum {
    (
        #[other = $other:ident]
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $(#[$vattr:meta])* $variant:ident = $xml:literal, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = ::core::concat!("`", $xml, "`")]
                $(#[$vattr])*
                $variant,
            )*
            /// A value this schema does not list, as received.
            $other($crate::__private::String),
        }

        impl $name {
            /// The values the schema lists, as written in XML.
            pub const VALUES: &'static [&'static str] = &[$($xml),*];

            /// The value as written in XML.
            #[cfg_attr(debug_assertions, inline)]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $xml, )*
                    Self::$other(v) => v,
                }
            }
        }

        impl $crate::__private::FromStr for $name {
            type Err = $crate::__private::Infallible;

            #[cfg_attr(debug_assertions, inline)]
            fn from_str(s: &str) -> $crate::__private::Result<Self, Self::Err> {
                $crate::__private::Ok(match s {
                    $( $xml => Self::$variant, )*
                    other => Self::$other(other.into()),
                })
            }
        }

        impl $crate::__private::fmt::Display for $name {
            #[cfg_attr(debug_assertions, inline)]
            fn fmt(
                &self,
                f: &mut $crate::__private::fmt::Formatter<'_>,
            ) -> $crate::__private::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::XmlValue for $name {
            #[cfg_attr(debug_assertions, inline)]
            fn from_text(
                text: &str,
            ) -> $crate::__private::Result<Self, $crate::__private::ValueError> {
                let text = $crate::__private::collapse(text);
                let $crate::__private::Ok(value) =
                    <Self as $crate::__private::FromStr>::from_str(text);
                $crate::__private::Ok(value)
            }

            #[cfg_attr(debug_assertions, inline)]
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

        impl $crate::__private::Member for $name {
            #[inline]
            fn value(&self) -> $crate::__private::Value<'_> {
                $crate::__private::Value::Str(self.as_str())
            }
        }
    };
}

/// The `ResponseMessage` implementation of a generated response message type (`$ty`): its
/// members `response_class`, `response_code`, `message_text`, `descriptive_link_key` and
/// `message_xml` (whose `any` holds the elements), as ews-codegen names the members of
/// `m:ResponseMessageType`. `#[inline]` in debug builds, as the generated readers are.
#[doc(hidden)]
#[macro_export]
macro_rules! __response_message {
    ($ty:ty) => {
        impl $crate::__private::ResponseMessage for $ty {
            #[cfg_attr(debug_assertions, inline)]
            fn response_class(&self) -> $crate::__private::ResponseClass {
                let $crate::__private::Ok(class) = self.response_class.as_str().parse();
                class
            }

            #[cfg_attr(debug_assertions, inline)]
            fn response_code(&self) -> $crate::__private::Option<$crate::__private::ResponseCode> {
                $crate::__private::response_code(&self.response_code)
            }

            #[cfg_attr(debug_assertions, inline)]
            fn message_text(&self) -> $crate::__private::Option<&str> {
                self.message_text.as_deref()
            }

            #[cfg_attr(debug_assertions, inline)]
            fn descriptive_link_key(&self) -> $crate::__private::Option<i32> {
                self.descriptive_link_key
            }

            #[cfg_attr(debug_assertions, inline)]
            fn message_xml(&self) -> &[$crate::__private::AnyElement] {
                match &self.message_xml {
                    $crate::__private::Some(x) => &x.any,
                    $crate::__private::None => &[],
                }
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

pub use crate::{
    __read as read, __reflected as reflected, __required as required,
    __response_message as response_message, __tri as tri, __value_enum as value_enum,
    __value_enum_deserialize as value_enum_deserialize,
};
