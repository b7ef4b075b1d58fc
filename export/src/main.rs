//! `ews-export`: exports a mailbox over EWS to Maildir or `.eml` files, resumably.
//!
//! ```text
//! EWS_SCHEMA_DIR=/path/to/schema cargo build --release --manifest-path export/Cargo.toml
//! EWS_PASSWORD=… ews-export --url https://mail.contoso.com/EWS/Exchange.asmx \
//!     --auth ntlm --user 'CONTOSO\ann' --out ~/mail
//! ```
//!
//! Exit status: 0 when every message was exported, 2 when some could not be (each is
//! printed on standard error and tried again on the next run), 1 when the run failed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use ews_bindings::{Client, Impersonation, PublicFolderRouting, RequestHeaders};
use ews_export::{export, ExportError, Format, Options, Progress, PublicFolders};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

#[path = "../../examples/common/cli.rs"]
#[allow(dead_code)]
mod cli;

#[derive(Parser, Debug)]
#[command(
    name = "ews-export",
    version,
    about = "Export a mailbox over EWS to Maildir or .eml files; run again to export what changed"
)]
struct Args {
    /// The EWS endpoint, e.g. https://mail.contoso.com/EWS/Exchange.asmx.
    #[arg(
        long,
        required_unless_present = "autodiscover",
        conflicts_with = "autodiscover"
    )]
    url: Option<String>,
    /// Find the EWS endpoint for this e-mail address with Autodiscover, instead of --url.
    #[arg(long, value_name = "EMAIL")]
    autodiscover: Option<String>,
    /// Ask only this Autodiscover server (HOST or HOST:PORT; http://HOST:PORT allows plain
    /// http, for test servers).
    #[arg(long, value_name = "HOST[:PORT]", requires = "autodiscover")]
    autodiscover_host: Option<String>,
    #[command(flatten)]
    access: cli::Access,
    /// Export the mailbox with this SMTP address, impersonating it.
    #[arg(long, value_name = "SMTP")]
    impersonate: Option<String>,
    /// The output directory: one directory per folder, nested as the folders are.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// How messages are written: a Maildir per folder, one .eml file per message, or an
    /// mbox file per folder (mboxrd).
    #[arg(long, value_enum, default_value = "maildir")]
    format: Format,
    /// Export only this folder and those below it, by its path of display names
    /// (e.g. "Inbox/Projects"); repeat for more. Default: every mail folder.
    #[arg(long = "folder", value_name = "PATH")]
    folders: Vec<String>,
    /// Remove what the server deleted or moved away since the last run (by default it is
    /// kept: an archive).
    #[arg(long)]
    mirror: bool,
    /// Export the mailbox's archive (its In-Place or online archive) instead of the
    /// mailbox; give it an output directory of its own.
    #[arg(long)]
    archive: bool,
    /// Export the public folders instead of the mailbox; give them an output directory of
    /// their own. With --autodiscover, requests are routed to the public folder mailboxes
    /// Autodiscover names.
    #[arg(long, conflicts_with = "archive")]
    public_folders: bool,
    /// GetItem requests in flight at once (throttling policies allow a few per user).
    #[arg(long, default_value_t = 3, value_name = "N")]
    concurrency: usize,
    /// Log the calls, retries and back-offs to standard error (-vv: everything).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

/// Every message was exported.
const SUCCESS: u8 = 0;
/// The run failed.
const FAILED: u8 = 1;
/// Some messages could not be exported.
const ITEMS_FAILED: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let args: Args = match cli::parse(std::env::args_os(), &mut out, &mut err) {
        Ok(args) => args,
        Err(code) => return ExitCode::from(code),
    };
    if args.verbose > 0 {
        let level = match args.verbose {
            1 => tracing::Level::DEBUG,
            _ => tracing::Level::TRACE,
        };
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::stderr)
            .init();
    }
    ExitCode::from(run(&args, &mut err).await)
}

async fn run(args: &Args, err: &mut dyn Write) -> u8 {
    let (client, public_folders) = match client(args, err).await {
        Ok(found) => found,
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            return FAILED;
        }
    };
    let options = Options {
        format: args.format,
        folders: args.folders.clone(),
        mirror: args.mirror,
        concurrency: args.concurrency,
        archive: args.archive,
        public_folders,
        ..Options::new(&args.out)
    };
    let started = Instant::now();
    let mut shown = Shown::new(std::io::stderr().is_terminal());
    let mut progress = |event: Progress| shown.show(event);
    let result = export(&client, &options, &mut progress).await;
    shown.finish();
    match result {
        Ok(report) => {
            let _ = writeln!(
                err,
                "{} messages ({:.1} MB) from {} folders in {:.1} s; {} removed; {} failed{}",
                report.messages,
                report.bytes as f64 / 1e6,
                report.folders,
                started.elapsed().as_secs_f64(),
                report.removed,
                report.failed.len(),
                match report.other_folders.len() {
                    0 => String::new(),
                    1 => "; 1 folder of other items (calendar, contacts, tasks, …) left out"
                        .to_owned(),
                    n => format!(
                        "; {n} folders of other items (calendar, contacts, tasks, …) left out"
                    ),
                }
            );
            match report.failed.is_empty() {
                true => SUCCESS,
                false => ITEMS_FAILED,
            }
        }
        Err(ExportError::Ews(e)) => {
            let _ = writeln!(err, "error: {}", cli::message(&e));
            FAILED
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            FAILED
        }
    }
}

