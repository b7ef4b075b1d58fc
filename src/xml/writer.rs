use std::borrow::Cow;

use super::{lookup, Namespace, XmlValue};

/// A type that can be written as an element with [`XmlWriter`].
pub trait ToXml {
    /// Writes `self` as the element `{ns}local`.
    fn to_xml(&self, w: &mut XmlWriter, ns: Option<&'static Namespace>, local: &str);
}

impl<T: ToXml + ?Sized> ToXml for Box<T> {
    #[inline]
    fn to_xml(&self, w: &mut XmlWriter, ns: Option<&'static Namespace>, local: &str) {
        (**self).to_xml(w, ns, local);
    }
}

/// An absent element is not written.
impl<T: ToXml> ToXml for Option<T> {
    #[inline]
    fn to_xml(&self, w: &mut XmlWriter, ns: Option<&'static Namespace>, local: &str) {
        if let Some(value) = self {
            value.to_xml(w, ns, local);
        }
    }
}

/// A repeated element is written once per value.
impl<T: ToXml> ToXml for Vec<T> {
    #[inline]
    fn to_xml(&self, w: &mut XmlWriter, ns: Option<&'static Namespace>, local: &str) {
        for value in self {
            value.to_xml(w, ns, local);
        }
    }
}

/// A choice of elements (a generated enum with a variant per element), which writes the
/// element of the variant it is.
#[doc(hidden)]
pub trait Choice {
    /// Writes the element.
    fn write_choice(&self, w: &mut XmlWriter);
}

impl<T: Choice + ?Sized> Choice for Box<T> {
    #[inline]
    fn write_choice(&self, w: &mut XmlWriter) {
        (**self).write_choice(w);
    }
}

impl<T: Choice> Choice for Option<T> {
    #[inline]
    fn write_choice(&self, w: &mut XmlWriter) {
        if let Some(value) = self {
            value.write_choice(w);
        }
    }
}

impl<T: Choice> Choice for Vec<T> {
    #[inline]
    fn write_choice(&self, w: &mut XmlWriter) {
        for value in self {
            value.write_choice(w);
        }
    }
}

/// The items of a list field, which may be absent.
#[doc(hidden)]
pub trait Items<T> {
    /// The items, or `None` when the list is absent.
    fn items(&self) -> Option<&[T]>;
}

impl<T> Items<T> for Vec<T> {
    #[inline]
    fn items(&self) -> Option<&[T]> {
        Some(self)
    }
}

impl<T> Items<T> for Option<Vec<T>> {
    #[inline]
    fn items(&self) -> Option<&[T]> {
        self.as_deref()
    }
}

struct Declared {
    prefix: Cow<'static, str>,
    uri: Cow<'static, str>,
    /// The depth of the element that declares it.
    depth: usize,
    written: bool,
}

/// Writes namespace-correct XML into a string.
///
/// Elements of known namespaces are written with their usual prefix (`t:`, `m:`, `soap:`);
/// a prefix is declared on the outermost element that needs it, or on the root element
/// for the namespaces given to [`with_namespaces`](Self::with_namespaces).
pub struct XmlWriter {
    out: String,
    declared: Vec<Declared>,
    predeclare: Vec<&'static Namespace>,
    /// The namespaces whose prefixes are used for elements and attributes given by URI.
    namespaces: Vec<&'static Namespace>,
    depth: usize,
    /// The type the next element names with `xsi:type`.
    xsi_type: Option<(&'static Namespace, &'static str)>,
    /// The last start tag is still open (`<x a="b"`), waiting for `>` or `/>`.
    open: bool,
    generated_prefixes: usize,
}

/// How much is written and how deep, not the text (which may be megabytes).
impl std::fmt::Debug for XmlWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlWriter")
            .field("written", &self.out.len())
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// A writer with an empty output.
    pub fn new() -> Self {
        Self {
            out: String::new(),
            declared: Vec::new(),
            predeclare: Vec::new(),
            namespaces: Vec::new(),
            depth: 0,
            xsi_type: None,
            open: false,
            generated_prefixes: 0,
        }
    }

    /// Declares `namespaces` on the root element, so that nested elements need no
    /// declarations of their own; elements and attributes given by URI
    /// ([`start_uri`](Self::start_uri)) in one of them get its prefix too.
    pub fn with_namespaces(mut self, namespaces: &[&'static Namespace]) -> Self {
        self.predeclare = namespaces.to_vec();
        self.namespaces = namespaces.to_vec();
        self
    }

    fn known(&self, uri: &str) -> Option<&'static Namespace> {
        lookup(&self.namespaces, uri)
    }

    /// Writes the XML declaration.
    pub fn declaration(&mut self) {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    }

    /// The XML written so far.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Starts the element `{ns}local`.
    pub fn start(&mut self, ns: impl Into<Option<&'static Namespace>>, local: &str) {
        let ns = ns.into();
        self.begin(ns.map(|ns| (ns.uri, Some(ns))), local);
    }

