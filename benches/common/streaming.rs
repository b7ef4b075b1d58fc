//! A GetStreamingEvents server for the benchmarks: prepared answers written on loopback as
//! they are, each request's answer chosen by a function of the request.
#![allow(dead_code)]

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
pub const MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// The head of a chunked answer.
pub const HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";

/// An envelope of GetStreamingEvents response messages, as Exchange writes them.
pub fn envelope(messages: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><ServerVersionInfo xmlns="{TYPES}" MajorVersion="15" MinorVersion="2" MajorBuildNumber="1748" MinorBuildNumber="10" Version="V2017_07_11"/></soap:Header><soap:Body><m:GetStreamingEventsResponse xmlns:m="{MESSAGES}" xmlns:t="{TYPES}"><m:ResponseMessages>{messages}</m:ResponseMessages></m:GetStreamingEventsResponse></soap:Body></soap:Envelope>"#
    )
}

/// An envelope of `count` NewMail events, the first numbered `first`.
pub fn notification(first: usize, count: usize) -> String {
    let events: String = (first..first + count)
        .map(|n| {
            format!(
                r#"<t:NewMailEvent><t:Watermark>AAAAAM4GAAAAAAAAAQ{n:08}</t:Watermark><t:TimeStamp>2026-12-05T08:00:00Z</t:TimeStamp><t:ItemId Id="AAMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwBGAAAAAABSSWVKrmGUTJE+MVIvofglBwDZGACZQpSgSpyNkexYe2b7AAAAAAENAADZGACZQpSgSpyN{n:08}" ChangeKey="CQAAAA=="/><t:ParentFolderId Id="AQMkADkzNjJjODUzLWZhMDMtNDVkMS05ZDdjLWVmMDlkYjQ1Zjc4MwAuAAADUkllSq5hlEyRPjFSL6H4JQEA2RgAmUKUoEqcjZHsWHtm+wAAAgENAAAA" ChangeKey="AQAAAA=="/></t:NewMailEvent>"#
            )
        })
        .collect();
    envelope(&format!(
        r#"<m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Notifications><m:Notification><t:SubscriptionId>f6bc657d-dde1-4f94-952d-143b95d6483d</t:SubscriptionId>{events}</m:Notification></m:Notifications></m:GetStreamingEventsResponseMessage>"#
    ))
}

/// An envelope with only a connection status: `OK` (a heartbeat) or `Closed`.
pub fn status(status: &str) -> String {
    envelope(&format!(
        r#"<m:GetStreamingEventsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:ConnectionStatus>{status}</m:ConnectionStatus></m:GetStreamingEventsResponseMessage>"#
    ))
}

/// `bytes` as HTTP chunks of at most 16 KiB.
pub fn chunked(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 1000 + 64);
    for chunk in bytes.chunks(16 << 10) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A whole chunked answer of `body`, head and last chunk included.
pub fn streamed(body: &str) -> Vec<u8> {
    let mut answer = HEAD.to_vec();
    answer.extend(chunked(body.as_bytes()));
    answer.extend_from_slice(b"0\r\n\r\n");
    answer
}

/// A whole answer of `body` with its length.
pub fn whole(body: &str) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body.as_bytes());
    answer
}

/// Reads one request from `socket`, head and body; `None` when the client closed it.
pub async fn read_request(socket: &mut TcpStream) -> Option<Vec<u8>> {
    let mut request = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        request.extend_from_slice(&buffer[..n]);
        let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
        if request.len() >= end + 4 + length {
            return Some(request);
        }
    }
}

/// A server answering every request with what `answer` makes of it; its URL.
pub async fn serve(answer: impl Fn(&[u8]) -> Arc<Vec<u8>> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/EWS/Exchange.asmx",
        listener.local_addr().unwrap()
    );
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket.set_nodelay(true).unwrap();
            let answer = answer.clone();
            tokio::spawn(async move {
                while let Some(request) = read_request(&mut socket).await {
                    if socket.write_all(&answer(&request)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}
