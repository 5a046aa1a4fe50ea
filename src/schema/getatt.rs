//! The `Fn::GetAtt` attributes of a resource type.
//!
//! Mostly the schema's `readOnlyProperties`, but CloudFormation also allows `GetAtt` on every
//! property of some older (pre-registry) types, and on a few named properties of others. The
//! two lists in `schema/getatt-exceptions.json` record that behaviour, as cfn-lint does (`cfnlint/schema/_getatts.py`,
//! MIT-0); without them, e.g. `!GetAtt Vpc.CidrBlock` would be reported wrongly.

use std::borrow::Cow;

use serde_json::Value;

use super::deref;

/// The GetAtt exceptions (`schema/getatt-exceptions.json`, shared with the generator of the
/// typed models): types whose every property is also an attribute, and named extra
/// attributes of others.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Exceptions {
    #[allow(dead_code, reason = "documents the file")]
    description: String,
    all_property_types: Vec<String>,
    named_properties: std::collections::HashMap<String, Vec<String>>,
}

fn exceptions() -> &'static Exceptions {
    static EXCEPTIONS: std::sync::OnceLock<Exceptions> = std::sync::OnceLock::new();
    EXCEPTIONS.get_or_init(|| {
        serde_json::from_str(include_str!("../../schema/getatt-exceptions.json"))
            .expect("schema/getatt-exceptions.json is valid (tested)")
    })
}

fn all_properties(type_name: &str) -> bool {
    exceptions().all_property_types.iter().any(|t| t == type_name)
}

fn named(type_name: &str) -> &'static [String] {
    exceptions().named_properties.get(type_name).map_or(&[], Vec::as_slice)
}

fn walk(schema: &Value, node: &Value, path: &str, out: &mut Vec<String>) {
    let node = deref(schema, node);
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"object") {
        for (name, child) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
            walk(schema, child, &format!("{path}.{name}"), out);
        }
    } else if types.contains(&"array") {
        let item = deref(schema, node.get("items").unwrap_or(&Value::Null));
        if !matches!(item.get("type").and_then(Value::as_str), Some("object" | "array")) {
            out.push(path.to_string());
        }
    } else {
        out.push(path.to_string());
    }
}

/// The GetAtt attributes of a vendored type (dotted form, sorted); computed once per type by
/// [`super::ResourceSchema::attributes`].
pub(super) fn attributes(schema: &super::ResourceSchema) -> Vec<String> {
    let type_name = schema.type_name;
    let mut out: Vec<String> =
        schema.read_only.iter().filter_map(|p| super::pointer_to_attribute(p)).collect();
    if all_properties(type_name) {
        for (name, prop) in schema.json.get("properties").and_then(Value::as_object).into_iter().flatten() {
            walk(&schema.json, prop, name, &mut out);
        }
    }
    out.extend(named(type_name).iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// What a `Fn::GetAtt` of `attr` on a resource of `type_name` is.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The attribute exists.
    Allowed,
    /// It does not; the top-level attributes the type has, to name in the message.
    Missing(Vec<String>),
    /// Nothing is known about the type (not in the registry index).
    Unknown,
}

/// Checks `type_name.attr`: against the full attribute list of a vendored type, or, for any
/// other type the registry index knows, its read-only properties (`*` in a pointer matches
/// any segment), all its properties for the older types above, and the named exceptions.
pub fn check(type_name: &str, attr: &str) -> Verdict {
    let matches = |pointer: &str| {
        let Some(rest) = pointer.strip_prefix("/properties/") else { return false };
        let (want, have): (Vec<&str>, Vec<&str>) = (rest.split('/').collect(), attr.split('.').collect());
        want.len() == have.len() && want.iter().zip(&have).all(|(w, h)| *w == "*" || w == h)
    };
    let extra = named(type_name);
    let (listed, read_only, all_props): (Cow<'_, [String]>, &[String], Option<&[String]>) =
        if let Some(schema) = crate::schema::get(type_name) {
            (Cow::Borrowed(schema.attributes()), &schema.read_only[..], None)
        } else if let Some(info) = crate::schema::info(type_name) {
            let mut listed: Vec<String> =
                info.read_only.iter().filter_map(|p| crate::schema::pointer_to_attribute(p)).collect();
            listed.extend(extra.iter().cloned());
            let all = all_properties(type_name).then_some(&info.properties[..]);
            (Cow::Owned(listed), &info.read_only[..], all)
        } else {
            return Verdict::Unknown;
        };
    let outputs =
        type_name == "AWS::ServiceCatalog::CloudFormationProvisionedProduct" && attr.starts_with("Outputs.");
    if outputs
        || listed.iter().any(|a| a == attr)
        || read_only.iter().any(|p| matches(p))
        || all_props.is_some_and(|props| props.iter().any(|p| attr.split('.').next() == Some(p.as_str())))
    {
        return Verdict::Allowed;
    }
    let mut shown: Vec<String> = listed.iter().filter(|a| !a.contains('.')).cloned().collect();
    shown.extend(all_props.into_iter().flatten().cloned());
    shown.sort();
    shown.dedup();
    Verdict::Missing(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_outside_the_vendored_set_are_checked_through_the_index() {
        assert_eq!(check("AWS::SQS::Queue", "Arn"), Verdict::Allowed);
        // SQS queues are an older type: every property is an attribute.
        assert_eq!(check("AWS::SQS::Queue", "QueueName"), Verdict::Allowed);
        assert_eq!(check("AWS::DynamoDB::Table", "StreamArn"), Verdict::Allowed);
        assert!(matches!(check("AWS::DynamoDB::Table", "TableName"), Verdict::Missing(_)));
        assert_eq!(check("AWS::SageMaker::Endpoint", "EndpointName"), Verdict::Allowed);
        assert_eq!(
            check("AWS::ServiceCatalog::CloudFormationProvisionedProduct", "Outputs.Url"),
            Verdict::Allowed
        );
        let Verdict::Missing(has) = check("AWS::Lambda::Function", "Arnn") else { panic!() };
        assert!(has.contains(&"Arn".to_string()), "{has:?}");
        assert_eq!(check("MongoDB::Atlas::Cluster", "Id"), Verdict::Unknown);
    }

    #[test]
    fn legacy_types_expose_their_properties() {
        let vpc = crate::schema::get("AWS::EC2::VPC").unwrap().attributes();
        assert!(vpc.contains(&"CidrBlock".to_string()));
        assert!(vpc.contains(&"DefaultSecurityGroup".to_string()));
        let topic = crate::schema::get("AWS::SNS::Topic").unwrap().attributes();
        assert!(topic.contains(&"TopicName".to_string()));
        assert!(
            !crate::schema::get("AWS::S3::Bucket").unwrap().attributes().contains(&"BucketName".to_string())
        );
        assert!(
            crate::schema::get("AWS::CloudWatch::InsightRule")
                .unwrap()
                .attributes()
                .contains(&"RuleName".to_string())
        );
    }
}
