//! Service constraints cfn-lint implements in Python rather than as data, chosen for how often
//! they catch real mistakes (docs/rules.md lists the ones not implemented). Each runs on one
//! variant of a resource's properties (see [`super::intrinsics`]): values computed by
//! intrinsic functions are never judged, `Fn::If` branches are checked per consistent
//! combination of conditions.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::Sink;
use super::intrinsics::{Ctx, MARK, Variant, as_function};
use super::schema::unjudged;
use super::services::ipv4_range;

/// Runs the constraints of `type_name` on one variant (`assignment`: the truth values of the
/// conditions the variant was built with).
pub(crate) fn check(
    ctx: &Ctx<'_>,
    type_name: &str,
    variant: &Variant,
    assignment: &HashMap<String, bool>,
    sink: &mut Sink,
) {
    let props = &variant.value;
    match type_name {
        "AWS::DynamoDB::Table" => dynamodb_keys(props, variant, sink),
        "AWS::Backup::BackupPlan" => backup_lifecycle(props, variant, sink),
        "AWS::ElastiCache::ReplicationGroup" => {
            elasticache_cluster_mode(ctx, props, variant, assignment, sink)
        }
        "AWS::CodeBuild::Project" => codebuild_role_path(ctx, props, variant, sink),
        "AWS::CloudFront::Distribution" => {
            cloudfront_aliases(props, variant, sink);
            cloudfront_origins(props, variant, sink);
        }
        "AWS::EC2::Subnet" => subnet_in_vpc(ctx, props, variant, sink),
        "AWS::CloudFormation::Stack" => nested_parameters(ctx, props, variant, sink),
        _ => {}
    }
}

fn literal_str(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.starts_with(MARK) && !unjudged(s))
}

fn literal_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if !s.starts_with(MARK) => s.trim().parse().ok(),
        _ => None,
    }
}

fn literal_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn toks(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

/// The attribute names of a literal list of `{AttributeName: ...}`; `None` when any part is
/// computed by a function.
fn attribute_names(list: Option<&Value>, out: &mut BTreeSet<String>) -> Option<()> {
    let Some(list) = list else { return Some(()) };
    for item in list.as_array()? {
        out.insert(literal_str(item.get("AttributeName")?)?.to_string());
    }
    Some(())
}

/// DynamoDB: AttributeDefinitions define exactly the attributes the table's and its indexes'
/// key schemas use (CreateTable rejects both an undefined key attribute and an unused
/// definition). cfn-lint E3039.
fn dynamodb_keys(props: &Value, variant: &Variant, sink: &mut Sink) {
    let mut defined = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let literal = (|| {
        attribute_names(props.get("AttributeDefinitions"), &mut defined)?;
        attribute_names(props.get("KeySchema"), &mut keys)?;
        for index in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
            if let Some(list) = props.get(index) {
                for i in list.as_array()? {
                    attribute_names(i.get("KeySchema"), &mut keys)?;
                }
            }
        }
        Some(())
    })();
    if literal.is_none()
        || (defined.is_empty() && props.get("AttributeDefinitions").is_none())
        || defined == keys
    {
        return;
    }
    let undefined: Vec<&String> = keys.difference(&defined).collect();
    let unused: Vec<&String> = defined.difference(&keys).collect();
    let list = |v: &[&String]| v.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !undefined.is_empty() {
        parts.push(format!("key attributes {} are not in AttributeDefinitions", list(&undefined)));
    }
    if !unused.is_empty() {
        parts.push(format!("AttributeDefinitions {} are used by no key schema", list(&unused)));
    }
    sink.push(
        "CFN5014",
        variant.translate(&toks(&["AttributeDefinitions"])),
        format!(
            "{}: AttributeDefinitions must define exactly the key attributes of the table and its indexes",
            parts.join("; ")
        ),
    );
}

