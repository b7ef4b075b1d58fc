//! Checks captured EWS messages against the bindings: each file (a SOAP envelope) is read
//! with the generated types, written back and compared with the input by meaning. Prints
//! one line per file, `ok` or the first difference or read error with its element path, and
//! exits non-zero when any file fails.
//!
//! ```text
//! cargo run --example check -- [--write DIR] FILE...
//! EWS_SCHEMA_DIR=/path cargo run --features all-operations --example check -- FILE...
//! ```
//!
//! With `--write DIR` each re-serialized envelope is also written to DIR under the input's
//! file name.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ews_bindings::soap::Envelope;
use ews_bindings::xml::SemanticTree;

fn main() -> ExitCode {
    let mut write_dir: Option<PathBuf> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--write" {
            match args.next() {
                Some(dir) => write_dir = Some(dir.into()),
                None => return usage("--write needs a directory"),
            }
        } else if arg.starts_with("--") {
            return usage(&format!("unknown option {arg}"));
        } else {
            files.push(PathBuf::from(arg));
        }
    }
    if files.is_empty() {
        return usage("no files given");
    }
    if let Some(dir) = &write_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    let mut failed = 0;
    for file in &files {
        match check(file, write_dir.as_deref()) {
            Ok(note) => println!("{}: ok{note}", file.display()),
            Err(problem) => {
                failed += 1;
                println!("{}: {problem}", file.display());
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} files failed", files.len());
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}\nusage: check [--write DIR] FILE...");
    ExitCode::from(2)
}

fn check(file: &Path, write_dir: Option<&Path>) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read: {e}"))?;
    let envelope = Envelope::read(&bytes).map_err(|e| format!("read error: {e}"))?;
    let written = envelope.write();
    if let Some(dir) = write_dir {
        let name = file.file_name().ok_or("no file name")?;
        let out = dir.join(name);
        std::fs::write(&out, &written)
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let original = SemanticTree::parse(text).map_err(|e| format!("not well-formed: {e}"))?;
    if let Some(d) = envelope.diff(original) {
        return Err(format!("differs: {d}"));
    }
    Ok(if envelope.skipped_headers.is_empty() {
        String::new()
    } else {
        format!(
            " (headers not in the bindings: {})",
            envelope.skipped_headers.join(", ")
        )
    })
}
