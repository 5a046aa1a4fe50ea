//! A type outside the platform's services, typed: an app that uses `AWS::SQS::Queue` (a queue
//! whose dead-letter queue is wired by `Fn::GetAtt`), with only the cargo feature it needs
//! (`sqs`, no default features), builds with the `cfnc` binary and validates clean with cfnc
//! and cfn-lint.
//!
//! Like `project_cli`, the app depends on this workspace's library by path, uses this
//! workspace's Cargo.lock (cargo resolves offline) and compiles into the shared
//! `target/test-apps` directory (its own feature set compiles the library once there).

use std::path::Path;

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

const APP_MAIN: &str = r#"//! Two SQS queues: orders, and the dead-letter queue its failed messages move to.

use cfnc::build::{BuildError, Context};
use cfnc::compile::App;
use cfnc::config::{Checker, Settings};
use cfnc::resources::sqs::{Queue, QueueAttr};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Config {}

impl Settings for Config {
    const DEFAULT_TAGS: &'static [(&'static str, &'static str)] = &[("Project", "queues")];

    fn check(&self, _cx: &mut Checker<'_>) {}
}

fn build(cx: &mut Context<'_, Config>) -> Result<App, BuildError> {
    let env = cx.env().to_string();
    let mut app = App::new(format!("queues-{env}"), format!("queues ({env}): root stack (cfnc)"), cx.config.tags.clone());
    app.add_stack("queues", "QueuesStack", &format!("queues ({env}): orders and their dead letters (cfnc)"))?;
    let mut s = app.stack("queues")?;
    let dead_letters = s.add(
        "OrdersDeadLetterQueue",
        Queue::builder().message_retention_period(1_209_600).sqs_managed_sse_enabled(true).build(),
    )?;
    s.add(
        "OrdersQueue",
        Queue::builder()
            .visibility_timeout(60)
            .sqs_managed_sse_enabled(true)
            .redrive_policy(serde_json::json!({
                "deadLetterTargetArn": dead_letters.get_att::<String>(QueueAttr::Arn),
                "maxReceiveCount": 5,
            }))
            .build(),
    )?;
    Ok(app)
}

fn main() -> std::process::ExitCode {
    cfnc::app::main(build)
}
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_sqs_queue_with_a_dead_letter_queue_builds_and_validates_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("queues");
    write(&project.join("cfnc.toml"), "[app]\npath = \"stacks\"\n");
    write(
        &project.join("Cargo.toml"),
        "[workspace]\nmembers = [\"stacks\"]\nresolver = \"3\"\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
    );
    // Only the feature of the service the app uses: none of the platform's services.
    let cfnc_dep = format!(
        "cfnc = {{ path = {}, default-features = false, features = [\"sqs\"] }}",
        serde_json::to_string(&repo().display().to_string()).unwrap()
    );
    write(
        &project.join("stacks/Cargo.toml"),
        &format!(
            "[package]\nname = \"queues\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [[bin]]\nname = \"queues\"\npath = \"main.rs\"\n\n[dependencies]\n{cfnc_dep}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n"
        ),
    );
    write(&project.join("stacks/main.rs"), APP_MAIN);
    write(&project.join("stacks/config/dev.yaml"), "environment: dev\n");
    std::fs::copy(repo().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();

    cfnc()
        .arg("--project")
        .arg(&project)
        .arg("build")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("validated  0 errors, 0 warnings"));

    let out = project.join("cfnc.out/dev");
    let text = std::fs::read_to_string(out.join("queues.json")).unwrap();
    let template: serde_json::Value = serde_json::from_str(&text).unwrap();
    let orders = &template["Resources"]["OrdersQueue"];
    assert_eq!(orders["Type"], "AWS::SQS::Queue", "{text}");
    assert_eq!(
        orders["Properties"]["RedrivePolicy"]["deadLetterTargetArn"],
        serde_json::json!({"Fn::GetAtt": ["OrdersDeadLetterQueue", "Arn"]}),
        "{text}"
    );
    assert_eq!(template["Resources"]["OrdersDeadLetterQueue"]["Type"], "AWS::SQS::Queue");

    cfnc()
        .arg("validate")
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors, 0 warnings, 0 notes in 2 files"));
    let lint = crate::common::cfn_lint(&[out.join("root.json"), out.join("queues.json")]);
    assert!(
        lint.status.success(),
        "cfn-lint (0 errors, 0 warnings expected): {}",
        String::from_utf8_lossy(&lint.stdout)
    );
}
