//! Reads one template file into JSON.
//!
//! Interim reader: JSON through serde_json, YAML (with the short-form intrinsic tags `!Ref`,
//! `!Sub`, `!GetAtt A.B`, ...) through serde_yaml. The validator's `crate::reader` replaces
//! this module when it lands; nothing outside `read_template` depends on how it works.

use std::path::Path;

use serde_json::{Map, Value as Json};

use crate::error::Error;

/// Reads a template file; JSON when it parses as JSON, YAML otherwise.
pub(crate) fn read_template(path: &Path) -> Result<Json, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let is_json =
        path.extension().and_then(|e| e.to_str()) == Some("json") || text.trim_start().starts_with('{');
    if is_json {
        return serde_json::from_str(&text).map_err(|e| {
            Error::input(
                format!("{}:{}:{}: invalid JSON: {e}", path.display(), e.line(), e.column()),
                Some("fix the template's syntax".to_string()),
            )
        });
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        let at = e.location().map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
        Error::input(
            format!("{}{at}: invalid YAML: {e}", path.display()),
            Some("fix the template's syntax".to_string()),
        )
    })?;
    Ok(yaml_to_json(yaml))
}

fn yaml_to_json(v: serde_yaml::Value) -> Json {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
                    .unwrap_or_else(|| Json::String(n.to_string()))
            }
        }
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    other => match yaml_to_json(other) {
                        Json::String(s) => s,
                        j => j.to_string(),
                    },
                };
                out.insert(key, yaml_to_json(v));
            }
            Json::Object(out)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = yaml_to_json(tagged.value);
            let (key, value) = match name {
                "Ref" => ("Ref".to_string(), value),
                "Condition" => ("Condition".to_string(), value),
                "GetAtt" => {
                    let v = match value {
                        Json::String(s) => match s.split_once('.') {
                            Some((r, a)) => Json::Array(vec![Json::String(r.into()), Json::String(a.into())]),
                            None => Json::String(s),
                        },
                        other => other,
                    };
                    ("Fn::GetAtt".to_string(), v)
                }
                other => (format!("Fn::{other}"), value),
            };
            let mut m = Map::new();
            m.insert(key, value);
            Json::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_form_tags_become_intrinsics() {
        let y: serde_yaml::Value = serde_yaml::from_str(
            "a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub '${AWS::StackName}-x'\nd: !If [C, 1, 2]\ne: !Condition C\n",
        )
        .unwrap();
        assert_eq!(
            yaml_to_json(y),
            json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["R", "Arn"]},
                "c": {"Fn::Sub": "${AWS::StackName}-x"},
                "d": {"Fn::If": ["C", 1, 2]},
                "e": {"Condition": "C"}
            })
        );
    }
}
