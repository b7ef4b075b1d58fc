//! The model the renderer works from, built from xsd-parser's interpreted types.
//!
//! xsd-parser reads the schema and resolves it (extensions flattened into their derived
//! types, groups and references resolved); this module keeps the closure of the chosen
//! root elements and decides the Rust shape of each type: struct, choice enum or value enum,
//! with fields named, typed and counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use xsd_parser::models::meta::{
    AttributeMetaVariant, Base, BuildInMeta, ComplexMeta, ElementMeta, ElementMetaVariant,
    ElementMode, GroupMeta, MetaType, MetaTypeVariant, MetaTypes,
};
use xsd_parser::models::schema::xs::{AttributeUseType, FormChoiceType};
use xsd_parser::models::schema::{MaxOccurs, NamespaceId};
use xsd_parser::models::{IdentType, TypeIdent};

use crate::naming::{self, unique};
use crate::{Alias, Error, QName, Root};

/// The generated modules, one per namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The modules, in the order of the configured namespaces.
    pub modules: Vec<Module>,
}

impl Model {
    /// The struct a type reference names, if it names one.
    pub fn struct_def(&self, ty: &TypeRef) -> Option<&StructDef> {
        let TypeRef::Named { module, name, .. } = ty else {
            return None;
        };
        self.modules[*module].items.iter().find_map(|i| match i {
            Item::Struct(s) if s.name == *name => Some(s),
            _ => None,
        })
    }

    /// The choice enum a reference names.
    pub fn choice_def(&self, choice: &ChoiceRef) -> Option<&ChoiceDef> {
        self.modules[choice.module]
            .items
            .iter()
            .find_map(|i| match i {
                Item::Choice(c) if c.name == choice.name => Some(c),
                _ => None,
            })
    }
}

/// What is generated for one namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The Rust module name (`types`, `messages`).
    pub name: String,
    /// The namespace URI.
    pub uri: String,
    /// The prefix the writer uses for the namespace.
    pub prefix: String,
    /// Types, sorted by name.
    pub items: Vec<Item>,
    /// The global elements that are roots, in configured order.
    pub roots: Vec<RootElement>,
}

/// A global element that the module's `Element` enum can hold.
#[derive(Debug, Clone, PartialEq)]
pub struct RootElement {
    /// The element's local name.
    pub xml: String,
    /// The variant name.
    pub variant: String,
    /// The element's type.
    pub ty: TypeRef,
}

/// A generated type.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A complex type.
    Struct(StructDef),
    /// An `xs:choice` of elements.
    Choice(ChoiceDef),
    /// A simple type with enumerated values.
    Enum(EnumDef),
    /// An abstract (or chosen) complex type told apart from its derived types by `xsi:type`.
    Derived(DerivedDef),
}

impl Item {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            Item::Struct(s) => &s.name,
            Item::Choice(c) => &c.name,
            Item::Enum(e) => &e.name,
            Item::Derived(d) => &d.name,
        }
    }
}

/// A complex type rendered as a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// The Rust name.
    pub name: String,
    /// The schema name, `prefix:Name`, or a description for anonymous types.
    pub xsd: String,
    /// Attributes, in schema order.
    pub attributes: Vec<AttrDef>,
    /// Child content, in schema order.
    pub fields: Vec<FieldDef>,
    /// The text type of a simple-content type.
    pub text: Option<TypeRef>,
    /// The schema's `xs:documentation` of the type.
    pub doc: Vec<String>,
}

/// An attribute of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDef {
    /// The Rust field name.
    pub field: String,
    /// The namespace (module index), for qualified attributes.
    pub ns: Option<NsRef>,
    /// The attribute's local name.
    pub xml: String,
    /// Its value type.
    pub ty: TypeRef,
    /// Whether it must be present.
    pub required: bool,
    /// The schema's `xs:documentation` of the attribute.
    pub doc: Vec<String>,
}

/// A namespace an element or attribute name is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsRef {
    /// A generated module's namespace, by index.
    Module(usize),
    /// The `xml:` namespace.
    Xml,
}

/// How often a field's element occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    /// Exactly once.
    Required,
    /// At most once.
    Optional,
    /// Any number of times.
    Repeated,
}

impl Occurs {
    fn from_bounds(min: usize, max: MaxOccurs) -> Self {
        match max {
            MaxOccurs::Bounded(0 | 1) if min >= 1 => Occurs::Required,
            MaxOccurs::Bounded(0 | 1) => Occurs::Optional,
            _ => Occurs::Repeated,
        }
    }
}

/// A field of a struct: one element, a choice of elements, or a wildcard.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// The Rust field name.
    pub name: String,
    /// How often it occurs.
    pub occurs: Occurs,
    /// Whether the value is boxed (the type contains itself).
    pub boxed: bool,
    /// What it holds.
    pub kind: FieldKind,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// One element.
    Element(ElementDef),
    /// One of several elements: a choice enum.
    Choice(ChoiceRef),
    /// Elements matched by `xs:any`.
    Any,
}

/// An element as a field or choice variant holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementDef {
    /// The element's namespace (`None` when unqualified).
    pub ns: Option<NsRef>,
    /// The element's local name.
    pub xml: String,
    /// Other local names read as this element (never written).
    pub aliases: Vec<String>,
    /// The element's type (for a list, the wrapping type, which is not generated unless
    /// something else uses it).
    pub ty: TypeRef,
    /// When the element's type only wraps a repeated element or choice: what it wraps,
    /// held as a `Vec` instead of the wrapping type.
    pub list: Option<Box<ListDef>>,
    /// The schema's `xs:documentation` of the element.
    pub doc: Vec<String>,
}

/// What a wrapping type holds (see [`ElementDef::list`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListDef {
    /// The wrapping type's schema name.
    pub xsd: String,
    /// The repeated element or choice.
    pub item: FieldKind,
}

/// A choice enum, by module and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChoiceRef {
    /// The module index.
    pub module: usize,
    /// The Rust name.
    pub name: String,
}

