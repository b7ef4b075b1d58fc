//! The mailbox's folders (SyncFolderHierarchy from the root of the message folders) and
//! the directory each mail folder is exported to: the path of display names, each name
//! kept as it is but for what a file system forbids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ews_bindings::messages::SyncFolderHierarchy;
use ews_bindings::types::{
    DefaultShapeNames, DistinguishedFolderIdName, SyncFolderHierarchyChangesChoice, TargetFolderId,
};
use ews_bindings::{operation, Client, Error};
use futures_util::TryStreamExt;

/// A folder of the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its id.
    pub id: String,
    /// Its parent's id (the root of the message folders is no folder of the list).
    pub parent: Option<String>,
    /// Its display name.
    pub name: String,
    /// Its class (`IPF.Note` for mail, `IPF.Appointment`, `IPF.Contact`, `IPF.Task`, …).
    pub class: Option<String>,
}

impl Folder {
    /// Whether it holds mail: class `IPF.Note` or one of its subclasses (`IPF.Note.…`).
    /// Calendar, contacts, tasks and notes folders hold items of other kinds, whose MIME
    /// is not mail; they are not exported.
    pub fn holds_mail(&self) -> bool {
        self.class
            .as_deref()
            .is_some_and(|c| c == "IPF.Note" || c.starts_with("IPF.Note."))
    }
}

/// Every folder below `root`: the root of the mailbox's message folders
/// (`msgfolderroot`), or of its archive mailbox's (`archivemsgfolderroot`).
pub async fn list(client: &Client, root: DistinguishedFolderIdName) -> Result<Vec<Folder>, Error> {
    let request = SyncFolderHierarchy {
        sync_folder_id: Some(TargetFolderId::new(root)),
        ..SyncFolderHierarchy::new(DefaultShapeNames::AllProperties)
    };
    let mut pages = std::pin::pin!(client.pages::<operation::SyncFolderHierarchy>(request, 512));
    let mut folders = BTreeMap::new();
    while let Some(page) = pages.try_next().await? {
        for change in page.changes.into_iter().flatten() {
            match change {
                SyncFolderHierarchyChangesChoice::Create(c)
                | SyncFolderHierarchyChangesChoice::Update(c) => {
                    let folder = &c.folder;
                    let Some(id) = folder.folder_id() else {
                        continue;
                    };
                    folders.insert(
                        id.id.to_string(),
                        Folder {
                            id: id.id.to_string(),
                            parent: folder.parent_folder_id().map(|p| p.id.to_string()),
                            name: folder.display_name().unwrap_or_default().to_owned(),
                            class: folder.folder_class().map(str::to_owned),
                        },
                    );
                }
                SyncFolderHierarchyChangesChoice::Delete(d) => {
                    folders.remove(d.folder_id.id.as_str());
                }
            }
        }
    }
    Ok(folders.into_values().collect())
}

/// A display name as one path component: kept as it is (spaces and letters of any
/// script included), but `/` and NUL, which no file name may hold, become `_`; `.` and
/// `..`, and the names of a Maildir's own directories (`cur`, `new`, `tmp`) and of a
/// folder's mbox file (`mbox`), get a `_` before them; an empty name is `_`.
pub fn component(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c == '/' || c == '\0' { '_' } else { c })
        .collect();
    match name.as_str() {
        "" => "_".to_owned(),
        "." | ".." | "cur" | "new" | "tmp" | "mbox" => format!("_{name}"),
        _ => name,
    }
}

/// The directory of each folder, relative to the output directory: `known` (given on
/// earlier runs) kept, new ones made of the path of display names, with ` (2)`, ` (3)`, …
/// after a name another folder's directory already has.
pub fn paths(folders: &[Folder], known: &BTreeMap<String, PathBuf>) -> BTreeMap<String, PathBuf> {
    let by_id: BTreeMap<&str, &Folder> = folders.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut assigned: BTreeMap<String, PathBuf> = known.clone();
    let mut taken: BTreeSet<PathBuf> = known.values().cloned().collect();
    // Parents before children: by depth, then by id, the same order on every run.
    let depth = |folder: &Folder| {
        let mut depth = 0;
        let mut parent = folder.parent.as_deref();
        while let Some(p) = parent.and_then(|p| by_id.get(p)) {
            depth += 1;
            parent = p.parent.as_deref();
            if depth > folders.len() {
                break;
            }
        }
        depth
    };
    let mut order: Vec<&Folder> = folders.iter().collect();
    order.sort_by_key(|f| (depth(f), f.id.clone()));
    for folder in order {
        if assigned.contains_key(&folder.id) {
            continue;
        }
        let parent = folder
            .parent
            .as_ref()
            .and_then(|p| assigned.get(p))
            .cloned()
            .unwrap_or_default();
        let base = component(&folder.name);
        let mut path = parent.join(&base);
        let mut n = 2;
        while taken.contains(&path) {
            path = parent.join(format!("{base} ({n})"));
            n += 1;
        }
        taken.insert(path.clone());
        assigned.insert(folder.id.clone(), path);
    }
    assigned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(id: &str, parent: Option<&str>, name: &str) -> Folder {
        Folder {
            id: id.into(),
            parent: parent.map(Into::into),
            name: name.into(),
            class: Some("IPF.Note".into()),
        }
    }

    #[test]
    fn names_are_kept_but_for_what_file_systems_forbid() {
        assert_eq!(component("Projets 2026 – été"), "Projets 2026 – été");
        assert_eq!(component("a/b\0c"), "a_b_c");
        assert_eq!(component(".."), "_..");
        assert_eq!(component("cur"), "_cur");
        assert_eq!(component(""), "_");
    }

    #[test]
    fn nested_paths_and_namesakes_kept_apart_stably() {
        let folders = [
            folder("b", None, "Inbox"),
            folder("c", Some("b"), "Projects"),
            folder("d", Some("c"), "2026"),
            folder("e", Some("b"), "Projects"),
        ];
        let paths = paths(&folders, &BTreeMap::new());
        assert_eq!(paths["d"], PathBuf::from("Inbox/Projects/2026"));
        assert_eq!(paths["c"], PathBuf::from("Inbox/Projects"));
        assert_eq!(paths["e"], PathBuf::from("Inbox/Projects (2)"));
        // A folder seen before keeps its directory, whatever comes new.
        let known = BTreeMap::from([("e".to_owned(), PathBuf::from("Inbox/Projects"))]);
        let again = super::paths(&folders, &known);
        assert_eq!(again["e"], PathBuf::from("Inbox/Projects"));
        assert_eq!(again["c"], PathBuf::from("Inbox/Projects (2)"));
    }
}
