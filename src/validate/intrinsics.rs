//! Intrinsic functions for schema validation.
//!
//! Strategy: a resource's properties are turned into one or more *variants* before schema
//! validation:
//! 1. `Fn::If` picks a branch according to a truth assignment of the conditions the resource
//!    uses. Only consistent assignments are generated: conditions are expanded to formulas over
//!    `Fn::Equals` atoms, atoms comparing one parameter with different literals are never both
//!    true (nor true for a value outside the parameter's AllowedValues), and the resource's own
//!    `Condition` holds. At most [`MAX_VARIANTS`] variants.
//! 2. `Ref: AWS::NoValue` removes the property or list item it stands for.
//! 3. `Fn::FindInMap` with literal keys and `Fn::Select` over a literal list are resolved.
//! 4. Every other function becomes a unique placeholder of the type it resolves to
//!    ([`Kind`]): a marker string for scalars, a one-element list of one for lists. Errors at
//!    a placeholder are then judged by [`Kind::satisfies`] (only type mismatches survive),
//!    errors inside it are dropped.
//!
//! Every variant keeps a translation from its JSON pointers back to the template's.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::reader::escape_token;

/// Most variants validated per resource.
pub(crate) const MAX_VARIANTS: usize = 64;

/// What an intrinsic function can resolve to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string (CloudFormation converts it to a number or boolean where needed).
    Scalar,
    /// A list of strings.
    List,
    /// Unknown: anything.
    Any,
    /// A literal value the function resolved to (FindInMap/Select): errors inside it are real,
    /// reported at the function.
    Resolved,
}

impl Kind {
    /// Whether a value of this kind can satisfy a schema expecting one of `expected`
    /// (JSON Schema type names).
    pub(crate) fn satisfies(self, expected: &[&str]) -> bool {
        match self {
            Kind::Any | Kind::Resolved => true,
            Kind::Scalar => {
                expected.iter().any(|t| matches!(*t, "string" | "integer" | "number" | "boolean"))
            }
            Kind::List => expected.contains(&"array"),
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::Scalar => "a string",
            Kind::List => "a list",
            Kind::Any | Kind::Resolved => "a value",
        }
    }
}

/// A placeholder standing for an intrinsic function in a variant.
#[derive(Clone, Debug)]
pub(crate) struct Placeholder {
    pub kind: Kind,
    pub function: String,
    /// Pointer of the function object in the template.
    pub original: String,
}

/// One variant of a resource's properties.
#[derive(Debug)]
pub(crate) struct Variant {
    pub value: Value,
    /// Variant pointer -> placeholder.
    pub placeholders: HashMap<String, Placeholder>,
    /// Variant pointer -> template pointer, where they differ.
    translations: HashMap<String, String>,
}

impl Variant {
    /// The template pointer of a variant pointer.
    pub(crate) fn translate(&self, tokens: &[String]) -> String {
        for k in (0..=tokens.len()).rev() {
            let prefix = join(&tokens[..k]);
            if let Some(orig) = self.translations.get(&prefix) {
                let mut out = orig.clone();
                out.push_str(&join(&tokens[k..]));
                return out;
            }
        }
        join(tokens)
    }

    /// The placeholder at or above a variant pointer, and whether it is exactly there.
    pub(crate) fn placeholder(&self, tokens: &[String]) -> Option<(&Placeholder, bool)> {
        if self.placeholders.is_empty() {
            return None;
        }
        (0..=tokens.len())
            .rev()
            .find_map(|k| self.placeholders.get(&join(&tokens[..k])).map(|p| (p, k == tokens.len())))
    }
}

pub(crate) fn join(tokens: &[String]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&escape_token(t));
    }
    out
}

/// Marker prefix of placeholder strings (never written by users: starts with U+0001).
pub(crate) const MARK: &str = "\u{1}cfnc-intrinsic:";

/// The function name and arguments when `v` is a single-key `{"Fn::X": args}` / `{"Ref": x}`.
pub(crate) fn as_function(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, args) = m.iter().next()?;
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), args))
}

