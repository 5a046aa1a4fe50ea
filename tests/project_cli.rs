//! cfnc as a tool for any project: `cfnc init` makes a project whose app builds and validates
//! clean, the same `cfnc` binary builds that second app (not the platform), and an edit of
//! the project's `stacks/` changes what `cfnc --project DIR build` writes.
//!
//! The new project depends on this workspace's library by path (`cfnc init --cfnc
//! path:<repo>`), uses this workspace's Cargo.lock (so cargo resolves offline, from the
//! registry cache the workspace build filled), and compiles into `target/test-apps` (shared by
//! runs, so the library is compiled for it once).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

use crate::common::repo;

/// `cfnc` compiling apps offline into the shared test-apps target directory.
fn cfnc() -> Command {
    let mut c = Command::cargo_bin("cfnc").unwrap();
    c.env("CARGO_TARGET_DIR", repo().join("target").join("test-apps"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CFNC_ENV")
        .env_remove("NO_COLOR");
    c
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `cfnc init DIR` with the library of this workspace, and the workspace's lock file.
fn init(dir: &Path) {
    cfnc()
        .arg("init")
        .arg(dir)
        .arg("--cfnc")
        .arg(format!("path:{}", repo().display()))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("created project").and(predicate::str::contains("cfnc build")));
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

#[test]
fn init_builds_a_second_app_that_validates_clean_and_follows_edits() {
    let tmp = tempfile::tempdir().unwrap();
    let project: PathBuf = tmp.path().join("demo");
    init(&project);
    for f in [
        "cfnc.toml",
        "Cargo.toml",
        ".gitignore",
        "stacks/Cargo.toml",
        "stacks/main.rs",
        "stacks/config/dev.yaml",
    ] {
        assert!(project.join(f).is_file(), "{f}");
    }
    // A second init into the same directory refuses and changes nothing.
    let before = read(&project.join("stacks/main.rs"));
    cfnc().arg("init").arg(&project).assert().code(2).stderr(predicate::str::contains("already exists"));
    assert_eq!(read(&project.join("stacks/main.rs")), before);

    // The same cfnc binary that builds the platform builds this app, found from a
    // subdirectory of the project (as cargo finds Cargo.toml).
    cfnc()
        .current_dir(project.join("stacks"))
        .arg("build")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("storage").and(predicate::str::contains("demo-dev")))
        .stderr(predicate::str::contains("validated  0 errors, 0 warnings"));
    let out = project.join("cfnc.out/dev");
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["root_stack"], "demo-dev");
    let names: Vec<&str> =
        manifest["stacks"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["root", "storage"], "the app's stacks, none of the platform's");
    let storage = read(&out.join("storage.json"));
    assert!(storage.contains("AWS::S3::Bucket") && storage.contains("AWS::KMS::Key"), "{storage}");
    assert!(!storage.contains("payment"), "nothing of the platform: {storage}");

    // The written set validates clean with cfnc and lints clean with cfn-lint.
    cfnc()
        .arg("validate")
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors, 0 warnings, 0 notes in 2 files"));
    let lint = crate::common::cfn_lint(&[out.join("root.json"), out.join("storage.json")]);
    assert!(lint.status.success(), "cfn-lint: {}", String::from_utf8_lossy(&lint.stdout));

    // Editing the project's stacks/ changes what `cfnc --project DIR build` writes.
    let main = project.join("stacks/main.rs");
    std::fs::write(
        &main,
        read(&main).replace("encrypted storage (cfnc)", "encrypted storage, edited (cfnc)"),
    )
    .unwrap();
    cfnc().arg("--project").arg(&project).args(["build", "-q"]).assert().code(0);
    let edited = read(&out.join("storage.json"));
    assert!(edited.contains("encrypted storage, edited (cfnc)"), "{edited}");
    assert_ne!(edited, storage);

    // The config is the app's: its own checks run, with file:line:column.
    std::fs::write(project.join("stacks/config/dev.yaml"), "noncurrent_version_days: 0\n").unwrap();
    cfnc().arg("--project").arg(&project).args(["build", "-q"]).assert().code(2).stderr(
        predicate::str::contains("dev.yaml:1:26: keep old versions")
            .and(predicate::str::contains("3650 days")),
    );
    // A compile error in the app is the app's: cargo's message, then cfnc's.
    std::fs::write(&main, read(&main).replace("fn main()", "fn main() { let x: u8 = \"no\"; }\nfn _old()"))
        .unwrap();
    cfnc().arg("--project").arg(&project).args(["build", "-q"]).assert().code(2).stderr(
        predicate::str::contains("mismatched types").and(predicate::str::contains("compiling the app")),
    );
}

#[test]
fn a_directory_without_a_project_says_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    cfnc().arg("--project").arg(tmp.path()).arg("build").assert().code(2).stderr(
        predicate::str::contains("no cfnc.toml there").and(predicate::str::contains("cfnc init DIR")),
    );
    std::fs::write(tmp.path().join("cfnc.toml"), "[app]\npath = \"stacks\"\n").unwrap();
    cfnc()
        .arg("--project")
        .arg(tmp.path())
        .arg("build")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no Cargo.toml"));
}
