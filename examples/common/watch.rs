//! `ews watch`: follows folders' changes and prints one JSON line per event, and one per
//! resync the program reading them should run.

use std::io::Write;

use clap::Parser;

use super::cli::{self, Env};
use super::{Target, FAILED, SUCCESS};

#[derive(Parser, Debug)]
#[command(
    name = "ews watch",
    about = "Follow folders' changes; print one JSON line per event and per resync needed",
    after_help = "Each line is {\"event\": {…}} (the event as the bindings type it) or \
                  {\"resync\": {\"folders\": […], \"reason\": …}}: events of those folders may \
                  have been missed, synchronize them (SyncFolderItems). Needs a build with \
                  every operation (--features all-operations, EWS_SCHEMA_DIR)."
)]
pub struct WatchArgs {
    /// A folder to follow: a distinguished folder name (inbox, calendar, contacts, …) or a
    /// folder id; repeat for more. Default: inbox.
    #[arg(long = "folder", value_name = "FOLDER")]
    pub folders: Vec<String>,
    /// The events to follow, comma-separated: new-mail, created, deleted, modified, moved,
    /// copied, free-busy-changed. Default: all.
    #[arg(long, value_delimiter = ',', value_name = "EVENTS")]
    pub events: Vec<String>,
    /// Poll a pull subscription instead of streaming.
    #[arg(long)]
    pub pull: bool,
    /// Seconds between polls, with --pull.
    #[arg(long, default_value_t = 10, value_name = "SECONDS", requires = "pull")]
    pub interval: u64,
    /// Exit (status 0) after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    #[command(flatten)]
    pub target: Target,
}

/// Runs `ews watch` with `args` (the program name and `watch` first).
pub async fn run(
    args: Vec<std::ffi::OsString>,
    env: Env<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let args = std::iter::once("ews watch".into()).chain(args.into_iter().skip(2));
    let args: WatchArgs = match cli::parse(args, out, err) {
        Ok(args) => args,
        Err(code) => return code,
    };
    match watch(&args, env, out, err).await {
        Ok(()) => SUCCESS,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            FAILED
        }
    }
}

#[cfg(not(feature = "all-operations"))]
async fn watch(
    _: &WatchArgs,
    _: Env<'_>,
    _: &mut dyn Write,
    _: &mut dyn Write,
) -> Result<(), String> {
    Err("watch needs a build with every operation (notifications are not in the IM slice): \
         EWS_SCHEMA_DIR=/path/to/schema cargo run --features all-operations --example ews -- watch …"
        .to_owned())
}

#[cfg(feature = "all-operations")]
async fn watch(
    args: &WatchArgs,
    env: Env<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), String> {
    use std::time::Duration;

    use ews_bindings::notifications::{Change, ResyncReason, Watch};
    use futures_util::StreamExt;
    use serde_json::json;

    let folders = match args.folders.is_empty() {
        true => vec![folder("inbox")],
        false => args.folders.iter().map(|f| folder(f)).collect(),
    };
    let events = match args.events.is_empty() {
        true => event_types::ALL.to_vec(),
        false => args
            .events
            .iter()
            .map(|e| event_types::parse(e))
            .collect::<Result<_, _>>()?,
    };
    let client = super::client(&args.target, env, err).await?;
    let mut watch = Watch::new(folders, events);
    if args.pull {
        watch = watch.pull(Duration::from_secs(args.interval));
    }
    let mut feed = client.watch(watch);
    let mut seen = 0;
    while args.count.is_none_or(|count| seen < count) {
        let change = match feed.next().await {
            Some(change) => change.map_err(|e| cli::message(&e))?,
            None => return Err("the feed ended".to_owned()),
        };
        let line = match change {
            Change::Event(event) => {
                seen += 1;
                json!({ "event": event })
            }
            Change::Resync { folders, reason } => {
                let (reason, code) = match reason {
                    ResyncReason::Started => ("started", None),
                    ResyncReason::Interrupted => ("interrupted", None),
                    ResyncReason::Resubscribed(code) => ("resubscribed", Some(code)),
                    _ => ("other", None),
                };
                json!({ "resync": { "folders": folders, "reason": reason, "code": code } })
            }
            _ => continue,
        };
        writeln!(out, "{line}").map_err(|e| format!("cannot write: {e}"))?;
    }
    Ok(())
}

/// A distinguished folder by its name, else a folder id.
#[cfg(feature = "all-operations")]
fn folder(name: &str) -> ews_bindings::types::AnyFolderId {
    use ews_bindings::types::{DistinguishedFolderIdName, FolderId};

    match DistinguishedFolderIdName::VALUES
        .iter()
        .find(|v| v.eq_ignore_ascii_case(name))
    {
        Some(known) => known
            .parse::<DistinguishedFolderIdName>()
            .map_or_else(|never| match never {}, Into::into),
        None => FolderId::new(name).into(),
    }
}

/// The event types by their names on the command line (`new-mail` for `NewMailEvent`).
#[cfg(feature = "all-operations")]
mod event_types {
    use ews_bindings::types::NotificationEventType;

    /// Every event type a subscription can ask for.
    pub const ALL: [NotificationEventType; 7] = [
        NotificationEventType::NewMailEvent,
        NotificationEventType::CreatedEvent,
        NotificationEventType::DeletedEvent,
        NotificationEventType::ModifiedEvent,
        NotificationEventType::MovedEvent,
        NotificationEventType::CopiedEvent,
        NotificationEventType::FreeBusyChangedEvent,
    ];

    /// The command line name of a schema value: `NewMailEvent` → `new-mail`.
    fn name(value: &str) -> String {
        let mut out = String::new();
        for (i, c) in value.trim_end_matches("Event").char_indices() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    pub fn parse(given: &str) -> Result<NotificationEventType, String> {
        NotificationEventType::VALUES
            .iter()
            .find(|v| name(v) == given.trim().to_ascii_lowercase())
            .map(|v| v.parse().unwrap_or_else(|never| match never {}))
            .ok_or_else(|| {
                let names: Vec<String> = NotificationEventType::VALUES
                    .iter()
                    .map(|v| name(v))
                    .collect();
                format!("unknown event {given:?}; one of: {}", names.join(", "))
            })
    }
}
