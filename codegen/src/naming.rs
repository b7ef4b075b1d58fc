//! Every rule that makes a Rust name: of types, enum values, fields, choice enums and
//! their variants, substitution groups, and the locals and macros generated code uses.
//! The rest of the generator calls these and only settles clashes (with [`unique`]).
//! The functions work on names alone, so that each rule can be read and tested here.

/// The name a schema type asks for, with the one it takes when that is taken, and its
/// rank: names are handed out by rank, so that a classic `…Type` keeps its short name
/// whatever else the schema declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// 0: a schema name ending in `Type`; 1: another schema name; 2: an anonymous type.
    pub rank: u8,
    /// The name asked for.
    pub name: String,
    /// The name taken when `name` is (numbered further if that is taken too).
    pub fallback: String,
}

/// The names of the type the schema calls `xsd`: `Type` dropped (`EmailAddressType` →
/// `EmailAddress`), else the name as it is with `Value` as the fallback
/// (`t:EmailAddress` → `EmailAddressValue` when `EmailAddressType` took `EmailAddress`).
pub fn schema_type(xsd: &str) -> TypeName {
    match xsd.ends_with("Type") {
        true => TypeName {
            rank: 0,
            name: type_name(xsd),
            fallback: pascal(xsd),
        },
        false => TypeName {
            rank: 1,
            name: type_name(xsd),
            fallback: format!("{}Value", pascal(xsd)),
        },
    }
}

/// The names of an anonymous type: xsd-parser calls the type of a global element after the
/// element, and the type of a local element after its owner type and the element
/// (`ResponseMessageTypeMessageXml`). The name is the element's (`MessageXml`); the
/// fallback keeps the owner with its `Type` dropped (`ResponseMessageMessageXml`), or for
/// a global element adds `Element`.
pub fn anonymous_type(generated: &str) -> TypeName {
    let split = generated
        .match_indices("Type")
        .map(|(i, _)| i + 4)
        .find(|&end| generated[end..].starts_with(|c: char| c.is_ascii_uppercase()));
    let (name, fallback) = match split {
        Some(end) => (
            pascal(&generated[end..]),
            pascal(&format!("{}{}", &generated[..end - 4], &generated[end..])),
        ),
        None => (pascal(generated), format!("{}Element", pascal(generated))),
    };
    TypeName {
        rank: 2,
        name,
        fallback,
    }
}

/// The enum of an abstract or chosen type's kinds (`Item` → `AnyItem`).
pub fn polymorphic(type_name: &str) -> String {
    format!("Any{type_name}")
}

/// An enumeration value's variant (`Exchange2013_SP1` → `Exchange2013Sp1`).
pub fn enum_value(xml: &str) -> String {
    pascal(xml)
}

/// The variant that holds values an enumeration does not list: the first of `Other`,
/// `UnknownValue`, `UnlistedValue` that no listed value took.
pub fn unlisted_value(taken: impl Fn(&str) -> bool) -> String {
    ["Other", "UnknownValue", "UnlistedValue"]
        .into_iter()
        .find(|o| !taken(o))
        .unwrap_or("UnlistedValue")
        .to_owned()
}

/// A member's field, for an element or attribute (`DisplayName` → `display_name`).
pub fn field(xml: &str) -> String {
    snake(xml)
}

/// A choice's variant: its element's name, or `Any` for a wildcard.
pub fn choice_variant(element: Option<&str>) -> String {
    element.map_or_else(|| "Any".to_owned(), pascal)
}

/// The name a choice has until the choices are named by what they hold
/// ([`choice_candidates`]).
pub fn provisional_choice(owner: &str) -> String {
    format!("{owner}Choice")
}

/// The enum of a substitution group, after its head element (`Path` → `PathElement`).
pub fn substitution_group(head: &str) -> String {
    format!("{}Element", pascal(head))
}

/// A word for what each kind of a choice is: the stem of their common base type if they
/// have one (`BaseItem` → `Item`), else the words all their element names end with
/// (`SubscriptionRequest`); `None` when neither is there or an element is a wildcard.
pub fn choice_stem(base: Option<&str>, elements: Option<Vec<&str>>) -> Option<String> {
    match base {
        Some(base) => Some(base_stem(base)),
        None => common_suffix(elements?),
    }
}