/// Template-wide facts the functions resolve against.
pub(crate) struct Ctx<'a> {
    /// The whole template (cross-resource checks read other resources from it).
    pub template: &'a Value,
    /// The directory of the template's file, when it was read from one (nested templates
    /// given by local path are read from there).
    pub dir: Option<&'a std::path::Path>,
    pub parameters: HashMap<&'a str, &'a Value>,
    /// Logical id -> type name (None when the type is missing or not a string).
    pub resources: HashMap<&'a str, Option<&'a str>>,
    pub conditions: HashMap<&'a str, &'a Value>,
    pub mappings: Option<&'a Map<String, Value>>,
}

fn obj<'a>(template: &'a Value, key: &str) -> impl Iterator<Item = (&'a String, &'a Value)> {
    template.get(key).and_then(Value::as_object).into_iter().flatten()
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(template: &'a Value) -> Self {
        Ctx {
            template,
            dir: None,
            parameters: obj(template, "Parameters").map(|(k, v)| (k.as_str(), v)).collect(),
            resources: obj(template, "Resources")
                .map(|(k, v)| (k.as_str(), v.get("Type").and_then(Value::as_str)))
                .collect(),
            conditions: obj(template, "Conditions").map(|(k, v)| (k.as_str(), v)).collect(),
            mappings: template.get("Mappings").and_then(Value::as_object),
        }
    }

    /// Whether a parameter is list-typed.
    pub(crate) fn parameter_is_list(&self, name: &str) -> bool {
        let t = self.parameters.get(name).and_then(|p| p.get("Type")).and_then(Value::as_str).unwrap_or("");
        let inner =
            t.strip_prefix("AWS::SSM::Parameter::Value<").and_then(|s| s.strip_suffix('>')).unwrap_or(t);
        inner.starts_with("List<") || inner == "CommaDelimitedList"
    }

    fn ref_kind(&self, name: &str) -> Kind {
        if name == "AWS::NotificationARNs" {
            Kind::List
        } else if self.parameters.contains_key(name) {
            if self.parameter_is_list(name) { Kind::List } else { Kind::Scalar }
        } else if self.resources.contains_key(name) || name.starts_with("AWS::") {
            Kind::Scalar
        } else {
            Kind::Any
        }
    }

    fn getatt_kind(&self, args: &Value) -> Kind {
        let (res, attr) = match args {
            Value::Array(l) if l.len() == 2 => (l[0].as_str(), l[1].as_str()),
            Value::String(s) => match s.split_once('.') {
                Some((r, a)) => (Some(r), Some(a)),
                None => (None, None),
            },
            _ => (None, None),
        };
        let (Some(res), Some(attr)) = (res, attr) else { return Kind::Any };
        let Some(Some(type_name)) = self.resources.get(res) else { return Kind::Any };
        if *type_name == "AWS::CloudFormation::Stack" && attr.starts_with("Outputs.") {
            return Kind::Scalar;
        }
        match crate::schema::get(type_name).and_then(|s| attribute_type(&s.json, attr)) {
            Some(t) if t == "array" => Kind::List,
            Some(t) if t == "object" => Kind::Any,
            Some(_) => Kind::Scalar,
            None => Kind::Any,
        }
    }

    /// What function `name` with `args` resolves to.
    pub(crate) fn kind(&self, name: &str, args: &Value) -> Kind {
        match name {
            "Ref" => args.as_str().map_or(Kind::Any, |n| self.ref_kind(n)),
            "Fn::GetAtt" => self.getatt_kind(args),
            "Fn::Sub" | "Fn::Join" | "Fn::Base64" | "Fn::ImportValue" | "Fn::Length" | "Fn::ToJsonString"
            | "Fn::GetStackOutput" => Kind::Scalar,
            "Fn::GetAZs" | "Fn::Split" | "Fn::Cidr" => Kind::List,
            "Fn::Select" => match args.as_array().and_then(|l| l.get(1)).and_then(as_function) {
                Some(("Fn::GetAZs" | "Fn::Split" | "Fn::Cidr", _)) => Kind::Scalar,
                Some(("Ref", Value::String(p))) if self.parameter_is_list(p) => Kind::Scalar,
                _ => Kind::Any,
            },
            "Fn::FindInMap" => self.findinmap_kind(args),
            _ => Kind::Any,
        }
    }

    /// Candidates of a FindInMap with a literal map name and second-level key.
    fn findinmap_kind(&self, args: &Value) -> Kind {
        let Some([Value::String(map), _, Value::String(second)]) = args.as_array().map(Vec::as_slice) else {
            return Kind::Any;
        };
        let Some(m) = self.mappings.and_then(|m| m.get(map)).and_then(Value::as_object) else {
            return Kind::Any;
        };
        let kinds: BTreeSet<&str> = m
            .values()
            .filter_map(|top| top.get(second))
            .map(|v| if v.is_array() { "list" } else { "scalar" })
            .collect();
        match kinds.into_iter().collect::<Vec<_>>().as_slice() {
            ["scalar"] => Kind::Scalar,
            ["list"] => Kind::List,
            _ => Kind::Any,
        }
    }

    /// The literal a FindInMap or Select resolves to, when its arguments are literal.
    fn resolve(&self, name: &str, args: &Value) -> Option<Value> {
        let l = args.as_array()?;
        match name {
            "Fn::FindInMap" if l.len() == 3 => {
                let v = self.mappings?.get(l[0].as_str()?)?.get(l[1].as_str()?)?.get(l[2].as_str()?)?;
                Some(v.clone())
            }
            "Fn::Select" if l.len() == 2 => {
                let i = match &l[0] {
                    Value::Number(n) => n.as_u64()?,
                    Value::String(s) => s.parse().ok()?,
                    _ => return None,
                };
                let item = l[1].as_array()?.get(usize::try_from(i).ok()?)?;
                // Only fully literal items resolve here; nested functions stay functions.
                (!contains_function(item)).then(|| item.clone())
            }
            _ => None,
        }
    }
}