/// An `xs:choice` (or a substitution group) rendered as an enum with a variant per element.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceDef {
    /// The Rust name.
    pub name: String,
    /// What it is the choice of, for its doc comment.
    pub owner: String,
    /// The variants.
    pub variants: Vec<VariantDef>,
    /// Whether a list holds it (see [`ListDef`]): it then reads and writes such lists.
    pub listed: bool,
    /// The Rust name of the type whose content it is (the list's wrapping type for a list),
    /// or for a substitution group the head's element name.
    pub owner_name: String,
    /// The nearest type every variant's type is or derives from, if there is one.
    pub base: Option<BaseType>,
    /// A word for what each variant is: the common base's name without `Base`, or the
    /// words every element's name ends with (`SubscriptionRequest`).
    pub stem: Option<String>,
    /// Whether it is a substitution group's (whose name says so and is kept).
    pub substitution: bool,
}

/// The nearest common base of a choice's variants (see [`ChoiceDef::base`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseType {
    /// The module of the type.
    pub module: usize,
    /// Its Rust name.
    pub name: String,
    /// Its schema name, `prefix:Name`.
    pub xsd: String,
}

/// A variant of a choice enum.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantDef {
    /// The variant name.
    pub name: String,
    /// Whether the value is boxed.
    pub boxed: bool,
    /// The element (or `None` for an `xs:any` variant).
    pub element: Option<ElementDef>,
}

/// The value of an element declared with an abstract complex type (or a concrete one
/// chosen with [`crate::Config::polymorphic`]): the declared type itself (no `xsi:type`, or
/// one this schema does not define) or one of the types derived from it, as the element's
/// `xsi:type` names it.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedDef {
    /// The Rust name of the enum.
    pub name: String,
    /// The declared type's schema name, `prefix:Name`.
    pub xsd: String,
    /// Whether the schema declares the type abstract.
    pub is_abstract: bool,
    /// The declared type first, then each type derived from it that is not abstract, by
    /// schema name.
    pub variants: Vec<DerivedVariant>,
    /// The schema's `xs:documentation` of the declared type.
    pub doc: Vec<String>,
}

/// A type a [`DerivedDef`] may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivedVariant {
    /// The variant name: the type's Rust name.
    pub name: String,
    /// The module the type's namespace is generated in.
    pub module: usize,
    /// The type's local schema name, as `xsi:type` names it.
    pub xsd: String,
    /// The struct of the type.
    pub ty: TypeRef,
}

/// A simple type with enumerated values.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// The Rust name.
    pub name: String,
    /// The schema name.
    pub xsd: String,
    /// (variant name, XML value) pairs, in schema order.
    pub values: Vec<(String, String)>,
    /// The variant that holds values the schema does not list.
    pub other: String,
    /// The schema's `xs:documentation` of the type.
    pub doc: Vec<String>,
}

/// The type of a field, attribute or text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// A Rust primitive or `String`.
    Prim(Prim),
    /// A generated type.
    Named {
        /// The module index.
        module: usize,
        /// The Rust name.
        name: String,
        /// Whether it is an enum of values (read and written as text).
        value: bool,
    },
    /// Any element, kept as a tree.
    Any,
    /// An `xs:list` of simple values.
    List(Box<TypeRef>),
}

impl TypeRef {
    /// Whether the type is read from and written as text.
    pub fn is_value(&self) -> bool {
        matches!(
            self,
            TypeRef::Prim(_) | TypeRef::Named { value: true, .. } | TypeRef::List(_)
        )
    }
}

/// The primitive Rust types simple types map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Prim {
    String,
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Usize,
    Isize,
    F32,
    F64,
    /// `xs:dateTime`.
    DateTime,
    /// `xs:date`.
    Date,
    /// `xs:time`.
    Time,
    /// `xs:duration`.
    Duration,
    /// `xs:base64Binary`.
    Base64Binary,
    /// `xs:hexBinary`.
    HexBinary,
}

impl Prim {
    /// The value type of the XML Schema built-in `name` that the runtime types itself
    /// (date-times, durations, binary), if it is one.
    fn from_xsd(name: &str) -> Option<Self> {
        Some(match name {
            "dateTime" => Prim::DateTime,
            "date" => Prim::Date,
            "time" => Prim::Time,
            "duration" => Prim::Duration,
            "base64Binary" => Prim::Base64Binary,
            "hexBinary" => Prim::HexBinary,
            _ => return None,
        })
    }

    /// Whether the type is one of the runtime's value types (`rt::DateTime`, …) rather
    /// than a Rust primitive.
    pub fn is_runtime(self) -> bool {
        matches!(
            self,
            Prim::String
                | Prim::DateTime
                | Prim::Date
                | Prim::Time
                | Prim::Duration
                | Prim::Base64Binary
                | Prim::HexBinary
        )
    }

    /// Whether the type has a `Default` (the empty or zero value).
    pub fn has_default(self) -> bool {
        !matches!(
            self,
            Prim::DateTime | Prim::Date | Prim::Time | Prim::Duration
        )
    }

    /// The Rust type name (for the runtime's types, the name in `xml`).
    pub fn rust(self) -> &'static str {
        match self {
            Prim::String => "String",
            Prim::Bool => "bool",
            Prim::I8 => "i8",
            Prim::I16 => "i16",
            Prim::I32 => "i32",
            Prim::I64 => "i64",
            Prim::U8 => "u8",
            Prim::U16 => "u16",
            Prim::U32 => "u32",
            Prim::U64 => "u64",
            Prim::Usize => "usize",
            Prim::Isize => "isize",
            Prim::F32 => "f32",
            Prim::F64 => "f64",
            Prim::DateTime => "DateTime",
            Prim::Date => "Date",
            Prim::Time => "Time",
            Prim::Duration => "Duration",
            Prim::Base64Binary => "Base64Binary",
            Prim::HexBinary => "HexBinary",
        }
    }

    fn from_build_in(b: &BuildInMeta) -> Self {
        match b {
            BuildInMeta::U8 => Prim::U8,
            BuildInMeta::U16 => Prim::U16,
            BuildInMeta::U32 => Prim::U32,
            BuildInMeta::U64 | BuildInMeta::U128 => Prim::U64,
            BuildInMeta::Usize => Prim::Usize,
            BuildInMeta::I8 => Prim::I8,
            BuildInMeta::I16 => Prim::I16,
            BuildInMeta::I32 => Prim::I32,
            BuildInMeta::I64 | BuildInMeta::I128 => Prim::I64,
            BuildInMeta::Isize => Prim::Isize,
            BuildInMeta::F32 => Prim::F32,
            BuildInMeta::F64 => Prim::F64,
            BuildInMeta::Bool => Prim::Bool,
            BuildInMeta::Str | BuildInMeta::String => Prim::String,
        }
    }
}

