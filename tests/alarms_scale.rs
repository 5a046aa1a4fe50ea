//! The platform at real size (issue 14): configs with 1 to 1,000 threshold alarms build,
//! lint clean and validate, with composite alarms CloudWatch accepts; the collector and the
//! canary publish exactly the metrics stacks/metrics.rs lists; a config change deploys on the
//! first try; and the whole flow runs on the emulator with 150 alarms.

use crate::{build_common, moto};

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use moto::{Moto, cfnc_at, ok, text};
use serde_json::Value as Json;

use cfnc::compile::split::LIMITS;
use cfnc::validate::Severity;
use cfnc::validate::cloudwatch::{MAX_RULE_ALARMS, MAX_RULE_LENGTH};

/// Metrics the platform publishes, with whether an alarm on them needs `Environment`.
const METRICS: [(&str, bool); 6] = [
    ("PaymentErrors", false),
    ("AuthenticationFailures", false),
    ("ProcessingLatency", false),
    ("TotalRequests", true),
    ("PaymentTransactionVolume", true),
    ("HealthCheckLatency", true),
];

/// The head of a config without placeholders (real-looking addresses and target).
const HEAD: &str = "notifications:\n  standard: [ops@payments.io]\n  critical: [oncall@payments.io]\ncanary:\n  target_url: https://status.payments.io/health\n";

/// One alarm entry; every 10th is systemic.
fn alarm(i: usize, name: &str) -> String {
    let (metric, env) = METRICS[i % METRICS.len()];
    format!(
        "  - name: {name}\n    metric: {metric}\n    statistic: Sum\n    threshold: {i}\n    systemic: {}\n{}",
        i.is_multiple_of(10),
        if env { "    dimensions:\n      Environment: dev\n" } else { "" }
    )
}

/// A dev config with `n` threshold alarms.
fn config_with(n: usize) -> String {
    let mut text = format!("{HEAD}alarms:\n");
    for i in 0..n {
        text.push_str(&alarm(i, &format!("check-{i:04}")));
    }
    text
}

/// Resources of `t` of `type_name`.
fn of_type<'a>(t: &'a Json, type_name: &str) -> Vec<(&'a String, &'a Json)> {
    build_common::of_type(t, type_name)
}

#[test]
fn one_to_a_thousand_alarms_build_lint_clean_and_validate() {
    let lint_root = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for n in [1, 99, 100, 101, 150, 1000] {
        // The repository's project, locks included: the path a team takes as its list grows.
        let project = build_common::temp_project();
        std::fs::write(project.path().join("stacks/config/dev.yaml"), config_with(n)).unwrap();
        let b = build_common::build_project(project.path(), "dev");
        let warnings: Vec<_> = b.report.findings.iter().filter(|f| f.severity != Severity::Info).collect();
        assert!(warnings.is_empty(), "{n} alarms: validator warnings {warnings:?}");
        assert!(b.report.config_warnings.is_empty(), "{n} alarms: {:?}", b.report.config_warnings);
        let mut alarms = 0;
        let mut top_composites = 0;
        for s in &b.report.manifest.stacks {
            assert!(s.resources <= LIMITS.resources && s.parameters <= LIMITS.parameters, "{n}: {s:?}");
            assert!(s.outputs <= LIMITS.outputs && s.bytes as usize <= LIMITS.bytes, "{n}: {s:?}");
            let t = b.template(&s.name);
            alarms += of_type(&t, "AWS::CloudWatch::Alarm")
                .iter()
                .filter(|(_, r)| r["Properties"]["AlarmName"].as_str().unwrap().starts_with("alarm-check-"))
                .count();
            for (id, c) in of_type(&t, "AWS::CloudWatch::CompositeAlarm") {
                let rule = c["Properties"]["AlarmRule"]["Fn::Sub"].as_str().unwrap();
                assert!(rule.matches("ALARM(").count() <= MAX_RULE_ALARMS, "{n}: {id}");
                // Names are at most 30 characters here: a rule of 100 stays far below the limit.
                assert!(rule.len() <= MAX_RULE_LENGTH, "{n}: {id}");
                if c["Properties"].get("AlarmActions").is_some() {
                    top_composites += 1;
                }
            }
            let dest = lint_root.path().join(format!("{n}-{}", s.file));
            std::fs::copy(b.out().join(&s.file), &dest).unwrap();
            files.push(dest);
        }
        assert_eq!(alarms, n, "every configured alarm is built once");
        assert_eq!(top_composites, 2, "{n}: only the two composites of PLATFORM.md notify");
        if n == 1000 {
            assert!(b.report.split.split.contains_key("monitoring"), "1,000 alarms need more than one stack");
            // The lock held the composites beside the topics: they move once, reported.
            for m in &b.report.split.moves {
                assert_eq!(m.type_name, "AWS::CloudWatch::CompositeAlarm", "{m:?}");
            }
        }
    }
    // One cfn-lint run over every template of every size (cfn-lint starts slowly).
    let out = Command::new(build_common::venv().join("bin/cfn-lint")).args(&files).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.trim().is_empty(), "cfn-lint exit {:?}:\n{text}", out.status.code());
}