fn contains_function(v: &Value) -> bool {
    as_function(v).is_some()
        || match v {
            Value::Array(l) => l.iter().any(contains_function),
            Value::Object(m) => m.values().any(contains_function),
            _ => false,
        }
}

/// The JSON Schema type of attribute `Endpoint.Address` in a registry schema.
pub(crate) fn attribute_type(schema: &Value, attr: &str) -> Option<String> {
    let mut node = schema;
    for part in attr.split('.') {
        node = crate::schema::deref(schema, node);
        node = node.get("properties")?.get(part)?;
    }
    let node = crate::schema::deref(schema, node);
    match node.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => ts.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// A boolean formula over `Fn::Equals` atoms.
#[derive(Debug)]
enum Formula {
    Const(bool),
    Atom(usize),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
}

impl Formula {
    fn eval(&self, atoms: &[bool]) -> bool {
        match self {
            Formula::Const(b) => *b,
            Formula::Atom(i) => atoms[*i],
            Formula::Not(f) => !f.eval(atoms),
            Formula::And(fs) => fs.iter().all(|f| f.eval(atoms)),
            Formula::Or(fs) => fs.iter().any(|f| f.eval(atoms)),
        }
    }
}

#[derive(Default)]
struct Atoms {
    keys: Vec<String>,
    /// For atoms `Ref P == literal`: (P, literal).
    param_eq: Vec<Option<(String, String)>>,
}

fn literal_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Ctx<'_> {
    fn formula(&self, v: &Value, atoms: &mut Atoms, depth: usize) -> Formula {
        if depth > 32 {
            return Formula::Const(true);
        }
        match as_function(v) {
            Some(("Condition", Value::String(name))) => match self.conditions.get(name.as_str()) {
                Some(def) => self.formula(def, atoms, depth + 1),
                None => Formula::Const(true),
            },
            Some(("Fn::Not", Value::Array(l))) if l.len() == 1 => {
                Formula::Not(Box::new(self.formula(&l[0], atoms, depth + 1)))
            }
            Some(("Fn::And", Value::Array(l))) => {
                Formula::And(l.iter().map(|x| self.formula(x, atoms, depth + 1)).collect())
            }
            Some(("Fn::Or", Value::Array(l))) => {
                Formula::Or(l.iter().map(|x| self.formula(x, atoms, depth + 1)).collect())
            }
            Some(("Fn::Equals", Value::Array(l))) if l.len() == 2 => {
                if let (Some(a), Some(b)) = (literal_text(&l[0]), literal_text(&l[1])) {
                    return Formula::Const(a == b);
                }
                let param_eq = match (as_function(&l[0]), as_function(&l[1])) {
                    (Some(("Ref", Value::String(p))), None) => literal_text(&l[1]).map(|v| (p.clone(), v)),
                    (None, Some(("Ref", Value::String(p)))) => literal_text(&l[0]).map(|v| (p.clone(), v)),
                    _ => None,
                };
                // A comparison with a value the parameter does not allow is always false.
                if let Some((p, v)) = &param_eq
                    && let Some(allowed) = self
                        .parameters
                        .get(p.as_str())
                        .and_then(|d| d.get("AllowedValues"))
                        .and_then(Value::as_array)
                    && !allowed.iter().filter_map(literal_text).any(|a| &a == v)
                {
                    return Formula::Const(false);
                }
                let mut pair = [l[0].to_string(), l[1].to_string()];
                pair.sort();
                let key = pair.join("==");
                let i = atoms.keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                    atoms.keys.push(key);
                    atoms.param_eq.push(param_eq);
                    atoms.keys.len() - 1
                });
                Formula::Atom(i)
            }
            _ => Formula::Const(true),
        }
    }

    /// Consistent truth assignments of `used` conditions, with `required` (the resource's
    /// own Condition) true.
    pub(crate) fn assignments(
        &self,
        used: &BTreeSet<String>,
        required: Option<&str>,
    ) -> Vec<HashMap<String, bool>> {
        if used.is_empty() {
            return vec![HashMap::new()];
        }
        let mut atoms = Atoms::default();
        let formulas: Vec<(String, Formula)> = used
            .iter()
            .map(|c| (c.clone(), self.formula(&Value::Object(cond_ref(c)), &mut atoms, 0)))
            .collect();
        let req = required.map(|c| self.formula(&Value::Object(cond_ref(c)), &mut atoms, 0));
        let n = atoms.keys.len();
        let mut out: Vec<HashMap<String, bool>> = Vec::new();
        if n <= 10 {
            let mut seen = BTreeSet::new();
            for bits in 0u32..(1 << n) {
                let values: Vec<bool> = (0..n).map(|i| bits & (1 << i) != 0).collect();
                if !consistent(&atoms, &values) || req.as_ref().is_some_and(|r| !r.eval(&values)) {
                    continue;
                }
                let vector: Vec<bool> = formulas.iter().map(|(_, f)| f.eval(&values)).collect();
                if seen.insert(vector.clone()) {
                    out.push(formulas.iter().map(|(c, _)| c.clone()).zip(vector).collect());
                    if out.len() >= MAX_VARIANTS {
                        break;
                    }
                }
            }
        }
        if out.is_empty() {
            // Too many atoms (or nothing satisfiable): every branch at least once.
            for b in [true, false] {
                out.push(used.iter().map(|c| (c.clone(), b)).collect());
            }
        }
        out
    }
}

