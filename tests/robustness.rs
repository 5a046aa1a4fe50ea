//! Robustness: hostile and random input never makes cfnc panic, and resource use stays bounded.
//!
//! Property tests (proptest, a bounded number of cases each so the suite stays fast) feed
//! - arbitrary bytes, and mutated real templates, to the template reader, then whatever it
//!   accepts to the validator, the template model and the diff engine;
//! - generated templates (sections, parameters, conditions, intrinsic-shaped maps, random
//!   resource types from the vendored schema list with property trees named after the
//!   schema's properties) as JSON text and as YAML text with short-form tags, checking that
//!   the reader gives back the same document, and to the validator and the diff engine;
//! - arbitrary text, config-shaped YAML and mutated real configs to the config loader;
//! - arbitrary text to the stack assignment lock reader, and hand-edited locks to the split.
//!
//! Resource bounds: a 100 MB template or config is refused before it is read (and an endless
//! stream on standard input is cut at the limit), alias bombs are refused, 10,000 levels of
//! nesting are refused on a thread with an ordinary 2 MiB stack (no unbounded recursion), the
//! deepest template the reader accepts goes through every later stage on such a stack, and
//! many conditions do not multiply the validator's or the diff's work.
//!
//! `PROPTEST_CASES=N` overrides the case counts for a longer local run.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use cfnc::diff::{StackTemplate, TemplateSet, diff_report};
use cfnc::reader::{self, Limits, ReadError};
use cfnc::validate;
use payment_platform::config::Config;
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Map, Value, json};

/// Stack size of the threads that prove bounded recursion: the default of a spawned thread.
const NORMAL_STACK: usize = 2 * 1024 * 1024;

/// Runs `f` on a thread with an ordinary stack and waits at most `secs` (a hang guard, not a
/// benchmark: the limits make these finish in well under a second).
fn on_normal_stack<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .stack_size(NORMAL_STACK)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    let out = rx
        .recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("did not finish within {secs} s (or panicked/overflowed: see above)"));
    handle.join().expect("thread");
    out
}

fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(n);
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// What every accepted input goes through.

/// Everything downstream of the reader: the model, the validator (with positions), finding
/// locations, and the diff engine against an empty and against the same template.
fn exercise(loaded: &reader::Loaded) {
    let _ = loaded.template();
    let findings = validate::validate_loaded(loaded);
    for f in &findings {
        assert!(f.pointer.is_empty() || f.pointer.starts_with('/'), "pointer {:?}", f.pointer);
        let _ = loaded.location(&f.pointer);
        let _ = f.location();
    }
    if let (Ok(a), Ok(empty)) = (
        TemplateSet::from_templates([("s".to_string(), loaded.value.clone())]),
        TemplateSet::from_templates([("s".to_string(), json!({"Resources": {}}))]),
    ) {
        assert!(diff_report(&a, &a).changes.is_empty(), "a template differs from itself");
        let _ = diff_report(&empty, &a);
    }
}

fn read_and_exercise(bytes: Vec<u8>) -> Result<(), ReadError> {
    let loaded = reader::parse_bytes(bytes, "fuzz.yaml", Limits::default())?;
    exercise(&loaded);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generated templates.

/// Function names to generate: those the typed model knows, the rest CloudFormation knows,
/// and a loop name that is only valid under `AWS::LanguageExtensions`.
fn intrinsics() -> Vec<&'static str> {
    let mut all = cfnc::model::intrinsic::FUNCTION_NAMES.to_vec();
    all.extend([
        "Fn::Transform",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::GetStackOutput",
        "Fn::ForEach::Items",
    ]);
    all
}

/// Names that reach the interesting code: ids used elsewhere in the template, pseudo
/// parameters, attribute names.
const NAMES: &[&str] = &[
    "A",
    "B",
    "Param",
    "Cond",
    "Map",
    "Arn",
    "Outputs.X",
    "AWS::Region",
    "AWS::AccountId",
    "AWS::NoValue",
    "AWS::StackName",
    "AWS::URLSuffix",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(NAMES).prop_map(str::to_string),
        1 => "[A-Za-z0-9:._${}-]{0,12}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        name().prop_map(Value::from),
        "[a-z${}:./ -]{0,16}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(&["yes", "no", "~", "null", "0x1F", "1e3", ".inf", "2026-01-01", "010", ""][..])
            .prop_map(Value::from),
    ]
}

