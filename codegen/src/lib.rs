//! The generator behind `ews-bindings`: reads the EWS `types.xsd` and `messages.xsd` with
//! [`xsd_parser`] and `Services.wsdl` with its own reader, and renders, for the closure of
//! the chosen root elements, one Rust module per namespace (the types, a reader and a writer
//! for each) and one of operation markers (every WSDL operation whose request and response
//! are generated).
//!
//! ```no_run
//! let out = std::env::var("OUT_DIR").unwrap();
//! ews_codegen::Config::new("schema").write_to(out).unwrap();
//! ```
//!
//! xsd-parser parses and interprets the schema (extensions flattened, references resolved);
//! rendering is ours, so that the generated readers are recursive-descent code over a
//! borrowed document rather than per-type state machines.

#![warn(missing_docs, missing_debug_implementations)]

mod choices;
mod flat;
mod model;
mod naming;
mod ops;
mod render;
mod sizes;
pub mod wsdl;

use std::fs;
use std::path::{Path, PathBuf};

use xsd_parser::config::{InterpreterFlags, OptimizerFlags, ParserFlags, Schema};
use xsd_parser::models::meta::MetaTypes;
use xsd_parser::models::schema::xs::SchemaContent;
use xsd_parser::{exec_interpreter, exec_optimizer, exec_parser};

pub use model::{Item, Model};

/// Schema types by qualified name.
type TypeNames = std::collections::BTreeSet<QName>;

/// The EWS types namespace.
pub const NS_TYPES: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
/// The EWS messages namespace.
pub const NS_MESSAGES: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

/// The SOAP header elements (types namespace) that `ews-bindings` writes and reads in every
/// build: the request headers its `RequestHeaders` can set and the response's
/// `ServerVersionInfo`. They are roots besides the operations'.
pub const HEADER_ELEMENTS: [&str; 7] = [
    "DateTimePrecision",
    "ExchangeImpersonation",
    "MailboxCulture",
    "ManagementRole",
    "RequestServerVersion",
    "ServerVersionInfo",
    "TimeZoneContext",
];

/// The elements of the push notification service (messages namespace), which no operation
/// of `Services.wsdl` names: the request a server sends to a push subscription's listener
/// and the listener's answer. They are roots besides the operations' wherever `Subscribe`
/// is among them, so that push subscriptions can be served.
pub const PUSH_ELEMENTS: [&str; 2] = ["SendNotification", "SendNotificationResult"];

/// The cfg under which generated types derive `Deserialize` unless configured otherwise.
const DESERIALIZE_CFG: &str = "feature = \"deserialize\"";

/// The `xml:` namespace's one attribute that EWS uses, for schemas that import the
/// namespace without a location (as the official `types.xsd` does).
const XML_NAMESPACE_SCHEMA: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:language"/>
</xs:schema>"#;

/// What went wrong while generating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A schema file is missing.
    #[error("schema file {0} does not exist")]
    MissingSchema(PathBuf),
    /// The WSDL could not be read as a SOAP binding of operations.
    #[error("cannot read the operations of {path}: {message}")]
    Wsdl {
        /// The WSDL file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// xsd-parser could not read or interpret the schema.
    #[error("cannot read the schema in {dir}: {message}")]
    Schema {
        /// The schema directory.
        dir: PathBuf,
        /// xsd-parser's message.
        message: String,
    },
    /// A root element is not in the schema.
    #[error("root element {0} is not declared in the schema")]
    MissingRoot(String),
    /// The schema uses a construct the renderer does not handle.
    #[error("unsupported schema construct: {0}")]
    Unsupported(String),
    /// The rendered code did not parse as Rust (a generator bug).
    #[error("generated code for module {module} does not parse: {message}")]
    InvalidOutput {
        /// The module.
        module: String,
        /// syn's message.
        message: String,
    },
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A qualified XML name: a namespace URI and a local name. Root elements, the WSDL's body
/// and header elements, and the schema types a [`Config`] names are all `QName`s.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    /// The namespace URI.
    pub namespace: String,
    /// The local name.
    pub local: String,
}

