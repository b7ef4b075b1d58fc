//! The client: sends an [`Operation`] as a SOAP request and turns the answer into the
//! operation's response or a typed [`Error`].
//!
//! Each phase of a call has a file: the settings and what they build ([`ClientBuilder`],
//! `settings.rs`); the calls and what an answer means (this file); the retries while the
//! server is busy ([`RetryPolicy`], `retry.rs`); the transport, one path for every
//! request (calls, downloads, SOAP Autodiscover) through `reqwest` or, for Windows
//! authentication, on HTTP/1.1 connections of the client's own, with the errors of that
//! path (`transport.rs`); answers that last, handed out envelope by envelope as they come
//! (`streamed.rs`); the handshakes of Windows authentication (`windows.rs`, with
//! `ntlm.rs`, `kerberos.rs`, `spnego.rs`, `binding.rs` for channel binding and
//! `connection.rs` for the connections).

mod binding;
mod connection;
mod der;
#[cfg(feature = "kerberos")]
mod kerberos;
mod ntlm;
mod retry;
mod settings;
#[cfg(feature = "kerberos")]
mod spnego;
mod streamed;
mod tls;
mod transport;
mod windows;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use futures_util::stream::{self, Stream};
use tracing::Instrument;

pub(crate) use connection::RawResponse;
pub use retry::RetryPolicy;
pub use settings::{Auth, ClientBuilder, Secret, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
use transport::excerpt;
pub(crate) use transport::{Payload, Transport};

use crate::error::{Error, EwsError};
use crate::operation::{self, ItemResult, Operation, PerItem, Reply, ResponseError};
use crate::paging::{self, Paged};
use crate::soap::{self, RequestHeaders, ResponseEnvelope};
use crate::types::ServerVersionInfo;
use crate::xml::Limits;

/// What `O`'s response envelope means for the call that sent `request`: the operation's
/// output, or the error failing the call (a message of class `Error`, fewer or more
/// per-item messages than items asked for).
fn output<O: Operation>(
    request: &O::Request,
    envelope: ResponseEnvelope<O::Response>,
) -> Result<Response<O::Output>, Error> {
    let Reply {
        output,
        warning,
        messages,
    } = O::output(envelope.body)?;
    if let Some(received) = messages {
        check_count::<O>(request, received)?;
    }
    Ok(Response {
        output,
        server_version: envelope.server_version,
        warning,
    })
}

/// Where `O`'s requests sent with `headers` are routed: a public folder mailbox, or the
/// impersonated address for an operation that can be impersonated.
fn route<O: Operation>(headers: &RequestHeaders) -> Route {
    match &headers.public_folders {
        Some(public) => Route {
            anchor: Some(public.anchor_mailbox.clone()),
            public_folder_mailbox: Some(public.public_folder_mailbox.clone()),
        },
        None => Route {
            anchor: headers
                .anchor_mailbox()
                .filter(|_| O::REQUEST_HEADERS.contains(&"ExchangeImpersonation"))
                .map(str::to_owned),
            public_folder_mailbox: None,
        },
    }
}

/// The HTTP headers routing a request to a mailbox.
#[derive(Debug, Clone, Default)]
struct Route {
    /// `X-AnchorMailbox`.
    anchor: Option<String>,
    /// `X-PublicFolderMailbox`.
    public_folder_mailbox: Option<String>,
}

/// The request of `O` carrying the envelope `body`, routed by `route`. A Subscribe asks for
/// server affinity, so that the subscription's later requests reach the server that holds
/// it (the client sends back the cookie the server sets).
fn soap_payload<'a, O: Operation>(body: &'a str, route: &'a Route) -> Payload<'a> {
    Payload::Soap {
        body,
        action: O::SOAP_ACTION,
        anchor: route.anchor.as_deref(),
        public_folder_mailbox: route.public_folder_mailbox.as_deref(),
        prefer_affinity: O::NAME == "Subscribe",
    }
}

/// Fails with [`Error::ItemCount`] when an answer of `received` messages does not hold one
/// per item that `request` asks for.
fn check_count<O: Operation>(request: &O::Request, received: usize) -> Result<(), Error> {
    match O::expected_items(request) {
        Some(expected) if expected != received => Err(Error::ItemCount { expected, received }),
        _ => Ok(()),
    }
}

/// What reading an answer message by message found (see [`Client::call_per_item`]).
#[derive(Default)]
struct PerItemRead {
    /// How many messages the answer held.
    messages: usize,
    /// The error failing the call, after which no message is handed out.
    failed: Option<ResponseError>,
    /// Whether a message has been handed out, by this answer or an earlier one.
    handed_out: bool,
}

/// The answer to an operation: its output (see [`Operation::Output`]), the server's
/// version, and the warning of a `Warning` response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// What the operation returns: its response message, its
    /// [`ItemResults`](crate::operation::ItemResults), or its response element.
    pub output: T,
    /// The `ServerVersionInfo` header, if the server sent one.
    pub server_version: Option<ServerVersionInfo>,
    /// The warning, when the ResponseClass is `Warning` (the data is still returned).
    pub warning: Option<EwsError>,
}

