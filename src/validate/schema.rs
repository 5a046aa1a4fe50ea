//! Resource properties against the registry schemas, with the `jsonschema` crate.
//!
//! One validator per resource type, compiled on first use from a *validation schema* derived
//! from `crate::schema::get(type).json`: only the validation keywords are kept (handlers,
//! tagging and the like are dropped), read-only top-level properties are removed (they are
//! attributes, not inputs), `$schema` is dropped (the registry meta-schema URL is not a JSON
//! Schema draft; draft 7 is used), and `format` is kept only for `json` (the registry's other
//! formats, e.g. `AWS::EC2::VPC.Id`, are cfn-lint extensions). Patterns use `fancy-regex`
//! (the registry uses look-arounds); Python anchors were translated by `crate::schema`.
//! The registry keywords `requiredXor`, `requiredOr`, `dependentExcluded`,
//! `dependentRequired`, and cfn-lint's `enumCaseInsensitive` and `maxUniqueItems`, are custom
//! keywords implemented here.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, Keyword, PatternOptions, ValidationError, Validator};
use serde_json::{Map, Value};

use super::Sink;
use super::intrinsics::{Kind, MARK, Variant};

const KEEP: &[&str] = &[
    "type",
    "properties",
    "definitions",
    "required",
    "additionalProperties",
    "patternProperties",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "requiredXor",
    "requiredOr",
    "dependentExcluded",
    "dependentRequired",
    "dependencies",
    "minProperties",
    "maxProperties",
    "propertyNames",
];

