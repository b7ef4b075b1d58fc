use std::any::{Any, TypeId};
use std::borrow::Cow;

use super::scan::{self, Scanner, Tag, Token};
use super::{
    lookup, AnyElement, AnyNode, Namespace, ParseError, ParseErrorKind, ValueError, XmlValue, XML,
};

/// How many bytes of items a list holds before it grows by what the input has left (see
/// [`XmlReader::items`]): a list this large is one of the document's main parts, where a
/// smaller one is more likely a short list among many (an item's recipients), for which
/// room for the rest of the document would be far too much.
const SIZED_BY_INPUT: usize = 128 << 10;

/// The namespace an element or attribute name resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ns<'a> {
    /// No namespace (an unprefixed name with no default namespace, or any unprefixed attribute).
    None,
    /// One of the namespaces of the reader's table (see
    /// [`XmlReader::with_namespaces`]).
    Known(&'static Namespace),
    /// Any other namespace, by URI.
    Other(Cow<'a, str>),
}

impl Ns<'_> {
    /// Whether this is the namespace `ns`: by address for a namespace of the reader's
    /// table, by URI otherwise.
    #[inline]
    pub fn is(&self, ns: &'static Namespace) -> bool {
        match self {
            Ns::Known(n) => std::ptr::eq(*n, ns) || n.uri == ns.uri,
            Ns::Other(uri) => uri == ns.uri,
            Ns::None => false,
        }
    }

    /// The namespace URI, if there is one.
    pub fn uri(&self) -> Option<&str> {
        match self {
            Ns::None => None,
            Ns::Known(ns) => Some(ns.uri),
            Ns::Other(uri) => Some(uri),
        }
    }
}

/// Whether a name in `ns` is in `expected` (`None`: no namespace).
#[inline]
fn is_in(ns: &Ns<'_>, expected: Option<&'static Namespace>) -> bool {
    match expected {
        Some(expected) => ns.is(expected),
        None => ns.uri().is_none(),
    }
}

/// Whether two names are in the same namespace.
#[inline]
fn same_ns(a: &Ns<'_>, b: &Ns<'_>) -> bool {
    match (a, b) {
        (Ns::Known(a), Ns::Known(b)) if std::ptr::eq(*a, *b) => true,
        _ => a.uri() == b.uri(),
    }
}

/// The start tag of an element, handed out by [`XmlReader`]; it must be given back to the
/// reader (to read its content or to skip it) before the reader reads on.
#[derive(Debug)]
#[must_use = "an element's start must be read or skipped before the reader reads on"]
pub struct Start<'a> {
    /// The namespace of the element's name.
    pub ns: Ns<'a>,
    /// The local part of the element's name.
    pub local: &'a str,
    /// The name as written, prefix included.
    name: &'a str,
    /// The attributes as written.
    attributes: &'a str,
    empty: bool,
    /// How deep the element is (the root is 1).
    depth: usize,
}

impl<'a> Start<'a> {
    /// Whether the element is `{ns}local`.
    #[inline]
    pub fn is(&self, ns: &'static Namespace, local: &str) -> bool {
        self.local == local && self.ns.is(ns)
    }

    /// The element's name in `{namespace}local` form, for messages.
    pub fn expanded_name(&self) -> String {
        expanded(&self.ns, self.local)
    }

    /// The local name if the element is in `ns` (`None`: in no namespace), and `""`,
    /// which is no element's name, if not: generated readers match it against the names
    /// of their elements, the namespace checked once.
    #[inline]
    #[doc(hidden)]
    pub fn local_in(&self, ns: impl Into<Option<&'static Namespace>>) -> &'a str {
        if is_in(&self.ns, ns.into()) {
            self.local
        } else {
            ""
        }
    }
}

/// An attribute of a start tag, with its prefix resolved and its value unescaped.
#[derive(Debug)]
pub struct Attr<'a> {
    /// The namespace of the attribute's name (unprefixed attributes have none).
    pub ns: Ns<'a>,
    /// The local part of the attribute's name.
    pub local: &'a str,
    /// The normalized, unescaped value.
    pub value: Cow<'a, str>,
}

struct Binding<'a> {
    prefix: &'a str,
    ns: Ns<'a>,
    depth: usize,
}

/// Bounds on what a document may hold, checked while it is read; passing one is a typed
/// error naming the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deeply elements may nest (default 128; EWS documents stay under 30).
    pub max_depth: usize,
    /// The longest text of one element, in bytes (default 16 MiB).
    pub max_text_bytes: usize,
    /// The longest attribute value, in bytes (default 64 KiB; EWS ids are a few hundred).
    pub max_attribute_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_text_bytes: 16 << 20,
            max_attribute_bytes: 64 << 10,
        }
    }
}

/// A namespace-aware pull reader over a borrowed XML document.
///
/// Generated readers descend with [`next_child`](Self::next_child) and hand every child
/// back through [`read`](Self::read), [`read_value`](Self::read_value) or
/// [`skip`](Self::skip). Elements the caller does not know are skipped whole. DTDs are
/// refused and no entity other than the predefined ones is expanded.
pub struct XmlReader<'a> {
    scan: Scanner<'a>,
    bindings: Vec<Binding<'a>>,
    limits: Limits,
    /// The namespaces resolved to a [`Namespace`], for comparison by address.
    namespaces: &'static [&'static Namespace],
    /// The name of the empty element handed out last: its scope closes before the next
    /// token is read.
    pending_empty: Option<&'a str>,
    /// Where the elements of one type go instead of into their lists (see
    /// [`each`](Self::each)).
    each: Option<Each<'a>>,
}

/// Where the reader stands, not the document (which may be megabytes).
impl std::fmt::Debug for XmlReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlReader")
            .field("position", &self.scan.position())
            .field("depth", &self.scan.open().len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A function taking the list elements of one type as they are read.
struct Each<'a> {
    ty: TypeId,
    take: Box<Take<'a>>,
}

