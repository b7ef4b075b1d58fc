//! Requests written in a few lines with what the generator gives every type (whole-schema
//! mode): `new` taking the required members, `Default` and `..` for the rest, `From` into
//! choices (a distinguished folder name is a folder id); items read back through the
//! members every item kind has; MIME content as bytes.
#![cfg(feature = "all-operations")]

use ews_bindings::mock::{MockServer, Routes};
use ews_bindings::types::{
    AnyFolderId, AnyItem, AnyItemId, DefaultShapeNames, DistinguishedFolderIdName, IndexBasePoint,
    IndexedPageView, ItemId, ItemQueryTraversal, ItemResponseShape, Message,
};
use ews_bindings::xml::{Base64Binary, SemanticTree, XmlWriter};
use ews_bindings::{messages, operation, types, Client};

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

fn find_inbox() -> messages::FindItem {
    messages::FindItem {
        paging: Some(IndexedPageView::new(0, IndexBasePoint::Beginning).into()),
        ..messages::FindItem::new(
            ItemQueryTraversal::Shallow,
            DefaultShapeNames::IdOnly,
            vec![DistinguishedFolderIdName::Inbox.into()],
        )
    }
}

fn get_mime(ids: Vec<AnyItemId>) -> messages::GetItem {
    let shape = ItemResponseShape {
        include_mime_content: Some(true),
        ..DefaultShapeNames::IdOnly.into()
    };
    messages::GetItem::new(shape, ids)
}

fn written<T: ews_bindings::xml::ToXml>(local: &str, value: &T) -> String {
    let mut w = XmlWriter::new();
    w.element(&messages::NAMESPACE, local, value);
    w.into_string()
}

fn same(ours: &str, expected: &str) {
    assert_eq!(
        SemanticTree::parse(ours).unwrap(),
        SemanticTree::parse(expected).unwrap(),
        "{ours}"
    );
}

#[test]
fn a_find_item_request_is_a_few_lines() {
    same(
        &written("FindItem", &find_inbox()),
        &format!(
            r#"<m:FindItem xmlns:m="{M}" xmlns:t="{T}" Traversal="Shallow">
              <m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>
              <m:IndexedPageItemView Offset="0" BasePoint="Beginning"/>
              <m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds>
            </m:FindItem>"#
        ),
    );
}

#[test]
fn a_get_item_request_is_a_few_lines() {
    let request = get_mime(vec![ItemId::new("AAMkA=").into()]);
    same(
        &written("GetItem", &request),
        &format!(
            r#"<m:GetItem xmlns:m="{M}" xmlns:t="{T}">
              <m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>
                <t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape>
              <m:ItemIds><t:ItemId Id="AAMkA="/></m:ItemIds>
            </m:GetItem>"#
        ),
    );
}

#[test]
fn a_distinguished_folder_name_is_a_folder_id() {
    let id: AnyFolderId = DistinguishedFolderIdName::Inbox.into();
    let AnyFolderId::DistinguishedFolderId(id) = id else {
        panic!("{id:?}");
    };
    assert_eq!(id.id, DistinguishedFolderIdName::Inbox);
    assert_eq!(id.change_key, None);
}

#[test]
fn every_item_kind_gives_its_id_subject_and_mime_content() {
    let message = AnyItem::from(Message {
        item_id: Some(ItemId::new("m1")),
        subject: Some("Hello".into()),
        mime_content: Some(types::MimeContent::new(
            b"Subject: Hello\r\n\r\nHi".to_vec(),
        )),
        ..Message::default()
    });
    let meeting = AnyItem::from(types::CalendarItem {
        item_id: Some(ItemId::new("c1")),
        subject: Some("Planning".into()),
        ..types::CalendarItem::default()
    });
    assert_eq!(message.subject(), Some("Hello"));
    assert_eq!(message.item_id().map(|id| id.id.as_str()), Some("m1"));
    assert_eq!(
        message.mime_content().map(|m| &m.value[..]),
        Some(&b"Subject: Hello\r\n\r\nHi"[..])
    );
    assert_eq!(meeting.subject(), Some("Planning"));
    assert_eq!(meeting.item_id().map(|id| id.id.as_str()), Some("c1"));
    assert!(meeting.mime_content().is_none());
}

#[test]
fn mime_content_is_read_as_bytes_and_written_as_base64() {
    let xml = format!(
        r#"<t:MimeContent xmlns:t="{T}" CharacterSet="UTF-8">U3ViamVjdDogSGk=</t:MimeContent>"#
    );
    let mime: types::MimeContent = ews_bindings::from_xml_str(&xml).unwrap();
    assert_eq!(mime.value, Base64Binary(b"Subject: Hi".to_vec()));
    let mut w = XmlWriter::new();
    w.element(&types::NAMESPACE, "MimeContent", &mime);
    same(&w.into_string(), &xml);
}

#[tokio::test]
async fn the_requests_go_through_the_client_to_a_server_that_answers_by_operation() {
    let routes = Routes::new()
        .answer::<operation::FindItem>(|_| {
            let items = vec![AnyItem::from(Message {
                item_id: Some(ItemId::new("m1")),
                ..Message::default()
            })];
            let parent = types::FindItemParent {
                includes_last_item_in_range: Some(true),
                ..types::FindItemParent::new(items)
            };
            let message = messages::FindItemResponseMessage {
                root_folder: Some(parent),
                ..messages::FindItemResponseMessage::new(types::ResponseClass::Success)
            };
            messages::FindItemResponse::new(vec![message.into()])
        })
        .answer::<operation::GetItem>(|request| {
            let messages = request
                .item_ids
                .iter()
                .map(|_| {
                    let message = messages::ItemInfoResponseMessage {
                        items: Some(vec![AnyItem::from(Message {
                            mime_content: Some(types::MimeContent::new(b"Subject: Hi".to_vec())),
                            ..Message::default()
                        })]),
                        ..messages::ItemInfoResponseMessage::new(types::ResponseClass::Success)
                    };
                    messages::AnyResponseMessage::GetItemResponseMessage(Box::new(message))
                })
                .collect::<Vec<_>>();
            messages::GetItemResponse::new(messages)
        });
    let server = MockServer::route(routes).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();

    let found = client
        .call::<operation::FindItem>(&find_inbox())
        .await
        .unwrap();
    let page = found.output.into_result().unwrap().remove(0);
    let Some(types::ItemsOrGroups::Items(items)) = page.root_folder.map(|f| f.items_or_groups)
    else {
        panic!("no items");
    };
    let ids: Vec<AnyItemId> = items
        .iter()
        .filter_map(|item| item.item_id().cloned().map(AnyItemId::from))
        .collect();
    let got = client
        .call::<operation::GetItem>(&get_mime(ids))
        .await
        .unwrap();
    let messages = got.output.into_result().unwrap();
    let mime = messages[0].items.as_ref().unwrap()[0]
        .mime_content()
        .unwrap();
    assert_eq!(&mime.value[..], b"Subject: Hi");
    assert_eq!(server.requests_of::<operation::FindItem>(), [find_inbox()]);
}
