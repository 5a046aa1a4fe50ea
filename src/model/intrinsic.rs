//! CloudFormation intrinsic functions and pseudo parameters as typed Rust.
//!
//! [`Expr`] is a JSON-like tree that may hold intrinsics anywhere (policy documents, dashboard
//! bodies, `Fn::Join` lists). [`Intrinsic`] is one function call. Both serialize to exactly the
//! JSON CloudFormation expects (`{"Fn::GetAtt": ["Bucket", "Arn"]}`), and both parse back from it.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value as Json, json};

/// A JSON value in which intrinsic functions may appear at any depth.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Expr>),
    Map(IndexMap<String, Expr>),
    Fn(Box<Intrinsic>),
}

/// One intrinsic function call.
#[derive(Clone, Debug, PartialEq)]
pub enum Intrinsic {
    /// `Ref` to a parameter, resource or pseudo parameter.
    Ref(String),
    /// `Fn::GetAtt` on a resource (`Outputs.X` attributes on nested stacks included).
    GetAtt(String, String),
    /// `Fn::Sub` with optional variables (an empty map serializes to the one-string form).
    Sub(String, IndexMap<String, Expr>),
    Join(String, Vec<Expr>),
    Select(Expr, Expr),
    Split(String, Expr),
    /// `Fn::If` [condition name, value if true, value if false].
    If(String, Expr, Expr),
    Equals(Expr, Expr),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Expr),
    /// `{"Condition": "Name"}` inside condition expressions.
    Condition(String),
    ImportValue(Expr),
    GetAZs(Expr),
    Base64(Expr),
    FindInMap(Expr, Expr, Expr),
    Cidr(Expr, Expr, Expr),
}

/// The pseudo parameters CloudFormation defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pseudo {
    AccountId,
    NotificationArns,
    NoValue,
    Partition,
    Region,
    StackId,
    StackName,
    UrlSuffix,
}

impl Pseudo {
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    /// The name used in `Ref` and `${}`: `AWS::Region`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }

    /// `{"Ref": "AWS::Region"}` as a typed value.
    pub fn to_value<T>(self) -> crate::model::Value<T> {
        crate::model::Value::Intrinsic(Box::new(Intrinsic::Ref(self.name().to_string())))
    }
}

/// Every function name that marks a single-key object as an intrinsic.
pub const FUNCTION_NAMES: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Condition",
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::FindInMap",
    "Fn::Cidr",
];

/// Why a JSON object that looks like an intrinsic is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {function}: {reason}")]
pub struct IntrinsicError {
    pub function: String,
    pub reason: String,
}

fn bad(function: &str, reason: impl Into<String>) -> IntrinsicError {
    IntrinsicError { function: function.to_string(), reason: reason.into() }
}

impl Intrinsic {
    /// `Fn::Sub` without variables.
    pub fn sub(text: impl Into<String>) -> Self {
        Intrinsic::Sub(text.into(), IndexMap::new())
    }

    pub fn join(sep: impl Into<String>, parts: impl IntoIterator<Item = Expr>) -> Self {
        Intrinsic::Join(sep.into(), parts.into_iter().collect())
    }

    pub fn get_att(resource: impl Into<String>, attribute: impl Into<String>) -> Self {
        Intrinsic::GetAtt(resource.into(), attribute.into())
    }

    pub fn reference(name: impl Into<String>) -> Self {
        Intrinsic::Ref(name.into())
    }

    /// This call as a typed property value.
    pub fn value<T>(self) -> crate::model::Value<T> {
        crate::model::Value::Intrinsic(Box::new(self))
    }

