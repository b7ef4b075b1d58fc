//! How the generated readers treat input that is not exactly the schema: what they keep,
//! what they skip, and the typed errors they give instead of panicking.

use ews_bindings::messages::{self, ResponseCode};
use ews_bindings::types::{self, ImGroup};
use ews_bindings::xml::{read_document, ParseError, ParseErrorKind, XmlReader, XmlWriter};

const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

fn group(body: &str) -> Result<ImGroup, ParseError> {
    let xml = format!(r#"<t:ImGroup xmlns:t="{T}">{body}</t:ImGroup>"#);
    read_document(&xml, |r, start| r.read::<ImGroup>(start))
}

fn response(xml: &str) -> Result<messages::GetImItemListResponseMessage, ParseError> {
    read_document(xml, |r, s| {
        r.read::<messages::GetImItemListResponseMessage>(s)
    })
}

fn write_group(g: &ImGroup) -> String {
    let mut w = XmlWriter::new().with_namespaces(&[&types::NAMESPACE]);
    w.element(Some(&types::NAMESPACE), "ImGroup", g);
    w.into_string()
}

#[test]
fn unknown_elements_are_skipped_and_known_data_kept() {
    let g = group(
        r#"<t:DisplayName>Friends</t:DisplayName>
           <t:NewServerSideElement a="1"><t:Nested><x:Deeper xmlns:x="urn:x"/></t:Nested></t:NewServerSideElement>
           <t:GroupType>IPM.DistList.MOC.UserGroup</t:GroupType>
           <other:Thing xmlns:other="urn:other">text</other:Thing>"#,
    )
    .unwrap();
    assert_eq!(g.display_name, "Friends");
    assert_eq!(g.group_type, "IPM.DistList.MOC.UserGroup");
}

#[test]
fn unknown_attributes_are_skipped() {
    let g = group(
        r#"<t:DisplayName>A</t:DisplayName><t:GroupType>B</t:GroupType>
           <t:ExchangeStoreId Id="abc" NewAttribute="x" ChangeKey="ck" xmlns:n="urn:n" n:Other="y"/>"#,
    )
    .unwrap();
    let id = g.exchange_store_id.unwrap();
    assert_eq!(
        (id.id.as_str(), id.change_key.as_deref()),
        ("abc", Some("ck"))
    );
}

#[test]
fn a_choice_reads_its_elements_and_names_itself_for_others() {
    let read = |xml: &str| read_document(xml, |r, s| r.read::<types::ConnectingSIDChoice>(s));
    let sid = read(&format!(r#"<t:SID xmlns:t="{T}">S-1-5-21</t:SID>"#)).unwrap();
    assert_eq!(sid, types::ConnectingSIDChoice::SID("S-1-5-21".into()));
    let err = read(&format!(
        r#"<t:DisplayName xmlns:t="{T}">A</t:DisplayName>"#
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("of the choice `ConnectingSIDChoice`"),
        "{err}"
    );
    let err = read(r#"<SID xmlns="urn:bogus">S-1-5-21</SID>"#).unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::UnexpectedElement { .. }),
        "{err}"
    );
}

#[test]
fn elements_in_another_namespace_do_not_count() {
    let err =
        group(r#"<DisplayName xmlns="urn:bogus">A</DisplayName><t:GroupType>B</t:GroupType>"#)
            .unwrap_err();
    assert_eq!(*err.kind(), ParseErrorKind::MissingElement("DisplayName"));
    assert_eq!(err.path(), "t:ImGroup");
}

#[test]
fn order_is_not_enforced_and_writing_restores_schema_order() {
    let g = group(r#"<t:GroupType>B</t:GroupType><t:DisplayName>A</t:DisplayName>"#).unwrap();
    let written = write_group(&g);
    let display = written.find("DisplayName").unwrap();
    let group_type = written.find("GroupType").unwrap();
    assert!(display < group_type, "{written}");
}

#[test]
fn a_repeated_single_element_is_an_error() {
    let err =
        group(r#"<t:DisplayName>A</t:DisplayName><t:DisplayName>B</t:DisplayName>"#).unwrap_err();
    assert_eq!(
        *err.kind(),
        ParseErrorKind::DuplicateElement("DisplayName".into())
    );
}

#[test]
fn a_missing_required_attribute_is_named() {
    let err = group(r#"<t:DisplayName>A</t:DisplayName><t:GroupType>B</t:GroupType><t:ExchangeStoreId ChangeKey="x"/>"#)
        .unwrap_err();
    assert_eq!(*err.kind(), ParseErrorKind::MissingAttribute("Id"));
    assert_eq!(err.path(), "t:ImGroup/t:ExchangeStoreId");
}

#[test]
fn response_codes_the_schema_does_not_list_are_kept() {
    let xml = r#"<m:GetImItemListResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" ResponseClass="Error">
        <m:ResponseCode>ErrorBrandNewCode</m:ResponseCode></m:GetImItemListResponse>"#;
    let resp = response(xml).unwrap();
    assert_eq!(
        resp.response_code,
        Some(ResponseCode::Other("ErrorBrandNewCode".into()))
    );
    assert_eq!(resp.response_code.unwrap().as_str(), "ErrorBrandNewCode");
}

#[test]
fn a_bad_number_names_the_element_and_value() {
    let xml = r#"<m:GetImItemListResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" ResponseClass="Success">
        <m:DescriptiveLinkKey>twelve</m:DescriptiveLinkKey></m:GetImItemListResponse>"#;
    let err = response(xml).unwrap_err();
    assert_eq!(
        *err.kind(),
        ParseErrorKind::InvalidValue {
            name: "DescriptiveLinkKey".into(),
            value: "twelve".into(),
            expected: "xs:int"
        }
    );
    let escaped = xml.replace("twelve", "1&amp;2");
    let err = response(&escaped).unwrap_err();
    assert!(
        matches!(&err.kind(), ParseErrorKind::InvalidValue { value, .. } if value == "1&2"),
        "{err}"
    );
}

#[test]
fn text_with_entities_and_character_references_round_trips() {
    let g = group(r#"<t:DisplayName>Tom &amp; Jerry &lt;3 &#233;t&#xE9;</t:DisplayName><t:GroupType><![CDATA[a<b]]></t:GroupType>"#)
        .unwrap();
    assert_eq!(g.display_name, "Tom & Jerry <3 été");
    assert_eq!(g.group_type, "a<b");
    let again = read_document(&write_group(&g), |r, s| r.read::<ImGroup>(s)).unwrap();
    assert_eq!(again, g);
}

#[test]
fn attribute_values_with_quotes_and_newlines_round_trip() {
    let mut g = group(r#"<t:DisplayName>A</t:DisplayName><t:GroupType>B</t:GroupType><t:ExchangeStoreId Id="x"/>"#).unwrap();
    g.exchange_store_id.as_mut().unwrap().id = "a\"b'<c>&\nd\te".into();
    let again = read_document(&write_group(&g), |r, s| r.read::<ImGroup>(s)).unwrap();
    assert_eq!(again, g);
}

fn kind(xml: &[u8]) -> ParseErrorKind {
    let result = XmlReader::from_bytes(xml).and_then(|mut r| {
        let root = r.root()?;
        let value = r.read::<types::Element>(root)?;
        r.finish()?;
        Ok(value)
    });
    result.unwrap_err().into_kind()
}

#[test]
fn invalid_utf8_is_reported_where_it_starts() {
    let mut xml = format!(r#"<t:MailboxCulture xmlns:t="{T}">été"#).into_bytes();
    let at = xml.len();
    xml.extend_from_slice(b"\xe9t\xe9</t:MailboxCulture>");
    let err = XmlReader::from_bytes(&xml).expect_err("refused");
    assert_eq!(*err.kind(), ParseErrorKind::InvalidUtf8);
    assert_eq!(err.position(), at as u64);
}

#[test]
fn malformed_input_gives_typed_errors() {
    let sv = format!(r#"<t:ServerVersionInfo xmlns:t="{T}" MajorVersion="15"/>"#);
    assert_eq!(kind(b""), ParseErrorKind::Truncated);
    assert_eq!(kind(b"<t:ServerVersionInfo"), ParseErrorKind::Truncated);
    for attributes in [r#"MajorVersion="15"MinorVersion="1""#, "MajorVersion=15"] {
        let xml = format!(r#"<t:ServerVersionInfo xmlns:t="{T}" {attributes}/>"#);
        assert!(
            matches!(kind(xml.as_bytes()), ParseErrorKind::Syntax(_)),
            "{xml}"
        );
    }
    assert_eq!(kind(b"\xff\xfe<a/>"), ParseErrorKind::InvalidUtf8);
    assert_eq!(
        kind(format!("{sv}<extra/>").as_bytes()),
        ParseErrorKind::TrailingContent
    );
    assert!(matches!(kind(b"<x:A/>"), ParseErrorKind::Syntax(m) if m.contains("prefix `x`")));
    let mismatched = format!(r#"<t:ServerVersionInfo xmlns:t="{T}"><b></t:ServerVersionInfo>"#);
    assert!(matches!(
        kind(mismatched.as_bytes()),
        ParseErrorKind::Syntax(_)
    ));
    assert!(matches!(
        kind(format!(r#"<t:Unknown xmlns:t="{T}"/>"#).as_bytes()),
        ParseErrorKind::UnexpectedElement { .. }
    ));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let xml = format!("\u{feff}<t:ServerVersionInfo xmlns:t=\"{T}\" MajorVersion=\"15\"/>");
    let v = read_document(&xml, |r, s| r.read::<types::Element>(s)).unwrap();
    assert!(matches!(v, types::Element::ServerVersionInfo(i) if i.major_version == Some(15)));
}

#[test]
fn dtds_are_refused_and_entities_never_expanded() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<t:ImGroup xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:DisplayName>&lol2;</t:DisplayName></t:ImGroup>"#;
    assert_eq!(kind(laughs.as_bytes()), ParseErrorKind::DtdNotAllowed);
    let external = r#"<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>"#;
    assert_eq!(kind(external.as_bytes()), ParseErrorKind::DtdNotAllowed);
    let err =
        group("<t:DisplayName>&lol;</t:DisplayName><t:GroupType>B</t:GroupType>").unwrap_err();
    assert_eq!(*err.kind(), ParseErrorKind::UnknownEntity("lol".into()));
}

#[test]
fn deep_nesting_stops_at_the_limit_without_overflowing() {
    let depth = 100_000;
    let xml = format!(
        "<t:ImGroup xmlns:t=\"{T}\"><t:DisplayName>A</t:DisplayName>{}{}</t:ImGroup>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let err = read_document(&xml, |r, s| r.read::<ImGroup>(s)).unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::TooDeep { limit: 128 }),
        "{err}"
    );
}

#[test]
fn message_xml_keeps_unknown_content_as_a_tree() {
    let xml = r#"<m:GetImItemListResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
        xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" ResponseClass="Error">
        <m:MessageText>Busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode>
        <m:MessageXml><t:Value Name="BackOffMilliseconds">297749</t:Value><x:Custom xmlns:x="urn:x" x:a="1">hi</x:Custom></m:MessageXml>
        </m:GetImItemListResponse>"#;
    let resp = response(xml).unwrap();
    let any = &resp.message_xml.as_ref().unwrap().any;
    assert!(any[0].is(&types::NAMESPACE, "Value"));
    assert_eq!(any[0].attribute("Name"), Some("BackOffMilliseconds"));
    assert_eq!(any[0].text(), "297749");
    assert_eq!(any[1].namespace.as_deref(), Some("urn:x"));

    let mut w = XmlWriter::new().with_namespaces(&[&messages::NAMESPACE, &types::NAMESPACE]);
    messages::Element::GetImItemListResponse(resp.clone()).write(&mut w);
    let written = w.into_string();
    let again = read_document(&written, |r, s| r.read::<messages::Element>(s)).unwrap();
    assert_eq!(
        again,
        messages::Element::GetImItemListResponse(resp),
        "{written}"
    );
}

#[test]
fn generated_types_serialize_to_json() {
    let g = group(r#"<t:DisplayName>A</t:DisplayName><t:GroupType>B</t:GroupType>"#).unwrap();
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"display_name": "A", "group_type": "B"})
    );
    let v = types::ExchangeVersion::Exchange2013SP1;
    assert_eq!(serde_json::to_value(&v).unwrap(), "Exchange2013_SP1");
}

#[test]
fn a_reader_without_a_namespace_table_reads_the_same() {
    // The IM sample's response, read with the EWS namespace table and without one (the
    // runtime then compares namespaces by URI), and with escaped URIs, which cannot be
    // borrowed from the input.
    let xml = format!(
        r#"<m:GetImItemListResponse ResponseClass="Success" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="{T}"><m:ResponseCode>NoError</m:ResponseCode><m:ImItemList><t:Groups><t:ImGroup><t:DisplayName>Friends</t:DisplayName><t:GroupType>IPM.DistList.MOC.UserGroup</t:GroupType></t:ImGroup></t:Groups></m:ImItemList></m:GetImItemListResponse>"#
    );
    let with_table: messages::GetImItemListResponseMessage =
        ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(response(&xml).unwrap(), with_table);
    let escaped = xml.replace("http://schemas", "http&#x3A;//schemas");
    assert_eq!(response(&escaped).unwrap(), with_table);
    let groups = with_table.im_item_list.unwrap().groups.unwrap();
    assert_eq!(groups[0].display_name, "Friends");
}

#[test]
fn a_wrapped_list_reads_as_a_vec_and_an_empty_wrapper_stays_apart_from_none() {
    let read = |inner: &str| -> messages::GetImItemListResponseMessage {
        let xml = format!(
            r#"<m:GetImItemListResponse ResponseClass="Success" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="{T}"><m:ImItemList>{inner}</m:ImItemList></m:GetImItemListResponse>"#
        );
        ews_bindings::from_xml_str(&xml).unwrap()
    };
    let write = |m: &messages::GetImItemListResponseMessage| {
        let mut w = XmlWriter::new().with_namespaces(&[&messages::NAMESPACE, &types::NAMESPACE]);
        w.element(Some(&messages::NAMESPACE), "GetImItemListResponse", m);
        w.into_string()
    };
    let two = read(
        "<t:Groups><t:ImGroup><t:DisplayName>A</t:DisplayName><t:GroupType>x</t:GroupType></t:ImGroup>\
         <t:Unknown/><t:ImGroup><t:DisplayName>B</t:DisplayName><t:GroupType>y</t:GroupType></t:ImGroup></t:Groups>",
    );
    let groups = two.im_item_list.as_ref().unwrap().groups.as_ref().unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(
        names,
        ["A", "B"],
        "items in order, an unknown child skipped"
    );
    let again: messages::GetImItemListResponseMessage =
        ews_bindings::from_xml_str(&write(&two)).unwrap();
    assert_eq!(again, two, "written back and read again");

    let empty = read("<t:Groups/>");
    let none = read("");
    assert_eq!(
        empty.im_item_list.as_ref().unwrap().groups,
        Some(Vec::new())
    );
    assert_eq!(none.im_item_list.as_ref().unwrap().groups, None);
    assert!(write(&empty).contains("<t:Groups/>"), "{}", write(&empty));
    assert!(!write(&none).contains("Groups"), "{}", write(&none));
}

#[test]
fn a_start_neither_read_nor_skipped_is_an_error_not_a_misreading() {
    let xml = format!(
        r#"<t:ImGroup xmlns:t="{T}"><t:DisplayName>A</t:DisplayName><t:GroupType>x</t:GroupType></t:ImGroup>"#
    );
    let err = read_document(&xml, |r, root| {
        let first = r.next_child(&root)?.expect("a child");
        assert_eq!(first.local, "DisplayName");
        // A reader that forgets `first` and asks for the next child.
        let _forgotten = first;
        r.next_child(&root).map(|_| ())
    })
    .unwrap_err();
    assert_eq!(*err.kind(), ParseErrorKind::ElementNotRead, "{err}");
}

#[test]
fn typed_values_are_checked_and_keep_their_form() {
    let persona = |time: &str| -> Result<types::Persona, ParseError> {
        let xml = format!(
            r#"<t:Persona xmlns:t="{T}"><t:PersonaId Id="p"/><t:CreationTime>{time}</t:CreationTime></t:Persona>"#
        );
        ews_bindings::from_xml_str(&xml)
    };
    let err = persona("yesterday").unwrap_err();
    assert!(
        matches!(err.kind(), ParseErrorKind::InvalidValue { name, expected: "xs:dateTime", .. } if name == "CreationTime"),
        "{err}"
    );
    for written in [
        "2012-01-12T22:14:36Z",
        "2012-01-12T22:14:36+05:30",
        "9999-12-31T23:59:59.9999999",
    ] {
        let p = persona(written).unwrap();
        let time = p.creation_time.unwrap();
        assert_eq!(ews_bindings::xml::XmlValue::to_text(&time), written);
    }
    let local = persona("9999-12-31T23:59:59.9999999").unwrap();
    assert_eq!(
        local.creation_time.unwrap().zone(),
        ews_bindings::xml::Zone::Local
    );
}

#[test]
fn what_real_servers_send_reads() {
    // Exchange Online's GetServerTimeZones sends empty Periods and TransitionsGroups where
    // the schema asks for at least one: read as empty lists.
    let xml = format!(
        r#"<t:TimeZoneContext xmlns:t="{T}"><t:TimeZoneDefinition Id="UTC" Name="(UTC) Coordinated Universal Time"><t:Periods/><t:TransitionsGroups/></t:TimeZoneDefinition></t:TimeZoneContext>"#
    );
    let zone: types::TimeZoneContext = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(zone.time_zone_definition.periods, Some(Vec::new()));
    assert_eq!(
        zone.time_zone_definition.transitions_groups,
        Some(Vec::new())
    );
    // ServerVersionInfo's Version is a string: values outside ExchangeVersionType stay.
    let xml = format!(r#"<t:ServerVersionInfo xmlns:t="{T}" MajorVersion="15" Version="V2_47"/>"#);
    let version: types::ServerVersionInfo = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(version.version.as_deref(), Some("V2_47"));
    // Faultcodes with any prefix bound to the right namespace.
    for (code, ns) in [
        (
            r#"<faultcode xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/">soap11:Client</faultcode>"#,
            "http://schemas.xmlsoap.org/soap/envelope/",
        ),
        (
            r#"<faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorSchemaValidation</faultcode>"#,
            "http://schemas.microsoft.com/exchange/services/2006/types",
        ),
    ] {
        let envelope = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>{code}<faultstring>no</faultstring></s:Fault></s:Body></s:Envelope>"#
        );
        let fault = match ews_bindings::soap::read_response::<ews_bindings::operation::GetImItemList>(
            envelope.as_bytes(),
        ) {
            Err(ews_bindings::soap::EnvelopeError::Fault(f)) => f,
            other => panic!("not a fault: {other:?}"),
        };
        assert_eq!(fault.code_namespace.as_deref(), Some(ns));
        assert!(fault.code == "Client" || fault.code == "ErrorSchemaValidation");
    }
    // Text with CR, sent as &#xD;, is written back escaped so that it reads back as CR.
    let xml = format!(
        r#"<t:ImGroup xmlns:t="{T}"><t:DisplayName>a&#xD;b</t:DisplayName><t:GroupType>x</t:GroupType></t:ImGroup>"#
    );
    let g: ImGroup = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(g.display_name, "a\rb");
    assert!(write_group(&g).contains("a&#13;b"), "{}", write_group(&g));
    assert_eq!(group_from(&write_group(&g)).display_name, "a\rb");
}

fn group_from(xml: &str) -> ImGroup {
    ews_bindings::from_xml_str(xml).unwrap()
}

#[test]
fn a_declaration_on_an_empty_element_ends_with_it() {
    let any = |xml: &str| ews_bindings::from_xml_str::<ews_bindings::xml::AnyElement>(xml);
    let inside = any(r#"<a xmlns="urn:a"><b xmlns:x="urn:x" x:y="1"/><c/></a>"#).unwrap();
    let b = inside.elements().next().unwrap();
    assert_eq!(b.attributes[0].namespace.as_deref(), Some("urn:x"));
    let after = any(r#"<a xmlns="urn:a"><b xmlns:x="urn:x"/><x:c/></a>"#).unwrap_err();
    assert!(
        matches!(after.kind(), ParseErrorKind::Syntax(m) if m.contains("prefix `x`")),
        "{after}"
    );
}

#[test]
fn reserved_namespaces_cannot_be_rebound() {
    let any = |xml: &str| ews_bindings::from_xml_str::<ews_bindings::xml::AnyElement>(xml);
    for declaration in [
        r#"xmlns:e="http://www.w3.org/XML/1998/namespace""#,
        r#"xmlns="http://www.w3.org/XML/1998/namespace""#,
        r#"xmlns:xml="urn:x""#,
        r#"xmlns:xmlns="urn:x""#,
        r#"xmlns:e="http://www.w3.org/2000/xmlns/""#,
        r#"xmlns:e="""#,
    ] {
        let err = any(&format!("<a {declaration}/>")).unwrap_err();
        assert!(
            matches!(err.kind(), ParseErrorKind::Syntax(m) if m.contains("not allowed")),
            "{declaration}: {err}"
        );
    }
    let fine =
        any(r#"<a xmlns:xml="http://www.w3.org/XML/1998/namespace" xmlns="" xml:lang="en"/>"#);
    assert!(fine.is_ok(), "{fine:?}");
}

#[test]
fn references_are_checked_in_text_that_is_skipped_or_passed_over() {
    let fields = "<t:DisplayName>A</t:DisplayName><t:GroupType>B</t:GroupType>";
    assert!(group(&format!("{fields}<t:Unknown>x &amp; y</t:Unknown> &#x20; ")).is_ok());
    for body in [
        format!("{fields}<t:Unknown><u>x & y</u></t:Unknown>"),
        format!("{fields} & "),
        format!("{fields}<t:Unknown a='&bad;'/>"),
    ] {
        let err = group(&body).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ParseErrorKind::Syntax(_) | ParseErrorKind::UnknownEntity(_)
            ),
            "{body}: {err}"
        );
    }
}
