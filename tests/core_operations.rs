//! Microsoft's doc samples of 20 much-used operations (`../shared/ews-doc-samples-core`),
//! through the client against the loopback endpoint, in whole-schema mode:
//!
//! - each request sample is read, sent with `Client::call`, and the body on the wire equals
//!   the sample's body by meaning;
//! - each response sample served by the endpoint comes back typed, per item where the
//!   response holds `ResponseMessages`, and the envelope writes back equal by meaning;
//! - each error sample gives the typed error (a SOAP fault, an `Ews` error, or per-item
//!   errors).
//!
//! The samples that break the schema (INDEX.md says which) are documentation errors; for
//! each, [`DOCUMENTATION_ERRORS`] states what happens.
#![cfg(feature = "all-operations")]

mod common;

use std::path::{Path, PathBuf};

use common::{every_header, sample_files, shared_dir, tree};
use ews_bindings::messages::Element;
use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::operation::{self, Operation};
use ews_bindings::soap::{Body, Envelope};
use ews_bindings::{Client, Error};
use serde_json::Value;

/// What a call gave, in a form common to every operation: the output as JSON, or the error.
type Outcome = Result<(Value, Option<String>), Error>;

/// Sends the request body `element` with the operation it belongs to.
macro_rules! dispatch {
    ($client:expr, $element:expr, [$($element_name:ident => $op:ident),* $(,)?]) => {
        match $element {
            $(Element::$element_name(request) => (
                summarize($client.call::<operation::$op>(&request).await),
                <operation::$op as Operation>::REQUEST_HEADERS,
            ),)*
            other => panic!("no operation sends {}", other.name()),
        }
    };
}

fn summarize<T: serde::Serialize>(r: Result<ews_bindings::Response<T>, Error>) -> Outcome {
    r.map(|r| {
        (
            serde_json::to_value(&r.output).unwrap(),
            r.warning.map(|w| w.to_string()),
        )
    })
}

/// Sends `request`; returns what the call gave and the headers its operation takes.
async fn call(client: &Client, request: Element) -> (Outcome, &'static [&'static str]) {
    dispatch!(
        client,
        request,
        [
            FindItem => FindItem,
            GetItem => GetItem,
            CreateItem => CreateItem,
            UpdateItem => UpdateItem,
            DeleteItem => DeleteItem,
            MoveItem => MoveItem,
            SendItem => SendItem,
            GetFolder => GetFolder,
            FindFolder => FindFolder,
            SyncFolderItems => SyncFolderItems,
            SyncFolderHierarchy => SyncFolderHierarchy,
            GetAttachment => GetAttachment,
            CreateAttachment => CreateAttachment,
            ResolveNames => ResolveNames,
            FindPeople => FindPeople,
            GetPersona => GetPersona,
            GetUserAvailabilityRequest => GetUserAvailability,
            GetUserOofSettingsRequest => GetUserOofSettings,
            SetUserOofSettingsRequest => SetUserOofSettings,
            Subscribe => Subscribe,
            GetEvents => GetEvents,
            GetStreamingEvents => GetStreamingEvents,
            Unsubscribe => Unsubscribe,
        ]
    )
}

/// The response element each request element is answered with.
fn response_for(request: &str) -> String {
    format!("{}Response", request.trim_end_matches("Request"))
}