/// The validation schema of a registry schema (see the module docs).
pub(crate) fn validation_schema(registry: &Value, read_only: &[String]) -> Value {
    let mut out = Map::new();
    if let Some(m) = registry.as_object() {
        for (k, v) in m {
            if KEEP.contains(&k.as_str()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out.entry("type").or_insert_with(|| Value::String("object".into()));
    let mut removed = Map::new();
    if let Some(Value::Object(props)) = out.get_mut("properties") {
        for p in read_only {
            if let Some(name) = p.strip_prefix("/properties/")
                && !name.contains('/')
                && let Some(node) = props.remove(name)
            {
                removed.insert(format!("#/properties/{name}"), node);
            }
        }
    }
    let mut v = Value::Object(out);
    // A property may reuse a read-only one's schema (`$ref: #/properties/Arn`): inline it.
    if !removed.is_empty() {
        inline_refs(&mut v, &removed, 0);
    }
    strip_formats(&mut v);
    v
}

fn inline_refs(v: &mut Value, removed: &Map<String, Value>, depth: usize) {
    match v {
        Value::Object(m) => {
            if let Some(target) = m.get("$ref").and_then(Value::as_str).and_then(|r| removed.get(r))
                && depth < 16
            {
                let target = target.clone();
                m.remove("$ref");
                for (k, x) in target.as_object().into_iter().flatten() {
                    m.entry(k.clone()).or_insert_with(|| x.clone());
                }
            }
            m.values_mut().for_each(|x| inline_refs(x, removed, depth + 1));
        }
        Value::Array(l) => l.iter_mut().for_each(|x| inline_refs(x, removed, depth + 1)),
        _ => {}
    }
}

/// Removes the `pattern`s (and replaces the `patternProperties` keys) that the validator cannot
/// compile even after the load-time patches of `crate::schema::patch_pattern`: a few registry
/// patterns use regex features only Python has (a quantified look-ahead, `(?s)` inside the
/// pattern). Dropping them checks less, never more. Only used for a schema that does not
/// compile as it is; the `every_registry_schema_compiles` test lists the types it concerns.
fn drop_bad_patterns(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("pattern").and_then(Value::as_str).is_some_and(|p| !pattern_compiles(p)) {
                m.remove("pattern");
            }
            if let Some(Value::Object(pp)) = m.get_mut("patternProperties")
                && pp.keys().any(|k| !pattern_compiles(k))
            {
                let old = std::mem::take(pp);
                for (k, x) in old {
                    let key = if pattern_compiles(&k) { k } else { ".*".to_string() };
                    pp.entry(key).or_insert(x);
                }
            }
            m.values_mut().for_each(drop_bad_patterns);
        }
        Value::Array(l) => l.iter_mut().for_each(drop_bad_patterns),
        _ => {}
    }
}

fn pattern_compiles(p: &str) -> bool {
    build(&serde_json::json!({ "pattern": p })).is_ok()
}

/// Formats cfnc checks: `json`, CIDR networks, and the identifier formats the registry
/// schemas name (patterns as cfn-lint defines them, `cfnlint/rules/formats/`, MIT-0).
const ARN: &str = "^arn:aws[a-zA-Z-]*:";
fn format_patterns() -> Vec<(&'static str, String)> {
    vec![
        ("AWS::ACM::Certificate.Arn", format!("{ARN}acm:[a-z0-9-]+:\\d{{12}}:certificate/.+$")),
        ("AWS::EC2::Image.Id", "^ami-([0-9a-z]{8}|[0-9a-z]{17})$".into()),
        ("AWS::EC2::SecurityGroup.Id", "^sg-([a-fA-F0-9]{8}|[a-fA-F0-9]{17})$".into()),
        ("AWS::EC2::SecurityGroup.Name", r"^[a-zA-Z0-9 \._\-:\/()#\,@\[\]+=&;\{\}!\$\*]+$".into()),
        ("AWS::EC2::Subnet.Id", "^subnet-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$".into()),
        ("AWS::EC2::VPC.Id", "^vpc-(([0-9A-Fa-f]{8})|([0-9A-Fa-f]{17}))$".into()),
        ("AWS::IAM::Role.Arn", format!("{ARN}iam::\\d{{12}}:role/.+$")),
        ("AWS::KMS::Alias.AliasName", "^alias/[a-zA-Z0-9:/_-]+$".into()),
        ("AWS::KMS::Key.Arn", format!("{ARN}kms:[a-z0-9-]+:\\d{{12}}:(key|alias)/.+$")),
        (
            "AWS::KMS::Key.Id",
            "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]+)$".into(),
        ),
        ("AWS::Lambda::Function.Arn", format!("{ARN}lambda:[a-z0-9-]+:\\d{{12}}:function:.+(:.+)?$")),
        ("AWS::Logs::LogGroup.Name", r"^[\.\-_\/#A-Za-z0-9]{1,512}$".into()),
        (
            "AWS::S3::Bucket.Name",
            r"^(?![.\-])(?!.*\.\.)(?!.*\-\.)(?!.*\.\-)[a-z0-9.\-]{3,63}(?<![.\-])$".into(),
        ),
        ("AWS::SNS::Topic.Arn", format!("{ARN}sns:[a-z0-9-]+:\\d{{12}}:.+$")),
        ("AWS::SQS::Queue.Arn", format!("{ARN}sqs:[a-z0-9-]+:\\d{{12}}:.+$")),
    ]
}

/// The compiled pattern of format `name`: compiled on first use and shared by the validators
/// of every type (compiling all of them for each type cost most of a small build). The
/// `formats` test proves that every pattern compiles.
fn format_regex(name: &str) -> Option<&'static fancy_regex::Regex> {
    type Compiled = (&'static str, String, OnceLock<Option<fancy_regex::Regex>>);
    static FORMATS: OnceLock<Vec<Compiled>> = OnceLock::new();
    let formats =
        FORMATS.get_or_init(|| format_patterns().into_iter().map(|(n, p)| (n, p, OnceLock::new())).collect());
    let (_, pattern, re) = formats.iter().find(|(n, _, _)| *n == name)?;
    re.get_or_init(|| fancy_regex::Regex::new(pattern).ok()).as_ref()
}

/// `addr[/prefix]` with no host bits set (Python's `ipaddress.IPvXNetwork`, strict).
fn is_network(s: &str, v6: bool) -> bool {
    let (addr, prefix) = s.split_once('/').unwrap_or((s, if v6 { "128" } else { "32" }));
    let Ok(prefix) = prefix.parse::<u32>() else { return false };
    if v6 {
        let Ok(a) = addr.parse::<std::net::Ipv6Addr>() else { return false };
        prefix <= 128 && u128::from(a).checked_shl(prefix).unwrap_or(0) == 0
    } else {
        let Ok(a) = addr.parse::<std::net::Ipv4Addr>() else { return false };
        prefix <= 32 && u32::from(a).checked_shl(prefix).unwrap_or(0) == 0
    }
}

/// Whether `s` has format `name`: `None` for a format cfnc does not check. The registry's
/// and cfn-lint's extension schemas share these.
pub(crate) fn format_ok(name: &str, s: &str) -> Option<bool> {
    if unjudged(s) {
        return Some(true);
    }
    Some(match name {
        "json" => serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok(),
        "ipv4-network" => is_network(s, false),
        "ipv6-network" => is_network(s, true),
        "ipv4" => s.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => s.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => format_regex(name)?.is_match(s).unwrap_or(true),
    })
}

fn known_format(name: &str) -> bool {
    matches!(name, "json" | "ipv4-network" | "ipv6-network")
        || format_patterns().iter().any(|(n, _)| *n == name)
}

/// Values formats never judge: placeholders of intrinsic functions and dynamic references.
pub(crate) fn unjudged(s: &str) -> bool {
    s.starts_with(MARK) || s.contains("{{resolve:")
}

fn strip_formats(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("format").and_then(Value::as_str).is_some_and(|f| !known_format(f)) {
                m.remove("format");
            }
            // `properties`/`definitions` children are names, not keywords: recurse into values only.
            m.values_mut().for_each(strip_formats);
        }
        Value::Array(l) => l.iter_mut().for_each(strip_formats),
        _ => {}
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|l| l.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn present<'a>(instance: &Value, props: &'a [String]) -> Vec<&'a str> {
    let Some(m) = instance.as_object() else { return Vec::new() };
    props.iter().filter(|p| m.contains_key(p.as_str())).map(String::as_str).collect()
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// A registry keyword as a `jsonschema` custom keyword.
enum Registry {
    RequiredXor(Vec<String>),
    RequiredOr(Vec<String>),
    DependentExcluded(Vec<(String, Vec<String>)>),
    DependentRequired(Vec<(String, Vec<String>)>),
    EnumCaseInsensitive(Vec<String>),
    MaxUniqueItems(usize),
}

