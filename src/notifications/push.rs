//! Push subscriptions: the server posts each notification to a URL of the program's own
//! (a `SendNotification` request, named in the [`PushSubscriptionRequest`]'s `url`) and
//! the program answers whether to go on (`OK`) or to end the subscription (`Unsubscribe`).
//! If the program does not answer, the server tries again, then gives the subscription
//! up; with a `status_frequency` of N minutes it posts a status event at least that often.
//!
//! [`read`] and [`answer`] work on bytes, for any HTTP server; with the `push` feature,
//! `serve` is a small HTTP/1.1 server doing both around a function of the program's.
//! Exchange posts over the scheme of the URL given; put TLS in front of `serve` (a
//! reverse proxy) for an `https` URL.
//!
//! [`PushSubscriptionRequest`]: crate::types::PushSubscriptionRequest

use crate::messages::{self, AnyResponseMessage};
use crate::soap::{self, EnvelopeError};
use crate::types::{self, SubscriptionStatus};
use crate::xml::Limits;

/// Reads the notifications of a `SendNotification` request's body (a SOAP envelope), in
/// the order the server wrote them. Response messages of another kind are skipped; a
/// body that is not such an envelope is the error.
pub fn read(body: &[u8]) -> Result<Vec<types::Notification>, EnvelopeError> {
    let envelope = soap::read_response_as::<messages::SendNotificationResponse>(
        body,
        &Limits::default(),
        "SendNotification",
    )?;
    Ok(envelope
        .body
        .response_messages
        .into_iter()
        .filter_map(|message| match message {
            AnyResponseMessage::SendNotificationResponseMessage(m) => m.notification,
            _ => None,
        })
        .collect())
}

/// The body of the answer to a `SendNotification` request: go on with the subscription
/// (`SubscriptionStatus::OK`) or end it (`SubscriptionStatus::Unsubscribe`). Send it with
/// status 200 and `Content-Type: text/xml; charset=utf-8`.
pub fn answer(status: SubscriptionStatus) -> String {
    soap::write_message(
        "SendNotificationResult",
        &messages::SendNotificationResult::new(status),
    )
}

#[cfg(feature = "push")]
pub use server::serve;

#[cfg(feature = "push")]
mod server {
    use std::convert::Infallible;
    use std::sync::Arc;

    use http_body_util::{BodyExt, Full, Limited};
    use hyper::body::{Bytes, Incoming};
    use hyper::server::conn::http1;
    use hyper::service::service_fn;
    use hyper::{Request, Response};
    use hyper_util::rt::TokioIo;
    use tokio::net::TcpListener;

    use super::{answer, read};
    use crate::types::{self, SubscriptionStatus};

    /// The largest `SendNotification` request read: 16 MiB.
    const MAX_BODY: usize = 16 << 20;

    /// Serves `listener` (feature `push`): each `SendNotification` request posted to it is
    /// read, its notifications handed to `on`, and what `on` returns answered. A request
    /// that does not read as one is answered with status 400 and the reason. Runs until
    /// accepting a connection fails.
    ///
    /// ```no_run
    /// use ews_bindings::notifications::push;
    /// use ews_bindings::types::SubscriptionStatus;
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    /// push::serve(listener, |notifications| {
    ///     for notification in notifications {
    ///         println!("{} events", notification.notification_events.len());
    ///     }
    ///     SubscriptionStatus::OK
    /// })
    /// .await
    /// # }
    /// ```
    pub async fn serve(
        listener: TcpListener,
        on: impl Fn(Vec<types::Notification>) -> SubscriptionStatus + Send + Sync + 'static,
    ) -> std::io::Result<()> {
        let on = Arc::new(on);
        loop {
            let (socket, _) = listener.accept().await?;
            let on = on.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let on = on.clone();
                    async move { Ok::<_, Infallible>(respond(request, &*on).await) }
                });
                if let Err(error) = http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await
                {
                    tracing::debug!(%error, "push connection closed");
                }
            });
        }
    }

    async fn respond(
        request: Request<Incoming>,
        on: &(dyn Fn(Vec<types::Notification>) -> SubscriptionStatus + Send + Sync),
    ) -> Response<Full<Bytes>> {
        let reply = |status: u16, content_type: &str, body: String| {
            Response::builder()
                .status(status)
                .header(hyper::header::CONTENT_TYPE, content_type)
                .body(Full::new(Bytes::from(body)))
                .unwrap_or_default()
        };
        let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
            Ok(body) => body.to_bytes(),
            Err(e) => return reply(400, "text/plain", format!("the request body: {e}\n")),
        };
        match read(&body) {
            Ok(notifications) => {
                let status = on(notifications);
                reply(200, "text/xml; charset=utf-8", answer(status))
            }
            Err(e) => reply(
                400,
                "text/plain",
                format!("not a SendNotification request: {e}\n"),
            ),
        }
    }
}
