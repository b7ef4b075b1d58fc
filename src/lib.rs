//! Typed bindings for Exchange Web Services (EWS), generated from the EWS schema, and a
//! small client that calls them over HTTP.
//!
//! ```no_run
//! use ews_bindings::{Client, Secret};
//!
//! # async fn run() -> Result<(), ews_bindings::Error> {
//! let client = Client::builder("https://mail.contoso.com/EWS/Exchange.asmx")
//!     .bearer_token(Secret::new("…"))
//!     .mailbox_culture("en-US")
//!     .build()?;
//! let list = client.get_im_item_list().await?;
//! for group in &list.groups {
//!     println!("{} ({})", group.display_name, group.group_type);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The generated types read and write XML on their own too:
//!
//! ```
//! use ews_bindings::types;
//!
//! let doc = r#"<t:ImGroup xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
//!   <t:DisplayName>Friends</t:DisplayName><t:GroupType>IPM.DistList.MOC.UserGroup</t:GroupType>
//! </t:ImGroup>"#;
//! let group: types::ImGroup = ews_bindings::from_xml_str(doc)?;
//! assert_eq!(group.display_name, "Friends");
//! # Ok::<(), ews_bindings::xml::ParseError>(())
//! ```
//!
//! - [`types`] and [`messages`] are generated at build time from the schema in `schema/` (or
//!   the directory named by `EWS_SCHEMA_DIR`) by the `ews-codegen` crate.
//! - [`xml`] is the runtime they are written against; [`soap`] the envelope, headers and
//!   faults; [`operation`] what an operation is; [`client`] the transport; [`error`] the one
//!   error type.
//!
//! Calling:
//! - [`Client::call`] sends any generated operation (`client.call::<operation::AddImGroup>(&request)`)
//!   and gives its output: one response message, or one [`ItemResult`] per requested item.
//! - [`Client::call_each`] hands out the items of a large answer one at a time as they are
//!   read; [`Client::call_per_item`] each response message of a batch operation.
//! - [`Client::pages`] pages FindItem, FindFolder, FindPeople, SyncFolderItems and
//!   SyncFolderHierarchy as a stream.
//! - Authentication: Basic, bearer tokens, NTLM, and with the `kerberos` feature Kerberos
//!   ([`ClientBuilder::kerberos`], [`ClientBuilder::negotiate`]), bound to the TLS channel.
//! - [`Autodiscover`] finds a mailbox's EWS URL.
//! - With `all-operations`, `notifications` follows a mailbox's changes: streaming and
//!   pull subscriptions as streams of events.
//!
//! Writing requests: every generated struct has `new` (the members the schema requires,
//! each as anything that converts into it) or `Default`, the rest set by name with `..`;
//! choices convert from their kinds with `.into()` (a `DistinguishedFolderIdName` is a
//! folder id); an enum of a base type's kinds (`types::AnyItem`) has a method per member
//! they all have (`item.subject()`, `item.mime_content()`). With `all-operations`:
//!
//! ```
//! # #[cfg(feature = "all-operations")]
//! # fn main() {
//! use ews_bindings::messages::FindItem;
//! use ews_bindings::types::{DefaultShapeNames, DistinguishedFolderIdName, ItemQueryTraversal};
//!
//! let find = FindItem::new(
//!     ItemQueryTraversal::Shallow,
//!     DefaultShapeNames::IdOnly,
//!     vec![DistinguishedFolderIdName::Inbox.into()],
//! );
//! # let _ = find;
//! # }
//! # #[cfg(not(feature = "all-operations"))]
//! # fn main() {}
//! ```
//!
//! Testing: `mock::MockServer` (feature `mock`) is a loopback endpoint that answers by
//! operation (`mock::Routes`: the typed request in, the typed response out), from a script
//! of answers, or by a function of the raw request, and records what it received.
//!
//! Features: `all-operations` generates every operation of the schema `EWS_SCHEMA_DIR` names
//! (see them with `EWS_SCHEMA_DIR=… cargo doc --features all-operations --open`); `mock` adds
//! `ews_bindings::mock`, a loopback EWS endpoint for tests; `deserialize` reads saved
//! JSON back; `kerberos` adds Kerberos through the system's GSSAPI. The README has the
//! details.

#![warn(missing_docs, missing_debug_implementations)]

#[doc(hidden)]
pub mod __private;
pub mod client;
pub mod discovery;
pub mod error;
pub mod im;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(all(
    ews_operation = "Subscribe",
    ews_operation = "GetStreamingEvents",
    ews_operation = "GetEvents"
))]
pub mod notifications;
pub mod operation;
pub mod paging;
pub mod soap;
pub mod xml;

pub use client::{Auth, Client, ClientBuilder, Response, RetryPolicy, Secret};
pub use discovery::{Autodiscover, Discovered, DiscoveryError};
pub use error::{Error, KerberosFailure};
pub use im::ImItemListResponse;
/// The date and time crate of [`xml::DateTime`] and the other temporal values, re-exported
/// so that its version always matches.
pub use jiff;
pub use operation::{EwsError, ItemResult, ItemResults};
pub use soap::{Impersonation, PublicFolderRouting, RequestHeaders, SoapFault};

/// Types of the EWS types namespace
/// (`http://schemas.microsoft.com/exchange/services/2006/types`), generated.
pub mod types {
    include!(concat!(env!("OUT_DIR"), "/types.rs"));
}

/// Types of the EWS messages namespace
/// (`http://schemas.microsoft.com/exchange/services/2006/messages`), generated.
pub mod messages {
    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}

/// Types of the SOAP Autodiscover service's GetUserSettings messages
/// (`http://schemas.microsoft.com/exchange/2010/Autodiscover`), generated from this crate's
/// `schema/autodiscover.xsd`.
pub mod autodiscover {
    include!(concat!(env!("OUT_DIR"), "/autodiscover.rs"));
}

/// Reads a generated type from a document whose root element holds it (`<t:Persona …>`;
/// the root's name is not checked), checking that nothing but comments and whitespace
/// follows. The EWS namespaces are resolved with [`soap::NAMESPACES`].
pub fn from_xml_str<T: xml::FromXml>(doc: &str) -> Result<T, xml::ParseError> {
    let mut reader = xml::XmlReader::new(doc).with_namespaces(&soap::NAMESPACES);
    let root = reader.root()?;
    let value = reader.read::<T>(root)?;
    reader.finish()?;
    Ok(value)
}

/// The README's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
