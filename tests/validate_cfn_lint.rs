//! cfn-lint as an outside oracle on its own test fixtures: every template of cfn-lint's
//! `good/`, `bad/`, `quickstart/` and `public/` fixture directories, unchanged
//! (tests/fixtures/cfn-lint; source and licence in the README there), run through cfn-lint
//! 1.58.0 (from the test venv) and through cfnc.
//!
//! - No false errors: on every template cfn-lint reports no error for, cfnc reports none
//!   either, except the ones listed in [`CFNC_RIGHT`] (each with why cfnc is right).
//! - Bad templates found: of the `bad/` templates cfn-lint rejects, cfnc finds an error in all
//!   but those listed in [`MISSED`] (each with why), at least 80.
//! - Path by path, on a selection ([`COMPARED`]): every schema error cfn-lint reports (E3xxx)
//!   is an error of cfnc at the same JSON path and line, and every error of cfnc is an error of
//!   cfn-lint at the same path; the exceptions are listed with the reason and which side is
//!   right.
//!
//! Every list is checked both ways, so a stale entry fails too.

use crate::validate_common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use cfnc::validate::{self, Severity};
use validate_common::{fixture, templates_under, venv};

/// One cfn-lint error: (rule, JSON pointer, line).
type Lint = (String, String, u32);

fn pointer(path: &[serde_json::Value]) -> String {
    path.iter()
        .map(|t| {
            let t = match t {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("/{}", t.replace('~', "~0").replace('/', "~1"))
        })
        .collect()
}

const SETS: &[&str] = &["good", "bad", "quickstart", "public"];

/// Every fixture template, by its path relative to tests/fixtures/cfn-lint.
fn all_templates() -> Vec<(String, PathBuf)> {
    let base = fixture("cfn-lint");
    SETS.iter()
        .flat_map(|set| templates_under(&base.join(set)))
        .map(|p| (p.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/"), p))
        .collect()
}

/// cfn-lint's errors on every fixture, by relative path (one run, shared by the tests).
fn lint_all() -> &'static BTreeMap<String, Vec<Lint>> {
    static ALL: std::sync::OnceLock<BTreeMap<String, Vec<Lint>>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let files: Vec<PathBuf> = all_templates().into_iter().map(|(_, p)| p).collect();
        cfn_lint(&files, &fixture("cfn-lint"))
    })
}

/// cfn-lint's errors on `files`, by path relative to `base`.
fn cfn_lint(files: &[PathBuf], base: &Path) -> BTreeMap<String, Vec<Lint>> {
    let out = Command::new(venv().join("bin/cfn-lint"))
        .args(["--format", "json", "--"])
        .args(files)
        .output()
        .expect("run cfn-lint");
    let matches: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("cfn-lint output: {e}\n{}", String::from_utf8_lossy(&out.stderr)));
    let mut by_file: BTreeMap<String, Vec<Lint>> = BTreeMap::new();
    for m in matches {
        if m["Level"] != "Error" {
            continue;
        }
        let file = Path::new(m["Filename"].as_str().unwrap());
        let Ok(rel) = file.strip_prefix(base) else { continue };
        let path = m["Location"]["Path"].as_array().map(|p| pointer(p)).unwrap_or_default();
        let line = m["Location"]["Start"]["LineNumber"].as_u64().unwrap_or(0) as u32;
        by_file.entry(rel.to_string_lossy().replace('\\', "/")).or_default().push((
            m["Rule"]["Id"].as_str().unwrap().to_string(),
            path,
            line,
        ));
    }
    by_file
}

/// cfnc's errors: pointer -> (code, line). A file that does not read is one CFN0001 error.
fn cfnc_errors(p: &Path) -> BTreeMap<String, (&'static str, Option<u32>)> {
    let findings = match validate::validate_path(p) {
        Ok(f) => f,
        Err(e) => vec![validate::read_error_finding(&e, &p.to_string_lossy())],
    };
    findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.pointer, (f.code, f.line)))
        .collect()
}