/// Samples that break the schema, and what the bindings do with them.
const DOCUMENTATION_ERRORS: [(&str, &str); 11] = [
    // Two errors: the MIME content is cut off after seven characters (`UmVjZWl`, not
    // base64, which the protocol defines MIME content as), and the HTML body is pasted into
    // `t:Body` unescaped, with unclosed `<meta>` tags (not well-formed XML). The first met,
    // the MIME content, is refused with `InvalidValue` (the call fails with
    // `Error::Parse`).
    ("GetItem/10-response", "InvalidValue"),
    // `t:Country` stands where the schema has `t:CountryOrRegion`: skipped as unknown, so
    // the rest reads and the written envelope lacks it.
    ("GetItem/6-response", "lacks Country"),
    // `Key="EmailAddress4"` is not one of the schema's three keys: kept as the enum's
    // `Other` value and written back as it was.
    ("UpdateItem/7-request", "round-trips"),
    // `t:ItemID` (capital D) is not the schema's `t:ItemId`: skipped as unknown.
    ("MoveItem/2-response", "lacks ItemID"),
    // `t:EmailAddress` where the schema has a persona's `EmailAddress` in the messages
    // order: see the assertion.
    ("FindPeople/3-response", "lacks EmailAddress"),
    // A persona value that does not fit `xs:int`: refused with `InvalidValue`.
    ("GetPersona/2-response", "InvalidValue"),
    // An error message without `m:Persona`, which the schema requires after the optional
    // sequence of `m:ResponseMessageType`; the generated type takes the element as optional
    // (the base's optional sequence carries over), so the message reads, round-trips, and
    // fails the call as the EWS error it reports.
    ("GetPersona/3-error", "reads"),
    // `Subscribe` in no namespace (the page leaves out its `xmlns`): not a request the
    // schema has, refused as an unexpected element.
    ("Subscribe/4-request", "UnexpectedElement"),
    // `SubscriptionId` in the messages namespace, where the schema has `t:SubscriptionId`:
    // skipped as unknown, so the request reads without it and is not sent as documented.
    ("GetStreamingEvents/1-request", "lacks SubscriptionId"),
    // A SOAP Header and Body without their Envelope, as the page abbreviates the answer:
    // not an envelope, refused as an unexpected element.
    ("GetStreamingEvents/2-response", "UnexpectedElement"),
    // `m:GetStreamingEventsResponseMessage` is never closed: not well-formed, refused with a
    // syntax error.
    ("GetStreamingEvents/3-error", "Syntax"),
];

/// What a documented request that breaks the schema gives when read, per
/// [`DOCUMENTATION_ERRORS`]: it is not sent.
fn check_broken_request(name: &str, xml: &str, what: &str) {
    let read = Envelope::read(xml.as_bytes());
    match what.strip_prefix("lacks ") {
        Some(element) => {
            let envelope = read.unwrap_or_else(|e| panic!("{name}: {e}"));
            let d = envelope
                .diff(tree(xml))
                .expect("the written envelope differs");
            assert!(d.contains(element), "{name}: {d}");
        }
        None => {
            let err = read.expect_err(name);
            assert!(
                format!("{:?}", err.kind()).starts_with(what),
                "{name}: {err}"
            );
        }
    }
}

/// The samples as (`Operation/stem`, path), the SOAP Autodiscover ones left out.
fn samples(dir: &Path) -> Vec<(String, PathBuf)> {
    sample_files(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".xml") && !rel.starts_with("Autodiscover-"))
        .map(|(rel, path)| (rel.trim_end_matches(".xml").to_owned(), path))
        .collect()
}

fn body_element(envelope: &Envelope) -> &Element {
    match &envelope.body {
        Body::Message(m) => m,
        Body::Fault(f) => panic!("a fault: {f}"),
    }
}

#[tokio::test]
async fn requests_go_on_the_wire_as_documented() {
    let Some(shared) = shared_dir() else { return };
    let mut sent = 0;
    let mut sets = std::collections::BTreeSet::new();
    for (name, path) in samples(&shared.join("ews-doc-samples-core")) {
        if !name.contains("-request") {
            continue;
        }
        let xml = std::fs::read_to_string(&path).unwrap();
        if let Some((_, what)) = DOCUMENTATION_ERRORS.iter().find(|(n, _)| *n == name) {
            if *what != "round-trips" {
                check_broken_request(&name, &xml, what);
                continue;
            }
        }
        let envelope = Envelope::read(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(d) = envelope.diff(tree(&xml)) {
            panic!("{name}: does not round-trip: {d}");
        }
        let server = MockServer::start(vec![MockResponse::xml("not an answer")])
            .await
            .unwrap();
        let client = Client::builder(server.url())
            .headers(every_header())
            .build()
            .unwrap();
        let element = body_element(&envelope).clone();
        let (_, takes) = call(&client, element).await;
        let wire = server.requests().pop().expect("a request was sent");
        let body = |t: ews_bindings::xml::SemanticTree| t.child("Body").cloned().unwrap();
        if let Some(d) = body(tree(&xml)).diff(&body(tree(&wire.text()))) {
            panic!("{name}: the request body differs from the sample: {d}");
        }
        // Every header is set on the client; the operation's binding decides which go.
        let mut headers: Vec<String> = tree(&wire.text())
            .child("Header")
            .map(|h| h.children.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        headers.sort();
        let mut expected: Vec<&str> = takes.to_vec();
        expected.sort();
        assert_eq!(headers, expected, "{name}: headers on the wire");
        let anchor = takes
            .contains(&"ExchangeImpersonation")
            .then_some("alice@contoso.com");
        assert_eq!(wire.header("x-anchormailbox"), anchor, "{name}");
        sets.insert(expected.join(","));
        sent += 1;
    }
    assert_eq!(sent, 39, "request samples sent");
    assert!(sets.len() >= 4, "header sets covered: {sets:?}");
}

/// What the endpoint answers a sample with, and what the call gives.
async fn serve(xml: &str, fault: bool, request: Element) -> Outcome {
    let answer = MockResponse::xml(xml.to_owned()).with_status(if fault { 500 } else { 200 });
    let server = MockServer::start(vec![answer]).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    call(&client, request).await.0
}

/// A request element that the response sample answers: the operation's request, as read
/// from the operation's first request sample.
fn request_of(dir: &Path, op: &str) -> Element {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(op))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.to_str().unwrap().contains("-request"))
        .collect();
    files.sort();
    let xml = std::fs::read_to_string(&files[0]).unwrap();
    body_element(&Envelope::read(xml.as_bytes()).unwrap()).clone()
}

