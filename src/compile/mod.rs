//! The compiler: partitions the app graph into a root template and one template per nested
//! stack, and wires every cross-stack reference.
//!
//! Wiring (the naming scheme is documented in the README, "Cross-stack wiring"): when a
//! resource or output of stack `A` refers (`Ref`, `Fn::GetAtt`, `${X}`, `${X.Attr}` in
//! `Fn::Sub`) to resource `X` of stack `B`,
//! - `B` gets an Output with that value: an output `B` already declares with exactly that
//!   value is reused, otherwise it is named like the parameter below;
//! - `A` gets a `String` Parameter named `X` (for `Ref X`) or `X<Attr>` (for `GetAtt X.Attr`,
//!   dots removed); list-valued attributes travel joined with `,` as a `CommaDelimitedList`;
//! - the root passes `{"Fn::GetAtt": ["<B's stack id>", "Outputs.<output>"]}` to that
//!   parameter, and the reference in `A` becomes `Ref <parameter>` / `${<parameter>}`.
//!
//! Nested stacks depend on each other only through those parameters; a `DependsOn` between
//! resources of different stacks becomes a `DependsOn` between the stacks unless a parameter
//! already orders them (cfn-lint W3005). Root outputs may refer to any resource; they are
//! rewritten to `Fn::GetAtt <stack>.Outputs.<name>` and exported as `<root name>-<Output>`.
//! Every taggable resource (nested-stack resources in the root included) gets the app's tags
//! and those of its stack ([`App::tags_for`]).
//!
//! Conditions and mappings are declared once for the app ([`App::condition`],
//! [`App::mapping`]) and copied into each template that uses them. A resource with a
//! `Condition` may be referred to from its own stack and from root outputs, which then get
//! its condition (and so do the nested outputs that carry the value); a reference from another
//! nested stack is an error, as the root could not pass a value that may not exist.

pub mod app;
mod conditions;
pub mod refs;
pub mod split;
pub mod tags;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

pub use app::{App, AppError, StackOutput, StackScope, StackSpec};
use refs::{Replacement, Target, Via};

use crate::model::{Expr, Intrinsic, LogicalId, Output, Parameter, Resource, Template};

/// One compiled template with its exact bytes.
#[derive(Clone, Debug)]
pub struct CompiledTemplate {
    /// `root` or the nested stack's name.
    pub name: String,
    /// Logical id of the nested stack resource in the root (none for the root).
    pub logical_id: Option<LogicalId>,
    pub template: Template,
    /// `template.to_json_string()`: what is written, hashed and uploaded.
    pub json: String,
    /// sha256 (hex) of `json`.
    pub sha256: String,
}

impl CompiledTemplate {
    fn new(name: &str, logical_id: Option<LogicalId>, template: Template) -> Self {
        let json = template.to_json_string();
        let sha256 = hex::encode(Sha256::digest(json.as_bytes()));
        CompiledTemplate { name: name.to_string(), logical_id, template, json, sha256 }
    }
}

/// The template set.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub root: CompiledTemplate,
    /// Nested stacks in the app's order.
    pub children: Vec<CompiledTemplate>,
}

impl Compiled {
    /// Root first, then the nested stacks.
    pub fn all(&self) -> impl Iterator<Item = &CompiledTemplate> {
        std::iter::once(&self.root).chain(self.children.iter())
    }
}

/// Why an app does not compile.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompileError {
    #[error("the app graph may only hold resources; it has {0} (not supported by the compiler)")]
    Unsupported(String),
    #[error("resource `{0}` is not placed in any nested stack")]
    Unplaced(String),
    #[error("resource `{resource}` is placed in undeclared stack `{stack}`")]
    UnknownStack { resource: String, stack: String },
    #[error("{location} refers to `{target}`, which is not a resource of the app")]
    Unresolved { location: String, target: String },
    #[error("{location} uses list-valued `{target}` inside Fn::Sub across stacks; use Fn::Join instead")]
    ListInSub { location: String, target: String },
    #[error(
        "wiring name `{name}` in stack `{stack}` is used for two different values ({first} and {second}); rename a resource or output"
    )]
    NameClash { stack: String, name: String, first: String, second: String },
    #[error("nested stacks depend on each other in a cycle: {0}")]
    Cycle(String),
    #[error("template `{template}` uses {kind} `{name}`, which the app does not declare")]
    UnknownName { kind: &'static str, name: String, template: String },
    #[error(
        "{location} refers to `{target}` of stack `{stack}`, which exists only under condition `{condition}`; place them in the same stack"
    )]
    ConditionalAcrossStacks { location: String, target: String, stack: String, condition: String },
}

