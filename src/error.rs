//! The crate's one error type. Each variant is one phase of a call that can fail, and
//! carries what a caller needs to act on it.

use std::time::Duration;

use crate::messages::ResponseCode;
pub use crate::operation::EwsError;
use crate::operation::{ResponseError, UnexpectedMessage};
use crate::paging::PagingError;
use crate::soap::{EnvelopeError, SoapFault};
use crate::xml::ParseError;

/// Why an EWS call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (an invalid URL, header value or client setting).
    #[error("cannot build the request: {0}")]
    Build(String),
    /// The request did not reach the server or its answer did not come back (connection
    /// refused, DNS, TLS, reset).
    #[error("cannot reach {host}: {}", with_causes(&**source))]
    Transport {
        /// The endpoint's host and port.
        host: String,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server's TLS certificate was refused.
    #[error(
        "the certificate of {host} is not trusted: {reason}; if it comes from your \
         organisation's certificate authority, trust that authority's root certificate, and if \
         the server's certificate is self-signed, trust that certificate itself \
         (ClientBuilder::root_certificates_pem, --ca-cert FILE in the command line tools, or \
         the system's trust store, SSL_CERT_FILE included)"
    )]
    UntrustedCertificate {
        /// The endpoint's host and port.
        host: String,
        /// Why it was refused.
        reason: String,
    },
    /// The server does not answer with TLS: an `https` URL for a port that serves plain HTTP
    /// (or another protocol).
    #[error("{host} does not answer with TLS: if the server serves plain HTTP on that port, write the URL with http://; else check the port (HTTPS is usually 443)")]
    NotTls {
        /// The endpoint's host and port.
        host: String,
    },
    /// No complete answer came within the request timeout.
    #[error(
        "no complete answer within {0:?}; large answers (ExportItems, GetItem with MIME \
         content, big pages) can take longer: raise the limit with ClientBuilder::timeout"
    )]
    Timeout(Duration),
    /// A streamed answer (GetStreamingEvents) brought nothing, not even a heartbeat, for
    /// this long: the connection is taken as lost.
    #[error(
        "the server sent nothing for {0:?}, not even a heartbeat: the connection is taken as \
         lost; open the stream again (or raise the limit with ClientBuilder::timeout)"
    )]
    Stalled(Duration),
    /// A streamed answer ended in the middle of an envelope: the connection was cut.
    #[error(
        "the answer ended in the middle of an envelope, {received} bytes into it: the \
         connection was cut; send the request again"
    )]
    Truncated {
        /// How many bytes of the envelope had come.
        received: usize,
    },
    /// The server refused the request for want of credentials it accepts (HTTP 401).
    #[error("authentication failed (HTTP 401): {}{}",
        if *credentials_sent { "the server refused the credentials" } else { "no credentials were sent; set them with basic_auth, ntlm, negotiate, kerberos or bearer_token (of ClientBuilder or Autodiscover)" },
        challenge.as_deref().map(|c| format!("; the server asks for {c}")).unwrap_or_default())]
    Unauthorized {
        /// The `WWW-Authenticate` challenge, if the server sent one.
        challenge: Option<String>,
        /// Whether the request carried credentials.
        credentials_sent: bool,
    },
    /// The Windows authentication (NTLM) handshake could not go on: the server's answer to
    /// its first leg is not a challenge the client can read.
    #[error("the Windows authentication handshake with {host} failed: {reason}")]
    Handshake {
        /// The endpoint's host and port.
        host: String,
        /// What went wrong.
        reason: String,
    },
    /// Exchange Online refused EWS (HTTP 403): since 2026-10-01 it answers EWS only for
    /// tenants and applications that an administrator allowed, and it ends EWS on
    /// 2027-04-01.
    #[error("Exchange Online refused EWS (HTTP 403): since 2026-10-01 EWS in Exchange Online works only where a tenant administrator has allowed it for the tenant and for this application (its app ID on the tenant's EWS allow list, EwsAllowedAppIDs); ask them to, or move to Microsoft Graph: Exchange Online ends EWS on 2027-04-01{}", excerpt(body))]
    ExchangeOnlineRefused {
        /// The start of the body (at most 4 KiB, lossily decoded).
        body: String,
    },
    /// Kerberos could not authenticate the client: `failure` says why and what to change.
    #[error("Kerberos authentication with {host} failed: {failure}")]
    Kerberos {
        /// The endpoint's host and port.
        host: String,
        /// What failed.
        failure: KerberosFailure,
    },
    /// The server refused Windows authentication over HTTPS, and no channel binding could be
    /// made for its certificate, which a server with Extended Protection set to Require
    /// demands.
    #[error("{host} refused the Windows authentication, and no channel binding could be made for its certificate: {reason}; a server whose Extended Protection for Authentication is set to Require refuses clients without one: give the server a certificate signed with RSA or ECDSA and SHA-256 or better, or set its Extended Protection to Accept or Off")]
    ChannelBindingUnavailable {
        /// The endpoint's host and port.
        host: String,
        /// Why no binding could be made.
        reason: String,
    },
    /// The server answered with an HTTP error status and no SOAP fault.
    #[error("HTTP status {status}{}{}", status_hint(*status), excerpt(body))]
    Http {
        /// The status code.
        status: u16,
        /// The start of the body, for diagnosis (at most 4 KiB, lossily decoded).
        body: String,
    },
    /// The server answered with a web page (or other non-XML content) instead of a SOAP
    /// envelope: the URL is not the EWS endpoint, or a sign-in page answered in its place.
    #[error("the server answered with {} instead of a SOAP envelope: check that the URL is the EWS endpoint (it usually ends in /EWS/Exchange.asmx) and that no sign-in page stands in front of it{}",
        content_type.as_deref().unwrap_or("a web page"), excerpt(body))]
    NotSoap {
        /// The HTTP status code.
        status: u16,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The start of the body (at most 4 KiB, lossily decoded).
        body: String,
    },
    /// The response body is larger than the client accepts.
    #[error("the response is larger than the limit of {limit} bytes ({} MiB); raise it with ClientBuilder::max_response_bytes", limit >> 20)]
    ResponseTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The response is not a SOAP envelope the bindings can read.
    #[error("unreadable response: {0}")]
    Parse(#[from] ParseError),
    /// The server answered with a SOAP fault.
    #[error("{0}")]
    Fault(Box<SoapFault>),
    /// The server answered with a response message whose ResponseClass is `Error`.
    #[error("{0}")]
    Ews(Box<EwsError>),
    /// A response message of another kind than the operation's.
    #[error(transparent)]
    UnexpectedMessage(UnexpectedMessage),
    /// The server answered with another number of response messages than the request
    /// asked for, so that results cannot be matched with requested items.
    #[error("the server answered {received} response messages for {expected} requested items")]
    ItemCount {
        /// The number of items requested.
        expected: usize,
        /// The number of messages received.
        received: usize,
    },
    /// Paging cannot go on (see [`Client::pages`](crate::Client::pages)). A page whose
    /// response message is an error is [`Error::Ews`] instead.
    #[error(transparent)]
    Paging(PagingError),
    /// The server stayed busy (`ErrorServerBusy`) past the retry limits.
    #[error("the server is busy: gave up after {attempts} attempts and {waited:?} of waiting; last answer: {last}")]
    Throttled {
        /// How many requests were sent.
        attempts: u32,
        /// How long the client waited between them in all.
        waited: Duration,
        /// The last busy answer.
        last: Box<Error>,
    },
}

