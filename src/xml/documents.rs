//! Documents one after another in a byte stream, as a streamed HTTP answer carries SOAP
//! envelopes: each handed out whole as soon as its root element's end arrives, whatever the
//! chunks it came in, with memory bounded by one document.
//!
//! Only the markup that decides where a document ends is looked at: tags (quoted
//! attribute values may hold `>`), comments, CDATA sections, processing instructions and a
//! document type declaration. Whether a document is well-formed is the reader's to say; an
//! end tag that does not close the element open ends the document there, so that the
//! reader says so at once instead of the stream waiting for an end that will not come.

use memchr::{memchr, memchr3, memmem};

/// Splits a byte stream into XML documents.
#[derive(Debug)]
pub(crate) struct Documents {
    buffer: Vec<u8>,
    /// Where the next markup to look at starts.
    at: usize,
    /// Where the document being read starts, once a byte of it has come.
    start: Option<usize>,
    /// The names of the open elements, as ranges of the buffer.
    open: Vec<(usize, usize)>,
    /// How many bytes at the buffer's start were handed out as documents, to drop when
    /// more bytes come (at once, rather than moving the rest after each document).
    taken: usize,
    /// The most bytes a document may have.
    limit: usize,
}

/// Why no document could be handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentsError {
    /// A document passed the size limit before its end came.
    TooLarge,
    /// The stream ended in the middle of a document, after this many bytes of it.
    Truncated(usize),
}

/// What the markup at a position is, when all of it has come.
enum Markup {
    /// A start tag; `true` when it closes itself (`<a/>`).
    Start(bool),
    /// An end tag.
    End,
    /// A comment, CDATA section, processing instruction or declaration.
    Other,
}

impl Documents {
    /// An empty stream whose documents may be at most `limit` bytes each.
    pub(crate) fn new(limit: usize) -> Self {
        Documents {
            buffer: Vec::new(),
            at: 0,
            start: None,
            open: Vec::new(),
            taken: 0,
            limit,
        }
    }

    /// Appends the next bytes of the stream.
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.drop_taken();
        self.buffer.extend_from_slice(bytes);
    }

    /// The next whole document, if it has come: from its first byte that is not whitespace
    /// to the end of its root element.
    pub(crate) fn next_document(&mut self) -> Result<Option<&[u8]>, DocumentsError> {
        loop {
            let rest = &self.buffer[self.at..];
            if self.start.is_none() {
                match rest.iter().position(|b| !b.is_ascii_whitespace()) {
                    Some(skip) => {
                        self.at += skip;
                        self.start = Some(self.at);
                    }
                    None => {
                        self.at = self.buffer.len();
                        return Ok(None);
                    }
                }
                continue;
            }
            let Some(lt) = memchr(b'<', rest) else {
                self.at = self.buffer.len();
                return self.within_limit();
            };
            let from = self.at + lt;
            let Some((markup, end)) = markup(&self.buffer, from) else {
                self.at = from;
                return self.within_limit();
            };
            self.at = end;
            let closed = match markup {
                Markup::Start(false) => {
                    self.open.push(name(&self.buffer, from + 1));
                    false
                }
                Markup::Start(true) => self.open.is_empty(),
                Markup::End => {
                    let (start, end) = name(&self.buffer, from + 2);
                    let closes = self.open.pop().is_some_and(|(open, open_end)| {
                        self.buffer[open..open_end] == self.buffer[start..end]
                    });
                    if !closes {
                        self.open.clear();
                    }
                    self.open.is_empty()
                }
                Markup::Other => false,
            };
            if closed {
                let start = self.start.take().unwrap_or(0);
                self.taken = end;
                return Ok(Some(&self.buffer[start..end]));
            }
        }
    }

    /// Checks, at the end of the stream, that no document was left half-way.
    pub(crate) fn finish(&mut self) -> Result<(), DocumentsError> {
        self.drop_taken();
        match self.start {
            Some(start)
                if self.buffer[start..]
                    .iter()
                    .any(|b| !b.is_ascii_whitespace()) =>
            {
                Err(DocumentsError::Truncated(self.buffer.len() - start))
            }
            _ => Ok(()),
        }
    }

    /// Fails when the document being read has passed the limit.
    fn within_limit(&self) -> Result<Option<&[u8]>, DocumentsError> {
        let start = self.start.unwrap_or(self.buffer.len());
        if self.buffer.len() - start > self.limit {
            return Err(DocumentsError::TooLarge);
        }
        Ok(None)
    }

    /// Forgets the bytes of the document handed out last.
    fn drop_taken(&mut self) {
        if self.taken > 0 {
            let taken = self.taken;
            self.buffer.drain(..taken);
            self.at -= taken;
            self.start = self.start.map(|s| s - taken);
            for (start, end) in &mut self.open {
                *start -= taken;
                *end -= taken;
            }
            self.taken = 0;
        }
    }
}