    /// The CloudFormation function name (`Fn::Sub`, `Ref`, ...).
    pub fn function_name(&self) -> &'static str {
        match self {
            Intrinsic::Ref(_) => "Ref",
            Intrinsic::GetAtt(..) => "Fn::GetAtt",
            Intrinsic::Sub(..) => "Fn::Sub",
            Intrinsic::Join(..) => "Fn::Join",
            Intrinsic::Select(..) => "Fn::Select",
            Intrinsic::Split(..) => "Fn::Split",
            Intrinsic::If(..) => "Fn::If",
            Intrinsic::Equals(..) => "Fn::Equals",
            Intrinsic::And(_) => "Fn::And",
            Intrinsic::Or(_) => "Fn::Or",
            Intrinsic::Not(_) => "Fn::Not",
            Intrinsic::Condition(_) => "Condition",
            Intrinsic::ImportValue(_) => "Fn::ImportValue",
            Intrinsic::GetAZs(_) => "Fn::GetAZs",
            Intrinsic::Base64(_) => "Fn::Base64",
            Intrinsic::FindInMap(..) => "Fn::FindInMap",
            Intrinsic::Cidr(..) => "Fn::Cidr",
        }
    }

    /// The CloudFormation JSON for this call.
    pub fn to_json(&self) -> Json {
        let args = match self {
            Intrinsic::Ref(n) | Intrinsic::Condition(n) => Json::String(n.clone()),
            Intrinsic::GetAtt(r, a) => json!([r, a]),
            Intrinsic::Sub(s, vars) if vars.is_empty() => Json::String(s.clone()),
            Intrinsic::Sub(s, vars) => json!([s, map_json(vars)]),
            Intrinsic::Join(sep, parts) => json!([sep, list_json(parts)]),
            Intrinsic::Select(i, l) => json!([i.to_json(), l.to_json()]),
            Intrinsic::Split(sep, s) => json!([sep, s.to_json()]),
            Intrinsic::If(c, t, f) => json!([c, t.to_json(), f.to_json()]),
            Intrinsic::Equals(a, b) => json!([a.to_json(), b.to_json()]),
            Intrinsic::And(l) | Intrinsic::Or(l) => list_json(l),
            Intrinsic::Not(e) => json!([e.to_json()]),
            Intrinsic::ImportValue(e) | Intrinsic::GetAZs(e) | Intrinsic::Base64(e) => e.to_json(),
            Intrinsic::FindInMap(a, b, c) | Intrinsic::Cidr(a, b, c) => {
                json!([a.to_json(), b.to_json(), c.to_json()])
            }
        };
        let mut m = Map::new();
        m.insert(self.function_name().to_string(), args);
        Json::Object(m)
    }

    /// Recognizes an intrinsic in CloudFormation JSON: `Ok(None)` when `value` is not a
    /// single-key object naming a function, `Err` when it names one with malformed arguments.
    pub fn from_json(value: &Json) -> Result<Option<Intrinsic>, IntrinsicError> {
        let Some(obj) = value.as_object() else { return Ok(None) };
        if obj.len() != 1 {
            return Ok(None);
        }
        let (name, args) = obj.iter().next().expect("one entry");
        if !FUNCTION_NAMES.contains(&name.as_str()) {
            return Ok(None);
        }
        let f = name.as_str();
        let string = |v: &Json| v.as_str().map(str::to_string).ok_or_else(|| bad(f, "expected a string"));
        let list = |n: usize| -> Result<&Vec<Json>, IntrinsicError> {
            match args.as_array() {
                Some(l) if l.len() == n => Ok(l),
                _ => Err(bad(f, format!("expected a list of {n} elements"))),
            }
        };
        let e = Expr::from_json;
        Ok(Some(match f {
            "Ref" => Intrinsic::Ref(string(args)?),
            "Condition" => Intrinsic::Condition(string(args)?),
            "Fn::GetAtt" => match args {
                Json::String(s) => match s.split_once('.') {
                    Some((r, a)) => Intrinsic::GetAtt(r.to_string(), a.to_string()),
                    None => return Err(bad(f, "expected `Resource.Attribute`")),
                },
                Json::Array(l) if l.len() == 2 => Intrinsic::GetAtt(string(&l[0])?, string(&l[1])?),
                _ => return Err(bad(f, "expected [resource, attribute] or `Resource.Attribute`")),
            },
            "Fn::Sub" => match args {
                Json::String(s) => Intrinsic::Sub(s.clone(), IndexMap::new()),
                Json::Array(l) if l.len() == 2 => {
                    let vars = l[1].as_object().ok_or_else(|| bad(f, "variables must be a map"))?;
                    Intrinsic::Sub(string(&l[0])?, vars.iter().map(|(k, v)| (k.clone(), e(v))).collect())
                }
                _ => return Err(bad(f, "expected a string or [string, variables]")),
            },
            "Fn::Join" => {
                let l = list(2)?;
                let parts = match &l[1] {
                    Json::Array(p) => p.iter().map(e).collect(),
                    other => vec![e(other)],
                };
                Intrinsic::Join(string(&l[0])?, parts)
            }
            "Fn::Select" => {
                let l = list(2)?;
                Intrinsic::Select(e(&l[0]), e(&l[1]))
            }
            "Fn::Split" => {
                let l = list(2)?;
                Intrinsic::Split(string(&l[0])?, e(&l[1]))
            }
            "Fn::If" => {
                let l = list(3)?;
                Intrinsic::If(string(&l[0])?, e(&l[1]), e(&l[2]))
            }
            "Fn::Equals" => {
                let l = list(2)?;
                Intrinsic::Equals(e(&l[0]), e(&l[1]))
            }
            "Fn::And" | "Fn::Or" => {
                let l = args.as_array().ok_or_else(|| bad(f, "expected a list of conditions"))?;
                if !(2..=10).contains(&l.len()) {
                    return Err(bad(f, "takes 2 to 10 conditions"));
                }
                let l = l.iter().map(e).collect();
                if f == "Fn::And" { Intrinsic::And(l) } else { Intrinsic::Or(l) }
            }
            "Fn::Not" => Intrinsic::Not(e(&list(1)?[0])),
            "Fn::ImportValue" => Intrinsic::ImportValue(e(args)),
            "Fn::GetAZs" => Intrinsic::GetAZs(e(args)),
            "Fn::Base64" => Intrinsic::Base64(e(args)),
            "Fn::FindInMap" => {
                let l = list(3)?;
                Intrinsic::FindInMap(e(&l[0]), e(&l[1]), e(&l[2]))
            }
            "Fn::Cidr" => {
                let l = list(3)?;
                Intrinsic::Cidr(e(&l[0]), e(&l[1]), e(&l[2]))
            }
            _ => unreachable!("listed in FUNCTION_NAMES"),
        }))
    }
}