/// A function call with random, sometimes well-formed, arguments.
fn intrinsic(inner: impl Strategy<Value = Value> + Clone) -> impl Strategy<Value = Value> {
    let args = prop::collection::vec(inner.clone(), 0..4);
    (
        prop::sample::select(intrinsics()),
        prop_oneof![inner, args.prop_map(Value::Array), name().prop_map(Value::from)],
    )
        .prop_map(|(f, arg)| {
            let mut m = Map::new();
            m.insert(f.to_string(), arg);
            Value::Object(m)
        })
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner.clone(), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            intrinsic(inner.clone()),
            (name(), name()).prop_map(|(r, a)| json!({"Fn::GetAtt": [r, a]})),
            (name(), inner.clone(), inner).prop_map(|(c, a, b)| json!({"Fn::If": [c, a, b]})),
        ]
    })
}

/// Resource types from the vendored schema list (and a few that are not in it).
fn resource_type() -> impl Strategy<Value = String> {
    let vendored: Vec<&'static str> = cfnc::schema::type_names().collect();
    prop_oneof![
        8 => prop::sample::select(vendored).prop_map(str::to_string),
        1 => Just("AWS::Nope::Nothing".to_string()),
        1 => Just("Custom::Thing".to_string()),
        1 => "[A-Za-z:]{0,20}",
    ]
}

/// Properties named after the type's schema (plus a stray one), with random values.
fn properties(type_name: String) -> impl Strategy<Value = (String, Value)> {
    let mut names: Vec<String> = cfnc::schema::get(&type_name)
        .and_then(|s| s.json.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    names.push("NotAProperty".to_string());
    prop::collection::btree_map(prop::sample::select(names), value(), 0..5)
        .prop_map(move |m| (type_name.clone(), Value::Object(m.into_iter().collect())))
}

fn resource() -> impl Strategy<Value = Value> {
    (
        resource_type().prop_flat_map(properties),
        prop::option::of(prop_oneof![
            name().prop_map(Value::from),
            prop::collection::vec(name(), 0..3).prop_map(|v| json!(v))
        ]),
        prop::option::of(prop::sample::select(
            &["Retain", "Delete", "Snapshot", "RetainExceptOnCreate", "Bogus"][..],
        )),
        prop::option::of(name()),
        prop::option::of(value()),
    )
        .prop_map(|((ty, props), depends, policy, cond, meta)| {
            let mut r = Map::new();
            r.insert("Type".into(), Value::from(ty));
            r.insert("Properties".into(), props);
            if let Some(d) = depends {
                r.insert("DependsOn".into(), d);
            }
            if let Some(p) = policy {
                r.insert("DeletionPolicy".into(), p.into());
                r.insert("UpdateReplacePolicy".into(), p.into());
            }
            if let Some(c) = cond {
                r.insert("Condition".into(), c.into());
            }
            if let Some(m) = meta {
                r.insert("Metadata".into(), m);
            }
            Value::Object(r)
        })
}

fn parameter() -> impl Strategy<Value = Value> {
    let types = prop::sample::select(
        &[
            "String",
            "Number",
            "List<Number>",
            "CommaDelimitedList",
            "AWS::EC2::VPC::Id",
            "AWS::SSM::Parameter::Value<String>",
            "Bogus",
        ][..],
    );
    (types, prop::option::of(scalar()), prop::option::of(prop::collection::vec(scalar(), 0..3))).prop_map(
        |(t, d, allowed)| {
            let mut p = json!({"Type": t});
            if let Some(d) = d {
                p["Default"] = d;
            }
            if let Some(a) = allowed {
                p["AllowedValues"] = Value::Array(a);
            }
            p
        },
    )
}

fn section<S: Strategy<Value = Value>>(entries: S, max: usize) -> impl Strategy<Value = Value> {
    prop::collection::btree_map(name(), entries, 0..max).prop_map(|m| Value::Object(m.into_iter().collect()))
}

/// A template: the usual sections with random content, and sometimes a random extra one.
fn template() -> impl Strategy<Value = Value> {
    (
        prop::option::of(section(parameter(), 4)),
        prop::option::of(section(value(), 3)),
        prop::option::of(section(value(), 2)),
        section(resource(), 4),
        prop::option::of(section(
            (value(), prop::option::of(value())).prop_map(|(v, e)| match e {
                Some(e) => json!({"Value": v, "Export": {"Name": e}}),
                None => json!({"Value": v}),
            }),
            4,
        )),
        prop::option::of((name(), value())),
    )
        .prop_map(|(params, conds, maps, res, outs, extra)| {
            let mut t = Map::new();
            t.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
            for (k, v) in
                [("Parameters", params), ("Conditions", conds), ("Mappings", maps), ("Outputs", outs)]
            {
                if let Some(v) = v {
                    t.insert(k.into(), v);
                }
            }
            t.insert("Resources".into(), res);
            if let Some((k, v)) = extra {
                t.insert(k, v);
            }
            Value::Object(t)
        })
}

// ---------------------------------------------------------------------------------------------
// YAML rendering of generated values, with CloudFormation short forms.

/// A JSON string literal is a valid YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        // JSON's `-0.0`, big floats: YAML reads JSON number syntax the same way.
        other => other.to_string(),
    }
}