#[test]
fn without_a_lock_a_thousand_alarms_split_without_moves() {
    let project = build_common::temp_project();
    for e in std::fs::read_dir(project.path().join("stacks/config")).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".lock.json") {
            std::fs::remove_file(p).unwrap();
        }
    }
    std::fs::write(project.path().join("stacks/config/dev.yaml"), config_with(1000)).unwrap();
    let b = build_common::build_project(project.path(), "dev");
    assert!(b.report.split.moves.is_empty(), "{:?}", b.report.split.moves);
    assert!(b.report.split.split["monitoring"].len() >= 3, "{:?}", b.report.split.split);
    // One more alarm (not systemic) after 10 full groups: the alarm and an 11th group are new,
    // nothing moves, and the templates that change are the root, the parts that hold the new
    // resources and the top composite's part.
    std::fs::write(
        project.path().join("stacks/config/dev.yaml"),
        format!("{}{}", config_with(1000), alarm(1001, "check-1001")),
    )
    .unwrap();
    let again = build_common::build_project(project.path(), "dev");
    assert!(again.report.split.moves.is_empty(), "{:?}", again.report.split.moves);
    assert_eq!(again.report.split.added, 2, "the alarm and the 11th group of critical-escalation");
    let changed: Vec<&String> = again
        .report
        .manifest
        .stacks
        .iter()
        .filter(|s| {
            b.report.manifest.stacks.iter().find(|o| o.name == s.name).is_none_or(|o| o.sha256 != s.sha256)
        })
        .map(|s| &s.name)
        .collect();
    assert!(changed.len() <= 4, "{changed:?}");
}

/// The names a Python module publishes, from the venv's interpreter.
fn python_list(dir: &str, script: &str) -> Vec<String> {
    let out = Command::new(build_common::venv().join("bin/python"))
        .args(["-c", script])
        .current_dir(build_common::repo().join(dir))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_collector_and_the_canary_publish_what_stacks_lists() {
    // Every metric the collector can publish: all three log groups read, latencies seen, and
    // the diagnostic count.
    let collector = python_list(
        "lambda",
        "import metric_collector as m\n\
         t = {k: m.Tally() for k in m.KINDS}\n\
         t[m.TRANSACTION].latencies.append(5.0)\n\
         print(' '.join(x.name for x in m.build_metrics(t)))",
    );
    let mut want: Vec<&str> = payment_platform::metrics::COLLECTOR_METRICS.to_vec();
    want.extend(payment_platform::metrics::COLLECTOR_DIAGNOSTIC_METRICS);
    assert_eq!(collector.iter().map(String::as_str).collect::<BTreeSet<_>>(), want.into_iter().collect());
    let canary = python_list(
        "canary",
        "import sys, types\n\
         for name in ('aws_synthetics', 'aws_synthetics.common', 'aws_synthetics.selenium'):\n    \
             sys.modules[name] = types.ModuleType(name)\n\
         common = sys.modules['aws_synthetics.common']\n\
         common.synthetics_configuration = common.synthetics_logger = types.ModuleType('stub')\n\
         sys.modules['aws_synthetics.selenium'].synthetics_webdriver = types.ModuleType('stub')\n\
         import payment_canary as c\n\
         cfg = c.CanaryConfig(target_url='https://x.io/health', latency_budget_ms=100, timeout_ms=1000, namespace='n', environment='dev')\n\
         doc = c.render_emf(cfg, c.ProbeResult(status=200, latency_ms=1.0), True, 0)\n\
         print(' '.join(m['Name'] for m in doc['_aws']['CloudWatchMetrics'][0]['Metrics']))",
    );
    assert_eq!(canary, payment_platform::metrics::CANARY_METRICS);
}

fn cfnc(m: &Moto, project: &Path, args: &[&str]) -> Output {
    cfnc_at(&m.endpoint(), project, args)
}

fn review(project: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(project.join("cfnc.out/dev/changeset.json")).unwrap()).unwrap()
}

