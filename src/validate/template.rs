//! Template rules: structure, references, dependencies, usage and limits; then the schema
//! and service checks of each resource.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::intrinsics::{Ctx, as_function, if_conditions};
use super::{Options, Sink, constraints, extensions, schema, services};
use crate::model::Pseudo;
use crate::reader::escape_token;

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "Description",
    "MaxLength",
    "MaxValue",
    "MinLength",
    "MinValue",
    "NoEcho",
];

const AWS_PARAMETER_TYPES: &[&str] = &[
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
];

/// Types whose DeletionPolicy may be Snapshot.
const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// Functions CloudFormation knows besides those the typed model represents
/// ([`crate::model::intrinsic::FUNCTION_NAMES`]) and the Rules-only ones: language
/// extensions, `Fn::Transform` and `Fn::GetStackOutput`.
const MORE_FUNCTIONS: &[&str] = &["Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::GetStackOutput"];

/// Every function CloudFormation knows.
fn is_function(name: &str) -> bool {
    crate::model::intrinsic::FUNCTION_NAMES.contains(&name)
        || MORE_FUNCTIONS.contains(&name)
        || RULE_FUNCTIONS.contains(&name)
}

/// Functions only the Rules section may use.
const RULE_FUNCTIONS: &[&str] = &[
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// Properties `aws cloudformation package` uploads when they hold a local path.
const PACKAGEABLE: &[(&str, &str)] = &[
    ("AWS::ApiGateway::RestApi", "BodyS3Location"),
    ("AWS::AppSync::GraphQLSchema", "DefinitionS3Location"),
    ("AWS::AppSync::Resolver", "RequestMappingTemplateS3Location"),
    ("AWS::AppSync::Resolver", "ResponseMappingTemplateS3Location"),
    ("AWS::CloudFormation::Stack", "TemplateURL"),
    ("AWS::ElasticBeanstalk::ApplicationVersion", "SourceBundle"),
    ("AWS::Glue::Job", "Command"),
    ("AWS::Lambda::Function", "Code"),
    ("AWS::Lambda::LayerVersion", "Content"),
    ("AWS::StepFunctions::StateMachine", "DefinitionS3Location"),
];

pub(crate) const MAX_RESOURCES: usize = 500;
pub(crate) const MAX_PARAMETERS: usize = 200;
pub(crate) const MAX_OUTPUTS: usize = 200;
pub(crate) const MAX_MAPPINGS: usize = 200;
pub(crate) const MAX_S3_BYTES: usize = 1_000_000;
pub(crate) const MAX_INLINE_BYTES: usize = 51_200;

fn ptr(parts: &[&str]) -> String {
    parts.iter().map(|p| format!("/{}", escape_token(p))).collect()
}

fn logical_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Condition names also take `&` and `_` (CloudFormation accepts them; templates such as the
/// AWS Quick Start VPC use `NATGateway&3AZCondition`).
fn condition_name_ok(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'&' || b == b'_')
}

/// The SAM transform: it adds the `Globals` section and the `IgnoreGlobals` resource attribute.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// The names of the macros in a `Transform` section (a name, a list of names, or
/// `{Name, Parameters}` entries).
fn transform_names(v: Option<&Value>) -> Vec<&str> {
    fn one(v: &Value) -> Option<&str> {
        match v {
            Value::String(s) => Some(s.as_str()),
            Value::Object(m) => m.get("Name").and_then(Value::as_str),
            _ => None,
        }
    }
    match v {
        Some(Value::Array(l)) => l.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn type_name_ok(t: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(?:::MODULE)?|Custom::[A-Za-z0-9_@\-]{1,60})$",
        )
        .expect("static regex")
    })
    .is_match(t)
}

fn is_custom(t: &str) -> bool {
    t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource"
}

fn parameter_type_ok(t: &str) -> bool {
    let plain = |t: &str| {
        // `List<String>` is undocumented but accepted by CloudFormation (as cfn-lint notes).
        matches!(t, "String" | "Number" | "CommaDelimitedList" | "List<Number>" | "List<String>")
            || AWS_PARAMETER_TYPES.contains(&t)
            || t.strip_prefix("List<")
                .and_then(|s| s.strip_suffix('>'))
                .is_some_and(|s| AWS_PARAMETER_TYPES.contains(&s))
    };
    plain(t)
        || t == "AWS::SSM::Parameter::Name"
        || t.strip_prefix("AWS::SSM::Parameter::Value<")
            .and_then(|s| s.strip_suffix('>'))
            .is_some_and(|inner| inner == "String" || inner == "List<String>" || plain(inner))
}

/// Where a reference appears (what it may reference).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope<'a> {
    Resource(&'a str),
    Output,
    Condition,
    Rule,
}

struct Checker<'a, 's> {
    template: &'a Value,
    ctx: Ctx<'a>,
    sink: &'s mut Sink,
    /// Parameters referenced.
    used_params: HashSet<String>,
    /// Conditions referenced.
    used_conditions: HashSet<String>,
    /// Resource -> resources it depends on (Ref, GetAtt, Sub, DependsOn), with the pointer
    /// of the first reference.
    edges: BTreeMap<&'a str, BTreeMap<String, String>>,
    transform: bool,
    /// The SAM transform is declared (`Globals`, `IgnoreGlobals` are part of the language).
    sam: bool,
    /// A macro of the account's own is declared: it may add resource attributes and types
    /// that exist only before it runs (`Count`, `AWS::S3::Object` in the AWS macro examples).
    macros: bool,
    /// Logical ids of module resources (`...::MODULE`): CloudFormation names the resources a
    /// module adds `<ModuleId><ResourceId>`, so references starting with one are not checked.
    modules: Vec<&'a str>,
    /// Mappings named by a literal Fn::FindInMap; `None` once a computed name is seen.
    used_mappings: Option<HashSet<String>>,
}

/// Runs every template rule and the per-resource checks.
pub(crate) fn check(template: &Value, opts: &Options, sink: &mut Sink) {
    check_in(template, opts, None, sink);
}

