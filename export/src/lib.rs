//! ews-export: a mailbox exported over Exchange Web Services to Maildir or `.eml` files,
//! resumably. The `ews-export` program is a thin command line over [`export`].
//!
//! - [`folders`]: the mailbox's folder tree (SyncFolderHierarchy), the public folders'
//!   (FindFolder), and the directory each mail folder is exported to.
//! - [`store`]: writing a message where it belongs, atomically and idempotently.
//! - [`state`]: what was exported, per folder: the sync state (for a public folder, the
//!   items exported), the items to try again.
//! - [`export`]: the export itself, folder by folder, page by page.

pub mod folders;
pub mod state;
pub mod store;

mod run;

pub use run::{export, ExportError, Options, Progress, PublicFolders, Report, FAILED};
pub use store::Format;