/// Short form of a one-key intrinsic map, when YAML has one: `!Ref x`, `!GetAtt a.b`, `!Sub [..]`.
fn short_form(v: &Value) -> Option<(String, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    let tag = match k.as_str() {
        "Ref" | "Condition" => k.clone(),
        k if k.starts_with("Fn::") && !k.starts_with("Fn::ForEach") => {
            k.trim_start_matches("Fn::").to_string()
        }
        _ => return None,
    };
    Some((tag, arg))
}

/// Flow-style YAML with short-form tags where `tags` says so (by a per-node choice sequence).
fn yaml(v: &Value, choices: &mut impl Iterator<Item = bool>) -> String {
    // A tagged scalar is text (`!Ref null` is the string "null"): short forms only for string,
    // list and map arguments, where the long form is the same document.
    if choices.next().unwrap_or(false)
        && let Some((tag, arg)) = short_form(v)
        && (arg.is_string() || arg.is_array() || arg.is_object())
        // `!GetAtt a.b` is the list [a, b]: a dotted string argument reads back split.
        && !(tag == "GetAtt" && arg.is_string())
    {
        // `!GetAtt a.b` only when the dotted form means the same list.
        if tag == "GetAtt"
            && let Some([Value::String(r), Value::String(a)]) = arg.as_array().map(Vec::as_slice)
            && !r.contains('.')
            && !r.is_empty()
            && !a.is_empty()
        {
            return format!("!GetAtt {}", quoted(&format!("{r}.{a}")));
        }
        // A node has one tag: `!If !GetAtt a.b` is not YAML (CloudFormation's docs say the
        // same of `!Base64 !Sub`), so a map argument is written in long form at its top.
        return format!(
            "!{tag} {}",
            if arg.is_object() { yaml_long(arg, choices) } else { yaml(arg, choices) }
        );
    }
    yaml_long(v, choices)
}

/// `v` without a short form at its top (its children may have one).
fn yaml_long(v: &Value, choices: &mut impl Iterator<Item = bool>) -> String {
    match v {
        Value::Array(items) => {
            format!("[{}]", items.iter().map(|i| yaml(i, choices)).collect::<Vec<_>>().join(", "))
        }
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), yaml(v, choices)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => yaml_scalar(other),
    }
}