/// Templates cfn-lint accepts where cfnc reports an error, and why cfnc is right:
/// (file, code, pointer).
const CFNC_RIGHT: &[(&str, &str, &str, &str)] = &[
    (
        "good/core/config_cfn_lint.json",
        "CFN1003",
        "/Resources",
        "`Resources: {}`: CloudFormation rejects a template without a resource (\"At least one \
         Resources member must be defined\"); these fixtures test cfn-lint's configuration, not a \
         deployable template",
    ),
    ("good/core/config_cfn_lint.yaml", "CFN1003", "/Resources", "as above"),
    ("good/core/config_only_i1002.yaml", "CFN1003", "/Resources", "as above"),
    ("good/core/config_only_i1003.yaml", "CFN1003", "/Resources", "as above"),
    ("good/core/config_parameters.yaml", "CFN1003", "/Resources", "as above"),
    ("good/decode/parsing.json", "CFN1003", "/Resources", "as above"),
    ("good/mappings/name.yaml", "CFN1003", "/Resources", "as above"),
    ("good/parameters/default.yaml", "CFN1003", "/Resources", "as above"),
    ("good/resources/cloudformation/stack_nested.yaml", "CFN1003", "/Resources", "as above"),
    ("bad/conditions/equals_not_useful.yaml", "CFN1003", "/Resources", "as above"),
    ("bad/core/config_parameters.yaml", "CFN1003", "/Resources", "as above"),
    ("bad/resources/cloudformation/stack_nested.yaml", "CFN1003", "/Resources", "as above"),
];

/// `bad/` templates cfn-lint rejects and cfnc does not, and why.
const MISSED: &[(&str, &str)] = &[
    (
        "bad/core/config_configure_e3012.yaml",
        "the template turns on cfn-lint's strict typing for itself (`Metadata: cfn-lint: config: \
         configure_rules: E3012: strict`); CloudFormation converts \"5\" to 5, so cfnc accepts it",
    ),
    (
        "bad/resources/cloudformation/sam_stacks.yaml",
        "needs the SAM transform expanded and the nested application's template read from disk \
         (parameters of an AWS::Serverless::Application); cfnc does neither",
    ),
    (
        "bad/resources/serverless/ignore_globals_typo.yaml",
        "SAM `IgnoreGlobals` names: needs the SAM transform's Globals schema (cfn-lint E3724)",
    ),
    (
        "bad/transform/no_properties.yaml",
        "an AWS::Serverless::Api without StageName: cfn-lint expands the SAM transform and \
         validates the result; cfnc does not expand SAM",
    ),
];

#[test]
fn no_errors_where_cfn_lint_has_none_except_where_cfnc_is_right() {
    let lint = lint_all();
    let templates = all_templates();
    assert!(templates.len() > 200, "{} templates", templates.len());
    let mut used = BTreeSet::new();
    let mut accepted = 0;
    for (rel, path) in &templates {
        if lint.contains_key(rel) {
            continue;
        }
        accepted += 1;
        for (p, (code, _)) in cfnc_errors(path) {
            let Some(i) = CFNC_RIGHT.iter().position(|(f, c, ptr, _)| f == rel && *c == code && *ptr == p)
            else {
                panic!("{rel}: cfnc {code} at {p}, where cfn-lint reports no error, is not explained");
            };
            used.insert(i);
        }
    }
    assert!(accepted >= 90, "{accepted} templates accepted by cfn-lint");
    for (i, entry) in CFNC_RIGHT.iter().enumerate() {
        assert!(used.contains(&i), "stale CFNC_RIGHT entry {entry:?}");
    }
}

#[test]
fn cfnc_finds_an_error_in_all_but_the_listed_bad_templates_cfn_lint_rejects() {
    let lint = lint_all();
    let mut rejected = 0;
    let mut missed = Vec::new();
    for (rel, path) in all_templates().iter().filter(|(rel, _)| rel.starts_with("bad/")) {
        if !lint.contains_key(rel) {
            continue;
        }
        rejected += 1;
        if cfnc_errors(path).is_empty() {
            missed.push(rel.clone());
        }
    }
    let listed: Vec<&str> = MISSED.iter().map(|(f, _)| *f).collect();
    assert_eq!(missed, listed, "the bad templates cfnc finds nothing in");
    assert!(rejected >= 85, "cfn-lint rejects {rejected} bad templates");
    assert!(rejected - missed.len() >= 80, "cfnc finds {} of {rejected}", rejected - missed.len());
}

