//! Round trips of Microsoft's EWS doc samples: each envelope's header elements and body
//! element are read into the generated types, written back, and compared with the input
//! semantically (namespace URIs rather than prefixes, whitespace and attribute order free,
//! element order kept).
//!
//! Samples that deviate from the schema state their expectation: a listed rename that the
//! aliases of `ews_codegen::Config::doc_aliases` read and the writer corrects, a typed
//! rejection, or (for SOAP faults, which are not in the EWS schema) a typed refusal of the
//! body by the messages module.

mod common;

use std::path::Path;

use common::{fix_https_namespaces, rename_children, sample_files, shared_dir, tree};
use ews_bindings::soap::{Body, Envelope};
use ews_bindings::xml::ParseErrorKind;

/// What a sample is expected to do.
enum Expect {
    /// Round-trips exactly.
    RoundTrip,
    /// Round-trips once these renames `(parent, from, to)` are applied to the input: the
    /// sample uses an element name the schema does not, which is read as an alias and
    /// written under the schema's name. Each rename must occur in the sample.
    RoundTripRenamed(&'static [(&'static str, &'static str, &'static str)]),
    /// The body is refused with this error.
    Rejected(ParseErrorKind),
    /// The body is a SOAP fault (not in the EWS schema), read as one and round-tripped.
    Fault,
}

/// Persona `EmailAddresses` holds `Address` in the schema and from servers; the doc samples
/// write `EmailAddress`.
const EMAIL_ADDRESSES: (&str, &str, &str) = ("EmailAddresses", "EmailAddress", "Address");
/// An e-mail address value holds `EmailAddress` in the schema; one doc sample writes
/// `Address`.
const VALUE_ADDRESS: (&str, &str, &str) = ("Value", "Address", "EmailAddress");
/// The same, in a Persona's `EmailAddress` and in `EmailAddresses/Address`.
const PERSONA_ADDRESS: (&str, &str, &str) = ("EmailAddress", "Address", "EmailAddress");
const LIST_ADDRESS: (&str, &str, &str) = ("Address", "Address", "EmailAddress");

/// EWS header elements outside the IM slice: the samples' envelopes may carry them, and
/// they are skipped (in whole-schema mode they are read and round-trip like the others).
const HEADERS_OUTSIDE_THE_SLICE: [&str; 1] = ["TimeZoneContext"];

fn check(xml: &str, expect: Expect, name: &str) {
    let read = Envelope::read(xml.as_bytes());
    let renames = match expect {
        Expect::Rejected(kind) => {
            match read {
                Err(e) => assert_eq!(*e.kind(), kind, "{name}: {e}"),
                Ok(v) => panic!("{name}: expected {kind:?}, read {v:?}"),
            }
            return;
        }
        Expect::RoundTripRenamed(renames) => renames,
        Expect::RoundTrip | Expect::Fault => &[],
    };
    let envelope = read.unwrap_or_else(|e| panic!("{name}: {e}"));
    let is_fault = matches!(envelope.body, Body::Fault(_));
    assert_eq!(
        is_fault,
        matches!(expect, Expect::Fault),
        "{name}: body kind"
    );
    for skipped in &envelope.skipped_headers {
        assert!(
            HEADERS_OUTSIDE_THE_SLICE.contains(&skipped.as_str()),
            "{name}: header {skipped} was skipped"
        );
    }
    let mut expected = tree(xml);
    for (parent, from, to) in renames {
        let n = rename_children(&mut expected, parent, from, to);
        assert!(
            n > 0,
            "{name}: listed deviation {parent}/{from} not in the sample"
        );
    }
    if let Body::Fault(fault) = &envelope.body {
        assert_eq!(
            fault.code_namespace.as_deref(),
            Some(ews_bindings::types::NAMESPACE.uri)
        );
    }
    if let Some(d) = envelope.diff(expected) {
        panic!(
            "{name}: does not round-trip: {d}\nwritten: {}",
            envelope.write()
        );
    }
    // What is saved as JSON reads back as the same value.
    if let Body::Message(message) = &envelope.body {
        let json = serde_json::to_string(message).unwrap();
        let back: ews_bindings::messages::Element = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{name}: its JSON does not read back: {e}\n{json}"));
        assert_eq!(&back, message.as_ref(), "{name}: JSON round trip");
    }
    for header in &envelope.headers {
        let json = serde_json::to_string(header).unwrap();
        let back: ews_bindings::types::Element = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, header, "{name}: header JSON round trip");
    }
}

fn shared_sample(file: &str, expect: Expect) {
    let Some(dir) = shared_dir() else { return };
    let path = dir.join("ews-doc-samples").join(file);
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&xml, expect, file);
}

fn page_sample(file: &str, expect: Expect) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/getimitemlist-page")
        .join(file);
    let xml = std::fs::read_to_string(&path).unwrap();
    check(&fix_https_namespaces(&xml), expect, file);
}

