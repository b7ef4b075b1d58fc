//! Kerberos against implementations nobody here wrote: throwaway MIT Kerberos realms on
//! loopback (their KDCs, `tests/tools/kdc.py`) and a loopback EWS endpoint whose handshakes
//! MIT's GSSAPI acceptor checks (`tests/tools/windows_auth_server.py`, python-gssapi), NTLM
//! by pyspnego. The client is the system's GSSAPI, configured for the realms through the
//! process environment (see `common/kerberos.rs`).
#![cfg(feature = "kerberos")]
// The command tested includes the argument handling of examples/common.
#![allow(clippy::duplicate_mod)]

mod common;
#[allow(dead_code)]
#[path = "../examples/ews.rs"]
mod ews;
#[path = "common/kerberos.rs"]
mod kerberos;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/windows_auth.rs"]
mod windows_auth;

use ews_bindings::{Client, ClientBuilder, Error, ImItemListResponse, KerberosFailure, Secret};
use kerberos::{realms, Realms};
use windows_auth::{tmp, Endpoint};

/// alice's password in the realms.
const PASSWORD: &str = "Summer-2026!";

/// A client of `endpoint` on `localhost` (so that the default service name is
/// HTTP/localhost, which the realms know).
fn client(endpoint: &Endpoint) -> ClientBuilder {
    Client::builder(endpoint.url_on("localhost"))
}

/// Builds a client and calls GetImItemList with it.
trait Get {
    async fn get(self) -> Result<ImItemListResponse, Error>;
}

impl Get for ClientBuilder {
    async fn get(self) -> Result<ImItemListResponse, Error> {
        self.build()?.get_im_item_list().await
    }
}

/// The error of GetImItemList on `endpoint` (on localhost) with Kerberos as `user`.
async fn refused(endpoint: &Endpoint, user: &str, password: &str) -> Error {
    client(endpoint)
        .kerberos(user, Secret::new(password))
        .get()
        .await
        .unwrap_err()
}

/// The failure of a Kerberos error, or a panic.
fn failure(err: Error) -> KerberosFailure {
    match err {
        Error::Kerberos { failure, .. } => failure,
        other => panic!("not a Kerberos error: {other:?}"),
    }
}

/// The realms and an endpoint of EWS.TEST offering `scheme` with `options`.
fn setup(scheme: &str, options: &[&str]) -> Option<(&'static Realms, Endpoint)> {
    let realms = realms()?;
    let endpoint = realms.endpoint(&realms.main, scheme, options);
    Some((realms, endpoint))
}

#[tokio::test]
async fn the_right_password_gets_the_answer_and_the_server_proves_itself() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    for user in [r"EWS.TEST\alice", r"ews.test\alice"] {
        let client = client(&endpoint)
            .kerberos(user, Secret::new(PASSWORD))
            .build()
            .unwrap();
        let list = client.get_im_item_list().await.unwrap();
        assert!(!list.groups.is_empty());
    }
    let stats = endpoint.stats().await;
    assert_eq!(stats["handshakes"], 2, "{stats}");
    assert_eq!(
        stats["users"],
        serde_json::json!(["alice@EWS.TEST", "alice@EWS.TEST"])
    );
    assert_eq!(
        stats["protocols"],
        serde_json::json!(["kerberos", "kerberos"])
    );
}

#[tokio::test]
async fn a_user_at_domain_name_is_the_principal_in_the_realm_of_the_domain() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    client(&endpoint)
        .kerberos("alice@ews.test", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap();
    let stats = endpoint.stats().await;
    assert_eq!(stats["users"], serde_json::json!(["alice@EWS.TEST"]));
}

#[tokio::test]
async fn an_authenticated_connection_serves_the_next_calls_and_concurrent_calls_work() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    let client = client(&endpoint)
        .kerberos(r"EWS.TEST\alice", Secret::new(PASSWORD))
        .build()
        .unwrap();
    for _ in 0..3 {
        client.get_im_item_list().await.unwrap();
    }
    assert_eq!(endpoint.stats().await["handshakes"], 1);
    let calls = (0..6).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_im_item_list().await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    let stats = endpoint.stats().await;
    assert_eq!(stats["failed"], 0, "{stats}");
    assert_eq!(stats["answers"], 9, "{stats}");
}

