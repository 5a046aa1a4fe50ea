//! [`Tag`]: the one tag type of every resource.

use serde::{Deserialize, Serialize};

use super::value::Value;

/// A resource tag, `{"Key": .., "Value": ..}`: every generated resource whose schema has a
/// `Tags` list of key/value pairs takes this one type (`.tags([Tag::new("Name", "vpc-dev")])`).
///
/// Tags for a whole stack or app are set once instead ([`StackScope::tag`], [`App::tag`]);
/// a tag a resource sets itself wins over those.
///
/// [`StackScope::tag`]: crate::compile::StackScope::tag
/// [`App::tag`]: crate::compile::App::tag
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// The tag key.
    #[serde(rename = "Key")]
    pub key: Value<String>,
    /// The tag value.
    #[serde(rename = "Value")]
    pub value: Value<String>,
}

impl Tag {
    /// The tag `key` = `value` (key first, as in every tag notation).
    pub fn new(key: impl Into<Value<String>>, value: impl Into<Value<String>>) -> Self {
        Tag { key: key.into(), value: value.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_as_key_and_value() {
        let t = Tag::new("Name", Value::sub("vpc-${AWS::Region}"));
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"Key": "Name", "Value": {"Fn::Sub": "vpc-${AWS::Region}"}})
        );
        assert!(serde_json::from_value::<Tag>(json!({"Key": "a", "Value": "b", "X": 1})).is_err());
    }
}
