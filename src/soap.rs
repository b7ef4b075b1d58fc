//! SOAP 1.1 envelopes for EWS: the request headers, the response's `ServerVersionInfo`
//! header, and SOAP faults.

use std::fmt;
use std::time::Duration;

use crate::autodiscover::{self, GetUserSettingsRequestMessage, GetUserSettingsResponseMessage};
use crate::messages::{self, ResponseCode};
use crate::operation::{back_off_in, Operation};
use crate::types::{
    self, ConnectingSID, ConnectingSIDChoice, DateTimePrecision, ExchangeImpersonation,
    ExchangeVersion, MailboxCulture, ManagementRole, RequestServerVersion, ServerVersionInfo,
    TimeZoneContext, TimeZoneDefinition,
};
use crate::xml::{
    AnyElement, FromXml, Limits, Namespace, ParseError, ParseErrorKind, Start, ToXml, XmlReader,
    XmlWriter, XML,
};

/// The SOAP 1.1 envelope namespace.
pub static SOAP_ENVELOPE: Namespace = Namespace {
    uri: "http://schemas.xmlsoap.org/soap/envelope/",
    prefix: "soap",
};

/// The namespace of the `ResponseCode` and `Message` details of an EWS SOAP fault.
pub static EWS_ERRORS: Namespace = Namespace {
    uri: "http://schemas.microsoft.com/exchange/services/2006/errors",
    prefix: "e",
};

/// The namespaces of EWS messages: the reader's table for envelopes and bodies (see
/// [`XmlReader::with_namespaces`]).
pub static NAMESPACES: [&Namespace; 4] = [
    &types::NAMESPACE,
    &messages::NAMESPACE,
    &SOAP_ENVELOPE,
    &EWS_ERRORS,
];

/// The namespaces of SOAP Autodiscover's GetUserSettings answers: the reader's table.
static AUTODISCOVER_NAMESPACES: [&Namespace; 2] = [&SOAP_ENVELOPE, &autodiscover::NAMESPACE];

/// WS-Addressing, of SOAP Autodiscover's `Action` and `To` headers.
static WS_ADDRESSING: Namespace = Namespace {
    uri: "http://www.w3.org/2005/08/addressing",
    prefix: "wsa",
};

/// The `SOAPAction` (and WS-Addressing `Action`) of SOAP Autodiscover's GetUserSettings.
pub const GET_USER_SETTINGS_ACTION: &str =
    "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings";

/// The SOAP headers of a request. All are optional; the default asks for Exchange2013.
///
/// Each operation's binding (in `Services.wsdl`) declares which of them it takes
/// ([`Operation::REQUEST_HEADERS`]); a header
/// set here that an operation does not take is left out of that operation's requests
/// (TimeZoneContext goes to CreateItem, FindItem, GetUserAvailability, …, not to
/// GetImItemList), so one set of headers serves every call.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestHeaders {
    /// `RequestServerVersion`: the schema version the request is written against.
    pub server_version: Option<ExchangeVersion>,
    /// `MailboxCulture`: the culture (an RFC 3066 tag such as `en-US`) used to access the
    /// mailbox.
    pub mailbox_culture: Option<String>,
    /// `ExchangeImpersonation`: the user the call acts as.
    pub impersonation: Option<Impersonation>,
    /// `TimeZoneContext`: the time zone that date-times without a zone are in, in requests
    /// and responses. [`RequestHeaders::time_zone`] sets it from a Windows time zone id.
    pub time_zone_context: Option<TimeZoneContext>,
    /// `DateTimePrecision`: whether returned date-times carry milliseconds.
    pub date_time_precision: Option<DateTimePrecision>,
    /// `ManagementRole`: the management roles the call acts with.
    pub management_role: Option<ManagementRole>,
    /// Not a SOAP header: the public folder mailbox the request is routed to, sent as the
    /// `X-AnchorMailbox` and `X-PublicFolderMailbox` HTTP headers (for any operation, and
    /// in place of the impersonated address).
    pub public_folders: Option<PublicFolderRouting>,
}