/// The schema types among `types` named by `names` (`(namespace, name)`).
fn type_idents(types: &MetaTypes, names: &crate::TypeNames) -> HashSet<TypeIdent> {
    types
        .items
        .keys()
        .filter(|ident| {
            ident.type_ == IdentType::Type
                && types
                    .modules
                    .get(&ident.ns)
                    .and_then(|m| m.namespace.as_ref())
                    .is_some_and(|uri| {
                        names.contains(&QName::new(
                            &String::from_utf8_lossy(uri.0.as_ref()),
                            ident.name.as_str(),
                        ))
                    })
        })
        .cloned()
        .collect()
}

/// The named complex types derived from each complex type, directly (by extension or
/// restriction), sorted by schema name.
fn derived_types(types: &MetaTypes) -> HashMap<TypeIdent, Vec<TypeIdent>> {
    let mut out: HashMap<TypeIdent, Vec<TypeIdent>> = HashMap::new();
    for (ident, ty) in &types.items {
        let MetaTypeVariant::ComplexType(c) = &ty.variant else {
            continue;
        };
        if ident.type_ != IdentType::Type {
            continue;
        }
        if let Base::Extension(base) | Base::Restriction(base) = &c.base {
            out.entry(base.clone()).or_default().push(ident.clone());
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    }
    out
}

/// Builds the model of `roots` from interpreted schema types.
pub(crate) struct Builder<'t> {
    types: &'t MetaTypes,
    /// Module index of each namespace id that has one.
    module_of: HashMap<NamespaceId, usize>,
    modules: Vec<Module>,
    /// Rust names of every complex and enumeration type, decided up front.
    names: HashMap<TypeIdent, (usize, String)>,
    /// Names taken in each module (types, choices).
    taken: Vec<BTreeSet<String>>,
    resolved: HashMap<TypeIdent, TypeRef>,
    substitutions: HashMap<TypeIdent, ChoiceRef>,
    queue: Vec<TypeIdent>,
    /// The named complex types derived from each complex type, directly, by schema name.
    derived: HashMap<TypeIdent, Vec<TypeIdent>>,
    /// The complex types the schema declares abstract.
    abstract_types: HashSet<TypeIdent>,
    /// The concrete complex types chosen to be read by `xsi:type` as well
    /// ([`crate::Config::polymorphic`]).
    chosen: HashSet<TypeIdent>,
    /// The enum of each abstract or chosen type with derived types (see [`DerivedDef`]).
    polymorphic: HashMap<TypeIdent, (usize, String)>,
    /// Abstract or chosen types whose enum is still to be defined.
    polymorphic_queue: Vec<TypeIdent>,
    items: Vec<BTreeMap<String, Item>>,
    aliases: &'t [Alias],
    /// The XML Schema namespace's id.
    xs: Option<NamespaceId>,
    /// The simple-content types whose text is read as base64 ([`crate::Config::base64_text`]).
    base64_texts: HashSet<TypeIdent>,
    /// The base type of each named complex type derived from another, by Rust name.
    parents: HashMap<(usize, String), (usize, String)>,
    /// The schema name (`prefix:Name`) of each named type, by Rust name.
    xsd_names: HashMap<(usize, String), String>,
}

impl<'t> Builder<'t> {
    /// A builder over `types`, with every complex and enumeration type named.
    pub(crate) fn new(
        types: &'t MetaTypes,
        namespaces: &[(String, String, String)],
        aliases: &'t [Alias],
        abstract_types: &crate::TypeNames,
        chosen: &crate::TypeNames,
        base64_texts: &crate::TypeNames,
    ) -> Self {
        let xs = types
            .modules
            .values()
            .find(|m| {
                m.namespace
                    .as_ref()
                    .is_some_and(|ns| ns.0.as_ref() == b"http://www.w3.org/2001/XMLSchema")
            })
            .map(|m| m.namespace_id);
        let mut module_of = HashMap::new();
        let mut modules = Vec::new();
        for (uri, name, prefix) in namespaces {
            let id = types
                .modules
                .values()
                .find(|m| {
                    m.namespace
                        .as_ref()
                        .is_some_and(|ns| ns.0.as_ref() == uri.as_bytes())
                })
                .map(|m| m.namespace_id);
            if let Some(id) = id {
                module_of.insert(id, modules.len());
            }
            modules.push(Module {
                name: name.clone(),
                uri: uri.clone(),
                prefix: prefix.clone(),
                items: Vec::new(),
                roots: Vec::new(),
            });
        }
        let mut builder = Builder {
            types,
            module_of,
            taken: vec![BTreeSet::new(); modules.len()],
            items: vec![BTreeMap::new(); modules.len()],
            modules,
            names: HashMap::new(),
            resolved: HashMap::new(),
            substitutions: HashMap::new(),
            queue: Vec::new(),
            derived: derived_types(types),
            abstract_types: type_idents(types, abstract_types),
            chosen: type_idents(types, chosen),
            polymorphic: HashMap::new(),
            polymorphic_queue: Vec::new(),
            aliases,
            xs,
            base64_texts: type_idents(types, base64_texts),
            parents: HashMap::new(),
            xsd_names: HashMap::new(),
        };
        builder.assign_names();
        builder.parents = builder.parent_names();
        builder.xsd_names = builder
            .names
            .iter()
            .map(|(ident, (m, name))| {
                let prefix = &builder.modules[*m].prefix;
                (
                    (*m, name.clone()),
                    format!("{prefix}:{}", ident.name.as_str()),
                )
            })
            .collect();
        builder
    }

    /// The nearest type that the type of every variant of `variants` is or derives from;
    /// `None` if a variant is not an element of a named complex type or they have none.
    fn common_base(&self, variants: &[VariantDef]) -> Option<BaseType> {
        let chain = |v: &VariantDef| -> Option<Vec<(usize, String)>> {
            let e = v.element.as_ref()?;
            let TypeRef::Named {
                module,
                name,
                value: false,
            } = &e.ty
            else {
                return None;
            };
            let mut out = vec![(*module, name.clone())];
            while let Some(parent) = self.parents.get(out.last()?) {
                out.push(parent.clone());
            }
            Some(out)
        };
        let chains: Vec<Vec<(usize, String)>> =
            variants.iter().map(chain).collect::<Option<_>>()?;
        let (first, rest) = chains.split_first()?;
        let (module, name) = first
            .iter()
            .find(|t| rest.iter().all(|c| c.contains(t)))?
            .clone();
        let xsd = self.xsd_names.get(&(module, name.clone()))?.clone();
        Some(BaseType { module, name, xsd })
    }

