//! The hot types stay small. A value held inline costs its whole size wherever it could
//! stand: a choice enum as much as its largest variant, an absent optional element as much
//! as a present one. The generator boxes optional elements and choice variants whose types
//! are large (`ews-codegen`'s `sizes` module); these limits, a little above today's sizes,
//! fail when a change makes the types that responses hold by the thousand grow again.

use std::mem::size_of;

use ews_bindings::{messages, types};

/// Fails naming every type over its limit.
fn check(sizes: &[(&str, usize, usize)]) {
    let over: Vec<String> = sizes
        .iter()
        .filter(|(_, size, limit)| size > limit)
        .map(|(name, size, limit)| format!("{name}: {size} bytes, limit {limit}"))
        .collect();
    assert!(over.is_empty(), "{}", over.join("\n"));
}

#[test]
fn the_im_types_stay_small() {
    check(&[
        ("types::Persona", size_of::<types::Persona>(), 2_800),
        ("types::ImGroup", size_of::<types::ImGroup>(), 200),
        (
            "messages::GetImItemListResponseMessage",
            size_of::<messages::GetImItemListResponseMessage>(),
            200,
        ),
    ]);
}

#[cfg(feature = "all-operations")]
#[test]
fn items_and_response_messages_stay_small() {
    check(&[
        // One per item of a FindItem page or a GetItem answer: a boxed variant each.
        ("types::AnyItem", size_of::<types::AnyItem>(), 16),
        (
            "messages::AnyResponseMessage",
            size_of::<messages::AnyResponseMessage>(),
            16,
        ),
        (
            "types::ResponseObjectsChoice",
            size_of::<types::ResponseObjectsChoice>(),
            64,
        ),
        ("types::Message", size_of::<types::Message>(), 2_200),
        (
            "types::CalendarItem",
            size_of::<types::CalendarItem>(),
            3_100,
        ),
        ("types::ContactItem", size_of::<types::ContactItem>(), 3_400),
        (
            "messages::ItemInfoResponseMessage",
            size_of::<messages::ItemInfoResponseMessage>(),
            160,
        ),
    ]);
}
