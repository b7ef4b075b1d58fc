//! Helpers shared by the integration tests: finding `../shared`, a namespace-resolved XML
//! tree for semantic comparison, and reading a SOAP envelope with the generated types.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ews_bindings::xml::{self, ParseError, XmlReader, SOAP_ENVELOPE};
use ews_bindings::{messages, types};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// `../shared` (or `$EWS_SHARED_DIR`), or `None` with the reason printed. Under CI a
/// missing directory fails the test.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EWS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: CI must provide ../shared (or set EWS_SHARED_DIR)",
            dir.display()
        );
    }
    eprintln!(
        "skipped: {} not found (set EWS_SHARED_DIR to run this test)",
        dir.display()
    );
    None
}

/// The mission document's samples use `https://` for the EWS namespaces, a documentation
/// error: servers send `http://`. The tests map them before parsing.
pub fn fix_https_namespaces(xml: &str) -> String {
    xml.replace(
        "https://schemas.microsoft.com/exchange/services/2006/",
        "http://schemas.microsoft.com/exchange/services/2006/",
    )
}

/// An element with its namespace resolved, attributes as a map (namespace declarations left
/// out) and text trimmed: two documents that mean the same give equal trees, whatever their
/// prefixes, whitespace and attribute order.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub ns: Option<String>,
    pub local: String,
    pub attrs: BTreeMap<(Option<String>, String), String>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child named `local`.
    pub fn child(&self, local: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.local == local)
    }

    /// Renames, everywhere below this node, children named `from` of elements named
    /// `parent`; returns how many were renamed.
    pub fn rename_children(&mut self, parent: &str, from: &str, to: &str) -> usize {
        let mut n = 0;
        let is_parent = self.local == parent;
        for c in &mut self.children {
            if is_parent && c.local == from {
                c.local = to.to_owned();
                n += 1;
            }
            n += c.rename_children(parent, from, to);
        }
        n
    }

    fn name(&self) -> String {
        match &self.ns {
            Some(ns) => format!("{{{ns}}}{}", self.local),
            None => self.local.clone(),
        }
    }
}

/// Parses a document into a [`Node`] tree with quick-xml's own namespace resolver (not the
/// crate's reader, so that the comparison does not test the code with itself).
pub fn tree(xml: &str) -> Node {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().expect("well-formed XML");
        let ns = match resolved {
            ResolveResult::Bound(ns) => Some(ns.into_inner().to_owned()),
            _ => None,
        };
        let done = match event {
            Event::Start(e) => {
                stack.push(node(&reader, &e, ns));
                None
            }
            Event::Empty(e) => Some(node(&reader, &e, ns)),
            Event::End(_) => {
                let mut node = stack.pop().expect("balanced");
                node.text = node.text.trim().to_owned();
                Some(node)
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
                None
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
                None
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    match r.resolve_char_ref().expect("char ref") {
                        Some(c) => top.text.push(c),
                        None => top.text.push_str(
                            quick_xml::escape::resolve_predefined_entity(&r)
                                .expect("predefined entity"),
                        ),
                    }
                }
                None
            }
            Event::Eof => panic!("document ended early"),
            _ => None,
        };
        if let Some(done) = done {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => return done,
            }
        }
    }
}

fn node(
    reader: &NsReader<&[u8]>,
    e: &quick_xml::events::BytesStart<'_>,
    ns: Option<String>,
) -> Node {
    let mut attrs = BTreeMap::new();
    for a in e.attributes() {
        let a = a.expect("attribute");
        let key = a.key.0;
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let (ans, local) = reader.resolver().resolve_attribute(a.key);
        let ans = match ans {
            ResolveResult::Bound(ns) => Some(ns.into_inner().to_owned()),
            _ => None,
        };
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .expect("attribute value")
            .into_owned();
        attrs.insert((ans, local.into_inner().to_owned()), value);
    }
    Node {
        ns,
        local: e.local_name().into_inner().to_owned(),
        attrs,
        text: String::new(),
        children: Vec::new(),
    }
}