/// `(action, logical id)` of the review's rows of the monitoring stack's parts.
fn monitoring_rows(r: &Json) -> BTreeSet<(String, String)> {
    r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["stack"].as_str().unwrap().starts_with("monitoring"))
        .map(|c| (c["action"].as_str().unwrap().to_string(), c["logical_id"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_config_change_deploys_on_the_first_try() {
    let m = Moto::shared_full();
    let tmp = build_common::temp_project();
    let project = tmp.path();
    ok(cfnc(&m, project, &["bootstrap"]));
    // The repository's dev config uses placeholders: --yes acknowledges them (CI).
    ok(cfnc(&m, project, &["deploy", "--change-set", "--execute", "--yes"]));

    // Add, rename and remove an alarm; then deploy once.
    let config = project.join("stacks/config/dev.yaml");
    let before = std::fs::read_to_string(&config).unwrap();
    let renamed = before.replace("name: auth-failures", "name: auth-failure-spike");
    let start = renamed.find("  - name: high-latency").unwrap();
    let end = renamed[start..].find("\ncanary:").map(|e| start + e).unwrap();
    let added = "  - name: refund-errors\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 2\n";
    let edited = format!("{}{added}{}", &renamed[..start], &renamed[end + 1..]);
    std::fs::write(&config, edited).unwrap();
    let o = cfnc(&m, project, &["deploy", "--change-set", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "the first try works: {}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("stale") && err.contains("building"), "it rebuilt first: {}", text(&o));
    let rows = monitoring_rows(&review(project));
    for row in [
        ("Add", "RefundErrorsAlarm"),
        ("Add", "AuthFailureSpikeAlarm"),
        ("Remove", "AuthFailuresAlarm"),
        ("Remove", "HighLatencyAlarm"),
        ("Modify", "CriticalEscalationCompositeAlarm"),
        ("Modify", "SystemicIssuesCompositeAlarm"),
    ] {
        assert!(rows.contains(&(row.0.to_string(), row.1.to_string())), "{row:?} in {rows:?}");
    }
    // The reviewed change set executes, and then there is nothing left to do.
    ok(cfnc(&m, project, &["execute"]));
    let o = ok(cfnc(&m, project, &["deploy", "--change-set", "--yes"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"), "{}", text(&o));
}

#[test]
fn the_whole_flow_runs_with_150_alarms() {
    let m = Moto::shared_full();
    let tmp = build_common::temp_project();
    let project = tmp.path();
    std::fs::write(project.join("stacks/config/dev.yaml"), config_with(150)).unwrap();
    ok(cfnc(&m, project, &["bootstrap"]));
    // No placeholder in this config: deploy asks nothing.
    let o = ok(cfnc(&m, project, &["deploy", "--change-set"]));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("placeholder"), "{}", text(&o));
    let r = review(project);
    for region in r["regions"].as_array().unwrap() {
        assert_eq!(region["change_set_type"], "CREATE", "{}", region["region"]);
    }
    let rows = monitoring_rows(&r);
    let alarms = rows.iter().filter(|(a, id)| a == "Add" && id.starts_with("Check")).count();
    assert_eq!(alarms, 150, "{rows:?}");
    // 2 groups under critical-escalation (150 > 100), the 2 tops (15 systemic alarms: no group).
    let composites = rows.iter().filter(|(_, id)| id.contains("Composite")).count();
    assert_eq!(composites, 4, "{rows:?}");
    ok(cfnc(&m, project, &["execute"]));
    let o = ok(cfnc(&m, project, &["outputs", "--json"]));
    let outputs: Json = serde_json::from_slice(&o.stdout).unwrap();
    let names = outputs.to_string();
    assert!(names.contains("alarm-check-0149-dev"), "{outputs:#}");
    // A second deploy of the same build: nothing to change.
    let o = ok(cfnc(&m, project, &["deploy", "--change-set"]));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no changes"), "{}", text(&o));
}

#[test]
fn a_foreign_composite_alarm_over_101_alarms_fails_validation_before_deploy() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from("Resources:\n");
    let mut rule = Vec::new();
    for i in 0..101 {
        yaml.push_str(&format!(
            "  A{i}:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmName: a-{i}\n      Namespace: N\n      MetricName: M\n      Statistic: Sum\n      Period: 60\n      EvaluationPeriods: 1\n      Threshold: 1\n      ComparisonOperator: GreaterThanThreshold\n"
        ));
        rule.push(format!("ALARM(\"${{A{i}}}\")"));
    }
    yaml.push_str(&format!(
        "  Top:\n    Type: AWS::CloudWatch::CompositeAlarm\n    Properties:\n      AlarmName: top\n      AlarmRule: !Sub '{}'\n",
        rule.join(" OR ")
    ));
    let path = dir.path().join("composite.yaml");
    std::fs::write(&path, &yaml).unwrap();
    let o = moto::cfnc_command("http://127.0.0.1:9").arg("validate").arg(&path).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let line = 1 + 101 * 11 + 5;
    assert!(
        out.contains(&format!("composite.yaml:{line}:7: error[CFN5022]: the rule names 101 alarms")),
        "{}",
        text(&o)
    );
}