/// The field holding a choice: its stem (`paging`; plural when repeated:
/// `notification_events`), else both elements of a choice of two (`items_or_groups`),
/// else `choice`.
pub fn choice_field(stem: Option<&str>, pair: Option<(&str, &str)>, repeated: bool) -> String {
    match (stem, pair) {
        (Some(stem), _) if repeated => plural(&snake(stem)),
        (Some(stem), _) => snake(stem),
        (None, Some((a, b))) => format!("{}_or_{}", snake(a), snake(b)),
        (None, None) => "choice".to_owned(),
    }
}

/// The names a choice enum may take, best first: `Any{stem}`, then the owner with the
/// stem (`FindFolderPaging`); or both elements of a choice of two (`ItemsOrGroups`); and
/// last `{Owner}Choice`. `owner` is the owning type's name; the schema's list prefixes
/// (`ArrayOf`, `NonEmptyArrayOf`) are dropped from it.
pub fn choice_candidates(
    owner: &str,
    stem: Option<&str>,
    pair: Option<(&str, &str)>,
) -> Vec<String> {
    let owner = owner_stem(owner);
    let mut out = Vec::new();
    if let Some(stem) = stem {
        out.push(format!("Any{stem}"));
        // `Recurrence` and `RecurrencePattern` make `RecurrencePattern`, not a name twice.
        let by_owner = match stem.strip_prefix(owner) {
            Some(rest) => format!("{owner}{rest}"),
            None => format!("{owner}{stem}"),
        };
        if !owner.ends_with(stem) && !owner.ends_with(&format!("{stem}s")) {
            out.push(by_owner);
        }
    } else if let Some((a, b)) = pair {
        out.push(format!("{}Or{}", pascal(a), pascal(b)));
    }
    out.push(format!("{owner}Choice"));
    out
}

/// An owner's name without the schema's list prefixes (`NonEmptyArrayOfBaseFolderIds`
/// → `BaseFolderIds`).
fn owner_stem(owner: &str) -> &str {
    owner
        .strip_prefix("NonEmptyArrayOf")
        .or_else(|| owner.strip_prefix("ArrayOf"))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(owner)
}

/// The local a generated reader keeps a field's value in while it reads (`f_subject`).
pub fn reader_local(field: &str) -> String {
    format!("f_{field}")
}

/// The macro that runs code on every kind of a choice enum (`each_any_item`).
pub fn each_kind_macro(choice: &str) -> String {
    format!("each_{}", snake(choice))
}

/// The function giving the response message an enum of response message types holds
/// (`held_any_response_message_type`).
pub fn held_function(type_name: &str) -> String {
    format!("held_{}", snake(type_name))
}

/// A type name: the schema name with a trailing `Type` dropped (`ImGroupType` → `ImGroup`),
/// made a valid identifier.
pub fn type_name(xsd: &str) -> String {
    let stem = xsd
        .strip_suffix("Type")
        .filter(|s| !s.is_empty())
        .unwrap_or(xsd);
    pascal(stem)
}

