//! The SOAP Autodiscover messages (`ews_bindings::autodiscover`, generated from
//! `schema/autodiscover.xsd`) against Microsoft's GetUserSettings samples
//! (`../shared/ews-doc-samples-core/Autodiscover-GetUserSettings`). The samples write the
//! Autodiscover namespace with `https://`, a documentation error (servers send `http://`):
//! it is fixed before reading. Each sample's body element is read typed and written back
//! with the same meaning; what the bindings leave out is said where it happens.

mod common;

use common::{shared_dir, tree};
use ews_bindings::autodiscover::{
    AnyUserSetting, ErrorCode, GetUserSettingsRequestMessage, GetUserSettingsResponseMessage,
    StringSetting, UserSetting,
};
use ews_bindings::xml::{FromXml, SemanticTree, ToXml, XmlReader, XmlWriter};

const AUTODISCOVER: &str = "http://schemas.microsoft.com/exchange/2010/Autodiscover";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The sample, the namespace fixed; `None` (with the reason printed) without `../shared`.
fn sample(file: &str) -> Option<String> {
    let path = shared_dir()?
        .join("ews-doc-samples-core/Autodiscover-GetUserSettings")
        .join(file);
    let xml = std::fs::read_to_string(&path).unwrap();
    Some(xml.replace(
        "https://schemas.microsoft.com/exchange/2010/Autodiscover",
        AUTODISCOVER,
    ))
}

/// The envelope's body element, read as a `T`, and its meaning.
fn body<T: FromXml>(xml: &str) -> (T, SemanticTree) {
    let mut r = XmlReader::new(xml);
    let envelope = r.root().unwrap();
    let mut value = None;
    while let Some(part) = r.next_child(&envelope).unwrap() {
        if part.local != "Body" {
            r.skip(part).unwrap();
            continue;
        }
        let element = r.next_child(&part).unwrap().unwrap();
        value = Some(r.read::<T>(element).unwrap());
        while let Some(other) = r.next_child(&part).unwrap() {
            r.skip(other).unwrap();
        }
    }
    let meaning = tree(xml).child("Body").unwrap().children[0].clone();
    (value.unwrap(), meaning)
}

fn written<T: ToXml>(value: &T, local: &str) -> SemanticTree {
    let mut w = XmlWriter::new();
    w.element(Some(&ews_bindings::autodiscover::NAMESPACE), local, value);
    tree(&w.into_string())
}

/// Removes the `xsi:nil` attributes below `tree`: the bindings read a nil element as an
/// empty value and do not write `xsi:nil` back.
fn without_nil(tree: &mut SemanticTree) {
    tree.attributes
        .remove(&(Some(XSI.to_owned()), "nil".to_owned()));
    for child in &mut tree.children {
        without_nil(child);
    }
}

#[test]
fn the_request_sample_reads_and_writes_back() {
    let Some(xml) = sample("1-request.xml") else {
        return;
    };
    let (request, original): (GetUserSettingsRequestMessage, _) = body(&xml);
    assert_eq!(
        request.request.users[0].mailbox,
        "UserName@domain.contoso.com"
    );
    assert_eq!(request.request.requested_settings.len(), 8);
    assert!(request
        .request
        .requested_settings
        .iter()
        .any(|s| s == "EwsSupportedSchemas"));
    let diff = original.diff(&written(&request, "GetUserSettingsRequestMessage"));
    assert_eq!(diff, None);
}

#[test]
fn the_response_sample_reads_each_setting_as_a_string_setting() {
    let Some(xml) = sample("2-response.xml") else {
        return;
    };
    let (message, mut original): (GetUserSettingsResponseMessage, _) = body(&xml);
    let response = &message.response;
    assert_eq!(response.error_code, Some(ErrorCode::NoError));
    let user = &response.user_responses.as_ref().unwrap()[0];
    assert_eq!(user.error_code, Some(ErrorCode::NoError));
    let settings = user.user_settings.as_ref().unwrap();
    assert_eq!(settings.len(), 8);
    let value = |name: &str| {
        settings.iter().find_map(|s| match s {
            AnyUserSetting::StringSetting(s) if s.name == name => s.value.as_deref(),
            _ => None,
        })
    };
    assert_eq!(
        value("EwsSupportedSchemas"),
        Some("Exchange2007, Exchange2010")
    );
    assert_eq!(value("CasVersion"), Some("14.00.0478.000"));
    without_nil(&mut original);
    let diff = original.diff(&written(&message, "GetUserSettingsResponseMessage"));
    assert_eq!(diff, None);
}

#[test]
fn a_setting_of_a_type_the_bindings_do_not_have_keeps_its_name() {
    let xml = format!(
        r#"<UserSettings xmlns="{AUTODISCOVER}" xmlns:i="{XSI}">
             <UserSetting i:type="StringSetting"><Name>ExternalEwsUrl</Name>
               <Value>https://mail.contoso.com/EWS/Exchange.asmx</Value></UserSetting>
             <UserSetting i:type="ProtocolConnectionCollectionSetting"><Name>ProtocolConnections</Name>
               <ProtocolConnections/></UserSetting>
           </UserSettings>"#
    );
    let mut r = ews_bindings::xml::XmlReader::new(&xml);
    let list = r.root().unwrap();
    let mut settings = Vec::new();
    while let Some(child) = r.next_child(&list).unwrap() {
        settings.push(r.read::<AnyUserSetting>(child).unwrap());
    }
    assert_eq!(
        settings,
        vec![
            AnyUserSetting::from(StringSetting {
                name: "ExternalEwsUrl".into(),
                value: Some("https://mail.contoso.com/EWS/Exchange.asmx".into()),
            }),
            AnyUserSetting::from(UserSetting {
                name: "ProtocolConnections".into(),
            }),
        ]
    );
}
