//! Parses a GetImItemList response envelope from a file, `--repeat` times, and prints the
//! persona and group counts and the median times to parse it and to drop the result; with
//! `--envelope`, any envelope the build has bindings for (FindItem, GetItem, … with
//! `all-operations`); with `--each`, an answer read one item at a time
//! (`soap::read_response_each`), each item dropped as it comes. Meant for whole-process
//! measurements such as peak memory (`/usr/bin/time -v`):
//!
//! ```text
//! cargo run --release --example parse_file -- /tmp/10k.xml [--repeat 5]
//! cargo run --release --example parse_file -- --each persona /tmp/10k.xml
//! cargo run --release --features all-operations --example parse_file -- --envelope /tmp/find.xml
//! cargo run --release --features all-operations --example parse_file -- --each find-item /tmp/find.xml
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use ews_bindings::operation::{GetImItemList, Operation};
use ews_bindings::soap::{read_response, read_response_each, Envelope, EnvelopeError};
use ews_bindings::types;
use ews_bindings::xml::Limits;

#[derive(Parser)]
#[command(about = "Parse a GetImItemList response envelope and time it")]
struct Args {
    /// The envelope to parse.
    file: std::path::PathBuf,
    /// How many times to parse it.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Read the envelope with `soap::Envelope::read`, whatever its body element.
    #[arg(long, conflicts_with = "each")]
    envelope: bool,
    /// Read the answer one item at a time: the answer of which operation.
    #[arg(long, value_enum)]
    each: Option<Each>,
}

/// The answers `--each` reads, and the items it hands out.
#[derive(Clone, Copy, ValueEnum)]
enum Each {
    /// GetImItemList, by persona.
    Persona,
    /// FindItem, by item.
    #[cfg(feature = "all-operations")]
    FindItem,
    /// GetItem, by item.
    #[cfg(feature = "all-operations")]
    GetItem,
}

impl Each {
    /// Reads `xml` handing out its items one at a time; returns how many there were.
    fn read(self, xml: &[u8]) -> Result<usize, EnvelopeError> {
        fn count<O: Operation, T: 'static>(xml: &[u8]) -> Result<usize, EnvelopeError> {
            let mut count = 0;
            read_response_each::<O, T>(xml, &Limits::default(), |_| count += 1)?;
            Ok(count)
        }
        match self {
            Each::Persona => count::<GetImItemList, types::Persona>(xml),
            #[cfg(feature = "all-operations")]
            Each::FindItem => count::<ews_bindings::operation::FindItem, types::AnyItem>(xml),
            #[cfg(feature = "all-operations")]
            Each::GetItem => count::<ews_bindings::operation::GetItem, types::AnyItem>(xml),
        }
    }
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
        if let Some(each) = args.each {
            match each.read(&bytes) {
                Ok(n) => counts.0 = n,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
            times.push(started.elapsed());
            drops.push(Duration::ZERO);
            continue;
        }
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
    let read = if args.each.is_some() {
        format!("{} items, one at a time", counts.0)
    } else if args.envelope {
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
