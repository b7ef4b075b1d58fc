//! The tokenizer under [`XmlReader`](super::XmlReader): it cuts a document that is already
//! known to be UTF-8 into tags and text, slices of the input, without checking UTF-8
//! again or copying anything. Every tag is checked as it is cut, skipped subtrees included:
//! its name, its attributes' syntax, references and uniqueness, and that an end tag closes
//! the open element, whose names it keeps so that an error can name the elements it stands
//! in. Text is handed out as written; the reader checks its references once, as it resolves
//! them ([`text`]) or, where it passes text over, with [`check_references`]. The reader
//! splits a tag's attributes again without checking them ([`checked_attributes`]) and
//! resolves the values it is asked for ([`attribute_value`]).

use std::borrow::Cow;
use std::collections::HashSet;

use memchr::{memchr, memchr2, memchr3};

use super::ParseErrorKind;

/// One piece of a document.
#[derive(Debug)]
pub(super) enum Token<'a> {
    /// `<name attributes>`, or `<name attributes/>`.
    Start(Tag<'a>),
    /// `</name>`, checked against the start tag it closes.
    End,
    /// Character data as written: references unresolved and unchecked, line ends as they
    /// are.
    Text(&'a str),
    /// The content of a CDATA section.
    CData(&'a str),
    /// A comment or a processing instruction.
    Ignorable,
    /// The end of the input (with no element open).
    Eof,
}

/// A start tag, cut and checked.
#[derive(Debug)]
pub(super) struct Tag<'a> {
    /// The name as written, prefix included.
    pub(super) name: &'a str,
    /// Where the prefix of `name` ends, if it has one.
    pub(super) colon: Option<usize>,
    /// Everything between the name and `>` (or `/>`), as written.
    pub(super) attributes: &'a str,
    /// Whether the tag closes itself (`/>`).
    pub(super) empty: bool,
    /// Whether an attribute name other than a namespace declaration has a colon.
    pub(super) prefixed: bool,
    /// Whether an attribute is a namespace declaration (`xmlns` or `xmlns:prefix`).
    pub(super) declares: bool,
}

/// The tokenizer's state: the input, how far it has read, and the open elements.
pub(super) struct Scanner<'a> {
    input: &'a str,
    pos: usize,
    open: Vec<&'a str>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(input: &'a str) -> Self {
        Scanner {
            input,
            pos: 0,
            open: Vec::new(),
        }
    }

    /// The byte offset of the next unread byte.
    #[inline]
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    /// How many bytes of the input are left to read.
    #[inline]
    pub(super) fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// The names of the open elements, outermost first.
    #[inline]
    pub(super) fn open(&self) -> &[&'a str] {
        &self.open
    }

    /// The next token. An empty element's start is not kept open; every other start is
    /// until its end tag.
    #[inline]
    pub(super) fn next(&mut self) -> Result<Token<'a>, ParseErrorKind> {
        let rest = &self.input.as_bytes()[self.pos..];
        match rest {
            [] if self.open.is_empty() => Ok(Token::Eof),
            [] => Err(ParseErrorKind::Truncated),
            [b'<', b'/', ..] => self.end_tag(),
            [b'<', b'!', ..] => self.bang(),
            [b'<', b'?', ..] => self.processing_instruction(),
            [b'<', ..] => self.start_tag(),
            _ => {
                let len = match memchr(b'<', rest) {
                    Some(len) => len,
                    // Text running to the end inside an element was cut off, wherever it
                    // ends (inside a reference, say).
                    None if !self.open.is_empty() => return Err(ParseErrorKind::Truncated),
                    None => rest.len(),
                };
                let text = &self.input[self.pos..self.pos + len];
                check_text(text)?;
                self.pos += len;
                Ok(Token::Text(text))
            }
        }
    }

    /// The text of the open element up to its end tag, and the end tag read, when that is
    /// all the element holds and the end tag is written `</name>`: the shape of nearly every
    /// simple value. `Ok(None)`, with nothing read, for anything else (markup in the text, a
    /// space before `>`, a wrong or missing end tag), which [`next`](Self::next) then reads
    /// token by token.
    #[inline]
    pub(super) fn text_and_end(&mut self) -> Result<Option<&'a str>, ParseErrorKind> {
        let Some(&open) = self.open.last() else {
            return Ok(None);
        };
        let rest = &self.input.as_bytes()[self.pos..];
        let Some(len) = memchr(b'<', rest) else {
            return Ok(None);
        };
        let end = &rest[len..];
        let close = 2 + open.len();
        if end.len() <= close
            || end[1] != b'/'
            || end[close] != b'>'
            || &end[2..close] != open.as_bytes()
        {
            return Ok(None);
        }
        let text = &self.input[self.pos..self.pos + len];
        check_text(text)?;
        self.open.pop();
        self.pos += len + close + 1;
        Ok(Some(text))
    }

    fn start_tag(&mut self) -> Result<Token<'a>, ParseErrorKind> {
        let bytes = self.input.as_bytes();
        let open = self.pos + 1;
        let mut at = open;
        // The closing `>` is the first one outside a quoted attribute value.
        let close = loop {
            let Some(found) = memchr3(b'>', b'"', b'\'', &bytes[at..]) else {
                return Err(ParseErrorKind::Truncated);
            };
            let found = at + found;
            let quote = bytes[found];
            if quote == b'>' {
                break found;
            }
            match memchr(quote, &bytes[found + 1..]) {
                Some(end) => at = found + 1 + end + 1,
                None => return Err(ParseErrorKind::Truncated),
            }
        };
        let mut content = &self.input[open..close];
        let empty = content.ends_with('/');
        if empty {
            content = &content[..content.len() - 1];
        }
        let Some((name_len, colon, qualified)) = leading_name(content) else {
            return Err(ParseErrorKind::Syntax(format!(
                "`<{}` does not start an element: a name must follow `<`",
                content.chars().take(20).collect::<String>()
            )));
        };
        let (name, attributes) = content.split_at(name_len);
        if !qualified {
            return Err(not_qualified(name));
        }
        let (mut prefixed, mut declares) = (false, false);
        if !attributes.bytes().all(is_space) {
            let mut checked = Attributes::new(attributes);
            checked.try_for_each(|attr| attr.map(drop))?;
            (prefixed, declares) = (checked.prefixed, checked.declares);
        }
        self.pos = close + 1;
        if !empty {
            self.open.push(name);
        }
        Ok(Token::Start(Tag {
            name,
            colon,
            attributes,
            empty,
            prefixed,
            declares,
        }))
    }

    fn end_tag(&mut self) -> Result<Token<'a>, ParseErrorKind> {
        let bytes = self.input.as_bytes();
        let Some(close) = memchr(b'>', &bytes[self.pos..]) else {
            return Err(ParseErrorKind::Truncated);
        };
        let close = self.pos + close;
        let name = self.input[self.pos + 2..close].trim_end_matches(super::is_xml_space);
        match self.open.last() {
            Some(&open) if open == name => {
                self.open.pop();
                self.pos = close + 1;
                Ok(Token::End)
            }
            Some(open) => Err(ParseErrorKind::Syntax(format!(
                "the end tag `</{name}>` does not close `<{open}>`"
            ))),
            None => Err(ParseErrorKind::Syntax(format!(
                "the end tag `</{name}>` closes no element"
            ))),
        }
    }

    /// `<!--`, `<![CDATA[` or `<!DOCTYPE`: DTDs are refused, so that no entity is ever
    /// declared.
    fn bang(&mut self) -> Result<Token<'a>, ParseErrorKind> {
        let rest = &self.input[self.pos..];
        const OPENINGS: [&str; 3] = ["<!--", "<![CDATA[", "<!DOCTYPE"];
        if OPENINGS
            .iter()
            .any(|o| rest.len() < o.len() && o.starts_with(rest))
        {
            return Err(ParseErrorKind::Truncated);
        }
        if rest.starts_with("<!--") {
            let end = self.find("-->", 4)?;
            let content = &self.input[self.pos + 4..end];
            if content.contains("--") || content.ends_with('-') {
                return Err(ParseErrorKind::Syntax(
                    "a comment may not hold `--` nor end with `-`".into(),
                ));
            }
            check_chars(content)?;
            self.pos = end + 3;
            Ok(Token::Ignorable)
        } else if rest.starts_with("<![CDATA[") {
            let end = self.find("]]>", 9)?;
            let content = &self.input[self.pos + 9..end];
            check_chars(content)?;
            self.pos = end + 3;
            Ok(Token::CData(content))
        } else if rest.starts_with("<!DOCTYPE") {
            Err(ParseErrorKind::DtdNotAllowed)
        } else {
            Err(ParseErrorKind::Syntax(
                "`<!` starts neither a comment nor a CDATA section".into(),
            ))
        }
    }

    /// `<?target ...?>`; the XML declaration (`<?xml`, in lower case) may only open the
    /// document, and no other target may be `xml` in any case, nor hold a colon.
    fn processing_instruction(&mut self) -> Result<Token<'a>, ParseErrorKind> {
        let end = self.find("?>", 2)?;
        let content = &self.input[self.pos + 2..end];
        let target_len = content.bytes().position(is_space).unwrap_or(content.len());
        let (target, rest) = content.split_at(target_len);
        if target == "xml" {
            if self.pos != 0 {
                return Err(ParseErrorKind::Syntax(
                    "an XML declaration may only open the document".into(),
                ));
            }
            declaration(rest)?;
        } else if target.eq_ignore_ascii_case("xml") {
            return Err(ParseErrorKind::Syntax(format!(
                "`<?{target}` is reserved: the XML declaration is written `<?xml`"
            )));
        }
        if !is_name(target) || target.contains(':') {
            return Err(ParseErrorKind::Syntax(
                "a processing instruction must start with a name without a colon".into(),
            ));
        }
        if !rest.is_empty() && !rest.starts_with(|c: char| is_space(c as u8) && c.is_ascii()) {
            return Err(ParseErrorKind::Syntax(
                "a processing instruction's target must be followed by whitespace".into(),
            ));
        }
        check_chars(rest)?;
        self.pos = end + 2;
        Ok(Token::Ignorable)
    }

    /// The offset of the first `needle` at least `skip` bytes after the current position.
    fn find(&self, needle: &str, skip: usize) -> Result<usize, ParseErrorKind> {
        let from = self.pos + skip;
        memchr::memmem::find(&self.input.as_bytes()[from..], needle.as_bytes())
            .map(|i| from + i)
            .ok_or(ParseErrorKind::Truncated)
    }
}