impl Registry {
    fn check(&self, instance: &Value) -> Option<String> {
        match self {
            Registry::RequiredXor(props) => {
                if !instance.is_object() {
                    return None;
                }
                let set = present(instance, props);
                match set.len() {
                    1 => None,
                    0 => Some(format!("exactly one of {} is required", list(props))),
                    _ => Some(format!("only one of {} may be set, found {}", list(props), set.join(", "))),
                }
            }
            Registry::RequiredOr(props) => (instance.is_object() && present(instance, props).is_empty())
                .then(|| format!("at least one of {} is required", list(props))),
            Registry::DependentExcluded(pairs) => {
                let m = instance.as_object()?;
                pairs.iter().find_map(|(p, excluded)| {
                    let clash = present(instance, excluded);
                    (m.contains_key(p) && !clash.is_empty()).then(|| {
                        format!(
                            "`{p}` excludes {}",
                            clash.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                        )
                    })
                })
            }
            Registry::DependentRequired(pairs) => {
                let m = instance.as_object()?;
                pairs.iter().find_map(|(p, required)| {
                    let missing: Vec<String> =
                        required.iter().filter(|r| !m.contains_key(r.as_str())).cloned().collect();
                    (m.contains_key(p) && !missing.is_empty())
                        .then(|| format!("`{p}` requires {}", list(&missing)))
                })
            }
            Registry::EnumCaseInsensitive(options) => {
                let s = instance.as_str()?;
                (!s.starts_with(MARK) && !options.iter().any(|o| o.eq_ignore_ascii_case(s)))
                    .then(|| format!("`{s}` is not one of {} (case-insensitive)", list(options)))
            }
            Registry::MaxUniqueItems(n) => {
                let l = instance.as_array()?;
                let unique: BTreeSet<String> = l.iter().map(Value::to_string).collect();
                (unique.len() > *n).then(|| format!("{} distinct items, at most {n} allowed", unique.len()))
            }
        }
    }
}

