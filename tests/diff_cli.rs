//! `cfnc diff` on the command line: formats, exit codes, errors, and the issue's acceptance
//! test on a monitoring template.

use crate::common;
use crate::diff_support;

use std::path::Path;

use crate::build_common::temp_project;
use assert_cmd::Command;
use diff_support::fixture;
use predicates::prelude::*;
use serde_json::Value;

fn cfnc() -> Command {
    let mut c = Command::cargo_bin("cfnc").unwrap();
    c.env_remove("NO_COLOR").env_remove("CFNC_ENV");
    c
}

/// A monitoring template in YAML shaped like the platform's (tests/fixtures/diff/monitoring.yaml,
/// lints clean with cfn-lint).
fn monitoring_template() -> String {
    std::fs::read_to_string(fixture("monitoring.yaml")).unwrap()
}

/// The platform's real monitoring template: `cfnc build` (env dev) through the library, of a
/// temporary copy of this repository's project (config, Lambda and canary sources), so that
/// the build writes nothing into the repository.
fn platform_monitoring() -> Value {
    let project = temp_project();
    let out = tempfile::tempdir().unwrap();
    let dir = build_into(project.path(), out.path());
    serde_json::from_slice(&std::fs::read(dir.join("monitoring.json")).unwrap()).unwrap()
}