/// A PascalCase identifier: characters that cannot be in an identifier separate words,
/// and a leading digit gets a `V` in front.
pub fn pascal(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut upper_next = true;
    let mut prev: Option<char> = None;
    for c in xml.chars() {
        if c.is_ascii_alphanumeric() {
            if upper_next {
                // Digit groups stay apart (`V2015_10_05`): Rust allows `_` between digits.
                if prev.is_some_and(|p| p.is_ascii_digit()) && c.is_ascii_digit() && !out.is_empty()
                {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
                upper_next = false;
            } else {
                out.push(c);
            }
            prev = Some(c);
        } else {
            upper_next = true;
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// A snake_case field name; acronyms stay one word (`ExtendedFieldURI` → `extended_field_uri`).
pub fn snake(xml: &str) -> String {
    let chars: Vec<char> = xml.chars().collect();
    let mut out = String::with_capacity(xml.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        return "value".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("v{out}");
    }
    out
}

/// Rust keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// An identifier as Rust source: keywords become raw identifiers (`r#type`), and the few
/// that cannot be raw get a trailing underscore (`self_`).
pub fn ident_source(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// The name a struct, field or variant has in serde's output (JSON keys, variant tags): its
/// identifier as written, without `r#` (`type`, `self_`).
pub fn serde_name(name: &str) -> String {
    let source = ident_source(name);
    source.strip_prefix("r#").unwrap_or(&source).to_owned()
}

/// `base`, or `base2`, `base3`, … : the first that `taken` does not hold.
pub fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|name| !taken(name))
        .expect("an unbounded range always yields a free name")
}

/// A base type's name as a word for what derives from it: `Base` taken off either end
/// (`BaseFolder` → `Folder`, `RecurrencePatternBase` → `RecurrencePattern`).
pub fn base_stem(name: &str) -> String {
    let stem = name
        .strip_prefix("Base")
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(name);
    stem.strip_suffix("Base")
        .filter(|rest| !rest.is_empty())
        .unwrap_or(stem)
        .to_owned()
}

/// The words two or more PascalCase names end with, when they share at least two
/// (`PullSubscriptionRequest`, `PushSubscriptionRequest` → `SubscriptionRequest`).
pub fn common_suffix<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let words: Vec<Vec<String>> = names.into_iter().map(pascal_words).collect();
    let (first, rest) = words.split_first()?;
    if rest.is_empty() {
        return None;
    }
    let shared = (0..first.len())
        .take_while(|&i| {
            let word = &first[first.len() - 1 - i];
            rest.iter()
                .all(|w| w.len() > i && w[w.len() - 1 - i] == *word)
        })
        .count();
    (shared >= 2).then(|| first[first.len() - shared..].concat())
}

/// The words of a PascalCase name; a run of capitals is one word (`SID`, `URIValue` →
/// `URI`, `Value`).
fn pascal_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let starts = i == 0
            || (c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        match words.last_mut() {
            Some(word) if !starts => word.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
}

/// The plural of a snake_case name (`event` → `events`, `address` → `addresses`).
pub fn plural(name: &str) -> String {
    if name.ends_with('s') || name.ends_with('x') {
        format!("{name}es")
    } else {
        format!("{name}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_named_by_the_words_their_elements_share() {
        assert_eq!(
            common_suffix([
                "PullSubscriptionRequest",
                "PushSubscriptionRequest",
                "StreamingSubscriptionRequest"
            ])
            .as_deref(),
            Some("SubscriptionRequest")
        );
        // One shared word says too little.
        assert_eq!(common_suffix(["FolderId", "ItemId"]), None);
        assert_eq!(common_suffix(["PrincipalName", "SID"]), None);
        assert_eq!(common_suffix(["RuleOperation"]), None);
        assert_eq!(base_stem("BaseFolderId"), "FolderId");
        assert_eq!(base_stem("RecurrencePatternBase"), "RecurrencePattern");
        assert_eq!(base_stem("Baseline"), "Baseline");
        assert_eq!(plural("notification_event"), "notification_events");
        assert_eq!(plural("address"), "addresses");
    }

    #[test]
    fn schema_types_rank_before_anonymous_ones_and_fall_back_apart() {
        let classic = schema_type("EmailAddressType");
        assert_eq!(
            (
                classic.rank,
                classic.name.as_str(),
                classic.fallback.as_str()
            ),
            (0, "EmailAddress", "EmailAddressType")
        );
        let plain = schema_type("EmailAddress");
        assert_eq!(
            (plain.rank, plain.name.as_str(), plain.fallback.as_str()),
            (1, "EmailAddress", "EmailAddressValue")
        );
        let local = anonymous_type("ResponseMessageTypeMessageXml");
        assert_eq!(
            (local.rank, local.name.as_str(), local.fallback.as_str()),
            (2, "MessageXml", "ResponseMessageMessageXml")
        );
        let global = anonymous_type("GetUserSettingsRequestMessage");
        assert_eq!(
            (global.name.as_str(), global.fallback.as_str()),
            (
                "GetUserSettingsRequestMessage",
                "GetUserSettingsRequestMessageElement"
            )
        );
        // A `Type` inside a word is no owner's end (`TypeOfThing` has no owner).
        assert_eq!(anonymous_type("Typeface").name, "Typeface");
    }

    #[test]
    fn enumerations_keep_a_variant_for_unlisted_values() {
        assert_eq!(enum_value("Exchange2013_SP1"), "Exchange2013SP1");
        assert_eq!(enum_value("2018_01_08"), "V2018_01_08");
        assert_eq!(unlisted_value(|_| false), "Other");
        assert_eq!(unlisted_value(|n| n == "Other"), "UnknownValue");
        assert_eq!(
            unlisted_value(|n| n == "Other" || n == "UnknownValue"),
            "UnlistedValue"
        );
    }

    #[test]
    fn choice_enums_and_fields_are_named_by_what_they_hold() {
        assert_eq!(
            choice_stem(Some("BaseItem"), Some(vec!["Message", "CalendarItem"])).as_deref(),
            Some("Item")
        );
        assert_eq!(
            choice_stem(
                None,
                Some(vec!["PullSubscriptionRequest", "PushSubscriptionRequest"])
            )
            .as_deref(),
            Some("SubscriptionRequest")
        );
        assert_eq!(choice_stem(None, None), None);
        assert_eq!(choice_field(Some("Paging"), None, false), "paging");
        assert_eq!(
            choice_field(Some("NotificationEvent"), None, true),
            "notification_events"
        );
        assert_eq!(
            choice_field(None, Some(("Items", "Groups")), false),
            "items_or_groups"
        );
        assert_eq!(choice_field(None, None, false), "choice");
        assert_eq!(
            choice_candidates("FindFolder", Some("Paging"), None),
            ["AnyPaging", "FindFolderPaging", "FindFolderChoice"]
        );
        assert_eq!(
            choice_candidates("ArrayOfRealItems", Some("Item"), None),
            ["AnyItem", "RealItemsChoice"]
        );
        // The owner already ends with the stem: no name twice.
        assert_eq!(
            choice_candidates("NonEmptyArrayOfBaseFolderIds", Some("FolderId"), None),
            ["AnyFolderId", "BaseFolderIdsChoice"]
        );
        assert_eq!(
            choice_candidates("Recurrence", Some("RecurrencePattern"), None),
            [
                "AnyRecurrencePattern",
                "RecurrencePattern",
                "RecurrenceChoice"
            ]
        );
        assert_eq!(
            choice_candidates("FindItemParent", None, Some(("Items", "Groups"))),
            ["ItemsOrGroups", "FindItemParentChoice"]
        );
        assert_eq!(choice_variant(None), "Any");
        assert_eq!(substitution_group("Path"), "PathElement");
        assert_eq!(polymorphic("Item"), "AnyItem");
    }

    #[test]
    fn type_names_drop_the_type_suffix_once() {
        assert_eq!(type_name("ImGroupType"), "ImGroup");
        assert_eq!(type_name("ExchangeVersionType"), "ExchangeVersion");
        assert_eq!(type_name("Type"), "Type");
        assert_eq!(
            type_name("NonEmptyArrayOfExtendedFieldURIs"),
            "NonEmptyArrayOfExtendedFieldURIs"
        );
    }

    #[test]
    fn pascal_keeps_digit_groups_apart() {
        assert_eq!(pascal("Exchange2007_SP1"), "Exchange2007SP1");
        assert_eq!(pascal("V2015_10_05"), "V2015_10_05");
        assert_eq!(pascal("IPM.DistList"), "IPMDistList");
        assert_eq!(pascal("2ndValue"), "V2ndValue");
        assert_eq!(pascal(""), "Empty");
    }

    #[test]
    fn snake_splits_words_and_acronyms() {
        assert_eq!(snake("DisplayNameFirstLast"), "display_name_first_last");
        assert_eq!(snake("ExtendedFieldURI"), "extended_field_uri");
        assert_eq!(snake("SID"), "sid");
        assert_eq!(snake("Emails1"), "emails1");
        assert_eq!(snake("IMAddress"), "im_address");
        assert_eq!(snake("PersonaId"), "persona_id");
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident_source("type"), "r#type");
        assert_eq!(ident_source("self"), "self_");
        assert_eq!(ident_source("value"), "value");
    }
}
