//! Generates bindings for GetImItemList and the TimeZoneContext header alone, against
//! ews-bindings' runtime, with the time-zone transitions (`t:TransitionType`, a concrete
//! type with derived types) read by their `xsi:type`. A real crate points at its server's
//! schema (types.xsd, messages.xsd and Services.wsdl downloaded from `https://host/EWS/`);
//! this one uses the IM slice that ships with ews-bindings.

use std::path::PathBuf;

use ews_codegen::{Config, Root, NS_MESSAGES, NS_TYPES};

fn main() {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema");
    for file in ["types.xsd", "messages.xsd", "Services.wsdl"] {
        println!("cargo::rerun-if-changed={}", schema.join(file).display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let roots = [
        Root::new(NS_MESSAGES, "GetImItemList"),
        Root::new(NS_MESSAGES, "GetImItemListResponse"),
        Root::new(NS_TYPES, "RequestServerVersion"),
        Root::new(NS_TYPES, "TimeZoneContext"),
    ];
    if let Err(e) = Config::new(schema)
        .roots(roots)
        .polymorphic("t:TransitionType")
        .runtime("ews_bindings")
        .write_to(&out)
    {
        eprintln!("error: generating the bindings failed: {e}");
        std::process::exit(1);
    }
}
