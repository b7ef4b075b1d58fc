//! `xsi:type` in whole-schema mode: an element declared with an abstract type holds the
//! derived type its `xsi:type` names, reads back as that type and writes the same
//! `xsi:type` again. ConvertId answers with such an element, `m:AlternateId` of the
//! abstract `t:AlternateIdBaseType`, in each of its three derived types.
#![cfg(feature = "all-operations")]

mod common;

use common::tree;
use ews_bindings::messages::ConvertIdResponseMessage;
use ews_bindings::operation::{self, ItemResults, Operation};
use ews_bindings::soap::{self, Envelope};
use ews_bindings::types::{
    AlternateId, AlternateIdBase, AlternatePublicFolderId, AlternatePublicFolderItemId,
    AnyAlternateIdBase, IdFormat, ItemId,
};
use ews_bindings::xml::ParseErrorKind;

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// A ConvertId response whose messages hold the `m:AlternateId` elements `ids`.
fn response(ids: &[&str]) -> String {
    let messages: String = ids
        .iter()
        .map(|id| {
            format!(
                r#"<m:ConvertIdResponseMessage ResponseClass="Success">
                     <m:ResponseCode>NoError</m:ResponseCode>{id}
                   </m:ConvertIdResponseMessage>"#
            )
        })
        .collect();
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
             <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
               <m:ConvertIdResponse xmlns:m="{M}" xmlns:t="{T}">
                 <m:ResponseMessages>{messages}</m:ResponseMessages>
               </m:ConvertIdResponse>
             </s:Body>
           </s:Envelope>"#
    )
}

/// The `m:AlternateId` of each response message.
fn alternate_ids(xml: &str) -> Vec<AnyAlternateIdBase> {
    let envelope = soap::read_response::<operation::ConvertId>(xml.as_bytes()).unwrap();
    let results: ItemResults<ConvertIdResponseMessage> =
        operation::ConvertId::output(envelope.body).unwrap().output;
    results
        .iter()
        .map(|item| item.message().unwrap().alternate_id.clone().unwrap())
        .collect()
}

/// Reads `xml` as an envelope and checks that it writes back with the same meaning.
fn assert_round_trip(xml: &str) -> String {
    let envelope = Envelope::read(xml.as_bytes()).unwrap();
    if let Some(diff) = envelope.diff(tree(xml)) {
        panic!("written back differently: {diff}\n{}", envelope.write());
    }
    envelope.write()
}

/// `tests/fixtures/convert_id_alternate_ids.xml`: one `m:AlternateId` of each derived type.
const EACH_DERIVED_TYPE: &str = include_str!("fixtures/convert_id_alternate_ids.xml");

#[test]
fn each_derived_alternate_id_reads_as_its_type_and_writes_back() {
    let xml = EACH_DERIVED_TYPE;
    assert_eq!(
        alternate_ids(xml),
        vec![
            AnyAlternateIdBase::from(AlternateId {
                format: IdFormat::EwsId,
                id: "AAMkAD=".into(),
                mailbox: "alice@contoso.com".into(),
                is_archive: Some(false),
            }),
            AnyAlternateIdBase::from(AlternatePublicFolderId {
                format: IdFormat::HexEntryId,
                folder_id: "0001E2".into(),
            }),
            AnyAlternateIdBase::from(AlternatePublicFolderItemId {
                format: IdFormat::EntryId,
                folder_id: "AQEu".into(),
                item_id: "AAAAAB".into(),
            }),
        ]
    );
    let written = assert_round_trip(xml);
    assert_eq!(
        written.matches("xsi:type=\"t:Alternate").count(),
        3,
        "{written}"
    );
}

#[test]
fn any_prefix_bound_to_the_types_namespace_names_the_type() {
    let xml = response(&[&format!(
        r#"<m:AlternateId xmlns:q="{T}" xsi:type="q:AlternatePublicFolderIdType" Format="HexEntryId" FolderId="0001E2"/>"#
    )]);
    assert!(matches!(
        alternate_ids(&xml)[..],
        [AnyAlternateIdBase::AlternatePublicFolderId(_)]
    ));
    assert_round_trip(&xml);
}