/// The attributes of a start tag (its `attributes` slice): each `(name, raw value)`, the
/// value still escaped. Fails on anything that is not `name="value"` or `name='value'`
/// separated by whitespace, on a `<` in a value, and on a name given twice.
pub(super) struct Attributes<'a> {
    rest: &'a str,
    /// The names read so far: the first few in place, any further ones in a set.
    first: [&'a str; 8],
    count: usize,
    more: Option<HashSet<&'a str>>,
    /// Whether a name read so far, other than a namespace declaration's, has a prefix.
    pub(super) prefixed: bool,
    /// Whether a namespace declaration was read so far.
    pub(super) declares: bool,
}

impl<'a> Attributes<'a> {
    pub(super) fn new(attributes: &'a str) -> Self {
        Attributes {
            rest: attributes,
            first: [""; 8],
            count: 0,
            more: None,
            prefixed: false,
            declares: false,
        }
    }

    fn parse(&mut self) -> Result<Option<(&'a str, &'a str)>, ParseErrorKind> {
        let trimmed = self.rest.trim_start_matches(super::is_xml_space);
        if trimmed.is_empty() {
            self.rest = trimmed;
            return Ok(None);
        }
        if trimmed.len() == self.rest.len() {
            return Err(malformed("attributes must be separated by whitespace"));
        }
        let name_len = trimmed
            .bytes()
            .position(|b| b == b'=' || is_space(b))
            .unwrap_or(trimmed.len());
        let (name, rest) = trimmed.split_at(name_len);
        match leading_name(name) {
            Some((len, colon, true)) if len == name.len() => {
                let declaration = name == "xmlns" || name.starts_with("xmlns:");
                self.prefixed |= colon.is_some() && !declaration;
                self.declares |= declaration;
            }
            Some((len, _, false)) if len == name.len() => return Err(not_qualified(name)),
            _ => return Err(malformed("an attribute must start with a name")),
        }
        let Some(rest) = rest
            .trim_start_matches(super::is_xml_space)
            .strip_prefix('=')
        else {
            return Err(malformed("an attribute name must be followed by `=`"));
        };
        let rest = rest.trim_start_matches(super::is_xml_space);
        let quote = match rest.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(malformed("an attribute value must be quoted")),
        };
        let Some(len) = memchr(quote, &rest.as_bytes()[1..]) else {
            return Err(malformed("an attribute value is not closed"));
        };
        let value = &rest[1..1 + len];
        if value.contains('<') {
            return Err(malformed("an attribute value may not contain `<`"));
        }
        check_chars(value)?;
        check_references(value)?;
        self.rest = &rest[len + 2..];
        if self.seen(name) {
            return Err(ParseErrorKind::Syntax(format!(
                "the attribute `{name}` is given twice"
            )));
        }
        Ok(Some((name, value)))
    }

    /// Whether `name` was read before; remembers it.
    fn seen(&mut self, name: &'a str) -> bool {
        let inline = self.count.min(self.first.len());
        if self.first[..inline].contains(&name) {
            return true;
        }
        if self.count < self.first.len() {
            self.first[self.count] = name;
        } else if !self.more.get_or_insert_with(HashSet::new).insert(name) {
            return true;
        }
        self.count += 1;
        false
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a str, &'a str), ParseErrorKind>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.parse().transpose();
        if matches!(item, Some(Err(_))) {
            self.rest = "";
        }
        item
    }
}

