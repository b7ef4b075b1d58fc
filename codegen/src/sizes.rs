//! Keeps the generated types small. A value held inline costs its whole size wherever it
//! could stand, present or not: an absent optional element as much as a present one, every
//! variant of a choice as much as the largest. So an optional element or a choice variant
//! whose type is estimated above [`BOX_ABOVE`] bytes is boxed: absent, it costs a null
//! pointer, and a choice is as large as its small variants. Required elements stay inline
//! (boxing them would add an allocation and save nothing).
//!
//! The estimate follows the layout of what the renderer writes (text 24 bytes, a `Vec` 24,
//! an `Option` of a struct 8 more) closely enough to rank types; the `type_sizes` test of
//! the bindings checks the real sizes of the hot types.

use std::collections::BTreeMap;

use crate::model::{
    ChoiceRef, ElementDef, FieldDef, FieldKind, Item, Model, Occurs, Prim, TypeRef,
};

/// The estimated size above which an optional element or a choice variant is boxed.
pub const BOX_ABOVE: usize = 128;

/// Boxes the optional elements and choice variants whose types are large.
pub fn box_large(model: &mut Model) {
    let mut sizes = Sizes {
        model,
        known: BTreeMap::new(),
    };
    let mut fields = Vec::new();
    let mut variants = Vec::new();
    for (m, module) in model.modules.iter().enumerate() {
        for item in &module.items {
            match item {
                Item::Struct(s) => {
                    for (i, f) in s.fields.iter().enumerate() {
                        let FieldKind::Element(e) = &f.kind else {
                            continue;
                        };
                        if f.occurs == Occurs::Optional && !f.boxed && sizes.boxes(e) {
                            fields.push((m, s.name.clone(), i));
                        }
                    }
                }
                Item::Choice(c) => {
                    for (i, v) in c.variants.iter().enumerate() {
                        let Some(e) = &v.element else {
                            continue;
                        };
                        if !v.boxed && sizes.boxes(e) {
                            variants.push((m, c.name.clone(), i));
                        }
                    }
                }
                Item::Enum(_) | Item::Derived(_) => {}
            }
        }
    }
    for (m, name, i) in fields {
        if let Some(Item::Struct(s)) = find(model, m, &name) {
            s.fields[i].boxed = true;
        }
    }
    for (m, name, i) in variants {
        if let Some(Item::Choice(c)) = find(model, m, &name) {
            c.variants[i].boxed = true;
        }
    }
}

fn find<'m>(model: &'m mut Model, module: usize, name: &str) -> Option<&'m mut Item> {
    model.modules[module]
        .items
        .iter_mut()
        .find(|item| item.name() == name)
}

/// Estimated sizes of the generated types, by (module, name).
struct Sizes<'m> {
    model: &'m Model,
    known: BTreeMap<(usize, String), usize>,
}

impl Sizes<'_> {
    /// Whether the rule boxes an optional element or a variant holding `e`: a single
    /// value (not a list) estimated above [`BOX_ABOVE`] bytes.
    fn boxes(&mut self, e: &ElementDef) -> bool {
        e.list.is_none() && self.element(e) > BOX_ABOVE
    }

    fn element(&mut self, e: &ElementDef) -> usize {
        match &e.list {
            Some(_) => 24,
            None => self.type_ref(&e.ty),
        }
    }

    fn type_ref(&mut self, ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Prim(p) => prim(*p),
            TypeRef::Named {
                module,
                name,
                value,
            } => {
                if *value {
                    // A value enum: a variant, or the unlisted value as text.
                    return 32;
                }
                self.named(*module, name)
            }
            TypeRef::Any => 72,
            TypeRef::List(_) => 24,
        }
    }

    fn named(&mut self, module: usize, name: &str) -> usize {
        let key = (module, name.to_owned());
        if let Some(&size) = self.known.get(&key) {
            return size;
        }
        // A type that contains itself is boxed there: while it is measured, it counts as a
        // pointer.
        self.known.insert(key.clone(), 8);
        let model = self.model;
        let size = match model.modules[module]
            .items
            .iter()
            .find(|item| item.name() == name)
        {
            Some(Item::Struct(s)) => {
                let attributes: usize = s
                    .attributes
                    .iter()
                    .map(|a| self.type_ref(&a.ty) + if a.required { 0 } else { 8 })
                    .sum();
                let text = s.text.as_ref().map_or(0, |t| self.type_ref(t));
                let fields: usize = s.fields.iter().map(|f| self.field(f)).sum();
                (attributes + text + fields).max(8)
            }
            Some(Item::Choice(c)) => self.choice_variants(&c.variants) + 8,
            Some(Item::Derived(_)) => 16,
            Some(Item::Enum(_)) => 32,
            None => 8,
        };
        self.known.insert(key, size);
        size
    }

    fn field(&mut self, f: &FieldDef) -> usize {
        if f.occurs == Occurs::Repeated {
            return 24;
        }
        if f.boxed {
            return 8;
        }
        let optional = f.occurs == Occurs::Optional;
        let inner = match &f.kind {
            // Boxed by this very rule (an `Option<Box<_>>` is a pointer).
            FieldKind::Element(e) if optional && self.boxes(e) => return 8,
            FieldKind::Element(e) => self.element(e),
            FieldKind::Choice(c) => self.choice(c),
            FieldKind::Any => 72,
        };
        if optional && inner > 8 {
            inner + 8
        } else {
            inner
        }
    }

    fn choice(&mut self, c: &ChoiceRef) -> usize {
        self.named(c.module, &c.name)
    }

    fn choice_variants(&mut self, variants: &[crate::model::VariantDef]) -> usize {
        variants
            .iter()
            .map(|v| match (&v.element, v.boxed) {
                (_, true) => 8,
                // Boxed by this very rule.
                (Some(e), false) if self.boxes(e) => 8,
                (Some(e), false) => self.element(e),
                (None, false) => 72,
            })
            .max()
            .unwrap_or(0)
    }
}

/// The size of a primitive as generated (text and binary values are 24 bytes, a date-time
/// with its zone and digits about as much).
fn prim(p: Prim) -> usize {
    match p {
        Prim::String | Prim::Base64Binary | Prim::HexBinary | Prim::DateTime => 24,
        Prim::Date | Prim::Time => 16,
        Prim::Duration => 48,
        _ => 8,
    }
}
