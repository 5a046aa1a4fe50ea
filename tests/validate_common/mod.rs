//! Shared helpers for the validator and reader integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The test virtualenv (`CFNC_TEST_VENV`, else `<repo>/.venv`), created by `scripts/test`.
pub fn venv() -> PathBuf {
    let dir = std::env::var_os("CFNC_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::common::repo().join(".venv"));
    assert!(
        dir.join("bin/python").exists(),
        "no Python venv at {} (run scripts/test, or set CFNC_TEST_VENV)",
        dir.display()
    );
    dir
}

pub fn repo() -> &'static Path {
    crate::common::repo()
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// Files with the given extensions under a fixture directory, sorted.
pub fn fixtures_in(rel: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(fixture(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json" | "template"))
        })
        .collect();
    out.sort();
    out
}

/// Template files (`.yaml`, `.yml`, `.json`, `.template`) under `dir` and its subdirectories,
/// sorted.
pub fn templates_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json" | "template")
            ) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
