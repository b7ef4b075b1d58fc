//! The reader against the W3C XML Conformance Test Suite (xmlts20130923): every case of
//! `xmlconf/cases.tsv` (derived from the suite's catalogs by `tools/xmlconf_cases.py`: the
//! not-well-formed documents a reader of UTF-8 that refuses DTDs can be judged on, to be
//! refused; the well-formed ones and the canonical outputs, to be accepted), read two ways:
//! the whole tree (`AnyElement`) and the root skipped, as generated readers skip unknown
//! elements. The suite is read from `../shared/xmlconf/xmlts20130923.zip` as it is (its
//! licence allows no other copy). `xmlconf/known-failures.tsv` lists what the reader still
//! gets wrong, with why; a listed case that passes fails the test, so the list stays true.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use ews_bindings::xml::{AnyElement, XmlReader};

/// How a document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    /// The whole tree, as `AnyElement`.
    Whole,
    /// The root element skipped.
    Skipped,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Whole => "whole",
            Mode::Skipped => "skipped",
        }
    }
}

/// Whether the reader accepts `bytes` read as `mode`.
fn accepts(bytes: &[u8], mode: Mode) -> bool {
    let read = || -> Result<(), ews_bindings::xml::ParseError> {
        let mut reader = XmlReader::from_bytes(bytes)?;
        let root = reader.root()?;
        match mode {
            Mode::Whole => drop(reader.read::<AnyElement>(root)?),
            Mode::Skipped => reader.skip(root)?,
        }
        reader.finish()
    };
    read().is_ok()
}

/// A file of this test's data, `tests/xmlconf/NAME`, as (fields of each line).
fn table(name: &str) -> Vec<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/xmlconf")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_reader_passes_the_xml_conformance_suite_but_for_the_known_failures() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let zip = std::fs::File::open(shared.join("xmlconf/xmlts20130923.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(zip).unwrap();
    let known: BTreeMap<(String, String), String> = table("known-failures.tsv")
        .into_iter()
        .map(|f| ((f[0].clone(), f[1].clone()), f[2].clone()))
        .collect();
    let mut failures = BTreeSet::new();
    let mut counts = BTreeMap::new();
    for case in table("cases.tsv") {
        let (id, expect, path) = (&case[0], &case[1], &case[2]);
        let mut bytes = Vec::new();
        archive
            .by_name(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .read_to_end(&mut bytes)
            .unwrap();
        for mode in [Mode::Whole, Mode::Skipped] {
            let right = accepts(&bytes, mode) == (expect == "accept");
            *counts.entry((expect.clone(), right)).or_insert(0) += 1;
            if !right {
                failures.insert((id.clone(), mode.name().to_owned()));
            }
        }
    }
    eprintln!("outcomes (expected, right) per case and mode: {counts:?}");
    let listed: BTreeSet<_> = known.keys().cloned().collect();
    let new: Vec<_> = failures.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&failures).collect();
    assert!(
        new.is_empty() && stale.is_empty(),
        "failures not in known-failures.tsv: {new:?}\nlisted but passing now: {stale:?}"
    );
}
