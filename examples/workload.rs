//! Writes a synthetic response envelope (see `ews_bindings::mock::workload`):
//!
//! ```text
//! cargo run --release --example workload -- --personas 10000 --out /tmp/10k.xml [--seed 1]
//! cargo run --release --example workload -- --shape find-item --count 10000 --out /tmp/find.xml
//! cargo run --release --example workload -- --shape documented-personas --count 10000 --out /tmp/doc.xml
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use ews_bindings::mock::workload::{
    documented_persona_response, find_item_response, get_item_response, im_item_list_response,
};

/// Which response to write.
#[derive(Clone, Copy, ValueEnum)]
enum Shape {
    /// GetImItemList: personas and IM groups.
    ImItemList,
    /// GetImItemList: personas in the documentation's shape, compact.
    DocumentedPersonas,
    /// The same, indented as the documentation writes it.
    DocumentedPersonasIndented,
    /// FindItem: one page of messages.
    FindItem,
    /// GetItem: one response message per message, with HTML bodies.
    GetItem,
}

#[derive(Parser)]
#[command(about = "Write a synthetic EWS response")]
struct Args {
    /// The response.
    #[arg(long, value_enum, default_value = "im-item-list")]
    shape: Shape,
    /// How many personas or messages.
    #[arg(long, alias = "personas")]
    count: usize,
    /// Where to write it.
    #[arg(long)]
    out: std::path::PathBuf,
    /// The seed; the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let xml = match args.shape {
        Shape::ImItemList => im_item_list_response(args.count, args.seed),
        Shape::DocumentedPersonas => documented_persona_response(args.count, false, args.seed),
        Shape::DocumentedPersonasIndented => {
            documented_persona_response(args.count, true, args.seed)
        }
        Shape::FindItem => find_item_response(args.count, args.seed),
        Shape::GetItem => get_item_response(args.count, args.seed),
    };
    match std::fs::write(&args.out, &xml) {
        Ok(()) => {
            println!(
                "{}: {} bytes, {} entries",
                args.out.display(),
                xml.len(),
                args.count
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::FAILURE
        }
    }
}
