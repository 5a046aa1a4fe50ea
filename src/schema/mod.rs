//! The vendored CloudFormation registry schemas, embedded in the binary.
//!
//! Each schema is parsed once, on first use, and patched as recorded in `schema/README.md`
//! (Python-only regex anchors translated). The registry keywords the JSON Schema
//! validator does not know (create-only, read-only, primary identifier) are exposed here
//! for the validator, the typed models and the change predictor.

mod embedded;
pub mod getatt;
mod registry;

pub use registry::{TypeInfo, info, known_types};

use std::collections::HashMap;
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
}

impl ResourceSchema {
    /// `Fn::GetAtt` attribute names in dotted form (`Endpoint.Address`), sorted: the read-only
    /// properties, and for some older types other properties too (see [`getatt`]).
    pub fn attributes(&self) -> &[String] {
        self.attributes.get_or_init(|| getatt::attributes(self))
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

/// Local patch: the registry writes some patterns for Python's `re` (`\Z`, `\A`), which
/// Rust regex engines do not know. Translate them to `$` / `^` (same meaning for a
/// single-line string match).
pub fn patch_patterns(value: &mut Json) {
    match value {
        Json::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "pattern"
                    && let Json::String(p) = v
                {
                    *p = p.replace("\\Z", "$").replace("\\A", "^");
                } else {
                    patch_patterns(v);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(patch_patterns),
        _ => {}
    }
}

fn parse(type_name: &'static str, text: &str) -> ResourceSchema {
    let mut json: Json = serde_json::from_str(text).expect("vendored schemas are valid JSON (tested)");
    patch_patterns(&mut json);
    ResourceSchema {
        type_name,
        create_only: strings(&json, "createOnlyProperties"),
        conditional_create_only: strings(&json, "conditionalCreateOnlyProperties"),
        read_only: strings(&json, "readOnlyProperties"),
        write_only: strings(&json, "writeOnlyProperties"),
        primary_identifier: strings(&json, "primaryIdentifier"),
        attributes: OnceLock::new(),
        json,
    }
}

type Cache = HashMap<&'static str, (&'static str, OnceLock<ResourceSchema>)>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| embedded::SCHEMAS.iter().map(|(t, text)| (*t, (*text, OnceLock::new()))).collect())
}

/// The schema of `type_name`, or `None` when it is not vendored.
pub fn get(type_name: &str) -> Option<&'static ResourceSchema> {
    let (name, (text, cell)) = cache().get_key_value(type_name)?;
    Some(cell.get_or_init(|| parse(name, text)))
}

/// Every vendored type name, sorted.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    embedded::SCHEMAS.iter().map(|(t, _)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_schema_parses_and_names_itself() {
        for t in type_names() {
            let s = get(t).unwrap();
            assert_eq!(s.json["typeName"], t, "{t}");
        }
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
        let mut v = serde_json::json!({"properties": {"A": {"pattern": "\\Aab\\Z"}}});
        patch_patterns(&mut v);
        assert_eq!(v["properties"]["A"]["pattern"], "^ab$");
    }
}