/// The attributes of a start tag the scanner has cut (a [`Tag`]'s `attributes`), split into
/// `(name, raw value)` without checking them again: the scanner checked their syntax,
/// names, references and uniqueness as it cut the tag. Text it did not check may be split
/// wrongly, but never makes this panic.
pub(super) fn checked_attributes(attributes: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = attributes;
    std::iter::from_fn(move || {
        let trimmed = rest.trim_start_matches(super::is_xml_space);
        let eq = memchr(b'=', trimmed.as_bytes())?;
        let name = trimmed[..eq].trim_end_matches(super::is_xml_space);
        let after = trimmed[eq + 1..].trim_start_matches(super::is_xml_space);
        let quote = match after.as_bytes().first()? {
            &q @ (b'"' | b'\'') => q,
            _ => return None,
        };
        let len = memchr(quote, &after.as_bytes()[1..])?;
        rest = &after[len + 2..];
        Some((name, &after[1..1 + len]))
    })
}

/// Checks the pseudo-attributes of the XML declaration: `version`, then optionally
/// `encoding` and `standalone`, in that order.
fn declaration(attributes: &str) -> Result<(), ParseErrorKind> {
    let bad = |what: &str| ParseErrorKind::Syntax(format!("malformed XML declaration: {what}"));
    let mut names = ["version", "encoding", "standalone"].into_iter();
    for (n, attr) in Attributes::new(attributes).enumerate() {
        let (name, value) = attr?;
        if n == 0 && name != "version" {
            return Err(bad("it must start with `version`"));
        }
        if !names.any(|expected| expected == name) {
            return Err(bad(
                "only `version`, `encoding` and `standalone`, in that order",
            ));
        }
        let valid = match name {
            "version" => value.strip_prefix("1.").is_some_and(|minor| {
                !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())
            }),
            "encoding" if value.eq_ignore_ascii_case("utf-8") => true,
            "encoding" if is_encoding_name(value) => {
                return Err(ParseErrorKind::UnsupportedEncoding(value.to_owned()))
            }
            "encoding" => false,
            _ => value == "yes" || value == "no",
        };
        if !valid {
            return Err(bad(&format!("`{name}` cannot be {value:?}")));
        }
    }
    if attributes.trim_matches(super::is_xml_space).is_empty() {
        return Err(bad("it must give `version`"));
    }
    Ok(())
}