/// The markup that starts with the `<` at `from`, and where it ends; `None` until all of it
/// has come.
fn markup(buffer: &[u8], from: usize) -> Option<(Markup, usize)> {
    let rest = &buffer[from..];
    let after = |pattern: &[u8], skip: usize| {
        let rest = rest.get(skip..)?;
        memmem::find(rest, pattern).map(|i| from + skip + i + pattern.len())
    };
    let prefix = |p: &[u8]| rest.len() >= p.len() && rest.starts_with(p);
    let unsure = |p: &[u8]| rest.len() < p.len() && p.starts_with(rest);
    if unsure(b"<!--") || unsure(b"<![CDATA[") || rest.len() < 2 {
        return None;
    }
    if prefix(b"<!--") {
        return after(b"-->", 4).map(|end| (Markup::Other, end));
    }
    if prefix(b"<![CDATA[") {
        return after(b"]]>", 9).map(|end| (Markup::Other, end));
    }
    match rest[1] {
        b'?' => after(b"?>", 2).map(|end| (Markup::Other, end)),
        b'!' => declaration_end(rest).map(|end| (Markup::Other, from + end)),
        b'/' => tag_end(rest).map(|end| (Markup::End, from + end)),
        _ => tag_end(rest).map(|end| (Markup::Start(rest[end - 2] == b'/'), from + end)),
    }
}

/// The name that starts at `from`, as a range of `buffer`: up to whitespace, `/` or `>`.
fn name(buffer: &[u8], from: usize) -> (usize, usize) {
    let length = buffer[from..]
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
        .unwrap_or(buffer.len() - from);
    (from, from + length)
}

/// Where a tag ends: after the first `>` outside a quoted attribute value.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut at = 1;
    loop {
        let i = at + memchr3(b'>', b'"', b'\'', &tag[at..])?;
        if tag[i] == b'>' {
            return Some(i + 1);
        }
        at = i + 1 + memchr(tag[i], &tag[i + 1..])? + 1;
    }
}

