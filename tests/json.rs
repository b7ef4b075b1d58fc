//! The JSON the generated types serialize to: members in schema order (attributes first),
//! by their Rust names, absent optional members and empty optional lists left out,
//! choices as `{"Variant": value}`, values of enumerations as their XML text. This is the
//! shape serde's derive gives such types, and what earlier versions wrote; it stays so.

use ews_bindings::types::{
    ArrayOfTransitions, BodyContent, BodyContentAttributedValue, BodyType, ConnectingSID,
    ConnectingSIDChoice, ExchangeImpersonation, ExchangeVersion, ImGroup, ItemId, Persona,
    PersonaPhoneNumber, RequestServerVersion, ServerVersionInfo,
};

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn absent_members_are_left_out_and_the_others_keep_their_order() {
    let persona = Persona {
        display_name: Some("Ann Beebe".into()),
        email_addresses: Some(vec![]),
        ..Persona::new(ItemId::new("AAA="))
    };
    assert_eq!(
        json(&persona),
        r#"{"persona_id":{"id":"AAA="},"display_name":"Ann Beebe","email_addresses":[]}"#
    );
    let group = ImGroup {
        smtp_address: Some("team@contoso.com".into()),
        ..ImGroup::new("Friends", "Normal")
    };
    assert_eq!(
        json(&group),
        r#"{"display_name":"Friends","group_type":"Normal","smtp_address":"team@contoso.com"}"#
    );
    // A member whose Rust name is a raw identifier (`r#type`) has its name without `r#`.
    assert_eq!(
        json(&PersonaPhoneNumber::new("4255550110", "Home")),
        r#"{"number":"4255550110","type":"Home"}"#
    );
    // A list of its own (not in a wrapper element) is left out when empty.
    assert_eq!(json(&ArrayOfTransitions::default()), "{}");
    let with_id = ArrayOfTransitions {
        id: Some("tz".into()),
        ..Default::default()
    };
    assert_eq!(json(&with_id), r#"{"id":"tz"}"#);
    let body = BodyContentAttributedValue::new(
        BodyContent::new("Notes", BodyType::Text),
        Vec::<ews_bindings::xml::Text>::new(),
    );
    // A list the schema requires is written even when empty.
    assert_eq!(
        json(&body),
        r#"{"value":{"value":"Notes","body_type":"Text"},"attributions":[]}"#
    );
}

#[test]
fn choices_and_enumerations() {
    let who = ExchangeImpersonation {
        connecting_sid: ConnectingSID {
            choice: ConnectingSIDChoice::SmtpAddress("alice@contoso.com".into()),
        },
    };
    assert_eq!(
        json(&who),
        r#"{"connecting_sid":{"choice":{"SmtpAddress":"alice@contoso.com"}}}"#
    );
    let version = RequestServerVersion {
        version: ExchangeVersion::Exchange2013,
    };
    assert_eq!(json(&version), r#"{"version":"Exchange2013"}"#);
    let info = ServerVersionInfo {
        major_version: Some(15),
        version: Some("V2018_01_08".into()),
        ..Default::default()
    };
    assert_eq!(
        json(&info),
        r#"{"major_version":15,"version":"V2018_01_08"}"#
    );
}