/// Where a request about public folders goes: since Exchange 2013, public folders live in
/// public folder mailboxes, and a request reaches the right one by two HTTP headers. A
/// request about the folder tree (FindFolder, GetFolder, …) goes to the user's hierarchy
/// mailbox ([`PublicFolderRouting::hierarchy`]); one about a folder's items (FindItem,
/// GetItem, …) to the mailbox holding that folder's content
/// ([`PublicFolderRouting::content`]). The addresses come from Autodiscover
/// ([`Autodiscover::user_settings`](crate::discovery::Autodiscover::user_settings)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicFolderRouting {
    /// The `X-AnchorMailbox` header.
    pub anchor_mailbox: String,
    /// The `X-PublicFolderMailbox` header.
    pub public_folder_mailbox: String,
}

impl PublicFolderRouting {
    /// The routing of requests about the public folder tree: `X-AnchorMailbox` is the
    /// user's `PublicFolderInformation` setting, `X-PublicFolderMailbox` their
    /// `InternalRpcClientServer` setting (both from Autodiscover's GetUserSettings).
    pub fn hierarchy(
        public_folder_information: impl Into<String>,
        internal_rpc_client_server: impl Into<String>,
    ) -> Self {
        PublicFolderRouting {
            anchor_mailbox: public_folder_information.into(),
            public_folder_mailbox: internal_rpc_client_server.into(),
        }
    }

    /// The routing of requests about a folder's items: both headers are the
    /// `AutoDiscoverSMTPAddress` setting of the mailbox holding its content (asked for at
    /// `<mailbox GUID>@<domain>`, the GUID being the start of the folder's
    /// `PR_REPLICA_LIST` property, 0x6698).
    pub fn content(auto_discover_smtp_address: impl Into<String>) -> Self {
        let address = auto_discover_smtp_address.into();
        PublicFolderRouting {
            anchor_mailbox: address.clone(),
            public_folder_mailbox: address,
        }
    }
}

impl Default for RequestHeaders {
    fn default() -> Self {
        RequestHeaders {
            server_version: Some(ExchangeVersion::Exchange2013),
            mailbox_culture: None,
            impersonation: None,
            time_zone_context: None,
            date_time_precision: None,
            management_role: None,
            public_folders: None,
        }
    }
}

impl RequestHeaders {
    /// Sets `TimeZoneContext` to the time zone with the Windows id `id`
    /// (`Pacific Standard Time`, `W. Europe Standard Time`, `UTC`).
    pub fn time_zone(mut self, id: impl Into<String>) -> Self {
        self.time_zone_context = Some(TimeZoneContext {
            time_zone_definition: TimeZoneDefinition {
                id: Some(id.into().into()),
                name: None,
                periods: None,
                transitions_groups: None,
                transitions: None,
            },
        });
        self
    }

    /// The value of the `X-AnchorMailbox` HTTP header that Microsoft advises for
    /// impersonated requests: the impersonated mailbox's address (none for a SID).
    pub fn anchor_mailbox(&self) -> Option<&str> {
        match self.impersonation.as_ref()? {
            Impersonation::PrincipalName(a)
            | Impersonation::PrimarySmtpAddress(a)
            | Impersonation::SmtpAddress(a) => Some(a),
            Impersonation::SID(_) => None,
        }
    }
}

/// Whom a request impersonates, by one of the four identities EWS accepts: the generated
/// choice of `t:ConnectingSIDType` (`PrincipalName`, a user principal name; `SID`, a
/// security identifier in SDDL form; `PrimarySmtpAddress`; `SmtpAddress`, any SMTP address
/// of the mailbox).
///
/// ```
/// use ews_bindings::Impersonation;
///
/// let who = Impersonation::SmtpAddress("alice@contoso.com".into());
/// ```
pub type Impersonation = ConnectingSIDChoice;

