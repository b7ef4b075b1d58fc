//! The HTTP transport: sends an [`Operation`] as a SOAP request (with `reqwest`, or for
//! Windows authentication on HTTP/1.1 connections of the client's own) and turns the answer
//! into the operation's response or a typed [`Error`], retrying while the server is busy.

mod binding;
mod connection;
mod der;
#[cfg(feature = "kerberos")]
mod kerberos;
mod ntlm;
#[cfg(feature = "kerberos")]
mod spnego;
mod tls;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::stream::{self, Stream};
use http_body_util::Full;
use hyper::body::Bytes;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST, USER_AGENT};
use tracing::Instrument;

use binding::Binding;
use connection::{Connection, ConnectionError, Connections, RawResponse};
use ntlm::Scheme;

use crate::error::{Error, EwsError, KerberosFailure};
use crate::operation::{self, ItemResult, Operation, PerItem, Reply, ResponseError};
use crate::paging::{self, Paged};
use crate::soap::{self, Impersonation, RequestHeaders, ResponseEnvelope};
use crate::types::{ExchangeVersion, ServerVersionInfo};
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

/// A credential that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password or token.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// HTTP Basic authentication.
    Basic {
        /// The user name (for Exchange usually `user@domain` or `DOMAIN\user`).
        username: String,
        /// The password.
        password: Secret,
    },
    /// An OAuth 2.0 bearer token (Exchange Online).
    Bearer(Secret),
    /// Windows authentication with NTLMv2 (`WWW-Authenticate: NTLM`), which authenticates
    /// a connection: see [`ClientBuilder::ntlm`].
    Ntlm {
        /// `DOMAIN\user`, `user@domain` or `user`.
        username: String,
        /// The password.
        password: Secret,
    },
    /// Windows authentication in the `Negotiate` scheme: Kerberos first, NTLM where Kerberos
    /// cannot be used (with the `kerberos` feature; NTLM only without it): see
    /// [`ClientBuilder::negotiate`].
    Negotiate {
        /// `DOMAIN\user`, `user@domain` or `user`.
        username: String,
        /// The password.
        password: Secret,
    },
    /// Windows authentication with Kerberos only, in the `Negotiate` scheme (the `kerberos`
    /// feature): see [`ClientBuilder::kerberos`].
    Kerberos {
        /// `user@REALM`, `REALM\user`, or `user` in krb5.conf's default realm.
        username: String,
        /// The password.
        password: Secret,
    },
    /// Kerberos with the ticket in the user's credential cache (the `kerberos` feature): see
    /// [`ClientBuilder::kerberos_from_cache`].
    KerberosCache,
}

/// Windows authentication: who, and how a connection's handshake goes.
#[derive(Clone, Copy)]
enum Windows<'a> {
    /// NTLM messages in `scheme`.
    Ntlm {
        user: &'a str,
        password: &'a Secret,
        scheme: Scheme,
    },
    /// SPNEGO in the `Negotiate` scheme: Kerberos as `who`, and NTLM as `ntlm` where
    /// Kerberos cannot be used, if given.
    #[cfg(feature = "kerberos")]
    Spnego {
        who: kerberos::Who<'a>,
        ntlm: Option<(&'a str, &'a Secret)>,
    },
}

impl Auth {
    /// How Windows authentication goes, for the Windows schemes.
    fn windows(&self) -> Option<Windows<'_>> {
        match self {
            Auth::Ntlm { username, password } => Some(Windows::Ntlm {
                user: username,
                password,
                scheme: Scheme::Ntlm,
            }),
            #[cfg(feature = "kerberos")]
            Auth::Negotiate { username, password } => Some(Windows::Spnego {
                who: kerberos::Who::Password {
                    user: username,
                    password: password.expose(),
                },
                ntlm: Some((username, password)),
            }),
            #[cfg(not(feature = "kerberos"))]
            Auth::Negotiate { username, password } => Some(Windows::Ntlm {
                user: username,
                password,
                scheme: Scheme::Negotiate,
            }),
            #[cfg(feature = "kerberos")]
            Auth::Kerberos { username, password } => Some(Windows::Spnego {
                who: kerberos::Who::Password {
                    user: username,
                    password: password.expose(),
                },
                ntlm: None,
            }),
            #[cfg(feature = "kerberos")]
            Auth::KerberosCache => Some(Windows::Spnego {
                who: kerberos::Who::Cache,
                ntlm: None,
            }),
            // Without the feature, building a client with Kerberos fails.
            #[cfg(not(feature = "kerberos"))]
            Auth::Kerberos { .. } | Auth::KerberosCache => None,
            Auth::None | Auth::Basic { .. } | Auth::Bearer(_) => None,
        }
    }
}

