//! `cfnc build`: the output set, the manifest, hashes and wiring, determinism, atomic writes,
//! and the CLI (summary table, `--json`, config errors with positions, exit codes).

use crate::build_common;

use assert_cmd::Command;
use predicates::prelude::*;
use sha2::{Digest, Sha256};

use build_common::{STACKS, build, build_project, files, read_json, temp_project};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn writes_the_template_set_the_assets_and_a_manifest_that_describes_them() {
    let b = build("dev");
    let names: Vec<String> = b.files().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "canary.zip",
            "compute.json",
            "lambda.zip",
            "manifest.json",
            "monitoring.json",
            "network.json",
            "root.json",
            "security.json"
        ]
    );
    let m = &b.report.manifest;
    assert_eq!(read_json(&b.out().join("manifest.json")), serde_json::to_value(m).unwrap());
    assert_eq!((m.env.as_str(), m.root_stack.as_str()), ("dev", "payment-observability-dev"));
    assert_eq!(m.stacks.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), STACKS);
    let config = std::fs::read(build_common::repo().join("stacks/config/dev.yaml")).unwrap();
    assert_eq!(m.config_sha256, sha(&config));
    for s in &m.stacks {
        let bytes = std::fs::read(b.out().join(&s.file)).unwrap();
        assert_eq!(s.sha256, sha(&bytes), "{}", s.file);
        assert_eq!(s.bytes, bytes.len() as u64);
        assert_eq!(s.s3_key, format!("templates/{}.json", s.sha256));
        let t = read_json(&b.out().join(&s.file));
        assert_eq!(s.resources, t["Resources"].as_object().unwrap().len());
        assert_eq!(s.parameters, t.get("Parameters").and_then(|p| p.as_object()).map_or(0, |p| p.len()));
        assert_eq!(s.outputs, t.get("Outputs").and_then(|p| p.as_object()).map_or(0, |p| p.len()));
        assert_eq!(s.parent.as_deref(), if s.name == "root" { None } else { Some("root") });
    }
    for a in &m.assets {
        let bytes = std::fs::read(b.out().join(&a.file)).unwrap();
        assert_eq!(a.sha256, sha(&bytes));
        assert_eq!(a.s3_key, format!("assets/{}.zip", a.sha256));
    }
    assert_eq!(m.tags.get("ManagedBy").map(String::as_str), Some("cfnc"));
}