/// Marks a custom-keyword message that names a property below the object:
/// `{SUB}Property{SUB}message`.
const SUB: char = '\u{2}';

impl Registry {
    /// One message per excluded property that is set, each pointing at that property.
    fn excluded(&self, instance: &Value) -> Vec<String> {
        let (Registry::DependentExcluded(pairs), Some(m)) = (self, instance.as_object()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // A mutual exclusion (A excludes B and B excludes A) is one mistake: report it once.
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (p, excluded) in pairs {
            if m.contains_key(p) {
                for clash in present(instance, excluded) {
                    if seen.contains(&(clash, p.as_str())) {
                        continue;
                    }
                    seen.push((p.as_str(), clash));
                    out.push(format!("{SUB}{clash}{SUB}`{clash}` cannot be used together with `{p}`"));
                }
            }
        }
        out
    }
}

impl<'i> Keyword<'i> for Registry {
    fn iter_errors(&self, instance: &'i Value) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        let messages: Vec<String> = match self {
            Registry::DependentExcluded(_) => self.excluded(instance),
            _ => self.check(instance).into_iter().collect(),
        };
        Box::new(messages.into_iter().map(|m| -> ValidationError<'i> { ValidationError::custom(m) }))
    }

    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match self.check(instance) {
            Some(m) => Err(ValidationError::custom(m)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.check(instance).is_none()
    }
}

fn pairs(v: &Value) -> Vec<(String, Vec<String>)> {
    v.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), names(v))).collect()).unwrap_or_default()
}

/// The schema a type is validated against: its registry schema (see the module docs).
fn schema_of(type_name: &str) -> Option<Value> {
    let registry = crate::schema::get(type_name)?;
    Some(validation_schema(&registry.json, &registry.read_only))
}

/// The fallback for a registry schema that does not compile (none of the pinned cfn-lint's,
/// as tested): property names and required properties from the registry index.
fn summary_of(type_name: &str) -> Option<Value> {
    let info = crate::schema::info(type_name)?;
    let properties: Map<String, Value> =
        info.properties.iter().map(|p| (p.clone(), Value::Object(Map::new()))).collect();
    let summary = serde_json::json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": info.required,
    });
    Some(validation_schema(&summary, &info.read_only))
}

fn compile_summary(type_name: &str) -> Option<Validator> {
    build(&summary_of(type_name)?).ok()
}

fn compile(type_name: &str) -> Option<Validator> {
    let schema = schema_of(type_name)?;
    build(&schema).ok().or_else(|| {
        let mut schema = schema;
        drop_bad_patterns(&mut schema);
        build(&schema).ok()
    })
}

