//! The XML runtime that the generated bindings are written against. It knows no namespace
//! but `xml:` and `xsi:`; the layers above hand their namespace tables to
//! [`XmlReader::with_namespaces`] and [`XmlWriter::with_namespaces`].
//!
//! [`XmlReader`] is a namespace-aware pull reader over a borrowed document: the generated
//! readers walk it by recursive descent, matching element names as strings against the
//! namespace they resolve to. [`XmlWriter`] writes prefixed, namespace-correct XML.
//! [`XmlValue`] converts simple-typed text, and [`AnyElement`] keeps the content of
//! `xs:any` wildcards. With the `check` feature, `SemanticTree` compares documents by
//! what they mean.

mod any;
mod binary;
mod documents;
mod error;
mod reader;
mod scan;
#[cfg(feature = "check")]
mod semantic;
pub(crate) mod serialize;
mod temporal;
mod value;
mod writer;

pub use any::{AnyAttribute, AnyElement, AnyNode};
pub use binary::{Base64Binary, HexBinary};
pub(crate) use documents::{Documents, DocumentsError};
pub use error::{ParseError, ParseErrorKind};
pub use reader::{Attr, ChoiceList, FromXml, Limits, Ns, Slot, Start, XmlReader};
#[cfg(feature = "check")]
pub use semantic::SemanticTree;
pub use temporal::{Date, DateTime, Duration, Time, Zone};
pub(crate) use value::is_xml_space;
pub use value::{ValueError, XmlValue};
pub use writer::{Choice, Items, ToXml, XmlWriter};

/// The type of text values in the generated bindings (`xs:string` and the types derived
/// from it): a string that keeps up to 24 bytes inline and longer text on the heap. EWS
/// documents are full of short values (attribution ids, change keys, flags); reading them
/// without an allocation each took a quarter off the memory of the benchmarks' parsed
/// responses.
/// It dereferences to `&str` and converts from `&str` and `String` with `into()`.
pub type Text = compact_str::CompactString;

/// An XML namespace the bindings know, with the prefix the writer uses for it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Namespace {
    /// The namespace URI.
    pub uri: &'static str,
    /// The prefix written for elements of this namespace.
    pub prefix: &'static str,
}

/// The `xml:` namespace, bound to its prefix in every document.
pub static XML: Namespace = Namespace {
    uri: "http://www.w3.org/XML/1998/namespace",
    prefix: "xml",
};

/// The XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub static XSI: Namespace = Namespace {
    uri: "http://www.w3.org/2001/XMLSchema-instance",
    prefix: "xsi",
};

/// The namespaces every reader and writer knows: `xml:` and `xsi:`.
static BUILT_IN: [&Namespace; 2] = [&XML, &XSI];

/// The namespace of `table` (or a built-in one) whose URI is `uri`.
fn lookup(table: &[&'static Namespace], uri: &str) -> Option<&'static Namespace> {
    table
        .iter()
        .chain(BUILT_IN.iter())
        .copied()
        .find(|ns| ns.uri == uri)
}

/// Reads the element that starts `input` with `read`, checking that nothing but
/// comments and whitespace follows it.
pub fn read_document<'a, T>(
    input: &'a str,
    read: impl FnOnce(&mut XmlReader<'a>, Start<'a>) -> Result<T, ParseError>,
) -> Result<T, ParseError> {
    let mut reader = XmlReader::new(input);
    let root = reader.root()?;
    let value = read(&mut reader, root)?;
    reader.finish()?;
    Ok(value)
}
