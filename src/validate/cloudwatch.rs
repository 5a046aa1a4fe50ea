//! CloudWatch's limits on composite alarms, which CloudFormation only learns from CloudWatch at
//! deploy time (the PutCompositeAlarm API reference):
//! - a composite alarm's rule names at most [`MAX_RULE_ALARMS`] underlying alarms (CFN5022);
//! - `AlarmRule` has at most [`MAX_RULE_LENGTH`] characters (CFN5023; a literal rule is also
//!   checked by the registry schema's `maxLength`, so only rules built with `Fn::Sub` or
//!   `Fn::Join` are measured here, once the names they refer to are resolved);
//! - one alarm is named in the rules of at most [`MAX_COMPOSITES_PER_ALARM`] composite
//!   alarms (CFN5024, counted within the template).
//!
//! Alarm references are the arguments of `ALARM(...)`, `OK(...)` and `INSUFFICIENT_DATA(...)`
//! (quoted or bare names and ARNs) and the list of `AT_LEAST(n, STATE, (...))`. A `${X}` of
//! `Fn::Sub` (or a `Ref X` part of `Fn::Join`) stands for the name of alarm `X` when `X` is a
//! resource of the template with a literal `AlarmName`; otherwise its length is unknown, and
//! the length check uses a lower bound (it reports only rules that are too long whatever the
//! names are).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::Sink;

/// Underlying alarms one composite alarm's rule may name.
pub const MAX_RULE_ALARMS: usize = 100;
/// Characters of `AlarmRule`.
pub const MAX_RULE_LENGTH: usize = 10_240;
/// Composite alarms whose rules may name one alarm.
pub const MAX_COMPOSITES_PER_ALARM: usize = 150;

/// A rule as text with the parts CloudFormation resolves: literal text, or a reference whose
/// value is known (an alarm's literal name) or not.
enum Piece {
    Text(String),
    Known(String),
    Unknown(String),
}

/// Checks the composite alarms of `template`.
pub(crate) fn composite_alarms(template: &Value, sink: &mut Sink) {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return };
    // Logical id -> literal alarm name, for `${X}` / `Ref X`.
    let names: BTreeMap<&str, &str> = resources
        .iter()
        .filter(|(_, r)| {
            matches!(
                r.get("Type").and_then(Value::as_str),
                Some("AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm")
            )
        })
        .filter_map(|(id, r)| r.get("Properties")?.get("AlarmName")?.as_str().map(|n| (id.as_str(), n)))
        .collect();
    // Alarm -> composite alarms naming it.
    let mut named_by: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (id, r) in resources {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::CloudWatch::CompositeAlarm") {
            continue;
        }
        let Some(rule) = r.get("Properties").and_then(|p| p.get("AlarmRule")) else { continue };
        let at = format!("/Resources/{}/Properties/AlarmRule", escape(id));
        let Some(pieces) = pieces(rule, &names) else { continue };
        let text: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Known(t) => t.clone(),
                Piece::Unknown(id) => format!("${{{id}}}"),
            })
            .collect();
        let alarms = references(&text);
        if alarms.len() > MAX_RULE_ALARMS {
            sink.push(
                "CFN5022",
                at.clone(),
                format!(
                    "the rule names {} alarms; CloudWatch accepts at most {MAX_RULE_ALARMS} in one composite alarm: group them into composite alarms of at most {MAX_RULE_ALARMS} and combine those",
                    alarms.len()
                ),
            );
        }
        let literal = rule.is_string();
        let unknown = pieces.iter().filter(|p| matches!(p, Piece::Unknown(_))).count();
        // An unresolved name is at least one character long.
        let length: usize = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Known(t) => t.chars().count(),
                Piece::Unknown(_) => 1,
            })
            .sum();
        if !literal && length > MAX_RULE_LENGTH {
            let bound = if unknown > 0 { "at least " } else { "" };
            sink.push(
                "CFN5023",
                at.clone(),
                format!(
                    "the rule is {bound}{length} characters once resolved; CloudWatch accepts at most {MAX_RULE_LENGTH}: group the alarms into composite alarms and combine those"
                ),
            );
        }
        for a in alarms {
            named_by.entry(a).or_default().insert(id.as_str());
        }
    }
    for (alarm, composites) in named_by {
        if composites.len() > MAX_COMPOSITES_PER_ALARM {
            let first = composites.iter().next().copied().unwrap_or_default();
            sink.push(
                "CFN5024",
                format!("/Resources/{}/Properties/AlarmRule", escape(first)),
                format!(
                    "alarm `{alarm}` is named in the rules of {} composite alarms; CloudWatch allows {MAX_COMPOSITES_PER_ALARM}",
                    composites.len()
                ),
            );
        }
    }
}

