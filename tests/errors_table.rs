//! docs/errors.md, executed: every row of its table (bad input class -> what cfnc says -> exit
//! code) is a test case here that feeds the real input to the `cfnc` binary and checks the
//! exit code and the message. A row without a case, or a case without a row, fails
//! `the_table_and_the_cases_agree`, so the table cannot drift from the program.
//!
//! Messages in the table are matched with `…` standing for any text (paths, numbers), and
//! whitespace and the diagnostic renderer's box-drawing characters ignored (miette wraps long
//! lines). AWS faults run against a closed loopback port, a replay server (tests/replay/) or
//! moto (tests/moto/); nothing talks to real AWS.
//!
//! `CFNC_SHOW=1 cargo test --test integration errors_table:: -- --nocapture` prints what each case printed.

use crate::moto;
use crate::replay;
use crate::stack_server;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use moto::{Moto, fixture};
use replay::{Replay, Request, Response, cfn};

/// The repository root.
fn repo() -> &'static Path {
    crate::common::repo()
}

/// One row of the table.
#[derive(Debug)]
struct Row {
    id: String,
    message: String,
    exit: i32,
}

/// The rows of docs/errors.md: table lines whose first cell is an id in backticks.
fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(repo().join("docs/errors.md")).expect("docs/errors.md");
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 4, "a row has 4 cells (id, input, message, exit): {l}");
            Row {
                id: cells[0].trim_matches('`').to_string(),
                // `<` and `>` are written as entities (GitHub would take `<stdin>` for HTML).
                message: cells[2].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"),
                exit: cells[3].parse().unwrap_or_else(|_| panic!("exit code of {l}")),
            }
        })
        .collect()
}

/// Text without whitespace and without the renderer's decoration.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !"│×╰─▶├╭╮┬·┆╯┴┤▲".contains(*c)).collect()
}

/// True when the pieces of `pattern` between `…` occur in `output` in order.
fn matches(output: &str, pattern: &str) -> bool {
    let out = squeeze(output);
    let mut from = 0;
    for piece in pattern.split('…').map(squeeze).filter(|p| !p.is_empty()) {
        match out[from..].find(&piece) {
            Some(i) => from += i + piece.len(),
            None => return false,
        }
    }
    true
}

/// What a case printed and how it ended.
struct Run {
    code: Option<i32>,
    text: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            text: format!("{}{}", String::from_utf8_lossy(&o.stderr), String::from_utf8_lossy(&o.stdout)),
        }
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    moto::free_port()
}

/// `cfnc` with nothing from the developer's environment: fake credentials, region us-east-1,
/// no AWS config files, AWS at `endpoint` (default: a closed loopback port), not a terminal.
fn cfnc_at(endpoint: &str) -> Command {
    moto::cfnc_command(endpoint).into()
}

fn cfnc() -> Command {
    cfnc_at(&format!("http://127.0.0.1:{}", closed_port()))
}

fn run(cmd: &mut Command) -> Run {
    cmd.output().unwrap().into()
}

/// A project with the repository's dev config, `lambda/` and `canary/` (sources only).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("stacks/config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::copy(repo().join("stacks/config/dev.yaml"), cfg.join("dev.yaml")).unwrap();
    for src in ["lambda", "canary"] {
        copy_sources(&repo().join(src), &dir.path().join(src));
    }
    crate::common::use_platform_app(dir.path());
    dir
}

fn copy_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "__pycache__" || name == "tests" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_sources(&e.path(), &to.join(&*name));
        } else {
            std::fs::copy(e.path(), to.join(&*name)).unwrap();
        }
    }
}

/// A project whose app is a package of its own with one source file (no cfnc dependency, so
/// cargo compiles it in a moment), in a target directory shared by such cases.
fn tiny_app(source: &str, file: &str, kind: &str) -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    let app = p.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{}\nname = \"tiny\"\npath = \"{file}\"\n\n[workspace]\n",
            if kind == "bin" { "[[bin]]" } else { "[lib]" }
        ),
    )
    .unwrap();
    std::fs::write(app.join(file), source).unwrap();
    std::fs::write(p.path().join("cfnc.toml"), "[app]\npath = \"app\"\n").unwrap();
    p
}

fn build(project: &Path, extra: &[&str]) -> Run {
    run(cfnc().arg("--project").arg(project).args(["build", "-q"]).args(extra))
}

