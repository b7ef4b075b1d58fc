//! GetImItemList over HTTP against a loopback server: what goes on the wire, and what each
//! kind of answer becomes.

mod common;

use std::time::Duration;

use common::{page_fixture as fixture, tree};
use ews_bindings::messages::ResponseCode;
use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::types::ExchangeVersion;
use ews_bindings::xml::ParseErrorKind;
use ews_bindings::{
    Client, Error, Impersonation, PublicFolderRouting, RequestHeaders, RetryPolicy, Secret,
};

/// Builds the client and calls GetImItemList.
trait List {
    async fn list(self) -> Result<ews_bindings::ImItemListResponse, Error>;
}

impl List for ews_bindings::ClientBuilder {
    async fn list(self) -> Result<ews_bindings::ImItemListResponse, Error> {
        self.build().unwrap().get_im_item_list().await
    }
}

fn client(server: &MockServer) -> ews_bindings::ClientBuilder {
    Client::builder(server.url()).retry(RetryPolicy {
        max_attempts: 3,
        max_total_wait: Duration::from_secs(2),
        default_back_off: Duration::from_millis(10),
    })
}

/// A response message envelope with the given class, code and extra content.
fn message(class: &str, code: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Body>
    <GetImItemListResponse ResponseClass="{class}" xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
      <MessageText>{code} happened</MessageText>
      <ResponseCode>{code}</ResponseCode>
      <DescriptiveLinkKey>0</DescriptiveLinkKey>
      {inner}
    </GetImItemListResponse>
  </s:Body>
</s:Envelope>"#
    )
}

fn busy_message(back_off_ms: u64) -> String {
    message(
        "Error",
        "ErrorServerBusy",
        &format!(
            r#"<MessageXml><t:Value xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" Name="BackOffMilliseconds">{back_off_ms}</t:Value></MessageXml>"#
        ),
    )
}

fn busy_fault(back_off_ms: u64) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
  <faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>
  <faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>
  <detail>
    <e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>
    <e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The server cannot service this request right now. Try again later.</e:Message>
    <t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value>
    </t:MessageXml>
  </detail>
</s:Fault></s:Body></s:Envelope>"#
    )
}

#[tokio::test]
async fn the_request_on_the_wire_matches_the_documented_request() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    client(&server)
        .server_version(ExchangeVersion::Exchange2013)
        .mailbox_culture("en-US")
        .list()
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/EWS/Exchange.asmx");
    assert_eq!(req.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(
        req.header("soapaction"),
        Some("\"http://schemas.microsoft.com/exchange/services/2006/messages/GetImItemList\"")
    );
    assert_eq!(req.header("authorization"), None);
    let expected = tree(&fixture("request.xml"));
    if let Some(d) = expected.diff(&tree(&req.text())) {
        panic!(
            "the request differs from the documented one: {d}\n{}",
            req.text()
        );
    }
}

#[tokio::test]
async fn headers_are_sent_and_can_be_overridden_per_call() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    let client = client(&server)
        .impersonate(Impersonation::SmtpAddress("alice@contoso.com".into()))
        .build()
        .unwrap();
    client.get_im_item_list().await.unwrap();
    let per_call = RequestHeaders {
        server_version: Some(ExchangeVersion::V2018_01_08),
        mailbox_culture: Some("fr-FR".into()),
        impersonation: Some(Impersonation::PrincipalName("bob@contoso.com".into())),
        ..RequestHeaders::default()
    };
    client.get_im_item_list_with(&per_call).await.unwrap();
    let none = RequestHeaders {
        server_version: None,
        mailbox_culture: None,
        impersonation: None,
        ..RequestHeaders::default()
    };
    client.get_im_item_list_with(&none).await.unwrap();

    let requests = server.requests();
    let header = |i: usize| tree(&requests[i].text()).child("Header").cloned().unwrap();
    let first = header(0);
    assert_eq!(first.children[0].name, "RequestServerVersion");
    assert_eq!(
        first.children[0].attributes.values().next().unwrap(),
        "Exchange2013"
    );
    let sid = &first.child("ExchangeImpersonation").unwrap().children[0].children[0];
    assert_eq!(
        (sid.name.as_str(), sid.text.as_str()),
        ("SmtpAddress", "alice@contoso.com")
    );

    let second = header(1);
    assert_eq!(
        second.children[0].attributes.values().next().unwrap(),
        "V2018_01_08"
    );
    assert_eq!(second.child("MailboxCulture").unwrap().text, "fr-FR");
    let sid = &second.child("ExchangeImpersonation").unwrap().children[0].children[0];
    assert_eq!(
        (sid.name.as_str(), sid.text.as_str()),
        ("PrincipalName", "bob@contoso.com")
    );

    assert!(header(2).children.is_empty());
}