/// Takes the value out of an `Option<T>`, `T` the type an [`Each`] is for.
type Take<'a> = dyn FnMut(&mut dyn Any) + 'a;

impl<'a> XmlReader<'a> {
    /// A reader over `input`; a leading byte order mark is ignored.
    pub fn new(input: &'a str) -> Self {
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        Self {
            scan: Scanner::new(input),
            bindings: Vec::new(),
            limits: Limits::default(),
            namespaces: &[],
            pending_empty: None,
            each: None,
        }
    }

    /// A reader over UTF-8 bytes; other encodings are refused.
    pub fn from_bytes(input: &'a [u8]) -> Result<Self, ParseError> {
        match simdutf8::compat::from_utf8(input) {
            Ok(text) => Ok(Self::new(text)),
            // A character cut off by the end: the document was cut.
            Err(e) if e.error_len().is_none() => Err(ParseError::new(
                ParseErrorKind::Truncated,
                String::new(),
                e.valid_up_to() as u64,
            )),
            Err(e) => Err(ParseError::new(
                ParseErrorKind::InvalidUtf8,
                String::new(),
                e.valid_up_to() as u64,
            )),
        }
    }

    /// Resolves the namespaces of `table` to their [`Namespace`] (and `xml:`, `xsi:`
    /// always), so that [`Ns::is`] compares them by address. Other namespaces are compared
    /// by URI: reading is the same with or without a table, only faster with one.
    pub fn with_namespaces(mut self, table: &'static [&'static Namespace]) -> Self {
        self.namespaces = table;
        self
    }

    /// Hands every element of type `T` that the document holds in a list (a repeated
    /// element, or the content of an element wrapping one) to `each` as soon as it is read,
    /// in document order, instead of keeping it in the list: the lists of `T` read empty.
    /// Memory then holds one `T` at a time however many the document holds, the way to
    /// read a page of 10,000 items. Lists of other types are read as always.
    ///
    /// ```
    /// use ews_bindings::types::{ImGroup, ImItemList};
    /// use ews_bindings::xml::XmlReader;
    ///
    /// let xml = r#"<ImItemList xmlns="http://schemas.microsoft.com/exchange/services/2006/types">
    ///   <Groups>
    ///     <ImGroup><DisplayName>Friends</DisplayName><GroupType>Normal</GroupType></ImGroup>
    ///     <ImGroup><DisplayName>Team</DisplayName><GroupType>Normal</GroupType></ImGroup>
    ///   </Groups>
    /// </ImItemList>"#;
    /// let mut names = Vec::new();
    /// let mut r = XmlReader::new(xml).each(|group: ImGroup| names.push(group.display_name));
    /// let root = r.root()?;
    /// let list: ImItemList = r.read(root)?;
    /// drop(r);
    /// assert_eq!(list.groups, Some(vec![]));
    /// assert_eq!(names, ["Friends", "Team"]);
    /// # Ok::<(), ews_bindings::xml::ParseError>(())
    /// ```
    pub fn each<T: 'static>(mut self, mut each: impl FnMut(T) + 'a) -> Self {
        self.each = Some(Each {
            ty: TypeId::of::<T>(),
            take: Box::new(move |slot: &mut dyn Any| {
                if let Some(value) = slot.downcast_mut::<Option<T>>().and_then(Option::take) {
                    each(value);
                }
            }),
        });
        self
    }

    /// Adds `value`, an element of a list, to `list`, or hands it to the function of
    /// [`each`](Self::each) if it takes values of its type. Most EWS lists hold one or two
    /// values: those get an allocation of their exact size (where `Vec::push` would
    /// allocate four slots at once); longer lists grow by doubling, and those read through
    /// [`items`](Self::items) by what the input has left once they hold [`SIZED_BY_INPUT`]
    /// bytes.
    #[inline]
    fn keep<T: 'static>(&mut self, list: &mut Vec<T>, value: T) {
        match &mut self.each {
            Some(each) if each.ty == TypeId::of::<T>() => (each.take)(&mut Some(value)),
            _ => {
                if list.len() == list.capacity() {
                    list.reserve_exact(list.len().max(1));
                }
                list.push(value);
            }
        }
    }

    /// Sets the limits the document is read within.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads up to the root element's start tag.
    pub fn root(&mut self) -> Result<Start<'a>, ParseError> {
        loop {
            match self.token()? {
                Token::Start(tag) => return self.open(tag),
                Token::Text(text) if is_blank(text) => {}
                Token::Ignorable => {}
                Token::Eof => return Err(self.error(ParseErrorKind::Truncated)),
                _ => {
                    return Err(self.error(ParseErrorKind::Syntax(
                        "content before the root element".into(),
                    )))
                }
            }
        }
    }

    /// Checks that nothing but whitespace, comments and processing instructions follows
    /// the root element.
    pub fn finish(&mut self) -> Result<(), ParseError> {
        loop {
            match self.token()? {
                Token::Eof => return Ok(()),
                Token::Text(text) if is_blank(text) => {}
                Token::Ignorable => {}
                _ => return Err(self.error(ParseErrorKind::TrailingContent)),
            }
        }
    }

    /// The next child element of `parent`, or `None` once `parent` has ended. Text between
    /// child elements is ignored.
    #[inline]
    pub fn next_child(&mut self, parent: &Start<'a>) -> Result<Option<Start<'a>>, ParseError> {
        if parent.empty {
            return Ok(None);
        }
        self.close_pending_empty();
        if self.scan.open().len() != parent.depth {
            return Err(self.error(ParseErrorKind::ElementNotRead));
        }
        loop {
            match self.token()? {
                Token::Start(tag) => return self.open(tag).map(Some),
                Token::End => {
                    self.close();
                    return Ok(None);
                }
                Token::Eof => return Err(self.error(ParseErrorKind::Truncated)),
                Token::Text(raw) => self.pass_over(raw)?,
                _ => {}
            }
        }
    }

    /// Reads the element `start` as a `T`.
    #[inline]
    pub fn read<T: FromXml>(&mut self, start: Start<'a>) -> Result<T, ParseError> {
        T::from_xml(self, start)
    }

    /// Reads the text of the element `start` and parses it as a `T`.
    pub fn read_value<T: XmlValue>(&mut self, start: Start<'a>) -> Result<T, ParseError> {
        let local = start.local;
        let position = self.scan.position() as u64;
        let text = self.text(start)?;
        // A `match`, not `map_err` or `?`, here and in the other generic readers: no closure
        // or `Try` instance for each type read, which the whole schema would compile by
        // the thousand.
        match T::from_cow(text) {
            Ok(value) => Ok(value),
            Err((e, text)) => Err(self.invalid(local, text, e, position)),
        }
    }

    /// The error of the text `value` of `name`, which is not a valid value, at `position`.
    fn invalid(&self, name: &str, value: Cow<'_, str>, e: ValueError, position: u64) -> ParseError {
        let kind = ParseErrorKind::InvalidValue {
            name: name.to_owned(),
            value: value.into_owned(),
            expected: e.expected,
        };
        ParseError::new(kind, self.path(), position)
    }

    /// Reads the children of `list` named `{ns}local` as `T`s, skipping any other child:
    /// the content of an element that wraps a repeated element (`<t:Groups>` of
    /// `<t:ImGroup>`).
    #[doc(hidden)]
    pub fn read_list<T: FromXml + 'static>(
        &mut self,
        list: Start<'a>,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
    ) -> Result<Vec<T>, ParseError> {
        self.read_items(list, Some(ns.into()), local, T::from_xml)
    }

    /// [`read_list`](Self::read_list) for simple-typed items, each parsed from its text.
    #[doc(hidden)]
    pub fn read_value_list<T: XmlValue + 'static>(
        &mut self,
        list: Start<'a>,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
    ) -> Result<Vec<T>, ParseError> {
        self.read_items(list, Some(ns.into()), local, Self::read_value)
    }

    /// The children of `list` named `local` in `ns` (`None`: in `list`'s namespace), each
    /// read with `read`; any other child is skipped.
    fn read_items<T: 'static>(
        &mut self,
        list: Start<'a>,
        ns: Option<Option<&'static Namespace>>,
        local: &str,
        read: impl Fn(&mut Self, Start<'a>) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let list_ns = list.ns.clone();
        self.items(list, |r, item, items| {
            let ours = match ns {
                None => same_ns(&item.ns, &list_ns),
                Some(ns) => is_in(&item.ns, ns),
            };
            if item.local == local && ours {
                match read(r, item) {
                    Ok(value) => {
                        r.keep(items, value);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            } else {
                r.skip(item)
            }
        })
    }

    /// Reads the children of `list` with `each`, which adds those it reads to the list
    /// (with [`field`](Self::field)) and skips the others.
    ///
    /// A list whose items reach [`SIZED_BY_INPUT`] bytes makes room for as many more as the
    /// rest of the input could hold at the size its items have had so far (at least doubling,
    /// never more bytes than the input has left), so that a list of thousands of items is
    /// not copied into fresh memory at every doubling; at its end, room for more than twice
    /// its items is given back.
    #[doc(hidden)]
    pub fn items<T: 'static>(
        &mut self,
        list: Start<'a>,
        mut each: impl FnMut(&mut Self, Start<'a>, &mut Vec<T>) -> Result<(), ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let from = self.scan.position();
        let mut items = Vec::new();
        loop {
            // A `match`, not `?`: no `Try` functions compiled for each type of item.
            let item = match self.next_child(&list) {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(e) => return Err(e),
            };
            if items.len() == items.capacity() && items.len() * size_of::<T>() >= SIZED_BY_INPUT {
                items.reserve_exact(self.room_by_input(items.len(), size_of::<T>(), from));
            }
            match each(self, item, &mut items) {
                Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        // Room for more than twice the items, more than doubling leaves, is given back.
        if items.capacity() / 2 > items.len() {
            items.shrink_to_fit();
        }
        Ok(items)
    }

    /// How many more items to make room for in a full list of `len` items of `size` bytes,
    /// which took the input from `from` to here: as many as the rest of the input holds at
    /// that rate, at least `len`, at most what fits in as many bytes as the input has left.
    fn room_by_input(&self, len: usize, size: usize, from: usize) -> usize {
        let per_item = ((self.scan.position() - from) / len).max(1);
        let left = self.scan.remaining();
        let by_input = left / per_item + 1;
        let by_memory = left / size.max(1);
        by_input.min(by_memory).max(len)
    }

    /// Reads the element `child` as a `T` into `slot` (a field's `Option`, or the list of
    /// a repeated element).
    #[inline]
    #[doc(hidden)]
    pub fn field<T: FromXml, S: Slot<T>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
    ) -> Result<(), ParseError> {
        let name = child.local;
        match T::from_xml(self, child) {
            Ok(value) => slot.put(self, value, name),
            Err(e) => Err(e),
        }
    }

    /// Reads the text of the element `child` as a `T` into `slot`.
    #[inline]
    #[doc(hidden)]
    pub fn value<T: XmlValue, S: Slot<T>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
    ) -> Result<(), ParseError> {
        let name = child.local;
        match self.read_value(child) {
            Ok(value) => slot.put(self, value, name),
            Err(e) => Err(e),
        }
    }

    /// Reads the element `child` with `read` into `slot`.
    #[inline]
    #[doc(hidden)]
    pub fn field_with<T, S: Slot<T>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
        read: impl FnOnce(&mut Self, Start<'a>) -> Result<T, ParseError>,
    ) -> Result<(), ParseError> {
        let name = child.local;
        match read(self, child) {
            Ok(value) => slot.put(self, value, name),
            Err(e) => Err(e),
        }
    }

    /// Reads the element `child`, a list of `local` elements in its own namespace, into
    /// `slot` (see [`read_list`](Self::read_list)).
    #[inline]
    #[doc(hidden)]
    pub fn list<T: FromXml + 'static, S: Slot<Vec<T>>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
        local: &str,
    ) -> Result<(), ParseError> {
        self.field_with(child, slot, |r, list| {
            r.read_items(list, None, local, T::from_xml)
        })
    }

    /// [`list`](Self::list) of `{ns}local` elements.
    #[inline]
    #[doc(hidden)]
    pub fn list_in<T: FromXml + 'static, S: Slot<Vec<T>>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
    ) -> Result<(), ParseError> {
        let ns = Some(ns.into());
        self.field_with(child, slot, |r, list| {
            r.read_items(list, ns, local, T::from_xml)
        })
    }

    /// [`list`](Self::list) for simple-typed items.
    #[inline]
    #[doc(hidden)]
    pub fn value_list<T: XmlValue + 'static, S: Slot<Vec<T>>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
        local: &str,
    ) -> Result<(), ParseError> {
        self.field_with(child, slot, |r, list| {
            r.read_items(list, None, local, Self::read_value)
        })
    }

    /// [`list_in`](Self::list_in) for simple-typed items.
    #[inline]
    #[doc(hidden)]
    pub fn value_list_in<T: XmlValue + 'static, S: Slot<Vec<T>>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
    ) -> Result<(), ParseError> {
        let ns = Some(ns.into());
        self.field_with(child, slot, |r, list| {
            r.read_items(list, ns, local, Self::read_value)
        })
    }

    /// Reads the element `child`, a list of the elements of the choice `T`, into `slot`.
    #[inline]
    #[doc(hidden)]
    pub fn choices<T: ChoiceList, S: Slot<Vec<T>>>(
        &mut self,
        child: Start<'a>,
        slot: &mut S,
    ) -> Result<(), ParseError> {
        self.field_with(child, slot, T::read_list)
    }

    /// The text content of the element `start`, unescaped. Child elements inside it are
    /// skipped.
    #[inline]
    pub fn text(&mut self, start: Start<'a>) -> Result<Cow<'a, str>, ParseError> {
        let text = self.text_before_end(&start)?;
        self.close_pending_empty();
        if !start.empty {
            self.close();
        }
        Ok(text)
    }

    /// The text of an element whose content is a QName (`a:ErrorIncorrectSchemaVersion`),
    /// with its prefix resolved where the element stands: `(namespace, local name)`.
    pub fn read_qname(&mut self, start: Start<'a>) -> Result<(Ns<'a>, String), ParseError> {
        let text = self.text_before_end(&start)?;
        let (ns, local) = self.qname(&text, start.local)?;
        let local = local.to_owned();
        self.close_pending_empty();
        if !start.empty {
            self.close();
        }
        Ok((ns, local))
    }

    /// The type `start` names with `xsi:type`, its prefix resolved where the element
    /// stands: `(namespace, local name)`, or `None` when it names none.
    #[doc(hidden)]
    pub fn xsi_type(&self, start: &Start<'a>) -> Result<Option<(Ns<'a>, String)>, ParseError> {
        for attr in self.attributes(start) {
            let attr = attr?;
            if attr.local == "type" && attr.ns.is(&super::XSI) {
                let (ns, local) = self.qname(&attr.value, "xsi:type")?;
                return Ok(Some((ns, local.to_owned())));
            }
        }
        Ok(None)
    }

    /// The QName `text` (the value of `name`), its prefix resolved in the current scope.
    fn qname<'t>(&self, text: &'t str, name: &str) -> Result<(Ns<'a>, &'t str), ParseError> {
        let text = text.trim_matches(super::value::is_xml_space);
        match text.split_once(':') {
            Some((prefix, local)) if is_ncname(prefix) && is_ncname(local) => {
                match self.resolve(prefix) {
                    Some(ns) => Ok((ns, local)),
                    None => Err(self.unbound(prefix)),
                }
            }
            None if is_ncname(text) => Ok((self.resolve("").unwrap_or(Ns::None), text)),
            _ => Err(self.error(ParseErrorKind::InvalidValue {
                name: name.to_owned(),
                value: text.to_owned(),
                expected: "xs:QName",
            })),
        }
    }

    /// Reads the text of `start` up to its end tag, leaving its scope open.
    #[inline]
    fn text_before_end(&mut self, start: &Start<'a>) -> Result<Cow<'a, str>, ParseError> {
        if start.empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Option<Cow<'a, str>> = None;
        self.close_pending_empty();
        let plain = self
            .scan
            .text_and_end()
            .and_then(|raw| raw.map(scan::text).transpose());
        if let Some(part) = plain.map_err(|kind| self.error(kind))? {
            self.append_text(&mut text, part)?;
            return Ok(text.unwrap_or(Cow::Borrowed("")));
        }
        loop {
            match self.token()? {
                Token::Start(tag) => {
                    let child = self.open(tag)?;
                    self.skip(child)?;
                }
                Token::End => return Ok(text.unwrap_or(Cow::Borrowed(""))),
                token => {
                    if let Some(part) = self.text_of(token)? {
                        self.append_text(&mut text, part)?;
                    }
                }
            }
        }
    }

    /// The content of the element `start` as a tree: child elements and non-blank text.
    pub(crate) fn mixed_content(&mut self, start: Start<'a>) -> Result<Vec<AnyNode>, ParseError> {
        let mut nodes = Vec::new();
        if start.empty {
            return Ok(nodes);
        }
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            let child = match self.token()? {
                Token::Start(tag) => self.open(tag)?,
                Token::End => {
                    push_text(&mut nodes, text.take());
                    self.close();
                    return Ok(nodes);
                }
                token => {
                    if let Some(part) = self.text_of(token)? {
                        self.append_text(&mut text, part)?;
                    }
                    continue;
                }
            };
            push_text(&mut nodes, text.take());
            nodes.push(AnyNode::Element(AnyElement::from_xml(self, child)?));
        }
    }

    /// Adds `part` to the text of the element being read, within the text limit.
    fn append_text(
        &self,
        text: &mut Option<Cow<'a, str>>,
        part: Cow<'a, str>,
    ) -> Result<(), ParseError> {
        let len = text.as_ref().map_or(0, |t| t.len()) + part.len();
        if len > self.limits.max_text_bytes {
            let limit = self.limits.max_text_bytes;
            return Err(self.error(ParseErrorKind::TextTooLong { limit }));
        }
        append(text, part);
        Ok(())
    }

    /// The text a token inside an element contributes; fails on the end of the document.
    fn text_of(&self, token: Token<'a>) -> Result<Option<Cow<'a, str>>, ParseError> {
        match token {
            Token::Text(raw) => scan::text(raw).map(Some).map_err(|kind| self.error(kind)),
            Token::CData(raw) => Ok(Some(scan::cdata(raw))),
            Token::Eof => Err(self.error(ParseErrorKind::Truncated)),
            _ => Ok(None),
        }
    }

    /// Checks the references of text that is not read.
    #[inline]
    fn pass_over(&self, raw: &str) -> Result<(), ParseError> {
        scan::check_references(raw).map_err(|kind| self.error(kind))
    }

    /// Skips the element `start` and everything in it.
    pub fn skip(&mut self, start: Start<'a>) -> Result<(), ParseError> {
        if start.empty {
            self.close_pending_empty();
            return Ok(());
        }
        loop {
            match self.token()? {
                // Opened as any element is, so that its names are checked in their scope.
                Token::Start(tag) => drop(self.open(tag)?),
                Token::End if self.scan.open().len() < start.depth => {
                    self.close();
                    return Ok(());
                }
                Token::End => self.close(),
                Token::Text(raw) => self.pass_over(raw)?,
                _ => {}
            }
        }
    }

    /// The attributes of `start`, namespace declarations left out.
    pub fn attributes<'s>(
        &'s self,
        start: &Start<'a>,
    ) -> impl Iterator<Item = Result<Attr<'a>, ParseError>> + 's {
        scan::checked_attributes(start.attributes).filter_map(move |(key, raw)| {
            if key == "xmlns" || key.starts_with("xmlns:") {
                return None;
            }
            let (ns, local) = match key.split_once(':') {
                None => (Ns::None, key),
                Some((prefix, local)) => match self.resolve(prefix) {
                    Some(ns) => (ns, local),
                    None => return Some(Err(self.unbound(prefix))),
                },
            };
            Some(
                self.attribute_value(raw)
                    .map(|value| Attr { ns, local, value }),
            )
        })
    }

    /// The value of an attribute as written (`raw`), checked and normalized.
    fn attribute_value(&self, raw: &'a str) -> Result<Cow<'a, str>, ParseError> {
        if raw.len() > self.limits.max_attribute_bytes {
            let limit = self.limits.max_attribute_bytes;
            return Err(self.error(ParseErrorKind::AttributeTooLong { limit }));
        }
        scan::attribute_value(raw).map_err(|kind| self.error(kind))
    }

    /// The attribute `{ns}local` of `start` (`ns` `None`: an unprefixed attribute) parsed
    /// as a `T`, or `None` when `start` has no such attribute. Only this attribute's value
    /// is unescaped and parsed: the scanner checked all of them as it cut the tag.
    #[doc(hidden)]
    pub fn attr<T: XmlValue>(
        &self,
        start: &Start<'a>,
        ns: impl Into<Option<&'static Namespace>>,
        local: &str,
    ) -> Result<Option<T>, ParseError> {
        let ns = ns.into();
        for (key, raw) in scan::checked_attributes(start.attributes) {
            let named = match (key.split_once(':'), ns) {
                (None, None) => key == local,
                (Some((prefix, name)), Some(ns)) => {
                    name == local
                        && prefix != "xmlns"
                        && self.resolve(prefix).is_some_and(|found| found.is(ns))
                }
                _ => false,
            };
            if named {
                let value = self.attribute_value(raw)?;
                return match T::from_text(&value) {
                    Ok(parsed) => Ok(Some(parsed)),
                    Err(e) => Err(self.invalid(local, value, e, self.scan.position() as u64)),
                };
            }
        }
        Ok(None)
    }

    /// [`attr`](Self::attr) of an attribute `start` requires: its absence is an error naming
    /// it.
    #[doc(hidden)]
    pub fn required_attr<T: XmlValue>(
        &self,
        start: &Start<'a>,
        ns: impl Into<Option<&'static Namespace>>,
        local: &'static str,
    ) -> Result<T, ParseError> {
        match self.attr(start, ns, local) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(self.error_in(start, ParseErrorKind::MissingAttribute(local))),
            Err(e) => Err(e),
        }
    }

    /// The error of reading `start`, an element none of the choice `choice`'s variants
    /// holds, as that choice.
    #[doc(hidden)]
    pub fn not_in_choice<T>(&self, start: Start<'a>, choice: &str) -> Result<T, ParseError> {
        Err(self.unexpected(&start, &format!("of the choice `{choice}`")))
    }

    /// An error saying that `start` is not the element that was expected.
    pub fn unexpected(&self, start: &Start<'_>, expected: &str) -> ParseError {
        self.error(ParseErrorKind::UnexpectedElement {
            expected: expected.to_owned(),
            found: start.expanded_name(),
        })
    }

    /// An error of kind `kind` at the reader's current position.
    pub fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(kind, self.path(), self.scan.position() as u64)
    }

    /// The qualified names of the open elements, outermost first, joined by `/`.
    fn path(&self) -> String {
        let mut path = self.scan.open().join("/");
        if let Some(empty) = self.pending_empty {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(empty);
        }
        path
    }

    /// The error of `parent` lacking its required element `name`, which generated readers
    /// return through `rt::required!` (a `let … else`: no function for each type taken).
    #[doc(hidden)]
    pub fn missing(&self, name: &'static str, parent: &Start<'_>) -> ParseError {
        self.error_in(parent, ParseErrorKind::MissingElement(name))
    }

    /// An error about `element`, which may have been closed already.
    fn error_in(&self, element: &Start<'_>, kind: ParseErrorKind) -> ParseError {
        let mut err = self.error(kind);
        let open = self
            .pending_empty
            .or_else(|| self.scan.open().last().copied())
            .is_some_and(|n| std::ptr::eq(n, element.name));
        if !open {
            err.push_path(element.name);
        }
        err
    }

    /// The nesting depth of the element being read (the root is 1).
    pub fn depth(&self) -> usize {
        self.scan.open().len() + usize::from(self.pending_empty.is_some())
    }

    /// The limits the document is read within.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The next token; the scope of an empty element handed out before it closes first.
    #[inline]
    fn token(&mut self) -> Result<Token<'a>, ParseError> {
        self.close_pending_empty();
        self.scan.next().map_err(|kind| self.error(kind))
    }

    /// Hands out the element whose start tag was just read.
    #[inline]
    fn open(&mut self, tag: Tag<'a>) -> Result<Start<'a>, ParseError> {
        let Tag {
            name,
            colon,
            attributes,
            empty,
            prefixed,
            declares,
        } = tag;
        if empty {
            self.pending_empty = Some(name);
        }
        let depth = self.depth();
        if depth > self.limits.max_depth {
            let limit = self.limits.max_depth;
            return Err(self.error(ParseErrorKind::TooDeep { limit }));
        }
        if declares {
            self.bind(attributes, depth)?;
        }
        let (ns, local) = match colon {
            None => (self.resolve("").unwrap_or(Ns::None), name),
            Some(colon) => {
                let (prefix, local) = (&name[..colon], &name[colon + 1..]);
                match self.resolve(prefix) {
                    Some(ns) => (ns, local),
                    None => return Err(self.unbound(prefix)),
                }
            }
        };
        if prefixed {
            self.check_attribute_names(attributes)?;
        }
        Ok(Start {
            ns,
            local,
            name,
            attributes,
            empty,
            depth,
        })
    }

    /// Checks the prefixed attribute names of a start tag (its namespace declarations left
    /// out; the scanner checked that they are qualified names): each prefix bound, no two of
    /// them the same name in the same namespace.
    fn check_attribute_names(&self, attributes: &str) -> Result<(), ParseError> {
        let mut seen: Vec<(Option<String>, &str)> = Vec::new();
        for (key, _) in scan::checked_attributes(attributes) {
            let Some((prefix, local)) = key.split_once(':') else {
                continue;
            };
            if prefix == "xmlns" {
                continue;
            }
            let ns = self.resolve(prefix).ok_or_else(|| self.unbound(prefix))?;
            let expanded = (ns.uri().map(str::to_owned), local);
            if seen.contains(&expanded) {
                return Err(self.error(ParseErrorKind::Syntax(format!(
                    "the attribute `{local}` of the namespace {} is given twice",
                    expanded.0.as_deref().unwrap_or("(none)")
                ))));
            }
            seen.push(expanded);
        }
        Ok(())
    }

    /// Brings the namespace declarations among `attributes` into scope at `depth`.
    fn bind(&mut self, attributes: &'a str, depth: usize) -> Result<(), ParseError> {
        for (key, raw) in scan::checked_attributes(attributes) {
            let prefix = if key == "xmlns" {
                ""
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                prefix
            } else {
                continue;
            };
            let uri = self.attribute_value(raw)?;
            if let Some(why) = reserved(prefix, &uri) {
                return Err(self.error(ParseErrorKind::Syntax(format!(
                    "`{key}=\"{uri}\"` is not allowed: {why}"
                ))));
            }
            let ns = if uri.is_empty() {
                Ns::None
            } else if let Some(ns) = lookup(self.namespaces, &uri) {
                Ns::Known(ns)
            } else {
                Ns::Other(uri)
            };
            self.bindings.push(Binding { prefix, ns, depth });
        }
        Ok(())
    }

    fn resolve(&self, prefix: &str) -> Option<Ns<'a>> {
        // The default namespace (the empty prefix, every unprefixed element's) is found by
        // length alone: comparing two empty strings calls memcmp with dangling pointers,
        // and the masked loads of glibc's AVX-512 memcmp take a slow fault-suppression path
        // on such an address, which made documents in a default namespace read half again
        // as slowly as prefixed ones.
        let binding = if prefix.is_empty() {
            self.bindings.iter().rev().find(|b| b.prefix.is_empty())
        } else {
            self.bindings.iter().rev().find(|b| b.prefix == prefix)
        };
        if let Some(binding) = binding {
            return Some(binding.ns.clone());
        }
        match prefix {
            "" => Some(Ns::None),
            "xml" => Some(Ns::Known(&XML)),
            _ => None,
        }
    }

    fn unbound(&self, prefix: &str) -> ParseError {
        self.error(ParseErrorKind::Syntax(format!(
            "prefix `{prefix}` is not bound to a namespace"
        )))
    }

    /// Drops the namespace declarations of elements that have ended.
    #[inline]
    fn close(&mut self) {
        let depth = self.scan.open().len();
        while self.bindings.last().is_some_and(|b| b.depth > depth) {
            self.bindings.pop();
        }
    }

    #[inline]
    fn close_pending_empty(&mut self) {
        if self.pending_empty.take().is_some() {
            self.close();
        }
    }
}