/// Block-style YAML (top level) around flow-style values.
fn yaml_document(v: &Value, choices: &[bool]) -> String {
    let mut it = choices.iter().copied().cycle();
    match v {
        Value::Object(m) => {
            m.iter().map(|(k, v)| format!("{}: {}\n", quoted(k), yaml(v, &mut it))).collect::<String>()
        }
        other => format!("{}\n", yaml(other, &mut it)),
    }
}

/// Equality of documents read back, with numbers compared by value (`1.0` may read as `1`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// Mutation of real inputs.

fn repo() -> &'static Path {
    crate::common::repo()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            out.push(p);
        }
    }
}

/// Every template fixture of the repository (cfn-lint's, the diff's, the reader's).
fn seed_templates() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut paths = Vec::new();
        for d in ["tests/fixtures/templates", "tests/fixtures/cfn-lint", "tests/fixtures/diff"] {
            files_under(&repo().join(d), &mut paths);
        }
        assert!(paths.len() > 20, "template fixtures found: {}", paths.len());
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "\n",
    "\n  ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: ",
    "---\n",
    "...\n",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "!!int ",
    "!!str ",
    "!!binary ",
    "!Foo ",
    "? ",
    "|\n",
    ">-\n",
    "%YAML 1.2\n",
    "\u{feff}",
    "\u{0}",
    "\\",
    "null",
    "~",
    "Ref",
    "Fn::GetAtt",
    "Resources",
    "Type",
    "Properties",
    "AWS::S3::Bucket",
    "é",
    "\u{10FFFF}",
    "\r\n",
];

/// One edit: delete a range, insert a token, or flip a byte.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, &'static str),
    Flip(usize, u8),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        prop_oneof![
            (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
            (any::<usize>(), prop::sample::select(TOKENS)).prop_map(|(at, t)| Edit::Insert(at, t)),
            (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        ],
        1..6,
    )
}

fn mutate(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match *e {
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Insert(at, t) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, t.bytes());
            }
            Edit::Flip(at, b) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] ^= b;
                }
            }
        }
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// Config-shaped documents.

fn config_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        scalar(),
        prop::sample::select(
            &[
                "ops@example.com",
                "https://api.example.com/health",
                "us-east-1",
                "Sum",
                "GreaterThanThreshold",
                "notBreaching",
                "2026-11-29T22:00:00",
                "UTC",
                "payment-errors",
                "PaymentErrors",
            ][..]
        )
        .prop_map(Value::from),
    ];
    let keys = prop::sample::select(
        &[
            "environment",
            "notifications",
            "standard",
            "critical",
            "alarms",
            "name",
            "description",
            "metric",
            "statistic",
            "comparison",
            "threshold",
            "period",
            "evaluation_periods",
            "datapoints_to_alarm",
            "treat_missing_data",
            "dimensions",
            "systemic",
            "canary",
            "target_url",
            "latency_budget_ms",
            "dashboard",
            "regions",
            "anomaly_detection",
            "excluded_time_ranges",
            "start",
            "end",
            "metric_timezone",
            "tags",
            "Environment",
            "Owner",
        ][..],
    );
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6)
                .prop_map(|m| { Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()) }),
        ]
    })
}

fn parse_config(text: &str) {
    let _ = Config::parse(Path::new("stacks/config/dev.yaml"), text, "dev");
}

// ---------------------------------------------------------------------------------------------
// Stack assignment locks (hand-editable, committed).

/// The platform's app (dev), built once.
fn platform_app() -> &'static cfnc::compile::App {
    static APP: std::sync::OnceLock<cfnc::compile::App> = std::sync::OnceLock::new();
    APP.get_or_init(|| {
        let config = Config::load(repo(), "dev").unwrap();
        let asset =
            |n: &str| cfnc::build::StagedAsset { sha256: n.repeat(64), s3_key: format!("assets/{n}.zip") };
        let assets = payment_platform::StagedAssets { lambda: asset("a"), canary: asset("b") };
        payment_platform::root::build(&config, &assets).unwrap()
    })
}

