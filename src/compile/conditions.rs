//! Conditions and mappings of an app: declared once for the whole app ([`super::App::condition`],
//! [`super::App::mapping`]) and copied by the compiler into every template that uses them.
//!
//! A template uses a condition through a resource's or an output's `Condition`, an `Fn::If`, or
//! a `{"Condition": ...}` inside another condition; it uses a mapping through `Fn::FindInMap`
//! with a literal map name. Definitions are closed over (a condition that uses another, or a
//! mapping), so each template is complete on its own. Conditions can only depend on pseudo
//! parameters (`AWS::Region`, `AWS::Partition`, ...) and mappings: an app has no parameters.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::CompileError;
use crate::model::{Expr, LogicalId, Template};

/// Names of conditions and mappings that a JSON value uses; `{"Condition": name}` counts only
/// inside a condition's definition (`in_condition`), where it is the condition function.
fn collect(v: &Json, in_condition: bool, conditions: &mut BTreeSet<String>, mappings: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if m.len() == 1 {
                if let Some(Json::Array(args)) = m.get("Fn::If")
                    && let Some(Json::String(name)) = args.first()
                {
                    conditions.insert(name.clone());
                }
                if in_condition && let Some(Json::String(name)) = m.get("Condition") {
                    conditions.insert(name.clone());
                }
                if let Some(Json::Array(args)) = m.get("Fn::FindInMap")
                    && let Some(Json::String(name)) = args.first()
                {
                    mappings.insert(name.clone());
                }
            }
            m.values().for_each(|x| collect(x, in_condition, conditions, mappings));
        }
        Json::Array(items) => items.iter().for_each(|x| collect(x, in_condition, conditions, mappings)),
        _ => {}
    }
}

/// Copies into `t` the definitions (from `graph`) of every condition and mapping its resources
/// and outputs use, closed over the conditions' own uses. `name` names the template in errors.
pub(crate) fn complete(t: &mut Template, graph: &Template, name: &str) -> Result<(), CompileError> {
    let (mut conditions, mut mappings) = (BTreeSet::new(), BTreeSet::new());
    for r in t.resources.values() {
        if let Some(c) = &r.condition {
            conditions.insert(c.clone());
        }
        for e in r.properties.values().chain(r.metadata.iter()).chain(r.update_policy.iter()) {
            collect(&e.to_json(), false, &mut conditions, &mut mappings);
        }
    }
    for o in t.outputs.values() {
        if let Some(c) = &o.condition {
            conditions.insert(c.clone());
        }
        collect(&o.value.to_json(), false, &mut conditions, &mut mappings);
        if let Some(e) = &o.export {
            collect(&e.name.to_json(), false, &mut conditions, &mut mappings);
        }
    }
    let mut done: BTreeMap<LogicalId, Expr> = BTreeMap::new();
    let mut queue: Vec<String> = conditions.into_iter().collect();
    while let Some(c) = queue.pop() {
        let id = LogicalId::new(c.as_str()).map_err(|_| unknown("condition", &c, name))?;
        if done.contains_key(&id) {
            continue;
        }
        let def = graph.conditions.get(&id).ok_or_else(|| unknown("condition", &c, name))?;
        let (mut more, mut maps) = (BTreeSet::new(), BTreeSet::new());
        collect(&def.to_json(), true, &mut more, &mut maps);
        mappings.extend(maps);
        queue.extend(more.into_iter().filter(|m| *m != c));
        done.insert(id, def.clone());
    }
    for m in mappings {
        let def = graph.mappings.get(&m).ok_or_else(|| unknown("mapping", &m, name))?;
        t.mappings.insert(m, def.clone());
    }
    t.conditions.extend(done);
    Ok(())
}

fn unknown(kind: &'static str, what: &str, template: &str) -> CompileError {
    CompileError::UnknownName { kind, name: what.to_string(), template: template.to_string() }
}

