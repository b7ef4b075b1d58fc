//! The memory of a `Client::watch` feed over many reopenings of its stream, time
//! compressed: the loopback endpoint answers each GetStreamingEvents with two heartbeats,
//! one NewMail event and `Closed` at once, as a server does at the end of each connection
//! time (48 times a day with answers of 30 minutes, 1,440 with answers of one minute). The
//! heap is counted by this program's allocator: in use after a warm-up of 48 reopenings,
//! the most in use at once during the run, and in use at its end. Flat means that the
//! last two do not grow with the number of reopenings. (Each run has a server and a
//! client of its own; what earlier runs leave in the runtime shows in the first column.)
//!
//! ```sh
//! EWS_SCHEMA_DIR=../shared/ews-schema cargo bench --features all-operations --bench notifications_memory
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use std::sync::Arc;

use ews_bindings::notifications::{Change, Watch};
use ews_bindings::types::{DistinguishedFolderIdName, NotificationEventType};
use ews_bindings::Client;
use futures_util::StreamExt;

/// The system allocator, counting the bytes in use and their high-water mark.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = IN_USE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[path = "common/streaming.rs"]
mod streaming;

use streaming::{notification, serve, status, streamed, whole, MESSAGES};

/// The answer to a request: a subscription, or a stream of two heartbeats, one event and
/// `Closed`.
fn answers() -> impl Fn(&[u8]) -> Arc<Vec<u8>> {
    let subscribed = Arc::new(whole(&format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:SubscribeResponse xmlns:m="{MESSAGES}"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>sub-1</m:SubscriptionId></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse></s:Body></s:Envelope>"#
    )));
    let heartbeat = status("OK");
    let stream = Arc::new(streamed(
        &[
            heartbeat.clone(),
            notification(0, 1),
            heartbeat,
            status("Closed"),
        ]
        .concat(),
    ));
    move |request| {
        let request = String::from_utf8_lossy(request);
        match request.contains(":Subscribe>") || request.contains(":Subscribe ") {
            true => subscribed.clone(),
            false => stream.clone(),
        }
    }
}

/// Reads `reopenings` answers' events from `feed`.
async fn follow(feed: &mut ews_bindings::notifications::Feed, reopenings: usize) {
    let mut events = 0;
    while events < reopenings {
        match feed.next().await {
            Some(Ok(Change::Event(_))) => events += 1,
            Some(Ok(_)) => {}
            other => panic!("the feed stopped: {other:?}"),
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("reopenings | heap in use after the warm-up (KiB) | most in use during (KiB) | in use at the end (KiB)");
    for reopenings in [48, 1_440, 14_400] {
        let (start, peak, end) = runtime.block_on(async {
            let url = serve(answers()).await;
            let client = Client::builder(url).build().unwrap();
            let watch = Watch::new(
                [DistinguishedFolderIdName::Inbox],
                [NotificationEventType::NewMailEvent],
            );
            let mut feed = client.watch(watch);
            follow(&mut feed, 48).await;
            let start = IN_USE.load(Ordering::Relaxed);
            PEAK.store(start, Ordering::Relaxed);
            follow(&mut feed, reopenings).await;
            let peak = PEAK.load(Ordering::Relaxed);
            let end = IN_USE.load(Ordering::Relaxed);
            drop(feed);
            (start, peak, end)
        });
        println!(
            "{reopenings:>10} | {:>36} | {:>24} | {:>23}",
            start >> 10,
            peak >> 10,
            end >> 10
        );
    }
}