/// `cfnc build` with `text` as stacks/config/dev.yaml.
fn config(text: impl AsRef<[u8]>) -> Run {
    let p = project();
    std::fs::write(p.path().join("stacks/config/dev.yaml"), text).unwrap();
    build(p.path(), &[])
}

/// `cfnc build` (not quiet: warnings are printed) with `text` as stacks/config/dev.yaml.
fn config_warned(text: impl AsRef<[u8]>) -> Run {
    let p = project();
    std::fs::write(p.path().join("stacks/config/dev.yaml"), text).unwrap();
    run(cfnc().arg("--project").arg(p.path()).arg("build"))
}

/// A config with one threshold alarm, `field` lines replacing the defaults given here.
fn alarm(fields: &[(&str, &str)]) -> String {
    let mut entry = vec![
        ("name", "payment-errors"),
        ("metric", "PaymentErrors"),
        ("statistic", "Sum"),
        ("threshold", "5"),
        ("systemic", "true"),
    ];
    for (k, v) in fields {
        match entry.iter_mut().find(|(ek, _)| ek == k) {
            Some(e) => e.1 = v,
            None => entry.push((k, v)),
        }
    }
    let mut text = String::from("alarms:\n");
    for (i, (k, v)) in entry.iter().enumerate() {
        text.push_str(&format!("{}{k}: {v}\n", if i == 0 { "  - " } else { "    " }));
    }
    text
}

/// `cfnc validate` of one file with `content`, named `name`.
fn validate(name: &str, content: impl AsRef<[u8]>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    run(cfnc().arg("validate").arg(&path))
}

fn nested(depth: usize) -> String {
    format!("Resources: {}{}\n", "[".repeat(depth), "]".repeat(depth))
}

/// A nested alias bomb: 9 levels of 9 aliases each.
fn alias_bomb(head: &str, indent: &str) -> String {
    let mut text = format!("{head}{indent}- &a0 [l, l, l, l, l, l, l, l, l]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("{indent}- &a{i} [{refs}]\n"));
    }
    text
}

const ROOT_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnc-fixture-dev/1111";

fn stack_xml(name: &str, id: &str, status: &str, outputs: &str) -> String {
    format!(
        "<Stacks><member><StackName>{name}</StackName><StackId>{id}</StackId><StackStatus>{status}</StackStatus>\
         <CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>{outputs}</Outputs></member></Stacks>"
    )
}

/// A replay server with the bootstrap stack present (and `bootstrap` false: absent), the
/// fixture root stack in `root_status` (None: absent) and the staging bucket answering HEAD
/// with `bucket_status`.
fn aws_with(bootstrap: bool, root_status: Option<&'static str>, bucket_status: u16) -> Replay {
    Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if r.form.get("StackName").map(String::as_str) == Some("cfnc-bootstrap") => {
            if !bootstrap {
                return Response::error(
                    400,
                    "ValidationError",
                    "Stack with id cfnc-bootstrap does not exist",
                );
            }
            cfn(
                "DescribeStacks",
                &stack_xml(
                    "cfnc-bootstrap",
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnc-bootstrap/1",
                    "CREATE_COMPLETE",
                    "<member><OutputKey>StagingBucketName</OutputKey><OutputValue>cfnc-staging-123456789012-us-east-1</OutputValue></member>\
                     <member><OutputKey>BootstrapVersion</OutputKey><OutputValue>1</OutputValue></member>",
                ),
            )
        }
        "DescribeStacks" => match root_status {
            Some(s) => cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, s, "")),
            None => Response::error(400, "ValidationError", "Stack with id cfnc-fixture-dev does not exist"),
        },
        "S3 HEAD" => Response::status(bucket_status),
        other => Response::error(400, "Unexpected", other),
    })
}

/// `cfnc deploy --change-set` of the fixture build against `server`.
fn deploy_against(server: &Replay) -> Run {
    let p = tempfile::tempdir().unwrap();
    fixture::write_build(p.path(), 2000);
    run(cfnc_at(&server.endpoint()).arg("--project").arg(p.path()).args(["deploy", "--change-set"]))
}

/// `cfnc outputs --stack app` against a server that answers everything with `response`.
fn outputs_answered(response: fn() -> Response) -> Run {
    let server = Replay::start(move |_: &Request| response());
    let p = tempfile::tempdir().unwrap();
    run(cfnc_at(&server.endpoint()).arg("--project").arg(p.path()).args(["outputs", "--stack", "app"]))
}