fn cond_ref(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Condition".into(), Value::String(name.into()));
    m
}

fn consistent(atoms: &Atoms, values: &[bool]) -> bool {
    let mut chosen: HashMap<&str, &str> = HashMap::new();
    for (i, eq) in atoms.param_eq.iter().enumerate() {
        if let (true, Some((p, v))) = (values[i], eq)
            && let Some(prev) = chosen.insert(p, v)
            && prev != v
        {
            return false;
        }
    }
    true
}

/// Condition names used by `Fn::If` anywhere in `v`.
pub(crate) fn if_conditions(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(("Fn::If", Value::Array(l))) = as_function(v)
                && let Some(Value::String(c)) = l.first()
            {
                out.insert(c.clone());
            }
            m.values().for_each(|x| if_conditions(x, out));
        }
        Value::Array(l) => l.iter().for_each(|x| if_conditions(x, out)),
        _ => {}
    }
}

struct Builder<'c, 'a> {
    ctx: &'c Ctx<'a>,
    assignment: &'c HashMap<String, bool>,
    placeholders: HashMap<String, Placeholder>,
    translations: HashMap<String, String>,
}

impl Builder<'_, '_> {
    fn placeholder(&mut self, kind: Kind, function: &str, orig: &str, var: &str) -> Value {
        let marker = Value::String(format!("{MARK}{orig}"));
        self.placeholders.insert(
            var.to_string(),
            Placeholder { kind, function: function.to_string(), original: orig.to_string() },
        );
        if kind == Kind::List { Value::Array(vec![marker]) } else { marker }
    }