fn list_json(l: &[Expr]) -> Json {
    Json::Array(l.iter().map(Expr::to_json).collect())
}

fn map_json(m: &IndexMap<String, Expr>) -> Json {
    Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
}

impl Expr {
    /// The CloudFormation JSON for this tree.
    pub fn to_json(&self) -> Json {
        match self {
            Expr::Null => Json::Null,
            Expr::Bool(b) => Json::Bool(*b),
            Expr::Number(n) => Json::Number(n.clone()),
            Expr::String(s) => Json::String(s.clone()),
            Expr::List(l) => list_json(l),
            Expr::Map(m) => map_json(m),
            Expr::Fn(f) => f.to_json(),
        }
    }

    /// Reads CloudFormation JSON; a malformed intrinsic stays a plain map so that the
    /// validator, not the reader, reports it.
    pub fn from_json(value: &Json) -> Expr {
        if let Ok(Some(f)) = Intrinsic::from_json(value) {
            return Expr::Fn(Box::new(f));
        }
        match value {
            Json::Null => Expr::Null,
            Json::Bool(b) => Expr::Bool(*b),
            Json::Number(n) => Expr::Number(n.clone()),
            Json::String(s) => Expr::String(s.clone()),
            Json::Array(l) => Expr::List(l.iter().map(Expr::from_json).collect()),
            Json::Object(m) => Expr::Map(m.iter().map(|(k, v)| (k.clone(), Expr::from_json(v))).collect()),
        }
    }

