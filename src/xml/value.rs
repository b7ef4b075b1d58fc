use std::borrow::Cow;

use super::Text;

/// A text value that is not valid for its schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueError {
    /// The schema type that was expected.
    pub expected: &'static str,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the value is not a valid {}", self.expected)
    }
}

impl std::error::Error for ValueError {}

/// A simple-typed value: element text or an attribute value.
pub trait XmlValue: Sized {
    /// Parses the (unescaped) text.
    fn from_text(text: &str) -> Result<Self, ValueError>;
    /// Parses text the reader already holds, taking it over where that saves a copy; on
    /// failure the text is handed back for the error message.
    #[inline]
    fn from_cow(text: Cow<'_, str>) -> Result<Self, (ValueError, Cow<'_, str>)> {
        match Self::from_text(&text) {
            Ok(value) => Ok(value),
            Err(e) => Err((e, text)),
        }
    }
    /// The text to write (the writer escapes it).
    fn to_text(&self) -> Cow<'_, str>;
}

impl XmlValue for String {
    #[inline]
    fn from_text(text: &str) -> Result<Self, ValueError> {
        Ok(text.to_owned())
    }

    #[inline]
    fn from_cow(text: Cow<'_, str>) -> Result<Self, (ValueError, Cow<'_, str>)> {
        Ok(text.into_owned())
    }

    #[inline]
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for Text {
    #[inline]
    fn from_text(text: &str) -> Result<Self, ValueError> {
        Ok(Text::from(text))
    }

    #[inline]
    fn from_cow(text: Cow<'_, str>) -> Result<Self, (ValueError, Cow<'_, str>)> {
        Ok(match text {
            Cow::Borrowed(text) => Text::from(text),
            Cow::Owned(text) => Text::from(text),
        })
    }

    #[inline]
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlValue for bool {
    fn from_text(text: &str) -> Result<Self, ValueError> {
        match text.trim_matches(is_xml_space) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(ValueError {
                expected: "xs:boolean",
            }),
        }
    }

    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! numeric {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl XmlValue for $ty {
            fn from_text(text: &str) -> Result<Self, ValueError> {
                text.trim_matches(is_xml_space)
                    .parse()
                    .map_err(|_| ValueError { expected: $xsd })
            }

            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}

numeric! {
    i8 => "xs:byte",
    i16 => "xs:short",
    i32 => "xs:int",
    i64 => "xs:long",
    u8 => "xs:unsignedByte",
    u16 => "xs:unsignedShort",
    u32 => "xs:unsignedInt",
    u64 => "xs:unsignedLong",
    usize => "xs:nonNegativeInteger",
    isize => "xs:integer",
}

macro_rules! float {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl XmlValue for $ty {
            fn from_text(text: &str) -> Result<Self, ValueError> {
                match text.trim_matches(is_xml_space) {
                    "INF" => Ok(<$ty>::INFINITY),
                    "-INF" => Ok(<$ty>::NEG_INFINITY),
                    "NaN" => Ok(<$ty>::NAN),
                    other => other.parse().map_err(|_| ValueError { expected: $xsd }),
                }
            }

            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(if self.is_nan() {
                    "NaN".to_owned()
                } else if self.is_infinite() {
                    if *self > 0.0 { "INF" } else { "-INF" }.to_owned()
                } else {
                    self.to_string()
                })
            }
        }
    )*};
}

float! {
    f32 => "xs:float",
    f64 => "xs:double",
}

/// An `xs:list`: values separated by whitespace.
impl<T: XmlValue> XmlValue for Vec<T> {
    fn from_text(text: &str) -> Result<Self, ValueError> {
        text.split(is_xml_space)
            .filter(|item| !item.is_empty())
            .map(T::from_text)
            .collect()
    }

    fn to_text(&self) -> Cow<'_, str> {
        let items: Vec<Cow<'_, str>> = self.iter().map(T::to_text).collect();
        Cow::Owned(items.join(" "))
    }
}

/// XML's whitespace characters, which the schema's `collapse` facet strips from numbers
/// and booleans.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_short_values_inline_and_long_ones_whole() {
        let long = "a value longer than the twenty-four bytes kept inline";
        for text in ["", "0", "exactly 24 bytes long!!!", long] {
            let borrowed = Text::from_cow(Cow::Borrowed(text)).unwrap();
            let owned = Text::from_cow(Cow::Owned(text.to_owned())).unwrap();
            assert_eq!(borrowed, text);
            assert_eq!(owned, text);
            assert_eq!(borrowed.is_heap_allocated(), text.len() > 24, "{text:?}");
        }
        assert_eq!(Text::from("x").to_text(), "x");
    }

    #[test]
    fn a_value_error_says_what_was_expected() {
        let err = bool::from_text("maybe").unwrap_err();
        assert_eq!(err.to_string(), "the value is not a valid xs:boolean");
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.source().is_none());
    }

    #[test]
    fn booleans_accept_both_lexical_forms() {
        assert_eq!(bool::from_text(" true\n"), Ok(true));
        assert_eq!(bool::from_text("0"), Ok(false));
        assert_eq!(
            bool::from_text("yes"),
            Err(ValueError {
                expected: "xs:boolean"
            })
        );
    }

    #[test]
    fn numbers_trim_whitespace_and_reject_garbage() {
        assert_eq!(i32::from_text(" 2147483647 "), Ok(i32::MAX));
        assert!(i32::from_text("2147483648").is_err());
        assert_eq!(f64::from_text("-INF"), Ok(f64::NEG_INFINITY));
        assert_eq!(f64::NAN.to_text(), "NaN");
        assert_eq!(1.5f64.to_text(), "1.5");
    }
}
