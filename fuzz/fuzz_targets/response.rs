//! Any bytes as a GetImItemList response: a typed result, never a panic or a hang; read
//! whole and read one persona at a time, the same result.
#![no_main]

use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, read_response_each, Envelope};
use ews_bindings::xml::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = read_response::<GetImItemList>(data);
    let mut handed = Vec::new();
    let each = read_response_each::<GetImItemList, _>(data, &Limits::default(), |p| handed.push(p));
    match (whole, each) {
        (Ok(whole), Ok(mut each)) => {
            if let Some(list) = each.body.im_item_list.as_mut() {
                if let Some(personas) = list.personas.as_mut() {
                    assert!(personas.is_empty(), "a persona was kept");
                    *personas = std::mem::take(&mut handed);
                }
            }
            assert!(handed.is_empty(), "a persona was handed out from no list");
            assert_eq!(whole, each);
        }
        (Err(whole), Err(each)) => assert_eq!(whole, each),
        (whole, each) => panic!("read whole: {whole:?}; one at a time: {each:?}"),
    }
    let _ = Envelope::read(data);
});