    /// The base type of every named complex type derived from another, by Rust name.
    fn parent_names(&self) -> HashMap<(usize, String), (usize, String)> {
        let mut out = HashMap::new();
        for (base, derived) in &self.derived {
            let Some(base) = self.names.get(base) else {
                continue;
            };
            for d in derived {
                if let Some(d) = self.names.get(d) {
                    out.insert(d.clone(), base.clone());
                }
            }
        }
        out
    }

    /// Names every complex and enumeration type of the schema, whatever the roots reach, so
    /// that a name means the same definition in every build of the same schema. A schema
    /// name ending in `Type` gives the name without it first (`EmailAddressType` →
    /// `EmailAddress`): those are the classic EWS types, and the slice has them too. A name
    /// the schema gives exactly comes next and, if taken, keeps a `Value` suffix
    /// (`t:EmailAddress` → `EmailAddressValue`); names made for anonymous types come last.
    fn assign_names(&mut self) {
        let mut candidates: Vec<(u8, String, String, usize, &TypeIdent)> = Vec::new();
        for (ident, ty) in &self.types.items {
            let Some(&module) = self.module_of.get(&ident.ns) else {
                continue;
            };
            if !matches!(
                ty.variant,
                MetaTypeVariant::ComplexType(_) | MetaTypeVariant::Enumeration(_)
            ) {
                continue;
            }
            let xsd = ident.name.as_str();
            let naming::TypeName {
                rank,
                name,
                fallback,
            } = match ident.type_ {
                IdentType::Type => naming::schema_type(xsd),
                IdentType::ElementType => naming::anonymous_type(xsd),
                _ => continue,
            };
            candidates.push((rank, name, fallback, module, ident));
        }
        candidates.sort_by(|a, b| (a.0, &a.4.name, a.4.type_).cmp(&(b.0, &b.4.name, b.4.type_)));
        for (_, name, fallback, module, ident) in candidates {
            let taken = &self.taken[module];
            let name = if taken.contains(&name) {
                unique(fallback, |n| taken.contains(n))
            } else {
                name
            };
            self.taken[module].insert(name.clone());
            self.names.insert(ident.clone(), (module, name));
        }
        // The enums of abstract and chosen types come after every type's own name.
        let mut polymorphic: Vec<(&TypeIdent, usize, String)> = self
            .names
            .iter()
            .filter(|(ident, _)| self.is_polymorphic(ident))
            .map(|(ident, (module, name))| (ident, *module, name.clone()))
            .collect();
        polymorphic.sort_by(|a, b| a.2.cmp(&b.2));
        for (ident, module, name) in polymorphic {
            let taken = &self.taken[module];
            let name = unique(naming::polymorphic(&name), |n| taken.contains(n));
            self.taken[module].insert(name.clone());
            self.polymorphic.insert(ident.clone(), (module, name));
        }
    }

    /// Whether `ident` is an abstract or chosen complex type with derived types: its
    /// elements hold whichever type their `xsi:type` names.
    fn is_polymorphic(&self, ident: &TypeIdent) -> bool {
        (self.abstract_types.contains(ident) || self.chosen.contains(ident))
            && self.derived.contains_key(ident)
    }

    /// Fails naming each of `chosen` that is not a concrete complex type of the schema
    /// with types derived from it.
    pub(crate) fn check_chosen(&self, chosen: &crate::TypeNames) -> Result<(), Error> {
        let found: BTreeSet<QName> = self
            .chosen
            .iter()
            .filter(|ident| {
                !self.abstract_types.contains(ident) && self.derived.contains_key(ident)
            })
            .filter_map(|ident| Some(QName::new(&self.namespace_uri(ident)?, ident.name.as_str())))
            .collect();
        let wrong: Vec<String> = chosen
            .iter()
            .filter(|name| !found.contains(*name))
            .map(QName::to_string)
            .collect();
        if wrong.is_empty() {
            return Ok(());
        }
        Err(Error::Unsupported(format!(
            "read by xsi:type was asked for {}, which the schema does not define as a \
             concrete complex type with derived types",
            wrong.join(", ")
        )))
    }

    /// The namespace URI of `ident`'s schema module.
    fn namespace_uri(&self, ident: &TypeIdent) -> Option<String> {
        self.types
            .modules
            .get(&ident.ns)
            .and_then(|m| m.namespace.as_ref())
            .map(|uri| String::from_utf8_lossy(uri.0.as_ref()).into_owned())
    }

    /// Adds a root element and everything it reaches.
    pub(crate) fn add_root(&mut self, root: &Root) -> Result<(), Error> {
        let module = self
            .modules
            .iter()
            .position(|m| m.uri == root.namespace)
            .ok_or_else(|| {
                Error::Unsupported(format!("no module for namespace {}", root.namespace))
            })?;
        let ident = self
            .types
            .items
            .keys()
            .find(|id| {
                id.type_ == IdentType::Element
                    && id.name.as_str() == root.local
                    && self.module_of.get(&id.ns) == Some(&module)
            })
            .cloned()
            .ok_or_else(|| Error::MissingRoot(root.to_string()))?;
        if self.is_dynamic(&ident) {
            return Err(Error::Unsupported(format!(
                "root {}: a substitution group's head; name its members instead",
                root.local
            )));
        }
        let ty = self.resolve(&ident, &root.local)?;
        let variant = naming::choice_variant(Some(&root.local));
        if !self.modules[module]
            .roots
            .iter()
            .any(|r| r.xml == root.local)
        {
            self.modules[module].roots.push(RootElement {
                xml: root.local.clone(),
                variant,
                ty,
            });
        }
        self.drain()
    }