#[tokio::test]
async fn responses_come_back_typed_and_item_by_item() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("ews-doc-samples-core");
    let mut checked = Vec::new();
    for (name, path) in samples(&dir) {
        if name.contains("-request") {
            continue;
        }
        let xml = std::fs::read_to_string(&path).unwrap();
        let op = name.split('/').next().unwrap();
        let request = request_of(&dir, op);
        let expected_response = response_for(request.name());
        let documentation_error = DOCUMENTATION_ERRORS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, what)| *what);
        let read = Envelope::read(xml.as_bytes());
        let fault = matches!(
            &read,
            Ok(Envelope {
                body: Body::Fault(_),
                ..
            })
        );
        let outcome = serve(&xml, fault, request).await;
        match documentation_error {
            Some("reads") => {
                let envelope = read.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(envelope.diff(tree(&xml)), None, "{name}");
                check_outcome(&name, &xml, outcome);
            }
            Some(kind @ ("InvalidValue" | "Syntax" | "UnexpectedElement")) => {
                let err = read.expect_err(&name);
                assert!(
                    format!("{:?}", err.kind()).starts_with(kind),
                    "{name}: {err}"
                );
                assert!(
                    matches!(outcome, Err(Error::Parse(_))),
                    "{name}: {outcome:?}"
                );
            }
            Some(lacks) => {
                let envelope = read.unwrap_or_else(|e| panic!("{name}: {e}"));
                let element = lacks.trim_start_matches("lacks ");
                let d = envelope
                    .diff(tree(&xml))
                    .expect("the written envelope differs");
                assert!(d.contains(element), "{name}: {d}");
                outcome.unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            None if fault => {
                assert!(
                    matches!(outcome, Err(Error::Fault(_))),
                    "{name}: {outcome:?}"
                );
            }
            None => {
                let envelope = read.unwrap_or_else(|e| panic!("{name}: {e}"));
                if let Some(d) = envelope.diff(tree(&xml)) {
                    panic!("{name}: does not round-trip: {d}");
                }
                assert_eq!(body_element(&envelope).name(), expected_response, "{name}");
                check_outcome(&name, &xml, outcome);
            }
        }
        checked.push(name);
    }
    assert_eq!(checked.len(), 58, "{checked:?}");
}

