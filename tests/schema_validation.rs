//! What the crate writes is valid per the official schema, as an independent validator
//! (Python's xmlschema, through `tests/tools/xsd.py`) judges it: every operation's request,
//! the synthetic responses the benchmarks read, and the answer to a push notification.
//!
//! For each operation of the WSDL, the tool builds two valid requests from messages.xsd
//! (the smallest one, and one with the optional content of the first levels filled in).
//! Each is read into the generated request type, written back with
//! `soap::write_request` (what the client sends) with every request header set, compared
//! by meaning with what was read, and the envelopes are validated: each header element and
//! the body element. The headers on the wire are those the operation's binding declares
//! (as the tool reads them from Services.wsdl), no more and no fewer: every header set of
//! the WSDL is covered.
//!
//! Needs `EWS_PYTHON`, a Python with xmlschema (`.ci/run` makes one), and the whole schema
//! in `EWS_SCHEMA_DIR`.
#![cfg(feature = "all-operations")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{every_header, python, tree};
use ews_bindings::mock::workload;
use ews_bindings::operation::{self, Operation, OperationVisitor};
use ews_bindings::soap;

fn tool(python: &str, args: &[&str]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/xsd.py");
    let output = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// The request element's local name of the operation.
struct RequestElement;

impl OperationVisitor for RequestElement {
    type Output = &'static str;

    fn visit<O: Operation + 'static>(self) -> &'static str {
        O::REQUEST_ELEMENT
    }
}

/// Reads a request of the operation and writes its envelope.
struct Rewrite<'a> {
    request: &'a str,
}

impl OperationVisitor for Rewrite<'_> {
    type Output = Result<String, String>;

    fn visit<O: Operation + 'static>(self) -> Result<String, String> {
        let request = soap::read_request::<O>(self.request.as_bytes())
            .map_err(|e| format!("does not read: {e}"))?;
        Ok(soap::write_request::<O>(&every_header(), &request))
    }
}

fn clean(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    dir.to_owned()
}

fn schema_dir() -> String {
    std::env::var("EWS_SCHEMA_DIR").expect("EWS_SCHEMA_DIR names the whole schema")
}

#[test]
fn the_benchmarks_synthetic_responses_are_valid() {
    let Some(python) = python() else { return };
    let dir = clean(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("workloads"));
    let mut files = Vec::new();
    for (name, xml) in [
        ("im_item_list", workload::im_item_list_response(5, 3)),
        (
            "documented_personas",
            workload::documented_persona_response(5, false, 3),
        ),
        (
            "documented_personas_indented",
            workload::documented_persona_response(5, true, 3),
        ),
        ("find_item", workload::find_item_response(5, 3)),
        ("get_item", workload::get_item_response(5, 3)),
        ("get_item_mime", workload::get_item_mime_response(3000, 3)),
    ] {
        let file = dir.join(format!("{name}.xml"));
        std::fs::write(&file, xml).unwrap();
        files.push(file.to_str().unwrap().to_owned());
    }
    let schema = schema_dir();
    let mut args = vec!["validate", schema.as_str()];
    args.extend(files.iter().map(String::as_str));
    let (valid, report) = tool(&python, &args);
    assert!(valid, "synthetic responses are not valid:\n{report}");
}

#[test]
fn derived_types_are_written_with_a_valid_xsi_type() {
    let Some(python) = python() else { return };
    let xml = include_str!("fixtures/convert_id_alternate_ids.xml");
    let written = soap::Envelope::read(xml.as_bytes()).unwrap().write();
    assert_eq!(written.matches("xsi:type=").count(), 3, "{written}");
    let dir = clean(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("xsi-type"));
    let file = dir.join("convert_id.xml");
    std::fs::write(&file, &written).unwrap();
    let schema = schema_dir();
    let (valid, report) = tool(&python, &["validate", &schema, file.to_str().unwrap()]);
    assert!(valid, "{report}\n{written}");
}

