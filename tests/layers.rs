//! The handwritten modules import one way: the XML runtime, then the generated bindings,
//! then what an operation is, paging and the envelope, the error, the client, and what is
//! built on the client. A module may name only modules of lower layers (and its own).

use std::path::Path;

/// Each module of the crate and its layer; a module may name lower layers only.
const LAYERS: &[(&str, u32)] = &[
    ("xml", 0),
    ("types", 1),
    ("messages", 1),
    ("autodiscover", 1),
    ("operation", 2),
    // The names generated code uses, gathered from the runtime and `operation`.
    ("__private", 3),
    ("paging", 3),
    ("soap", 3),
    ("error", 4),
    ("client", 5),
    ("im", 6),
    ("discovery", 6),
    ("mock", 6),
    ("notifications", 6),
];

fn layer(module: &str) -> u32 {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .unwrap_or_else(|| panic!("module {module} has no layer in tests/layers.rs"))
        .1
}

/// The crate modules the code of `text` names (`crate::soap::…`); comments, whose links
/// may point anywhere, and the root's re-exports (`crate::Client`) are left out.
fn named(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(modules_in)
        .collect()
}

fn modules_in(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .map(|(at, m)| {
            let rest = &line[at + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

#[test]
fn modules_import_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let (module, files) = if path.is_dir() {
            let files: Vec<_> = std::fs::read_dir(&path)
                .unwrap()
                .map(|f| f.unwrap().path())
                .collect();
            (
                path.file_name().unwrap().to_str().unwrap().to_owned(),
                files,
            )
        } else if path.file_name().unwrap() == "lib.rs" {
            continue;
        } else {
            (
                path.file_stem().unwrap().to_str().unwrap().to_owned(),
                vec![path.clone()],
            )
        };
        let own = layer(&module);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in named(&text) {
                if other != module && layer(other) >= own {
                    wrong.push(format!("{} names crate::{other}", file.display()));
                }
            }
            checked += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
    assert!(checked >= 10, "only {checked} files checked");
}
