//! Paging against a loopback endpoint that pages: it reads the offset or sync state each
//! request asks for and answers the next slice of a fixed mailbox, as Exchange does.
#![cfg(feature = "all-operations")]

use std::collections::BTreeSet;

use ews_bindings::messages::{self, Element};
use ews_bindings::mock::{MockResponse, MockServer, RecordedRequest};
use ews_bindings::operation::{
    FindFolder, FindItem, FindPeople, SyncFolderHierarchy, SyncFolderItems,
};
use ews_bindings::paging::{Paged, PagingError, Position};
use ews_bindings::soap::{Body, Envelope};
use ews_bindings::{xml, Client, Error};
use futures_util::TryStreamExt;
use serde::Serialize;

const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// How many items, folders or people the mailbox holds.
const MAILBOX: usize = 23;

fn envelope(body: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

/// The request element a recorded request carries.
fn request_element(request: &RecordedRequest) -> Element {
    match Envelope::read(&request.body)
        .expect("the client sends a readable envelope")
        .body
    {
        Body::Message(element) => *element,
        Body::Fault(f) => panic!("the client sent a fault: {f}"),
    }
}

/// Reads a request body element from XML.
fn read<T: xml::FromXml>(doc: &str) -> T {
    ews_bindings::from_xml_str(doc).unwrap()
}

/// The ids (`item-N`, `folder-N`, `person-N`) found anywhere in `pages`, in order.
fn ids<P: Serialize>(pages: &[P]) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.contains('-') && s.ends_with(char::is_numeric) => {
                out.push(s.clone());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for page in pages {
        walk(&serde_json::to_value(page).unwrap(), &mut out);
    }
    out
}

fn expected_ids(prefix: &str) -> Vec<String> {
    (0..MAILBOX).map(|i| format!("{prefix}-{i}")).collect()
}

/// The range of the mailbox a page at `offset` of at most `max` entries holds.
fn slice(offset: i32, max: Option<i32>) -> std::ops::Range<usize> {
    let start = (offset.max(0) as usize).min(MAILBOX);
    let end = (start + max.unwrap_or(1000).max(0) as usize).min(MAILBOX);
    start..end
}

/// A FindItem answer holding the items of `range`, with the paging attributes a server
/// sends.
fn find_item_answer(range: std::ops::Range<usize>) -> String {
    let items: String = range
        .clone()
        .map(|i| format!(r#"<t:Message><t:ItemId Id="item-{i}"/><t:Subject>Message {i}</t:Subject></t:Message>"#))
        .collect();
    envelope(&format!(
        r#"<m:FindItemResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IndexedPagingOffset="{}" TotalItemsInView="{MAILBOX}" IncludesLastItemInRange="{}"><t:Items>{items}</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"#,
        range.end,
        range.end == MAILBOX,
    ))
}

/// A server that pages FindItem over the mailbox.
fn find_item_server(request: &RecordedRequest) -> MockResponse {
    let Element::FindItem(find) = request_element(request) else {
        panic!("not a FindItem");
    };
    let Some(messages::AnyPaging::IndexedPageItemView(view)) = find.paging else {
        panic!("no indexed view was sent");
    };
    MockResponse::xml(find_item_answer(slice(
        view.offset,
        view.max_entries_returned,
    )))
}

fn find_item_request() -> messages::FindItem {
    read(&format!(
        r#"<m:FindItem xmlns:m="{M}" xmlns:t="{T}" Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/></m:ParentFolderIds></m:FindItem>"#
    ))
}

/// Offsets and page sizes of the FindItem requests the server received.
fn find_item_views(server: &MockServer) -> Vec<(i32, Option<i32>)> {
    server
        .requests()
        .iter()
        .map(|r| match request_element(r) {
            Element::FindItem(f) => match f.paging {
                Some(messages::AnyPaging::IndexedPageItemView(v)) => {
                    (v.offset, v.max_entries_returned)
                }
                other => panic!("no indexed view: {other:?}"),
            },
            other => panic!("not a FindItem: {}", other.name()),
        })
        .collect()
}

async fn all_pages<O: Paged>(
    client: &Client,
    request: O::Request,
    page_size: u32,
) -> Result<Vec<O::Page>, Error> {
    client.pages::<O>(request, page_size).try_collect().await
}

#[tokio::test]
async fn find_item_yields_every_item_once_and_stops_at_the_last() {
    let server = MockServer::start_with(find_item_server).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let pages = all_pages::<FindItem>(&client, find_item_request(), 5)
        .await
        .unwrap();
    assert_eq!(pages.len(), 5);
    assert_eq!(ids(&pages), expected_ids("item"));
    let sent = find_item_views(&server);
    let offsets: Vec<i32> = sent.iter().map(|(o, _)| *o).collect();
    assert_eq!(
        offsets,
        [0, 5, 10, 15, 20],
        "one request per page, none after the last"
    );
    assert!(sent.iter().all(|(_, max)| *max == Some(5)), "{sent:?}");
}

#[tokio::test]
async fn find_item_starts_where_the_request_says() {
    let server = MockServer::start_with(find_item_server).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let mut request = find_item_request();
    request.paging = Some(messages::AnyPaging::IndexedPageItemView(
        ews_bindings::types::IndexedPageView {
            max_entries_returned: Some(1),
            offset: 20,
            base_point: ews_bindings::types::IndexBasePoint::Beginning,
        },
    ));
    let pages = all_pages::<FindItem>(&client, request, 2).await.unwrap();
    assert_eq!(ids(&pages), ["item-20", "item-21", "item-22"]);
    assert_eq!(find_item_views(&server), [(20, Some(2)), (22, Some(2))]);
}

#[tokio::test]
async fn find_folder_yields_every_folder_once() {
    let server = MockServer::start_with(|request: &RecordedRequest| {
        let Element::FindFolder(find) = request_element(request) else {
            panic!("not a FindFolder");
        };
        let Some(messages::FindFolderPaging::IndexedPageFolderView(view)) = find.paging else {
            panic!("no indexed view was sent");
        };
        let range = slice(view.offset, view.max_entries_returned);
        let folders: String = range
            .clone()
            .map(|i| format!(r#"<t:Folder><t:FolderId Id="folder-{i}"/></t:Folder>"#))
            .collect();
        MockResponse::xml(envelope(&format!(
            r#"<m:FindFolderResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:FindFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IndexedPagingOffset="{}" TotalItemsInView="{MAILBOX}" IncludesLastItemInRange="{}"><t:Folders>{folders}</t:Folders></m:RootFolder></m:FindFolderResponseMessage></m:ResponseMessages></m:FindFolderResponse>"#,
            range.end,
            range.end == MAILBOX
        )))
    })
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let request: messages::FindFolder = read(&format!(
        r#"<m:FindFolder xmlns:m="{M}" xmlns:t="{T}" Traversal="Deep"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:ParentFolderIds><t:DistinguishedFolderId Id="msgfolderroot"/></m:ParentFolderIds></m:FindFolder>"#
    ));
    let pages = all_pages::<FindFolder>(&client, request, 10).await.unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(ids(&pages), expected_ids("folder"));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn find_people_pages_by_the_rows_loaded_and_the_total() {
    let server = MockServer::start_with(|request: &RecordedRequest| {
        let Element::FindPeople(find) = request_element(request) else {
            panic!("not a FindPeople");
        };
        let view = find.indexed_page_item_view;
        let range = slice(view.offset, view.max_entries_returned);
        let people: String = range
            .clone()
            .map(|i| format!(r#"<t:Persona><t:PersonaId Id="person-{i}"/></t:Persona>"#))
            .collect();
        MockResponse::xml(envelope(&format!(
            r#"<m:FindPeopleResponse xmlns:m="{M}" xmlns:t="{T}" ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:People>{people}</m:People><m:TotalNumberOfPeopleInView>{MAILBOX}</m:TotalNumberOfPeopleInView><m:FirstMatchingRowIndex>0</m:FirstMatchingRowIndex><m:FirstLoadedRowIndex>{}</m:FirstLoadedRowIndex></m:FindPeopleResponse>"#,
            range.start
        )))
    })
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let request: messages::FindPeople = read(&format!(
        r#"<m:FindPeople xmlns:m="{M}" xmlns:t="{T}"><m:IndexedPageItemView BasePoint="Beginning" Offset="0" MaxEntriesReturned="100"/><m:ParentFolderId><t:DistinguishedFolderId Id="contacts"/></m:ParentFolderId></m:FindPeople>"#
    ));
    let pages = all_pages::<FindPeople>(&client, request, 8).await.unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(ids(&pages), expected_ids("person"));
    assert_eq!(
        server.requests().len(),
        3,
        "the total ends paging without an empty page"
    );
}

/// A server that syncs the mailbox: the sync state `sN` means the first N changes were sent.
fn sync_items_server(request: &RecordedRequest) -> MockResponse {
    let Element::SyncFolderItems(sync) = request_element(request) else {
        panic!("not a SyncFolderItems");
    };
    let done: usize = sync
        .sync_state
        .as_deref()
        .map_or(0, |s| s.trim_start_matches('s').parse().unwrap());
    let range = slice(done as i32, Some(sync.max_changes_returned));
    let changes: String = range
        .clone()
        .map(|i| {
            format!(r#"<t:Create><t:Message><t:ItemId Id="item-{i}"/></t:Message></t:Create>"#)
        })
        .collect();
    MockResponse::xml(envelope(&format!(
        r#"<m:SyncFolderItemsResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>s{}</m:SyncState><m:IncludesLastItemInRange>{}</m:IncludesLastItemInRange><m:Changes>{changes}</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>"#,
        range.end,
        range.end == MAILBOX
    )))
}

fn sync_items_request() -> messages::SyncFolderItems {
    read(&format!(
        r#"<m:SyncFolderItems xmlns:m="{M}" xmlns:t="{T}"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId><m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>"#
    ))
}

#[tokio::test]
async fn sync_folder_items_follows_the_sync_state_to_the_last_change() {
    let server = MockServer::start_with(sync_items_server).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let pages = all_pages::<SyncFolderItems>(&client, sync_items_request(), 10)
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(ids(&pages), expected_ids("item"));
    assert_eq!(
        pages.last().unwrap().sync_state.as_deref(),
        Some("s23"),
        "the last page says where the next sync starts"
    );
    let states: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| match request_element(r) {
            Element::SyncFolderItems(s) => {
                assert_eq!(s.max_changes_returned, 10);
                s.sync_state.map(|s| s.to_string())
            }
            other => panic!("not a SyncFolderItems: {}", other.name()),
        })
        .collect();
    assert_eq!(states, [None, Some("s10".into()), Some("s20".into())]);
}

#[tokio::test]
async fn sync_folder_hierarchy_follows_the_sync_state() {
    let server = MockServer::start_with(|request: &RecordedRequest| {
        let Element::SyncFolderHierarchy(sync) = request_element(request) else {
            panic!("not a SyncFolderHierarchy");
        };
        // This server sends at most 10 changes at a time.
        let done: usize = sync
            .sync_state
            .as_deref()
            .map_or(0, |s| s.trim_start_matches('s').parse().unwrap());
        let range = slice(done as i32, Some(10));
        let changes: String = range
            .clone()
            .map(|i| format!(r#"<t:Create><t:Folder><t:FolderId Id="folder-{i}"/></t:Folder></t:Create>"#))
            .collect();
        MockResponse::xml(envelope(&format!(
            r#"<m:SyncFolderHierarchyResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:SyncFolderHierarchyResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>s{}</m:SyncState><m:IncludesLastFolderInRange>{}</m:IncludesLastFolderInRange><m:Changes>{changes}</m:Changes></m:SyncFolderHierarchyResponseMessage></m:ResponseMessages></m:SyncFolderHierarchyResponse>"#,
            range.end,
            range.end == MAILBOX
        )))
    })
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let request: messages::SyncFolderHierarchy = read(&format!(
        r#"<m:SyncFolderHierarchy xmlns:m="{M}" xmlns:t="{T}"><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape></m:SyncFolderHierarchy>"#
    ));
    let pages = all_pages::<SyncFolderHierarchy>(&client, request, 100)
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(ids(&pages), expected_ids("folder"));
}

#[tokio::test]
async fn an_offset_that_stops_moving_is_an_error_not_a_loop() {
    // A server that always says the next page starts at 5 and is never done.
    let server = MockServer::start(vec![MockResponse::xml(find_item_answer(0..5))])
        .await
        .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let mut pages = std::pin::pin!(client.pages::<FindItem>(find_item_request(), 5));
    let first = pages.try_next().await.unwrap().expect("the first page");
    assert_eq!(ids(&[first]).len(), 5);
    let err = pages.try_next().await.unwrap_err();
    match &err {
        Error::Paging(PagingError::Stuck {
            operation,
            at,
            next,
        }) => {
            assert_eq!(*operation, "FindItem");
            assert_eq!(*at, Position::Offset(5));
            assert_eq!(*next, Position::Offset(5));
        }
        other => panic!("expected Stuck, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("stopped rather than ask for the same page again"),
        "{err}"
    );
    assert!(
        pages.try_next().await.unwrap().is_none(),
        "the stream ends after the error"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_sync_state_sent_back_unchanged_is_an_error_not_a_loop() {
    let server = MockServer::start_with(|request: &RecordedRequest| {
        let Element::SyncFolderItems(sync) = request_element(request) else {
            panic!("not a SyncFolderItems");
        };
        let state = sync.sync_state.map_or("s1".to_owned(), |s| s.to_string());
        MockResponse::xml(envelope(&format!(
            r#"<m:SyncFolderItemsResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>{state}</m:SyncState><m:IncludesLastItemInRange>false</m:IncludesLastItemInRange></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>"#
        )))
    })
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let err = all_pages::<SyncFolderItems>(&client, sync_items_request(), 10)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Paging(PagingError::Stuck { operation: "SyncFolderItems", at: Position::SyncState(Some(a)), next: Position::SyncState(Some(n)) }) if a == "s1" && n == "s1"
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_page_that_is_not_the_last_must_say_where_the_next_starts() {
    let server = MockServer::start(vec![MockResponse::xml(
        find_item_answer(0..5).replace(r#"IndexedPagingOffset="5" "#, ""),
    )])
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let err = all_pages::<FindItem>(&client, find_item_request(), 5)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Paging(PagingError::NoPosition {
                operation: "FindItem",
                missing: "IndexedPagingOffset"
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn requests_that_cannot_be_paged_fail_before_anything_is_sent() {
    let server = MockServer::start(vec![]).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let two_folders: messages::FindItem = read(&format!(
        r#"<m:FindItem xmlns:m="{M}" xmlns:t="{T}" Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId Id="inbox"/><t:DistinguishedFolderId Id="sentitems"/></m:ParentFolderIds></m:FindItem>"#
    ));
    let calendar: messages::FindItem = read(&format!(
        r#"<m:FindItem xmlns:m="{M}" xmlns:t="{T}" Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:CalendarView StartDate="2026-11-01T00:00:00Z" EndDate="2026-12-01T00:00:00Z"/><m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>"#
    ));
    for (request, says) in [
        (two_folders, "2 parent folders"),
        (calendar, "CalendarView"),
    ] {
        let err = all_pages::<FindItem>(&client, request, 5)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Paging(PagingError::Request {
                    operation: "FindItem",
                    ..
                })
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_error_message_ends_the_stream_with_the_ews_error() {
    let server = MockServer::start(vec![MockResponse::xml(envelope(&format!(
        r#"<m:FindItemResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Error"><m:MessageText>The specified folder could not be found in the store.</m:MessageText><m:ResponseCode>ErrorFolderNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"#
    )))])
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let err = all_pages::<FindItem>(&client, find_item_request(), 5)
        .await
        .unwrap_err();
    assert_eq!(
        err.response_code(),
        Some(&messages::ResponseCode::ErrorFolderNotFound),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn pages_of_every_item_for_every_page_size() {
    for page_size in [1, 4, 22, 23, 24, 1000] {
        let server = MockServer::start_with(find_item_server).await.unwrap();
        let client = Client::builder(server.url()).build().unwrap();
        let pages = all_pages::<FindItem>(&client, find_item_request(), page_size)
            .await
            .unwrap();
        assert_eq!(ids(&pages), expected_ids("item"), "page size {page_size}");
        let want = MAILBOX.div_ceil(page_size as usize);
        assert_eq!(server.requests().len(), want, "page size {page_size}");
        let distinct: BTreeSet<String> = ids(&pages).into_iter().collect();
        assert_eq!(distinct.len(), MAILBOX);
    }
}