/// The fixture build deployed to moto up to the review (not executed); returns the project.
fn reviewed_on_moto(m: &Moto) -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    fixture::write_build(p.path(), 2000);
    for args in [&["bootstrap"][..], &["deploy", "--change-set"]] {
        let r = run(cfnc_at(&m.endpoint()).arg("--project").arg(p.path()).args(args));
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.text);
    }
    p
}

/// The input of each row, run.
fn case(id: &str) -> Run {
    match id {
        // --- environment config (`cfnc build`) ---
        "config-missing" => {
            let p = project();
            run(cfnc().arg("--project").arg(p.path()).args(["--env", "staging", "build"]))
        }
        "config-syntax" => config("canary:\n  target_url: [unclosed\n"),
        "config-unknown-key" => config("canary:\n  target_ur: https://api.example.com/health\n"),
        "config-no-such-setting" => config("vpc_cidr: 10.1.0.0/16\n"),
        "config-wrong-type" => config("canary:\n  latency_budget_ms: fast\n"),
        "config-negative-integer" => config("canary:\n  latency_budget_ms: -5\n"),
        "config-out-of-range" => config("canary:\n  latency_budget_ms: 0\n"),
        "config-bad-email" => config("notifications:\n  standard: [ops@example.com, not-an-email]\n"),
        "config-duplicate-email" => config("notifications:\n  critical: [a@example.com, A@example.com]\n"),
        "config-empty-emails" => config("notifications:\n  standard: []\n"),
        "config-bad-url" => config("canary:\n  target_url: ftp://api.example.com/health\n"),
        "config-bad-region" => config("regions: [us-east-1, mars-1]\n"),
        "config-empty-regions" => config("regions: []\n"),
        "config-primary-not-listed" => {
            config("regions: [us-east-1, eu-west-1]\nprimary_region: ap-southeast-1\n")
        }
        "config-regions-two-partitions" => config("regions: [us-east-1, cn-north-1]\n"),
        "config-bad-timezone" => config("anomaly_detection:\n  metric_timezone: Mars/Olympus Mons\n"),
        "config-unknown-timezone" => config("anomaly_detection:\n  metric_timezone: Europe/Berlinn\n"),
        "config-unknown-region" => config("regions: [eu-north-9]\n"),
        "config-alarm-same-id" => config(format!(
            "{}  - name: api5xx\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 2\n",
            alarm(&[("name", "api-5xx")])
        )),
        "config-alarm-unknown-metric" => config_warned(alarm(&[("metric", "PaymentErrorz")])),
        "config-placeholder" => config_warned("notifications:\n  standard: [ops@corp.example]\n"),
        "config-window-order" => config(
            "anomaly_detection:\n  excluded_time_ranges:\n    - start: \"2026-11-30T02:00:00\"\n      end: \"2026-11-29T22:00:00\"\n",
        ),
        "config-window-timestamp" => config(
            "anomaly_detection:\n  excluded_time_ranges:\n    - start: \"2026-02-30T22:00:00\"\n      end: \"2026-03-01T02:00:00\"\n",
        ),
        "config-reserved-tag" => config("tags:\n  ManagedBy: me\n"),
        "config-bad-tag" => config("tags:\n  \"aws:owner\": me\n"),
        "config-env-mismatch" => config("environment: prod\n"),
        "config-alarm-name" => config(alarm(&[("name", "Payment_Errors")])),
        "config-alarm-missing-field" => {
            config("alarms:\n  - name: payment-errors\n    statistic: Sum\n    threshold: 5\n")
        }
        "config-alarm-statistic" => config(alarm(&[("statistic", "Summ")])),
        "config-alarm-negative-threshold" => config(alarm(&[("threshold", "-1")])),
        "config-alarm-unreachable-threshold" => config(alarm(&[("threshold", "1e200")])),
        "config-alarm-nan-threshold" => config(alarm(&[("threshold", ".nan")])),
        "config-alarm-period" => config(alarm(&[("period", "45")])),
        "config-alarm-evaluation-periods" => config(alarm(&[("evaluation_periods", "0")])),
        "config-alarm-window-too-long" => config(alarm(&[("period", "3600"), ("evaluation_periods", "25")])),
        "config-alarm-datapoints" => config(alarm(&[("datapoints_to_alarm", "3")])),
        "config-alarm-duplicate" => {
            let one = alarm(&[]);
            config(format!("{one}{}", one.trim_start_matches("alarms:\n")))
        }
        "config-alarm-empty" => config("alarms: []\n"),
        "config-alarm-no-systemic" => config(alarm(&[("systemic", "false")])),
        "config-duplicate-key" => config("tags:\n  Team: a\n  Team: b\n"),
        "config-unknown-tag" => config("canary:\n  target_url: !Ref TargetUrl\n"),
        "config-alias-bomb" => config(alias_bomb("regions:\n", "  ")),
        "config-too-deep" => config(format!("regions: {}{}\n", "[".repeat(10_000), "]".repeat(10_000))),
        "config-two-documents" => config("canary:\n  latency_budget_ms: 100\n---\ncanary: {}\n"),
        "config-not-utf8" => config(b"tags:\n  Team: caf\xe9\n".as_slice()),
        "config-too-large" => {
            let p = project();
            let f = std::fs::File::create(p.path().join("stacks/config/dev.yaml")).unwrap();
            f.set_len(100 * 1024 * 1024).unwrap();
            build(p.path(), &[])
        }

        // --- command line ---
        "cli-no-command" => run(&mut cfnc()),
        "cli-unknown-option" => run(cfnc().args(["build", "--frobnicate"])),
        "cli-bad-env" => run(cfnc().args(["--env", "../prod", "build"])),
        "cli-validate-no-files" => run(cfnc().arg("validate")),
        "cli-bad-endpoint" => {
            run(cfnc().args(["--endpoint-url", "localhost:5000", "outputs", "--stack", "app"]))
        }
        "cli-bad-value" => run(cfnc().args(["validate", "--format", "xml", "t.yaml"])),

        // --- templates (`cfnc validate`, `cfnc diff`) ---
        "template-missing" => run(cfnc().args(["validate", "no-such-template.yaml"])),
        "template-directory" => {
            let d = tempfile::tempdir().unwrap();
            run(cfnc().arg("validate").arg(d.path()))
        }
        "template-bad-json" => {
            validate("t.json", "{\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\"}}\n")
        }
        "template-bad-yaml" => {
            validate("t.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\n   Properties: {}\n")
        }
        "template-not-utf8" => validate("t.yaml", b"Resources:\n  A:\n    Type: caf\xe9\n".as_slice()),
        "template-empty" => validate("t.yaml", "# nothing here\n"),
        "template-too-large" => {
            let d = tempfile::tempdir().unwrap();
            let path = d.path().join("big.yaml");
            std::fs::File::create(&path).unwrap().set_len(100 * 1024 * 1024).unwrap();
            run(cfnc().arg("validate").arg(&path))
        }
        "template-stdin-too-large" => {
            let d = tempfile::tempdir().unwrap();
            let path = d.path().join("big.yaml");
            std::fs::File::create(&path).unwrap().set_len(100 * 1024 * 1024).unwrap();
            run(cfnc().args(["validate", "-"]).pipe_stdin(&path).unwrap())
        }
        "template-too-deep" => validate("t.yaml", nested(200)),
        "template-far-too-deep" => validate("t.yaml", nested(10_000)),
        "template-alias-bomb" => validate("t.yaml", alias_bomb("Resources: {}\nBomb:\n", "  ")),
        "template-alias-text-bomb" => validate(
            "t.yaml",
            format!(
                "Resources: {{}}\nLong: &s {}\nCopies:\n{}",
                "x".repeat(1_000_000),
                "  - *s\n".repeat(20)
            ),
        ),
        "template-too-many-aliases" => {
            validate("t.yaml", format!("Resources: {{}}\nA: &a x\nL:\n{}", "  - *a\n".repeat(10_001)))
        }
        "template-unknown-tag" => validate("t.yaml", "Resources:\n  A:\n    Type: !Foo AWS::SNS::Topic\n"),
        "template-bad-core-tag" => {
            validate("t.yaml", "Resources:\n  A:\n    Type: AWS::SNS::Topic\nN: !!int abc\n")
        }
        "template-duplicate-key" => validate(
            "t.yaml",
            "Resources:\n  A:\n    Type: AWS::SNS::Topic\n  A:\n    Type: AWS::SQS::Queue\n",
        ),
        "template-intrinsic-key" => validate("t.yaml", "Resources:\n  !Ref A: {}\n"),
        "template-two-documents" => validate("t.yaml", "Resources: {}\n---\nResources: {}\n"),
        "template-not-a-mapping" => validate("t.yaml", "- Resources\n"),
        "template-findings" => validate(
            "t.yaml",
            "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: [a, b]\n",
        ),
        "diff-bad-template" => {
            let d = tempfile::tempdir().unwrap();
            let (a, b) = (d.path().join("a.yaml"), d.path().join("b.yaml"));
            std::fs::write(&a, "Resources:\n  A: {Type: AWS::SNS::Topic}\n  A: {Type: AWS::SNS::Topic}\n")
                .unwrap();
            std::fs::write(&b, "Resources: {}\n").unwrap();
            run(cfnc().arg("diff").arg("--from").arg(&a).arg("--to").arg(&b))
        }

        // --- stack assignment lock (`stacks/config/<env>.lock.json`) ---
        "lock-syntax" => {
            let p = project();
            std::fs::write(
                p.path().join("stacks/config/dev.lock.json"),
                "{\"format\": 1,\n  \"stacks\": {\n",
            )
            .unwrap();
            build(p.path(), &[])
        }
        "lock-format" => {
            let p = project();
            std::fs::write(p.path().join("stacks/config/dev.lock.json"), "{\"format\": 7, \"stacks\": {}}\n")
                .unwrap();
            build(p.path(), &[])
        }
        "lock-too-large" => {
            let p = project();
            std::fs::File::create(p.path().join("stacks/config/dev.lock.json"))
                .unwrap()
                .set_len(100 * 1024 * 1024)
                .unwrap();
            build(p.path(), &[])
        }

        // --- the project and its app ---
        "project-not-found" => build(tempfile::tempdir().unwrap().path(), &[]),
        "project-file-invalid" => {
            let p = project();
            std::fs::write(p.path().join("cfnc.toml"), "[app]\npaht = \"stacks\"\n").unwrap();
            build(p.path(), &[])
        }
        "project-no-app" => {
            let p = project();
            std::fs::write(p.path().join("cfnc.toml"), "[app]\npath = \"nowhere\"\n").unwrap();
            build(p.path(), &[])
        }
        "project-app-no-binary" => {
            let p = tiny_app("pub fn nothing() {}\n", "lib.rs", "lib");
            build(p.path(), &[])
        }
        "project-app-compile-error" => {
            let p = tiny_app("fn main() { let x: u8 = \"not a number\"; }\n", "main.rs", "bin");
            build(p.path(), &[])
        }
        "project-init-exists" => {
            let p = project();
            run(cfnc().arg("init").arg(p.path()))
        }

        // --- build sources and output ---
        "build-missing-source-dir" => {
            let p = project();
            std::fs::remove_dir_all(p.path().join("lambda")).unwrap();
            build(p.path(), &[])
        }
        "build-missing-handler" => {
            let p = project();
            std::fs::remove_file(p.path().join("canary/payment_canary.py")).unwrap();
            build(p.path(), &[])
        }
        "build-symlink" => {
            let p = project();
            std::os::unix::fs::symlink("/etc/hostname", p.path().join("lambda/extra.txt")).unwrap();
            build(p.path(), &[])
        }
        "build-unwritable-output" => {
            let p = project();
            let file = p.path().join("not-a-dir");
            std::fs::write(&file, "").unwrap();
            build(p.path(), &["--out", file.join("out").to_str().unwrap()])
        }

        // --- build output read by deploy ---
        "deploy-no-build" => {
            let p = tempfile::tempdir().unwrap();
            run(cfnc().arg("--project").arg(p.path()).args(["deploy", "--change-set"]))
        }
        "deploy-stale-build" => {
            let p = tempfile::tempdir().unwrap();
            let dir = fixture::write_build(p.path(), 2000);
            std::fs::write(dir.join("monitoring.json"), "{}").unwrap();
            run(cfnc().arg("--project").arg(p.path()).args(["deploy", "--change-set"]))
        }
        "execute-no-review" => {
            let p = tempfile::tempdir().unwrap();
            fixture::write_build(p.path(), 2000);
            run(cfnc().arg("--project").arg(p.path()).arg("execute"))
        }
        "execute-bad-review" => {
            let p = tempfile::tempdir().unwrap();
            let dir = fixture::write_build(p.path(), 2000);
            std::fs::write(dir.join("changeset.json"), "{\"format\": 2}\n").unwrap();
            run(cfnc().arg("--project").arg(p.path()).arg("execute"))
        }
        "execute-old-review" => {
            let p = tempfile::tempdir().unwrap();
            let dir = fixture::write_build(p.path(), 2000);
            std::fs::write(dir.join("changeset.json"), "{\"format\": 1, \"change_set_arn\": \"x\"}\n")
                .unwrap();
            run(cfnc().arg("--project").arg(p.path()).arg("execute"))
        }
        "region-not-configured" => {
            let p = tempfile::tempdir().unwrap();
            let dir = fixture::write_build(p.path(), 2000);
            let path = dir.join("manifest.json");
            let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            m["regions"] = serde_json::json!(["us-east-1", "eu-west-1"]);
            m["primary_region"] = serde_json::json!("us-east-1");
            std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
            run(cfnc().args(["--region", "eu-north-1", "--project"]).arg(p.path()).arg("outputs"))
        }
        "outputs-bad-manifest" => {
            let p = tempfile::tempdir().unwrap();
            let dir = p.path().join("cfnc.out/dev");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("manifest.json"), "{\n").unwrap();
            run(cfnc().arg("--project").arg(p.path()).arg("outputs"))
        }
        "execute-not-reviewed" => {
            let m = Moto::shared();
            let p = reviewed_on_moto(&m);
            let other = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/other/x";
            run(cfnc_at(&m.endpoint()).arg("--project").arg(p.path()).args(["execute", other]))
        }
        "deploy-placeholders-need-confirmation" => {
            // The repository's dev config (example.com addresses): deploy builds, then refuses
            // before any AWS call (the endpoint is a closed port).
            let p = project();
            run(cfnc().arg("--project").arg(p.path()).args(["deploy", "--change-set"]))
        }
        "deploy-execute-needs-confirmation" => {
            let m = Moto::shared();
            let p = tempfile::tempdir().unwrap();
            fixture::write_build(p.path(), 2000);
            let b = run(cfnc_at(&m.endpoint()).arg("--project").arg(p.path()).arg("bootstrap"));
            assert_eq!(b.code, Some(0), "{}", b.text);
            run(cfnc_at(&m.endpoint()).arg("--project").arg(p.path()).args([
                "deploy",
                "--change-set",
                "--execute",
            ]))
        }
        "destroy-needs-confirmation" => {
            let template = serde_json::json!({"Resources": {"Logs": {
                "Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}}});
            let server = stack_server::serve(
                "cfnc-fixture-dev",
                vec![stack_server::Served {
                    name: "root".into(),
                    stack_id: stack_server::root_id("cfnc-fixture-dev"),
                    template,
                }],
            );
            let p = tempfile::tempdir().unwrap();
            run(cfnc_at(&server.endpoint()).arg("--project").arg(p.path()).args([
                "destroy",
                "--stack",
                "cfnc-fixture-dev",
            ]))
        }

        // --- AWS ---
        "aws-no-region" => {
            let p = tempfile::tempdir().unwrap();
            run(cfnc()
                .env_remove("AWS_REGION")
                .arg("--project")
                .arg(p.path())
                .args(["outputs", "--stack", "app"]))
        }
        "aws-bad-region" => {
            let p = tempfile::tempdir().unwrap();
            run(cfnc()
                .env("AWS_REGION", "us east 1")
                .arg("--project")
                .arg(p.path())
                .args(["outputs", "--stack", "app"]))
        }
        "aws-no-credentials" => {
            let p = tempfile::tempdir().unwrap();
            run(cfnc()
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
                .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
                .arg("--project")
                .arg(p.path())
                .args(["outputs", "--stack", "app"]))
        }
        "aws-unknown-profile" => {
            let p = tempfile::tempdir().unwrap();
            let conf = p.path().join("aws-config");
            std::fs::write(&conf, "[profile deploy]\nregion = us-east-1\n").unwrap();
            run(cfnc()
                .env("AWS_CONFIG_FILE", &conf)
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .args(["--profile", "no-such-profile", "--project"])
                .arg(p.path())
                .args(["outputs", "--stack", "app"]))
        }
        "aws-unreachable" => {
            let p = tempfile::tempdir().unwrap();
            let closed = format!("http://127.0.0.1:{}", closed_port());
            run(cfnc()
                .args(["--endpoint-url", &closed, "--project"])
                .arg(p.path())
                .args(["outputs", "--stack", "app"]))
        }
        "aws-expired-token" => outputs_answered(|| {
            Response::error(400, "ExpiredToken", "The security token included in the request is expired")
        }),
        "aws-access-denied" => outputs_answered(|| {
            Response::error(
                403,
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks",
            )
        }),
        "aws-throttled" => outputs_answered(|| Response::error(400, "Throttling", "Rate exceeded")),
        "aws-not-bootstrapped" => deploy_against(&aws_with(false, None, 200)),
        "aws-no-staging-bucket" => deploy_against(&aws_with(true, None, 404)),
        "stack-in-progress" => deploy_against(&aws_with(true, Some("UPDATE_IN_PROGRESS"), 200)),
        "stack-rollback-complete" => deploy_against(&aws_with(true, Some("ROLLBACK_COMPLETE"), 200)),
        "stack-rollback-failed" => deploy_against(&aws_with(true, Some("UPDATE_ROLLBACK_FAILED"), 200)),
        "outputs-no-stack" => {
            outputs_answered(|| Response::error(400, "ValidationError", "Stack with id app does not exist"))
        }
        other => panic!("docs/errors.md row `{other}` has no case in tests/errors_table.rs"),
    }
}

fn check(id: &str) {
    let r = case(id);
    if std::env::var_os("CFNC_SHOW").is_some() {
        println!("=== {id} (exit {:?})\n{}", r.code, r.text);
    }
    let rows = rows();
    let row = rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row `{id}` in docs/errors.md"));
    assert_eq!(r.code, Some(row.exit), "{id}: exit code\n{}", r.text);
    assert!(matches(&r.text, &row.message), "{id}: expected `{}` in\n{}", row.message, r.text);
    assert!(!r.text.contains("panicked"), "{id}: a panic\n{}", r.text);
}

macro_rules! cases {
    ($($test:ident => $id:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($id);
            }
        )*
        /// Every id that has a case.
        const IDS: &[&str] = &[$($id),*];
    };
}

cases! {
    config_missing => "config-missing",
    config_syntax => "config-syntax",
    config_unknown_key => "config-unknown-key",
    config_no_such_setting => "config-no-such-setting",
    config_wrong_type => "config-wrong-type",
    config_negative_integer => "config-negative-integer",
    config_out_of_range => "config-out-of-range",
    config_bad_email => "config-bad-email",
    config_duplicate_email => "config-duplicate-email",
    config_empty_emails => "config-empty-emails",
    config_bad_url => "config-bad-url",
    config_bad_region => "config-bad-region",
    config_empty_regions => "config-empty-regions",
    config_primary_not_listed => "config-primary-not-listed",
    config_regions_two_partitions => "config-regions-two-partitions",
    config_bad_timezone => "config-bad-timezone",
    config_unknown_timezone => "config-unknown-timezone",
    config_unknown_region => "config-unknown-region",
    config_alarm_same_id => "config-alarm-same-id",
    config_alarm_unknown_metric => "config-alarm-unknown-metric",
    config_placeholder => "config-placeholder",
    config_window_order => "config-window-order",
    config_window_timestamp => "config-window-timestamp",
    config_reserved_tag => "config-reserved-tag",
    config_bad_tag => "config-bad-tag",
    config_env_mismatch => "config-env-mismatch",
    config_alarm_name => "config-alarm-name",
    config_alarm_missing_field => "config-alarm-missing-field",
    config_alarm_statistic => "config-alarm-statistic",
    config_alarm_negative_threshold => "config-alarm-negative-threshold",
    config_alarm_unreachable_threshold => "config-alarm-unreachable-threshold",
    config_alarm_nan_threshold => "config-alarm-nan-threshold",
    config_alarm_period => "config-alarm-period",
    config_alarm_evaluation_periods => "config-alarm-evaluation-periods",
    config_alarm_window_too_long => "config-alarm-window-too-long",
    config_alarm_datapoints => "config-alarm-datapoints",
    config_alarm_duplicate => "config-alarm-duplicate",
    config_alarm_empty => "config-alarm-empty",
    config_alarm_no_systemic => "config-alarm-no-systemic",
    config_duplicate_key => "config-duplicate-key",
    config_unknown_tag => "config-unknown-tag",
    config_alias_bomb => "config-alias-bomb",
    config_too_deep => "config-too-deep",
    config_two_documents => "config-two-documents",
    config_not_utf8 => "config-not-utf8",
    config_too_large => "config-too-large",
    cli_no_command => "cli-no-command",
    cli_unknown_option => "cli-unknown-option",
    cli_bad_env => "cli-bad-env",
    deploy_placeholders_need_confirmation => "deploy-placeholders-need-confirmation",
    cli_validate_no_files => "cli-validate-no-files",
    cli_bad_endpoint => "cli-bad-endpoint",
    cli_bad_value => "cli-bad-value",
    template_missing => "template-missing",
    template_directory => "template-directory",
    template_bad_json => "template-bad-json",
    template_bad_yaml => "template-bad-yaml",
    template_not_utf8 => "template-not-utf8",
    template_empty => "template-empty",
    template_too_large => "template-too-large",
    template_stdin_too_large => "template-stdin-too-large",
    template_too_deep => "template-too-deep",
    template_far_too_deep => "template-far-too-deep",
    template_alias_bomb => "template-alias-bomb",
    template_alias_text_bomb => "template-alias-text-bomb",
    template_too_many_aliases => "template-too-many-aliases",
    template_unknown_tag => "template-unknown-tag",
    template_bad_core_tag => "template-bad-core-tag",
    template_duplicate_key => "template-duplicate-key",
    template_intrinsic_key => "template-intrinsic-key",
    template_two_documents => "template-two-documents",
    template_not_a_mapping => "template-not-a-mapping",
    template_findings => "template-findings",
    diff_bad_template => "diff-bad-template",
    lock_syntax => "lock-syntax",
    lock_format => "lock-format",
    lock_too_large => "lock-too-large",
    build_missing_source_dir => "build-missing-source-dir",
    build_missing_handler => "build-missing-handler",
    project_not_found => "project-not-found",
    project_file_invalid => "project-file-invalid",
    project_no_app => "project-no-app",
    project_app_no_binary => "project-app-no-binary",
    project_app_compile_error => "project-app-compile-error",
    project_init_exists => "project-init-exists",
    build_symlink => "build-symlink",
    build_unwritable_output => "build-unwritable-output",
    deploy_no_build => "deploy-no-build",
    deploy_stale_build => "deploy-stale-build",
    execute_no_review => "execute-no-review",
    execute_bad_review => "execute-bad-review",
    execute_old_review => "execute-old-review",
    region_not_configured => "region-not-configured",
    outputs_bad_manifest => "outputs-bad-manifest",
    execute_not_reviewed => "execute-not-reviewed",
    deploy_execute_needs_confirmation => "deploy-execute-needs-confirmation",
    destroy_needs_confirmation => "destroy-needs-confirmation",
    aws_no_region => "aws-no-region",
    aws_bad_region => "aws-bad-region",
    aws_no_credentials => "aws-no-credentials",
    aws_unknown_profile => "aws-unknown-profile",
    aws_unreachable => "aws-unreachable",
    aws_expired_token => "aws-expired-token",
    aws_access_denied => "aws-access-denied",
    aws_throttled => "aws-throttled",
    aws_not_bootstrapped => "aws-not-bootstrapped",
    aws_no_staging_bucket => "aws-no-staging-bucket",
    stack_in_progress => "stack-in-progress",
    stack_rollback_complete => "stack-rollback-complete",
    stack_rollback_failed => "stack-rollback-failed",
    outputs_no_stack => "outputs-no-stack",
}

#[test]
fn the_table_and_the_cases_agree() {
    let rows = rows();
    let mut ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate row ids in docs/errors.md");
    let mut cases: Vec<&str> = IDS.to_vec();
    cases.sort();
    let missing_cases: Vec<&&str> = ids.iter().filter(|i| !cases.contains(i)).collect();
    let missing_rows: Vec<&&str> = cases.iter().filter(|i| !ids.contains(i)).collect();
    assert!(missing_cases.is_empty(), "rows without a test case: {missing_cases:?}");
    assert!(missing_rows.is_empty(), "test cases without a row: {missing_rows:?}");
    for r in &rows {
        assert!(!r.message.is_empty() && [0, 1, 2, 3].contains(&r.exit), "{r:?}");
    }
}

#[test]
fn matching_ignores_wrapping_and_honours_wildcards() {
    let out = "  × /tmp/x/stacks/config/dev.yaml:2:3: canary: unknown field\n  │ `target_ur`, expected";
    assert!(matches(out, "…/dev.yaml:2:3: canary: unknown field `target_ur`"));
    assert!(!matches(out, "…/dev.yaml:2:4: canary"));
    assert!(!matches(out, "unknown field … dev.yaml"), "pieces must come in order");
}
