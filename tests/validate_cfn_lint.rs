//! cfn-lint as an outside oracle: its own test fixtures (tests/fixtures/cfn-lint, see the
//! README there for source and licence) are run through cfn-lint 1.58.0 (from the test venv)
//! and through cfnc. Good fixtures: neither reports an error. Bad fixtures: every schema error
//! cfn-lint reports (E3xxx) is an error in cfnc at the same JSON path, and every error cfnc
//! reports is an error in cfn-lint at the same path. Each exception is listed below with the
//! reason and which side is right; the lists are checked, so stale entries fail too.

use crate::validate_common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use cfnc::validate::{self, Severity};
use validate_common::{fixtures_in, venv};

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

/// cfn-lint's errors on every fixture (one run, shared by the tests).
fn lint_all() -> &'static BTreeMap<String, Vec<Lint>> {
    static ALL: std::sync::OnceLock<BTreeMap<String, Vec<Lint>>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut files = fixtures_in("cfn-lint/good");
        files.extend(fixtures_in("cfn-lint/bad"));
        cfn_lint(&files)
    })
}

fn cfn_lint(files: &[PathBuf]) -> BTreeMap<String, Vec<Lint>> {
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
        let path = m["Location"]["Path"].as_array().map(|p| pointer(p)).unwrap_or_default();
        let line = m["Location"]["Start"]["LineNumber"].as_u64().unwrap_or(0) as u32;
        by_file.entry(m["Filename"].as_str().unwrap().to_string()).or_default().push((
            m["Rule"]["Id"].as_str().unwrap().to_string(),
            path,
            line,
        ));
    }
    by_file
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// cfnc's errors: pointer -> (code, line).
fn cfnc_errors(p: &Path) -> BTreeMap<String, (&'static str, Option<u32>)> {
    validate::validate_path(p)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| (f.pointer, (f.code, f.line)))
        .collect()
}

/// cfn-lint schema errors cfnc does not report at the same path: (file, rule, cfn-lint path,
/// where cfnc reports it instead, why).
const CFN_LINT_ONLY: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "functions_getaz.yaml",
        "E3060",
        "/Resources/mySubnet2/Properties/mySubnet2/Properties/VpcId/CidrBlock",
        Some("/Resources/mySubnet2/Properties/CidrBlock"),
        "both find the overlapping subnet; cfn-lint's path repeats the resource path (a cfn-lint bug), cfnc \
         (CFN5010) points at the CidrBlock",
    ),
    (
        "functions_getaz.yaml",
        "E3060",
        "/Resources/mySubnet3/Properties/mySubnet3/Properties/VpcId/CidrBlock",
        Some("/Resources/mySubnet3/Properties/CidrBlock"),
        "as above",
    ),
    (
        "from-good-functions-sub_needed_custom_excludes.yaml",
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
        "core-directives.yaml",
        "CFN3001",
        "/Resources/myBucketPass/Properties/BucketName1",
        "cfnc is right: the property does not exist; cfn-lint suppresses it because of its own \
         `Metadata: cfn-lint: config: ignore_checks` directive, which cfnc does not implement",
    ),
    ("core-directives.yaml", "CFN1005", "/Resources/myBucketFirstAndLastPass/BadProperty", "as above"),
    (
        "core-directives.yaml",
        "CFN3004",
        "/Resources/myBucketFirstAndLastPass/Properties/VersioningConfiguration/Status",
        "as above",
    ),
    ("core-mandatory_checks.yaml", "CFN3001", "/Resources/myBucketPass/Properties/BucketName1", "as above"),
    (
        "functions-import_value.yaml",
        "CFN2013",
        "/Conditions/primaryRegion/Fn::Equals/1",
        "both reject Fn::ImportValue in a condition; cfn-lint (E8003) points at the other operand \
         (/Fn::Equals/0), cfnc at the Fn::ImportValue",
    ),
    (
        "mappings-used.yaml",
        "CFN3022",
        "/Resources/mySubnet/Properties/CidrBlock",
        "cfnc is right: Fn::FindInMap resolves to \"XXX.XXX.XXX.XXX/XX\", not a CIDR block; cfn-lint does \
         not resolve the mapping for format checks",
    ),
    (
        "parameters-configuration.yaml",
        "CFN1010",
        "/Parameters/mySsmParam/Type",
        "cfnc is right: `AWS::SSM::Parameter::Value<Test>` names no parameter type, CloudFormation rejects it",
    ),
    (
        "resources-iam-iam_policy.yaml",
        "CFN2009",
        "/Resources/rIamPolicy/Properties/PolicyDocument/0/Fn::If/0",
        "cfnc is right: condition `cCondition` is not defined (the template has no Conditions); cfn-lint only \
         reports the document's type",
    ),
    (
        "resources-lambda-required_properties.yaml",
        "CFN5009",
        "/Resources/Function1/Properties",
        "cfn-lint reports a warning (W2533); Lambda rejects a .zip function without Runtime and Handler, so \
         cfnc reports an error",
    ),
    ("resources-lambda-required_properties.yaml", "CFN5009", "/Resources/Function2/Properties", "as above"),
];

#[test]
fn good_fixtures_have_no_errors_in_cfn_lint_or_cfnc() {
    let files = fixtures_in("cfn-lint/good");
    assert!(files.len() >= 10);
    let lint = lint_all();
    for f in &files {
        let key = f.to_string_lossy().into_owned();
        assert_eq!(lint.get(&key), None, "cfn-lint reports errors on {key}: the selection is wrong");
        let ours = cfnc_errors(f);
        assert!(ours.is_empty(), "cfnc reports errors on {key}: {ours:?}");
    }
}

#[test]
fn bad_fixtures_agree_with_cfn_lint_path_by_path() {
    let files = fixtures_in("cfn-lint/bad");
    assert!(files.len() >= 15);
    let lint = lint_all();
    let mut used_lint_only = BTreeSet::new();
    let mut used_cfnc_only = BTreeSet::new();
    let mut compared = 0;
    for f in &files {
        let file = name(f);
        let theirs = lint.get(&f.to_string_lossy().into_owned()).cloned().unwrap_or_default();
        let ours = cfnc_errors(f);
        assert!(!ours.is_empty(), "{file}: a bad fixture without errors");
        // Every schema error of cfn-lint is an error of cfnc at the same path (and line).
        for (rule, path, line) in theirs.iter().filter(|(r, _, _)| r.starts_with("E3")) {
            if let Some(i) =
                CFN_LINT_ONLY.iter().position(|(fl, r, p, _, _)| *fl == file && r == rule && p == path)
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
                CFN_LINT_ONLY.iter().any(|(fl, _, _, instead, _)| *fl == file && *instead == Some(p));
            if lint_paths.contains(p.as_str()) || reported_instead {
                continue;
            }
            let Some(i) = CFNC_ONLY.iter().position(|(fl, c, ptr, _)| *fl == file && c == code && ptr == p)
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