#[test]
fn an_unknown_type_reads_as_the_base_with_its_further_content_skipped() {
    let xml = response(&[
        r#"<m:AlternateId xsi:type="t:AlternateMeetingIdType" Format="OwaId" MeetingId="42"><t:Extra>1</t:Extra></m:AlternateId>"#,
        // The right local name in another namespace is another type.
        r#"<m:AlternateId xmlns:o="urn:other" xsi:type="o:AlternateIdType" Format="EwsId" Id="x" Mailbox="y"/>"#,
    ]);
    let base = AnyAlternateIdBase::from(AlternateIdBase {
        format: IdFormat::OwaId,
    });
    let other = AnyAlternateIdBase::from(AlternateIdBase {
        format: IdFormat::EwsId,
    });
    assert_eq!(alternate_ids(&xml), vec![base, other]);
}

#[test]
fn without_xsi_type_the_element_reads_as_the_base() {
    let xml = response(&[r#"<m:AlternateId Format="StoreId"/>"#]);
    assert_eq!(
        alternate_ids(&xml),
        vec![AnyAlternateIdBase::from(AlternateIdBase {
            format: IdFormat::StoreId,
        })]
    );
    let written = assert_round_trip(&xml);
    assert!(!written.contains("xsi:type"), "{written}");
}

#[test]
fn a_type_name_with_an_unbound_prefix_or_no_name_is_an_error() {
    for (id, what) in [
        (
            r#"<m:AlternateId xsi:type="nowhere:AlternateIdType" Format="EwsId"/>"#,
            "nowhere",
        ),
        (r#"<m:AlternateId xsi:type="t:" Format="EwsId"/>"#, "t:"),
    ] {
        let xml = response(&[id]);
        let err = soap::read_response::<operation::ConvertId>(xml.as_bytes()).unwrap_err();
        let soap::EnvelopeError::Parse(err) = err else {
            panic!("{err:?}")
        };
        assert!(
            matches!(
                err.kind(),
                ParseErrorKind::Syntax(_) | ParseErrorKind::InvalidValue { .. }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(what), "{err}");
    }
}

#[test]
fn a_derived_value_built_in_code_is_written_with_its_type() {
    let value = AnyAlternateIdBase::from(AlternateId {
        format: IdFormat::EwsId,
        id: "AAMkAD=".into(),
        mailbox: "alice@contoso.com".into(),
        is_archive: None,
    });
    let mut w = ews_bindings::xml::XmlWriter::new();
    w.element(
        Some(&ews_bindings::messages::NAMESPACE),
        "AlternateId",
        &value,
    );
    let xml = w.into_string();
    let written = tree(&xml);
    let xsi = "http://www.w3.org/2001/XMLSchema-instance".to_owned();
    assert_eq!(
        written.attributes.get(&(Some(xsi), "type".to_owned())),
        Some(&format!("{{{T}}}AlternateIdType")),
        "{xml}"
    );
    let read: AnyAlternateIdBase = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(read, value);
}

#[test]
fn an_element_of_a_concrete_type_keeps_its_type_whatever_xsi_type_names() {
    let xml = format!(
        r#"<t:ItemId xmlns:t="{T}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
             xsi:type="t:RecurringMasterItemIdRangesType" Id="AAMkAD=" ChangeKey="CQAAAB">
             <t:Ranges><t:Range><t:Start>2026-11-02T09:00:00Z</t:Start>
             <t:End>2026-11-30T09:00:00Z</t:End></t:Range></t:Ranges>
           </t:ItemId>"#
    );
    let id: ItemId = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(
        id,
        ItemId {
            id: "AAMkAD=".into(),
            change_key: Some("CQAAAB".into()),
        }
    );
}
