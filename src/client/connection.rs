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
    /// The body.
    pub body: Vec<u8>,
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
            body: Vec::new(),
        }
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
    /// Sends `request` and reads the whole answer, at most `max_bytes` of body.
    pub(crate) async fn exchange(
        &mut self,
        request: hyper::Request<Full<Bytes>>,
        max_bytes: usize,
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
        let mut body = response.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| ConnectionError::Io(Box::new(e)))?;
            if let Some(chunk) = frame.data_ref() {
                if raw.body.len() + chunk.len() > max_bytes {
                    return Err(ConnectionError::TooLarge);
                }
                raw.body.extend_from_slice(chunk);
            }
        }
        Ok(raw)
    }
}
