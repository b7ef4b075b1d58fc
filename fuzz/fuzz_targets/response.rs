//! Any bytes as a GetImItemList response: a typed result, never a panic or a hang.
#![no_main]

use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, Envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_response::<GetImItemList>(data);
    let _ = Envelope::read(data);
});