    /// The variant of `v` (template pointer `orig`, variant pointer `var`, both buffers that
    /// are restored on return); `None` removes it.
    fn walk(&mut self, v: &Value, orig: &mut String, var: &mut String, depth: usize) -> Option<Value> {
        if let Some((name, args)) = as_function(v) {
            match (name, args) {
                ("Ref", Value::String(s)) if s == "AWS::NoValue" => return None,
                ("Fn::If", Value::Array(l)) if l.len() == 3 && l[0].is_string() && depth < 64 => {
                    let cond = l[0].as_str().unwrap_or_default();
                    let idx = if self.assignment.get(cond).copied().unwrap_or(true) { 1 } else { 2 };
                    let len = orig.len();
                    orig.push_str(if idx == 1 { "/Fn::If/1" } else { "/Fn::If/2" });
                    self.translations.insert(var.clone(), orig.clone());
                    let out = self.walk(&l[idx], orig, var, depth + 1);
                    orig.truncate(len);
                    return out;
                }
                ("Fn::FindInMap" | "Fn::Select", _) => {
                    if let Some(resolved) = self.ctx.resolve(name, args) {
                        self.placeholders.insert(
                            var.clone(),
                            Placeholder {
                                kind: Kind::Resolved,
                                function: name.to_string(),
                                original: orig.clone(),
                            },
                        );
                        return Some(resolved);
                    }
                }
                _ => {}
            }
            let kind = self.ctx.kind(name, args);
            return Some(self.placeholder(kind, name, orig, var));
        }
        let (olen, vlen) = (orig.len(), var.len());
        match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, child) in m {
                    let t = escape_token(k);
                    orig.push('/');
                    orig.push_str(&t);
                    var.push('/');
                    var.push_str(&t);
                    if let Some(c) = self.walk(child, orig, var, depth + 1) {
                        out.insert(k.clone(), c);
                    }
                    orig.truncate(olen);
                    var.truncate(vlen);
                }
                Some(Value::Object(out))
            }
            Value::Array(items) => {
                use std::fmt::Write as _;
                let mut out = Vec::with_capacity(items.len());
                for (i, child) in items.iter().enumerate() {
                    let _ = write!(orig, "/{i}");
                    let _ = write!(var, "/{}", out.len());
                    let shifted = out.len() != i;
                    if shifted {
                        self.translations.insert(var.clone(), orig.clone());
                    }
                    match self.walk(child, orig, var, depth + 1) {
                        Some(c) => out.push(c),
                        None if shifted => {
                            self.translations.remove(var.as_str());
                        }
                        None => {}
                    }
                    orig.truncate(olen);
                    var.truncate(vlen);
                }
                Some(Value::Array(out))
            }
            other => Some(other.clone()),
        }
    }
}

