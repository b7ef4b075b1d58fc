//! SOAP 1.1 envelopes for EWS: the request headers, the response's `ServerVersionInfo`
//! header, and SOAP faults.

use std::fmt;
use std::time::Duration;

use crate::error::{back_off_in, Error};
use crate::messages::{self, ResponseCode};
use crate::types::{
    self, ConnectingSID, ConnectingSIDChoice, ExchangeImpersonation, ExchangeVersion,
    MailboxCulture, PrimarySmtpAddress, PrincipalName, RequestServerVersion, ServerVersionInfo,
    SmtpAddress, SID,
};
use crate::xml::{
    AnyElement, FromXml, Namespace, ParseErrorKind, Start, ToXml, XmlReader, XmlWriter, EWS_ERRORS,
    SOAP_ENVELOPE,
};

/// The SOAP headers of a request. All are optional; the default asks for Exchange2013.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestHeaders {
    /// `RequestServerVersion`: the schema version the request is written against.
    pub server_version: Option<ExchangeVersion>,
    /// `MailboxCulture`: the culture (an RFC 3066 tag such as `en-US`) used to access the
    /// mailbox.
    pub mailbox_culture: Option<String>,
    /// `ExchangeImpersonation`: the user the call acts as.
    pub impersonation: Option<Impersonation>,
}

impl Default for RequestHeaders {
    fn default() -> Self {
        RequestHeaders {
            server_version: Some(ExchangeVersion::Exchange2013),
            mailbox_culture: None,
            impersonation: None,
        }
    }
}

/// Whom a request impersonates, by one of the four identities EWS accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Impersonation {
    /// A user principal name (`user@contoso.com` in UPN form).
    PrincipalName(String),
    /// A security identifier in SDDL form (`S-1-5-21-…`).
    Sid(String),
    /// The primary SMTP address of the mailbox.
    PrimarySmtpAddress(String),
    /// Any SMTP address of the mailbox.
    SmtpAddress(String),
}

impl Impersonation {
    fn header(&self) -> ExchangeImpersonation {
        let choice = match self.clone() {
            Impersonation::PrincipalName(value) => {
                ConnectingSIDChoice::PrincipalName(PrincipalName { value })
            }
            Impersonation::Sid(value) => ConnectingSIDChoice::SID(SID { value }),
            Impersonation::PrimarySmtpAddress(value) => {
                ConnectingSIDChoice::PrimarySmtpAddress(PrimarySmtpAddress { value })
            }
            Impersonation::SmtpAddress(value) => {
                ConnectingSIDChoice::SmtpAddress(SmtpAddress { value })
            }
        };
        ExchangeImpersonation {
            connecting_sid: ConnectingSID { choice },
        }
    }
}

/// Writes a request envelope whose body is `body` as the messages element `name`.
pub fn write_request<B: ToXml>(headers: &RequestHeaders, name: &str, body: &B) -> String {
    let t = Some(&types::NAMESPACE);
    let soap = Some(&SOAP_ENVELOPE);
    let mut w = XmlWriter::new().with_namespaces(&[
        &SOAP_ENVELOPE,
        &types::NAMESPACE,
        &messages::NAMESPACE,
    ]);
    w.declaration();
    w.start(soap, "Envelope");
    w.start(soap, "Header");
    if let Some(version) = &headers.server_version {
        let header = RequestServerVersion {
            version: version.clone(),
        };
        w.element(t, "RequestServerVersion", &header);
    }
    if let Some(culture) = &headers.mailbox_culture {
        let header = MailboxCulture {
            value: culture.clone(),
        };
        w.element(t, "MailboxCulture", &header);
    }
    if let Some(who) = &headers.impersonation {
        w.element(t, "ExchangeImpersonation", &who.header());
    }
    w.end(soap, "Header");
    w.start(soap, "Body");
    w.element(Some(&messages::NAMESPACE), name, body);
    w.end(soap, "Body");
    w.end(soap, "Envelope");
    w.into_string()
}

/// A response envelope that held the expected body element.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseEnvelope<T> {
    /// The `ServerVersionInfo` header, if the server sent one.
    pub server_version: Option<ServerVersionInfo>,
    /// The body element.
    pub body: T,
}