/// Why Namespaces in XML forbids binding `prefix` (`""`: the default namespace) to `uri`,
/// if it does.
fn reserved(prefix: &str, uri: &str) -> Option<&'static str> {
    const XMLNS: &str = "http://www.w3.org/2000/xmlns/";
    match prefix {
        "xmlns" => Some("the prefix `xmlns` cannot be declared"),
        "xml" if uri != XML.uri => Some("the prefix `xml` stands for the XML namespace only"),
        "xml" => None,
        _ if uri == XML.uri => Some("only the prefix `xml` stands for the XML namespace"),
        _ if uri == XMLNS => Some("no prefix stands for the `xmlns` namespace"),
        "" => None,
        _ if uri.is_empty() => Some("a prefix cannot be undeclared in XML 1.0"),
        _ => None,
    }
}

/// A type that can be read from an element with [`XmlReader`].
pub trait FromXml: Sized {
    /// Reads the element `start` (its attributes and content) as `Self`.
    fn from_xml<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<Self, ParseError>;
}

impl<T: FromXml> FromXml for Box<T> {
    #[inline]
    fn from_xml<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<Self, ParseError> {
        match T::from_xml(r, start) {
            Ok(value) => Ok(Box::new(value)),
            Err(e) => Err(e),
        }
    }
}