/// An address that no HTTP header can carry (a line break: a header injected into
/// X-AnchorMailbox) is an error of the request, sent nowhere, not a panic.
#[tokio::test]
async fn an_impersonated_address_no_header_can_carry_is_a_build_error() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    let client = client(&server)
        .impersonate(Impersonation::SmtpAddress(
            "alice@contoso.com\r\nX-Injected: 1".into(),
        ))
        .build()
        .unwrap();
    let err = client.get_im_item_list().await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Build(_)), "{err:?}");
    assert!(message.contains("control characters"), "{message}");
    assert!(server.requests().is_empty());
}

/// GetImItemList's binding takes ExchangeImpersonation, MailboxCulture and
/// RequestServerVersion: headers it does not take are left out, and an impersonated request
/// names the mailbox in `X-AnchorMailbox`.
#[tokio::test]
async fn only_the_headers_the_operation_takes_are_sent() {
    let server = MockServer::start(vec![
        MockResponse::xml(fixture("response.xml")),
        MockResponse::xml(fixture("response.xml")),
    ])
    .await
    .unwrap();
    let headers = RequestHeaders {
        mailbox_culture: Some("en-US".into()),
        impersonation: Some(Impersonation::PrimarySmtpAddress(
            "alice@contoso.com".into(),
        )),
        date_time_precision: Some(ews_bindings::types::DateTimePrecision::Seconds),
        ..RequestHeaders::default().time_zone("UTC")
    };
    let client = client(&server).headers(headers).build().unwrap();
    client.get_im_item_list().await.unwrap();
    let sid = RequestHeaders {
        impersonation: Some(Impersonation::SID("S-1-5-21-1".into())),
        ..RequestHeaders::default()
    };
    client.get_im_item_list_with(&sid).await.unwrap();

    let requests = server.requests();
    let names: Vec<String> = tree(&requests[0].text())
        .child("Header")
        .unwrap()
        .children
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "RequestServerVersion",
            "MailboxCulture",
            "ExchangeImpersonation"
        ]
    );
    assert_eq!(
        requests[0].header("x-anchormailbox"),
        Some("alice@contoso.com")
    );
    // A SID names no mailbox address.
    assert_eq!(requests[1].header("x-anchormailbox"), None);
}

/// A request routed to a public folder mailbox carries `X-AnchorMailbox` and
/// `X-PublicFolderMailbox`, in place of the impersonated address; the SOAP headers are
/// unchanged.
#[tokio::test]
async fn public_folder_requests_are_routed_by_two_http_headers() {
    let server = MockServer::start(vec![
        MockResponse::xml(fixture("response.xml")),
        MockResponse::xml(fixture("response.xml")),
    ])
    .await
    .unwrap();
    let impersonated = RequestHeaders {
        impersonation: Some(Impersonation::SmtpAddress("alice@contoso.com".into())),
        ..RequestHeaders::default()
    };
    let client = client(&server)
        .headers(impersonated.clone())
        .build()
        .unwrap();
    let hierarchy = RequestHeaders {
        public_folders: Some(PublicFolderRouting::hierarchy(
            "pf-hierarchy@contoso.com",
            "5f8b1e2c-0c3a-4d2e-9b7a-1c2d3e4f5a6b@contoso.com",
        )),
        ..impersonated
    };
    client.get_im_item_list_with(&hierarchy).await.unwrap();
    let content = RequestHeaders {
        public_folders: Some(PublicFolderRouting::content("pf-content@contoso.com")),
        ..RequestHeaders::default()
    };
    // A client of its own for the content mailbox: the same connections, other headers.
    client
        .with_headers(content)
        .get_im_item_list()
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].header("x-anchormailbox"),
        Some("pf-hierarchy@contoso.com")
    );
    assert_eq!(
        requests[0].header("x-publicfoldermailbox"),
        Some("5f8b1e2c-0c3a-4d2e-9b7a-1c2d3e4f5a6b@contoso.com")
    );
    assert!(tree(&requests[0].text())
        .child("Header")
        .unwrap()
        .child("ExchangeImpersonation")
        .is_some());
    for name in ["x-anchormailbox", "x-publicfoldermailbox"] {
        assert_eq!(requests[1].header(name), Some("pf-content@contoso.com"));
    }
}

