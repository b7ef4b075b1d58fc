//! The transport: one way to send a request and get its answer as it came, for calls,
//! downloads and SOAP Autodiscover alike: through reqwest (no credentials, Basic, bearer),
//! or on connections of the client's own that Windows authentication authenticated; and
//! what a failure of that path is, in the user's terms.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use http_body_util::Full;
use hyper::body::Bytes;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, USER_AGENT};

use super::connection::{BodyStream, ConnectionError, Connections, RawResponse, Read};
#[cfg(feature = "kerberos")]
use super::kerberos;
use super::settings::Auth;
use crate::error::Error;

/// Sends requests to one endpoint with one set of credentials. Cloning is cheap; clones
/// share the connection pools.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(super) http: reqwest::Client,
    /// The connections Windows authentication authenticated, with [`Auth::Ntlm`],
    /// [`Auth::Negotiate`], [`Auth::Kerberos`] and [`Auth::KerberosCache`].
    pub(super) connections: Option<Arc<Connections>>,
    pub(super) user_agent: HeaderValue,
    pub(super) endpoint: reqwest::Url,
    pub(super) auth: Auth,
    pub(super) timeout: Duration,
    pub(super) max_response_bytes: usize,
    /// The back-end cookies of server affinity.
    pub(super) affinity: Arc<Affinity>,
    /// The service principal name Kerberos asks a ticket for.
    #[cfg(feature = "kerberos")]
    pub(super) spn: String,
    /// The Kerberos credentials, shared by clones.
    #[cfg(feature = "kerberos")]
    pub(super) tickets: Arc<kerberos::Tickets>,
}

/// What a request carries besides its URL.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Payload<'a> {
    /// Nothing: a `GET`.
    Get,
    /// A SOAP envelope to `POST`, with its `SOAPAction` and the headers routing it to a
    /// mailbox.
    Soap {
        /// The envelope.
        body: &'a str,
        /// The `SOAPAction` (without quotes).
        action: &'a str,
        /// The `X-AnchorMailbox` header, if any.
        anchor: Option<&'a str>,
        /// The `X-PublicFolderMailbox` header, if any.
        public_folder_mailbox: Option<&'a str>,
        /// Whether to ask for server affinity (`X-PreferServerAffinity`), as a Subscribe
        /// request does.
        prefer_affinity: bool,
    },
}

/// The name of the cookie by which Exchange (2013 and later) keeps a mailbox's requests on
/// one back-end server: set in answer to a request asking for server affinity, sent back
/// with the requests that must reach the same server (a subscription's GetStreamingEvents,
/// GetEvents and Unsubscribe).
const BACKEND_COOKIE: &str = "X-BackEndOverrideCookie";

/// The back-end cookies the server set, by the anchor mailbox of the requests they came
/// with (none for the credentials' own mailbox). Shared by a client's clones.
#[derive(Debug, Default)]
pub(crate) struct Affinity {
    cookies: std::sync::Mutex<Vec<(Option<String>, String)>>,
}

impl Affinity {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Option<String>, String)>> {
        self.cookies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The `Cookie` header value for requests anchored at `anchor`, if the server set one.
    fn cookie(&self, anchor: Option<&str>) -> Option<String> {
        self.lock()
            .iter()
            .find(|(a, _)| a.as_deref() == anchor)
            .map(|(_, cookie)| cookie.clone())
    }

    /// Keeps the back-end cookie among `set_cookies` for requests anchored at `anchor`.
    fn remember(&self, anchor: Option<&str>, set_cookies: &[String]) {
        let Some(cookie) = set_cookies.iter().find_map(|c| {
            let pair = c.split(';').next()?.trim();
            let (name, _) = pair.split_once('=')?;
            (name.trim() == BACKEND_COOKIE).then(|| pair.to_owned())
        }) else {
            return;
        };
        let mut cookies = self.lock();
        match cookies.iter_mut().find(|(a, _)| a.as_deref() == anchor) {
            Some((_, kept)) => *kept = cookie,
            None => cookies.push((anchor.map(str::to_owned), cookie)),
        }
    }
}

/// The start of a body, for error messages: at most 4 KiB, decoded lossily.
pub(crate) fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned()
}

impl Transport {
    /// The URL of the endpoint.
    pub(crate) fn endpoint(&self) -> &reqwest::Url {
        &self.endpoint
    }

    /// Sends a request to `url` carrying `payload`, authenticated as the transport's
    /// credentials say, and returns the answer as it came, within the size limit and the
    /// timeout. Redirects are followed unless the settings said not to; on the
    /// connections of Windows authentication they are handed back.
    pub(crate) async fn send(
        &self,
        url: &reqwest::Url,
        payload: Payload<'_>,
    ) -> Result<RawResponse, Error> {
        self.send_as(url, payload, Read::Whole(self.max_response_bytes))
            .await
    }

