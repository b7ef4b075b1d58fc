//! Windows authentication against an independent NTLM implementation: a loopback EWS
//! endpoint (`tests/tools/windows_auth_server.py`) whose handshakes pyspnego's NTLM acceptor
//! checks, NTLMv2 only (`LM_COMPAT_LEVEL=5`), one authentication per connection as IIS does
//! it; over HTTPS, with channel binding required as Extended Protection does it.
// Both commands tested here include the argument handling they share (examples/common).
#![allow(clippy::duplicate_mod)]

mod common;
#[allow(dead_code)]
#[path = "../examples/ews.rs"]
mod ews;
#[allow(dead_code)]
#[path = "../examples/fetch_schema.rs"]
mod fetch_schema;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/windows_auth.rs"]
mod windows_auth;

use std::path::Path;

use common::shared_dir;
use ews_bindings::{Client, Error, Secret};
use windows_auth::{tmp, Endpoint};

/// A client of `endpoint` authenticating with NTLM as `user`.
fn ntlm_client(endpoint: &Endpoint, user: &str, password: &str) -> Client {
    Client::builder(endpoint.url())
        .ntlm(user, Secret::new(password))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_right_password_gets_the_answer_in_every_user_name_form() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    for (user, password) in [
        (r"CONTOSO\alice", "Summer-2026!"),
        ("bob@contoso.com", "Winter-2026!"),
        ("carol", "Spring-2026!"),
    ] {
        let client = ntlm_client(&endpoint, user, password);
        let list = client.get_im_item_list().await.unwrap();
        assert!(!list.groups.is_empty(), "{user}");
    }
    let stats = endpoint.stats().await;
    assert_eq!(stats["handshakes"], 3, "{stats}");
    assert_eq!(stats["failed"], 0, "{stats}");
    assert_eq!(
        stats["users"],
        serde_json::json!([r"CONTOSO\alice", "bob@contoso.com", "carol"]),
        "{stats}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_with_credentials_sent() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    let client = ntlm_client(&endpoint, r"CONTOSO\alice", "Autumn-2026!");
    let err = client.get_im_item_list().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                credentials_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    let stats = endpoint.stats().await;
    assert_eq!(
        (stats["handshakes"].as_u64(), stats["failed"].as_u64()),
        (Some(0), Some(1))
    );
}

#[tokio::test]
async fn negotiate_answered_with_raw_ntlm_messages_works() {
    let Some(endpoint) = Endpoint::start("Negotiate", &[]) else {
        return;
    };
    let client = Client::builder(endpoint.url())
        .negotiate(r"CONTOSO\alice", Secret::new("Summer-2026!"))
        .build()
        .unwrap();
    client.get_im_item_list().await.unwrap();
    assert_eq!(endpoint.stats().await["handshakes"], 1);
}

#[tokio::test]
async fn an_authenticated_connection_serves_the_next_call_without_a_handshake() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    let client = ntlm_client(&endpoint, r"CONTOSO\alice", "Summer-2026!");
    for _ in 0..3 {
        client.get_im_item_list().await.unwrap();
    }
    let stats = endpoint.stats().await;
    assert_eq!(
        (stats["handshakes"].as_u64(), stats["answers"].as_u64()),
        (Some(1), Some(3))
    );
}

#[tokio::test]
async fn a_call_on_a_new_connection_authenticates_again() {
    let Some(endpoint) = Endpoint::start("NTLM", &["--close-after-auth"]) else {
        return;
    };
    let client = ntlm_client(&endpoint, r"CONTOSO\alice", "Summer-2026!");
    client.get_im_item_list().await.unwrap();
    client.get_im_item_list().await.unwrap();
    assert_eq!(endpoint.stats().await["handshakes"], 2);
}