/// A lock as a user might edit it: real and made-up stacks, parts and resource ids.
fn lock_value() -> impl Strategy<Value = Value> {
    let stacks = prop::sample::select(&["network", "security", "monitoring", "compute", "root", "nope"][..]);
    let suffix = prop::sample::select(&["", "-1", "-2", "-7", "-02", "-x", "-99999999999"][..]);
    let ids = prop_oneof![
        prop::sample::select(
            &["Vpc", "ArtifactsBucket", "S3Key", "PaymentErrorsAlarm", "MetricCollectorFunction", "Nope"][..]
        )
        .prop_map(str::to_string),
        "[A-Za-z0-9]{1,8}",
    ];
    prop::collection::btree_map(
        stacks.clone(),
        prop::collection::btree_map((stacks, suffix), prop::collection::vec(ids, 0..6), 0..3),
        0..5,
    )
    .prop_map(|homes| {
        let stacks: Map<String, Value> = homes
            .into_iter()
            .map(|(home, parts)| {
                let parts: Map<String, Value> =
                    parts.into_iter().map(|((s, n), ids)| (format!("{s}{n}"), json!(ids))).collect();
                (home.to_string(), Value::Object(parts))
            })
            .collect();
        json!({"format": 1, "stacks": stacks})
    })
}

// ---------------------------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn the_reader_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_and_exercise(bytes);
    }

    #[test]
    fn the_config_loader_takes_any_text(text in any::<String>()) {
        parse_config(&text);
    }

    #[test]
    fn the_lock_reader_takes_any_text(text in any::<String>()) {
        let _ = cfnc::compile::split::Lock::parse(&text, Path::new("dev.lock.json"));
    }
}

proptest! {
    #![proptest_config(cases(32))]

    #[test]
    fn hand_edited_locks_never_panic_the_split(lock in lock_value()) {
        let text = serde_json::to_string(&lock).unwrap();
        let lock = cfnc::compile::split::Lock::parse(&text, Path::new("dev.lock.json")).unwrap();
        let settings = cfnc::compile::split::Settings::default();
        let _ = cfnc::compile::split::compile(platform_app().clone(), Some(&lock), &settings, &cfnc::build::template_url);
    }
}

proptest! {
    #![proptest_config(cases(128))]

    #[test]
    fn mutated_real_configs_never_panic(prod in any::<bool>(), edits in edits()) {
        let file = if prod { "prod.yaml" } else { "dev.yaml" };
        let bytes = std::fs::read(repo().join("stacks/config").join(file)).unwrap();
        let text = String::from_utf8_lossy(&mutate(bytes, &edits)).into_owned();
        parse_config(&text);
    }

    #[test]
    fn the_config_loader_takes_config_shaped_yaml(doc in config_value()) {
        let text = serde_yaml::to_string(&doc).unwrap_or_default();
        parse_config(&text);
        parse_config(&serde_json::to_string(&doc).unwrap());
    }

    #[test]
    fn mutated_real_templates_never_panic(seed in any::<prop::sample::Index>(), edits in edits()) {
        let seeds = seed_templates();
        let bytes = mutate(seeds[seed.index(seeds.len())].clone(), &edits);
        let _ = read_and_exercise(bytes);
    }

}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn generated_templates_read_back_as_json_and_validate(t in template()) {
        let text = serde_json::to_string_pretty(&t).unwrap();
        let loaded = reader::parse_str(&text, "gen.json").expect("the reader takes JSON serde_json writes");
        prop_assert!(same(&loaded.value, &t), "read back:\n{}\nwritten:\n{text}", loaded.value);
        exercise(&loaded);
    }

    #[test]
    fn generated_templates_read_back_from_yaml_with_short_forms(t in template(), choices in prop::collection::vec(any::<bool>(), 1..64)) {
        let text = yaml_document(&t, &choices);
        let loaded = reader::parse_str(&text, "gen.yaml")
            .unwrap_or_else(|e| panic!("{:?}\n{text}", miette::Report::new(e)));
        prop_assert!(same(&loaded.value, &t), "read back:\n{}\nfrom:\n{text}", loaded.value);
        exercise(&loaded);
    }

    #[test]
    fn the_diff_engine_takes_any_pair_and_nesting(a in template(), b in template(), nest in any::<bool>()) {
        let set = |t: &Value, child: &Value| {
            let mut stacks = vec![StackTemplate::new("root", t.clone())];
            if nest {
                let ids: Vec<String> = t["Resources"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
                if let Some(id) = ids.first() {
                    stacks.push(StackTemplate::new("child", child.clone()).nested_in("root", id.clone()));
                }
            }
            TemplateSet::from_stacks(stacks)
        };
        if let (Ok(sa), Ok(sb)) = (set(&a, &b), set(&b, &a)) {
            let _ = diff_report(&sa, &sb);
            prop_assert!(diff_report(&sa, &sa).changes.is_empty());
        }
    }

}