#[tokio::test]
async fn a_wrong_password_is_a_failed_pre_authentication() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    let err = refused(&endpoint, r"EWS.TEST\alice", "Autumn-2026!").await;
    let message = err.to_string();
    assert_eq!(
        failure(err),
        KerberosFailure::WrongPassword {
            user: r"EWS.TEST\alice".to_owned()
        }
    );
    assert!(message.contains("pre-authentication failed"), "{message}");
    assert_eq!(endpoint.stats().await["handshakes"], 0);
}

#[tokio::test]
async fn an_unknown_user_says_so() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    let err = refused(&endpoint, r"EWS.TEST\mallory", PASSWORD).await;
    assert_eq!(
        failure(err),
        KerberosFailure::UnknownUser {
            user: r"EWS.TEST\mallory".to_owned()
        }
    );
}

#[tokio::test]
async fn the_service_name_defaults_to_the_urls_host_and_can_be_given() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    // The URL names 127.0.0.1, under which the realm knows no service.
    let on_ip = |spn: Option<&str>| {
        let builder =
            Client::builder(endpoint.url()).kerberos(r"EWS.TEST\alice", Secret::new(PASSWORD));
        match spn {
            Some(spn) => builder.spn(spn),
            None => builder,
        }
        .build()
        .unwrap()
    };
    let err = on_ip(None).get_im_item_list().await.unwrap_err();
    let message = err.to_string();
    assert_eq!(
        failure(err),
        KerberosFailure::UnknownService {
            spn: "HTTP/127.0.0.1".to_owned()
        }
    );
    assert!(message.contains("--spn"), "{message}");
    on_ip(Some("HTTP/mail.ews.test"))
        .get_im_item_list()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_kdc_that_does_not_answer_says_where_to_set_it() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    // DOWN.TEST's KDC, in krb5.conf, does not listen.
    let err = refused(&endpoint, r"DOWN.TEST\alice", PASSWORD).await;
    let message = err.to_string();
    let KerberosFailure::KdcUnreachable { realm, .. } = failure(err) else {
        panic!("{message}")
    };
    assert_eq!(realm, "DOWN.TEST");
    assert!(message.contains("--kdc"), "{message}");
    assert!(message.contains("--auth negotiate"), "{message}");
    assert_eq!(endpoint.stats().await["handshakes"], 0);
}

#[tokio::test]
async fn a_realm_with_no_known_kdc_says_how_to_name_one() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    let err = refused(&endpoint, r"NOWHERE.TEST\alice", PASSWORD).await;
    assert_eq!(
        failure(err),
        KerberosFailure::NoKdc {
            realm: "NOWHERE.TEST".to_owned()
        }
    );
}

#[tokio::test]
async fn a_bare_user_name_is_in_the_default_realm() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    client(&endpoint)
        .kerberos("alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap();
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["alice@EWS.TEST"])
    );
}

#[tokio::test]
async fn a_server_that_cannot_prove_itself_is_not_trusted() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm", "--bad-final-token"]) else {
        return;
    };
    let err = refused(&endpoint, r"EWS.TEST\alice", PASSWORD).await;
    let failure = failure(err);
    assert!(
        matches!(failure, KerberosFailure::MutualAuthentication { .. }),
        "{failure:?}"
    );
}