impl QName {
    /// The name `{namespace}local`.
    pub fn new(namespace: &str, local: &str) -> Self {
        QName {
            namespace: namespace.to_owned(),
            local: local.to_owned(),
        }
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}

/// A global element to generate, with everything it reaches.
pub type Root = QName;

/// A second name under which the reader accepts an element of a type; the writer always
/// writes the schema's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The complex type, as `prefix:Name` (`t:ArrayOfEmailAddressesType`).
    pub type_name: String,
    /// The schema's name of the element.
    pub element: String,
    /// The other name it is read under.
    pub alias: String,
}

/// One generated module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedModule {
    /// The module name, which is also the file stem (`types` → `types.rs`).
    pub name: String,
    /// The formatted source, `@generated` header first.
    pub code: String,
}

/// The generator's settings, builder style.
#[derive(Debug, Clone)]
pub struct Config {
    schema_dir: PathBuf,
    roots: Roots,
    aliases: Vec<Alias>,
    runtime: String,
    polymorphic: Vec<String>,
    deserialize: Option<String>,
    base64_texts: Vec<String>,
}

/// Which elements are generated.
#[derive(Debug, Clone)]
enum Roots {
    /// Every operation (see [`Config::operations`]) and the header elements.
    Operations,
    /// The listed elements.
    Listed(Vec<Root>),
    /// Every global element.
    All,
}

impl Config {
    /// Generates from `types.xsd`, `messages.xsd` and `Services.wsdl` in `schema_dir`, for
    /// every operation ([`Config::operations`]) and the [`HEADER_ELEMENTS`], with the doc-sample aliases
    /// of [`Config::doc_aliases`].
    pub fn new(schema_dir: impl Into<PathBuf>) -> Self {
        Config {
            schema_dir: schema_dir.into(),
            roots: Roots::Operations,
            aliases: Self::doc_aliases(),
            runtime: "crate".to_owned(),
            polymorphic: Vec::new(),
            deserialize: Some(DESERIALIZE_CFG.to_owned()),
            base64_texts: Self::base64_text_types(),
        }
    }

    /// The cfg predicate under which the generated types derive serde's `Deserialize`
    /// (`feature = "deserialize"` by default: the feature of the crate that includes the
    /// files), as Rust writes it in `#[cfg(…)]`; `all()` for always. `Serialize` is always
    /// derived. serde is reached through the runtime, so the including crate needs no
    /// serde dependency of its own.
    pub fn deserialize_when(mut self, cfg: &str) -> Self {
        self.deserialize = Some(cfg.to_owned());
        self
    }

    /// Generates no `Deserialize` implementations.
    pub fn without_deserialize(mut self) -> Self {
        self.deserialize = None;
        self
    }

    /// Reads and writes the text of the simple-content type `type_name` (`t:Name`) as
    /// `xs:base64Binary`, decoded to bytes, where the schema types it `xs:string` but the
    /// protocol defines its text as base64 (see [`Config::base64_text_types`]). A type the
    /// schema does not define is passed over (the IM slice has no MIME content); one that
    /// is not of text content fails the generation.
    pub fn base64_text(mut self, type_name: &str) -> Self {
        self.base64_texts.push(type_name.to_owned());
        self
    }

    /// Keeps the schema's types for every text (no [`Config::base64_text`] override).
    pub fn without_base64_texts(mut self) -> Self {
        self.base64_texts.clear();
        self
    }

    /// The EWS types whose text the protocol defines as base64 though types.xsd says
    /// `xs:string`: an item's MIME content (`t:MimeContentType`, the ASCII MIME stream, and
    /// `t:MimeContentUTF8Type`, the UTF-8 one). They are read as bytes.
    pub fn base64_text_types() -> Vec<String> {
        vec!["t:MimeContentType".into(), "t:MimeContentUTF8Type".into()]
    }

    /// Reads the elements of the concrete complex type `type_name` (`t:Name` or `m:Name`,
    /// as the schema names it: `t:TransitionType`, `m:ResponseMessageType`) by their
    /// `xsi:type`, as elements of abstract types always are: each becomes an enum of the
    /// type and the types derived from it (`AnyResponseMessage`), written back with the
    /// same `xsi:type`; an enum of response messages is a `ResponseMessage` itself.
    /// Without this, such an element reads as the declared type, and the content a derived
    /// type adds is skipped. Generation fails if the schema has no such type or nothing
    /// derives from it.
    pub fn polymorphic(mut self, type_name: &str) -> Self {
        self.polymorphic.push(type_name.to_owned());
        self
    }

