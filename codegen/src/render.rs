//! Renders the model as Rust: types with serde `Serialize` (and `Deserialize` with the
//! `deserialize` feature of the crate that includes them), and for each a reader
//! (recursive descent over `XmlReader`) and a writer (`XmlWriter`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{
    AttrDef, ChoiceDef, ChoiceRef, DerivedDef, ElementDef, EnumDef, FieldDef, FieldKind, Item,
    Model, Module, NsRef, Occurs, Prim, StructDef, TypeRef,
};
use crate::naming::ident_source;
use crate::ops::{OperationDef, Shape};

/// Renders module `index` of `model`, using the `xml` runtime of the crate `runtime`.
pub fn module(model: &Model, index: usize, runtime: &syn::Path) -> TokenStream {
    let r = Renderer {
        model,
        index,
        runtime,
    };
    r.module()
}

struct Renderer<'m> {
    model: &'m Model,
    index: usize,
    /// The crate of the `xml` and `operation` modules.
    runtime: &'m syn::Path,
}

/// The reader's local variable for field `name`; reader locals (`r`, `start`, `child`,
/// `attr`, `value`) never start with `f_`.
fn slot(name: &str) -> Ident {
    format_ident!("f_{}", name)
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
        let runtime = self.runtime;
        quote! {
            use #runtime::xml as rt;

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
                quote!(Vec<#item>)
            }
        }
    }

    fn ns_tokens(&self, ns: &Option<NsRef>) -> TokenStream {
        match ns {
            None => quote!(None),
            Some(NsRef::Xml) => quote!(Some(&rt::XML)),
            Some(NsRef::Module(m)) if *m == self.index => quote!(Some(&NAMESPACE)),
            Some(NsRef::Module(m)) => {
                let m = ident(&self.model.modules[*m].name);
                quote!(Some(&super::#m::NAMESPACE))
            }
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
                quote!(Vec<#item>)
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
        let inner = if f.boxed { quote!(Box<#inner>) } else { inner };
        match f.occurs {
            Occurs::Required => inner,
            Occurs::Optional => quote!(Option<#inner>),
            Occurs::Repeated => quote!(Vec<#inner>),
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
                decls.push(quote! {
                    #doc
                    #[serde(skip_serializing_if = "Option::is_none")]
                    pub #f: Option<#ty>
                });
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
            let skip = match f.occurs {
                Occurs::Required => quote!(),
                Occurs::Optional => quote!(#[serde(skip_serializing_if = "Option::is_none")]),
                Occurs::Repeated => {
                    quote!(#[serde(default, skip_serializing_if = "Vec::is_empty")])
                }
            };
            decls.push(quote! { #doc #skip pub #fname: #ty });
        }
        if let Some(text) = &s.text {
            let ty = self.type_tokens(text);
            decls.push(quote! { #[doc = " The element's text."] pub value: #ty });
        }
        let reader = self.struct_reader(s);
        let writer = self.struct_writer(s);
        // A struct with nothing required has an empty default, handy for requests.
        let all_optional = s.attributes.iter().all(|a| !a.required)
            && s.fields.iter().all(|f| f.occurs != Occurs::Required)
            && s.text
                .as_ref()
                .is_none_or(|t| matches!(t, TypeRef::Prim(p) if p.has_default()));
        let default = if all_optional {
            quote!(Default,)
        } else {
            quote!()
        };
        quote! {
            #doc
            #[derive(Debug, Clone, #default PartialEq, serde::Serialize)]
            #[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
            pub struct #name { #(#decls,)* }

            impl rt::FromXml for #name {
                fn from_xml<'a>(
                    r: &mut rt::XmlReader<'a>,
                    start: rt::Start<'a>,
                ) -> Result<Self, rt::ParseError> {
                    #reader
                }
            }

            impl rt::ToXml for #name {
                fn to_xml(
                    &self,
                    w: &mut rt::XmlWriter,
                    ns: Option<&'static rt::Namespace>,
                    local: &str,
                ) {
                    #writer
                }
            }
        }
    }

    fn attr_reader(&self, attrs: &[AttrDef]) -> (TokenStream, Vec<TokenStream>) {
        if attrs.is_empty() {
            return (quote!(), Vec::new());
        }
        let var = quote!(attr);
        let mut lets = Vec::new();
        let mut arms = Vec::new();
        let mut checks = Vec::new();
        let mut inits = Vec::new();
        for a in attrs {
            let f = ident(&a.field);
            let acc = slot(&a.field);
            let xml = &a.xml;
            let guard = self.ns_guard(&var, &a.ns);
            lets.push(quote!(let mut #acc = None;));
            arms.push(quote!(#xml if #guard => #acc = Some(r.attr_value(&attr)?),));
            if a.required {
                checks.push(quote!(let #acc = r.required_attr(#acc, #xml, &start)?;));
            }
            inits.push(quote!(#f: #acc));
        }
        let code = quote! {
            #(#lets)*
            for attr in r.attributes(&start) {
                let attr = attr?;
                match attr.local {
                    #(#arms)*
                    _ => {}
                }
            }
            #(#checks)*
        };
        (code, inits)
    }

    fn struct_reader(&self, s: &StructDef) -> TokenStream {
        let (attrs, mut inits) = self.attr_reader(&s.attributes);
        if s.text.is_some() {
            return quote! {
                #attrs
                let value = r.read_value(start)?;
                Ok(Self { #(#inits,)* value })
            };
        }
        let child = quote!(child);
        let mut lets = Vec::new();
        let mut arms = Vec::new();
        let mut any_field = None;
        for f in &s.fields {
            let fname = ident(&f.name);
            let acc = slot(&f.name);
            lets.push(match f.occurs {
                Occurs::Repeated => quote!(let mut #acc = rt::ListBuilder::new();),
                _ => quote!(let mut #acc = None;),
            });
            let store = |value: TokenStream, what: &str| match f.occurs {
                Occurs::Repeated => quote!({
                    let value = #value;
                    r.keep(&mut #acc, value)
                }),
                _ => quote!({
                    let value = #value;
                    r.set_once(&mut #acc, value, #what)?
                }),
            };
            let fallback = self.kind_arms(&f.kind, f.boxed, &child, &store, &mut arms);
            any_field = fallback.or(any_field);
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
            inits.push(match f.occurs {
                Occurs::Required => quote!(#fname: r.required(#acc, #what, &start)?),
                Occurs::Repeated => quote!(#fname: #acc.finish()),
                _ => quote!(#fname: #acc),
            });
        }
        let fallback = any_field.unwrap_or_else(|| quote!(r.skip(#child)?));
        let body = if arms.is_empty() {
            quote!(while let Some(child) = r.next_child(&start)? { #fallback; })
        } else {
            quote! {
                while let Some(child) = r.next_child(&start)? {
                    match child.local {
                        #(#arms)*
                        _ => #fallback,
                    }
                }
            }
        };
        quote! {
            #attrs
            #(#lets)*
            #body
            Ok(Self { #(#inits,)* })
        }
    }

    /// The match arms reading the element or choice `kind` from `child` and handing the
    /// value to `store`; returns the arm body for `xs:any`, which matches any other element.
    fn kind_arms(
        &self,
        kind: &FieldKind,
        boxed: bool,
        child: &TokenStream,
        store: &dyn Fn(TokenStream, &str) -> TokenStream,
        arms: &mut Vec<TokenStream>,
    ) -> Option<TokenStream> {
        match kind {
            FieldKind::Element(e) => {
                let read = self.read_element(e, boxed, child);
                let pattern = pattern(e);
                let guard = self.ns_guard(child, &e.ns);
                let body = store(read, &e.xml);
                arms.push(quote!(#pattern if #guard => #body,));
                None
            }
            FieldKind::Choice(c) => {
                let def = self.choice_def(c);
                let cname = self.choice_path(c);
                let mut any = None;
                for v in &def.variants {
                    let vname = ident(&v.name);
                    match &v.element {
                        Some(e) => {
                            let read = self.read_element(e, v.boxed, child);
                            let pattern = pattern(e);
                            let guard = self.ns_guard(child, &e.ns);
                            let body = store(quote!(#cname::#vname(#read)), &e.xml);
                            arms.push(quote!(#pattern if #guard => #body,));
                        }
                        None => any = Some(store(quote!(#cname::#vname(r.read(#child)?)), "any")),
                    }
                }
                any
            }
            FieldKind::Any => Some(store(quote!(r.read(#child)?), "any")),
        }
    }

    fn read_element(&self, e: &ElementDef, boxed: bool, child: &TokenStream) -> TokenStream {
        if let Some(list) = &e.list {
            // A list of one plain element reads through the runtime's helper.
            if let FieldKind::Element(ie) = &list.item {
                if ie.list.is_none() && ie.aliases.is_empty() {
                    let ns = self.ns_tokens(&ie.ns);
                    let xml = &ie.xml;
                    return if ie.ty.is_value() {
                        quote!(r.read_value_list(#child, #ns, #xml)?)
                    } else {
                        quote!(r.read_list(#child, #ns, #xml)?)
                    };
                }
            }
            // A list of a choice reads through the choice's own list reader.
            return match &list.item {
                FieldKind::Choice(c) => {
                    let cname = self.choice_path(c);
                    quote!(#cname::read_list(r, #child)?)
                }
                other => {
                    let mut arms = Vec::new();
                    let item = quote!(item);
                    let push = |value: TokenStream, _: &str| {
                        quote!({
                            let value = #value;
                            r.keep(&mut items, value)
                        })
                    };
                    let fallback = self
                        .kind_arms(other, false, &item, &push, &mut arms)
                        .unwrap_or_else(|| quote!(r.skip(#item)?));
                    quote!({
                        let list = #child;
                        let mut items = rt::ListBuilder::new();
                        while let Some(item) = r.next_child(&list)? {
                            match item.local {
                                #(#arms)*
                                _ => #fallback,
                            }
                        }
                        items.finish()
                    })
                }
            };
        }
        let read = if e.ty.is_value() {
            quote!(r.read_value(#child)?)
        } else {
            quote!(r.read(#child)?)
        };
        if boxed {
            quote!(Box::new(#read))
        } else {
            read
        }
    }

    fn write_element(&self, e: &ElementDef, value: TokenStream) -> TokenStream {
        let ns = self.ns_tokens(&e.ns);
        let xml = &e.xml;
        if let Some(list) = &e.list {
            if let FieldKind::Element(ie) = &list.item {
                if ie.list.is_none() {
                    let item_ns = self.ns_tokens(&ie.ns);
                    let item_xml = &ie.xml;
                    return if ie.ty.is_value() {
                        quote!(w.value_list(#ns, #xml, #item_ns, #item_xml, #value);)
                    } else {
                        quote!(w.list(#ns, #xml, #item_ns, #item_xml, #value);)
                    };
                }
            }
            if let FieldKind::Choice(c) = &list.item {
                let cname = self.choice_path(c);
                return quote!(#cname::write_list(#value, w, #ns, #xml););
            }
            let one = self.write_kind(&list.item, quote!(v));
            return quote! {
                w.start(#ns, #xml);
                for v in #value { #one }
                w.end(#ns, #xml);
            };
        }
        if e.ty.is_value() {
            quote!(w.value_element(#ns, #xml, #value);)
        } else {
            quote!(w.element(#ns, #xml, #value);)
        }
    }

    fn struct_writer(&self, s: &StructDef) -> TokenStream {
        let mut out = vec![quote!(w.start(ns, local);)];
        for a in &s.attributes {
            let f = ident(&a.field);
            let ns = self.ns_tokens(&a.ns);
            let xml = &a.xml;
            out.push(if a.required {
                quote!(w.attr_value(#ns, #xml, &self.#f);)
            } else {
                quote!(if let Some(v) = &self.#f { w.attr_value(#ns, #xml, v); })
            });
        }
        if s.text.is_some() {
            out.push(quote!(w.text(&rt::XmlValue::to_text(&self.value));));
        }
        for f in &s.fields {
            let fname = ident(&f.name);
            let one = |value: TokenStream| self.write_kind(&f.kind, value);
            out.push(match f.occurs {
                Occurs::Required => one(quote!(&self.#fname)),
                Occurs::Optional => {
                    let w1 = one(quote!(v));
                    quote!(if let Some(v) = &self.#fname { #w1 })
                }
                Occurs::Repeated => {
                    let w1 = one(quote!(v));
                    quote!(for v in &self.#fname { #w1 })
                }
            });
        }
        out.push(quote!(w.end(ns, local);));
        quote!(#(#out)*)
    }

    /// Writes `value`, an element or choice of `kind`.
    fn write_kind(&self, kind: &FieldKind, value: TokenStream) -> TokenStream {
        match kind {
            FieldKind::Element(e) => self.write_element(e, value),
            FieldKind::Choice(c) => {
                let def = self.choice_def(c);
                let cname = self.choice_path(c);
                let arms = def.variants.iter().map(|v| {
                    let vname = ident(&v.name);
                    match &v.element {
                        Some(e) => {
                            let write = self.write_element(e, quote!(v));
                            quote!(#cname::#vname(v) => { #write })
                        }
                        None => quote!(#cname::#vname(v) => v.write(w),),
                    }
                });
                quote!(match #value { #(#arms)* })
            }
            FieldKind::Any => quote!(rt::AnyElement::write(#value, w);),
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
        let doc = format!(" One of the elements of {}.", c.owner);
        let variants = c.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let (doc, ty) = match &v.element {
                Some(e) => {
                    let ty = self.element_type(e);
                    let ty = if v.boxed { quote!(Box<#ty>) } else { ty };
                    (format!(" Element `{}`.", self.qualified(&e.ns, &e.xml)), ty)
                }
                None => (
                    " An element matched by `xs:any`.".to_owned(),
                    quote!(rt::AnyElement),
                ),
            };
            quote!(#[doc = #doc] #vname(#ty))
        });
        let lists = c.listed.then(|| self.choice_lists(c));
        // Variants hold their element inline, as struct fields do: no allocation each.
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            #[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
            #[allow(clippy::large_enum_variant)]
            pub enum #name { #(#variants,)* }

            #lists
        }
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
            variants.push(quote!(#[doc = #vdoc] #vname(Box<#ty>)));
            froms.push(quote! {
                impl From<#ty> for #name {
                    fn from(value: #ty) -> Self {
                        Self::#vname(Box::new(value))
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
                Some((ns, name)) if name == #xsd && ns.is(#type_ns) => {
                    Self::#vname(Box::new(r.read(start)?))
                }
            });
            writes.push(quote! {
                Self::#vname(v) => {
                    w.xsi_type(#type_ns, #xsd);
                    v.to_xml(w, ns, local)
                }
            });
        }
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            #[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
            pub enum #name { #(#variants,)* }

            #(#froms)*

            impl rt::FromXml for #name {
                fn from_xml<'a>(
                    r: &mut rt::XmlReader<'a>,
                    start: rt::Start<'a>,
                ) -> Result<Self, rt::ParseError> {
                    Ok(match r.xsi_type(&start)? {
                        #(#reads)*
                        _ => Self::#base(Box::new(r.read(start)?)),
                    })
                }
            }

            impl rt::ToXml for #name {
                fn to_xml(
                    &self,
                    w: &mut rt::XmlWriter,
                    ns: Option<&'static rt::Namespace>,
                    local: &str,
                ) {
                    match self { #(#writes)* }
                }
            }
        }
    }

    /// The reader and writer of a list of the choice `c` (the content of an element that
    /// wraps it).
    fn choice_lists(&self, c: &ChoiceDef) -> TokenStream {
        let name = ident(&c.name);
        let kind = FieldKind::Choice(ChoiceRef {
            module: self.index,
            name: c.name.clone(),
        });
        let item = quote!(item);
        let mut arms = Vec::new();
        let push = |value: TokenStream, _: &str| {
            quote!({
                let value = #value;
                r.keep(&mut items, value)
            })
        };
        let fallback = self
            .kind_arms(&kind, false, &item, &push, &mut arms)
            .unwrap_or_else(|| quote!(r.skip(#item)?));
        let write = self.write_kind(&kind, quote!(v));
        let each = if arms.is_empty() {
            quote!(#fallback;)
        } else {
            quote!(match item.local {
                #(#arms)*
                _ => #fallback,
            })
        };
        quote! {
            impl #name {
                /// Reads the children of `list` that are elements of the choice, skipping
                /// any other child.
                #[doc(hidden)]
                pub fn read_list<'a>(
                    r: &mut rt::XmlReader<'a>,
                    list: rt::Start<'a>,
                ) -> Result<Vec<Self>, rt::ParseError> {
                    let mut items = rt::ListBuilder::new();
                    while let Some(item) = r.next_child(&list)? {
                        #each
                    }
                    Ok(items.finish())
                }

                /// Writes `items` as the element `{ns}local` wrapping them.
                #[doc(hidden)]
                pub fn write_list(
                    items: &[Self],
                    w: &mut rt::XmlWriter,
                    ns: Option<&'static rt::Namespace>,
                    local: &str,
                ) {
                    w.start(ns, local);
                    for v in items {
                        #write
                    }
                    w.end(ns, local);
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
        let variants = e.values.iter().map(|(v, xml)| {
            let v = ident(v);
            let doc = format!(" `{xml}`");
            quote!(#[doc = #doc] #v)
        });
        let to_str = e.values.iter().map(|(v, xml)| {
            let v = ident(v);
            quote!(Self::#v => #xml,)
        });
        let xml_values = e.values.iter().map(|(_, xml)| xml);
        let from_str = e.values.iter().map(|(v, xml)| {
            let v = ident(v);
            quote!(#xml => Self::#v,)
        });
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            pub enum #name {
                #(#variants,)*
                #[doc = " A value this schema does not list, as received."]
                #other(String),
            }

            impl #name {
                /// The values the schema lists, as written in XML.
                pub const VALUES: &'static [&'static str] = &[#(#xml_values),*];

                /// The value as written in XML.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#to_str)*
                        Self::#other(v) => v,
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = std::convert::Infallible;

                fn from_str(s: &str) -> Result<Self, Self::Err> {
                    Ok(match s {
                        #(#from_str)*
                        other => Self::#other(other.to_owned()),
                    })
                }
            }

            impl rt::XmlValue for #name {
                fn from_text(text: &str) -> Result<Self, rt::ValueError> {
                    let Ok(value) = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).parse();
                    Ok(value)
                }

                fn to_text(&self) -> std::borrow::Cow<'_, str> {
                    std::borrow::Cow::Borrowed(self.as_str())
                }
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }

            #[cfg(feature = "deserialize")]
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    let Ok(value) = text.parse();
                    Ok(value)
                }
            }
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
                quote!(r.read_value(start)?)
            } else {
                quote!(r.read(start)?)
            };
            quote!(#xml if start.ns.is(&NAMESPACE) => Self::#v(#read),)
        });
        let write_arms = m.roots.iter().map(|root| {
            let v = ident(&root.variant);
            let xml = &root.xml;
            let write = if root.ty.is_value() {
                quote!(w.value_element(Some(&NAMESPACE), #xml, v))
            } else {
                quote!(w.element(Some(&NAMESPACE), #xml, v))
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
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            #[cfg_attr(feature = "deserialize", derive(serde::Deserialize))]
            #[allow(clippy::large_enum_variant)]
            pub enum Element { #(#variants,)* }

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
                pub fn write(&self, w: &mut rt::XmlWriter) {
                    match self { #(#write_arms)* }
                }
            }

            impl rt::FromXml for Element {
                fn from_xml<'a>(
                    r: &mut rt::XmlReader<'a>,
                    start: rt::Start<'a>,
                ) -> Result<Self, rt::ParseError> {
                    Ok(match start.local {
                        #(#read_arms)*
                        _ => return Err(r.unexpected(&start, #expected)),
                    })
                }
            }
        }
    }
}

fn pattern(e: &ElementDef) -> TokenStream {
    let names = std::iter::once(&e.xml).chain(&e.aliases);
    quote!(#(#names)|*)
}

/// Renders the operation markers of `ops`, and the `ResponseMessage` implementations of the
/// messages module's response message types.
pub fn operations(model: &Model, ops: &[OperationDef], runtime: &syn::Path) -> TokenStream {
    let r = Renderer {
        model,
        index: 0,
        runtime,
    };
    let messages = model
        .modules
        .iter()
        .position(|m| m.uri == crate::NS_MESSAGES);
    let type_path = |ty: &TypeRef| -> TokenStream {
        match ty {
            TypeRef::Named { module, name, .. } => {
                let m = ident(&model.modules[*module].name);
                let name = ident(name);
                quote!(crate::#m::#name)
            }
            other => r.type_tokens(other),
        }
    };
    let markers = ops.iter().map(|op| {
        let name = ident(&op.name);
        let op_name = &op.name;
        let action = &op.soap_action;
        let response_element = &op.response_element;
        let request_element = &op.request_element;
        let headers = &op.headers;
        let request = type_path(&op.request);
        let response = type_path(&op.response);
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
        let (output, body, methods) = match &op.shape {
            Shape::Single => (response.clone(), quote!(op::single(response)), None),
            Shape::Messages {
                field,
                choice,
                variant,
                element,
                item,
                count,
            } => {
                let item = type_path(item);
                let field = ident(field);
                let choice_ty = {
                    let m = ident(&model.modules[choice.module].name);
                    let c = ident(&choice.name);
                    quote!(crate::#m::#c)
                };
                let boxed = model
                    .choice_def(choice)
                    .and_then(|c| c.variants.iter().find(|v| v.name == *variant))
                    .is_some_and(|v| v.boxed);
                let message = if boxed { quote!(*m) } else { quote!(m) };
                let variant = ident(variant);
                let count = count.as_ref().map(|path| {
                    let path = path.iter().map(|p| ident(p));
                    quote! {
                        fn expected_items(request: &Self::Request) -> Option<usize> {
                            Some(request.#(#path).*.len())
                        }
                    }
                });
                let methods = quote! {
                    #count

                    fn item_errors(output: &Self::Output) -> Vec<(usize, &op::EwsError)> {
                        output.errors().collect()
                    }
                };
                let per_item = quote! {
                    impl op::PerItem for #name {
                        type Choice = #choice_ty;
                        type Message = #item;
                        const MESSAGE: &'static str = #element;

                        // A choice of one element makes the catch-all arm unreachable.
                        #[allow(unreachable_patterns)]
                        fn message(choice: Self::Choice) -> Option<Self::Message> {
                            match choice {
                                #choice_ty::#variant(m) => Some(#message),
                                _ => None,
                            }
                        }
                    }
                };
                (
                    quote!(op::ItemResults<#item>),
                    quote! {
                        op::item_results(
                            response.#field,
                            <Self as op::PerItem>::MESSAGE,
                            <Self as op::PerItem>::message,
                        )
                    },
                    Some((methods, per_item)),
                )
            }
            Shape::Other { status: Some((field, optional)) } => {
                let boxed = model
                    .struct_def(&op.response)
                    .and_then(|s| s.fields.iter().find(|f| f.name == *field))
                    .is_some_and(|f| f.boxed);
                let field = ident(field);
                let status = if *optional && boxed {
                    quote!(r.#field.as_deref())
                } else if *optional {
                    quote!(r.#field.as_ref())
                } else {
                    quote!(Some(&r.#field))
                };
                (
                    response.clone(),
                    quote!(op::with_status(response, |r| #status)),
                    None,
                )
            }
            Shape::Other { status: None } => (
                response.clone(),
                quote!(Ok(op::Reply::new(response))),
                None,
            ),
        };
        let (methods, per_item) = methods.unzip();
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = #shape_doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #name;

            impl op::Operation for #name {
                const NAME: &'static str = #op_name;
                const SOAP_ACTION: &'static str = #action;
                const REQUEST: &'static str = #request_element;
                const RESPONSE: &'static str = #response_element;
                const REQUEST_HEADERS: &'static [&'static str] = &[#(#headers),*];
                type Request = #request;
                type Response = #response;
                type Output = #output;

                fn output(response: Self::Response) -> Result<op::Reply<Self::Output>, op::ResponseError> {
                    #body
                }

                #methods
            }

            #per_item
        }
    });
    let names = ops.iter().map(|op| &op.name);
    let arms = ops.iter().map(|op| {
        let name = &op.name;
        let marker = ident(&op.name);
        quote!(#name => Some(visitor.visit::<#marker>()),)
    });
    let impls = messages
        .map(|m| {
            model.modules[m]
                .items
                .iter()
                .filter_map(|item| match item {
                    Item::Struct(s) if crate::ops::is_response_message(s) => {
                        Some(response_message_impl(model, m, s, runtime))
                    }
                    Item::Derived(d)
                        if d.variants.iter().all(|v| {
                            model
                                .struct_def(&v.ty)
                                .is_some_and(crate::ops::is_response_message)
                        }) =>
                    {
                        Some(derived_response_message_impl(model, m, d, runtime))
                    }
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    quote! {
        use #runtime::operation as op;

        /// The names of the operations generated, in the order the WSDL binds them.
        pub const OPERATIONS: &[&str] = &[#(#names),*];

        /// Calls `visitor` with the operation named `name` (as in [`OPERATIONS`]), for
        /// callers that pick the operation at run time; `None` if no operation has that name.
        pub fn with_operation<V: op::OperationVisitor>(name: &str, visitor: V) -> Option<V::Output> {
            match name {
                #(#arms)*
                _ => None,
            }
        }

        #(#markers)*

        #(#impls)*
    }
}

fn response_message_impl(
    model: &Model,
    module: usize,
    s: &StructDef,
    runtime: &syn::Path,
) -> TokenStream {
    let m = ident(&model.modules[module].name);
    let name = ident(&s.name);
    let field = |xml: &str| {
        let (f, _) = crate::ops::element_field(s, xml).expect("checked by is_response_message");
        ident(&f.name)
    };
    let class = s
        .attributes
        .iter()
        .find(|a| a.xml == "ResponseClass")
        .map(|a| ident(&a.field))
        .expect("checked by is_response_message");
    let (text, code, key, xml) = (
        field("MessageText"),
        field("ResponseCode"),
        field("DescriptiveLinkKey"),
        field("MessageXml"),
    );
    let any = crate::ops::element_field(s, "MessageXml")
        .and_then(|(_, e)| model.struct_def(&e.ty))
        .and_then(|x| x.fields.iter().find(|f| matches!(f.kind, FieldKind::Any)))
        .map(|f| ident(&f.name));
    let message_xml = match any {
        Some(any) => quote!(self.#xml.as_ref().map_or(&[], |x| x.#any.as_slice())),
        None => quote!(&[]),
    };
    quote! {
        impl op::ResponseMessage for crate::#m::#name {
            fn response_class(&self) -> #runtime::types::ResponseClass {
                let Ok(class) = self.#class.as_str().parse();
                class
            }
            fn response_code(&self) -> Option<#runtime::messages::ResponseCode> {
                self.#code.as_ref().map(|code| {
                    let Ok(code) = code.as_str().parse();
                    code
                })
            }
            fn message_text(&self) -> Option<&str> {
                self.#text.as_deref()
            }
            fn descriptive_link_key(&self) -> Option<i32> {
                self.#key
            }
            fn message_xml(&self) -> &[#runtime::xml::AnyElement] {
                #message_xml
            }
        }
    }
}

/// The response message impl of the enum `d` (a response message type read by `xsi:type`,
/// see `Config::polymorphic`) whose variants are all response messages: each method asks
/// the value the enum holds.
fn derived_response_message_impl(
    model: &Model,
    module: usize,
    d: &DerivedDef,
    runtime: &syn::Path,
) -> TokenStream {
    let m = ident(&model.modules[module].name);
    let name = ident(&d.name);
    let held = format_ident!("held_{}", crate::naming::snake(&d.name));
    let variants = d.variants.iter().map(|v| ident(&v.name));
    quote! {
        impl op::ResponseMessage for crate::#m::#name {
            fn response_class(&self) -> #runtime::types::ResponseClass {
                #held(self).response_class()
            }
            fn response_code(&self) -> Option<#runtime::messages::ResponseCode> {
                #held(self).response_code()
            }
            fn message_text(&self) -> Option<&str> {
                #held(self).message_text()
            }
            fn descriptive_link_key(&self) -> Option<i32> {
                #held(self).descriptive_link_key()
            }
            fn message_xml(&self) -> &[#runtime::xml::AnyElement] {
                #held(self).message_xml()
            }
        }

        /// The response message the enum holds.
        fn #held(message: &crate::#m::#name) -> &dyn op::ResponseMessage {
            match message {
                #(crate::#m::#name::#variants(v) => &**v,)*
            }
        }
    }
}