/// Writes the request envelope of the operation `O` with `body`, and those of `headers`
/// that `O`'s binding declares ([`Operation::REQUEST_HEADERS`]).
pub fn write_request<O: Operation>(headers: &RequestHeaders, body: &O::Request) -> String {
    // A header goes out when it is set and the operation's binding declares it.
    let takes = |element: &str| O::REQUEST_HEADERS.contains(&element);
    let t = Some(&types::NAMESPACE);
    write_envelope(
        &EWS_DECLARED,
        |w| {
            let version = headers.server_version.as_ref();
            if let Some(v) = version.filter(|_| takes("RequestServerVersion")) {
                let header = RequestServerVersion { version: v.clone() };
                w.element(t, "RequestServerVersion", &header);
            }
            let culture = headers.mailbox_culture.as_deref();
            if let Some(c) = culture.filter(|_| takes("MailboxCulture")) {
                w.element(t, "MailboxCulture", &MailboxCulture { value: c.into() });
            }
            let who = headers.impersonation.as_ref();
            if let Some(who) = who.filter(|_| takes("ExchangeImpersonation")) {
                let header = ExchangeImpersonation {
                    connecting_sid: ConnectingSID {
                        choice: who.clone(),
                    },
                };
                w.element(t, "ExchangeImpersonation", &header);
            }
            let zone = headers.time_zone_context.as_ref();
            if let Some(zone) = zone.filter(|_| takes("TimeZoneContext")) {
                w.element(t, "TimeZoneContext", zone);
            }
            let precision = headers.date_time_precision.as_ref();
            if let Some(p) = precision.filter(|_| takes("DateTimePrecision")) {
                w.value_element(t, "DateTimePrecision", p);
            }
            let roles = headers.management_role.as_ref();
            if let Some(roles) = roles.filter(|_| takes("ManagementRole")) {
                w.element(t, "ManagementRole", roles);
            }
        },
        |w| w.element(Some(&messages::NAMESPACE), O::REQUEST_ELEMENT, body),
    )
}

/// Writes the response envelope of the operation `O`: `ServerVersionInfo` when given, and
/// `body`. What a server (or the loopback endpoint) sends; [`read_response`] reads it back.
pub fn write_response<O: Operation>(
    server_version: Option<&ServerVersionInfo>,
    body: &O::Response,
) -> String {
    write_envelope(
        &EWS_DECLARED,
        |w| {
            if let Some(version) = server_version {
                w.element(Some(&types::NAMESPACE), "ServerVersionInfo", version);
            }
        },
        |w| w.element(Some(&messages::NAMESPACE), O::RESPONSE_ELEMENT, body),
    )
}

/// Writes an envelope without headers whose body holds `body` as `m:{element}`: for the
/// messages no operation of the WSDL sends (a push subscription's `SendNotificationResult`).
pub fn write_message<T: ToXml>(element: &str, body: &T) -> String {
    write_envelope(
        &EWS_DECLARED,
        |_| {},
        |w| w.element(Some(&messages::NAMESPACE), element, body),
    )
}

/// The namespaces an EWS envelope declares on its root.
static EWS_DECLARED: [&Namespace; 3] = [&SOAP_ENVELOPE, &types::NAMESPACE, &messages::NAMESPACE];