/// The value a producer exports for `target`, and whether it is a joined list.
fn output_value(graph: &Template, target: &Target) -> (Expr, bool) {
    match &target.attr {
        None => (Intrinsic::Ref(target.id.clone()).into(), false),
        Some(attr) => {
            let getatt: Expr = Intrinsic::GetAtt(target.id.clone(), attr.clone()).into();
            let type_name = LogicalId::new(target.id.as_str())
                .ok()
                .and_then(|id| graph.resources.get(&id))
                .map(|r| r.type_name.as_str())
                .unwrap_or("");
            if attribute_is_list(type_name, attr) {
                (Intrinsic::Join(",".into(), vec![getatt]).into(), true)
            } else {
                (getatt, false)
            }
        }
    }
}

/// True when the schema types attribute `attr` (`A.B`) of `type_name` as an array.
pub fn attribute_is_list(type_name: &str, attr: &str) -> bool {
    let Some(schema) = crate::schema::get(type_name) else { return false };
    let root = &schema.json;
    let resolve = |mut n: &'static Json| {
        for _ in 0..8 {
            match n
                .get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| root.pointer(p))
            {
                Some(next) => n = next,
                None => break,
            }
        }
        n
    };
    let mut node = root;
    for part in attr.split('.') {
        match resolve(node).get("properties").and_then(|p| p.get(part)) {
            Some(n) => node = n,
            None => return false,
        }
    }
    let node = resolve(node);
    match node.get("type") {
        Some(Json::String(t)) => t == "array",
        Some(Json::Array(ts)) => ts.iter().any(|t| t == "array") && !ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// The parameter name for a target: `X` or `X<Attr>`.
fn param_name(target: &Target) -> String {
    match &target.attr {
        None => target.id.clone(),
        Some(a) => format!("{}{}", target.id, a.replace('.', "")),
    }
}

fn describe(target: &Target) -> String {
    match &target.attr {
        None => format!("Ref {}", target.id),
        Some(a) => format!("Fn::GetAtt {}.{}", target.id, a),
    }
}

/// Every expression of a resource that may hold references.
fn resource_exprs(r: &Resource) -> impl Iterator<Item = &Expr> {
    r.properties
        .values()
        .chain(r.metadata.iter())
        .chain(r.creation_policy.iter())
        .chain(r.update_policy.iter())
}

fn resource_exprs_mut(r: &mut Resource) -> impl Iterator<Item = &mut Expr> {
    r.properties
        .values_mut()
        .chain(r.metadata.iter_mut())
        .chain(r.creation_policy.iter_mut())
        .chain(r.update_policy.iter_mut())
}

/// Outputs each producer must have: (producer, target) -> output name.
struct Exports<'a> {
    app: &'a App,
    /// (stack, output name) -> value, user outputs and wiring outputs.
    outputs: BTreeMap<String, BTreeMap<LogicalId, Output>>,
    chosen: BTreeMap<(String, Target), (LogicalId, bool)>,
}

impl<'a> Exports<'a> {
    fn new(app: &'a App) -> Self {
        let mut outputs: BTreeMap<String, BTreeMap<LogicalId, Output>> =
            app.stacks.iter().map(|s| (s.name.clone(), BTreeMap::new())).collect();
        for ((stack, name), out) in &app.outputs {
            outputs.entry(stack.clone()).or_default().insert(name.clone(), out.clone());
        }
        Exports { app, outputs, chosen: BTreeMap::new() }
    }

