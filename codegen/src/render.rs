//! Renders the model as Rust: types with serde `Serialize` (and `Deserialize` where the
//! configured cfg holds), and for each a reader (recursive descent over `XmlReader`) and a
//! writer (`XmlWriter`). Generated code names everything through the runtime's hidden
//! `__private` module (`rt::`), the standard library's names included, so that a schema
//! type called `Option` or `Result` cannot change what the code means and the including
//! crate needs no dependency of its own.
//!
//! The functions that read, write or answer for a type (`from_xml`, `to_xml`, `read_list`,
//! `write_choice`, `Element::write`, those of `Operation` and `PerItem`) are `#[inline]` in
//! debug builds (`cfg_attr(debug_assertions, inline)`): like generic code, they are then
//! compiled in the crate that calls them, and only those it reaches, where otherwise every
//! build of the bindings would compile the whole schema's, whatever the program uses.
//! Optimized builds compile them once, in the bindings: there `#[inline]` would copy each
//! into every codegen unit that calls it, and a program calling many operations would
//! optimize each reader several times. `tests/inline.rs` holds this.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{
    AttrDef, ChoiceDef, ChoiceRef, DerivedDef, ElementDef, EnumDef, FieldDef, FieldKind, Item,
    Model, Module, NsRef, Occurs, Prim, StructDef, TypeRef,
};
use crate::naming::{self, ident_source};
use crate::ops::{OperationDef, Shape};

/// How generated code reaches its runtime.
pub struct Options {
    /// The crate of the `__private` module (`crate` inside ews-bindings).
    pub runtime: syn::Path,
    /// The cfg predicate under which the types derive `Deserialize` (`feature =
    /// "deserialize"`), or `None` for never.
    pub deserialize: Option<TokenStream>,
}

impl Options {
    /// The derives every generated type has, `extra` among them, and `Deserialize` where
    /// the options say, with serde pointed at the runtime's re-export. `Serialize` is
    /// written out ([`Renderer::serialize_struct`], [`Renderer::serialize_enum`]).
    fn derives(&self, extra: TokenStream) -> TokenStream {
        let serde_crate = format!("{}::__private::serde", path_string(&self.runtime));
        let deserialize = self.deserialize.as_ref().map(|cfg| {
            quote! {
                #[cfg_attr(#cfg, derive(rt::serde::Deserialize))]
                #[cfg_attr(#cfg, serde(crate = #serde_crate))]
            }
        });
        quote! {
            #[derive(Debug, Clone, #extra PartialEq)]
            #deserialize
        }
    }

    /// The attribute that lets `Deserialize` take a missing list as empty.
    fn default_when_missing(&self) -> Option<TokenStream> {
        let cfg = self.deserialize.as_ref()?;
        Some(quote!(#[cfg_attr(#cfg, serde(default))]))
    }
}

/// `path` as source text (`crate`, `::ews_bindings`).
fn path_string(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let lead = if path.leading_colon.is_some() {
        "::"
    } else {
        ""
    };
    format!("{lead}{}", segments.join("::"))
}

/// Renders module `index` of `model`.
pub fn module(model: &Model, index: usize, options: &Options) -> TokenStream {
    let r = Renderer {
        model,
        index,
        options,
        uses_n: std::cell::Cell::new(false),
    };
    r.module()
}

struct Renderer<'m> {
    model: &'m Model,
    index: usize,
    options: &'m Options,
    /// Whether the writer being rendered names its module's namespace as `n`.
    uses_n: std::cell::Cell<bool>,
}

/// A match arm of a reader: the element names it takes, their namespace, and what it does
/// (a `rt::Parsed<()>`).
struct Arm {
    names: Vec<String>,
    ns: Option<NsRef>,
    body: TokenStream,
}

/// The reader's local variable for field `name`; the readers' other locals (`r`, `start`,
/// `c`, `this`, `list`, `item`, `items`) never start with `f_`.
fn slot(name: &str) -> Ident {
    format_ident!("{}", naming::reader_local(name))
}

fn ident(name: &str) -> Ident {
    let source = ident_source(name);
    match source.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(&source, Span::call_site()),
    }
}

