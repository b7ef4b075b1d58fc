//! The generator on Microsoft's whole official schema: it must generate every operation,
//! and the size of what it generates is kept as a snapshot so that growth is reviewed.

mod common;

use common::official_dir;
use ews_codegen::Config;

#[test]
fn whole_schema_size() {
    let Some(dir) = official_dir() else { return };
    let modules = Config::new(dir).all_roots().generate().unwrap();
    let mut summary = String::new();
    for m in &modules {
        let file = syn::parse_file(&m.code).unwrap();
        let count = |f: fn(&syn::Item) -> bool| file.items.iter().filter(|i| f(i)).count();
        summary.push_str(&format!(
            "{}: {} lines, {} bytes, {} structs, {} enums\n",
            m.name,
            m.code.lines().count(),
            m.code.len(),
            count(|i| matches!(i, syn::Item::Struct(_))),
            count(|i| matches!(i, syn::Item::Enum(_))),
        ));
    }
    insta::assert_snapshot!(summary);
}

/// Every element a WSDL message part names (the operations' bodies and their SOAP headers) is a variant of the generated `Element` enum of its namespace.
#[test]
fn whole_schema_has_every_wsdl_part() {
    let Some(dir) = official_dir() else { return };
    let wsdl = std::fs::read_to_string(dir.join("Services.wsdl")).unwrap();
    let modules = Config::new(&dir).all_roots().generate().unwrap();
    let module = |name: &str| &modules.iter().find(|m| m.name == name).unwrap().code;
    let mut parts: Vec<&str> = wsdl
        .split("element=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    parts.sort_unstable();
    parts.dedup();
    assert!(parts.len() > 250, "{} distinct parts", parts.len());
    for part in parts {
        let (code, name) = match part.split_once(':') {
            Some(("tns", name)) => (module("messages"), name),
            Some(("t", name)) => (module("types"), name),
            _ => panic!("unexpected part {part}"),
        };
        let variant = format!("    {name}(");
        assert!(code.contains(&variant), "no Element variant for {part}");
    }
}
