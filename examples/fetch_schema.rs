//! Saves a server's schema, `types.xsd`, `messages.xsd` and `Services.wsdl` next to its EWS
//! endpoint, byte for byte, with the same authentication and TLS options as the other
//! commands; checks that they read as the bindings' generator reads them and that each
//! import of `messages.xsd` is among them; and names the newest `ExchangeVersionType`
//! value. Then `EWS_SCHEMA_DIR=DIR cargo build --features all-operations` generates
//! bindings of every operation that server has.
//!
//! ```text
//! EWS_PASSWORD=… cargo run --example fetch_schema -- --url https://mail.contoso.com/EWS/Exchange.asmx \
//!     --out schema-2019 --auth ntlm --user 'CONTOSO\alice' [--ca-cert company-ca.pem]
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use ews_bindings::Client;
use quick_xml::events::Event;

#[path = "common/cli.rs"]
mod cli;
use cli::Env;

/// The files saved, in the order they are fetched.
pub const FILES: [&str; 3] = ["types.xsd", "messages.xsd", "Services.wsdl"];

#[derive(Parser, Debug)]
#[command(
    name = "fetch_schema",
    about = "Save a server's EWS schema (types.xsd, messages.xsd, Services.wsdl) to a directory"
)]
pub struct Args {
    /// The EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx; the files are
    /// fetched next to it.
    #[arg(long)]
    pub url: String,
    /// The directory to save the files in (made if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub access: cli::Access,
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = run(std::env::args_os(), &cli::process_env, &mut out, &mut err).await;
    ExitCode::from(code)
}

/// Runs the command with `args` (the program name first) and the environment `env`;
/// returns the exit status: 0 when the files were saved and read, 1 otherwise.
pub async fn run(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    env: Env<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let args: Args = match cli::parse(args, out, err) {
        Ok(args) => args,
        Err(code) => return code,
    };
    match fetch(&args, env).await {
        Ok(report) => {
            let _ = writeln!(out, "{report}");
            0
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            1
        }
    }
}

async fn fetch(args: &Args, env: Env<'_>) -> Result<String, String> {
    let builder = args.access.apply(Client::builder(args.url.clone()), env)?;
    let client = builder.build().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot make {}: {e}", args.out.display()))?;
    for name in FILES {
        let bytes = client
            .download(name)
            .await
            .map_err(|e| format!("{name}: {}", cli::message(&e)))?;
        let path = args.out.join(name);
        std::fs::write(&path, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    check_imports(&args.out)?;
    let config = ews_codegen::Config::new(&args.out);
    config
        .interpret()
        .map_err(|e| format!("the schema does not read: {e}"))?;
    let operations = config
        .operations()
        .map_err(|e| format!("Services.wsdl does not read: {e}"))?;
    let newest = newest_version(&args.out.join("types.xsd"))?;
    let bound = operations.iter().filter(|o| o.in_wsdl).count();
    Ok(format!(
        "saved {} in {}: {bound} operations, and {} more that only messages.xsd defines; \
         newest ExchangeVersionType value {newest}\n\
         generate with: EWS_SCHEMA_DIR={} cargo build --features all-operations",
        FILES.join(", "),
        args.out.display(),
        operations.len() - bound,
        std::path::absolute(&args.out)
            .unwrap_or_else(|_| args.out.clone())
            .display()
    ))
}

/// Every `xs:import`/`xs:include` of `messages.xsd` names a file that was saved.
fn check_imports(dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("messages.xsd"))
        .map_err(|e| format!("messages.xsd: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if matches!(e.local_name().as_ref(), "import" | "include") =>
            {
                let location = e
                    .try_get_attribute("schemaLocation")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned());
                if let Some(location) = location {
                    if !dir.join(&location).is_file() {
                        return Err(format!(
                            "messages.xsd imports {location}, which is not among the files saved"
                        ));
                    }
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("messages.xsd: {e}")),
        }
    }
}

/// The last value of `ExchangeVersionType` in `types.xsd`.
fn newest_version(types: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(types).map_err(|e| format!("types.xsd: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut inside = false;
    let mut last = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "simpleType" => {
                inside = e
                    .try_get_attribute("name")
                    .ok()
                    .flatten()
                    .is_some_and(|a| a.value.as_ref() == "ExchangeVersionType");
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "simpleType" => inside = false,
            Ok(Event::Start(e) | Event::Empty(e))
                if inside && e.local_name().as_ref() == "enumeration" =>
            {
                last = e
                    .try_get_attribute("value")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned());
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("types.xsd: {e}")),
        }
    }
    last.ok_or_else(|| "types.xsd defines no ExchangeVersionType".to_owned())
}
