//! Receives a push subscription's notifications: listens for the server's
//! `SendNotification` requests and prints one JSON line per event, answering each request
//! `OK` (or `Unsubscribe` once `--count` events have come, then exits).
//!
//! ```text
//! EWS_SCHEMA_DIR=… cargo run --features all-operations --example push -- --listen 0.0.0.0:8080
//! ```
//!
//! The subscription names this listener's URL as seen from the Exchange server, in a
//! Subscribe request's `PushSubscriptionRequest` (e.g. with the `ews` command:
//! `ews Subscribe --request push-subscribe.xml --url …`). Exchange posts over plain HTTP
//! to an `http://` URL; for `https://`, put a TLS-terminating proxy in front.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use clap::Parser;
use ews_bindings::notifications::push;
use ews_bindings::types::SubscriptionStatus;
use serde_json::json;

#[derive(Parser, Debug)]
#[command(
    name = "push",
    about = "Print the events a push subscription posts, one JSON line each"
)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    listen: String,
    /// Answer Unsubscribe and exit after this many events.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    let seen = Arc::new(AtomicU64::new(0));
    let (done, finished) = tokio::sync::oneshot::channel::<()>();
    let done = std::sync::Mutex::new(Some(done));
    let count = args.count;
    let counted = seen.clone();
    let server = push::serve(listener, move |notifications| {
        for notification in notifications {
            for event in notification.notification_events {
                println!(
                    "{}",
                    json!({ "subscription": notification.subscription_id, "event": event })
                );
                counted.fetch_add(1, Ordering::Relaxed);
            }
        }
        match count {
            Some(count) if counted.load(Ordering::Relaxed) >= count => {
                if let Some(done) = done.lock().unwrap().take() {
                    let _ = done.send(());
                }
                SubscriptionStatus::Unsubscribe
            }
            _ => SubscriptionStatus::OK,
        }
    });
    tokio::select! {
        served = server => served,
        _ = finished => {
            // The answer saying Unsubscribe is written once the handler returns; give it
            // a moment to reach the server before the process ends.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            eprintln!("{} events; unsubscribed", seen.load(Ordering::Relaxed));
            Ok(())
        }
    }
}
