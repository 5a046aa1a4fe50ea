//! `Value<T>`: a property value that is either a literal `T` or an intrinsic function.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use super::intrinsic::{Intrinsic, Pseudo};

/// A CloudFormation property value: a literal of the type the schema names, or an intrinsic
/// function that resolves to one at deploy time.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<T> {
    Literal(T),
    Intrinsic(Box<Intrinsic>),
}

impl<T> Value<T> {
    pub fn intrinsic(f: Intrinsic) -> Self {
        Value::Intrinsic(Box::new(f))
    }

    /// `Fn::Sub` of `text`.
    pub fn sub(text: impl Into<String>) -> Self {
        Value::intrinsic(Intrinsic::sub(text))
    }

    /// `Ref` to a parameter or resource by name.
    pub fn reference(name: impl Into<String>) -> Self {
        Value::intrinsic(Intrinsic::Ref(name.into()))
    }

    /// `Ref AWS::NoValue`.
    pub fn no_value() -> Self {
        Pseudo::NoValue.to_value()
    }

    pub fn as_literal(&self) -> Option<&T> {
        match self {
            Value::Literal(t) => Some(t),
            Value::Intrinsic(_) => None,
        }
    }

    pub fn as_intrinsic(&self) -> Option<&Intrinsic> {
        match self {
            Value::Intrinsic(f) => Some(f),
            Value::Literal(_) => None,
        }
    }

    /// Reinterprets an intrinsic as a value of another type (a `GetAtt` result used where a
    /// list is expected, for example). Literals convert through `From`.
    pub fn cast<U: From<T>>(self) -> Value<U> {
        match self {
            Value::Literal(t) => Value::Literal(U::from(t)),
            Value::Intrinsic(f) => Value::Intrinsic(f),
        }
    }
}

impl<T> From<T> for Value<T> {
    fn from(t: T) -> Self {
        Value::Literal(t)
    }
}

impl From<&str> for Value<String> {
    fn from(s: &str) -> Self {
        Value::Literal(s.to_string())
    }
}

impl From<&String> for Value<String> {
    fn from(s: &String) -> Self {
        Value::Literal(s.clone())
    }
}

impl From<i32> for Value<i64> {
    fn from(n: i32) -> Self {
        Value::Literal(n.into())
    }
}

impl From<u32> for Value<i64> {
    fn from(n: u32) -> Self {
        Value::Literal(n.into())
    }
}

impl From<i32> for Value<f64> {
    fn from(n: i32) -> Self {
        Value::Literal(n.into())
    }
}

/// A list of literals as a list value: `.subnet_ids(vec![a.r#ref(), b.r#ref()])` and
/// `.tags(vec![tag])` both work.
impl<T> From<Vec<T>> for Value<Vec<Value<T>>> {
    fn from(items: Vec<T>) -> Self {
        Value::Literal(items.into_iter().map(Value::Literal).collect())
    }
}

/// An array of literals as a list value: `.tags([Tag::new("Name", "vpc")])`.
impl<T, const N: usize> From<[T; N]> for Value<Vec<Value<T>>> {
    fn from(items: [T; N]) -> Self {
        Value::Literal(items.into_iter().map(Value::Literal).collect())
    }
}

/// An array of values as a list value: `.alarm_actions([topic.r#ref(), action])`.
impl<T, const N: usize> From<[Value<T>; N]> for Value<Vec<Value<T>>> {
    fn from(items: [Value<T>; N]) -> Self {
        Value::Literal(items.into())
    }
}

/// String slices as a list of strings: `.actions(["s3:GetObject"])`.
impl<const N: usize> From<[&str; N]> for Value<Vec<Value<String>>> {
    fn from(items: [&str; N]) -> Self {
        Value::Literal(items.into_iter().map(Value::from).collect())
    }
}

impl From<Vec<&str>> for Value<Vec<Value<String>>> {
    fn from(items: Vec<&str>) -> Self {
        Value::Literal(items.into_iter().map(Value::from).collect())
    }
}

/// JSON (a policy document written with `serde_json::json!`) as a free-form value; intrinsics
/// in it (`{"Ref": ..}`) are recognized.
impl From<Json> for Value<super::intrinsic::Expr> {
    fn from(json: Json) -> Self {
        Value::Literal(super::intrinsic::Expr::from_json(&json))
    }
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Literal(t) => t.serialize(s),
            Value::Intrinsic(f) => f.serialize(s),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Json::deserialize(d)?;
        if let Some(f) = Intrinsic::from_json(&v).map_err(serde::de::Error::custom)? {
            return Ok(Value::Intrinsic(Box::new(f)));
        }
        serde_json::from_value(v).map(Value::Literal).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literal_and_intrinsic_serialize_as_cloudformation_json() {
        let lit: Value<i64> = 7.into();
        let f: Value<i64> = Value::reference("Param");
        assert_eq!(serde_json::to_value(&lit).unwrap(), json!(7));
        assert_eq!(serde_json::to_value(&f).unwrap(), json!({"Ref": "Param"}));
    }

    #[test]
    fn deserializes_both_forms() {
        let v: Value<i64> = serde_json::from_value(json!({"Ref": "P"})).unwrap();
        assert_eq!(v, Value::reference("P"));
        let v: Value<i64> = serde_json::from_value(json!(3)).unwrap();
        assert_eq!(v, Value::Literal(3));
        assert!(serde_json::from_value::<Value<i64>>(json!("three")).is_err());
    }
}
