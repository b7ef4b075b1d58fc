//! The crate's one error type. Each variant is one phase of a call that can fail, and
//! carries what a caller needs to act on it.

use std::time::Duration;

use crate::messages::ResponseCode;
use crate::soap::SoapFault;
use crate::xml::{AnyElement, ParseError};

/// Why an EWS call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (an invalid URL, header value or client setting).
    #[error("cannot build the request: {0}")]
    Build(String),
    /// The request did not reach the server or its answer did not come back (connection
    /// refused, DNS, TLS, reset).
    #[error("transport error: {}", with_causes(.0))]
    Transport(#[source] reqwest::Error),
    /// No complete answer came within the request timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The server refused the credentials (HTTP 401).
    #[error("authentication failed (HTTP 401){}", challenge.as_deref().map(|c| format!("; the server asks for {c}")).unwrap_or_default())]
    Unauthorized {
        /// The `WWW-Authenticate` challenge, if the server sent one.
        challenge: Option<String>,
    },
    /// The server answered with an HTTP error status and no SOAP fault.
    #[error("HTTP status {status}")]
    Http {
        /// The status code.
        status: u16,
        /// The start of the body, for diagnosis (at most 4 KiB, lossily decoded).
        body: String,
    },
    /// The response body is larger than the client accepts.
    #[error("the response is larger than the limit of {limit} bytes")]
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

    /// Whether this is the server saying it is busy (`ErrorServerBusy`).
    pub fn is_server_busy(&self) -> bool {
        matches!(self, Error::Fault(_) | Error::Ews(_))
            && self.response_code() == Some(&ResponseCode::ErrorServerBusy)
    }
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

/// A response message with ResponseClass `Error` (or the warning of a `Warning` one).
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[error("EWS error {response_code}{}", message_text.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct EwsError {
    /// The response code; codes this version does not know are kept in `ResponseCode::Other`.
    pub response_code: ResponseCode,
    /// The server's description.
    pub message_text: Option<String>,
    /// The link key of the error's description, when the server gives one.
    pub descriptive_link_key: Option<i32>,
    /// Further details (for example `BackOffMilliseconds`), as sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub message_xml: Vec<AnyElement>,
}

impl EwsError {
    /// The `BackOffMilliseconds` value of `MessageXml`, if present.
    pub fn back_off(&self) -> Option<Duration> {
        back_off_in(&self.message_xml)
    }
}

/// Finds `<t:Value Name="BackOffMilliseconds">N</t:Value>` among `elements`, at any depth.
pub(crate) fn back_off_in(elements: &[AnyElement]) -> Option<Duration> {
    let mut stack: Vec<&AnyElement> = elements.iter().collect();
    while let Some(e) = stack.pop() {
        if e.name == "Value" && e.attribute("Name") == Some("BackOffMilliseconds") {
            if let Ok(ms) = e.text().trim().parse() {
                return Some(Duration::from_millis(ms));
            }
        }
        stack.extend(e.elements());
    }
    None
}
