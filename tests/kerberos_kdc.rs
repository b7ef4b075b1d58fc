//! `--kdc` of the command line tools: a realm that no krb5.conf names is reached through the
//! KDC given on the command line. A binary of its own, with one test: `--kdc` sets the
//! process's Kerberos configuration (KRB5_CONFIG), which a process reads as a whole.
#![cfg(feature = "kerberos")]
// The command tested includes the argument handling of examples/common.
#![allow(clippy::duplicate_mod)]

mod common;
#[allow(dead_code)]
#[path = "../examples/ews.rs"]
mod ews;
#[path = "common/kerberos.rs"]
mod kerberos;
#[path = "common/windows_auth.rs"]
mod windows_auth;

#[tokio::test]
async fn the_command_line_reaches_the_kdc_it_names() {
    let Some(realm) = kerberos::lone_realm("KDC.TEST") else {
        return;
    };
    let endpoint = realm.endpoint("Negotiate", &["--no-ntlm"]);
    let url = endpoint.url_on("localhost");
    let kdc = format!("127.0.0.1:{}", realm.port);
    let request = br#"<m:GetImItemList xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;
    let env = |name: &str| (name == "EWS_PASSWORD").then(|| "Summer-2026!".to_owned());
    let run = |kdc: Option<String>| {
        let url = url.clone();
        async move {
            let mut argv = vec!["ews", "GetImItemList", "--request", "-", "--url", &url];
            argv.extend(["--auth", "kerberos", "--user", r"KDC.TEST\alice"]);
            argv.extend(["--spn", "HTTP/localhost@KDC.TEST"]);
            if let Some(kdc) = &kdc {
                argv.extend(["--kdc", kdc]);
            }
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let code = ews::run(argv, &env, &mut &request[..], &mut out, &mut err).await;
            (code, String::from_utf8(err).unwrap())
        }
    };
    // No krb5.conf names KDC.TEST: without --kdc, no KDC is known.
    std::env::set_var("KRB5_CONFIG", "/nonexistent/krb5.conf");
    let (code, err) = run(None).await;
    assert_ne!(code, ews::SUCCESS);
    assert!(
        err.contains("no KDC is known for the realm KDC.TEST"),
        "{err}"
    );
    assert!(err.contains("--kdc"), "{err}");
    let (code, err) = run(Some(kdc)).await;
    assert_eq!(code, ews::SUCCESS, "{err}");
    assert_eq!(
        endpoint.stats().await["users"],
        serde_json::json!(["alice@KDC.TEST"])
    );
}