    /// The output of `producer` that carries `target` (created on first use).
    fn output_for(&mut self, producer: &str, target: &Target) -> Result<(LogicalId, bool), CompileError> {
        let key = (producer.to_string(), target.clone());
        if let Some(found) = self.chosen.get(&key) {
            return Ok(found.clone());
        }
        let (value, list) = output_value(&self.app.graph, target);
        let outs = self.outputs.entry(producer.to_string()).or_default();
        let name = match outs.iter().find(|(_, o)| o.value == value) {
            Some((name, _)) => name.clone(),
            None => {
                let name = LogicalId::from_words(&param_name(target));
                if let Some(existing) = outs.get(&name) {
                    return Err(CompileError::NameClash {
                        stack: producer.to_string(),
                        name: name.to_string(),
                        first: existing.value.to_json().to_string(),
                        second: value.to_json().to_string(),
                    });
                }
                let mut out = Output::new(format!("cfnc wiring: {}", describe(target)), value);
                out.condition = conditions::of_resource(&self.app.graph, &target.id).map(str::to_string);
                outs.insert(name.clone(), out);
                name
            }
        };
        self.chosen.insert(key, (name.clone(), list));
        Ok((name, list))
    }
}

/// Compiles `app`. `template_url` turns a nested template's sha256 into its `TemplateURL`.
pub fn compile(app: &App, template_url: &dyn Fn(&str) -> Expr) -> Result<Compiled, CompileError> {
    let g = &app.graph;
    for (what, n) in [
        ("parameters", g.parameters.len()),
        ("rules", g.rules.len()),
        ("outputs (use StackScope::output / App::root_output)", g.outputs.len()),
    ] {
        if n > 0 {
            return Err(CompileError::Unsupported(what.to_string()));
        }
    }
    let declared: BTreeSet<&str> = app.stacks.iter().map(|s| s.name.as_str()).collect();
    for id in g.resources.keys() {
        match app.placement.get(id) {
            None => return Err(CompileError::Unplaced(id.to_string())),
            Some(s) if !declared.contains(s.as_str()) => {
                return Err(CompileError::UnknownStack { resource: id.to_string(), stack: s.clone() });
            }
            Some(_) => {}
        }
    }
    let owner = |id: &str| -> Option<&str> { app.stack_of(id) };

    let mut exports = Exports::new(app);
    // consumer -> param name -> (producer, target, list)
    let mut params: BTreeMap<String, BTreeMap<String, (String, Target, bool)>> = BTreeMap::new();
    // consumer -> producers it must wait for through DependsOn
    let mut stack_deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut children: BTreeMap<String, Template> = BTreeMap::new();
    // Resources by stack in one pass (split apps have many stacks).
    let mut by_stack: BTreeMap<&str, Vec<(&LogicalId, &Resource)>> = BTreeMap::new();
    for (id, res) in &g.resources {
        if let Some(s) = app.placement.get(id) {
            by_stack.entry(s.as_str()).or_default().push((id, res));
        }
    }

    for spec in &app.stacks {
        let s = spec.name.as_str();
        let mut t = Template::new(spec.description.clone());
        let stack_tags = app.tags_for(s);
        // Resources of this stack.
        for &(id, res) in by_stack.get(s).into_iter().flatten() {
            let mut res = res.clone();
            let location = format!("resource `{id}` (stack `{s}`)");
            let mut found = Vec::new();
            resource_exprs(&res).for_each(|e| refs::collect(e, &mut found));
            let map = wire_targets(s, &location, &found, &owner, &mut exports, &mut params)?;
            resource_exprs_mut(&mut res).for_each(|e| refs::rewrite(e, &mut |t, _| map.get(t).cloned()));
            let mut kept = Vec::new();
            for d in std::mem::take(&mut res.depends_on) {
                match owner(&d) {
                    Some(o) if o == s => kept.push(d),
                    Some(o) => {
                        stack_deps.entry(s.to_string()).or_default().insert(o.to_string());
                    }
                    None => return Err(CompileError::Unresolved { location, target: d }),
                }
            }
            res.depends_on = kept;
            tags::apply(&mut res, &stack_tags);
            t.resources.insert(id.clone(), res);
        }
        children.insert(s.to_string(), t);
    }
    // Declared outputs of nested stacks may refer to other stacks too.
    let mut stack_outputs: BTreeMap<String, BTreeMap<LogicalId, Output>> = BTreeMap::new();
    for ((s, name), out) in &app.outputs {
        let mut out = out.clone();
        let location = format!("output `{name}` (stack `{s}`)");
        let mut found = Vec::new();
        refs::collect(&out.value, &mut found);
        let map = wire_targets(s, &location, &found, &owner, &mut exports, &mut params)?;
        if out.condition.is_none() {
            out.condition =
                found.iter().find_map(|(t, _)| conditions::of_resource(g, &t.id)).map(str::to_string);
        }
        refs::rewrite(&mut out.value, &mut |t, _| map.get(t).cloned());
        stack_outputs.entry(s.clone()).or_default().insert(name.clone(), out);
    }
    // Root outputs: rewritten to the child outputs.
    let stack_id = |name: &str| -> String {
        app.stacks.iter().find(|s| s.name == name).map(|s| s.logical_id.to_string()).unwrap_or_default()
    };
    let mut root = Template::new(app.description.clone());
    for (name, out) in &app.root_outputs {
        let mut out = out.clone();
        let location = format!("root output `{name}`");
        let mut found = Vec::new();
        refs::collect(&out.value, &mut found);
        let mut map = BTreeMap::new();
        for (target, via) in &found {
            let producer = owner(&target.id).ok_or_else(|| CompileError::Unresolved {
                location: location.clone(),
                target: target.id.clone(),
            })?;
            let (output, list) = exports.output_for(producer, target)?;
            if list && *via == Via::Sub {
                return Err(CompileError::ListInSub { location, target: describe(target) });
            }
            map.insert(target.clone(), Replacement::GetAtt(stack_id(producer), format!("Outputs.{output}")));
            if out.condition.is_none() {
                out.condition = conditions::of_resource(g, &target.id).map(str::to_string);
            }
        }
        refs::rewrite(&mut out.value, &mut |t, _| map.get(t).cloned());
        out.export = Some(crate::model::Export { name: Expr::from(format!("{}-{}", app.root_name, name)) });
        root.outputs.insert(name.clone(), out);
    }

    // Parameters of consumers; outputs of producers.
    for (consumer, ps) in &params {
        let t = children.get_mut(consumer).expect("consumers are declared stacks");
        for (name, (producer, target, list)) in ps {
            let id = LogicalId::new(name.as_str()).unwrap_or_else(|_| LogicalId::from_words(name));
            let mut p = Parameter::string(format!("cfnc wiring from stack {producer}: {}", describe(target)));
            if *list {
                p.type_name = "CommaDelimitedList".to_string();
            }
            t.parameters.insert(id, p);
        }
    }
    for (s, outs) in &exports.outputs {
        let t = children.get_mut(s).expect("producers are declared stacks");
        for (name, out) in outs {
            let out = stack_outputs.get(s).and_then(|o| o.get(name)).cloned().unwrap_or_else(|| out.clone());
            t.outputs.insert(name.clone(), out);
        }
    }

    // Stack-level ordering and cycles.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (consumer, ps) in &params {
        for (producer, _, _) in ps.values() {
            edges.entry(consumer.clone()).or_default().insert(producer.clone());
        }
    }
    for (consumer, producers) in &stack_deps {
        edges.entry(consumer.clone()).or_default().extend(producers.iter().cloned());
    }
    if let Some(cycle) = find_cycle(&edges) {
        return Err(CompileError::Cycle(cycle.join(" -> ")));
    }

    // Serialize children, then the root that references them by hash.
    let mut compiled_children = Vec::new();
    for spec in &app.stacks {
        let mut t = children.remove(&spec.name).expect("every declared stack has a template");
        conditions::complete(&mut t, g, &spec.name)?;
        compiled_children.push(CompiledTemplate::new(&spec.name, Some(spec.logical_id.clone()), t));
    }
    for child in &compiled_children {
        let spec_name = child.name.as_str();
        let mut res = Resource::new("AWS::CloudFormation::Stack");
        res.properties.insert("TemplateURL".to_string(), template_url(&child.sha256));
        if let Some(ps) = params.get(spec_name) {
            let mut map = indexmap::IndexMap::new();
            for (name, (producer, target, _)) in ps {
                let (output, _) = exports.output_for(producer, target)?;
                map.insert(
                    name.clone(),
                    Intrinsic::GetAtt(stack_id(producer), format!("Outputs.{output}")).into(),
                );
            }
            res.properties.insert("Parameters".to_string(), Expr::Map(map));
        }
        let referenced: BTreeSet<&String> =
            params.get(spec_name).map(|ps| ps.values().map(|v| &v.0).collect()).unwrap_or_default();
        if let Some(deps) = stack_deps.get(spec_name) {
            for d in deps {
                if !referenced.contains(d) {
                    res.depends_on.push(stack_id(d));
                }
            }
        }
        tags::apply(&mut res, &app.tags_for(spec_name));
        let id = child.logical_id.clone().expect("children have logical ids");
        root.resources.insert(id, res);
    }
    conditions::complete(&mut root, g, "root")?;
    Ok(Compiled { root: CompiledTemplate::new("root", None, root), children: compiled_children })
}