/// Writes an envelope declaring `namespaces` on its root: `header` writes the header
/// elements, `body` the body's element.
fn write_envelope(
    namespaces: &[&'static Namespace],
    header: impl FnOnce(&mut XmlWriter),
    body: impl FnOnce(&mut XmlWriter),
) -> String {
    let soap = Some(&SOAP_ENVELOPE);
    let mut w = XmlWriter::new().with_namespaces(namespaces);
    w.declaration();
    w.start(soap, "Envelope");
    w.start(soap, "Header");
    header(&mut w);
    w.end(soap, "Header");
    w.start(soap, "Body");
    body(&mut w);
    w.end(soap, "Body");
    w.end(soap, "Envelope");
    w.into_string()
}

/// Writes a SOAP Autodiscover GetUserSettings request envelope for the service at `to`
/// (its URL): the headers Autodiscover requires (`RequestedServerVersion` Exchange2013,
/// WS-Addressing's `Action` and `To`) and `request`. Its `SOAPAction` is
/// [`GET_USER_SETTINGS_ACTION`].
pub fn write_get_user_settings(to: &str, request: &GetUserSettingsRequestMessage) -> String {
    let a = Some(&autodiscover::NAMESPACE);
    let wsa = Some(&WS_ADDRESSING);
    write_envelope(
        &[&SOAP_ENVELOPE, &autodiscover::NAMESPACE, &WS_ADDRESSING],
        |w| {
            let version = autodiscover::ExchangeVersion::Exchange2013;
            w.value_element(a, "RequestedServerVersion", &version);
            w.value_element(wsa, "Action", &GET_USER_SETTINGS_ACTION.to_owned());
            w.value_element(wsa, "To", &to.to_owned());
        },
        |w| w.element(a, "GetUserSettingsRequestMessage", request),
    )
}

/// Reads a SOAP Autodiscover GetUserSettings response envelope within `limits`: its body
/// holds a `GetUserSettingsResponseMessage` or a SOAP fault; its headers are skipped.
pub fn read_get_user_settings(
    xml: &[u8],
    limits: &Limits,
) -> Result<GetUserSettingsResponseMessage, EnvelopeError> {
    let r = XmlReader::from_bytes(xml)?
        .with_limits(*limits)
        .with_namespaces(&AUTODISCOVER_NAMESPACES);
    let envelope = read_body(
        r,
        &autodiscover::NAMESPACE,
        "GetUserSettingsResponseMessage",
    )?;
    Ok(envelope.body)
}

/// A response envelope that held the expected body element.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseEnvelope<T> {
    /// The `ServerVersionInfo` header, if the server sent one.
    pub server_version: Option<ServerVersionInfo>,
    /// The body element.
    pub body: T,
}

/// Why a response envelope gives no body element.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The document is not an envelope the bindings can read.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The body holds a SOAP fault.
    #[error("{0}")]
    Fault(Box<SoapFault>),
}

/// Reads the response envelope of the operation `O`: its body holds `O`'s response element
/// or a SOAP fault. Header elements other than `ServerVersionInfo` are skipped; a missing
/// header is fine.
///
/// ```
/// use ews_bindings::{operation, soap};
///
/// let xml = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
///   <GetImItemListResponse ResponseClass="Success"
///       xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
///     <ResponseCode>NoError</ResponseCode>
///   </GetImItemListResponse></s:Body></s:Envelope>"#;
/// let envelope = soap::read_response::<operation::GetImItemList>(xml)?;
/// assert!(envelope.body.im_item_list.is_none());
/// # Ok::<(), soap::EnvelopeError>(())
/// ```
pub fn read_response<O: Operation>(
    xml: &[u8],
) -> Result<ResponseEnvelope<O::Response>, EnvelopeError> {
    read_response_with::<O>(xml, &Limits::default())
}

/// [`read_response`] within `limits`.
pub fn read_response_with<O: Operation>(
    xml: &[u8],
    limits: &Limits,
) -> Result<ResponseEnvelope<O::Response>, EnvelopeError> {
    read_response_as(xml, limits, O::RESPONSE_ELEMENT)
}

/// Reads a response envelope whose body element, `m:{element}`, holds a `T`: for readers
/// written by hand where servers depart from the schema.
pub(crate) fn read_response_as<T: FromXml>(
    xml: &[u8],
    limits: &Limits,
    element: &str,
) -> Result<ResponseEnvelope<T>, EnvelopeError> {
    read_body(reader(xml, limits)?, &messages::NAMESPACE, element)
}

