//! Writing messages: each to a file whose name comes from the item's id, written beside
//! its place and renamed into it once it is on disk. A message written again (after a run
//! stopped before it saved how far it got) replaces itself: nothing comes twice, nothing
//! is left half-written where a mail program looks.

use std::fs::{self, File};
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
}

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
    /// Makes `dir` ready for messages: the Maildir's `cur/`, `new/` and `tmp/`, and no
    /// leftovers of an interrupted run in `tmp/`.
    pub fn prepare(self, dir: &Path) -> io::Result<()> {
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
        }
        Ok(())
    }

    /// Where the message of `item_id` lives in `dir`.
    pub fn path(self, dir: &Path, item_id: &str) -> PathBuf {
        match self {
            Format::Maildir => dir.join("cur").join(format!("{}:2,", name(item_id))),
            Format::Eml => dir.join(format!("{}.eml", name(item_id))),
        }
    }

    /// Writes the message `mime` of `item_id` into `dir`: into a file beside its place,
    /// then renamed into place, so that its place never holds part of a message while the
    /// program runs. The bytes are written as the server sent them (CRLF line ends).
    /// [`Format::sync`] puts what was written on disk.
    pub fn write(self, dir: &Path, item_id: &str, mime: &[u8]) -> io::Result<()> {
        let path = self.path(dir, item_id);
        let partial = match self {
            Format::Maildir => dir.join("tmp").join(name(item_id)),
            Format::Eml => dir.join(format!("{}.partial", name(item_id))),
        };
        let mut file = File::create(&partial)?;
        file.write_all(mime)?;
        if !cfg!(target_os = "linux") {
            file.sync_all()?;
        }
        fs::rename(&partial, &path)
    }

    /// Puts the messages written into `dir` on disk, before the sync state that covers
    /// them is saved: after a power loss, a message renamed into place but not on disk
    /// belongs to changes the saved state does not cover, and is written again. On Linux,
    /// one `syncfs` of the file system for all of them (each message's own flush cost a
    /// quarter of an export's time); elsewhere each message was flushed as it was written,
    /// and the directory is.
    pub fn sync(self, dir: &Path) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            let _ = self;
            syncfs(dir)
        }
        #[cfg(not(target_os = "linux"))]
        match self {
            Format::Maildir => sync_dir(&dir.join("cur")),
            Format::Eml => sync_dir(dir),
        }
    }
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
}
