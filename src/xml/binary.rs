//! `xs:base64Binary` and `xs:hexBinary` values: bytes, decoded when read and encoded when
//! written.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::{is_xml_space, ValueError, XmlValue};

/// An `xs:base64Binary` value (attachment content, MIME content, ids in binary form).
/// Written without line breaks; serialized as its base64 text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64Binary(pub Vec<u8>);

/// An `xs:hexBinary` value. Written in capitals; serialized as its hex text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct HexBinary(pub Vec<u8>);

macro_rules! bytes {
    ($($ty:ident),*) => {$(
        impl Deref for $ty {
            type Target = [u8];

            fn deref(&self) -> &[u8] {
                &self.0
            }
        }

        impl From<Vec<u8>> for $ty {
            fn from(bytes: Vec<u8>) -> Self {
                $ty(bytes)
            }
        }

        impl From<&[u8]> for $ty {
            fn from(bytes: &[u8]) -> Self {
                $ty(bytes.to_vec())
            }
        }

        /// The length and the first bytes: content can be megabytes.
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let shown = &self.0[..self.0.len().min(16)];
                write!(f, "{}({} bytes: {:02x?}", stringify!($ty), self.0.len(), shown)?;
                f.write_str(if self.0.len() > shown.len() { " …)" } else { ")" })
            }
        }

        /// Serialized in its lexical form, as in XML.
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.to_text())
            }
        }

        /// Read back from its lexical form.
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <Cow<'de, str>>::deserialize(d)?;
                Self::from_text(&text).map_err(|e| {
                    serde::de::Error::custom(format_args!("not an {}", e.expected))
                })
            }
        }
    )*};
}

bytes!(Base64Binary, HexBinary);

impl XmlValue for Base64Binary {
    fn from_text(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:base64Binary",
        };
        // Servers write base64 in one piece; line breaks and spaces are allowed, so they
        // are taken out when decoding in one piece fails.
        match STANDARD.decode(text) {
            Ok(bytes) => Ok(Base64Binary(bytes)),
            Err(_) if text.contains(is_xml_space) => {
                let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                STANDARD.decode(compact).map(Base64Binary).map_err(|_| ERR)
            }
            Err(_) => Err(ERR),
        }
    }

    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(STANDARD.encode(&self.0))
    }
}

impl XmlValue for HexBinary {
    fn from_text(text: &str) -> Result<Self, ValueError> {
        const ERR: ValueError = ValueError {
            expected: "xs:hexBinary",
        };
        let text = text.trim_matches(is_xml_space).as_bytes();
        if !text.len().is_multiple_of(2) {
            return Err(ERR);
        }
        let nibble = |b: u8| (b as char).to_digit(16).ok_or(ERR);
        text.chunks_exact(2)
            .map(|pair| Ok((nibble(pair[0])? << 4 | nibble(pair[1])?) as u8))
            .collect::<Result<Vec<u8>, ValueError>>()
            .map(HexBinary)
    }

    fn to_text(&self) -> Cow<'_, str> {
        let mut out = String::with_capacity(self.0.len() * 2);
        for b in &self.0 {
            out.push_str(&format!("{b:02X}"));
        }
        Cow::Owned(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_padded_empty_and_wrapped_text() {
        assert_eq!(Base64Binary::from_text("").unwrap().0, b"");
        assert_eq!(Base64Binary::from_text("aGk=").unwrap().0, b"hi");
        assert_eq!(Base64Binary::from_text("aGk=").unwrap().to_text(), "aGk=");
        let wrapped = "TWFu\r\nIGlz\n IGRp";
        assert_eq!(Base64Binary::from_text(wrapped).unwrap().0, b"Man is di");
        for bad in ["aGk", "a", "!!!!", "aGk==="] {
            assert!(Base64Binary::from_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hex_decodes_either_case_and_writes_capitals() {
        let value = HexBinary::from_text("00ff7A").unwrap();
        assert_eq!(value.0, [0x00, 0xff, 0x7a]);
        assert_eq!(value.to_text(), "00FF7A");
        assert!(HexBinary::from_text("0").is_err());
        assert!(HexBinary::from_text("zz").is_err());
    }

    #[test]
    fn debug_shows_the_size_not_the_content() {
        let big = Base64Binary(vec![7; 1 << 20]);
        let shown = format!("{big:?}");
        assert!(
            shown.starts_with("Base64Binary(1048576 bytes: [07, 07"),
            "{shown}"
        );
        assert!(shown.len() < 120, "{shown}");
    }
}
