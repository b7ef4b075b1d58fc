//! Notifications against servers on loopback: GetStreamingEvents answers streamed by a fake
//! server of the test's own (envelopes in chunks of every size, heartbeats, a close, a cut
//! connection, silence), Microsoft's samples of the GetStreamingEvents, Subscribe and
//! GetEvents reference pages, and pull subscriptions through the loopback endpoint.
#![cfg(feature = "all-operations")]

mod common;

use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ews_bindings::mock::{MockResponse, MockServer, Routes};
use ews_bindings::notifications::{self, Delivery};
use ews_bindings::types::{
    AnyNotificationEvent, DistinguishedFolderIdName, NotificationEventType,
    StreamingSubscriptionRequest,
};
use ews_bindings::{messages, operation, types, Client, Error, Secret};
use futures_util::{Stream, StreamExt, TryStreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
const MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// Every test is bounded: a stream that hangs fails the test instead.
const BOUND: Duration = Duration::from_secs(20);

/// An envelope of GetStreamingEvents response messages, as Exchange writes them.
fn envelope(messages: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><ServerVersionInfo xmlns="{TYPES}" MajorVersion="15" MinorVersion="2" MajorBuildNumber="1748" MinorBuildNumber="10" Version="V2017_07_11"/></soap:Header><soap:Body><m:GetStreamingEventsResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages>{messages}</m:ResponseMessages></m:GetStreamingEventsResponse></soap:Body></soap:Envelope>"#
    )
}

/// One NewMail event per id of `items`, in the inbox.
fn new_mail_events(items: &[&str]) -> String {
    items
        .iter()
        .map(|id| {
            format!(
                r#"<t:NewMailEvent><t:Watermark>W-{id}</t:Watermark><t:TimeStamp>2026-12-05T08:00:00Z</t:TimeStamp><t:ItemId Id="{id}" ChangeKey="CQAAAA=="/><t:ParentFolderId Id="inbox" ChangeKey="AQAAAA=="/></t:NewMailEvent>"#
            )
        })
        .collect()
}

/// A response message delivering one NewMail event per id of `items`, for subscription
/// `subscription`.
fn new_mail(subscription: &str, items: &[&str]) -> String {
    let events = new_mail_events(items);
    format!(
        r#"<m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notifications><m:Notification><t:SubscriptionId>{subscription}</t:SubscriptionId>{events}</m:Notification></m:Notifications></m:GetStreamingEventsResponseMessage>"#
    )
}

/// A response message with only a connection status: `OK` (a heartbeat) or `Closed`.
fn status(status: &str) -> String {
    format!(
        r#"<m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:ConnectionStatus>{status}</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"#
    )
}

/// What the fake server does in answer to a request, step by step.
#[derive(Clone)]
enum Step {
    /// A whole answer: status 200, these extra header lines (each ending in CRLF), the body.
    Whole(String, String),
    /// Sends these bytes as one HTTP chunk (after the head of a chunked 200, the first time).
    Chunk(Vec<u8>),
    /// Waits.
    Pause(Duration),
    /// Ends the chunked body properly (the last chunk); the connection waits for the next
    /// request.
    End,
    /// Closes the connection as it is.
    Cut,
}

/// Chunks of `size` bytes of `bytes`.
fn chunks(bytes: &str, size: usize) -> Vec<Step> {
    bytes
        .as_bytes()
        .chunks(size)
        .map(|c| Step::Chunk(c.to_vec()))
        .collect()
}

/// Makes the steps of the answer to a request (its number from 0, its head and body).
type Handler = dyn Fn(usize, &str) -> Vec<Step> + Send + Sync;

/// A server answering each request with the steps a handler makes of it, on keep-alive
/// connections, recording the requests' heads and bodies.
struct StreamingServer {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl StreamingServer {
    /// Answers the requests with `scripts`, in order; requests past them get the
    /// connection closed.
    async fn start(scripts: Vec<Vec<Step>>) -> StreamingServer {
        let scripts = Mutex::new(std::collections::VecDeque::from(scripts));
        Self::with(move |_, _| {
            scripts
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(vec![Step::Cut])
        })
        .await
    }

    async fn with(handler: impl Fn(usize, &str) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/EWS/Exchange.asmx",
            listener.local_addr().unwrap()
        );
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::spawn(serve(socket, handler.clone(), recorded.clone()));
            }
        });
        StreamingServer { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// The next request on `socket`, head and body, or `None` when the client closed it.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        request.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&request).into_owned();
        if let Some(head_end) = text.find("\r\n\r\n") {
            let length = text[..head_end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if request.len() >= head_end + 4 + length {
                return Some(text);
            }
        }
    }
}

async fn serve(mut socket: TcpStream, handler: Arc<Handler>, recorded: Arc<Mutex<Vec<String>>>) {
    while let Some(request) = read_request(&mut socket).await {
        let index = {
            let mut recorded = recorded.lock().unwrap();
            recorded.push(request.clone());
            recorded.len() - 1
        };
        let mut chunked = false;
        for step in handler(index, &request) {
            let written = match step {
                Step::Whole(headers, body) => {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n{headers}\r\n{body}",
                        body.len()
                    );
                    socket.write_all(answer.as_bytes()).await
                }
                Step::Chunk(bytes) => {
                    let mut chunk = Vec::new();
                    if !chunked {
                        chunked = true;
                        chunk.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");
                    }
                    chunk.extend_from_slice(format!("{:x}\r\n", bytes.len()).as_bytes());
                    chunk.extend_from_slice(&bytes);
                    chunk.extend_from_slice(b"\r\n");
                    socket.write_all(&chunk).await
                }
                Step::Pause(pause) => {
                    tokio::time::sleep(pause).await;
                    Ok(())
                }
                Step::End => socket.write_all(b"0\r\n\r\n").await,
                Step::Cut => return,
            };
            if written.is_err() {
                return;
            }
        }
    }
}

