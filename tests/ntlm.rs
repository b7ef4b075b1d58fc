//! Windows authentication against an independent NTLM implementation: a loopback EWS
//! endpoint (`tests/tools/ntlm_server.py`) whose handshakes pyspnego's NTLM acceptor checks,
//! NTLMv2 only (`LM_COMPAT_LEVEL=5`), one authentication per connection as IIS does it.
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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{page_fixture, python, shared_dir};
use ews_bindings::{Client, Error, Secret};
use serde_json::Value;

/// The users the endpoint knows (pyspnego's `DOMAIN:USER:PASSWORD` file).
const USERS: &str =
    "CONTOSO:alice:Summer-2026!\n:bob@contoso.com:Winter-2026!\n:carol:Spring-2026!\n";

/// The endpoint, killed when dropped, and the files it reads.
struct Endpoint {
    child: Child,
    port: u16,
    files: [PathBuf; 2],
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// A file of this endpoint's own: tests run in parallel, and a server reading a file that
/// another test is rewriting (the users file is read at every handshake) would fail.
fn tmp(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ntlm");
    std::fs::create_dir_all(&dir).unwrap();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{}-{n}-{name}", std::process::id()))
}

impl Endpoint {
    /// Starts the endpoint offering `scheme`, with the server's `options`; `None` without a
    /// Python to run it.
    fn start(scheme: &str, options: &[&str]) -> Option<Endpoint> {
        Self::serving(scheme, &page_fixture("response.xml"), options)
    }

    /// Starts the endpoint answering every authenticated POST with `answer`.
    fn serving(scheme: &str, answer: &str, options: &[&str]) -> Option<Endpoint> {
        let python = python()?;
        let users = tmp("users");
        std::fs::write(&users, USERS).unwrap();
        let response = tmp("response.xml");
        std::fs::write(&response, answer).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/ntlm_server.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(scheme)
            .arg(&response)
            .args(options)
            .env("NTLM_USER_FILE", &users)
            .env("LM_COMPAT_LEVEL", "5")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the NTLM endpoint starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the endpoint printed {line:?}, not its port"));
        Some(Endpoint {
            child,
            port,
            files: [users, response],
        })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/EWS/Exchange.asmx", self.port)
    }

    /// A client of the endpoint authenticating with NTLM as `user`.
    fn ntlm_client(&self, user: &str, password: &str) -> Client {
        Client::builder(self.url())
            .ntlm(user, Secret::new(password))
            .build()
            .unwrap()
    }

    /// What the endpoint counted: handshakes, failed handshakes, answers, users.
    async fn stats(&self) -> Value {
        let url = format!("http://127.0.0.1:{}/stats", self.port);
        let text = reqwest::get(url).await.unwrap().text().await.unwrap();
        serde_json::from_str(&text).unwrap()
    }
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
        let client = endpoint.ntlm_client(user, password);
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
    let client = endpoint.ntlm_client(r"CONTOSO\alice", "Autumn-2026!");
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
    let client = endpoint.ntlm_client(r"CONTOSO\alice", "Summer-2026!");
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
    let client = endpoint.ntlm_client(r"CONTOSO\alice", "Summer-2026!");
    client.get_im_item_list().await.unwrap();
    client.get_im_item_list().await.unwrap();
    assert_eq!(endpoint.stats().await["handshakes"], 2);
}

#[tokio::test]
async fn a_401_on_an_authenticated_connection_redoes_the_handshake() {
    let Some(endpoint) = Endpoint::start("NTLM", &["--reauth-after", "1"]) else {
        return;
    };
    let client = endpoint.ntlm_client(r"CONTOSO\alice", "Summer-2026!");
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
    let client = endpoint.ntlm_client(r"CONTOSO\alice", "Summer-2026!");
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
