//! The deploy flow against a moto server (see tests/moto/): bootstrap -> deploy --change-set
//! (all Add, nothing executed) -> execute -> outputs -> deploy again (0 uploads, no changes)
//! -> change a threshold -> review shows Modify on that alarm in the monitoring nested stack
//! -> execute -> deployed equals local -> destroy (retained resources listed); first on a small
//! fixture in the one region of the AWS configuration, then the real platform in the three
//! regions of its dev config (the primary region first).

use crate::moto;

use std::path::Path;
use std::process::Output;

use moto::{Moto, block_on, cfnc_at, fixture, ok, text};
use serde_json::Value;

fn cfnc(m: &Moto, project: &Path, args: &[&str]) -> Output {
    cfnc_at(&m.endpoint(), project, args)
}

fn review(project: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(project.join("cfnc.out/dev/changeset.json")).unwrap()).unwrap()
}

fn rows<'a>(review: &'a Value, stack: &str) -> Vec<&'a Value> {
    review["changes"].as_array().unwrap().iter().filter(|r| r["stack"] == stack).collect()
}

fn aws(m: &Moto) -> cfnc_cli::aws::Aws {
    moto::aws_client(&m.endpoint())
}

#[test]
fn full_flow_against_moto() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    fixture::write_build(project, 2000);

    // bootstrap, twice: the second run is a no-op.
    let o = ok(cfnc(&m, project, &["bootstrap"]));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("staging bucket: cfnc-staging-123456789012-us-east-1"),
        "{}",
        text(&o)
    );
    let o = ok(cfnc(&m, project, &["bootstrap"]));
    assert!(String::from_utf8_lossy(&o.stderr).contains("up to date"), "{}", text(&o));

    // deploy --change-set: everything is Add, nothing executed.
    let o = ok(cfnc(&m, project, &["deploy", "--change-set"]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("uploads: 3 uploaded"), "{}", text(&o));
    let r = review(project);
    assert_eq!(r["format"], 2);
    assert_eq!(r["regions"].as_array().unwrap().len(), 1, "the AWS configuration's region: {r:#}");
    assert_eq!(r["regions"][0]["region"], "us-east-1");
    assert_eq!(r["primary_region"], Value::Null);
    assert_eq!(r["regions"][0]["change_set_type"], "CREATE");
    assert_eq!(r["regions"][0]["stack"], fixture::ROOT_STACK);
    let all: Vec<&Value> = r["changes"].as_array().unwrap().iter().collect();
    assert!(all.iter().all(|c| c["region"] == "us-east-1"), "{r:#}");
    assert_eq!(all.len(), 5, "{r:#}"); // root: Monitoring; monitoring: 4 resources
    assert!(all.iter().all(|c| c["action"] == "Add"), "{r:#}");
    let mon = rows(&r, "monitoring");
    let ids: Vec<&str> = mon.iter().map(|c| c["logical_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["AlertsTopic", "CollectorRole", "HighLatencyAlarm", "PaymentLogs"]);
    let role = mon.iter().find(|c| c["logical_id"] == "CollectorRole").unwrap();
    assert_eq!(role["flags"], serde_json::json!(["iam-widening"]));
    let md = std::fs::read_to_string(project.join("cfnc.out/dev/changeset.md")).unwrap();
    assert!(md.contains("HighLatencyAlarm") && md.contains("Needs attention"), "{md}");
    let arn = r["regions"][0]["change_set_arn"].as_str().unwrap().to_string();
    assert!(String::from_utf8_lossy(&o.stdout).contains(&arn));
    let status = block_on(async {
        let s = cfnc_cli::deploy::stack::describe(&aws(&m), fixture::ROOT_STACK).await.unwrap().unwrap();
        s.stack_status().unwrap().as_str().to_string()
    });
    assert_eq!(status, "REVIEW_IN_PROGRESS", "nothing may run before execute");

    // execute exactly that change set.
    let o = ok(cfnc(&m, project, &["execute", &arn]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("CREATE_COMPLETE"), "{}", text(&o));

    // outputs: table, --json, --outputs-file.
    let file = project.join("outputs.json");
    let o = ok(cfnc(&m, project, &["--json", "outputs", "--outputs-file", file.to_str().unwrap()]));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outputs"]["PaymentLogGroup"], "payment-dev", "{v:#}");
    assert!(v["outputs"]["AlertsTopicArn"].as_str().unwrap().ends_with(":alerts-dev"), "{v:#}");
    let f: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(f, v["outputs"]);
    let o = ok(cfnc(&m, project, &["outputs"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("cfnc-fixture-dev-AlertsTopicArn"), "{}", text(&o));

    // deploy again: nothing to upload, no changes, exit 0.
    let o = ok(cfnc(&m, project, &["deploy", "--change-set"]));
    assert!(String::from_utf8_lossy(&o.stderr).contains("uploads: 0 uploaded"), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"), "{}", text(&o));
    assert_eq!(review(project)["status"], "NO_CHANGES");

    // change the alarm threshold: Modify on that alarm inside the monitoring stack.
    fixture::write_build(project, 2500);
    let o = cfnc(&m, project, &["diff", "--format", "json", "--exit-code"]);
    assert_eq!(o.status.code(), Some(1), "local differs from deployed: {}", text(&o));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changed: Vec<(&str, &str)> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["stack"].as_str().unwrap(), c["logical_id"].as_str().unwrap()))
        .collect();
    assert!(changed.contains(&("monitoring", "HighLatencyAlarm")), "{d:#}");
    let o = ok(cfnc(&m, project, &["deploy", "--change-set"]));
    assert!(String::from_utf8_lossy(&o.stderr).contains("uploads: 2 uploaded"), "{}", text(&o));
    let r = review(project);
    assert_eq!(r["regions"][0]["change_set_type"], "UPDATE");
    let root_rows = rows(&r, "root");
    assert_eq!(root_rows.len(), 1, "{r:#}");
    assert_eq!(root_rows[0]["logical_id"], "Monitoring");
    assert_eq!(root_rows[0]["action"], "Modify");
    let mon = rows(&r, "monitoring");
    assert_eq!(mon.len(), 1, "only the alarm changes: {r:#}");
    let alarm = mon[0];
    assert_eq!(alarm["logical_id"], "HighLatencyAlarm");
    assert_eq!(alarm["type"], "AWS::CloudWatch::Alarm");
    assert_eq!(alarm["action"], "Modify");
    assert_eq!(alarm["properties"], serde_json::json!(["Threshold"]));
    assert_eq!(alarm["replacement"], "False");
    assert_eq!(alarm["source"], "predicted", "moto gives no nested change sets");
    assert_eq!(r["regions"][0]["nested_change_sets"][0]["source"], "predicted");
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("HighLatencyAlarm") && table.contains("Threshold"), "{table}");

    // execute it (by the review file), then the deployed templates equal the local ones.
    let o = ok(cfnc(&m, project, &["execute"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("UPDATE_COMPLETE"), "{}", text(&o));
    let o = ok(cfnc(&m, project, &["diff", "--format", "json", "--exit-code"]));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["changes"], serde_json::json!([]), "{d:#}");
    let out = cfnc_cli::deploy::build_output::load_checked(project, "dev").unwrap();
    let deployed = block_on(cfnc_cli::deploy::fetch_deployed_templates(&aws(&m), &out.manifest)).unwrap();
    assert_eq!(deployed.stacks.len(), 2);
    for (entry, local) in out.templates().unwrap() {
        let d = deployed.get(&entry.name).unwrap();
        let diff = cfnc_cli::review::predict::diff_templates(&entry.name, Some(&d.template), Some(&local));
        assert!(diff.is_empty(), "{}: {diff:?}", entry.name);
    }

    // destroy: confirmation needed without a terminal; --yes deletes and lists what is kept.
    let o = cfnc(&m, project, &["destroy"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = ok(cfnc(&m, project, &["destroy", "--yes"]));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("deleted") && out.contains("monitoring/PaymentLogs"), "{}", text(&o));
    let o = cfnc(&m, project, &["outputs"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"), "{}", text(&o));
}

#[test]
fn deploy_without_bootstrap_says_run_bootstrap() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    fixture::write_build(tmp.path(), 2000);
    let o = cfnc(&m, tmp.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cfnc bootstrap"), "{}", text(&o));
}

#[test]
fn execute_refuses_a_change_set_from_another_build() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    fixture::write_build(project, 2000);
    ok(cfnc(&m, project, &["bootstrap"]));
    ok(cfnc(&m, project, &["deploy", "--change-set"]));
    let path = project.join("cfnc.out/dev/changeset.json");
    let mut r = review(project);
    r["manifest_sha256"] = Value::String("f".repeat(64));
    std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
    let o = cfnc(&m, project, &["execute"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to execute"), "{}", text(&o));
    let o =
        cfnc(&m, project, &["execute", "arn:aws:cloudformation:us-east-1:123456789012:changeSet/other/x"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn stale_build_output_is_refused() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture::write_build(tmp.path(), 2000);
    std::fs::write(dir.join("monitoring.json"), "{}").unwrap();
    let o = cfnc(&m, tmp.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("stale") && err.contains("cfnc build"), "{}", text(&o));
    let empty = tempfile::tempdir().unwrap();
    let o = cfnc(&m, empty.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cfnc build"), "{}", text(&o));
}

/// Writes the fixture build into $CFNC_FIXTURE_DIR (for trying cfnc by hand against moto):
/// `CFNC_FIXTURE_DIR=/tmp/p cargo test --test integration deploy_moto::write_fixture -- --ignored`.
#[test]
#[ignore]
fn write_fixture() {
    let dir = std::env::var_os("CFNC_FIXTURE_DIR").expect("set CFNC_FIXTURE_DIR");
    let threshold = std::env::var("CFNC_FIXTURE_THRESHOLD").ok().and_then(|t| t.parse().ok()).unwrap_or(2000);
    fixture::write_build(Path::new(&dir), threshold);
}

/// The regions of the platform's dev config, in rollout order (the primary region first).
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];

fn stack_status_in(m: &Moto, region: &str, name: &str) -> Option<String> {
    let aws = aws(m).in_region(region).unwrap();
    block_on(async {
        cfnc_cli::deploy::stack::describe(&aws, name)
            .await
            .unwrap()
            .map(|s| s.stack_status().unwrap().as_str().to_string())
    })
}

/// (region, stack, logical id, action, replacement, properties) of every row of a review.
fn row_keys(r: &Value) -> Vec<(String, String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                s(&c["region"]),
                s(&c["stack"]),
                s(&c["logical_id"]),
                s(&c["action"]),
                s(&c["replacement"]),
                c["properties"].to_string(),
            )
        })
        .collect()
}

fn outputs_json(m: &Moto, project: &Path) -> Value {
    let o = ok(cfnc(m, project, &["--json", "outputs"]));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The real platform through its whole life on the emulator, in the three regions of its dev
/// config: bootstrap (one staging bucket per region), one review of three change sets (CREATE;
/// the dashboard only in the primary region), execute (the primary region first), outputs per
/// region (the dashboard link in the console of the partition, account-wide names per region),
/// a config change reviewed as exactly the expected Modify rows in each region, execute, a
/// deploy with no changes (exit 0), destroy (what is retained, per region).
#[test]
fn real_platform_lifecycle_in_three_regions() {
    let m = Moto::shared();
    let tmp = crate::build_common::temp_project();
    let project = tmp.path();

    let o = ok(cfnc(&m, project, &["bootstrap"]));
    let out = String::from_utf8_lossy(&o.stdout);
    for r in REGIONS {
        assert!(out.contains(&format!("staging bucket: cfnc-staging-123456789012-{r}")), "{}", text(&o));
    }

    // Review: built first, uploaded to each region, one change set per region, one review.
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--yes"]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("building"), "deploy built first: {}", text(&o));
    // The dev config's example addresses are placeholders: --yes acknowledges them.
    assert!(err.contains("placeholder value(s): acknowledged with --yes"), "{}", text(&o));
    for r in REGIONS {
        assert!(err.contains(&format!("[{r}] uploads: 7 uploaded")), "{}", text(&o));
    }
    let manifest: cfnc::manifest::Manifest =
        serde_json::from_slice(&std::fs::read(project.join("cfnc.out/dev/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.rollout_regions(), REGIONS);
    let r = review(project);
    let regions: Vec<&str> =
        r["regions"].as_array().unwrap().iter().map(|x| x["region"].as_str().unwrap()).collect();
    assert_eq!(regions, REGIONS, "rollout order, the primary region first");
    assert_eq!(r["primary_region"], "us-east-1");
    let resources: usize = manifest.stacks.iter().map(|s| s.resources).sum();
    for (i, region) in REGIONS.iter().enumerate() {
        let head = &r["regions"][i];
        assert_eq!(head["change_set_type"], "CREATE", "{r:#}");
        assert_eq!(head["stack"], manifest.root_stack.as_str());
        let rows: Vec<&Value> =
            r["changes"].as_array().unwrap().iter().filter(|c| c["region"] == *region).collect();
        let dashboard = rows.iter().any(|c| c["logical_id"] == "ObservabilityDashboard");
        // The dashboard (account-wide, of every region) exists once: in the primary region.
        assert_eq!(dashboard, i == 0, "{region}: {r:#}");
        assert_eq!(rows.len(), if i == 0 { resources } else { resources - 1 }, "{region}");
        assert_eq!(head["summary"]["add"].as_u64().unwrap() as usize, rows.len(), "{region}");
        assert!(rows.iter().all(|c| c["action"] == "Add"));
        assert_eq!(stack_status_in(&m, region, &manifest.root_stack).as_deref(), Some("REVIEW_IN_PROGRESS"));
    }
    assert!(r["summary"]["flagged"].as_u64().unwrap() > 0, "IAM roles and policies are flagged");
    let md = std::fs::read_to_string(project.join("cfnc.out/dev/changeset.md")).unwrap();
    assert!(
        md.contains("| region | stack | action |") && md.contains("| eu-west-1 | network | Add |"),
        "{md}"
    );
    assert!(md.contains("| us-east-1 (primary) |"), "{md}");
    let table = String::from_utf8_lossy(&o.stdout);
    let at = |s: &str| table.find(s).unwrap_or_else(|| panic!("`{s}` in\n{table}"));
    assert!(
        at("== us-east-1 (primary)") < at("== eu-west-1") && at("== eu-west-1") < at("== ap-southeast-1"),
        "{table}"
    );

    // Execute: every reviewed change set, the primary region first.
    let o = ok(cfnc(&m, project, &["execute"]));
    let err = String::from_utf8_lossy(&o.stderr);
    let started =
        |r: &str| err.find(&format!("[{r}] executing")).unwrap_or_else(|| panic!("{r}: {}", text(&o)));
    assert!(started("us-east-1") < started("eu-west-1") && started("eu-west-1") < started("ap-southeast-1"));
    for r in REGIONS {
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&format!("({r}): CREATE_COMPLETE")),
            "{}",
            text(&o)
        );
        assert_eq!(stack_status_in(&m, r, &manifest.root_stack).as_deref(), Some("CREATE_COMPLETE"));
    }

    // Outputs of every region; the dashboard's only in the primary region.
    let v = outputs_json(&m, project);
    for r in REGIONS {
        let outs = &v["regions"][r];
        assert!(outs["VpcId"].as_str().unwrap().starts_with("vpc-"), "{v:#}");
        assert!(outs["MetricCollectorFunctionArn"].as_str().unwrap().contains(&format!(":{r}:")), "{v:#}");
        // IAM and S3 names are account-wide: each region has its own.
        assert!(outs["LambdaRoleArn"].as_str().unwrap().ends_with(&format!("-dev-{r}")), "{v:#}");
        assert_eq!(outs["ArtifactsBucketName"], format!("s3-observability-dev-123456789012-{r}"));
        assert_eq!(outs.get("DashboardUrl").is_some(), r == "us-east-1", "{v:#}");
    }
    assert_eq!(
        v["regions"]["us-east-1"]["DashboardUrl"],
        "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=observability-platform-dev"
    );
    let file = project.join("outputs.json");
    ok(cfnc(&m, project, &["outputs", "--outputs-file", file.to_str().unwrap()]));
    let f: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(f, v["regions"], "one map per region");
    let one = ok(cfnc(&m, project, &["--region", "eu-west-1", "--json", "outputs"]));
    let one: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["region"], "eu-west-1");
    assert_eq!(one["outputs"], v["regions"]["eu-west-1"]);

    // A config change: the payment-errors threshold. Reviewed as exactly the Modify of that
    // alarm (in place) and of the monitoring stack resource, in each region.
    let config = project.join("stacks/config/dev.yaml");
    let text_before = std::fs::read_to_string(&config).unwrap();
    assert!(text_before.contains("    threshold: 5\n"));
    std::fs::write(&config, text_before.replacen("    threshold: 5\n", "    threshold: 7\n", 1)).unwrap();
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--yes"]));
    let r = review(project);
    let expected: Vec<(String, String, String, String, String, String)> = REGIONS
        .iter()
        .flat_map(|region| {
            [
                ("root", "MonitoringStack", r#"["TemplateURL"]"#),
                ("monitoring", "PaymentErrorsAlarm", r#"["Threshold"]"#),
            ]
            .map(|(stack, id, props)| {
                (region.to_string(), stack.into(), id.into(), "Modify".into(), "False".into(), props.into())
            })
        })
        .collect();
    assert_eq!(row_keys(&r), expected, "{r:#}");
    assert!(r["regions"].as_array().unwrap().iter().all(|x| x["change_set_type"] == "UPDATE"));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("all regions: 0 to add, 6 to modify"),
        "{}",
        text(&o)
    );
    let o = ok(cfnc(&m, project, &["execute", "--parallel"]));
    for r in REGIONS {
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&format!("({r}): UPDATE_COMPLETE")),
            "{}",
            text(&o)
        );
    }

    // Deployed equals local in every region; a deploy now has nothing to do (exit 0).
    let o = ok(cfnc(&m, project, &["diff", "--format", "json", "--exit-code"]));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["changes"], serde_json::json!([]), "{d:#}");
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--yes"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"), "{}", text(&o));
    assert_eq!(review(project)["status"], "NO_CHANGES");

    // Destroy: every region, what each keeps.
    let o = ok(cfnc(&m, project, &["destroy", "--yes"]));
    let out = String::from_utf8_lossy(&o.stdout);
    for r in REGIONS {
        assert!(out.contains(&format!("payment-observability-dev deleted in {r}")), "{}", text(&o));
        assert!(out.contains(&format!("retained in {r}")), "{}", text(&o));
        assert!(
            out.contains(&format!(
                "security/ArtifactsBucket AWS::S3::Bucket s3-observability-dev-123456789012-{r}"
            )),
            "{}",
            text(&o)
        );
        assert_eq!(stack_status_in(&m, r, &manifest.root_stack), None, "{r}");
    }
    assert_eq!(out.matches("security/LogsKey AWS::KMS::Key").count(), 3, "{}", text(&o));
}

/// The acceptance run: `deploy --change-set --execute --yes` with the default dev config leaves
/// the root stack CREATE_COMPLETE with its outputs in each of the three regions; a second deploy
/// prints "no changes" and exits 0.
#[test]
fn deploy_execute_yes_creates_the_platform_in_every_region() {
    let m = Moto::shared();
    let tmp = crate::build_common::temp_project();
    let project = tmp.path();
    ok(cfnc(&m, project, &["bootstrap"]));
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--execute", "--yes"]));
    let v = outputs_json(&m, project);
    for r in REGIONS {
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(&format!("({r}): CREATE_COMPLETE")),
            "{}",
            text(&o)
        );
        assert_eq!(stack_status_in(&m, r, "payment-observability-dev").as_deref(), Some("CREATE_COMPLETE"));
        assert!(v["regions"][r].as_object().unwrap().len() >= 18, "{r}: {v:#}");
    }
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--execute", "--yes"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"), "{}", text(&o));
}