fn build(schema: &Value) -> Result<Validator, String> {
    let mut options = jsonschema::options()
        .with_draft(Draft::Draft7)
        .with_pattern_options(PatternOptions::fancy_regex())
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("json", |s: &str| {
            unjudged(s) || serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
        })
        .with_format("ipv4-network", |s: &str| unjudged(s) || is_network(s, false))
        .with_format("ipv6-network", |s: &str| unjudged(s) || is_network(s, true))
        .with_keyword("requiredXor", |_, v, _| Ok(Box::new(Registry::RequiredXor(names(v)))))
        .with_keyword("requiredOr", |_, v, _| Ok(Box::new(Registry::RequiredOr(names(v)))))
        .with_keyword("dependentExcluded", |_, v, _| Ok(Box::new(Registry::DependentExcluded(pairs(v)))))
        .with_keyword("dependentRequired", |_, v, _| Ok(Box::new(Registry::DependentRequired(pairs(v)))))
        .with_keyword("enumCaseInsensitive", |_, v, _| Ok(Box::new(Registry::EnumCaseInsensitive(names(v)))))
        .with_keyword("maxUniqueItems", |_, v, _| {
            let n = v.as_u64().and_then(|n| usize::try_from(n).ok()).unwrap_or(usize::MAX);
            Ok(Box::new(Registry::MaxUniqueItems(n)))
        });
    for (name, _) in format_patterns() {
        options = options.with_format(name, move |s: &str| {
            unjudged(s) || format_regex(name).is_none_or(|re| re.is_match(s).unwrap_or(true))
        });
    }
    // The vendored schemas are tested to compile; a failure here is a bug, reported by the
    // `every_vendored_schema_compiles` test rather than at run time.
    options.build(schema).map_err(|e| e.to_string())
}

/// The compiled validator of a type (compiled once, then shared): the full registry schema,
/// or, should a schema not compile, one that checks the property names and required
/// properties from the registry index. `None` for a type the registry does not know.
pub(crate) fn validator(type_name: &str) -> Option<&'static Validator> {
    static CACHE: OnceLock<Vec<OnceLock<Option<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| (0..crate::schema::store::len()).map(|_| OnceLock::new()).collect());
    let cell = cache.get(crate::schema::position(type_name)?)?;
    cell.get_or_init(|| compile(type_name).or_else(|| compile_summary(type_name))).as_ref()
}

pub(crate) fn short(v: &Value) -> String {
    /// Collects at most `limit` bytes, then refuses more (so a long list is not serialized
    /// whole to show its first 80 characters).
    struct Bounded {
        out: Vec<u8>,
        limit: usize,
    }
    impl std::io::Write for Bounded {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = self.limit.saturating_sub(self.out.len());
            if room == 0 {
                return Err(std::io::Error::other("full"));
            }
            let n = buf.len().min(room);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let s = match v {
        Value::String(s) if s.starts_with(MARK) => "intrinsic function".to_string(),
        other => {
            let mut w = Bounded { out: Vec::new(), limit: 4 * 81 };
            let _ = serde_json::to_writer(&mut w, other);
            String::from_utf8_lossy(&w.out).into_owned()
        }
    };
    if s.chars().count() > 80 { format!("{}...", s.chars().take(77).collect::<String>()) } else { s }
}

fn type_names(kind: &TypeKind) -> Vec<&'static str> {
    match kind {
        TypeKind::Single(t) => vec![t.as_str()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.as_str()).collect(),
    }
}

/// CloudFormation converts scalars: a number or boolean where a string is expected, a numeric
/// string where a number is, `"true"`/`"false"` where a boolean is.
pub(crate) fn converts(instance: &Value, expected: &[&str]) -> bool {
    expected.iter().any(|t| match (*t, instance) {
        ("string", Value::Number(_) | Value::Bool(_)) => true,
        ("integer", Value::String(s)) => s.trim().parse::<i64>().is_ok(),
        ("number", Value::String(s)) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        ("boolean", Value::String(s)) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"),
        _ => false,
    })
}

/// `a` and `b` are the same value after CloudFormation's scalar conversion (`"90"` and `90`,
/// `"true"` and `true`); equal values are not "the same after conversion".
pub(crate) fn same_converted(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => {
            s.trim().parse::<f64>().is_ok_and(|x| n.as_f64() == Some(x))
        }
        (Value::String(s), Value::Bool(v)) | (Value::Bool(v), Value::String(s)) => {
            s.eq_ignore_ascii_case(if *v { "true" } else { "false" })
        }
        _ => false,
    }
}

