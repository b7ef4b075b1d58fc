//! The generator on Microsoft's whole official schema: it must generate every operation,
//! and the size of what it generates is kept as a snapshot so that growth is reviewed.

mod common;

use common::official_dir;
use ews_codegen::Config;

#[test]
fn whole_schema_size() {
    let Some(dir) = official_dir() else { return };
    let modules = Config::new(dir).all_roots().generate().unwrap();
    let mut summary = String::new();
    for m in &modules {
        let file = syn::parse_file(&m.code).unwrap();
        let count = |f: fn(&syn::Item) -> bool| file.items.iter().filter(|i| f(i)).count();
        summary.push_str(&format!(
            "{}: {} lines, {} bytes, {} structs, {} enums\n",
            m.name,
            m.code.lines().count(),
            m.code.len(),
            count(|i| matches!(i, syn::Item::Struct(_))),
            count(|i| matches!(i, syn::Item::Enum(_)) || ews_codegen::value_enum(i).is_some()),
        ));
    }
    insta::assert_snapshot!(summary);
}

/// The operations of the official WSDL alone (no `all_roots`) bring the push notification
/// service's request and answer with them, which the runtime's push listener reads and
/// writes whenever `Subscribe` is generated.
#[test]
fn the_official_operations_bring_the_push_notification_elements() {
    let Some(dir) = official_dir() else { return };
    let modules = Config::new(dir).generate().unwrap();
    let module = |name: &str| &modules.iter().find(|m| m.name == name).unwrap().code;
    assert!(module("operations").contains("pub struct Subscribe;"));
    for variant in ["SendNotification(", "SendNotificationResult("] {
        assert!(module("messages").contains(variant), "no {variant}");
    }
    assert!(module("types").contains("enum SubscriptionStatus"));
}

/// Every element a WSDL message part names (the operations' bodies and their SOAP headers) is a variant of the generated `Element` enum of its namespace.
#[test]
fn whole_schema_has_every_wsdl_part() {
    let Some(dir) = official_dir() else { return };
    let wsdl = std::fs::read_to_string(dir.join("Services.wsdl")).unwrap();
    let modules = Config::new(&dir).all_roots().generate().unwrap();
    let module = |name: &str| &modules.iter().find(|m| m.name == name).unwrap().code;
    let mut parts: Vec<&str> = wsdl
        .split("element=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    parts.sort_unstable();
    parts.dedup();
    assert!(parts.len() > 250, "{} distinct parts", parts.len());
    for part in parts {
        let (code, name) = match part.split_once(':') {
            Some(("tns", name)) => (module("messages"), name),
            Some(("t", name)) => (module("types"), name),
            _ => panic!("unexpected part {part}"),
        };
        let variant = format!("    {name}(");
        assert!(code.contains(&variant), "no Element variant for {part}");
    }
}

/// Concrete types of the whole schema chosen to be read by `xsi:type`, among them the
/// per-item response message type: each becomes an enum, and an enum of response messages
/// is a response message itself, so the operations answering with it keep their per-item
/// results.
#[test]
fn concrete_types_of_the_whole_schema_can_be_read_by_xsi_type() {
    let Some(dir) = official_dir() else { return };
    let chosen = [
        ("t:ItemType", "AnyItem"),
        ("t:MessageType", "AnyMessage"),
        ("t:ItemIdType", "AnyItemId"),
        ("t:EmailAddressType", "AnyEmailAddress"),
        ("t:FolderType", "AnyFolder"),
        ("m:ResponseMessageType", "AnyResponseMessage"),
        (
            "m:ItemInfoResponseMessageType",
            "AnyItemInfoResponseMessage",
        ),
    ];
    let config = chosen
        .iter()
        .fold(Config::new(&dir).all_roots(), |c, (t, _)| c.polymorphic(t));
    let modules = config.generate().unwrap();
    let code: String = modules.iter().map(|m| m.code.as_str()).collect();
    for (t, name) in chosen {
        assert!(
            code.contains(&format!("pub enum {name} {{")),
            "{t}: no {name}"
        );
    }
    for name in ["AnyResponseMessage", "AnyItemInfoResponseMessage"] {
        let implemented = format!("impl rt::ResponseMessage for crate::messages::{name} {{");
        assert!(code.contains(&implemented), "{name} is no ResponseMessage");
    }
    // SendItem answers with messages of m:ResponseMessageType itself.
    assert!(code.contains("SendItemResponseMessage(AnyResponseMessage)"));
}

/// The choices of the whole schema are named by what they hold, as the README's table of
/// names says, and the fields holding them too.
#[test]
fn choices_are_named_by_what_they_hold() {
    let Some(dir) = official_dir() else { return };
    let modules = Config::new(&dir).all_roots().generate().unwrap();
    let code: String = modules.iter().map(|m| m.code.as_str()).collect();
    let enums = [
        "AnyItem",
        "AnyFolder",
        "AnyFolderId",
        "AnyItemId",
        "AnyAttachment",
        "AnyPaging",
        "AnyGroupBy",
        "FindFolderPaging",
        "FindConversationPaging",
        "AnySubscriptionRequest",
        "AnyNotificationEvent",
        "ItemsOrGroups",
        "FolderIdOrItemId",
        "AnyResponseMessage",
        "RecurrencePattern",
        "AnyRecurrenceRange",
    ];
    for name in enums {
        assert_eq!(
            code.matches(&format!("pub enum {name} {{")).count(),
            1,
            "enum {name}"
        );
    }
    let fields = [
        "pub paging: rt::Option<AnyPaging>",
        "pub group_by: rt::Option<AnyGroupBy>",
        "pub parent_folder_ids: rt::Vec<super::types::AnyFolderId>",
        "pub item_ids: rt::Vec<super::types::AnyItemId>",
        "pub items: rt::Option<rt::Vec<super::types::AnyItem>>",
        "pub subscription_request: AnySubscriptionRequest",
        "pub notification_events: rt::Vec<AnyNotificationEvent>",
        "pub items_or_groups: ItemsOrGroups",
        "pub recurrence_pattern: RecurrencePattern",
    ];
    for field in fields {
        assert!(code.contains(field), "no field {field}");
    }
    for gone in ["ArrayOfRealItemsChoice", "FindItemChoice", "pub choice2:"] {
        assert!(!code.contains(gone), "{gone} is still generated");
    }
    // Every item kind gives the members they all have.
    for accessor in [
        "pub fn item_id(&self) -> rt::Option<&ItemId>",
        "pub fn subject(&self) -> rt::Option<&str>",
        "pub fn mime_content(&self) -> rt::Option<&MimeContent>",
    ] {
        assert!(code.contains(accessor), "no {accessor}");
    }
    assert!(
        code.contains("pub value: rt::Base64Binary"),
        "MIME content as bytes"
    );
}
