//! Helpers shared by the `diff_*` integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cfnc::change::{Action, ChangeRow, Flag, Replacement};
use cfnc::diff::{DiffReport, TemplateSet, diff_report};

pub fn fixture(rel: &str) -> PathBuf {
    crate::common::repo().join("tests/fixtures/diff").join(rel)
}

/// Diffs `tests/fixtures/diff/<case>/old.*` against `new.*`.
pub fn diff_case(case: &str) -> DiffReport {
    let find = |stem: &str| {
        ["yaml", "json"]
            .iter()
            .map(|ext| fixture(&format!("{case}/{stem}.{ext}")))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("no {stem} template in fixture {case}"))
    };
    diff_paths(&find("old"), &find("new"))
}

pub fn diff_paths(old: &Path, new: &Path) -> DiffReport {
    let old = TemplateSet::from_path(old).expect("old set");
    let new = TemplateSet::from_path(new).expect("new set");
    diff_report(&old, &new)
}

/// The row for `logical_id` (exactly one).
pub fn row<'a>(report: &'a DiffReport, logical_id: &str) -> &'a ChangeRow {
    let rows: Vec<&ChangeRow> = report.changes.iter().filter(|r| r.logical_id == logical_id).collect();
    assert_eq!(rows.len(), 1, "expected one row for {logical_id}, got {rows:#?}\nall: {:#?}", report.changes);
    rows[0]
}

pub fn no_row(report: &DiffReport, logical_id: &str) {
    assert!(
        report.changes.iter().all(|r| r.logical_id != logical_id),
        "expected no row for {logical_id}: {:#?}",
        report.changes
    );
}

/// Asserts a Modify row's replacement and changed properties.
pub fn modify(report: &DiffReport, logical_id: &str, replacement: Replacement, properties: &[&str]) {
    let r = row(report, logical_id);
    assert_eq!(r.action, Action::Modify, "{r:#?}");
    assert_eq!(r.replacement, Some(replacement), "{r:#?}");
    assert_eq!(r.properties, properties, "{r:#?}");
}

pub fn flags(report: &DiffReport, logical_id: &str) -> Vec<Flag> {
    row(report, logical_id).flags.clone()
}

pub fn has_note(report: &DiffReport, logical_id: &str, needle: &str) -> bool {
    report.notes.iter().any(|n| n.logical_id == logical_id && n.message.contains(needle))
}