/// AWS Backup: a recovery point moved to cold storage stays there at least 90 days, so
/// DeleteAfterDays is at least MoveToColdStorageAfterDays + 90. cfn-lint E3504.
fn backup_lifecycle(props: &Value, variant: &Variant, sink: &mut Sink) {
    let Some(rules) = props.pointer("/BackupPlan/BackupPlanRule").and_then(Value::as_array) else { return };
    let mut lifecycles: Vec<(Vec<String>, &Value)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let base = toks(&["BackupPlan", "BackupPlanRule", &i.to_string()]);
        if let Some(l) = rule.get("Lifecycle") {
            lifecycles.push(([base.clone(), toks(&["Lifecycle"])].concat(), l));
        }
        for (j, action) in rule.get("CopyActions").and_then(Value::as_array).into_iter().flatten().enumerate()
        {
            if let Some(l) = action.get("Lifecycle") {
                lifecycles
                    .push(([base.clone(), toks(&["CopyActions", &j.to_string(), "Lifecycle"])].concat(), l));
            }
        }
    }
    for (at, l) in lifecycles {
        let (Some(delete), Some(cold)) = (
            l.get("DeleteAfterDays").and_then(literal_int),
            l.get("MoveToColdStorageAfterDays").and_then(literal_int),
        ) else {
            continue;
        };
        if delete - cold < 90 {
            sink.push(
                "CFN5015",
                variant.translate(&[at, toks(&["DeleteAfterDays"])].concat()),
                format!(
                    "DeleteAfterDays {delete} is less than 90 days after MoveToColdStorageAfterDays {cold}: backups stay in cold storage at least 90 days"
                ),
            );
        }
    }
}

/// The logical id a `Ref` placeholder at `tokens` names.
fn ref_target<'a>(ctx: &Ctx<'a>, variant: &Variant, tokens: &[String]) -> Option<&'a str> {
    let (p, true) = variant.placeholder(tokens)? else { return None };
    let (name, Value::String(target)) = as_function(ctx.template.pointer(&p.original)?)? else { return None };
    (name == "Ref").then_some(target.as_str())
}

/// The literal a template value holds under `assignment` (through `Fn::If`).
fn resolved<'v>(v: &'v Value, assignment: &HashMap<String, bool>) -> Option<&'v Value> {
    match as_function(v) {
        Some(("Fn::If", Value::Array(l))) if l.len() == 3 => {
            let branch = *assignment.get(l[0].as_str()?)?;
            resolved(&l[if branch { 1 } else { 2 }], assignment)
        }
        Some(_) => None,
        None => Some(v),
    }
}

/// ElastiCache: a replication group whose parameter group enables cluster mode
/// (`cluster-enabled: yes`) needs automatic failover, and, without node groups, more than
/// one cache cluster. cfn-lint E3026.
fn elasticache_cluster_mode(
    ctx: &Ctx<'_>,
    props: &Value,
    variant: &Variant,
    assignment: &HashMap<String, bool>,
    sink: &mut Sink,
) {
    let Some(group) = ref_target(ctx, variant, &toks(&["CacheParameterGroupName"])) else { return };
    let Some(pg) = ctx.template.pointer(&format!("/Resources/{}", crate::reader::escape_token(group))) else {
        return;
    };
    if pg.get("Type").and_then(Value::as_str) != Some("AWS::ElastiCache::ParameterGroup") {
        return;
    }
    let enabled = pg
        .pointer("/Properties/Properties/cluster-enabled")
        .and_then(|v| resolved(v, assignment))
        .and_then(Value::as_str);
    if enabled != Some("yes") {
        return;
    }
    if props.get("AutomaticFailoverEnabled").and_then(literal_bool) == Some(false) {
        sink.push(
            "CFN5016",
            variant.translate(&toks(&["AutomaticFailoverEnabled"])),
            format!(
                "parameter group `{group}` enables cluster mode, which needs AutomaticFailoverEnabled true"
            ),
        );
    }
    let groups = props.get("NumNodeGroups").is_some() || props.get("NodeGroupConfiguration").is_some();
    if !groups && props.get("NumCacheClusters").and_then(literal_int).is_some_and(|n| n <= 1) {
        sink.push(
            "CFN5016",
            variant.translate(&toks(&["NumCacheClusters"])),
            format!("parameter group `{group}` enables cluster mode: NumCacheClusters must be at least 2 (or set NumNodeGroups)"),
        );
    }
}

