//! Resolved values: a template value with every intrinsic evaluated as far as the set allows.
//!
//! Parameters take the value passed by the parent stack (or from outside), else their
//! `Default`; `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap` and `Fn::If`
//! (when its condition can be evaluated) are computed; `Fn::GetAtt Child.Outputs.X` follows the
//! nested stack's output. What cannot be known before deployment stays symbolic: a resource's
//! `Ref`/`GetAtt` value ([`Val::Res`], stable unless that resource is replaced), pseudo
//! parameters, and functions of unknown inputs. Two resolved values are then compared
//! structurally; that is how a parameter default, a `Fn::Sub` text or a replaced referenced
//! resource reaches the properties it flows into.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::set::TemplateSet;

/// A resolved template value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Val {
    Null,
    /// A string, number or boolean in canonical text (`300` and `"300"` are the same value to
    /// CloudFormation once converted to the property's type).
    Scalar(String),
    List(Vec<Val>),
    Map(BTreeMap<String, Val>),
    /// `Ref` (attr `None`) or `Fn::GetAtt` of a resource in `stack`: unknown until deployed,
    /// unchanged by an update unless the resource is replaced.
    Res {
        stack: String,
        id: String,
        attr: Option<String>,
    },
    /// A parameter with no value and no default.
    Param {
        stack: String,
        name: String,
    },
    /// A pseudo parameter (`AWS::Region`), the same before and after an update.
    Pseudo(String),
    /// A string built from parts, at least one of them unknown.
    Concat(Vec<Val>),
    /// A function of unknown inputs, kept symbolic (`Fn::GetAZs`, `Fn::ImportValue`, ...).
    Fn(String, Vec<Val>),
    /// `Ref AWS::NoValue`: the property is absent.
    NoValue,
}

impl Val {
    /// Text for policy and rule analysis: unknown parts as `${...}` placeholders.
    pub(crate) fn render(&self) -> String {
        match self {
            Val::Null | Val::NoValue => String::new(),
            Val::Scalar(s) => s.clone(),
            Val::Concat(parts) => parts.iter().map(Val::render).collect(),
            Val::Res { stack, id, attr: None } => format!("${{{stack}/{id}}}"),
            Val::Res { stack, id, attr: Some(a) } => format!("${{{stack}/{id}.{a}}}"),
            Val::Param { stack, name } => format!("${{param:{stack}/{name}}}"),
            Val::Pseudo(p) => format!("${{{p}}}"),
            Val::List(items) => {
                format!("[{}]", items.iter().map(Val::render).collect::<Vec<_>>().join(","))
            }
            Val::Map(m) => format!(
                "{{{}}}",
                m.iter().map(|(k, v)| format!("{k}:{}", v.render())).collect::<Vec<_>>().join(",")
            ),
            Val::Fn(name, args) => {
                format!("${{{name}({})}}", args.iter().map(Val::render).collect::<Vec<_>>().join(","))
            }
        }
    }

