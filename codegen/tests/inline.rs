//! Every generated function that reads, writes or answers for a type is `#[inline]` in debug
//! builds, so that it is compiled only in the crates that reach it, not in every build of
//! the bindings (see the `render` module's docs). A reader or writer added without it would
//! compile the whole schema's again wherever the bindings are built.

mod common;

use std::path::PathBuf;

use ews_codegen::{Config, GeneratedModule};
use quote::ToTokens;

/// The traits whose generated implementations read, write or answer for a type.
const TRAITS: &[&str] = &[
    "FromXml",
    "ToXml",
    "ChoiceList",
    "Choice",
    "Operation",
    "PerItem",
    "ResponseMessage",
];

/// The functions of `modules` that should be `#[cfg_attr(debug_assertions, inline)]` and
/// are not, as `Type::function`; and how many were checked.
fn not_inline(modules: &[GeneratedModule]) -> (Vec<String>, usize) {
    let mut missing = Vec::new();
    let mut checked = 0;
    for m in modules {
        let file = syn::parse_file(&m.code).unwrap();
        for item in &file.items {
            let syn::Item::Impl(i) = item else { continue };
            let ty = i.self_ty.to_token_stream().to_string();
            let wanted = match &i.trait_ {
                Some((_, path, _)) => {
                    let name = path.segments.last().unwrap().ident.to_string();
                    TRAITS.contains(&name.as_str())
                }
                // The enum of a module's global elements writes any of them.
                None => ty == "Element",
            };
            if !wanted {
                continue;
            }
            for f in i.items.iter().filter_map(|f| match f {
                syn::ImplItem::Fn(f) => Some(f),
                _ => None,
            }) {
                if i.trait_.is_none() && f.sig.ident != "write" {
                    continue;
                }
                checked += 1;
                let inline = f.attrs.iter().any(|a| {
                    a.to_token_stream().to_string() == "# [cfg_attr (debug_assertions , inline)]"
                });
                if !inline {
                    missing.push(format!("{}: {ty}::{}", m.name, f.sig.ident));
                }
            }
        }
    }
    (missing, checked)
}

#[test]
fn the_slices_readers_writers_and_operations_are_inline() {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let modules = Config::new(schema).generate().unwrap();
    let (missing, checked) = not_inline(&modules);
    assert!(checked > 100, "only {checked} functions found");
    assert!(
        missing.is_empty(),
        "not inline in debug builds: {missing:#?}"
    );
}

#[test]
fn the_whole_schemas_readers_writers_and_operations_are_inline() {
    let Some(dir) = common::official_dir() else {
        return;
    };
    let modules = Config::new(dir).all_roots().generate().unwrap();
    let (missing, checked) = not_inline(&modules);
    assert!(checked > 1000, "only {checked} functions found");
    assert!(
        missing.is_empty(),
        "not inline in debug builds: {missing:#?}"
    );
}
