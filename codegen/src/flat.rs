//! Flat values and lists, so that users hold what the wrappers hold:
//!
//! - A complex type of simple content without attributes (`t:PrincipalNameType`, text that
//!   extends `t:NonEmptyStringType`) is held as its text type (`Text`).
//! - A complex type that only wraps one repeated element or choice (no attributes, no text,
//!   nothing else; `ArrayOfImGroupTypes`, `NonEmptyArrayOfBaseItemIdsType`) is held as a
//!   `Vec` of what it wraps.
//!
//! The elements keep their names on the wire; such a type is generated only where something
//! still names it (a global element of that type).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{ElementDef, FieldKind, Item, ListDef, Model, Occurs, StructDef, TypeRef};

/// What each wrapping type wraps, by (module, name).
type Wrappers = BTreeMap<(usize, String), ListDef>;

/// Whether `s` only wraps one repeated element or choice, and what it wraps.
fn wrapped(s: &StructDef) -> Option<ListDef> {
    if !s.attributes.is_empty() || s.text.is_some() {
        return None;
    }
    match s.fields.as_slice() {
        [f] if f.occurs == Occurs::Repeated => match &f.kind {
            FieldKind::Element(_) | FieldKind::Choice(_) => Some(ListDef {
                xsd: s.xsd.clone(),
                item: f.kind.clone(),
            }),
            FieldKind::Any => None,
        },
        _ => None,
    }
}

/// A complex type of simple content without attributes: its text type.
fn plain_value(s: &StructDef) -> Option<TypeRef> {
    if s.attributes.is_empty() && s.fields.is_empty() {
        s.text.clone()
    } else {
        None
    }
}

/// Makes every element whose type is a plain value hold the value's text type; returns the
/// plain-value types.
fn inline_values(model: &mut Model) -> BTreeSet<(usize, String)> {
    let mut values = BTreeMap::new();
    for (m, module) in model.modules.iter().enumerate() {
        for item in &module.items {
            if let Item::Struct(s) = item {
                if let Some(text) = plain_value(s) {
                    values.insert((m, s.name.clone()), text);
                }
            }
        }
    }
    let inline = |e: &mut ElementDef| {
        if let TypeRef::Named { module, name, .. } = &e.ty {
            if let Some(text) = values.get(&(*module, name.clone())) {
                e.ty = text.clone();
            }
        }
    };
    for module in &mut model.modules {
        for item in &mut module.items {
            match item {
                Item::Struct(s) => {
                    for f in &mut s.fields {
                        if let FieldKind::Element(e) = &mut f.kind {
                            inline(e);
                        }
                    }
                }
                Item::Choice(c) => {
                    for e in c.variants.iter_mut().filter_map(|v| v.element.as_mut()) {
                        inline(e);
                    }
                }
                Item::Enum(_) | Item::Derived(_) => {}
            }
        }
    }
    values.into_keys().collect()
}

