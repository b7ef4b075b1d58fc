//! Broken and hostile input: every case gives a typed error or the correct value, never a
//! panic, and the limits hold.

mod common;

use common::page_fixture;
use ews_bindings::messages::GetImItemListResponseMessage;
use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, read_response_with, Envelope};
use ews_bindings::xml::{Limits, ParseErrorKind};
use ews_bindings::Error;

fn read(xml: &str) -> Result<GetImItemListResponseMessage, Error> {
    read_response::<GetImItemList>(xml.as_bytes())
        .map(|e| e.body)
        .map_err(Error::from)
}

fn parse_kind(result: Result<GetImItemListResponseMessage, Error>) -> ParseErrorKind {
    match result {
        Err(Error::Parse(e)) => e.into_kind(),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn truncated_at_every_tag_boundary_is_an_error() {
    let xml = page_fixture("response.xml");
    let root = xml.find("<s:Envelope").unwrap();
    let mut cuts = 0;
    for (i, c) in xml.char_indices().skip(root + 1) {
        if c == '<' || c == '>' {
            for end in [i, i + 1] {
                if end >= xml.trim_end().len() {
                    continue;
                }
                cuts += 1;
                let cut = &xml[..end];
                assert!(read(cut).is_err(), "cut at {end} parsed");
                assert!(
                    Envelope::read(cut.as_bytes()).is_err(),
                    "cut at {end} parsed"
                );
            }
        }
    }
    assert!(cuts > 700, "{cuts} cuts");
}

#[test]
fn unknown_elements_anywhere_in_a_persona_are_skipped() {
    let xml = page_fixture("response.xml");
    let expected = read(&xml).unwrap();
    let persona = xml.find("<Persona>").unwrap();
    let end = xml.find("</Persona>").unwrap();
    let unknown = [
        r#"<Future xmlns="urn:future" kind="x"><Inner>text</Inner><Inner/></Future>"#,
        r#"<FutureField xmlns="http://schemas.microsoft.com/exchange/services/2006/types">42</FutureField>"#,
    ];
    let mut positions = 0;
    for (i, _) in xml[persona + 1..end].match_indices('<') {
        let at = persona + 1 + i;
        if xml[at..].starts_with("</") {
            continue;
        }
        positions += 1;
        for u in unknown {
            let mutated = format!("{}{u}{}", &xml[..at], &xml[at..]);
            assert_eq!(
                read(&mutated).unwrap(),
                expected,
                "unknown element before byte {at}"
            );
        }
    }
    assert!(positions > 50, "{positions} positions");
}

#[test]
fn unknown_attributes_on_every_element_of_a_persona_are_skipped() {
    let xml = page_fixture("response.xml");
    let expected = read(&xml).unwrap();
    let persona = xml.find("<Persona>").unwrap();
    let end = xml.find("</Persona>").unwrap();
    for (i, _) in xml[persona..end].match_indices('<') {
        let at = persona + i;
        if xml[at..].starts_with("</") {
            continue;
        }
        let name_end = at + xml[at..].find([' ', '>', '/']).unwrap();
        let mutated = format!(
            r#"{} newAttr="1" f:other="2" xmlns:f="urn:future"{}"#,
            &xml[..name_end],
            &xml[name_end..]
        );
        assert_eq!(
            read(&mutated).unwrap(),
            expected,
            "attributes at byte {name_end}"
        );
    }
}

#[test]
fn wrong_roots_and_namespaces_are_refused() {
    let xml = page_fixture("response.xml");
    for mutated in [
        xml.replace("s:Envelope", "s:Envelop"),
        xml.replace(
            "http://schemas.xmlsoap.org/soap/envelope/",
            "http://www.w3.org/2003/05/soap-envelope",
        ),
        xml.replace(
            r#"xmlns="http://schemas.microsoft.com/exchange/services/2006/messages""#,
            r#"xmlns="urn:bogus""#,
        ),
        "<html><body>Sign in</body></html>".to_owned(),
    ] {
        let kind = parse_kind(read(&mutated));
        assert!(
            matches!(kind, ParseErrorKind::UnexpectedElement { .. }),
            "{kind:?}"
        );
    }
}

#[test]
fn an_empty_body_is_a_missing_element() {
    let xml =
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>"#;
    assert_eq!(
        parse_kind(read(xml)),
        ParseErrorKind::MissingElement("Body content")
    );
    let xml = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>"#;
    assert_eq!(
        parse_kind(read(xml)),
        ParseErrorKind::MissingElement("Body")
    );
    assert_eq!(parse_kind(read("")), ParseErrorKind::Truncated);
}

#[test]
fn texts_and_attributes_beyond_the_limits_are_refused() {
    let xml = page_fixture("response.xml");
    let limits = Limits {
        max_text_bytes: 1_000,
        max_attribute_bytes: 100,
        ..Limits::default()
    };
    let with = |xml: &str| {
        read_response_with::<GetImItemList>(xml.as_bytes(), &limits)
            .map(|e| e.body)
            .map_err(Error::from)
    };
    assert!(with(&xml).is_ok(), "the sample is within the limits");
    let long_text = xml.replace(">Tagged<", &format!(">{}<", "T&amp;".repeat(600)));
    assert_eq!(
        parse_kind(with(&long_text)),
        ParseErrorKind::TextTooLong { limit: 1_000 }
    );
    let long_attr = xml.replacen(
        "ChangeKey=\"EgAAAA==\"",
        &format!("ChangeKey=\"{}\"", "A".repeat(101)),
        1,
    );
    assert_eq!(
        parse_kind(with(&long_attr)),
        ParseErrorKind::AttributeTooLong { limit: 100 }
    );
    let depth = Limits {
        max_depth: 8,
        ..Limits::default()
    };
    let deep = read_response_with::<GetImItemList>(xml.as_bytes(), &depth).map_err(Error::from);
    assert!(
        matches!(deep, Err(Error::Parse(e)) if *e.kind() == ParseErrorKind::TooDeep { limit: 8 }),
        "the sample nests deeper than 8"
    );
}

#[test]
fn a_huge_attribute_under_the_default_limit_is_refused_without_blowing_up() {
    let xml = page_fixture("response.xml");
    let huge = xml.replacen(
        "ChangeKey=\"EgAAAA==\"",
        &format!("ChangeKey=\"{}\"", "A".repeat(10 << 20)),
        1,
    );
    assert_eq!(
        parse_kind(read(&huge)),
        ParseErrorKind::AttributeTooLong { limit: 64 << 10 }
    );
}

/// Deterministic corruption of the sample: byte flips, deletions and duplications. Any
/// outcome is fine except a panic.
#[test]
fn corrupted_samples_never_panic() {
    let xml = page_fixture("response.xml").into_bytes();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3_000 {
        let mut bytes = xml.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => bytes[at] = (next() % 256) as u8,
                1 => {
                    bytes.remove(at);
                }
                _ => {
                    let len = (next() as usize % 64).min(bytes.len() - at);
                    let copy = bytes[at..at + len].to_vec();
                    bytes.splice(at..at, copy);
                }
            }
        }
        let _ = read_response::<GetImItemList>(&bytes);
        let _ = Envelope::read(&bytes);
    }
}