    /// True when nothing in it waits for deployment.
    pub(crate) fn is_literal(&self) -> bool {
        match self {
            Val::Null | Val::Scalar(_) => true,
            Val::List(items) => items.iter().all(Val::is_literal),
            Val::Map(m) => m.values().all(Val::is_literal),
            _ => false,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Val::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// A list as its items; a single value as a list of one (IAM's string-or-list forms).
    pub(crate) fn items(&self) -> Vec<&Val> {
        match self {
            Val::List(items) => items.iter().collect(),
            Val::Null | Val::NoValue => Vec::new(),
            other => vec![other],
        }
    }

    /// Plain JSON into a value (no intrinsics), e.g. a policy document given as a string.
    pub(crate) fn from_plain_json(j: &Json) -> Val {
        match j {
            Json::Null => Val::Null,
            Json::Bool(_) | Json::Number(_) | Json::String(_) => Val::Scalar(scalar_text(j)),
            Json::Array(items) => Val::List(items.iter().map(Val::from_plain_json).collect()),
            Json::Object(m) => {
                Val::Map(m.iter().map(|(k, v)| (k.clone(), Val::from_plain_json(v))).collect())
            }
        }
    }
}

/// Canonical text of a JSON scalar.
fn scalar_text(j: &Json) -> String {
    match j {
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => {
            if let Some(f) =
                n.as_f64().filter(|f| !n.is_i64() && !n.is_u64() && f.fract() == 0.0 && f.abs() < 1e15)
            {
                format!("{}", f as i64)
            } else {
                n.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// Builds a string value from parts, joining adjacent known text.
fn concat(parts: Vec<Val>) -> Val {
    let mut out: Vec<Val> = Vec::new();
    let push = |v: Val, out: &mut Vec<Val>| match (out.last_mut(), v) {
        (Some(Val::Scalar(prev)), Val::Scalar(s)) => prev.push_str(&s),
        (_, Val::Scalar(s)) if s.is_empty() => {}
        (_, v) => out.push(v),
    };
    for p in parts {
        match p {
            Val::Concat(inner) => inner.into_iter().for_each(|v| push(v, &mut out)),
            Val::Null | Val::NoValue => {}
            v => push(v, &mut out),
        }
    }
    match out.len() {
        0 => Val::Scalar(String::new()),
        1 if matches!(out[0], Val::Scalar(_)) => out.pop().unwrap_or(Val::Null),
        _ => Val::Concat(out),
    }
}

/// Deepest evaluation (JSON nesting, intrinsics and parameter/output hops); the reader bounds
/// nesting to 128 levels. The engine runs on a thread with a stack sized for this.
const MAX_DEPTH: usize = 1024;

/// Evaluates values of one side of the diff.
pub(crate) struct Resolver<'a> {
    set: &'a TemplateSet,
    params: RefCell<HashMap<(usize, String), Val>>,
    conds: RefCell<HashMap<(usize, String), Option<bool>>>,
    /// Outputs being evaluated (cycle guard: a stack's output that depends on itself through
    /// the parent's wiring).
    outputs: RefCell<std::collections::HashSet<(usize, String)>>,
    depth: RefCell<usize>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(set: &'a TemplateSet) -> Self {
        Resolver {
            set,
            params: RefCell::default(),
            conds: RefCell::default(),
            outputs: RefCell::default(),
            depth: RefCell::new(0),
        }
    }

    fn template(&self, s: usize) -> &'a Json {
        &self.set.stacks()[s].template
    }

    fn stack_name(&self, s: usize) -> &'a str {
        &self.set.stacks()[s].name
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.set.stacks().iter().position(|st| st.name == name)
    }

    /// The nested stack created by resource `logical_id` of stack `s`.
    pub(crate) fn child(&self, s: usize, logical_id: &str) -> Option<usize> {
        let parent = self.stack_name(s);
        self.set.stacks().iter().position(|st| {
            st.parent.as_deref() == Some(parent) && st.logical_id.as_deref() == Some(logical_id)
        })
    }

    fn section(&self, s: usize, name: &str) -> Option<&'a serde_json::Map<String, Json>> {
        self.template(s).get(name).and_then(Json::as_object)
    }

    /// Guards against reference cycles (invalid templates, parent/child loops).
    fn enter(&self) -> bool {
        let mut d = self.depth.borrow_mut();
        if *d >= MAX_DEPTH {
            return false;
        }
        *d += 1;
        true
    }

    fn leave(&self) {
        *self.depth.borrow_mut() -= 1;
    }

    /// Resolves `j` in the context of stack `s`.
    pub(crate) fn resolve(&self, s: usize, j: &Json) -> Val {
        if !self.enter() {
            return Val::Fn("cycle".into(), Vec::new());
        }
        let v = self.resolve_inner(s, j);
        self.leave();
        v
    }

    fn resolve_inner(&self, s: usize, j: &Json) -> Val {
        match j {
            Json::Null => Val::Null,
            Json::Bool(_) | Json::Number(_) | Json::String(_) => Val::Scalar(scalar_text(j)),
            Json::Array(items) => {
                Val::List(items.iter().map(|i| self.resolve(s, i)).filter(|v| *v != Val::NoValue).collect())
            }
            Json::Object(m) => {
                if m.len() == 1 {
                    let (k, arg) = m.iter().next().expect("one entry");
                    if k == "Ref" || k.starts_with("Fn::") {
                        return self.intrinsic(s, k, arg);
                    }
                }
                Val::Map(
                    m.iter()
                        .map(|(k, v)| (k.clone(), self.resolve(s, v)))
                        .filter(|(_, v)| *v != Val::NoValue)
                        .collect(),
                )
            }
        }
    }

    fn intrinsic(&self, s: usize, name: &str, arg: &Json) -> Val {
        let args = || match arg {
            Json::Array(a) => a.iter().collect::<Vec<_>>(),
            other => vec![other],
        };
        let symbolic =
            |args: Vec<&Json>| Val::Fn(name.to_string(), args.iter().map(|a| self.resolve(s, a)).collect());
        match name {
            "Ref" => match arg.as_str() {
                Some(n) => self.reference(s, n),
                None => symbolic(vec![arg]),
            },
            "Fn::GetAtt" => {
                let (res, attr) = match arg {
                    Json::String(t) => match t.split_once('.') {
                        Some((r, a)) => (r.to_string(), Some(a.to_string())),
                        None => (t.clone(), None),
                    },
                    Json::Array(a) if a.len() == 2 => match (a[0].as_str(), self.resolve(s, &a[1])) {
                        (Some(r), Val::Scalar(at)) => (r.to_string(), Some(at)),
                        _ => return symbolic(args()),
                    },
                    _ => return symbolic(args()),
                };
                match attr {
                    Some(a) => self.get_att(s, &res, &a),
                    None => symbolic(args()),
                }
            }
            "Fn::Sub" => {
                let (text, vars) = match arg {
                    Json::String(t) => (t.as_str(), None),
                    Json::Array(a) if a.len() == 2 && a[0].is_string() => {
                        (a[0].as_str().unwrap_or_default(), a[1].as_object())
                    }
                    _ => return symbolic(args()),
                };
                self.sub(s, text, vars)
            }
            "Fn::Join" => {
                let a = args();
                if a.len() != 2 {
                    return symbolic(a);
                }
                let sep = self.resolve(s, a[0]);
                match (sep, self.resolve(s, a[1])) {
                    (Val::Scalar(sep), Val::List(items)) => {
                        let mut parts = Vec::new();
                        for (i, it) in items.into_iter().enumerate() {
                            if i > 0 {
                                parts.push(Val::Scalar(sep.clone()));
                            }
                            parts.push(it);
                        }
                        concat(parts)
                    }
                    (sep, list) => Val::Fn(name.into(), vec![sep, list]),
                }
            }
            "Fn::Select" => {
                let a = args();
                if a.len() != 2 {
                    return symbolic(a);
                }
                match (self.resolve(s, a[0]), self.resolve(s, a[1])) {
                    (Val::Scalar(i), Val::List(items)) => {
                        match i.parse::<usize>().ok().and_then(|i| items.get(i)) {
                            Some(v) => v.clone(),
                            None => Val::Fn(name.into(), vec![Val::Scalar(i), Val::List(items)]),
                        }
                    }
                    (i, l) => Val::Fn(name.into(), vec![i, l]),
                }
            }
            "Fn::Split" => {
                let a = args();
                if a.len() != 2 {
                    return symbolic(a);
                }
                match (self.resolve(s, a[0]), self.resolve(s, a[1])) {
                    (Val::Scalar(sep), Val::Scalar(text)) if !sep.is_empty() => {
                        Val::List(text.split(sep.as_str()).map(|p| Val::Scalar(p.to_string())).collect())
                    }
                    (sep, text) => Val::Fn(name.into(), vec![sep, text]),
                }
            }
            "Fn::If" => {
                let a = args();
                if a.len() != 3 {
                    return symbolic(a);
                }
                let Some(cond) = a[0].as_str() else { return symbolic(a) };
                match self.condition(s, cond) {
                    Some(true) => self.resolve(s, a[1]),
                    Some(false) => self.resolve(s, a[2]),
                    None => Val::Fn(
                        name.into(),
                        vec![Val::Scalar(cond.to_string()), self.resolve(s, a[1]), self.resolve(s, a[2])],
                    ),
                }
            }
            "Fn::FindInMap" => {
                let a = args();
                if a.len() < 3 {
                    return symbolic(a);
                }
                let keys: Vec<Val> = a[..3].iter().map(|k| self.resolve(s, k)).collect();
                if let [Val::Scalar(m), Val::Scalar(k1), Val::Scalar(k2)] = keys.as_slice()
                    && let Some(v) = self
                        .section(s, "Mappings")
                        .and_then(|maps| maps.get(m))
                        .and_then(|x| x.get(k1))
                        .and_then(|x| x.get(k2))
                {
                    return self.resolve(s, v);
                }
                // Language-extensions form with a DefaultValue.
                if let Some(default) = a.get(3).and_then(|d| d.get("DefaultValue"))
                    && keys.iter().all(Val::is_literal)
                {
                    return self.resolve(s, default);
                }
                Val::Fn(name.into(), keys)
            }
            _ => symbolic(args()),
        }
    }

    /// `Ref name` in stack `s`.
    fn reference(&self, s: usize, name: &str) -> Val {
        if name == "AWS::NoValue" {
            return Val::NoValue;
        }
        if name.starts_with("AWS::") {
            return match self.set.pseudo(name) {
                Some(v) => Val::Scalar(v.to_string()),
                None => Val::Pseudo(name.to_string()),
            };
        }
        if self.section(s, "Parameters").is_some_and(|p| p.contains_key(name)) {
            return self.param(s, name);
        }
        Val::Res { stack: self.stack_name(s).to_string(), id: name.to_string(), attr: None }
    }

    /// `Fn::GetAtt res.attr` in stack `s`; nested stack outputs are followed.
    fn get_att(&self, s: usize, res: &str, attr: &str) -> Val {
        if let Some(output) = attr.strip_prefix("Outputs.")
            && let Some(child) = self.child(s, res)
            && let Some(v) = self.output(child, output)
        {
            return v;
        }
        Val::Res { stack: self.stack_name(s).to_string(), id: res.to_string(), attr: Some(attr.to_string()) }
    }

    /// The value of output `name` of stack `s`.
    pub(crate) fn output(&self, s: usize, name: &str) -> Option<Val> {
        let value = self.section(s, "Outputs")?.get(name)?.get("Value")?;
        let key = (s, name.to_string());
        if !self.outputs.borrow_mut().insert(key.clone()) {
            return None;
        }
        let v = self.resolve(s, value);
        self.outputs.borrow_mut().remove(&key);
        Some(v)
    }

    fn sub(&self, s: usize, text: &str, vars: Option<&serde_json::Map<String, Json>>) -> Val {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            parts.push(Val::Scalar(rest[..start].to_string()));
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                parts.push(Val::Scalar(rest[start..].to_string()));
                rest = "";
                break;
            };
            let var = &after[..end];
            if let Some(literal) = var.strip_prefix('!') {
                // `${!Literal}` is the text `${Literal}`.
                parts.push(Val::Scalar(format!("${{{literal}}}")));
            } else {
                let var = var.trim();
                let v = match vars.and_then(|m| m.get(var)) {
                    Some(j) => self.resolve(s, j),
                    None => match var.split_once('.') {
                        Some((r, a)) if !r.starts_with("AWS::") => self.get_att(s, r, a),
                        _ => self.reference(s, var),
                    },
                };
                parts.push(match v {
                    Val::List(_) | Val::Map(_) => Val::Fn("Fn::Sub".into(), vec![v]),
                    v => v,
                });
            }
            rest = &after[end + 1..];
        }
        parts.push(Val::Scalar(rest.to_string()));
        concat(parts)
    }