/// Records the cross-stack targets of one resource/output of `consumer` and returns how each
/// is rewritten.
fn wire_targets<'o>(
    consumer: &str,
    location: &str,
    found: &[(Target, Via)],
    owner: &dyn Fn(&str) -> Option<&'o str>,
    exports: &mut Exports<'_>,
    params: &mut BTreeMap<String, BTreeMap<String, (String, Target, bool)>>,
) -> Result<BTreeMap<Target, Replacement>, CompileError> {
    let mut map = BTreeMap::new();
    for (target, via) in found {
        let producer = owner(&target.id).ok_or_else(|| CompileError::Unresolved {
            location: location.to_string(),
            target: target.id.clone(),
        })?;
        if producer == consumer {
            continue;
        }
        if let Some(condition) = conditions::of_resource(&exports.app.graph, &target.id) {
            return Err(CompileError::ConditionalAcrossStacks {
                location: location.to_string(),
                target: target.id.clone(),
                stack: producer.to_string(),
                condition: condition.to_string(),
            });
        }
        let (_, list) = exports.output_for(producer, target)?;
        if list && *via == Via::Sub {
            return Err(CompileError::ListInSub { location: location.to_string(), target: describe(target) });
        }
        let name = LogicalId::from_words(&param_name(target)).to_string();
        if owner(&name) == Some(consumer) {
            return Err(CompileError::NameClash {
                stack: consumer.to_string(),
                name: name.clone(),
                first: format!("resource {name}"),
                second: format!("parameter for {}", describe(target)),
            });
        }
        let ps = params.entry(consumer.to_string()).or_default();
        match ps.get(&name) {
            Some((p, t, _)) if (p.as_str(), t) != (producer, target) => {
                return Err(CompileError::NameClash {
                    stack: consumer.to_string(),
                    name,
                    first: describe(t),
                    second: describe(target),
                });
            }
            Some(_) => {}
            None => {
                ps.insert(name.clone(), (producer.to_string(), target.clone(), list));
            }
        }
        map.insert(target.clone(), Replacement::Ref(name));
    }
    Ok(map)
}

/// A cycle in `edges` (consumer -> producers), as a path, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Active) => {
                let start = path.iter().position(|p| p == n).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.to_string(), Mark::Active);
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, marks, path) {
                return Some(c);
            }
        }
        path.pop();
        marks.insert(n.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests;
