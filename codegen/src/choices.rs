//! Names the choice enums by what they hold, after the model is built. The names a choice
//! may take are [`naming::choice_candidates`]'s (`Any{stem}`, the owner with the stem,
//! `AOrB`, `{Owner}Choice`); this module decides which choice takes a contested name and
//! merges choices:
//!
//! - Choices of the same elements are one enum: an item read from FindItem, GetItem or
//!   SyncFolderItems has one type, whatever structure or list holds it.
//! - When several choices would take the same name, the one the most fields hold takes it
//!   (then the one with more elements, then the first by name), and the others take their
//!   next candidate (`FindFolderPaging`, `RecurrencePattern`).
//! - A substitution group's enum keeps its name (`PathElement`), and a choice of the same
//!   elements is that enum.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    element_pair, ChoiceDef, ChoiceRef, ElementDef, FieldKind, Item, Model, VariantDef,
};
use crate::naming::{self, unique};

/// The variants of a choice by name and element.
type Signature = Vec<(String, Option<ElementDef>)>;

/// The elements of a choice, which tell choices apart (boxing and documentation aside).
fn signature(c: &ChoiceDef) -> Signature {
    c.variants
        .iter()
        .map(|v| {
            let element = v.element.clone().map(|e| ElementDef {
                doc: Vec::new(),
                ..e
            });
            (v.name.clone(), element)
        })
        .collect()
}

/// Renames and merges the choices of `model`; `taken` holds, per module, every name the
/// schema's types have (so that a choice's name does not depend on which types a build
/// generates).
pub fn name(model: &mut Model, taken: &[BTreeSet<String>]) {
    let uses = uses(model);
    let mut renames: BTreeMap<ChoiceRef, String> = BTreeMap::new();
    for (m, module) in model.modules.iter_mut().enumerate() {
        let choices: Vec<ChoiceDef> = module
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Choice(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        if choices.is_empty() {
            continue;
        }
        // Groups of the same elements; a substitution group's enum leads its group.
        let mut sorted = choices.clone();
        sorted.sort_by_key(|c| (!c.substitution, c.name.clone()));
        let mut signed: Vec<(Signature, Vec<ChoiceDef>)> = Vec::new();
        for c in sorted {
            let sign = signature(&c);
            match signed.iter_mut().find(|(s, _)| *s == sign) {
                Some((_, g)) => g.push(c),
                None => signed.push((sign, vec![c])),
            }
        }
        let mut groups: Vec<Vec<ChoiceDef>> = signed.into_iter().map(|(_, g)| g).collect();
        let key = |c: &ChoiceDef| ChoiceRef {
            module: m,
            name: c.name.clone(),
        };
        let weight = |g: &Vec<ChoiceDef>| -> usize {
            g.iter()
                .map(|c| uses.get(&key(c)).copied().unwrap_or(0))
                .sum()
        };
        let mut used: BTreeSet<String> = taken[m].clone();
        for c in &choices {
            if !c.substitution {
                used.remove(&c.name);
            }
        }
        groups.sort_by(|a, b| {
            (!a[0].substitution, std::cmp::Reverse(weight(a)))
                .cmp(&(!b[0].substitution, std::cmp::Reverse(weight(b))))
                .then(b[0].variants.len().cmp(&a[0].variants.len()))
                .then(a[0].name.cmp(&b[0].name))
        });
        let mut merged = Vec::new();
        for group in groups {
            let lead = &group[0];
            let name = if lead.substitution {
                lead.name.clone()
            } else {
                let mut candidates = candidates(lead);
                let last = candidates
                    .pop()
                    .expect("a choice has at least `{Owner}Choice`");
                let name = candidates
                    .into_iter()
                    .find(|n| !used.contains(n))
                    .unwrap_or_else(|| unique(last, |n| used.contains(n)));
                used.insert(name.clone());
                name
            };
            for c in &group {
                renames.insert(key(c), name.clone());
            }
            merged.push(merge(name, &group));
        }
        module.items.retain(|i| !matches!(i, Item::Choice(_)));
        module.items.extend(merged.into_iter().map(Item::Choice));
        module.items.sort_by(|a, b| a.name().cmp(b.name()));
    }
    rename_refs(model, &renames);
}

/// The names a choice may take, best first.
fn candidates(c: &ChoiceDef) -> Vec<String> {
    naming::choice_candidates(&c.owner_name, c.stem.as_deref(), element_pair(&c.variants))
}

/// One enum for `group`, named `name`: a variant is boxed if it is in any of them.
fn merge(name: String, group: &[ChoiceDef]) -> ChoiceDef {
    let mut out = group[0].clone();
    out.name = name;
    out.listed = group.iter().any(|c| c.listed);
    for (i, v) in out.variants.iter_mut().enumerate() {
        v.boxed = group.iter().any(|c| c.variants[i].boxed);
    }
    let owners: Vec<&str> = group
        .iter()
        .map(|c| c.owner.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    out.owner = match owners.as_slice() {
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    out
}

/// How many fields (and list items) hold each choice.
fn uses(model: &mut Model) -> BTreeMap<ChoiceRef, usize> {
    let mut out = BTreeMap::new();
    for_each_ref(model, &mut |r| *out.entry(r.clone()).or_insert(0) += 1);
    out
}

fn rename_refs(model: &mut Model, renames: &BTreeMap<ChoiceRef, String>) {
    for_each_ref(model, &mut |r| {
        if let Some(name) = renames.get(r) {
            r.name = name.clone();
        }
    });
}

/// Calls `f` with every reference to a choice in `model`.
fn for_each_ref(model: &mut Model, f: &mut dyn FnMut(&mut ChoiceRef)) {
    fn kind(k: &mut FieldKind, f: &mut dyn FnMut(&mut ChoiceRef)) {
        match k {
            FieldKind::Choice(c) => f(c),
            FieldKind::Element(e) => element(e, f),
            FieldKind::Any => {}
        }
    }
    fn element(e: &mut ElementDef, f: &mut dyn FnMut(&mut ChoiceRef)) {
        if let Some(list) = &mut e.list {
            kind(&mut list.item, f);
        }
    }
    for module in &mut model.modules {
        for item in &mut module.items {
            match item {
                Item::Struct(s) => {
                    for field in &mut s.fields {
                        kind(&mut field.kind, f);
                    }
                }
                Item::Choice(c) => {
                    for VariantDef { element: e, .. } in &mut c.variants {
                        if let Some(e) = e {
                            element(e, f);
                        }
                    }
                }
                Item::Enum(_) | Item::Derived(_) => {}
            }
        }
    }
}