#[tokio::test]
async fn success_gives_groups_personas_and_server_version() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    let list = client(&server).list().await.unwrap();
    assert_eq!(list.groups.len(), 4);
    assert_eq!(list.personas.len(), 2);
    assert_eq!(list.groups[2].display_name, "Favorites");
    assert_eq!(list.server_version.unwrap().major_version, Some(15));
    assert!(list.warning.is_none());
}

#[tokio::test]
async fn a_response_without_a_soap_header_is_fine() {
    let body = message("Success", "NoError", "<ImItemList/>");
    let server = MockServer::start(vec![MockResponse::xml(body)])
        .await
        .unwrap();
    let list = client(&server).list().await.unwrap();
    assert!(list.server_version.is_none());
    assert!(list.groups.is_empty() && list.personas.is_empty());
}

#[tokio::test]
async fn the_documented_fault_becomes_a_typed_fault() {
    let server = MockServer::start(vec![
        MockResponse::xml(fixture("fault.xml")).with_status(500)
    ])
    .await
    .unwrap();
    let err = client(&server).list().await.unwrap_err();
    let Error::Fault(fault) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fault.code, "ErrorIncorrectSchemaVersion");
    assert_eq!(
        fault.code_namespace.as_deref(),
        Some("http://schemas.microsoft.com/exchange/services/2006/types")
    );
    assert!(fault
        .string
        .starts_with("The request is valid but does not specify"));
    assert_eq!(
        fault.response_code,
        Some(ResponseCode::ErrorIncorrectSchemaVersion)
    );
    assert_eq!(fault.message.as_deref(), Some(fault.string.as_str()));
    assert_eq!(
        err.response_code(),
        Some(&ResponseCode::ErrorIncorrectSchemaVersion)
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a fault other than busy is not retried"
    );
}

#[tokio::test]
async fn an_error_response_message_becomes_a_typed_ews_error() {
    let body = message(
        "Error",
        "ErrorMailboxMoveInProgress",
        r#"<MessageXml><Detail xmlns="urn:x">kept</Detail></MessageXml>"#,
    );
    let server = MockServer::start(vec![MockResponse::xml(body)])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    let Error::Ews(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.response_code, ResponseCode::ErrorMailboxMoveInProgress);
    assert_eq!(
        e.message_text.as_deref(),
        Some("ErrorMailboxMoveInProgress happened")
    );
    assert_eq!(e.descriptive_link_key, Some(0));
    assert_eq!(e.message_xml[0].name, "Detail");
    assert_eq!(e.message_xml[0].text(), "kept");
}

#[tokio::test]
async fn an_unknown_response_code_is_kept() {
    let body = message("Error", "ErrorFromTheFuture", "");
    let server = MockServer::start(vec![MockResponse::xml(body)])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert_eq!(
        err.response_code(),
        Some(&ResponseCode::Other("ErrorFromTheFuture".into()))
    );
}

#[tokio::test]
async fn a_warning_returns_the_data_and_the_warning() {
    let body = message(
        "Warning",
        "ErrorBatchProcessingStopped",
        "<ImItemList><Groups xmlns=\"http://schemas.microsoft.com/exchange/services/2006/types\"><ImGroup><DisplayName>G</DisplayName><GroupType>T</GroupType></ImGroup></Groups></ImItemList>",
    );
    let server = MockServer::start(vec![MockResponse::xml(body)])
        .await
        .unwrap();
    let list = client(&server).list().await.unwrap();
    assert_eq!(list.groups.len(), 1);
    let warning = list.warning.unwrap();
    assert_eq!(
        warning.response_code,
        ResponseCode::ErrorBatchProcessingStopped
    );
}

#[tokio::test]
async fn http_401_is_an_authentication_error() {
    let server = MockServer::start(vec![MockResponse::xml("")
        .with_status(401)
        .with_header("WWW-Authenticate", "Basic realm=\"contoso\"")])
    .await
    .unwrap();
    let err = client(&server)
        .basic_auth("alice", Secret::new("p@ss"))
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { challenge: Some(c), credentials_sent: true } if c == "Basic realm=\"contoso\""),
        "{err:?}"
    );
    assert!(err.to_string().contains("refused the credentials"), "{err}");
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Basic YWxpY2U6cEBzcw==")
    );
}

