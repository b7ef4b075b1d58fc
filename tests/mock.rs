//! The loopback endpoint answering by operation: typed handlers, envelopes and faults it
//! writes, and the typed record of what it received.

use ews_bindings::mock::{MockResponse, MockServer, Routes};
use ews_bindings::{messages, operation, types, Client, Error};

fn friends() -> messages::GetImItemListResponseMessage {
    let list = types::ImItemList {
        groups: Some(vec![types::ImGroup::new(
            "Friends",
            "IPM.DistList.MOC.UserGroup",
        )]),
        ..types::ImItemList::default()
    };
    messages::GetImItemListResponseMessage {
        im_item_list: Some(list),
        ..messages::GetImItemListResponseMessage::new(types::ResponseClass::Success)
    }
}

#[tokio::test]
async fn each_operation_is_answered_by_its_handler_and_recorded_typed() {
    let routes = Routes::new()
        .answer::<operation::GetImItemList>(|_| friends())
        .answer::<operation::AddImGroup>(|request| messages::AddImGroupResponseMessage {
            im_group: Some(Box::new(types::ImGroup::new(
                request.display_name,
                "IPM.DistList.MOC.UserGroup",
            ))),
            ..messages::AddImGroupResponseMessage::new(types::ResponseClass::Success)
        });
    let server = MockServer::route(routes).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();

    let list = client.get_im_item_list().await.unwrap();
    assert_eq!(list.groups[0].display_name, "Friends");
    let added = client
        .call::<operation::AddImGroup>(&messages::AddImGroup::new("Team"))
        .await
        .unwrap()
        .output;
    assert_eq!(added.im_group.unwrap().display_name, "Team");

    assert_eq!(server.requests_of::<operation::GetImItemList>().len(), 1);
    let sent = server.requests_of::<operation::AddImGroup>();
    assert_eq!(sent, [messages::AddImGroup::new("Team")]);
}

#[tokio::test]
async fn an_operation_without_a_handler_is_a_fault_that_says_which() {
    let server = MockServer::route(Routes::new()).await.unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    let Error::Fault(fault) = &err else {
        panic!("not a fault: {err:?}");
    };
    assert!(fault.string.contains("GetImItemList"), "{}", fault.string);
    assert!(fault.string.contains("Routes::answer"), "{}", fault.string);
}

#[tokio::test]
async fn a_request_that_does_not_read_is_a_fault() {
    let routes = Routes::new().answer::<operation::GetImItemList>(|_| friends());
    let server = MockServer::route(routes).await.unwrap();
    let client = reqwest::Client::new();
    let answer = client
        .post(server.url())
        .header(
            "SOAPAction",
            format!(
                "\"{}\"",
                <operation::GetImItemList as operation::Operation>::SOAP_ACTION
            ),
        )
        .body("<not-a-request/>")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 500);
    let body = answer.text().await.unwrap();
    assert!(
        body.contains("does not read as a GetImItemList request"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_element_is_wrapped_in_an_envelope() {
    let body = r#"<m:GetImItemListResponse ResponseClass="Success"
        xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
        <m:ResponseCode>NoError</m:ResponseCode></m:GetImItemListResponse>"#;
    let server = MockServer::start(vec![MockResponse::envelope(body)])
        .await
        .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let list = client.get_im_item_list().await.unwrap();
    assert!(list.groups.is_empty());
}

#[tokio::test]
async fn a_scripted_fault_reaches_the_caller_as_a_fault() {
    let server = MockServer::start(vec![MockResponse::fault(
        "Server",
        "The mailbox is <moving> & locked",
    )])
    .await
    .unwrap();
    let client = Client::builder(server.url()).build().unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    let Error::Fault(fault) = &err else {
        panic!("not a fault: {err:?}");
    };
    assert_eq!(fault.string, "The mailbox is <moving> & locked");
    assert_eq!(fault.code, "Server");
}