#[tokio::test]
async fn a_clock_too_far_from_the_kdcs_says_so() {
    // SKEW.TEST's KDC runs an hour ahead; the client does not take the KDC's time
    // (kdc_timesync = 0 in its krb5.conf).
    let Some(realms) = realms() else {
        return;
    };
    let endpoint = realms.endpoint(&realms.skewed, "Negotiate", &["--no-ntlm"]);
    let err = client(&endpoint)
        .spn("HTTP/localhost@SKEW.TEST")
        .kerberos(r"SKEW.TEST\alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert_eq!(failure(err), KerberosFailure::ClockSkew);
    assert!(message.contains("clock"), "{message}");
}

#[tokio::test]
async fn a_ticket_in_the_credential_cache_is_used_without_a_password() {
    let Some((realms, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    let from_cache = || client(&endpoint).kerberos_from_cache().build().unwrap();
    // The cache is empty until kinit; no other test of this binary uses it.
    let err = from_cache().get_im_item_list().await.unwrap_err();
    let message = err.to_string();
    assert_eq!(failure(err), KerberosFailure::NoTicket);
    assert!(message.contains("kinit"), "{message}");
    realms.kinit("alice@EWS.TEST", PASSWORD);
    from_cache().get_im_item_list().await.unwrap();
    // The command line, --auth kerberos without --user, takes the same ticket.
    let url = endpoint.url_on("localhost");
    let argv = [
        "ews",
        "GetImItemList",
        "--request",
        "-",
        "--url",
        &url,
        "--auth",
        "kerberos",
    ];
    let request = br#"<m:GetImItemList xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ews::run(argv, &|_| None, &mut &request[..], &mut out, &mut err).await;
    assert_eq!(code, ews::SUCCESS, "{}", String::from_utf8_lossy(&err));
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["alice@EWS.TEST", "alice@EWS.TEST"])
    );
    std::fs::remove_file(&realms.ccache).unwrap();
}

#[tokio::test]
async fn negotiate_prefers_kerberos() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    client(&endpoint)
        .negotiate(r"EWS.TEST\alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap();
    assert_eq!(
        endpoint.stats().await["protocols"],
        serde_json::json!(["kerberos"])
    );
}

#[tokio::test]
async fn negotiate_falls_back_to_ntlm_inside_spnego_where_kerberos_cannot_be_used() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    // CONTOSO has no KDC anywhere: NTLM stands in, for a user the NTLM acceptor knows.
    Client::builder(endpoint.url_on("localhost"))
        .negotiate(r"CONTOSO\alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap();
    let stats = endpoint.stats().await;
    assert_eq!(stats["protocols"], serde_json::json!(["ntlm"]), "{stats}");
    assert_eq!(
        stats["users"],
        serde_json::json!([r"CONTOSO\alice"]),
        "{stats}"
    );
}

#[tokio::test]
async fn without_the_fallback_ntlm_is_never_sent() {
    let Some((_, endpoint)) = setup("Negotiate", &[]) else {
        return;
    };
    let err = Client::builder(endpoint.url_on("localhost"))
        .kerberos(r"CONTOSO\alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(failure(err), KerberosFailure::NoKdc { .. }),
        "Kerberos alone has no KDC for CONTOSO"
    );
    assert_eq!(endpoint.stats().await["protocols"], serde_json::json!([]));
}

#[tokio::test]
async fn a_server_with_ntlm_turned_off_refuses_the_fallback() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    let err = Client::builder(endpoint.url_on("localhost"))
        .negotiate(r"CONTOSO\alice", Secret::new(PASSWORD))
        .get()
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
}

#[tokio::test]
async fn a_server_offering_only_ntlm_gets_ntlm_from_negotiate_and_an_error_from_kerberos() {
    let Some((_, endpoint)) = setup("NTLM", &[]) else {
        return;
    };
    let err = refused(&endpoint, r"EWS.TEST\alice", PASSWORD).await;
    let message = err.to_string();
    assert_eq!(
        failure(err),
        KerberosFailure::NotOffered {
            offered: "NTLM".to_owned()
        }
    );
    assert!(message.contains("--auth negotiate"), "{message}");
    client(&endpoint)
        .negotiate(r"CONTOSO\alice", Secret::new(PASSWORD))
        .get()
        .await
        .unwrap();
    assert_eq!(
        endpoint.stats().await["protocols"],
        serde_json::json!(["ntlm"])
    );
}

/// An HTTPS endpoint of EWS.TEST requiring the channel binding of `bound_to` ("served":
/// its own certificate's, "other": another's), its certificate signed with `algorithm`; the
/// endpoint, its certificate (PEM) and the directory of its files.
fn https_endpoint(
    realms: &Realms,
    algorithm: &'static rcgen::SignatureAlgorithm,
    bound_to: &str,
) -> (Endpoint, String, std::path::PathBuf) {
    let dir = tmp("kerberos-tls");
    std::fs::create_dir_all(&dir).unwrap();
    let (options, pem) = tls::https_options(&dir, algorithm, Some(bound_to));
    let args: Vec<&str> = std::iter::once("--no-ntlm")
        .chain(options.iter().map(String::as_str))
        .collect();
    let endpoint = realms.endpoint(&realms.main, "Negotiate", &args);
    (endpoint, pem, dir)
}

