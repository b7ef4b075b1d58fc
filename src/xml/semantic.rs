use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{Base64Binary, Date, DateTime, Duration, Time, XmlValue};

/// An attribute's namespace and local name.
type AttrKey = (Option<String>, String);

/// An XML element reduced to what it means: its namespace-resolved name, its attributes as
/// a map (namespace declarations left out), its trimmed text and its child elements in
/// order. Two documents that differ only in prefixes, where namespaces are declared,
/// whitespace around text, attribute order or `<x/>` against `<x></x>` give equal trees.
///
/// It is built with quick-xml's own namespace resolver, apart from
/// [`XmlReader`](super::XmlReader), so that checking the bindings with it does not check the
/// reader against itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemanticTree {
    /// The element's namespace URI.
    pub namespace: Option<String>,
    /// The element's local name.
    pub name: String,
    /// Attributes by (namespace, local name).
    pub attributes: BTreeMap<AttrKey, String>,
    /// The element's own text, concatenated and trimmed.
    pub text: String,
    /// The child elements, in document order.
    pub children: Vec<SemanticTree>,
}

impl SemanticTree {
    /// Parses the root element of `xml`.
    pub fn parse(xml: &str) -> Result<Self, String> {
        let mut reader = NsReader::from_str(xml);
        let mut stack: Vec<SemanticTree> = Vec::new();
        loop {
            let (resolved, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
            let namespace = bound(resolved);
            let done = match event {
                Event::Start(e) => {
                    stack.push(element(&reader, &e, namespace)?);
                    None
                }
                Event::Empty(e) => Some(element(&reader, &e, namespace)?),
                Event::End(_) => {
                    let mut node = stack.pop().ok_or("unbalanced end tag")?;
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
                        match r.resolve_char_ref().map_err(|e| e.to_string())? {
                            Some(c) => top.text.push(c),
                            None => top.text.push_str(
                                quick_xml::escape::resolve_predefined_entity(&r)
                                    .ok_or_else(|| format!("unknown entity &{};", &*r))?,
                            ),
                        }
                    }
                    None
                }
                Event::Eof => return Err("the document ends before its root element".into()),
                _ => None,
            };
            if let Some(done) = done {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
        }
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&SemanticTree> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first difference between `self` (expected) and `actual`, with the path of local
    /// names where it is; `None` when they mean the same.
    pub fn diff(&self, actual: &SemanticTree) -> Option<String> {
        diff_at(self, actual, &mut Vec::new())
    }

    fn expanded(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }
}

fn bound(resolved: ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(ns.into_inner().to_owned()),
        _ => None,
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    namespace: Option<String>,
) -> Result<SemanticTree, String> {
    let mut attributes = BTreeMap::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = a.key.0;
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let (ns, local) = reader.resolver().resolve_attribute(a.key);
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        let ns = bound(ns);
        let local = local.into_inner();
        // An `xsi:type` value is a QName: compared by namespace, whatever its prefix.
        let value = if ns.as_deref() == Some(super::XSI.uri) && local == "type" {
            expanded_qname(reader, &value)
        } else {
            value
        };
        attributes.insert((ns, local.to_owned()), value);
    }
    Ok(SemanticTree {
        namespace,
        name: e.local_name().into_inner().to_owned(),
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

/// The QName `value` as `{namespace}local` where its prefix is bound; as written
/// otherwise.
fn expanded_qname(reader: &NsReader<&[u8]>, value: &str) -> String {
    let (ns, local) = reader
        .resolver()
        .resolve_element(quick_xml::name::QName(value.trim()));
    match bound(ns) {
        Some(uri) => format!("{{{uri}}}{}", local.into_inner()),
        None => value.to_owned(),
    }
}

fn diff_at(e: &SemanticTree, a: &SemanticTree, path: &mut Vec<String>) -> Option<String> {
    path.push(e.name.clone());
    let here = path.join("/");
    let result = if e.expanded() != a.expanded() {
        Some(format!(
            "{here}: expected element {}, found {}",
            e.expanded(),
            a.expanded()
        ))
    } else if !same_attributes(&e.attributes, &a.attributes) {
        Some(format!(
            "{here}: attributes differ: expected {:?}, found {:?}",
            e.attributes, a.attributes
        ))
    } else if !same_value(&e.text, &a.text) {
        Some(format!(
            "{here}: text differs: expected {:?}, found {:?}",
            e.text, a.text
        ))
    } else {
        e.children
            .iter()
            .enumerate()
            .find_map(|(i, ec)| match a.children.get(i) {
                Some(ac) => diff_at(ec, ac, path),
                None => Some(format!("{here}: missing child {}", ec.expanded())),
            })
            .or_else(|| {
                a.children
                    .get(e.children.len())
                    .map(|extra| format!("{here}: unexpected child {}", extra.expanded()))
            })
    };
    path.pop();
    result
}

fn same_attributes(e: &BTreeMap<AttrKey, String>, a: &BTreeMap<AttrKey, String>) -> bool {
    e.len() == a.len()
        && e.iter()
            .zip(a)
            .all(|((ek, ev), (ak, av))| ek == ak && same_value(ev, av))
}

/// Whether two texts are the same, or the same value of an XML Schema type in two lexical
/// forms: `0` and `false`, `1` and `1.0`, date-times with more or fewer fractional zeros,
/// base64 with and without line breaks. The bindings write a value in one form of its type
/// whatever form they read, so a text of another type never changes this way.
fn same_value(e: &str, a: &str) -> bool {
    if e == a {
        return true;
    }
    fn same<T: XmlValue + PartialEq>(e: &str, a: &str) -> bool {
        matches!((T::from_text(e), T::from_text(a)), (Ok(x), Ok(y)) if x == y)
    }
    same::<bool>(e, a)
        || same::<i64>(e, a)
        || same::<f64>(e, a)
        || same::<DateTime>(e, a)
        || same::<Date>(e, a)
        || same::<Time>(e, a)
        || same::<Duration>(e, a)
        || same::<Base64Binary>(e, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_compare_by_meaning() {
        for (e, a) in [
            ("0", "false"),
            ("1", "true"),
            ("+5", "5"),
            ("1.0", "1"),
            ("2026-01-05T23:06:58.500Z", "2026-01-05T23:06:58.5Z"),
            ("TWFu\nIGlz", "TWFuIGlz"),
        ] {
            let x = SemanticTree::parse(&format!(r#"<x a="{e}">{e}</x>"#)).unwrap();
            let y = SemanticTree::parse(&format!(r#"<x a="{a}">{a}</x>"#)).unwrap();
            assert_eq!(x.diff(&y), None, "{e} / {a}");
        }
        for (e, a) in [
            ("0", "1"),
            ("yes", "true"),
            ("2026-01-05T23:06:58Z", "2026-01-05T23:06:58+00:00"),
            ("Friends", "friends"),
        ] {
            let x = SemanticTree::parse(&format!("<x>{e}</x>")).unwrap();
            let y = SemanticTree::parse(&format!("<x>{a}</x>")).unwrap();
            assert!(x.diff(&y).is_some(), "{e} / {a}");
        }
    }

    #[test]
    fn xsi_type_values_compare_by_namespace_not_prefix() {
        let xsi = r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#;
        let parse = |decl: &str, value: &str| {
            SemanticTree::parse(&format!(r#"<x {xsi} {decl} xsi:type="{value}"/>"#)).unwrap()
        };
        let t = parse(r#"xmlns:t="urn:t""#, "t:A");
        assert_eq!(t.diff(&parse(r#"xmlns:q="urn:t""#, "q:A")), None);
        assert!(t.diff(&parse(r#"xmlns:t="urn:other""#, "t:A")).is_some());
        assert!(t.diff(&parse(r#"xmlns:t="urn:t""#, "t:B")).is_some());
    }

    #[test]
    fn prefixes_whitespace_and_attribute_order_do_not_matter() {
        let a = SemanticTree::parse(r#"<a:x xmlns:a="urn:a" p="1" q="2"> <a:y>t</a:y> </a:x>"#)
            .unwrap();
        let b = SemanticTree::parse(r#"<x xmlns="urn:a" q="2" p="1"><y>t </y></x>"#).unwrap();
        assert_eq!(a.diff(&b), None);
    }

    #[test]
    fn namespaces_text_and_order_do() {
        let a = SemanticTree::parse(r#"<x xmlns="urn:a"><y/><z/></x>"#).unwrap();
        for other in [
            r#"<x xmlns="urn:b"><y/><z/></x>"#,
            r#"<x xmlns="urn:a"><z/><y/></x>"#,
            r#"<x xmlns="urn:a"><y>t</y><z/></x>"#,
            r#"<x xmlns="urn:a"><y/></x>"#,
        ] {
            assert!(
                a.diff(&SemanticTree::parse(other).unwrap()).is_some(),
                "{other}"
            );
        }
    }
}
