//! Reading an answer one item at a time (`XmlReader::each`, `soap::read_response_each`,
//! `Client::call_each`): every element of the chosen type is handed out once, in document
//! order, equal to what the whole read keeps; its lists read empty and everything else
//! stays; a busy server is not retried once items were handed out.

mod common;

use std::time::Duration;

use common::{page_fixture, shared_dir};
use ews_bindings::messages::GetImItemListResponseMessage;
use ews_bindings::mock::workload::documented_persona_response;
use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, read_response_each, EnvelopeError};
use ews_bindings::types::{ImGroup, Persona};
use ews_bindings::xml::Limits;
use ews_bindings::{Client, Error, RetryPolicy};

/// The personas of `xml` read whole, and read one at a time with what is left of the answer.
fn both_ways(xml: &str) -> (Vec<Persona>, Vec<Persona>, GetImItemListResponseMessage) {
    let whole = read_response::<GetImItemList>(xml.as_bytes()).unwrap().body;
    let kept = whole
        .im_item_list
        .as_ref()
        .unwrap()
        .personas
        .clone()
        .unwrap();
    let mut handed = Vec::new();
    let rest = read_response_each::<GetImItemList, _>(xml.as_bytes(), &Limits::default(), |p| {
        handed.push(p)
    })
    .unwrap()
    .body;
    let mut expected_rest = whole;
    expected_rest.im_item_list.as_mut().unwrap().personas = Some(Vec::new());
    assert_eq!(rest, expected_rest, "everything but the personas stays");
    (kept, handed, rest)
}

#[test]
fn the_reference_page_answer_hands_out_its_personas_in_order() {
    let (kept, handed, rest) = both_ways(&page_fixture("response.xml"));
    assert_eq!(handed.len(), 2);
    assert_eq!(handed, kept);
    assert_eq!(rest.im_item_list.unwrap().groups.unwrap().len(), 4);
}

#[test]
fn microsofts_get_im_item_list_sample_hands_out_what_the_whole_read_keeps() {
    let Some(shared) = shared_dir() else { return };
    let path = shared.join("ews-doc-samples/GetImItemList/2-response.xml");
    let xml = common::fix_https_namespaces(&std::fs::read_to_string(path).unwrap());
    let (kept, handed, _) = both_ways(&xml);
    assert!(!handed.is_empty());
    assert_eq!(handed, kept);
}

#[test]
fn a_thousand_documented_personas_come_out_one_by_one() {
    for indented in [false, true] {
        let (kept, handed, _) = both_ways(&documented_persona_response(1_000, indented, 7));
        assert_eq!(handed.len(), 1_000);
        assert_eq!(handed, kept);
    }
}

#[test]
fn a_type_the_answer_holds_in_no_list_changes_nothing() {
    let xml = page_fixture("response.xml");
    let whole = read_response::<GetImItemList>(xml.as_bytes()).unwrap();
    let mut handed = 0;
    let read = read_response_each::<GetImItemList, _>(
        xml.as_bytes(),
        &Limits::default(),
        |_: GetImItemListResponseMessage| handed += 1,
    )
    .unwrap();
    assert_eq!(handed, 0);
    assert_eq!(read, whole);
}

#[test]
fn items_before_a_cut_are_handed_out_and_the_cut_is_still_an_error() {
    let xml = documented_persona_response(100, false, 3);
    let cut = &xml.as_bytes()[..xml.len() / 2];
    let mut handed = 0;
    let err =
        read_response_each::<GetImItemList, _>(cut, &Limits::default(), |_: Persona| handed += 1)
            .unwrap_err();
    assert!(matches!(err, EnvelopeError::Parse(_)), "{err:?}");
    assert!((1..100).contains(&handed), "{handed} handed out");
}

