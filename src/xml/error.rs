use std::fmt;

/// A document that the bindings could not read, with where it failed.
///
/// The details sit behind one pointer so that the `Result`s a reader passes up on every
/// element stay small.
#[derive(Clone, PartialEq, thiserror::Error)]
#[error("{} at /{} (byte {})", .0.kind, .0.path, .0.position)]
pub struct ParseError(Box<Details>);

#[derive(Debug, Clone, PartialEq)]
struct Details {
    kind: ParseErrorKind,
    path: String,
    position: u64,
}

impl ParseError {
    /// An error of kind `kind` at byte `position`, inside the elements `path`.
    pub fn new(kind: ParseErrorKind, path: String, position: u64) -> Self {
        ParseError(Box::new(Details {
            kind,
            path,
            position,
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ParseErrorKind {
        &self.0.kind
    }

    /// What went wrong, taken out of the error.
    pub fn into_kind(self) -> ParseErrorKind {
        self.0.kind
    }

    /// The qualified names of the open elements, outermost first, joined by `/`.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// The byte offset in the document where reading stopped.
    pub fn position(&self) -> u64 {
        self.0.position
    }

    /// Appends the qualified name of an element to the path.
    pub(crate) fn push_path(&mut self, name: &str) {
        let path = &mut self.0.path;
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(name);
    }
}

impl fmt::Debug for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseError")
            .field("kind", &self.0.kind)
            .field("path", &self.0.path)
            .field("position", &self.0.position)
            .finish()
    }
}

/// What made a document unreadable.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// The XML declaration names an encoding other than UTF-8, which this reader does not
    /// read (EWS servers send UTF-8).
    UnsupportedEncoding(String),
    /// The XML is not well-formed (the message is the scanner's).
    Syntax(String),
    /// The document ended before its root element was closed.
    Truncated,
    /// The document has a DTD; DTDs are refused so that no entity is ever expanded or fetched.
    DtdNotAllowed,
    /// An entity reference other than the five predefined ones and character references.
    UnknownEntity(String),
    /// Elements were nested deeper than the reader allows.
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// An element's text is longer than the reader allows.
    TextTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// An attribute value is longer than the reader allows.
    AttributeTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// An element was found where another was expected.
    UnexpectedElement {
        /// What the reader expected, in `{namespace}local` form.
        expected: String,
        /// What it found, in `{namespace}local` form.
        found: String,
    },
    /// A required child element is missing.
    MissingElement(&'static str),
    /// A required attribute is missing.
    MissingAttribute(&'static str),
    /// An element that may occur once occurred again.
    DuplicateElement(String),
    /// Text or an attribute value does not parse as its schema type.
    InvalidValue {
        /// The element or attribute that held the value.
        name: String,
        /// The value as found.
        value: String,
        /// The schema type expected.
        expected: &'static str,
    },
    /// Non-whitespace content after the root element.
    TrailingContent,
    /// A character XML does not allow (a C0 control other than tab, LF and CR, U+FFFE or
    /// U+FFFF), by code point.
    InvalidCharacter(u32),
    /// A reader asked for the next child while the element handed out before was neither
    /// read nor skipped: a mistake in a hand-written [`FromXml`](super::FromXml), not in
    /// the document.
    ElementNotRead,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUtf8 => f.write_str("the document is not valid UTF-8"),
            Self::Syntax(msg) => write!(f, "malformed XML: {msg}"),
            Self::Truncated => f.write_str("the document ends before its root element is closed"),
            Self::DtdNotAllowed => f.write_str("a DTD is not allowed"),
            Self::UnknownEntity(name) => write!(f, "unknown entity `&{name};`"),
            Self::TooDeep { limit } => write!(f, "elements are nested deeper than {limit}"),
            Self::TextTooLong { limit } => write!(f, "text longer than {limit} bytes"),
            Self::AttributeTooLong { limit } => {
                write!(f, "an attribute value longer than {limit} bytes")
            }
            Self::UnexpectedElement { expected, found } => {
                write!(f, "expected element {expected}, found {found}")
            }
            Self::MissingElement(name) => write!(f, "missing required element `{name}`"),
            Self::MissingAttribute(name) => write!(f, "missing required attribute `{name}`"),
            Self::DuplicateElement(name) => write!(f, "element `{name}` occurs more than once"),
            Self::InvalidValue {
                name,
                value,
                expected,
            } => write!(
                f,
                "`{name}` has value {value:?}, which is not a valid {expected}"
            ),
            Self::TrailingContent => f.write_str("content after the root element"),
            Self::InvalidCharacter(c) => write!(f, "character U+{c:04X} is not allowed in XML"),
            Self::UnsupportedEncoding(name) => write!(
                f,
                "the document declares the encoding {name}; only UTF-8 is read (re-encode it as UTF-8)"
            ),
            Self::ElementNotRead => f.write_str(
                "an element was neither read nor skipped before the reader went on; \
                 every Start must be handed back to the reader",
            ),
        }
    }
}