    /// Sends a request like [`Transport::send`], but leaves the body of a successful answer
    /// to be read as it comes ([`RawResponse::rest`]): for an answer that lasts, as
    /// GetStreamingEvents' does. The timeout covers the answer's head; reading the body
    /// has none.
    pub(crate) async fn open(
        &self,
        url: &reqwest::Url,
        payload: Payload<'_>,
    ) -> Result<RawResponse, Error> {
        self.send_as(url, payload, Read::Stream(self.max_response_bytes))
            .await
    }

    /// Sends a request, keeping the back-end cookie its answer sets.
    async fn send_as(
        &self,
        url: &reqwest::Url,
        payload: Payload<'_>,
        read: Read,
    ) -> Result<RawResponse, Error> {
        let raw = self.exchange(url, payload, read).await?;
        if let Payload::Soap { anchor, .. } = payload {
            self.affinity.remember(anchor, &raw.cookies);
        }
        Ok(raw)
    }

    async fn exchange(
        &self,
        url: &reqwest::Url,
        payload: Payload<'_>,
        read: Read,
    ) -> Result<RawResponse, Error> {
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let body = match payload {
            Payload::Get => Bytes::new(),
            Payload::Soap { body, .. } => Bytes::from(body.to_owned()),
        };
        let unwritable = |e: hyper::http::Error| {
            Error::Build(format!(
                "the request to {url} cannot be written ({e}): HTTP header values cannot hold \
                 line breaks or other control characters (an impersonated address or a public \
                 folder mailbox goes into X-AnchorMailbox, a bearer token into Authorization)"
            ))
        };
        if let (Some(connections), Some(windows)) = (&self.connections, self.auth.windows()) {
            let target = request_target(url);
            self.request(&target, &host, payload, body.clone(), None)
                .map_err(unwritable)?;
            let request = |authorization: Option<&str>| {
                self.request(&target, &host, payload, body.clone(), authorization)
                    .expect("the request was written once without a token, and tokens are base64")
                    .map(Full::new)
            };
            let answer = self.windows_exchange(connections, windows, read, request);
            return tokio::time::timeout(self.timeout, answer)
                .await
                .map_err(|_| Error::Timeout(self.timeout))?;
        }
        let credentials = match &self.auth {
            Auth::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                Some(format!("Basic {}", BASE64.encode(pair)))
            }
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose())),
            Auth::None
            | Auth::Ntlm { .. }
            | Auth::Negotiate { .. }
            | Auth::Kerberos { .. }
            | Auth::KerberosCache => None,
        };
        let request = self
            .request(url.as_str(), &host, payload, body, credentials.as_deref())
            .map_err(unwritable)?;
        let mut request = reqwest::Request::try_from(request)
            .map_err(|e| Error::Build(format!("the request to {url} cannot be written: {e}")))?;
        // A body read whole counts in the request's timeout (reqwest's); a stream's head.
        let response = match read {
            Read::Whole(_) => {
                *request.timeout_mut() = Some(self.timeout);
                self.http.execute(request).await
            }
            Read::Stream(_) => tokio::time::timeout(self.timeout, self.http.execute(request))
                .await
                .map_err(|_| Error::Timeout(self.timeout))?,
        }
        .map_err(|e| self.transport(e))?;
        let mut raw = RawResponse::head(response.status().as_u16(), response.headers());
        if matches!(read, Read::Stream(_)) && raw.succeeded() {
            raw.rest = Some(BodyStream::Reqwest(response));
            return Ok(raw);
        }
        self.read_whole(response, &mut raw).await?;
        Ok(raw)
    }

    /// The request to `target` (a URL's absolute or origin form) on `host`, carrying
    /// `payload` with its `body`, and `authorization` if given (marked sensitive, so that no
    /// log shows it).
    fn request(
        &self,
        target: &str,
        host: &str,
        payload: Payload<'_>,
        body: Bytes,
        authorization: Option<&str>,
    ) -> Result<hyper::Request<Bytes>, hyper::http::Error> {
        let mut request = hyper::Request::builder()
            .uri(target)
            .header(HOST, host)
            .header(USER_AGENT, self.user_agent.clone());
        if let Some(authorization) = authorization {
            let mut value = HeaderValue::from_str(authorization)?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        request = match payload {
            Payload::Get => request.method(hyper::Method::GET),
            Payload::Soap {
                action,
                anchor,
                public_folder_mailbox,
                prefer_affinity,
                ..
            } => {
                let mut request = request
                    .method(hyper::Method::POST)
                    .header(CONTENT_TYPE, "text/xml; charset=utf-8")
                    .header("SOAPAction", format!("\"{action}\""));
                if let Some(anchor) = anchor {
                    request = request.header("X-AnchorMailbox", anchor);
                }
                if let Some(mailbox) = public_folder_mailbox {
                    request = request.header("X-PublicFolderMailbox", mailbox);
                }
                if prefer_affinity {
                    request = request.header("X-PreferServerAffinity", "true");
                }
                match self.affinity.cookie(anchor) {
                    Some(cookie) => request.header(COOKIE, cookie),
                    None => request,
                }
            }
        };
        request.body(body)
    }

    /// Reads the body of a reqwest answer whole into `raw`, within the size limit.
    async fn read_whole(
        &self,
        response: reqwest::Response,
        raw: &mut RawResponse,
    ) -> Result<(), Error> {
        if raw.status != 401 {
            if let Some(len) = response.content_length() {
                if len > self.max_response_bytes as u64 {
                    return Err(Error::ResponseTooLarge {
                        limit: self.max_response_bytes,
                    });
                }
            }
        }
        BodyStream::Reqwest(response)
            .read_to_end(&mut raw.body, self.max_response_bytes)
            .await
            .map_err(|e| self.connection_error(e))
    }

    /// The error of an answer with the status `status` (not 2xx) and no SOAP fault: the
    /// server's `WWW-Authenticate` `challenges` and the start of its `body` kept.
    pub(crate) fn status_error(&self, status: u16, challenges: &[String], body: &[u8]) -> Error {
        match status {
            401 => Error::Unauthorized {
                challenge: (!challenges.is_empty()).then(|| challenges.join(", ")),
                credentials_sent: !matches!(self.auth, Auth::None),
            },
            403 if is_exchange_online(self.endpoint.host_str().unwrap_or_default()) => {
                Error::ExchangeOnlineRefused {
                    body: excerpt(body),
                }
            }
            status => Error::Http {
                status,
                body: excerpt(body),
            },
        }
    }

    /// The endpoint's `host:port`, for messages.
    pub(crate) fn host(&self) -> String {
        let host = self.endpoint.host_str().unwrap_or("the server");
        match self.endpoint.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout(self.timeout)
        } else {
            self.unreachable(Box::new(e.without_url()))
        }
    }

    pub(super) fn connection_error(&self, e: ConnectionError) -> Error {
        match e {
            ConnectionError::TooLarge => Error::ResponseTooLarge {
                limit: self.max_response_bytes,
            },
            // reqwest's own timeout, of a request read whole.
            ConnectionError::Io(e)
                if e.downcast_ref::<reqwest::Error>()
                    .is_some_and(reqwest::Error::is_timeout) =>
            {
                Error::Timeout(self.timeout)
            }
            ConnectionError::Io(e) => self.unreachable(e),
        }
    }

    /// The error of a request that did not reach the server or whose answer did not come
    /// back: a refused certificate, or another transport failure.
    fn unreachable(&self, e: Box<dyn std::error::Error + Send + Sync>) -> Error {
        match tls_error(&*e) {
            Some(rustls::Error::InvalidCertificate(reason)) => Error::UntrustedCertificate {
                host: self.host(),
                reason: certificate_reason(reason),
            },
            Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) => {
                Error::NotTls { host: self.host() }
            }
            _ => Error::Transport {
                host: self.host(),
                source: e,
            },
        }
    }
}