/// [`check`] for a template read from a file in `dir`: nested stacks whose TemplateURL is a
/// local path (before `aws cloudformation package`) are compared with the template there.
pub(crate) fn check_in(template: &Value, opts: &Options, dir: Option<&std::path::Path>, sink: &mut Sink) {
    let Some(top) = template.as_object() else {
        sink.push("CFN1002", "", "a template must be a mapping of sections");
        return;
    };
    let transforms = transform_names(top.get("Transform"));
    let mut ctx = Ctx::new(template);
    ctx.dir = dir;
    let mut c = Checker {
        template,
        ctx,
        sink,
        used_params: HashSet::new(),
        used_conditions: HashSet::new(),
        edges: BTreeMap::new(),
        transform: top.contains_key("Transform"),
        sam: transforms.contains(&SAM_TRANSFORM),
        macros: transforms.iter().any(|t| !t.starts_with("AWS::")),
        modules: Vec::new(),
        used_mappings: Some(HashSet::new()),
    };
    c.modules = c
        .section("Resources")
        .into_iter()
        .flatten()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str).is_some_and(|t| t.ends_with("::MODULE")))
        .map(|(id, _)| id.as_str())
        .collect();
    c.sections(top, opts);
    c.parameters();
    c.mappings();
    c.conditions();
    c.resources();
    c.outputs();
    c.rules_section();
    c.cycles();
    c.unused();
    c.primary_identifiers();
    services::subnet_overlaps(template, c.sink);
    if c.sam
        && let Some(globals) = template.pointer("/Globals/Function")
    {
        services::sam_function(Some(globals), "/Globals/Function", c.sink);
    }
    super::cloudwatch::composite_alarms(template, c.sink);
}

/// Keys of a section that are `Fn::ForEach` loops (AWS::LanguageExtensions), not entries.
fn is_foreach(key: &str) -> bool {
    key.starts_with("Fn::ForEach::")
}

