//! Notifications read from GetStreamingEvents answers over loopback, from a server of the
//! benchmark's own that writes prepared chunked answers:
//!
//! - `notifications/stream`: 100,000 NewMail events, one per envelope or 100 per envelope,
//!   read through `Client::streaming_events` until `Closed`; beside it `transport`, the same
//!   bytes read through the same client's transport without looking at them.
//! - `notifications/latency`: the time from the server writing an envelope's last byte to
//!   its events being handed out (one thread: the write, the loopback, the read, the
//!   framing, the parse).
//!
//! ```sh
//! EWS_SCHEMA_DIR=../shared/ews-schema cargo bench --features all-operations --bench notifications
//! ```

use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ews_bindings::notifications::Delivery;
use ews_bindings::Client;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

#[path = "common/streaming.rs"]
mod streaming;

use streaming::{chunked, notification, read_request, serve, status, streamed, HEAD};

const EVENTS: usize = 100_000;

fn stream(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("notifications/stream");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS as u64));
    for per_envelope in [1, 100] {
        let mut body = String::new();
        for first in (0..EVENTS).step_by(per_envelope) {
            body.push_str(&notification(first, per_envelope));
        }
        body.push_str(&status("Closed"));
        let answer = Arc::new(streamed(&body));
        let url = runtime.block_on(serve(move |_| answer.clone()));
        let client = Client::builder(&url)
            .max_response_bytes(1 << 30)
            .build()
            .unwrap();
        let id = format!("{per_envelope}_per_envelope");
        group.bench_function(BenchmarkId::new("events", &id), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let mut deliveries = pin!(client.streaming_events(["s"], 30));
                    let mut events = 0;
                    while let Some(delivery) = deliveries.next().await {
                        if let Delivery::Notification(n) = delivery.unwrap() {
                            events += n.notification_events.len();
                        }
                    }
                    assert_eq!(events, EVENTS);
                })
            })
        });
        group.bench_function(BenchmarkId::new("transport", &id), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let bytes = client.download("Exchange.asmx").await.unwrap();
                    assert_eq!(bytes.len(), body.len());
                })
            })
        });
    }
    group.finish();
}

fn latency(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("notifications/latency");
    for per_envelope in [1, 10] {
        let envelope = notification(0, per_envelope).into_bytes();
        group.bench_function(BenchmarkId::new("last_byte_to_events", per_envelope), |b| {
            b.iter_custom(|iterations| {
                runtime.block_on(async {
                    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                    let url = format!(
                        "http://{}/EWS/Exchange.asmx",
                        listener.local_addr().unwrap()
                    );
                    let client = Client::builder(&url).build().unwrap();
                    let mut deliveries = pin!(client.streaming_events(["s"], 30));
                    // The request goes out while the first delivery is awaited; the server
                    // takes it and answers with the head.
                    let accept = async {
                        let (mut socket, _) = listener.accept().await.unwrap();
                        socket.set_nodelay(true).unwrap();
                        assert!(read_request(&mut socket).await.is_some());
                        socket.write_all(HEAD).await.unwrap();
                        socket
                    };
                    let first = notification(0, 1).into_bytes();
                    let (mut socket, _) = futures_util::future::join(
                        async {
                            let mut socket = accept.await;
                            socket.write_all(&chunked(&first)).await.unwrap();
                            socket
                        },
                        async { deliveries.next().await.unwrap().unwrap() },
                    )
                    .await;
                    let (head, last) = envelope.split_at(envelope.len() - 1);
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        socket.write_all(&chunked(head)).await.unwrap();
                        // Let the client take the head in before the clock starts.
                        tokio::time::sleep(Duration::from_micros(200)).await;
                        let last = chunked(last);
                        let started = Instant::now();
                        socket.write_all(&last).await.unwrap();
                        let delivery = deliveries.next().await.unwrap().unwrap();
                        total += started.elapsed();
                        assert!(matches!(delivery, Delivery::Notification(_)));
                    }
                    total
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, stream, latency);
criterion_main!(benches);