/// The templates compared path by path (a selection: cfn-lint's paths and cfnc's agree on
/// them up to the exceptions below).
const COMPARED: &[&str] = &[
    "bad/core/directives.yaml",
    "bad/core/mandatory_checks.yaml",
    "bad/functions/foreach_no_transform.yaml",
    "bad/functions/import_value.yaml",
    "bad/functions_getaz.yaml",
    "bad/mappings/used.yaml",
    "bad/override/include.yaml",
    "bad/parameters/configuration.yaml",
    "bad/resources/iam/iam_policy.yaml",
    "bad/resources/lambda/function_property_value_limits.yaml",
    "bad/resources/lambda/required_properties.yaml",
    "bad/resources/properties/atleastone.yaml",
    "bad/resources/properties/primitive_types_map.yaml",
    "bad/resources/properties/templated_code.yaml",
    "bad/resources/sns/topic_name.yaml",
    "bad/resources/uniqueNames.yaml",
    "bad/resources_circular_dependency_2.yaml",
    "bad/resources_circular_dependency_dependson.yaml",
    "good/functions/sub_needed_custom_excludes.yaml",
    "good/mappings/used.yaml",
    "good/properties_ec2_vpc.yaml",
    "good/resources/iam/policy.yaml",
    "good/resources/properties/exclusive.yaml",
    "good/resources/properties/list_duplicates.yaml",
];

/// cfn-lint schema errors cfnc does not report at the same path: (file, rule, cfn-lint path,
/// where cfnc reports it instead, why).
const CFN_LINT_ONLY: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "bad/functions_getaz.yaml",
        "E3060",
        "/Resources/mySubnet2/Properties/mySubnet2/Properties/VpcId/CidrBlock",
        Some("/Resources/mySubnet2/Properties/CidrBlock"),
        "both find the overlapping subnet; cfn-lint's path repeats the resource path (a cfn-lint bug), cfnc \
         (CFN5010) points at the CidrBlock",
    ),
    (
        "bad/functions_getaz.yaml",
        "E3060",
        "/Resources/mySubnet3/Properties/mySubnet3/Properties/VpcId/CidrBlock",
        Some("/Resources/mySubnet3/Properties/CidrBlock"),
        "as above",
    ),
    (
        "good/functions/sub_needed_custom_excludes.yaml",
        "E3530",
        "/Resources/TestRole/Properties/AssumeRolePolicyDocument/Statement/0/Principal/AWS/0",
        None,
        "cfn-lint is right: `arn:aws:iam::${self:custom...}:user/...` is a Serverless Framework variable, not an \
         account id; cfnc does not check the shape of principal values",
    ),
];

/// Errors cfnc reports where cfn-lint reports none at that path: (file, code, pointer, why).
const CFNC_ONLY: &[(&str, &str, &str, &str)] = &[
    (
        "bad/core/directives.yaml",
        "CFN3001",
        "/Resources/myBucketPass/Properties/BucketName1",
        "cfnc is right: the property does not exist; cfn-lint suppresses it because of its own \
         `Metadata: cfn-lint: config: ignore_checks` directive, which cfnc does not implement",
    ),
    ("bad/core/directives.yaml", "CFN1005", "/Resources/myBucketFirstAndLastPass/BadProperty", "as above"),
    (
        "bad/core/directives.yaml",
        "CFN3004",
        "/Resources/myBucketFirstAndLastPass/Properties/VersioningConfiguration/Status",
        "as above",
    ),
    (
        "bad/core/mandatory_checks.yaml",
        "CFN3001",
        "/Resources/myBucketPass/Properties/BucketName1",
        "as above",
    ),
    (
        "bad/functions/import_value.yaml",
        "CFN2013",
        "/Conditions/primaryRegion/Fn::Equals/1",
        "both reject Fn::ImportValue in a condition; cfn-lint (E8003) points at the other operand \
         (/Fn::Equals/0), cfnc at the Fn::ImportValue",
    ),
    (
        "bad/mappings/used.yaml",
        "CFN3022",
        "/Resources/mySubnet/Properties/CidrBlock",
        "cfnc is right: Fn::FindInMap resolves to \"XXX.XXX.XXX.XXX/XX\", not a CIDR block; cfn-lint does \
         not resolve the mapping for format checks",
    ),
    (
        "bad/parameters/configuration.yaml",
        "CFN1010",
        "/Parameters/mySsmParam/Type",
        "cfnc is right: `AWS::SSM::Parameter::Value<Test>` names no parameter type, CloudFormation rejects it",
    ),
    (
        "bad/resources/iam/iam_policy.yaml",
        "CFN2009",
        "/Resources/rIamPolicy/Properties/PolicyDocument/0/Fn::If/0",
        "cfnc is right: condition `cCondition` is not defined (the template has no Conditions); cfn-lint only \
         reports the document's type",
    ),
    (
        "bad/resources/lambda/required_properties.yaml",
        "CFN5009",
        "/Resources/Function1/Properties",
        "cfn-lint reports a warning (W2533); Lambda rejects a .zip function without Runtime and Handler, so \
         cfnc reports an error",
    ),
    (
        "bad/resources/lambda/required_properties.yaml",
        "CFN5009",
        "/Resources/Function2/Properties",
        "as above",
    ),
];