/// The first difference between `expected` and `actual`, with the path where it is.
pub fn diff(expected: &Node, actual: &Node) -> Option<String> {
    diff_at(expected, actual, &mut Vec::new())
}

fn diff_at(e: &Node, a: &Node, path: &mut Vec<String>) -> Option<String> {
    path.push(e.local.clone());
    let here = path.join("/");
    let result = if e.name() != a.name() {
        Some(format!(
            "{here}: expected element {}, found {}",
            e.name(),
            a.name()
        ))
    } else if e.attrs != a.attrs {
        Some(format!(
            "{here}: attributes differ: expected {:?}, found {:?}",
            e.attrs, a.attrs
        ))
    } else if e.text != a.text {
        Some(format!(
            "{here}: text differs: expected {:?}, found {:?}",
            e.text, a.text
        ))
    } else {
        let mut found = None;
        for (i, ec) in e.children.iter().enumerate() {
            match a.children.get(i) {
                Some(ac) => {
                    if let Some(d) = diff_at(ec, ac, path) {
                        found = Some(d);
                        break;
                    }
                }
                None => {
                    found = Some(format!("{here}: missing child {}", ec.name()));
                    break;
                }
            }
        }
        found.or_else(|| {
            a.children
                .get(e.children.len())
                .map(|extra| format!("{here}: unexpected child {}", extra.name()))
        })
    };
    path.pop();
    result
}

/// What a SOAP envelope's header and body held, read with the generated types.
pub struct Envelope {
    pub headers: Vec<types::Element>,
    /// Header elements the generated types do not cover, skipped, by local name.
    pub skipped_headers: Vec<String>,
    pub body: Result<messages::Element, ParseError>,
}

/// Reads an envelope: each header element as a `types::Element`, the body's element as a
/// `messages::Element`. A body that fails to parse is returned as its error.
pub fn read_envelope(xml: &str) -> Result<Envelope, ParseError> {
    let mut r = XmlReader::new(xml);
    let root = r.root()?;
    if !root.is(&SOAP_ENVELOPE, "Envelope") {
        return Err(r.unexpected(&root, "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"));
    }
    let mut headers = Vec::new();
    let mut skipped_headers = Vec::new();
    let mut body = None;
    while let Some(part) = r.next_child(&root)? {
        if part.is(&SOAP_ENVELOPE, "Header") {
            while let Some(h) = r.next_child(&part)? {
                if types::Element::accepts(&h) {
                    headers.push(r.read::<types::Element>(h)?);
                } else {
                    skipped_headers.push(h.local.to_owned());
                    r.skip(h)?;
                }
            }
        } else if part.is(&SOAP_ENVELOPE, "Body") {
            let first = r.next_child(&part)?.expect("a body element");
            let parsed = r.read::<messages::Element>(first);
            if parsed.is_err() {
                return Ok(Envelope {
                    headers,
                    skipped_headers,
                    body: parsed,
                });
            }
            body = Some(parsed);
            while let Some(extra) = r.next_child(&part)? {
                r.skip(extra)?;
            }
        } else {
            r.skip(part)?;
        }
    }
    r.finish()?;
    Ok(Envelope {
        headers,
        skipped_headers,
        body: body.expect("an envelope with a body"),
    })
}

/// Serializes a global element of the messages namespace.
pub fn write_message(element: &messages::Element) -> String {
    let mut w = xml::XmlWriter::new().with_namespaces(&[&messages::NAMESPACE, &types::NAMESPACE]);
    element.write(&mut w);
    w.into_string()
}

/// Serializes a global element of the types namespace.
pub fn write_header(element: &types::Element) -> String {
    let mut w = xml::XmlWriter::new().with_namespaces(&[&types::NAMESPACE]);
    element.write(&mut w);
    w.into_string()
}