/// How the export's progress is shown: on a terminal, a bar for the folder being exported
/// and one for the whole export; otherwise a line per folder. Messages that could not be
/// exported get a line either way.
struct Shown {
    bars: Option<(MultiProgress, ProgressBar, ProgressBar)>,
    bytes: u64,
}

impl Shown {
    fn new(terminal: bool) -> Self {
        let bars = terminal.then(|| {
            let bars = MultiProgress::new();
            let style =
                |template| ProgressStyle::with_template(template).expect("the templates are valid");
            let folder = bars.add(ProgressBar::new_spinner());
            folder.set_style(style("{spinner} {msg}: {pos} messages"));
            let total = bars.add(ProgressBar::new_spinner());
            total.set_style(style(
                "  all: {pos} messages, {msg} in {elapsed} ({per_sec})",
            ));
            (bars, folder, total)
        });
        Shown { bars, bytes: 0 }
    }

    fn show(&mut self, event: Progress) {
        match (&self.bars, event) {
            (Some((_, folder, _)), Progress::Folder { path }) => {
                folder.set_position(0);
                folder.set_message(path.display().to_string());
            }
            (None, Progress::Folder { path }) => eprintln!("{}", path.display()),
            (Some((_, folder, total)), Progress::Message { bytes }) => {
                self.bytes += bytes;
                folder.inc(1);
                total.inc(1);
                total.set_message(format!("{:.1} MB", self.bytes as f64 / 1e6));
            }
            (
                bars,
                Progress::Failed {
                    path,
                    item_id,
                    error,
                },
            ) => {
                let line = match item_id.is_empty() {
                    true => format!("  failed: {}: {error}", path.display()),
                    false => format!("  failed: {} item {item_id}: {error}", path.display()),
                };
                match bars {
                    Some((bars, _, _)) => {
                        let _ = bars.println(line);
                    }
                    None => eprintln!("{line}"),
                }
            }
            _ => {}
        }
    }

    fn finish(&self) {
        if let Some((_, folder, total)) = &self.bars {
            folder.finish_and_clear();
            total.finish_and_clear();
        }
    }
}

/// The Autodiscover settings routing requests about the public folder tree.
const PUBLIC_FOLDER_SETTINGS: [&str; 2] = ["PublicFolderInformation", "InternalRpcClientServer"];

/// The client of the server `--url` names, or Autodiscover finds, and with
/// `--public-folders`, how to reach them.
async fn client(
    args: &Args,
    err: &mut dyn Write,
) -> Result<(Client, Option<PublicFolders>), String> {
    let mut public_folders = args.public_folders.then(PublicFolders::default);
    let url = match (&args.url, &args.autodiscover) {
        (Some(url), _) => url.clone(),
        (None, Some(email)) => {
            let host = args.autodiscover_host.as_deref();
            let mut autodiscover = cli::autodiscover(&args.access, host, &cli::process_env)?;
            if let (Some(public), Some((_, domain))) =
                (public_folders.as_mut(), email.rsplit_once('@'))
            {
                public.content = Some((autodiscover.clone(), domain.to_owned()));
                autodiscover = autodiscover.user_settings(PUBLIC_FOLDER_SETTINGS);
            }
            let found = autodiscover
                .discover(email)
                .await
                .map_err(|e| e.to_string())?;
            let _ = writeln!(
                err,
                "Autodiscover: {} ({})",
                found.ews_url, found.answered_by
            );
            if let Some(public) = public_folders.as_mut() {
                let [information, server] = PUBLIC_FOLDER_SETTINGS.map(|s| found.settings.get(s));
                public.hierarchy = information
                    .zip(server)
                    .map(|(a, b)| PublicFolderRouting::hierarchy(a.as_str(), b.as_str()));
            }
            found.ews_url
        }
        (None, None) => return Err("--url or --autodiscover is needed".to_owned()),
    };
    let headers = RequestHeaders {
        impersonation: args
            .impersonate
            .as_deref()
            .map(|smtp| Impersonation::SmtpAddress(smtp.into())),
        ..RequestHeaders::default()
    };
    let builder = Client::builder(url).headers(headers);
    let builder = args.access.apply(builder, &cli::process_env)?;
    let client = builder.build().map_err(|e| e.to_string())?;
    Ok((client, public_folders))
}
