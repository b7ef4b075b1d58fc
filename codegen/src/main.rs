//! `ews-codegen`: writes the generated modules to files, with the same output as the build
//! script, so they can be read, diffed or committed.
//!
//! ```text
//! cargo run -p ews-codegen -- --schema DIR --out DIR [--all | --roots NAME,NAME,…] [--runtime ews_bindings]
//!     [--polymorphic t:TYPE,…]
//! ```
//!
//! `--roots` names global elements of the messages namespace (or `t:Name` for the types
//! namespace); the default is the operations (those the WSDL binds and those only
//! messages.xsd defines) and the SOAP headers.
//! `--polymorphic` names concrete types whose elements are read by `xsi:type`
//! ([`Config::polymorphic`]).

use std::path::PathBuf;
use std::process::ExitCode;

use ews_codegen::{Config, Root, NS_MESSAGES, NS_TYPES};

const HELP: &str =
    "Writes the Rust bindings of an EWS schema (types.xsd, messages.xsd and Services.wsdl in \
the --schema directory) as types.rs, messages.rs and operations.rs in the --out directory, \
as the ews-bindings build script does. Without --all or --roots, the operations (those the \
WSDL binds, and those only messages.xsd defines) and the SOAP headers are generated. With --runtime ews_bindings, the files use the \
runtime of the ews-bindings crate, for a crate of your own that includes them as its types, \
messages and operation modules. With --polymorphic t:TYPE,… the elements of those concrete \
types are read by their xsi:type, as elements of abstract types always are: each becomes an \
enum of the type and the types derived from it.";
const USAGE: &str =
    "usage: ews-codegen --schema DIR --out DIR [--all | --roots NAME,t:NAME,…] [--runtime ews_bindings] \
[--polymorphic t:TYPE,…]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{HELP}\n\n{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run(args) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<Vec<PathBuf>, String> {
    let mut schema = None;
    let mut out = None;
    let mut all = false;
    let mut roots = None;
    let mut runtime = None;
    let mut polymorphic = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--schema" => schema = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--all" => all = true,
            "--roots" => roots = Some(value()?),
            "--runtime" => runtime = Some(value()?),
            "--polymorphic" => polymorphic.extend(
                value()?
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            ),
            "fetch" => {
                return Err("the server's schema is fetched by ews-bindings' fetch_schema \
                            example, which has the client's authentication and TLS options: \
                            cargo run --example fetch_schema -- --url https://HOST/EWS/Exchange.asmx \
                            --out DIR [--auth ntlm --user USER]"
                    .into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let schema = schema.ok_or("--schema is required")?;
    let out = out.ok_or("--out is required")?;
    let mut config = Config::new(schema);
    if let Some(path) = runtime {
        config = config.runtime(&path);
    }
    for type_name in &polymorphic {
        config = config.polymorphic(type_name);
    }
    match (all, roots) {
        (true, Some(_)) => return Err("--all and --roots exclude each other".into()),
        (true, None) => config = config.all_roots(),
        (false, Some(list)) => {
            config = config.roots(list.split(',').filter(|n| !n.is_empty()).map(|name| {
                match name.strip_prefix("t:") {
                    Some(local) => Root::new(NS_TYPES, local),
                    None => Root::new(NS_MESSAGES, name.strip_prefix("m:").unwrap_or(name)),
                }
            }));
        }
        (false, None) => {}
    }
    config.write_to(out).map_err(|e| e.to_string())
}