/// How often, and for how long, the client retries while the server answers
/// `ErrorServerBusy`. Other errors are not retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests sent at most, the first included (1 turns retrying off).
    pub max_attempts: u32,
    /// The longest the client waits between attempts in all; a back-off that would pass it
    /// ends the call with [`Error::Throttled`].
    pub max_total_wait: Duration,
    /// The wait when the server does not say how long (no `BackOffMilliseconds`).
    pub default_back_off: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(300),
            default_back_off: Duration::from_secs(5),
        }
    }
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

/// The default maximum response size: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;
/// The default request timeout: 100 s, as EWS clients commonly use.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);

/// Settings for a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    endpoint: String,
    auth: Auth,
    headers: RequestHeaders,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
    limits: Limits,
    user_agent: String,
    root_certificates: Vec<Pem>,
    accept_invalid_certificates: bool,
    spn: Option<String>,
}

/// PEM text of root certificates, shown in Debug output by its size only.
#[derive(Clone)]
struct Pem(Vec<u8>);

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pem({} bytes)", self.0.len())
    }
}

impl ClientBuilder {
    /// Settings for the EWS endpoint `endpoint` (`https://host/EWS/Exchange.asmx`).
    pub fn new(endpoint: impl Into<String>) -> Self {
        ClientBuilder {
            endpoint: endpoint.into(),
            auth: Auth::None,
            headers: RequestHeaders::default(),
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            limits: Limits::default(),
            user_agent: concat!("ews-bindings/", env!("CARGO_PKG_VERSION")).to_owned(),
            root_certificates: Vec::new(),
            accept_invalid_certificates: false,
            spn: None,
        }
    }

    /// Authenticates with HTTP Basic.
    pub fn basic_auth(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.auth = Auth::Basic {
            username: username.into(),
            password,
        };
        self
    }

    /// Authenticates with an OAuth 2.0 bearer token.
    pub fn bearer_token(mut self, token: Secret) -> Self {
        self.auth = Auth::Bearer(token);
        self
    }

    /// Authenticates with NTLMv2, as on-premises Exchange offers it
    /// (`WWW-Authenticate: NTLM`). `username` is `DOMAIN\user`, `user@domain` or a bare
    /// `user`. NTLM authenticates a connection, not a request: each call runs on an HTTP/1.1
    /// connection of its own that a handshake authenticated (two round trips the first
    /// time), and an authenticated connection serves the next call without one; a connection
    /// the server stops accepting (a 401) is authenticated again. Calls made at the same time
    /// use connections of their own. These connections go to the server directly, not
    /// through a proxy.
    pub fn ntlm(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.auth = Auth::Ntlm {
            username: username.into(),
            password,
        };
        self
    }

    /// Authenticates in the `Negotiate` scheme as Windows does: with the `kerberos` feature,
    /// Kerberos first (see [`kerberos`](Self::kerberos)) and NTLMv2 only where Kerberos
    /// cannot be used (no KDC known or reachable for the user's realm, the clocks too far
    /// apart, a user or service the KDC does not know); without the feature, NTLMv2 only.
    /// NTLM goes as raw NTLM messages in the `Negotiate` scheme, which servers offering
    /// Negotiate accept; a server offering only `NTLM` gets them in that scheme.
    /// Connections are authenticated as with [`ntlm`](Self::ntlm).
    pub fn negotiate(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.auth = Auth::Negotiate {
            username: username.into(),
            password,
        };
        self
    }

