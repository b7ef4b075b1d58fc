//! Notifications: a mailbox's changes as they happen (with the `all-operations` feature).
//!
//! [`Client::watch`] is the way most programs want: a feed of the changes of some folders
//! that keeps going for days (it opens the stream again when the server closes it,
//! reconnects after a drop, subscribes again when the subscription is lost) and says when
//! events may have been missed ([`Change::Resync`]), so that the program synchronizes
//! those folders and nothing is lost:
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use ews_bindings::notifications::{Change, Watch};
//! use ews_bindings::types::{DistinguishedFolderIdName, NotificationEventType};
//!
//! # async fn run(client: ews_bindings::Client) -> Result<(), ews_bindings::Error> {
//! let watch = Watch::new([DistinguishedFolderIdName::Inbox], [NotificationEventType::NewMailEvent]);
//! let mut feed = client.watch(watch);
//! while let Some(change) = feed.try_next().await? {
//!     match change {
//!         Change::Event(event) => println!("{event:?}"),
//!         // SyncFolderItems from the last sync state, e.g. with `client.pages`.
//!         Change::Resync { folders, .. } => println!("resync {} folders", folders.len()),
//!         _ => {}
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Underneath, a subscription ([`Client::subscribe`]) names the folders and the kinds of
//! events to follow, and the server delivers their events in one of two ways, each read
//! here as a [`Stream`] of [`Delivery`] items:
//!
//! - **Streaming** ([`Client::streaming_events`]): one long answer to GetStreamingEvents
//!   (up to 30 minutes) carrying envelopes one after another, each read as soon as it has
//!   come: notifications, heartbeats while nothing happens, and a last `Closed` when the
//!   time asked for is over.
//! - **Pull** ([`Client::pull_events`]): GetEvents from the last watermark, again at once
//!   while the server has more events, then after a pause.
//!
//! Each event of a [`Notification`](types::Notification) is one of the generated
//! [`types::AnyNotificationEvent`]s (NewMail, Created, Deleted, Modified, Moved, Copied,
//! FreeBusyChanged, Status), with its item or folder id, parent folder, old ids and
//! watermark.
//!
//! A subscription's requests carry server affinity as Exchange 2013 and later need it:
//! Subscribe asks for it (`X-PreferServerAffinity`), the back-end cookie the server sets is
//! sent back with the requests after it, and impersonated requests name the mailbox in
//! `X-AnchorMailbox`.

mod feed;
pub mod push;

use std::time::Duration;

pub use feed::{Change, Feed, Mode, ResyncReason, Watch};
use futures_util::stream::{self, Stream, StreamExt};

use crate::client::Client;
use crate::error::Error;
use crate::messages::{self, AnySubscriptionRequest};
use crate::operation::{self, EwsError, ItemResults, PerItem, ResponseMessage};
use crate::soap;
use crate::types::{self, AnyNotificationEvent, ConnectionStatus};
use crate::xml::{FromXml, ParseError, ParseErrorKind, Start, Text, XmlReader};

/// What the server delivers on a subscription's stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Delivery {
    /// Events of one subscription, in the order they happened.
    Notification(types::Notification),
    /// The server says the connection is alive; nothing happened (for a pull subscription:
    /// a poll that brought only a status event).
    Heartbeat,
    /// The server can no longer deliver the events of these subscriptions (they expired,
    /// or it does not know them: `ErrorSubscriptionNotFound`, …); the others go on. Events
    /// of theirs may have been missed: subscribe again, and synchronize the folders
    /// (SyncFolderItems) to catch up.
    SubscriptionError {
        /// The subscriptions concerned.
        subscription_ids: Vec<Text>,
        /// What the server said.
        error: EwsError,
    },
    /// The server closed the stream: the connection time asked for is over. Open it again
    /// with the same subscriptions to go on; no event is lost in between.
    Closed,
}

/// A subscription the server made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subscription {
    /// Its id, for GetStreamingEvents, GetEvents and Unsubscribe.
    pub id: Text,
    /// Where its events start, for a pull subscription (GetEvents' first watermark).
    pub watermark: Option<Text>,
}

/// The watermark of an event: where the events after it start.
pub fn watermark(event: &AnyNotificationEvent) -> Option<&Text> {
    use AnyNotificationEvent as E;
    match event {
        E::CopiedEvent(e) | E::MovedEvent(e) => e.watermark.as_ref(),
        E::CreatedEvent(e)
        | E::DeletedEvent(e)
        | E::NewMailEvent(e)
        | E::FreeBusyChangedEvent(e) => e.watermark.as_ref(),
        E::ModifiedEvent(e) => e.watermark.as_ref(),
        E::StatusEvent(e) => e.watermark.as_ref(),
    }
}

