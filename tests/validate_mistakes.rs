//! Templates with one mistake per rule: `mistakes.yaml` has fifty, each giving exactly one
//! finding; `more-mistakes.yaml` covers the remaining rules. Every mistake is marked in the
//! fixture by a comment `# NN CODE` on the line the finding must point at, so the test checks
//! code, count and line; the JSON report of the fifty is an insta snapshot (columns included).

use std::collections::BTreeMap;

use cfnc::validate::{self, Finding, output};

/// `# NN CFNxxxx` markers: line -> (number, code).
fn markers(text: &str) -> BTreeMap<u32, (u32, String)> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, comment)) = line.split_once("# ") else { continue };
        let mut words = comment.split_whitespace();
        if let (Some(n), Some(code)) = (words.next(), words.next())
            && let Ok(n) = n.parse::<u32>()
            && code.starts_with("CFN")
        {
            out.insert(i as u32 + 1, (n, code.to_string()));
        }
    }
    out
}

fn check(path: &str, expected: usize) -> Vec<Finding> {
    // Read from the repository, named by the path relative to it (as `cfnc validate` run
    // there names it).
    let text = std::fs::read_to_string(crate::common::repo().join(path)).unwrap();
    let marks = markers(&text);
    assert_eq!(marks.len(), expected, "{path}: markers");
    let findings = validate::validate_loaded(&cfnc::reader::parse_str(&text, path).unwrap());
    let summary: Vec<String> = findings.iter().map(|f| format!("{} {}", f.location(), f.code)).collect();
    assert_eq!(findings.len(), expected, "{path}: {summary:#?}");
    let mut seen = std::collections::BTreeSet::new();
    for f in &findings {
        let line = f.line.unwrap_or_else(|| panic!("{path}: {} has no line", f.code));
        let Some((n, code)) = marks.get(&line) else {
            panic!("{path}: {} at line {line} ({}) has no marker", f.code, f.message);
        };
        assert_eq!(f.code, code, "{path}:{line}: mistake {n}");
        assert!(seen.insert(*n), "{path}: mistake {n} reported twice");
    }
    findings
}

#[test]
fn fifty_mistakes_give_fifty_findings_with_codes_and_positions() {
    let findings = check("tests/fixtures/validate/mistakes.yaml", 50);
    let codes: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes.len(), 50, "fifty distinct rules");
    insta::assert_snapshot!("mistakes_json", output::json(&findings, 1));
}

#[test]
fn the_remaining_rules_each_find_their_mistake() {
    let findings = check("tests/fixtures/validate/more-mistakes.yaml", 29);
    let codes: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.code).collect();
    // CFN2014 names both duplicates and CFN1008 has two: 27 rules, 29 findings. (nodejs12.x is
    // blocked since 2023, so its finding does not depend on the date.)
    assert_eq!(codes.len(), 27);
    let typo = findings.iter().find(|f| f.code == "CFN1018").unwrap();
    assert!(typo.message.contains("did you mean `AWS::SQS::Queue`?"), "{}", typo.message);
    // Together the two fixtures reach every rule except those that need a special template
    // (unreadable file, no resources, a Transform, huge templates, schemas without the keyword,
    // a nested template on disk: CFN5019, unit test in constraints.rs; composite alarms over 100
    // alarms, 10,240 characters or 150 composites: CFN5022-CFN5024, unit tests in
    // cloudwatch.rs and tests/alarms_scale.rs), and CFN5013, whose
    // runtimes all change state with the date (unit test in services.rs).
    let first = check("tests/fixtures/validate/mistakes.yaml", 50);
    let mut all: std::collections::BTreeSet<&str> = codes;
    all.extend(first.iter().map(|f| f.code));
    let untested: Vec<&str> = validate::RULES.iter().map(|r| r.code).filter(|c| !all.contains(c)).collect();
    assert_eq!(
        untested,
        [
            "CFN0001", "CFN1003", "CFN1016", "CFN3020", "CFN3021", "CFN4001", "CFN4002", "CFN4003",
            "CFN4004", "CFN4005", "CFN4007", "CFN5013", "CFN5019", "CFN5022", "CFN5023", "CFN5024"
        ]
    );
}