/// A choice of elements an element may wrap a list of (`<m:ResponseMessages>` of any
/// response message): the list read at once.
#[doc(hidden)]
pub trait ChoiceList: Sized {
    /// Reads the children of `list` that are elements of the choice, skipping any other
    /// child.
    fn read_list<'a>(r: &mut XmlReader<'a>, list: Start<'a>) -> Result<Vec<Self>, ParseError>;
}

/// Where the generated readers put what they read of a field: an `Option` holds the one
/// value of an element that occurs at most once, a `Vec` the values of a repeated one.
#[doc(hidden)]
pub trait Slot<T> {
    /// Puts `value`, read from the element `name`.
    fn put(&mut self, r: &mut XmlReader<'_>, value: T, name: &str) -> Result<(), ParseError>;
}

impl<T> Slot<T> for Option<T> {
    #[inline]
    fn put(&mut self, r: &mut XmlReader<'_>, value: T, name: &str) -> Result<(), ParseError> {
        // A `match`, not `is_some`: no `Option::is_some` compiled for each type read.
        match self {
            Some(_) => Err(r.error(ParseErrorKind::DuplicateElement(name.to_owned()))),
            None => {
                *self = Some(value);
                Ok(())
            }
        }
    }
}

impl<T: 'static> Slot<T> for Vec<T> {
    #[inline]
    fn put(&mut self, r: &mut XmlReader<'_>, value: T, _: &str) -> Result<(), ParseError> {
        r.keep(self, value);
        Ok(())
    }
}

