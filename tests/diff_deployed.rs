//! `cfnc diff` without `--from`: the old side is the deployed stacks (GetTemplate of the root
//! and its nested stacks through the deploy module), against a moto server (tests/moto/).

use crate::moto;

use std::path::Path;
use std::process::Output;

use moto::{Moto, cfnc_at, fixture, ok, text};
use serde_json::Value;

fn cfnc(m: &Moto, project: &Path, args: &[&str]) -> Output {
    cfnc_at(&m.endpoint(), project, args)
}

#[test]
fn diff_against_the_deployed_stacks() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    fixture::write_build(project, 2000);

    // Nothing deployed: every resource is an Add.
    let o = ok(cfnc(&m, project, &["diff", "--format", "json"]));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 5, "{v:#}");
    assert!(changes.iter().all(|c| c["action"] == "Add"), "{v:#}");

    ok(cfnc(&m, project, &["bootstrap"]));
    ok(cfnc(&m, project, &["deploy", "--change-set", "--execute", "--yes"]));

    // Deployed == local: no changes.
    let o = ok(cfnc(&m, project, &["diff", "--exit-code"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("No changes."), "{}", text(&o));

    // A new threshold in the local build: Modify of the alarm (updatable: False) inside the
    // monitoring stack, and of the nested stack resource in root (new TemplateURL), with the
    // deployed physical id.
    fixture::write_build(project, 2500);
    let o = cfnc(&m, project, &["diff", "--format", "json", "--exit-code"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows: Vec<(&str, &str, &str, &str)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["stack"].as_str().unwrap(),
                c["logical_id"].as_str().unwrap(),
                c["replacement"].as_str().unwrap(),
                c["properties"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("root", "Monitoring", "False", "TemplateURL"),
            ("monitoring", "HighLatencyAlarm", "False", "Threshold")
        ],
        "{v:#}"
    );
    // The nested stack's physical id (moto reports its name, AWS its ARN).
    let nested_id = v["changes"][0]["physical_id"].as_str().unwrap_or_default();
    assert!(nested_id.contains("Monitoring"), "{v:#}");
}
