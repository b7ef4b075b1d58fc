//! What a client is made of: its endpoint, credentials, headers, limits and TLS trust, as
//! [`ClientBuilder`] collects them, and the [`Client`] built from them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::redirect::Policy;

use super::connection::Connections;
#[cfg(feature = "kerberos")]
use super::kerberos;
use super::ntlm::Scheme;
use super::retry::RetryPolicy;
use super::tls;
use super::transport::Transport;
use super::Client;
use crate::error::{Error, KerberosFailure};
use crate::soap::{Impersonation, RequestHeaders};
use crate::types::ExchangeVersion;
use crate::xml::Limits;

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
pub(super) enum Windows<'a> {
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
    pub(super) fn windows(&self) -> Option<Windows<'_>> {
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
    follow_redirects: bool,
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
            follow_redirects: true,
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

    /// The same settings without credentials (Autodiscover's unauthenticated requests).
    pub(crate) fn anonymous(mut self) -> Self {
        self.auth = Auth::None;
        self
    }

    /// The same settings, HTTP redirects handed back instead of followed (Autodiscover
    /// checks where each one leads).
    pub(crate) fn without_redirects(mut self) -> Self {
        self.follow_redirects = false;
        self
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
        let transport = self.transport(tls)?;
        Ok(Client {
            transport,
            headers: self.headers,
            retry: self.retry,
            limits: self.limits,
        })
    }

    /// The transport of these settings, with the TLS configuration `tls` (made by
    /// [`tls`](Self::tls) once for several transports).
    pub(crate) fn transport(&self, tls: Arc<rustls::ClientConfig>) -> Result<Transport, Error> {
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
        if matches!(self.auth, Auth::Kerberos { .. } | Auth::KerberosCache)
            && !cfg!(feature = "kerberos")
        {
            return Err(Error::Build(KerberosFailure::NotBuilt.to_string()));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::Build(format!("user agent: {e}")))?;
        let redirects = match self.follow_redirects {
            true => Policy::default(),
            false => Policy::none(),
        };
        let http = reqwest::Client::builder()
            .redirect(redirects)
            .use_preconfigured_tls((*tls).clone())
            .build()
            .map_err(|e| Error::Build(e.to_string()))?;
        let connections = match self.auth.windows() {
            Some(_) => {
                let host = endpoint.host_str().unwrap_or_default().to_owned();
                let port = endpoint.port_or_known_default().unwrap_or(443);
                let tls = (endpoint.scheme() == "https").then_some(tls);
                let connections = Connections::new(host, port, tls).map_err(Error::Build)?;
                Some(Arc::new(connections))
            }
            None => None,
        };
        Ok(Transport {
            #[cfg(feature = "kerberos")]
            spn: self
                .spn
                .clone()
                .unwrap_or_else(|| format!("HTTP/{}", endpoint.host_str().unwrap_or_default())),
            #[cfg(feature = "kerberos")]
            tickets: Arc::default(),
            http,
            connections,
            user_agent,
            endpoint,
            auth: self.auth.clone(),
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            affinity: Arc::default(),
        })
    }
}