// ---------------------------------------------------------------------------------------------
// Resource bounds.

fn sparse_file(dir: &Path, name: &str, size: u64) -> PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    path
}

#[test]
fn a_hundred_megabyte_template_or_config_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = sparse_file(dir.path(), "big.yaml", 100 * 1024 * 1024);
    let e = reader::load(&big).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { size: 104_857_600, .. }), "{e}");
    let e = validate::validate_path(&big).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
    let e = TemplateSet::from_path(&big).unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");

    let cfg = dir.path().join("stacks/config");
    std::fs::create_dir_all(&cfg).unwrap();
    sparse_file(&cfg, "dev.yaml", 100 * 1024 * 1024);
    let e = Config::load(dir.path(), "dev").unwrap_err();
    assert!(matches!(e, cfnc::config::ConfigError::TooLarge { .. }), "{e}");
}

#[test]
fn an_endless_stream_on_stdin_is_cut_at_the_limit() {
    // /dev/zero never ends: reading it whole would never finish (or exhaust memory).
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let out = on_normal_stack(120, move || {
        let bin = assert_cmd::cargo::cargo_bin("cfnc");
        std::process::Command::new(bin).args(["validate", "-"]).stdin(zero).output().unwrap()
    });
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the 10485760-byte limit"));
}

/// "Billion laughs": 9 levels of 9 aliases (9^9 nodes expanded).
fn billion_laughs(prefix: &str, indent: &str) -> String {
    let mut text = format!("{prefix}{indent}- &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("{indent}- &a{i} [{refs}]\n"));
    }
    text
}

#[test]
fn alias_bombs_are_refused() {
    on_normal_stack(60, || {
        let e =
            reader::parse_str(&billion_laughs("Resources: {}\nLaughs:\n", "  "), "bomb.yaml").unwrap_err();
        assert!(e.to_string().contains("alias bomb"), "{e}");
        // Few nodes, much text.
        let text = format!("Resources: {{}}\nS: &s {}\nL:\n{}", "x".repeat(1 << 20), "  - *s\n".repeat(100));
        let e = reader::parse_str(&text, "strings.yaml").unwrap_err();
        assert!(e.to_string().contains("alias bomb"), "{e}");
        let e = Config::parse(Path::new("dev.yaml"), &billion_laughs("regions:\n", "  "), "dev").unwrap_err();
        assert!(e.to_string().contains("alias bomb"), "{e}");
        let text = format!(
            "tags:\n  A: &s {}\n{}",
            "x".repeat(1 << 18),
            (0..100).map(|i| format!("  B{i}: *s\n")).collect::<String>()
        );
        let e = Config::parse(Path::new("dev.yaml"), &text, "dev").unwrap_err();
        assert!(e.to_string().contains("alias bomb"), "{e}");
    });
}

const DEEP: usize = 10_000;