macro_rules! samples {
    ($($test:ident: $file:literal => $expect:expr;)*) => {
        $(
            #[test]
            fn $test() {
                shared_sample($file, $expect);
            }
        )*

        /// Every sample in the shared folder has a test above.
        #[test]
        fn every_shared_sample_has_a_test() {
            let Some(dir) = shared_dir() else { return };
            let listed = [$($file),*];
            let missing: Vec<String> = sample_files(&dir.join("ews-doc-samples"))
                .into_iter()
                .map(|(rel, _)| rel)
                .filter(|rel| !listed.contains(&rel.as_str()))
                .collect();
            assert!(missing.is_empty(), "samples without a test: {missing:?}");
        }
    };
}

samples! {
    add_distribution_group_to_im_list_1_request: "AddDistributionGroupToImList/1-request.xml"
        => Expect::Rejected(ParseErrorKind::MissingElement("DisplayName"));
    add_distribution_group_to_im_list_2_response: "AddDistributionGroupToImList/2-response.xml" => Expect::RoundTrip;
    add_distribution_group_to_im_list_3_error: "AddDistributionGroupToImList/3-error.xml" => Expect::RoundTrip;
    add_im_contact_to_group_1_request: "AddImContactToGroup/1-request.xml" => Expect::RoundTrip;
    add_im_contact_to_group_2_response: "AddImContactToGroup/2-response.xml" => Expect::RoundTrip;
    add_im_contact_to_group_3_error: "AddImContactToGroup/3-error.xml" => Expect::RoundTrip;
    add_im_group_1_request: "AddImGroup/1-request.xml" => Expect::RoundTrip;
    add_im_group_2_response: "AddImGroup/2-response.xml" => Expect::RoundTrip;
    add_im_group_3_error: "AddImGroup/3-error.xml" => Expect::Fault;
    add_new_im_contact_to_group_1_request: "AddNewImContactToGroup/1-request.xml" => Expect::RoundTrip;
    add_new_im_contact_to_group_2_response: "AddNewImContactToGroup/2-response.xml"
        => Expect::RoundTripRenamed(&[EMAIL_ADDRESSES, PERSONA_ADDRESS, LIST_ADDRESS, VALUE_ADDRESS]);
    add_new_im_contact_to_group_3_error: "AddNewImContactToGroup/3-error.xml" => Expect::RoundTrip;
    add_new_tel_uri_contact_to_group_1_request: "AddNewTelUriContactToGroup/1-request.xml" => Expect::RoundTrip;
    add_new_tel_uri_contact_to_group_2_response: "AddNewTelUriContactToGroup/2-response.xml" => Expect::RoundTrip;
    add_new_tel_uri_contact_to_group_3_error: "AddNewTelUriContactToGroup/3-error.xml" => Expect::RoundTrip;
    get_im_item_list_1_request: "GetImItemList/1-request.xml" => Expect::RoundTrip;
    get_im_item_list_2_response: "GetImItemList/2-response.xml" => Expect::RoundTripRenamed(&[EMAIL_ADDRESSES]);
    get_im_item_list_3_error: "GetImItemList/3-error.xml" => Expect::Fault;
    get_im_items_1_request: "GetImItems/1-request.xml" => Expect::RoundTrip;
    get_im_items_2_response: "GetImItems/2-response.xml" => Expect::RoundTrip;
    remove_contact_from_im_list_1_request: "RemoveContactFromImList/1-request.xml" => Expect::RoundTrip;
    remove_contact_from_im_list_2_response: "RemoveContactFromImList/2-response.xml" => Expect::RoundTrip;
    remove_contact_from_im_list_3_error: "RemoveContactFromImList/3-error.xml" => Expect::RoundTrip;
    remove_distribution_group_from_im_list_1_request: "RemoveDistributionGroupFromImList/1-request.xml" => Expect::RoundTrip;
    remove_distribution_group_from_im_list_2_response: "RemoveDistributionGroupFromImList/2-response.xml" => Expect::RoundTrip;
    remove_distribution_group_from_im_list_3_error: "RemoveDistributionGroupFromImList/3-error.xml" => Expect::RoundTrip;
    remove_im_contact_from_group_1_request: "RemoveImContactFromGroup/1-request.xml" => Expect::RoundTrip;
    remove_im_contact_from_group_2_response: "RemoveImContactFromGroup/2-response.xml" => Expect::RoundTrip;
    remove_im_contact_from_group_3_error: "RemoveImContactFromGroup/3-error.xml" => Expect::RoundTrip;
    remove_im_group_1_request: "RemoveImGroup/1-request.xml" => Expect::RoundTrip;
    remove_im_group_2_response: "RemoveImGroup/2-response.xml" => Expect::RoundTrip;
    remove_im_group_3_error: "RemoveImGroup/3-error.xml" => Expect::RoundTrip;
    remove_im_group_4_error: "RemoveImGroup/4-error.xml" => Expect::RoundTrip;
    set_im_group_1_request: "SetImGroup/1-request.xml" => Expect::RoundTrip;
    set_im_group_2_response: "SetImGroup/2-response.xml" => Expect::RoundTrip;
    set_im_group_3_error: "SetImGroup/3-error.xml" => Expect::RoundTrip;
}

