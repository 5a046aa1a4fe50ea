//! Reports of findings: human (colour on a terminal, `NO_COLOR` honoured), JSON, SARIF 2.1.0.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::rules::RULES;
use super::{Finding, Severity};

/// The output formats of `cfnc validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(files: usize, findings: &[Finding]) -> Self {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        }
    }
}

/// Whether to colour human output: only on a terminal and when `NO_COLOR` is unset or empty.
pub fn use_color(is_terminal: bool) -> bool {
    color_decision(is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// [`use_color`] with the environment passed in (<https://no-color.org>: any non-empty value
/// disables colour).
pub fn color_decision(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `file:line:col: error[CFN3002]: message (at /pointer)`, one per line, then a summary.
pub fn human(findings: &[Finding], files: usize, color: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let (sev_color, sev) = match f.severity {
            Severity::Error => ("1;31", "error"),
            Severity::Warning => ("1;33", "warning"),
            Severity::Info => ("1;34", "info"),
        };
        let pointer = if f.pointer.is_empty() {
            String::new()
        } else {
            format!(" {}", paint(color, "2", &format!("(at {})", f.pointer)))
        };
        let _ = writeln!(
            out,
            "{}: {}{}: {}{}",
            paint(color, "1", &f.location()),
            paint(color, sev_color, sev),
            paint(color, "2", &format!("[{}]", f.code)),
            f.message,
            pointer
        );
    }
    let s = Summary::of(files, findings);
    let line = format!(
        "{}, {}, {} in {}",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.info, "note"),
        plural(files, "file")
    );
    let summary_color = if s.errors > 0 {
        "1;31"
    } else if s.warnings > 0 {
        "1;33"
    } else {
        "1;32"
    };
    let _ = writeln!(out, "{}", paint(color, summary_color, &line));
    out
}

/// `{"findings": [...], "summary": {...}}`.
pub fn json(findings: &[Finding], files: usize) -> String {
    let v = json!({ "findings": findings, "summary": Summary::of(files, findings) });
    let mut s = serde_json::to_string_pretty(&v).expect("findings serialize");
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log with one run; every rule of the table is described.
pub fn sarif(findings: &[Finding]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.title.replace(|c: char| !c.is_ascii_alphanumeric(), ""),
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.help },
                "defaultConfiguration": { "level": level(r.severity) },
                "help": { "text": format!("{} (docs/rules.md)", r.help) },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut physical = json!({
                "artifactLocation": { "uri": f.file.as_deref().unwrap_or("template").replace('\\', "/") },
            });
            if let (Some(line), Some(column)) = (f.line, f.column) {
                physical["region"] = json!({ "startLine": line, "startColumn": column });
            }
            let mut location = json!({ "physicalLocation": physical });
            if !f.pointer.is_empty() {
                location["logicalLocations"] = json!([{ "fullyQualifiedName": f.pointer, "kind": "object" }]);
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": RULES.iter().position(|r| r.code == f.code),
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [location],
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cfnc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> Finding {
        Finding {
            code: "CFN3001",
            severity,
            message: "property `X` is not allowed".into(),
            pointer: "/Resources/B/Properties/X".into(),
            file: Some("t.yaml".into()),
            line: Some(5),
            column: Some(7),
        }
    }

    #[test]
    fn color_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(color_decision(true, None));
        assert!(color_decision(true, Some(OsStr::new(""))));
        assert!(!color_decision(true, Some(OsStr::new("1"))));
        assert!(!color_decision(false, None));
    }

    #[test]
    fn human_lines_and_colors() {
        let plain = human(&[finding(Severity::Error)], 1, false);
        assert_eq!(
            plain,
            "t.yaml:5:7: error[CFN3001]: property `X` is not allowed (at /Resources/B/Properties/X)\n\
             1 error, 0 warnings, 0 notes in 1 file\n"
        );
        let colored = human(&[finding(Severity::Warning)], 1, true);
        assert!(colored.contains("\x1b[1;33mwarning\x1b[0m"));
        assert!(!plain.contains('\x1b'));
    }

    #[test]
    fn sarif_levels_and_regions() {
        let log: Value = serde_json::from_str(&sarif(&[finding(Severity::Info)])).unwrap();
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["level"], "note");
        assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(log["runs"][0]["tool"]["driver"]["rules"][index]["id"], "CFN3001");
    }
}
