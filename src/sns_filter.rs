//! A small evaluator of Amazon SNS subscription filter policies with
//! `FilterPolicyScope: MessageBody` (payload-based filtering), following the SNS developer
//! guide ("Amazon SNS message filtering"): used to prove that the platform's policies match the
//! notifications CloudWatch really sends (PLATFORM.md, correction 4).
//!
//! Semantics implemented:
//! - every key of a policy object must match (AND); `$or` takes a list of policy objects, one
//!   of which must match; a nested object matches the nested object of the message;
//! - a key's list of conditions matches when any condition matches (OR); when the message value
//!   is an array, any element may match;
//! - conditions: exact string / number / boolean / null, `prefix`, `suffix`,
//!   `equals-ignore-case`, `anything-but` (a value, a list, or `{"prefix"}`/`{"suffix"}`),
//!   `numeric` (`=`, `<`, `<=`, `>`, `>=` pairs) and `exists`;
//! - a missing key matches only `{"exists": false}`; `anything-but` needs the key present.
//!
//! Any other operator is an error, so an unsupported policy cannot pass a test by accident.

use serde_json::{Map, Value as Json};

/// Why a policy cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter policy at `{path}`: {reason}")]
pub struct FilterError {
    pub path: String,
    pub reason: String,
}

fn err(path: &str, reason: impl Into<String>) -> FilterError {
    FilterError { path: path.to_string(), reason: reason.into() }
}

/// SNS limit on the combinations of a policy (product of the condition counts).
pub const MAX_COMBINATIONS: usize = 150;

/// True when `message` (the parsed message body) passes `policy`.
pub fn matches(policy: &Json, message: &Json) -> Result<bool, FilterError> {
    let policy = policy.as_object().ok_or_else(|| err("", "a policy is a JSON object"))?;
    match_object(policy, Some(message), "")
}

fn match_object(policy: &Map<String, Json>, message: Option<&Json>, path: &str) -> Result<bool, FilterError> {
    let mut all = true;
    for (key, cond) in policy {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let ok = if key == "$or" {
            let alts = cond.as_array().ok_or_else(|| err(&here, "$or takes a list of policy objects"))?;
            if alts.len() < 2 {
                return Err(err(&here, "$or needs at least two alternatives"));
            }
            let mut any = false;
            for (i, alt) in alts.iter().enumerate() {
                let alt =
                    alt.as_object().ok_or_else(|| err(&format!("{here}[{i}]"), "expected an object"))?;
                any |= match_object(alt, message, path)?;
            }
            any
        } else {
            let value = message.and_then(|m| m.as_object()).and_then(|m| m.get(key));
            match cond {
                Json::Object(nested) => match value {
                    Some(v @ Json::Object(_)) => match_object(nested, Some(v), &here)?,
                    // A nested policy against a missing or scalar value: only exists:false
                    // conditions below could match, and they need the parent absent.
                    _ => match_object(nested, None, &here)?,
                },
                Json::Array(conds) => match_conditions(conds, value, &here)?,
                _ => return Err(err(&here, "expected a list of conditions or a nested object")),
            }
        };
        all &= ok;
    }
    Ok(all)
}

fn match_conditions(conds: &[Json], value: Option<&Json>, path: &str) -> Result<bool, FilterError> {
    if conds.is_empty() {
        return Err(err(path, "an empty condition list matches nothing"));
    }
    let mut any = false;
    for c in conds {
        any |= match_condition(c, value, path)?;
    }
    Ok(any)
}

/// The values a condition is tested against: each element of an array, or the value itself.
fn candidates(value: &Json) -> Vec<&Json> {
    match value {
        Json::Array(items) => items.iter().collect(),
        v => vec![v],
    }
}

fn match_condition(cond: &Json, value: Option<&Json>, path: &str) -> Result<bool, FilterError> {
    let Json::Object(op) = cond else {
        // Exact match of a string, number, boolean or null.
        return Ok(value.is_some_and(|v| candidates(v).iter().any(|c| exact(cond, c))));
    };
    if op.len() != 1 {
        return Err(err(path, "a condition object has exactly one operator"));
    }
    let (name, arg) = op.iter().next().expect("one entry");
    if name == "exists" {
        let want = arg.as_bool().ok_or_else(|| err(path, "exists takes true or false"))?;
        return Ok(value.is_some() == want);
    }
    let Some(value) = value else { return Ok(false) };
    let values = candidates(value);
    Ok(match name.as_str() {
        "prefix" => {
            let p = string_arg(arg, path, "prefix")?;
            values.iter().any(|v| v.as_str().is_some_and(|s| s.starts_with(p)))
        }
        "suffix" => {
            let p = string_arg(arg, path, "suffix")?;
            values.iter().any(|v| v.as_str().is_some_and(|s| s.ends_with(p)))
        }
        "equals-ignore-case" => {
            let p = string_arg(arg, path, "equals-ignore-case")?;
            values.iter().any(|v| v.as_str().is_some_and(|s| s.to_lowercase() == p.to_lowercase()))
        }
        "anything-but" => {
            let excluded = |v: &Json| -> Result<bool, FilterError> {
                Ok(match arg {
                    Json::Array(list) => list.iter().any(|x| exact(x, v)),
                    Json::Object(inner) if inner.len() == 1 => {
                        let (k, a) = inner.iter().next().expect("one entry");
                        let s = v.as_str();
                        match k.as_str() {
                            "prefix" => {
                                let p = string_arg(a, path, "prefix")?;
                                s.is_some_and(|s| s.starts_with(p))
                            }
                            "suffix" => {
                                let p = string_arg(a, path, "suffix")?;
                                s.is_some_and(|s| s.ends_with(p))
                            }
                            other => return Err(err(path, format!("anything-but does not take `{other}`"))),
                        }
                    }
                    Json::Object(_) => return Err(err(path, "anything-but takes one operator")),
                    scalar => exact(scalar, v),
                })
            };
            let mut any = false;
            for v in &values {
                any |= !excluded(v)?;
            }
            any
        }
        "numeric" => {
            let spec = arg.as_array().ok_or_else(|| err(path, "numeric takes [op, n, ...]"))?;
            if spec.is_empty() || spec.len() % 2 != 0 || spec.len() > 4 {
                return Err(err(path, "numeric takes one or two (operator, number) pairs"));
            }
            let mut pairs = Vec::new();
            for pair in spec.chunks(2) {
                let op = pair[0].as_str().ok_or_else(|| err(path, "numeric operators are strings"))?;
                let n = pair[1].as_f64().ok_or_else(|| err(path, "numeric bounds are numbers"))?;
                if !matches!(op, "=" | "<" | "<=" | ">" | ">=") {
                    return Err(err(path, format!("unknown numeric operator `{op}`")));
                }
                pairs.push((op, n));
            }
            values.iter().any(|v| {
                v.as_f64().is_some_and(|x| {
                    pairs.iter().all(|(op, n)| match *op {
                        "=" => x == *n,
                        "<" => x < *n,
                        "<=" => x <= *n,
                        ">" => x > *n,
                        _ => x >= *n,
                    })
                })
            })
        }
        other => return Err(err(path, format!("operator `{other}` is not supported by this evaluator"))),
    })
}