#[tokio::test]
async fn a_401_on_an_authenticated_connection_redoes_the_handshake() {
    let Some(endpoint) = Endpoint::start("NTLM", &["--reauth-after", "1"]) else {
        return;
    };
    let client = ntlm_client(&endpoint, r"CONTOSO\alice", "Summer-2026!");
    client.get_im_item_list().await.unwrap();
    client.get_im_item_list().await.unwrap();
    let stats = endpoint.stats().await;
    assert_eq!(
        (stats["handshakes"].as_u64(), stats["failed"].as_u64()),
        (Some(2), Some(0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_do_not_break_each_others_handshakes() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    let client = ntlm_client(&endpoint, r"CONTOSO\alice", "Summer-2026!");
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_im_item_list().await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    let stats = endpoint.stats().await;
    assert_eq!(stats["failed"], 0, "{stats}");
    assert_eq!(stats["answers"], 8, "{stats}");
    let handshakes = stats["handshakes"].as_u64().unwrap();
    assert!((1..=8).contains(&handshakes), "{stats}");
}

#[tokio::test]
async fn ntlm_works_over_https_with_the_servers_authority_trusted() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    let (ca, config) = tls::private_ca();
    let url = tls::https_in_front_of(&endpoint.url(), config).await;
    let refused = Client::builder(url.clone())
        .ntlm(r"CONTOSO\alice", Secret::new("Summer-2026!"))
        .build()
        .unwrap()
        .get_im_item_list()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::UntrustedCertificate { .. }),
        "{refused:?}"
    );
    let client = Client::builder(url)
        .ntlm(r"CONTOSO\alice", Secret::new("Summer-2026!"))
        .root_certificates_pem(ca)
        .build()
        .unwrap();
    client.get_im_item_list().await.unwrap();
    client.get_im_item_list().await.unwrap();
    assert_eq!(endpoint.stats().await["handshakes"], 1);
}

#[tokio::test]
async fn the_command_line_authenticates_with_auth_ntlm() {
    let Some(endpoint) = Endpoint::start("NTLM", &[]) else {
        return;
    };
    let url = endpoint.url();
    let argv = [
        "ews",
        "GetImItemList",
        "--request",
        "-",
        "--url",
        &url,
        "--auth",
        "ntlm",
        "--user",
        "bob@contoso.com",
    ];
    let env = |name: &str| (name == "EWS_PASSWORD").then(|| "Winter-2026!".to_owned());
    let request = br#"<m:GetImItemList xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ews::run(argv, &env, &mut &request[..], &mut out, &mut err).await;
    assert_eq!(code, ews::SUCCESS, "{}", String::from_utf8_lossy(&err));
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["bob@contoso.com"])
    );
}

