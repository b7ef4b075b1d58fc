//! Our `schema/` slice must mean what Microsoft's official schema means: every definition
//! in it, interpreted by xsd-parser, has the same particles, names, types, occurrences,
//! enumerations and attributes as the official definition of the same name; and the
//! generator builds the same model from either.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use common::official_dir;
use ews_codegen::Config;
use xsd_parser::models::meta::{
    AttributeMetaVariant, ElementMetaVariant, GroupMeta, MetaTypeVariant, MetaTypes,
};
use xsd_parser::models::{IdentType, TypeIdent};

mod common;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A structural description of a named type, with anonymous parts described inline and
/// namespaces by URI, so that descriptions from two parses can be compared.
struct Describer<'t> {
    types: &'t MetaTypes,
}

impl Describer<'_> {
    fn uri(&self, ident: &TypeIdent) -> String {
        self.ns_uri(ident.ns)
    }

    fn ns_uri(&self, ns: xsd_parser::models::schema::NamespaceId) -> String {
        self.types
            .modules
            .get(&ns)
            .and_then(|m| m.namespace.as_ref())
            .map(|n| String::from_utf8_lossy(&n.0).into_owned())
            .unwrap_or_default()
    }

    fn reference(&self, ident: &TypeIdent, out: &mut String, depth: usize) {
        let named = ident.name.is_named()
            && matches!(
                ident.type_,
                IdentType::Type | IdentType::Element | IdentType::BuildIn
            );
        if named {
            let _ = write!(
                out,
                "{{{}}}{:?}:{}",
                self.uri(ident),
                ident.type_,
                ident.name
            );
        } else {
            out.push('(');
            self.describe(ident, out, depth + 1);
            out.push(')');
        }
    }

    fn group(&self, kind: &str, g: &GroupMeta, out: &mut String, depth: usize) {
        let _ = write!(out, "{kind} mixed={} [", g.is_mixed);
        for e in g.elements.iter() {
            let _ = write!(
                out,
                " {{{}}}{} form={:?} nillable={} occurs={}..{:?} ",
                self.ns_uri(e.ident.ns),
                // Names xsd-parser makes up (`any72`) depend on definition order.
                e.ident.name.as_named_str().unwrap_or("<generated>"),
                e.form,
                e.nillable,
                e.min_occurs,
                e.max_occurs
            );
            match &e.variant {
                ElementMetaVariant::Text => out.push_str("text"),
                ElementMetaVariant::Any { meta } => {
                    let _ = write!(out, "any {:?} {:?}", meta.namespace, meta.process_contents);
                }
                ElementMetaVariant::Type { type_, mode } => {
                    let _ = write!(out, "{mode:?} ");
                    self.reference(type_, out, depth);
                }
            }
            out.push(';');
        }
        out.push_str(" ]");
    }

    fn describe(&self, ident: &TypeIdent, out: &mut String, depth: usize) {
        assert!(depth < 64, "runaway description at {ident}");
        let Some(ty) = self.types.items.get(ident) else {
            let _ = write!(out, "missing {ident}");
            return;
        };
        match &ty.variant {
            MetaTypeVariant::BuildIn(b) => {
                let _ = write!(out, "builtin {b:?}");
            }
            MetaTypeVariant::Custom(c) => {
                let _ = write!(out, "custom {}", c.name());
            }
            MetaTypeVariant::Reference(r) => {
                let _ = write!(
                    out,
                    "ref nillable={} occurs={}..{:?} ",
                    r.nillable, r.min_occurs, r.max_occurs
                );
                self.reference(&r.type_, out, depth);
            }
            MetaTypeVariant::SimpleType(s) => {
                let _ = write!(out, "simple list={} {:?} base=", s.is_list, s.constrains);
                self.reference(&s.base, out, depth);
            }
            MetaTypeVariant::Enumeration(e) => {
                let values: Vec<&str> = e.variants.iter().map(|v| v.ident.name.as_str()).collect();
                let _ = write!(
                    out,
                    "enum {:?} {values:?} base={:?}",
                    e.constrains,
                    e.base.as_ident().map(|b| b.name.to_string())
                );
            }
            MetaTypeVariant::Union(u) => {
                out.push_str("union");
                for t in u.types.iter() {
                    out.push(' ');
                    self.reference(&t.type_, out, depth);
                }
                let _ = write!(out, " {:?}", u.constrains);
            }
            MetaTypeVariant::Dynamic(d) => {
                out.push_str("dynamic");
                for t in &d.derived_types {
                    out.push(' ');
                    self.reference(&t.type_, out, depth);
                }
            }
            MetaTypeVariant::All(g) => self.group("all", g, out, depth),
            MetaTypeVariant::Choice(g) => self.group("choice", g, out, depth),
            MetaTypeVariant::Sequence(g) => self.group("sequence", g, out, depth),
            MetaTypeVariant::ComplexType(c) => {
                let _ = write!(
                    out,
                    "complex occurs={}..{:?} dynamic={} mixed={} base=",
                    c.min_occurs, c.max_occurs, c.is_dynamic, c.is_mixed
                );
                match c.base.as_ident() {
                    Some(b) => self.reference(b, out, depth),
                    None => out.push('-'),
                }
                for a in c.attributes.iter() {
                    let _ = write!(
                        out,
                        " @{{{}}}{} {:?} {:?} default={:?} ",
                        self.ns_uri(a.ident.ns),
                        a.ident.name,
                        a.use_,
                        a.form,
                        a.default
                    );
                    match &a.variant {
                        AttributeMetaVariant::Type(t) => self.reference(t, out, depth),
                        AttributeMetaVariant::Any(any) => {
                            let _ =
                                write!(out, "any {:?} {:?}", any.namespace, any.process_contents);
                        }
                    }
                }
                out.push_str(" content=");
                match &c.content {
                    Some(content) => self.reference(content, out, depth),
                    None => out.push('-'),
                }
            }
        }
    }
}

