//! The `ews-codegen` command: help, generation into a directory with its options, and
//! errors that name what to change.

use std::path::PathBuf;
use std::process::{Command, Output};

fn ews_codegen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ews-codegen"))
        .args(args)
        .output()
        .unwrap()
}

fn schema() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schema")
        .display()
        .to_string()
}

#[test]
fn help_succeeds_and_names_every_option() {
    let run = ews_codegen(&["--help"]);
    assert!(run.status.success());
    let text = String::from_utf8(run.stdout).unwrap();
    for option in [
        "--schema",
        "--out",
        "--all",
        "--roots",
        "--runtime",
        "--polymorphic",
    ] {
        assert!(text.contains(option), "{option} in {text}");
    }
}

#[test]
fn writes_the_modules_with_the_chosen_types_read_by_xsi_type() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ews-codegen-cli");
    let _ = std::fs::remove_dir_all(&out);
    let run = ews_codegen(&[
        "--schema",
        &schema(),
        "--out",
        out.to_str().unwrap(),
        "--roots",
        "t:TimeZoneContext",
        "--runtime",
        "ews_bindings",
        "--polymorphic",
        "t:TransitionType",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let types = std::fs::read_to_string(out.join("types.rs")).unwrap();
    assert!(types.starts_with("// @generated"));
    assert!(types.contains("pub enum AnyTransition"));
    assert!(types.contains("use ews_bindings::__private as rt;"));
    assert!(
        !types.contains("pub struct Persona "),
        "only the root's closure"
    );
}

#[test]
fn errors_say_what_is_wrong_and_exit_1() {
    for (args, says) in [
        (vec!["--schema"], "--schema needs a value"),
        (vec!["--frobnicate"], "unknown argument --frobnicate"),
        (
            vec!["fetch", "--url", "https://mail/EWS/"],
            "cargo run --example fetch_schema",
        ),
        (
            vec!["--schema", "/nonexistent", "--out", "/tmp/x"],
            "/nonexistent/types.xsd",
        ),
    ] {
        let run = ews_codegen(&args);
        assert_eq!(run.status.code(), Some(1), "{args:?}");
        let text = String::from_utf8(run.stderr).unwrap();
        assert!(text.contains(says), "{args:?}: {text}");
    }
    let bad = ews_codegen(&[
        "--schema",
        &schema(),
        "--out",
        env!("CARGO_TARGET_TMPDIR"),
        "--polymorphic",
        "t:ImGroupType",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8(bad.stderr).unwrap();
    assert!(
        text.contains("ImGroupType, which the schema does not define"),
        "{text}"
    );
}
