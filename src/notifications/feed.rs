//! A feed of a mailbox's changes that keeps going: [`Client::watch`].

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{self, Either};
use futures_util::stream::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::{Delivery, Subscription};
use crate::client::Client;
use crate::error::Error;
use crate::messages::{self, ResponseCode};
use crate::operation;
use crate::types::{
    AnyFolderId, AnyNotificationEvent, NotificationEventType, PullSubscriptionRequest,
    StreamingSubscriptionRequest,
};
use crate::xml::{ParseError, ParseErrorKind, Text};

/// What to follow and how: the folders, the kinds of events, streaming or pull, and how
/// long to wait before trying again after a failure.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Watch {
    /// The folders followed.
    pub folders: Vec<AnyFolderId>,
    /// The kinds of events handed out.
    pub event_types: Vec<NotificationEventType>,
    /// Streaming (the default) or pull.
    pub mode: Mode,
    /// The first wait before trying again after a failure; it doubles with each failure in
    /// a row, up to [`Watch::max_back_off`].
    pub back_off: Duration,
    /// The longest wait between tries.
    pub max_back_off: Duration,
}

/// How the events come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// A streaming subscription, read on GetStreamingEvents answers of
    /// `connection_timeout` minutes (1 to 30), each opened again when it ends.
    Streaming {
        /// Minutes each answer lasts.
        connection_timeout: i32,
    },
    /// A pull subscription, polled with GetEvents every `interval` (at once while the
    /// server has more); the server drops it after `timeout` minutes (1 to 1440) without a
    /// poll.
    Pull {
        /// The pause between polls.
        interval: Duration,
        /// Minutes the server keeps the subscription without a poll.
        timeout: i32,
    },
}

impl Watch {
    /// Follows `event_types` in `folders` by streaming, answers of 30 minutes, trying
    /// again after 1 s, then 2 s, … up to a minute.
    pub fn new(
        folders: impl IntoIterator<Item = impl Into<AnyFolderId>>,
        event_types: impl IntoIterator<Item = NotificationEventType>,
    ) -> Self {
        Watch {
            folders: folders.into_iter().map(Into::into).collect(),
            event_types: event_types.into_iter().collect(),
            mode: Mode::Streaming {
                connection_timeout: 30,
            },
            back_off: Duration::from_secs(1),
            max_back_off: Duration::from_secs(60),
        }
    }

    /// Polls a pull subscription every `interval` instead of streaming (for servers or
    /// networks where a long answer does not get through).
    pub fn pull(mut self, interval: Duration) -> Self {
        self.mode = Mode::Pull {
            interval,
            timeout: 10,
        };
        self
    }

    /// Sets the waits between tries after failures: from `first`, doubling, up to `max`.
    pub fn back_off(mut self, first: Duration, max: Duration) -> Self {
        self.back_off = first;
        self.max_back_off = max;
        self
    }
}

/// What a feed hands out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// Something happened in a followed folder (status events, the server's sign of life,
    /// are not handed out).
    Event(AnyNotificationEvent),
    /// Events of these folders may have been missed: synchronize them (SyncFolderItems
    /// from the last sync state) to catch up. The events after this one are followed.
    Resync {
        /// The folders concerned.
        folders: Vec<AnyFolderId>,
        /// Why.
        reason: ResyncReason,
    },
}

/// Why a feed asks for a resync.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResyncReason {
    /// The feed started: what happened before it is not in it.
    Started,
    /// The connection dropped while events were coming: some may not have arrived.
    Interrupted,
    /// The server no longer knew the subscription (it expired, the server restarted, a
    /// watermark was refused), and a new one was made.
    Resubscribed(ResponseCode),
}

/// The changes of a mailbox's folders as they happen, from [`Client::watch`]: a
/// [`Stream`] that does not end on its own. Dropping it ends the subscription on the
/// server (Unsubscribe, sent in the background).
#[must_use = "a feed does nothing unless polled"]
pub struct Feed {
    changes: mpsc::Receiver<Result<Change, Error>>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed").finish_non_exhaustive()
    }
}

impl Stream for Feed {
    type Item = Result<Change, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.changes.poll_recv(cx)
    }
}

