//! Autodiscover against loopback endpoints, one per step: Autodiscover v2 (JSON), SOAP
//! GetUserSettings (Microsoft's sample, namespace fixed as its INDEX.md says, with the EWS URL
//! setting added since the sample asks for none), RedirectAddress, RedirectUrl, a redirect
//! loop, an http redirect to http (refused), 401, and garbage.

mod common;

use std::sync::Arc;

use common::shared_dir;
use ews_bindings::mock::{MockResponse, MockServer, RecordedRequest};
use ews_bindings::types::ExchangeVersion;
use ews_bindings::{Autodiscover, DiscoveryError, Secret};

const AUTODISCOVER: &str = "http://schemas.microsoft.com/exchange/2010/Autodiscover";
const EWS_URL: &str = "https://mail.contoso.com/EWS/Exchange.asmx";

/// The host and port of a loopback server.
fn host(server: &MockServer) -> String {
    server
        .url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

/// Autodiscover asking only `server`, over http.
fn at(server: &MockServer) -> Autodiscover {
    let host = host(server);
    Autodiscover::new().host(host.clone()).allow_http(host)
}

fn not_found() -> MockResponse {
    MockResponse::xml("").with_status(404)
}

/// A GetUserSettings answer for one user: `error` with `target`, or the settings.
fn user_response(error: &str, target: &str, settings: &[(&str, &str)]) -> String {
    let settings: String = settings
        .iter()
        .map(|(name, value)| {
            format!(
                r#"<UserSetting i:type="StringSetting"><Name>{name}</Name><Value>{value}</Value></UserSetting>"#
            )
        })
        .collect();
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<GetUserSettingsResponseMessage xmlns="{AUTODISCOVER}"><Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
<ErrorCode>NoError</ErrorCode><ErrorMessage/><UserResponses><UserResponse>
<ErrorCode>{error}</ErrorCode><ErrorMessage/><RedirectTarget>{target}</RedirectTarget>
<UserSettingErrors/><UserSettings>{settings}</UserSettings></UserResponse></UserResponses>
</Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>"#
    )
}

fn is_json(request: &RecordedRequest) -> bool {
    request
        .path
        .starts_with("/autodiscover/autodiscover.json/v1.0/")
}

fn is_soap(request: &RecordedRequest) -> bool {
    request.method == "POST" && request.path == "/autodiscover/autodiscover.svc"
}