/// GetImItemList over HTTPS with Kerberos, the endpoint's certificate trusted.
async fn kerberos_over_https(endpoint: &Endpoint, certificate: &str) -> Result<(), Error> {
    client(endpoint)
        .root_certificates_pem(certificate)
        .kerberos(r"EWS.TEST\alice", Secret::new(PASSWORD))
        .get()
        .await
        .map(drop)
}

#[tokio::test]
async fn a_server_requiring_channel_binding_accepts_the_bound_ticket() {
    let Some(realms) = realms() else {
        return;
    };
    for algorithm in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
    ] {
        let (endpoint, certificate, dir) = https_endpoint(realms, algorithm, "served");
        kerberos_over_https(&endpoint, &certificate)
            .await
            .unwrap_or_else(|e| panic!("{algorithm:?}: {e}"));
        assert_eq!(endpoint.stats().await["handshakes"], 1);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn a_ticket_bound_to_another_channel_is_refused() {
    let Some(realms) = realms() else {
        return;
    };
    let (endpoint, certificate, dir) =
        https_endpoint(realms, &rcgen::PKCS_ECDSA_P256_SHA256, "other");
    let err = kerberos_over_https(&endpoint, &certificate)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(endpoint.stats().await["failed"], 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_ticket_without_a_binding_is_refused_where_one_is_required() {
    let Some(realms) = realms() else {
        return;
    };
    // Plain HTTP to a server requiring a binding (TLS ended in front of it): none is sent.
    let dir = tmp("kerberos-http-binding");
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, _, _) = tls::certificate_files(&rcgen::PKCS_ECDSA_P256_SHA256, &dir, "server");
    let endpoint = realms.endpoint(
        &realms.main,
        "Negotiate",
        &["--no-ntlm", "--binding-of", cert.to_str().unwrap()],
    );
    let err = refused(&endpoint, r"EWS.TEST\alice", PASSWORD).await;
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    assert_eq!(endpoint.stats().await["failed"], 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_certificate_that_allows_no_binding_is_named_when_the_server_refuses() {
    let Some(realms) = realms() else {
        return;
    };
    // An Ed25519 signature names no hash function, so RFC 5929 defines no binding for it.
    let dir = tmp("kerberos-ed25519");
    std::fs::create_dir_all(&dir).unwrap();
    let Some((cert, key, pem)) = tls::openssl_certificate_files("ed25519", &dir, "served") else {
        return;
    };
    let args = [
        "--no-ntlm",
        "--tls",
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
        "--binding-of",
        cert.to_str().unwrap(),
    ];
    let endpoint = realms.endpoint(&realms.main, "Negotiate", &args);
    let err = kerberos_over_https(&endpoint, &pem).await.unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, Error::ChannelBindingUnavailable { .. }),
        "{err:?}"
    );
    assert!(message.contains("Extended Protection"), "{message}");
    assert!(message.contains("1.3.101.112"), "{message}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_command_line_authenticates_with_auth_kerberos() {
    let Some((_, endpoint)) = setup("Negotiate", &["--no-ntlm"]) else {
        return;
    };
    let url = endpoint.url_on("localhost");
    let argv = [
        "ews",
        "GetImItemList",
        "--request",
        "-",
        "--url",
        &url,
        "--auth",
        "kerberos",
        "--user",
        "alice@ews.test",
    ];
    let env = |name: &str| (name == "EWS_PASSWORD").then(|| PASSWORD.to_owned());
    let request = br#"<m:GetImItemList xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ews::run(argv, &env, &mut &request[..], &mut out, &mut err).await;
    assert_eq!(code, ews::SUCCESS, "{}", String::from_utf8_lossy(&err));
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["alice@EWS.TEST"])
    );
}
