//! Helpers shared by integration tests: the Python tools of the test virtual environment.
#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the workspace; the tests are compiled as part of `cli/`).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("cli/ has a parent")
}

/// Makes `dir` a cfnc project whose app is the repository's payment platform
/// (`[app] path` = `<repo>/stacks`), so a temporary project with its own config and assets
/// builds with the real app, compiled once in the repository's target directory.
pub fn use_platform_app(dir: &Path) {
    let app = repo().join("stacks");
    std::fs::write(
        dir.join("cfnc.toml"),
        format!("[app]\npath = {}\n", serde_json::to_string(&app.display().to_string()).unwrap()),
    )
    .unwrap();
}

/// The test virtual environment: `$CFNC_TEST_VENV`, else `<repo>/.venv` (created by
/// `scripts/test` from `requirements-test.txt`).
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("CFNC_TEST_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => repo().join(".venv"),
    }
}

/// A program of the test virtual environment (`cfn-lint`, `python`, ...); panics with the
/// way to create the venv when it is missing.
pub fn venv_bin(name: &str) -> PathBuf {
    let path = venv_dir().join("bin").join(name);
    assert!(
        path.exists(),
        "{} not found: run ./scripts/test once (it creates .venv from requirements-test.txt) or set CFNC_TEST_VENV",
        path.display()
    );
    path
}

/// Runs the venv's cfn-lint on `paths` (templates) and returns its output.
pub fn cfn_lint<P: AsRef<Path>>(paths: &[P]) -> Output {
    let mut cmd = Command::new(venv_bin("cfn-lint"));
    for p in paths {
        cmd.arg(p.as_ref());
    }
    cmd.output().expect("cfn-lint runs")
}