fn tokens(e: &ValidationError<'_>) -> Vec<String> {
    e.instance_path()
        .iter()
        .map(|s| match s {
            LocationSegment::Property(p) => p.to_string(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect()
}

/// The first message of each failed alternative, or "one of A | B" when all are `required`.
fn alternatives(context: &[Vec<ValidationError<'static>>]) -> String {
    let required: Option<Vec<String>> = context
        .iter()
        .map(|errs| {
            let props: Option<Vec<String>> = errs
                .iter()
                .map(|e| match e.kind() {
                    ValidationErrorKind::Required { property } => property.as_str().map(str::to_string),
                    _ => None,
                })
                .collect();
            props.filter(|p| !p.is_empty()).map(|p| p.join(" + "))
        })
        .collect();
    match required {
        Some(sets) if !sets.is_empty() => format!("needs one of: {}", sets.join(" | ")),
        _ => {
            let firsts: Vec<String> =
                context.iter().filter_map(|errs| errs.first().map(|e| describe(e).1)).take(4).collect();
            format!("matches none of the alternatives ({})", firsts.join("; "))
        }
    }
}

/// Code and message of one schema error (pointer-independent).
fn describe(e: &ValidationError<'_>) -> (&'static str, String) {
    let inst = e.instance();
    let v = short(inst);
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            ("CFN3001", format!("properties not allowed: {}", unexpected.join(", ")))
        }
        ValidationErrorKind::Required { property } => {
            ("CFN3002", format!("missing required property `{}`", property.as_str().unwrap_or("?")))
        }
        ValidationErrorKind::Type { kind } => {
            ("CFN3003", format!("{v} is not of type {}", type_names(kind).join(" or ")))
        }
        ValidationErrorKind::Enum { options } => ("CFN3004", format!("{v} is not one of {}", short(options))),
        ValidationErrorKind::Constant { expected_value } => {
            ("CFN3004", format!("{v} must be {}", short(expected_value)))
        }
        ValidationErrorKind::Pattern { pattern } => {
            ("CFN3005", format!("{v} does not match the pattern `{pattern}`"))
        }
        ValidationErrorKind::MinLength { limit } => {
            ("CFN3006", format!("{v} is shorter than {limit} characters"))
        }
        ValidationErrorKind::MaxLength { limit } => {
            ("CFN3007", format!("{v} is longer than {limit} characters"))
        }
        ValidationErrorKind::Minimum { limit } => {
            ("CFN3008", format!("{v} is less than the minimum {limit}"))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            ("CFN3008", format!("{v} must be greater than {limit}"))
        }
        ValidationErrorKind::Maximum { limit } => {
            ("CFN3009", format!("{v} is greater than the maximum {limit}"))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            ("CFN3009", format!("{v} must be less than {limit}"))
        }
        ValidationErrorKind::MinItems { limit } => {
            ("CFN3010", format!("the list has fewer than {limit} items"))
        }
        ValidationErrorKind::MaxItems { limit } => {
            ("CFN3011", format!("the list has more than {limit} items"))
        }
        ValidationErrorKind::UniqueItems => ("CFN3012", "the list holds duplicate items".to_string()),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            ("CFN3013", "matches more than one of the exclusive alternatives".to_string())
        }
        ValidationErrorKind::OneOfNotValid { context } => ("CFN3013", alternatives(context)),
        ValidationErrorKind::AnyOf { context } => ("CFN3014", alternatives(context)),
        ValidationErrorKind::Format { format } if format == "json" => {
            ("CFN3019", format!("{v} is not valid JSON"))
        }
        ValidationErrorKind::Format { format } => ("CFN3022", format!("{v} is not a valid {format}")),
        ValidationErrorKind::MinProperties { limit } => ("CFN3020", format!("fewer than {limit} properties")),
        ValidationErrorKind::MaxProperties { limit } => ("CFN3020", format!("more than {limit} properties")),
        ValidationErrorKind::Custom { keyword, message } => (
            match keyword.as_str() {
                "requiredXor" => "CFN3015",
                "requiredOr" => "CFN3016",
                "dependentExcluded" => "CFN3017",
                "dependentRequired" => "CFN3018",
                "enumCaseInsensitive" => "CFN3004",
                "maxUniqueItems" => "CFN3011",
                _ => "CFN3021",
            },
            message.clone(),
        ),
        _ => ("CFN3021", e.to_string()),
    }
}

/// Validates one variant of a resource's properties; findings go to `sink`. Errors at or
/// below a pointer of `skip` are dropped.
pub(crate) fn check_variant(
    (type_name, validator): (&str, &Validator),
    variant: &Variant,
    skip: &[String],
    sink: &mut Sink,
) {
    let skipped = |p: &str| {
        skip.iter().any(|s| p == s || p.strip_prefix(s.as_str()).is_some_and(|r| r.starts_with('/')))
    };
    for e in validator.iter_errors(&variant.value) {
        let toks = tokens(&e);
        if !skip.is_empty() && skipped(&variant.translate(&toks)) {
            continue;
        }
        let mut message_prefix = String::new();
        let mut at = toks.clone();
        if let Some((ph, exact)) = variant.placeholder(&toks) {
            match ph.kind {
                Kind::Resolved => message_prefix = format!("{} resolves to a value where ", ph.function),
                _ if !exact => continue,
                kind => {
                    let ValidationErrorKind::Type { kind: expected } = e.kind() else { continue };
                    let expected = type_names(expected);
                    if kind.satisfies(&expected) {
                        continue;
                    }
                    sink.push(
                        "CFN3003",
                        ph.original.clone(),
                        format!(
                            "{} returns {}, expected {}",
                            ph.function,
                            kind.describe(),
                            expected.join(" or ")
                        ),
                    );
                    continue;
                }
            }
        }
        if let ValidationErrorKind::Type { kind } = e.kind()
            && converts(e.instance(), &type_names(kind))
        {
            continue;
        }
        // `RetentionInDays: "90"` is 90 once converted: an enum/const of numbers (or booleans)
        // accepts the string form, and an enum of strings the number form.
        match e.kind() {
            ValidationErrorKind::Enum { options }
                if options.as_array().is_some_and(|o| o.iter().any(|o| same_converted(e.instance(), o))) =>
            {
                continue;
            }
            ValidationErrorKind::Constant { expected_value }
                if same_converted(e.instance(), expected_value) =>
            {
                continue;
            }
            _ => {}
        }
        // Dynamic references (`{{resolve:ssm:...}}`) are replaced at deploy time.
        if e.instance().as_str().is_some_and(unjudged)
            && matches!(
                e.kind(),
                ValidationErrorKind::Pattern { .. }
                    | ValidationErrorKind::Enum { .. }
                    | ValidationErrorKind::Constant { .. }
                    | ValidationErrorKind::MinLength { .. }
                    | ValidationErrorKind::MaxLength { .. }
                    | ValidationErrorKind::Format { .. }
            )
        {
            continue;
        }
        if let ValidationErrorKind::AdditionalProperties { unexpected } = e.kind() {
            for key in unexpected {
                // A misspelt top-level property: name the closest one the type has.
                let near = toks
                    .is_empty()
                    .then(|| crate::schema::info(type_name))
                    .flatten()
                    .and_then(|info| crate::suggest::closest(key, info.properties.iter().map(String::as_str)))
                    .map(|p| format!(": did you mean `{p}`?"))
                    .unwrap_or_default();
                at.push(key.clone());
                sink.push(
                    "CFN3001",
                    variant.translate(&at),
                    format!("{message_prefix}property `{key}` is not allowed{near}"),
                );
                at.pop();
            }
            continue;
        }
        let (code, mut message) = describe(&e);
        if let Some(rest) = message.strip_prefix(SUB)
            && let Some((prop, text)) = rest.split_once(SUB)
        {
            at.push(prop.to_string());
            message = text.to_string();
        }
        let pointer = match variant.placeholder(&toks) {
            Some((ph, _)) if ph.kind == Kind::Resolved => ph.original.clone(),
            _ => variant.translate(&at),
        };
        sink.push(code, pointer, format!("{message_prefix}{message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registry_schema_compiles() {
        let mut failed = Vec::new();
        let mut patched = Vec::new();
        for t in crate::schema::known_types() {
            let schema = schema_of(t).unwrap();
            if build(&schema).is_err() {
                patched.push(t);
                assert!(compile(t).is_some(), "{t} does not compile even without its bad patterns");
            }
            if compile(t).is_none() {
                failed.push(t);
            }
        }
        assert_eq!(failed, Vec::<&str>::new(), "registry schemas that do not compile");
        patched.sort_unstable();
        // The registry schemas with patterns the validator cannot read even after the load-time
        // patches: `(?i)` inside a pattern, a quantified look-ahead (schema/README.md).
        assert_eq!(
            patched,
            [
                "AWS::Budgets::BudgetsAction",
                "AWS::CloudFormation::GuardHook",
                "AWS::CloudFormation::LambdaHook",
                "AWS::EFS::AccessPoint",
                "AWS::KinesisAnalyticsV2::Application",
                "AWS::S3Files::AccessPoint",
                "AWS::SMSVOICE::PhoneNumber",
                "AWS::SMSVOICE::Pool",
            ]
        );
    }

    #[test]
    fn formats() {
        assert!(is_network("10.0.0.0/16", false));
        assert!(!is_network("10.0.0.1/16", false));
        assert!(!is_network("10.0.0.0/33", false));
        assert!(is_network("2001:db8::/32", true));
        assert!(!is_network("2001:db8::1/32", true));
        for (name, pattern) in format_patterns() {
            assert!(fancy_regex::Regex::new(&pattern).is_ok(), "{name}");
        }
        let bucket = format_patterns().into_iter().find(|(n, _)| *n == "AWS::S3::Bucket.Name").unwrap().1;
        let re = fancy_regex::Regex::new(&bucket).unwrap();
        assert!(re.is_match("my-bucket.logs").unwrap());
        assert!(!re.is_match("My_Bucket").unwrap());
        assert!(!re.is_match("a..b").unwrap());
    }

    #[test]
    fn registry_keywords_work() {
        let check = |k: Registry, v: Value| k.check(&v);
        let xor = || Registry::RequiredXor(vec!["A".into(), "B".into()]);
        assert!(check(xor(), serde_json::json!({"A": 1})).is_none());
        assert!(check(xor(), serde_json::json!({"A": 1, "B": 2})).is_some());
        assert!(check(xor(), serde_json::json!({})).is_some());
        assert!(check(Registry::RequiredOr(vec!["A".into()]), serde_json::json!({})).is_some());
        let dep = || vec![("A".to_string(), vec!["B".to_string()])];
        assert!(check(Registry::DependentExcluded(dep()), serde_json::json!({"A": 1, "B": 1})).is_some());
        assert!(check(Registry::DependentRequired(dep()), serde_json::json!({"A": 1})).is_some());
        assert!(check(Registry::DependentRequired(dep()), serde_json::json!({"B": 1})).is_none());
        assert!(check(Registry::EnumCaseInsensitive(vec!["vpc".into()]), serde_json::json!("VPC")).is_none());
        assert!(check(Registry::MaxUniqueItems(1), serde_json::json!(["a", "b", "a"])).is_some());
    }
}