impl Client {
    /// Subscribes to the events `request` names (a streaming, pull or push subscription
    /// request) and returns the subscription.
    pub async fn subscribe(
        &self,
        request: impl Into<AnySubscriptionRequest>,
    ) -> Result<Subscription, Error> {
        let request = messages::Subscribe::new(request.into());
        let response = self.call::<operation::Subscribe>(&request).await?;
        let message = only(response.output)?;
        let id = message.subscription_id.ok_or_else(|| {
            Error::Parse(ParseError::new(
                ParseErrorKind::MissingElement("SubscriptionId"),
                "/SubscribeResponse/ResponseMessages/SubscribeResponseMessage".into(),
                0,
            ))
        })?;
        Ok(Subscription {
            id,
            watermark: message.watermark,
        })
    }

    /// Reads the events of streaming subscriptions as the server delivers them, on one
    /// GetStreamingEvents answer of up to `connection_timeout` minutes (1 to 30), each
    /// envelope as soon as it has come whole: memory holds one envelope.
    ///
    /// The stream ends after [`Delivery::Closed`] (open it again to go on). It fails, and
    /// ends, as [`Client::call_streamed`] does, and with [`Error::Ews`] when the server
    /// refuses the whole request (a response message of class `Error` that names no
    /// subscription); an error of some subscriptions only is a
    /// [`Delivery::SubscriptionError`] and the others go on.
    pub fn streaming_events<'c>(
        &'c self,
        subscription_ids: impl IntoIterator<Item = impl Into<Text>>,
        connection_timeout: i32,
    ) -> impl Stream<Item = Result<Delivery, Error>> + Send + 'c {
        let request = messages::GetStreamingEvents::new(
            subscription_ids
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>(),
            connection_timeout,
        );
        let deliveries = self
            .streamed::<operation::GetStreamingEvents, StreamingAnswer>(
                &request,
                self.headers(),
                |xml, limits| soap::read_response_as(xml, limits, "GetStreamingEventsResponse"),
            )
            .map(|envelope| {
                let deliveries = match envelope {
                    Ok(envelope) => deliveries(envelope.output),
                    Err(e) => vec![Err(e)],
                };
                stream::iter(deliveries)
            })
            .flatten();
        // Nothing comes after the server closed the stream: end without waiting for the
        // connection to close.
        stream::unfold(
            (Box::pin(deliveries), false),
            |(mut deliveries, closed)| async move {
                if closed {
                    return None;
                }
                let delivery = deliveries.next().await?;
                let closed = matches!(delivery, Ok(Delivery::Closed));
                Some((delivery, (deliveries, closed)))
            },
        )
    }

    /// Polls a pull subscription for its events, from the watermark `from` (the subscription's
    /// first, or the last event's seen): GetEvents again at once while the server says it
    /// has more events, else after `interval`. A poll with nothing but a status event
    /// gives a [`Delivery::Heartbeat`]. Each event carries its watermark (see
    /// [`watermark`]): keep the last one to pick up from there later.
    ///
    /// The stream does not end on its own; it fails, and ends, with the first failed call
    /// (an expired subscription, say: `ErrorSubscriptionNotFound`, `ErrorExpiredSubscription`,
    /// `ErrorInvalidWatermark` as [`Error::Ews`]). A busy server is retried as calls are.
    pub fn pull_events<'c>(
        &'c self,
        subscription_id: impl Into<Text>,
        from: impl Into<Text>,
        interval: Duration,
    ) -> impl Stream<Item = Result<Delivery, Error>> + Send + 'c {
        let request = messages::GetEvents::new(subscription_id, from);
        stream::try_unfold((request, false), move |(mut request, wait)| async move {
            if wait {
                tokio::time::sleep(interval).await;
            }
            let response = self.call::<operation::GetEvents>(&request).await?;
            let message = only(response.output)?;
            let Some(notification) = message.notification else {
                return Ok(Some((Delivery::Heartbeat, (request, true))));
            };
            if let Some(last) = notification
                .notification_events
                .iter()
                .rev()
                .find_map(watermark)
            {
                request.watermark = last.clone();
            }
            let more = notification.more_events == Some(true);
            let delivery = match only_status(&notification) {
                true => Delivery::Heartbeat,
                false => Delivery::Notification(notification),
            };
            Ok(Some((delivery, (request, !more))))
        })
    }
}

/// The one response message of an answer to a request for one thing, or its error.
fn only<T>(results: ItemResults<T>) -> Result<T, Error> {
    let mut messages = results
        .into_result()
        .map_err(|e| Error::Ews(Box::new(e)))?
        .into_iter();
    messages.next().ok_or(Error::ItemCount {
        expected: 1,
        received: 0,
    })
}