    /// Starts an element in the namespace `uri` (any namespace, known or not).
    pub fn start_uri(&mut self, uri: Option<&str>, local: &str) {
        let ns = uri.map(|uri| (uri, self.known(uri)));
        self.begin(ns, local);
    }

    /// Starts an element in `ns` (its URI, and the known namespace it is, if any).
    fn begin(&mut self, ns: Option<(&str, Option<&'static Namespace>)>, local: &str) {
        self.start_tag();
        self.depth += 1;
        if self.depth == 1 {
            for ns in std::mem::take(&mut self.predeclare) {
                self.declare(Cow::Borrowed(ns.prefix), Cow::Borrowed(ns.uri));
            }
        }
        match ns {
            Some((uri, known)) => {
                let prefix = self.prefix_for(uri, known);
                self.out.push_str(&prefix);
                self.out.push(':');
            }
            None => {
                if self.default_namespace_set() {
                    self.declare(Cow::Borrowed(""), Cow::Borrowed(""));
                }
            }
        }
        self.out.push_str(local);
        self.flush_declarations();
        self.open = true;
        if let Some((ns, local)) = self.xsi_type.take() {
            let prefix = self.prefix_for(ns.uri, Some(ns));
            self.attr(Some(&super::XSI), "type", &format!("{prefix}:{local}"));
        }
    }

    /// Makes the next element started name its type `{ns}local` with `xsi:type` (a value
    /// of a type derived from the element's declared type).
    #[doc(hidden)]
    pub fn xsi_type(&mut self, ns: &'static Namespace, local: &'static str) {
        self.xsi_type = Some((ns, local));
    }

    /// Writes an attribute of the element just started.
    pub fn attr(&mut self, ns: Option<&'static Namespace>, local: &str, value: &str) {
        self.attr_uri(ns.map(|ns| ns.uri), local, value);
    }

    /// Writes an attribute in the namespace `uri` (any namespace, known or not).
    pub fn attr_uri(&mut self, uri: Option<&str>, local: &str, value: &str) {
        debug_assert!(self.open, "attributes go right after the start tag");
        let prefix = uri.map(|uri| self.prefix_for(uri, self.known(uri)));
        self.flush_declarations();
        self.out.push(' ');
        if let Some(prefix) = prefix {
            self.out.push_str(&prefix);
            self.out.push(':');
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// The prefix bound to the namespace `uri`, declared on the element just started if
    /// none is in scope: for QName values such as a SOAP `faultcode`.
    pub fn prefix(&mut self, uri: &str) -> String {
        debug_assert!(self.open, "a prefix is declared right after the start tag");
        let prefix = self.prefix_for(uri, self.known(uri));
        self.flush_declarations();
        prefix.into_owned()
    }

    /// Writes a simple-typed attribute.
    pub fn attr_value<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        v: &V,
    ) {
        self.attr(ns.into(), local, &v.to_text());
    }

    /// [`attr_value`](Self::attr_value) for an attribute that may be absent.
    #[inline]
    #[doc(hidden)]
    pub fn opt_attr_value<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        v: &Option<V>,
    ) {
        if let Some(v) = v {
            self.attr_value(ns, local, v);
        }
    }

    /// Writes text content.
    pub fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.close_start_tag();
        escape_into(&mut self.out, text, false);
    }

    /// Ends the element `{ns}local` started last.
    pub fn end(&mut self, ns: impl Into<Option<&'static Namespace>>, local: &str) {
        let ns = ns.into();
        self.finish(ns.map(|ns| (ns.uri, Some(ns))), local);
    }

    /// Ends the element `{uri}local` started last.
    pub fn end_uri(&mut self, uri: Option<&str>, local: &str) {
        let ns = uri.map(|uri| (uri, self.known(uri)));
        self.finish(ns, local);
    }

    /// Ends the element started last, in `ns` (its URI, and the known namespace it is).
    fn finish(&mut self, ns: Option<(&str, Option<&'static Namespace>)>, local: &str) {
        if self.open {
            self.out.push_str("/>");
            self.open = false;
        } else {
            self.out.push_str("</");
            if let Some((uri, known)) = ns {
                let prefix = self.prefix_for(uri, known);
                self.out.push_str(&prefix);
                self.out.push(':');
            }
            self.out.push_str(local);
            self.out.push('>');
        }
        while self.declared.last().is_some_and(|d| d.depth >= self.depth) {
            self.declared.pop();
        }
        self.depth -= 1;
    }

    /// Writes `{ns}local` with `value` as its text.
    pub fn value_element<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        value: &V,
    ) {
        let ns = ns.into();
        self.start(ns, local);
        self.text(&value.to_text());
        self.end(ns, local);
    }