#[test]
fn ten_thousand_levels_of_nesting_in_files_are_refused_without_overflow() {
    on_normal_stack(60, || {
        let flow = format!("{{\"Resources\": {}{}}}", "[".repeat(DEEP), "]".repeat(DEEP));
        let maps = format!("{}1{}", "{\"a\": ".repeat(DEEP), "}".repeat(DEEP));
        let block = format!("Resources:\n  A:\n    {}x\n", "- ".repeat(DEEP));
        let tags = format!("Resources:\n  A: {}x\n", "!Not [".repeat(DEEP) + &"]".repeat(DEEP));
        for (name, text) in
            [("flow.json", flow), ("maps.json", maps), ("block.yaml", block), ("tags.yaml", tags)]
        {
            match reader::parse_str(&text, name) {
                Err(e @ ReadError::Syntax(_)) => {
                    assert!(e.to_string().contains("nesting deeper than"), "{name}: {e}")
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        for text in [
            format!("regions: {}{}\n", "[".repeat(DEEP), "]".repeat(DEEP)),
            format!("regions:\n  {}x\n", "- ".repeat(DEEP)),
        ] {
            let e = Config::parse(Path::new("dev.yaml"), &text, "dev").unwrap_err();
            assert!(e.to_string().contains("nesting deeper than"), "{e}");
        }
    });
}

/// At least `depth` levels of nesting (maps, lists and `Fn::If`s, which are two levels), as
/// JSON text.
fn deep_json(depth: usize) -> String {
    let mut v = json!({"Ref": "AWS::Region"});
    let mut levels = 1;
    let mut i = 0;
    while levels < depth {
        (v, levels) = match i % 3 {
            0 => (json!({"K": v}), levels + 1),
            1 => (json!([v]), levels + 1),
            _ => (json!({"Fn::If": ["C", v, "x"]}), levels + 2),
        };
        i += 1;
    }
    v.to_string()
}

#[test]
fn the_deepest_templates_the_reader_accepts_go_through_every_stage() {
    // serde_json's own `Drop` and `Clone` recurse, so a 10,000-deep `Value` cannot even be
    // dropped on an ordinary stack: depth is bounded where values come in (the reader: 128
    // levels; serde_json's parser: 128). Here: everything behind the reader at its limit.
    on_normal_stack(120, || {
        let max = Limits::default().max_depth;
        // The body sits 4 levels down (Resources, D, Properties, DashboardBody).
        let body = deep_json(max - 5);
        let text = format!(
            "{{\"Parameters\": {{\"P\": {{\"Type\": \"String\"}}}}, \"Conditions\": {{\"C\": {{\"Fn::Equals\": [{{\"Ref\": \"P\"}}, \"a\"]}}}}, \
             \"Resources\": {{\"D\": {{\"Type\": \"AWS::CloudWatch::Dashboard\", \"Properties\": {{\"DashboardBody\": {body}}}}}}}, \
             \"Outputs\": {{\"O\": {{\"Value\": {body}}}}}}}"
        );
        let loaded = reader::parse_str(&text, "deep.json").expect("within the reader's limit");
        exercise(&loaded);
        let too_deep = format!("{{\"Resources\": {}}}", deep_json(max + 1));
        assert!(reader::parse_str(&too_deep, "deeper.json").is_err());
    });
}

#[test]
fn many_conditions_do_not_explode_the_validator_or_the_diff() {
    // 40 independent conditions, each choosing one element of one list: 2^40 combinations.
    on_normal_stack(120, || {
        let n = 40;
        let mut params = Map::new();
        let mut conds = Map::new();
        let mut items = Vec::new();
        for i in 0..n {
            params.insert(format!("P{i}"), json!({"Type": "String", "Default": "a"}));
            conds.insert(format!("C{i}"), json!({"Fn::Equals": [{"Ref": format!("P{i}")}, "a"]}));
            items.push(json!({"Fn::If": [format!("C{i}"), format!("sg-{i}"), {"Ref": "AWS::NoValue"}]}));
        }
        let t = json!({
            "Parameters": params,
            "Conditions": conds,
            "Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {
                "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}, "Runtime": "python3.12",
                "Handler": "i.h", "VpcConfig": {"SecurityGroupIds": items, "SubnetIds": ["subnet-1"]}}}}
        });
        let text = serde_json::to_string(&t).unwrap();
        let loaded = reader::parse_str(&text, "conditions.json").unwrap();
        exercise(&loaded);
    });
}