/// The rule as pieces, when it is a string, an `Fn::Sub` or an `Fn::Join` of those and
/// references; `None` for anything else (a parameter, `Fn::If`: not measured).
fn pieces(rule: &Value, names: &BTreeMap<&str, &str>) -> Option<Vec<Piece>> {
    let resolve = |id: &str| match names.get(id) {
        Some(n) => Piece::Known((*n).to_string()),
        None => Piece::Unknown(id.to_string()),
    };
    match rule {
        Value::String(s) => Some(vec![Piece::Text(s.clone())]),
        Value::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next()?;
            match (k.as_str(), v) {
                ("Fn::Sub", Value::String(s)) => Some(sub_pieces(s, &BTreeMap::new(), &resolve)),
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let vars: BTreeMap<&str, &Value> =
                        a[1].as_object()?.iter().map(|(k, v)| (k.as_str(), v)).collect();
                    Some(sub_pieces(a[0].as_str()?, &vars, &resolve))
                }
                ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
                    let sep = a[0].as_str()?;
                    let mut out = Vec::new();
                    for (i, part) in a[1].as_array()?.iter().enumerate() {
                        if i > 0 {
                            out.push(Piece::Text(sep.to_string()));
                        }
                        match part {
                            Value::String(s) => out.push(Piece::Text(s.clone())),
                            Value::Object(p) => match p.get("Ref").and_then(Value::as_str) {
                                Some(id) => out.push(resolve(id)),
                                None => out.extend(pieces(part, names)?),
                            },
                            _ => return None,
                        }
                    }
                    Some(out)
                }
                ("Ref", Value::String(id)) => Some(vec![resolve(id)]),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The pieces of an `Fn::Sub` string: `${X}` is the resource's name when known, a variable of
/// the map its literal value (`${!x}`, the literal `${x}`, stays text: one character more).
fn sub_pieces(s: &str, vars: &BTreeMap<&str, &Value>, resolve: &dyn Fn(&str) -> Piece) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end, var) in crate::compile::refs::sub_variables(s) {
        out.push(Piece::Text(s[at..start].to_string()));
        let var = var.trim();
        out.push(match vars.get(var) {
            Some(Value::String(t)) => Piece::Text(t.clone()),
            Some(_) => Piece::Unknown(var.to_string()),
            None if var.contains('.') || var.starts_with("AWS::") => Piece::Unknown(var.to_string()),
            None => resolve(var),
        });
        at = end;
    }
    out.push(Piece::Text(s[at..].to_string()));
    out
}