    pub(crate) fn finish(mut self) -> Model {
        let boxed = self.recursive_edges();
        for (module, items) in self.items.into_iter().enumerate() {
            let mut items: Vec<Item> = items.into_values().collect();
            for item in &mut items {
                match item {
                    Item::Struct(s) => {
                        for f in &mut s.fields {
                            if let FieldKind::Element(e) = &f.kind {
                                f.boxed = f.occurs != Occurs::Repeated
                                    && boxed.contains(&(module, s.name.clone(), e.ty.clone()));
                            }
                        }
                    }
                    Item::Choice(c) => {
                        for v in &mut c.variants {
                            if let Some(e) = &v.element {
                                v.boxed = boxed.contains(&(module, c.name.clone(), e.ty.clone()));
                            }
                        }
                    }
                    Item::Enum(_) | Item::Derived(_) => {}
                }
            }
            self.modules[module].items = items;
        }
        let mut model = Model {
            modules: self.modules,
        };
        crate::flat::flatten(&mut model);
        crate::choices::name(&mut model, &self.taken);
        crate::sizes::box_large(&mut model);
        model
    }

    fn drain(&mut self) -> Result<(), Error> {
        loop {
            if let Some(ident) = self.queue.pop() {
                self.define(&ident)?;
            } else if let Some(ident) = self.polymorphic_queue.pop() {
                self.define_polymorphic(&ident)?;
            } else {
                return Ok(());
            }
        }
    }

    /// Defines the enum of the abstract or chosen type `ident` and queues the types it
    /// holds.
    fn define_polymorphic(&mut self, ident: &TypeIdent) -> Result<(), Error> {
        let (module, name) = self.polymorphic[ident].clone();
        if self.items[module].contains_key(&name) {
            return Ok(());
        }
        let mut descendants = Vec::new();
        let mut stack = vec![ident.clone()];
        while let Some(t) = stack.pop() {
            for d in self.derived.get(&t).into_iter().flatten() {
                stack.push(d.clone());
                if !self.abstract_types.contains(d) && !descendants.contains(d) {
                    descendants.push(d.clone());
                }
            }
        }
        descendants.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
        let mut variants = Vec::new();
        for t in std::iter::once(ident).chain(&descendants) {
            let Some((m, rust)) = self.names.get(t).cloned() else {
                // A derived type outside the generated namespaces.
                continue;
            };
            self.queue.push(t.clone());
            variants.push(DerivedVariant {
                name: rust.clone(),
                module: m,
                xsd: t.name.as_str().to_owned(),
                ty: TypeRef::Named {
                    module: m,
                    name: rust,
                    value: false,
                },
            });
        }
        let doc = self.lookup(ident)?.documentation.clone();
        let xsd = format!("{}:{}", self.modules[module].prefix, ident.name.as_str());
        self.items[module].insert(
            name.clone(),
            Item::Derived(DerivedDef {
                name,
                xsd,
                is_abstract: self.abstract_types.contains(ident),
                variants,
                doc,
            }),
        );
        Ok(())
    }

    /// The Rust type of `ident`, queueing its definition if it is generated.
    fn resolve(&mut self, ident: &TypeIdent, context: &str) -> Result<TypeRef, Error> {
        if let Some(r) = self.resolved.get(ident) {
            return Ok(r.clone());
        }
        if *ident == TypeIdent::ANY_TYPE || ident.name.as_str() == "anyType" {
            return Ok(TypeRef::Any);
        }
        if Some(ident.ns) == self.xs {
            if let Some(prim) = Prim::from_xsd(ident.name.as_str()) {
                return Ok(TypeRef::Prim(prim));
            }
        }
        let ty = self.lookup(ident)?;
        let r = match &ty.variant {
            MetaTypeVariant::BuildIn(b) => TypeRef::Prim(Prim::from_build_in(b)),
            MetaTypeVariant::Reference(r) if r.is_single() => {
                let target = r.type_.clone();
                self.resolve(&target, context)?
            }
            MetaTypeVariant::SimpleType(s) if s.is_list => TypeRef::Prim(Prim::String),
            MetaTypeVariant::SimpleType(s) => {
                let base = s.base.clone();
                self.resolve(&base, context)?
            }
            MetaTypeVariant::Union(_) => TypeRef::Prim(Prim::String),
            MetaTypeVariant::ComplexType(_) if self.polymorphic.contains_key(ident) => {
                let (module, name) = self.polymorphic[ident].clone();
                self.polymorphic_queue.push(ident.clone());
                TypeRef::Named {
                    module,
                    name,
                    value: false,
                }
            }
            MetaTypeVariant::Enumeration(_) | MetaTypeVariant::ComplexType(_) => {
                let (module, name) = self.names.get(ident).cloned().ok_or_else(|| {
                    Error::Unsupported(format!("{ident} (in {context}) has no module"))
                })?;
                let value = matches!(ty.variant, MetaTypeVariant::Enumeration(_));
                self.queue.push(ident.clone());
                TypeRef::Named {
                    module,
                    name,
                    value,
                }
            }
            // An `xs:list`: whitespace-separated values.
            MetaTypeVariant::Reference(r) => {
                let item = r.type_.clone();
                let item = self.resolve(&item, context)?;
                if !item.is_value() {
                    return Err(Error::Unsupported(format!(
                        "{ident} (in {context}): a list of a complex type"
                    )));
                }
                TypeRef::List(Box::new(item))
            }
            MetaTypeVariant::Custom(_)
            | MetaTypeVariant::Dynamic(_)
            | MetaTypeVariant::All(_)
            | MetaTypeVariant::Choice(_)
            | MetaTypeVariant::Sequence(_) => {
                return Err(Error::Unsupported(format!(
                    "{ident} (in {context}): {} types",
                    variant_kind(&ty.variant)
                )))
            }
        };
        self.resolved.insert(ident.clone(), r.clone());
        Ok(r)
    }

