//! What `tracing` records of Kerberos calls, at every level: never the password, a ticket or
//! a token; and what Debug output shows of a client with Kerberos credentials. Alone in its
//! test binary, as `logging.rs` is, so that no other test touches the callsites first.
#![cfg(feature = "kerberos")]

mod common;
#[path = "common/kerberos.rs"]
mod kerberos;
#[path = "common/windows_auth.rs"]
mod windows_auth;

use ews_bindings::{Client, Secret};

#[tokio::test(flavor = "current_thread")]
async fn kerberos_calls_log_no_password_ticket_or_token() {
    let Some(realms) = kerberos::realms() else {
        return;
    };
    let (captured, _guard) = common::capture_logs();
    let endpoint = realms.endpoint(&realms.main, "Negotiate", &["--no-ntlm"]);
    let url = endpoint.url_on("localhost");
    let password = "Summer-2026!";
    let builder = Client::builder(&url).kerberos(r"EWS.TEST\alice", Secret::new(password));
    let client = builder.clone().build().unwrap();
    client.get_im_item_list().await.unwrap();
    let refused = Client::builder(&url)
        .kerberos(r"EWS.TEST\alice", Secret::new("Wrong-Summer-2026!"))
        .build()
        .unwrap()
        .get_im_item_list()
        .await
        .unwrap_err();
    tracing::error!("call failed: {refused} / {refused:?}");
    let logs = captured.text();
    assert!(logs.contains("ews.call"), "the calls were traced: {logs}");
    assert!(
        logs.contains("Kerberos"),
        "the handshake was traced: {logs}"
    );
    assert!(!logs.contains("Summer-2026!"), "{logs}");
    // A Kerberos token (an AP-REQ holding the ticket) starts with 0x60 0x82: `YII` in base64.
    assert!(!logs.contains("Negotiate YII"), "no token: {logs}");
    let debug = format!("{builder:?} {client:?} {refused:?}");
    assert!(!debug.contains("Summer-2026!"), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}