#[test]
fn unknown_envelope_children_and_a_second_body_are_skipped() {
    let xml = page_fixture("response.xml");
    let expected = read(&xml).unwrap();
    let before = xml.replace(
        "<s:Body",
        "<s:Extra><s:Body/></s:Extra><x:Trailer xmlns:x=\"urn:x\"/><s:Body",
    );
    assert_eq!(read(&before).unwrap(), expected);
    let after = xml.replace(
        "</s:Envelope>",
        "<s:Body><Other xmlns=\"urn:x\"/></s:Body></s:Envelope>",
    );
    assert_eq!(read(&after).unwrap(), expected);
}

fn envelope_kind(xml: &[u8]) -> ParseErrorKind {
    match Envelope::read(xml) {
        Err(e) => e.into_kind(),
        Ok(v) => panic!("read {v:?}"),
    }
}

/// Found by fuzzing (round_trip): a faultcode with an empty prefix and NUL characters was
/// read, and written back as XML that did not read again.
#[test]
fn fuzz_regression_faultcode_with_control_characters() {
    let fault = |code: &str| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="urn:a">{code}</faultcode><faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>"#
        )
    };
    assert_eq!(
        envelope_kind(fault(":\0\0a:ErrorServerBusy").as_bytes()),
        ParseErrorKind::InvalidCharacter(0)
    );
    for bad in [":ErrorServerBusy", "a:", "a:b:c", "a b"] {
        assert!(
            matches!(
                envelope_kind(fault(bad).as_bytes()),
                ParseErrorKind::InvalidValue {
                    expected: "xs:QName",
                    ..
                }
            ),
            "{bad}"
        );
    }
    assert!(Envelope::read(fault(" a:ErrorServerBusy\n").as_bytes()).is_ok());
}

#[test]
fn characters_xml_forbids_are_refused() {
    let xml = page_fixture("response.xml");
    for (bad, code) in [
        ("\u{1}", 1),
        ("&#1;", 1),
        ("&#xFFFE;", 0xfffe),
        ("\u{ffff}", 0xffff),
    ] {
        let mutated = xml.replacen(">Tagged<", &format!(">Tag{bad}ged<"), 1);
        assert_eq!(
            parse_kind(read(&mutated)),
            ParseErrorKind::InvalidCharacter(code),
            "{bad:?}"
        );
        let attr = xml.replacen(
            "ChangeKey=\"EgAAAA==\"",
            &format!("ChangeKey=\"E{bad}\""),
            1,
        );
        assert_eq!(
            parse_kind(read(&attr)),
            ParseErrorKind::InvalidCharacter(code),
            "{bad:?}"
        );
    }
    assert!(read(&xml.replacen(">Tagged<", ">Tag\tged &#x1F600;<", 1)).is_ok());
}
