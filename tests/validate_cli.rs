//! `cfnc validate` from the command line: formats, exit codes, stdin, the rule table.

use assert_cmd::Command;
use predicates::prelude::*;

const CLEAN: &str = "tests/fixtures/templates/storage.yaml";
const WARNINGS_ONLY: &str = "tests/fixtures/templates/anchors.yaml";
const MISTAKES: &str = "tests/fixtures/validate/mistakes.yaml";

fn cfnc() -> Command {
    let mut c = Command::cargo_bin("cfnc").unwrap();
    c.env_remove("NO_COLOR").current_dir(crate::common::repo());
    c
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn clean_template_exits_0() {
    cfnc()
        .args(["validate", CLEAN, "tests/fixtures/templates/dashboard.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::diff("0 errors, 0 warnings, 0 notes in 2 files\n"));
}

#[test]
fn errors_exit_1_with_located_human_lines_without_color_when_piped() {
    cfnc()
        .args(["validate", MISTAKES])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "tests/fixtures/validate/mistakes.yaml:24:7: error[CFN3001]: property `Nmae` is not allowed (at /Resources/Topic/Properties/Nmae)",
        ))
        .stdout(predicate::str::contains("48 errors, 2 warnings, 0 notes in 1 file"))
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn warnings_fail_only_with_strict() {
    cfnc()
        .args(["validate", WARNINGS_ONLY])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning[CFN0002]"));
    cfnc().args(["validate", "--strict", WARNINGS_ONLY]).assert().code(1);
}

#[test]
fn json_format_and_global_json_flag() {
    for args in [vec!["validate", "--format", "json", MISTAKES], vec!["--json", "validate", MISTAKES]] {
        let out = cfnc().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let v = json_of(&out);
        assert_eq!(v["summary"], serde_json::json!({"files": 1, "errors": 48, "warnings": 2, "info": 0}));
        let first = &v["findings"][0];
        assert_eq!(first["code"], "CFN1002");
        assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(3), Some(1)));
    }
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let out = cfnc().args(["validate", "--format", "sarif", MISTAKES, CLEAN]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = json_of(&out);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cfnc");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 50);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], MISTAKES);
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn unreadable_input_exits_2() {
    cfnc()
        .args(["validate", "tests/fixtures/validate/does-not-exist.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist.yaml"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "Resources:\n  A: {Type: x}\n  A: {Type: y}\n").unwrap();
    cfnc()
        .arg("validate")
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("duplicate key `A`"));
    // Machine formats carry the problem as a CFN0001 finding, with its position.
    let out = cfnc().args(["validate", "--format", "json", CLEAN]).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out);
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "CFN0001").unwrap();
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn syntax_errors_carry_position_and_pointer_in_json_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"Resources\": {\n    \"Topic\": {\n      \"Type\": \"AWS::SNS::Topic\",\n      \"Properties\": {\"TopicName\": \"a\" \"DisplayName\": \"b\"}\n    }\n  }\n}\n",
    )
    .unwrap();
    let out = cfnc().args(["validate", "--format", "json"]).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "CFN0001");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(5), Some(39)));
    assert_eq!(f["pointer"], "/Resources/Topic/Properties");
    let out = cfnc().args(["validate", "--format", "sarif"]).arg(&broken).output().unwrap();
    let log = json_of(&out);
    let loc = &log["runs"][0]["results"][0]["locations"][0];
    assert_eq!(loc["physicalLocation"]["region"]["startLine"], 5);
    assert_eq!(loc["logicalLocations"][0]["fullyQualifiedName"], "/Resources/Topic/Properties");
}

#[test]
fn usage_errors_exit_2() {
    cfnc().arg("validate").assert().code(2);
    cfnc().args(["validate", "--format", "xml", CLEAN]).assert().code(2);
}

#[test]
fn stdin_is_read_with_dash() {
    cfnc()
        .args(["validate", "-"])
        .write_stdin("Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: {Nope: 1}\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("<stdin>:4:18: error[CFN3001]"));
}

#[test]
fn rule_table_matches_docs() {
    let out = cfnc().args(["validate", "--list-rules"]).output().unwrap();
    assert!(out.status.success());
    let docs = std::fs::read_to_string(crate::common::repo().join("docs/rules.md")).unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        docs,
        "docs/rules.md is stale: run `cfnc validate --list-rules > docs/rules.md`"
    );
}

#[test]
fn a_directory_means_the_templates_in_it_and_below() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let template = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
    std::fs::write(p.join("root.yaml"), template).unwrap();
    std::fs::write(p.join("manifest.json"), r#"{"stacks": []}"#).unwrap();
    std::fs::create_dir_all(p.join("nested")).unwrap();
    std::fs::write(p.join("nested/child.json"), r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queu"}}}"#)
        .unwrap();
    std::fs::create_dir_all(p.join(".git")).unwrap();
    std::fs::write(p.join(".git/ignored.yaml"), template).unwrap();
    let out = cfnc().args(["validate", "--format", "json"]).arg(p).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_of(&out);
    assert_eq!(report["summary"]["files"], 2, "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["code"], "CFN1018");
    assert!(findings[0]["file"].as_str().unwrap().ends_with("child.json"));
    // A directory without templates is an unreadable argument, not a clean run.
    let empty = tempfile::tempdir().unwrap();
    let out = cfnc().arg("validate").arg(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