/// Reads a response envelope whose body holds the messages element `name` (read as `T`) or
/// a SOAP fault (returned as [`Error::Fault`]). Header elements other than
/// `ServerVersionInfo` are skipped; a missing header is fine.
pub fn read_response<T: FromXml>(xml: &[u8], name: &str) -> Result<ResponseEnvelope<T>, Error> {
    let mut r = XmlReader::from_bytes(xml)?;
    let root = r.root()?;
    if !root.is(&SOAP_ENVELOPE, "Envelope") {
        return Err(r
            .unexpected(&root, &expanded(&SOAP_ENVELOPE, "Envelope"))
            .into());
    }
    let mut server_version = None;
    let mut body = None;
    while let Some(part) = r.next_child(&root)? {
        if part.is(&SOAP_ENVELOPE, "Header") {
            while let Some(h) = r.next_child(&part)? {
                if h.is(&types::NAMESPACE, "ServerVersionInfo") {
                    server_version = Some(r.read(h)?);
                } else {
                    r.skip(h)?;
                }
            }
        } else if part.is(&SOAP_ENVELOPE, "Body") && body.is_none() {
            let Some(content) = r.next_child(&part)? else {
                return Err(r
                    .error(ParseErrorKind::MissingElement("Body content"))
                    .into());
            };
            if content.is(&SOAP_ENVELOPE, "Fault") {
                return Err(Error::Fault(Box::new(read_fault(&mut r, content)?)));
            }
            if !content.is(&messages::NAMESPACE, name) {
                return Err(r
                    .unexpected(&content, &expanded(&messages::NAMESPACE, name))
                    .into());
            }
            body = Some(r.read::<T>(content)?);
            while let Some(extra) = r.next_child(&part)? {
                r.skip(extra)?;
            }
        } else {
            r.skip(part)?;
        }
    }
    r.finish()?;
    match body {
        Some(body) => Ok(ResponseEnvelope {
            server_version,
            body,
        }),
        None => Err(r.error(ParseErrorKind::MissingElement("Body")).into()),
    }
}

fn expanded(ns: &Namespace, local: &str) -> String {
    format!("{{{}}}{local}", ns.uri)
}

/// A SOAP fault: how EWS reports errors that are not about one response message, such as a
/// request it cannot read, a wrong `RequestServerVersion`, or a busy server.
#[derive(Debug, Clone, PartialEq)]
pub struct SoapFault {
    /// The namespace of `faultcode`'s QName (for EWS errors, the types namespace).
    pub code_namespace: Option<String>,
    /// The local part of `faultcode` (`ErrorIncorrectSchemaVersion`, `Client`, …).
    pub code: String,
    /// `faultstring`: the server's description.
    pub string: String,
    /// `faultactor`, if present.
    pub actor: Option<String>,
    /// The detail's `e:ResponseCode`, as an EWS response code.
    pub response_code: Option<ResponseCode>,
    /// The detail's `e:Message`.
    pub message: Option<String>,
    /// The detail's elements, as sent.
    pub detail: Vec<AnyElement>,
}

impl SoapFault {
    /// The `BackOffMilliseconds` the detail asks for, if any.
    pub fn back_off(&self) -> Option<Duration> {
        back_off_in(&self.detail)
    }
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP fault {}: {}", self.code, self.string)
    }
}

fn read_fault<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<SoapFault, Error> {
    let mut fault = SoapFault {
        code_namespace: None,
        code: String::new(),
        string: String::new(),
        actor: None,
        response_code: None,
        message: None,
        detail: Vec::new(),
    };
    let mut has_code = false;
    while let Some(child) = r.next_child(&start)? {
        // The fault's children are unqualified; some servers qualify them anyway.
        let ours = child.ns.uri().is_none() || child.ns.is(&SOAP_ENVELOPE);
        match child.local {
            "faultcode" if ours => {
                let (ns, local) = r.read_qname(child)?;
                fault.code_namespace = ns.uri().map(str::to_owned);
                fault.code = local;
                has_code = true;
            }
            "faultstring" if ours => fault.string = r.text(child)?.into_owned(),
            "faultactor" if ours => fault.actor = Some(r.text(child)?.into_owned()),
            "detail" if ours => {
                while let Some(d) = r.next_child(&child)? {
                    let element = AnyElement::from_xml(r, d)?;
                    if element.is(&EWS_ERRORS, "ResponseCode") {
                        let Ok(code) = element.text().trim().parse();
                        fault.response_code = Some(code);
                    } else if element.is(&EWS_ERRORS, "Message") {
                        fault.message = Some(element.text());
                    }
                    fault.detail.push(element);
                }
            }
            _ => r.skip(child)?,
        }
    }
    if !has_code {
        return Err(r.error(ParseErrorKind::MissingElement("faultcode")).into());
    }
    Ok(fault)
}