const EWS: [&str; 2] = [ews_codegen::NS_TYPES, ews_codegen::NS_MESSAGES];

/// The named EWS definitions of a parse, described.
fn definitions(types: &MetaTypes) -> BTreeMap<String, String> {
    let d = Describer { types };
    types
        .items
        .keys()
        .filter(|id| id.name.is_named() && matches!(id.type_, IdentType::Type | IdentType::Element))
        .filter(|id| EWS.contains(&d.uri(id).as_str()))
        .map(|id| {
            let mut out = String::new();
            d.describe(id, &mut out, 0);
            (format!("{{{}}}{:?}:{}", d.uri(id), id.type_, id.name), out)
        })
        .collect()
}

#[test]
fn slice_matches_official() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let ours = definitions(&Config::new(repo().join("schema")).interpret().unwrap());
    let official = definitions(&Config::new(&official_dir).interpret().unwrap());
    assert!(ours.len() > 100, "the slice has {} definitions", ours.len());
    let mut differences = Vec::new();
    for (name, description) in &ours {
        match official.get(name) {
            None => differences.push(format!("{name}: not in the official schema")),
            Some(theirs) if theirs != description => differences.push(format!(
                "{name}:\n  ours:     {description}\n  official: {theirs}"
            )),
            Some(_) => {}
        }
    }
    assert!(
        differences.is_empty(),
        "{} definitions differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// The slice and the official schema with the slice's roots generate the same types and
/// messages, doc comments aside (the operations follow each WSDL's order;
/// `slice_wsdl_matches_official` compares those).
#[test]
fn slice_and_official_schema_give_the_same_code() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let slice = Config::new(repo().join("schema"));
    let roots = slice.root_elements().unwrap().unwrap();
    let ours = slice.generate().unwrap();
    let official = Config::new(&official_dir).roots(roots).generate().unwrap();
    // Our slice documents the IM types in its own words; the code must be the same.
    let code = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with("///"))
            .map(str::to_owned)
            .collect()
    };
    for (a, b) in ours.iter().zip(&official).take(2) {
        assert_eq!(a.name, b.name);
        let (a_code, b_code) = (code(&a.code), code(&b.code));
        let first = a_code.iter().zip(&b_code).position(|(x, y)| x != y);
        assert!(
            a_code == b_code,
            "{}: the code differs from line {:?} on",
            a.name,
            first.map(|l| l + 1)
        );
    }
}

/// Our `Services.wsdl` binds the IM operations as the official one does: the same
/// SOAPActions, body elements and headers.
#[test]
fn slice_wsdl_matches_official() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let ours = Config::new(repo().join("schema")).operations().unwrap();
    let official = Config::new(&official_dir).operations().unwrap();
    assert_eq!(official.iter().filter(|o| o.in_wsdl).count(), 123);
    assert_eq!(ours.len(), 13);
    for op in &ours {
        let theirs = official.iter().find(|o| o.name == op.name);
        assert_eq!(Some(op), theirs, "operation {}", op.name);
    }
}

