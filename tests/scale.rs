//! Automatic splitting at scale, through the real build pipeline (config, packaging, compile,
//! split, validate, emit): the platform plus the synthetic scale input.

use crate::{build_common, common};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cfnc::build::{self, Report, Request};
use cfnc::compile::split::{LIMITS, Lock};

/// A copy of what a build reads, without the repository's locks: they must not decide this
/// test's assignment.
fn temp_project() -> tempfile::TempDir {
    let dir = build_common::temp_project();
    for e in std::fs::read_dir(dir.path().join("stacks/config")).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".lock.json") {
            std::fs::remove_file(p).unwrap();
        }
    }
    dir
}

fn lock_file(project: &Path) -> PathBuf {
    project.join("stacks/config/dev.synthetic.lock.json")
}

/// Builds the platform plus `n` synthetic resources of `project` into `out_root/dev`.
fn build(project: &Path, out_root: &Path, n: usize) -> Report {
    let req = Request {
        project: project.to_path_buf(),
        env: "dev".into(),
        out_root: out_root.to_path_buf(),
        synthetic: Some(n),
    };
    assert_eq!(req.lock_file(), lock_file(project));
    build::build(&req, &payment_platform::platform, &mut |_| {}).unwrap_or_else(|e| panic!("{e:?}"))
}

/// Template files of a build (every `.json` but the manifest) by name.
fn templates(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("manifest.json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names.into_iter().filter(|n| a.get(*n) != b.get(*n)).cloned().collect()
}

#[test]
fn twelve_hundred_resources_split_into_lint_clean_stacks_and_stay_put() {
    let project = temp_project();
    let out = tempfile::tempdir().unwrap();

    // 1,200 synthetic resources: one stack would hold them; cfnc makes at least three.
    let first = build(project.path(), &out.path().join("a"), 1200);
    let parts = &first.split.split["synthetic"];
    assert!(parts.len() >= 3, "{parts:?}");
    assert_eq!(parts[0], "synthetic");
    assert!(first.split.moves.is_empty());
    assert!(first.findings.is_empty(), "{:?}", first.findings);
    let entries: Vec<_> = first.manifest.stacks.iter().filter(|s| s.name.starts_with("synthetic")).collect();
    assert_eq!(
        entries.iter().filter(|s| s.name != "synthetic-shared").map(|s| s.resources).sum::<usize>(),
        1200
    );
    for s in &first.manifest.stacks {
        assert!(s.resources <= LIMITS.resources, "{}: {} resources", s.name, s.resources);
        assert!(s.parameters <= LIMITS.parameters, "{}: {} parameters", s.name, s.parameters);
        assert!(s.outputs <= LIMITS.outputs, "{}: {} outputs", s.name, s.outputs);
        assert!((s.bytes as usize) <= LIMITS.bytes, "{}: {} bytes", s.name, s.bytes);
    }
    // Every part is a child of the root and wired through it.
    let root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.out_dir.join("root.json")).unwrap()).unwrap();
    for (i, _) in parts.iter().enumerate().skip(1) {
        let id = format!("SyntheticStack{}", i + 1);
        assert_eq!(root["Resources"][&id]["Type"], "AWS::CloudFormation::Stack", "{id}");
    }

    // cfn-lint (once, on every template of the set): no errors, no warnings.
    let files: Vec<PathBuf> = templates(&first.out_dir).keys().map(|n| first.out_dir.join(n)).collect();
    let lint = common::cfn_lint(&files);
    assert!(
        lint.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    // One resource more: exactly one nested template changes, plus the root.
    let lock_before = std::fs::read_to_string(lock_file(project.path())).unwrap();
    let second = build(project.path(), &out.path().join("b"), 1201);
    assert!(second.split.moves.is_empty());
    assert_eq!((second.split.added, second.split.removed), (1, 0));
    let changed = differing(&templates(&first.out_dir), &templates(&second.out_dir));
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(changed.contains(&"root.json".to_string()), "{changed:?}");
    assert!(changed.iter().any(|n| n.starts_with("synthetic")), "{changed:?}");
    let lock_after =
        Lock::parse(&std::fs::read_to_string(lock_file(project.path())).unwrap(), Path::new("x")).unwrap();
    assert_eq!(lock_after.len(), Lock::parse(&lock_before, Path::new("x")).unwrap().len() + 1);

    // And one less again: the same bytes as the first build, lock included.
    let third = build(project.path(), &out.path().join("c"), 1200);
    assert_eq!((third.split.added, third.split.removed), (0, 1));
    assert_eq!(differing(&templates(&first.out_dir), &templates(&third.out_dir)), Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(lock_file(project.path())).unwrap(), lock_before);
}

#[test]
fn the_cli_reports_the_split_the_lock_and_moves() {
    let project = temp_project();
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        Command::cargo_bin("cfnc")
            .unwrap()
            .env("NO_COLOR", "1")
            .arg("--project")
            .arg(project.path())
            .args(["build", "--synthetic", "600", "--out"])
            .arg(out.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let first = run(&[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", String::from_utf8_lossy(&first.stderr));
    assert!(stdout.contains("split      synthetic into 2 stacks: synthetic, synthetic-2"), "{stdout}");
    assert!(stdout.contains("dev.synthetic.lock.json created"), "{stdout}");

    // Hand-edit the lock: a resource in a part name cfnc cannot use moves back, with a warning.
    let path = lock_file(project.path());
    let mut lock = Lock::load(&path).unwrap().unwrap();
    let parts = lock.stacks.get_mut("synthetic").unwrap();
    parts.get_mut("synthetic").unwrap().remove("SyntheticLogGroup000000");
    parts.insert("synthetic-x".into(), ["SyntheticLogGroup000000".to_string()].into());
    lock.save(&path).unwrap();
    let second = run(&[]);
    let (stdout, stderr) = (String::from_utf8_lossy(&second.stdout), String::from_utf8_lossy(&second.stderr));
    assert!(second.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("warning: SyntheticLogGroup000000 (AWS::Logs::LogGroup) moves from nested stack synthetic-x to synthetic"),
        "{stderr}"
    );
    assert!(
        stdout.contains("moved      SyntheticLogGroup000000 (AWS::Logs::LogGroup): synthetic-x -> synthetic"),
        "{stdout}"
    );
    assert!(stdout.contains("updated (0 added, 0 removed, 1 moved)"), "{stdout}");

    // --json carries the same facts.
    let third = Command::cargo_bin("cfnc")
        .unwrap()
        .arg("--project")
        .arg(project.path())
        .args(["--json", "build", "--synthetic", "600", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(third.status.success());
    let json: serde_json::Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(json["split"]["split"]["synthetic"], serde_json::json!(["synthetic", "synthetic-2"]));
    assert_eq!(json["split"]["moves"], serde_json::json!([]));
    assert_eq!(json["split"]["lock_written"], false);
    assert_eq!(json["split"]["budget"]["resources"], 450);
}
