//! What `tracing` records of a call, at every level: never a credential. Alone in its test
//! binary, so that no other test touches the callsites first (tracing caches their
//! interest process-wide).

mod common;

use std::time::Duration;

use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::{Client, RetryPolicy, Secret};

fn busy_message() -> String {
    r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<GetImItemListResponse ResponseClass="Error" xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
<ResponseCode>ErrorServerBusy</ResponseCode><MessageXml><t:Value xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" Name="BackOffMilliseconds">10</t:Value></MessageXml>
</GetImItemListResponse></s:Body></s:Envelope>"#
        .to_owned()
}

fn client(server: &MockServer) -> ews_bindings::ClientBuilder {
    Client::builder(server.url()).retry(RetryPolicy {
        max_attempts: 2,
        max_total_wait: Duration::from_secs(1),
        default_back_off: Duration::from_millis(10),
    })
}

#[tokio::test(flavor = "current_thread")]
async fn logs_at_every_level_never_show_credentials() {
    let (captured, _guard) = common::capture_logs();
    let server = MockServer::start(vec![
        MockResponse::xml(busy_message()),
        MockResponse::xml("").with_status(401),
    ])
    .await
    .unwrap();
    for builder in [
        client(&server).basic_auth("alice", Secret::new("hunter2-password")),
        client(&server).bearer_token(Secret::new("eyJ0eXAi-token")),
        client(&server).ntlm(r"CONTOSO\alice", Secret::new("hunter2-password")),
    ] {
        let err = builder
            .build()
            .unwrap()
            .get_im_item_list()
            .await
            .unwrap_err();
        tracing::error!("call failed: {err} / {err:?}");
    }
    let logs = captured.text();
    assert!(logs.contains("ews.call"), "the calls were traced: {logs}");
    assert!(
        !logs.contains("hunter2-password") && !logs.contains("eyJ0eXAi-token"),
        "{logs}"
    );
    assert!(
        !logs.contains("YWxpY2U6aHVudGVyMi1wYXNzd29yZA"),
        "no encoded credentials: {logs}"
    );
}
