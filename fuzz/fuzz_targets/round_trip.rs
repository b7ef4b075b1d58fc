//! Whatever reads as an envelope writes back to an envelope that reads as the same value.
#![no_main]

use ews_bindings::soap::Envelope;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::read(data) {
        let written = envelope.write();
        let again = Envelope::read(written.as_bytes())
            .unwrap_or_else(|e| panic!("written envelope does not read: {e}\n{written}"));
        assert_eq!(envelope.headers, again.headers, "{written}");
        assert_eq!(envelope.body, again.body, "{written}");
    }
});
