//! cfn-lint's constraint data: the extension schemas of `schema/extensions/` (and a few of
//! `schema/other/`), applied where cfn-lint applies them (`schema/extension-rules.json`, read
//! from cfn-lint's rule classes by `scripts/refresh-schemas`).
//!
//! Each rule names template paths (`Resources/AWS::Lambda::Function/Properties`,
//! `.../BlockDeviceMappings/*/Ebs`) and a JSON Schema, mostly `if`/`then` constraints between
//! properties ("a Timeout over 900 needs CapacityProviderConfig"). The schema is evaluated
//! here, on each variant of a resource's properties (see [`super::intrinsics`]), with
//! three-valued logic: a value an intrinsic function computes is *unknown*, and so is any
//! keyword applied to it; `if` on an unknown condition applies neither branch, `not` of
//! unknown is unknown, and only definite violations are reported. Schemas keyed by region
//! (instance types from the pricing API) accept a value valid in any region.
//!
//! Findings: CFN6001 (cfn-lint error rules), CFN6002 (warning rules);
//! the message names the cfn-lint rule. Rules cfnc does not apply are listed in
//! [`NOT_APPLIED`] with the reason.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::Sink;
use super::intrinsics::{Kind, MARK, Variant};
use super::schema::{converts, format_ok, same_converted, short, unjudged};

