//! Helpers shared by integration tests: the Python tools of the test virtual environment.
#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The test virtual environment: `$CFNC_TEST_VENV`, else `<repo>/.venv` (created by
/// `scripts/test` from `requirements-test.txt`).
pub fn venv_dir() -> PathBuf {
    match std::env::var_os("CFNC_TEST_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"),
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
