//! Calls any EWS operation the bindings were built with: reads the request from a file,
//! sends it, and prints the response as JSON (or, with `--xml`, as XML written back from
//! the typed response).
//!
//! ```text
//! cargo run --example ews -- GetImItemList --request request.xml --url https://host/EWS/Exchange.asmx --token …
//! EWS_PASSWORD=… cargo run --example ews -- GetImItemList --request - --url … --user me@contoso.com < request.xml
//! EWS_SCHEMA_DIR=… cargo run --features all-operations --example ews -- GetItem --request get-item.xml --url …
//! ```
//!
//! The request file holds the request's body element (`<m:GetItem …>`), or a whole SOAP
//! envelope whose body holds it; an envelope's headers are not sent, the command's are.
//!
//! Exit status: 0 when the call and every item succeeded, 2 when the call succeeded but
//! some items failed (each is printed on standard error), 1 when the call failed.
//!
//! `ews watch` follows folders' changes and prints one JSON line per event (and one per
//! resync the program should run), in a build with every operation:
//!
//! ```text
//! EWS_SCHEMA_DIR=… cargo run --features all-operations --example ews -- watch --folder inbox \
//!     --events new-mail,created --url https://host/EWS/Exchange.asmx --auth ntlm --user 'CONTOSO\ann'
//! ```

use std::future::Future;
use std::io::{Read, Write};
use std::pin::Pin;
use std::process::ExitCode;

use clap::Parser;
use ews_bindings::operation::{self, Operation, OperationVisitor};
use ews_bindings::types::ExchangeVersion;
use ews_bindings::{soap, Client, Impersonation, RequestHeaders};
use serde_json::json;

#[path = "common/cli.rs"]
mod cli;
#[path = "common/watch.rs"]
mod watch;
use cli::Env;

#[derive(Parser, Debug)]
#[command(
    name = "ews",
    about = "Call an EWS operation with a request read from a file; print the response as JSON",
    after_help = "`ews watch --help`: follow folders' changes, one JSON line per event."
)]
pub struct Args {
    /// The operation, e.g. GetImItemList (or, in a build with every operation, GetItem).
    pub operation: String,
    /// The file holding the request body element or a SOAP envelope; `-` reads standard
    /// input.
    #[arg(long, value_name = "FILE")]
    pub request: String,
    #[command(flatten)]
    pub target: Target,
    /// Print the response as XML written back from the typed response, instead of JSON.
    #[arg(long)]
    pub xml: bool,
}

/// Where the server is, how to reach it, and the request headers to send.
#[derive(clap::Args, Debug)]
pub struct Target {
    /// The EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx.
    #[arg(
        long,
        required_unless_present = "autodiscover",
        conflicts_with = "autodiscover"
    )]
    pub url: Option<String>,
    /// Find the EWS endpoint (and the version to send) for this e-mail address with
    /// Autodiscover, instead of --url.
    #[arg(long, value_name = "EMAIL")]
    pub autodiscover: Option<String>,
    /// Ask only this Autodiscover server (HOST or HOST:PORT; http://HOST:PORT allows plain
    /// http, for test servers).
    #[arg(long, value_name = "HOST[:PORT]", requires = "autodiscover")]
    pub autodiscover_host: Option<String>,
    #[command(flatten)]
    pub access: cli::Access,
    /// Impersonate the mailbox with this SMTP address.
    #[arg(long, value_name = "SMTP")]
    pub impersonate: Option<String>,
    /// The RequestServerVersion to send (default: the newest Autodiscover found, else
    /// Exchange2013).
    #[arg(long)]
    pub version: Option<String>,
    /// The MailboxCulture to send (an RFC 3066 tag such as en-US).
    #[arg(long, value_name = "TAG")]
    pub culture: Option<String>,
    /// The TimeZoneContext to send, as a Windows time zone id (e.g. "Pacific Standard Time").
    #[arg(long, value_name = "ID")]
    pub timezone: Option<String>,
    /// The largest response accepted, in megabytes (MiB, 1,048,576 bytes).
    #[arg(long, default_value_t = 64, value_name = "MB")]
    pub max_response_mb: usize,
    /// Log the call, its retries and back-offs to standard error (-vv: everything, HTTP
    /// included).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The call and every item succeeded.
pub const SUCCESS: u8 = 0;
/// The call failed.
pub const FAILED: u8 = 1;
/// The call succeeded, some items failed.
pub const ITEMS_FAILED: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    // Logging starts before the arguments are parsed in `run`, which tests call directly.
    let verbose = std::env::args()
        .map(|a| match a.as_str() {
            "--verbose" => 1,
            a if a.starts_with('-') && !a.starts_with("--") && a[1..].chars().all(|c| c == 'v') => {
                a.len() - 1
            }
            _ => 0,
        })
        .sum::<usize>();
    if verbose > 0 {
        let level = if verbose > 1 {
            tracing::Level::TRACE
        } else {
            tracing::Level::DEBUG
        };
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::stderr)
            .init();
    }
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let code = run(
        std::env::args_os(),
        &cli::process_env,
        &mut std::io::stdin().lock(),
        &mut out,
        &mut err,
    )
    .await;
    ExitCode::from(code)
}

/// Runs the command with `args` (the program name first) and the environment `env`; the
/// request comes from `input` when the file is `-`. Returns the exit status.
pub async fn run(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    env: Env<'_>,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_some_and(|a| a == "watch") {
        return watch::run(args, env, out, err).await;
    }
    let args: Args = match cli::parse(args, out, err) {
        Ok(args) => args,
        Err(code) => return code,
    };
    match call(&args, env, input, out, err).await {
        Ok(failed) if failed.is_empty() => SUCCESS,
        Ok(failed) => {
            for line in failed {
                let _ = writeln!(err, "{line}");
            }
            ITEMS_FAILED
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            FAILED
        }
    }
}

