//! A crate of a user's own, with bindings generated for a subset of the schema against the
//! ews-bindings runtime (`Config::runtime("ews_bindings")`): the test writes it to
//! `target/tmp/user-crate`, and `.ci/run` builds it.

use std::path::{Path, PathBuf};

use ews_codegen::{Config, Root, NS_MESSAGES, NS_TYPES};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const LIB: &str = r#"//! A user's crate: its own bindings of GetImItemList, called with ews-bindings' client.

pub mod types {
    include!("types.rs");
}
pub mod messages {
    include!("messages.rs");
}
pub mod operation {
    include!("operations.rs");
}

/// The names of the mailbox's IM groups.
pub async fn group_names(client: &ews_bindings::Client) -> Result<Vec<String>, ews_bindings::Error> {
    let request = messages::GetImItemList::default();
    let response = client.call::<operation::GetImItemList>(&request).await?;
    let list = response.output.im_item_list.unwrap_or_default();
    Ok(list.groups.unwrap_or_default().into_iter().map(|g| g.display_name.to_string()).collect())
}
"#;

#[test]
fn a_subset_generated_for_a_crate_of_ones_own() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("user-crate");
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let manifest = format!(
        "[package]\nname = \"user-crate\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\news-bindings = {{ path = {:?} }}\nserde = \"1\"\n",
        repo().canonicalize().unwrap().to_str().unwrap()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(src.join("lib.rs"), LIB).unwrap();
    let roots = [
        Root::new(NS_MESSAGES, "GetImItemList"),
        Root::new(NS_MESSAGES, "GetImItemListResponse"),
        Root::new(NS_TYPES, "RequestServerVersion"),
    ];
    let written = Config::new(repo().join("schema"))
        .roots(roots)
        .runtime("ews_bindings")
        .write_to(&src)
        .unwrap();
    assert_eq!(written.len(), 3);
    for file in written {
        let code = std::fs::read_to_string(&file).unwrap();
        assert!(!code.contains("crate::xml"), "{}", file.display());
        assert!(!code.contains("crate::operation"), "{}", file.display());
    }
    let types = std::fs::read_to_string(src.join("types.rs")).unwrap();
    assert!(types.contains("use ews_bindings::xml as rt;"));
}