/// The condition of resource `id` of the app graph, if it has one.
pub(crate) fn of_resource<'g>(graph: &'g Template, id: &str) -> Option<&'g str> {
    let id = LogicalId::new(id).ok()?;
    graph.resources.get(&id)?.condition.as_deref()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Output, Resource};

    /// An app with a conditional topic in `mon` (output and root output refer to it) and a
    /// queue in `app`; `cross` makes the queue refer to the topic.
    fn conditional_app(cross: bool) -> crate::compile::App {
        use crate::compile::App;
        let mut app = App::new("r", "root", vec![]);
        app.add_stack("mon", "MonStack", "m").unwrap();
        app.add_stack("app", "AppStack", "a").unwrap();
        app.condition(
            "IsPrimary",
            Expr::from_json(&json!({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})),
        )
        .unwrap();
        assert!(app.condition("IsPrimary", Expr::from("x")).is_err(), "declared once");
        let mut topic = Resource::new("AWS::SNS::Topic");
        topic.condition = Some("IsPrimary".into());
        let mut mon = app.stack("mon").unwrap();
        mon.insert(LogicalId::new("Topic").unwrap(), topic).unwrap();
        mon.output("TopicArn", "t", Expr::from_json(&json!({"Ref": "Topic"}))).unwrap();
        let mut queue = Resource::new("AWS::SQS::Queue");
        if cross {
            queue
                .properties
                .insert("QueueName".into(), Expr::from_json(&json!({"Fn::GetAtt": ["Topic", "TopicName"]})));
        }
        app.stack("app").unwrap().insert(LogicalId::new("Queue").unwrap(), queue).unwrap();
        app.root_output("Topic", Output::new("t", Expr::from_json(&json!({"Ref": "Topic"})))).unwrap();
        app
    }

    #[test]
    fn conditional_resources_take_their_condition_to_outputs_and_stay_in_their_stack() {
        let url = |sha: &str| Expr::from(format!("https://x/{sha}"));
        let c = crate::compile::compile(&conditional_app(false), &url).unwrap();
        let mon = &c.children[0].template;
        assert!(mon.conditions.contains_key(&LogicalId::new("IsPrimary").unwrap()));
        assert_eq!(mon.outputs[&LogicalId::new("TopicArn").unwrap()].condition.as_deref(), Some("IsPrimary"));
        let root_out = &c.root.template.outputs[&LogicalId::new("Topic").unwrap()];
        assert_eq!(
            root_out.condition.as_deref(),
            Some("IsPrimary"),
            "the root output reads a conditional value"
        );
        assert!(c.root.template.conditions.contains_key(&LogicalId::new("IsPrimary").unwrap()));
        assert!(c.children[1].template.conditions.is_empty(), "only where used");
        let e = crate::compile::compile(&conditional_app(true), &url).unwrap_err();
        assert!(
            matches!(&e, CompileError::ConditionalAcrossStacks { target, condition, .. } if target == "Topic" && condition == "IsPrimary"),
            "{e}"
        );
    }

    #[test]
    fn used_conditions_and_mappings_are_copied_with_what_they_use() {
        let mut graph = Template::default();
        let cond = |v: Json| Expr::from_json(&v);
        graph.conditions.insert(
            LogicalId::new("IsPrimary").unwrap(),
            cond(json!({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})),
        );
        graph.conditions.insert(
            LogicalId::new("IsPrimaryProd").unwrap(),
            cond(json!({"Fn::And": [{"Condition": "IsPrimary"}, {"Fn::Equals": [{"Fn::FindInMap": ["Hosts", "aws", "Prod"]}, "yes"]}]})),
        );
        graph.conditions.insert(LogicalId::new("Unused").unwrap(), cond(json!({"Fn::Equals": ["a", "b"]})));
        graph.mappings.insert(
            "Hosts".into(),
            [("aws".to_string(), [("Prod".to_string(), Expr::from("yes"))].into())].into(),
        );
        let mut t = Template::default();
        let mut r = Resource::new("AWS::SNS::Topic");
        r.condition = Some("IsPrimaryProd".into());
        t.resources.insert(LogicalId::new("Topic").unwrap(), r);
        let mut o = Output::new("x", Expr::from("y"));
        o.condition = Some("IsPrimary".into());
        t.outputs.insert(LogicalId::new("Out").unwrap(), o);
        complete(&mut t, &graph, "monitoring").unwrap();
        let names: Vec<&str> = t.conditions.keys().map(LogicalId::as_str).collect();
        assert_eq!(names, ["IsPrimary", "IsPrimaryProd"]);
        assert!(t.mappings.contains_key("Hosts"));

        let mut bad = Template::default();
        bad.outputs.insert(
            LogicalId::new("O").unwrap(),
            Output::new("x", Expr::from_json(&json!({"Fn::If": ["Nope", "a", "b"]}))),
        );
        assert_eq!(
            complete(&mut bad, &graph, "root").unwrap_err().to_string(),
            "template `root` uses condition `Nope`, which the app does not declare"
        );
    }
}