    /// The value of parameter `name` of stack `s`: given from outside, else passed by the
    /// parent's stack resource, else its `Default`, else unknown.
    pub(crate) fn param(&self, s: usize, name: &str) -> Val {
        let key = (s, name.to_string());
        if let Some(v) = self.params.borrow().get(&key) {
            return v.clone();
        }
        // While it is being evaluated, a parameter that refers to itself (through its default
        // or the parent's wiring) is unknown.
        let unknown = Val::Param { stack: self.stack_name(s).to_string(), name: name.to_string() };
        self.params.borrow_mut().insert(key.clone(), unknown);
        let v = self.param_uncached(s, name);
        self.params.borrow_mut().insert(key, v.clone());
        v
    }

    fn param_uncached(&self, s: usize, name: &str) -> Val {
        let stack = &self.set.stacks()[s];
        let decl = self.section(s, "Parameters").and_then(|p| p.get(name));
        let is_list = decl
            .and_then(|d| d.get("Type"))
            .and_then(Json::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let shape = |v: Val| match v {
            Val::Scalar(text) if is_list => {
                Val::List(text.split(',').map(|p| Val::Scalar(p.trim().to_string())).collect())
            }
            v => v,
        };
        if let Some(v) = stack.parameters.get(name) {
            return shape(Val::Scalar(v.clone()));
        }
        if let (Some(parent), Some(lid)) = (&stack.parent, &stack.logical_id)
            && let Some(p) = self.index(parent)
            && let Some(passed) = self
                .section(p, "Resources")
                .and_then(|r| r.get(lid))
                .and_then(|r| r.get("Properties"))
                .and_then(|r| r.get("Parameters"))
                .and_then(|r| r.get(name))
        {
            return shape(self.resolve(p, passed));
        }
        match decl.and_then(|d| d.get("Default")) {
            Some(d) => shape(self.resolve(s, d)),
            None => Val::Param { stack: stack.name.clone(), name: name.to_string() },
        }
    }

    /// The value of condition `name` of stack `s`, when it can be known before deployment.
    pub(crate) fn condition(&self, s: usize, name: &str) -> Option<bool> {
        let key = (s, name.to_string());
        if let Some(v) = self.conds.borrow().get(&key) {
            return *v;
        }
        // Mark as unknown while evaluating (cycle guard).
        self.conds.borrow_mut().insert(key.clone(), None);
        let v =
            self.section(s, "Conditions").and_then(|c| c.get(name)).and_then(|e| self.eval_condition(s, e));
        self.conds.borrow_mut().insert(key, v);
        v
    }

    fn eval_condition(&self, s: usize, e: &Json) -> Option<bool> {
        let m = e.as_object().filter(|m| m.len() == 1)?;
        let (k, arg) = m.iter().next()?;
        let list = arg.as_array();
        match k.as_str() {
            "Condition" => self.condition(s, arg.as_str()?),
            "Fn::Equals" => {
                let l = list.filter(|l| l.len() == 2)?;
                let (a, b) = (self.resolve(s, &l[0]), self.resolve(s, &l[1]));
                (a.is_literal() && b.is_literal()).then_some(a == b)
            }
            "Fn::Not" => self.eval_condition(s, list?.first()?).map(|b| !b),
            "Fn::And" => {
                let vals: Vec<Option<bool>> = list?.iter().map(|c| self.eval_condition(s, c)).collect();
                if vals.contains(&Some(false)) {
                    Some(false)
                } else if vals.iter().all(|v| *v == Some(true)) {
                    Some(true)
                } else {
                    None
                }
            }
            "Fn::Or" => {
                let vals: Vec<Option<bool>> = list?.iter().map(|c| self.eval_condition(s, c)).collect();
                if vals.contains(&Some(true)) {
                    Some(true)
                } else if vals.iter().all(|v| *v == Some(false)) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::set::StackTemplate;
    use serde_json::json;

    fn one(t: Json) -> TemplateSet {
        TemplateSet::from_stacks(vec![StackTemplate::new("s", t)]).unwrap()
    }

    #[test]
    fn sub_with_parameter_default_becomes_text() {
        let set = one(json!({
            "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
            "Resources": {"A": {"Type": "X"}}
        }));
        let r = Resolver::new(&set);
        assert_eq!(r.resolve(0, &json!({"Fn::Sub": "alarm-${Env}"})), Val::Scalar("alarm-dev".into()));
        assert_eq!(
            r.resolve(0, &json!({"Fn::Sub": "${AWS::StackName}-${A.Arn}-${!Lit}"})),
            Val::Concat(vec![
                Val::Pseudo("AWS::StackName".into()),
                Val::Scalar("-".into()),
                Val::Res { stack: "s".into(), id: "A".into(), attr: Some("Arn".into()) },
                Val::Scalar("-${Lit}".into()),
            ])
        );
    }

    #[test]
    fn numbers_and_strings_compare_equal() {
        let set = one(json!({"Resources": {}}));
        let r = Resolver::new(&set);
        assert_eq!(r.resolve(0, &json!(300)), r.resolve(0, &json!("300")));
        assert_eq!(r.resolve(0, &json!(true)), r.resolve(0, &json!("true")));
    }

    #[test]
    fn known_region_evaluates_region_conditions_and_partition_mappings() {
        let t = json!({
            "Mappings": {"Hosts": {"aws": {"H": "console.aws.amazon.com"}, "aws-cn": {"H": "console.amazonaws.cn"}}},
            "Conditions": {"IsPrimary": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
            "Resources": {}
        });
        let host = json!({"Fn::FindInMap": ["Hosts", {"Ref": "AWS::Partition"}, "H"]});
        let unknown = one(t.clone());
        assert_eq!(Resolver::new(&unknown).condition(0, "IsPrimary"), None);
        let primary = one(t.clone()).in_region("us-east-1");
        assert_eq!(Resolver::new(&primary).condition(0, "IsPrimary"), Some(true));
        let other = one(t.clone()).in_region("eu-west-1");
        assert_eq!(Resolver::new(&other).condition(0, "IsPrimary"), Some(false));
        let china = one(t).in_region("cn-north-1");
        assert_eq!(Resolver::new(&china).resolve(0, &host), Val::Scalar("console.amazonaws.cn".into()));
        assert_eq!(
            Resolver::new(&china).resolve(0, &json!({"Fn::Sub": "${AWS::URLSuffix}"})),
            Val::Scalar("amazonaws.com.cn".into())
        );
    }

    #[test]
    fn conditions_join_select_split_and_mappings() {
        let set = one(json!({
            "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "L": {"Type": "CommaDelimitedList", "Default": "a, b"}},
            "Mappings": {"M": {"prod": {"Size": 3}}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}, "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]}},
            "Resources": {}
        }));
        let r = Resolver::new(&set);
        assert_eq!(r.condition(0, "IsProd"), Some(true));
        assert_eq!(r.condition(0, "NotProd"), Some(false));
        assert_eq!(r.resolve(0, &json!({"Fn::If": ["NotProd", 1, {"Ref": "AWS::NoValue"}]})), Val::NoValue);
        assert_eq!(
            r.resolve(0, &json!({"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]})),
            Val::Scalar("3".into())
        );
        assert_eq!(r.resolve(0, &json!({"Fn::Join": ["-", {"Ref": "L"}]})), Val::Scalar("a-b".into()));
        assert_eq!(
            r.resolve(0, &json!({"Fn::Select": [1, {"Fn::Split": [",", "x,y"]}]})),
            Val::Scalar("y".into())
        );
        assert_eq!(
            r.resolve(0, &json!({"K": {"Ref": "AWS::NoValue"}, "J": 1})),
            Val::Map([("J".to_string(), Val::Scalar("1".into()))].into_iter().collect())
        );
    }

    #[test]
    fn nested_stack_parameters_and_outputs_are_followed() {
        let root = json!({"Resources": {
            "Net": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "n"}},
            "Mon": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "m",
                "Parameters": {"VpcId": {"Fn::GetAtt": ["Net", "Outputs.VpcId"]}}}}
        }});
        let net = json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}}});
        let mon = json!({"Parameters": {"VpcId": {"Type": "String"}}, "Resources": {}});
        let set = TemplateSet::from_stacks(vec![
            StackTemplate::new("root", root),
            StackTemplate::new("network", net).nested_in("root", "Net"),
            StackTemplate::new("monitoring", mon).nested_in("root", "Mon"),
        ])
        .unwrap();
        let r = Resolver::new(&set);
        assert_eq!(r.param(2, "VpcId"), Val::Res { stack: "network".into(), id: "Vpc".into(), attr: None });
    }