/// The alarms a rule names (distinct).
fn references(rule: &str) -> BTreeSet<String> {
    static STATE: OnceLock<Regex> = OnceLock::new();
    static AT_LEAST: OnceLock<Regex> = OnceLock::new();
    let state = STATE.get_or_init(|| {
        Regex::new(r#"\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^\s()",]+))\s*\)"#)
            .expect("valid regex")
    });
    let at_least = AT_LEAST.get_or_init(|| {
        Regex::new(r#"\bAT_LEAST\s*\(\s*[^,()]+,\s*!?\s*[A-Z_]+\s*,\s*\(([^()]*)\)\s*\)"#)
            .expect("valid regex")
    });
    let mut out = BTreeSet::new();
    for c in state.captures_iter(rule) {
        if let Some(m) = c.get(1).or_else(|| c.get(2)) {
            out.insert(m.as_str().to_string());
        }
    }
    for c in at_least.captures_iter(rule) {
        for item in c[1].split(',') {
            let item = item.trim().trim_matches('"');
            if !item.is_empty() {
                out.insert(item.to_string());
            }
        }
    }
    out
}

/// A JSON-pointer segment (RFC 6901).
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validate::{Options, validate_template};

    fn template_with(n: usize, rule_of: impl Fn(&[String]) -> Value) -> Value {
        let mut resources = serde_json::Map::new();
        let ids: Vec<String> = (0..n).map(|i| format!("A{i}")).collect();
        for id in &ids {
            resources.insert(
                id.clone(),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                    "AlarmName": format!("alarm-{id}-dev"), "MetricName": "M", "Namespace": "N",
                    "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
                    "ComparisonOperator": "GreaterThanThreshold"}}),
            );
        }
        resources.insert(
            "Top".into(),
            json!({"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {"AlarmName": "top", "AlarmRule": rule_of(&ids)}}),
        );
        json!({"Resources": resources})
    }

    fn codes(t: &Value) -> Vec<&'static str> {
        validate_template(t, None, &Options::default())
            .into_iter()
            .filter(|f| ["CFN5022", "CFN5023", "CFN5024"].contains(&f.code))
            .map(|f| f.code)
            .collect()
    }

    fn sub_or(ids: &[String]) -> Value {
        json!({"Fn::Sub": ids.iter().map(|i| format!("ALARM(\"${{{i}}}\")")).collect::<Vec<_>>().join(" OR ")})
    }

    #[test]
    fn a_rule_may_name_100_alarms_not_101() {
        assert!(codes(&template_with(100, sub_or)).is_empty());
        let t = template_with(101, sub_or);
        let findings = validate_template(&t, None, &Options::default());
        let f = findings.iter().find(|f| f.code == "CFN5022").expect("CFN5022");
        assert!(f.is_error());
        assert_eq!(f.pointer, "/Resources/Top/Properties/AlarmRule");
        assert!(f.message.contains("101 alarms") && f.message.contains("at most 100"), "{}", f.message);
    }

    #[test]
    fn literal_join_and_bare_references_are_counted() {
        let literal = |ids: &[String]| {
            Value::String(ids.iter().map(|i| format!("ALARM({i})")).collect::<Vec<_>>().join(" OR "))
        };
        assert_eq!(codes(&template_with(101, literal)), ["CFN5022"]);
        let join = |ids: &[String]| {
            let mut parts = Vec::new();
            for (k, i) in ids.iter().enumerate() {
                if k > 0 {
                    parts.push(json!(" OR "));
                }
                parts.push(json!("ALARM(\""));
                parts.push(json!({"Ref": i}));
                parts.push(json!("\")"));
            }
            json!({"Fn::Join": ["", parts]})
        };
        assert_eq!(codes(&template_with(101, join)), ["CFN5022"]);
        // The same alarm named twice counts once; AT_LEAST lists count too.
        let twice =
            |ids: &[String]| json!({"Fn::Sub": format!("ALARM(\"${{{0}}}\") OR OK(\"${{{0}}}\")", ids[0])});
        assert!(codes(&template_with(1, twice)).is_empty());
        let refs = references("AT_LEAST(2, ALARM, (\"a\", \"b\", c)) AND ALARM(d) OR NOT OK(\"e\")");
        assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn resolved_names_decide_the_length() {
        // 80 alarms with 140-character names: 80 x (140 + 9) + 79 x 4 = 12,236 characters.
        let long = |ids: &[String]| sub_or(ids);
        let mut t = template_with(80, long);
        for i in 0..80 {
            t["Resources"][format!("A{i}")]["Properties"]["AlarmName"] = json!(format!("{:0>140}", i));
        }
        let findings = validate_template(&t, None, &Options::default());
        let f = findings.iter().find(|f| f.code == "CFN5023").expect("CFN5023");
        assert!(f.message.contains("12236 characters") && !f.message.contains("at least"), "{}", f.message);
        // Names that are not known (parameters of a split stack) count as one character.
        let mut t = template_with(80, long);
        for i in 0..80 {
            t["Resources"].as_object_mut().unwrap().remove(&format!("A{i}"));
        }
        assert!(codes(&t).is_empty(), "a lower bound under the limit is no finding");
    }

    #[test]
    fn one_alarm_in_more_than_150_composites() {
        let mut t = template_with(1, sub_or);
        for k in 0..150 {
            t["Resources"][format!("C{k}")] = json!({"Type": "AWS::CloudWatch::CompositeAlarm",
                "Properties": {"AlarmName": format!("c{k}"), "AlarmRule": {"Fn::Sub": "ALARM(\"${A0}\")"}}});
        }
        assert_eq!(codes(&t), ["CFN5024"]);
    }
}