/// Doc attributes: the schema's documentation, each text a paragraph (whitespace folded,
/// Markdown punctuation escaped, URLs linked), then `line`.
fn docs(documentation: &[String], line: &str) -> TokenStream {
    let mut lines = Vec::new();
    for text in documentation {
        let words: Vec<String> = text.split_whitespace().map(doc_word).collect();
        if words.is_empty() {
            continue;
        }
        lines.push(format!(" {}", words.join(" ")));
        lines.push(String::new());
    }
    lines.push(format!(" {line}"));
    quote!(#(#[doc = #lines])*)
}

/// A word of schema documentation as Markdown: a URL as a link, anything else with the
/// characters Markdown or rustdoc would read escaped.
fn doc_word(word: &str) -> String {
    if word.starts_with("http://") || word.starts_with("https://") {
        let end = word.trim_end_matches(['.', ',', ';', ')']);
        return format!("<{end}>{}", &word[end.len()..]);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Renderer<'_> {
    fn this(&self) -> &Module {
        &self.model.modules[self.index]
    }

    fn module(&self) -> TokenStream {
        let m = self.this();
        let uri = &m.uri;
        let prefix = &m.prefix;
        let items = m.items.iter().map(|item| match item {
            Item::Struct(s) => self.structure(s),
            Item::Choice(c) => self.choice(c),
            Item::Enum(e) => self.enumeration(e),
            Item::Derived(d) => self.derived(d),
        });
        let roots = self.roots();
        let ns_doc = format!(" The namespace `{uri}`, written with the prefix `{prefix}`.");
        let runtime = &self.options.runtime;
        quote! {
            use #runtime::__private as rt;

            #[doc = #ns_doc]
            pub static NAMESPACE: rt::Namespace = rt::Namespace { uri: #uri, prefix: #prefix };

            #(#items)*

            #roots
        }
    }

    fn type_tokens(&self, ty: &TypeRef) -> TokenStream {
        match ty {
            TypeRef::Prim(Prim::String) => quote!(rt::Text),
            TypeRef::Prim(p) if p.is_runtime() => {
                let p = format_ident!("{}", p.rust());
                quote!(rt::#p)
            }
            TypeRef::Prim(p) => {
                let p = format_ident!("{}", p.rust());
                quote!(#p)
            }
            TypeRef::Named { module, name, .. } => {
                let name = ident(name);
                if *module == self.index {
                    quote!(#name)
                } else {
                    let m = ident(&self.model.modules[*module].name);
                    quote!(super::#m::#name)
                }
            }
            TypeRef::Any => quote!(rt::AnyElement),
            TypeRef::List(item) => {
                let item = self.type_tokens(item);
                quote!(rt::Vec<#item>)
            }
        }
    }

    /// The namespace argument of a runtime call (`&NAMESPACE`, or none).
    fn ns_arg(&self, ns: &Option<NsRef>) -> TokenStream {
        match ns {
            None => quote!(rt::None),
            Some(NsRef::Xml) => quote!(&rt::XML),
            Some(NsRef::Module(m)) if *m == self.index => quote!(&NAMESPACE),
            Some(NsRef::Module(m)) => {
                let m = ident(&self.model.modules[*m].name);
                quote!(&super::#m::NAMESPACE)
            }
        }
    }

    /// The namespace argument of a writer's call: `n`, which the writer binds to
    /// `&NAMESPACE`, for the module's own namespace (see [`Renderer::with_n`]).
    fn writer_ns(&self, ns: &Option<NsRef>) -> TokenStream {
        match ns {
            Some(NsRef::Module(m)) if *m == self.index => {
                self.uses_n.set(true);
                quote!(n)
            }
            other => self.ns_arg(other),
        }
    }

    /// `body`, a writer's statements, with `n` bound first if they use it.
    fn with_n(&self, body: impl FnOnce() -> TokenStream) -> TokenStream {
        self.uses_n.set(false);
        let body = body();
        if self.uses_n.replace(false) {
            quote!(let n = &NAMESPACE; #body)
        } else {
            body
        }
    }

    /// A guard that the name `var.ns` is in `ns`.
    fn ns_guard(&self, var: &TokenStream, ns: &Option<NsRef>) -> TokenStream {
        match ns {
            None => quote!(#var.ns.uri().is_none()),
            Some(NsRef::Xml) => quote!(#var.ns.is(&rt::XML)),
            Some(NsRef::Module(m)) if *m == self.index => quote!(#var.ns.is(&NAMESPACE)),
            Some(NsRef::Module(m)) => {
                let m = ident(&self.model.modules[*m].name);
                quote!(#var.ns.is(&super::#m::NAMESPACE))
            }
        }
    }

    fn qualified(&self, ns: &Option<NsRef>, local: &str) -> String {
        match ns {
            None => local.to_owned(),
            Some(NsRef::Xml) => format!("xml:{local}"),
            Some(NsRef::Module(m)) => format!("{}:{local}", self.model.modules[*m].prefix),
        }
    }

    /// The Rust type of an element's value: its type, or for a list the `Vec` of what the
    /// wrapping type holds.
    fn element_type(&self, e: &ElementDef) -> TokenStream {
        match &e.list {
            None => self.type_tokens(&e.ty),
            Some(list) => {
                let item = self.kind_type(&list.item);
                quote!(rt::Vec<#item>)
            }
        }
    }

    fn kind_type(&self, kind: &FieldKind) -> TokenStream {
        match kind {
            FieldKind::Element(e) => self.element_type(e),
            FieldKind::Choice(c) => self.choice_path(c),
            FieldKind::Any => quote!(rt::AnyElement),
        }
    }

    fn field_type(&self, f: &FieldDef) -> TokenStream {
        let inner = self.kind_type(&f.kind);
        let inner = if f.boxed {
            quote!(rt::Box<#inner>)
        } else {
            inner
        };
        match f.occurs {
            Occurs::Required => inner,
            Occurs::Optional => quote!(rt::Option<#inner>),
            Occurs::Repeated => quote!(rt::Vec<#inner>),
        }
    }

    fn structure(&self, s: &StructDef) -> TokenStream {
        let name = ident(&s.name);
        let doc = docs(&s.doc, &format!("The schema type `{}`.", s.xsd));
        let mut decls = Vec::new();
        for a in &s.attributes {
            let f = ident(&a.field);
            let ty = self.type_tokens(&a.ty);
            let doc = docs(
                &a.doc,
                &format!("Attribute `{}`.", self.qualified(&a.ns, &a.xml)),
            );
            if a.required {
                decls.push(quote! { #doc pub #f: #ty });
            } else {
                decls.push(quote! { #doc pub #f: rt::Option<#ty> });
            }
        }
        for f in &s.fields {
            let fname = ident(&f.name);
            let ty = self.field_type(f);
            let doc = match &f.kind {
                FieldKind::Element(e) => docs(
                    &e.doc,
                    &format!("Element `{}`.", self.qualified(&e.ns, &e.xml)),
                ),
                FieldKind::Choice(c) => {
                    docs(&[], &format!("One of the elements of [`{}`].", c.name))
                }
                FieldKind::Any => docs(&[], "Elements matched by `xs:any`."),
            };
            let default = match f.occurs {
                Occurs::Required | Occurs::Optional => None,
                Occurs::Repeated => self.options.default_when_missing(),
            };
            decls.push(quote! { #doc #default pub #fname: #ty });
        }
        if let Some(text) = &s.text {
            let ty = self.type_tokens(text);
            decls.push(quote! { #[doc = " The element's text."] pub value: #ty });
        }
        let reader = self.struct_reader(s);
        let writer = self.with_n(|| self.struct_writer(s));
        // A struct with nothing required has an empty default, handy for requests.
        let all_optional = has_default(s);
        let derives = self.options.derives(if all_optional {
            quote!(Default,)
        } else {
            quote!()
        });
        // A type of text content takes its text even when it has a default.
        let constructors = (!all_optional || s.text.is_some()).then(|| self.constructors(s));
        let serialize = self.serialize_struct(s);
        quote! {
            #doc
            #derives
            pub struct #name { #(#decls,)* }

            #constructors

            #serialize

            impl rt::FromXml for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn from_xml<'a>(
                    r: &mut rt::Reader<'a>,
                    start: rt::Start<'a>,
                ) -> rt::Parsed<Self> {
                    #reader
                }
            }

            impl rt::ToXml for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn to_xml(
                    &self,
                    w: &mut rt::XmlWriter,
                    ns: rt::ElementNs,
                    local: &str,
                ) {
                    #writer
                }
            }
        }
    }

    /// `Serialize` of the struct `s`, through its `rt::Member` value: its members in
    /// order, lists of their own left out when empty (and `None`, as every `Option`).
    fn serialize_struct(&self, s: &StructDef) -> TokenStream {
        let name = ident(&s.name);
        let attributes = s.attributes.iter().map(|a| {
            let f = ident(&a.field);
            quote!(#f)
        });
        let fields = s.fields.iter().map(|field| {
            let f = ident(&field.name);
            match field.occurs {
                Occurs::Repeated => quote!([#f]),
                Occurs::Required | Occurs::Optional => quote!(#f),
            }
        });
        let text = s.text.as_ref().map(|_| quote!(value));
        let members = attributes.chain(fields).chain(text);
        quote! {
            rt::reflected! {
                struct #name(#(#members),*);
            }
        }
    }

    /// `Serialize` of the enum `name` of newtype variants `variants`, through its
    /// `rt::Member` value.
    fn serialize_enum<'v>(
        &self,
        name: &str,
        variants: impl Iterator<Item = &'v str>,
    ) -> TokenStream {
        let serde_name = naming::serde_name(name);
        let arms = variants.enumerate().map(|(i, v)| {
            let vname = ident(v);
            let index = proc_macro2::Literal::usize_unsuffixed(i);
            let tag = naming::serde_name(v);
            quote!(Self::#vname(v) => rt::Value::Variant(#serde_name, #index, #tag, v),)
        });
        let name = ident(name);
        quote! {
            impl rt::Member for #name {
                #[inline]
                fn value(&self) -> rt::Value<'_> {
                    match self { #(#arms)* }
                }
            }

            rt::reflected!(#name);
        }
    }

    /// `new`, taking the members `s` requires (each as anything that converts into it) and
    /// leaving the others absent; and `From` the one value of an enum a struct requires
    /// (`DistinguishedFolderIdName` → `DistinguishedFolderId`).
    fn constructors(&self, s: &StructDef) -> TokenStream {
        let name = ident(&s.name);
        let mut params = Vec::new();
        let mut inits = Vec::new();
        for a in &s.attributes {
            let f = ident(&a.field);
            if a.required {
                let ty = self.type_tokens(&a.ty);
                params.push(quote!(#f: impl rt::Into<#ty>));
                inits.push(quote!(#f: #f.into()));
            } else {
                inits.push(quote!(#f: rt::None));
            }
        }
        for f in &s.fields {
            let fname = ident(&f.name);
            match f.occurs {
                Occurs::Required => {
                    let ty = self.kind_type(&f.kind);
                    params.push(quote!(#fname: impl rt::Into<#ty>));
                    inits.push(if f.boxed {
                        quote!(#fname: rt::Box::new(#fname.into()))
                    } else {
                        quote!(#fname: #fname.into())
                    });
                }
                Occurs::Optional => inits.push(quote!(#fname: rt::None)),
                Occurs::Repeated => inits.push(quote!(#fname: rt::Vec::new())),
            }
        }
        if let Some(text) = &s.text {
            let ty = self.type_tokens(text);
            params.push(quote!(value: impl rt::Into<#ty>));
            inits.push(quote!(value: value.into()));
        }
        let doc = format!(
            " `{}` with the members the schema requires; the others are absent (set them \
             by name with `..{}::new(…)`).",
            s.name, s.name
        );
        let from = self.required_enum(s).map(|e| {
            let e = self.type_tokens(&e);
            quote! {
                impl rt::From<#e> for #name {
                    #[inline]
                    fn from(value: #e) -> Self {
                        Self::new(value)
                    }
                }
            }
        });
        // The schema decides how many members a type requires.
        let many = (params.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            impl #name {
                #[doc = #doc]
                #many
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits,)* }
                }
            }

            #from
        }
    }

    /// The enum of values `s` requires when it requires nothing else (`DistinguishedFolderId`
    /// requires a `DistinguishedFolderIdName`): a value of it makes an `s`.
    fn required_enum(&self, s: &StructDef) -> Option<TypeRef> {
        let attrs = s.attributes.iter().filter(|a| a.required).map(|a| &a.ty);
        let fields = s
            .fields
            .iter()
            .filter(|f| f.occurs == Occurs::Required)
            .map(|f| match &f.kind {
                FieldKind::Element(e) if e.list.is_none() && !f.boxed => Some(&e.ty),
                _ => None,
            });
        let mut required: Vec<Option<&TypeRef>> = attrs.map(Some).chain(fields).collect();
        required.extend(s.text.iter().map(Some));
        match required.as_slice() {
            [Some(ty @ TypeRef::Named { value: true, .. })] => Some((*ty).clone()),
            _ => None,
        }
    }

    /// The reading of attribute `a` of `start` (an `rt::Option`, or the value itself when
    /// `a` is required).
    fn read_attr(&self, a: &AttrDef) -> TokenStream {
        let ns = self.ns_arg(&a.ns);
        let xml = &a.xml;
        if a.required {
            quote!(rt::tri!(r.required_attr(&start, #ns, #xml)))
        } else {
            quote!(rt::tri!(r.attr(&start, #ns, #xml)))
        }
    }

    /// The fields of `s`'s attributes, each read from `start`.
    fn attr_fields(&self, s: &StructDef) -> Vec<TokenStream> {
        let fields = s.attributes.iter().map(|a| {
            let f = ident(&a.field);
            let read = self.read_attr(a);
            quote!(#f: #read)
        });
        fields.collect()
    }

    /// The attributes read into locals (before the children, while the element's namespace
    /// declarations are in scope), and the fields they initialize.
    fn attr_reader(&self, attrs: &[AttrDef]) -> (TokenStream, Vec<TokenStream>) {
        let mut lets = Vec::new();
        let mut inits = Vec::new();
        for a in attrs {
            let f = ident(&a.field);
            let acc = slot(&a.field);
            let read = self.read_attr(a);
            lets.push(quote!(let #acc = #read;));
            inits.push(quote!(#f: #acc));
        }
        (quote!(#(#lets)*), inits)
    }

    fn struct_reader(&self, s: &StructDef) -> TokenStream {
        if s.text.is_none() && has_default(s) {
            return self.default_reader(s);
        }
        if s.text.is_none() && s.fields.iter().all(|f| f.occurs != Occurs::Required) {
            return self.attributes_first_reader(s);
        }
        if s.text.is_some() {
            // Fields are read in order: the attributes before `start` is handed over.
            let attributes = self.attr_fields(s);
            return quote! {
                rt::Ok(Self { #(#attributes,)* value: rt::tri!(r.read_value(start)) })
            };
        }
        let (attrs, mut inits) = self.attr_reader(&s.attributes);
        let child = quote!(c);
        let mut lets = Vec::new();
        let mut required = Vec::new();
        let mut arms = Vec::new();
        let mut fallback = None;
        for f in &s.fields {
            let fname = ident(&f.name);
            let acc = slot(&f.name);
            lets.push(match f.occurs {
                Occurs::Repeated => quote!(let mut #acc = rt::Vec::new();),
                _ => quote!(let mut #acc = rt::None;),
            });
            let any = self.kind_arms(&f.kind, &child, &quote!(#acc), &mut arms);
            fallback = any.or(fallback);
            let what = match &f.kind {
                FieldKind::Element(e) => e.xml.clone(),
                FieldKind::Choice(c) => self
                    .choice_def(c)
                    .variants
                    .iter()
                    .map(|v| v.element.as_ref().map_or("any", |e| e.xml.as_str()))
                    .collect::<Vec<_>>()
                    .join(" | "),
                FieldKind::Any => f.name.clone(),
            };
            if f.occurs == Occurs::Required {
                required.push(quote!(rt::required!(r, &start, #acc, #what);));
            }
            inits.push(quote!(#fname: #acc));
        }
        let fallback = fallback.unwrap_or_else(|| quote!(r.skip(#child)));
        let each = self.dispatch(&child, &arms, fallback);
        quote! {
            #attrs
            #(#lets)*
            while let rt::Some(c) = rt::tri!(r.next_child(&start)) {
                #each
            }
            #(#required)*
            rt::Ok(Self { #(#inits,)* })
        }
    }

    /// The reader of a struct with nothing required: it reads into its default value.
    fn default_reader(&self, s: &StructDef) -> TokenStream {
        if s.attributes.is_empty() && s.fields.is_empty() {
            return quote! {
                rt::tri!(r.skip(start));
                rt::Ok(Self::default())
            };
        }
        let attributes = self.attr_fields(s);
        let this = match (attributes.is_empty(), s.fields.is_empty()) {
            (true, _) => quote!(Self::default()),
            (false, true) => quote!(Self { #(#attributes,)* }),
            (false, false) => quote!(Self { #(#attributes,)* ..Self::default() }),
        };
        let binding = if s.fields.is_empty() {
            quote!(let this)
        } else {
            quote!(let mut this)
        };
        let read = self.elements_into_this(s);
        quote! {
            #binding = #this;
            #read
            rt::Ok(this)
        }
    }

    /// The statements reading the child elements of `start` into the fields of `this` (or
    /// skipping `start`, for a struct without elements).
    fn elements_into_this(&self, s: &StructDef) -> TokenStream {
        if s.fields.is_empty() {
            return quote!(rt::tri!(r.skip(start)););
        }
        let child = quote!(c);
        let mut arms = Vec::new();
        let mut fallback = None;
        for f in &s.fields {
            let fname = ident(&f.name);
            let any = self.kind_arms(&f.kind, &child, &quote!(this.#fname), &mut arms);
            fallback = any.or(fallback);
        }
        let fallback = fallback.unwrap_or_else(|| quote!(r.skip(#child)));
        let each = self.dispatch(&child, &arms, fallback);
        quote! {
            while let rt::Some(c) = rt::tri!(r.next_child(&start)) {
                #each
            }
        }
    }

    /// The reader of a struct that requires attributes only (a response message its
    /// `ResponseClass`, an `ItemId` its `Id`): made of its attributes, its elements absent,
    /// it reads its elements into itself.
    fn attributes_first_reader(&self, s: &StructDef) -> TokenStream {
        let attributes = self.attr_fields(s);
        let fields = s.fields.iter().map(|f| {
            let fname = ident(&f.name);
            match f.occurs {
                Occurs::Repeated => quote!(#fname: rt::Vec::new()),
                Occurs::Required | Occurs::Optional => quote!(#fname: rt::None),
            }
        });
        let read = self.elements_into_this(s);
        let binding = if s.fields.is_empty() {
            quote!(let this)
        } else {
            quote!(let mut this)
        };
        quote! {
            #binding = Self { #(#attributes,)* #(#fields,)* };
            #read
            rt::Ok(this)
        }
    }

    /// The statement that hands the element `child` to the arm its name selects, or to
    /// `fallback` (each a `rt::Parsed<()>`, its error returned once, after the `match`).
    /// When every arm's element is in one namespace, the namespace is checked once, before
    /// the name is matched.
    fn dispatch(&self, child: &TokenStream, arms: &[Arm], fallback: TokenStream) -> TokenStream {
        if arms.is_empty() {
            return quote!(rt::tri!(#fallback););
        }
        let select = self.select(child, arms, fallback);
        quote! {
            let read = #select;
            rt::tri!(read);
        }
    }

    /// The `match` handing the element `child` to the arm its name selects, or to
    /// `fallback`; the namespace checked once when every arm's element is in one.
    fn select(&self, child: &TokenStream, arms: &[Arm], fallback: TokenStream) -> TokenStream {
        let Some(first) = arms.first() else {
            return fallback;
        };
        if arms.iter().all(|a| a.ns == first.ns) {
            let ns = self.ns_arg(&first.ns);
            let arms = arms
                .iter()
                .map(|Arm { names, body, .. }| quote!(#(#names)|* => #body,));
            quote! {
                match #child.local_in(#ns) {
                    #(#arms)*
                    _ => #fallback,
                }
            }
        } else {
            let arms = arms.iter().map(|Arm { names, ns, body }| {
                let guard = self.ns_guard(child, ns);
                quote!(#(#names)|* if #guard => #body,)
            });
            quote! {
                match #child.local {
                    #(#arms)*
                    _ => #fallback,
                }
            }
        }
    }

    /// The arms reading the element or choice `kind` from `child` into `slot` (an `Option`
    /// or a `Vec`); returns the reading of `xs:any`, which takes any other element.
    fn kind_arms(
        &self,
        kind: &FieldKind,
        child: &TokenStream,
        slot: &TokenStream,
        arms: &mut Vec<Arm>,
    ) -> Option<TokenStream> {
        match kind {
            FieldKind::Element(e) => {
                arms.push(Arm {
                    names: element_names(e),
                    ns: e.ns.clone(),
                    body: self.read_into(e, child, slot),
                });
                None
            }
            FieldKind::Choice(c) => {
                // The choice reads the element it is: one arm for its elements of each
                // namespace, and any other element as well when it has an `xs:any`.
                let def = self.choice_def(c);
                let mut groups: Vec<(Option<NsRef>, Vec<String>)> = Vec::new();
                for e in def.variants.iter().filter_map(|v| v.element.as_ref()) {
                    let names = element_names(e);
                    match groups.iter_mut().find(|(ns, _)| *ns == e.ns) {
                        Some((_, all)) => all.extend(names),
                        None => groups.push((e.ns.clone(), names)),
                    }
                }
                let body = quote!(r.field(#child, &mut #slot));
                for (ns, names) in groups {
                    arms.push(Arm {
                        names,
                        ns,
                        body: body.clone(),
                    });
                }
                def.variants
                    .iter()
                    .any(|v| v.element.is_none())
                    .then_some(body)
            }
            FieldKind::Any => Some(quote!(r.field(#child, &mut #slot))),
        }
    }

    /// Reads the element `e` from `child` into `slot`: one runtime call.
    fn read_into(&self, e: &ElementDef, child: &TokenStream, slot: &TokenStream) -> TokenStream {
        let Some(list) = &e.list else {
            return if e.ty.is_value() {
                quote!(r.value(#child, &mut #slot))
            } else {
                quote!(r.field(#child, &mut #slot))
            };
        };
        match &list.item {
            FieldKind::Element(ie) if ie.list.is_none() && ie.aliases.is_empty() => {
                let xml = &ie.xml;
                let value = ie.ty.is_value();
                if ie.ns == e.ns {
                    let call = if value {
                        quote!(value_list)
                    } else {
                        quote!(list)
                    };
                    quote!(r.#call(#child, &mut #slot, #xml))
                } else {
                    let ns = self.ns_arg(&ie.ns);
                    let call = if value {
                        quote!(value_list_in)
                    } else {
                        quote!(list_in)
                    };
                    quote!(r.#call(#child, &mut #slot, #ns, #xml))
                }
            }
            FieldKind::Choice(_) => quote!(r.choices(#child, &mut #slot)),
            _ => {
                let read = self.read_expr(e, child);
                quote!(r.field_with(#child, &mut #slot, |r, #child| rt::Ok(#read)))
            }
        }
    }

    /// An expression reading the element `e` from `child` (its value, for a list the
    /// `Vec`), for the rare shapes [`read_into`](Self::read_into) has no call for.
    fn read_expr(&self, e: &ElementDef, child: &TokenStream) -> TokenStream {
        let Some(list) = &e.list else {
            return if e.ty.is_value() {
                quote!(rt::tri!(r.read_value(#child)))
            } else {
                quote!(rt::read!(r, #child))
            };
        };
        match &list.item {
            FieldKind::Element(ie) if ie.list.is_none() && ie.aliases.is_empty() => {
                let ns = self.ns_arg(&ie.ns);
                let xml = &ie.xml;
                if ie.ty.is_value() {
                    quote!(rt::tri!(r.read_value_list(#child, #ns, #xml)))
                } else {
                    quote!(rt::tri!(r.read_list(#child, #ns, #xml)))
                }
            }
            FieldKind::Choice(_) => quote!(rt::tri!(rt::ChoiceList::read_list(r, #child))),
            other => {
                let item = quote!(item);
                let mut arms = Vec::new();
                let fallback = self
                    .kind_arms(other, &item, &quote!(items), &mut arms)
                    .unwrap_or_else(|| quote!(r.skip(#item)));
                let each = self.dispatch(&item, &arms, fallback);
                quote!({
                    let list = #child;
                    let mut items = rt::Vec::new();
                    while let rt::Some(item) = rt::tri!(r.next_child(&list)) {
                        #each
                    }
                    items
                })
            }
        }
    }

    /// The statement writing `value` (a field's value: the type, an `Option` or a `Vec` of
    /// it as `occurs` says) as the element `e`: one runtime call.
    fn write_element(&self, e: &ElementDef, occurs: Occurs, value: TokenStream) -> TokenStream {
        let ns = self.writer_ns(&e.ns);
        let xml = &e.xml;
        let Some(list) = &e.list else {
            return match (e.ty.is_value(), occurs) {
                (true, Occurs::Required) => quote!(w.value_element(#ns, #xml, #value);),
                (true, Occurs::Optional) => quote!(w.opt_value(#ns, #xml, #value);),
                (true, Occurs::Repeated) => quote!(w.values(#ns, #xml, #value);),
                (false, _) => quote!(w.element(#ns, #xml, #value);),
            };
        };
        if occurs == Occurs::Repeated {
            let one = self.write_element(e, Occurs::Required, quote!(v));
            return quote!(for v in #value { #one });
        }
        match &list.item {
            FieldKind::Element(ie) if ie.list.is_none() => {
                let item_ns = self.writer_ns(&ie.ns);
                let item_xml = &ie.xml;
                if ie.ty.is_value() {
                    quote!(w.value_list(#ns, #xml, #item_ns, #item_xml, #value);)
                } else {
                    quote!(w.list(#ns, #xml, #item_ns, #item_xml, #value);)
                }
            }
            FieldKind::Choice(_) => quote!(w.choice_list(#ns, #xml, #value);),
            other => {
                let one = self.write_kind(other, Occurs::Required, quote!(v));
                let list = quote! {
                    w.start(#ns, #xml);
                    for v in list { #one }
                    w.end(#ns, #xml);
                };
                match occurs {
                    Occurs::Optional => quote!(if let rt::Some(list) = #value { #list }),
                    _ => quote!({ let list = #value; #list }),
                }
            }
        }
    }

    fn struct_writer(&self, s: &StructDef) -> TokenStream {
        let mut out = vec![quote!(w.start(ns, local);)];
        for a in &s.attributes {
            let f = ident(&a.field);
            let ns = self.writer_ns(&a.ns);
            let xml = &a.xml;
            out.push(if a.required {
                quote!(w.attr_value(#ns, #xml, &self.#f);)
            } else {
                quote!(w.opt_attr_value(#ns, #xml, &self.#f);)
            });
        }
        if s.text.is_some() {
            out.push(quote!(w.text(&rt::XmlValue::to_text(&self.value));));
        }
        for f in &s.fields {
            let fname = ident(&f.name);
            out.push(self.write_kind(&f.kind, f.occurs, quote!(&self.#fname)));
        }
        out.push(quote!(w.end(ns, local);));
        quote!(#(#out)*)
    }

    /// Writes `value`, an element or choice of `kind` occurring `occurs` times.
    fn write_kind(&self, kind: &FieldKind, occurs: Occurs, value: TokenStream) -> TokenStream {
        match kind {
            FieldKind::Element(e) => self.write_element(e, occurs, value),
            FieldKind::Choice(_) | FieldKind::Any => quote!(w.choice(#value);),
        }
    }

    fn choice_def(&self, choice: &ChoiceRef) -> &ChoiceDef {
        self.model
            .choice_def(choice)
            .expect("a choice reference names a generated choice")
    }

    fn choice_path(&self, choice: &ChoiceRef) -> TokenStream {
        let name = ident(&choice.name);
        if choice.module == self.index {
            quote!(#name)
        } else {
            let m = ident(&self.model.modules[choice.module].name);
            quote!(super::#m::#name)
        }
    }

    fn choice(&self, c: &ChoiceDef) -> TokenStream {
        let name = ident(&c.name);
        let doc = match &c.base {
            Some(base) => format!(
                " One of the elements of {}: each holds a `{}` or a value of a type derived \
                 from it.",
                c.owner, base.xsd
            ),
            None => format!(" One of the elements of {}.", c.owner),
        };
        let variants = c.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let (doc, ty) = match &v.element {
                Some(e) => {
                    let ty = self.element_type(e);
                    let ty = if v.boxed { quote!(rt::Box<#ty>) } else { ty };
                    (format!(" Element `{}`.", self.qualified(&e.ns, &e.xml)), ty)
                }
                None => (
                    " An element matched by `xs:any`.".to_owned(),
                    quote!(rt::AnyElement),
                ),
            };
            quote!(#[doc = #doc] #vname(#ty))
        });
        let reader = self.choice_reader(c);
        let lists = c.listed.then(|| self.choice_lists(c));
        let derives = self.options.derives(quote!());
        let serialize = self.serialize_enum(&c.name, c.variants.iter().map(|v| v.name.as_str()));
        let froms = self.choice_froms(c);
        let accessors = self.choice_accessors(c);
        let writer = self.choice_writer(c);
        // Variants hold their element inline, as struct fields do: no allocation each.
        quote! {
            #[doc = #doc]
            #derives
            #[allow(clippy::large_enum_variant)]
            pub enum #name { #(#variants,)* }

            #serialize

            #(#froms)*

            #accessors

            #reader

            #writer

            #lists
        }
    }

    /// How a choice reads the element it is: the variant its name selects, or (for an
    /// element none selects) the `xs:any` variant or an error.
    fn choice_reader(&self, c: &ChoiceDef) -> TokenStream {
        let name = ident(&c.name);
        let start = quote!(start);
        let mut arms = Vec::new();
        let mut any = None;
        for v in &c.variants {
            let vname = ident(&v.name);
            let Some(e) = &v.element else {
                any = Some(quote!(Self::#vname(rt::read!(r, start))));
                continue;
            };
            let read = self.read_expr(e, &start);
            // `FromXml` reads a `Box` of what it reads; a value or a list is boxed here.
            let read = if v.boxed && (e.list.is_some() || e.ty.is_value()) {
                quote!(rt::Box::new(#read))
            } else {
                read
            };
            arms.push(Arm {
                names: element_names(e),
                ns: e.ns.clone(),
                body: quote!(Self::#vname(#read)),
            });
        }
        let choice = &c.name;
        let fallback = any.unwrap_or_else(|| quote!(return r.not_in_choice(start, #choice)));
        let select = self.select(&start, &arms, fallback);
        quote! {
            impl rt::FromXml for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn from_xml<'a>(
                    r: &mut rt::Reader<'a>,
                    start: rt::Start<'a>,
                ) -> rt::Parsed<Self> {
                    rt::Ok(#select)
                }
            }
        }
    }

    /// `From` each variant's value, where no other variant holds a value of the same type,
    /// and from the enum of values a variant's struct alone requires (a
    /// `DistinguishedFolderIdName` is a folder id).
    fn choice_froms(&self, c: &ChoiceDef) -> Vec<TokenStream> {
        let name = ident(&c.name);
        let mut sources: Vec<(String, TokenStream, TokenStream)> = Vec::new();
        for v in &c.variants {
            let Some(e) = &v.element else { continue };
            let vname = ident(&v.name);
            let ty = self.element_type(e);
            let wrap = if v.boxed {
                quote!(Self::#vname(rt::Box::new(value)))
            } else {
                quote!(Self::#vname(value))
            };
            sources.push((ty.to_string(), ty, wrap));
            if e.list.is_some() {
                continue;
            }
            if let Some(required) = self
                .model
                .struct_def(&e.ty)
                .and_then(|s| self.required_enum(s))
            {
                let ty = self.type_tokens(&required);
                let inner = self.type_tokens(&e.ty);
                let made = quote!(<#inner as rt::From<#ty>>::from(value));
                let wrap = if v.boxed {
                    quote!(Self::#vname(rt::Box::new(#made)))
                } else {
                    quote!(Self::#vname(#made))
                };
                sources.push((ty.to_string(), ty, wrap));
            }
        }
        sources
            .iter()
            .filter(|(key, _, _)| sources.iter().filter(|(k, _, _)| k == key).count() == 1)
            .map(|(_, ty, wrap)| {
                quote! {
                    impl rt::From<#ty> for #name {
                        #[inline]
                        fn from(value: #ty) -> Self {
                            #wrap
                        }
                    }
                }
            })
            .collect()
    }

    /// For a choice of a base type and types derived from it (`AnyItem`): a method per
    /// member every variant's struct has (`item_id`, `subject`, `mime_content`), so that
    /// the members the base type gives are read without a match over every kind.
    fn choice_accessors(&self, c: &ChoiceDef) -> Option<TokenStream> {
        c.base.as_ref()?;
        let structs: Vec<&StructDef> = c
            .variants
            .iter()
            .map(|v| {
                let e = v.element.as_ref().filter(|e| e.list.is_none())?;
                self.model.struct_def(&e.ty)
            })
            .collect::<Option<_>>()?;
        let (first, rest) = structs.split_first()?;
        let name = ident(&c.name);
        let each = format_ident!("{}", naming::each_kind_macro(&c.name));
        // The method `f` returning `ret`, `get` of whichever value the enum holds (`v`).
        let method = |f: &Ident, what: &str, ret: TokenStream, get: TokenStream| {
            let doc = format!(" {what}, whichever type the value is.");
            quote! {
                #[doc = #doc]
                #[inline]
                pub fn #f(&self) -> #ret {
                    #each!(self, v => #get)
                }
            }
        };
        let mut methods = Vec::new();
        for a in &first.attributes {
            if !rest.iter().all(|s| s.attributes.contains(a)) {
                continue;
            }
            let f = ident(&a.field);
            let ty = self.type_tokens(&a.ty);
            let text = a.ty == TypeRef::Prim(Prim::String);
            let (ret, get) = match (a.required, text) {
                (true, true) => (quote!(&str), quote!(&v.#f)),
                (true, false) => (quote!(&#ty), quote!(&v.#f)),
                (false, true) => (quote!(rt::Option<&str>), quote!(v.#f.as_deref())),
                (false, false) => (quote!(rt::Option<&#ty>), quote!(v.#f.as_ref())),
            };
            let what = format!("Attribute `{}`", self.qualified(&a.ns, &a.xml));
            methods.push(method(&f, &what, ret, get));
        }
        for field in &first.fields {
            if !rest
                .iter()
                .all(|s| s.fields.iter().any(|other| same_member(field, other)))
            {
                continue;
            }
            let FieldKind::Element(e) = &field.kind else {
                continue;
            };
            let f = ident(&field.name);
            let ty = self.kind_type(&field.kind);
            let text = e.list.is_none() && e.ty == TypeRef::Prim(Prim::String);
            let copy = e.list.is_none() && matches!(e.ty, TypeRef::Prim(p) if !p.is_runtime());
            let (ret, get) = match (field.occurs, &e.list) {
                (Occurs::Required, _) if text => (quote!(&str), quote!(&v.#f)),
                (Occurs::Required, _) if copy => (ty, quote!(v.#f)),
                (Occurs::Required, _) => (quote!(&#ty), quote!(&v.#f)),
                (Occurs::Optional, _) if copy => (quote!(rt::Option<#ty>), quote!(v.#f)),
                (Occurs::Optional, _) if text => {
                    (quote!(rt::Option<&str>), quote!(v.#f.as_deref()))
                }
                (Occurs::Optional, Some(list)) => {
                    let item = self.kind_type(&list.item);
                    (quote!(rt::Option<&[#item]>), quote!(v.#f.as_deref()))
                }
                (Occurs::Optional, None) if field.boxed => {
                    (quote!(rt::Option<&#ty>), quote!(v.#f.as_deref()))
                }
                (Occurs::Optional, None) => (quote!(rt::Option<&#ty>), quote!(v.#f.as_ref())),
                (Occurs::Repeated, _) => (quote!(&[#ty]), quote!(&v.#f)),
            };
            let what = format!("Element `{}`", self.qualified(&e.ns, &e.xml));
            methods.push(method(&f, &what, ret, get));
        }
        if methods.is_empty() {
            return None;
        }
        let arms = c.variants.iter().map(|v| {
            let vname = ident(&v.name);
            quote!(#name::#vname($v) => $e,)
        });
        Some(quote! {
            /// Evaluates an expression with the value of whichever variant `self` is.
            macro_rules! #each {
                ($value:expr, $v:ident => $e:expr) => {
                    match $value { #(#arms)* }
                };
            }

            /// The members every type of the choice has.
            impl #name {
                #(#methods)*
            }
        })
    }

    /// The enum of an abstract (or chosen) type and the types derived from it, read and
    /// written by `xsi:type`.
    fn derived(&self, d: &DerivedDef) -> TokenStream {
        let name = ident(&d.name);
        let kind = if d.is_abstract {
            "abstract schema type"
        } else {
            "schema type"
        };
        let doc = docs(
            &d.doc,
            &format!(
                "A value of the {kind} `{}` or of a type derived from it, as the element's \
                 `xsi:type` names it. Without `xsi:type`, or with a type this schema does not \
                 define, the element reads as `{}` itself, content beyond it skipped.",
                d.xsd, d.xsd
            ),
        );
        let base = ident(&d.variants[0].name);
        let mut variants = Vec::new();
        let mut reads = Vec::new();
        let mut writes = Vec::new();
        let mut froms = Vec::new();
        for (i, v) in d.variants.iter().enumerate() {
            let vname = ident(&v.name);
            let ty = self.type_tokens(&v.ty);
            let qualified = self.qualified(&Some(NsRef::Module(v.module)), &v.xsd);
            let vdoc = format!(" `{qualified}`.");
            variants.push(quote!(#[doc = #vdoc] #vname(rt::Box<#ty>)));
            froms.push(quote! {
                impl rt::From<#ty> for #name {
                    #[inline]
                    fn from(value: #ty) -> Self {
                        Self::#vname(rt::Box::new(value))
                    }
                }
            });
            if i == 0 {
                writes.push(quote!(Self::#vname(v) => v.to_xml(w, ns, local),));
                continue;
            }
            let type_ns = if v.module == self.index {
                quote!(&NAMESPACE)
            } else {
                let m = ident(&self.model.modules[v.module].name);
                quote!(&super::#m::NAMESPACE)
            };
            let xsd = &v.xsd;
            reads.push(quote! {
                rt::Some((ns, name)) if name == #xsd && ns.is(#type_ns) => {
                    Self::#vname(rt::Box::new(rt::read!(r, start)))
                }
            });
            writes.push(quote! {
                Self::#vname(v) => {
                    w.xsi_type(#type_ns, #xsd);
                    v.to_xml(w, ns, local)
                }
            });
        }
        let derives = self.options.derives(quote!());
        let serialize = self.serialize_enum(&d.name, d.variants.iter().map(|v| v.name.as_str()));
        quote! {
            #doc
            #derives
            pub enum #name { #(#variants,)* }

            #serialize

            #(#froms)*

            impl rt::FromXml for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn from_xml<'a>(
                    r: &mut rt::Reader<'a>,
                    start: rt::Start<'a>,
                ) -> rt::Parsed<Self> {
                    rt::Ok(match rt::tri!(r.xsi_type(&start)) {
                        #(#reads)*
                        _ => Self::#base(rt::Box::new(rt::read!(r, start))),
                    })
                }
            }

            impl rt::ToXml for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn to_xml(
                    &self,
                    w: &mut rt::XmlWriter,
                    ns: rt::ElementNs,
                    local: &str,
                ) {
                    match self { #(#writes)* }
                }
            }
        }
    }

    /// The reader of a list of the choice `c` (the content of an element that wraps it).
    fn choice_lists(&self, c: &ChoiceDef) -> TokenStream {
        let name = ident(&c.name);
        let kind = FieldKind::Choice(ChoiceRef {
            module: self.index,
            name: c.name.clone(),
        });
        let item = quote!(item);
        let mut arms = Vec::new();
        let fallback = self
            .kind_arms(&kind, &item, &quote!(*items), &mut arms)
            .unwrap_or_else(|| quote!(r.skip(#item)));
        let each = self.select(&item, &arms, fallback);
        quote! {
            impl rt::ChoiceList for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn read_list<'a>(
                    r: &mut rt::Reader<'a>,
                    list: rt::Start<'a>,
                ) -> rt::Parsed<rt::Vec<Self>> {
                    r.items(list, |r, item, items| #each)
                }
            }
        }
    }

    /// How a choice writes the element of the variant it is.
    fn choice_writer(&self, c: &ChoiceDef) -> TokenStream {
        let name = ident(&c.name);
        let body = self.with_n(|| {
            let arms = c.variants.iter().map(|v| {
                let vname = ident(&v.name);
                match &v.element {
                    Some(e) => {
                        let write = self.write_element(e, Occurs::Required, quote!(v));
                        quote!(Self::#vname(v) => { #write })
                    }
                    None => quote!(Self::#vname(v) => w.choice(v),),
                }
            });
            quote!(match self { #(#arms)* })
        });
        quote! {
            impl rt::Choice for #name {
                #[cfg_attr(debug_assertions, inline)]
                fn write_choice(&self, w: &mut rt::XmlWriter) {
                    #body
                }
            }
        }
    }

    fn enumeration(&self, e: &EnumDef) -> TokenStream {
        let name = ident(&e.name);
        let doc = docs(
            &e.doc,
            &format!(
                "The schema type `{}`; values the schema does not list are kept in `{}`.",
                e.xsd, e.other
            ),
        );
        let other = ident(&e.other);
        let deserialize = self.options.deserialize.as_ref().map(|cfg| {
            quote! {
                #[cfg(#cfg)]
                rt::value_enum_deserialize!(#name);
            }
        });
        let variants = e.values.iter().map(|(v, xml)| {
            let v = ident(v);
            quote!(#v = #xml,)
        });
        quote! {
            rt::value_enum! {
                #[other = #other]
                #doc
                pub enum #name {
                    #(#variants)*
                }
            }

            #deserialize
        }
    }

    fn roots(&self) -> TokenStream {
        let m = self.this();
        if m.roots.is_empty() {
            return quote!();
        }
        let doc = format!(" A global element of `{}`.", m.uri);
        let variants = m.roots.iter().map(|root| {
            let v = ident(&root.variant);
            let ty = self.type_tokens(&root.ty);
            let doc = format!(" `{}:{}`", m.prefix, root.xml);
            quote!(#[doc = #doc] #v(#ty))
        });
        let read_arms = m.roots.iter().map(|root| {
            let v = ident(&root.variant);
            let xml = &root.xml;
            let read = if root.ty.is_value() {
                quote!(rt::tri!(r.read_value(start)))
            } else {
                quote!(rt::read!(r, start))
            };
            quote!(#xml => Self::#v(#read),)
        });
        let write_arms = m.roots.iter().map(|root| {
            let v = ident(&root.variant);
            let xml = &root.xml;
            let write = if root.ty.is_value() {
                quote!(w.value_element(&NAMESPACE, #xml, v))
            } else {
                quote!(w.element(&NAMESPACE, #xml, v))
            };
            quote!(Self::#v(v) => #write,)
        });
        let name_arms = m.roots.iter().map(|root| {
            let v = ident(&root.variant);
            let xml = &root.xml;
            quote!(Self::#v(_) => #xml,)
        });
        let names = m.roots.iter().map(|root| &root.xml);
        let expected = format!("a global element of {{{}}}", m.uri);
        let derives = self.options.derives(quote!());
        let serialize = self.serialize_enum("Element", m.roots.iter().map(|r| r.variant.as_str()));
        quote! {
            #[doc = #doc]
            #derives
            #[allow(clippy::large_enum_variant)]
            pub enum Element { #(#variants,)* }

            #serialize

            impl Element {
                /// The local names of the elements this enum holds.
                pub const NAMES: &'static [&'static str] = &[#(#names),*];

                /// Whether `start` is one of the elements this enum holds.
                pub fn accepts(start: &rt::Start<'_>) -> bool {
                    start.ns.is(&NAMESPACE) && Self::NAMES.contains(&start.local)
                }

                /// The element's local name.
                pub fn name(&self) -> &'static str {
                    match self { #(#name_arms)* }
                }

                /// Writes the element.
                #[cfg_attr(debug_assertions, inline)]
                pub fn write(&self, w: &mut rt::XmlWriter) {
                    match self { #(#write_arms)* }
                }
            }

            impl rt::FromXml for Element {
                #[cfg_attr(debug_assertions, inline)]
                fn from_xml<'a>(
                    r: &mut rt::Reader<'a>,
                    start: rt::Start<'a>,
                ) -> rt::Parsed<Self> {
                    rt::Ok(match start.local_in(&NAMESPACE) {
                        #(#read_arms)*
                        _ => return rt::Err(r.unexpected(&start, #expected)),
                    })
                }
            }
        }
    }
}

/// Whether `s` requires nothing, so that its default is the value with every member
/// absent.
fn has_default(s: &StructDef) -> bool {
    s.attributes.iter().all(|a| !a.required)
        && s.fields.iter().all(|f| f.occurs != Occurs::Required)
        && s.text
            .as_ref()
            .is_none_or(|t| matches!(t, TypeRef::Prim(p) if p.has_default()))
}

/// Whether two fields hold the same element the same way (their documentation aside).
fn same_member(a: &FieldDef, b: &FieldDef) -> bool {
    let undocumented = |f: &FieldDef| match &f.kind {
        FieldKind::Element(e) => FieldKind::Element(ElementDef {
            doc: Vec::new(),
            ..e.clone()
        }),
        other => other.clone(),
    };
    a.name == b.name
        && a.occurs == b.occurs
        && a.boxed == b.boxed
        && undocumented(a) == undocumented(b)
}

/// The names element `e` is read by: its own and those of its substitution group.
fn element_names(e: &ElementDef) -> Vec<String> {
    std::iter::once(&e.xml).chain(&e.aliases).cloned().collect()
}

/// Renders the operation markers of `ops`, and the `ResponseMessage` implementations of the
/// messages module's response message types.
pub fn operations(model: &Model, ops: &[OperationDef], options: &Options) -> TokenStream {
    let r = Renderer {
        model,
        index: 0,
        options,
        uses_n: std::cell::Cell::new(false),
    };
    let runtime = &options.runtime;
    let messages = model
        .modules
        .iter()
        .position(|m| m.uri == crate::NS_MESSAGES);
    let markers = ops.iter().map(|op| marker(&r, op));
    let names = ops.iter().map(|op| &op.name);
    let arms = ops.iter().map(|op| {
        let name = &op.name;
        let marker = ident(&op.name);
        quote!(#name => rt::Some(visitor.visit::<#marker>()),)
    });
    let impls = messages
        .map(|m| {
            model.modules[m]
                .items
                .iter()
                .filter_map(|item| match item {
                    Item::Struct(s) if crate::ops::is_response_message(model, s) => {
                        Some(response_message_impl(model, m, s))
                    }
                    Item::Derived(d)
                        if d.variants.iter().all(|v| {
                            model
                                .struct_def(&v.ty)
                                .is_some_and(|s| crate::ops::is_response_message(model, s))
                        }) =>
                    {
                        Some(derived_response_message_impl(model, m, d))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    quote! {
        use #runtime::__private as rt;

        /// The names of the operations generated, in the order the WSDL binds them.
        pub const OPERATIONS: &[&str] = &[#(#names),*];

        /// Calls `visitor` with the operation named `name` (as in [`OPERATIONS`]), for
        /// callers that pick the operation at run time; `None` if no operation has that name.
        pub fn with_operation<V: rt::OperationVisitor>(name: &str, visitor: V) -> rt::Option<V::Output> {
            match name {
                #(#arms)*
                _ => rt::None,
            }
        }

        #(#markers)*

        #(#impls)*
    }
}

/// The path of a generated type from the operations module (`crate::messages::FindItem`).
fn type_path(r: &Renderer<'_>, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Named { module, name, .. } => {
            let m = ident(&r.model.modules[*module].name);
            let name = ident(name);
            quote!(crate::#m::#name)
        }
        other => r.type_tokens(other),
    }
}

/// What an operation's response means for the call, by the response's shape: the output
/// type, the body of `Operation::output`, and for answers item by item the methods and the
/// `PerItem` implementation that go with them.
struct Meaning {
    output: TokenStream,
    body: TokenStream,
    methods: Option<TokenStream>,
    per_item: Option<TokenStream>,
}

/// The marker of `op` and its `Operation` implementation.
fn marker(r: &Renderer<'_>, op: &OperationDef) -> TokenStream {
    let name = ident(&op.name);
    let op_name = &op.name;
    let action = &op.soap_action;
    let response_element = &op.response_element;
    let request_element = &op.request_element;
    let headers = &op.headers;
    let request = type_path(r, &op.request);
    let response = type_path(r, &op.response);
    let shape_doc = match &op.shape {
        Shape::Single => " The response is one response message.".to_owned(),
        Shape::Messages { element, .. } => format!(
            " The response holds one `m:{element}` per requested item, each its own \
             success or error."
        ),
        Shape::Other { status: Some(_) } => {
            " The response has a shape of its own; its response message stands for the \
             whole call."
                .to_owned()
        }
        Shape::Other { status: None } => {
            " The response has a shape of its own, returned as it is.".to_owned()
        }
    };
    let mut doc = format!(
        " The `{}` operation: request `m:{}`, response `m:{}`.",
        op.name, op.request_element, op.response_element
    );
    if !op.in_wsdl {
        doc.push_str(
            " Services.wsdl does not bind it (messages.xsd alone defines it): it is sent \
             with the SOAPAction of the messages namespace and the request headers most \
             operations of the binding take.",
        );
    }
    let Meaning {
        output,
        body,
        methods,
        per_item,
    } = match &op.shape {
        Shape::Single => single(response.clone()),
        Shape::Messages { .. } => item_by_item(r, op),
        Shape::Other {
            status: Some(status),
        } => with_status(r, op, status, response.clone()),
        Shape::Other { status: None } => as_is(response.clone()),
    };
    quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = #shape_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #name;

        impl rt::Operation for #name {
            const NAME: &'static str = #op_name;
            const SOAP_ACTION: &'static str = #action;
            const REQUEST_ELEMENT: &'static str = #request_element;
            const RESPONSE_ELEMENT: &'static str = #response_element;
            const REQUEST_HEADERS: &'static [&'static str] = &[#(#headers),*];
            type Request = #request;
            type Response = #response;
            type Output = #output;

            #[cfg_attr(debug_assertions, inline)]
            fn output(response: Self::Response) -> rt::Result<rt::Reply<Self::Output>, rt::ResponseError> {
                #body
            }

            #methods
        }

        #per_item
    }
}

/// One response message: the output is the message, failing the call if it is an error.
fn single(response: TokenStream) -> Meaning {
    Meaning {
        output: response,
        body: quote!(rt::single(response)),
        methods: None,
        per_item: None,
    }
}

/// One response message per requested item: the output is one result per item.
fn item_by_item(r: &Renderer<'_>, op: &OperationDef) -> Meaning {
    let Shape::Messages {
        field,
        choice,
        variant,
        element,
        item,
        count,
    } = &op.shape
    else {
        unreachable!("called for answers item by item");
    };
    let name = ident(&op.name);
    let item = type_path(r, item);
    let field = ident(field);
    let choice_ty = {
        let m = ident(&r.model.modules[choice.module].name);
        let c = ident(&choice.name);
        quote!(crate::#m::#c)
    };
    let boxed = r
        .model
        .choice_def(choice)
        .and_then(|c| c.variants.iter().find(|v| v.name == *variant))
        .is_some_and(|v| v.boxed);
    let message = if boxed { quote!(*m) } else { quote!(m) };
    let variant = ident(variant);
    let count = count.as_ref().map(|path| {
        let path = path.iter().map(|p| ident(p));
        quote! {
            #[cfg_attr(debug_assertions, inline)]
            fn expected_items(request: &Self::Request) -> rt::Option<usize> {
                rt::Some(request.#(#path).*.len())
            }
        }
    });
    Meaning {
        output: quote!(rt::ItemResults<#item>),
        body: quote! {
            rt::item_results(
                response.#field,
                <Self as rt::PerItem>::MESSAGE,
                <Self as rt::PerItem>::message,
            )
        },
        methods: Some(quote! {
            #count

            #[cfg_attr(debug_assertions, inline)]
            fn item_errors(output: &Self::Output) -> rt::Vec<(usize, &rt::EwsError)> {
                output.errors().collect()
            }
        }),
        per_item: Some(quote! {
            impl rt::PerItem for #name {
                type Choice = #choice_ty;
                type Message = #item;
                const MESSAGE: &'static str = #element;

                // A choice of one element makes the catch-all arm unreachable.
                #[allow(unreachable_patterns)]
                #[cfg_attr(debug_assertions, inline)]
                fn message(choice: Self::Choice) -> rt::Option<Self::Message> {
                    match choice {
                        #choice_ty::#variant(m) => rt::Some(#message),
                        _ => rt::None,
                    }
                }
            }
        }),
    }
}

/// A response of its own whose response message (the field `status.0`, optional if
/// `status.1`) stands for the call.
fn with_status(
    r: &Renderer<'_>,
    op: &OperationDef,
    (field, optional): &(String, bool),
    response: TokenStream,
) -> Meaning {
    let boxed = r
        .model
        .struct_def(&op.response)
        .and_then(|s| s.fields.iter().find(|f| f.name == *field))
        .is_some_and(|f| f.boxed);
    let field = ident(field);
    let status = if *optional && boxed {
        quote!(r.#field.as_deref())
    } else if *optional {
        quote!(r.#field.as_ref())
    } else {
        quote!(rt::Some(&r.#field))
    };
    Meaning {
        output: response,
        body: quote!(rt::with_status(response, |r| #status)),
        methods: None,
        per_item: None,
    }
}

/// A response of its own, returned as it is.
fn as_is(response: TokenStream) -> Meaning {
    Meaning {
        output: response,
        body: quote!(rt::Ok(rt::Reply::new(response))),
        methods: None,
        per_item: None,
    }
}

/// The `ResponseMessage` impl of the struct `s` (one that
/// [`is_response_message`](crate::ops::is_response_message)), written by the runtime.
fn response_message_impl(model: &Model, module: usize, s: &StructDef) -> TokenStream {
    let m = ident(&model.modules[module].name);
    let name = ident(&s.name);
    quote!(rt::response_message!(crate::#m::#name);)
}

/// The response message impl of the enum `d` (a response message type read by `xsi:type`,
/// see `Config::polymorphic`) whose variants are all response messages: each method asks
/// the value the enum holds. `#[inline]` in debug builds, as `rt::response_message!` is.
fn derived_response_message_impl(model: &Model, module: usize, d: &DerivedDef) -> TokenStream {
    let m = ident(&model.modules[module].name);
    let name = ident(&d.name);
    let held = format_ident!("{}", naming::held_function(&d.name));
    let variants = d.variants.iter().map(|v| ident(&v.name));
    quote! {
        impl rt::ResponseMessage for crate::#m::#name {
            #[cfg_attr(debug_assertions, inline)]
            fn response_class(&self) -> rt::ResponseClass {
                #held(self).response_class()
            }
            #[cfg_attr(debug_assertions, inline)]
            fn response_code(&self) -> rt::Option<rt::ResponseCode> {
                #held(self).response_code()
            }
            #[cfg_attr(debug_assertions, inline)]
            fn message_text(&self) -> rt::Option<&str> {
                #held(self).message_text()
            }
            #[cfg_attr(debug_assertions, inline)]
            fn descriptive_link_key(&self) -> rt::Option<i32> {
                #held(self).descriptive_link_key()
            }
            #[cfg_attr(debug_assertions, inline)]
            fn message_xml(&self) -> &[rt::AnyElement] {
                #held(self).message_xml()
            }
        }

        /// The response message the enum holds.
        #[cfg_attr(debug_assertions, inline)]
        fn #held(message: &crate::#m::#name) -> &dyn rt::ResponseMessage {
            match message {
                #(crate::#m::#name::#variants(v) => &**v,)*
            }
        }
    }
}