/// Cloning is cheap; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
    headers: RequestHeaders,
    retry: RetryPolicy,
    limits: Limits,
}

impl Client {
    /// Settings for a client of `endpoint`.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(endpoint)
    }

    /// The request headers sent unless a call overrides them.
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }

    /// This client sending `headers` unless a call overrides them: for every call of a
    /// stream of pages ([`Client::pages`]) or of item-by-item reads routed to a public
    /// folder mailbox, say. It shares this client's connections and settings.
    pub fn with_headers(&self, headers: RequestHeaders) -> Client {
        Client {
            headers,
            ..self.clone()
        }
    }

    /// Sends `request` with the client's request headers and returns what the operation's
    /// response means ([`Operation::Output`]): its response message, one result per
    /// requested item, or its response element. Like every call, it needs a Tokio runtime
    /// (reqwest's transport runs on it).
    ///
    /// Of the headers, only those the operation's binding declares are sent
    /// ([`Operation::REQUEST_HEADERS`]). An impersonated request also carries the
    /// `X-AnchorMailbox` HTTP header with the impersonated address.
    ///
    /// ```no_run
    /// use ews_bindings::{messages, operation, Client, Secret};
    ///
    /// # async fn run() -> Result<(), ews_bindings::Error> {
    /// let client = Client::builder("https://mail.contoso.com/EWS/Exchange.asmx")
    ///     .bearer_token(Secret::new("…"))
    ///     .build()?;
    /// let request = messages::AddImGroup {
    ///     display_name: "Project Falcon".into(),
    /// };
    /// let response = client.call::<operation::AddImGroup>(&request).await?;
    /// println!("{:?}", response.output.im_group.map(|g| g.display_name));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call<O: Operation>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Output>, Error> {
        self.call_with::<O>(request, &self.headers).await
    }

    /// Sends `request` with `headers` instead of the client's.
    pub async fn call_with<O: Operation>(
        &self,
        request: &O::Request,
        headers: &RequestHeaders,
    ) -> Result<Response<O::Output>, Error> {
        self.send::<O, _>(
            request,
            headers,
            soap::read_response_with::<O>,
            || true,
            |envelope| output::<O>(request, envelope),
        )
        .await
    }

    /// Sends `request` like [`Client::call`], handing every element of type `T` that the
    /// answer holds in a list to `each` as it is read, in document order, instead of
    /// keeping it in the output (see [`soap::read_response_each`]): the way through a large
    /// answer one item at a time. Memory then holds the answer as received and one `T`,
    /// where `call` holds the answer and every item read from it.
    ///
    /// For FindItem and GetItem, `T` = `types::AnyItem` takes the items and
    /// leaves the response messages, with their classes and per-item errors, in the output;
    /// a GetItem message whose class is `Success` held one item, handed out in its turn. A
    /// busy server is retried only while nothing has been handed out, so that no item comes
    /// twice.
    ///
    /// ```no_run
    /// # #[cfg(feature = "all-operations")]
    /// # async fn run(client: ews_bindings::Client, request: ews_bindings::messages::FindItem)
    /// # -> Result<(), ews_bindings::Error> {
    /// use ews_bindings::{operation, types};
    ///
    /// let mut subjects = Vec::new();
    /// let response = client
    ///     .call_each::<operation::FindItem, _>(&request, |item: types::AnyItem| {
    ///         if let types::AnyItem::Message(message) = item {
    ///             subjects.extend(message.subject);
    ///         }
    ///     })
    ///     .await?;
    /// for (index, error) in response.output.errors() {
    ///     eprintln!("folder {index}: {error}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call_each<O: Operation, T: 'static>(
        &self,
        request: &O::Request,
        mut each: impl FnMut(T),
    ) -> Result<Response<O::Output>, Error> {
        // Atomic only so that the call's future stays `Send`.
        let handed_out = AtomicBool::new(false);
        let mut each = |value: T| {
            handed_out.store(true, Ordering::Relaxed);
            each(value)
        };
        let parse =
            |xml: &[u8], limits: &Limits| soap::read_response_each::<O, T>(xml, limits, &mut each);
        self.send::<O, _>(
            request,
            &self.headers,
            parse,
            || !handed_out.load(Ordering::Relaxed),
            |envelope| output::<O>(request, envelope),
        )
        .await
    }

    /// Sends `request` to an operation answering item by item and hands each response
    /// message to `each` as an [`ItemResult`], with its position, as soon as it is read,
    /// instead of collecting them: ExportItems' messages, say, each holding a whole item as
    /// base64, one at a time. Returns how many messages there were, with the server's
    /// version.
    ///
    /// What fails the whole call fails it as with [`Client::call`]; the messages read before
    /// it have been handed out by then. A number of messages other than the number of
    /// requested items is [`Error::ItemCount`] once the whole answer is read. A busy server
    /// (the first message says `ErrorServerBusy`) is retried: nothing has been handed out
    /// then.
    ///
    /// ```no_run
    /// # #[cfg(feature = "all-operations")]
    /// # async fn run(client: ews_bindings::Client, request: ews_bindings::messages::ExportItems)
    /// # -> Result<(), ews_bindings::Error> {
    /// use ews_bindings::{operation, ItemResult};
    ///
    /// client
    ///     .call_per_item::<operation::ExportItems>(&request, |index, result| match result {
    ///         ItemResult::Error { error } => eprintln!("item {index}: {error}"),
    ///         ItemResult::Success { message } | ItemResult::Warning { message, .. } => {
    ///             let bytes = message.data.map_or(0, |d| d.0.len());
    ///             println!("item {index}: {bytes} bytes");
    ///         }
    ///     })
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call_per_item<O: PerItem>(
        &self,
        request: &O::Request,
        mut each: impl FnMut(usize, ItemResult<O::Message>),
    ) -> Result<Response<usize>, Error> {
        let read = Mutex::new(PerItemRead::default());
        let mut take = |choice: O::Choice| {
            let mut read = read.lock().unwrap_or_else(PoisonError::into_inner);
            if read.failed.is_some() {
                return;
            }
            match operation::item_result(read.messages, choice, O::MESSAGE, O::message) {
                Ok(result) => {
                    read.handed_out = true;
                    each(read.messages, result);
                }
                Err(e) => read.failed = Some(e),
            }
            read.messages += 1;
        };
        let parse = |xml: &[u8], limits: &Limits| {
            {
                let mut read = read.lock().unwrap_or_else(PoisonError::into_inner);
                read.messages = 0;
                read.failed = None;
            }
            soap::read_response_each::<O, O::Choice>(xml, limits, &mut take)
        };
        let may_retry = || {
            !read
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .handed_out
        };
        self.send::<O, _>(request, &self.headers, parse, may_retry, |envelope| {
            let mut read = read.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = read.failed.take() {
                return Err(e.into());
            }
            check_count::<O>(request, read.messages)?;
            Ok(Response {
                output: read.messages,
                server_version: envelope.server_version,
                warning: None,
            })
        })
        .await
    }

    /// Sends `request` and returns the response body element as read, without looking at
    /// its response messages: no error for a message of class `Error`, no per-item results,
    /// no count check. For tools that show what the server said; [`Client::call`] is what
    /// most callers want. A SOAP fault, an HTTP error and a busy server are handled as by
    /// `call`.
    pub async fn call_body<O: Operation>(
        &self,
        request: &O::Request,
    ) -> Result<Response<O::Response>, Error> {
        self.send::<O, _>(
            request,
            &self.headers,
            soap::read_response_with::<O>,
            || true,
            |envelope| {
                Ok(Response {
                    output: envelope.body,
                    server_version: envelope.server_version,
                    warning: None,
                })
            },
        )
        .await
    }

    /// Sends `request`, retrying while the server is busy and `may_retry` says so; `parse`
    /// reads each answer's envelope and `interpret` turns it into the call's result.
    async fn send<O: Operation, T>(
        &self,
        request: &O::Request,
        headers: &RequestHeaders,
        mut parse: impl FnMut(
            &[u8],
            &Limits,
        ) -> Result<ResponseEnvelope<O::Response>, soap::EnvelopeError>,
        may_retry: impl Fn() -> bool,
        interpret: impl Fn(ResponseEnvelope<O::Response>) -> Result<Response<T>, Error>,
    ) -> Result<Response<T>, Error> {
        let body = soap::write_request::<O>(headers, request);
        let route = route::<O>(headers);
        let payload = soap_payload::<O>(&body, &route);
        let endpoint = self.transport.endpoint();
        let span = tracing::info_span!("ews.call", operation = O::NAME, %endpoint);
        let read = |raw: RawResponse| {
            tracing::debug!(status = raw.status, bytes = raw.body.len(), "response read");
            self.interpret(raw, &mut parse).and_then(&interpret)
        };
        self.retry
            .run(|| self.transport.send(endpoint, payload), read, may_retry)
            .instrument(span)
            .await
    }

    /// Reads an answer with `parse` as a response envelope, or the error it is.
    fn interpret<B>(
        &self,
        raw: RawResponse,
        mut parse: impl FnMut(&[u8], &Limits) -> Result<ResponseEnvelope<B>, soap::EnvelopeError>,
    ) -> Result<ResponseEnvelope<B>, Error> {
        let RawResponse {
            status,
            content_type,
            challenges,
            body: bytes,
            ..
        } = raw;
        if status == 401 {
            return Err(self.transport.status_error(status, &challenges, &bytes));
        }
        let parsed = parse(&bytes, &self.limits);
        if !(200..300).contains(&status) {
            return Err(match parsed {
                Err(soap::EnvelopeError::Fault(fault)) => Error::Fault(fault),
                _ => self.transport.status_error(status, &challenges, &bytes),
            });
        }
        match parsed {
            Err(soap::EnvelopeError::Parse(_))
                if looks_like_a_page(content_type.as_deref(), &bytes) =>
            {
                Err(Error::NotSoap {
                    status,
                    content_type,
                    body: excerpt(&bytes),
                })
            }
            other => Ok(other?),
        }
    }

    /// Downloads `path` (relative to the endpoint's URL, as `Services.wsdl` next to
    /// `…/EWS/Exchange.asmx`, or an absolute URL on the same host) with the client's
    /// credentials and TLS trust, and returns its bytes as sent; for fetching a server's
    /// schema. A status other than 2xx is an error ([`Error::Unauthorized`], [`Error::Http`]).
    /// Needs a Tokio runtime, like [`Client::call`].
    pub async fn download(&self, path: &str) -> Result<Vec<u8>, Error> {
        let endpoint = self.transport.endpoint();
        let url = endpoint
            .join(path)
            .map_err(|e| Error::Build(format!("{path:?} next to {endpoint}: {e}")))?;
        if url.host_str() != endpoint.host_str() || url.port() != endpoint.port() {
            return Err(Error::Build(format!(
                "{url} is not on the endpoint's host {}",
                self.transport.host()
            )));
        }
        let raw = self.transport.send(&url, Payload::Get).await?;
        match raw.status {
            200..=299 => Ok(raw.body),
            status => Err(self
                .transport
                .status_error(status, &raw.challenges, &raw.body)),
        }
    }

    /// Sends `request` page by page, `page_size` entries at a time, from the position the
    /// request names, and yields each page in order (see [`paging`] for what
    /// each operation pages by). Needs a Tokio runtime, like [`Client::call`].
    ///
    /// ```no_run
    /// # #[cfg(feature = "all-operations")]
    /// # async fn run(client: ews_bindings::Client, request: ews_bindings::messages::FindItem)
    /// #     -> Result<(), ews_bindings::Error> {
    /// use futures_util::TryStreamExt;
    /// use ews_bindings::operation::FindItem;
    ///
    /// let mut pages = std::pin::pin!(client.pages::<FindItem>(request, 100));
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{:?}", page.root_folder.map(|f| f.indexed_paging_offset));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn pages<'c, O>(
        &'c self,
        request: O::Request,
        page_size: u32,
    ) -> impl Stream<Item = Result<O::Page, Error>> + 'c
    where
        O: Paged + 'c,
        O::Request: 'c,
    {
        let at = O::start(&request).map_err(Error::from);
        stream::try_unfold((request, Some(at)), move |(mut request, at)| async move {
            let at = match at {
                None => return Ok(None),
                Some(at) => at?,
            };
            O::seek(&mut request, &at, page_size);
            let response = self.call::<O>(&request).await?;
            let (page, next) = paging::advance::<O>(response.output, &at)?;
            Ok(Some((page, (request, next.map(Ok)))))
        })
    }
}

/// Whether a `Content-Type` is one of XML's (`text/xml`, `application/soap+xml`, …).
fn is_xml(content_type: &str) -> bool {
    content_type.to_ascii_lowercase().contains("xml")
}

/// Whether an answer that does not read as an envelope is a web page or other content
/// than XML: a `Content-Type` without `xml`, or HTML in the body.
fn looks_like_a_page(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|t| !is_xml(t)) {
        return true;
    }
    let start = body.trim_ascii_start();
    let start = &start[..start.len().min(15)];
    let start = start.to_ascii_lowercase();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}