/// [`read_response_with`], handing every element of type `T` that the response holds in a
/// list to `each` as it is read, instead of keeping it in the response (see
/// [`XmlReader::each`]): the response's lists of `T` read empty. The way to go through a
/// large answer one item at a time, holding one item in memory besides the document: a
/// FindItem page or a GetItem answer item by item with `T` =
/// [`types::AnyItem`](crate::types) (the response messages, with their
/// classes and errors, stay in the response), a GetImItemList answer with
/// [`types::Persona`].
///
/// ```
/// use ews_bindings::{operation, soap, types};
///
/// let xml = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
///   <GetImItemListResponse ResponseClass="Success"
///       xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"
///       xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
///     <ResponseCode>NoError</ResponseCode>
///     <ImItemList><t:Personas>
///       <t:Persona><t:PersonaId Id="AAA="/><t:DisplayName>Ann Beebe</t:DisplayName></t:Persona>
///       <t:Persona><t:PersonaId Id="AAB="/><t:DisplayName>Ali Tosun</t:DisplayName></t:Persona>
///     </t:Personas></ImItemList>
///   </GetImItemListResponse></s:Body></s:Envelope>"#;
/// let mut names = Vec::new();
/// let envelope = soap::read_response_each::<operation::GetImItemList, _>(
///     xml,
///     &Default::default(),
///     |persona: types::Persona| names.extend(persona.display_name),
/// )?;
/// assert_eq!(names, ["Ann Beebe", "Ali Tosun"]);
/// let list = envelope.body.im_item_list.unwrap();
/// assert_eq!(list.personas, Some(vec![]));
/// # Ok::<(), soap::EnvelopeError>(())
/// ```
pub fn read_response_each<O: Operation, T: 'static>(
    xml: &[u8],
    limits: &Limits,
    each: impl FnMut(T),
) -> Result<ResponseEnvelope<O::Response>, EnvelopeError> {
    read_body(
        reader(xml, limits)?.each(each),
        &messages::NAMESPACE,
        O::RESPONSE_ELEMENT,
    )
}

/// A reader of an envelope within `limits`, knowing the namespaces of the bindings.
fn reader<'a>(xml: &'a [u8], limits: &Limits) -> Result<XmlReader<'a>, ParseError> {
    Ok(XmlReader::from_bytes(xml)?
        .with_limits(*limits)
        .with_namespaces(&NAMESPACES))
}

/// Reads the request of the operation `O`: the request element itself
/// (`m:FindItem`, …), or a SOAP envelope whose body holds it (its headers are skipped).
///
/// ```
/// use ews_bindings::{operation, soap};
///
/// let xml = br#"<GetImItemList xmlns="http://schemas.microsoft.com/exchange/services/2006/messages"/>"#;
/// let request = soap::read_request::<operation::GetImItemList>(xml)?;
/// assert!(request.extended_properties.is_none());
/// # Ok::<(), ews_bindings::xml::ParseError>(())
/// ```
pub fn read_request<O: Operation>(xml: &[u8]) -> Result<O::Request, ParseError> {
    fn element<'a, O: Operation>(
        r: &mut XmlReader<'a>,
        start: Start<'a>,
    ) -> Result<O::Request, ParseError> {
        if !start.is(&messages::NAMESPACE, O::REQUEST_ELEMENT) {
            return Err(r.unexpected(&start, &expanded(&messages::NAMESPACE, O::REQUEST_ELEMENT)));
        }
        r.read::<O::Request>(start)
    }
    let mut r = reader(xml, &Limits::default())?;
    let root = r.root()?;
    if root.is(&SOAP_ENVELOPE, "Envelope") {
        return walk(
            reader(xml, &Limits::default())?,
            |r, h| r.skip(h),
            element::<O>,
        );
    }
    let request = element::<O>(&mut r, root)?;
    r.finish()?;
    Ok(request)
}

