//! Users point `EWS_SCHEMA_DIR` at their server's schema, which differs from ours by
//! version: types missing, elements added, enumeration values added. This test makes such a
//! variant of our `schema/` slice and generates from it; `.ci/run` then builds the crate
//! against the variant (it is written to `target/tmp/schema-variant`).

use std::path::{Path, PathBuf};

use ews_codegen::Config;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `text` with the complex type `name` taken out.
fn remove_type(text: &str, name: &str) -> String {
    let start = text
        .find(&format!("<xs:complexType name=\"{name}\""))
        .unwrap_or_else(|| panic!("no type {name}"));
    let end = start + text[start..].find("</xs:complexType>").unwrap() + "</xs:complexType>".len();
    let line_start = text[..start].rfind('\n').unwrap();
    format!("{}{}", &text[..line_start], &text[end..])
}

/// `text` with the line holding `needle` taken out.
fn remove_line(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    let start = text[..at].rfind('\n').unwrap();
    let end = at + text[at..].find('\n').unwrap();
    format!("{}{}", &text[..start], &text[end..])
}

/// `text` with `line` added at the end of the sequence of the complex type `name`.
fn add_to_sequence(text: &str, name: &str, line: &str) -> String {
    let start = text
        .find(&format!("<xs:complexType name=\"{name}\""))
        .unwrap();
    let at = start + text[start..].find("    </xs:sequence>").unwrap();
    format!("{}      {line}\n{}", &text[..at], &text[at..])
}

/// Writes the variant: an older server without persona bodies, a newer one with an IM
/// group color and a later schema version value.
fn write_variant(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let types = std::fs::read_to_string(repo().join("schema/types.xsd")).unwrap();
    let mut types = remove_line(&types, "<xs:element name=\"Bodies\"");
    for name in [
        "ArrayOfBodyContentAttributedValuesType",
        "BodyContentAttributedValueType",
        "BodyContentType",
    ] {
        types = remove_type(&types, name);
    }
    types = add_to_sequence(
        &types,
        "ImGroupType",
        r#"<xs:element name="Color" type="xs:string" minOccurs="0"/>"#,
    );
    types = types.replace(
        r#"<xs:enumeration value="Exchange2013_SP1"/>"#,
        r#"<xs:enumeration value="Exchange2013_SP1"/>
      <xs:enumeration value="V2026_01_01"/>"#,
    );
    std::fs::write(dir.join("types.xsd"), types).unwrap();
    for file in ["messages.xsd", "Services.wsdl"] {
        std::fs::copy(repo().join("schema").join(file), dir.join(file)).unwrap();
    }
}

#[test]
fn a_schema_of_another_version_generates() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schema-variant");
    write_variant(&dir);
    let modules = Config::new(&dir).generate().unwrap();
    let types = &modules.iter().find(|m| m.name == "types").unwrap().code;
    syn::parse_file(types).unwrap();
    let persona = &types[types.find("pub struct Persona {").unwrap()..];
    let persona = &persona[..persona.find("\n}").unwrap()];
    assert!(
        !persona.contains("pub bodies"),
        "the missing type's element is gone"
    );
    assert!(
        !types.contains("pub struct BodyContent "),
        "the missing type is gone"
    );
    let group = &types[types.find("pub struct ImGroup {").unwrap()..];
    let group = &group[..group.find("\n}").unwrap()];
    assert!(group.contains("pub color: rt::Option<rt::Text>"), "{group}");
    assert!(
        types.contains("        V2026_01_01 = \"V2026_01_01\","),
        "the added enumeration value"
    );
    // The operations are the same.
    let ours = Config::new(repo().join("schema")).generate().unwrap();
    let ops = |m: &[ews_codegen::GeneratedModule]| {
        m.iter()
            .find(|m| m.name == "operations")
            .unwrap()
            .code
            .clone()
    };
    assert_eq!(ops(&modules), ops(&ours));
}
