//! Service rules that bite people on this platform: CloudWatch alarm periods and metric math,
//! IAM policy document shape.

use serde_json::Value;

use super::Sink;
use super::intrinsics::as_function;

/// Runs the service rules of `type_name` on a resource's properties (pointer `at`).
pub(crate) fn check(type_name: &str, props: Option<&Value>, at: &str, sink: &mut Sink) {
    let Some(props) = props else { return };
    branches(props, at, &mut |props, at| match type_name {
        "AWS::CloudWatch::Alarm" => alarm(props, at, sink),
        "AWS::IAM::Role" => {
            policy_at(props, "AssumeRolePolicyDocument", at, Kind::Resource, sink);
            policies_list(props, at, sink);
        }
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            policy_at(props, "PolicyDocument", at, Kind::Identity, sink)
        }
        "AWS::S3::BucketPolicy" => policy_at(props, "PolicyDocument", at, Kind::Bucket, sink),
        "AWS::SNS::TopicPolicy" => policy_at(props, "PolicyDocument", at, Kind::Resource, sink),
        "AWS::KMS::Key" => policy_at(props, "KeyPolicy", at, Kind::Resource, sink),
        "AWS::Lambda::Function" => lambda(props, at, sink),
        _ => {}
    });
}

/// A SAM function (`AWS::Serverless::Function`, or the transform's `Globals: Function`): its
/// Runtime follows Lambda's deprecation policy like a Lambda function's. Handler and Runtime
/// may come from `Globals`, so their absence is not reported.
pub(crate) fn sam_function(props: Option<&Value>, at: &str, sink: &mut Sink) {
    let Some(props) = props else { return };
    branches(props, at, &mut |props, at| {
        if matches!(get(props, "PackageType"), Some(Value::String(t)) if t == "Image") {
            return;
        }
        if let Some(runtime) = get(props, "Runtime") {
            branches(runtime, &format!("{at}/Runtime"), &mut |r, r_at| {
                if let Value::String(runtime) = r {
                    runtime_lifecycle(runtime, r_at, &today(), sink);
                }
            });
        }
    });
}

/// .zip packages need Runtime and Handler (container images do not).
fn lambda(props: &Value, at: &str, sink: &mut Sink) {
    let image = match get(props, "PackageType") {
        Some(Value::String(t)) => t == "Image",
        Some(_) => return,
        None => get(props, "Code").and_then(|c| get(c, "ImageUri")).is_some(),
    };
    if image || props.as_object().is_none() {
        return;
    }
    if let Some(Value::String(runtime)) = get(props, "Runtime") {
        runtime_lifecycle(runtime, &format!("{at}/Runtime"), &today(), sink);
    }
    for key in ["Runtime", "Handler"] {
        if get(props, key).is_none() {
            sink.push(
                "CFN5009",
                at,
                format!("a .zip function needs `{key}` (only container images may omit it)"),
            );
        }
    }
}

/// Lambda's runtime deprecation policy, with the dates of `schema/lambda-runtime-lifecycle.json`
/// (vendored from cfn-lint): after `create-block` no function can be created with the runtime
/// (an error: the deployment fails), after `deprecated` it gets no more security patches (a
/// warning). Dates are `YYYY-MM-DD`, compared with `today` in the same form.
#[derive(serde::Deserialize)]
struct Lifecycle {
    #[serde(rename = "create-block")]
    create_block: Option<String>,
    deprecated: Option<String>,
    successor: Option<String>,
    #[serde(rename = "update-block")]
    update_block: Option<String>,
}

fn lifecycles() -> &'static std::collections::HashMap<String, Lifecycle> {
    static DATA: std::sync::OnceLock<std::collections::HashMap<String, Lifecycle>> =
        std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../schema/lambda-runtime-lifecycle.json"))
            .expect("schema/lambda-runtime-lifecycle.json is valid (tested)")
    })
}