/// Reads a response envelope whose body holds the element `name` of `namespace`, as a `T`.
fn read_body<T: FromXml>(
    r: XmlReader<'_>,
    namespace: &'static Namespace,
    name: &str,
) -> Result<ResponseEnvelope<T>, EnvelopeError> {
    let mut server_version = None;
    let body = walk(
        r,
        |r, h| {
            if h.is(&types::NAMESPACE, "ServerVersionInfo") {
                server_version = Some(r.read(h)?);
            } else {
                r.skip(h)?;
            }
            Ok(())
        },
        |r, content| {
            if content.is(&SOAP_ENVELOPE, "Fault") {
                return Err(EnvelopeError::Fault(Box::new(read_fault(r, content)?)));
            }
            if !content.is(namespace, name) {
                return Err(r.unexpected(&content, &expanded(namespace, name)).into());
            }
            Ok(r.read::<T>(content)?)
        },
    )?;
    Ok(ResponseEnvelope {
        server_version,
        body,
    })
}

/// Walks a SOAP envelope: `header` sees each header element, `body` the body's first
/// element (further body elements are skipped).
fn walk<'a, B, E: From<ParseError>>(
    mut r: XmlReader<'a>,
    mut header: impl FnMut(&mut XmlReader<'a>, Start<'a>) -> Result<(), E>,
    body: impl FnOnce(&mut XmlReader<'a>, Start<'a>) -> Result<B, E>,
) -> Result<B, E> {
    let root = r.root()?;
    if !root.is(&SOAP_ENVELOPE, "Envelope") {
        return Err(r
            .unexpected(&root, &expanded(&SOAP_ENVELOPE, "Envelope"))
            .into());
    }
    let mut body = Some(body);
    let mut value = None;
    while let Some(part) = r.next_child(&root)? {
        if part.is(&SOAP_ENVELOPE, "Header") {
            while let Some(h) = r.next_child(&part)? {
                header(&mut r, h)?;
            }
        } else if part.is(&SOAP_ENVELOPE, "Body") {
            // A second Body is skipped.
            let Some(read) = body.take() else {
                r.skip(part)?;
                continue;
            };
            let Some(content) = r.next_child(&part)? else {
                return Err(r
                    .error(ParseErrorKind::MissingElement("Body content"))
                    .into());
            };
            value = Some(read(&mut r, content)?);
            while let Some(extra) = r.next_child(&part)? {
                r.skip(extra)?;
            }
        } else {
            r.skip(part)?;
        }
    }
    r.finish()?;
    match value {
        Some(value) => Ok(value),
        None => Err(r.error(ParseErrorKind::MissingElement("Body")).into()),
    }
}

/// What the body of an [`Envelope`] holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A global element of the messages namespace.
    Message(Box<messages::Element>),
    /// A SOAP fault.
    Fault(SoapFault),
}

/// A whole SOAP envelope read with the generated types, for looking at captured traffic:
/// every header element the bindings know, and the body's element or fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The header elements the bindings know, in order.
    pub headers: Vec<types::Element>,
    /// The local names of header elements the bindings do not know, which were skipped.
    pub skipped_headers: Vec<String>,
    /// The body's element.
    pub body: Body,
}

impl Envelope {
    /// Reads an envelope.
    ///
    /// It reaches the reader of every element the bindings know, so in debug builds it is
    /// `#[inline]`, as those readers are: compiled in the crate that calls it, not in every
    /// build of the bindings.
    #[cfg_attr(debug_assertions, inline)]
    pub fn read(xml: &[u8]) -> Result<Self, ParseError> {
        let mut headers = Vec::new();
        let mut skipped_headers = Vec::new();
        let body = walk(
            reader(xml, &Limits::default())?,
            |r, h| {
                if types::Element::accepts(&h) {
                    headers.push(r.read(h)?);
                } else {
                    skipped_headers.push(h.local.to_owned());
                    r.skip(h)?;
                }
                Ok::<_, ParseError>(())
            },
            |r, content| {
                if content.is(&SOAP_ENVELOPE, "Fault") {
                    Ok(Body::Fault(read_fault(r, content)?))
                } else {
                    Ok(Body::Message(Box::new(r.read(content)?)))
                }
            },
        )?;
        Ok(Envelope {
            headers,
            skipped_headers,
            body,
        })
    }