/// Holds plain values as their text and wrapped lists as `Vec`s, and drops the types
/// nothing names any more.
pub fn flatten(model: &mut Model) {
    let values = inline_values(model);
    let mut wrappers = Wrappers::new();
    for (m, module) in model.modules.iter().enumerate() {
        for item in &module.items {
            if let Item::Struct(s) = item {
                if let Some(list) = wrapped(s) {
                    wrappers.insert((m, s.name.clone()), list);
                }
            }
        }
    }
    // The wrappers' own items may be wrappers too (a list of lists).
    let snapshot = wrappers.clone();
    for list in wrappers.values_mut() {
        mark_kind(&mut list.item, &snapshot);
    }
    for module in &mut model.modules {
        for item in &mut module.items {
            match item {
                Item::Struct(s) => {
                    for f in &mut s.fields {
                        if mark_kind(&mut f.kind, &wrappers) {
                            // A Vec is already behind a pointer.
                            f.boxed = false;
                        }
                    }
                }
                Item::Choice(c) => {
                    for v in &mut c.variants {
                        if let Some(e) = &mut v.element {
                            if mark(e, &wrappers) {
                                v.boxed = false;
                            }
                        }
                    }
                }
                Item::Enum(_) | Item::Derived(_) => {}
            }
        }
    }
    let listed: BTreeSet<(usize, String)> = wrappers
        .values()
        .filter_map(|list| match &list.item {
            FieldKind::Choice(c) => Some((c.module, c.name.clone())),
            _ => None,
        })
        .collect();
    for (m, module) in model.modules.iter_mut().enumerate() {
        for item in &mut module.items {
            if let Item::Choice(c) = item {
                c.listed = listed.contains(&(m, c.name.clone()));
            }
        }
    }
    let named = named_types(model);
    let dropped: BTreeMap<(usize, String), String> = wrappers
        .iter()
        .filter(|(key, _)| !named.contains(key))
        .filter_map(|(_, list)| match &list.item {
            FieldKind::Choice(c) => Some(((c.module, c.name.clone()), list.xsd.clone())),
            _ => None,
        })
        .collect();
    for (m, module) in model.modules.iter_mut().enumerate() {
        module.items.retain(|item| match item {
            Item::Struct(s) => {
                let key = (m, s.name.clone());
                !(wrappers.contains_key(&key) || values.contains(&key)) || named.contains(&key)
            }
            _ => true,
        });
        // A choice whose wrapper is gone is described by the wrapper's schema name.
        for item in &mut module.items {
            if let Item::Choice(c) = item {
                if let Some(xsd) = dropped.get(&(m, c.name.clone())) {
                    c.owner = format!("a list `{xsd}`");
                }
            }
        }
    }
}

fn mark_kind(kind: &mut FieldKind, wrappers: &Wrappers) -> bool {
    match kind {
        FieldKind::Element(e) => mark(e, wrappers),
        _ => false,
    }
}

/// Makes `e` a list if its type is a wrapper; whether it did.
fn mark(e: &mut ElementDef, wrappers: &Wrappers) -> bool {
    let TypeRef::Named { module, name, .. } = &e.ty else {
        return false;
    };
    match wrappers.get(&(*module, name.clone())) {
        Some(list) => {
            e.list = Some(Box::new(list.clone()));
            true
        }
        None => false,
    }
}

/// The generated types something names: the roots' types, and every type an attribute,
/// text, element (the items of a list, not its wrapper) or choice variant names.
fn named_types(model: &Model) -> BTreeSet<(usize, String)> {
    let mut out = BTreeSet::new();
    let add = |ty: &TypeRef, out: &mut BTreeSet<(usize, String)>| {
        let mut ty = ty;
        while let TypeRef::List(inner) = ty {
            ty = inner;
        }
        if let TypeRef::Named { module, name, .. } = ty {
            out.insert((*module, name.clone()));
        }
    };
    fn element_types<'e>(e: &'e ElementDef, out: &mut Vec<&'e TypeRef>) {
        match &e.list {
            None => out.push(&e.ty),
            Some(list) => {
                if let FieldKind::Element(inner) = &list.item {
                    element_types(inner, out);
                }
            }
        }
    }
    for module in &model.modules {
        for root in &module.roots {
            add(&root.ty, &mut out);
        }
        for item in &module.items {
            let mut types = Vec::new();
            match item {
                Item::Struct(s) => {
                    for a in &s.attributes {
                        types.push(&a.ty);
                    }
                    if let Some(t) = &s.text {
                        types.push(t);
                    }
                    for f in &s.fields {
                        if let FieldKind::Element(e) = &f.kind {
                            element_types(e, &mut types);
                        }
                    }
                }
                Item::Choice(c) => {
                    for v in &c.variants {
                        if let Some(e) = &v.element {
                            element_types(e, &mut types);
                        }
                    }
                }
                Item::Derived(d) => {
                    for v in &d.variants {
                        types.push(&v.ty);
                    }
                }
                Item::Enum(_) => {}
            }
            for t in types {
                add(t, &mut out);
            }
        }
    }
    out
}