/// The binding's facts that differ from the regular pattern are read as they are.
/// The local names of the request headers `op` takes.
fn header_names(op: &ews_codegen::wsdl::Operation) -> Vec<&str> {
    op.request_headers
        .iter()
        .map(|h| h.local.as_str())
        .collect()
}

#[test]
fn official_wsdl_irregular_operations() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let ops = Config::new(&official_dir).operations().unwrap();
    let op = |name: &str| ops.iter().find(|o| o.name == name).unwrap();
    let base = "http://schemas.microsoft.com/exchange/services/2006/messages/";
    assert_eq!(
        op("GetStreamingEvents").soap_action,
        format!("{base}GetEvents")
    );
    for name in ["Get", "Create", "Update", "Delete"] {
        let name = format!("{name}MeetingInstance");
        assert_eq!(op(&name).soap_action, format!("{base}{name}Request"));
        assert_eq!(op(&name).request.local, format!("{name}Request"));
    }
    // GetUserAvailability's binding lists RequestVersion twice; it is sent once.
    assert_eq!(
        header_names(op("GetUserAvailability")),
        [
            "ExchangeImpersonation",
            "TimeZoneContext",
            "RequestServerVersion"
        ]
    );
    let irregular: Vec<&str> = ops
        .iter()
        .filter(|o| o.soap_action != format!("{base}{}", o.name))
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(irregular.len(), 5, "{irregular:?}");
}

/// Each schema type's Rust name, by module and schema name (`types`, `t:ImGroupType`).
fn names(model: &ews_codegen::Model) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for m in &model.modules {
        for item in &m.items {
            let (xsd, name) = match item {
                ews_codegen::Item::Struct(s) => (s.xsd.clone(), &s.name),
                ews_codegen::Item::Enum(e) => (e.xsd.clone(), &e.name),
                ews_codegen::Item::Derived(d) => (format!("{} and derived types", d.xsd), &d.name),
                ews_codegen::Item::Choice(_) => continue,
            };
            out.insert((m.name.clone(), xsd), name.clone());
        }
    }
    out
}

/// A generated name means the same schema definition whatever the roots: the slice build
/// and the whole official schema with every root name each definition of the slice alike.
#[test]
fn names_do_not_depend_on_the_roots() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let slice = names(&Config::new(repo().join("schema")).model().unwrap());
    let whole = names(&Config::new(&official_dir).all_roots().model().unwrap());
    let moved: Vec<String> = slice
        .iter()
        .filter(|(key, name)| whole.get(*key) != Some(*name))
        .map(|((m, xsd), name)| {
            format!(
                "{m}::{name} ({xsd}) is {:?} in the whole schema",
                whole.get(&(m.clone(), xsd.clone()))
            )
        })
        .collect();
    assert!(moved.is_empty(), "{}", moved.join("\n"));
    // And no name means two definitions across the two builds.
    let mut by_name: BTreeMap<(String, String), String> = BTreeMap::new();
    for ((m, xsd), name) in whole.iter().chain(slice.iter()) {
        if let Some(other) = by_name.insert((m.clone(), name.clone()), xsd.clone()) {
            assert_eq!(&other, xsd, "{m}::{name} names two definitions");
        }
    }
}

/// The operations only messages.xsd defines (`X` and `XResponse`, unbound) come after the
/// binding's, with the messages namespace's SOAPAction and the binding's most common
/// request headers.
#[test]
fn operations_only_the_schema_defines_are_read_too() {
    let Some(official_dir) = official_dir() else {
        return;
    };
    let ops = Config::new(&official_dir).operations().unwrap();
    let extra: Vec<&str> = ops
        .iter()
        .filter(|o| !o.in_wsdl)
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(
        extra,
        [
            "CreateOrUpdateFocusedOtherOverride",
            "DeleteFocusedOtherOverride",
            "FindMailboxStatisticsByKeywords",
            "GetFocusedOtherOverrides",
            "GetOMEConfiguration",
            "GetOMEMessageStatus",
            "GetReminders",
            "MarkAsPhishing",
            "PerformInstantSearch",
            "PerformReminderAction",
            "RegisterConsent",
            "SetOMEConfiguration",
            "SetOMEMessageStatus",
        ]
    );
    let reminders = ops.iter().find(|o| o.name == "GetReminders").unwrap();
    assert_eq!(
        reminders.soap_action,
        "http://schemas.microsoft.com/exchange/services/2006/messages/GetReminders"
    );
    assert_eq!(reminders.response.local, "GetRemindersResponse");
    assert_eq!(
        header_names(reminders),
        [
            "ExchangeImpersonation",
            "MailboxCulture",
            "RequestServerVersion"
        ]
    );
}