    /// [`value_element`](Self::value_element) for an element that may be absent.
    #[inline]
    #[doc(hidden)]
    pub fn opt_value<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        value: &Option<V>,
    ) {
        if let Some(value) = value {
            self.value_element(ns, local, value);
        }
    }

    /// [`value_element`](Self::value_element) once per value of a repeated element.
    #[doc(hidden)]
    pub fn values<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        values: &[V],
    ) {
        let ns = ns.into();
        for value in values {
            self.value_element(ns, local, value);
        }
    }

    /// Writes `items` as the element `{ns}local` wrapping one `{item_ns}item_local` each
    /// (nothing when the list is absent).
    #[doc(hidden)]
    pub fn list<T: ToXml>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        item_ns: impl Into<Option<&'static Namespace>>,
        item_local: &str,
        items: &impl Items<T>,
    ) {
        let item_ns = item_ns.into();
        self.wrapped(ns, local, items, |w, item| {
            w.element(item_ns, item_local, item)
        });
    }

    /// [`list`](Self::list) for simple-typed items, each written as its text.
    #[doc(hidden)]
    pub fn value_list<V: XmlValue>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        item_ns: impl Into<Option<&'static Namespace>>,
        item_local: &str,
        items: &impl Items<V>,
    ) {
        let item_ns = item_ns.into();
        self.wrapped(ns, local, items, |w, item| {
            w.value_element(item_ns, item_local, item)
        });
    }

    /// Writes `items`, choices, as the element `{ns}local` wrapping them (nothing when the
    /// list is absent).
    #[doc(hidden)]
    pub fn choice_list<C: Choice>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        items: &impl Items<C>,
    ) {
        self.wrapped(ns, local, items, |w, item| item.write_choice(w));
    }

    /// Writes `items` with `write` inside the element `{ns}local` (nothing when the list
    /// is absent): what the lists of elements, of values and of choices share.
    fn wrapped<T>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        items: &impl Items<T>,
        mut write: impl FnMut(&mut Self, &T),
    ) {
        let Some(items) = items.items() else { return };
        let ns = ns.into();
        self.start(ns, local);
        for item in items {
            write(self, item);
        }
        self.end(ns, local);
    }

    /// Writes the element of the choice `value` (nothing for an absent one, each for a
    /// repeated one).
    #[inline]
    #[doc(hidden)]
    pub fn choice<C: Choice + ?Sized>(&mut self, value: &C) {
        value.write_choice(self);
    }

    /// Writes `value` as the element `{ns}local` (nothing for an absent value, one element
    /// each for a repeated one).
    #[inline]
    pub fn element<T: ToXml + ?Sized>(
        &mut self,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
        value: &T,
    ) {
        value.to_xml(self, ns.into(), local);
    }

    fn start_tag(&mut self) {
        self.close_start_tag();
        self.out.push('<');
    }

    fn close_start_tag(&mut self) {
        if self.open {
            self.out.push('>');
            self.open = false;
        }
    }

    fn default_namespace_set(&self) -> bool {
        self.declared
            .iter()
            .rev()
            .find(|d| d.prefix.is_empty())
            .is_some_and(|d| !d.uri.is_empty())
    }

    /// The prefix bound to `uri`, declaring one on the current element if none is in scope.
    fn prefix_for(&mut self, uri: &str, ns: Option<&'static Namespace>) -> Cow<'static, str> {
        if let Some(d) = self
            .declared
            .iter()
            .rev()
            .find(|d| !d.prefix.is_empty() && d.uri == uri)
        {
            // The binding may be shadowed by a nearer declaration of the same prefix.
            let shadowed = self
                .declared
                .iter()
                .rev()
                .take_while(|e| !std::ptr::eq(*e, d))
                .any(|e| e.prefix == d.prefix);
            if !shadowed {
                return d.prefix.clone();
            }
        }
        let prefix = match ns {
            Some(ns) if !self.prefix_in_scope(ns.prefix) => Cow::Borrowed(ns.prefix),
            _ => {
                self.generated_prefixes += 1;
                Cow::Owned(format!("ns{}", self.generated_prefixes))
            }
        };
        let uri = match ns {
            Some(ns) => Cow::Borrowed(ns.uri),
            None => Cow::Owned(uri.to_owned()),
        };
        self.declare(prefix.clone(), uri);
        prefix
    }

    fn prefix_in_scope(&self, prefix: &str) -> bool {
        self.declared.iter().any(|d| d.prefix == prefix)
    }

    fn declare(&mut self, prefix: Cow<'static, str>, uri: Cow<'static, str>) {
        if prefix == "xml" {
            return;
        }
        self.declared.push(Declared {
            prefix,
            uri,
            depth: self.depth,
            written: false,
        });
    }

    /// Writes the declarations made since the element name was written.
    fn flush_declarations(&mut self) {
        for d in self.declared.iter_mut().rev() {
            if d.written {
                break;
            }
            d.written = true;
            if d.prefix.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(&d.prefix);
                self.out.push_str("=\"");
            }
            escape_into(&mut self.out, &d.uri, true);
            self.out.push('"');
        }
    }
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            b'\r' => "&#13;",
            b'\n' if attribute => "&#10;",
            b'\t' if attribute => "&#9;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}
