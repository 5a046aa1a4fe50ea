//! Tags on every taggable resource, decided from the registry schema: a type is taggable when
//! its schema has a `Tags` property and does not declare `tagging.taggable: false`. The shape
//! (list of `{Key, Value}` or a string map) also comes from the schema.

use serde_json::Value as Json;

use crate::model::{Expr, Resource};
use crate::schema::{self, ResourceSchema};

/// How a type writes its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagShape {
    /// `[{"<key>": k, "<value>": v}]` with the item's property names (`Key`/`Value`).
    List { key: String, value: String },
    /// `{"k": "v"}`.
    Map,
}

/// The tag shape of `type_name`, or `None` when it cannot be tagged (or has no vendored schema).
pub fn shape(type_name: &str) -> Option<TagShape> {
    shape_of(schema::get(type_name)?)
}

fn resolve<'a>(root: &'a Json, node: &'a Json) -> &'a Json {
    let mut node = node;
    for _ in 0..8 {
        match node.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix("#/")) {
            Some(path) => match root.pointer(&format!("/{path}")) {
                Some(n) => node = n,
                None => break,
            },
            None => break,
        }
    }
    node
}

fn shape_of(s: &ResourceSchema) -> Option<TagShape> {
    if s.json.pointer("/tagging/taggable") == Some(&Json::Bool(false)) {
        return None;
    }
    let tags = resolve(&s.json, s.json.pointer("/properties/Tags")?);
    if s.read_only.iter().any(|p| p == "/properties/Tags") {
        return None;
    }
    let is = |t: &str| match tags.get("type") {
        Some(Json::String(x)) => x == t,
        Some(Json::Array(xs)) => xs.iter().any(|x| x == t),
        _ => false,
    };
    if is("array") {
        let item = resolve(&s.json, tags.get("items")?);
        let props = item.get("properties")?.as_object()?;
        let find = |want: &str| props.keys().find(|k| k.eq_ignore_ascii_case(want)).cloned();
        Some(TagShape::List { key: find("Key")?, value: find("Value")? })
    } else if is("object") {
        Some(TagShape::Map)
    } else {
        None
    }
}

/// Adds `tags` to `resource` if its type is taggable. Tags the resource sets itself (`Name`)
/// stay first and win over a platform tag with the same key. Returns whether it is taggable.
pub fn apply(resource: &mut Resource, tags: &[(String, String)]) -> bool {
    let Some(shape) = shape(&resource.type_name) else { return false };
    if tags.is_empty() {
        return true;
    }
    match shape {
        TagShape::List { key, value } => {
            let mut list = match resource.properties.shift_remove("Tags") {
                Some(Expr::List(l)) => l,
                Some(other) => {
                    // An intrinsic (e.g. Fn::If) computes the tags: leave it alone.
                    resource.properties.insert("Tags".to_string(), other);
                    return true;
                }
                None => Vec::new(),
            };
            let existing: Vec<String> = list
                .iter()
                .filter_map(|t| match t {
                    Expr::Map(m) => match m.get(&key) {
                        Some(Expr::String(k)) => Some(k.clone()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            for (k, v) in tags {
                if !existing.contains(k) {
                    list.push(Expr::map([(key.as_str(), Expr::from(k)), (value.as_str(), Expr::from(v))]));
                }
            }
            resource.properties.insert("Tags".to_string(), Expr::List(list));
        }
        TagShape::Map => {
            let mut map = match resource.properties.shift_remove("Tags") {
                Some(Expr::Map(m)) => m,
                Some(other) => {
                    resource.properties.insert("Tags".to_string(), other);
                    return true;
                }
                None => Default::default(),
            };
            for (k, v) in tags {
                map.entry(k.clone()).or_insert_with(|| Expr::from(v));
            }
            resource.properties.insert("Tags".to_string(), Expr::Map(map));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tags() -> Vec<(String, String)> {
        vec![("Environment".into(), "dev".into()), ("Name".into(), "platform".into())]
    }

    #[test]
    fn taggability_comes_from_the_schema() {
        assert!(matches!(shape("AWS::S3::Bucket"), Some(TagShape::List { .. })));
        assert_eq!(shape("AWS::EC2::Route"), None); // tagging.taggable false, no Tags
        assert_eq!(shape("AWS::CloudWatch::AnomalyDetector"), None); // no Tags property
        assert_eq!(shape("AWS::IAM::ManagedPolicy"), None);
        assert_eq!(shape("AWS::Nope::Nope"), None);
    }

    #[test]
    fn own_tags_stay_first_and_win() {
        let mut r = Resource::new("AWS::EC2::VPC");
        r.properties.insert("Tags".into(), Expr::from_json(&json!([{"Key": "Name", "Value": "vpc-dev"}])));
        assert!(apply(&mut r, &tags()));
        assert_eq!(
            r.properties["Tags"].to_json(),
            json!([{"Key": "Name", "Value": "vpc-dev"}, {"Key": "Environment", "Value": "dev"}])
        );
        let mut route = Resource::new("AWS::EC2::Route");
        assert!(!apply(&mut route, &tags()));
        assert!(route.properties.is_empty());
    }
}
