//! Predicted changes from two templates (deployed vs new): used where CloudFormation gives no
//! replacement detail or no nested change set. Replacement comes from the registry schemas'
//! create-only properties. Rows are marked `source: predicted`.
//!
//! The review normally takes its predictions from the offline diff engine (`cfnc::diff`,
//! the same rows as `cfnc diff`, which also follows parameters and references across
//! stacks); this per-template comparison is the fallback for when the engine cannot build a
//! template set from the deployed templates, so that a review is never left without one.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::flags;
use cfnc::change::{Action, ChangeRow, Replacement};

/// Resource attributes that CloudFormation reports as change scopes besides Properties.
const ATTRIBUTES: &[&str] =
    &["Metadata", "CreationPolicy", "UpdatePolicy", "DeletionPolicy", "UpdateReplacePolicy", "Condition"];

fn resources(t: Option<&Json>) -> serde_json::Map<String, Json> {
    t.and_then(|t| t.get("Resources")).and_then(|r| r.as_object()).cloned().unwrap_or_default()
}

/// One resource's JSON from a template.
pub fn resource<'a>(t: Option<&'a Json>, logical_id: &str) -> Option<&'a Json> {
    t?.get("Resources")?.get(logical_id)
}

/// Rows for every resource that differs between `old` (deployed; `None` when nothing is
/// deployed) and `new` (`None` when the stack goes away), sorted by logical id.
pub fn diff_templates(stack: &str, old: Option<&Json>, new: Option<&Json>) -> Vec<ChangeRow> {
    let (o, n) = (resources(old), resources(new));
    let ids: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let mut rows = Vec::new();
    for id in ids {
        let (or, nr) = (o.get(id.as_str()), n.get(id.as_str()));
        let ty = |r: &Json| r.get("Type").and_then(|t| t.as_str()).unwrap_or("").to_string();
        match (or, nr) {
            (None, Some(nr)) => rows.push(row(stack, id, &ty(nr), Action::Add, None, nr)),
            (Some(or), None) => rows.push(row(stack, id, &ty(or), Action::Remove, Some(or), or)),
            (Some(or), Some(nr)) if ty(or) != ty(nr) => {
                rows.push(row(stack, id, &ty(or), Action::Remove, Some(or), or));
                rows.push(row(stack, id, &ty(nr), Action::Add, None, nr));
            }
            (Some(or), Some(nr)) if or != nr => {
                let (properties, replacement, causes) = diff_resource(&ty(nr), or, nr);
                let mut r = row(stack, id, &ty(nr), Action::Modify, Some(or), nr);
                r.properties = properties;
                r.replacement = Some(replacement);
                r.replacement_causes = causes;
                r.flags = flags::flags(&r, Some(or), Some(nr), None, false);
                rows.push(r);
            }
            _ => {}
        }
    }
    rows
}

fn row(stack: &str, id: &str, ty: &str, action: Action, old: Option<&Json>, new: &Json) -> ChangeRow {
    let mut r = ChangeRow::predicted(stack, id, ty, action);
    let (o, n) = match action {
        Action::Remove => (Some(new), None),
        _ => (old, Some(new)),
    };
    r.flags = flags::flags(&r, o, n, None, false);
    r
}

/// Changed top-level properties (and resource attributes), the predicted replacement and the
/// properties that cause it.
pub fn diff_resource(type_name: &str, old: &Json, new: &Json) -> (Vec<String>, Replacement, Vec<String>) {
    let empty = serde_json::Map::new();
    let op = old.get("Properties").and_then(|p| p.as_object()).unwrap_or(&empty);
    let np = new.get("Properties").and_then(|p| p.as_object()).unwrap_or(&empty);
    let mut changed: BTreeSet<String> =
        op.keys().chain(np.keys()).filter(|k| op.get(*k) != np.get(*k)).cloned().collect();
    let props: Vec<String> = changed.iter().cloned().collect();
    let (replacement, causes) = replacement_for(type_name, &props);
    for a in ATTRIBUTES {
        if old.get(*a) != new.get(*a) {
            changed.insert((*a).to_string());
        }
    }
    (changed.into_iter().collect(), replacement, causes)
}

/// Replacement predicted from the registry's create-only properties.
pub fn replacement_for(type_name: &str, changed: &[String]) -> (Replacement, Vec<String>) {
    let Some(schema) = cfnc::schema::info(type_name) else {
        // A type the registry does not know: any property change may replace.
        let r = if changed.is_empty() { Replacement::False } else { Replacement::Conditional };
        return (r, changed.to_vec());
    };
    let always: Vec<String> = changed.iter().filter(|p| schema.is_create_only(p)).cloned().collect();
    if !always.is_empty() {
        return (Replacement::True, always);
    }
    let maybe: Vec<String> =
        changed.iter().filter(|p| schema.is_conditionally_create_only(p)).cloned().collect();
    if !maybe.is_empty() {
        return (Replacement::Conditional, maybe);
    }
    (Replacement::False, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modify_of_an_alarm_threshold_is_in_place() {
        let old = json!({"Resources": {"A": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Threshold": 5, "AlarmName": "a"}}}});
        let new = json!({"Resources": {"A": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Threshold": 7, "AlarmName": "a"}}}});
        let rows = diff_templates("monitoring", Some(&old), Some(&new));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, Action::Modify);
        assert_eq!(rows[0].properties, vec!["Threshold"]);
        assert_eq!(rows[0].replacement, Some(Replacement::False));
        assert_eq!(rows[0].source, cfnc::change::Source::Predicted);
    }

    #[test]
    fn create_only_change_replaces() {
        let old = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "a"}}}});
        let new = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}});
        let rows = diff_templates("s", Some(&old), Some(&new));
        assert_eq!(rows[0].replacement, Some(Replacement::True));
        assert_eq!(rows[0].replacement_causes, vec!["BucketName"]);
        assert!(rows[0].flags.contains(&cfnc::change::Flag::DeleteData));
    }

    #[test]
    fn adds_and_removes() {
        let old = json!({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}});
        let new = json!({"Resources": {"B": {"Type": "AWS::SNS::Topic"}}});
        let rows = diff_templates("s", Some(&old), Some(&new));
        let got: Vec<_> = rows.iter().map(|r| (r.logical_id.as_str(), r.action)).collect();
        assert_eq!(got, vec![("A", Action::Remove), ("B", Action::Add)]);
        assert!(diff_templates("s", Some(&new), Some(&new)).is_empty());
        assert_eq!(diff_templates("s", None, Some(&new))[0].action, Action::Add);
    }
}