impl Ctx<'_> {
    /// The variant of `value` (found at template pointer `base`) under `assignment`;
    /// `None` when the whole value is `AWS::NoValue`.
    pub(crate) fn variant(
        &self,
        value: &Value,
        base: &str,
        assignment: &HashMap<String, bool>,
    ) -> Option<Variant> {
        let mut b =
            Builder { ctx: self, assignment, placeholders: HashMap::new(), translations: HashMap::new() };
        b.translations.insert(String::new(), base.to_string());
        let value = b.walk(value, &mut base.to_string(), &mut String::new(), 0)?;
        Some(Variant { value, placeholders: b.placeholders, translations: b.translations })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn toks(p: &str) -> Vec<String> {
        crate::reader::pointer_tokens(p).collect()
    }

    #[test]
    fn variants_pick_branches_remove_novalue_and_place_holders() {
        let t = json!({
            "Parameters": {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}, "Env": {"Type": "String"}},
            "Conditions": {"P": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {"B": {"Type": "AWS::S3::Bucket"}}
        });
        let ctx = Ctx::new(&t);
        let props = json!({
            "A": {"Fn::If": ["P", {"Ref": "Env"}, {"Ref": "AWS::NoValue"}]},
            "L": ["x", {"Ref": "AWS::NoValue"}, {"Ref": "Subnets"}, {"Fn::GetAtt": ["B", "Arn"]}],
        });
        let mut a = HashMap::new();
        a.insert("P".to_string(), false);
        let v = ctx.variant(&props, "/Resources/R/Properties", &a).unwrap();
        assert!(v.value.get("A").is_none());
        let l = v.value["L"].as_array().unwrap();
        assert_eq!(l.len(), 3);
        assert!(l[1].is_array(), "a List parameter becomes a list placeholder");
        assert_eq!(v.translate(&toks("/L/1")), "/Resources/R/Properties/L/2");
        assert_eq!(v.translate(&toks("/L/2")), "/Resources/R/Properties/L/3");
        let (p, exact) = v.placeholder(&toks("/L/2")).unwrap();
        assert!(exact);
        assert_eq!(p.kind, Kind::Scalar);
        a.insert("P".to_string(), true);
        let v = ctx.variant(&props, "/Resources/R/Properties", &a).unwrap();
        assert_eq!(v.translate(&toks("/A")), "/Resources/R/Properties/A/Fn::If/1");
    }

    #[test]
    fn assignments_are_consistent() {
        let t = json!({
            "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "IsDev": {"Fn::Equals": ["dev", {"Ref": "Env"}]},
                "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
                "IsTest": {"Fn::Equals": [{"Ref": "Env"}, "test"]}
            }
        });
        let ctx = Ctx::new(&t);
        let used: BTreeSet<String> =
            ["IsProd", "IsDev", "NotProd", "IsTest"].iter().map(|s| s.to_string()).collect();
        let all = ctx.assignments(&used, None);
        for a in &all {
            assert!(!(a["IsProd"] && a["IsDev"]));
            assert_eq!(a["NotProd"], !a["IsProd"]);
            assert!(!a["IsTest"], "test is not an allowed value");
        }
        assert_eq!(all.len(), 3);
        let only_prod = ctx.assignments(&used, Some("IsProd"));
        assert!(only_prod.iter().all(|a| a["IsProd"]));
    }

    #[test]
    fn getatt_kinds_come_from_attribute_schemas() {
        let t = json!({"Resources": {"V": {"Type": "AWS::EC2::VPC"}, "S": {"Type": "AWS::CloudFormation::Stack"}}});
        let ctx = Ctx::new(&t);
        assert_eq!(ctx.kind("Fn::GetAtt", &json!(["V", "CidrBlock"])), Kind::Scalar);
        assert_eq!(ctx.kind("Fn::GetAtt", &json!(["V", "CidrBlockAssociations"])), Kind::List);
        assert_eq!(ctx.kind("Fn::GetAtt", &json!("S.Outputs.X")), Kind::Scalar);
        assert_eq!(ctx.kind("Fn::Split", &json!([",", "a"])), Kind::List);
        assert_eq!(ctx.kind("Fn::Select", &json!([0, {"Fn::GetAZs": ""}])), Kind::Scalar);
    }
}