    fn lookup(&self, ident: &TypeIdent) -> Result<&'t MetaType, Error> {
        self.types
            .items
            .get(ident)
            .ok_or_else(|| Error::Unsupported(format!("unknown type {ident}")))
    }

    fn define(&mut self, ident: &TypeIdent) -> Result<(), Error> {
        let (module, name) = self.names[ident].clone();
        if self.items[module].contains_key(&name) {
            return Ok(());
        }
        let ty = self.lookup(ident)?;
        let xsd = format!("{}:{}", self.modules[module].prefix, ident.name.as_str());
        let item = match &ty.variant {
            MetaTypeVariant::Enumeration(e) => {
                let mut values: Vec<(String, String)> = Vec::new();
                for v in e.variants.iter() {
                    let xml = v.ident.name.as_str().to_owned();
                    let rust = unique(naming::enum_value(&xml), |n| {
                        values.iter().any(|(r, _)| r == n)
                    });
                    values.push((rust, xml));
                }
                let other = naming::unlisted_value(|o| values.iter().any(|(r, _)| r == o));
                Item::Enum(EnumDef {
                    name: name.clone(),
                    xsd,
                    values,
                    other,
                    doc: ty.documentation.clone(),
                })
            }
            MetaTypeVariant::ComplexType(c) => {
                let mut def = self.complex(module, &name, xsd, c)?;
                def.doc = ty.documentation.clone();
                if self.base64_texts.contains(ident) {
                    if def.text != Some(TypeRef::Prim(Prim::String)) {
                        return Err(Error::Unsupported(format!(
                            "base64 text was asked for {}, which is not a type of text content",
                            def.xsd
                        )));
                    }
                    def.text = Some(TypeRef::Prim(Prim::Base64Binary));
                }
                Item::Struct(def)
            }
            _ => unreachable!("only complex and enumeration types are queued"),
        };
        self.items[module].insert(name, item);
        Ok(())
    }

    fn complex(
        &mut self,
        module: usize,
        name: &str,
        xsd: String,
        c: &'t ComplexMeta,
    ) -> Result<StructDef, Error> {
        let mut def = StructDef {
            name: name.to_owned(),
            xsd,
            attributes: Vec::new(),
            fields: Vec::new(),
            text: None,
            doc: Vec::new(),
        };
        for a in c.attributes.iter() {
            let AttributeMetaVariant::Type(t) = &a.variant else {
                // Attribute wildcards (`xs:anyAttribute`) are accepted and not kept.
                continue;
            };
            if a.use_ == AttributeUseType::Prohibited {
                continue;
            }
            let ty = self.resolve(t, name)?;
            if !ty.is_value() {
                return Err(Error::Unsupported(format!(
                    "attribute {} of {name}",
                    a.ident.name
                )));
            }
            let xml = a.ident.name.as_str().to_owned();
            let ns = match a.form {
                FormChoiceType::Qualified => self.ns_ref(a.ident.ns),
                FormChoiceType::Unqualified => None,
            };
            let field = self.field_name(&def, &naming::field(&xml));
            def.attributes.push(AttrDef {
                field,
                ns,
                xml,
                ty,
                required: a.use_ == AttributeUseType::Required,
                doc: a.documentation.clone(),
            });
        }
        let Some(content) = &c.content else {
            return Ok(def);
        };
        let content_ty = self.lookup(content)?;
        let outer = (c.min_occurs, c.max_occurs);
        match &content_ty.variant {
            // A repeated sequence keeps its elements in document order, like a repeated
            // choice of them.
            MetaTypeVariant::Sequence(g) | MetaTypeVariant::All(g)
                if outer.1 != MaxOccurs::Bounded(1) =>
            {
                self.choice_field(module, &mut def, g, outer)?
            }
            MetaTypeVariant::Sequence(g) | MetaTypeVariant::All(g) => {
                self.group_fields(module, &mut def, g, outer.0 == 0)?;
            }
            MetaTypeVariant::Choice(g) => self.choice_field(module, &mut def, g, outer)?,
            _ => def.text = Some(self.resolve(content, name)?),
        }
        Ok(def)
    }

    /// Adds the fields of a sequence; `optional` when the whole sequence may be absent.
    fn group_fields(
        &mut self,
        module: usize,
        def: &mut StructDef,
        g: &'t GroupMeta,
        optional: bool,
    ) -> Result<(), Error> {
        for el in g.elements.iter() {
            let min = if optional { 0 } else { el.min_occurs };
            match &el.variant {
                ElementMetaVariant::Type {
                    type_,
                    mode: ElementMode::Group,
                } => match &self.lookup(type_)?.variant {
                    MetaTypeVariant::Choice(inner) => {
                        self.choice_field(module, def, inner, (min, el.max_occurs))?
                    }
                    MetaTypeVariant::Sequence(inner) | MetaTypeVariant::All(inner)
                        if el.max_occurs != MaxOccurs::Bounded(1) =>
                    {
                        self.choice_field(module, def, inner, (min, el.max_occurs))?
                    }
                    MetaTypeVariant::Sequence(inner) | MetaTypeVariant::All(inner) => {
                        self.group_fields(module, def, inner, min == 0)?
                    }
                    other => {
                        return Err(Error::Unsupported(format!(
                            "{}: a group of {}",
                            def.name,
                            variant_kind(other)
                        )))
                    }
                },
                ElementMetaVariant::Type { type_, .. } if self.is_dynamic(type_) => {
                    let choice = self.substitution(type_, el.ident.name.as_str(), el.ident.ns)?;
                    let name = self.field_name(def, &naming::field(el.ident.name.as_str()));
                    def.fields.push(FieldDef {
                        name,
                        occurs: Occurs::from_bounds(min, el.max_occurs),
                        boxed: false,
                        kind: FieldKind::Choice(choice),
                    });
                }
                ElementMetaVariant::Type { .. } => {
                    let element = self.element(def, el)?;
                    let name = self.field_name(def, &naming::field(&element.xml));
                    def.fields.push(FieldDef {
                        name,
                        occurs: Occurs::from_bounds(min, el.max_occurs),
                        boxed: false,
                        kind: FieldKind::Element(element),
                    });
                }
                ElementMetaVariant::Any { .. } => {
                    let name = self.field_name(def, "any");
                    def.fields.push(FieldDef {
                        name,
                        occurs: Occurs::from_bounds(min, el.max_occurs),
                        boxed: false,
                        kind: FieldKind::Any,
                    });
                }
                ElementMetaVariant::Text => {
                    return Err(Error::Unsupported(format!("{}: mixed content", def.name)))
                }
            }
        }
        Ok(())
    }

    /// Adds a field for an `xs:choice` that occurs `outer` times. A choice of one element is
    /// a plain field of that element.
    fn choice_field(
        &mut self,
        module: usize,
        def: &mut StructDef,
        g: &'t GroupMeta,
        outer: (usize, MaxOccurs),
    ) -> Result<(), Error> {
        if let [el] = g.elements.as_slice() {
            if matches!(
                &el.variant,
                ElementMetaVariant::Type {
                    mode: ElementMode::Element,
                    type_,
                } if !self.is_dynamic(type_)
            ) {
                let element = self.element(def, el)?;
                let name = self.field_name(def, &naming::field(&element.xml));
                let min = outer.0 * el.min_occurs;
                let max = mul(outer.1, el.max_occurs);
                def.fields.push(FieldDef {
                    name,
                    occurs: Occurs::from_bounds(min, max),
                    boxed: false,
                    kind: FieldKind::Element(element),
                });
                return Ok(());
            }
        }
        let choice_name = unique(naming::provisional_choice(&def.name), |n| {
            self.taken[module].contains(n)
        });
        self.taken[module].insert(choice_name.clone());
        let mut variants: Vec<VariantDef> = Vec::new();
        let mut repeated_inside = false;
        for el in g.elements.iter() {
            if el.max_occurs != MaxOccurs::Bounded(1) {
                repeated_inside = true;
            }
            if let ElementMetaVariant::Type {
                type_,
                mode: ElementMode::Element,
            } = &el.variant
            {
                if self.is_dynamic(type_) {
                    for element in self.members(type_, el.ident.name.as_str(), el.ident.ns)? {
                        let name = unique(naming::choice_variant(Some(&element.xml)), |n| {
                            variants.iter().any(|v| v.name == n)
                        });
                        variants.push(VariantDef {
                            name,
                            boxed: false,
                            element: Some(element),
                        });
                    }
                    continue;
                }
            }
            let (base, element) = match &el.variant {
                ElementMetaVariant::Type {
                    mode: ElementMode::Element,
                    ..
                } => {
                    let element = self.element(def, el)?;
                    (naming::choice_variant(Some(&element.xml)), Some(element))
                }
                ElementMetaVariant::Any { .. } => (naming::choice_variant(None), None),
                _ => {
                    return Err(Error::Unsupported(format!(
                        "{}: a group inside a choice",
                        def.name
                    )))
                }
            };
            let name = unique(base, |n| variants.iter().any(|v| v.name == n));
            variants.push(VariantDef {
                name,
                boxed: false,
                element,
            });
        }
        let occurs = if repeated_inside {
            Occurs::Repeated
        } else {
            Occurs::from_bounds(outer.0, outer.1)
        };
        let base = self.common_base(&variants);
        let stem = naming::choice_stem(
            base.as_ref().map(|b| b.name.as_str()),
            element_names(&variants),
        );
        let field = naming::choice_field(
            stem.as_deref(),
            element_pair(&variants),
            occurs == Occurs::Repeated,
        );
        let field = self.field_name(def, &field);
        def.fields.push(FieldDef {
            name: field,
            occurs,
            boxed: false,
            kind: FieldKind::Choice(ChoiceRef {
                module,
                name: choice_name.clone(),
            }),
        });
        self.items[module].insert(
            choice_name.clone(),
            Item::Choice(ChoiceDef {
                name: choice_name,
                owner: format!("[`{}`]", def.name),
                variants,
                listed: false,
                owner_name: def.name.clone(),
                base,
                stem,
                substitution: false,
            }),
        );
        Ok(())
    }

    fn is_dynamic(&self, ident: &TypeIdent) -> bool {
        matches!(
            self.types.get_variant(ident),
            Some(MetaTypeVariant::Dynamic(_))
        )
    }

    /// The enum of the elements that may stand for the substitution group head `head`
    /// (named `name` in namespace `ns`), one per head.
    fn substitution(
        &mut self,
        head: &TypeIdent,
        name: &str,
        ns: NamespaceId,
    ) -> Result<ChoiceRef, Error> {
        if let Some(r) = self.substitutions.get(head) {
            return Ok(r.clone());
        }
        let module = *self.module_of.get(&ns).ok_or_else(|| {
            Error::Unsupported(format!(
                "substitution group {name} outside the EWS namespaces"
            ))
        })?;
        let choice_name = unique(naming::substitution_group(name), |n| {
            self.taken[module].contains(n)
        });
        self.taken[module].insert(choice_name.clone());
        let r = ChoiceRef {
            module,
            name: choice_name.clone(),
        };
        self.substitutions.insert(head.clone(), r.clone());
        let mut variants: Vec<VariantDef> = Vec::new();
        for element in self.members(head, name, ns)? {
            let vname = unique(naming::choice_variant(Some(&element.xml)), |n| {
                variants.iter().any(|v| v.name == n)
            });
            variants.push(VariantDef {
                name: vname,
                boxed: false,
                element: Some(element),
            });
        }
        let owner = format!(
            "the substitution group of `{}:{name}`",
            self.modules[module].prefix
        );
        let base = self.common_base(&variants);
        let stem = naming::choice_stem(
            base.as_ref().map(|b| b.name.as_str()),
            element_names(&variants),
        );
        self.items[module].insert(
            choice_name.clone(),
            Item::Choice(ChoiceDef {
                name: choice_name,
                owner,
                base,
                stem,
                variants,
                listed: false,
                owner_name: naming::pascal(name),
                substitution: true,
            }),
        );
        Ok(r)
    }

    /// The elements of the substitution group of `head`: the head itself unless abstract,
    /// and every member, nested groups flattened.
    fn members(
        &mut self,
        head: &TypeIdent,
        name: &str,
        ns: NamespaceId,
    ) -> Result<Vec<ElementDef>, Error> {
        let mut out: Vec<ElementDef> = Vec::new();
        let mut stack = vec![(head.clone(), name.to_owned(), ns)];
        let mut seen = BTreeSet::new();
        while let Some((head, name, ns)) = stack.pop() {
            if !seen.insert(head.clone()) {
                continue;
            }
            let Some(MetaTypeVariant::Dynamic(d)) = self.types.get_variant(&head) else {
                continue;
            };
            for derived in &d.derived_types {
                let t = &derived.type_;
                let (xml, xml_ns, ty) = if t.type_ == IdentType::Element {
                    if self.is_dynamic(t) {
                        stack.push((t.clone(), t.name.as_str().to_owned(), t.ns));
                        continue;
                    }
                    (t.name.as_str().to_owned(), t.ns, self.resolve(t, &name)?)
                } else {
                    (name.clone(), ns, self.resolve(t, &name)?)
                };
                if !out.iter().any(|e| e.xml == xml) {
                    out.push(ElementDef {
                        ns: self.ns_ref(xml_ns),
                        xml,
                        aliases: Vec::new(),
                        ty,
                        list: None,
                        doc: Vec::new(),
                    });
                }
            }
        }
        Ok(out)
    }

    fn element(&mut self, def: &StructDef, el: &ElementMeta) -> Result<ElementDef, Error> {
        let ElementMetaVariant::Type { type_, .. } = &el.variant else {
            unreachable!("called for typed elements only");
        };
        let xml = el.ident.name.as_str().to_owned();
        let ty = self.resolve(type_, &def.name)?;
        let ns = match el.form {
            FormChoiceType::Qualified => self.ns_ref(el.ident.ns),
            FormChoiceType::Unqualified => None,
        };
        let aliases = self
            .aliases
            .iter()
            .filter(|a| a.type_name == def.xsd && a.element == xml)
            .map(|a| a.alias.clone())
            .collect();
        Ok(ElementDef {
            ns,
            xml,
            aliases,
            ty,
            list: None,
            doc: el.documentation.clone(),
        })
    }

    fn ns_ref(&self, ns: NamespaceId) -> Option<NsRef> {
        if let Some(&m) = self.module_of.get(&ns) {
            return Some(NsRef::Module(m));
        }
        let uri = self.types.modules.get(&ns)?.namespace.as_ref()?;
        (uri.0.as_ref() == b"http://www.w3.org/XML/1998/namespace").then_some(NsRef::Xml)
    }

    fn field_name(&self, def: &StructDef, base: &str) -> String {
        unique(base.to_owned(), |n| {
            def.fields.iter().any(|f| f.name == n) || def.attributes.iter().any(|a| a.field == n)
        })
    }

    /// (module, container, field type) triples whose field must be boxed: the field's type
    /// contains the container again through fields that are not `Vec`s.
    fn recursive_edges(&self) -> BTreeSet<(usize, String, TypeRef)> {
        let mut edges: BTreeMap<(usize, String), Vec<(usize, String)>> = BTreeMap::new();
        for (module, items) in self.items.iter().enumerate() {
            for item in items.values() {
                let targets: Vec<&TypeRef> = match item {
                    Item::Struct(s) => s
                        .fields
                        .iter()
                        .filter(|f| f.occurs != Occurs::Repeated)
                        .filter_map(|f| match &f.kind {
                            FieldKind::Element(e) => Some(&e.ty),
                            _ => None,
                        })
                        .collect(),
                    Item::Choice(c) => c
                        .variants
                        .iter()
                        .filter_map(|v| v.element.as_ref().map(|e| &e.ty))
                        .collect(),
                    // Every variant is boxed.
                    Item::Enum(_) | Item::Derived(_) => Vec::new(),
                };
                let from = (module, item.name().to_owned());
                let list = edges.entry(from.clone()).or_default();
                for t in targets {
                    if let TypeRef::Named {
                        module,
                        name,
                        value: false,
                    } = t
                    {
                        list.push((*module, name.clone()));
                    }
                }
                if let Item::Struct(s) = item {
                    for f in &s.fields {
                        if let (FieldKind::Choice(c), false) =
                            (&f.kind, f.occurs == Occurs::Repeated)
                        {
                            list.push((c.module, c.name.clone()));
                        }
                    }
                }
            }
        }
        let reaches = |from: &(usize, String), to: &(usize, String)| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.clone()];
            while let Some(n) = stack.pop() {
                if &n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(edges.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut boxed = BTreeSet::new();
        for (from, targets) in &edges {
            for to in targets {
                if reaches(to, from) {
                    boxed.insert((
                        from.0,
                        from.1.clone(),
                        TypeRef::Named {
                            module: to.0,
                            name: to.1.clone(),
                            value: false,
                        },
                    ));
                }
            }
        }
        boxed
    }
}

