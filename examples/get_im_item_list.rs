//! Lists the IM groups and IM contact personas of a mailbox with GetImItemList.
//!
//! With no `--url` (or with `--demo`) it starts a loopback endpoint that serves the response
//! of Microsoft's GetImItemList documentation and calls it.
//!
//! ```text
//! cargo run --example get_im_item_list -- --demo
//! EWS_PASSWORD=… cargo run --example get_im_item_list -- --url https://host/EWS/Exchange.asmx --user me@contoso.com
//! ```

use std::process::ExitCode;

use clap::Parser;
use ews_bindings::mock::{MockResponse, MockServer};
use ews_bindings::types::ExchangeVersion;
use ews_bindings::{Client, ImItemListResponse, Impersonation};

#[path = "common/cli.rs"]
mod cli;

/// The sample response of Microsoft's GetImItemList reference page, with the namespaces
/// servers really use.
const DEMO_RESPONSE: &str = include_str!("../tests/fixtures/getimitemlist-page/response.xml");

#[derive(Parser)]
#[command(about = "List a mailbox's IM groups and IM contact personas (EWS GetImItemList)")]
struct Args {
    /// The EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx. Without it the
    /// demo endpoint is used.
    #[arg(long)]
    url: Option<String>,
    /// Call a built-in loopback endpoint serving a sample response.
    #[arg(long, conflicts_with = "url")]
    demo: bool,
    #[command(flatten)]
    access: cli::Access,
    /// Impersonate the mailbox with this SMTP address.
    #[arg(long, value_name = "SMTP")]
    impersonate: Option<String>,
    /// The RequestServerVersion to send.
    #[arg(long, default_value = "Exchange2013")]
    version: String,
    /// The MailboxCulture to send (an RFC 3066 tag such as en-US).
    #[arg(long, value_name = "TAG")]
    culture: Option<String>,
    /// Print the whole response as JSON.
    #[arg(long)]
    json: bool,
    /// The largest response accepted, in megabytes (MiB, 1,048,576 bytes).
    #[arg(long, default_value_t = 64, value_name = "MB")]
    max_response_mb: usize,
    /// Log the call, its retries and back-offs to standard error (-vv: everything, HTTP
    /// included).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    if args.verbose > 0 {
        let level = if args.verbose > 1 {
            tracing::Level::TRACE
        } else {
            tracing::Level::DEBUG
        };
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::stderr)
            .init();
    }
    if !ExchangeVersion::VALUES.contains(&args.version.as_str()) {
        return Err(format!(
            "unknown version {:?}; one of: {}",
            args.version,
            ExchangeVersion::VALUES.join(", ")
        ));
    }
    // The demo endpoint lives until the call is done.
    let mut demo = None;
    let url = match args.url {
        Some(url) => url,
        None => {
            let body = DEMO_RESPONSE.replace(
                "https://schemas.microsoft.com/exchange/services/2006/",
                "http://schemas.microsoft.com/exchange/services/2006/",
            );
            let server = MockServer::start(vec![MockResponse::xml(body)])
                .await
                .map_err(|e| format!("cannot start the demo endpoint: {e}"))?;
            eprintln!("demo endpoint: {}", server.url());
            demo.insert(server).url()
        }
    };
    let Ok(version) = args.version.parse::<ExchangeVersion>();
    let builder = Client::builder(url)
        .server_version(version)
        .max_response_bytes(args.max_response_mb << 20);
    let mut builder = args.access.apply(builder, &cli::process_env)?;
    if let Some(smtp) = args.impersonate {
        builder = builder.impersonate(Impersonation::SmtpAddress(smtp.into()));
    }
    if let Some(culture) = args.culture {
        builder = builder.mailbox_culture(culture);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let response = client
        .get_im_item_list()
        .await
        .map_err(|e| cli::message(&e))?;
    if args.json {
        let json = serde_json::to_string_pretty(&response).map_err(|e| e.to_string())?;
        println!("{json}");
    } else {
        print_table(&response);
    }
    Ok(())
}

fn print_table(response: &ImItemListResponse) {
    if let Some(v) = &response.server_version {
        println!(
            "Server: {} ({}.{}.{}.{})",
            v.version.as_deref().unwrap_or("?"),
            v.major_version.unwrap_or(0),
            v.minor_version.unwrap_or(0),
            v.major_build_number.unwrap_or(0),
            v.minor_build_number.unwrap_or(0)
        );
    }
    if let Some(w) = &response.warning {
        println!("Warning: {w}");
    }
    println!("\nGroups ({})", response.groups.len());
    println!("  {:<24} {:<32} {:>7}", "NAME", "TYPE", "MEMBERS");
    for g in &response.groups {
        let members = g.member_correlation_key.as_ref().map_or(0, Vec::len);
        println!(
            "  {:<24} {:<32} {:>7}",
            g.display_name, g.group_type, members
        );
    }
    println!("\nPersonas ({})", response.personas.len());
    println!("  {:<24} {:<28} IM ADDRESS", "DISPLAY NAME", "EMAIL");
    for p in &response.personas {
        let email = p
            .email_address
            .as_ref()
            .and_then(|e| e.email_address.as_deref())
            .unwrap_or("");
        println!(
            "  {:<24} {:<28} {}",
            p.display_name.as_deref().unwrap_or(""),
            email,
            p.im_address.as_deref().unwrap_or("")
        );
    }
}