/// Runs `fetch_schema` against `endpoint` with NTLM as `user`, the password in
/// `EWS_PASSWORD`, saving into `dir`: the exit status, standard output and standard error.
async fn fetch_as(
    endpoint: &Endpoint,
    dir: &Path,
    user: &str,
    password: &str,
) -> (u8, String, String) {
    let url = endpoint.url();
    let argv = [
        "fetch_schema",
        "--url",
        &url,
        "--out",
        dir.to_str().unwrap(),
        "--auth",
        "ntlm",
        "--user",
        user,
    ];
    let env = |name: &str| (name == "EWS_PASSWORD").then(|| password.to_owned());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = fetch_schema::run(argv, &env, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test]
async fn the_schema_is_fetched_byte_for_byte_behind_ntlm() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let schema = shared.join("ews-schema");
    let Some(endpoint) = Endpoint::start("NTLM", &["--files", schema.to_str().unwrap()]) else {
        return;
    };
    let dir = tmp("fetched");
    let (code, out, err) = fetch_as(&endpoint, &dir, r"CONTOSO\alice", "Summer-2026!").await;
    assert_eq!(code, 0, "{err}");
    for name in fetch_schema::FILES {
        let fetched = std::fs::read(dir.join(name)).unwrap();
        assert!(
            fetched == std::fs::read(schema.join(name)).unwrap(),
            "{name} changed"
        );
    }
    assert!(out.contains("123 operations"), "{out}");
    assert!(
        out.contains("newest ExchangeVersionType value V2018_01_08"),
        "{out}"
    );
    assert_eq!(endpoint.stats().await["handshakes"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn fetching_with_a_wrong_password_fails_naming_the_file() {
    let Some(endpoint) = Endpoint::start("NTLM", &["--files", "."]) else {
        return;
    };
    let dir = tmp("refused");
    let (code, _, err) = fetch_as(&endpoint, &dir, "carol", "wrong").await;
    assert_eq!(code, 1);
    assert!(
        err.contains("types.xsd: authentication failed (HTTP 401)"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn soap_autodiscover_authenticates_with_ntlm() {
    let answer = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<GetUserSettingsResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
<Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ErrorCode>NoError</ErrorCode>
<UserResponses><UserResponse><ErrorCode>NoError</ErrorCode><UserSettings>
<UserSetting i:type="StringSetting"><Name>InternalEwsUrl</Name><Value>https://ex01.contoso.com/EWS/Exchange.asmx</Value></UserSetting>
<UserSetting i:type="StringSetting"><Name>EwsSupportedSchemas</Name><Value>Exchange2013, Exchange2016, Exchange2019</Value></UserSetting>
</UserSettings></UserResponse></UserResponses></Response></GetUserSettingsResponseMessage>
</s:Body></s:Envelope>"#;
    let Some(endpoint) = Endpoint::serving("NTLM", answer, &[]) else {
        return;
    };
    let host = format!("127.0.0.1:{}", endpoint.port);
    let found = ews_bindings::Autodiscover::new()
        .host(host.clone())
        .allow_http(host)
        .ntlm("bob@contoso.com", Secret::new("Winter-2026!"))
        .discover("bob@contoso.com")
        .await
        .unwrap();
    assert_eq!(found.ews_url, "https://ex01.contoso.com/EWS/Exchange.asmx");
    assert_eq!(
        found.version,
        Some(ews_bindings::types::ExchangeVersion::Exchange2016)
    );
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["bob@contoso.com"])
    );
}

/// An endpoint speaking HTTPS with a certificate signed with `algorithm`, offering `scheme`,
/// requiring the channel binding `binding` names (see [`tls::https_options`]). Returns the
/// endpoint, its certificate (PEM), and the directory of its files.
fn https_endpoint(
    scheme: &str,
    algorithm: &'static rcgen::SignatureAlgorithm,
    binding: Option<&str>,
) -> Option<(Endpoint, String, std::path::PathBuf)> {
    let dir = tmp("tls");
    std::fs::create_dir_all(&dir).unwrap();
    let (options, pem) = tls::https_options(&dir, algorithm, binding);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let endpoint = Endpoint::start(scheme, &options)?;
    Some((endpoint, pem, dir))
}

/// Calls GetImItemList on `endpoint` with NTLM in `scheme`, trusting `certificate`.
async fn call_over_https(
    endpoint: &Endpoint,
    scheme: &str,
    certificate: &str,
) -> Result<(), Error> {
    let builder = Client::builder(endpoint.url()).root_certificates_pem(certificate);
    let password = Secret::new("Summer-2026!");
    let builder = match scheme {
        "NTLM" => builder.ntlm(r"CONTOSO\alice", password),
        _ => builder.negotiate(r"CONTOSO\alice", password),
    };
    builder.build()?.get_im_item_list().await.map(drop)
}

#[tokio::test]
async fn a_server_requiring_channel_binding_accepts_the_bound_ntlm_handshake() {
    for (scheme, algorithm) in [
        ("NTLM", &rcgen::PKCS_ECDSA_P256_SHA256),
        ("NTLM", &rcgen::PKCS_ECDSA_P384_SHA384),
        ("Negotiate", &rcgen::PKCS_ECDSA_P256_SHA256),
    ] {
        let Some((endpoint, certificate, dir)) = https_endpoint(scheme, algorithm, Some("served"))
        else {
            return;
        };
        call_over_https(&endpoint, scheme, &certificate)
            .await
            .unwrap_or_else(|e| panic!("{scheme} {algorithm:?}: {e}"));
        let stats = endpoint.stats().await;
        assert_eq!(stats["handshakes"], 1, "{stats}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn a_binding_to_another_certificate_is_refused() {
    let Some((endpoint, certificate, dir)) =
        https_endpoint("NTLM", &rcgen::PKCS_ECDSA_P256_SHA256, Some("other"))
    else {
        return;
    };
    let err = call_over_https(&endpoint, "NTLM", &certificate)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                credentials_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(endpoint.stats().await["failed"], 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_handshake_without_a_binding_is_refused_where_one_is_required() {
    // Plain HTTP to a server that requires a binding (as behind a proxy that ends TLS): the
    // client has no TLS channel to bind to and sends none.
    let dir = tmp("binding-over-http");
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, _, _) = tls::certificate_files(&rcgen::PKCS_ECDSA_P256_SHA256, &dir, "server");
    let Some(endpoint) = Endpoint::start("NTLM", &["--binding-of", cert.to_str().unwrap()]) else {
        return;
    };
    let err = ntlm_client(&endpoint, r"CONTOSO\alice", "Summer-2026!")
        .get_im_item_list()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(endpoint.stats().await["failed"], 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_server_not_asking_for_a_binding_accepts_the_bound_handshake() {
    let Some((endpoint, certificate, dir)) =
        https_endpoint("NTLM", &rcgen::PKCS_ECDSA_P256_SHA256, None)
    else {
        return;
    };
    call_over_https(&endpoint, "NTLM", &certificate)
        .await
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