#[test]
fn every_operations_request_is_valid_per_the_official_schema() {
    let Some(python) = python() else { return };
    let schema = schema_dir();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("requests");
    let instances = clean(&root.join("instances"));
    let wire = clean(&root.join("wire"));

    let elements: Vec<&str> = operation::OPERATIONS
        .iter()
        .map(|name| operation::with_operation(name, RequestElement).unwrap())
        .collect();
    // The texts the generator reads as base64 (MIME content) get base64 in the instances.
    let base64_texts = ews_codegen::Config::base64_text_types().join(",");
    let mut args = vec![
        "instances",
        "--base64-text",
        &base64_texts,
        &schema,
        instances.to_str().unwrap(),
    ];
    args.extend(&elements);
    let (ok, report) = tool(&python, &args);
    assert!(ok, "building the requests failed:\n{report}");

    let wsdl = Path::new(&schema).join("Services.wsdl");
    let (ok, listing) = tool(&python, &["headers", wsdl.to_str().unwrap()]);
    assert!(ok, "reading the WSDL failed:\n{listing}");
    let binding_headers: BTreeMap<&str, &str> = listing
        .lines()
        .filter_map(|line| line.split_once(": "))
        .collect();
    // An operation the binding does not name takes the header set most bound ones take.
    let mut frequency: BTreeMap<&str, usize> = BTreeMap::new();
    for set in binding_headers.values() {
        *frequency.entry(set).or_default() += 1;
    }
    let most_common = frequency
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(set, _)| *set)
        .unwrap();
    let mut header_sets = BTreeSet::new();

    let mut covered = BTreeSet::new();
    let mut problems = Vec::new();
    let mut written = Vec::new();
    for (name, element) in operation::OPERATIONS.iter().zip(&elements) {
        for variant in ["", ".full"] {
            let path = instances.join(format!("{element}{variant}.xml"));
            let Ok(request) = std::fs::read_to_string(&path) else {
                problems.push(format!("{name}{variant}: no request was built"));
                continue;
            };
            let envelope = match operation::with_operation(name, Rewrite { request: &request }) {
                Some(Ok(envelope)) => envelope,
                Some(Err(e)) => {
                    problems.push(format!("{name}{variant}: {e}"));
                    continue;
                }
                None => unreachable!("{name} is one of OPERATIONS"),
            };
            let on_wire = tree(&envelope);
            let mut headers: Vec<&str> = on_wire
                .child("Header")
                .map(|h| h.children.iter().map(|c| c.name.as_str()).collect())
                .unwrap_or_default();
            headers.sort();
            let headers = headers.join(",");
            let declared = binding_headers.get(name).copied().unwrap_or(most_common);
            if declared != headers {
                problems.push(format!(
                    "{name}{variant}: headers on the wire {headers:?}, expected {declared:?}"
                ));
            }
            header_sets.insert(headers);
            let body = on_wire.child("Body").unwrap().children[0].clone();
            if let Some(d) = tree(&request).diff(&body) {
                problems.push(format!("{name}{variant}: written back differently: {d}"));
            }
            let file = wire.join(format!("{name}{variant}.xml"));
            std::fs::write(&file, envelope).unwrap();
            written.push(file.to_str().unwrap().to_owned());
            covered.insert(*name);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let mut args = vec!["validate", schema.as_str()];
    args.extend(written.iter().map(String::as_str));
    let (valid, report) = tool(&python, &args);
    assert!(valid, "requests the crate wrote are not valid:\n{report}");

    let all: BTreeSet<&str> = operation::OPERATIONS.iter().copied().collect();
    assert_eq!(covered, all);
    // The 123 operations of the binding, and the 13 only messages.xsd defines.
    assert_eq!(covered.len(), 136, "operations covered");
    assert_eq!(written.len(), 2 * 136);
    let declared: BTreeSet<String> = binding_headers.values().map(|h| h.to_string()).collect();
    assert_eq!(
        header_sets, declared,
        "every header set of the WSDL is on the wire"
    );
    assert_eq!(declared.len(), 11, "header sets of the official WSDL");
}

/// The answer to a push subscription's SendNotification is a valid `m:SendNotificationResult`.
#[test]
fn the_push_answer_is_valid() {
    use ews_bindings::notifications::push;
    use ews_bindings::types::SubscriptionStatus;

    let Some(python) = python() else { return };
    let dir = clean(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("push-answer"));
    let mut files = Vec::new();
    for status in [SubscriptionStatus::OK, SubscriptionStatus::Unsubscribe] {
        let file = dir.join(format!("{status}.xml"));
        std::fs::write(&file, push::answer(status)).unwrap();
        files.push(file.to_str().unwrap().to_owned());
    }
    let schema = schema_dir();
    let mut args = vec!["validate", schema.as_str()];
    args.extend(files.iter().map(String::as_str));
    let (valid, report) = tool(&python, &args);
    assert!(valid, "{report}");
}