/// Everything `deliveries` hands out, in order, with the error that ended it, if any.
async fn collect(
    deliveries: impl Stream<Item = Result<Delivery, Error>>,
) -> (Vec<Delivery>, Option<Error>) {
    let collected = async {
        let mut deliveries = pin!(deliveries);
        let mut out = Vec::new();
        while let Some(delivery) = deliveries.next().await {
            match delivery {
                Ok(d) => out.push(d),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    };
    tokio::time::timeout(BOUND, collected)
        .await
        .expect("the stream neither ended nor failed in time")
}

/// The ids of the items of the NewMail events among `deliveries`, in order.
fn new_mail_ids(deliveries: &[Delivery]) -> Vec<String> {
    deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::Notification(n) => Some(&n.notification_events),
            _ => None,
        })
        .flatten()
        .filter_map(|e| match e {
            AnyNotificationEvent::NewMailEvent(e) => match &e.folder_id_or_item_id {
                types::FolderIdOrItemId::ItemId(id) => Some(id.id.to_string()),
                types::FolderIdOrItemId::FolderId(_) => None,
            },
            _ => None,
        })
        .collect()
}

fn client(url: &str) -> Client {
    Client::builder(url).build().unwrap()
}

/// A stream of `ids.len()` notifications, each in its own envelope, a heartbeat after each
/// second one, then `Closed`.
fn stream_of(ids: &[&str]) -> String {
    let mut out = String::new();
    for (i, id) in ids.iter().enumerate() {
        out.push_str(&envelope(&new_mail("sub-1", &[id])));
        out.push_str("\r\n");
        if i % 2 == 1 {
            out.push_str(&envelope(&status("OK")));
        }
    }
    out.push_str(&envelope(&status("Closed")));
    out
}

#[tokio::test]
async fn envelopes_are_handed_out_whole_whatever_the_chunks() {
    let ids = ["a1", "a2", "a3", "a4", "a5"];
    let stream = stream_of(&ids);
    for size in [1, 7, 100, 1000, stream.len()] {
        let mut steps = chunks(&stream, size);
        steps.push(Step::End);
        let server = StreamingServer::start(vec![steps]).await;
        let client = client(&server.url);
        let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
        assert!(error.is_none(), "chunks of {size}: {error:?}");
        assert_eq!(new_mail_ids(&deliveries), ids, "chunks of {size}");
        let heartbeats = deliveries
            .iter()
            .filter(|d| **d == Delivery::Heartbeat)
            .count();
        assert_eq!(heartbeats, 2, "chunks of {size}");
        assert_eq!(deliveries.last(), Some(&Delivery::Closed));
        let request = &server.requests()[0];
        assert!(request.contains("SubscriptionId>sub-1</"), "{request}");
        assert!(request.contains("ConnectionTimeout>30<"), "{request}");
    }
}

#[tokio::test]
async fn each_envelope_comes_as_soon_as_its_last_byte() {
    // The second envelope is held back; the first must be handed out before it comes.
    let first = envelope(&new_mail("sub-1", &["early"]));
    let steps = vec![
        Step::Chunk(first.into_bytes()),
        Step::Pause(Duration::from_secs(3600)),
    ];
    let server = StreamingServer::start(vec![steps]).await;
    let client = client(&server.url);
    let mut deliveries = pin!(client.streaming_events(["sub-1"], 30));
    let delivery = tokio::time::timeout(BOUND, deliveries.next())
        .await
        .expect("the first envelope was not handed out while the answer went on")
        .unwrap()
        .unwrap();
    assert_eq!(new_mail_ids(&[delivery]), ["early"]);
}

#[tokio::test]
async fn several_envelopes_in_one_chunk_and_heartbeats_only() {
    let mut body = String::new();
    for _ in 0..50 {
        body.push_str(&envelope(&status("OK")));
    }
    body.push_str(&envelope(&new_mail("sub-1", &["x1", "x2", "x3"])));
    body.push_str(&envelope(&status("Closed")));
    let server =
        StreamingServer::start(vec![vec![Step::Chunk(body.into_bytes()), Step::End]]).await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(deliveries.len(), 52);
    assert!(deliveries[..50].iter().all(|d| *d == Delivery::Heartbeat));
    assert_eq!(new_mail_ids(&deliveries), ["x1", "x2", "x3"]);
    assert_eq!(deliveries[51], Delivery::Closed);
}