    /// Authenticates with Kerberos only, in the `Negotiate` scheme (SPNEGO), as servers that
    /// turned NTLM off require; needs the `kerberos` feature ([`build`](Self::build) fails
    /// without it). The system's GSSAPI (MIT Kerberos or Heimdal) does the Kerberos work, as
    /// its configuration says (krb5.conf, `KRB5_CONFIG`): which KDCs serve a realm (or the
    /// realm's DNS SRV records), the default realm, the clock skew allowed. `username` is
    /// `user@REALM` or `REALM\user` (the realm in capitals: `alice@contoso.com` is
    /// `alice@CONTOSO.COM`), or a bare `user` in krb5.conf's default realm. The client asks
    /// the KDC for a ticket-granting ticket with the password at its first handshake and
    /// keeps it (in memory, not in the credential cache) for its connections, for the
    /// service `HTTP/<host of the URL>` unless [`spn`](Self::spn) names another. The
    /// server's final token is checked (mutual authentication), and over HTTPS the
    /// handshake is bound to the TLS channel (Extended Protection). Failures are
    /// [`Error::Kerberos`], saying what to change.
    pub fn kerberos(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.auth = Auth::Kerberos {
            username: username.into(),
            password,
        };
        self
    }

    /// Authenticates as [`kerberos`](Self::kerberos) does, with the ticket-granting ticket in
    /// the user's credential cache (`KRB5CCNAME`, or the system's default; `kinit` puts it
    /// there) instead of a password.
    pub fn kerberos_from_cache(mut self) -> Self {
        self.auth = Auth::KerberosCache;
        self
    }

    /// Sets the service principal name Kerberos asks a ticket for (default
    /// `HTTP/<host of the URL>`): the name the server is registered under, when the URL
    /// names it otherwise (an alias, a load balancer, an IP address). `HTTP/host@REALM`
    /// names the realm too.
    pub fn spn(mut self, spn: impl Into<String>) -> Self {
        self.spn = Some(spn.into());
        self
    }

    /// Sets all request headers at once.
    pub fn headers(mut self, headers: RequestHeaders) -> Self {
        self.headers = headers;
        self
    }

    /// Sets `RequestServerVersion` (default Exchange2013).
    pub fn server_version(mut self, version: ExchangeVersion) -> Self {
        self.headers.server_version = Some(version);
        self
    }

    /// Sets `MailboxCulture`.
    pub fn mailbox_culture(mut self, culture: impl Into<String>) -> Self {
        self.headers.mailbox_culture = Some(culture.into());
        self
    }

    /// Sets `ExchangeImpersonation`.
    pub fn impersonate(mut self, who: Impersonation) -> Self {
        self.headers.impersonation = Some(who);
        self
    }

