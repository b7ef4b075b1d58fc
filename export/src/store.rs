//! Writing messages. Maildir and `.eml`: each message to a file whose name comes from the
//! item's id, written beside its place and renamed into it, so that a message written again
//! (after a run stopped before it saved how far it got) replaces itself. mbox: messages
//! appended to the folder's `mbox` file, which is cut back, when a run starts, to the length
//! the saved sync state covers. Either way nothing comes twice and nothing is left
//! half-written.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How messages are laid out in a folder's directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A Maildir per folder: each message in `cur/` (written in `tmp/`, then renamed),
    /// named `<id>:2,`; child folders beside `cur/`, `new/` and `tmp/`.
    Maildir,
    /// One `<id>.eml` file per message in the folder's directory.
    Eml,
    /// One `mbox` file per folder (mboxrd: a `From ` line before each message, lines of
    /// the message that start with `From ` after any `>` get one `>` more, LF line ends),
    /// beside the directories of its child folders. A message is written once, when it is
    /// first seen.
    Mbox,
}

/// The name of a folder's mbox file.
pub const MBOX: &str = "mbox";

/// The file name of an item's message (without the format's suffix): 32 hexadecimal
/// digits of a 128-bit FNV-1a hash of its id, the same on every run.
pub fn name(item_id: &str) -> String {
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for byte in item_id.bytes() {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    format!("{hash:032x}")
}

impl Format {
    /// Makes `dir` ready for messages: the Maildir's `cur/`, `new/` and `tmp/` and no
    /// leftovers of an interrupted run in `tmp/`; no `.partial` files; the mbox cut back to
    /// `committed` bytes, what the saved sync state covers.
    pub fn prepare(self, dir: &Path, committed: u64) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        match self {
            Format::Maildir => {
                for sub in ["cur", "new", "tmp"] {
                    fs::create_dir_all(dir.join(sub))?;
                }
                for leftover in fs::read_dir(dir.join("tmp"))? {
                    fs::remove_file(leftover?.path())?;
                }
            }
            Format::Eml => {
                for entry in fs::read_dir(dir)? {
                    let path = entry?.path();
                    if path.extension().is_some_and(|e| e == "partial") {
                        fs::remove_file(path)?;
                    }
                }
            }
            Format::Mbox => {
                let mbox = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(dir.join(MBOX))?;
                mbox.set_len(committed)?;
                mbox.sync_all()?;
            }
        }
        Ok(())
    }

    /// Where the message of `item_id` lives in `dir` (for mbox, the folder's mbox file).
    pub fn path(self, dir: &Path, item_id: &str) -> PathBuf {
        match self {
            Format::Maildir => dir.join("cur").join(format!("{}:2,", name(item_id))),
            Format::Eml => dir.join(format!("{}.eml", name(item_id))),
            Format::Mbox => dir.join(MBOX),
        }
    }

    /// Writes the message `mime` of `item_id` into `dir`. Maildir and `.eml`: into a file
    /// beside its place, then renamed into place, the bytes as the server sent them (CRLF
    /// line ends). mbox: appended. [`Format::sync`] puts what was written on disk.
    pub fn write(self, dir: &Path, item_id: &str, mime: &[u8]) -> io::Result<()> {
        let partial = match self {
            Format::Maildir => dir.join("tmp").join(name(item_id)),
            Format::Eml => dir.join(format!("{}.partial", name(item_id))),
            Format::Mbox => {
                let mut entry = Vec::with_capacity(mime.len() + 64);
                mboxrd(mime, &mut entry);
                let mut mbox = OpenOptions::new().append(true).open(dir.join(MBOX))?;
                mbox.write_all(&entry)?;
                if !cfg!(target_os = "linux") {
                    mbox.sync_all()?;
                }
                return Ok(());
            }
        };
        let mut file = File::create(&partial)?;
        file.write_all(mime)?;
        if !cfg!(target_os = "linux") {
            file.sync_all()?;
        }
        fs::rename(&partial, self.path(dir, item_id))
    }

    /// How many bytes of messages `dir` holds, for a format that appends (mbox); 0 for
    /// the others.
    pub fn committed(self, dir: &Path) -> io::Result<u64> {
        match self {
            Format::Mbox => Ok(fs::metadata(dir.join(MBOX))?.len()),
            Format::Maildir | Format::Eml => Ok(0),
        }
    }

    /// Puts the messages written into `dir` on disk, before the sync state that covers
    /// them is saved: after a power loss, a message not on disk belongs to changes the
    /// saved state does not cover, and is written again. On Linux, one `syncfs` of the file
    /// system for all of them (each message's own flush cost a quarter of an export's
    /// time); elsewhere each message was flushed as it was written, and the directory is.
    pub fn sync(self, dir: &Path) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            let _ = self;
            syncfs(dir)
        }
        #[cfg(not(target_os = "linux"))]
        match self {
            Format::Maildir => sync_dir(&dir.join("cur")),
            Format::Eml | Format::Mbox => sync_dir(dir),
        }
    }
}

/// Appends `mime` to `out` as one mboxrd entry: the `From ` line, the message with LF line
/// ends and its `From ` lines quoted, a blank line.
fn mboxrd(mime: &[u8], out: &mut Vec<u8>) {
    let now = ews_bindings::jiff::Timestamp::now().strftime("%a %b %e %H:%M:%S %Y");
    out.extend_from_slice(format!("From MAILER-DAEMON {now}\n").as_bytes());
    for line in mime.split_inclusive(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let unquoted = line.iter().position(|b| *b != b'>').unwrap_or(line.len());
        if line[unquoted..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.push(b'\n');
}

/// Flushes the whole file system holding `dir` to disk, data and metadata.
#[cfg(target_os = "linux")]
fn syncfs(dir: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;

    let file = File::open(dir)?;
    // SAFETY: the descriptor is open for as long as `file` lives, which outlasts the call.
    match unsafe { libc::syncfs(file.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// Flushes a directory's entries to disk.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_distinct() {
        assert_eq!(name("AAMkAD="), name("AAMkAD="));
        assert_ne!(name("AAMkAD="), name("AAMkAE="));
        assert_eq!(name("").len(), 32);
    }

    #[test]
    fn mboxrd_quotes_from_lines_and_ends_lines_with_lf() {
        let mut out = Vec::new();
        mboxrd(
            b"Subject: x\r\n\r\nFrom here\r\n>From there\r\nFromage\r\nlast",
            &mut out,
        );
        let text = String::from_utf8(out).unwrap();
        let (from, rest) = text.split_once('\n').unwrap();
        assert!(from.starts_with("From MAILER-DAEMON "), "{from}");
        assert_eq!(
            rest,
            "Subject: x\n\n>From here\n>>From there\nFromage\nlast\n\n"
        );
    }
}
