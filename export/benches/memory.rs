//! The peak memory (resident set) of the `ews-export` program exporting 2,000 and 20,000
//! messages of 2 KB from a mailbox served on loopback by this process: memory should not
//! grow with the mailbox.
//!
//! ```sh
//! EWS_SCHEMA_DIR=../../shared/ews-schema cargo bench --manifest-path export/Cargo.toml --bench memory
//! ```

use std::process::Command;
use std::time::Duration;

/// Runs `program` with `args` to its end under `/usr/bin/time` (GNU time, Debian's `time`
/// package); its peak resident set in KiB. (The peak that `wait4` reports for a child
/// counts the pages it shared with this process between fork and exec, this process's
/// mailbox included; GNU time's own child comes from a small process.)
fn peak_kib(program: &str, args: &[&std::ffi::OsStr]) -> u64 {
    let report = std::env::temp_dir().join("ews-export-memory.kib");
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("/usr/bin/time runs (Debian: apt-get install time)");
    assert!(status.success(), "ews-export failed");
    std::fs::read_to_string(&report)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("messages | peak resident set of ews-export (MiB)");
    for messages in [2_000, 20_000] {
        let mailbox = ews_bindings::mock::Mailbox::default();
        mailbox.folder("inbox", "root", "Inbox", "IPF.Note");
        mailbox.folder("archive", "root", "Archive", "IPF.Note");
        mailbox.add_sized("inbox", messages / 2, 1_400);
        mailbox.add_sized("archive", messages / 2, 1_400);
        let server = runtime.block_on(mailbox.serve(Duration::ZERO)).unwrap();
        let dir = std::env::temp_dir().join(format!("ews-export-memory-{messages}"));
        let _ = std::fs::remove_dir_all(&dir);
        let url = server.url();
        let args = [
            "--url".as_ref(),
            url.as_ref(),
            "--out".as_ref(),
            dir.as_os_str(),
        ];
        let peak = peak_kib(env!("CARGO_BIN_EXE_ews-export"), &args);
        println!("{messages:>8} | {:.1}", peak as f64 / 1024.0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