pub(crate) fn expanded(ns: &Ns<'_>, local: &str) -> String {
    match ns.uri() {
        Some(uri) => format!("{{{uri}}}{local}"),
        None => local.to_owned(),
    }
}

fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Whether `s` is a name without a colon (a QName's prefix or local part), roughly: not
/// empty, no whitespace, no characters that cannot be in names.
pub(crate) fn is_ncname(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
        && s.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{b7}') || (c as u32) > 0x7f
        })
}

fn push_text(nodes: &mut Vec<AnyNode>, text: Option<Cow<'_, str>>) {
    if let Some(text) = text {
        if !is_blank(&text) {
            nodes.push(AnyNode::Text(text.into_owned()));
        }
    }
}

fn append<'a>(text: &mut Option<Cow<'a, str>>, part: Cow<'a, str>) {
    match text {
        None => *text = Some(part),
        Some(existing) => existing.to_mut().push_str(&part),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::AnyElement;

    /// What reading `xml` as a tree, or with its root skipped, gives.
    fn read(xml: &str, skip: bool) -> Result<(), ParseError> {
        let mut reader = XmlReader::from_bytes(xml.as_bytes())?;
        let root = reader.root()?;
        if skip {
            reader.skip(root)?;
        } else {
            reader.read::<AnyElement>(root)?;
        }
        reader.finish()
    }

    #[test]
    fn an_attribute_is_found_by_namespace_and_name() {
        let xml =
            r#"<r xmlns:a="urn:a" xmlns:b="urn:b" a:Id="in a" b:Id="in b" Id="none" N="x7"/>"#;
        static A: Namespace = Namespace {
            uri: "urn:a",
            prefix: "a",
        };
        static C: Namespace = Namespace {
            uri: "urn:c",
            prefix: "c",
        };
        let mut reader = XmlReader::new(xml);
        let root = reader.root().unwrap();
        let id = |ns: Option<&'static Namespace>| reader.attr::<String>(&root, ns, "Id").unwrap();
        assert_eq!(id(None).as_deref(), Some("none"));
        assert_eq!(id(Some(&A)).as_deref(), Some("in a"));
        assert_eq!(id(Some(&C)), None);
        let err = reader.attr::<u32>(&root, None, "N").unwrap_err();
        assert!(err.to_string().contains("x7"), "{err}");
        let err = reader
            .required_attr::<String>(&root, None, "Name")
            .unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::MissingAttribute("Name"));
    }

    #[test]
    fn a_list_takes_items_in_its_own_namespace_or_the_one_named() {
        static A: Namespace = Namespace {
            uri: "urn:a",
            prefix: "a",
        };
        let xml = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b"><a:i>1</a:i><b:i>2</b:i><i>3</i></a:r>"#;
        for (ns, expected) in [(None, vec![1]), (Some(None), vec![3])] {
            let mut reader = XmlReader::new(xml);
            let root = reader.root().unwrap();
            let mut list: Option<Vec<u32>> = None;
            let read = match ns {
                None => reader.value_list(root, &mut list, "i"),
                Some(ns) => reader.value_list_in(root, &mut list, ns, "i"),
            };
            read.unwrap();
            assert_eq!(list, Some(expected));
        }
        let mut reader = XmlReader::new(xml);
        let root = reader.root().unwrap();
        assert_eq!(
            reader.read_value_list::<u32>(root, &A, "i").unwrap(),
            vec![1]
        );
    }

    #[test]
    fn lists_of_one_and_two_values_are_allocated_to_fit() {
        for n in 0..10 {
            let xml: String = format!("<r>{}</r>", "<i>7</i>".repeat(n));
            let mut reader = XmlReader::new(&xml);
            let root = reader.root().unwrap();
            let mut list: Vec<u32> = Vec::new();
            while let Some(item) = reader.next_child(&root).unwrap() {
                reader.value(item, &mut list).unwrap();
            }
            assert_eq!(list, vec![7; n]);
            if n <= 2 {
                assert_eq!(list.capacity(), n, "{n} values");
            }
        }
    }

    #[test]
    fn long_lists_grow_by_the_input_left_and_give_back_what_they_did_not_use() {
        let read = |xml: &str| {
            let mut reader = XmlReader::new(xml);
            let root = reader.root().unwrap();
            let list = reader.read_value_list::<u32>(root, None, "i").unwrap();
            reader.finish().unwrap();
            list
        };
        // 100,000 items that end the document: once they take 128 KiB, the list makes room
        // for what the rest of the input holds at their size, not the next power of two.
        let list = read(&format!("<r>{}</r>", "<i>7</i>".repeat(100_000)));
        assert_eq!(list.len(), 100_000);
        assert!(
            (100_000..131_072).contains(&list.capacity()),
            "{}",
            list.capacity()
        );
        // 40,000 items followed by much else: the room asked for is given back.
        let tail = "<!-- more of the document -->".repeat(40_000);
        let list = read(&format!("<r>{}</r>{tail}", "<i>7</i>".repeat(40_000)));
        assert_eq!(list.len(), 40_000);
        assert!(list.capacity() <= 80_000, "{}", list.capacity());
        // A short list in a long document grows as usual.
        let list = read(&format!("<r>{}</r>{tail}", "<i>7</i>".repeat(20)));
        assert_eq!(list.capacity(), 32);
    }

    #[test]
    fn a_value_reads_the_same_whether_its_end_tag_comes_right_after_its_text_or_not() {
        let xml =
            "<r><i>a&amp;b</i><i>a&amp;b</i ><i>a&amp;<![CDATA[b]]></i><i>a&amp;<!---->b</i></r>";
        let mut reader = XmlReader::new(xml);
        let root = reader.root().unwrap();
        let list = reader.read_value_list::<String>(root, None, "i").unwrap();
        assert_eq!(list, ["a&b"; 4]);
        let limits = Limits {
            max_text_bytes: 2,
            ..Limits::default()
        };
        for xml in ["<r>abc</r>", "<r>a<!---->bc</r>"] {
            let mut reader = XmlReader::new(xml).with_limits(limits);
            let root = reader.root().unwrap();
            let err = reader.text(root).unwrap_err();
            assert_eq!(
                err.kind(),
                &ParseErrorKind::TextTooLong { limit: 2 },
                "{xml}"
            );
        }
    }

    #[test]
    fn an_element_that_occurs_once_is_refused_the_second_time() {
        let mut reader = XmlReader::new("<r><i>1</i><i>2</i></r>");
        let root = reader.root().unwrap();
        let mut slot: Option<u32> = None;
        let first = reader.next_child(&root).unwrap().unwrap();
        reader.value(first, &mut slot).unwrap();
        let second = reader.next_child(&root).unwrap().unwrap();
        let err = reader.value(second, &mut slot).unwrap_err();
        assert_eq!(*err.kind(), ParseErrorKind::DuplicateElement("i".into()));
        assert_eq!(slot, Some(1));
    }

    #[test]
    fn the_default_namespace_is_found_for_unprefixed_names() {
        static NS: Namespace = Namespace {
            uri: "urn:x",
            prefix: "x",
        };
        static TABLE: [&Namespace; 1] = [&NS];
        let mut reader = XmlReader::new("<r xmlns:p='urn:y'><a xmlns='urn:x'><b/></a></r>")
            .with_namespaces(&TABLE);
        let root = reader.root().unwrap();
        let a = reader.next_child(&root).unwrap().unwrap();
        assert_eq!(a.local_in(&NS), "a");
        let b = reader.next_child(&a).unwrap().unwrap();
        assert_eq!(b.local_in(&NS), "b");
        assert_eq!(b.local_in(None), "");
    }

    #[test]
    fn names_follow_namespaces_read_or_skipped() {
        for xml in [
            "<:a/>",
            "<r><p:a xmlns:p='urn:x'/><q:b/></r>",
            "<r xmlns:a='urn:x' xmlns:b='urn:x'><e a:n='1' b:n='2'/></r>",
            "<r xmlns:='urn:x'/>",
            "<r><e q:n='1'/></r>",
            "<a:b:c xmlns:a='urn:x'/>",
            "<r><a: xmlns:a='urn:x'/></r>",
        ] {
            for skip in [false, true] {
                let err = read(xml, skip).unwrap_err();
                assert!(
                    matches!(err.kind(), ParseErrorKind::Syntax(_)),
                    "{xml} (skipped: {skip}): {err}"
                );
            }
        }
        let fine = "<r xmlns:a='urn:x' xmlns:b='urn:y'><e a:n='1' b:n='2' n='3'/><a:s/></r>";
        read(fine, false).unwrap();
        read(fine, true).unwrap();
    }

    #[test]
    fn a_document_cut_anywhere_is_truncated() {
        let xml = "<r a='&amp;'>caf\u{e9} &amp; th\u{e9} <b>x</b></r>";
        for cut in 1..xml.len() {
            let bytes = &xml.as_bytes()[..cut];
            let err = XmlReader::from_bytes(bytes)
                .and_then(|mut r| {
                    let root = r.root()?;
                    r.read::<AnyElement>(root).map(drop)
                })
                .unwrap_err();
            assert_eq!(err.kind(), &ParseErrorKind::Truncated, "cut at {cut}");
        }
    }

    #[test]
    fn only_xml_whitespace_is_blank_outside_the_root() {
        assert!(read("<r/>\u{c}", false).is_err());
        read("<r/> \t\r\n", false).unwrap();
    }
}