#[test]
fn the_root_references_each_wired_child_by_the_hash_of_its_final_bytes() {
    let b = build("dev");
    let root = b.template("root");
    let m = &b.report.manifest;
    for child in m.stacks.iter().filter(|s| s.name != "root") {
        let id = child.logical_id.as_deref().unwrap();
        let url = root["Resources"][id]["Properties"]["TemplateURL"]["Fn::Sub"].as_str().unwrap();
        assert_eq!(
            url,
            format!(
                "https://cfnc-staging-${{AWS::AccountId}}-${{AWS::Region}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/templates/{}.json",
                child.sha256
            )
        );
        // Every parameter of the child is passed by the root from a sibling's output, and
        // every passed value names an output that exists.
        let t = b.template(&child.name);
        let params = t.get("Parameters").and_then(|p| p.as_object()).cloned().unwrap_or_default();
        let passed =
            root["Resources"][id]["Properties"]["Parameters"].as_object().cloned().unwrap_or_default();
        assert_eq!(params.keys().collect::<Vec<_>>(), passed.keys().collect::<Vec<_>>(), "{}", child.name);
        for (p, v) in &passed {
            let (producer, value) = build_common::trace_parameter(&b, &child.name, p);
            assert_ne!(producer, child.name);
            assert!(!value.is_null(), "{}.{p} <- {v}", child.name);
        }
        // Stacks wait for each other only through those parameters (cfn-lint W3005).
        assert!(root["Resources"][id].get("DependsOn").is_none(), "{}", child.name);
    }
    // The compute stack gets its code from the staging bucket under the packaged keys.
    let compute = b.template("compute");
    let lambda_key = &m.assets.iter().find(|a| a.name == "lambda").unwrap().s3_key;
    assert_eq!(
        compute["Resources"]["MetricCollectorFunction"]["Properties"]["Code"]["S3Key"],
        lambda_key.as_str()
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let (a, b) = (build("dev"), build("dev"));
    assert_eq!(a.files(), b.files());
    let (p, q) = (build("prod"), build("prod"));
    assert_eq!(p.files(), q.files());
    assert_ne!(a.files(), p.files());
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let project = temp_project();
    let first = build_project(project.path(), "dev");
    let out_root = first.root.path().to_path_buf();
    let before = files(&first.out());
    // Break the config: the next build must fail and touch nothing.
    let cfg = project.path().join("stacks/config/dev.yaml");
    let text =
        std::fs::read_to_string(&cfg).unwrap().replace("latency_budget_ms: 2000", "latency_budget_ms: 0");
    std::fs::write(&cfg, text).unwrap();
    let req = cfnc::build::Request {
        project: project.path().to_path_buf(),
        env: "dev".into(),
        out_root: out_root.clone(),
        synthetic: None,
    };
    let err = cfnc::build::build(&req, &payment_platform::platform, &mut |_| {}).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(files(&first.out()), before);
    assert_eq!(std::fs::read_dir(&out_root).unwrap().count(), 1, "no temporary directory is left behind");
}

#[test]
fn cli_prints_a_summary_table_and_json() {
    let out = tempfile::tempdir().unwrap();
    let repo = build_common::repo();
    let assert = Command::cargo_bin("cfnc")
        .unwrap()
        .args(["build", "--env", "dev", "--out"])
        .arg(out.path())
        .arg("--project")
        .arg(repo)
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let header = stdout.lines().next().unwrap();
    for col in ["stack", "resources", "parameters", "outputs", "bytes", "findings"] {
        assert!(header.contains(col), "{header}");
    }
    for stack in STACKS {
        assert!(stdout.lines().any(|l| l.starts_with(stack)), "{stdout}");
    }
    assert!(stdout.contains("asset") && stdout.contains("lambda") && stdout.contains("canary"), "{stdout}");
    assert!(out.path().join("dev/root.json").exists());

    let assert = Command::cargo_bin("cfnc")
        .unwrap()
        .args(["build", "--json", "--out"])
        .arg(out.path())
        .arg("--project")
        .arg(repo)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(json["env"], "dev");
    assert_eq!(json["stacks"].as_array().unwrap().len(), 5);
    assert_eq!(json["stacks"][0]["name"], "root");
    assert_eq!(json["stacks"][0]["findings"], 0);
    assert_eq!(json["assets"].as_array().unwrap().len(), 2);
}

#[test]
fn cli_reports_config_errors_with_file_line_column_and_exit_2() {
    let project = temp_project();
    let cfg = project.path().join("stacks/config/dev.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap().replace("  target_url:", "  target_ur:");
    std::fs::write(&cfg, text).unwrap();
    let line =
        std::fs::read_to_string(&cfg).unwrap().lines().position(|l| l.contains("target_ur:")).unwrap() + 1;
    Command::cargo_bin("cfnc")
        .unwrap()
        .args(["build", "--project"])
        .arg(project.path())
        .env("NO_COLOR", "1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("dev.yaml:{line}:3")))
        .stderr(predicate::str::contains("did you mean `target_url`"));
    Command::cargo_bin("cfnc")
        .unwrap()
        .args(["build", "--env", "staging", "--project"])
        .arg(project.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("known environments: dev, prod"));
    assert!(!project.path().join("cfnc.out").exists());
}

/// The platform with one invalid property: the validator must stop the build.
fn broken_platform(
    cx: &mut cfnc::build::Context<'_, payment_platform::config::Platform>,
) -> Result<cfnc::compile::App, cfnc::build::BuildError> {
    let mut app = payment_platform::platform(cx)?;
    let vpc = cfnc::model::LogicalId::new("Vpc").unwrap();
    app.graph.resources.get_mut(&vpc).unwrap().properties.insert("EnableDnsSupport".into(), "maybe".into());
    Ok(app)
}

#[test]
fn validator_errors_fail_the_build_with_exit_1_and_write_nothing() {
    let out = tempfile::tempdir().unwrap();
    let req = cfnc::build::Request {
        project: build_common::repo().to_path_buf(),
        env: "dev".into(),
        out_root: out.path().to_path_buf(),
        synthetic: None,
    };
    let err = cfnc::build::build(&req, &broken_platform, &mut |_| {}).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    match &err {
        cfnc::build::BuildError::Invalid { errors, .. } => {
            assert!(
                errors
                    .iter()
                    .any(|f| f.file.as_deref() == Some("network.json") && f.pointer.contains("/Vpc/")),
                "{errors:?}"
            );
            assert!(errors.iter().all(|f| f.line.is_some()), "findings point at lines of the written file");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}