/// Whether `value` is an encoding name as the XML declaration spells one.
fn is_encoding_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Fails on a character XML forbids in `text`.
#[inline]
fn check_chars(text: &str) -> Result<(), ParseErrorKind> {
    match forbidden_char(text.as_bytes()) {
        Some(c) => Err(ParseErrorKind::InvalidCharacter(c)),
        None => Ok(()),
    }
}

/// Fails on what character data may not hold: a character XML forbids, or `]]>`. One
/// vectorized pass rules out the three suspects (control characters, the lead byte of
/// U+FFFE and U+FFFF, `]`) before the exact checks run.
#[inline]
fn check_text(text: &str) -> Result<(), ParseErrorKind> {
    let suspect = text
        .bytes()
        .fold(0u8, |seen, b| seen | u8::from(is_suspect(b) | (b == b']')));
    if suspect == 0 {
        return Ok(());
    }
    check_chars(text)?;
    if text.contains("]]>") {
        return Err(ParseErrorKind::Syntax(
            "`]]>` may not stand in text: write `]]&gt;`".into(),
        ));
    }
    Ok(())
}

/// Whether `b` may start a character XML forbids: a control character but tab, LF and CR,
/// or `EF`, the lead byte of U+FFFE and U+FFFF.
#[inline(always)]
fn is_suspect(b: u8) -> bool {
    ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF)
}

/// The first character XML forbids in `bytes` (UTF-8), if any. Most text has no control
/// character but tab, LF and CR, and no `EF` (the lead byte of U+FFFE and U+FFFF): one pass
/// without an early exit or a branch, which the compiler vectorizes, rules both out before
/// the exact search runs (also for the whitespace between indented elements).
#[inline]
fn forbidden_char(bytes: &[u8]) -> Option<u32> {
    let suspect = bytes
        .iter()
        .fold(0u8, |seen, &b| seen | u8::from(is_suspect(b)));
    if suspect == 0 {
        return None;
    }
    if let Some(&b) = bytes
        .iter()
        .find(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return Some(u32::from(b));
    }
    bytes.windows(3).find_map(|w| match w {
        [0xEF, 0xBF, 0xBE] => Some(0xFFFE),
        [0xEF, 0xBF, 0xBF] => Some(0xFFFF),
        _ => None,
    })
}

/// Whether XML 1.0 allows `c` in a document.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{fffd}' | '\u{10000}'..)
}

