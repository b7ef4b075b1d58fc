//! Typed bindings for Exchange Web Services (EWS), generated from the EWS schema.
//!
//! The [`types`] and [`messages`] modules are generated at build time from the schema in
//! `schema/` (or from the directory named by `EWS_SCHEMA_DIR`); [`xml`] is the runtime they
//! are written against.

pub mod xml;

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