#[test]
fn page_request() {
    page_sample("request.xml", Expect::RoundTrip);
}

#[test]
fn page_response() {
    page_sample("response.xml", Expect::RoundTripRenamed(&[EMAIL_ADDRESSES]));
}

#[test]
fn page_fault() {
    page_sample("fault.xml", Expect::Fault);
}

/// As published, the page's samples put the EWS elements in `https://` namespaces, which
/// are not EWS's: the reader refuses them rather than guessing.
#[test]
fn https_namespaces_are_refused_as_published() {
    for file in ["request.xml", "response.xml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/getimitemlist-page")
            .join(file);
        let xml = std::fs::read_to_string(&path).unwrap();
        match Envelope::read(xml.as_bytes()) {
            Err(e) => assert!(
                matches!(&e.kind(), ParseErrorKind::UnexpectedElement { found, .. } if found.starts_with("{https://")),
                "{file}: {e}"
            ),
            Ok(v) => panic!("{file}: read {v:?}"),
        }
    }
}

/// The page's response, read: four groups and two personas with their data.
#[test]
fn page_response_contents() {
    use ews_bindings::messages::Element;
    let xml = common::page_fixture("response.xml");
    let envelope = Envelope::read(xml.as_bytes()).unwrap();
    let Body::Message(message) = envelope.body else {
        panic!("not a message");
    };
    let Element::GetImItemListResponse(resp) = *message else {
        panic!("not a GetImItemListResponse");
    };
    assert_eq!(
        resp.response_class,
        ews_bindings::types::ResponseClass::Success
    );
    assert_eq!(
        resp.response_code,
        Some(ews_bindings::messages::ResponseCode::NoError)
    );
    let list = resp.im_item_list.unwrap();
    let groups = list.groups.unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(
        names,
        ["Other Contacts", "Tagged", "Favorites", "MyCustomGroup2"]
    );
    let members = groups[3].member_correlation_key.as_ref().unwrap();
    assert_eq!(members.len(), 2);
    let personas = list.personas.unwrap();
    assert_eq!(personas.len(), 2);
    assert_eq!(personas[0].display_name.as_deref(), Some("Anthony Smith"));
    assert_eq!(personas[0].relevance_score, Some(2147483647));
    let emails = personas[0].email_addresses.as_ref().unwrap();
    assert_eq!(
        emails[0].email_address.as_deref(),
        Some("tsmith@contoso.com")
    );
    assert_eq!(personas[1].display_name.as_deref(), Some("Terence Adams"));
    let version = match &envelope.headers[0] {
        ews_bindings::types::Element::ServerVersionInfo(v) => v,
        other => panic!("unexpected header {other:?}"),
    };
    assert_eq!(version.major_build_number, Some(349));
}

/// The tests that compare the bindings with Microsoft's schema and doc samples return early
/// without them; this one says so on the terminal (past the test harness's capture), so
/// that a plain `cargo test` passes and shows what did not run. Under CI it fails.
#[test]
fn the_schema_and_doc_samples_are_beside_the_checkout() {
    use std::io::Write;
    let dir = std::env::var_os("EWS_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.is_dir() {
        return;
    }
    let (tests, files) = tests_needing_shared();
    let cases = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xmlconf/cases.tsv"),
    )
    .map_or(0, |list| {
        list.lines().filter(|l| !l.trim().is_empty()).count()
    });
    let message = format!(
        "{} is missing, so {tests} tests against Microsoft's schema and doc samples (in {}) \
         passed without checking anything, and the {cases} cases of the W3C XML conformance \
         suite did not run. To run them, put beside the checkout a directory `shared` with \
         ews-schema/ (types.xsd, messages.xsd and Services.wsdl, as an Exchange server serves \
         them at https://host/EWS/), ews-doc-samples/ and ews-doc-samples-core/ (the samples \
         of Microsoft's EWS operation pages) and xmlconf/ (the W3C suite's zip), or point \
         EWS_SHARED_DIR at one, and run `cargo test --workspace` again.",
        dir.display(),
        files.join(", ")
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    // Written to the terminal itself: the harness captures what print! writes.
    let _ = writeln!(std::io::stderr(), "\nnote: {message}\n");
}

/// How many tests return early without `../shared` (those whose code asks for it with
/// `shared_dir()` or `official_dir()`), and their files, read from the test sources.
fn tests_needing_shared() -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tests = 0;
    let mut files = Vec::new();
    for dir in ["tests", "codegen/tests"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let n: usize = ["shared_dir", "official_dir"]
                .iter()
                .map(|call| text.matches(&format!("{call}() else")).count())
                .sum();
            if n > 0 && path.extension().is_some_and(|e| e == "rs") {
                tests += n;
                files.push(format!(
                    "{dir}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    (tests, files)
}