fn not_qualified(name: &str) -> ParseErrorKind {
    ParseErrorKind::Syntax(format!(
        "`{name}` is not a qualified name (a name without a colon, or prefix:local)"
    ))
}

fn malformed(what: &str) -> ParseErrorKind {
    ParseErrorKind::Syntax(format!("malformed start tag: {what}"))
}

/// Character data with its references resolved and its line ends (CR LF, lone CR)
/// normalized to LF.
#[inline]
pub(super) fn text(raw: &str) -> Result<Cow<'_, str>, ParseErrorKind> {
    match memchr2(b'&', b'\r', raw.as_bytes()) {
        None => Ok(Cow::Borrowed(raw)),
        Some(first) => unescape(raw, first, false).map(Cow::Owned),
    }
}

/// The content of a CDATA section with its line ends normalized.
pub(super) fn cdata(raw: &str) -> Cow<'_, str> {
    if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// An attribute's value as XML normalizes it: references resolved, each line end, tab and
/// newline written in it a space (a character reference to one stays itself).
#[inline]
pub(super) fn attribute_value(raw: &str) -> Result<Cow<'_, str>, ParseErrorKind> {
    match raw
        .bytes()
        .position(|b| matches!(b, b'&' | b'\r' | b'\n' | b'\t'))
    {
        None => Ok(Cow::Borrowed(raw)),
        Some(first) => unescape(raw, first, true).map(Cow::Owned),
    }
}

/// Fails unless every `&` in `raw` starts a reference [`reference()`] resolves: the check of
/// text that is not read ([`text`] checks what it resolves).
#[inline]
pub(super) fn check_references(raw: &str) -> Result<(), ParseErrorKind> {
    let mut rest = raw;
    while let Some(at) = memchr(b'&', rest.as_bytes()) {
        rest = &rest[at + 1..];
        let Some(end) = rest.find(';') else {
            return Err(lone_ampersand());
        };
        reference(&rest[..end])?;
        rest = &rest[end + 1..];
    }
    Ok(())
}

fn lone_ampersand() -> ParseErrorKind {
    ParseErrorKind::Syntax("`&` starts no reference: write a literal ampersand as `&amp;`".into())
}

/// `raw` resolved from `first`, the first byte that needs it, on.
fn unescape(raw: &str, first: usize, attribute: bool) -> Result<String, ParseErrorKind> {
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    while let Some(special) = rest
        .bytes()
        .position(|b| b == b'&' || b == b'\r' || (attribute && (b == b'\n' || b == b'\t')))
    {
        out.push_str(&rest[..special]);
        let byte = rest.as_bytes()[special];
        rest = &rest[special + 1..];
        match byte {
            b'&' => {
                let Some(end) = rest.find(';') else {
                    return Err(lone_ampersand());
                };
                out.push(reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'\r' => {
                out.push(if attribute { ' ' } else { '\n' });
                rest = rest.strip_prefix('\n').unwrap_or(rest);
            }
            _ => out.push(' '),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The character the reference `&name;` stands for: one of the five predefined entities
/// or a character reference.
fn reference(name: &str) -> Result<char, ParseErrorKind> {
    let code = match name {
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "amp" => return Ok('&'),
        "apos" => return Ok('\''),
        "quot" => return Ok('"'),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with('x') => number(&hex[1..], 16),
            Some(decimal) => number(decimal, 10),
            None => return Err(ParseErrorKind::UnknownEntity(name.to_owned())),
        },
    };
    let Some(code) = code else {
        return Err(ParseErrorKind::Syntax(format!(
            "`&{name};` is not a character reference"
        )));
    };
    match char::from_u32(code) {
        Some(c) if is_xml_char(c) => Ok(c),
        _ => Err(ParseErrorKind::InvalidCharacter(code)),
    }
}

/// The digits `digits` in `radix`, if there are some and they fit.
fn number(digits: &str, radix: u32) -> Option<u32> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `name` can be an XML name: it starts with a letter, `_`, `:` or a non-ASCII
/// character and goes on with those, digits, `-` and `.`.
#[inline]
fn is_name(name: &str) -> bool {
    leading_name(name).is_some_and(|(len, _, _)| len == name.len())
}

/// What a byte is to a name: one of the classes below, looked up in one load.
const NAME_BYTES: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' {
            NAME
        } else if c == b':' {
            COLON
        } else if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
            SPACE
        } else if c >= 0x80 {
            ABOVE_ASCII
        } else {
            OTHER
        };
        b += 1;
    }
    table
};
/// An ASCII name character other than the colon.
const NAME: u8 = 0;
/// The colon.
const COLON: u8 = 1;
/// XML whitespace, which ends a name.
const SPACE: u8 = 2;
/// A byte of a character above ASCII, checked with the whole name.
const ABOVE_ASCII: u8 = 3;
/// Anything else, which no name holds.
const OTHER: u8 = 4;