    /// The path of the crate whose `xml` and `operation` modules the generated code uses:
    /// `crate` (the default) inside ews-bindings, `ews_bindings` for modules generated into
    /// a crate that depends on it. Such a crate includes the generated files as its
    /// `types`, `messages` (and, for the markers, any) modules at its root.
    pub fn runtime(mut self, path: &str) -> Self {
        self.runtime = path.to_owned();
        self
    }

    /// Replaces the root elements. Operation markers are generated for the WSDL's
    /// operations whose request and response elements are among them.
    pub fn roots(mut self, roots: impl IntoIterator<Item = Root>) -> Self {
        self.roots = Roots::Listed(roots.into_iter().collect());
        self
    }

    /// Generates every global element of both namespaces: bindings for every operation
    /// and header of the schema.
    pub fn all_roots(mut self) -> Self {
        self.roots = Roots::All;
        self
    }

    /// Adds an alias: `alias` is read as the element `element` of `type_name`.
    pub fn alias(mut self, type_name: &str, element: &str, alias: &str) -> Self {
        self.aliases.push(Alias {
            type_name: type_name.to_owned(),
            element: element.to_owned(),
            alias: alias.to_owned(),
        });
        self
    }

    /// Removes all aliases (the reader then follows the schema strictly).
    pub fn without_aliases(mut self) -> Self {
        self.aliases.clear();
        self
    }

    /// The aliases for element names that Microsoft's published samples use where the
    /// schema (and servers) use another: Persona `EmailAddresses` holding `EmailAddress`
    /// (the schema: `Address`), and an e-mail address value holding `Address` (the schema:
    /// `EmailAddress`).
    pub fn doc_aliases() -> Vec<Alias> {
        vec![
            Alias {
                type_name: "t:ArrayOfEmailAddressesType".into(),
                element: "Address".into(),
                alias: "EmailAddress".into(),
            },
            Alias {
                type_name: "t:EmailAddressType".into(),
                element: "EmailAddress".into(),
                alias: "Address".into(),
            },
        ]
    }

    /// The schema files read: `types.xsd`, `messages.xsd` and `Services.wsdl` in the
    /// schema directory.
    pub fn schema_files(&self) -> [PathBuf; 3] {
        [
            self.schema_dir.join("types.xsd"),
            self.schema_dir.join("messages.xsd"),
            self.schema_dir.join("Services.wsdl"),
        ]
    }

    /// Reads the operations of `Services.wsdl`, then those only messages.xsd defines: a
    /// global request element `X` with a global response element `XResponse` that the
    /// binding does not name (the official schema has GetReminders, MarkAsPhishing and eleven
    /// more). These take the SOAPAction `<messages namespace>/X` and the header sets most
    /// operations of the binding take; their `in_wsdl` is `false`.
    pub fn operations(&self) -> Result<Vec<wsdl::Operation>, Error> {
        let [_, messages, wsdl] = self.existing_schema_files()?;
        let mut operations = wsdl::read(&wsdl)?;
        let elements = global_elements(&messages)?;
        operations.extend(schema_only_operations(&elements, &operations));
        Ok(operations)
    }

    /// The schema files, or an error naming the first that is missing.
    fn existing_schema_files(&self) -> Result<[PathBuf; 3], Error> {
        let files = self.schema_files();
        match files.iter().find(|f| !f.is_file()) {
            Some(missing) => Err(Error::MissingSchema(missing.clone())),
            None => Ok(files),
        }
    }

    /// Reads and interprets the schema.
    pub fn interpret(&self) -> Result<MetaTypes, Error> {
        Ok(self.interpret_with_abstract_types()?.0)
    }

