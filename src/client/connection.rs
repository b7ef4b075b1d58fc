//! Connections that a handshake of their own authenticates (NTLM, Negotiate). Windows
//! authentication authenticates a connection, not a request: the legs of the handshake and
//! the requests after it must travel on one HTTP/1.1 keep-alive connection. Each connection
//! here is owned by one call at a time (concurrent calls use connections of their own), and
//! only authenticated connections wait for the next call.

use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::binding::Binding;

/// An answer as it came: status, the headers the client looks at, and the body.
#[derive(Debug)]
pub(crate) struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `WWW-Authenticate` headers.
    pub challenges: Vec<String>,
    /// The `Location` header (of a redirect).
    pub location: Option<String>,
    /// The `Set-Cookie` headers.
    pub cookies: Vec<String>,
    /// The body, read whole; empty while `rest` is still to be read.
    pub body: Vec<u8>,
    /// The body still to be read, of a successful answer read as a stream.
    pub rest: Option<BodyStream>,
}

/// How an answer's body is read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Read {
    /// Whole, at most this many bytes.
    Whole(usize),
    /// As it comes, for a successful answer (the body of an error is read whole, at most
    /// this many bytes).
    Stream(usize),
}

impl Read {
    /// The most bytes of a body read whole.
    fn limit(self) -> usize {
        match self {
            Read::Whole(limit) | Read::Stream(limit) => limit,
        }
    }
}

/// The body of an answer, read a chunk at a time as it comes.
pub(crate) enum BodyStream {
    /// An answer that came through reqwest.
    Reqwest(reqwest::Response),
    /// An answer on a connection of the client's own.
    Own(hyper::body::Incoming),
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyStream")
    }
}

impl BodyStream {
    /// Reads the rest of the body into `body`, failing once it would pass `limit` bytes.
    pub(crate) async fn read_to_end(
        &mut self,
        body: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), ConnectionError> {
        while let Some(chunk) = self.chunk().await? {
            if body.len() + chunk.len() > limit {
                return Err(ConnectionError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(())
    }

    /// The next bytes of the body, `None` at its end.
    pub(crate) async fn chunk(&mut self) -> Result<Option<Bytes>, ConnectionError> {
        match self {
            BodyStream::Reqwest(response) => response
                .chunk()
                .await
                .map_err(|e| ConnectionError::Io(Box::new(e.without_url()))),
            BodyStream::Own(body) => loop {
                match body.frame().await {
                    None => return Ok(None),
                    Some(Err(e)) => return Err(ConnectionError::Io(Box::new(e))),
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            return Ok(Some(data));
                        }
                    }
                }
            },
        }
    }
}

impl RawResponse {
    /// An answer's status and the headers the client looks at, its body still to be read:
    /// for answers from a connection of the client's own and from reqwest alike.
    pub(crate) fn head(status: u16, headers: &hyper::HeaderMap) -> Self {
        let all = |name| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        RawResponse {
            status,
            content_type: all(hyper::header::CONTENT_TYPE).into_iter().next(),
            challenges: all(hyper::header::WWW_AUTHENTICATE),
            location: all(hyper::header::LOCATION).into_iter().next(),
            cookies: all(hyper::header::SET_COOKIE),
            body: Vec::new(),
            rest: None,
        }
    }

    /// Whether the answer's status is 2xx.
    pub(crate) fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request on a connection failed.
#[derive(Debug)]
pub(crate) enum ConnectionError {
    /// Connecting, the TLS handshake, or the exchange failed.
    Io(Box<dyn std::error::Error + Send + Sync>),
    /// The body passed the size limit.
    TooLarge,
}

type Sender = SendRequest<Full<Bytes>>;

/// The connections to one endpoint.
pub(crate) struct Connections {
    host: String,
    port: u16,
    tls: Option<(TlsConnector, ServerName<'static>)>,
    idle: Mutex<Vec<(Sender, Binding)>>,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

/// A connection checked out for one call.
pub(crate) struct Connection {
    sender: Sender,
    /// Whether a handshake authenticated it.
    pub authenticated: bool,
    /// What authentication on it binds to.
    pub binding: Binding,
}

impl Connections {
    /// Connections to `host:port`, over TLS with `tls` for an `https` endpoint.
    pub(crate) fn new(
        host: String,
        port: u16,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Self, String> {
        let tls = match tls {
            Some(config) => {
                let name = ServerName::try_from(host.clone())
                    .map_err(|e| format!("host {host:?}: {e}"))?;
                Some((TlsConnector::from(config), name))
            }
            None => None,
        };
        Ok(Connections {
            host,
            port,
            tls,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// An authenticated connection that is still open, or a new one.
    pub(crate) async fn checkout(&self) -> Result<Connection, ConnectionError> {
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.retain(|(sender, _)| !sender.is_closed());
            idle.pop()
        };
        if let Some((sender, binding)) = reused {
            return Ok(Connection {
                sender,
                authenticated: true,
                binding,
            });
        }
        self.connect().await
    }

    /// Gives an authenticated connection back for the next call, unless it closed.
    pub(crate) fn give_back(&self, connection: Connection) {
        if connection.authenticated && !connection.sender.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((connection.sender, connection.binding));
        }
    }

    /// A new connection, not authenticated.
    pub(crate) async fn connect(&self) -> Result<Connection, ConnectionError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| ConnectionError::Io(Box::new(e)))?;
        tcp.set_nodelay(true)
            .map_err(|e| ConnectionError::Io(Box::new(e)))?;
        let (sender, binding) = match &self.tls {
            Some((connector, name)) => {
                let stream = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| ConnectionError::Io(Box::new(e)))?;
                let certificate = stream.get_ref().1.peer_certificates();
                let binding =
                    Binding::of_certificate(certificate.and_then(|c| c.first()).map(|c| &c[..]));
                if let Binding::Unavailable(reason) = &binding {
                    tracing::debug!(%reason, "no channel binding for this connection");
                }
                (handshake(stream).await?, binding)
            }
            None => (handshake(tcp).await?, Binding::None),
        };
        Ok(Connection {
            sender,
            authenticated: false,
            binding,
        })
    }
}

/// Starts HTTP/1.1 on `io`; the connection runs on a task of its own until it closes.
async fn handshake<T>(io: T) -> Result<Sender, ConnectionError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| ConnectionError::Io(Box::new(e)))?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection closed");
        }
    });
    Ok(sender)
}

impl Connection {
    /// Sends `request` and reads the answer as `read` says.
    pub(crate) async fn exchange(
        &mut self,
        request: hyper::Request<Full<Bytes>>,
        read: Read,
    ) -> Result<RawResponse, ConnectionError> {
        self.sender
            .ready()
            .await
            .map_err(|e| ConnectionError::Io(Box::new(e)))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| ConnectionError::Io(Box::new(e)))?;
        let mut raw = RawResponse::head(response.status().as_u16(), response.headers());
        let mut body = BodyStream::Own(response.into_body());
        if matches!(read, Read::Stream(_)) && raw.succeeded() {
            raw.rest = Some(body);
            return Ok(raw);
        }
        body.read_to_end(&mut raw.body, read.limit()).await?;
        Ok(raw)
    }
}