    #[test]
    fn self_references_end() {
        let set = one(json!({
            "Parameters": {"P": {"Type": "String", "Default": {"Fn::Sub": "x${P}"}}},
            "Conditions": {"C": {"Fn::Equals": [{"Fn::If": ["C", "a", "b"]}, "a"]}},
            "Resources": {}
        }));
        let r = Resolver::new(&set);
        assert_eq!(
            r.param(0, "P"),
            Val::Concat(vec![Val::Scalar("x".into()), Val::Param { stack: "s".into(), name: "P".into() }])
        );
        assert_eq!(r.condition(0, "C"), None);
    }

    #[test]
    fn output_cycles_through_the_parent_end() {
        // root passes child A's output to child B and B's output back to A.
        let root = json!({"Resources": {
            "A": {"Type": "AWS::CloudFormation::Stack", "Properties": {"Parameters": {"In": {"Fn::GetAtt": ["B", "Outputs.Out"]}}}},
            "B": {"Type": "AWS::CloudFormation::Stack", "Properties": {"Parameters": {"In": {"Fn::GetAtt": ["A", "Outputs.Out"]}}}}
        }});
        let child = json!({"Parameters": {"In": {"Type": "String"}}, "Resources": {}, "Outputs": {"Out": {"Value": {"Ref": "In"}}}});
        let set = TemplateSet::from_stacks(vec![
            StackTemplate::new("root", root),
            StackTemplate::new("a", child.clone()).nested_in("root", "A"),
            StackTemplate::new("b", child).nested_in("root", "B"),
        ])
        .unwrap();
        let r = Resolver::new(&set);
        // Terminates, with A's input unknown in the end (B's output is A's output is A's input).
        assert!(matches!(r.param(1, "In"), Val::Res { .. } | Val::Param { .. }));
    }
}
