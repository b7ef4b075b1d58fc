//! How XML names become Rust names.

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