/// Whether a notification holds nothing but status events.
fn only_status(notification: &types::Notification) -> bool {
    notification
        .notification_events
        .iter()
        .all(|e| matches!(e, AnyNotificationEvent::StatusEvent(_)))
}

/// The response messages of a GetStreamingEvents envelope as servers write them (`None`
/// for a message of another operation).
///
/// Microsoft's schema has the notifications of `m:Notifications` in the types namespace
/// (`t:Notification`) and so has the ids of `m:ErrorSubscriptionIds` (`t:SubscriptionId`);
/// Exchange writes the notifications in the messages namespace (`m:Notification`, as the
/// GetStreamingEvents reference page shows them and Microsoft's EWS Managed API reads them),
/// and clients read the ids in the messages namespace too. The generated reader, true to
/// the schema, would skip them as unknown elements and lose the events: this one reads
/// both namespaces there, and everything else as the generated readers do.
struct StreamingAnswer(Vec<Option<messages::GetStreamingEventsResponseMessage>>);

impl FromXml for StreamingAnswer {
    fn from_xml<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<Self, ParseError> {
        let mut out = Vec::new();
        while let Some(child) = r.next_child(&start)? {
            if !child.is(&messages::NAMESPACE, "ResponseMessages") {
                r.skip(child)?;
                continue;
            }
            while let Some(message) = r.next_child(&child)? {
                if message.is(&messages::NAMESPACE, "GetStreamingEventsResponseMessage") {
                    out.push(Some(read_message(r, message)?));
                } else {
                    r.skip(message)?;
                    out.push(None);
                }
            }
        }
        Ok(StreamingAnswer(out))
    }
}

/// Whether `element` is `local` in either EWS namespace.
fn is_ews(element: &Start<'_>, local: &str) -> bool {
    element.is(&messages::NAMESPACE, local) || element.is(&types::NAMESPACE, local)
}

/// Reads a `m:GetStreamingEventsResponseMessage` (see [`StreamingAnswer`]).
fn read_message<'a>(
    r: &mut XmlReader<'a>,
    start: Start<'a>,
) -> Result<messages::GetStreamingEventsResponseMessage, ParseError> {
    let class: types::ResponseClass = r.required_attr(&start, None, "ResponseClass")?;
    let mut message = messages::GetStreamingEventsResponseMessage::new(class);
    while let Some(child) = r.next_child(&start)? {
        match child.local_in(&messages::NAMESPACE) {
            "MessageText" => r.value(child, &mut message.message_text)?,
            "ResponseCode" => r.value(child, &mut message.response_code)?,
            "DescriptiveLinkKey" => r.value(child, &mut message.descriptive_link_key)?,
            "MessageXml" => r.field(child, &mut message.message_xml)?,
            "ConnectionStatus" => r.value(child, &mut message.connection_status)?,
            "Notifications" => {
                let list = message.notifications.get_or_insert_with(Vec::new);
                while let Some(item) = r.next_child(&child)? {
                    match is_ews(&item, "Notification") {
                        true => list.push(r.read(item)?),
                        false => r.skip(item)?,
                    }
                }
            }
            "ErrorSubscriptionIds" => {
                let list = message.error_subscription_ids.get_or_insert_with(Vec::new);
                while let Some(item) = r.next_child(&child)? {
                    match is_ews(&item, "SubscriptionId") {
                        true => list.push(r.read_value(item)?),
                        false => r.skip(item)?,
                    }
                }
            }
            _ => r.skip(child)?,
        }
    }
    Ok(message)
}

/// What one GetStreamingEvents envelope delivers, in order.
fn deliveries(answer: StreamingAnswer) -> Vec<Result<Delivery, Error>> {
    let mut out = Vec::new();
    for (index, message) in answer.0.into_iter().enumerate() {
        let before = out.len();
        let Some(message) = message else {
            out.push(Err(Error::UnexpectedMessage(
                operation::UnexpectedMessage {
                    index,
                    expected: operation::GetStreamingEvents::MESSAGE,
                },
            )));
            return out;
        };
        if let Some(error) = message.problem() {
            match message.error_subscription_ids {
                Some(ids) if !ids.is_empty() => out.push(Ok(Delivery::SubscriptionError {
                    subscription_ids: ids,
                    error,
                })),
                _ if message.response_class() == types::ResponseClass::Warning => {}
                _ => {
                    out.push(Err(Error::Ews(Box::new(error))));
                    return out;
                }
            }
        }
        out.extend(
            message
                .notifications
                .into_iter()
                .flatten()
                .map(|n| Ok(Delivery::Notification(n))),
        );
        match message.connection_status {
            Some(ConnectionStatus::Closed) => out.push(Ok(Delivery::Closed)),
            _ if out.len() == before => out.push(Ok(Delivery::Heartbeat)),
            _ => {}
        }
    }
    out
}