#[tokio::test]
async fn a_cut_connection_fails_the_stream_after_what_came_whole() {
    let first = envelope(&new_mail("sub-1", &["kept"]));
    let second = envelope(&new_mail("sub-1", &["lost"]));
    // Cut in the middle of the second envelope.
    let mut steps = vec![Step::Chunk(first.into_bytes())];
    steps.extend(chunks(&second[..second.len() / 2], 50));
    steps.push(Step::Cut);
    let server = StreamingServer::start(vec![steps.clone()]).await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert_eq!(new_mail_ids(&deliveries), ["kept"]);
    assert!(matches!(error, Some(Error::Transport { .. })), "{error:?}");

    // The body ended properly, but in the middle of an envelope.
    let half = second.len() / 2;
    let ended = vec![Step::Chunk(second.as_bytes()[..half].to_vec()), Step::End];
    let server = StreamingServer::start(vec![ended]).await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    match error {
        Some(Error::Truncated { received }) => assert_eq!(received, half),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn silence_past_the_timeout_is_a_stalled_stream() {
    let steps = vec![
        Step::Chunk(envelope(&status("OK")).into_bytes()),
        Step::Pause(Duration::from_secs(3600)),
    ];
    let server = StreamingServer::start(vec![steps]).await;
    let client = Client::builder(&server.url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert_eq!(deliveries, [Delivery::Heartbeat]);
    assert!(
        matches!(error, Some(Error::Stalled(d)) if d == Duration::from_millis(300)),
        "{error:?}"
    );
    let message = error.unwrap().to_string();
    assert!(message.contains("not even a heartbeat"), "{message}");
}

#[tokio::test]
async fn an_envelope_past_the_size_limit_fails_but_the_stream_may_pass_it() {
    // 2,000 envelopes of about 1.3 KB each: 2.6 MB in all through a 64 KiB limit.
    let ids: Vec<String> = (0..2000).map(|i| format!("item-{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut steps = chunks(&stream_of(&refs), 4096);
    steps.push(Step::End);
    let server = StreamingServer::start(vec![steps]).await;
    let client = Client::builder(&server.url)
        .max_response_bytes(64 << 10)
        .build()
        .unwrap();
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(new_mail_ids(&deliveries), ids);

    let many: Vec<String> = (0..400).map(|i| format!("big-{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let big = envelope(&new_mail("sub-1", &many));
    assert!(big.len() > 64 << 10);
    let server = StreamingServer::start(vec![chunks(&big, 4096)]).await;
    let client = Client::builder(&server.url)
        .max_response_bytes(64 << 10)
        .build()
        .unwrap();
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    assert!(
        matches!(error, Some(Error::ResponseTooLarge { limit }) if limit == 64 << 10),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_error_of_some_subscriptions_lets_the_others_go_on() {
    let error = r#"<m:GetStreamingEventsResponseMessage ResponseClass="Error"><m:MessageText>The specified subscription was not found.</m:MessageText><m:ResponseCode>ErrorSubscriptionNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:ErrorSubscriptionIds><t:SubscriptionId>sub-2</t:SubscriptionId></m:ErrorSubscriptionIds></m:GetStreamingEventsResponseMessage>"#;
    let body = [
        envelope(error),
        envelope(&new_mail("sub-1", &["after"])),
        envelope(&status("Closed")),
    ]
    .concat();
    let server =
        StreamingServer::start(vec![vec![Step::Chunk(body.into_bytes()), Step::End]]).await;
    let (deliveries, failure) =
        collect(client(&server.url).streaming_events(["sub-1", "sub-2"], 30)).await;
    assert!(failure.is_none(), "{failure:?}");
    match &deliveries[0] {
        Delivery::SubscriptionError {
            subscription_ids,
            error,
        } => {
            assert_eq!(subscription_ids, &["sub-2"]);
            assert_eq!(
                error.response_code,
                messages::ResponseCode::ErrorSubscriptionNotFound
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(new_mail_ids(&deliveries), ["after"]);
    assert_eq!(deliveries.len(), 3);
}

/// Microsoft's schema has `t:Notification` in `m:Notifications` and `t:SubscriptionId` in
/// `m:ErrorSubscriptionIds`; Exchange writes both in the messages namespace. Either reads.
#[tokio::test]
async fn notifications_and_ids_read_in_either_namespace() {
    let schema_form = new_mail("sub-1", &["t1"])
        .replace("<m:Notification>", "<t:Notification>")
        .replace("</m:Notification>", "</t:Notification>");
    let error = |prefix: &str| {
        format!(
            r#"<m:GetStreamingEventsResponseMessage ResponseClass="Error"><m:ResponseCode>ErrorSubscriptionNotFound</m:ResponseCode><m:ErrorSubscriptionIds><{prefix}:SubscriptionId>sub-{prefix}</{prefix}:SubscriptionId></m:ErrorSubscriptionIds></m:GetStreamingEventsResponseMessage>"#
        )
    };
    let body = [
        envelope(&schema_form),
        envelope(&new_mail("sub-1", &["m1"])),
        envelope(&error("t")),
        envelope(&error("m")),
        envelope(&status("Closed")),
    ]
    .concat();
    let server =
        StreamingServer::start(vec![vec![Step::Chunk(body.into_bytes()), Step::End]]).await;
    let (deliveries, failure) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(failure.is_none(), "{failure:?}");
    assert_eq!(new_mail_ids(&deliveries), ["t1", "m1"]);
    let failed: Vec<&str> = deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::SubscriptionError {
                subscription_ids, ..
            } => Some(subscription_ids[0].as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, ["sub-t", "sub-m"]);
}

#[tokio::test]
async fn an_error_of_the_whole_request_fails_the_stream() {
    let error = r#"<m:GetStreamingEventsResponseMessage ResponseClass="Error"><m:MessageText/><m:ResponseCode>ErrorInvalidSubscription</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:ConnectionStatus>Closed</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"#;
    let body = envelope(error);
    let server =
        StreamingServer::start(vec![vec![Step::Chunk(body.into_bytes()), Step::End]]).await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    assert_eq!(
        error.and_then(|e| e.response_code().cloned()),
        Some(messages::ResponseCode::ErrorInvalidSubscription)
    );
}

#[tokio::test]
async fn a_fault_in_place_of_the_stream_is_the_fault() {
    let server = MockServer::start(vec![MockResponse::fault(
        "Client",
        "The request failed schema validation",
    )])
    .await
    .unwrap();
    let (deliveries, error) = collect(client(&server.url()).streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    assert!(matches!(error, Some(Error::Fault(_))), "{error:?}");
    let server = MockServer::start(vec![MockResponse::xml("busy").with_status(503)])
        .await
        .unwrap();
    let (_, error) = collect(client(&server.url()).streaming_events(["sub-1"], 30)).await;
    assert!(
        matches!(error, Some(Error::Http { status: 503, .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_whole_answer_from_a_server_that_does_not_stream_is_one_envelope() {
    let server = MockServer::start(vec![MockResponse::xml(envelope(&new_mail(
        "sub-1",
        &["one"],
    )))])
    .await
    .unwrap();
    let (deliveries, error) = collect(client(&server.url()).streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(new_mail_ids(&deliveries), ["one"]);
}

#[tokio::test]
async fn streams_on_the_connections_of_windows_authentication() {
    // The server does not ask for authentication: the first leg's answer is the stream, on
    // a connection of the client's own.
    let ids = ["w1", "w2", "w3"];
    let mut steps = chunks(&stream_of(&ids), 33);
    steps.push(Step::End);
    let server = StreamingServer::start(vec![steps]).await;
    let client = Client::builder(&server.url)
        .ntlm("CONTOSO\\ann", Secret::new("p4ss"))
        .build()
        .unwrap();
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(new_mail_ids(&deliveries), ids);
    let request = server.requests()[0].to_ascii_lowercase();
    assert!(request.contains("\r\nauthorization: ntlm "), "{request}");
}

/// The GetStreamingEvents reference page's response sample shows a Header and a Body
/// without their Envelope; inside one, it is what a server streams.
#[tokio::test]
async fn the_reference_pages_streaming_sample_reads_typed() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("ews-doc-samples-core/GetStreamingEvents");
    let sample = std::fs::read_to_string(dir.join("2-response.xml")).unwrap();
    let inner = sample
        .trim_start_matches(|c| c != '>')
        .trim_start_matches('>');
    let whole = format!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">{inner}</soap:Envelope>"#
    );
    let body = format!("{whole}\r\n{}", envelope(&status("Closed")));
    let server = StreamingServer::start(vec![chunks(&body, 64)]).await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    let Delivery::Notification(notification) = &deliveries[0] else {
        panic!("{deliveries:?}");
    };
    assert_eq!(
        notification.subscription_id,
        "f6bc657d-dde1-4f94-952d-143b95d6483d"
    );
    let kinds: Vec<&str> = notification
        .notification_events
        .iter()
        .map(|e| match e {
            AnyNotificationEvent::CreatedEvent(_) => "Created",
            AnyNotificationEvent::NewMailEvent(_) => "NewMail",
            AnyNotificationEvent::ModifiedEvent(m) => {
                assert_eq!(m.unread_count, Some(1));
                "Modified"
            }
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["Created", "NewMail", "Modified"]);
    assert_eq!(deliveries[1], Delivery::Closed);

    // The error sample does not close its response message: a documentation error, read as
    // the typed parse error it is.
    let error_sample = std::fs::read_to_string(dir.join("3-error.xml")).unwrap();
    let server = StreamingServer::start(vec![vec![
        Step::Chunk(error_sample.into_bytes()),
        Step::End,
    ]])
    .await;
    let (deliveries, error) = collect(client(&server.url).streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    assert!(matches!(error, Some(Error::Parse(_))), "{error:?}");
}

/// GetEvents answers: the reference page's sample first (two NewMail events), then a poll
/// with more events to come, then one with only a status event, then an expired
/// subscription.
#[tokio::test]
async fn pull_follows_the_watermark_and_more_events() {
    let page = |previous: &str, more: bool, events: &str| {
        format!(
            r#"<m:GetEventsResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification><t:SubscriptionId>pull-1</t:SubscriptionId><t:PreviousWatermark>{previous}</t:PreviousWatermark><t:MoreEvents>{more}</t:MoreEvents>{events}</m:Notification></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse>"#
        )
    };
    let created = |id: &str, watermark: &str| {
        format!(
            r#"<t:CreatedEvent><t:Watermark>{watermark}</t:Watermark><t:TimeStamp>2026-12-05T08:00:00Z</t:TimeStamp><t:ItemId Id="{id}"/><t:ParentFolderId Id="inbox"/></t:CreatedEvent>"#
        )
    };
    let expired = format!(
        r#"<m:GetEventsResponse xmlns:m="{MESSAGES}"><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Error"><m:MessageText>The subscription has expired.</m:MessageText><m:ResponseCode>ErrorExpiredSubscription</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse>"#
    );
    let script = vec![
        MockResponse::envelope(&page(
            "w0",
            true,
            &(created("c1", "w1") + &created("c2", "w2")),
        )),
        MockResponse::envelope(&page("w2", false, &created("c3", "w3"))),
        MockResponse::envelope(&page(
            "w3",
            false,
            r#"<t:StatusEvent><t:Watermark>w4</t:Watermark></t:StatusEvent>"#,
        )),
        MockResponse::envelope(&expired),
    ];
    let server = MockServer::start(script).await.unwrap();
    let client = client(&server.url());
    let interval = Duration::from_millis(50);
    let (deliveries, error) = collect(client.pull_events("pull-1", "w0", interval)).await;
    assert_eq!(deliveries.len(), 3, "{deliveries:?}");
    let created_ids: Vec<String> = deliveries
        .iter()
        .filter_map(|d| match d {
            Delivery::Notification(n) => Some(&n.notification_events),
            _ => None,
        })
        .flatten()
        .filter_map(notifications::watermark)
        .map(|w| w.to_string())
        .collect();
    assert_eq!(created_ids, ["w1", "w2", "w3"]);
    assert_eq!(deliveries[2], Delivery::Heartbeat);
    assert_eq!(
        error.and_then(|e| e.response_code().cloned()),
        Some(messages::ResponseCode::ErrorExpiredSubscription)
    );
    let sent: Vec<String> = server
        .requests_of::<operation::GetEvents>()
        .into_iter()
        .map(|r| r.watermark.to_string())
        .collect();
    assert_eq!(sent, ["w0", "w2", "w3", "w4"]);
}

#[tokio::test]
async fn subscribe_gives_the_subscription() {
    let routes = Routes::new().answer::<operation::Subscribe>(|request| {
        let messages::AnySubscriptionRequest::StreamingSubscriptionRequest(streaming) =
            request.subscription_request
        else {
            panic!("not a streaming subscription");
        };
        assert_eq!(
            streaming.event_types,
            [
                NotificationEventType::NewMailEvent,
                NotificationEventType::CreatedEvent
            ]
        );
        let message = messages::SubscribeResponseMessage {
            subscription_id: Some("sub-9".into()),
            ..messages::SubscribeResponseMessage::new(types::ResponseClass::Success)
        };
        messages::SubscribeResponse {
            response_messages: vec![message.into()],
        }
    });
    let server = MockServer::route(routes).await.unwrap();
    let subscription = client(&server.url())
        .subscribe(StreamingSubscriptionRequest {
            folder_ids: Some(vec![DistinguishedFolderIdName::Inbox.into()]),
            ..StreamingSubscriptionRequest::new(vec![
                NotificationEventType::NewMailEvent,
                NotificationEventType::CreatedEvent,
            ])
        })
        .await
        .unwrap();
    assert_eq!(subscription.id, "sub-9");
    assert_eq!(subscription.watermark, None);
}

/// The Subscribe reference page's samples: the pull subscription's answer gives its id and
/// first watermark; its error answer is the call's error.
#[tokio::test]
async fn the_reference_pages_subscribe_samples() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("ews-doc-samples-core/Subscribe");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let server = MockServer::start(vec![
        MockResponse::xml(read("2-response.xml")),
        MockResponse::xml(read("3-error.xml")),
    ])
    .await
    .unwrap();
    let client = client(&server.url());
    let pull = types::PullSubscriptionRequest::new(vec![NotificationEventType::NewMailEvent], 10);
    let subscription = client.subscribe(pull.clone()).await.unwrap();
    assert_eq!(subscription.id, "39ea5d0f-f062-455e-a1e9-89c0304390f4");
    assert_eq!(
        subscription.watermark.as_deref(),
        Some("AAAAAHgGAAAAAAAAAQ==")
    );
    let error = client.subscribe(pull).await.unwrap_err();
    assert!(matches!(error, Error::Ews(_)), "{error:?}");
}

/// The GetEvents reference page's answer, through a pull stream: two NewMail events, and
/// the next poll from the second one's watermark.
#[tokio::test]
async fn the_reference_pages_get_events_sample() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let sample =
        std::fs::read(shared.join("ews-doc-samples-core/GetEvents/2-response.xml")).unwrap();
    let server = MockServer::start(vec![MockResponse::xml(sample)])
        .await
        .unwrap();
    let client = client(&server.url());
    let mut deliveries = pin!(client.pull_events(
        "f6bc657d-dde1-4f94-952d-143b95d6483d",
        "AAAAAMAGAAAAAAAAAQ==",
        Duration::from_secs(60),
    ));
    let first = tokio::time::timeout(BOUND, deliveries.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let Delivery::Notification(notification) = first else {
        panic!("{first:?}");
    };
    let watermarks: Vec<&str> = notification
        .notification_events
        .iter()
        .filter_map(notifications::watermark)
        .map(|w| w.as_str())
        .collect();
    assert_eq!(watermarks, ["AAAAAM4GAAAAAAAAAQ==", "AAAAAOQGAAAAAAAAAQ=="]);
}

/// Exchange 2013 and later keep a subscription on one back-end server: the Subscribe asks
/// for affinity, the answer sets a cookie, and the subscription's GetStreamingEvents carry
/// it back; impersonated requests name the mailbox in `X-AnchorMailbox`.
#[tokio::test]
async fn subscriptions_keep_server_affinity() {
    let subscribed = format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SubscribeResponse xmlns:m="{MESSAGES}"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>sub-1</m:SubscriptionId></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse></s:Body></s:Envelope>"#
    );
    let cookie = "X-BackEndOverrideCookie=EXCH02.contoso.com~1942062422";
    let mut stream = chunks(&stream_of(&["a1"]), 200);
    stream.push(Step::End);
    let server = StreamingServer::start(vec![
        vec![Step::Whole(
            format!("Set-Cookie: {cookie}; path=/; secure; HttpOnly\r\nSet-Cookie: other=1\r\n"),
            subscribed,
        )],
        stream,
    ])
    .await;
    let client = Client::builder(&server.url)
        .impersonate(ews_bindings::Impersonation::SmtpAddress(
            "ann@contoso.com".into(),
        ))
        .build()
        .unwrap();
    let subscription = client
        .subscribe(StreamingSubscriptionRequest::new(vec![
            NotificationEventType::NewMailEvent,
        ]))
        .await
        .unwrap();
    let (deliveries, error) = collect(client.streaming_events([subscription.id], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(new_mail_ids(&deliveries), ["a1"]);
    let requests: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.to_ascii_lowercase())
        .collect();
    assert!(
        requests[0].contains("\r\nx-preferserveraffinity: true\r\n"),
        "{}",
        requests[0]
    );
    assert!(!requests[0].contains("\r\ncookie:"), "{}", requests[0]);
    assert!(
        !requests[1].contains("x-preferserveraffinity"),
        "{}",
        requests[1]
    );
    assert!(
        requests[1].contains(&format!("\r\ncookie: {}\r\n", cookie.to_ascii_lowercase())),
        "{}",
        requests[1]
    );
    for request in &requests {
        assert!(
            request.contains("\r\nx-anchormailbox: ann@contoso.com\r\n"),
            "{request}"
        );
    }
}

/// The operation a request is for, from its body.
fn operation_of(request: &str) -> &'static str {
    let body = &request[request.find("\r\n\r\n").unwrap()..];
    for name in [
        "GetStreamingEvents",
        "GetEvents",
        "Unsubscribe",
        "Subscribe",
    ] {
        if body.contains(&format!(":{name}>")) || body.contains(&format!(":{name} ")) {
            return name;
        }
    }
    panic!("unknown request: {request}")
}

/// A Subscribe answer: a subscription `id` (with a first watermark for a pull one), or the
/// error `code`.
fn subscribe_answer(id: &str, watermark: Option<&str>) -> String {
    let watermark = watermark
        .map(|w| format!("<m:Watermark>{w}</m:Watermark>"))
        .unwrap_or_default();
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SubscribeResponse xmlns:m="{MESSAGES}"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>{id}</m:SubscriptionId>{watermark}</m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse></s:Body></s:Envelope>"#
    )
}

/// An answer of `operation` whose one response message is the error `code`.
fn error_answer(operation: &str, code: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:{operation}Response xmlns:m="{MESSAGES}"><m:ResponseMessages><m:{operation}ResponseMessage ResponseClass="Error"><m:MessageText>{code}</m:MessageText><m:ResponseCode>{code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:{operation}ResponseMessage></m:ResponseMessages></m:{operation}Response></s:Body></s:Envelope>"#
    )
}

fn unsubscribed() -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:UnsubscribeResponse xmlns:m="{MESSAGES}"><m:ResponseMessages><m:UnsubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode></m:UnsubscribeResponseMessage></m:ResponseMessages></m:UnsubscribeResponse></s:Body></s:Envelope>"#
    )
}

/// The item id of an event handed out by a feed, or `resync` for a resync.
fn change_name(change: &notifications::Change) -> String {
    match change {
        notifications::Change::Event(event) => match event {
            AnyNotificationEvent::NewMailEvent(e) | AnyNotificationEvent::CreatedEvent(e) => {
                match &e.folder_id_or_item_id {
                    types::FolderIdOrItemId::ItemId(id) => id.id.to_string(),
                    types::FolderIdOrItemId::FolderId(id) => id.id.to_string(),
                }
            }
            other => format!("{other:?}"),
        },
        notifications::Change::Resync { reason, .. } => format!("resync {reason:?}"),
        other => format!("{other:?}"),
    }
}

/// The next `n` changes of `feed`, each within the test's bound.
async fn next_changes(feed: &mut notifications::Feed, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..n {
        let change = tokio::time::timeout(BOUND, feed.next())
            .await
            .unwrap_or_else(|_| panic!("no change in time after {out:?}"))
            .unwrap_or_else(|| panic!("the feed ended after {out:?}"))
            .unwrap_or_else(|e| panic!("the feed failed after {out:?}: {e}"));
        out.push(change_name(&change));
    }
    out
}

/// Waits until the server has received a request of `operation`.
async fn received(server: &StreamingServer, operation: &str) -> String {
    tokio::time::timeout(BOUND, async {
        loop {
            if let Some(r) = server
                .requests()
                .into_iter()
                .find(|r| operation_of(r) == operation)
            {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {operation} request came"))
}

/// A feed, and what it hands out, go to other tasks and threads.
#[test]
fn feeds_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<notifications::Feed>();
    send_sync::<notifications::Change>();
    send_sync::<Delivery>();
}

/// Drops `feed` and checks that the server is asked to end `subscription`.
async fn unsubscribes_when_dropped(
    feed: notifications::Feed,
    server: &StreamingServer,
    subscription: &str,
) {
    drop(feed);
    let unsubscribe = received(server, "Unsubscribe").await;
    let id = format!("SubscriptionId>{subscription}<");
    assert!(unsubscribe.contains(&id), "{unsubscribe}");
}

fn quick(watch: notifications::Watch) -> notifications::Watch {
    watch.back_off(Duration::from_millis(10), Duration::from_millis(100))
}

/// A streaming feed through what servers do: heartbeats for a while, several envelopes in
/// one chunk and one over many, the answer closing after its time, the connection dropped
/// in the middle of an envelope, the subscription forgotten, a busy server on the new
/// Subscribe. Every event the server sent is handed out once, or falls under a resync.
#[tokio::test]
async fn a_streaming_feed_loses_nothing_without_a_resync() {
    let cookie = "X-BackEndOverrideCookie=EXCH01~77";
    let subscribes = Mutex::new(0);
    let streams = Mutex::new(0);
    let server = StreamingServer::with(move |_, request| match operation_of(request) {
        "Subscribe" => {
            let mut n = subscribes.lock().unwrap();
            *n += 1;
            match *n {
                1 => vec![Step::Whole(
                    format!("Set-Cookie: {cookie}; path=/\r\n"),
                    subscribe_answer("sub-1", None),
                )],
                2 => vec![Step::Whole(
                    String::new(),
                    error_answer("Subscribe", "ErrorServerBusy"),
                )],
                _ => vec![Step::Whole(String::new(), subscribe_answer("sub-2", None))],
            }
        }
        "GetStreamingEvents" => {
            let mut n = streams.lock().unwrap();
            *n += 1;
            let mut steps = Vec::new();
            match *n {
                1 => {
                    for _ in 0..3 {
                        steps.push(Step::Chunk(envelope(&status("OK")).into_bytes()));
                        steps.push(Step::Pause(Duration::from_millis(20)));
                    }
                    steps.push(Step::Chunk(envelope(&new_mail("sub-1", &["e1", "e2"])).into_bytes()));
                    steps.extend(chunks(&envelope(&new_mail("sub-1", &["e3"])), 1));
                    let several = ["e4", "e5", "e6"].map(|e| envelope(&new_mail("sub-1", &[e])));
                    steps.push(Step::Chunk(several.concat().into_bytes()));
                    steps.push(Step::Chunk(envelope(&status("Closed")).into_bytes()));
                    steps.push(Step::End);
                }
                2 => {
                    steps.push(Step::Chunk(envelope(&new_mail("sub-1", &["e7"])).into_bytes()));
                    let lost = envelope(&new_mail("sub-1", &["e8"]));
                    steps.push(Step::Chunk(lost.as_bytes()[..lost.len() / 2].to_vec()));
                    steps.push(Step::Cut);
                }
                3 => {
                    let gone = r#"<m:GetStreamingEventsResponseMessage ResponseClass="Error"><m:ResponseCode>ErrorSubscriptionNotFound</m:ResponseCode><m:ConnectionStatus>Closed</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"#;
                    steps.push(Step::Whole(String::new(), envelope(gone)));
                }
                4 => {
                    steps.push(Step::Chunk(envelope(&new_mail("sub-2", &["e9", "e10"])).into_bytes()));
                    steps.push(Step::Chunk(envelope(&status("Closed")).into_bytes()));
                    steps.push(Step::End);
                }
                _ => steps.push(Step::Pause(Duration::from_secs(3600))),
            }
            steps
        }
        "Unsubscribe" => vec![Step::Whole(String::new(), unsubscribed())],
        other => panic!("{other}"),
    })
    .await;
    let client = Client::builder(&server.url)
        .retry(ews_bindings::RetryPolicy {
            default_back_off: Duration::from_millis(10),
            ..Default::default()
        })
        .build()
        .unwrap();
    let watch = quick(notifications::Watch::new(
        [DistinguishedFolderIdName::Inbox],
        [NotificationEventType::NewMailEvent],
    ));
    let mut feed = client.watch(watch);
    let changes = next_changes(&mut feed, 12).await;
    assert_eq!(
        changes,
        [
            "resync Started",
            "e1",
            "e2",
            "e3",
            "e4",
            "e5",
            "e6",
            "e7",
            "resync Interrupted",
            "resync Resubscribed(ErrorSubscriptionNotFound)",
            "e9",
            "e10",
        ]
    );
    // Dropping the feed ends the subscription (its fifth answer, if opened, is silent).
    unsubscribes_when_dropped(feed, &server, "sub-2").await;
    let unsubscribe = received(&server, "Unsubscribe").await.to_ascii_lowercase();
    assert!(
        unsubscribe.contains(&format!("\r\ncookie: {}\r\n", cookie.to_ascii_lowercase())),
        "{unsubscribe}"
    );
    let requests = server.requests();
    let streams: Vec<&String> = requests
        .iter()
        .filter(|r| operation_of(r) == "GetStreamingEvents")
        .collect();
    assert!(streams.len() >= 4, "{streams:?}");
    for request in &streams {
        assert!(
            request
                .to_ascii_lowercase()
                .contains(&format!("\r\ncookie: {}\r\n", cookie.to_ascii_lowercase())),
            "{request}"
        );
    }
}

/// A pull feed: polls from each last watermark, at once while the server has more, and
/// subscribes again when the subscription expired; a poll that fails (HTTP 503) is made
/// again from the same watermark, without a resync.
#[tokio::test]
async fn a_pull_feed_follows_watermarks_and_subscribes_again() {
    let created = |id: &str, watermark: &str| {
        format!(
            r#"<t:CreatedEvent><t:Watermark>{watermark}</t:Watermark><t:TimeStamp>2026-12-05T08:00:00Z</t:TimeStamp><t:ItemId Id="{id}"/><t:ParentFolderId Id="inbox"/></t:CreatedEvent>"#
        )
    };
    let events = move |subscription: &str, more: bool, events: &str| {
        format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetEventsResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages><m:GetEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification><t:SubscriptionId>{subscription}</t:SubscriptionId><t:MoreEvents>{more}</t:MoreEvents>{events}</m:Notification></m:GetEventsResponseMessage></m:ResponseMessages></m:GetEventsResponse></s:Body></s:Envelope>"#
        )
    };
    let subscribes = Mutex::new(0);
    let polls = Mutex::new(0);
    let server = StreamingServer::with(move |_, request| match operation_of(request) {
        "Subscribe" => {
            let mut n = subscribes.lock().unwrap();
            *n += 1;
            let answer = match *n {
                1 => subscribe_answer("pull-1", Some("w0")),
                _ => subscribe_answer("pull-2", Some("x0")),
            };
            vec![Step::Whole(String::new(), answer)]
        }
        "GetEvents" => {
            let mut n = polls.lock().unwrap();
            *n += 1;
            let answer = match *n {
                1 => events(
                    "pull-1",
                    true,
                    &(created("p1", "w1") + &created("p2", "w2")),
                ),
                2 => return vec![Step::Cut],
                3 => events("pull-1", false, &created("p3", "w3")),
                4 => events(
                    "pull-1",
                    false,
                    r#"<t:StatusEvent><t:Watermark>w4</t:Watermark></t:StatusEvent>"#,
                ),
                5 => error_answer("GetEvents", "ErrorExpiredSubscription"),
                6 => events("pull-2", false, &created("p4", "x1")),
                _ => events(
                    "pull-2",
                    false,
                    r#"<t:StatusEvent><t:Watermark>x1</t:Watermark></t:StatusEvent>"#,
                ),
            };
            vec![Step::Whole(String::new(), answer)]
        }
        "Unsubscribe" => vec![Step::Whole(String::new(), unsubscribed())],
        other => panic!("{other}"),
    })
    .await;
    let client = client(&server.url);
    let watch = quick(
        notifications::Watch::new(
            [DistinguishedFolderIdName::Inbox],
            [NotificationEventType::CreatedEvent],
        )
        .pull(Duration::from_millis(20)),
    );
    let mut feed = client.watch(watch);
    let changes = next_changes(&mut feed, 6).await;
    assert_eq!(
        changes,
        [
            "resync Started",
            "p1",
            "p2",
            "p3",
            "resync Resubscribed(ErrorExpiredSubscription)",
            "p4",
        ]
    );
    unsubscribes_when_dropped(feed, &server, "pull-2").await;
    let watermarks: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| operation_of(r) == "GetEvents")
        .take(6)
        .map(|r| {
            let start = r.find("Watermark>").unwrap() + "Watermark>".len();
            r[start..start + 2].to_owned()
        })
        .collect();
    assert_eq!(watermarks, ["w0", "w2", "w2", "w3", "w4", "x0"]);
}

/// One subscription for 100 folders, their events interleaved in envelopes of every size:
/// each comes once, in order.
#[tokio::test]
async fn a_hundred_folders_interleaved() {
    let folders: Vec<String> = (0..100).map(|i| format!("folder-{i}")).collect();
    let mut body = String::new();
    let mut expected = Vec::new();
    let mut event = 0;
    for size in (1..=40).cycle().take(100) {
        let mut items = Vec::new();
        for _ in 0..size {
            items.push(format!("f{}-e{event}", event % 100));
            event += 1;
        }
        let refs: Vec<&str> = items.iter().map(String::as_str).collect();
        body.push_str(&envelope(&new_mail("sub-1", &refs)));
        expected.extend(items);
    }
    body.push_str(&envelope(&status("Closed")));
    let streamed = Mutex::new(false);
    let server = StreamingServer::with(move |_, request| match operation_of(request) {
        "Subscribe" => {
            let folders = request.matches("<t:FolderId ").count();
            assert_eq!(folders, 100, "{request}");
            vec![Step::Whole(String::new(), subscribe_answer("sub-1", None))]
        }
        "GetStreamingEvents" if !std::mem::replace(&mut *streamed.lock().unwrap(), true) => {
            let mut steps = chunks(&body, 1500);
            steps.push(Step::End);
            steps
        }
        "GetStreamingEvents" => vec![Step::Pause(Duration::from_secs(3600))],
        "Unsubscribe" => vec![Step::Whole(String::new(), unsubscribed())],
        other => panic!("{other}"),
    })
    .await;
    let client = client(&server.url);
    let folder_ids = folders
        .iter()
        .map(|f| types::AnyFolderId::from(types::FolderId::new(f.as_str())));
    let mut feed = client.watch(quick(notifications::Watch::new(
        folder_ids,
        [NotificationEventType::NewMailEvent],
    )));
    let changes = next_changes(&mut feed, expected.len() + 1).await;
    assert_eq!(changes[0], "resync Started");
    assert_eq!(changes[1..], expected[..]);
}

/// What trying again cannot mend ends the feed with the error.
#[tokio::test]
async fn refused_credentials_end_the_feed() {
    let server = MockServer::start(vec![MockResponse::xml("").with_status(401)])
        .await
        .unwrap();
    let mut feed = client(&server.url()).watch(notifications::Watch::new(
        [DistinguishedFolderIdName::Inbox],
        [NotificationEventType::NewMailEvent],
    ));
    let first = tokio::time::timeout(BOUND, feed.next()).await.unwrap();
    assert!(
        matches!(first, Some(Err(Error::Unauthorized { .. }))),
        "{first:?}"
    );
    assert!(tokio::time::timeout(BOUND, feed.next())
        .await
        .unwrap()
        .is_none());
}

/// A `SendNotification` request as Exchange posts it to a push subscription's URL: one
/// response message per notification.
fn send_notification(subscription: &str, items: &[&str]) -> String {
    let events = new_mail_events(items);
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><t:RequestServerVersion xmlns:t="{TYPES}" Version="Exchange2013"/></soap:Header><soap:Body><m:SendNotification xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages><m:SendNotificationResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notification><t:SubscriptionId>{subscription}</t:SubscriptionId><t:PreviousWatermark>W-0</t:PreviousWatermark><t:MoreEvents>false</t:MoreEvents>{events}</m:Notification></m:SendNotificationResponseMessage></m:ResponseMessages></m:SendNotification></soap:Body></soap:Envelope>"#
    )
}

#[test]
fn push_notifications_read_and_answer_over_bytes() {
    let notifications =
        notifications::push::read(send_notification("push-1", &["p1", "p2"]).as_bytes()).unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].subscription_id, "push-1");
    assert_eq!(notifications[0].notification_events.len(), 2);
    let answer = notifications::push::answer(types::SubscriptionStatus::Unsubscribe);
    let tree = ews_bindings::xml::SemanticTree::parse(&answer).unwrap();
    let expected = format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body><m:SendNotificationResult xmlns:m="{MESSAGES}"><m:SubscriptionStatus>Unsubscribe</m:SubscriptionStatus></m:SendNotificationResult></s:Body></s:Envelope>"#
    );
    assert_eq!(
        tree,
        ews_bindings::xml::SemanticTree::parse(&expected).unwrap(),
        "{answer}"
    );
    let error = notifications::push::read(b"<html>not here</html>").unwrap_err();
    assert!(error.to_string().contains("Envelope"), "{error}");
}

/// The push server: notifications posted to it reach the program's function, whose answer
/// goes back; a body that is not a SendNotification request is refused with 400.
#[tokio::test]
async fn push_server_hands_notifications_over_and_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/push", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let seen = received.clone();
    tokio::spawn(notifications::push::serve(listener, move |notifications| {
        let mut seen = seen.lock().unwrap();
        for n in notifications {
            for e in &n.notification_events {
                seen.push(change_name(&notifications::Change::Event(e.clone())));
            }
        }
        match seen.len() {
            0..3 => types::SubscriptionStatus::OK,
            _ => types::SubscriptionStatus::Unsubscribe,
        }
    }));
    let http = reqwest::Client::new();
    let post = |body: String| {
        http.post(&url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body)
            .send()
    };
    let first = post(send_notification("push-1", &["p1", "p2"]))
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert!(first
        .text()
        .await
        .unwrap()
        .contains("SubscriptionStatus>OK<"));
    let second = post(send_notification("push-1", &["p3"])).await.unwrap();
    assert!(second
        .text()
        .await
        .unwrap()
        .contains("SubscriptionStatus>Unsubscribe<"));
    let wrong = post("<soap:Envelope".to_owned()).await.unwrap();
    assert_eq!(wrong.status(), 400);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("not a SendNotification request"));
    assert_eq!(*received.lock().unwrap(), ["p1", "p2", "p3"]);
}

/// The loopback endpoint streams too: an answer part by part, with pauses and a drop, for
/// programs' own tests of what they do with notifications.
#[tokio::test]
async fn the_loopback_endpoint_streams_answers() {
    use ews_bindings::mock::Part;

    let mut parts: Vec<Part> = chunks(&stream_of(&["m1", "m2"]), 100)
        .into_iter()
        .map(|step| match step {
            Step::Chunk(bytes) => Part::Chunk(bytes),
            _ => unreachable!(),
        })
        .collect();
    parts.insert(3, Part::Pause(Duration::from_millis(30)));
    let cut = vec![
        Part::Chunk(envelope(&new_mail("sub-1", &["m3"])).into_bytes()),
        Part::Chunk(b"<soap:Envelope".to_vec()),
        Part::Cut,
    ];
    let server = MockServer::start(vec![
        MockResponse::streamed(parts),
        MockResponse::streamed(cut),
    ])
    .await
    .unwrap();
    let client = client(&server.url());
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(new_mail_ids(&deliveries), ["m1", "m2"]);
    assert_eq!(deliveries.last(), Some(&Delivery::Closed));
    let (deliveries, error) = collect(client.streaming_events(["sub-1"], 30)).await;
    assert_eq!(new_mail_ids(&deliveries), ["m3"]);
    assert!(matches!(error, Some(Error::Transport { .. })), "{error:?}");
}

/// A sign-in page in place of the stream is said to be one, as for calls.
#[tokio::test]
async fn a_web_page_in_place_of_the_stream_is_not_soap() {
    let page = MockResponse::xml("<html><body>Sign in</body></html>")
        .with_header("Content-Type", "text/html; charset=utf-8");
    let server = MockServer::start(vec![page]).await.unwrap();
    let (deliveries, error) = collect(client(&server.url()).streaming_events(["sub-1"], 30)).await;
    assert!(deliveries.is_empty());
    assert!(
        matches!(error, Some(Error::NotSoap { status: 200, .. })),
        "{error:?}"
    );
}
