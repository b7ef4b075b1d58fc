//! The mailbox's folders (SyncFolderHierarchy from the root of the message folders), the
//! public folders (FindFolder, a level at a time, from their root), and the directory each
//! mail folder is exported to: the path of display names, each name kept as it is but for
//! what a file system forbids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ews_bindings::messages::{FindFolder, SyncFolderHierarchy};
use ews_bindings::types::{
    AnyFolder, AnyFolderId, DefaultShapeNames, DistinguishedFolderIdName, FolderId,
    FolderQueryTraversal, FolderResponseShape, MapiPropertyType, PathElement, PathToExtendedField,
    SyncFolderHierarchyChangesChoice, TargetFolderId, ValueOrValues,
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
    /// For a public folder, the GUID of the public folder mailbox holding its content (the
    /// start of its `PR_REPLICA_LIST`), if the server gave it.
    pub content_mailbox: Option<String>,
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
                            content_mailbox: None,
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

/// `PR_REPLICA_LIST` (0x6698, binary): on a public folder, the GUID of the public folder
/// mailbox holding its content, as 36 ASCII characters, first.
const REPLICA_LIST: u16 = 0x6698;

/// Whether the property tag `tag` (hexadecimal with `0x`, or decimal) is
/// [`REPLICA_LIST`]'s.
fn is_replica_list(tag: &str) -> bool {
    let value = match tag.strip_prefix("0x").or_else(|| tag.strip_prefix("0X")) {
        Some(hex) => u16::from_str_radix(hex, 16),
        None => tag.parse(),
    };
    value == Ok(REPLICA_LIST)
}

/// Every public folder (below `publicfoldersroot`), a level at a time: FindFolder lists
/// one folder's children only (a deep traversal of public folders is refused).
pub async fn list_public(client: &Client) -> Result<Vec<Folder>, Error> {
    let replica_list = PathToExtendedField {
        property_tag: Some(format!("0x{REPLICA_LIST:04x}").into()),
        ..PathToExtendedField::new(MapiPropertyType::Binary)
    };
    let shape = FolderResponseShape {
        additional_properties: Some(vec![PathElement::ExtendedFieldURI(Box::new(replica_list))]),
        ..FolderResponseShape::new(DefaultShapeNames::AllProperties)
    };
    let mut folders = Vec::new();
    let mut parents = vec![AnyFolderId::from(
        DistinguishedFolderIdName::Publicfoldersroot,
    )];
    while let Some(parent) = parents.pop() {
        let request = FindFolder::new(FolderQueryTraversal::Shallow, shape.clone(), vec![parent]);
        let mut pages = std::pin::pin!(client.pages::<operation::FindFolder>(request, 512));
        while let Some(page) = pages.try_next().await? {
            let found = page.root_folder.and_then(|r| r.folders).unwrap_or_default();
            for folder in found {
                let Some(id) = folder.folder_id() else {
                    continue;
                };
                if folder.child_folder_count().is_none_or(|n| n > 0) {
                    parents.push(FolderId::new(id.id.as_str()).into());
                }
                folders.push(Folder {
                    id: id.id.to_string(),
                    parent: folder.parent_folder_id().map(|p| p.id.to_string()),
                    name: folder.display_name().unwrap_or_default().to_owned(),
                    class: folder.folder_class().map(str::to_owned),
                    content_mailbox: content_mailbox(&folder),
                });
            }
        }
    }
    Ok(folders)
}

/// The GUID of the mailbox holding the content of the public folder `folder`, from its
/// `PR_REPLICA_LIST` (base64 in the answer).
fn content_mailbox(folder: &AnyFolder) -> Option<String> {
    let property = folder.extended_property().iter().find(|p| {
        let tag = p.extended_field_uri.property_tag.as_deref();
        tag.is_some_and(is_replica_list)
    })?;
    let ValueOrValues::Value(value) = &property.value_or_values else {
        return None;
    };
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let guid = std::str::from_utf8(bytes.get(..36)?).ok()?;
    let hex = |part: &str| part.chars().all(|c| c.is_ascii_hexdigit());
    let parts: Vec<&str> = guid.split('-').collect();
    let shaped = parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]);
    (shaped && parts.iter().all(|p| hex(p))).then(|| guid.to_ascii_lowercase())
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
            content_mailbox: None,
        }
    }

    #[test]
    fn the_replica_list_is_known_by_its_tag_in_hex_or_decimal() {
        for tag in [
            "0x6698",
            "0X6698",
            "0x6698".to_uppercase().as_str(),
            "26264",
        ] {
            assert!(is_replica_list(tag), "{tag}");
        }
        for tag in ["0x6699", "6698", "0x", "", "PR_REPLICA_LIST"] {
            assert!(!is_replica_list(tag), "{tag}");
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
