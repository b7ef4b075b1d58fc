//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ews_bindings::types::{DateTimePrecision, ManagementRole};
use ews_bindings::xml::SemanticTree;
use ews_bindings::{Impersonation, RequestHeaders};

/// `../shared` (or `$EWS_SHARED_DIR`), or `None` with the reason printed. Under CI a
/// missing directory fails the test.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EWS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: CI must provide ../shared (or set EWS_SHARED_DIR)",
            dir.display()
        );
    }
    eprintln!(
        "skipped: {} not found (set EWS_SHARED_DIR to run this test)",
        dir.display()
    );
    None
}

/// The GetImItemList reference page's samples (`tests/fixtures/getimitemlist-page`) use `https://`
/// for the EWS namespaces, a documentation error: servers send `http://`. The tests map
/// them before parsing.
pub fn fix_https_namespaces(xml: &str) -> String {
    xml.replace(
        "https://schemas.microsoft.com/exchange/services/2006/",
        "http://schemas.microsoft.com/exchange/services/2006/",
    )
}

/// A sample of the GetImItemList reference page from `tests/fixtures/getimitemlist-page`, namespaces fixed.
pub fn page_fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/getimitemlist-page")
        .join(name);
    fix_https_namespaces(&std::fs::read_to_string(path).unwrap())
}

/// The files of a samples folder laid out as `Operation/file`, as (`Operation/file`, path),
/// sorted.
pub fn sample_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for op in std::fs::read_dir(dir).unwrap() {
        let op = op.unwrap().path();
        if !op.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&op).unwrap() {
            let file = file.unwrap().path();
            let rel = format!(
                "{}/{}",
                op.file_name().unwrap().to_str().unwrap(),
                file.file_name().unwrap().to_str().unwrap()
            );
            out.push((rel, file));
        }
    }
    out.sort();
    out
}

/// Parses a document that the test knows to be well-formed.
pub fn tree(xml: &str) -> SemanticTree {
    SemanticTree::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"))
}

/// Renames, everywhere below `tree`, children named `from` of elements named `parent`;
/// returns how many were renamed.
pub fn rename_children(tree: &mut SemanticTree, parent: &str, from: &str, to: &str) -> usize {
    let mut n = 0;
    let is_parent = tree.name == parent;
    for c in &mut tree.children {
        if is_parent && c.name == from {
            c.name = to.to_owned();
            n += 1;
        }
        n += rename_children(c, parent, from, to);
    }
    n
}

/// Every request header the client can send, set.
pub fn every_header() -> RequestHeaders {
    RequestHeaders {
        mailbox_culture: Some("en-US".into()),
        impersonation: Some(Impersonation::SmtpAddress("alice@contoso.com".into())),
        date_time_precision: Some(DateTimePrecision::Milliseconds),
        management_role: Some(ManagementRole {
            user_roles: None,
            application_roles: None,
        }),
        ..RequestHeaders::default().time_zone("Pacific Standard Time")
    }
}

/// The Python that runs the independent tools of `tests/tools` (xmlschema, pyspnego), or
/// `None` (with the reason printed) outside CI.
pub fn python() -> Option<String> {
    match std::env::var("EWS_PYTHON") {
        Ok(python) => Some(python),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("EWS_PYTHON is not set: CI must provide a Python with xmlschema and pyspnego")
        }
        Err(_) => {
            eprintln!(
                "skipped: set EWS_PYTHON to a Python with xmlschema and pyspnego to run this test"
            );
            None
        }
    }
}

/// What `tracing` writes, at every level, while the guard of [`capture_logs`] lives.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// Captures what `tracing` writes on this thread, down to TRACE, until the guard drops.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}
