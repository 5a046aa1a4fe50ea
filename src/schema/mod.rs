//! The CloudFormation registry schemas of every resource type, and cfn-lint's constraint data,
//! compressed into the binary ([`store`], written by `build.rs` from `schema/`).
//!
//! Each schema is decompressed and parsed on first use, and patched as recorded in
//! `schema/README.md` (Python-only regex anchors translated). The registry keywords the JSON
//! Schema validator does not know (create-only, read-only, primary identifier) are exposed here
//! for the validator, the typed models and the change predictor.

mod embedded;
pub mod getatt;
mod registry;
pub(crate) mod store;

pub use registry::{TypeInfo, info, known_types};

use std::sync::OnceLock;

use serde_json::Value as Json;

/// One resource type's schema with its registry metadata.
#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    /// The schema after local patches.
    pub json: Json,
    /// Create-only properties as JSON pointers (`/properties/BucketName`).
    pub create_only: Vec<String>,
    /// Conditionally create-only properties (replacement depends on the change).
    pub conditional_create_only: Vec<String>,
    /// Read-only properties as JSON pointers.
    pub read_only: Vec<String>,
    /// Write-only properties as JSON pointers.
    pub write_only: Vec<String>,
    /// Primary identifier pointers (what `Ref` usually returns).
    pub primary_identifier: Vec<String>,
    /// [`Self::attributes`], computed on first use.
    attributes: OnceLock<Vec<String>>,
    /// [`Self::info`], computed on first use.
    info: OnceLock<TypeInfo>,
}

impl ResourceSchema {
    /// `Fn::GetAtt` attribute names in dotted form (`Endpoint.Address`), sorted: the read-only
    /// properties, and for some older types other properties too (see [`getatt`]).
    pub fn attributes(&self) -> &[String] {
        self.attributes.get_or_init(|| getatt::attributes(self))
    }

    /// The registry summary of this schema (the same as the registry index's entry).
    pub fn info(&self) -> &TypeInfo {
        self.info.get_or_init(|| {
            let mut properties: Vec<String> = self
                .json
                .get("properties")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect();
            properties.sort();
            TypeInfo {
                create_only: self.create_only.clone(),
                conditional_create_only: self.conditional_create_only.clone(),
                read_only: self.read_only.clone(),
                primary_identifier: self.primary_identifier.clone(),
                properties,
                required: strings(&self.json, "required"),
            }
        })
    }
}

/// Follows local `$ref`s (`#/definitions/X`).
pub fn deref<'s>(schema: &'s Json, mut node: &'s Json) -> &'s Json {
    for _ in 0..16 {
        let Some(r) = node.get("$ref").and_then(Json::as_str) else { break };
        let Some(target) = r.strip_prefix('#').and_then(|p| schema.pointer(p)) else { break };
        node = target;
    }
    node
}

/// `/properties/Endpoint/Address` -> `Endpoint.Address`.
pub fn pointer_to_attribute(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/properties/")?;
    if rest.contains("/*") {
        return None;
    }
    Some(rest.replace('/', "."))
}

fn top_level(pointer: &str) -> Option<&str> {
    pointer.strip_prefix("/properties/")?.split('/').next()
}