/// Whether `host` is one of Exchange Online's EWS hosts (worldwide, US government, China).
fn is_exchange_online(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    [
        "outlook.office365.com",
        "outlook.office.com",
        "outlook.office365.us",
        "webmail.apps.mil",
        "partner.outlook.cn",
    ]
    .iter()
    .any(|known| host == *known || host.ends_with(&format!(".{known}")))
}

/// The request target of `url` on a connection of the client's own: its path and query.
fn request_target(url: &reqwest::Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// The TLS error among the causes of `e`, if TLS is what failed.
fn tls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut cause = Some(e);
    while let Some(e) = cause {
        // An I/O error shows the error it wraps through `get_ref`, not `source`.
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        for e in [Some(e), inner].into_iter().flatten() {
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
        }
        cause = inner.or_else(|| e.source());
    }
    None
}

/// Why a certificate was refused, in words.
fn certificate_reason(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    let words = match reason {
        E::UnknownIssuer => "it was issued by an authority this client does not trust",
        E::NotValidForName | E::NotValidForNameContext { .. } => "it is for another host name",
        E::Expired | E::ExpiredContext { .. } => "it has expired",
        E::NotValidYet | E::NotValidYetContext { .. } => {
            "it is not valid yet (or this computer's clock is behind)"
        }
        E::Revoked => "its authority has revoked it",
        E::BadEncoding => "it cannot be read as an X.509 certificate",
        E::BadSignature => "its signature does not match its issuer's key",
        E::UnsupportedSignatureAlgorithmContext { .. }
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "it is signed with an algorithm this client does not support"
        }
        E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
            "it is not meant for a server (its extended key usage)"
        }
        E::UnhandledCriticalExtension => "it has a critical extension this client cannot check",
        E::UnknownRevocationStatus
        | E::ExpiredRevocationList
        | E::ExpiredRevocationListContext { .. }
        | E::InvalidOcspResponse => "its revocation status cannot be checked",
        E::Other(other) if other.to_string().contains("CaUsedAsEndEntity") => {
            "it is marked as a certificate authority (CA:TRUE), which a server's certificate \
             may not be unless it is the very certificate given as trusted (as openssl's \
             `req -x509` makes them: give that certificate itself)"
        }
        other => return format!("it was refused ({other:?})"),
    };
    words.to_owned()
}