/// The call's result agrees with the response classes in the sample.
fn check_outcome(name: &str, xml: &str, outcome: Outcome) {
    let classes: Vec<&str> = xml
        .split("ResponseClass=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let many = xml.contains("ResponseMessages>");
    match outcome {
        Ok((Value::Array(items), warning)) => {
            assert!(many, "{name}: item results for a single message");
            assert_eq!(warning, None, "{name}");
            let got: Vec<&str> = items.iter().map(|i| i["class"].as_str().unwrap()).collect();
            assert_eq!(got, classes, "{name}");
        }
        Ok((_, warning)) => {
            assert!(!many || name.starts_with("GetUserAvailability"), "{name}");
            assert!(!classes.contains(&"Error") || name.starts_with("GetUserAvailability"));
            assert_eq!(
                warning.is_some(),
                classes.first() == Some(&"Warning"),
                "{name}"
            );
        }
        Err(Error::Ews(e)) => {
            assert!(!many, "{name}: a per-item error failed the call");
            assert_eq!(classes, ["Error"], "{name}: {e}");
        }
        Err(e) => panic!("{name}: {e}"),
    }
}

/// A GetItem answer mixing Success, Warning and Error gives each item its own result, in
/// order; a message count other than the count of requested ids fails the call.
#[tokio::test]
async fn partial_failure_gives_one_result_per_item() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("ews-doc-samples-core");
    // The sample's GetItem request, asking for its one id `ids` times.
    let request = |ids: usize| {
        let Element::GetItem(mut r) = request_of(&dir, "GetItem") else {
            unreachable!("the GetItem samples hold GetItem requests")
        };
        let id = r.item_ids[0].clone();
        r.item_ids = vec![id; ids];
        r
    };
    let message = |class: &str, code: &str| {
        format!(
            r#"<m:GetItemResponseMessage ResponseClass="{class}">{}<m:ResponseCode>{code}</m:ResponseCode><m:Items><t:Message><t:Subject>{code}</t:Subject></t:Message></m:Items></m:GetItemResponseMessage>"#,
            if class == "Success" {
                String::new()
            } else {
                format!("<m:MessageText>{code} happened</m:MessageText>")
            }
        )
    };
    let answer = |messages: &[String]| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><s:Body><m:GetItemResponse><m:ResponseMessages>{}</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#,
            messages.concat()
        )
    };
    let mixed = [
        message("Success", "NoError"),
        message("Error", "ErrorItemNotFound"),
        message("Warning", "ErrorBatchProcessingStopped"),
        message("Success", "NoError"),
    ];
    let answer = MockResponse::xml(answer(&mixed));
    let server = MockServer::start(vec![answer.clone(), answer])
        .await
        .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let results = client
        .call::<operation::GetItem>(&request(4))
        .await
        .unwrap()
        .output;
    let errors: Vec<(usize, String)> = results
        .errors()
        .map(|(i, e)| (i, e.response_code.to_string()))
        .collect();
    assert_eq!(errors, [(1, "ErrorItemNotFound".to_owned())]);
    assert_eq!(
        results.messages().map(|(i, _)| i).collect::<Vec<_>>(),
        [0, 2, 3]
    );
    let warning = results.items[2].problem().unwrap();
    assert_eq!(
        warning.response_code.to_string(),
        "ErrorBatchProcessingStopped"
    );
    assert!(
        results.items[2].message().unwrap().items.is_some(),
        "the warning keeps its data"
    );
    // Saved as JSON, the results read back the same, errors and warnings included.
    let json = serde_json::to_string(&results).unwrap();
    let back: <operation::GetItem as Operation>::Output = serde_json::from_str(&json).unwrap();
    assert_eq!(back, results);
    let all = results.clone().into_result().unwrap_err();
    assert_eq!(all.response_code.to_string(), "ErrorItemNotFound");

    // Four messages for three ids: the results cannot be matched with the ids.
    let err = client
        .call::<operation::GetItem>(&request(3))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ItemCount {
                expected: 3,
                received: 4
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "the server answered 4 response messages for 3 requested items"
    );
}

/// Every operation of the official WSDL has a marker, and so has every one only
/// messages.xsd defines.
#[test]
fn every_operation_has_a_marker() {
    assert_eq!(operation::OPERATIONS.len(), 123 + 13);
    assert!(operation::OPERATIONS.contains(&"SyncFolderItems"));
    assert!(operation::OPERATIONS.contains(&"GetImItemList"));
    assert!(operation::OPERATIONS.contains(&"GetReminders"));
    assert!(operation::OPERATIONS.contains(&"MarkAsPhishing"));
    assert_eq!(
        <operation::GetReminders as Operation>::SOAP_ACTION,
        "http://schemas.microsoft.com/exchange/services/2006/messages/GetReminders"
    );
}

/// What is saved as JSON reads back as the same value, for every sample that reads.
#[test]
fn every_sample_that_reads_makes_a_json_round_trip() {
    let Some(shared) = shared_dir() else { return };
    let mut checked = 0;
    for (name, path) in samples(&shared.join("ews-doc-samples-core")) {
        let xml = std::fs::read_to_string(&path).unwrap();
        let Ok(envelope) = Envelope::read(xml.as_bytes()) else {
            continue;
        };
        if let Body::Message(message) = &envelope.body {
            let json = serde_json::to_string(message).unwrap();
            let back: Element = serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("{name}: its JSON does not read back: {e}"));
            assert_eq!(&back, message.as_ref(), "{name}");
            checked += 1;
        }
    }
    // All 99 but the two SOAP faults and the five that do not read (GetItem/10-response and
    // GetStreamingEvents/3-error are not well-formed, GetPersona/2-response has a value that
    // is not an xs:int, Subscribe/4-request and GetStreamingEvents/2-response have no
    // request or envelope the schema knows).
    assert_eq!(checked, 92, "samples checked");
}