fn strings(json: &Json, key: &str) -> Vec<String> {
    json.get(key)
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Local patch: the registry writes patterns for Python's `re` or for JavaScript, which Rust's
/// regex engines read differently. Applied to every `pattern` and every `patternProperties`
/// key (see [`patch_pattern`]).
pub fn patch_patterns(value: &mut Json) {
    match value {
        Json::Object(map) => {
            if let Some(Json::Object(pp)) = map.get("patternProperties")
                && pp.keys().any(|k| patch_pattern(k) != *k)
            {
                let patched = std::mem::take(map.get_mut("patternProperties").expect("present"));
                let patched: serde_json::Map<String, Json> = patched
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (patch_pattern(k), v.clone()))
                    .collect();
                map.insert("patternProperties".into(), Json::Object(patched));
            }
            for (key, v) in map.iter_mut() {
                if key == "pattern"
                    && let Json::String(p) = v
                {
                    *p = patch_pattern(p);
                } else {
                    patch_patterns(v);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(patch_patterns),
        _ => {}
    }
}

/// One pattern, patched (each rule is a row of schema/README.md's "Local patches"). The
/// validator reads patterns as ECMA-262 (JSON Schema's dialect), the registry writes some for
/// Python's `re`:
/// - `\Z` (end of input) and `\A` (start of input) become `$` and `^` (the same for a
///   single-line string match);
/// - `(?s)` (dot matches newlines) is removed and every `.` after it becomes `[\s\S]`;
/// - UTF-16 surrogate escapes in a class (`\uD800`, `\uDBFF-\uDC00`: how JavaScript lets a
///   class hold characters beyond the BMP) become the range U+10000-U+10FFFF (Rust strings
///   hold those characters as single code points; surrogates cannot occur);
/// - a `-` right after a class escape in a class (`[\w-.]`, `[\p{L}-_]`) is a literal hyphen
///   for Python; it is escaped (`[\w\-.]`);
/// - a `{` or `}` that is not part of a `{m,n}` quantifier is escaped, `\"` and `\-` outside a
///   class become `"` and `-`, and a quantifier right after `$` (`$ {1,256}`) is removed.
pub fn patch_pattern(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    let dotall = p.contains("(?s)");
    let mut out = String::with_capacity(p.len());
    let mut in_class = false;
    let mut i = 0;
    let hex = |i: usize| -> Option<u32> {
        let s: String = chars.get(i..i + 4)?.iter().collect();
        u32::from_str_radix(&s, 16).ok()
    };
    let surrogate_at = |i: usize| {
        chars.get(i) == Some(&'\\')
            && chars.get(i + 1) == Some(&'u')
            && hex(i + 2).is_some_and(|c| (0xD800..=0xDFFF).contains(&c))
    };
    // The length of a `{m}`, `{m,}` or `{m,n}` quantifier at `i`, if there is one.
    let quantifier_at = |i: usize| -> Option<usize> {
        let rest = chars.get(i..)?;
        let close = rest.iter().position(|c| *c == '}')?;
        let body: String = rest[1..close].iter().collect();
        let (m, n) = body.split_once(',').unwrap_or((&body, "0"));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        (!m.is_empty() && digits(m) && digits(n)).then_some(close + 1)
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let next = chars[i + 1];
            if in_class && surrogate_at(i) {
                // A lone surrogate or a range of two: the astral range instead.
                i += 6;
                if chars.get(i) == Some(&'-') && surrogate_at(i + 1) {
                    i += 7;
                }
                out.push_str("\u{10000}-\u{10FFFF}");
                continue;
            }
            match next {
                'Z' => out.push('$'),
                'A' => out.push('^'),
                '"' => out.push('"'),
                '-' if !in_class => out.push('-'),
                _ => {
                    out.push(c);
                    out.push(next);
                }
            }
            i += 2;
            if matches!(next, 'p' | 'P') && chars.get(i) == Some(&'{') {
                let end = chars[i..].iter().position(|c| *c == '}').map_or(chars.len(), |e| i + e + 1);
                out.extend(&chars[i..end]);
                i = end;
            }
            if in_class
                && matches!(next, 'w' | 'W' | 'd' | 'D' | 's' | 'S' | 'p' | 'P')
                && chars.get(i) == Some(&'-')
                && chars.get(i + 1).is_some_and(|c| *c != ']')
            {
                out.push_str("\\-");
                i += 1;
            }
            continue;
        }
        if in_class {
            in_class = c != ']';
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push(c);
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                continue;
            }
            '(' if dotall && chars.get(i..i + 4) == Some(&['(', '?', 's', ')']) => {
                i += 4;
                continue;
            }
            '.' if dotall => out.push_str(r"[\s\S]"),
            '$' => {
                out.push('$');
                if let Some(len) = quantifier_at(i + 1) {
                    i += len;
                }
            }
            '{' => match quantifier_at(i) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                None => out.push_str(r"\{"),
            },
            '}' => out.push_str(r"\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn parse(text: &str) -> Option<ResourceSchema> {
    let mut json: Json = serde_json::from_str(text).ok()?;
    let type_name: &'static str = Box::leak(json.get("typeName")?.as_str()?.into());
    patch_patterns(&mut json);
    Some(ResourceSchema {
        type_name,
        create_only: strings(&json, "createOnlyProperties"),
        conditional_create_only: strings(&json, "conditionalCreateOnlyProperties"),
        read_only: strings(&json, "readOnlyProperties"),
        write_only: strings(&json, "writeOnlyProperties"),
        primary_identifier: strings(&json, "primaryIdentifier"),
        attributes: OnceLock::new(),
        info: OnceLock::new(),
        json,
    })
}

/// `AWS::S3::Bucket` -> `aws-s3-bucket.json`, the file of its schema in the store (and in
/// `schema/`).
pub fn file_name(type_name: &str) -> String {
    format!("{}.json", type_name.replace("::", "-").to_ascii_lowercase())
}

/// The store position of `type_name`'s schema file (a stable small integer per type, for
/// per-type caches), or `None` when there is none.
pub(crate) fn position(type_name: &str) -> Option<usize> {
    if type_name.contains('/') {
        return None;
    }
    store::position(&file_name(type_name))
}

/// One parsed schema per store entry, filled on first use.
fn cache() -> &'static [OnceLock<Option<ResourceSchema>>] {
    static CACHE: OnceLock<Vec<OnceLock<Option<ResourceSchema>>>> = OnceLock::new();
    CACHE.get_or_init(|| (0..store::len()).map(|_| OnceLock::new()).collect())
}

/// The registry schema of `type_name` (any type of the pinned cfn-lint's registry), or
/// `None` when there is none. Decompressed and parsed on first use.
pub fn get(type_name: &str) -> Option<&'static ResourceSchema> {
    let i = position(type_name)?;
    // File names are the type name in lower case: `aws::s3::bucket` is not `AWS::S3::Bucket`.
    cache()[i].get_or_init(|| parse(&store::text_at(i))).as_ref().filter(|s| s.type_name == type_name)
}

/// The types with typed models (`schema/types.txt`), sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    embedded::TYPED.iter().copied()
}