fn json_diff(old: &Path, new: &Path) -> Value {
    let out = cfnc()
        .args(["diff", "--from"])
        .arg(old)
        .arg("--to")
        .arg(new)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn acceptance_one_alarm_renamed_is_exactly_one_replacing_modify() {
    // Issue 10, "Done when": `cfnc diff --from a.yaml --to b.yaml --format json` on two copies
    // of the platform's monitoring template with one alarm renamed reports exactly one Modify,
    // replacement True, on that alarm (AlarmName is create-only:
    // schema/aws-cloudwatch-alarm.json). The copies are the real build output (JSON text in
    // .yaml files, as a user would save them); the renamed alarm is one that no other resource
    // refers to.
    let dir = tempfile::tempdir().unwrap();
    let original = platform_monitoring();
    let mut renamed = original.clone();
    let name = &mut renamed["Resources"]["ErrorRatePercentageAlarm"]["Properties"]["AlarmName"];
    assert_eq!(name, "alarm-error-rate-percentage-dev", "the platform's alarm name");
    *name = Value::from("alarm-error-rate-pct-dev");
    std::fs::write(dir.path().join("a.yaml"), serde_json::to_string_pretty(&original).unwrap()).unwrap();
    std::fs::write(dir.path().join("b.yaml"), serde_json::to_string_pretty(&renamed).unwrap()).unwrap();
    let v = json_diff(&dir.path().join("a.yaml"), &dir.path().join("b.yaml"));
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{v:#}");
    let c = &changes[0];
    assert_eq!(c["logical_id"], "ErrorRatePercentageAlarm");
    assert_eq!(c["type"], "AWS::CloudWatch::Alarm");
    assert_eq!(c["action"], "Modify");
    assert_eq!(c["replacement"], "True");
    assert_eq!(c["properties"], serde_json::json!(["AlarmName"]));
    assert_eq!(c["flags"], serde_json::json!([]));
    for field in ["stack", "logical_id", "type", "action", "replacement", "properties", "flags"] {
        assert!(c.get(field).is_some(), "missing {field}");
    }
}

#[test]
fn renaming_any_platform_alarm_lists_it_and_exactly_what_refers_to_it() {
    // For every alarm of the real monitoring template: renaming it replaces it (True), and the
    // resources whose properties refer to it (Ref / Fn::Sub `${Alarm}` / Fn::GetAtt: the
    // composite alarms' AlarmRule) are listed as Modify, False (AlarmRule is updatable:
    // schema/aws-cloudwatch-compositealarm.json); nothing else.
    let original = platform_monitoring();
    let resources = original["Resources"].as_object().unwrap();
    let alarms: Vec<&String> =
        resources.iter().filter(|(_, r)| r["Type"] == "AWS::CloudWatch::Alarm").map(|(id, _)| id).collect();
    assert!(alarms.len() >= 6, "{alarms:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), serde_json::to_string(&original).unwrap()).unwrap();
    for alarm in alarms {
        let mut renamed = original.clone();
        let name = renamed["Resources"][alarm]["Properties"]["AlarmName"].as_str().unwrap().to_string();
        renamed["Resources"][alarm]["Properties"]["AlarmName"] = Value::from(format!("{name}-renamed"));
        std::fs::write(dir.path().join("b.json"), serde_json::to_string(&renamed).unwrap()).unwrap();
        // Who refers to it, by reading the template's text.
        let mut expected: Vec<(String, &str)> = resources
            .iter()
            .filter(|(id, r)| {
                let props = r["Properties"].to_string();
                *id != alarm
                    && (props.contains(&format!("{{\"Ref\":\"{alarm}\"}}"))
                        || props.contains(&format!("${{{alarm}}}"))
                        || props.contains(&format!("${{{alarm}."))
                        || props.contains(&format!("\"Fn::GetAtt\":[\"{alarm}\"")))
            })
            .map(|(id, _)| (id.clone(), "False"))
            .collect();
        expected.push((alarm.clone(), "True"));
        expected.sort();
        let v = json_diff(&dir.path().join("a.json"), &dir.path().join("b.json"));
        let got: Vec<(String, &str)> = v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["logical_id"].as_str().unwrap().to_string(), c["replacement"].as_str().unwrap()))
            .collect();
        assert_eq!(got, expected, "renaming {alarm}: {v:#}");
    }
}

#[test]
fn renaming_an_alarm_used_by_composite_alarms_lists_them() {
    // The composite alarms' AlarmRule embeds the alarm's name (`Ref` of an alarm is its name)
    // through Fn::Sub: it changes when the alarm is replaced. AlarmRule is updatable
    // (schema/aws-cloudwatch-compositealarm.json): Modify, replacement False.
    let dir = tempfile::tempdir().unwrap();
    let text = monitoring_template();
    std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        text.replace("alarm-payment-errors-${Env}", "alarm-pay-errors-${Env}"),
    )
    .unwrap();
    let v = json_diff(&dir.path().join("a.yaml"), &dir.path().join("b.yaml"));
    let rows: Vec<(String, String, String)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["logical_id"].as_str().unwrap().to_string(),
                c["replacement"].as_str().unwrap().to_string(),
                c["properties"].to_string(),
            )
        })
        .collect();
    let expect = |id: &str, r: &str, p: &str| (id.to_string(), r.to_string(), p.to_string());
    assert_eq!(
        rows,
        [
            expect("CriticalEscalationCompositeAlarm", "False", r#"["AlarmRule"]"#),
            expect("PaymentErrorsAlarm", "True", r#"["AlarmName"]"#),
            expect("SystemicIssuesCompositeAlarm", "False", r#"["AlarmRule"]"#),
        ]
    );
}

#[test]
fn threshold_change_is_an_in_place_modify_and_identical_copies_show_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = monitoring_template();
    std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
    std::fs::write(dir.path().join("b.yaml"), text.replacen("Threshold: 2000", "Threshold: 2500", 1))
        .unwrap();
    let v = json_diff(&dir.path().join("a.yaml"), &dir.path().join("b.yaml"));
    assert_eq!(v["changes"].as_array().unwrap().len(), 1);
    assert_eq!(v["changes"][0]["logical_id"], "HighLatencyAlarm");
    assert_eq!(v["changes"][0]["replacement"], "False");
    let same = json_diff(&dir.path().join("a.yaml"), &dir.path().join("a.yaml"));
    assert_eq!(same, serde_json::json!({"changes": [], "notes": []}));
}

#[test]
fn human_table_is_grouped_by_stack() {
    let out = cfnc()
        .current_dir(fixture(""))
        .args(["diff", "--from", "nested/old", "--to", "nested/new", "--color", "never"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("diff_human_nested", String::from_utf8(out).unwrap());
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = ["diff", "--from", "retain/old.yaml", "--to", "retain/new.yaml"];
    // Not a terminal: plain.
    cfnc()
        .current_dir(fixture(""))
        .args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[").not());
    // Forced.
    cfnc()
        .current_dir(fixture(""))
        .args(args)
        .args(["--color", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[1;31mdelete-data"));
}

#[test]
fn global_json_flag_selects_json() {
    cfnc()
        .current_dir(fixture(""))
        .args(["--json", "diff", "--from", "sub-text/old.yaml", "--to", "sub-text/new.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("{\n  \"changes\": ["));
}

#[test]
fn exit_code_flag_reports_changes() {
    let base = || {
        let mut c = cfnc();
        c.current_dir(fixture("")).arg("diff").arg("--exit-code");
        c
    };
    base().args(["--from", "sub-text/old.yaml", "--to", "sub-text/new.yaml"]).assert().code(1);
    base().args(["--from", "sub-text/old.yaml", "--to", "sub-text/old.yaml"]).assert().code(0);
    // Without --exit-code, changes still exit 0.
    cfnc()
        .current_dir(fixture(""))
        .args(["diff", "--from", "sub-text/old.yaml", "--to", "sub-text/new.yaml"])
        .assert()
        .code(0);
}

#[test]
fn default_to_is_the_build_output_and_missing_from_reads_the_deployed_stacks() {
    let dir = tempfile::tempdir().unwrap();
    // No build output yet.
    cfnc()
        .current_dir(dir.path())
        .args(["diff", "--from", "x.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no build output at").and(predicate::str::contains("cfnc build")));
    // With cfnc.out/dev/ present, --to defaults to it.
    let out = dir.path().join("cfnc.out/dev");
    std::fs::create_dir_all(&out).unwrap();
    for f in ["manifest.json", "root.json", "network.json", "monitoring.json"] {
        std::fs::copy(fixture(&format!("nested/new/{f}")), out.join(f)).unwrap();
    }
    // Without --from, OLD is the deployed stacks: cfnc asks AWS (here an endpoint on a closed
    // loopback port, so never a real account) and reports the fault.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    cfnc()
        .current_dir(dir.path())
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{closed}"))
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .args(["diff"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot reach AWS").and(predicate::str::contains("DescribeStacks")));
    // Without --from the old side is the deployed stacks named in NEW's manifest (see
    // tests/diff_deployed.rs); a single template names none.
    std::fs::write(dir.path().join("one.yaml"), "Resources: {}\n").unwrap();
    cfnc()
        .current_dir(dir.path())
        .args(["diff", "--to", "one.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deployed stacks").and(predicate::str::contains("--from")));
    cfnc()
        .current_dir(dir.path())
        .arg("diff")
        .arg("--from")
        .arg(fixture("nested/old"))
        .args(["--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"logical_id\": \"CanarySecurityGroup\""));
}

#[test]
fn bad_input_is_a_usage_error_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"Resources\": {\"A\": }").unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "Resources:\n  A: [\n").unwrap();
    std::fs::write(dir.path().join("notype.yaml"), "Resources:\n  A:\n    Properties: {}\n").unwrap();
    std::fs::write(dir.path().join("ok.yaml"), "Resources: {}\n").unwrap();
    let run = |from: &str| {
        let mut c = cfnc();
        c.current_dir(dir.path()).args(["diff", "--from", from, "--to", "ok.yaml"]);
        c
    };
    run("bad.json").assert().code(2).stderr(predicate::str::contains("bad.json:1:"));
    run("bad.yaml").assert().code(2).stderr(predicate::str::contains("bad.yaml:"));
    run("notype.yaml").assert().code(2).stderr(predicate::str::contains("/Resources/A/Type"));
    run("missing.yaml").assert().code(3).stderr(predicate::str::contains("missing.yaml"));
}

#[test]
fn fixtures_are_valid_cloudformation() {
    // The rule fixtures must be templates CloudFormation would accept, so that the rules are
    // tested on realistic input (cfn-lint is the oracle; W3011 "set both DeletionPolicy and
    // UpdateReplacePolicy" is what the retain fixtures deliberately test).
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let dir = entry.unwrap().path();
        if dir.is_file() {
            paths.push(dir);
            continue;
        }
        for sub in [dir.clone(), dir.join("old"), dir.join("new")] {
            for f in std::fs::read_dir(&sub).into_iter().flatten() {
                let f = f.unwrap().path();
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                if f.is_file()
                    && name != "manifest.json"
                    && (name.ends_with(".yaml") || name.ends_with(".json"))
                {
                    paths.push(f);
                }
            }
        }
    }
    paths.sort();
    assert!(paths.len() > 30, "{paths:?}");
    let mut cmd = std::process::Command::new(common::venv_bin("cfn-lint"));
    cmd.args(["--ignore-checks", "W3011", "--"]).args(&paths);
    let out = cmd.output().expect("cfn-lint runs");
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds `project` (env dev) into `out_root` through the library.
fn build_into(project: &Path, out_root: &Path) -> std::path::PathBuf {
    let req = cfnc::build::Request {
        project: project.to_path_buf(),
        env: "dev".into(),
        out_root: out_root.to_path_buf(),
        synthetic: None,
    };
    cfnc::build::build(&req, &payment_platform::platform, &mut |_| {})
        .unwrap_or_else(|e| panic!("{e:?}"))
        .out_dir
}

#[test]
fn platform_builds_compared_as_directories() {
    // Two builds of the same project: nothing changes (deterministic output). A threshold
    // changed in the config: that alarm is modified in place (Threshold is updatable), and the
    // monitoring stack resource in root points at the new template; nothing else.
    let project = temp_project();
    let (a, b, c) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = build_into(project.path(), a.path());
    let second = build_into(project.path(), b.path());
    assert_eq!(json_diff(&first, &second), serde_json::json!({"changes": [], "notes": []}));

    let config = project.path().join("stacks/config/dev.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("    threshold: 5\n"));
    std::fs::write(&config, text.replacen("    threshold: 5\n", "    threshold: 7\n", 1)).unwrap();
    let third = build_into(project.path(), c.path());
    let v = json_diff(&first, &third);
    let rows: Vec<(&str, &str, &str, &str, String)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["region"].as_str().unwrap(),
                c["stack"].as_str().unwrap(),
                c["logical_id"].as_str().unwrap(),
                c["replacement"].as_str().unwrap(),
                c["properties"].to_string(),
            )
        })
        .collect();
    // The build names three regions: the prediction is made for each, the primary first.
    let expected: Vec<(&str, &str, &str, &str, String)> = ["us-east-1", "eu-west-1", "ap-southeast-1"]
        .into_iter()
        .flat_map(|r| {
            [
                (r, "root", "MonitoringStack", "False", r#"["TemplateURL"]"#.to_string()),
                (r, "monitoring", "PaymentErrorsAlarm", "False", r#"["Threshold"]"#.to_string()),
            ]
        })
        .collect();
    assert_eq!(rows, expected, "{v:#}");
    // --region: one region's prediction.
    let out = cfnc()
        .args(["diff", "--region", "eu-west-1", "--format", "json", "--from"])
        .arg(&first)
        .arg("--to")
        .arg(&third)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let one: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(one["changes"].as_array().unwrap().len(), 2, "{one:#}");
    assert!(one["changes"].as_array().unwrap().iter().all(|c| c["region"] == "eu-west-1"), "{one:#}");
}