impl<'a> Checker<'a, '_> {
    fn section(&self, name: &str) -> Option<&'a Map<String, Value>> {
        self.template.get(name).and_then(Value::as_object)
    }

    fn sections(&mut self, top: &Map<String, Value>, opts: &Options) {
        for (k, v) in top {
            let sam_section = self.sam && k == "Globals";
            if !SECTIONS.contains(&k.as_str()) && !sam_section {
                self.sink.push("CFN1001", ptr(&[k]), format!("unknown top-level section `{k}`"));
                continue;
            }
            let shape_ok = match k.as_str() {
                "AWSTemplateFormatVersion" => v == "2010-09-09",
                "Description" => v.as_str().is_some_and(|d| d.len() <= 1024),
                "Transform" => v.is_string() || v.is_array() || v.is_object(),
                _ => v.is_object(),
            };
            if !shape_ok {
                let want = match k.as_str() {
                    "AWSTemplateFormatVersion" => "the string \"2010-09-09\"",
                    "Description" => "a string of at most 1024 bytes",
                    "Transform" => "a macro name or a list of them",
                    _ => "a mapping",
                };
                self.sink.push("CFN1002", ptr(&[k]), format!("`{k}` must be {want}"));
            }
        }
        match top.get("Resources").and_then(Value::as_object) {
            Some(r) if !r.is_empty() => {}
            Some(_) => self.sink.push("CFN1003", "/Resources", "the Resources section is empty"),
            None if !top.contains_key("Resources") => {
                self.sink.push("CFN1003", "", "the template has no Resources section")
            }
            None => {}
        }
        let limits = [
            ("Resources", MAX_RESOURCES, "CFN4001"),
            ("Parameters", MAX_PARAMETERS, "CFN4002"),
            ("Outputs", MAX_OUTPUTS, "CFN4003"),
            ("Mappings", MAX_MAPPINGS, "CFN4007"),
        ];
        for (section, max, code) in limits {
            if let Some(m) = self.section(section)
                && m.len() > max
            {
                self.sink.push(code, ptr(&[section]), format!("{} {section}, the limit is {max}", m.len()));
            }
        }
        for section in ["Resources", "Parameters", "Mappings", "Outputs", "Conditions"] {
            for id in self.section(section).into_iter().flat_map(|m| m.keys()) {
                if is_foreach(id) {
                    if !self.transform {
                        self.sink.push(
                            "CFN2010",
                            ptr(&[section, id]),
                            "Fn::ForEach needs `Transform: AWS::LanguageExtensions`",
                        );
                    }
                    continue;
                }
                if section == "Conditions" {
                    if !condition_name_ok(id) {
                        self.sink.push(
                            "CFN4006",
                            ptr(&[section, id]),
                            format!("condition name `{id}` must be 1-255 ASCII letters, digits, `&` or `_`"),
                        );
                    }
                } else if !logical_id_ok(id) {
                    self.sink.push(
                        "CFN4006",
                        ptr(&[section, id]),
                        format!("logical id `{id}` must be 1-255 ASCII letters and digits"),
                    );
                }
            }
        }
        if let (Some(params), Some(resources)) = (self.section("Parameters"), self.section("Resources")) {
            for id in params.keys().filter(|k| resources.contains_key(*k)) {
                self.sink.push(
                    "CFN1017",
                    ptr(&["Resources", id]),
                    format!(
                        "`{id}` names both a parameter and a resource; logical ids are unique across sections"
                    ),
                );
            }
        }
        let bytes =
            opts.template_bytes.unwrap_or_else(|| serde_json::to_vec(self.template).map_or(0, |v| v.len()));
        if bytes > MAX_S3_BYTES {
            self.sink.push(
                "CFN4004",
                "",
                format!("the template is {bytes} bytes, over the {MAX_S3_BYTES}-byte limit"),
            );
        } else if bytes > MAX_INLINE_BYTES {
            self.sink.push(
                "CFN4005",
                "",
                format!(
                    "the template is {bytes} bytes: over {MAX_INLINE_BYTES} bytes it must be uploaded to S3"
                ),
            );
        }
        if self.transform {
            self.sink.push(
                "CFN1016",
                "/Transform",
                "the template uses a transform: reference and usage checks are skipped (they need the expanded template)",
            );
        }
    }

    fn parameters(&mut self) {
        let Some(params) = self.section("Parameters") else { return };
        for (id, p) in params {
            let at = |k: &str| ptr(&["Parameters", id, k]);
            let Some(def) = p.as_object() else {
                self.sink.push(
                    "CFN1010",
                    ptr(&["Parameters", id]),
                    format!("parameter `{id}` must be a mapping with a Type"),
                );
                continue;
            };
            for k in def.keys() {
                if !PARAMETER_KEYS.contains(&k.as_str()) {
                    self.sink.push("CFN1010", at(k), format!("unknown parameter attribute `{k}`"));
                }
            }
            match def.get("Type") {
                None => self.sink.push(
                    "CFN1010",
                    ptr(&["Parameters", id]),
                    format!("parameter `{id}` has no Type"),
                ),
                Some(Value::String(t)) if parameter_type_ok(t) => {}
                Some(t) => self.sink.push("CFN1010", at("Type"), format!("{t} is not a parameter type")),
            }
            for (k, v) in def {
                if contains_function(v) {
                    self.sink.push("CFN2013", at(k), "parameters cannot use intrinsic functions");
                    continue;
                }
                let is_num = |v: &Value| scalar_text(v).is_some_and(|t| t.parse::<f64>().is_ok());
                if let (Some(l), "AllowedValues") = (v.as_array(), k.as_str())
                    && let Some(i) = l.iter().position(|x| scalar_text(x).is_none())
                {
                    self.sink.push(
                        "CFN1010",
                        format!("{}/{i}", at(k)),
                        "AllowedValues holds strings or numbers",
                    );
                    continue;
                }
                let problem = match k.as_str() {
                    "AllowedValues" if !v.is_array() => {
                        Some("AllowedValues must be a list of strings or numbers")
                    }
                    "Default" if scalar_text(v).is_none() && !v.is_array() => {
                        Some("must be a string or a number")
                    }
                    "MinValue" | "MaxValue" if !is_num(v) => Some("must be a number"),
                    "MinLength" | "MaxLength" if scalar_text(v).is_none_or(|t| t.parse::<u64>().is_err()) => {
                        Some("must be a whole number")
                    }
                    "NoEcho"
                        if !matches!(
                            scalar_text(v).as_deref(),
                            Some("true" | "false" | "True" | "False")
                        ) =>
                    {
                        Some("must be true or false")
                    }
                    "AllowedPattern" | "ConstraintDescription" | "Description" if !v.is_string() => {
                        Some("must be a string")
                    }
                    _ => None,
                };
                if let Some(p) = problem {
                    self.sink.push("CFN1010", at(k), format!("{k} {}", p.trim_start_matches(k).trim_start()));
                }
            }
            let t = def.get("Type").and_then(Value::as_str).unwrap_or("");
            for (k, fits) in [
                ("MinLength", "String"),
                ("MaxLength", "String"),
                ("MinValue", "Number"),
                ("MaxValue", "Number"),
            ] {
                let ok = if fits == "Number" {
                    t == "Number" || t == "List<Number>"
                } else {
                    t == "String" || t == "CommaDelimitedList" || t.starts_with("AWS::")
                };
                if def.contains_key(k) && !t.is_empty() && !ok {
                    self.sink.push("CFN1010", at(k), format!("{k} applies to {fits} parameters, not {t}"));
                }
            }
            self.parameter_default(id, def);
        }
    }

    fn parameter_default(&mut self, id: &str, def: &Map<String, Value>) {
        let Some(default) = def.get("Default") else { return };
        let Some(text) = scalar_text(default) else { return };
        let at = ptr(&["Parameters", id, "Default"]);
        let list = self.ctx.parameter_is_list(id);
        let values: Vec<String> =
            if list { text.split(',').map(|s| s.trim().to_string()).collect() } else { vec![text.clone()] };
        if let Some(allowed) = def.get("AllowedValues").and_then(Value::as_array) {
            let allowed: Vec<String> = allowed.iter().filter_map(scalar_text).collect();
            // A list default may also be one allowed value as a whole (`three,four`).
            let whole = list && allowed.contains(&text);
            for v in values.iter().filter(|_| !whole) {
                if !allowed.contains(v) {
                    self.sink.push(
                        "CFN1011",
                        at.clone(),
                        format!("default `{v}` is not among the AllowedValues"),
                    );
                }
            }
        }
        if let Some(pattern) = def.get("AllowedPattern").and_then(Value::as_str) {
            match fancy_regex::Regex::new(&format!("^(?:{pattern})$")) {
                Ok(re) => {
                    for v in &values {
                        if !re.is_match(v).unwrap_or(true) {
                            self.sink.push(
                                "CFN1011",
                                at.clone(),
                                format!("default `{v}` does not match AllowedPattern `{pattern}`"),
                            );
                        }
                    }
                }
                Err(e) => self.sink.push(
                    "CFN1010",
                    ptr(&["Parameters", id, "AllowedPattern"]),
                    format!("AllowedPattern is not a valid regular expression: {e}"),
                ),
            }
        }
        let num = |k: &str| def.get(k).and_then(scalar_text).and_then(|s| s.parse::<f64>().ok());
        for v in &values {
            let len = v.chars().count() as f64;
            if num("MinLength").is_some_and(|m| len < m) || num("MaxLength").is_some_and(|m| len > m) {
                self.sink.push("CFN1011", at.clone(), format!("default `{v}` violates MinLength/MaxLength"));
            }
            if let Ok(n) = v.parse::<f64>() {
                if num("MinValue").is_some_and(|m| n < m) || num("MaxValue").is_some_and(|m| n > m) {
                    self.sink.push(
                        "CFN1011",
                        at.clone(),
                        format!("default `{v}` violates MinValue/MaxValue"),
                    );
                }
            } else if def.get("Type").and_then(Value::as_str) == Some("Number") {
                self.sink.push(
                    "CFN1011",
                    at.clone(),
                    format!("default `{v}` of a Number parameter is not a number"),
                );
            }
        }
    }

    fn mappings(&mut self) {
        let Some(maps) = self.section("Mappings") else { return };
        for (name, m) in maps {
            let Some(top) = m.as_object().filter(|t| !t.is_empty()) else {
                self.sink.push(
                    "CFN1013",
                    ptr(&["Mappings", name]),
                    format!("mapping `{name}` must be a non-empty mapping of mappings"),
                );
                continue;
            };
            for (k, second) in top {
                let Some(second) = second.as_object() else {
                    self.sink.push(
                        "CFN1013",
                        ptr(&["Mappings", name, k]),
                        "a mapping key must hold a mapping of values",
                    );
                    continue;
                };
                for (k2, leaf) in second {
                    let ok = match leaf {
                        Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
                        Value::Array(l) => l.iter().all(|x| scalar_text(x).is_some()),
                        _ => false,
                    };
                    if contains_function(leaf) {
                        self.sink.push(
                            "CFN2013",
                            ptr(&["Mappings", name, k, k2]),
                            "mappings cannot use intrinsic functions",
                        );
                    } else if !ok {
                        self.sink.push(
                            "CFN1013",
                            ptr(&["Mappings", name, k, k2]),
                            "mapping values are strings, numbers or lists of them",
                        );
                    }
                }
            }
        }
    }

    fn conditions(&mut self) {
        let Some(conds) = self.section("Conditions") else { return };
        for (name, def) in conds {
            if is_foreach(name) {
                continue;
            }
            let at = ptr(&["Conditions", name]);
            match as_function(def) {
                Some(("Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition", _)) => {}
                _ => self.sink.push(
                    "CFN1014",
                    at.clone(),
                    format!("condition `{name}` must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition reference"),
                ),
            }
            self.walk(def, &at, Scope::Condition);
        }
    }

    fn resources(&mut self) {
        let Some(resources) = self.section("Resources") else { return };
        for (id, res) in resources {
            let base = ptr(&["Resources", id]);
            if is_foreach(id) {
                continue;
            }
            let Some(r) = res.as_object() else {
                self.sink.push("CFN1004", base, format!("resource `{id}` must be a mapping with a Type"));
                continue;
            };
            let type_name = match r.get("Type") {
                Some(Value::String(t)) => Some(t.as_str()),
                Some(_) => {
                    self.sink.push("CFN1004", format!("{base}/Type"), "Type must be a string");
                    None
                }
                None => {
                    self.sink.push("CFN1004", base.clone(), format!("resource `{id}` has no Type"));
                    None
                }
            };
            self.edges.entry(id.as_str()).or_default();
            for k in r.keys() {
                let custom_version = k == "Version" && type_name.is_some_and(is_custom);
                let sam_attribute = (self.sam && k == "IgnoreGlobals") || self.macros;
                if !RESOURCE_KEYS.contains(&k.as_str()) && !custom_version && !sam_attribute {
                    self.sink.push(
                        "CFN1005",
                        format!("{base}/{}", escape_token(k)),
                        format!("unknown resource attribute `{k}`"),
                    );
                }
            }
            self.resource_condition(id, r, &base);
            if type_name.is_some_and(|t| t.ends_with("::MODULE")) {
                self.module(r, &base);
            }
            self.policies(r, &base, type_name);
            self.depends_on(id, r, &base);
            for key in [
                "Properties",
                "CreationPolicy",
                "UpdatePolicy",
                "Metadata",
                "DeletionPolicy",
                "UpdateReplacePolicy",
            ] {
                if let Some(v) = r.get(key) {
                    self.walk(v, &format!("{base}/{key}"), Scope::Resource(id));
                }
            }
            let props = r.get("Properties");
            if let Some(p) = props
                && !p.is_object()
                && as_function(p).is_none()
            {
                self.sink.push("CFN1006", format!("{base}/Properties"), "Properties must be a mapping");
                continue;
            }
            let Some(t) = type_name else { continue };
            if !type_name_ok(t) && !self.macros {
                self.sink.push(
                    "CFN1009",
                    format!("{base}/Type"),
                    format!("`{t}` is not a resource type name (AWS::Service::Resource)"),
                );
                continue;
            }
            if is_custom(t) {
                if props.and_then(|p| p.get("ServiceToken")).is_none()
                    && props.is_none_or(|p| as_function(p).is_none())
                {
                    self.sink.push(
                        "CFN3002",
                        base.clone(),
                        "missing required property `ServiceToken` of a custom resource",
                    );
                }
                continue;
            }
            let packaged = self.packaged(t, props, &base);
            // SAM expands its own types (their registry entries describe no template
            // syntax of the transform); the transform is reported once (CFN1016).
            if self.sam && t.starts_with("AWS::Serverless::") {
                if t == "AWS::Serverless::Function" {
                    services::sam_function(props, &format!("{base}/Properties"), self.sink);
                }
                continue;
            }
            match schema::validator(t) {
                Some(v) => self.schema(r, &base, (t, v), &packaged),
                None if self.macros => {}
                None if t.starts_with("AWS::") || t.starts_with("Alexa::") => {
                    let hint = crate::suggest::closest(t, crate::schema::known_types())
                        .map(|c| format!(": did you mean `{c}`?"))
                        .unwrap_or_default();
                    self.sink.push(
                        "CFN1018",
                        format!("{base}/Type"),
                        format!("`{t}` is not a resource type of the CloudFormation registry{hint}"),
                    );
                }
                None => self.sink.push(
                    "CFN1008",
                    format!("{base}/Type"),
                    format!(
                        "`{t}` is not a type of the AWS resource registry: its properties are not checked"
                    ),
                ),
            }
            services::check(t, props, &format!("{base}/Properties"), self.sink);
        }
    }

    /// Properties holding a local path for `aws cloudformation package` (a warning; their
    /// schema type is not checked). Returns their pointers.
    fn packaged(&mut self, t: &str, props: Option<&Value>, base: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (_, prop) in PACKAGEABLE.iter().filter(|(ty, _)| *ty == t) {
            let Some(Value::String(path)) = props.and_then(|p| p.get(*prop)) else { continue };
            let remote = ["https://", "http://", "s3://"].iter().any(|s| path.starts_with(s));
            if remote {
                continue;
            }
            let at = format!("{base}/Properties/{prop}");
            self.sink.push(
                "CFN0004",
                at.clone(),
                format!("`{path}` is a local path: only `aws cloudformation package` (or cfnc build) turns it into a valid {prop}"),
            );
            out.push(at);
        }
        out
    }

    fn schema(
        &mut self,
        r: &Map<String, Value>,
        base: &str,
        (type_name, validator): (&str, &jsonschema::Validator),
        skip: &[String],
    ) {
        let empty = Value::Object(Map::new());
        let props = r.get("Properties").unwrap_or(&empty);
        let mut used = BTreeSet::new();
        if_conditions(props, &mut used);
        used.retain(|c| self.ctx.conditions.contains_key(c.as_str()));
        let required =
            r.get("Condition").and_then(Value::as_str).filter(|c| self.ctx.conditions.contains_key(c));
        let at = format!("{base}/Properties");
        for assignment in self.ctx.assignments(&used, required) {
            let variant = self.ctx.variant(props, &at, &assignment);
            // `Properties: !Ref AWS::NoValue` (or an If branch of it) means no properties.
            let variant =
                variant.unwrap_or_else(|| self.ctx.variant(&empty, &at, &assignment).expect("an empty map"));
            schema::check_variant((type_name, validator), &variant, skip, self.sink);
            extensions::check(type_name, &variant, self.sink);
            constraints::check(&self.ctx, type_name, &variant, &assignment, self.sink);
        }
    }

    /// What a module resource (`...::MODULE`) may not hold: CloudFormation expands the module
    /// into its resources, which take no creation or update policy and no tags from it, and
    /// keeps the `AWS::CloudFormation::Module` metadata key for itself (cfn-lint E5001).
    fn module(&mut self, r: &Map<String, Value>, base: &str) {
        for key in ["CreationPolicy", "UpdatePolicy"] {
            if r.contains_key(key) {
                self.sink.push(
                    "CFN1019",
                    format!("{base}/{key}"),
                    format!("{key} is not permitted on a module"),
                );
            }
        }
        if r.get("Properties").and_then(|p| p.get("Tags")).is_some() {
            self.sink.push("CFN1019", format!("{base}/Properties/Tags"), "Tags is not permitted on a module");
        }
        if r.get("Metadata").and_then(|m| m.get("AWS::CloudFormation::Module")).is_some() {
            self.sink.push(
                "CFN1019",
                format!("{base}/Metadata/AWS::CloudFormation::Module"),
                "the Metadata key AWS::CloudFormation::Module is reserved for CloudFormation",
            );
        }
    }

    fn resource_condition(&mut self, id: &str, r: &Map<String, Value>, base: &str) {
        match r.get("Condition") {
            None => {}
            Some(Value::String(c)) => self.use_condition(c, &format!("{base}/Condition")),
            Some(_) => self.sink.push(
                "CFN2009",
                format!("{base}/Condition"),
                format!("the Condition of `{id}` must be a condition name"),
            ),
        }
    }

    fn policies(&mut self, r: &Map<String, Value>, base: &str, type_name: Option<&str>) {
        for key in ["DeletionPolicy", "UpdateReplacePolicy"] {
            let Some(v) = r.get(key) else { continue };
            if as_function(v).is_some() {
                continue;
            }
            let ok = match v.as_str() {
                Some("Delete" | "Retain" | "RetainExceptOnCreate") => true,
                Some("Snapshot") => type_name.is_none_or(|t| SNAPSHOT_TYPES.contains(&t)),
                _ => false,
            };
            if !ok {
                self.sink.push(
                    "CFN1007",
                    format!("{base}/{key}"),
                    format!("{v} is not a valid {key} for this type (Delete, Retain, RetainExceptOnCreate; Snapshot for {})", SNAPSHOT_TYPES.join(", ")),
                );
            }
        }
    }

    fn depends_on(&mut self, id: &'a str, r: &Map<String, Value>, base: &str) {
        let Some(d) = r.get("DependsOn") else { return };
        let at = format!("{base}/DependsOn");
        let targets: Vec<(String, &Value)> = match d {
            Value::String(_) => vec![(at.clone(), d)],
            Value::Array(l) => l.iter().enumerate().map(|(i, v)| (format!("{at}/{i}"), v)).collect(),
            _ => {
                self.sink.push("CFN1015", at, "DependsOn must be a resource name or a list of them");
                return;
            }
        };
        for (p, v) in targets {
            let Some(name) = v.as_str() else {
                self.sink.push("CFN1015", p, "DependsOn entries must be resource names");
                continue;
            };
            if self.ctx.resources.contains_key(name) {
                self.edge(id, name, &p);
            } else if !self.transform {
                self.sink.push(
                    "CFN2005",
                    p,
                    format!("DependsOn `{name}`, which is not a resource of this template"),
                );
            }
        }
    }

    fn edge(&mut self, from: &'a str, to: &str, at: &str) {
        let targets = self.edges.entry(from).or_default();
        if !targets.contains_key(to) {
            targets.insert(to.to_string(), at.to_string());
        }
    }

    fn use_condition(&mut self, name: &str, at: &str) {
        self.used_conditions.insert(name.to_string());
        if !self.ctx.conditions.contains_key(name) {
            self.sink.push("CFN2009", at, format!("condition `{name}` is not defined"));
        }
    }

    fn outputs(&mut self) {
        let Some(outputs) = self.section("Outputs") else { return };
        let mut exports: HashMap<String, String> = HashMap::new();
        for (id, o) in outputs {
            let base = ptr(&["Outputs", id]);
            if is_foreach(id) {
                continue;
            }
            let Some(m) = o.as_object() else {
                self.sink.push("CFN1012", base, format!("output `{id}` must be a mapping with a Value"));
                continue;
            };
            for k in m.keys() {
                if !["Description", "Value", "Export", "Condition"].contains(&k.as_str()) {
                    self.sink.push(
                        "CFN1012",
                        format!("{base}/{}", escape_token(k)),
                        format!("unknown output attribute `{k}`"),
                    );
                }
            }
            match m.get("Value") {
                None => self.sink.push("CFN1012", base.clone(), format!("output `{id}` has no Value")),
                Some(v) => {
                    let list = match as_function(v) {
                        Some((name, args)) => self.ctx.kind(name, args) == super::intrinsics::Kind::List,
                        None => v.is_array() || v.is_object(),
                    };
                    if list {
                        self.sink.push(
                            "CFN1012",
                            format!("{base}/Value"),
                            "an output value must be a string (join lists with Fn::Join)",
                        );
                    }
                }
            }
            if let Some(c) = m.get("Condition") {
                match c.as_str() {
                    Some(c) => self.use_condition(c, &format!("{base}/Condition")),
                    None => self.sink.push(
                        "CFN2009",
                        format!("{base}/Condition"),
                        "Condition must be a condition name",
                    ),
                }
            }
            if let Some(e) = m.get("Export") {
                match e.get("Name") {
                    Some(name) if e.as_object().is_some_and(|x| x.len() == 1) => {
                        let key = name.to_string();
                        let at = format!("{base}/Export/Name");
                        if let Some(first) = exports.get(&key) {
                            self.sink.push(
                                "CFN2012",
                                at,
                                format!("export name {} is also exported by output `{first}`", short(name)),
                            );
                        } else {
                            exports.insert(key, id.clone());
                        }
                    }
                    _ => self.sink.push(
                        "CFN1012",
                        format!("{base}/Export"),
                        "Export must be a mapping with only Name",
                    ),
                }
            }
            for k in ["Value", "Export", "Description"] {
                if let Some(v) = m.get(k) {
                    self.walk(v, &format!("{base}/{k}"), Scope::Output);
                }
            }
        }
    }

    fn rules_section(&mut self) {
        let Some(rules) = self.section("Rules") else { return };
        for (id, r) in rules {
            self.walk(r, &ptr(&["Rules", id]), Scope::Rule);
        }
    }

    /// Walks a value: checks every intrinsic function in it, records usage and dependencies.
    fn walk(&mut self, v: &Value, at: &str, scope: Scope<'a>) {
        let mut path = at.to_string();
        self.walk_in(v, &mut path, scope);
    }

    /// [`Self::walk`] with one path buffer for the whole tree (no allocation per node).
    fn walk_in(&mut self, v: &Value, path: &mut String, scope: Scope<'a>) {
        let len = path.len();
        match v {
            Value::Object(m) => {
                if m.len() == 1 {
                    let (k, args) = m.iter().next().expect("one entry");
                    if k == "Ref" || k == "Condition" || k.starts_with("Fn::") {
                        path.push('/');
                        path.push_str(&escape_token(k));
                        if RULE_FUNCTIONS.contains(&k.as_str()) && scope != Scope::Rule {
                            let msg = format!("{k} can only be used in the Rules section");
                            self.sink.push("CFN2013", &path[..len], msg);
                        } else if is_function(k) {
                            self.function(k, args, &path[..], &path[..len], scope);
                        } else {
                            self.sink.push(
                                "CFN2010",
                                &path[..len],
                                format!("unknown intrinsic function `{k}`"),
                            );
                        }
                        // Arguments are walked for nested functions (Ref/Condition args are names).
                        if k != "Ref" && k != "Condition" {
                            self.walk_in(args, path, scope);
                        }
                        path.truncate(len);
                        return;
                    }
                }
                for (k, x) in m {
                    path.push('/');
                    path.push_str(&escape_token(k));
                    self.walk_in(x, path, scope);
                    path.truncate(len);
                }
            }
            Value::Array(l) => {
                for (i, x) in l.iter().enumerate() {
                    use std::fmt::Write as _;
                    let _ = write!(path, "/{i}");
                    self.walk_in(x, path, scope);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn malformed(&mut self, at: &str, function: &str, why: &str) {
        self.sink.push("CFN2010", at, format!("{function}: {why}"));
    }

    /// Checks one function call; `at` points at its arguments, `node` at the call.
    fn function(&mut self, name: &str, args: &Value, at: &str, node: &str, scope: Scope<'a>) {
        let list = args.as_array();
        match name {
            "Ref" => match args.as_str() {
                Some(target) => self.reference(target, None, at, scope),
                None => self.malformed(at, name, "expects a name"),
            },
            "Condition" => match args.as_str() {
                Some(c) => self.use_condition(c, at),
                None => self.malformed(at, name, "expects a condition name"),
            },
            "Fn::GetAtt" => {
                let (res, attr) = match args {
                    Value::String(s) => match s.split_once('.') {
                        Some((r, a)) => (r.to_string(), Some(a.to_string())),
                        None => return self.malformed(at, name, "expects `Resource.Attribute`"),
                    },
                    Value::Array(l) if l.len() == 2 && l[0].is_string() => {
                        let attr = match &l[1] {
                            Value::String(a) => Some(a.clone()),
                            other if as_function(other).is_some() => None,
                            _ => return self.malformed(at, name, "the attribute must be a string or a Ref"),
                        };
                        (l[0].as_str().unwrap_or_default().to_string(), attr)
                    }
                    _ => return self.malformed(at, name, "expects [resource, attribute]"),
                };
                if scope == Scope::Condition {
                    self.sink.push("CFN2013", node, "conditions cannot use Fn::GetAtt");
                    return;
                }
                let (res_at, attr_at) = if args.is_array() {
                    (format!("{at}/0"), format!("{at}/1"))
                } else {
                    (at.to_string(), at.to_string())
                };
                self.getatt(&res, attr.as_deref(), (&res_at, &attr_at), "CFN2002", scope);
            }
            "Fn::Sub" => {
                let (text, vars) = match args {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(l) if l.len() == 2 && l[0].is_string() && l[1].is_object() => {
                        (l[0].as_str().unwrap_or_default(), l[1].as_object())
                    }
                    _ => return self.malformed(at, name, "expects a string or [string, {variables}]"),
                };
                let text_at = if args.is_array() { format!("{at}/0") } else { at.to_string() };
                for var in sub_variables(text) {
                    if vars.is_some_and(|m| m.contains_key(&var)) {
                        continue;
                    }
                    match var.split_once('.') {
                        Some((res, attr)) => {
                            if scope == Scope::Condition {
                                self.sink.push(
                                    "CFN2013",
                                    node,
                                    "conditions cannot reference resource attributes",
                                );
                            } else {
                                self.getatt(res, Some(attr), (&text_at, &text_at), "CFN2004", scope);
                            }
                        }
                        _ => self.reference(&var, Some("CFN2004"), &text_at, scope),
                    }
                }
            }
            "Fn::If" => match list.map(Vec::as_slice) {
                Some([Value::String(c), _, _]) => self.use_condition(c, &format!("{at}/0")),
                _ => self.malformed(at, name, "expects [condition, value if true, value if false]"),
            },
            "Fn::FindInMap" => self.find_in_map(args, at),
            "Fn::ImportValue" => {
                if scope == Scope::Condition {
                    self.sink.push("CFN2013", node, "conditions cannot use Fn::ImportValue");
                } else if !(args.is_string() || as_function(args).is_some()) {
                    self.malformed(at, name, "expects an export name (a string or a function giving one)");
                } else if mentions(args, &["Fn::ImportValue", "Fn::GetAtt"])
                    || refs_in(args).iter().any(|r| self.ctx.resources.contains_key(r.as_str()))
                {
                    self.sink.push(
                        "CFN2013",
                        at,
                        "the export name of Fn::ImportValue cannot depend on resources or other imports",
                    );
                }
            }
            "Fn::GetStackOutput" => {
                let ok = args.as_object().is_some_and(|m| {
                    m.contains_key("StackName")
                        && m.contains_key("OutputName")
                        && m.keys()
                            .all(|k| ["StackName", "OutputName", "Region", "RoleArn"].contains(&k.as_str()))
                });
                if !ok {
                    self.malformed(at, name, "expects {StackName, OutputName[, Region, RoleArn]}");
                }
            }
            _ => {
                if let Some(expects) = shape_problem(name, args) {
                    self.malformed(at, name, expects);
                }
            }
        }
    }

    fn find_in_map(&mut self, args: &Value, at: &str) {
        let Some(l) = args.as_array().filter(|l| l.len() == 3 || l.len() == 4) else {
            return self.malformed(at, "Fn::FindInMap", "expects [map, top-level key, second-level key]");
        };
        let Some(map_name) = l[0].as_str() else {
            self.used_mappings = None;
            return;
        };
        if let Some(used) = self.used_mappings.as_mut() {
            used.insert(map_name.to_string());
        }
        let Some(map) = self.ctx.mappings.and_then(|m| m.get(map_name)) else {
            self.sink.push("CFN2011", format!("{at}/0"), format!("mapping `{map_name}` does not exist"));
            return;
        };
        let has_default = l.len() == 4;
        let Some(top) = l[1].as_str() else { return };
        let Some(second_level) = map.get(top) else {
            if !has_default {
                self.sink.push(
                    "CFN2011",
                    format!("{at}/1"),
                    format!("mapping `{map_name}` has no key `{top}`"),
                );
            }
            return;
        };
        if let Some(second) = l[2].as_str()
            && second_level.get(second).is_none()
            && !has_default
        {
            self.sink.push(
                "CFN2011",
                format!("{at}/2"),
                format!("mapping `{map_name}`/`{top}` has no key `{second}`"),
            );
        }
    }

    /// `id` may name a resource that a module resource adds (`<ModuleId><ResourceId>`).
    fn added_by_module(&self, id: &str) -> bool {
        self.modules.iter().any(|m| id.len() > m.len() && id.starts_with(m))
    }

    /// A reference to `target` (Ref or Sub variable).
    fn reference(&mut self, target: &str, code: Option<&'static str>, at: &str, scope: Scope<'a>) {
        if Pseudo::from_name(target).is_some() {
            return;
        }
        if self.ctx.parameters.contains_key(target) {
            if !self.used_params.contains(target) {
                self.used_params.insert(target.to_string());
            }
            return;
        }
        if self.ctx.resources.contains_key(target) {
            match scope {
                Scope::Condition | Scope::Rule => self.sink.push(
                    "CFN2013",
                    at,
                    format!("conditions and rules cannot reference resource `{target}`"),
                ),
                Scope::Resource(from) => self.edge(from, target, at),
                Scope::Output => {}
            }
            return;
        }
        if self.transform || self.added_by_module(target) {
            return;
        }
        let what = if code.is_some() { "Fn::Sub variable" } else { "Ref" };
        self.sink.push(
            code.unwrap_or("CFN2001"),
            at,
            format!("{what} `{target}` is not a parameter, resource or pseudo parameter of this template"),
        );
    }

    /// A `GetAtt`-style reference to `res.attr` (attr `None`: computed by a function).
    fn getatt(
        &mut self,
        res: &str,
        attr: Option<&str>,
        (at, attr_at): (&str, &str),
        missing_code: &'static str,
        scope: Scope<'a>,
    ) {
        let Some(type_name) = self.ctx.resources.get(res).copied() else {
            if !self.transform && !self.added_by_module(res) {
                self.sink.push(missing_code, at, format!("`{res}` is not a resource of this template"));
            }
            return;
        };
        if let Scope::Resource(from) = scope {
            self.edge(from, res, at);
        }
        let (Some(attr), Some(t)) = (attr, type_name) else { return };
        if is_custom(t) || (t == "AWS::CloudFormation::Stack" && attr.starts_with("Outputs.")) {
            return;
        }
        // SAM resources have the attributes of what they expand to (`Fn.Version.FunctionArn`).
        if self.sam && t.starts_with("AWS::Serverless::") {
            return;
        }
        if let crate::schema::getatt::Verdict::Missing(shown) = crate::schema::getatt::check(t, attr) {
            // Name the top-level attributes (nested ones are many for some types).
            self.sink.push(
                "CFN2003",
                attr_at,
                match crate::suggest::closest(attr, shown.iter().map(String::as_str)) {
                    Some(near) => format!("`{t}` has no attribute `{attr}`: did you mean `{near}`?"),
                    None => format!(
                        "`{t}` has no attribute `{attr}` (it has: {})",
                        if shown.is_empty() { "none".into() } else { shown.join(", ") }
                    ),
                },
            );
        }
    }

    fn cycles(&mut self) {
        let ids: Vec<&str> = self.edges.keys().copied().collect();
        let index: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let adj: Vec<Vec<usize>> = ids
            .iter()
            .map(|id| self.edges[id].keys().filter_map(|t| index.get(t.as_str()).copied()).collect())
            .collect();
        for scc in tarjan(&adj) {
            let self_loop = scc.len() == 1 && adj[scc[0]].contains(&scc[0]);
            if scc.len() < 2 && !self_loop {
                continue;
            }
            let members: HashSet<usize> = scc.iter().copied().collect();
            let start = *scc.iter().min().expect("non-empty");
            let path = cycle_path(&adj, &members, start);
            let names: Vec<&str> = path.iter().map(|i| ids[*i]).collect();
            // Reported on every resource of the component, naming one cycle through it.
            for &member in &scc {
                let rotated = cycle_path(&adj, &members, member);
                let names: Vec<&str> = if rotated.len() > 2 || self_loop {
                    rotated.iter().map(|i| ids[*i]).collect()
                } else {
                    names.clone()
                };
                self.sink.push(
                    "CFN2006",
                    ptr(&["Resources", ids[member]]),
                    format!("circular dependency: {}", names.join(" -> ")),
                );
            }
        }
    }

    fn unused(&mut self) {
        if self.transform {
            return;
        }
        let params: Vec<String> = self.ctx.parameters.keys().map(|s| s.to_string()).collect();
        for p in params {
            if !self.used_params.contains(&p) {
                self.sink.push("CFN2007", ptr(&["Parameters", &p]), format!("parameter `{p}` is not used"));
            }
        }
        if let (Some(used), Some(maps)) = (&self.used_mappings, self.ctx.mappings) {
            let unused: Vec<String> = maps.keys().filter(|m| !used.contains(*m)).cloned().collect();
            for m in unused {
                self.sink.push("CFN2015", ptr(&["Mappings", &m]), format!("mapping `{m}` is not used"));
            }
        }
        let conds: Vec<String> = self.ctx.conditions.keys().map(|s| s.to_string()).collect();
        for c in conds {
            if !self.used_conditions.contains(&c) {
                self.sink.push("CFN2008", ptr(&["Conditions", &c]), format!("condition `{c}` is not used"));
            }
        }
    }
}

/// What a function's arguments should look like, when they do not.
fn shape_problem(name: &str, args: &Value) -> Option<&'static str> {
    let list = args.as_array();
    let arity = |n: usize| list.is_some_and(|l| l.len() == n);
    let ok = match name {
        "Fn::Join" => {
            arity(2)
                && list.is_some_and(|l| l[0].is_string() && (l[1].is_array() || as_function(&l[1]).is_some()))
        }
        "Fn::Select" | "Fn::Equals" => arity(2),
        "Fn::Split" => arity(2) && list.is_some_and(|l| l[0].is_string()),
        "Fn::And" | "Fn::Or" => list.is_some_and(|l| (2..=10).contains(&l.len())),
        "Fn::Not" => arity(1),
        "Fn::Cidr" => arity(3),
        "Fn::GetAZs" => args.is_string() || as_function(args).is_some(),
        _ => true,
    };
    if ok {
        return None;
    }
    Some(match name {
        "Fn::Join" => "expects [delimiter, [values]]",
        "Fn::Select" => "expects [index, list]",
        "Fn::Equals" => "expects [value, value]",
        "Fn::Split" => "expects [delimiter, string]",
        "Fn::And" | "Fn::Or" => "expects a list of 2 to 10 conditions",
        "Fn::Not" => "expects [condition]",
        "Fn::Cidr" => "expects [ipBlock, count, cidrBits]",
        _ => "expects a region name, \"\" or a Ref",
    })
}

impl Checker<'_, '_> {
    /// Two resources of one type with the same literal primary identifier (e.g. two buckets
    /// with one BucketName) cannot both be created.
    fn primary_identifiers(&mut self) {
        let Some(resources) = self.section("Resources") else { return };
        let mut groups: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
        for (id, r) in resources {
            let Some(t) = r.get("Type").and_then(Value::as_str) else { continue };
            let Some(schema) = crate::schema::info(t) else { continue };
            if schema.primary_identifier.is_empty() || r.get("Condition").is_some() {
                continue;
            }
            let mut parts = Vec::new();
            for p in &schema.primary_identifier {
                let Some(name) = p.strip_prefix("/properties/").filter(|n| !n.contains('/')) else { break };
                if schema.read_only.contains(p) {
                    break;
                }
                match r.get("Properties").and_then(|props| props.get(name)).and_then(scalar_text) {
                    Some(v) => parts.push((name, v)),
                    None => break,
                }
            }
            if parts.len() != schema.primary_identifier.len() {
                continue;
            }
            let key = parts.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join(",");
            groups.entry((t.to_string(), key)).or_default().push((id.clone(), parts[0].0.to_string()));
        }
        for ((t, key), members) in groups {
            if members.len() < 2 {
                continue;
            }
            let names: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
            for (id, prop) in &members {
                self.sink.push(
                    "CFN2014",
                    ptr(&["Resources", id, "Properties", prop]),
                    format!("{} are all {t} with {key}: the identifier must be unique", names.join(", ")),
                );
            }
        }
    }
}

fn mentions(v: &Value, functions: &[&str]) -> bool {
    match v {
        Value::Object(m) => {
            m.iter().any(|(k, x)| (m.len() == 1 && functions.contains(&k.as_str())) || mentions(x, functions))
        }
        Value::Array(l) => l.iter().any(|x| mentions(x, functions)),
        _ => false,
    }
}

fn refs_in(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(("Ref", Value::String(r))) = as_function(v) {
                    out.push(r.clone());
                }
                if let Some(("Fn::Sub", args)) = as_function(v) {
                    let text = args.as_str().or_else(|| args.get(0).and_then(Value::as_str)).unwrap_or("");
                    out.extend(
                        sub_variables(text)
                            .into_iter()
                            .map(|s| s.split('.').next().unwrap_or("").to_string()),
                    );
                }
                stack.extend(m.values());
            }
            Value::Array(l) => stack.extend(l),
            _ => {}
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 { format!("{}...", &s[..s.floor_char_boundary(77)]) } else { s }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
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

/// Variables of an Fn::Sub string: `${Name}` and `${Res.Attr}`; `${!Literal}` is not one.
pub(crate) fn sub_variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = after[..end].trim();
        if !var.starts_with('!') && !var.is_empty() {
            out.push(var.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

/// Strongly connected components (iterative Tarjan), each sorted.
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut scc = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        scc.push(w);
                        if w == v {
                            break;
                        }
                    }
                    scc.sort_unstable();
                    out.push(scc);
                }
            }
        }
    }
    out.sort();
    out
}

