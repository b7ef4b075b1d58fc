//! Helpers shared by the generator's tests.

use std::path::PathBuf;

/// `../shared/ews-schema` beside the checkout (or `$EWS_SHARED_DIR/ews-schema`), or `None`
/// with the reason printed; under CI its absence fails the test.
pub fn official_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("EWS_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    let dir = shared.join("ews-schema");
    if dir.join("types.xsd").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI must provide ../shared (or set EWS_SHARED_DIR)",
        dir.display()
    );
    eprintln!("skipped: {} not found (set EWS_SHARED_DIR)", dir.display());
    None
}