impl Client {
    /// Follows `watch`'s folders for as long as the feed is kept: every event that happens
    /// in them is handed out once, as a [`Change::Event`], or falls in the time a
    /// [`Change::Resync`] names, after which the program synchronizes those folders.
    /// Needs a Tokio runtime: the feed runs on a task of its own.
    ///
    /// The feed subscribes, then reads the events: streaming, it opens GetStreamingEvents
    /// again each time the server closes it; pulling, it polls GetEvents from the last
    /// watermark. It tries again, after a wait that doubles up to
    /// [`Watch::max_back_off`], when the connection drops, the server does not answer or
    /// is busy (`ErrorServerBusy`, after the client's own retries). It subscribes again
    /// when the server no longer knows the subscription. A resync is handed out first of
    /// all, and whenever events may have been missed: the connection dropped while events
    /// were coming, or the subscription had to be made again. The feed fails, and ends,
    /// only with what trying again cannot mend: refused credentials, a URL that is not EWS,
    /// an answer that does not read.
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use ews_bindings::notifications::{Change, Watch};
    /// use ews_bindings::types::{DistinguishedFolderIdName, NotificationEventType};
    ///
    /// # async fn run(client: ews_bindings::Client) -> Result<(), ews_bindings::Error> {
    /// let watch = Watch::new(
    ///     [DistinguishedFolderIdName::Inbox],
    ///     [NotificationEventType::NewMailEvent, NotificationEventType::DeletedEvent],
    /// );
    /// let mut feed = client.watch(watch);
    /// while let Some(change) = feed.try_next().await? {
    ///     match change {
    ///         Change::Event(event) => println!("{event:?}"),
    ///         Change::Resync { folders, .. } => println!("sync {} folders", folders.len()),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&self, watch: Watch) -> Feed {
        let (sender, changes) = mpsc::channel(64);
        let follower = Follower {
            client: self.clone(),
            watch,
            sender,
        };
        tokio::spawn(follower.run());
        Feed { changes }
    }
}

/// The task behind a feed.
struct Follower {
    client: Client,
    watch: Watch,
    sender: mpsc::Sender<Result<Change, Error>>,
}

/// Why a subscription's events stopped coming, and what to do.
enum Next {
    /// Read again with the same subscription (after a wait, if given).
    Reopen(Option<Duration>),
    /// Make a new subscription; events were missed.
    Resubscribe(ResponseCode),
    /// The feed was dropped, or failed.
    Stop,
}

/// The codes by which the server says it no longer knows a subscription or its watermark.
fn subscription_gone(code: &ResponseCode) -> bool {
    matches!(
        code,
        ResponseCode::ErrorSubscriptionNotFound
            | ResponseCode::ErrorExpiredSubscription
            | ResponseCode::ErrorInvalidSubscription
            | ResponseCode::ErrorInvalidWatermark
            | ResponseCode::ErrorReadEventsFailed
            | ResponseCode::ErrorSubscriptionAccessDenied
    )
}

/// Whether trying again may mend `error`: a connection that dropped or did not answer, a
/// busy or unavailable server.
fn transient(error: &Error) -> bool {
    match error {
        Error::Transport { .. }
        | Error::Timeout(_)
        | Error::Stalled(_)
        | Error::Truncated { .. }
        | Error::Throttled { .. } => true,
        Error::Http { status, .. } => matches!(status, 500 | 502 | 503 | 504),
        e => e.is_server_busy(),
    }
}

/// The waits between tries: doubling from the first, up to the longest.
struct BackOff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl BackOff {
    fn new(watch: &Watch) -> Self {
        BackOff {
            first: watch.back_off,
            max: watch.max_back_off,
            next: watch.back_off,
        }
    }

    /// The next wait: at least what the server asked for.
    fn wait(&mut self, asked: Option<Duration>) -> Duration {
        let wait = self
            .next
            .max(asked.unwrap_or_default())
            .min(self.max.max(self.first));
        self.next = (self.next * 2).min(self.max);
        wait
    }

    fn reset(&mut self) {
        self.next = self.first;
    }
}

impl Follower {
    async fn run(self) {
        let mut back_off = BackOff::new(&self.watch);
        let mut reason = ResyncReason::Started;
        loop {
            let subscription = match self.subscribe().await {
                Ok(subscription) => subscription,
                Err(e) if transient(&e) => {
                    tracing::debug!(error = %e, "subscribing failed; trying again");
                    let wait = back_off.wait(e.back_off());
                    if !self.pause(wait).await {
                        return;
                    }
                    continue;
                }
                Err(e) => {
                    let _ = self.sender.send(Err(e)).await;
                    return;
                }
            };
            tracing::debug!(subscription = %subscription.id, "subscribed");
            let id = subscription.id.clone();
            let resync = Change::Resync {
                folders: self.watch.folders.clone(),
                reason: reason.clone(),
            };
            if self.sender.send(Ok(resync)).await.is_err() {
                return self.unsubscribe(id);
            }
            match self.read(subscription, &mut back_off).await {
                Next::Resubscribe(code) => {
                    tracing::debug!(%code, "the server no longer knows the subscription");
                    reason = ResyncReason::Resubscribed(code);
                    // A server that forgets each new subscription at once is not asked
                    // again and again without a pause.
                    if !self.pause(back_off.wait(None)).await {
                        return;
                    }
                }
                Next::Stop | Next::Reopen(_) => return self.unsubscribe(id),
            }
        }
    }

    /// Makes the subscription the watch asks for.
    async fn subscribe(&self) -> Result<Subscription, Error> {
        let folders = Some(self.watch.folders.clone());
        let event_types = self.watch.event_types.clone();
        match self.watch.mode {
            Mode::Streaming { .. } => {
                self.client
                    .subscribe(StreamingSubscriptionRequest {
                        folder_ids: folders,
                        ..StreamingSubscriptionRequest::new(event_types)
                    })
                    .await
            }
            Mode::Pull { timeout, .. } => {
                self.client
                    .subscribe(PullSubscriptionRequest {
                        folder_ids: folders,
                        ..PullSubscriptionRequest::new(event_types, timeout)
                    })
                    .await
            }
        }
    }