/// CodeBuild resolves a role *name* (what `Ref` of an IAM role returns) to
/// `arn:...:role/<name>`, without the role's path: a role with a Path other than `/` must be
/// given by ARN (`Fn::GetAtt Role.Arn`). cfn-lint E3050.
fn codebuild_role_path(ctx: &Ctx<'_>, _props: &Value, variant: &Variant, sink: &mut Sink) {
    let at = toks(&["ServiceRole"]);
    let Some(role) = ref_target(ctx, variant, &at) else { return };
    let Some(r) = ctx.template.pointer(&format!("/Resources/{}", crate::reader::escape_token(role))) else {
        return;
    };
    if r.get("Type").and_then(Value::as_str) != Some("AWS::IAM::Role") {
        return;
    }
    if let Some(path) = r.pointer("/Properties/Path").and_then(literal_str)
        && path != "/"
    {
        sink.push(
            "CFN5017",
            variant.placeholder(&at).map_or_else(|| variant.translate(&at), |(p, _)| p.original.clone()),
            format!("`Ref {role}` gives the role's name, which CodeBuild cannot resolve for a role with Path `{path}`: use Fn::GetAtt {role}.Arn"),
        );
    }
}

/// CloudFront alternate domain names: lower-case DNS names, a wildcard only as the whole
/// leftmost label. cfn-lint E3013.
fn cloudfront_aliases(props: &Value, variant: &Variant, sink: &mut Sink) {
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let name = NAME.get_or_init(|| {
        regex::Regex::new(r"^(?:[a-z0-9*](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$")
            .expect("static regex")
    });
    let Some(aliases) = props.pointer("/DistributionConfig/Aliases").and_then(Value::as_array) else {
        return;
    };
    for (i, alias) in aliases.iter().enumerate() {
        let Some(a) = literal_str(alias) else { continue };
        let inner_wildcard = a.contains(".*.");
        if inner_wildcard || !name.is_match(a) {
            sink.push(
                "CFN5018",
                variant.translate(&toks(&["DistributionConfig", "Aliases", &i.to_string()])),
                format!(
                    "{a:?} is not a valid alternate domain name (lower-case DNS labels of letters, digits and hyphens; `*` only as the whole first label)"
                ),
            );
        }
    }
}

/// CloudFront: each cache behavior's TargetOriginId names an origin (or origin group) of the
/// same distribution. cfn-lint E3057.
fn cloudfront_origins(props: &Value, variant: &Variant, sink: &mut Sink) {
    let Some(config) = props.get("DistributionConfig") else { return };
    let ids = |list: Option<&Value>| -> Option<Vec<String>> {
        let Some(list) = list else { return Some(Vec::new()) };
        list.as_array()?.iter().map(|o| literal_str(o.get("Id")?).map(str::to_string)).collect()
    };
    let (Some(origins), Some(groups)) =
        (ids(config.get("Origins")), ids(config.pointer("/OriginGroups/Items")))
    else {
        return;
    };
    let known: Vec<&String> = origins.iter().chain(&groups).collect();
    let mut behaviors =
        vec![(toks(&["DistributionConfig", "DefaultCacheBehavior"]), config.get("DefaultCacheBehavior"))];
    for (i, b) in config.get("CacheBehaviors").and_then(Value::as_array).into_iter().flatten().enumerate() {
        behaviors.push((toks(&["DistributionConfig", "CacheBehaviors", &i.to_string()]), Some(b)));
    }
    for (at, behavior) in behaviors {
        let Some(target) = behavior.and_then(|b| b.get("TargetOriginId")).and_then(literal_str) else {
            continue;
        };
        if known.is_empty() || known.iter().any(|k| *k == target) {
            continue;
        }
        let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        sink.push(
            "CFN5020",
            variant.translate(&[at, toks(&["TargetOriginId"])].concat()),
            format!("TargetOriginId `{target}` is no origin of this distribution ({list})"),
        );
    }
}

