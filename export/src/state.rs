//! What was exported, one small file per folder in `OUT/.ews-export/`, each replaced
//! atomically (written beside, flushed, renamed) once the messages it covers are on disk.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The directory of the state files, in the output directory.
pub const DIR: &str = ".ews-export";

/// What was exported of one folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderState {
    /// The folder's id.
    pub folder_id: String,
    /// Its directory, relative to the output directory (kept once given, so that a folder
    /// renamed or a new folder of the same name does not move it).
    pub path: PathBuf,
    /// Where the next SyncFolderItems starts (none before the first).
    pub sync_state: Option<String>,
    /// For a public folder, which SyncFolderItems does not serve: the items exported so far
    /// (listed by FindItem, the new ones fetched, those gone removed with `--mirror`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Items whose message could not be fetched, to try again on the next run.
    pub failed: Vec<String>,
    /// The bytes of the folder's mbox file that the sync state covers (mbox only): what a
    /// run interrupted after them wrote is cut off when the next run starts.
    #[serde(default)]
    pub committed: u64,
}

/// The state in `bytes`, read from the file `path`.
fn read(path: &Path, bytes: &[u8]) -> io::Result<FolderState> {
    serde_json::from_slice(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} cannot be read ({e}); remove it to export that folder again",
                path.display()
            ),
        )
    })
}

/// The state files of an output directory.
#[derive(Debug, Clone)]
pub struct States {
    dir: PathBuf,
}

impl States {
    /// The state files of the output directory `out`, created if need be.
    pub fn open(out: &Path) -> io::Result<Self> {
        let dir = out.join(DIR);
        fs::create_dir_all(&dir)?;
        Ok(States { dir })
    }

    /// Every folder's state saved so far.
    pub fn load(&self) -> io::Result<Vec<FolderState>> {
        let mut states = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json") {
                states.push(read(&path, &fs::read(&path)?)?);
            }
        }
        Ok(states)
    }

    /// The state saved for the folder `folder_id`, if any.
    pub fn load_folder(&self, folder_id: &str) -> io::Result<Option<FolderState>> {
        let path = self.path(folder_id);
        match fs::read(&path) {
            Ok(bytes) => read(&path, &bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The state file of the folder `folder_id`.
    fn path(&self, folder_id: &str) -> PathBuf {
        let name = crate::store::name(folder_id);
        self.dir.join(format!("{name}.json"))
    }

    /// Saves `state`, replacing the folder's earlier one atomically.
    pub fn save(&self, state: &FolderState) -> io::Result<()> {
        let name = crate::store::name(&state.folder_id);
        let path = self.path(&state.folder_id);
        let partial = self.dir.join(format!("{name}.partial"));
        let mut file = fs::File::create(&partial)?;
        file.write_all(&serde_json::to_vec_pretty(state).map_err(io::Error::other)?)?;
        file.sync_all()?;
        fs::rename(&partial, &path)?;
        crate::store::sync_dir(&self.dir)
    }
}
