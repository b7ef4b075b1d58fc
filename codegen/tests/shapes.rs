//! The schema shapes that are easy to get wrong, each in a schema of a few lines: types that
//! hold themselves (directly, through another type, through a list), substitution groups,
//! and names that clash (a type name taken twice, a field name taken twice, a keyword, an
//! enumeration value that is the unlisted variant's name).

use std::path::PathBuf;

use ews_codegen::Config;

const HEAD_TYPES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
           targetNamespace="http://schemas.microsoft.com/exchange/services/2006/types"
           elementFormDefault="qualified">
"#;

const MESSAGES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
           targetNamespace="http://schemas.microsoft.com/exchange/services/2006/messages"
           elementFormDefault="qualified">
  <xs:import namespace="http://schemas.microsoft.com/exchange/services/2006/types" schemaLocation="types.xsd"/>
</xs:schema>
"#;

const WSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    targetNamespace="http://schemas.microsoft.com/exchange/services/2006/messages"/>
"#;

/// The generated types module of a schema whose types namespace declares `types`, every
/// global element a root.
fn generate(case: &str, types: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("shapes")
        .join(case);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("types.xsd"),
        format!("{HEAD_TYPES}{types}</xs:schema>\n"),
    )
    .unwrap();
    std::fs::write(dir.join("messages.xsd"), MESSAGES).unwrap();
    std::fs::write(dir.join("Services.wsdl"), WSDL).unwrap();
    let modules = Config::new(&dir).all_roots().generate().unwrap();
    let code = modules
        .into_iter()
        .find(|m| m.name == "types")
        .unwrap()
        .code;
    syn::parse_file(&code).unwrap_or_else(|e| panic!("{case}: {e}\n{code}"));
    code
}

/// The declaration of the item `header` (`pub struct Folder {`) in `code`.
fn item<'a>(code: &'a str, header: &str) -> &'a str {
    let start = code
        .find(header)
        .unwrap_or_else(|| panic!("no `{header}` in\n{code}"));
    let end = start + code[start..].find("\n}").unwrap();
    &code[start..end]
}

#[test]
fn a_type_holding_itself_is_boxed_once_and_lists_are_not() {
    let code = generate(
        "recursion",
        r#"  <xs:element name="Folder" type="t:FolderType"/>
  <xs:complexType name="FolderType">
    <xs:sequence>
      <xs:element name="Parent" type="t:FolderType" minOccurs="0"/>
      <xs:element name="Children" type="t:FolderType" minOccurs="0" maxOccurs="unbounded"/>
      <xs:element name="Rule" type="t:RuleType" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="RuleType">
    <xs:sequence>
      <xs:element name="Target" type="t:FolderType"/>
    </xs:sequence>
  </xs:complexType>
"#,
    );
    let folder = item(&code, "pub struct Folder {");
    assert!(
        folder.contains("pub parent: rt::Option<rt::Box<Folder>>"),
        "{folder}"
    );
    assert!(
        folder.contains("pub children: rt::Vec<Folder>"),
        "a Vec holds its items on the heap already: {folder}"
    );
    // Folder -> Rule -> Folder: one edge of the cycle is boxed, and the type has a size.
    let rule = item(&code, "pub struct Rule {");
    let boxed = folder.contains("rt::Option<rt::Box<Rule>>") || rule.contains("rt::Box<Folder>");
    assert!(boxed, "{folder}\n{rule}");
}

#[test]
fn a_substitution_group_is_an_enum_of_its_members() {
    let code = generate(
        "substitution",
        r#"  <xs:element name="Path" type="t:BasePathType" abstract="true"/>
  <xs:element name="FieldURI" type="t:FieldURIType" substitutionGroup="t:Path"/>
  <xs:element name="ExtendedFieldURI" type="t:ExtendedFieldURIType" substitutionGroup="t:Path"/>
  <xs:element name="Shape" type="t:ShapeType"/>
  <xs:complexType name="BasePathType" abstract="true"/>
  <xs:complexType name="FieldURIType">
    <xs:complexContent>
      <xs:extension base="t:BasePathType">
        <xs:attribute name="FieldURI" type="xs:string" use="required"/>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="ExtendedFieldURIType">
    <xs:complexContent>
      <xs:extension base="t:BasePathType">
        <xs:attribute name="PropertyTag" type="xs:string" use="optional"/>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:complexType name="ShapeType">
    <xs:sequence>
      <xs:element ref="t:Path" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
"#,
    );
    let group = item(&code, "pub enum PathElement {");
    let variants: Vec<&str> = group
        .lines()
        .filter_map(|l| l.trim().split_once('(').map(|(v, _)| v))
        .collect();
    assert_eq!(variants, ["FieldURI", "ExtendedFieldURI"], "{group}");
    let shape = item(&code, "pub struct Shape {");
    assert!(
        shape.contains("pub path: rt::Vec<PathElement>"),
        "the field is named by the head element: {shape}"
    );
    // The members' elements are read by name, as the group's head stands for them.
    assert!(code.contains("\"FieldURI\" =>"), "{code}");
    assert!(code.contains("\"ExtendedFieldURI\" =>"), "{code}");
}

#[test]
fn clashing_names_are_kept_apart() {
    let code = generate(
        "clashes",
        r#"  <xs:element name="Holder" type="t:HolderType"/>
  <xs:complexType name="EmailAddressType">
    <xs:sequence>
      <xs:element name="Name" type="xs:string" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="EmailAddress">
    <xs:sequence>
      <xs:element name="Address" type="xs:string" minOccurs="0"/>
    </xs:sequence>
  </xs:complexType>
  <xs:simpleType name="KindType">
    <xs:restriction base="xs:string">
      <xs:enumeration value="Other"/>
      <xs:enumeration value="Self"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="HolderType">
    <xs:sequence>
      <xs:element name="Id" type="xs:string" minOccurs="0"/>
      <xs:element name="Type" type="t:KindType" minOccurs="0"/>
      <xs:element name="Classic" type="t:EmailAddressType" minOccurs="0"/>
      <xs:element name="Plain" type="t:EmailAddress" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="Id" type="xs:string"/>
  </xs:complexType>
"#,
    );
    // The classic `…Type` keeps the short name; the other takes `Value`.
    assert!(item(&code, "pub struct EmailAddress {").contains("pub name:"));
    assert!(item(&code, "pub struct EmailAddressValue {").contains("pub address:"));
    let holder = item(&code, "pub struct Holder {");
    for field in [
        "pub id: rt::Option<",
        "pub id2: rt::Option<",
        "pub r#type: rt::Option<Kind>",
        "pub classic: rt::Option<EmailAddress>",
        "pub plain: rt::Option<EmailAddressValue>",
    ] {
        assert!(holder.contains(field), "{field} in {holder}");
    }
    // `Other` is a listed value, so values the schema does not list go elsewhere.
    let start = code
        .find("#[other = UnknownValue]")
        .expect("the unlisted variant");
    let kind = item(&code[start..], "pub enum Kind {");
    assert!(kind.contains("Other = \"Other\","), "{kind}");
    // `Self` cannot be an identifier, not even a raw one.
    assert!(kind.contains("Self_ = \"Self\","), "{kind}");
}
