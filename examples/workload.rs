//! Writes a synthetic GetImItemList response envelope (see `ews_bindings::mock::workload`):
//!
//! ```text
//! cargo run --release --example workload -- --personas 10000 --out /tmp/10k.xml [--seed 1]
//! ```

use std::process::ExitCode;

use clap::Parser;
use ews_bindings::mock::workload::im_item_list_response;

#[derive(Parser)]
#[command(about = "Write a synthetic GetImItemList response")]
struct Args {
    /// How many personas.
    #[arg(long)]
    personas: usize,
    /// Where to write it.
    #[arg(long)]
    out: std::path::PathBuf,
    /// The seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let xml = im_item_list_response(args.personas, args.seed);
    match std::fs::write(&args.out, &xml) {
        Ok(()) => {
            println!(
                "{}: {} bytes, {} personas",
                args.out.display(),
                xml.len(),
                args.personas
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