/// A data file of the store other than a registry schema (`extensions/...`, `other/...`,
/// `registry-index.json`), as text.
pub(crate) fn data_file(path: &str) -> Option<String> {
    store::text(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_schema_parses_and_names_itself() {
        for t in type_names() {
            let s = get(t).unwrap();
            assert_eq!(s.json["typeName"], t, "{t}");
        }
        let mut all = 0;
        for t in known_types() {
            assert_eq!(get(t).map(|s| s.type_name), Some(t), "{t}");
            all += 1;
        }
        assert!(all > 1800, "{all}");
        assert!(get("aws::s3::bucket").is_none(), "type names are case-sensitive");
        assert!(get("AWS::S3::Bucket/../x").is_none());
    }

    #[test]
    fn registry_metadata_is_exposed() {
        let bucket = get("AWS::S3::Bucket").unwrap();
        assert!(bucket.create_only.iter().any(|p| p == "/properties/BucketName"));
        assert!(bucket.attributes().contains(&"Arn".to_string()));
        assert!(get("AWS::Nope::Nope").is_none());
    }

    #[test]
    fn python_anchors_are_translated() {
        let mut v = serde_json::json!({"properties": {"A": {"pattern": "\\Aab\\Z"}},
            "patternProperties": {"^x\\Z": {}}});
        patch_patterns(&mut v);
        assert_eq!(v["properties"]["A"]["pattern"], "^ab$");
        assert!(v["patternProperties"].get("^x$").is_some());
    }

    #[test]
    fn patterns_are_made_readable_for_rust() {
        assert_eq!(
            patch_pattern(r"^[\u0020-\uD7FF\uD800\uDBFF-\uDC00\t]*$"),
            "^[\\u0020-\\uD7FF\u{10000}-\u{10FFFF}\u{10000}-\u{10FFFF}\\t]*$"
        );
        assert_eq!(patch_pattern(r"[\w-.~]+"), r"[\w\-.~]+");
        assert_eq!(patch_pattern(r"[\p{L}\p{N}-_]"), r"[\p{L}\p{N}\-_]");
        assert_eq!(patch_pattern(r"[\w-]"), r"[\w-]");
        assert_eq!(patch_pattern(r"^\w-\d$"), r"^\w-\d$", "outside a class `-` is a literal anyway");
        assert_eq!(patch_pattern(r#"^\{[\w\"]*}$"#), r#"^\{[\w"]*\}$"#);
        assert_eq!(patch_pattern(r"^a{1,3}b{2}\{x\-y}$"), r"^a{1,3}b{2}\{x-y\}$");
        assert_eq!(patch_pattern(r"^(?s).+$"), r"^[\s\S]+$");
        assert_eq!(patch_pattern(r"^([a-z]*)${1,256}"), r"^([a-z]*)$");
        for p in [r"^[\u0020-\uD7FF\uD800\uDBFF-\uDC00\t]*$", r"[\w-.~]+", r"[\p{L}\p{N}-_]"] {
            assert!(fancy_regex::Regex::new(&patch_pattern(p)).is_ok(), "{p}");
        }
        let re =
            fancy_regex::Regex::new(&patch_pattern(r"^[\u0020-\uD7FF\uD800\uDBFF-\uDC00\uDFFF]*$")).unwrap();
        assert!(re.is_match("a\u{1F600}b").unwrap());
    }
}