    /// Sets the retry policy for busy servers.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the timeout of one request, connection and body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest response body accepted; a larger one fails with
    /// [`Error::ResponseTooLarge`] as soon as it passes the limit.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Sets the bounds a response is read within (nesting depth, text and attribute
    /// lengths).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Trusts the root certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks: a
    /// company certificate authority's, or a test server's own) besides the platform's
    /// trust store and the bundled Mozilla roots, which are always trusted. A server that
    /// presents exactly one of these certificates is accepted as it is (pinned), whatever
    /// its names, dates or CA flag: a self-signed certificate made with openssl's defaults
    /// works when given here. [`build`] fails when `pem` holds no certificate.
    ///
    /// [`build`]: Self::build
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(Pem(pem.into()));
        self
    }

    /// Accepts any server certificate: expired, for another host, self-signed, from any
    /// issuer. Only for test servers: anyone on the network path can then read and change
    /// the traffic, credentials included. Add the server's certificate authority with
    /// [`root_certificates_pem`](Self::root_certificates_pem) instead.
    pub fn danger_accept_invalid_certificates(mut self) -> Self {
        self.accept_invalid_certificates = true;
        self
    }

    /// The same settings for another endpoint (SOAP Autodiscover's URLs).
    pub(crate) fn at(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The credentials set.
    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The timeout of one request.
    pub(crate) fn request_timeout(&self) -> Duration {
        self.timeout
    }

    /// The TLS configuration of the roots trusted (or of no checks at all).
    pub(crate) fn tls(&self) -> Result<Arc<rustls::ClientConfig>, Error> {
        if self.accept_invalid_certificates {
            tracing::warn!(
                endpoint = %self.endpoint,
                "server certificates are not checked: anyone on the network path can read and \
                 change the traffic"
            );
        }
        let roots = self.root_certificates.iter().map(|p| p.0.as_slice());
        tls::config(roots, self.accept_invalid_certificates)
            .map(Arc::new)
            .map_err(Error::Build)
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let tls = self.tls()?;
        self.build_with(tls)
    }

    /// Builds the client with the TLS configuration `tls` (made by [`tls`](Self::tls)
    /// once for several clients).
    pub(crate) fn build_with(self, tls: Arc<rustls::ClientConfig>) -> Result<Client, Error> {
        if !self.endpoint.contains("://") {
            return Err(Error::Build(format!(
                "the endpoint {:?} has no scheme: write the whole URL, as https://{}",
                self.endpoint,
                self.endpoint.trim_start_matches('/')
            )));
        }
        let endpoint = reqwest::Url::parse(&self.endpoint)
            .map_err(|e| Error::Build(format!("endpoint {:?}: {e}", self.endpoint)))?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(Error::Build(format!(
                "endpoint {:?}: the scheme must be http or https",
                self.endpoint
            )));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::Build(format!("user agent: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(user_agent.clone())
            .use_preconfigured_tls((*tls).clone());
        if matches!(self.auth, Auth::Kerberos { .. } | Auth::KerberosCache)
            && !cfg!(feature = "kerberos")
        {
            return Err(Error::Build(KerberosFailure::NotBuilt.to_string()));
        }
        #[cfg(feature = "kerberos")]
        let spn = self
            .spn
            .unwrap_or_else(|| format!("HTTP/{}", endpoint.host_str().unwrap_or_default()));
        let connections = match self.auth.windows() {
            Some(_) => {
                let host = endpoint.host_str().unwrap_or_default().to_owned();
                let port = endpoint.port_or_known_default().unwrap_or(443);
                let tls = (endpoint.scheme() == "https").then(|| Arc::clone(&tls));
                let connections = Connections::new(host, port, tls).map_err(Error::Build)?;
                Some(Arc::new(connections))
            }
            None => None,
        };
        let http = http.build().map_err(|e| Error::Build(e.to_string()))?;
        Ok(Client {
            http,
            connections,
            user_agent,
            endpoint,
            auth: self.auth,
            headers: self.headers,
            retry: self.retry,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            limits: self.limits,
            #[cfg(feature = "kerberos")]
            spn,
            #[cfg(feature = "kerberos")]
            tickets: Arc::default(),
        })
    }
}

/// An EWS client: one endpoint, one set of credentials and default request headers.
/// Cloning is cheap; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    /// The connections Windows authentication authenticated, with [`Auth::Ntlm`],
    /// [`Auth::Negotiate`], [`Auth::Kerberos`] and [`Auth::KerberosCache`].
    connections: Option<Arc<Connections>>,
    user_agent: HeaderValue,
    endpoint: reqwest::Url,
    auth: Auth,
    headers: RequestHeaders,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
    limits: Limits,
    /// The service principal name Kerberos asks a ticket for.
    #[cfg(feature = "kerberos")]
    spn: String,
    /// The Kerberos credentials, shared by clones.
    #[cfg(feature = "kerberos")]
    tickets: Arc<kerberos::Tickets>,
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
        let anchor = headers
            .anchor_mailbox()
            .filter(|_| O::REQUEST_HEADERS.contains(&"ExchangeImpersonation"));
        let span = tracing::info_span!("ews.call", operation = O::NAME, endpoint = %self.endpoint);
        async {
            let mut waited = Duration::ZERO;
            let mut attempt = 1;
            loop {
                let result = self
                    .attempt::<O>(&body, anchor, &mut parse)
                    .await
                    .and_then(&interpret);
                let err = match result {
                    Ok(response) => return Ok(response),
                    Err(err) if err.is_server_busy() && may_retry() => err,
                    Err(err) => {
                        tracing::debug!(attempt, error = %err, "call failed");
                        return Err(err);
                    }
                };
                let wait = err.back_off().unwrap_or(self.retry.default_back_off);
                if attempt >= self.retry.max_attempts || waited + wait > self.retry.max_total_wait {
                    tracing::warn!(attempt, ?waited, "server still busy; giving up");
                    return Err(Error::Throttled {
                        attempts: attempt,
                        waited,
                        last: Box::new(err),
                    });
                }
                tracing::info!(attempt, ?wait, "server busy; backing off");
                tokio::time::sleep(wait).await;
                waited += wait;
                attempt += 1;
            }
        }
        .instrument(span)
        .await
    }

    /// One request and its answer, read by `parse` as `O`'s response envelope.
    async fn attempt<O: Operation>(
        &self,
        body: &str,
        anchor: Option<&str>,
        parse: impl FnMut(&[u8], &Limits) -> Result<ResponseEnvelope<O::Response>, soap::EnvelopeError>,
    ) -> Result<ResponseEnvelope<O::Response>, Error> {
        let raw = self.post(body, O::SOAP_ACTION, anchor).await?;
        tracing::debug!(status = raw.status, bytes = raw.body.len(), "response read");
        self.interpret(raw, parse)
    }

    /// Posts `body`, a SOAP envelope, with `soap_action` (and `X-AnchorMailbox: anchor`),
    /// authenticated as the client is: through reqwest, or for Windows authentication on a
    /// connection of the client's own. Returns the answer as it came. SOAP Autodiscover
    /// posts its envelopes here too.
    pub(crate) async fn post(
        &self,
        body: &str,
        soap_action: &str,
        anchor: Option<&str>,
    ) -> Result<RawResponse, Error> {
        if let (Some(connections), Some(windows)) = (&self.connections, self.auth.windows()) {
            let request = |authorization: Option<&str>| {
                let mut request = hyper::Request::post(request_target(&self.endpoint))
                    .header(HOST, self.host())
                    .header(USER_AGENT, self.user_agent.clone())
                    .header(CONTENT_TYPE, "text/xml; charset=utf-8")
                    .header("SOAPAction", format!("\"{soap_action}\""));
                if let Some(anchor) = anchor {
                    request = request.header("X-AnchorMailbox", anchor);
                }
                if let Some(authorization) = authorization {
                    request = request.header(AUTHORIZATION, authorization);
                }
                request
                    .body(Full::new(Bytes::from(body.to_owned())))
                    .expect(
                        "the request's parts are valid: the URL parsed and the values are ASCII",
                    )
            };
            let answer = self.windows_exchange(connections, windows, request);
            return tokio::time::timeout(self.timeout, answer)
                .await
                .map_err(|_| Error::Timeout(self.timeout))?;
        }
        let mut request = self
            .http
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", format!("\"{soap_action}\""))
            .body(body.to_owned());
        if let Some(anchor) = anchor {
            request = request.header("X-AnchorMailbox", anchor);
        }
        let response = self
            .authorized(request)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        self.read_raw(response).await
    }

    /// `request` with the client's credentials, for those reqwest sends (Basic, bearer).
    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Auth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::None
            | Auth::Ntlm { .. }
            | Auth::Negotiate { .. }
            | Auth::Kerberos { .. }
            | Auth::KerberosCache => request,
        }
    }

    /// Reads a reqwest answer whole, within the size limit.
    async fn read_raw(&self, mut response: reqwest::Response) -> Result<RawResponse, Error> {
        let mut raw = RawResponse::head(response.status().as_u16(), response.headers());
        if raw.status != 401 {
            if let Some(len) = response.content_length() {
                if len > self.max_response_bytes as u64 {
                    return Err(Error::ResponseTooLarge {
                        limit: self.max_response_bytes,
                    });
                }
            }
        }
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if raw.body.len() + chunk.len() > self.max_response_bytes {
                return Err(Error::ResponseTooLarge {
                    limit: self.max_response_bytes,
                });
            }
            raw.body.extend_from_slice(&chunk);
        }
        Ok(raw)
    }

    /// Sends a request on a connection Windows authentication authenticated: an
    /// authenticated one if one waits, else a new one after a handshake (its legs carry
    /// the request too). A reused connection that gets a 401 is authenticated again; one
    /// the server closed in the meantime is replaced.
    async fn windows_exchange(
        &self,
        connections: &Connections,
        windows: Windows<'_>,
        request: impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        let mut connection = connections
            .checkout()
            .await
            .map_err(|e| self.connection_error(e))?;
        if connection.authenticated {
            match connection
                .exchange(request(None), self.max_response_bytes)
                .await
            {
                Ok(raw) if raw.status != 401 => {
                    connections.give_back(connection);
                    return Ok(raw);
                }
                Ok(_) => {
                    tracing::debug!("the connection is no longer authenticated");
                    connection.authenticated = false;
                }
                Err(ConnectionError::TooLarge) => {
                    return Err(self.connection_error(ConnectionError::TooLarge))
                }
                Err(ConnectionError::Io(error)) => {
                    tracing::debug!(%error, "the connection closed; opening another");
                    connection = connections
                        .connect()
                        .await
                        .map_err(|e| self.connection_error(e))?;
                }
            }
        }
        let raw = match windows {
            Windows::Ntlm {
                user,
                password,
                scheme,
            } => {
                self.ntlm_handshake(&mut connection, user, password, scheme, &request)
                    .await?
            }
            #[cfg(feature = "kerberos")]
            Windows::Spnego { who, ntlm } => {
                self.spnego_handshake(&mut connection, who, ntlm, &request)
                    .await?
            }
        };
        if raw.status == 401 {
            if let Binding::Unavailable(reason) = &connection.binding {
                return Err(Error::ChannelBindingUnavailable {
                    host: self.host(),
                    reason: reason.clone(),
                });
            }
        }
        if raw.status != 401 {
            connection.authenticated = true;
            connections.give_back(connection);
        }
        Ok(raw)
    }

    /// The two legs of the NTLM handshake on `connection`: the answer to the second, or to
    /// the first when the server does not ask for authentication.
    async fn ntlm_handshake(
        &self,
        connection: &mut Connection,
        user: &str,
        password: &Secret,
        scheme: Scheme,
        request: &impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        tracing::debug!(scheme = scheme.name(), "authenticating the connection");
        let negotiate = ntlm::negotiate(scheme);
        let first = connection
            .exchange(request(Some(&negotiate)), self.max_response_bytes)
            .await
            .map_err(|e| self.connection_error(e))?;
        if first.status != 401 {
            return Ok(first);
        }
        let challenge = match ntlm::challenge(scheme, first.challenges.iter().map(String::as_str)) {
            Ok(challenge) => challenge,
            Err(ntlm::HandshakeError::NoChallenge) => return Ok(first),
            Err(ntlm::HandshakeError::BadChallenge(reason)) => {
                return Err(Error::Handshake {
                    host: self.host(),
                    reason: format!("the server's challenge cannot be read: {reason}"),
                })
            }
        };
        let binding = connection.binding.ntlm_hash();
        let authenticate = ntlm::authenticate(scheme, &challenge, user, password.expose(), binding);
        connection
            .exchange(request(Some(&authenticate)), self.max_response_bytes)
            .await
            .map_err(|e| self.connection_error(e))
    }

    /// The SPNEGO handshake on `connection`, as many legs as it takes: the answer to the
    /// last. The server's final token, if it sends one, is checked (mutual authentication).
    /// With `ntlm`, NTLM stands in where Kerberos cannot be used, and for a server that
    /// offers only NTLM.
    #[cfg(feature = "kerberos")]
    async fn spnego_handshake(
        &self,
        connection: &mut Connection,
        who: kerberos::Who<'_>,
        ntlm: Option<(&str, &Secret)>,
        request: &impl Fn(Option<&str>) -> hyper::Request<Full<Bytes>>,
    ) -> Result<RawResponse, Error> {
        use base64::engine::general_purpose::STANDARD as BASE64;
        use base64::Engine;
        use kerberos::Step;

        /// The most legs a Kerberos handshake takes.
        const LEGS: usize = 3;
        tracing::debug!(spn = %self.spn, "authenticating the connection (Kerberos in SPNEGO)");
        let failed = |failure| Error::Kerberos {
            host: self.host(),
            failure,
        };
        let started = self.spnego_start(who, &connection.binding).await;
        let (mut handshake, mut step) = match (started, ntlm) {
            (Ok(started), _) => started,
            (Err(failure), Some((user, password))) if failure.allows_ntlm() => {
                tracing::debug!(%failure, "Kerberos cannot be used; NTLM stands in");
                let answer = self
                    .ntlm_handshake(connection, user, password, Scheme::Negotiate, request)
                    .await?;
                let offers = |scheme: &str| ntlm::offers(scheme, &answer.challenges);
                if answer.status == 401 && offers("NTLM") && !offers("Negotiate") {
                    return self
                        .ntlm_handshake(connection, user, password, Scheme::Ntlm, request)
                        .await;
                }
                return Ok(answer);
            }
            (Err(failure), _) => return Err(failed(failure)),
        };
        for leg in 0..LEGS {
            let (token, done) = match step {
                Step::Continue(token) => (token, false),
                Step::Done(Some(token)) => (token, true),
                Step::Done(None) => break,
            };
            let token = match leg {
                0 => spnego::init(&token),
                _ => spnego::next(&token),
            };
            let authorization = format!("Negotiate {}", BASE64.encode(token));
            let answer = connection
                .exchange(request(Some(&authorization)), self.max_response_bytes)
                .await
                .map_err(|e| self.connection_error(e))?;
            let unreadable = |reason: String| Error::Handshake {
                host: self.host(),
                reason,
            };
            let server_token = match ntlm::token("Negotiate", &answer.challenges) {
                Some(token) => {
                    let bytes = BASE64.decode(token).map_err(|e| {
                        unreadable(format!("the server's Negotiate token is not base64: {e}"))
                    })?;
                    spnego::answer(&bytes).map_err(unreadable)?
                }
                None => None,
            };
            if answer.status != 401 {
                if let Some(token) = server_token {
                    kerberos_blocking(handshake, move |h| h.finish(&token))
                        .await
                        .map_err(failed)?;
                }
                return Ok(answer);
            }
            let Some(token) = server_token.filter(|_| !done) else {
                let offers = |scheme: &str| ntlm::offers(scheme, &answer.challenges);
                if offers("NTLM") && !offers("Negotiate") {
                    return match ntlm {
                        Some((user, password)) => {
                            self.ntlm_handshake(connection, user, password, Scheme::Ntlm, request)
                                .await
                        }
                        None => Err(failed(KerberosFailure::NotOffered {
                            offered: answer.challenges.join(", "),
                        })),
                    };
                }
                return Ok(answer);
            };
            (handshake, step) = kerberos_blocking(handshake, move |h| h.step(Some(&token)))
                .await
                .map_err(failed)?;
        }
        Err(Error::Handshake {
            host: self.host(),
            reason: "the server's Negotiate handshake does not come to an end".to_owned(),
        })
    }

    /// The credentials and the first token of a Kerberos handshake bound to `binding`;
    /// credentials held that have expired are acquired anew once.
    #[cfg(feature = "kerberos")]
    async fn spnego_start(
        &self,
        who: kerberos::Who<'_>,
        binding: &Binding,
    ) -> Result<(kerberos::Handshake, kerberos::Step), KerberosFailure> {
        let mut renew = false;
        loop {
            let tickets = Arc::clone(&self.tickets);
            let owned = kerberos::OwnedWho::from(who);
            let cred = blocking(move || tickets.get(owned.borrow(), renew)).await?;
            let handshake = kerberos::Handshake::new(cred, who, &self.spn, binding)?;
            match kerberos_blocking(handshake, |h| h.step(None)).await {
                Err(KerberosFailure::NoTicket)
                    if !renew && matches!(who, kerberos::Who::Password { .. }) =>
                {
                    renew = true;
                }
                other => return other,
            }
        }
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
            return Err(self.status_error(status, &challenges, &bytes));
        }
        let parsed = parse(&bytes, &self.limits);
        if !(200..300).contains(&status) {
            return Err(match parsed {
                Err(soap::EnvelopeError::Fault(fault)) => Error::Fault(fault),
                _ => self.status_error(status, &challenges, &bytes),
            });
        }
        match parsed {
            Err(soap::EnvelopeError::Parse(_))
                if looks_like_a_page(content_type.as_deref(), &bytes) =>
            {
                Err(Error::NotSoap {
                    status,
                    content_type,
                    body: String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned(),
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
        let url = self
            .endpoint
            .join(path)
            .map_err(|e| Error::Build(format!("{path:?} next to {}: {e}", self.endpoint)))?;
        if url.host_str() != self.endpoint.host_str() || url.port() != self.endpoint.port() {
            return Err(Error::Build(format!(
                "{url} is not on the endpoint's host {}",
                self.host()
            )));
        }
        let raw = match (&self.connections, self.auth.windows()) {
            (Some(connections), Some(windows)) => {
                let target = request_target(&url);
                let request = |authorization: Option<&str>| {
                    let mut request = hyper::Request::get(target.as_str())
                        .header(HOST, self.host())
                        .header(USER_AGENT, self.user_agent.clone());
                    if let Some(authorization) = authorization {
                        request = request.header(AUTHORIZATION, authorization);
                    }
                    request
                        .body(Full::new(Bytes::new()))
                        .expect("the request's parts are valid: the URL parsed")
                };
                let answer = self.windows_exchange(connections, windows, request);
                tokio::time::timeout(self.timeout, answer)
                    .await
                    .map_err(|_| Error::Timeout(self.timeout))??
            }
            _ => {
                let request = self.authorized(self.http.get(url.clone()));
                let response = request.send().await.map_err(|e| self.transport(e))?;
                self.read_raw(response).await?
            }
        };
        match raw.status {
            200..=299 => Ok(raw.body),
            status => Err(self.status_error(status, &raw.challenges, &raw.body)),
        }
    }

    /// The error of an answer with the status `status` (not 2xx) and no SOAP fault: the
    /// server's `WWW-Authenticate` `challenges` and the start of its `body` kept.
    fn status_error(&self, status: u16, challenges: &[String], body: &[u8]) -> Error {
        let excerpt = || String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
        match status {
            401 => Error::Unauthorized {
                challenge: (!challenges.is_empty()).then(|| challenges.join(", ")),
                credentials_sent: !matches!(self.auth, Auth::None),
            },
            403 if is_exchange_online(self.endpoint.host_str().unwrap_or_default()) => {
                Error::ExchangeOnlineRefused { body: excerpt() }
            }
            status => Error::Http {
                status,
                body: excerpt(),
            },
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

    /// The endpoint's `host:port`, for messages.
    fn host(&self) -> String {
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

    fn connection_error(&self, e: ConnectionError) -> Error {
        match e {
            ConnectionError::TooLarge => Error::ResponseTooLarge {
                limit: self.max_response_bytes,
            },
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

/// Runs `f` on a blocking thread: GSSAPI calls block while they talk to the KDC.
#[cfg(feature = "kerberos")]
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KerberosFailure> + Send + 'static,
) -> Result<T, KerberosFailure> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(KerberosFailure::Other {
            detail: "the runtime shut down during the handshake".to_owned(),
        }),
    }
}

/// Runs `f` on `handshake` on a blocking thread, and gives the handshake back with the result.
#[cfg(feature = "kerberos")]
async fn kerberos_blocking<T: Send + 'static>(
    mut handshake: kerberos::Handshake,
    f: impl FnOnce(&mut kerberos::Handshake) -> Result<T, KerberosFailure> + Send + 'static,
) -> Result<(kerberos::Handshake, T), KerberosFailure> {
    blocking(move || f(&mut handshake).map(|value| (handshake, value))).await
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

/// Whether an answer that does not read as an envelope is a web page or other content
/// than XML: a `Content-Type` without `xml`, or HTML in the body.
fn looks_like_a_page(content_type: Option<&str>, body: &[u8]) -> bool {
    if content_type.is_some_and(|t| !t.to_ascii_lowercase().contains("xml")) {
        return true;
    }
    let start = body.trim_ascii_start();
    let start = &start[..start.len().min(15)];
    let start = start.to_ascii_lowercase();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
}