/// Where a declaration (`<!DOCTYPE …>`, with its internal subset in brackets) ends.
fn declaration_end(declaration: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, &b) in declaration.iter().enumerate().skip(2) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => depth += 1,
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body a='x>y' b="p>'q">
<!-- </s:Envelope> --><![CDATA[</s:Envelope>]]><e/><?pi </s:Envelope> ?>text &amp; more</s:Body></s:Envelope>"#;

    /// Every document handed out from `stream` pushed in chunks of `size` bytes.
    fn split(stream: &[u8], size: usize) -> Result<Vec<Vec<u8>>, DocumentsError> {
        let mut documents = Documents::new(1 << 20);
        let mut out = Vec::new();
        for chunk in stream.chunks(size) {
            documents.push(chunk);
            while let Some(document) = documents.next_document()? {
                out.push(document.to_vec());
            }
        }
        documents.finish()?;
        Ok(out)
    }

    #[test]
    fn documents_come_whole_whatever_the_chunks() {
        let stream = format!("{ENVELOPE}\r\n{ENVELOPE}  {ENVELOPE}\n");
        for size in [1, 2, 3, 7, 64, stream.len()] {
            let documents = split(stream.as_bytes(), size).unwrap();
            assert_eq!(documents.len(), 3, "chunks of {size}");
            for document in documents {
                assert_eq!(document, ENVELOPE.as_bytes(), "chunks of {size}");
            }
        }
    }

    /// Documents of several sizes, split at every position of a window: each chunk ends
    /// documents and starts others.
    #[test]
    fn chunks_ending_and_starting_documents() {
        let documents = [
            "<a:x xmlns:a='u'><a:y>1</a:y></a:x>",
            ENVELOPE,
            "<b/>",
            "<c><c><c/></c></c>",
        ];
        let stream: String = documents.iter().cycle().take(40).copied().collect();
        for size in 1..80 {
            let split = split(stream.as_bytes(), size).unwrap();
            let expected: Vec<&[u8]> = documents
                .iter()
                .cycle()
                .take(40)
                .map(|d| d.as_bytes())
                .collect();
            assert_eq!(split, expected, "chunks of {size}");
        }
    }

    /// Bytes of markup fragments in any order, in chunks of any size, never make it panic.
    #[test]
    fn any_bytes_in_any_chunks() {
        let pieces: [&[u8]; 14] = [
            b"<a>",
            b"</a>",
            b"<b x='>'/>",
            b"</c>",
            b"<!--",
            b"-->",
            b"<![CDATA[",
            b"]]>",
            b"<?p",
            b"?>",
            b"<!DOCTYPE [",
            b"]>",
            b"text",
            b"\"",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound as u64) as usize
        };
        for _ in 0..500 {
            let stream: Vec<u8> = (0..next(60))
                .flat_map(|_| pieces[next(pieces.len())].iter().copied())
                .collect();
            let mut documents = Documents::new(1 << 10);
            let mut at = 0;
            while at < stream.len() {
                let end = (at + 1 + next(16)).min(stream.len());
                documents.push(&stream[at..end]);
                at = end;
                while let Ok(Some(document)) = documents.next_document() {
                    assert!(!document.is_empty());
                }
            }
            let _ = documents.finish();
        }
    }

    #[test]
    fn an_empty_root_is_a_document() {
        assert_eq!(
            split(b"<a/> <b x='/>'/>", 1).unwrap(),
            [&b"<a/>"[..], b"<b x='/>'/>"]
        );
    }

    #[test]
    fn a_document_type_declaration_is_markup() {
        let stream = b"<!DOCTYPE a [<!ENTITY e '>'>]><a>&e;</a>";
        assert_eq!(split(stream, 5).unwrap(), [&stream[..]]);
    }

    #[test]
    fn a_stream_ending_within_a_document_is_truncated() {
        let stream = format!("{ENVELOPE}{}", &ENVELOPE[..100]);
        assert_eq!(
            split(stream.as_bytes(), 10),
            Err(DocumentsError::Truncated(100))
        );
        assert_eq!(split(b"<a><b>", 1), Err(DocumentsError::Truncated(6)));
        assert_eq!(split(b"  \n", 1), Ok(vec![]));
    }

    #[test]
    fn an_end_tag_closing_another_element_ends_the_document_there() {
        let stream = b"<a><b></a>  <c/>";
        assert_eq!(split(stream, 1).unwrap(), [&b"<a><b></a>"[..], b"<c/>"]);
        assert_eq!(split(b"</x><y/>", 2).unwrap(), [&b"</x>"[..], b"<y/>"]);
    }

    #[test]
    fn a_document_past_the_limit_fails_before_its_end() {
        let mut documents = Documents::new(64);
        documents.push(b"<a>");
        assert_eq!(documents.next_document(), Ok(None));
        documents.push(&[b'x'; 100]);
        assert_eq!(documents.next_document(), Err(DocumentsError::TooLarge));
    }

    #[test]
    fn memory_holds_one_document() {
        let mut documents = Documents::new(1 << 20);
        for _ in 0..1000 {
            documents.push(ENVELOPE.as_bytes());
            assert!(documents.next_document().unwrap().is_some());
        }
        documents.push(b"");
        assert!(documents.buffer.capacity() < 2 * ENVELOPE.len() + 64);
    }
}
