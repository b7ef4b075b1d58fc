//! How the generator lays out the runtime's call-like macros: as the calls they read as,
//! and still the same code.

use quote::ToTokens;

#[test]
fn call_like_macros_are_laid_out_as_calls_and_keep_their_tokens() {
    let source = r#"
        fn from_xml(r: &mut rt::Reader<'_>, start: rt::Start<'_>) -> rt::Parsed<Self> {
            let mut f_a_rather_long_name_for_a_member = rt::None;
            while let rt::Some(c) = rt::tri!(r.next_child(&start)) {
                let read = match c.local_in(&NAMESPACE) {
                    "ARatherLongNameForAMember" => r.value(c, &mut f_a_rather_long_name_for_a_member),
                    _ => r.skip(c),
                };
                rt::tri!(read);
            }
            rt::required!(r, &start, f_a_rather_long_name_for_a_member, "ARatherLongNameForAMember");
            rt::Ok(Self { member: rt::Box::new(rt::read!(r, start)), other: f_a_rather_long_name_for_a_member })
        }
    "#;
    let file: syn::File = syn::parse_str(source).unwrap();
    let plain: syn::File = syn::parse_str(&prettyplease::unparse(&file)).unwrap();
    let code = ews_codegen::unparse(file);
    assert!(!code.contains("_as_call"), "{code}");
    // Laid out as calls: the long arguments one per line, with a trailing comma.
    assert!(
        code.contains(
            "rt::required!(\n        r,\n        &start,\n        f_a_rather_long_name_for_a_member,\n"
        ),
        "{code}"
    );
    assert!(code.contains("rt::tri!(r.next_child(&start))"), "{code}");
    assert!(code.contains("rt::read!(r, start)"), "{code}");
    // The same code as prettyplease lays out, but for the trailing commas the layout adds
    // to the arguments it breaks (the macros take them).
    let back: syn::File = syn::parse_str(&code).unwrap();
    let back = back.to_token_stream().to_string().replace(" ,)", ")");
    assert_eq!(back, plain.to_token_stream().to_string());
}