fn client(server: &MockServer) -> Client {
    Client::builder(server.url())
        .retry(RetryPolicy {
            max_attempts: 3,
            max_total_wait: Duration::from_secs(2),
            default_back_off: Duration::from_millis(10),
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_client_hands_out_the_groups_and_keeps_the_rest() {
    let server = MockServer::start(vec![MockResponse::xml(page_fixture("response.xml"))])
        .await
        .unwrap();
    let (client, request) = (client(&server), Default::default());
    let mut names = Vec::new();
    let call =
        client.call_each::<GetImItemList, _>(&request, |g: ImGroup| names.push(g.display_name));
    // A future that can be spawned on a multi-threaded runtime.
    fn send<F: Send>(f: F) -> F {
        f
    }
    let response = send(call).await.unwrap();
    assert_eq!(names.len(), 4);
    assert_eq!(names[2], "Favorites");
    let list = response.output.im_item_list.unwrap();
    assert_eq!(list.groups, Some(Vec::new()));
    assert_eq!(list.personas.unwrap().len(), 2);
    assert_eq!(response.server_version.unwrap().major_version, Some(15));
}

/// A server answering first with class Error, ErrorServerBusy, holding `personas` personas,
/// then with three personas.
async fn busy_then_three(personas: usize) -> MockServer {
    let mut busy = documented_persona_response(personas, false, 5);
    let from = busy.find("ResponseClass=\"Success\"").unwrap();
    busy.replace_range(from..from + 23, "ResponseClass=\"Error\"");
    let busy = busy.replace(
        "<m:ResponseCode>NoError<",
        "<m:ResponseCode>ErrorServerBusy<",
    );
    let answers = vec![
        MockResponse::xml(busy),
        MockResponse::xml(documented_persona_response(3, false, 5)),
    ];
    MockServer::start(answers).await.unwrap()
}

#[tokio::test]
async fn a_busy_answer_holding_no_item_is_retried() {
    let server = busy_then_three(0).await;
    let mut handed = 0;
    client(&server)
        .call_each::<GetImItemList, _>(&Default::default(), |_: Persona| handed += 1)
        .await
        .unwrap();
    assert_eq!(handed, 3);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_busy_answer_after_items_were_handed_out_is_not_retried() {
    let server = busy_then_three(2).await;
    let mut handed = 0;
    let err = client(&server)
        .call_each::<GetImItemList, _>(&Default::default(), |_: Persona| handed += 1)
        .await
        .unwrap_err();
    assert!(err.is_server_busy(), "{err}");
    assert!(matches!(err, Error::Ews(_)), "{err:?}");
    assert_eq!(handed, 2);
    assert_eq!(server.requests().len(), 1);
    // `call` keeps nothing it handed out, so it retries the same answer.
    let server = busy_then_three(2).await;
    client(&server)
        .call::<GetImItemList>(&Default::default())
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[cfg(feature = "all-operations")]
mod per_item {
    use base64::prelude::{Engine, BASE64_STANDARD};
    use ews_bindings::messages::AnyResponseMessage as M;
    use ews_bindings::messages::ExportItemsResponseMessage;
    use ews_bindings::messages::ResponseCode;
    use ews_bindings::mock::workload::{find_item_response, get_item_response};
    use ews_bindings::mock::{MockResponse, MockServer};
    use ews_bindings::operation::{ExportItems, FindItem, GetItem, Operation, PerItem};
    use ews_bindings::soap::{read_request, read_response, read_response_each};
    use ews_bindings::types::{AnyItem, ItemsOrGroups};
    use ews_bindings::xml::Limits;
    use ews_bindings::{Error, ItemResult, Response};

    /// The items of a FindItem or GetItem answer, each message's `Items` in turn.
    fn items(messages: &[M]) -> Vec<AnyItem> {
        let mut out = Vec::new();
        for m in messages {
            match m {
                M::FindItemResponseMessage(m) => {
                    if let Some(ItemsOrGroups::Items(items)) =
                        m.root_folder.as_ref().map(|f| &f.items_or_groups)
                    {
                        out.extend(items.iter().cloned());
                    }
                }
                M::GetItemResponseMessage(m) => out.extend(m.items.iter().flatten().cloned()),
                other => panic!("unexpected {other:?}"),
            }
        }
        out
    }

    /// Microsoft's FindItem and GetItem answers that follow the schema (INDEX.md), successes
    /// and errors.
    #[test]
    fn microsofts_find_item_and_get_item_answers_hand_out_what_the_whole_read_keeps() {
        let Some(shared) = super::shared_dir() else {
            return;
        };
        let dir = shared.join("ews-doc-samples-core");
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        let mut items = 0;
        for name in ["FindItem/2-response.xml", "FindItem/3-error.xml"] {
            items += check::<FindItem>(&read(name), |r| r.response_messages);
        }
        for name in [
            "GetItem/2-response.xml",
            "GetItem/3-response.xml",
            "GetItem/4-response.xml",
            "GetItem/13-response.xml",
            "GetItem/8-error.xml",
            "GetItem/11-error.xml",
        ] {
            items += check::<GetItem>(&read(name), |r| r.response_messages);
        }
        assert!(items >= 5, "{items} items in the samples");
    }

    #[test]
    fn microsofts_sync_folder_items_answer_hands_out_its_changes() {
        use ews_bindings::operation::SyncFolderItems;
        use ews_bindings::types::SyncFolderItemsChangesChoice;

        let Some(shared) = super::shared_dir() else {
            return;
        };
        let xml = std::fs::read(shared.join("ews-doc-samples-core/SyncFolderItems/2-response.xml"))
            .unwrap();
        let changes = |messages: &[M]| -> Vec<SyncFolderItemsChangesChoice> {
            messages
                .iter()
                .flat_map(|m| match m {
                    M::SyncFolderItemsResponseMessage(m) => m.changes.clone().unwrap_or_default(),
                    other => panic!("unexpected {other:?}"),
                })
                .collect()
        };
        let whole = read_response::<SyncFolderItems>(&xml).unwrap().body;
        let mut handed = Vec::new();
        let rest = read_response_each::<SyncFolderItems, _>(
            &xml,
            &Limits::default(),
            |c: SyncFolderItemsChangesChoice| handed.push(c),
        )
        .unwrap()
        .body;
        assert!(!handed.is_empty());
        assert_eq!(handed, changes(&whole.response_messages));
        assert!(changes(&rest.response_messages).is_empty());
    }

    /// Reads `xml` as `O`'s answer whole and one item at a time: the items handed out are
    /// the items the whole read keeps, in order, and the rest is the whole read without
    /// them. Returns how many items there were.
    fn check<O: Operation>(xml: &[u8], messages: fn(O::Response) -> Vec<M>) -> usize {
        let mut whole = messages(read_response::<O>(xml).unwrap().body);
        let mut handed = Vec::new();
        let rest = read_response_each::<O, _>(xml, &Limits::default(), |i: AnyItem| handed.push(i))
            .unwrap()
            .body;
        assert_eq!(handed, items(&whole));
        for m in &mut whole {
            match m {
                M::FindItemResponseMessage(m) => {
                    if let Some(ItemsOrGroups::Items(items)) =
                        m.root_folder.as_mut().map(|f| &mut f.items_or_groups)
                    {
                        items.clear();
                    }
                }
                M::GetItemResponseMessage(m) => m.items.iter_mut().for_each(Vec::clear),
                _ => {}
            }
        }
        assert_eq!(messages(rest), whole);
        handed.len()
    }

    #[test]
    fn a_find_item_page_of_500_hands_out_every_item() {
        let xml = find_item_response(500, 11);
        assert_eq!(
            check::<FindItem>(xml.as_bytes(), |r| r.response_messages),
            500
        );
    }

    #[test]
    fn a_get_item_answer_of_300_hands_out_one_item_per_message() {
        let xml = get_item_response(300, 13);
        assert_eq!(
            check::<GetItem>(xml.as_bytes(), |r| r.response_messages),
            300
        );
    }

    /// A request for `ids` items of the operation `name` (GetItem or ExportItems).
    fn request<O: Operation>(name: &str, ids: usize) -> O::Request {
        let shape = if name == "GetItem" {
            "<ItemShape><t:BaseShape>IdOnly</t:BaseShape></ItemShape>"
        } else {
            ""
        };
        let ids: String = (0..ids)
            .map(|i| format!(r#"<t:ItemId Id="AAM{i}="/>"#))
            .collect();
        let xml = format!(
            r#"<{name} xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
                xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">{shape}<ItemIds>{ids}</ItemIds></{name}>"#
        );
        read_request::<O>(xml.as_bytes()).unwrap()
    }

    /// An answer of `name` (`GetItemResponse`, …) holding `messages`.
    fn answer(name: &str, messages: &str) -> String {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <m:{name} xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
                xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
            <m:ResponseMessages>{messages}</m:ResponseMessages></m:{name}></s:Body></s:Envelope>"#
        )
    }

    /// A GetItem answer whose only message says `code` with class Error.
    fn get_item_error(code: &str) -> String {
        answer(
            "GetItemResponse",
            &format!(
                r#"<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>{code}</m:MessageText>
                <m:ResponseCode>{code}</m:ResponseCode><m:Items/></m:GetItemResponseMessage>"#
            ),
        )
    }

    async fn per_item<O: PerItem>(
        answers: Vec<String>,
        request: &O::Request,
    ) -> (
        Result<Response<usize>, Error>,
        Vec<(usize, ItemResult<O::Message>)>,
        usize,
    ) {
        let server = MockServer::start(answers.into_iter().map(MockResponse::xml).collect())
            .await
            .unwrap();
        let mut handed = Vec::new();
        let result = super::client(&server)
            .call_per_item::<O>(request, |index, result| handed.push((index, result)))
            .await;
        (result, handed, server.requests().len())
    }

    #[tokio::test]
    async fn call_per_item_hands_out_what_call_returns_message_by_message() {
        let request = request::<GetItem>("GetItem", 200);
        let xml = get_item_response(200, 17);
        let whole = {
            let server = MockServer::start(vec![MockResponse::xml(xml.clone())])
                .await
                .unwrap();
            super::client(&server)
                .call::<GetItem>(&request)
                .await
                .unwrap()
        };
        let (result, handed, _) = per_item::<GetItem>(vec![xml], &request).await;
        let response = result.unwrap();
        assert_eq!(response.output, 200);
        assert_eq!(response.server_version, whole.server_version);
        let indexes: Vec<usize> = handed.iter().map(|(i, _)| *i).collect();
        assert_eq!(indexes, (0..200).collect::<Vec<_>>());
        let results: Vec<_> = handed.into_iter().map(|(_, r)| r).collect();
        assert_eq!(results, whole.output.into_iter().collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn microsofts_get_item_error_is_handed_out_as_the_items_error() {
        let Some(shared) = super::shared_dir() else {
            return;
        };
        let xml = std::fs::read_to_string(shared.join("ews-doc-samples-core/GetItem/8-error.xml"))
            .unwrap();
        let (result, handed, _) =
            per_item::<GetItem>(vec![xml], &request::<GetItem>("GetItem", 1)).await;
        assert_eq!(result.unwrap().output, 1);
        let [(0, ItemResult::Error { error })] = &handed[..] else {
            panic!("{handed:?}")
        };
        assert_eq!(
            error.response_code,
            ResponseCode::ErrorUnsupportedMimeConversion
        );
    }

    #[tokio::test]
    async fn a_busy_first_message_is_retried_before_anything_is_handed_out() {
        let answers = vec![get_item_error("ErrorServerBusy"), get_item_response(3, 5)];
        let (result, handed, requests) =
            per_item::<GetItem>(answers, &request::<GetItem>("GetItem", 3)).await;
        assert_eq!(result.unwrap().output, 3);
        assert_eq!(handed.len(), 3);
        assert!(handed.iter().all(|(_, r)| !r.is_error()));
        assert_eq!(requests, 2);
    }

    #[tokio::test]
    async fn fewer_messages_than_items_fail_the_call_after_handing_them_out() {
        let (result, handed, _) = per_item::<GetItem>(
            vec![get_item_response(2, 5)],
            &request::<GetItem>("GetItem", 3),
        )
        .await;
        assert!(
            matches!(
                result,
                Err(Error::ItemCount {
                    expected: 3,
                    received: 2
                })
            ),
            "{result:?}"
        );
        assert_eq!(handed.len(), 2);
    }

    #[tokio::test]
    async fn a_message_of_another_kind_fails_the_call_and_stops_the_handing_out() {
        let messages = r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items/></m:GetItemResponseMessage>
            <m:DeleteItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:DeleteItemResponseMessage>
            <m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items/></m:GetItemResponseMessage>"#;
        let (result, handed, _) = per_item::<GetItem>(
            vec![answer("GetItemResponse", messages)],
            &request::<GetItem>("GetItem", 3),
        )
        .await;
        let Err(Error::UnexpectedMessage(m)) = result else {
            panic!("{result:?}")
        };
        assert_eq!((m.index, m.expected), (1, "GetItemResponseMessage"));
        assert_eq!(handed.len(), 1);
    }

    #[tokio::test]
    async fn export_items_hands_out_each_items_bytes() {
        let first = vec![7u8; 300_000];
        let second = b"From: a@contoso.com\r\n\r\nhello".to_vec();
        let message = |id: &str, data: &[u8]| {
            format!(
                r#"<m:ExportItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
                <m:ItemId Id="{id}" ChangeKey="CQ=="/><m:Data>{}</m:Data></m:ExportItemsResponseMessage>"#,
                BASE64_STANDARD.encode(data)
            )
        };
        let error = r#"<m:ExportItemsResponseMessage ResponseClass="Error"><m:MessageText>gone</m:MessageText>
            <m:ResponseCode>ErrorItemNotFound</m:ResponseCode></m:ExportItemsResponseMessage>"#;
        let xml = answer(
            "ExportItemsResponse",
            &(message("AAM0=", &first) + error + &message("AAM2=", &second)),
        );
        let (result, handed, _) =
            per_item::<ExportItems>(vec![xml], &request::<ExportItems>("ExportItems", 3)).await;
        assert_eq!(result.unwrap().output, 3);
        let data = |r: &ItemResult<_>| {
            r.message()
                .and_then(|m: &ExportItemsResponseMessage| m.data.clone())
                .map(|d| d.0)
        };
        assert_eq!(data(&handed[0].1), Some(first));
        assert_eq!(
            handed[1].1.problem().unwrap().response_code,
            ResponseCode::ErrorItemNotFound
        );
        assert_eq!(data(&handed[2].1), Some(second));
    }
}