#[test]
fn schema_errors_agree_with_cfn_lint_path_by_path() {
    let lint = lint_all();
    let mut used_lint_only = BTreeSet::new();
    let mut used_cfnc_only = BTreeSet::new();
    let mut compared = 0;
    for file in COMPARED {
        let theirs = lint.get(*file).cloned().unwrap_or_default();
        assert!(!theirs.is_empty(), "{file}: cfn-lint reports no error (the selection is wrong)");
        let ours = cfnc_errors(&fixture("cfn-lint").join(file));
        assert!(!ours.is_empty(), "{file}: cfnc reports no error");
        // Every schema error of cfn-lint is an error of cfnc at the same path (and line).
        for (rule, path, line) in theirs.iter().filter(|(r, _, _)| r.starts_with("E3")) {
            if let Some(i) =
                CFN_LINT_ONLY.iter().position(|(fl, r, p, _, _)| fl == file && r == rule && p == path)
            {
                used_lint_only.insert(i);
                if let Some(instead) = CFN_LINT_ONLY[i].3 {
                    assert!(ours.contains_key(instead), "{file}: cfnc does not report {instead}");
                }
                continue;
            }
            let Some((code, our_line)) = ours.get(path) else {
                panic!("{file}: cfn-lint {rule} at {path} (line {line}) is not a cfnc error; cfnc: {ours:?}");
            };
            assert_eq!(*our_line, Some(*line), "{file}: {rule}/{code} at {path}: lines differ");
            compared += 1;
        }
        // Every cfnc error is a cfn-lint error at the same path, or explained.
        let lint_paths: BTreeSet<&str> = theirs.iter().map(|(_, p, _)| p.as_str()).collect();
        for (p, (code, _)) in &ours {
            let reported_instead =
                CFN_LINT_ONLY.iter().any(|(fl, _, _, instead, _)| fl == file && *instead == Some(p));
            if lint_paths.contains(p.as_str()) || reported_instead {
                continue;
            }
            let Some(i) = CFNC_ONLY.iter().position(|(fl, c, ptr, _)| fl == file && c == code && ptr == p)
            else {
                panic!("{file}: cfnc {code} at {p} is not a cfn-lint error and not explained in CFNC_ONLY");
            };
            used_cfnc_only.insert(i);
        }
    }
    assert!(compared >= 40, "only {compared} schema errors compared");
    for (i, entry) in CFN_LINT_ONLY.iter().enumerate() {
        assert!(used_lint_only.contains(&i), "stale CFN_LINT_ONLY entry {entry:?}");
    }
    for (i, entry) in CFNC_ONLY.iter().enumerate() {
        assert!(used_cfnc_only.contains(&i), "stale CFNC_ONLY entry {entry:?}");
    }
}

/// The same "no false errors" check on a checkout of aws-cloudformation/aws-cloudformation-templates
/// (Apache-2.0, not vendored: 300 templates, 2.7 MB). Run it with
/// `CFNC_PUBLIC_TEMPLATES=<checkout> cargo test --test integration public_templates -- --ignored`.
/// The only errors cfnc may report where cfn-lint reports none are in templates written for
/// `rain` (`!Rain::Embed`, `Rain::Embed:`): CloudFormation cannot read them before `rain pkg`
/// replaces those directives.
#[test]
#[ignore = "needs a checkout of aws-cloudformation-templates in CFNC_PUBLIC_TEMPLATES"]
fn public_templates_have_no_false_errors() {
    let base = PathBuf::from(std::env::var_os("CFNC_PUBLIC_TEMPLATES").expect("CFNC_PUBLIC_TEMPLATES"));
    let base = base.canonicalize().unwrap();
    let files: Vec<PathBuf> = templates_under(&base)
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == ".github"))
        .collect();
    assert!(files.len() > 250, "{} templates", files.len());
    let lint = cfn_lint(&files, &base);
    let mut false_errors = Vec::new();
    for p in &files {
        let rel = p.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/");
        if lint.contains_key(&rel) {
            continue;
        }
        let errors = cfnc_errors(p);
        let rain = std::fs::read_to_string(p).is_ok_and(|t| t.contains("Rain::"));
        if !errors.is_empty() && !rain {
            false_errors.push(format!("{rel}: {errors:?}"));
        }
    }
    assert!(false_errors.is_empty(), "errors where cfn-lint reports none:\n{}", false_errors.join("\n"));
}