impl Error {
    /// The EWS response code, for a SOAP fault that carries one and for an error response.
    pub fn response_code(&self) -> Option<&ResponseCode> {
        match self {
            Error::Fault(f) => f.response_code.as_ref(),
            Error::Ews(e) => Some(&e.response_code),
            Error::Throttled { last, .. } => last.response_code(),
            _ => None,
        }
    }

    /// How long the server asked the client to wait before retrying, for an
    /// `ErrorServerBusy` answer that says so.
    pub fn back_off(&self) -> Option<Duration> {
        match self {
            Error::Fault(f) => f.back_off(),
            Error::Ews(e) => e.back_off(),
            _ => None,
        }
    }

    /// Whether the connection failed or was cut before a whole answer came (it could not
    /// be made, was reset or closed, or went silent): a request that changes nothing
    /// (GetItem, FindItem, SyncFolderItems from a saved sync state, …) can be sent again
    /// as it is.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            Error::Transport { .. }
                | Error::Timeout(_)
                | Error::Stalled(_)
                | Error::Truncated { .. }
        )
    }

    /// Whether this is the server saying it is busy (`ErrorServerBusy`).
    pub fn is_server_busy(&self) -> bool {
        matches!(self, Error::Fault(_) | Error::Ews(_))
            && self.response_code() == Some(&ResponseCode::ErrorServerBusy)
    }
}

impl From<EnvelopeError> for Error {
    fn from(e: EnvelopeError) -> Self {
        match e {
            EnvelopeError::Parse(e) => Error::Parse(e),
            EnvelopeError::Fault(f) => Error::Fault(f),
        }
    }
}

impl From<PagingError> for Error {
    fn from(e: PagingError) -> Self {
        match e {
            PagingError::Ews(e) => Error::Ews(e),
            other => Error::Paging(other),
        }
    }
}

impl From<ResponseError> for Error {
    fn from(e: ResponseError) -> Self {
        match e {
            ResponseError::Ews(e) => Error::Ews(e),
            ResponseError::UnexpectedMessage(m) => Error::UnexpectedMessage(m),
        }
    }
}

