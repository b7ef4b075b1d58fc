//! Parses a GetImItemList response envelope from a file, `--repeat` times, and prints the
//! persona and group counts and the median times to parse it and to drop the result; with
//! `--envelope`, any envelope the build has bindings for (FindItem, GetItem, … with
//! `all-operations`). Meant for whole-process measurements such as peak memory
//! (`/usr/bin/time -v`):
//!
//! ```text
//! cargo run --release --example parse_file -- /tmp/10k.xml [--repeat 5]
//! cargo run --release --features all-operations --example parse_file -- --envelope /tmp/find.xml
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use ews_bindings::operation::GetImItemList;
use ews_bindings::soap::{read_response, Envelope};

#[derive(Parser)]
#[command(about = "Parse a GetImItemList response envelope and time it")]
struct Args {
    /// The envelope to parse.
    file: std::path::PathBuf,
    /// How many times to parse it.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Read the envelope with `soap::Envelope::read`, whatever its body element.
    #[arg(long)]
    envelope: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return ExitCode::FAILURE;
        }
    };
    let mut times: Vec<Duration> = Vec::with_capacity(args.repeat);
    let mut drops: Vec<Duration> = Vec::with_capacity(args.repeat);
    let mut counts = (0, 0);
    for _ in 0..args.repeat.max(1) {
        let started = Instant::now();
        if args.envelope {
            let envelope = match Envelope::read(&bytes) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            times.push(started.elapsed());
            let started = Instant::now();
            drop(envelope);
            drops.push(started.elapsed());
            continue;
        }
        let envelope = match read_response::<GetImItemList>(&bytes) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        times.push(started.elapsed());
        let list = envelope.body.im_item_list.as_ref();
        counts = (
            list.and_then(|l| l.personas.as_ref()).map_or(0, Vec::len),
            list.and_then(|l| l.groups.as_ref()).map_or(0, Vec::len),
        );
        let started = Instant::now();
        drop(envelope);
        drops.push(started.elapsed());
    }
    let parse = median(&mut times);
    let read = if args.envelope {
        "the envelope".to_owned()
    } else {
        format!("{} personas, {} groups", counts.0, counts.1)
    };
    println!(
        "{} bytes: {read}; median parse {:.1} ms over {} runs ({:.0} MB/s), median drop {:.1} ms",
        bytes.len(),
        parse.as_secs_f64() * 1e3,
        times.len(),
        bytes.len() as f64 / parse.as_secs_f64() / 1e6,
        median(&mut drops).as_secs_f64() * 1e3,
    );
    ExitCode::SUCCESS
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
