//! The `ews` command (examples/ews.rs), run in-process against the loopback endpoint: each
//! exit status, a request from standard input, a SOAP envelope as the request file, `--xml`,
//! and an unknown operation name.

mod common;
#[path = "common/tls.rs"]
mod tls;

#[allow(dead_code)]
#[path = "../examples/ews.rs"]
mod ews;

use common::page_fixture;
use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::operation::GetImItemList;
use ews_bindings::soap;

/// What a run gave: exit status, standard output, standard error.
struct Run {
    code: u8,
    out: String,
    err: String,
}

/// Runs `ews` with `args`, `stdin`, and an empty environment.
async fn ews(args: &[&str], stdin: &str) -> Run {
    ews_in(&[], args, stdin).await
}

/// Runs `ews` with the environment variables `env` (and no others).
async fn ews_in(env: &[(&str, &str)], args: &[&str], stdin: &str) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("ews").chain(args.iter().copied());
    let lookup = |name: &str| {
        env.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    };
    let code = ews::run(argv, &lookup, &mut stdin.as_bytes(), &mut out, &mut err).await;
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

/// A file under the target directory holding `text`.
fn file(name: &str, text: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const GET_IM_ITEM_LIST: &str =
    r#"<m:GetImItemList xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;

/// Runs `ews GetImItemList --request - --url url extra…`, the request on standard input.
async fn get_im_item_list(url: &str, extra: &[&str]) -> Run {
    let args = [
        &["GetImItemList", "--request", "-", "--url", url][..],
        extra,
    ]
    .concat();
    ews(&args, GET_IM_ITEM_LIST).await
}

#[tokio::test]
async fn a_request_from_standard_input_prints_the_response_as_json() {
    let server = MockServer::start(vec![MockResponse::xml(page_fixture("response.xml"))])
        .await
        .unwrap();
    let url = server.url();
    let run = get_im_item_list(&url, &["--culture", "en-US"]).await;
    assert_eq!(run.code, ews::SUCCESS, "{}", run.err);
    let json: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    let groups = &json["output"]["im_item_list"]["groups"];
    assert!(groups.as_array().is_some_and(|g| !g.is_empty()), "{json}");
    let wire = server.requests().pop().unwrap().text();
    assert!(
        wire.contains("<t:MailboxCulture>en-US</t:MailboxCulture>"),
        "{wire}"
    );
}

#[tokio::test]
async fn an_envelope_file_sends_its_body_with_the_commands_headers() {
    let server = MockServer::start(vec![MockResponse::xml(page_fixture("response.xml"))])
        .await
        .unwrap();
    let url = server.url();
    // The GetImItemList reference page's request: an envelope whose header asks for Exchange2013.
    let request = file("envelope.xml", &page_fixture("request.xml"));
    let run = ews(
        &[
            "GetImItemList",
            "--request",
            &request,
            "--url",
            &url,
            "--version",
            "Exchange2016",
        ],
        "",
    )
    .await;
    assert_eq!(run.code, ews::SUCCESS, "{}", run.err);
    let wire = server.requests().pop().unwrap().text();
    assert!(wire.contains(r#"Version="Exchange2016""#), "{wire}");
    assert!(!wire.contains(r#"Version="Exchange2013""#), "{wire}");
    assert!(wire.contains("GetImItemList"), "{wire}");
}

#[tokio::test]
async fn xml_output_is_the_typed_response_written_back() {
    let response = page_fixture("response.xml");
    let server = MockServer::start(vec![MockResponse::xml(response.clone())])
        .await
        .unwrap();
    let url = server.url();
    let run = get_im_item_list(&url, &["--xml"]).await;
    assert_eq!(run.code, ews::SUCCESS, "{}", run.err);
    let printed = soap::read_response::<GetImItemList>(run.out.as_bytes()).unwrap();
    let served = soap::read_response::<GetImItemList>(response.as_bytes()).unwrap();
    assert_eq!(printed, served);
}

#[tokio::test]
async fn a_failed_call_exits_1_with_the_error() {
    let server = MockServer::start(vec![
        MockResponse::xml(page_fixture("fault.xml")).with_status(500)
    ])
    .await
    .unwrap();
    let url = server.url();
    let run = get_im_item_list(&url, &[]).await;
    assert_eq!(run.code, ews::FAILED);
    assert!(run.err.starts_with("error: "), "{}", run.err);
    assert!(run.out.is_empty(), "{}", run.out);
}

#[tokio::test]
async fn a_request_of_another_operation_exits_1_naming_both() {
    let run = ews(
        &["GetImItemList", "--request", "-", "--url", "http://127.0.0.1:9/EWS/Exchange.asmx"],
        r#"<m:GetImItemList2 xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#,
    )
    .await;
    assert_eq!(run.code, ews::FAILED);
    assert!(
        run.err
            .contains("standard input is not a GetImItemList request"),
        "{}",
        run.err
    );
}

#[tokio::test]
async fn an_unknown_operation_exits_1_naming_the_known_ones() {
    let run = |operation: &'static str| {
        let args = [operation, "--request", "-", "--url", "http://127.0.0.1:9/"];
        async move { ews(&args, "").await }
    };
    // A name far from every known one: the known ones, one a line.
    let far = run("SubscribeToEverything").await;
    assert_eq!(far.code, ews::FAILED);
    assert!(
        far.err
            .contains(r#"unknown operation "SubscribeToEverything"; this build knows"#),
        "{}",
        far.err
    );
    for op in ews_bindings::operation::OPERATIONS {
        assert!(
            far.err.contains(&format!("\n  {op}")),
            "{op} is not named: {}",
            far.err
        );
    }
    // A name off by its letter case or a letter or two: the one meant.
    for (typed, meant) in [
        ("getimitemlist", "GetImItemList"),
        ("GetImItem", "GetImItems"),
    ] {
        let near = run(typed).await;
        assert_eq!(near.code, ews::FAILED);
        assert!(
            near.err.contains(&format!("did you mean {meant}?")),
            "{typed}: {}",
            near.err
        );
    }
}

#[tokio::test]
async fn help_succeeds_and_a_missing_argument_fails() {
    let help = ews(&["--help"], "").await;
    assert_eq!(help.code, ews::SUCCESS);
    assert!(help.out.contains("--request <FILE>"), "{}", help.out);
    let missing = ews(&["GetImItemList"], "").await;
    assert_eq!(missing.code, ews::FAILED);
    assert!(missing.err.contains("--request"), "{}", missing.err);
}

/// GetItem of three ids, the second gone: the two messages print, the error goes to
/// standard error, and the exit status says some items failed.
#[cfg(feature = "all-operations")]
#[tokio::test]
async fn some_failed_items_exit_2_each_printed() {
    const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
    const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
    let message = |id: &str| {
        format!(
            r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message><t:ItemId Id="{id}"/></t:Message></m:Items></m:GetItemResponseMessage>"#
        )
    };
    let response = format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages>{}<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The specified object was not found in the store.</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>{}</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#,
        message("a"),
        message("c")
    );
    let request = format!(
        r#"<m:GetItem xmlns:m="{M}" xmlns:t="{T}"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="a"/><t:ItemId Id="b"/><t:ItemId Id="c"/></m:ItemIds></m:GetItem>"#
    );
    for xml in [false, true] {
        let server = MockServer::start(vec![MockResponse::xml(response.clone())])
            .await
            .unwrap();
        let url = server.url();
        let mut args = vec![
            "GetItem",
            "--request",
            "-",
            "--url",
            &url,
            "--timezone",
            "UTC",
        ];
        if xml {
            args.push("--xml");
        }
        let run = ews(&args, &request).await;
        assert_eq!(run.code, ews::ITEMS_FAILED, "{}", run.err);
        assert_eq!(
            run.err.trim(),
            "item 1 failed: EWS error ErrorItemNotFound: The specified object was not found in the store."
        );
        if xml {
            assert!(run.out.contains(r#"<t:ItemId Id="c"/>"#), "{}", run.out);
        } else {
            let json: serde_json::Value = serde_json::from_str(&run.out).unwrap();
            let classes: Vec<&str> = (0..3)
                .map(|i| json["output"][i]["class"].as_str().unwrap())
                .collect();
            assert_eq!(classes, ["Success", "Error", "Success"]);
        }
        let wire = server.requests().pop().unwrap().text();
        assert!(
            wire.contains(r#"<t:TimeZoneDefinition Id="UTC"/>"#),
            "{wire}"
        );
    }
}

#[tokio::test]
async fn the_size_limit_can_be_raised_and_lowered() {
    let big = ews_bindings::mock::workload::im_item_list_response(100, 1);
    assert!(big.len() > 1 << 20);
    let server = MockServer::start(vec![MockResponse::xml(big)])
        .await
        .unwrap();
    let url = server.url();
    let small = get_im_item_list(&url, &["--max-response-mb", "1"]).await;
    assert_eq!(small.code, ews::FAILED);
    assert!(
        small
            .err
            .contains("limit of 1 MB; raise it with --max-response-mb"),
        "{}",
        small.err
    );
    let enough = get_im_item_list(&url, &["--max-response-mb", "8"]).await;
    assert_eq!(enough.code, ews::SUCCESS, "{}", enough.err);
}

#[tokio::test]
async fn a_timeout_names_the_option_that_raises_it() {
    let slow = MockResponse::xml(page_fixture("response.xml"))
        .with_delay(std::time::Duration::from_secs(3));
    let server = MockServer::start(vec![slow]).await.unwrap();
    let run = get_im_item_list(&server.url(), &["--timeout", "1"]).await;
    assert_eq!(run.code, ews::FAILED);
    assert!(
        run.err
            .contains("no complete answer within 1 s; raise the limit with --timeout SECONDS"),
        "{}",
        run.err
    );
}

/// The `Authorization` header a run with `env` and `args` sends (`None`: none).
async fn authorization(env: &[(&str, &str)], args: &[&str]) -> Option<String> {
    let server = MockServer::start(vec![MockResponse::xml(page_fixture("response.xml"))])
        .await
        .unwrap();
    let url = server.url();
    let mut argv = vec!["GetImItemList", "--request", "-", "--url", &url];
    argv.extend_from_slice(args);
    let run = ews_in(env, &argv, GET_IM_ITEM_LIST).await;
    assert_eq!(run.code, ews::SUCCESS, "{}", run.err);
    let request = server.requests().pop().unwrap();
    request.header("authorization").map(str::to_owned)
}

#[tokio::test]
async fn user_takes_the_password_from_ews_password_and_leaves_ews_token_alone() {
    let env = [("EWS_PASSWORD", "pw"), ("EWS_TOKEN", "from-env")];
    // base64("alice:pw")
    assert_eq!(
        authorization(&env, &["--user", "alice"]).await.as_deref(),
        Some("Basic YWxpY2U6cHc=")
    );
}

#[tokio::test]
async fn without_user_the_token_option_comes_before_ews_token() {
    let env = [("EWS_TOKEN", "from-env")];
    assert_eq!(
        authorization(&env, &["--token", "given"]).await.as_deref(),
        Some("Bearer given")
    );
    assert_eq!(
        authorization(&env, &[]).await.as_deref(),
        Some("Bearer from-env")
    );
    assert_eq!(authorization(&[], &[]).await, None);
}

#[tokio::test]
async fn user_without_ews_password_fails_naming_it() {
    let run = ews_in(
        &[("EWS_TOKEN", "from-env")],
        &[
            "GetImItemList",
            "--request",
            "-",
            "--url",
            "http://127.0.0.1:9/",
            "--user",
            "alice",
        ],
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(run.code, ews::FAILED);
    assert!(
        run.err
            .contains("--user needs the password in the EWS_PASSWORD"),
        "{}",
        run.err
    );
}

#[tokio::test]
async fn ca_cert_trusts_a_private_authority() {
    let (_backend, url, ca) = tls::sample_endpoint().await;
    let args = ["GetImItemList", "--request", "-", "--url", &url];
    let refused = ews(&args, GET_IM_ITEM_LIST).await;
    assert_eq!(refused.code, ews::FAILED);
    assert!(refused.err.contains("--ca-cert FILE"), "{}", refused.err);
    let ca_file = file("company-ca.pem", &ca);
    let trusted = ews(
        &[&args[..], &["--ca-cert", &ca_file]].concat(),
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(trusted.code, ews::SUCCESS, "{}", trusted.err);
    let unchecked = ews(
        &[&args[..], &["--danger-accept-invalid-certs"]].concat(),
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(unchecked.code, ews::SUCCESS, "{}", unchecked.err);
    let missing = ews(
        &[&args[..], &["--ca-cert", "/nonexistent/ca.pem"]].concat(),
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(missing.code, ews::FAILED);
    assert!(
        missing
            .err
            .contains("cannot read the --ca-cert file /nonexistent/ca.pem"),
        "{}",
        missing.err
    );
}

#[tokio::test]
async fn auth_ntlm_and_negotiate_open_a_handshake_with_the_user_given() {
    let env = [("EWS_PASSWORD", "pw"), ("EWS_TOKEN", "from-env")];
    for (kind, scheme) in [("ntlm", "NTLM"), ("negotiate", "Negotiate")] {
        let sent = authorization(&env, &["--auth", kind, "--user", r"CONTOSO\alice"]).await;
        // The endpoint answers the first leg, so it is all that is sent: an NTLM NEGOTIATE
        // message ("NTLMSSP\0", type 1).
        let sent = sent.unwrap();
        assert!(
            sent.starts_with(&format!("{scheme} TlRMTVNTUAAB")),
            "{kind}: {sent}"
        );
    }
}

#[tokio::test]
async fn auth_options_that_do_not_fit_fail_naming_what_is_missing() {
    for (args, message) in [
        (&["--auth", "ntlm"][..], "--auth ntlm needs --user"),
        (
            &["--auth", "ntlm", "--user", "alice", "--token", "t"][..],
            "--auth ntlm takes --user, not --token",
        ),
        (
            &["--auth", "bearer"][..],
            "--auth bearer needs --token or the EWS_TOKEN",
        ),
        (
            &["--auth", "negotiate", "--user", "alice"][..],
            "--auth negotiate needs the password in the EWS_PASSWORD",
        ),
    ] {
        let mut argv = vec![
            "GetImItemList",
            "--request",
            "-",
            "--url",
            "http://127.0.0.1:9/",
        ];
        argv.extend_from_slice(args);
        let run = ews_in(&[], &argv, GET_IM_ITEM_LIST).await;
        assert_eq!(run.code, ews::FAILED, "{args:?}");
        assert!(run.err.contains(message), "{args:?}: {}", run.err);
    }
}

#[tokio::test]
async fn autodiscover_finds_the_url_instead_of_url() {
    let response = page_fixture("response.xml");
    let own = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let url = std::sync::Arc::clone(&own);
    let server = MockServer::start_with(move |request| {
        if request
            .path
            .starts_with("/autodiscover/autodiscover.json/v1.0/alice@contoso.com")
        {
            MockResponse::xml(format!(
                r#"{{"Protocol":"EWS","Url":"{}"}}"#,
                url.get().unwrap()
            ))
        } else if request.path == "/EWS/Exchange.asmx" {
            MockResponse::xml(response.clone())
        } else {
            MockResponse::xml("").with_status(404)
        }
    })
    .await
    .unwrap();
    own.set(server.url()).unwrap();
    let host = server.url().replace("/EWS/Exchange.asmx", "");
    let run = ews(
        &[
            "GetImItemList",
            "--request",
            "-",
            "--autodiscover",
            "alice@contoso.com",
            "--autodiscover-host",
            &host,
        ],
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(run.code, ews::SUCCESS, "{}", run.err);
    assert!(
        run.err.contains(&format!("Autodiscover: {}", server.url())),
        "{}",
        run.err
    );
    let refused = ews(
        &[
            "GetImItemList",
            "--request",
            "-",
            "--autodiscover",
            "alice@contoso.com",
            "--autodiscover-host",
            host.trim_start_matches("http://"),
            "--timeout",
            "5",
        ],
        GET_IM_ITEM_LIST,
    )
    .await;
    assert_eq!(refused.code, ews::FAILED);
    assert!(
        refused
            .err
            .contains("Autodiscover found no EWS URL for alice@contoso.com"),
        "{}",
        refused.err
    );
}

/// `ews watch` needs the notifications of the whole schema; the IM slice says so.
#[cfg(not(feature = "all-operations"))]
#[tokio::test]
async fn watch_without_every_operation_says_what_to_build() {
    let run = ews(
        &["watch", "--url", "http://127.0.0.1:9/EWS/Exchange.asmx"],
        "",
    )
    .await;
    assert_eq!(run.code, ews::FAILED);
    assert!(run.err.contains("--features all-operations"), "{}", run.err);
}

/// `ews watch --count 2`: a streaming subscription of the inbox and calendar, two events on
/// the stream; a line for the resync of the start, one per event, then exit 0. With
/// `--pull`, the same through GetEvents. A mistyped event name fails naming the known ones.
#[cfg(feature = "all-operations")]
#[tokio::test]
async fn watch_prints_a_line_per_event_and_exits_after_count() {
    const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
    const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
    let envelope = |body: String| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{body}</s:Body></s:Envelope>"#
        )
    };
    let subscribed = |watermark: &str| {
        envelope(format!(
            r#"<m:SubscribeResponse xmlns:m="{M}"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>sub-1</m:SubscriptionId>{watermark}</m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse>"#
        ))
    };
    let events = r#"<t:SubscriptionId>sub-1</t:SubscriptionId><t:NewMailEvent><t:Watermark>w1</t:Watermark><t:TimeStamp>2026-12-05T08:00:00Z</t:TimeStamp><t:ItemId Id="mail-1"/><t:ParentFolderId Id="inbox"/></t:NewMailEvent><t:CreatedEvent><t:Watermark>w2</t:Watermark><t:TimeStamp>2026-12-05T08:00:01Z</t:TimeStamp><t:ItemId Id="meeting-1"/><t:ParentFolderId Id="calendar"/></t:CreatedEvent>"#;
    let streamed = envelope(format!(
        r#"<m:GetStreamingEventsResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notifications><m:Notification>{events}</m:Notification></m:Notifications></m:GetStreamingEventsResponseMessage></m:ResponseMessages></m:GetStreamingEventsResponse>"#
    ));
    let pulled = envelope(format!(
        r#"<m:GetEventsResponse xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification>{events}</m:Notification></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse>"#
    ));
    let runs = [
        (vec![], subscribed(""), streamed),
        (
            vec!["--pull"],
            subscribed("<m:Watermark>w0</m:Watermark>"),
            pulled,
        ),
    ];
    for (extra, subscribe, answer) in runs {
        let server = MockServer::start(vec![
            MockResponse::xml(subscribe),
            MockResponse::xml(answer),
        ])
        .await
        .unwrap();
        let url = server.url();
        let mut args = vec![
            "watch",
            "--folder",
            "inbox",
            "--folder",
            "Calendar",
            "--events",
            "new-mail,created",
            "--count",
            "2",
            "--url",
            &url,
        ];
        args.extend(extra.iter().copied());
        let run = tokio::time::timeout(std::time::Duration::from_secs(20), ews(&args, ""))
            .await
            .expect("ews watch did not exit");
        assert_eq!(run.code, ews::SUCCESS, "{extra:?}: {}", run.err);
        let lines: Vec<serde_json::Value> = run
            .out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{}", run.out);
        assert_eq!(lines[0]["resync"]["reason"], "started");
        assert_eq!(lines[0]["resync"]["folders"].as_array().unwrap().len(), 2);
        let text = run.out.as_str();
        assert!(lines[1]["event"].to_string().contains("mail-1"), "{text}");
        assert!(
            lines[2]["event"].to_string().contains("meeting-1"),
            "{text}"
        );
        let subscribe = server.requests()[0].text();
        assert!(subscribe.contains("EventType>NewMailEvent<"), "{subscribe}");
        assert!(subscribe.contains("EventType>CreatedEvent<"), "{subscribe}");
        assert!(subscribe.contains(r#"Id="calendar""#), "{subscribe}");
    }
    let wrong = ews(
        &[
            "watch",
            "--events",
            "new-mails",
            "--url",
            "http://127.0.0.1:9/",
        ],
        "",
    )
    .await;
    assert_eq!(wrong.code, ews::FAILED);
    assert!(
        wrong
            .err
            .contains("unknown event \"new-mails\"; one of: copied, created"),
        "{}",
        wrong.err
    );
}
