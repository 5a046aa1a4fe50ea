//! The pinned linters on the built templates: cfn-lint with 0 errors and 0 warnings, checkov
//! with no failed check, and every checkov skip in the templates both justified (a comment
//! next to the resource, written in stacks/) and actually needed.

use crate::build_common;

use std::collections::BTreeSet;
use std::process::Command;

use build_common::{STACKS, build, checkov, repo, venv};

#[test]
fn cfn_lint_finds_nothing_in_any_template() {
    // Exactly `cfn-lint cfnc.out/dev/*.json cfnc.out/prod/*.json` from a project root that has
    // the project's .cfnlintrc (manifest.json is in the glob; the rc file says it is not a
    // template).
    let project = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join(".cfnlintrc"), project.path().join(".cfnlintrc")).unwrap();
    let mut kept = Vec::new();
    for env in ["dev", "prod"] {
        let b = build(env);
        let dest = project.path().join("cfnc.out").join(env);
        std::fs::create_dir_all(&dest).unwrap();
        for (name, bytes) in b.files() {
            std::fs::write(dest.join(name), bytes).unwrap();
        }
        kept.push(b);
    }
    let out = Command::new("sh")
        .args(["-c", "\"$0\" cfnc.out/dev/*.json cfnc.out/prod/*.json"])
        .arg(venv().join("bin/cfn-lint"))
        .current_dir(project.path())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint exit {:?}:\n{text}", out.status.code());
    let dev = &kept[0];

    // The same linter does see our templates: one broken copy is reported.
    let broken = dev.root.path().join("broken.json");
    let text = std::fs::read_to_string(dev.out().join("network.json")).unwrap();
    std::fs::write(&broken, text.replace("\"CidrBlock\": \"10.0.0.0/16\"", "\"CidrBlock\": \"10.0.0.0/99\""))
        .unwrap();
    let out = Command::new(venv().join("bin/cfn-lint")).arg(&broken).current_dir(repo()).output().unwrap();
    assert!(!out.status.success(), "cfn-lint must reject an invalid CIDR");
}

/// `(check id, logical id)` of every `Metadata.checkov.skip` entry, failing on one without a
/// comment.
fn declared_skips(b: &build_common::Built) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for stack in STACKS {
        let t = b.template(stack);
        for (id, r) in t["Resources"].as_object().unwrap() {
            for skip in r["Metadata"]["checkov"]["skip"].as_array().into_iter().flatten() {
                let comment = skip["comment"].as_str().unwrap_or("");
                assert!(comment.len() >= 20, "{stack}/{id}: skip {} needs a real justification", skip["id"]);
                out.insert((skip["id"].as_str().unwrap().to_string(), id.clone()));
            }
        }
    }
    out
}

#[test]
fn checkov_passes_and_every_skip_is_justified_and_used() {
    let checkov = checkov();
    for env in ["dev", "prod"] {
        let b = build(env);
        let out = Command::new(&checkov)
            .args(["-d"])
            .arg(b.out())
            .args(["--framework", "cloudformation", "--quiet", "--compact"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "checkov ({env}) failed:\n{stdout}");
        assert!(!stdout.contains("FAILED for resource"), "{stdout}");
        if env == "prod" {
            continue;
        }
        // Skips that no check needs are noise: each declared skip must be one checkov applied.
        let json = Command::new(&checkov)
            .args(["-d"])
            .arg(b.out())
            .args(["--framework", "cloudformation", "--skip-download", "-o", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let report = if report.is_array() { report[0].clone() } else { report };
        assert_eq!(report["results"]["failed_checks"].as_array().map_or(0, |f| f.len()), 0);
        assert!(report["summary"]["passed"].as_u64().unwrap() > 40, "checkov evaluated the templates");
        let used: BTreeSet<(String, String)> = report["results"]["skipped_checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let resource = c["resource"].as_str().unwrap();
                (
                    c["check_id"].as_str().unwrap().to_string(),
                    resource.rsplit('.').next().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(declared_skips(&b), used, "{env}: declared skips vs skips checkov applied");
    }
}