/// EC2: a subnet's literal IPv4 CidrBlock lies within one of its VPC's: the VPC's CidrBlock
/// and those its AWS::EC2::VPCCidrBlock resources add (all literal, else nothing is judged).
/// cfn-lint E3059.
fn subnet_in_vpc(ctx: &Ctx<'_>, props: &Value, variant: &Variant, sink: &mut Sink) {
    let Some((start, end)) = props.get("CidrBlock").and_then(literal_str).and_then(ipv4_range) else {
        return;
    };
    let Some(vpc) = ref_target(ctx, variant, &toks(&["VpcId"])) else { return };
    let Some(resources) = ctx.template.get("Resources").and_then(Value::as_object) else { return };
    let Some(v) =
        resources.get(vpc).filter(|v| v.get("Type").and_then(Value::as_str) == Some("AWS::EC2::VPC"))
    else {
        return;
    };
    let refs_vpc = |r: &Value| matches!(as_function(r), Some(("Ref", Value::String(t))) if t == vpc);
    let mut blocks = vec![v.pointer("/Properties/CidrBlock")];
    for r in resources.values() {
        if r.get("Type").and_then(Value::as_str) == Some("AWS::EC2::VPCCidrBlock")
            && r.pointer("/Properties/VpcId").is_some_and(refs_vpc)
        {
            if r.pointer("/Properties/AmazonProvidedIpv6CidrBlock").is_some()
                || r.pointer("/Properties/Ipv6CidrBlock").is_some()
                || r.pointer("/Properties/Ipv6IpamPoolId").is_some()
            {
                continue;
            }
            blocks.push(r.pointer("/Properties/CidrBlock"));
        }
    }
    let mut ranges = Vec::new();
    for b in blocks {
        // A computed, absent (IPAM-assigned) or conditional block: the VPC's range is unknown.
        match b.and_then(literal_str).and_then(ipv4_range) {
            Some(r) => ranges.push((r, b.and_then(literal_str).unwrap_or_default())),
            None => return,
        }
    }
    if ranges.iter().any(|((s, e), _)| *s <= start && end <= *e) {
        return;
    }
    let cidr = props.get("CidrBlock").and_then(literal_str).unwrap_or_default();
    let list = ranges.iter().map(|(_, c)| *c).collect::<Vec<_>>().join(", ");
    sink.push(
        "CFN5021",
        variant.translate(&toks(&["CidrBlock"])),
        format!("{cidr} is not within the CIDR blocks of VPC `{vpc}` ({list})"),
    );
}

/// The parameters of the template at `path`: (name, has a Default), read once per path.
fn nested_template_parameters(path: &std::path::Path) -> Option<std::rc::Rc<Vec<(String, bool)>>> {
    type Cache = HashMap<std::path::PathBuf, Option<std::rc::Rc<Vec<(String, bool)>>>>;
    thread_local! {
        static CACHE: std::cell::RefCell<Cache> = std::cell::RefCell::new(HashMap::new());
    }
    if let Some(hit) = CACHE.with(|c| c.borrow().get(path).cloned()) {
        return hit;
    }
    // Only regular files are read (a FIFO or device named by a hostile template would block or
    // stream); a file that does not read is not judged (CFN0004 already says the path is local).
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let params = regular.then(|| crate::reader::load(path).ok()).flatten().map(|loaded| {
        let section = loaded.value.get("Parameters").and_then(Value::as_object);
        let names = section.into_iter().flatten().map(|(k, v)| (k.clone(), v.get("Default").is_some()));
        std::rc::Rc::new(names.collect::<Vec<_>>())
    });
    CACHE.with(|c| c.borrow_mut().insert(path.to_path_buf(), params.clone()));
    params
}