    /// Waits `wait`, unless the feed is dropped meanwhile; whether to go on.
    async fn pause(&self, wait: Duration) -> bool {
        let closed = std::pin::pin!(self.sender.closed());
        let slept = std::pin::pin!(tokio::time::sleep(wait));
        matches!(future::select(slept, closed).await, Either::Left(_))
    }

    /// Hands out the events of `notification`; whether the feed is still wanted.
    async fn hand_out(&self, events: Vec<AnyNotificationEvent>) -> bool {
        for event in events {
            if matches!(event, AnyNotificationEvent::StatusEvent(_)) {
                continue;
            }
            if self.sender.send(Ok(Change::Event(event))).await.is_err() {
                return false;
            }
        }
        true
    }

    /// What to do after `error` ended a subscription's events; `missed` when events may
    /// have been lost with it.
    async fn after(&self, error: Error, missed: bool, back_off: &mut BackOff) -> Next {
        if let Some(code) = error.response_code().filter(|c| subscription_gone(c)) {
            return Next::Resubscribe(code.clone());
        }
        if !transient(&error) {
            let _ = self.sender.send(Err(error)).await;
            return Next::Stop;
        }
        tracing::debug!(%error, "reading events failed; trying again");
        if missed {
            let resync = Change::Resync {
                folders: self.watch.folders.clone(),
                reason: ResyncReason::Interrupted,
            };
            if self.sender.send(Ok(resync)).await.is_err() {
                return Next::Stop;
            }
        }
        Next::Reopen(Some(back_off.wait(error.back_off())))
    }

    /// The deliveries of `subscription` from one GetStreamingEvents answer, or from polls
    /// starting at `watermark`.
    fn deliveries<'s>(
        &'s self,
        subscription: &Text,
        watermark: &Text,
    ) -> Pin<Box<dyn Stream<Item = Result<Delivery, Error>> + Send + 's>> {
        match self.watch.mode {
            Mode::Streaming { connection_timeout } => Box::pin(
                self.client
                    .streaming_events([subscription.clone()], connection_timeout),
            ),
            Mode::Pull { interval, .. } => Box::pin(self.client.pull_events(
                subscription.clone(),
                watermark.clone(),
                interval,
            )),
        }
    }

    /// Reads a subscription's events, answer after answer (or poll after poll, from the
    /// last watermark), until it is gone.
    async fn read(&self, subscription: Subscription, back_off: &mut BackOff) -> Next {
        let streaming = matches!(self.watch.mode, Mode::Streaming { .. });
        let mut watermark = match (subscription.watermark, streaming) {
            (Some(watermark), _) => watermark,
            (None, true) => Text::default(),
            (None, false) => {
                let missing = ParseError::new(
                    ParseErrorKind::MissingElement("Watermark"),
                    "/SubscribeResponse/ResponseMessages/SubscribeResponseMessage".into(),
                    0,
                );
                let _ = self.sender.send(Err(Error::Parse(missing))).await;
                return Next::Stop;
            }
        };
        loop {
            let mut deliveries = self.deliveries(&subscription.id, &watermark);
            // Whether events came on this answer: if it drops, some may be lost with it.
            // (Polls start from the last watermark: a failed one loses nothing.)
            let mut received = false;
            let next = loop {
                let next = std::pin::pin!(deliveries.next());
                let closed = std::pin::pin!(self.sender.closed());
                let delivery = match future::select(next, closed).await {
                    Either::Left((delivery, _)) => delivery,
                    Either::Right(_) => break Next::Stop,
                };
                match delivery {
                    None | Some(Ok(Delivery::Closed)) => break Next::Reopen(None),
                    Some(Ok(Delivery::Heartbeat)) => {
                        received = streaming;
                        back_off.reset();
                    }
                    Some(Ok(Delivery::Notification(notification))) => {
                        received = streaming;
                        back_off.reset();
                        let events = notification.notification_events;
                        if let Some(last) = events.iter().rev().find_map(super::watermark) {
                            watermark = last.clone();
                        }
                        if !self.hand_out(events).await {
                            break Next::Stop;
                        }
                    }
                    Some(Ok(Delivery::SubscriptionError { error, .. })) => {
                        break Next::Resubscribe(error.response_code)
                    }
                    Some(Err(e)) => break self.after(e, received, back_off).await,
                }
            };
            match next {
                Next::Reopen(Some(wait)) if !self.pause(wait).await => return Next::Stop,
                Next::Reopen(_) => {}
                other => return other,
            }
        }
    }

    /// Ends the subscription `id`, in the background.
    fn unsubscribe(&self, id: Text) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let request = messages::Unsubscribe::new(id);
            if let Err(error) = client.call::<operation::Unsubscribe>(&request).await {
                tracing::debug!(%error, "unsubscribing failed");
            }
        });
    }
}