/// The name that opens `content` (up to whitespace or the end), in one pass: its length,
/// the offset of its first colon, and whether it is a qualified name (no colon, or one
/// between a prefix and a local part), or `None` if what opens `content` is not a name.
#[inline(always)]
fn leading_name(content: &str) -> Option<(usize, Option<usize>, bool)> {
    let bytes = content.as_bytes();
    match bytes.first() {
        Some(&b) if b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80 => {}
        _ => return None,
    }
    let mut colon = None;
    let mut qualified = true;
    let mut ascii = true;
    let mut len = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        match NAME_BYTES[usize::from(b)] {
            NAME => {}
            COLON => {
                qualified &= colon.is_none();
                colon.get_or_insert(i);
            }
            SPACE => {
                len = i;
                break;
            }
            ABOVE_ASCII => ascii = false,
            _ => return None,
        }
    }
    if !ascii && !is_unicode_name(&content[..len]) {
        return None;
    }
    qualified &= colon.is_none_or(|c| c > 0 && c + 1 < len);
    Some((len, colon, qualified))
}

/// Whether `name`, which holds characters above ASCII, is an XML name (XML 1.0 fifth
/// edition, productions 4 and 4a).
#[cold]
#[inline(never)]
fn is_unicode_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(xml: &str) -> Result<Vec<String>, ParseErrorKind> {
        let mut scanner = Scanner::new(xml);
        let mut out = Vec::new();
        loop {
            let token = scanner.next()?;
            if matches!(token, Token::Eof) {
                return Ok(out);
            }
            out.push(format!("{token:?}"));
        }
    }

    #[test]
    fn tags_are_cut_where_quotes_do_not_hide_them() {
        let t = tokens(r#"<a x='>' y="/>"><p:b/><c z="1" /></a>"#).unwrap();
        assert_eq!(
            t,
            [
                r#"Start(Tag { name: "a", colon: None, attributes: " x='>' y=\"/>\"", empty: false, prefixed: false, declares: false })"#,
                r#"Start(Tag { name: "p:b", colon: Some(1), attributes: "", empty: true, prefixed: false, declares: false })"#,
                r#"Start(Tag { name: "c", colon: None, attributes: " z=\"1\" ", empty: true, prefixed: false, declares: false })"#,
                "End",
            ]
        );
    }

    #[test]
    fn end_tags_must_close_their_start_tags() {
        assert!(tokens("<a><b></b ></a >").is_ok());
        assert!(
            matches!(tokens("<a><b></a>"), Err(ParseErrorKind::Syntax(m)) if m.contains("does not close `<b>`"))
        );
        assert!(matches!(tokens("</a>"), Err(ParseErrorKind::Syntax(_))));
        for truncated in [
            "<a>",
            "<a",
            "<a x='",
            "<a><!--",
            "<a><![CDATA[x",
            "<a></a",
            "<!DOC",
        ] {
            assert_eq!(
                tokens(truncated),
                Err(ParseErrorKind::Truncated),
                "{truncated}"
            );
        }
    }

    #[test]
    fn markup_that_is_not_an_element_is_told_apart() {
        let t = tokens("<?xml version='1.0'?><!-- c --><a><![CDATA[<x>]]><?pi x?></a>").unwrap();
        assert_eq!(t[0], "Ignorable");
        assert_eq!(t[3], r#"CData("<x>")"#);
        assert_eq!(
            tokens("<!DOCTYPE a><a/>"),
            Err(ParseErrorKind::DtdNotAllowed)
        );
        assert!(matches!(
            tokens("<a><b +/></a>"),
            Err(ParseErrorKind::Syntax(_))
        ));
        assert!(matches!(
            tokens("<a x='1' x='2'></a>"),
            Err(ParseErrorKind::Syntax(_))
        ));
        for good in [
            "<?xml version='1.0'?><a/>",
            r#"<?xml version="1.0" encoding="utf-8" standalone="yes" ?><a/>"#,
        ] {
            assert!(tokens(good).is_ok(), "{good}");
        }
        for bad in [
            "<a/><?xml version='1.0'?>",
            "<?xml?><a/>",
            "<?xml encoding='utf-8'?><a/>",
            "<?xml version='1.0' encts>oding='utf-8'?><a/>",
            "<?xml version='2.0'?><a/>",
            "<?xml version='1.0' standalone='yes' encoding='utf-8'?><a/>",
            "<?xml version='1.0' standalone='maybe'?><a/>",
            "< a/>",
            "<1a/>",
            "<!x>",
            "<? x?>",
        ] {
            assert!(
                matches!(tokens(bad), Err(ParseErrorKind::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn attributes_are_split_checked_and_unique() {
        fn parse(a: &str) -> Result<Vec<(&str, &str)>, ParseErrorKind> {
            Attributes::new(a).collect()
        }
        assert_eq!(
            parse(" a='1' b = \"x'y\"\n c=''").unwrap(),
            [("a", "1"), ("b", "x'y"), ("c", "")]
        );
        for bad in [
            " a",
            " a=1",
            " a='1'b='2'",
            " a='<'",
            " a='1",
            " a='1' a='2'",
            " ='1'",
        ] {
            assert!(
                matches!(parse(bad), Err(ParseErrorKind::Syntax(_))),
                "{bad:?}"
            );
        }
        let many: String = (0..20).map(|i| format!(" a{i}=''")).collect();
        assert_eq!(parse(&many).unwrap().len(), 20);
        for again in [0, 7, 8, 19] {
            let twice = format!("{many} a{again}='x'");
            assert!(matches!(parse(&twice), Err(ParseErrorKind::Syntax(m)) if m.contains("twice")));
        }
    }

    #[test]
    fn checked_attributes_split_as_the_check_does() {
        for good in [
            " a='1' b = \"x'y\"\n c=''",
            " xmlns:t=\"urn:t\" t:Id='a=b>c' v=\"&amp;\"",
            "",
            "  ",
        ] {
            let checked: Vec<_> = Attributes::new(good).collect::<Result<_, _>>().unwrap();
            assert_eq!(
                checked_attributes(good).collect::<Vec<_>>(),
                checked,
                "{good:?}"
            );
        }
        for unchecked in [
            " a",
            " a=",
            " a='1",
            " =",
            "=\"",
            " a='1'b",
            "\u{e9}='\u{e9}",
            " a=\u{e9}\u{e9}",
        ] {
            let _ = checked_attributes(unchecked).count();
        }
    }

    #[test]
    fn references_and_line_ends_resolve_as_xml_says() {
        assert!(matches!(text("plain"), Ok(Cow::Borrowed("plain"))));
        assert_eq!(
            text("a&amp;b&lt;&#x263A;&#65;\r\nc\rd").unwrap(),
            "a&b<☺A\nc\nd"
        );
        assert_eq!(attribute_value("a\tb\r\nc&#10;d").unwrap(), "a b c\nd");
        assert_eq!(
            text("&lol;"),
            Err(ParseErrorKind::UnknownEntity("lol".into()))
        );
        assert_eq!(text("&#1;"), Err(ParseErrorKind::InvalidCharacter(1)));
        assert_eq!(
            text("&#xD800;"),
            Err(ParseErrorKind::InvalidCharacter(0xD800))
        );
        for bad in ["a & b", "&#;", "&#x;", "&#+1;", "&#99999999999;"] {
            assert!(matches!(text(bad), Err(ParseErrorKind::Syntax(_))), "{bad}");
        }
        assert_eq!(cdata("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn references_are_checked_in_every_value_and_on_request() {
        for bad in ["<a b='&c'/>", "<a><b c='&#0;'/></a>"] {
            assert!(tokens(bad).is_err(), "{bad}");
        }
        assert!(check_references("x & y").is_err());
        assert_eq!(
            check_references("&amp;&lol;"),
            Err(ParseErrorKind::UnknownEntity("lol".into()))
        );
    }

    #[test]
    fn forbidden_characters_are_found_wherever_they_stand() {
        assert_eq!(forbidden_char(b"plain text, tabs\tand\r\nlines"), None);
        assert_eq!(forbidden_char("été ☃ \u{fffd}".as_bytes()), None);
        for at in 0..20 {
            let mut text = vec![b'a'; 20];
            text[at] = 0x01;
            assert_eq!(forbidden_char(&text), Some(1), "at {at}");
            let mut text = "a".repeat(at).into_bytes();
            text.extend_from_slice("\u{ffff}b".as_bytes());
            assert_eq!(forbidden_char(&text), Some(0xffff), "at {at}");
        }
        assert_eq!(forbidden_char("x\u{fffe}".as_bytes()), Some(0xfffe));
        assert_eq!(forbidden_char(b"\x7f\x80"), None);
    }

    /// The error of the first token of `xml` that fails, as its Debug text.
    fn first_error(xml: &str) -> String {
        format!("{:?}", tokens(xml).unwrap_err())
    }

    #[test]
    fn comments_processing_instructions_and_text_hold_only_what_xml_allows() {
        for (xml, error) in [
            ("<a><!-- a -- b --></a>", "Syntax"),
            ("<a><!-- a ---></a>", "Syntax"),
            ("<a><!-- \u{c} --></a>", "InvalidCharacter(12)"),
            ("<a><?pi \u{ffff}?></a>", "InvalidCharacter(65535)"),
            ("<a>x ]]> y</a>", "Syntax"),
            ("<a>x \u{1} y</a>", "InvalidCharacter(1)"),
            ("<a><![CDATA[\u{2}]]></a>", "InvalidCharacter(2)"),
            ("<a x='\u{b}'/>", "InvalidCharacter(11)"),
            ("<?XML version='1.0'?><a/>", "Syntax"),
            ("<a><?xMl x?></a>", "Syntax"),
            ("<a><?p:i x?></a>", "Syntax"),
            ("<a><?pi?x?></a>", "Syntax"),
        ] {
            assert!(
                first_error(xml).starts_with(error),
                "{xml}: {}",
                first_error(xml)
            );
        }
        assert!(tokens("<a><!-- a - b --><?pi x?>]] ]> ]</a>").is_ok());
    }

    #[test]
    fn names_above_ascii_follow_xml_s_name_characters() {
        assert!(tokens("<\u{e9}l\u{e8}ve \u{300}b='1'>x</\u{e9}l\u{e8}ve>").is_err());
        assert!(tokens("<\u{e9}l\u{e8}ve \u{3b1}\u{300}='1'>x</\u{e9}l\u{e8}ve>").is_ok());
        for xml in [
            "<\u{300}a/>",
            "<\u{b7}a/>",
            "<\u{d7}/>",
            "<a\u{d7}/>",
            "<a \u{2070}\u{d7}='1'/>",
        ] {
            assert!(first_error(xml).starts_with("Syntax"), "{xml}");
        }
        assert!(tokens("<a\u{b7}\u{203f}/>").is_ok());
    }

    #[test]
    fn only_utf_8_may_be_declared() {
        assert!(tokens("<?xml version='1.0' encoding='UTF-8'?><a/>").is_ok());
        assert!(tokens("<?xml version='1.0' encoding='utf-8'?><a/>").is_ok());
        for name in ["ISO-8859-1", "UTF-16", "us-ascii"] {
            let xml = format!("<?xml version='1.0' encoding='{name}'?><a/>");
            assert_eq!(
                tokens(&xml).unwrap_err(),
                ParseErrorKind::UnsupportedEncoding(name.to_owned())
            );
        }
        assert!(first_error("<?xml version='1.0' encoding='8bit'?><a/>").starts_with("Syntax"));
    }

    /// What `text_and_end` gives right after the first start tag of `xml`, and what the
    /// scanner reads next.
    fn text_and_end(xml: &str) -> (Result<Option<&str>, ParseErrorKind>, String) {
        let mut scanner = Scanner::new(xml);
        assert!(matches!(scanner.next(), Ok(Token::Start(_))));
        let text = scanner.text_and_end();
        (text, format!("{:?}", scanner.next()))
    }

    #[test]
    fn text_and_its_end_tag_are_read_at_once_in_their_plain_shape_only() {
        assert_eq!(
            text_and_end("<a>x &amp; y</a>"),
            (Ok(Some("x &amp; y")), "Ok(Eof)".into())
        );
        assert_eq!(
            text_and_end("<p:a></p:a>"),
            (Ok(Some("")), "Ok(Eof)".into())
        );
        // Anything else is left to the token-by-token reading, which reads or refuses it.
        for (xml, next) in [
            ("<a>x</a >", r#"Ok(Text("x"))"#),
            ("<a>x<![CDATA[y]]></a>", r#"Ok(Text("x"))"#),
            ("<a>x<!--c--></a>", r#"Ok(Text("x"))"#),
            ("<a>x<b/></a>", r#"Ok(Text("x"))"#),
            ("<a>x</ab>", r#"Ok(Text("x"))"#),
            ("<ab>x</a>", r#"Ok(Text("x"))"#),
            ("<a>x</a", r#"Ok(Text("x"))"#),
            ("<a>x", "Err(Truncated)"),
        ] {
            assert_eq!(text_and_end(xml), (Ok(None), next.into()), "{xml}");
        }
        assert_eq!(
            text_and_end("<a>x]]>y</a>").0.unwrap_err(),
            ParseErrorKind::Syntax("`]]>` may not stand in text: write `]]&gt;`".into())
        );
        assert_eq!(
            text_and_end("<a>x\u{1}</a>").0.unwrap_err(),
            ParseErrorKind::InvalidCharacter(1)
        );
    }

    #[test]
    fn text_cut_off_inside_an_element_is_truncated() {
        for xml in ["<a>x &am", "<a>x &#x4", "<a>text", "<a><b/>x"] {
            assert_eq!(tokens(xml).unwrap_err(), ParseErrorKind::Truncated, "{xml}");
        }
    }
}
