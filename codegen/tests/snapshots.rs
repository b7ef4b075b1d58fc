//! Snapshots of what the generator emits for the key types, so that a change of the schema
//! or of the generator shows up as a reviewable diff (`cargo insta review`), and checks
//! that generation is deterministic and leaves unchanged files alone.

use std::path::PathBuf;

use ews_codegen::{Config, GeneratedModule};
use quote::ToTokens;

fn schema() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

fn generate() -> Vec<GeneratedModule> {
    Config::new(schema())
        .generate()
        .expect("the slice generates")
}

/// The items of `module` that define or implement `name`, formatted.
fn items_for(modules: &[GeneratedModule], module: &str, name: &str) -> String {
    let code = &modules.iter().find(|m| m.name == module).unwrap().code;
    let file = syn::parse_file(code).unwrap();
    let items: Vec<syn::Item> = file
        .items
        .into_iter()
        .filter(|item| match item {
            syn::Item::Struct(s) => s.ident == name,
            syn::Item::Enum(e) => e.ident == name,
            syn::Item::Impl(i) => i.self_ty.to_token_stream().to_string() == name,
            other => {
                ews_codegen::value_enum(other).is_some_and(|e| e.ident == name)
                    || ews_codegen::reflected(other).is_some_and(|s| s.ident == name)
            }
        })
        .collect();
    assert!(!items.is_empty(), "{module}::{name} is not generated");
    ews_codegen::unparse(syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    })
}

macro_rules! snapshots {
    ($($test:ident: $module:literal :: $name:literal;)*) => {$(
        #[test]
        fn $test() {
            let modules = generate();
            insta::assert_snapshot!(items_for(&modules, $module, $name));
        }
    )*};
}

snapshots! {
    im_item_list: "types"::"ImItemList";
    im_group: "types"::"ImGroup";
    persona: "types"::"Persona";
    get_im_item_list: "messages"::"GetImItemList";
    get_im_item_list_response: "messages"::"GetImItemListResponseMessage";
    exchange_impersonation: "types"::"ExchangeImpersonation";
    connecting_sid: "types"::"ConnectingSID";
    connecting_sid_choice: "types"::"ConnectingSIDChoice";
    mailbox_culture: "types"::"MailboxCulture";
    request_server_version: "types"::"RequestServerVersion";
    exchange_version: "types"::"ExchangeVersion";
    server_version_info: "types"::"ServerVersionInfo";
    types_elements: "types"::"Element";
    messages_elements: "messages"::"Element";
    get_im_item_list_operation: "operations"::"GetImItemList";
}

/// The size of the generated code, so that growth is reviewed too.
#[test]
fn generated_size() {
    let mut summary = String::new();
    for m in generate() {
        let file = syn::parse_file(&m.code).unwrap();
        let structs = file
            .items
            .iter()
            .filter(|i| matches!(i, syn::Item::Struct(_)))
            .count();
        let enums = file
            .items
            .iter()
            .filter(|i| matches!(i, syn::Item::Enum(_)) || ews_codegen::value_enum(i).is_some())
            .count();
        summary.push_str(&format!(
            "{}: {} lines, {} structs, {} enums\n",
            m.name,
            m.code.lines().count(),
            structs,
            enums
        ));
    }
    insta::assert_snapshot!(summary);
}

#[test]
fn every_module_starts_with_the_generated_header() {
    for m in generate() {
        assert!(m.code.starts_with("// @generated"), "{}", m.name);
    }
}

#[test]
fn generating_twice_gives_identical_output() {
    assert_eq!(generate(), generate());
}

#[test]
fn write_to_leaves_unchanged_files_alone() {
    let dir = std::env::temp_dir().join(format!("ews-codegen-test-{}", std::process::id()));
    let config = Config::new(schema());
    let files = config.write_to(&dir).unwrap();
    let before: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    config.write_to(&dir).unwrap();
    let after: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    assert_eq!(before, after, "unchanged output was rewritten");
    std::fs::write(&files[0], "stale").unwrap();
    config.write_to(&dir).unwrap();
    assert!(std::fs::read_to_string(&files[0])
        .unwrap()
        .starts_with("// @generated"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_schema_file_is_named_in_the_error() {
    let err = Config::new("/nonexistent/schema").generate().unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/schema/types.xsd"),
        "{err}"
    );
}

#[test]
fn an_invalid_schema_is_reported_with_its_directory() {
    let dir = std::env::temp_dir().join(format!("ews-codegen-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("types.xsd"), "<xs:schema").unwrap();
    std::fs::write(dir.join("messages.xsd"), "<not-a-schema/>").unwrap();
    std::fs::copy(schema().join("Services.wsdl"), dir.join("Services.wsdl")).unwrap();
    let err = Config::new(&dir).generate().unwrap_err();
    assert!(err.to_string().contains(dir.to_str().unwrap()), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cargo run -p ews-codegen -- --schema DIR --out DIR` writes what the build script writes.
#[test]
fn the_regenerate_command_writes_the_build_script_output() {
    let out = std::env::temp_dir().join(format!("ews-codegen-cli-{}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_ews-codegen"))
        .args([
            "--schema",
            schema().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    for m in generate() {
        let written = std::fs::read_to_string(out.join(format!("{}.rs", m.name))).unwrap();
        assert_eq!(written, m.code, "{}", m.name);
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_ews-codegen"))
        .args(["--schema", "/nonexistent", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent/types.xsd"));
    std::fs::remove_dir_all(&out).unwrap();
}

/// `--help` explains the command and succeeds; an unknown argument fails with the usage.
#[test]
fn the_command_has_help() {
    let run = |arg: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ews-codegen"))
            .arg(arg)
            .output()
            .unwrap()
    };
    let help = run("--help");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("usage: ews-codegen --schema DIR --out DIR"),
        "{text}"
    );
    let bad = run("--bogus");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument --bogus"));
}

/// A concrete type chosen to be read by `xsi:type`: its elements hold an enum of the type
/// and the types derived from it that are not abstract, and the substitution group of
/// `t:Transition` holds that enum where it held the type.
#[test]
fn a_concrete_type_chosen_for_xsi_type() {
    let modules = Config::new(schema())
        .polymorphic("t:TransitionType")
        .generate()
        .expect("the slice generates");
    insta::assert_snapshot!(items_for(&modules, "types", "AnyTransition"));
    let group = items_for(&modules, "types", "TransitionElement");
    assert!(group.contains("Transition(AnyTransition)"), "{group}");
    // Without the choice, the element holds the type itself.
    let group = items_for(&generate(), "types", "TransitionElement");
    assert!(group.contains("Transition(Transition)"), "{group}");
}

#[test]
fn a_type_that_cannot_be_chosen_for_xsi_type_is_named_in_the_error() {
    for (name, says) in [
        (
            "t:NoSuchType",
            "{http://schemas.microsoft.com/exchange/services/2006/types}NoSuchType",
        ),
        // Nothing derives from it.
        (
            "t:ImGroupType",
            "}ImGroupType, which the schema does not define as a concrete",
        ),
        // Abstract: read by xsi:type already.
        ("t:BaseItemIdType", "}BaseItemIdType, which"),
        ("TransitionType", "name it t:Name or m:Name"),
    ] {
        let err = Config::new(schema())
            .polymorphic(name)
            .generate()
            .unwrap_err();
        assert!(err.to_string().contains(says), "{name}: {err}");
    }
}