/// Sends the request; prints the response; returns the failed items, one line each.
async fn call(
    args: &Args,
    env: Env<'_>,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Vec<String>, String> {
    let request = read_request(&args.request, input)?;
    let client = client(&args.target, env, err).await?;
    let visit = Visit {
        client: &client,
        request: &request,
        source: &args.request,
        xml: args.xml,
        out,
    };
    let call = operation::with_operation(&args.operation, visit);
    match call {
        Some(call) => call.await,
        None => Err(unknown_operation(&args.operation)),
    }
}

/// The message for an operation this build does not know: the one meant, when the name
/// differs only in letter case or by a letter or two, else the ones it knows.
fn unknown_operation(name: &str) -> String {
    let close = operation::OPERATIONS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .or_else(|| {
            operation::OPERATIONS
                .iter()
                .map(|known| {
                    (
                        edit_distance(&known.to_lowercase(), &name.to_lowercase()),
                        known,
                    )
                })
                .filter(|(distance, _)| *distance <= 2)
                .min()
                .map(|(_, known)| known)
        });
    let whole = if cfg!(feature = "all-operations") {
        String::new()
    } else {
        " (a build with the all-operations feature and EWS_SCHEMA_DIR set to the whole \
         schema knows every operation)"
            .to_owned()
    };
    match close {
        Some(known) => format!("unknown operation {name:?}: did you mean {known}?{whole}"),
        None => format!(
            "unknown operation {name:?}; this build knows {}:\n  {}{whole}",
            operation::OPERATIONS.len(),
            operation::OPERATIONS.join("\n  ")
        ),
    }
}

/// The number of single-letter insertions, deletions and substitutions from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn read_request(file: &str, input: &mut dyn Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if file == "-" {
        input
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the request from standard input: {e}"))?;
    } else {
        bytes =
            std::fs::read(file).map_err(|e| format!("cannot read the request file {file}: {e}"))?;
    }
    Ok(bytes)
}

/// The client of `args`' server.
pub async fn client(args: &Target, env: Env<'_>, err: &mut dyn Write) -> Result<Client, String> {
    let (url, discovered_version) = match (&args.url, &args.autodiscover) {
        (Some(url), _) => (url.clone(), None),
        (None, Some(email)) => {
            let found =
                cli::discover(&args.access, args.autodiscover_host.as_deref(), email, env).await?;
            let _ = writeln!(
                err,
                "Autodiscover: {} ({})",
                found.ews_url, found.answered_by
            );
            (found.ews_url, found.version)
        }
        (None, None) => return Err("--url or --autodiscover is needed".to_owned()),
    };
    let version = match (&args.version, discovered_version) {
        (Some(name), _) => name
            .parse::<ExchangeVersion>()
            .ok()
            .filter(|v| !matches!(v, ExchangeVersion::Other(_)))
            .ok_or_else(|| {
                format!(
                    "unknown version {name:?}; one of: {}",
                    ExchangeVersion::VALUES.join(", ")
                )
            })?,
        (None, Some(found)) => found,
        (None, None) => ExchangeVersion::Exchange2013,
    };
    let mut headers = RequestHeaders {
        server_version: Some(version),
        mailbox_culture: args.culture.clone(),
        impersonation: args
            .impersonate
            .as_deref()
            .map(|smtp| Impersonation::SmtpAddress(smtp.into())),
        ..RequestHeaders::default()
    };
    if let Some(zone) = &args.timezone {
        headers = headers.time_zone(zone.clone());
    }
    let builder = Client::builder(url)
        .headers(headers)
        .max_response_bytes(args.max_response_mb << 20);
    let builder = args.access.apply(builder, env)?;
    builder.build().map_err(|e| e.to_string())
}

/// The call of the operation picked by name.
struct Visit<'a> {
    client: &'a Client,
    request: &'a [u8],
    source: &'a str,
    xml: bool,
    out: &'a mut dyn Write,
}

impl<'a> OperationVisitor for Visit<'a> {
    type Output = Pin<Box<dyn Future<Output = Result<Vec<String>, String>> + 'a>>;

    fn visit<O: Operation + 'static>(self) -> Self::Output {
        Box::pin(self.call::<O>())
    }
}

impl Visit<'_> {
    async fn call<O: Operation>(self) -> Result<Vec<String>, String> {
        let request = soap::read_request::<O>(self.request).map_err(|e| {
            format!(
                "the request in {} is not a {} request: {e}",
                if self.source == "-" {
                    "standard input"
                } else {
                    self.source
                },
                O::NAME
            )
        })?;
        let print = |out: &mut dyn Write, text: &str| {
            writeln!(out, "{text}").map_err(|e| format!("cannot write the response: {e}"))
        };
        let output = if self.xml {
            let response = self
                .client
                .call_body::<O>(&request)
                .await
                .map_err(|e| cli::message(&e))?;
            let xml = soap::write_response::<O>(response.server_version.as_ref(), &response.output);
            print(self.out, &xml)?;
            O::output(response.output)
                .map_err(|e| e.to_string())?
                .output
        } else {
            let response = self
                .client
                .call::<O>(&request)
                .await
                .map_err(|e| cli::message(&e))?;
            let json = json!({
                "server_version": response.server_version,
                "warning": response.warning,
                "output": response.output,
            });
            let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
            print(self.out, &text)?;
            response.output
        };
        Ok(O::item_errors(&output)
            .into_iter()
            .map(|(index, error)| format!("item {index} failed: {error}"))
            .collect())
    }
}
