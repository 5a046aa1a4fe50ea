//! The registry index: a summary of every resource type's registry schema (all 1,898 types
//! cfn-lint ships), for the metadata callers need without parsing a full schema (type names,
//! create-only and read-only properties, primary identifiers).
//!
//! `schema/registry-index.json` is written by `scripts/refresh-schemas` from the same pinned
//! cfn-lint wheel as the vendored schemas: per type, its create-only, conditionally
//! create-only, read-only and primary-identifier pointers, top-level property names and the
//! required ones. It is parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The registry metadata of one resource type.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypeInfo {
    /// Create-only properties as JSON pointers (`/properties/BucketName`).
    #[serde(default)]
    pub create_only: Vec<String>,
    /// Conditionally create-only properties (replacement depends on the change).
    #[serde(default)]
    pub conditional_create_only: Vec<String>,
    /// Read-only properties as JSON pointers.
    #[serde(default)]
    pub read_only: Vec<String>,
    /// Primary identifier pointers.
    #[serde(default)]
    pub primary_identifier: Vec<String>,
    /// Top-level property names (registry schemas allow no others).
    #[serde(default)]
    pub properties: Vec<String>,
    /// Required top-level properties.
    #[serde(default)]
    pub required: Vec<String>,
}

impl TypeInfo {
    /// True when a change of top-level property `name` always replaces the resource.
    pub fn is_create_only(&self, name: &str) -> bool {
        self.create_only.iter().any(|p| super::top_level(p) == Some(name))
    }

    /// True when a change of top-level property `name` may replace the resource (it is
    /// conditionally create-only, or a nested part of it is create-only).
    pub fn is_conditionally_create_only(&self, name: &str) -> bool {
        self.conditional_create_only.iter().any(|p| super::top_level(p) == Some(name))
            || self
                .create_only
                .iter()
                .any(|p| super::top_level(p) == Some(name) && p.matches('/').count() > 2)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    #[allow(dead_code, reason = "documents the file; checked by the tests")]
    source: String,
    #[allow(dead_code, reason = "documents the file")]
    region: String,
    #[allow(dead_code, reason = "documents the file; checked by the tests")]
    types: usize,
    index: HashMap<String, TypeInfo>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let text = super::data_file("registry-index.json").expect("the store holds registry-index.json");
        serde_json::from_str(&text).expect("schema/registry-index.json is valid (tested)")
    })
}

/// The registry metadata of `type_name`, or `None` when the registry does not know the type
/// (a typo, a third-party or private type, or one newer than the pinned cfn-lint). Taken from
/// the type's schema (parsed anyway when a template uses the type), so the index itself is only
/// read for [`known_types`].
pub fn info(type_name: &str) -> Option<&'static TypeInfo> {
    super::get(type_name).map(super::ResourceSchema::info)
}

/// Every type the registry index knows (unsorted).
pub fn known_types() -> impl Iterator<Item = &'static str> {
    index().index.keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_parses_and_agrees_with_the_vendored_schemas() {
        let idx = index();
        assert_eq!(idx.types, idx.index.len());
        assert!(idx.types > 1500, "{}", idx.types);
        assert!(idx.source.starts_with("cfn-lint "));
        for t in known_types() {
            let full = crate::schema::get(t).unwrap();
            let info = idx.index.get(t).unwrap_or_else(|| panic!("{t} is not in the index"));
            assert_eq!(full.info(), info, "{t}");
            assert_eq!(info.create_only, full.create_only, "{t}");
            assert_eq!(info.conditional_create_only, full.conditional_create_only, "{t}");
            assert_eq!(info.read_only, full.read_only, "{t}");
            assert_eq!(info.primary_identifier, full.primary_identifier, "{t}");
            let mut props: Vec<String> =
                full.json["properties"].as_object().unwrap().keys().cloned().collect();
            props.sort();
            assert_eq!(info.properties, props, "{t}");
        }
    }

    #[test]
    fn types_outside_the_vendored_set_are_known() {
        let instance = info("AWS::EC2::Instance").unwrap();
        assert!(instance.is_create_only("ImageId"));
        assert!(!instance.is_create_only("InstanceType"));
        assert!(instance.properties.iter().any(|p| p == "InstanceType"));
        assert!(info("AWS::SQS::Queue").unwrap().is_create_only("QueueName"));
        assert!(info("AWS::S3::Buckett").is_none());
        assert!(known_types().any(|t| t == "AWS::CDK::Metadata"));
    }
}