fn string_arg<'a>(arg: &'a Json, path: &str, op: &str) -> Result<&'a str, FilterError> {
    arg.as_str().ok_or_else(|| err(path, format!("{op} takes a string")))
}

fn exact(cond: &Json, v: &Json) -> bool {
    match (cond, v) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// Number of value combinations of a policy (SNS rejects more than [`MAX_COMBINATIONS`]).
pub fn combinations(policy: &Json) -> usize {
    match policy {
        Json::Object(m) => m
            .iter()
            .map(|(k, v)| match (k.as_str(), v) {
                ("$or", Json::Array(alts)) => alts.iter().map(combinations).sum(),
                (_, Json::Array(conds)) => conds.len().max(1),
                (_, nested @ Json::Object(_)) => combinations(nested),
                _ => 1,
            })
            .product(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(policy: Json, message: Json) -> bool {
        matches(&policy, &message).unwrap()
    }

    #[test]
    fn exact_prefix_suffix_and_case() {
        let msg = json!({"AlarmName": "alarm-payment-errors-dev", "NewStateValue": "ALARM", "Period": 300});
        assert!(m(json!({"NewStateValue": ["OK", "ALARM"]}), msg.clone()));
        assert!(!m(json!({"NewStateValue": ["OK"]}), msg.clone()));
        assert!(m(json!({"AlarmName": [{"prefix": "alarm-"}]}), msg.clone()));
        assert!(!m(json!({"AlarmName": [{"prefix": "composite-alarm-"}]}), msg.clone()));
        assert!(m(json!({"AlarmName": [{"suffix": "-dev"}]}), msg.clone()));
        assert!(m(json!({"NewStateValue": [{"equals-ignore-case": "alarm"}]}), msg.clone()));
        assert!(m(json!({"Period": [300]}), msg.clone()));
        assert!(!m(json!({"Period": ["300"]}), msg.clone()), "strings do not match numbers");
        // Every key must match.
        assert!(!m(json!({"NewStateValue": ["ALARM"], "AlarmName": [{"prefix": "x"}]}), msg));
    }

    #[test]
    fn anything_but_numeric_exists_and_missing_keys() {
        let msg =
            json!({"NewStateValue": "OK", "Trigger": {"Threshold": 5.0, "Period": 300}, "Tags": ["a", "b"]});
        assert!(m(json!({"NewStateValue": [{"anything-but": "ALARM"}]}), msg.clone()));
        assert!(!m(json!({"NewStateValue": [{"anything-but": ["OK", "ALARM"]}]}), msg.clone()));
        assert!(!m(json!({"NewStateValue": [{"anything-but": {"prefix": "O"}}]}), msg.clone()));
        assert!(!m(json!({"Missing": [{"anything-but": "x"}]}), msg.clone()), "anything-but needs the key");
        assert!(m(json!({"Trigger": {"Threshold": [{"numeric": [">", 4, "<=", 5]}]}}), msg.clone()));
        assert!(!m(json!({"Trigger": {"Period": [{"numeric": ["<", 60]}]}}), msg.clone()));
        assert!(m(json!({"Missing": [{"exists": false}]}), msg.clone()));
        assert!(!m(json!({"Missing": ["x"]}), msg.clone()));
        assert!(m(json!({"Tags": ["b"]}), msg.clone()), "arrays match on any element");
        assert!(m(json!({"$or": [{"NewStateValue": ["ALARM"]}, {"Tags": ["a"]}]}), msg));
    }

    #[test]
    fn unsupported_or_malformed_policies_are_errors() {
        assert!(matches(&json!({"A": [{"cidr": "10.0.0.0/8"}]}), &json!({"A": "10.0.0.1"})).is_err());
        assert!(matches(&json!({"A": "x"}), &json!({"A": "x"})).is_err());
        assert!(matches(&json!({"A": []}), &json!({"A": "x"})).is_err());
        assert!(matches(&json!({"A": [{"numeric": ["~", 1]}]}), &json!({"A": 1})).is_err());
        assert_eq!(combinations(&json!({"A": ["x", "y"], "B": {"C": ["z", "w", "v"]}})), 6);
    }
}
