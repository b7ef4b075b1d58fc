//! Generates the `types` and `messages` modules from the EWS schema into `OUT_DIR`.
//! The schema is `schema/` unless `EWS_SCHEMA_DIR` names another directory; the feature
//! `all-operations` generates every global element instead of the IM slice.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=EWS_SCHEMA_DIR");
    // A relative directory is taken from this package's directory (where build scripts
    // run), and named absolute in every error.
    let here = std::env::current_dir().expect("the build script runs in the package directory");
    let all_operations = std::env::var_os("CARGO_FEATURE_ALL_OPERATIONS").is_some();
    if all_operations && std::env::var_os("EWS_SCHEMA_DIR").is_none() {
        // schema/ holds the IM operations only: building every operation from it would
        // quietly give 13, and code using the others would fail with errors that say nothing
        // of the schema.
        eprintln!(
            "error: the all-operations feature generates the whole EWS schema, which this \
             package does not ship (its schema/ holds the IM operations only): set \
             EWS_SCHEMA_DIR to the absolute path of a directory with your server's types.xsd, \
             messages.xsd and Services.wsdl (cargo run --example fetch_schema saves them)"
        );
        std::process::exit(1);
    }
    let dir = here.join(
        std::env::var_os("EWS_SCHEMA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("schema")),
    );
    let mut config = ews_codegen::Config::new(&dir);
    if all_operations {
        config = config.all_roots();
    }
    for file in config.schema_files() {
        println!("cargo::rerun-if-changed={}", file.display());
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // `cfg(ews_operation = "FindItem")` holds when the operation is generated, for the
    // handwritten code that serves particular operations (paging).
    println!("cargo::rustc-check-cfg=cfg(ews_operation, values(any()))");
    let generated = config.operations().and_then(|ops| {
        config.write_to(&out)?;
        Ok(ops)
    });
    match generated {
        Ok(ops) => {
            for op in ops {
                println!("cargo::rustc-cfg=ews_operation=\"{}\"", op.name);
            }
            autodiscover(&here, &out);
        }
        Err(e) => {
            eprintln!(
                "error: generating EWS bindings from {} failed: {e}",
                dir.display()
            );
            let relative =
                std::env::var_os("EWS_SCHEMA_DIR").is_some_and(|d| PathBuf::from(d).is_relative());
            if relative {
                eprintln!(
                    "note: EWS_SCHEMA_DIR is relative, so it is taken from {}, the \
                     ews-bindings package directory, not from yours; set it to an absolute path",
                    here.display()
                );
            }
            std::process::exit(1);
        }
    }
}

/// Generates the `autodiscover` module from this package's `schema/autodiscover.xsd` (the
/// SOAP Autodiscover messages, which no EWS schema directory holds).
fn autodiscover(here: &std::path::Path, out: &std::path::Path) {
    let xsd = here.join("schema").join("autodiscover.xsd");
    println!("cargo::rerun-if-changed={}", xsd.display());
    let module = ews_codegen::generate_schema(
        &xsd,
        "http://schemas.microsoft.com/exchange/2010/Autodiscover",
        "autodiscover",
        "a",
        "crate",
    );
    let module = match module {
        Ok(module) => module,
        Err(e) => {
            eprintln!(
                "error: generating the Autodiscover bindings from {} failed: {e}",
                xsd.display()
            );
            std::process::exit(1);
        }
    };
    let path = out.join("autodiscover.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(module.code.as_str()) {
        if let Err(e) = std::fs::write(&path, &module.code) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}