    /// The first difference between this envelope as written and `original`, the document
    /// it was read from; `None` when they mean the same. What reading leaves out by design
    /// does not count: header elements the bindings do not know, an empty `Header`, and
    /// the prefix of a fault's `faultcode` (a QName whose namespace is kept). With the
    /// `check` feature.
    #[cfg(feature = "check")]
    pub fn diff(&self, mut original: crate::xml::SemanticTree) -> Option<String> {
        if let Some(header) = original.children.iter_mut().find(|c| c.name == "Header") {
            header
                .children
                .retain(|h| !self.skipped_headers.contains(&h.name));
        }
        let mut written = match crate::xml::SemanticTree::parse(&self.write()) {
            Ok(tree) => tree,
            Err(e) => return Some(format!("the written envelope does not parse: {e}")),
        };
        for tree in [&mut original, &mut written] {
            tree.children
                .retain(|c| c.name != "Header" || !c.children.is_empty());
        }
        if matches!(self.body, Body::Fault(_)) {
            strip_fault_code_prefix(&mut original);
            strip_fault_code_prefix(&mut written);
        }
        original.diff(&written)
    }

    /// Writes the envelope (skipped headers are not written). `#[inline]` in debug builds,
    /// as [`read`](Self::read) is.
    #[cfg_attr(debug_assertions, inline)]
    pub fn write(&self) -> String {
        write_envelope(
            &EWS_DECLARED,
            |w| {
                for h in &self.headers {
                    h.write(w);
                }
            },
            |w| match &self.body {
                Body::Message(m) => m.write(w),
                Body::Fault(f) => f.write(w),
            },
        )
    }
}

#[cfg(feature = "check")]
fn strip_fault_code_prefix(envelope: &mut crate::xml::SemanticTree) {
    let code = envelope
        .children
        .iter_mut()
        .filter(|c| c.name == "Body")
        .flat_map(|b| b.children.iter_mut().filter(|c| c.name == "Fault"))
        .flat_map(|f| f.children.iter_mut().filter(|c| c.name == "faultcode"))
        .next();
    if let Some(code) = code {
        if let Some((_, local)) = code.text.split_once(':') {
            code.text = local.to_owned();
        }
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
    /// The `xml:lang` of `faultstring`.
    pub lang: Option<String>,
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

    /// Writes the fault as a `soap:Fault` element.
    pub fn write(&self, w: &mut XmlWriter) {
        w.start(Some(&SOAP_ENVELOPE), "Fault");
        w.start(None, "faultcode");
        let code = match &self.code_namespace {
            Some(uri) => format!("{}:{}", w.prefix(uri), self.code),
            None => self.code.clone(),
        };
        w.text(&code);
        w.end(None, "faultcode");
        w.start(None, "faultstring");
        if let Some(lang) = &self.lang {
            w.attr(Some(&XML), "lang", lang);
        }
        w.text(&self.string);
        w.end(None, "faultstring");
        if let Some(actor) = &self.actor {
            w.start(None, "faultactor");
            w.text(actor);
            w.end(None, "faultactor");
        }
        if !self.detail.is_empty() {
            w.start(None, "detail");
            for d in &self.detail {
                d.write(w);
            }
            w.end(None, "detail");
        }
        w.end(Some(&SOAP_ENVELOPE), "Fault");
    }
}

impl fmt::Display for SoapFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SOAP fault {}: {}", self.code, self.string)
    }
}

fn read_fault<'a>(r: &mut XmlReader<'a>, start: Start<'a>) -> Result<SoapFault, ParseError> {
    let mut fault = SoapFault {
        code_namespace: None,
        code: String::new(),
        string: String::new(),
        lang: None,
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
            "faultstring" if ours => {
                for attr in r.attributes(&child) {
                    let attr = attr?;
                    if attr.ns.is(&XML) && attr.local == "lang" {
                        fault.lang = Some(attr.value.into_owned());
                    }
                }
                fault.string = r.text(child)?.into_owned();
            }
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
        return Err(r.error(ParseErrorKind::MissingElement("faultcode")));
    }
    Ok(fault)
}