/// One cfn-lint rule that applies an extension schema (see `schema/extension-rules.json`).
#[derive(Debug, Deserialize)]
pub(crate) struct Rule {
    pub id: String,
    pub shortdesc: String,
    #[allow(dead_code, reason = "documents the rule; shown by docs/rules.md")]
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub schema: String,
    pub regional: bool,
    pub all_matches: bool,
    /// Top-level properties the rule compares in lower case (RDS `Engine`).
    #[serde(default)]
    pub lowercase: Vec<String>,
    /// The rule does not look through intrinsic functions, not even `Fn::If` branches.
    #[serde(default)]
    pub no_functions: bool,
    /// Other schema files the rule's `$ref`s name by `$id` (`policy#/definitions/Action`):
    /// the IAM policy rules. A policy document given as a JSON string is parsed first.
    #[serde(default)]
    pub refs: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RuleFile {
    list: Vec<Rule>,
}

/// Where cfnc's own rules check what an extension rule checks: (type, path below
/// `Properties`). cfnc's IAM policy rules (CFN5002-CFN5006, CFN5011) cover these policy
/// documents; cfn-lint's policy schemas apply to the others (SQS queue policies, ECR
/// repository policies, IAM group/user policies, OpenSearch access policies, ...).
pub(crate) const CHECKED_BY_CFNC: &[(&str, &str)] = &[
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::IAM::Role", "Policies/*/PolicyDocument"),
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
];

/// cfn-lint rules whose data cfnc does not apply, and why.
pub(crate) const NOT_APPLIED: &[(&str, &str)] = &[
    (
        "E3615",
        "alarm periods: CFN5001 checks them, and also allows 20 s (CloudWatch accepts it for high-resolution alarms; cfn-lint's data omits it)",
    ),
    ("E3724", "SAM `Globals`: cfnc does not expand the SAM transform"),
    (
        "I3013",
        "informational (an explicit retention period on resources whose content expires): cfn-lint reports it only when asked to (`--include-checks I`)",
    ),
];

/// The extension rules, parsed once.
pub(crate) fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let text =
            crate::schema::data_file("extension-rules.json").expect("the store holds extension-rules.json");
        let file: RuleFile =
            serde_json::from_str(&text).expect("schema/extension-rules.json is valid (tested)");
        file.list
    })
}

/// An extension schema as loaded: `then`/`else` subschemas (and, in a schema keyed by
/// region, each region's schema) stay unparsed text until first used. cfn-lint's largest
/// constraint files (RDS instance classes, 9 MB) hold thousands of `if`/`then` pairs of which
/// a template needs a few: parsing only those keeps a template with an RDS instance at a few
/// milliseconds and megabytes instead of hundreds.
pub(crate) struct Schema {
    root: Value,
    /// The deferred parts; `root` holds [`LAZY`]`<index>` strings in their place.
    lazy: Vec<(Box<RawValue>, OnceLock<Value>)>,
}

/// Marker prefix of a deferred subschema (never in a schema: starts with U+0002).
const LAZY: &str = "\u{2}cfnc-lazy:";

impl Schema {
    fn parse(text: &str, regional: bool) -> Option<Schema> {
        let lazy = RefCell::new(Vec::new());
        let mut de = serde_json::Deserializer::from_str(text);
        let mut root = Deferring { lazy: &lazy, top: regional }.deserialize(&mut de).ok()?;
        de.end().ok()?;
        crate::schema::patch_patterns(&mut root);
        let lazy = lazy.into_inner().into_iter().map(|raw| (raw, OnceLock::new())).collect();
        Some(Schema { root, lazy })
    }

    /// `v`, or the subschema it stands for when it is a deferred one (parsed now).
    fn node<'s>(&'s self, v: &'s Value) -> &'s Value {
        static INVALID: Value = Value::Bool(true);
        let Some(i) = v.as_str().and_then(|s| s.strip_prefix(LAZY)).and_then(|i| i.parse::<usize>().ok())
        else {
            return v;
        };
        let Some((raw, cell)) = self.lazy.get(i) else { return &INVALID };
        cell.get_or_init(|| {
            // Deferred parts hold no further deferred parts (`then` inside `then` is parsed).
            let mut v: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Bool(true));
            crate::schema::patch_patterns(&mut v);
            v
        })
    }
}

/// Builds a `Value`, keeping the values of `then`/`else` keys (and, with `top`, of the root
/// object's keys) as raw text in `lazy`.
struct Deferring<'l> {
    lazy: &'l RefCell<Vec<Box<RawValue>>>,
    top: bool,
}

impl Deferring<'_> {
    fn defer(&self, raw: Box<RawValue>) -> Value {
        let mut lazy = self.lazy.borrow_mut();
        lazy.push(raw);
        Value::String(format!("{LAZY}{}", lazy.len() - 1))
    }
}

impl<'de> DeserializeSeed<'de> for Deferring<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Deferring<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON schema")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Deferring { lazy: self.lazy, top: false })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = if self.top || key == "then" || key == "else" {
                self.defer(map.next_value::<Box<RawValue>>()?)
            } else {
                map.next_value_seed(Deferring { lazy: self.lazy, top: false })?
            };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A schema file another one `$ref`s by `$id` (see [`Rule::refs`]), loaded on first use.
fn referenced(path: &str) -> Option<&'static Schema> {
    static LOADED: std::sync::Mutex<Vec<(String, &'static Schema)>> = std::sync::Mutex::new(Vec::new());
    let mut loaded = LOADED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, s)) = loaded.iter().find(|(p, _)| p == path) {
        return Some(s);
    }
    // Bounded: the rules name one such file (`other/iam/policy.json`).
    let schema: &'static Schema =
        Box::leak(Box::new(Schema::parse(&crate::schema::data_file(path)?, false)?));
    loaded.push((path.to_string(), schema));
    Some(schema)
}

/// The schema of rule `i`, loaded on first use.
fn schema(i: usize) -> Option<&'static Schema> {
    static SCHEMAS: OnceLock<Vec<OnceLock<Option<Schema>>>> = OnceLock::new();
    let cells = SCHEMAS.get_or_init(|| rules().iter().map(|_| OnceLock::new()).collect());
    cells[i]
        .get_or_init(|| {
            let rule = &rules()[i];
            Schema::parse(&crate::schema::data_file(&rule.schema)?, rule.regional)
        })
        .as_ref()
}

/// How cfnc treats each of cfn-lint's data-driven rules, as Markdown rows
/// (`| cfn-lint rule | what | in cfnc |`), for docs/rules.md.
pub(crate) fn coverage_rows() -> String {
    let mut out = String::new();
    for rule in rules() {
        let resource_paths = rule
            .keywords
            .iter()
            .filter(|k| k.starts_with("Resources/AWS::") || k.starts_with("Resources/Alexa::"));
        let status = if let Some((_, why)) = NOT_APPLIED.iter().find(|(id, _)| *id == rule.id) {
            format!("not applied: {why}")
        } else if resource_paths.clone().next().is_none() {
            "not applied: template structure, which cfnc checks with its own rules (CFN1xxx, CFN2xxx)"
                .to_string()
        } else if crate::schema::data_file(&rule.schema)
            .is_some_and(|t| UNSUPPORTED.iter().any(|k| t.contains(&format!("\"{k}\""))))
        {
            "not evaluated: compares values of other resources (cfn-lint's `cfnGather`/`$data`), which cfnc's evaluator does not do".to_string()
        } else {
            let own: Vec<String> = resource_paths
                .filter_map(|k| {
                    let mut parts = k.splitn(4, '/').skip(1);
                    let (t, _, path) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
                    CHECKED_BY_CFNC
                        .iter()
                        .any(|(ct, cp)| *ct == t && *cp == path)
                        .then(|| format!("{t}.{path}"))
                })
                .collect();
            let code = code(&rule.id);
            if own.is_empty() {
                format!("applied ({code})")
            } else {
                format!("applied ({code}), except to {} (CFN5002-CFN5006 check those)", own.join(", "))
            }
        };
        out.push_str(&format!(
            "| {} | {} | `{}` | {} |\n",
            rule.id,
            rule.shortdesc.replace('|', "\\|"),
            rule.schema,
            status.replace('|', "\\|")
        ));
    }
    out
}

/// The rules that apply to properties of `type_name`: (rule index, path below `Properties`).
fn rules_for(type_name: &str) -> Vec<(usize, Vec<&'static str>)> {
    let mut out = Vec::new();
    for (i, rule) in rules().iter().enumerate() {
        if NOT_APPLIED.iter().any(|(id, _)| *id == rule.id) {
            continue;
        }
        for k in &rule.keywords {
            let mut parts = k.split('/');
            if parts.next() == Some("Resources")
                && parts.next() == Some(type_name)
                && parts.next() == Some("Properties")
            {
                let path: Vec<&str> = parts.collect();
                let own = CHECKED_BY_CFNC.iter().any(|(t, p)| *t == type_name && *p == path.join("/"));
                if !own {
                    out.push((i, path));
                }
            }
        }
    }
    out
}

fn code(id: &str) -> &'static str {
    if id.starts_with('W') { "CFN6002" } else { "CFN6001" }
}

/// Applies every extension rule of `type_name` to one variant of a resource's properties.
pub(crate) fn check(type_name: &str, variant: &Variant, sink: &mut Sink) {
    for (i, path) in rules_for(type_name) {
        let Some(schema) = schema(i) else { continue };
        let rule = &rules()[i];
        let mut targets = Vec::new();
        locate(&variant.value, &path, &mut Vec::new(), &mut targets);
        for (at, instance) in targets {
            let lowered = lowercase(instance, &rule.lowercase);
            let mut instance = lowered.as_ref().unwrap_or(instance);
            // A policy document written as a JSON string: its parsed content, findings at the
            // string.
            let parsed: Option<Value> = match instance {
                Value::String(s) if !rule.refs.is_empty() && !s.starts_with(MARK) => {
                    match serde_json::from_str::<Value>(s) {
                        Ok(v) => Some(v),
                        Err(_) => continue,
                    }
                }
                _ => None,
            };
            if let Some(p) = &parsed {
                instance = p;
            }
            let eval = Eval {
                schema,
                refs: &rule.refs,
                root: &schema.root,
                variant,
                no_functions: rule.no_functions,
                quiet: false,
            };
            let mut errors = if rule.regional {
                regional(&eval, instance, &at)
            } else {
                eval.run(&schema.root, instance, &at)
            };
            if parsed.is_some() {
                for e in &mut errors {
                    e.at.truncate(at.len());
                }
            }
            let shown = if rule.all_matches { errors.len() } else { errors.len().min(1) };
            for e in errors.into_iter().take(shown) {
                let pointer = variant.translate(&e.at);
                sink.push(
                    code(&rule.id),
                    pointer,
                    format!("{} ({}; cfn-lint {})", e.message, rule.shortdesc, rule.id),
                );
            }
        }
    }
}

/// `instance` with the string values of `keys` in lower case, when there are any.
fn lowercase(instance: &Value, keys: &[String]) -> Option<Value> {
    let m = instance.as_object()?;
    if !keys.iter().any(|k| m.get(k).is_some_and(Value::is_string)) {
        return None;
    }
    let mut out = m.clone();
    for k in keys {
        if let Some(Value::String(s)) = out.get_mut(k)
            && !s.starts_with(MARK)
        {
            *s = s.to_lowercase();
        }
    }
    Some(Value::Object(out))
}

/// The values at `path` (`*` = every item of a list) below `value`, with their tokens.
fn locate<'v>(
    value: &'v Value,
    path: &[&str],
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'v Value)>,
) {
    let Some((first, rest)) = path.split_first() else {
        out.push((at.clone(), value));
        return;
    };
    match (*first, value) {
        ("*", Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                locate(item, rest, at, out);
                at.pop();
            }
        }
        (key, Value::Object(m)) => {
            if let Some(child) = m.get(key) {
                at.push(key.to_string());
                locate(child, rest, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// A schema keyed by region: the value is accepted when some region accepts it (or cannot
/// tell); otherwise us-east-1's errors are reported.
fn regional(eval: &Eval<'_>, instance: &Value, at: &[String]) -> Vec<Error> {
    let Some(regions) = eval.root.as_object() else { return Vec::new() };
    // Keys are region names (`us-east-1`, `us-gov-west-1`); others (`description`, `all`) are not.
    let is_region = |r: &str| {
        let parts: Vec<&str> = r.split('-').collect();
        parts.len() >= 3 && parts.last().is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
    };
    // us-east-1 first: a value valid there needs no other region parsed.
    let mut order: Vec<(&String, &Value)> = regions.iter().filter(|(r, _)| is_region(r)).collect();
    order.sort_by_key(|(r, _)| r.as_str() != "us-east-1");
    let mut first: Option<Vec<Error>> = None;
    for (_, s) in order {
        let s = eval.schema.node(s);
        if !s.is_object() {
            continue;
        }
        let eval = Eval { root: s, ..*eval };
        match eval.eval(s, instance, &mut at.to_vec(), 0) {
            Out::Invalid(errors) => {
                first.get_or_insert(errors);
            }
            _ => return Vec::new(),
        }
    }
    let mut errors = first.unwrap_or_default();
    for e in &mut errors {
        e.message.push_str(" in any region");
    }
    errors
}

/// One definite violation.
#[derive(Debug)]
struct Error {
    at: Vec<String>,
    message: String,
}

/// The outcome of a (sub)schema on a value.
#[derive(Debug)]
enum Out {
    Valid,
    /// Depends on a value only known at deploy time.
    Unknown,
    Invalid(Vec<Error>),
}

impl Out {
    fn first_message(&self) -> Option<&str> {
        match self {
            Out::Invalid(e) => e.first().map(|e| e.message.as_str()),
            _ => None,
        }
    }
}

/// Combines the outcomes of keywords that all must hold.
fn all(outs: impl IntoIterator<Item = Out>) -> Out {
    let mut errors = Vec::new();
    let mut unknown = false;
    for o in outs {
        match o {
            Out::Valid => {}
            Out::Unknown => unknown = true,
            Out::Invalid(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        Out::Invalid(errors)
    } else if unknown {
        Out::Unknown
    } else {
        Out::Valid
    }
}

/// Keywords that assert something cfnc cannot evaluate (cfn-lint's cross-resource gathering
/// and context lookups): a schema holding one is unknown.
const UNSUPPORTED: &[&str] = &["cfnGather", "cfnContext", "$data", "$lookup", "dynamicValidation"];

/// Most `$ref`/nesting levels followed.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Copy)]
struct Eval<'a> {
    schema: &'a Schema,
    /// `$id` -> schema file, for `$ref`s to other files.
    refs: &'a std::collections::BTreeMap<String, String>,
    /// The schema `$ref`s resolve in (a region's, in a schema keyed by region).
    root: &'a Value,
    variant: &'a Variant,
    /// Values written with `Fn::If` count as unknown too (see [`Rule::no_functions`]).
    no_functions: bool,
    /// Only validity matters (an `if` condition, a `not`): messages are not written.
    quiet: bool,
}

thread_local! {
    static REGEXES: RefCell<HashMap<String, Option<fancy_regex::Regex>>> = RefCell::new(HashMap::new());
}

fn matches(pattern: &str, s: &str) -> Option<bool> {
    REGEXES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let re = cache.entry(pattern.to_string()).or_insert_with(|| fancy_regex::Regex::new(pattern).ok());
        re.as_ref().and_then(|re| re.is_match(s).ok())
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn limit(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

impl Eval<'_> {
    fn fail(&self, at: &[String], message: impl FnOnce() -> String) -> Out {
        let message = if self.quiet { String::new() } else { message() };
        Out::Invalid(vec![Error { at: at.to_vec(), message }])
    }

    fn quiet(&self) -> Self {
        Eval { quiet: true, ..*self }
    }

    fn run(&self, schema: &Value, instance: &Value, at: &[String]) -> Vec<Error> {
        match self.eval(schema, instance, &mut at.to_vec(), 0) {
            Out::Invalid(e) => e,
            _ => Vec::new(),
        }
    }

    /// What an intrinsic function stands for at `at`, when the value there is one.
    fn unknown_kind(&self, instance: &Value, at: &[String]) -> Option<Kind> {
        if let Value::String(s) = instance
            && s.starts_with(MARK)
        {
            return Some(self.variant.placeholder(at).map_or(Kind::Any, |(p, _)| p.kind));
        }
        match self.variant.placeholder(at) {
            Some((p, true)) if p.kind == Kind::List && instance.is_array() => Some(Kind::List),
            Some((p, _)) if self.no_functions && p.kind == Kind::Resolved => Some(Kind::Any),
            _ if self.no_functions && self.variant.translate(at).contains("/Fn::If/") => Some(Kind::Any),
            _ => None,
        }
    }

    fn eval(&self, schema: &Value, instance: &Value, at: &mut Vec<String>, depth: usize) -> Out {
        let m = match schema {
            Value::Bool(true) => return Out::Valid,
            Value::Bool(false) => {
                return self.fail(at, || format!("{} is not allowed here", short(instance)));
            }
            Value::Object(m) => m,
            _ => return Out::Valid,
        };
        if depth > MAX_DEPTH || m.keys().any(|k| UNSUPPORTED.contains(&k.as_str())) {
            return Out::Unknown;
        }
        let unknown = self.unknown_kind(instance, at);
        let mut outs = Vec::new();
        for (key, arg) in m {
            let out = match key.as_str() {
                "$ref" => match arg.as_str().and_then(|r| r.split_once('#')) {
                    Some(("", p)) => match self.root.pointer(p) {
                        Some(target) => self.eval(target, instance, at, depth + 1),
                        None => Out::Unknown,
                    },
                    Some((id, p)) => match self.refs.get(id).and_then(|path| referenced(path)) {
                        Some(other) => match other.root.pointer(p) {
                            Some(target) => Eval { schema: other, root: &other.root, ..*self }.eval(
                                target,
                                instance,
                                at,
                                depth + 1,
                            ),
                            None => Out::Unknown,
                        },
                        None => Out::Unknown,
                    },
                    None => Out::Unknown,
                },
                "allOf" => {
                    all(arg.as_array().into_iter().flatten().map(|s| self.eval(s, instance, at, depth + 1)))
                }
                "anyOf" | "oneOf" => self.alternatives(key == "oneOf", arg, instance, at, depth),
                "not" => match self.quiet().eval(arg, instance, at, depth + 1) {
                    Out::Valid => self.fail(at, || format!("{} is not allowed here", short(instance))),
                    Out::Invalid(_) => Out::Valid,
                    Out::Unknown => Out::Unknown,
                },
                "if" => match self.quiet().eval(arg, instance, at, depth + 1) {
                    Out::Valid => m
                        .get("then")
                        .map_or(Out::Valid, |t| self.eval(self.schema.node(t), instance, at, depth + 1)),
                    Out::Invalid(_) => m
                        .get("else")
                        .map_or(Out::Valid, |e| self.eval(self.schema.node(e), instance, at, depth + 1)),
                    Out::Unknown => Out::Unknown,
                },
                _ if unknown.is_some() => self.on_unknown(key, arg, unknown.unwrap_or(Kind::Any)),
                _ => self.keyword(m, key, arg, instance, at, depth),
            };
            // Only validity matters: the first violation decides (and spares compiling the
            // patterns of the keywords after it).
            if self.quiet && matches!(out, Out::Invalid(_)) {
                return out;
            }
            outs.push(out);
        }
        all(outs)
    }

    fn alternatives(
        &self,
        one: bool,
        arg: &Value,
        instance: &Value,
        at: &mut Vec<String>,
        depth: usize,
    ) -> Out {
        let outs: Vec<Out> =
            arg.as_array().into_iter().flatten().map(|s| self.eval(s, instance, at, depth + 1)).collect();
        let valid = outs.iter().filter(|o| matches!(o, Out::Valid)).count();
        let unknown = outs.iter().any(|o| matches!(o, Out::Unknown));
        if one && valid > 1 {
            return self.fail(at, || {
                format!("{} matches more than one of the exclusive alternatives", short(instance))
            });
        }
        if (valid == 1 && !unknown) || (!one && valid > 0) {
            return Out::Valid;
        }
        if unknown {
            return Out::Unknown;
        }
        let firsts: Vec<&str> = outs.iter().filter_map(Out::first_message).take(4).collect();
        self.fail(at, || {
            format!("{} matches none of the alternatives ({})", short(instance), firsts.join("; "))
        })
    }

    /// A keyword on a value an intrinsic function computes: only `type` can be judged.
    fn on_unknown(&self, key: &str, arg: &Value, kind: Kind) -> Out {
        match key {
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    other => strings(other),
                };
                match kind {
                    Kind::Scalar | Kind::List if kind.satisfies(&types) => Out::Valid,
                    Kind::Scalar | Kind::List => Out::Unknown,
                    _ => Out::Unknown,
                }
            }
            "description" | "default" | "title" | "$comment" | "examples" | "definitions" | "then"
            | "else" => Out::Valid,
            _ => Out::Unknown,
        }
    }

    fn keyword(
        &self,
        m: &Map<String, Value>,
        key: &str,
        arg: &Value,
        instance: &Value,
        at: &mut Vec<String>,
        depth: usize,
    ) -> Out {
        let dynamic = instance.as_str().is_some_and(unjudged);
        let v = || short(instance);
        match key {
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    other => strings(other),
                };
                let ok = types.iter().any(|t| match (*t, instance) {
                    ("string", Value::String(_))
                    | ("object", Value::Object(_))
                    | ("array", Value::Array(_))
                    | ("boolean", Value::Bool(_))
                    | ("null", Value::Null)
                    | ("number", Value::Number(_)) => true,
                    ("integer", Value::Number(n)) => {
                        n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
                    }
                    _ => false,
                }) || converts(instance, &types);
                if ok {
                    Out::Valid
                } else {
                    self.fail(at, || format!("{} is not of type {}", v(), types.join(" or ")))
                }
            }
            "enum" if dynamic => Out::Unknown,
            "enum" => {
                let options = arg.as_array().map(Vec::as_slice).unwrap_or_default();
                if options.iter().any(|o| o == instance || same_converted(instance, o)) {
                    Out::Valid
                } else {
                    self.fail(at, || format!("{} is not one of {}", v(), short(arg)))
                }
            }
            "const" if dynamic => Out::Unknown,
            "const" => {
                if arg.as_object().is_some_and(|o| o.contains_key("$data")) {
                    Out::Unknown
                } else if arg == instance || same_converted(instance, arg) {
                    Out::Valid
                } else {
                    self.fail(at, || format!("{} must be {}", v(), short(arg)))
                }
            }
            "pattern" => match (instance, arg.as_str()) {
                (Value::String(s), Some(p)) if !dynamic => match matches(p, s) {
                    Some(true) => Out::Valid,
                    Some(false) => self.fail(at, || format!("{} does not match the pattern `{p}`", v())),
                    None => Out::Unknown,
                },
                (Value::String(_), _) => Out::Unknown,
                _ => Out::Valid,
            },
            "format" => match (instance, arg.as_str()) {
                (Value::String(s), Some(f)) => match format_ok(f, s) {
                    Some(false) => self.fail(at, || format!("{} is not a valid {f}", v())),
                    _ => Out::Valid,
                },
                _ => Out::Valid,
            },
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
                let (Some(x), Some(l)) = (number(instance), arg.as_f64()) else { return Out::Valid };
                if instance.is_string() && dynamic {
                    return Out::Unknown;
                }
                let (ok, what) = match key {
                    "minimum" => (x >= l, "is less than the minimum"),
                    "maximum" => (x <= l, "is greater than the maximum"),
                    "exclusiveMinimum" => (x > l, "must be greater than"),
                    "exclusiveMaximum" => (x < l, "must be less than"),
                    _ => (l == 0.0 || (x / l).fract() == 0.0, "is not a multiple of"),
                };
                if ok { Out::Valid } else { self.fail(at, || format!("{} {what} {}", v(), limit(arg))) }
            }
            "minLength" | "maxLength" => {
                let (Value::String(s), Some(l)) = (instance, arg.as_u64()) else { return Out::Valid };
                if dynamic {
                    return Out::Unknown;
                }
                let n = s.chars().count() as u64;
                match key {
                    "minLength" if n < l => {
                        self.fail(at, || format!("{} is shorter than {l} characters", v()))
                    }
                    "maxLength" if n > l => {
                        self.fail(at, || format!("{} is longer than {l} characters", v()))
                    }
                    _ => Out::Valid,
                }
            }
            "minItems" | "maxItems" => {
                let (Value::Array(items), Some(l)) = (instance, arg.as_u64()) else { return Out::Valid };
                if self.has_list_placeholder(items, at) {
                    return Out::Unknown;
                }
                let n = items.len() as u64;
                match key {
                    "minItems" if n < l => self.fail(at, || format!("the list has fewer than {l} items")),
                    "maxItems" if n > l => self.fail(at, || format!("the list has more than {l} items")),
                    _ => Out::Valid,
                }
            }
            "uniqueItems" => {
                let Value::Array(items) = instance else { return Out::Valid };
                let dup = arg == &Value::Bool(true)
                    && items.iter().enumerate().any(|(i, x)| {
                        items[..i].contains(x) && !x.as_str().is_some_and(|s| s.starts_with(MARK))
                    });
                if dup { self.fail(at, || "the list holds duplicate items".to_string()) } else { Out::Valid }
            }
            "items" => {
                let Value::Array(items) = instance else { return Out::Valid };
                all(items.iter().enumerate().map(|(i, item)| {
                    at.push(i.to_string());
                    let o = self.eval(arg, item, at, depth + 1);
                    at.pop();
                    o
                }))
            }
            "contains" => {
                let Value::Array(items) = instance else { return Out::Valid };
                let mut unknown = self.has_list_placeholder(items, at);
                for (i, item) in items.iter().enumerate() {
                    at.push(i.to_string());
                    let o = self.eval(arg, item, at, depth + 1);
                    at.pop();
                    match o {
                        Out::Valid => return Out::Valid,
                        Out::Unknown => unknown = true,
                        Out::Invalid(_) => {}
                    }
                }
                if unknown {
                    Out::Unknown
                } else {
                    self.fail(at, || "no item of the list matches what is required".to_string())
                }
            }
            "required" => {
                let Value::Object(o) = instance else { return Out::Valid };
                let missing: Vec<&str> = strings(arg).into_iter().filter(|p| !o.contains_key(*p)).collect();
                if missing.is_empty() {
                    Out::Valid
                } else {
                    Out::Invalid(
                        missing
                            .into_iter()
                            .map(|p| Error {
                                at: at.clone(),
                                message: format!("missing required property `{p}`"),
                            })
                            .collect(),
                    )
                }
            }
            "properties" => {
                let (Value::Object(o), Some(props)) = (instance, arg.as_object()) else { return Out::Valid };
                let mut outs = Vec::new();
                for (name, s) in props {
                    let Some(child) = o.get(name) else { continue };
                    at.push(name.clone());
                    let out = self.eval(s, child, at, depth + 1);
                    at.pop();
                    if self.quiet && matches!(out, Out::Invalid(_)) {
                        return out;
                    }
                    outs.push(out);
                }
                all(outs)
            }
            "patternProperties" | "additionalProperties" => {
                self.other_properties(m, key, arg, instance, at, depth)
            }
            "propertyNames" => {
                let Value::Object(o) = instance else { return Out::Valid };
                all(o.keys().map(|k| {
                    at.push(k.clone());
                    let out = self.eval(arg, &Value::String(k.clone()), at, depth + 1);
                    at.pop();
                    out
                }))
            }
            "dependentRequired" | "dependentExcluded" => {
                let (Value::Object(o), Some(deps)) = (instance, arg.as_object()) else { return Out::Valid };
                let mut errors = Vec::new();
                for (p, others) in deps.iter().filter(|(p, _)| o.contains_key(p.as_str())) {
                    for other in strings(others) {
                        let present = o.contains_key(other);
                        if key == "dependentRequired" && !present {
                            errors.push(Error { at: at.clone(), message: format!("`{p}` needs `{other}`") });
                        } else if key == "dependentExcluded" && present {
                            let mut here = at.clone();
                            here.push(other.to_string());
                            errors.push(Error {
                                at: here,
                                message: format!("`{other}` cannot be used together with `{p}`"),
                            });
                        }
                    }
                }
                if errors.is_empty() { Out::Valid } else { Out::Invalid(errors) }
            }
            "requiredXor" | "requiredOr" => {
                let Value::Object(o) = instance else { return Out::Valid };
                let names = strings(arg);
                let n = names.iter().filter(|p| o.contains_key(**p)).count();
                let ok = if key == "requiredXor" { n == 1 } else { n >= 1 };
                let list = names.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
                if ok {
                    Out::Valid
                } else if key == "requiredXor" {
                    self.fail(at, || format!("exactly one of {list} is required"))
                } else {
                    self.fail(at, || format!("one of {list} is required"))
                }
            }
            // Applied by "if"; annotations.
            _ => Out::Valid,
        }
    }

    fn has_list_placeholder(&self, items: &[Value], at: &[String]) -> bool {
        items.iter().enumerate().any(|(i, x)| {
            x.as_str().is_some_and(|s| s.starts_with(MARK)) && {
                let mut here = at.to_vec();
                here.push(i.to_string());
                self.variant.placeholder(&here).is_some_and(|(p, _)| p.kind != Kind::Scalar)
            }
        })
    }

    fn other_properties(
        &self,
        m: &Map<String, Value>,
        key: &str,
        arg: &Value,
        instance: &Value,
        at: &mut Vec<String>,
        depth: usize,
    ) -> Out {
        let Value::Object(o) = instance else { return Out::Valid };
        let patterns: Vec<(&str, &Value)> = m
            .get("patternProperties")
            .and_then(Value::as_object)
            .map(|pp| pp.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default();
        let declared = m.get("properties").and_then(Value::as_object);
        let mut outs = Vec::new();
        for (name, child) in o {
            let matching: Vec<&Value> =
                patterns.iter().filter(|(p, _)| matches(p, name) == Some(true)).map(|(_, s)| *s).collect();
            at.push(name.clone());
            if key == "patternProperties" {
                outs.extend(matching.iter().map(|s| self.eval(s, child, at, depth + 1)));
            } else if matching.is_empty() && !declared.is_some_and(|d| d.contains_key(name)) {
                outs.push(match arg {
                    Value::Bool(false) => self.fail(at, || format!("property `{name}` is not allowed")),
                    other => self.eval(other, child, at, depth + 1),
                });
            }
            at.pop();
        }
        all(outs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(type_name: &str, props: Value) -> Vec<(&'static str, String, String)> {
        let t = json!({"Parameters": {"P": {"Type": "String"}}, "Resources": {"R": {"Type": type_name, "Properties": props.clone()}}});
        let ctx = super::super::intrinsics::Ctx::new(&t);
        let mut assignment = HashMap::new();
        assignment.insert("C".to_string(), false);
        let variant = ctx.variant(&props, "/Resources/R/Properties", &assignment).unwrap();
        let mut sink = Sink::default();
        check(type_name, &variant, &mut sink);
        sink.findings.into_iter().map(|f| (f.code, f.pointer, f.message)).collect()
    }

    #[test]
    fn every_rule_and_schema_loads() {
        assert!(rules().len() > 100, "{}", rules().len());
        for (i, r) in rules().iter().enumerate() {
            assert!(schema(i).is_some(), "{} {}", r.id, r.schema);
        }
        for (id, _) in NOT_APPLIED {
            assert!(rules().iter().any(|r| r.id == *id), "{id} is not an extension rule");
        }
    }

    #[test]
    fn if_then_constraints_apply_to_literals_only() {
        let over = run("AWS::Lambda::Function", json!({"Timeout": 1000}));
        assert_eq!(over.len(), 1, "{over:?}");
        assert_eq!(over[0].0, "CFN6001");
        assert_eq!(over[0].1, "/Resources/R/Properties/Timeout");
        assert!(
            over[0].2.contains("greater than the maximum 900") && over[0].2.contains("E3717"),
            "{}",
            over[0].2
        );
        assert!(
            run("AWS::Lambda::Function", json!({"Timeout": 1000, "CapacityProviderConfig": {}})).is_empty()
        );
        assert!(run("AWS::Lambda::Function", json!({"Timeout": {"Ref": "P"}})).is_empty());
        assert!(run("AWS::Lambda::Function", json!({"Timeout": "600"})).is_empty());
    }

    #[test]
    fn unknown_conditions_apply_no_branch() {
        // AccessControl from a parameter: the ownership rule cannot tell, so it says nothing.
        assert!(run("AWS::S3::Bucket", json!({"AccessControl": {"Ref": "P"}})).is_empty());
        let public = run("AWS::S3::Bucket", json!({"AccessControl": "PublicRead"}));
        assert_eq!(public.len(), 1, "{public:?}");
        assert!(public[0].2.contains("OwnershipControls"), "{public:?}");
        assert!(run("AWS::S3::Bucket", json!({"AccessControl": "Private"})).is_empty());
    }

    #[test]
    fn regional_enums_accept_a_value_of_any_region() {
        assert!(run("AWS::EC2::Instance", json!({"InstanceType": "t3.micro"})).is_empty());
        let typo = run("AWS::EC2::Instance", json!({"InstanceType": "t3.mirco"}));
        assert_eq!(typo.len(), 1, "{typo:?}");
        assert!(typo[0].2.contains("in any region"), "{}", typo[0].2);
        assert!(run("AWS::EC2::Instance", json!({"InstanceType": {"Ref": "P"}})).is_empty());
    }

    #[test]
    fn rds_engines_are_case_insensitive_and_if_branches_unknown_where_cfn_lint_says_so() {
        assert!(
            run("AWS::RDS::DBInstance", json!({"Engine": "MySQL", "DBInstanceClass": "db.t3.micro"}))
                .is_empty()
        );
        let wrong =
            run("AWS::RDS::DBInstance", json!({"Engine": "aurora-mysql", "DBInstanceClass": "db.m4.xlarge"}));
        assert!(wrong.iter().any(|f| f.2.contains("E3025")), "{wrong:?}");
        let branch = json!({"Engine": {"Fn::If": ["C", {"Ref": "P"}, "aurora-mysql"]}, "DBInstanceClass": "db.m4.xlarge"});
        assert!(!run("AWS::RDS::DBInstance", branch).iter().any(|f| f.2.contains("E3025")));
    }

    #[test]
    fn paths_with_stars_reach_list_items() {
        let bad = run(
            "AWS::EC2::Instance",
            json!({"BlockDeviceMappings": [{"DeviceName": "/dev/sdb", "VirtualName": "ephemeralA"}]}),
        );
        assert!(
            bad.iter().any(|f| f.1 == "/Resources/R/Properties/BlockDeviceMappings/0/VirtualName"),
            "{bad:?}"
        );
    }
}
