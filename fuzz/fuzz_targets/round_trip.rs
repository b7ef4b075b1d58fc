//! Whatever reads as an envelope is well-formed XML to quick-xml as well (an independent
//! scanner), and writes back to an envelope that reads as the same value.
#![no_main]

use ews_bindings::soap::Envelope;
use ews_bindings::xml::SemanticTree;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::read(data) {
        let text = std::str::from_utf8(data).expect("a read envelope is UTF-8");
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Err(e) = SemanticTree::parse(text) {
            panic!("read, but quick-xml finds it malformed: {e}");
        }
        let written = envelope.write();
        let again = Envelope::read(written.as_bytes())
            .unwrap_or_else(|e| panic!("written envelope does not read: {e}\n{written}"));
        assert_eq!(envelope.headers, again.headers, "{written}");
        assert_eq!(envelope.body, again.body, "{written}");
    }
});