pub(crate) fn runtime_lifecycle(runtime: &str, at: &str, today: &str, sink: &mut Sink) {
    let Some(l) = lifecycles().get(runtime) else { return };
    fn passed<'d>(date: &'d Option<String>, today: &str) -> Option<&'d str> {
        date.as_deref().filter(|d| *d <= today)
    }
    let instead = l.successor.as_deref().map(|s| format!("; use {s}")).unwrap_or_default();
    if let Some(blocked) = passed(&l.create_block, today) {
        let update = match l.update_block.as_deref() {
            Some(u) if u <= today => format!(", updates since {u}"),
            Some(u) => format!(", updates from {u}"),
            None => String::new(),
        };
        sink.push(
            "CFN5012",
            at,
            format!("Lambda no longer creates functions with runtime `{runtime}` (since {blocked}{update}){instead}"),
        );
    } else if let Some(deprecated) = passed(&l.deprecated, today) {
        let blocked =
            l.create_block.as_deref().map(|d| format!(", creation blocked from {d}")).unwrap_or_default();
        sink.push(
            "CFN5013",
            at,
            format!("runtime `{runtime}` is deprecated since {deprecated}{blocked}{instead}"),
        );
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`; `SOURCE_DATE_EPOCH` (seconds) overrides the clock, as
/// for reproducible builds.
pub(crate) fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Subnets of one VPC (same VpcId expression) whose literal IPv4 CIDR blocks overlap.
pub(crate) fn subnet_overlaps(template: &Value, sink: &mut Sink) {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return };
    let mut by_vpc: std::collections::BTreeMap<String, Vec<(u32, u32, &str, &str)>> = Default::default();
    for (id, r) in resources {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::EC2::Subnet") || r.get("Condition").is_some() {
            continue;
        }
        let Some(props) = r.get("Properties") else { continue };
        let (Some(vpc), Some(Value::String(cidr))) = (get(props, "VpcId"), get(props, "CidrBlock")) else {
            continue;
        };
        let Some((start, end)) = ipv4_range(cidr) else { continue };
        by_vpc.entry(vpc.to_string()).or_default().push((start, end, id.as_str(), cidr.as_str()));
    }
    for subnets in by_vpc.values() {
        for (i, (start, end, id, cidr)) in subnets.iter().enumerate() {
            if let Some((_, _, other, other_cidr)) =
                subnets[..i].iter().find(|(s, e, _, _)| start <= e && s <= end)
            {
                sink.push(
                    "CFN5010",
                    format!("/Resources/{id}/Properties/CidrBlock"),
                    format!("{cidr} overlaps {other_cidr} of subnet `{other}` in the same VPC"),
                );
            }
        }
    }
}

pub(crate) fn ipv4_range(cidr: &str) -> Option<(u32, u32)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr = u32::from(addr.parse::<std::net::Ipv4Addr>().ok()?);
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((addr & mask, (addr & mask) | !mask))
}

/// Calls `f` on `v`, or on each branch of an `Fn::If` (recursively); `Ref AWS::NoValue` and
/// other functions are skipped (they are not literal structure).
fn branches<'v>(v: &'v Value, at: &str, f: &mut dyn FnMut(&'v Value, &str)) {
    match as_function(v) {
        Some(("Fn::If", Value::Array(l))) if l.len() == 3 => {
            branches(&l[1], &format!("{at}/Fn::If/1"), f);
            branches(&l[2], &format!("{at}/Fn::If/2"), f);
        }
        Some(_) => {}
        None => f(v, at),
    }
}

fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_object().and_then(|m| m.get(key))
}

/// A literal integer (or numeric string), if the value is one.
fn literal_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn period_ok(p: i64) -> bool {
    matches!(p, 10 | 20 | 30) || (p > 0 && p % 60 == 0)
}

fn period(v: &Value, at: &str, sink: &mut Sink) {
    branches(v, at, &mut |v, at| {
        if let Some(p) = literal_int(v)
            && !period_ok(p)
        {
            sink.push(
                "CFN5001",
                at,
                format!("alarm period {p} must be 10, 20, 30 or a multiple of 60 seconds"),
            );
        }
    });
}

fn alarm(props: &Value, at: &str, sink: &mut Sink) {
    if let Some(p) = get(props, "Period") {
        period(p, &format!("{at}/Period"), sink);
    }
    let Some(metrics) = get(props, "Metrics") else { return };
    let mut items: Vec<(String, &Value)> = Vec::new();
    branches(metrics, &format!("{at}/Metrics"), &mut |list, list_at| {
        if let Value::Array(l) = list {
            for (i, m) in l.iter().enumerate() {
                branches(m, &format!("{list_at}/{i}"), &mut |m, m_at| items.push((m_at.to_string(), m)));
            }
        }
    });
    let ids: Vec<&str> = items.iter().filter_map(|(_, m)| get(m, "Id").and_then(Value::as_str)).collect();
    let mut returning = 0;
    let mut literal = true;
    for (m_at, m) in &items {
        if let Some(p) = get(m, "MetricStat").and_then(|s| get(s, "Period")) {
            period(p, &format!("{m_at}/MetricStat/Period"), sink);
        }
        match get(m, "ReturnData") {
            None => returning += 1,
            Some(Value::Bool(true)) => returning += 1,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => returning += 1,
            Some(Value::Bool(false)) => {}
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => {}
            Some(_) => literal = false,
        }
        if let Some(Value::String(expr)) = get(m, "Expression") {
            for name in expression_ids(expr) {
                if !ids.contains(&name.as_str()) {
                    sink.push(
                        "CFN5007",
                        format!("{m_at}/Expression"),
                        format!(
                            "expression references `{name}`, which no metric of this alarm defines (ids: {})",
                            ids.join(", ")
                        ),
                    );
                }
            }
        }
    }
    // An anomaly-detection alarm (ThresholdMetricId names the ANOMALY_DETECTION_BAND) returns
    // the metric and its band: two, as in the AWS examples (PutMetricAlarm, CloudFormation).
    let expected = if get(props, "ThresholdMetricId").is_some() { 2 } else { 1 };
    if literal && !items.is_empty() && returning != expected {
        sink.push(
            "CFN5008",
            format!("{at}/Metrics"),
            if expected == 2 {
                format!(
                    "{returning} metrics return data; an anomaly-detection alarm returns exactly two (the metric and its band)"
                )
            } else {
                format!(
                    "{returning} metrics return data; exactly one must have ReturnData true (omitted means true)"
                )
            },
        );
    }
}

/// Metric ids referenced by a metric-math expression: identifiers starting with a lowercase
/// letter that are not functions (followed by `(`), keywords, or inside strings. Functions are
/// upper case in CloudWatch (`SUM`, `METRICS`, `FILL`), ids start lower case.
pub(crate) fn expression_ids(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            // Skip string literals (search expressions, labels).
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let is_call = j < chars.len() && chars[j] == '(';
            let preceded_by_digit = start > 0 && chars[start - 1].is_ascii_digit();
            if !is_call
                && !preceded_by_digit
                && word.starts_with(|c: char| c.is_ascii_lowercase())
                && !out.contains(&word)
            {
                out.push(word);
            }
            continue;
        }
        i += 1;
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Attached to an identity: needs Resource, no Principal.
    Identity,
    /// Trust or resource policy: needs Principal.
    Resource,
    /// An S3 bucket policy: a resource policy whose resources are bucket/object ARNs.
    Bucket,
}

fn policies_list(props: &Value, at: &str, sink: &mut Sink) {
    let Some(list) = get(props, "Policies") else { return };
    branches(list, &format!("{at}/Policies"), &mut |l, l_at| {
        if let Value::Array(items) = l {
            for (i, p) in items.iter().enumerate() {
                branches(p, &format!("{l_at}/{i}"), &mut |p, p_at| {
                    policy_at(p, "PolicyDocument", p_at, Kind::Identity, sink)
                });
            }
        }
    });
}

fn policy_at(props: &Value, key: &str, at: &str, kind: Kind, sink: &mut Sink) {
    let Some(doc) = get(props, key) else { return };
    branches(doc, &format!("{at}/{key}"), &mut |doc, doc_at| match doc {
        // Some schemas accept the document as a JSON string.
        Value::String(s) => {
            if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                document(&parsed, doc_at, kind, sink);
            }
        }
        other => document(other, doc_at, kind, sink),
    });
}

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn document(doc: &Value, at: &str, kind: Kind, sink: &mut Sink) {
    let Some(m) = doc.as_object() else {
        sink.push("CFN5002", at, "a policy document must be a mapping with Version and Statement");
        return;
    };
    for k in m.keys() {
        if !["Version", "Id", "Statement"].contains(&k.as_str()) {
            sink.push(
                "CFN5002",
                format!("{at}/{k}"),
                format!("`{k}` is not a policy document key (Version, Id, Statement)"),
            );
        }
    }
    match m.get("Version") {
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        Some(v) if as_function(v).is_some() => {}
        Some(v) => sink.push(
            "CFN5002",
            format!("{at}/Version"),
            format!("policy Version {v} must be \"2012-10-17\""),
        ),
        None => {}
    }
    let Some(statements) = m.get("Statement") else {
        sink.push("CFN5002", at, "a policy document needs a Statement");
        return;
    };
    branches(statements, &format!("{at}/Statement"), &mut |s, s_at| match s {
        Value::Array(l) => {
            for (i, st) in l.iter().enumerate() {
                branches(st, &format!("{s_at}/{i}"), &mut |st, st_at| statement(st, st_at, kind, sink));
            }
        }
        Value::Object(_) => statement(s, s_at, kind, sink),
        _ => sink.push("CFN5002", s_at, "Statement must be a statement or a list of statements"),
    });
}

fn statement(st: &Value, at: &str, kind: Kind, sink: &mut Sink) {
    let Some(m) = st.as_object() else {
        sink.push("CFN5002", at, "a statement must be a mapping");
        return;
    };
    for k in m.keys() {
        if !STATEMENT_KEYS.contains(&k.as_str()) {
            sink.push(
                "CFN5006",
                format!("{at}/{k}"),
                format!("`{k}` is not a statement key ({})", STATEMENT_KEYS.join(", ")),
            );
        }
    }
    match m.get("Effect") {
        Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
        Some(v) if as_function(v).is_some() => {}
        Some(v) => sink.push("CFN5003", format!("{at}/Effect"), format!("Effect {v} must be Allow or Deny")),
        None => sink.push("CFN5003", at, "the statement has no Effect (Allow or Deny)"),
    }
    let has = |k: &str| m.contains_key(k);
    match (has("Action"), has("NotAction")) {
        (true, true) => {
            for k in ["Action", "NotAction"] {
                sink.push("CFN5004", format!("{at}/{k}"), "a statement has Action or NotAction, not both");
            }
        }
        (false, false) => sink.push("CFN5004", at, "the statement has no Action (or NotAction)"),
        _ => {}
    }
    let principal = has("Principal") || has("NotPrincipal");
    let resource = has("Resource") || has("NotResource");
    match kind {
        Kind::Identity if principal => sink.push(
            "CFN5005",
            format!("{at}/{}", if has("Principal") { "Principal" } else { "NotPrincipal" }),
            "identity policies cannot name a Principal",
        ),
        Kind::Identity if !resource => {
            sink.push("CFN5005", at, "the statement has no Resource (or NotResource)")
        }
        Kind::Resource | Kind::Bucket if !principal => {
            sink.push("CFN5005", at, "the statement has no Principal (or NotPrincipal)")
        }
        _ => {}
    }
    if has("Resource") && has("NotResource") {
        for k in ["Resource", "NotResource"] {
            sink.push("CFN5005", format!("{at}/{k}"), "a statement has Resource or NotResource, not both");
        }
    }
    resources_are_arns(m, at, kind, sink);
    // Actions and resources are strings (or functions giving them), one or a list.
    for k in ["Action", "NotAction", "Resource", "NotResource"] {
        let Some(v) = m.get(k) else { continue };
        let items: Vec<(String, &Value)> = match v {
            Value::Array(l) => l.iter().enumerate().map(|(i, x)| (format!("{at}/{k}/{i}"), x)).collect(),
            other => vec![(format!("{at}/{k}"), other)],
        };
        for (p, x) in items {
            if !(x.is_string() || as_function(x).is_some()) {
                sink.push("CFN5006", p, format!("{k} entries must be strings, not {}", kind_name(x)));
            }
        }
    }
}

/// Literal Resource/NotResource entries are ARNs (or `*` outside bucket policies).
fn resources_are_arns(m: &serde_json::Map<String, Value>, at: &str, kind: Kind, sink: &mut Sink) {
    static ARN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let arn = ARN.get_or_init(|| {
        regex::Regex::new(r"^arn:(aws[A-Za-z\-]*?|\*):[^:]+:[^:]*(:(?:\d{12}|\*|aws)?:.+|)$")
            .expect("static regex")
    });
    for k in ["Resource", "NotResource"] {
        let items: Vec<(String, &str)> = match m.get(k) {
            Some(Value::String(s)) => vec![(format!("{at}/{k}"), s.as_str())],
            Some(Value::Array(l)) => l
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.as_str().map(|s| (format!("{at}/{k}/{i}"), s)))
                .collect(),
            _ => Vec::new(),
        };
        for (p, s) in items {
            let star_ok = kind != Kind::Bucket;
            if (s == "*" && star_ok) || arn.is_match(s) {
                continue;
            }
            let want = if star_ok { "an ARN or `*`" } else { "an ARN of the bucket or its objects" };
            sink.push("CFN5011", p, format!("{k} `{s}` is not {want}"));
        }
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "a mapping",
        Value::Array(_) => "a list",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::String(_) => "a string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_math_ids() {
        assert_eq!(expression_ids("100 * errors / invocations"), ["errors", "invocations"]);
        assert_eq!(expression_ids("SUM(METRICS()) + FILL(m1, 0)"), ["m1"]);
        assert_eq!(
            expression_ids("SEARCH('{AWS/EC2,InstanceId} cpu', 'Average', 300)"),
            Vec::<String>::new()
        );
        assert_eq!(expression_ids("m1 * 1e3"), ["m1"]);
    }

    #[test]
    fn cidr_ranges() {
        assert_eq!(ipv4_range("10.0.0.0/24"), Some((0x0a00_0000, 0x0a00_00ff)));
        assert_eq!(ipv4_range("10.0.1.0/24"), Some((0x0a00_0100, 0x0a00_01ff)));
        assert_eq!(ipv4_range("0.0.0.0/0"), Some((0, u32::MAX)));
        assert_eq!(ipv4_range("x"), None);
    }

    #[test]
    fn periods() {
        for p in [10, 20, 30, 60, 120, 3600] {
            assert!(period_ok(p), "{p}");
        }
        for p in [0, 5, 45, 90, 61] {
            assert!(!period_ok(p), "{p}");
        }
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn runtime_lifecycle_by_date() {
        let run = |runtime: &str, today: &str| {
            let mut sink = Sink::default();
            runtime_lifecycle(runtime, "/R", today, &mut sink);
            sink.findings.into_iter().map(|f| (f.code, f.message)).collect::<Vec<_>>()
        };
        let old = run("nodejs12.x", "2026-11-26");
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].0, "CFN5012");
        assert!(
            old[0].1.contains("since 2023-03-31, updates since 2023-04-30); use nodejs24.x"),
            "{}",
            old[0].1
        );
        let deprecated = run("python3.9", "2026-11-26");
        assert_eq!(deprecated[0].0, "CFN5013");
        assert!(deprecated[0].1.contains("creation blocked from 2027-02-01"), "{}", deprecated[0].1);
        assert_eq!(run("python3.9", "2027-02-01")[0].0, "CFN5012");
        assert!(run("python3.13", "2026-11-26").is_empty());
        assert!(run("python3.99", "2026-11-26").is_empty());
    }
}