/// A cycle through `start` inside one component, as a path `start -> ... -> start`.
fn cycle_path(adj: &[Vec<usize>], members: &HashSet<usize>, start: usize) -> Vec<usize> {
    // Breadth-first search for the shortest way back to `start`.
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start];
                let mut cur = v;
                while cur != start {
                    path.push(cur);
                    cur = prev[&cur];
                }
                path.push(start);
                let n = path.len();
                path[1..n - 1].reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_variables_skip_literals() {
        assert_eq!(sub_variables("${A}-${B.Arn}-${!Lit}-${ AWS::Region }"), ["A", "B.Arn", "AWS::Region"]);
    }

    #[test]
    fn tarjan_finds_cycles_and_paths() {
        let adj = vec![vec![1], vec![2], vec![0], vec![3], vec![]];
        let sccs = tarjan(&adj);
        assert!(sccs.contains(&vec![0, 1, 2]));
        assert!(sccs.contains(&vec![3]));
        let members: HashSet<usize> = [0, 1, 2].into_iter().collect();
        assert_eq!(cycle_path(&adj, &members, 0), [0, 1, 2, 0]);
    }

    #[test]
    fn parameter_types() {
        for t in [
            "String",
            "List<AWS::EC2::Subnet::Id>",
            "AWS::SSM::Parameter::Value<String>",
            "AWS::SSM::Parameter::Value<List<AWS::EC2::VPC::Id>>",
            "List<String>",
        ] {
            assert!(parameter_type_ok(t), "{t}");
        }
        for t in ["string", "List<Strings>", "AWS::S3::Bucket"] {
            assert!(!parameter_type_ok(t), "{t}");
        }
    }
}