#[tokio::test]
async fn http_401_without_credentials_says_none_were_sent() {
    let server = MockServer::start(vec![MockResponse::xml("")
        .with_status(401)
        .with_header("WWW-Authenticate", "Negotiate")])
    .await
    .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unauthorized {
                credentials_sent: false,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("no credentials were sent"), "{message}");
    assert!(
        message.contains("the server asks for Negotiate"),
        "{message}"
    );
}

#[tokio::test]
async fn bearer_tokens_are_sent() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    client(&server)
        .bearer_token(Secret::new("tok3n"))
        .list()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer tok3n")
    );
}

#[tokio::test]
async fn http_500_with_an_html_body_is_an_http_error_with_the_body() {
    let html = "<html><body><h1>Internal Server Error</h1></body></html>";
    let server = MockServer::start(vec![MockResponse::xml(html)
        .with_status(500)
        .with_header("Content-Type", "text/html")])
    .await
    .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Http { status: 500, body } if body == html),
        "{err:?}"
    );
    assert!(err.to_string().contains("Internal Server Error"), "{err}");
}

#[tokio::test]
async fn a_sign_in_page_with_status_200_says_the_url_is_not_ews() {
    let page =
        "<!DOCTYPE html>\n<html><head><title>Outlook</title></head><body>Sign in</body></html>";
    for response in [
        MockResponse::xml(page),
        MockResponse::xml(page).with_header("Content-Type", "text/html; charset=utf-8"),
    ] {
        let server = MockServer::start(vec![response]).await.unwrap();
        let err = client(&server).list().await.unwrap_err();
        assert!(
            matches!(&err, Error::NotSoap { status: 200, .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("/EWS/Exchange.asmx"), "{message}");
        assert!(message.contains("Sign in"), "{message}");
    }
    // XML that is not an envelope stays a parse error.
    let server = MockServer::start(vec![MockResponse::xml("<x/>")])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Parse(e) if matches!(e.kind(), ParseErrorKind::UnexpectedElement { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_busy_server_is_retried_after_its_back_off() {
    let server = MockServer::start(vec![
        MockResponse::xml(busy_message(150)),
        MockResponse::xml(busy_fault(50)).with_status(500),
        MockResponse::xml(fixture("response.xml")),
    ])
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let list = client(&server).list().await.unwrap();
    assert_eq!(list.groups.len(), 4);
    assert_eq!(server.requests().len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "the back-offs were waited"
    );
}

#[tokio::test]
async fn throttling_beyond_the_attempt_cap_gives_up() {
    let server = MockServer::start(vec![MockResponse::xml(busy_message(10))])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    let Error::Throttled {
        attempts,
        waited,
        last,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 3);
    assert_eq!(*waited, Duration::from_millis(20));
    assert!(last.is_server_busy());
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_back_off_beyond_the_wait_cap_gives_up_without_waiting() {
    let server = MockServer::start(vec![MockResponse::xml(busy_fault(60_000)).with_status(500)])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Throttled { attempts: 1, waited, last } if waited.is_zero() && last.back_off() == Some(Duration::from_secs(60))),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

/// A body that stops coming after its start is a timeout too, not a lost connection.
#[tokio::test]
async fn a_body_that_stops_coming_times_out() {
    let body = fixture("response.xml").into_bytes();
    let (start, rest) = body.split_at(100);
    let server = MockServer::start(vec![MockResponse::streamed(vec![
        ews_bindings::mock::Part::Chunk(start.to_vec()),
        ews_bindings::mock::Part::Pause(Duration::from_secs(5)),
        ews_bindings::mock::Part::Chunk(rest.to_vec()),
    ])])
    .await
    .unwrap();
    let err = client(&server)
        .timeout(Duration::from_millis(200))
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(200)),
        "{err:?}"
    );
}

/// An answer cut halfway (the connection dropped) is a lost connection, which a request
/// that changes nothing may send again; the server's own errors are not.
#[tokio::test]
async fn an_answer_cut_halfway_is_a_lost_connection() {
    let body = fixture("response.xml").into_bytes();
    let server = MockServer::start(vec![
        MockResponse::streamed(vec![
            ews_bindings::mock::Part::Chunk(body[..body.len() / 2].to_vec()),
            ews_bindings::mock::Part::Cut,
        ]),
        MockResponse::fault("Server", "The server cannot service this request."),
    ])
    .await
    .unwrap();
    let client = client(&server).build().unwrap();
    let cut = client.get_im_item_list().await.unwrap_err();
    assert!(cut.is_connection_lost(), "{cut:?}");
    let fault = client.get_im_item_list().await.unwrap_err();
    assert!(matches!(fault, Error::Fault(_)), "{fault:?}");
    assert!(!fault.is_connection_lost());
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = MockServer::start(vec![
        MockResponse::xml(fixture("response.xml")).with_delay(Duration::from_secs(5))
    ])
    .await
    .unwrap();
    let err = client(&server)
        .timeout(Duration::from_millis(200))
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(d) if d == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no complete answer within 200ms; large answers (ExportItems, GetItem with MIME \
         content, big pages) can take longer: raise the limit with ClientBuilder::timeout"
    );
}

#[tokio::test]
async fn a_truncated_body_is_a_parse_error() {
    let full = fixture("response.xml");
    let server = MockServer::start(vec![MockResponse::xml(&full[..full.len() / 2])])
        .await
        .unwrap();
    let err = client(&server).list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Parse(e) if *e.kind() == ParseErrorKind::Truncated),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/EWS/Exchange.asmx",
        listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0; 65536];
        let _ = socket.read(&mut buf).await;
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<s:Envelope";
        socket.write_all(head.as_bytes()).await.unwrap();
    });
    let err = Client::builder(url).list().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    server.await.unwrap();
}