    /// The interpreted types, with the `(namespace, name)` of every complex type the schema
    /// declares abstract (which the interpreted types do not all tell).
    fn interpret_with_abstract_types(&self) -> Result<(MetaTypes, TypeNames), Error> {
        self.existing_schema_files()?;
        let [types, messages, _] = self.schema_files();
        interpret_files(&[types, messages], &self.schema_dir)
    }

    /// Builds the model of what is generated.
    pub fn model(&self) -> Result<Model, Error> {
        self.model_with(&self.operations()?)
    }

    /// The root elements generated: the listed ones, or every operation's request and
    /// response with the [`HEADER_ELEMENTS`] (`None` for every global element).
    pub fn root_elements(&self) -> Result<Option<Vec<Root>>, Error> {
        Ok(match &self.roots {
            Roots::All => None,
            Roots::Listed(roots) => Some(roots.clone()),
            Roots::Operations => Some(operation_roots(&self.operations()?)),
        })
    }

    fn model_with(&self, operations: &[wsdl::Operation]) -> Result<Model, Error> {
        let (types, abstract_types) = self.interpret_with_abstract_types()?;
        let namespaces = [
            (NS_TYPES.to_owned(), "types".to_owned(), "t".to_owned()),
            (
                NS_MESSAGES.to_owned(),
                "messages".to_owned(),
                "m".to_owned(),
            ),
        ];
        let roots = match &self.roots {
            Roots::All => model::global_elements(&types, &[NS_MESSAGES, NS_TYPES]),
            Roots::Listed(roots) => roots.clone(),
            Roots::Operations => operation_roots(operations),
        };
        let type_names = |names: &[String], what: &str| {
            names
                .iter()
                .map(|name| {
                    let (prefix, local) = name.split_once(':').unwrap_or(("", name));
                    match namespaces.iter().find(|(_, _, p)| p == prefix) {
                        Some((uri, _, _)) => Ok(QName::new(uri, local)),
                        None => Err(Error::Unsupported(format!(
                            "type {name:?} {what}: name it t:Name or m:Name"
                        ))),
                    }
                })
                .collect::<Result<TypeNames, Error>>()
        };
        let chosen = type_names(&self.polymorphic, "to read by xsi:type")?;
        let base64_texts = type_names(&self.base64_texts, "to read as base64")?;
        // Every type of the schema is named; the closure of the roots is built.
        let mut builder = model::Builder::new(
            &types,
            &namespaces,
            &self.aliases,
            &abstract_types,
            &chosen,
            &base64_texts,
        );
        builder.check_chosen(&chosen)?;
        for root in &roots {
            builder.add_root(root)?;
        }
        Ok(builder.finish())
    }

    /// Generates the formatted modules: `types`, `messages` and `operations`.
    pub fn generate(&self) -> Result<Vec<GeneratedModule>, Error> {
        let operations = self.operations()?;
        let model = self.model_with(&operations)?;
        let ops = ops::operations(&model, &operations)?;
        let options = render_options(&self.runtime, self.deserialize.as_deref())?;
        let mut modules = Vec::new();
        for i in 0..model.modules.len() {
            let name = model.modules[i].name.clone();
            modules.push(format_module(name, render::module(&model, i, &options))?);
        }
        modules.push(format_module(
            "operations".to_owned(),
            render::operations(&model, &ops, &options),
        )?);
        Ok(modules)
    }

