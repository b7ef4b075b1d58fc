use serde::{Deserialize, Serialize};

use super::reader::is_ncname;
use super::{FromXml, ParseError, ParseErrorKind, Start, ToXml, XmlReader, XmlWriter};
use crate::xml::Namespace;

/// An element matched by an `xs:any` wildcard, kept as a small tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnyElement {
    /// The element's namespace URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The element's local name.
    pub name: String,
    /// Its attributes, namespace declarations left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AnyAttribute>,
    /// Its child elements and text, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<AnyNode>,
}

/// An attribute of an [`AnyElement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnyAttribute {
    /// The attribute's namespace URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The attribute's local name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A child of an [`AnyElement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnyNode {
    /// A child element.
    Element(AnyElement),
    /// Text (whitespace between elements is dropped).
    Text(String),
}

impl AnyElement {
    /// Whether the element is `{namespace}name`.
    pub fn is(&self, namespace: &Namespace, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace.uri)
    }

    /// The value of the attribute `name` (with no namespace).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &AnyElement> {
        self.children.iter().filter_map(|c| match c {
            AnyNode::Element(e) => Some(e),
            AnyNode::Text(_) => None,
        })
    }

    /// The element's text, its child elements' text left out.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                AnyNode::Text(t) => Some(t.as_str()),
                AnyNode::Element(_) => None,
            })
            .collect()
    }
}

impl FromXml for AnyElement {
    fn from_xml<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<Self, ParseError> {
        // Names are written back as they are: only well-formed ones are kept.
        if !is_ncname(start.local) {
            return Err(r.error(ParseErrorKind::Syntax(format!(
                "invalid element name {:?}",
                start.local
            ))));
        }
        let mut attributes = Vec::new();
        for attr in r.attributes(&start) {
            let attr = attr?;
            if !is_ncname(attr.local) {
                return Err(r.error(ParseErrorKind::Syntax(format!(
                    "invalid attribute name {:?}",
                    attr.local
                ))));
            }
            attributes.push(AnyAttribute {
                namespace: attr.ns.uri().map(str::to_owned),
                name: attr.local.to_owned(),
                value: attr.value.into_owned(),
            });
        }
        let namespace = start.ns.uri().map(str::to_owned);
        let name = start.local.to_owned();
        let children = r.mixed_content(start)?;
        Ok(AnyElement {
            namespace,
            name,
            attributes,
            children,
        })
    }
}

impl AnyElement {
    /// Writes the element under its own name.
    pub fn write(&self, w: &mut XmlWriter) {
        let uri = self.namespace.as_deref();
        w.start_uri(uri, &self.name);
        for a in &self.attributes {
            w.attr_uri(a.namespace.as_deref(), &a.name, &a.value);
        }
        for child in &self.children {
            match child {
                AnyNode::Element(e) => e.write(w),
                AnyNode::Text(t) => w.text(t),
            }
        }
        w.end_uri(uri, &self.name);
    }
}

impl ToXml for AnyElement {
    /// An `AnyElement` always keeps its own name; `ns` and `local` are not used.
    fn to_xml(&self, w: &mut XmlWriter, _ns: Option<&'static Namespace>, _local: &str) {
        self.write(w);
    }
}

/// An element matched by `xs:any` is written under its own name.
impl super::Choice for AnyElement {
    fn write_choice(&self, w: &mut XmlWriter) {
        self.write(w);
    }
}