#[tokio::test]
async fn an_oversize_body_is_refused() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    let err = client(&server)
        .max_response_bytes(1024)
        .list()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 1024 }),
        "{err:?}"
    );
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
}

#[tokio::test]
async fn nothing_listening_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/EWS/Exchange.asmx",
        listener.local_addr().unwrap()
    );
    drop(listener);
    let err = Client::builder(url.clone()).list().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("onnection refused"), "{message}");
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches("/EWS/Exchange.asmx");
    assert!(
        message.starts_with(&format!("cannot reach {host}")),
        "{message}"
    );
}

#[test]
fn bad_settings_fail_when_building() {
    for url in ["not a url", "ftp://host/EWS/Exchange.asmx"] {
        let err = Client::builder(url).build().unwrap_err();
        assert!(matches!(err, Error::Build(_)), "{url}: {err:?}");
    }
    let err = Client::builder("http://127.0.0.1/")
        .user_agent("bad\nagent")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Build(_)), "{err:?}");
    let err = Client::builder("mail.contoso.com/EWS/Exchange.asmx")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "has no scheme: write the whole URL, as https://mail.contoso.com/EWS/Exchange.asmx"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_404_says_to_check_the_path() {
    let server = MockServer::start(vec![MockResponse::xml("").with_status(404)])
        .await
        .unwrap();
    let err = Client::builder(server.url())
        .build()
        .unwrap()
        .get_im_item_list()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 404, .. }), "{err:?}");
    assert!(err.to_string().contains("/EWS/Exchange.asmx"), "{err}");
}

#[tokio::test]
async fn https_to_a_plain_http_port_says_so() {
    let server = MockServer::start(vec![MockResponse::xml(fixture("response.xml"))])
        .await
        .unwrap();
    let url = server.url().replace("http://", "https://");
    let err = Client::builder(url)
        .build()
        .unwrap()
        .get_im_item_list()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotTls { .. }), "{err:?}");
    assert!(err.to_string().contains("http://"), "{err}");
}

#[test]
fn debug_output_never_shows_credentials() {
    let basic = Client::builder("https://mail.contoso.com/EWS/Exchange.asmx")
        .basic_auth("alice", Secret::new("hunter2-password"))
        .build()
        .unwrap();
    let bearer = Client::builder("https://mail.contoso.com/EWS/Exchange.asmx")
        .bearer_token(Secret::new("eyJ0eXAi-token"))
        .build()
        .unwrap();
    let ntlm = Client::builder("https://mail.contoso.com/EWS/Exchange.asmx")
        .ntlm(r"CONTOSO\alice", Secret::new("hunter2-password"));
    let negotiate = ntlm
        .clone()
        .negotiate("alice", Secret::new("hunter2-password"));
    for debug in [
        format!("{basic:?}"),
        format!("{bearer:?}"),
        format!("{ntlm:?}"),
        format!("{:?}", ntlm.build().unwrap()),
        format!("{negotiate:?}"),
        format!("{:?}", Secret::new("hunter2-password")),
    ] {
        assert!(
            !debug.contains("hunter2-password") && !debug.contains("eyJ0eXAi-token"),
            "{debug}"
        );
        assert!(debug.contains("[redacted]"), "{debug}");
    }
}