    /// Generates the modules into `dir` as `<module>.rs`, rewriting a file only when its
    /// content changes (so that builds that depend on it stay warm). Returns the files.
    pub fn write_to(&self, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut written = Vec::new();
        for module in self.generate()? {
            let path = dir.join(format!("{}.rs", module.name));
            if fs::read_to_string(&path).ok().as_deref() != Some(module.code.as_str()) {
                fs::write(&path, &module.code).map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            written.push(path);
        }
        Ok(written)
    }
}

/// How generated code reaches the runtime at `runtime`, deriving `Deserialize` under
/// `deserialize`.
fn render_options(runtime: &str, deserialize: Option<&str>) -> Result<render::Options, Error> {
    let runtime: syn::Path = syn::parse_str(runtime)
        .map_err(|_| Error::Unsupported(format!("runtime path {runtime:?} is not a Rust path")))?;
    let deserialize = deserialize
        .map(|cfg| {
            syn::parse_str::<syn::Meta>(cfg)
                .map(|meta| quote::quote!(#meta))
                .map_err(|_| {
                    Error::Unsupported(format!(
                        "deserialize cfg {cfg:?} is not a cfg predicate (feature = \"deserialize\")"
                    ))
                })
        })
        .transpose()?;
    Ok(render::Options {
        runtime,
        deserialize,
    })
}

/// Reads and interprets the schema `files` (of the directory `dir`, for errors): the types,
/// and the `(namespace, name)` of every complex type declared abstract.
fn interpret_files(files: &[PathBuf], dir: &Path) -> Result<(MetaTypes, TypeNames), Error> {
    let schema_error = |message: String| Error::Schema {
        dir: dir.to_owned(),
        message,
    };
    let mut config = xsd_parser::Config::default()
        .set_parser_flags(ParserFlags::RESOLVE_INCLUDES | ParserFlags::DEFAULT_NAMESPACES)
        .with_schema(Schema::Schema(XML_NAMESPACE_SCHEMA.into()));
    for file in files {
        config = config.with_schema(Schema::File(file.clone()));
    }
    let config = config
        .set_interpreter_flags(
            InterpreterFlags::BUILDIN_TYPES
                | InterpreterFlags::DEFAULT_TYPEDEFS
                | InterpreterFlags::WITH_XS_ANY_TYPE,
        )
        .set_optimizer_flags(OptimizerFlags::empty());
    let schemas = exec_parser(config.parser).map_err(|e| schema_error(e.to_string()))?;
    let mut abstract_types = TypeNames::new();
    for (_, info) in schemas.schemas() {
        let Some(ns) = &info.schema.target_namespace else {
            continue;
        };
        for content in &info.schema.content {
            if let SchemaContent::ComplexType(ct) = content {
                if let (true, Some(name)) = (ct.abstract_, &ct.name) {
                    abstract_types.insert(QName::new(ns, name));
                }
            }
        }
    }
    let types =
        exec_interpreter(config.interpreter, &schemas).map_err(|e| schema_error(e.to_string()))?;
    let types = exec_optimizer(config.optimizer, types).map_err(|e| schema_error(e.to_string()))?;
    Ok((types, abstract_types))
}

/// Generates one module from `xsd`, a schema of its own namespace `namespace` (the SOAP
/// Autodiscover service's, for example): every global element and what it reaches, written
/// with the prefix `prefix`, against the runtime at `runtime` (see [`Config::runtime`]).
/// The module is named `module`.
pub fn generate_schema(
    xsd: &Path,
    namespace: &str,
    module: &str,
    prefix: &str,
    runtime: &str,
) -> Result<GeneratedModule, Error> {
    if !xsd.is_file() {
        return Err(Error::MissingSchema(xsd.to_owned()));
    }
    let dir = xsd.parent().unwrap_or(Path::new("."));
    let (types, abstract_types) = interpret_files(&[xsd.to_owned()], dir)?;
    let namespaces = [(namespace.to_owned(), module.to_owned(), prefix.to_owned())];
    let mut builder = model::Builder::new(
        &types,
        &namespaces,
        &[],
        &abstract_types,
        &TypeNames::new(),
        &TypeNames::new(),
    );
    for root in model::global_elements(&types, &[namespace]) {
        builder.add_root(&root)?;
    }
    let model = builder.finish();
    let options = render_options(runtime, Some(DESERIALIZE_CFG))?;
    let file = xsd.file_name().map_or_else(
        || xsd.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    format_module_from(
        module.to_owned(),
        render::module(&model, 0, &options),
        &file,
    )
}

/// The names of the global elements of the schema file `path` (its `xs:element` children).
fn global_elements(path: &Path) -> Result<Vec<String>, Error> {
    use quick_xml::events::Event;
    let text = fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let unreadable = |message: String| Error::Wsdl {
        path: path.to_owned(),
        message,
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut depth = 0usize;
    let mut names = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| unreadable(format!("at byte {}: {e}", reader.buffer_position())))?;
        let (tag, empty) = match event {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Event::Eof => return Ok(names),
            _ => continue,
        };
        if depth == 1 && tag.local_name().as_ref() == b"element" {
            let name = tag
                .try_get_attribute("name")
                .map_err(|e| unreadable(e.to_string()))?
                .map(|a| String::from_utf8_lossy(&a.value).into_owned());
            names.extend(name);
        }
        if !empty {
            depth += 1;
        }
    }
}

/// The operations that the global elements `elements` of messages.xsd define (`X` and
/// `XResponse`) and `bound` (the binding's) do not: with the SOAPAction of the messages
/// namespace and the request and response header sets most bound operations take.
fn schema_only_operations(elements: &[String], bound: &[wsdl::Operation]) -> Vec<wsdl::Operation> {
    let most_common = |sets: Vec<&Vec<QName>>| {
        let mut counts: Vec<(&Vec<QName>, usize)> = Vec::new();
        for set in sets {
            match counts.iter_mut().find(|(s, _)| *s == set) {
                Some((_, n)) => *n += 1,
                None => counts.push((set, 1)),
            }
        }
        // The first of the most frequent, in binding order.
        let top = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        counts
            .into_iter()
            .find(|(_, n)| *n == top)
            .map(|(s, _)| s.clone())
            .unwrap_or_default()
    };
    let request_headers = most_common(bound.iter().map(|o| &o.request_headers).collect());
    let response_headers = most_common(bound.iter().map(|o| &o.response_headers).collect());
    let named = |local: &str| {
        bound
            .iter()
            .any(|o| o.name == local || o.request.local == local || o.response.local == local)
    };
    let element = |local: &str| QName {
        namespace: NS_MESSAGES.to_owned(),
        local: local.to_owned(),
    };
    let mut names: Vec<&String> = elements
        .iter()
        .filter(|x| {
            let response = format!("{x}Response");
            !x.ends_with("Response")
                && elements.contains(&response)
                && !named(x)
                && !named(&response)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|x| wsdl::Operation {
            name: x.clone(),
            soap_action: format!("{NS_MESSAGES}/{x}"),
            request: element(x),
            response: element(&format!("{x}Response")),
            request_headers: request_headers.clone(),
            response_headers: response_headers.clone(),
            in_wsdl: false,
        })
        .collect()
}

/// The request and response elements of `operations`, the [`HEADER_ELEMENTS`], and the
/// [`PUSH_ELEMENTS`] when `Subscribe` is among the operations.
fn operation_roots(operations: &[wsdl::Operation]) -> Vec<Root> {
    let mut roots = Vec::new();
    for op in operations {
        for e in [&op.request, &op.response] {
            roots.push(Root::new(&e.namespace, &e.local));
        }
    }
    roots.extend(HEADER_ELEMENTS.iter().map(|h| Root::new(NS_TYPES, h)));
    if operations.iter().any(|op| op.name == "Subscribe") {
        roots.extend(PUSH_ELEMENTS.iter().map(|e| Root::new(NS_MESSAGES, e)));
    }
    roots
}

/// Formats a rendered module, `@generated` header first.
fn format_module(name: String, tokens: proc_macro2::TokenStream) -> Result<GeneratedModule, Error> {
    format_module_from(
        name,
        tokens,
        "the EWS schema (types.xsd, messages.xsd, Services.wsdl)",
    )
}

/// Formats a generated module whose source is `source`, behind the `@generated` header.
fn format_module_from(
    name: String,
    tokens: proc_macro2::TokenStream,
    source: &str,
) -> Result<GeneratedModule, Error> {
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| Error::InvalidOutput {
        module: name.clone(),
        message: e.to_string(),
    })?;
    let mut code = format!("// @generated by ews-codegen from {source}. Do not edit.\n\n");
    code.push_str(&unparse(file));
    Ok(GeneratedModule { name, code })
}

/// Formats generated code as the generator writes it: as prettyplease does, except that
/// the runtime's macros are laid out as what they read as (prettyplease flows a macro's
/// tokens as one paragraph): the declarations `rt::value_enum!` and `rt::reflected!` take
/// as the enum or struct they declare, `rt::tri!`, `rt::read!` and `rt::required!` as calls.
pub fn unparse(file: syn::File) -> String {
    let one = |attrs: Vec<syn::Attribute>, items: Vec<syn::Item>| {
        let items = items.into_iter().map(macros_as_calls).collect();
        let mut code = prettyplease::unparse(&syn::File {
            shebang: None,
            attrs,
            items,
        });
        for name in CALL_LIKE_MACROS {
            code = code.replace(&format!("rt::{name}{AS_CALL}("), &format!("rt::{name}!("));
        }
        code
    };
    let mut out = one(file.attrs, Vec::new());
    for item in file.items {
        match declaring_macro(&item) {
            Some((name, declared)) => {
                out.push_str(&format!("rt::{name}! {{\n"));
                for line in one(Vec::new(), vec![declared]).lines() {
                    if !line.is_empty() {
                        out.push_str("    ");
                    }
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => out.push_str(&one(Vec::new(), vec![item])),
        }
    }
    out
}

/// The runtime's macros whose arguments read as those of a call.
const CALL_LIKE_MACROS: [&str; 3] = ["tri", "read", "required"];

/// What makes `rt::tri!(` the call `rt::tri_as_call(` while prettyplease lays code out: a
/// function the runtime does not have, so that the marker is never code of its own.
const AS_CALL: &str = "_as_call";

/// `item` with every call of a [`CALL_LIKE_MACROS`] macro in it made a call (see
/// [`AS_CALL`]), so that prettyplease lays out its arguments.
fn macros_as_calls(item: syn::Item) -> syn::Item {
    use proc_macro2::{Group, Ident, TokenStream, TokenTree};
    /// The macro named by the last tokens of `out` (`rt :: name`), if it is call-like.
    fn call_like(out: &[TokenTree]) -> Option<&'static str> {
        let [.., TokenTree::Ident(rt), _, _, TokenTree::Ident(name)] = out else {
            return None;
        };
        let found = CALL_LIKE_MACROS.into_iter().find(|m| name == m);
        found.filter(|_| rt == "rt")
    }
    fn rewrite(tokens: TokenStream) -> TokenStream {
        let mut out: Vec<TokenTree> = Vec::new();
        for tree in tokens {
            match tree {
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), rewrite(g.stream()));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Punct(p) if p.as_char() == '!' => match call_like(&out) {
                    Some(name) => {
                        let call = Ident::new(&format!("{name}{AS_CALL}"), p.span());
                        out.pop();
                        out.push(TokenTree::Ident(call));
                    }
                    None => out.push(TokenTree::Punct(p)),
                },
                other => out.push(other),
            }
        }
        out.into_iter().collect()
    }
    syn::parse2(rewrite(quote::ToTokens::to_token_stream(&item))).unwrap_or(item)
}

/// The enum of values that `item` declares, if it is a generated `rt::value_enum!`.
pub fn value_enum(item: &syn::Item) -> Option<syn::ItemEnum> {
    match declaring_macro(item) {
        Some(("value_enum", syn::Item::Enum(e))) => Some(e),
        _ => None,
    }
}

/// The struct whose members `item` lists, if it is a generated `rt::reflected!`.
pub fn reflected(item: &syn::Item) -> Option<syn::ItemStruct> {
    match declaring_macro(item) {
        Some(("reflected", syn::Item::Struct(s))) => Some(s),
        _ => None,
    }
}

/// The runtime macro `item` calls (`value_enum` or `reflected`) and the item its tokens
/// read as, if it is one of those.
fn declaring_macro(item: &syn::Item) -> Option<(&'static str, syn::Item)> {
    let syn::Item::Macro(m) = item else {
        return None;
    };
    let segments: Vec<String> = m
        .mac
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let name = match segments.as_slice() {
        [rt, name] if rt == "rt" && name == "value_enum" => "value_enum",
        [rt, name] if rt == "rt" && name == "reflected" => "reflected",
        _ => return None,
    };
    match syn::parse2::<syn::Item>(m.mac.tokens.clone()).ok()? {
        declared @ (syn::Item::Enum(_) | syn::Item::Struct(_)) => Some((name, declared)),
        _ => None,
    }
}