/// A nested stack whose TemplateURL is a local file (the template before `aws cloudformation
/// package` uploads it): its Parameters are the nested template's, and every nested parameter
/// without a Default is given. cfn-lint E3043.
fn nested_parameters(ctx: &Ctx<'_>, props: &Value, variant: &Variant, sink: &mut Sink) {
    let (Some(dir), Some(url)) = (ctx.dir, props.get("TemplateURL").and_then(literal_str)) else { return };
    if url.contains("://") {
        return;
    }
    let Some(nested) = nested_template_parameters(&dir.join(url)) else { return };
    let given: Vec<&str> = match props.get("Parameters") {
        None => Vec::new(),
        Some(Value::Object(m)) => m.keys().map(String::as_str).collect(),
        Some(_) => return,
    };
    for name in &given {
        if !nested.iter().any(|(n, _)| n == name) {
            sink.push(
                "CFN5019",
                variant.translate(&toks(&["Parameters", name])),
                format!("`{name}` is not a parameter of the nested template {url}"),
            );
        }
    }
    for (name, _) in nested.iter().filter(|(n, has_default)| !has_default && !given.contains(&n.as_str())) {
        let at = if props.get("Parameters").is_some() { toks(&["Parameters"]) } else { Vec::new() };
        sink.push(
            "CFN5019",
            variant.translate(&at),
            format!("the nested template {url} needs parameter `{name}` (it has no Default)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: Value, id: &str, assignment: &[(&str, bool)]) -> Vec<(&'static str, String)> {
        let ctx = Ctx::new(&template);
        let r = &template["Resources"][id];
        let assignment: HashMap<String, bool> = assignment.iter().map(|(c, b)| (c.to_string(), *b)).collect();
        let variant =
            ctx.variant(&r["Properties"], &format!("/Resources/{id}/Properties"), &assignment).unwrap();
        let mut sink = Sink::default();
        check(&ctx, r["Type"].as_str().unwrap(), &variant, &assignment, &mut sink);
        sink.findings.into_iter().map(|f| (f.code, f.pointer)).collect()
    }

    #[test]
    fn dynamodb_definitions_match_keys() {
        let table = |defs: Value| {
            json!({"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "AttributeDefinitions": defs,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}]}]
            }}}})
        };
        let ok = json!([{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "gk", "AttributeType": "S"}]);
        assert!(run(table(ok), "T", &[]).is_empty());
        let missing = run(table(json!([{"AttributeName": "pk", "AttributeType": "S"}])), "T", &[]);
        assert_eq!(missing, [("CFN5014", "/Resources/T/Properties/AttributeDefinitions".to_string())]);
        let computed = json!([{"AttributeName": {"Ref": "P"}, "AttributeType": "S"}]);
        assert!(run(table(computed), "T", &[]).is_empty());
    }

    #[test]
    fn backup_cold_storage_lasts_90_days() {
        let plan = |delete: i64| {
            json!({"Resources": {"B": {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {
                "BackupPlanName": "p",
                "BackupPlanRule": [{"RuleName": "r", "TargetBackupVault": "v",
                    "Lifecycle": {"MoveToColdStorageAfterDays": 7, "DeleteAfterDays": delete}}]}}}}})
        };
        assert!(run(plan(97), "B", &[]).is_empty());
        assert_eq!(run(plan(30), "B", &[])[0].0, "CFN5015");
    }

    #[test]
    fn elasticache_cluster_mode_follows_the_parameter_group_per_condition() {
        let t = json!({
            "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
            "Resources": {
                "On": {"Type": "AWS::ElastiCache::ParameterGroup", "Properties": {"Properties": {"cluster-enabled": "yes"}}},
                "Off": {"Type": "AWS::ElastiCache::ParameterGroup", "Properties": {"Properties": {"cluster-enabled": "no"}}},
                "G": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
                    "AutomaticFailoverEnabled": false,
                    "CacheParameterGroupName": {"Fn::If": ["C", {"Ref": "On"}, {"Ref": "Off"}]}}}
            }
        });
        assert_eq!(run(t.clone(), "G", &[("C", true)]).len(), 1);
        assert!(run(t, "G", &[("C", false)]).is_empty());
    }

    #[test]
    fn codebuild_needs_an_arn_for_a_role_with_a_path() {
        let t = |path: &str| {
            json!({"Resources": {
                "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": path}},
                "P": {"Type": "AWS::CodeBuild::Project", "Properties": {"ServiceRole": {"Ref": "Role"}}}
            }})
        };
        assert_eq!(
            run(t("/ci/"), "P", &[]),
            [("CFN5017", "/Resources/P/Properties/ServiceRole".to_string())]
        );
        assert!(run(t("/"), "P", &[]).is_empty());
    }

    #[test]
    fn nested_stack_parameters_match_the_local_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("child.yaml"),
            "Parameters:\n  Need: {Type: String}\n  Opt: {Type: String, Default: x}\nResources:\n  T: {Type: AWS::SNS::Topic}\n",
        )
        .unwrap();
        let t = |params: Value| {
            json!({"Resources": {"S": {"Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": "child.yaml", "Parameters": params}}}})
        };
        let run_in = |template: Value| {
            let mut ctx = Ctx::new(&template);
            ctx.dir = Some(dir.path());
            let r = &template["Resources"]["S"];
            let variant = ctx.variant(&r["Properties"], "/Resources/S/Properties", &HashMap::new()).unwrap();
            let mut sink = Sink::default();
            check(&ctx, "AWS::CloudFormation::Stack", &variant, &HashMap::new(), &mut sink);
            sink.findings.into_iter().map(|f| (f.code, f.pointer)).collect::<Vec<_>>()
        };
        assert!(run_in(t(json!({"Need": "a"}))).is_empty());
        assert_eq!(
            run_in(t(json!({"Opt": "a", "Nope": "b"}))),
            [
                ("CFN5019", "/Resources/S/Properties/Parameters/Nope".to_string()),
                ("CFN5019", "/Resources/S/Properties/Parameters".to_string())
            ]
        );
        // Only regular files are read: a device or a directory is not judged.
        for url in ["/dev/null", "."] {
            let mut other = t(json!({"Nope": "b"}));
            other["Resources"]["S"]["Properties"]["TemplateURL"] = json!(url);
            assert!(run_in(other).is_empty(), "{url}");
        }
        // Without the file's directory (a template from stdin) nothing is read.
        assert!(run(t(json!({"Nope": "b"})), "S", &[]).is_empty());
    }

    #[test]
    fn cloudfront_behaviors_target_an_origin() {
        let t = |target: &str| {
            json!({"Resources": {"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
                "Origins": [{"Id": "web"}],
                "OriginGroups": {"Quantity": 1, "Items": [{"Id": "group"}]},
                "DefaultCacheBehavior": {"TargetOriginId": target},
                "CacheBehaviors": [{"PathPattern": "/a", "TargetOriginId": "group"}]}}}}})
        };
        assert!(run(t("web"), "D", &[]).is_empty());
        assert_eq!(
            run(t("wbe"), "D", &[]),
            [(
                "CFN5020",
                "/Resources/D/Properties/DistributionConfig/DefaultCacheBehavior/TargetOriginId".to_string()
            )]
        );
    }

    #[test]
    fn subnets_lie_within_their_vpc() {
        let t = |cidr: &str, extra: Value| {
            let mut t = json!({"Resources": {
                "V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                "S": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": cidr}}
            }});
            if let Value::Object(more) = extra {
                t["Resources"].as_object_mut().unwrap().extend(more);
            }
            t
        };
        assert!(run(t("10.0.1.0/24", json!({})), "S", &[]).is_empty());
        assert_eq!(run(t("10.1.0.0/24", json!({})), "S", &[])[0].0, "CFN5021");
        let secondary = json!({"C": {"Type": "AWS::EC2::VPCCidrBlock", "Properties": {"VpcId": {"Ref": "V"}, "CidrBlock": "10.1.0.0/16"}}});
        assert!(run(t("10.1.0.0/24", secondary), "S", &[]).is_empty());
        let ipam = json!({"C": {"Type": "AWS::EC2::VPCCidrBlock", "Properties": {"VpcId": {"Ref": "V"}, "Ipv4IpamPoolId": "p"}}});
        assert!(run(t("10.1.0.0/24", ipam), "S", &[]).is_empty(), "an IPAM block is unknown");
    }

    #[test]
    fn cloudfront_aliases_are_dns_names() {
        let t = json!({"Resources": {"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Aliases": ["www.example.com", "*.example.com", "a.*.example.com", "WWW.EXAMPLE.COM", "-x.example.com", {"Ref": "P"}]}}}}});
        let found: Vec<String> = run(t, "D", &[]).into_iter().map(|(_, p)| p).collect();
        assert_eq!(
            found,
            ["2", "3", "4"]
                .map(|i| format!("/Resources/D/Properties/DistributionConfig/Aliases/{i}"))
                .to_vec()
        );
    }
}