#[tokio::test]
async fn autodiscover_v2_answers_with_the_ews_url() {
    let server = MockServer::start_with(|request| {
        if is_json(request) && request.path.ends_with("/alice@contoso.com") {
            MockResponse::xml(format!(r#"{{"Protocol":"EWS","Url":"{EWS_URL}"}}"#))
                .with_header("Content-Type", "application/json")
        } else {
            not_found()
        }
    })
    .await
    .unwrap();
    let found = at(&server).discover("alice@contoso.com").await.unwrap();
    assert_eq!(found.ews_url, EWS_URL);
    assert_eq!(found.version, None);
    assert!(found.answered_by.ends_with("?Protocol=EWS"), "{found:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn soap_get_user_settings_gives_the_url_and_the_newest_version() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let sample = std::fs::read_to_string(
        shared.join("ews-doc-samples-core/Autodiscover-GetUserSettings/2-response.xml"),
    )
    .unwrap()
    .replace(
        "https://schemas.microsoft.com/exchange/2010/Autodiscover",
        AUTODISCOVER,
    )
    .replace(
        "</UserSettings>",
        &format!(
            r#"<UserSetting i:type="StringSetting"><Name>ExternalEwsUrl</Name><Value>{EWS_URL}</Value></UserSetting></UserSettings>"#
        ),
    );
    let server = MockServer::start_with(move |request| {
        if is_soap(request) {
            MockResponse::xml(sample.clone())
        } else {
            not_found()
        }
    })
    .await
    .unwrap();
    let found = at(&server)
        .basic_auth("alice", Secret::new("pw"))
        .discover("UserName@domain.contoso.com")
        .await
        .unwrap();
    assert_eq!(found.ews_url, EWS_URL);
    assert_eq!(found.version, Some(ExchangeVersion::Exchange2010));
    assert_eq!(found.settings["CasVersion"], "14.00.0478.000");
    let json = server.requests().into_iter().find(is_json).unwrap();
    assert!(
        json.header("authorization").is_none(),
        "Autodiscover v2 is asked without credentials"
    );
    let soap = server.requests().into_iter().find(is_soap).unwrap();
    assert_eq!(
        soap.header("authorization"),
        Some("Basic YWxpY2U6cHc="),
        "alice:pw in base64"
    );
    assert!(soap
        .header("soapaction")
        .is_some_and(|a| a.ends_with("/Autodiscover/GetUserSettings\"")));
    let body = soap.text();
    for expected in [
        "<a:Mailbox>UserName@domain.contoso.com</a:Mailbox>",
        "<a:Setting>ExternalEwsUrl</a:Setting>",
        "<a:Setting>EwsSupportedSchemas</a:Setting>",
        "<a:RequestedServerVersion>Exchange2013</a:RequestedServerVersion>",
    ] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
}

/// Settings asked for besides the EWS URL come back by name, from SOAP Autodiscover alone
/// (Autodiscover v2 tells only the URL): here those routing public folder requests.
#[tokio::test]
async fn other_user_settings_are_asked_of_soap_autodiscover() {
    let server = MockServer::start_with(|request| {
        if is_soap(request) {
            MockResponse::xml(user_response(
                "NoError",
                "",
                &[
                    ("ExternalEwsUrl", EWS_URL),
                    ("PublicFolderInformation", "pf-hierarchy@contoso.com"),
                    ("InternalRpcClientServer", "4f1c@contoso.com"),
                ],
            ))
        } else {
            MockResponse::xml(format!(r#"{{"Protocol":"EWS","Url":"{EWS_URL}"}}"#))
                .with_header("Content-Type", "application/json")
        }
    })
    .await
    .unwrap();
    let found = at(&server)
        .user_settings(["PublicFolderInformation", "InternalRpcClientServer"])
        .discover("alice@contoso.com")
        .await
        .unwrap();
    assert_eq!(found.ews_url, EWS_URL);
    assert_eq!(
        found.settings["PublicFolderInformation"],
        "pf-hierarchy@contoso.com"
    );
    assert_eq!(
        found.settings["InternalRpcClientServer"],
        "4f1c@contoso.com"
    );
    let requests = server.requests();
    assert!(!requests.iter().any(is_json), "v2 is not asked");
    let body = requests.iter().find(|r| is_soap(r)).unwrap().text();
    for expected in [
        "<a:Setting>ExternalEwsUrl</a:Setting>",
        "<a:Setting>PublicFolderInformation</a:Setting>",
        "<a:Setting>InternalRpcClientServer</a:Setting>",
    ] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
}

#[tokio::test]
async fn redirect_address_asks_again_for_the_other_address() {
    let server = MockServer::start_with(|request| {
        if !is_soap(request) {
            return not_found();
        }
        if request.text().contains("alice@contoso.com") {
            MockResponse::xml(user_response("RedirectAddress", "bob@fabrikam.com", &[]))
        } else {
            MockResponse::xml(user_response("NoError", "", &[("InternalEwsUrl", EWS_URL)]))
        }
    })
    .await
    .unwrap();
    let found = at(&server).discover("alice@contoso.com").await.unwrap();
    assert_eq!(
        (found.email.as_str(), found.ews_url.as_str()),
        ("bob@fabrikam.com", EWS_URL)
    );
}

#[tokio::test]
async fn redirect_url_asks_the_other_server() {
    let second = MockServer::start_with(|request| match is_soap(request) {
        true => MockResponse::xml(user_response("NoError", "", &[("ExternalEwsUrl", EWS_URL)])),
        false => not_found(),
    })
    .await
    .unwrap();
    let target = format!("http://{}/autodiscover/autodiscover.svc", host(&second));
    let first = MockServer::start_with(move |request| match is_soap(request) {
        true => MockResponse::xml(user_response("RedirectUrl", &target, &[])),
        false => not_found(),
    })
    .await
    .unwrap();
    let found = at(&first)
        .allow_http(host(&second))
        .discover("alice@contoso.com")
        .await
        .unwrap();
    assert_eq!(found.ews_url, EWS_URL);
    assert!(found.answered_by.contains(&host(&second)), "{found:?}");
}

/// The error of a discovery that must fail, with its message.
async fn failure(autodiscover: Autodiscover) -> (DiscoveryError, String) {
    let err = autodiscover
        .discover("alice@contoso.com")
        .await
        .unwrap_err();
    let message = err.to_string();
    (err, message)
}

#[tokio::test]
async fn a_redirect_loop_is_an_error_listing_every_url() {
    let own = Arc::new(std::sync::OnceLock::<String>::new());
    let url = Arc::clone(&own);
    let server = MockServer::start_with(move |request| match is_soap(request) {
        true => MockResponse::xml(user_response("RedirectUrl", url.get().unwrap(), &[])),
        false => not_found(),
    })
    .await
    .unwrap();
    own.set(format!(
        "http://{}/autodiscover/autodiscover.svc",
        host(&server)
    ))
    .unwrap();
    let (err, message) = failure(at(&server)).await;
    assert!(message.contains("redirect loop"), "{message}");
    assert!(
        message.contains("?Protocol=EWS: HTTP status 404"),
        "{message}"
    );
    // The status alone: the EWS endpoint's hint for a 404 says nothing of Autodiscover.
    assert!(
        err.attempts
            .iter()
            .any(|a| a.url.ends_with("?Protocol=EWS") && a.reason == "HTTP status 404"),
        "{err:?}"
    );
    assert!(err.attempts.len() >= 3, "{err:?}");
}

#[tokio::test]
async fn a_redirect_from_https_to_plain_http_is_refused() {
    let server = MockServer::start_with(|request| match is_json(request) {
        true => not_found().with_status(302).with_header(
            "Location",
            "http://autodiscover.evil.example/autodiscover/autodiscover.svc",
        ),
        false => not_found(),
    })
    .await
    .unwrap();
    let (_, message) = failure(at(&server)).await;
    assert!(
        message.contains("http://autodiscover.evil.example/autodiscover/autodiscover.svc, which is not https; refused"),
        "{message}"
    );
}

#[tokio::test]
async fn unauthorized_and_garbage_answers_say_so() {
    let server = MockServer::start_with(|request| match (is_json(request), is_soap(request)) {
        (true, _) => MockResponse::xml("<html><body>Sign in</body></html>"),
        (_, true) => not_found().with_status(401),
        _ => not_found(),
    })
    .await
    .unwrap();
    let (err, message) = failure(at(&server)).await;
    assert!(
        message.contains("not an Autodiscover v2 answer"),
        "{message}"
    );
    assert!(
        message.contains("authentication failed (HTTP 401): no credentials were sent"),
        "{message}"
    );
    assert_eq!(err.attempts.len(), 2, "{err:?}");
}

#[tokio::test]
async fn a_soap_answer_that_is_not_get_user_settings_is_an_error() {
    let server = MockServer::start_with(|request| match is_soap(request) {
        true => MockResponse::xml("<not-soap/>"),
        false => not_found(),
    })
    .await
    .unwrap();
    let (_, message) = failure(at(&server)).await;
    assert!(
        message.contains("not a GetUserSettings answer"),
        "{message}"
    );
}

#[tokio::test]
async fn redirections_stop_after_ten() {
    let server = MockServer::start_with(|request| {
        if !is_soap(request) {
            return not_found();
        }
        // user1 → user2 → …, each address new: never a loop.
        let text = request.text();
        let n: u32 = text
            .split("<a:Mailbox>user")
            .nth(1)
            .and_then(|rest| rest.split('@').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        MockResponse::xml(user_response(
            "RedirectAddress",
            &format!("user{}@contoso.com", n + 1),
            &[],
        ))
    })
    .await
    .unwrap();
    let err = at(&server).discover("user1@contoso.com").await.unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("more than 10 redirections; stopped"),
        "{message}"
    );
    let soap_requests = server.requests().into_iter().filter(is_soap).count();
    assert_eq!(soap_requests, 11, "{message}");
}
