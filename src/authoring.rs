//! Helpers for writing stacks: IAM policy documents as typed structs, `Fn::Sub`
//! strings, JSON bodies serialized from typed structs, and checkov skip metadata.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Expr, Handle, Intrinsic, Resource, Value};
use crate::resources::{Attribute, ResourceType};

/// `Effect` of a policy statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A statement's principal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Principal {
    /// `{"AWS": ...}` (account roots, roles).
    #[serde(rename = "AWS")]
    Aws(Value<String>),
    /// `{"Service": ...}`.
    Service(Value<String>),
    /// `"*"`.
    #[serde(untagged)]
    Any(&'static str),
}

/// One IAM policy statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: String,
    pub effect: Effect,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    pub action: Vec<&'static str>,
    pub resource: Vec<Value<String>>,
    /// Operator -> key -> value(s).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<&'static str, BTreeMap<String, Expr>>,
}

impl Statement {
    pub fn allow(sid: &str, actions: &[&'static str], resources: Vec<Value<String>>) -> Self {
        Statement {
            sid: sid.to_string(),
            effect: Effect::Allow,
            principal: None,
            action: actions.to_vec(),
            resource: resources,
            condition: BTreeMap::new(),
        }
    }

    pub fn deny(sid: &str, actions: &[&'static str], resources: Vec<Value<String>>) -> Self {
        Statement { effect: Effect::Deny, ..Statement::allow(sid, actions, resources) }
    }

    pub fn principal(mut self, p: Principal) -> Self {
        self.principal = Some(p);
        self
    }

    /// Adds `operator: {key: value}` to the condition block.
    pub fn condition(mut self, operator: &'static str, key: &str, value: impl Into<Expr>) -> Self {
        self.condition.entry(operator).or_default().insert(key.to_string(), value.into());
        self
    }
}

/// An IAM policy document (version 2012-10-17).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new(statement: Vec<Statement>) -> Self {
        PolicyDocument { version: "2012-10-17", statement }
    }

    /// The document as a property value.
    pub fn value(&self) -> Value<Expr> {
        Value::Literal(Expr::from(Value::Literal(self)))
    }
}

/// `Fn::Sub` of `text` as a string value.
pub fn sub(text: impl Into<String>) -> Value<String> {
    Value::sub(text)
}

/// `${Id}` of a resource, for `Fn::Sub` strings (what `Ref` returns).
pub fn var<R: ResourceType>(h: &Handle<R>) -> String {
    format!("${{{}}}", h.id())
}

/// `${Id.Attr}` of a resource, for `Fn::Sub` strings.
pub fn var_att<R: ResourceType>(h: &Handle<R>, attr: R::Attr) -> String {
    format!("${{{}.{}}}", h.id(), attr.name())
}

/// `arn:${AWS::Partition}:<rest>` with `Fn::Sub`.
pub fn arn(rest: impl AsRef<str>) -> Value<String> {
    sub(format!("arn:${{AWS::Partition}}:{}", rest.as_ref()))
}

/// The account root principal.
pub fn account_root() -> Principal {
    Principal::Aws(arn("iam::${AWS::AccountId}:root"))
}

/// A service principal.
pub fn service(name: &str) -> Principal {
    Principal::Service(Value::Literal(name.to_string()))
}

/// `${AWS::...}` and `${Resource}` placeholders are kept; any other `${` a literal part
/// contains would be read by `Fn::Sub`, so literal parts go through this first.
pub fn sub_escape(literal: &str) -> String {
    literal.replace("${", "${!")
}

/// Serializes a typed body (dashboard, Contributor Insights rule) to compact JSON. When it
/// holds `${...}` placeholders (written on purpose by the caller) the result is an `Fn::Sub`,
/// otherwise a plain string.
pub fn json_body<T: Serialize>(body: &T) -> Value<String> {
    let text = serde_json::to_string(body).expect("typed bodies serialize to JSON");
    if text.contains("${") { Value::sub(text) } else { Value::Literal(text) }
}

/// A justified checkov skip: `Metadata.checkov.skip[] = {id, comment}` on the resource.
pub fn checkov_skip(resource: &mut Resource, skips: &[(&str, &str)]) {
    let list: Vec<Expr> = skips
        .iter()
        .map(|(id, comment)| Expr::map([("id", Expr::from(*id)), ("comment", Expr::from(*comment))]))
        .collect();
    let mut meta = match resource.metadata.take() {
        Some(Expr::Map(m)) => m,
        _ => Default::default(),
    };
    meta.insert("checkov".to_string(), Expr::map([("skip", Expr::List(list))]));
    resource.metadata = Some(Expr::Map(meta));
}

/// `Fn::GetAZs ""` element `i`.
pub fn az(i: i64) -> Value<String> {
    Intrinsic::Select(Expr::from(i), Intrinsic::GetAZs(Expr::from("")).into()).value()
}

/// A list value of string values.
pub fn list(items: Vec<Value<String>>) -> Value<Vec<Value<String>>> {
    Value::Literal(items)
}

/// An S3 `PublicAccessBlockConfiguration` with all four blocks on: no public ACLs or policies
/// are accepted or honoured.
#[cfg(any(feature = "platform", feature = "s3"))]
pub fn block_public_access() -> crate::resources::s3::bucket::PublicAccessBlockConfiguration {
    crate::resources::s3::bucket::PublicAccessBlockConfiguration::builder()
        .block_public_acls(true)
        .block_public_policy(true)
        .ignore_public_acls(true)
        .restrict_public_buckets(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_documents_serialize_with_intrinsics() {
        let doc = PolicyDocument::new(vec![
            Statement::allow("Read", &["logs:FilterLogEvents"], vec![arn("logs:${AWS::Region}:x")])
                .principal(service("lambda.amazonaws.com"))
                .condition("StringEquals", "aws:SourceAccount", Intrinsic::Ref("AWS::AccountId".into())),
        ]);
        assert_eq!(
            Expr::from(doc.value()).to_json(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": ["logs:FilterLogEvents"],
                    "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:x"}],
                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
                }]
            })
        );
        let any = Statement::deny("D", &["s3:*"], vec![]).principal(Principal::Any("*"));
        assert_eq!(serde_json::to_value(&any).unwrap()["Principal"], json!("*"));
    }

    #[test]
    fn json_bodies_become_sub_only_with_placeholders() {
        assert_eq!(json_body(&json!({"a": "b"})), Value::Literal(r#"{"a":"b"}"#.to_string()));
        assert_eq!(json_body(&json!({"r": "${AWS::Region}"})), Value::sub(r#"{"r":"${AWS::Region}"}"#));
        assert_eq!(sub_escape("a${b}"), "a${!b}");
    }
}