/// The global elements of `namespaces`, sorted by namespace (in the given order) and name.
pub(crate) fn global_elements(types: &MetaTypes, namespaces: &[&str]) -> Vec<Root> {
    let mut roots = Vec::new();
    for ns in namespaces {
        let mut names: Vec<String> = types
            .items
            .keys()
            .filter(|id| id.type_ == IdentType::Element && id.name.is_named())
            // A substitution group's head stands for its members, which are roots themselves.
            .filter(|id| !matches!(types.get_variant(id), Some(MetaTypeVariant::Dynamic(_))))
            .filter(|id| {
                types
                    .modules
                    .get(&id.ns)
                    .and_then(|m| m.namespace.as_ref())
                    .is_some_and(|uri| uri.0.as_ref() == ns.as_bytes())
            })
            .map(|id| id.name.as_str().to_owned())
            .collect();
        names.sort();
        roots.extend(names.iter().map(|n| Root::new(ns, n)));
    }
    roots
}

fn mul(a: MaxOccurs, b: MaxOccurs) -> MaxOccurs {
    match (a, b) {
        (MaxOccurs::Bounded(x), MaxOccurs::Bounded(y)) => MaxOccurs::Bounded(x * y),
        _ => MaxOccurs::Unbounded,
    }
}

/// The element names of `variants`, or `None` if one is a wildcard.
fn element_names(variants: &[VariantDef]) -> Option<Vec<&str>> {
    variants
        .iter()
        .map(|v| v.element.as_ref().map(|e| e.xml.as_str()))
        .collect()
}

/// The element names of a choice of two elements.
pub(crate) fn element_pair(variants: &[VariantDef]) -> Option<(&str, &str)> {
    match variants {
        [a, b] => Some((&a.element.as_ref()?.xml, &b.element.as_ref()?.xml)),
        _ => None,
    }
}

fn variant_kind(v: &MetaTypeVariant) -> &'static str {
    match v {
        MetaTypeVariant::Union(_) => "union",
        MetaTypeVariant::BuildIn(_) => "built-in",
        MetaTypeVariant::Custom(_) => "custom",
        MetaTypeVariant::Reference(_) => "reference",
        MetaTypeVariant::Enumeration(_) => "enumeration",
        MetaTypeVariant::Dynamic(_) => "substitution group (dynamic)",
        MetaTypeVariant::All(_) => "all-group",
        MetaTypeVariant::Choice(_) => "choice-group",
        MetaTypeVariant::Sequence(_) => "sequence-group",
        MetaTypeVariant::ComplexType(_) => "complex",
        MetaTypeVariant::SimpleType(_) => "simple",
    }
}
