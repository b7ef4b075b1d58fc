//! Exchange Online's refusal of EWS (HTTP 403 since 2026-10-01, for tenants and applications
//! not allowed) says so. The request for Exchange Online's host goes through an HTTP proxy
//! on loopback (the loopback endpoint, answering 403), as `HTTP_PROXY` makes any client do:
//! nothing leaves the machine. This binary holds one test, as it sets the environment.

use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::{Client, Error};

#[tokio::test]
async fn a_403_from_exchange_online_says_that_ews_must_be_allowed_and_ends() {
    let forbidden = || MockResponse::xml("").with_status(403);
    let proxy = MockServer::start(vec![forbidden(), forbidden()])
        .await
        .unwrap();
    std::env::set_var("HTTP_PROXY", proxy.url());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    let online = Client::builder("http://outlook.office365.com/EWS/Exchange.asmx")
        .build()
        .unwrap();
    let err = online.get_im_item_list().await.unwrap_err();
    assert!(
        matches!(err, Error::ExchangeOnlineRefused { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    for words in ["allowed", "2026-10-01", "2027-04-01", "EwsAllowedAppIDs"] {
        assert!(message.contains(words), "{message}");
    }

    let on_premises = Client::builder("http://mail.contoso.com/EWS/Exchange.asmx")
        .build()
        .unwrap();
    let err = on_premises.get_im_item_list().await.unwrap_err();
    assert!(matches!(err, Error::Http { status: 403, .. }), "{err:?}");

    let hosts: Vec<String> = proxy
        .requests()
        .iter()
        .map(|r| r.header("host").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(hosts, ["outlook.office365.com", "mail.contoso.com"]);
}
