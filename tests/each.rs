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
    use ews_bindings::messages::ArrayOfResponseMessagesChoice as M;
    use ews_bindings::mock::workload::{find_item_response, get_item_response};
    use ews_bindings::operation::{FindItem, GetItem, Operation};
    use ews_bindings::soap::{read_response, read_response_each};
    use ews_bindings::types::{ArrayOfRealItemsChoice, FindItemParentChoice};
    use ews_bindings::xml::Limits;

    /// The items of a FindItem or GetItem answer, each message's `Items` in turn.
    fn items(messages: &[M]) -> Vec<ArrayOfRealItemsChoice> {
        let mut out = Vec::new();
        for m in messages {
            match m {
                M::FindItemResponseMessage(m) => {
                    if let Some(FindItemParentChoice::Items(items)) =
                        m.root_folder.as_ref().map(|f| &f.choice)
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
        let rest =
            read_response_each::<O, _>(xml, &Limits::default(), |i: ArrayOfRealItemsChoice| {
                handed.push(i)
            })
            .unwrap()
            .body;
        assert_eq!(handed, items(&whole));
        for m in &mut whole {
            match m {
                M::FindItemResponseMessage(m) => {
                    if let Some(FindItemParentChoice::Items(items)) =
                        m.root_folder.as_mut().map(|f| &mut f.choice)
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
}