/// Why Kerberos could not authenticate the client, each saying which setting to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KerberosFailure {
    /// The user name names no realm, and krb5.conf names no default realm.
    #[error("the user name {user:?} names no realm and krb5.conf names no default realm: give it as user@REALM (alice@CONTOSO.COM) or REALM\\user (ClientBuilder::kerberos, --user)")]
    NoRealm {
        /// The user name given.
        user: String,
    },
    /// No KDC is known for the realm.
    #[error("no KDC is known for the realm {realm}: name one in krb5.conf ([realms] {realm} = {{ kdc = HOST }}; KRB5_CONFIG names the file) or in the realm's DNS SRV records (_kerberos._tcp, with dns_lookup_kdc = true), or give it with --kdc HOST[:PORT] in the command line tools")]
    NoKdc {
        /// The realm.
        realm: String,
    },
    /// No KDC of the realm could be reached.
    #[error("no KDC of the realm {realm} could be reached ({detail}): check the KDCs that krb5.conf or DNS name for it (--kdc HOST[:PORT] in the command line tools) and that port 88 is open to them; to let NTLM stand in when Kerberos cannot be used, authenticate with ClientBuilder::negotiate or --auth negotiate")]
    KdcUnreachable {
        /// The realm.
        realm: String,
        /// What GSSAPI said.
        detail: String,
    },
    /// No valid ticket-granting ticket in the credential cache.
    #[error("no valid Kerberos ticket in the credential cache (KRB5CCNAME): get one with kinit user@REALM, or give a user and password (ClientBuilder::kerberos; --user and EWS_PASSWORD in the command line tools)")]
    NoTicket,
    /// The KDC knows no such user.
    #[error("the KDC knows no user {user}: check the user name (ClientBuilder::kerberos, --user); with an Active Directory account it is the user principal name (alice@contoso.com) or DOMAIN\\user")]
    UnknownUser {
        /// The user name given.
        user: String,
    },
    /// The KDC refused the password (pre-authentication failed).
    #[error("the KDC refused the password of {user} (pre-authentication failed): check the password (EWS_PASSWORD in the command line tools); repeated tries can lock the account")]
    WrongPassword {
        /// The user name given.
        user: String,
    },
    /// The account is disabled or locked out.
    #[error("the KDC refuses the account {user}: it is disabled or locked out; ask the domain's administrator")]
    AccountRevoked {
        /// The user name given.
        user: String,
    },
    /// The password has expired.
    #[error("the password of {user} has expired: change it (sign in to Windows or Outlook on the web once) and try again")]
    PasswordExpired {
        /// The user name given.
        user: String,
    },
    /// This computer's clock differs from the KDC's or the server's by more than they allow.
    #[error("this computer's clock differs from the domain's by more than the allowed skew (5 minutes by default): set the clock right (NTP) and try again")]
    ClockSkew,
    /// The KDC knows no service principal of that name.
    #[error("the KDC knows no service {spn}: give the name the server is registered under with ClientBuilder::spn or --spn (HTTP/ followed by the server's host name, as in HTTP/mail.contoso.com)")]
    UnknownService {
        /// The service principal name asked for.
        spn: String,
    },
    /// The server's final token does not prove that it holds the service's key.
    #[error("the server's last token does not prove that it is the service the ticket is for ({detail}): the answer is not trusted; check that the URL and the service name (ClientBuilder::spn, --spn) name the real server")]
    MutualAuthentication {
        /// What GSSAPI said.
        detail: String,
    },
    /// The server offers no Kerberos (no `Negotiate`), and NTLM is not allowed.
    #[error("the server does not offer Kerberos (it asks for {offered}); to use NTLM with it, authenticate with ClientBuilder::negotiate or ntlm, or --auth negotiate or ntlm")]
    NotOffered {
        /// The schemes the server offers.
        offered: String,
    },
    /// The crate was built without Kerberos.
    #[error("this build has no Kerberos: turn on the `kerberos` feature of ews-bindings")]
    NotBuilt,
    /// Another failure of the handshake.
    #[error("{detail}")]
    Other {
        /// What GSSAPI said.
        detail: String,
    },
}

impl KerberosFailure {
    /// Whether Negotiate may let NTLM stand in: Kerberos cannot be used here (no KDC known
    /// or reachable, the clocks apart, a user or service the KDC does not know).
    pub fn allows_ntlm(&self) -> bool {
        matches!(
            self,
            KerberosFailure::NoKdc { .. }
                | KerberosFailure::KdcUnreachable { .. }
                | KerberosFailure::NoRealm { .. }
                | KerberosFailure::ClockSkew
                | KerberosFailure::UnknownUser { .. }
                | KerberosFailure::UnknownService { .. }
        )
    }
}

/// What a status says to check, for the statuses that point at a setting.
fn status_hint(status: u16) -> &'static str {
    match status {
        404 => ": nothing answers at that path; check the URL (the EWS endpoint is usually https://host/EWS/Exchange.asmx)",
        _ => "",
    }
}

/// `; the body starts: …` with the first line or 200 characters of `body`, if any.
fn excerpt(body: &str) -> String {
    let text: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return String::new();
    }
    let cut: String = text.chars().take(200).collect();
    let more = if cut.len() < text.len() { " …" } else { "" };
    format!("; the body starts: {cut}{more}")
}

/// `error` and its causes, `: `-separated (reqwest's own message alone says little).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