    /// Builds a map from pairs; handy for policy documents.
    pub fn map<K: Into<String>, V: Into<Expr>>(pairs: impl IntoIterator<Item = (K, V)>) -> Expr {
        Expr::Map(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    pub fn list<V: Into<Expr>>(items: impl IntoIterator<Item = V>) -> Expr {
        Expr::List(items.into_iter().map(Into::into).collect())
    }
}

impl From<Intrinsic> for Expr {
    fn from(f: Intrinsic) -> Self {
        Expr::Fn(Box::new(f))
    }
}
impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::String(s.to_string())
    }
}
impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::String(s)
    }
}
impl From<&String> for Expr {
    fn from(s: &String) -> Self {
        Expr::String(s.clone())
    }
}
impl From<bool> for Expr {
    fn from(b: bool) -> Self {
        Expr::Bool(b)
    }
}
impl From<i64> for Expr {
    fn from(n: i64) -> Self {
        Expr::Number(n.into())
    }
}
impl From<u32> for Expr {
    fn from(n: u32) -> Self {
        Expr::Number(n.into())
    }
}
impl From<f64> for Expr {
    fn from(n: f64) -> Self {
        serde_json::Number::from_f64(n).map_or(Expr::Null, Expr::Number)
    }
}
impl From<Pseudo> for Expr {
    fn from(p: Pseudo) -> Self {
        Intrinsic::Ref(p.name().to_string()).into()
    }
}
impl<T: Into<Expr>> From<Vec<T>> for Expr {
    fn from(v: Vec<T>) -> Self {
        Expr::list(v)
    }
}
impl From<Json> for Expr {
    fn from(v: Json) -> Self {
        Expr::from_json(&v)
    }
}
impl<T: Serialize> From<crate::model::Value<T>> for Expr {
    fn from(v: crate::model::Value<T>) -> Self {
        match v {
            crate::model::Value::Intrinsic(f) => Expr::Fn(f),
            crate::model::Value::Literal(t) => {
                Expr::from_json(&serde_json::to_value(t).expect("literal values serialize to JSON"))
            }
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Expr::from_json(&Json::deserialize(d)?))
    }
}

impl Serialize for Intrinsic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Intrinsic {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Json::deserialize(d)?;
        Intrinsic::from_json(&v)
            .map_err(serde::de::Error::custom)?
            .ok_or_else(|| serde::de::Error::custom("expected an intrinsic function"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_round_trips() {
        let cases = [
            json!({"Ref": "Bucket"}),
            json!({"Fn::GetAtt": ["Bucket", "Arn"]}),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::x"}),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "P"}}]}),
            json!({"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]}),
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
            json!({"Fn::Split": [",", "a,b"]}),
            json!({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}),
            json!({"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
            json!({"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
            json!({"Fn::Or": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "B"}]}]}),
            json!({"Fn::ImportValue": "x"}),
            json!({"Fn::Base64": "x"}),
            json!({"Fn::FindInMap": ["M", "k", "v"]}),
            json!({"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        ];
        for case in cases {
            let f = Intrinsic::from_json(&case).unwrap().unwrap();
            assert_eq!(f.to_json(), case);
        }
    }

    #[test]
    fn getatt_dotted_form_normalizes() {
        let f = Intrinsic::from_json(&json!({"Fn::GetAtt": "Stack.Outputs.X"})).unwrap().unwrap();
        assert_eq!(f, Intrinsic::GetAtt("Stack".into(), "Outputs.X".into()));
    }

    #[test]
    fn malformed_intrinsics_are_errors_and_plain_maps_are_not_intrinsics() {
        assert!(Intrinsic::from_json(&json!({"Fn::If": ["only-two", 1]})).is_err());
        assert!(Intrinsic::from_json(&json!({"Fn::And": [{"Condition": "A"}]})).is_err());
        assert_eq!(Intrinsic::from_json(&json!({"Key": "Ref"})).unwrap(), None);
        assert_eq!(Intrinsic::from_json(&json!({"Ref": "A", "Other": 1})).unwrap(), None);
    }
}
