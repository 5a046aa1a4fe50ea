//! Failure paths against recorded AWS responses (tests/replay/): a nested CREATE_FAILED is
//! named as the root cause, throttling is retried, AccessDenied / expired token / missing
//! credentials / missing staging bucket give clear errors, stacks in the wrong state are
//! refused with what to do.

use crate::moto;
use crate::replay;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use moto::{CLEARED, aws_env, cfnc_at, fixture, text};
use replay::{Replay, Request, Response, cfn};

const ROOT_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnc-fixture-dev/1111";
const NESTED_ID: &str =
    "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnc-fixture-dev-Monitoring-X/2222";
const CS_ARN: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/cfnc-abc/3333";

fn cfnc(endpoint: &str, project: &Path, args: &[&str]) -> Output {
    cfnc_at(endpoint, project, args)
}

fn stack_xml(name: &str, id: &str, status: &str, outputs: &str) -> String {
    format!(
        "<Stacks><member><StackName>{name}</StackName><StackId>{id}</StackId><StackStatus>{status}</StackStatus>\
         <CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>{outputs}</Outputs></member></Stacks>"
    )
}

#[allow(clippy::too_many_arguments)]
fn event(
    stack_id: &str,
    n: u32,
    logical: &str,
    physical: &str,
    ty: &str,
    status: &str,
    reason: &str,
    secs: u32,
) -> String {
    format!(
        "<member><StackId>{stack_id}</StackId><EventId>ev-{n}</EventId><StackName>s</StackName>\
         <LogicalResourceId>{logical}</LogicalResourceId><PhysicalResourceId>{physical}</PhysicalResourceId>\
         <ResourceType>{ty}</ResourceType><Timestamp>2026-01-01T00:00:{secs:02}Z</Timestamp>\
         <ResourceStatus>{status}</ResourceStatus><ResourceStatusReason>{reason}</ResourceStatusReason></member>"
    )
}

/// DescribeChangeSet of an executable, empty change set of the fixture root stack, whose
/// description carries the manifest hash `hash` x 64.
fn available_change_set(hash: char) -> Response {
    cfn(
        "DescribeChangeSet",
        &format!(
            "<ChangeSetName>cfnc-abc</ChangeSetName><ChangeSetId>{CS_ARN}</ChangeSetId><StackId>{ROOT_ID}</StackId>\
             <StackName>cfnc-fixture-dev</StackName><Description>cfnc manifest sha256:{}</Description>\
             <ExecutionStatus>AVAILABLE</ExecutionStatus><Status>CREATE_COMPLETE</Status><Changes/>",
            hash.to_string().repeat(64)
        ),
    )
}

fn bootstrap_outputs() -> String {
    "<member><OutputKey>StagingBucketName</OutputKey><OutputValue>cfnc-staging-123456789012-us-east-1</OutputValue></member>\
     <member><OutputKey>BootstrapVersion</OutputKey><OutputValue>1</OutputValue></member>"
        .to_string()
}

/// ListStackResources of the fixture root: its one nested stack, `Monitoring`, in `status`.
fn nested_stack_listing(status: &str) -> Response {
    cfn(
        "ListStackResources",
        &format!(
            "<StackResourceSummaries><member><LogicalResourceId>Monitoring</LogicalResourceId>\
             <PhysicalResourceId>{NESTED_ID}</PhysicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType>\
             <LastUpdatedTimestamp>2026-01-01T00:00:07Z</LastUpdatedTimestamp><ResourceStatus>{status}</ResourceStatus>\
             </member></StackResourceSummaries>"
        ),
    )
}

/// An event of the fixture root stack itself.
fn root_event(n: u32, status: &str, reason: &str, secs: u32) -> String {
    event(ROOT_ID, n, "cfnc-fixture-dev", ROOT_ID, "AWS::CloudFormation::Stack", status, reason, secs)
}

/// A region without DescribeEvents: cfnc falls back to stack events.
fn no_describe_events() -> Response {
    Response::error(400, "InvalidAction", "The action DescribeEvents is not valid for this endpoint.")
}

/// A diagnostic as one line: miette wraps long messages over lines that start with `│`.
fn flat(text: &str) -> String {
    text.lines().map(|l| l.trim().trim_start_matches('│').trim()).collect::<Vec<_>>().join(" ")
}

/// A review (changeset.json, format 2) of the one-region change set [`CS_ARN`] of the fixture
/// root stack, made from the build whose manifest hash is `hash` x 64.
fn review_of(hash: char, change_set_type: &str) -> serde_json::Value {
    let summary =
        serde_json::json!({"add": 0, "modify": 0, "remove": 0, "replace": 0, "flagged": 0, "predicted": 0});
    serde_json::json!({
        "format": 2, "env": "dev", "manifest_sha256": hash.to_string().repeat(64), "change_set_name": "cfnc-abc",
        "primary_region": null, "status": "CREATE_COMPLETE", "summary": summary,
        "regions": [{
            "region": "us-east-1", "stack": "cfnc-fixture-dev", "stack_id": ROOT_ID, "change_set_arn": CS_ARN,
            "change_set_type": change_set_type, "deployment_mode": null, "status": "CREATE_COMPLETE",
            "nested_change_sets": [], "summary": summary
        }],
        "changes": []
    })
}

#[test]
fn nested_create_failed_names_the_root_cause() {
    let executed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ex = executed.clone();
    let server = Replay::start(move |r: &Request| {
        let after = ex.load(std::sync::atomic::Ordering::SeqCst);
        match r.action.as_str() {
            "DescribeChangeSet" => available_change_set('a'),
            "DescribeStacks" => {
                let status = if after { "ROLLBACK_COMPLETE" } else { "REVIEW_IN_PROGRESS" };
                cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, status, ""))
            }
            "ExecuteChangeSet" => {
                ex.store(true, std::sync::atomic::Ordering::SeqCst);
                cfn("ExecuteChangeSet", "")
            }
            "DescribeStackEvents" if r.form.get("StackName").map(String::as_str) == Some(NESTED_ID) => {
                // Newest first, as CloudFormation returns them.
                let evs = [
                    event(
                        NESTED_ID,
                        24,
                        "cfnc-fixture-dev-Monitoring-X",
                        NESTED_ID,
                        "AWS::CloudFormation::Stack",
                        "ROLLBACK_COMPLETE",
                        "",
                        9,
                    ),
                    event(
                        NESTED_ID,
                        23,
                        "AlertsTopic",
                        "",
                        "AWS::SNS::Topic",
                        "CREATE_FAILED",
                        "Resource creation cancelled",
                        6,
                    ),
                    event(
                        NESTED_ID,
                        22,
                        "HighLatencyAlarm",
                        "",
                        "AWS::CloudWatch::Alarm",
                        "CREATE_FAILED",
                        "Invalid metric namespace fintech//payments",
                        5,
                    ),
                    event(
                        NESTED_ID,
                        21,
                        "cfnc-fixture-dev-Monitoring-X",
                        NESTED_ID,
                        "AWS::CloudFormation::Stack",
                        "CREATE_IN_PROGRESS",
                        "",
                        3,
                    ),
                ];
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            "DescribeStackEvents" => {
                let mut evs = vec![root_event(1, "REVIEW_IN_PROGRESS", "User Initiated", 0)];
                if after {
                    evs = vec![
                        root_event(15, "ROLLBACK_COMPLETE", "", 10),
                        event(ROOT_ID, 14, "Monitoring", NESTED_ID, "AWS::CloudFormation::Stack", "CREATE_FAILED",
                              "Embedded stack was not successfully created: The following resource(s) failed to create: [HighLatencyAlarm].", 7),
                        event(ROOT_ID, 12, "Monitoring", NESTED_ID, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "", 2),
                        root_event(11, "CREATE_IN_PROGRESS", "User Initiated", 1),
                    ]
                    .into_iter()
                    .chain(evs)
                    .collect();
                }
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            "ListStackResources" => nested_stack_listing("CREATE_FAILED"),
            // DescribeEvents is not available in this recorded region: cfnc falls back to stack events.
            "DescribeEvents" => no_describe_events(),
            other => Response::error(400, "Unexpected", other),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let review = review_of('a', "CREATE");
    let path = tmp.path().join("changeset.json");
    std::fs::write(&path, review.to_string()).unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["execute", "--review", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ROLLBACK_COMPLETE"), "{}", text(&o));
    let first = err.lines().skip_while(|l| !l.contains("first failure")).collect::<Vec<_>>().join(" ");
    assert!(first.contains("HighLatencyAlarm") && first.contains("Invalid metric namespace"), "{}", text(&o));
    assert!(first.contains("Monitoring"), "names the nested stack: {}", text(&o));
    assert!(err.contains("console.aws.amazon.com"), "{}", text(&o));
    if std::env::var_os("CFNC_SHOW").is_some() {
        eprintln!("{}", text(&o));
    }
}

fn outputs_ok() -> Response {
    cfn(
        "DescribeStacks",
        &stack_xml(
            "app",
            ROOT_ID,
            "UPDATE_COMPLETE",
            "<member><OutputKey>Url</OutputKey><OutputValue>https://x</OutputValue></member>",
        ),
    )
}

#[test]
fn throttling_is_retried_by_the_sdk() {
    let server = Replay::start(|r: &Request| match (r.action.as_str(), r.nth) {
        ("DescribeStacks", 0 | 1) => Response::error(400, "Throttling", "Rate exceeded"),
        ("DescribeStacks", _) => outputs_ok(),
        (other, _) => Response::error(400, "Unexpected", other),
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["outputs", "--stack", "app"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("https://x"), "{}", text(&o));
    assert_eq!(server.calls("DescribeStacks"), 3);
}

#[test]
fn throttling_that_persists_says_it_was_retried() {
    let server = Replay::start(|_: &Request| Response::error(400, "Throttling", "Rate exceeded"));
    let tmp = tempfile::tempdir().unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["outputs", "--stack", "app"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("throttled") && err.contains("3 attempts") && err.contains("retried"),
        "{}",
        text(&o)
    );
    assert_eq!(server.calls("DescribeStacks"), 3);
}

#[test]
fn access_denied_is_explained() {
    let server = Replay::start(|_: &Request| {
        Response::error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks",
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["outputs", "--stack", "app"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("access denied") && err.contains("CloudFormation DescribeStacks"), "{}", text(&o));
    assert!(err.contains("sts get-caller-identity"), "{}", text(&o));
    assert_eq!(server.calls("DescribeStacks"), 1, "no retries for AccessDenied");
}

#[test]
fn expired_token_is_explained() {
    let server = Replay::start(|_: &Request| {
        Response::error(400, "ExpiredToken", "The security token included in the request is expired")
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["outputs", "--stack", "app"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("expired") && err.contains("aws sso login"), "{}", text(&o));
}

#[test]
fn missing_credentials_are_explained_before_any_request() {
    let server = Replay::start(|_: &Request| outputs_ok());
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("cfnc").unwrap();
    for k in CLEARED.iter().chain(&[
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
        cmd.env_remove(k);
    }
    for (k, v) in aws_env(&server.endpoint()) {
        if !k.starts_with("AWS_ACCESS") && !k.starts_with("AWS_SECRET") {
            cmd.env(k, v);
        }
    }
    let o = cmd.arg("--project").arg(tmp.path()).args(["outputs", "--stack", "app"]).output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no AWS credentials"), "{}", text(&o));
    assert!(err.contains("--profile"), "{}", text(&o));
    assert_eq!(server.calls("DescribeStacks"), 0);
}

/// Bootstrap stack present; the root stack's status is `root_status` (None: no such stack);
/// the staging bucket answers HEAD with `bucket_status`.
fn deploy_server(root_status: Option<&'static str>, bucket_status: u16) -> Replay {
    Replay::start(move |r: &Request| match r.action.as_str() {
        "DescribeStacks" if r.form.get("StackName").map(String::as_str) == Some("cfnc-bootstrap") => cfn(
            "DescribeStacks",
            &stack_xml(
                "cfnc-bootstrap",
                "arn:aws:cloudformation:us-east-1:123456789012:stack/cfnc-bootstrap/1",
                "CREATE_COMPLETE",
                &bootstrap_outputs(),
            ),
        ),
        "DescribeStacks" => match root_status {
            Some(s) => cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, s, "")),
            None => Response::error(400, "ValidationError", "Stack with id cfnc-fixture-dev does not exist"),
        },
        "S3 HEAD" => Response::status(bucket_status),
        other => Response::error(400, "Unexpected", other),
    })
}

#[test]
fn missing_staging_bucket_says_run_bootstrap() {
    let server = deploy_server(None, 404);
    let tmp = tempfile::tempdir().unwrap();
    fixture::write_build(tmp.path(), 2000);
    let o = cfnc(&server.endpoint(), tmp.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cfnc-staging-123456789012-us-east-1") && err.contains("does not exist"),
        "{}",
        text(&o)
    );
    assert!(err.contains("cfnc bootstrap"), "{}", text(&o));
}

#[test]
fn stack_in_progress_is_refused_with_what_to_do() {
    let server = deploy_server(Some("UPDATE_IN_PROGRESS"), 200);
    let tmp = tempfile::tempdir().unwrap();
    fixture::write_build(tmp.path(), 2000);
    let o = cfnc(&server.endpoint(), tmp.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("UPDATE_IN_PROGRESS") && err.contains("wait until it finishes"), "{}", text(&o));
    assert_eq!(server.calls("S3 PUT"), 0, "nothing uploaded");
}

#[test]
fn rollback_complete_is_explained_and_needs_a_flag() {
    let server = deploy_server(Some("ROLLBACK_COMPLETE"), 200);
    let tmp = tempfile::tempdir().unwrap();
    fixture::write_build(tmp.path(), 2000);
    let o = cfnc(&server.endpoint(), tmp.path(), &["deploy", "--change-set"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ROLLBACK_COMPLETE") && err.contains("--replace-failed"), "{}", text(&o));
    assert_eq!(server.calls("DeleteStack"), 0, "never deleted without the flag");
}

#[test]
fn ctrl_c_says_what_is_still_running() {
    use std::io::{BufRead, BufReader};
    let executed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ex = executed.clone();
    let server = Replay::start(move |r: &Request| {
        let after = ex.load(std::sync::atomic::Ordering::SeqCst);
        match r.action.as_str() {
            "DescribeChangeSet" => available_change_set('b'),
            "DescribeStacks" => {
                let status = if after { "UPDATE_IN_PROGRESS" } else { "UPDATE_COMPLETE" };
                cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, status, ""))
            }
            "ExecuteChangeSet" => {
                ex.store(true, std::sync::atomic::Ordering::SeqCst);
                cfn("ExecuteChangeSet", "")
            }
            "DescribeStackEvents" => {
                let mut evs = vec![root_event(1, "UPDATE_COMPLETE", "", 0)];
                if after {
                    evs.insert(0, root_event(2, "UPDATE_IN_PROGRESS", "User Initiated", 1));
                }
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            other => Response::error(400, "Unexpected", other),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let review = review_of('b', "UPDATE");
    let path = tmp.path().join("changeset.json");
    std::fs::write(&path, review.to_string()).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfnc"));
    for k in CLEARED {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .envs(aws_env(&server.endpoint()))
        .args(["execute", "--review", path.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if line.contains("UPDATE_IN_PROGRESS") {
            break; // the operation runs in "AWS": interrupt now
        }
    }
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    seen.push_str(&rest);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("interrupted") && seen.contains("UPDATE_IN_PROGRESS"), "{seen}");
    assert!(seen.contains("describe-stack-events") && seen.contains("console.aws.amazon.com"), "{seen}");
}

/// An emulator (or a partial outage) may report the root stack complete while a nested stack
/// failed: the outcome is judged from every stack, so this is a failed deployment (exit 1) that
/// names the nested stack and the resource that failed in it.
#[test]
fn a_failed_nested_stack_fails_the_deployment_when_the_root_says_complete() {
    let executed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ex = executed.clone();
    let server = Replay::start(move |r: &Request| {
        let after = ex.load(std::sync::atomic::Ordering::SeqCst);
        let stack = r.form.get("StackName").map(String::as_str);
        match r.action.as_str() {
            "DescribeChangeSet" => available_change_set('c'),
            "DescribeStacks" if stack == Some(NESTED_ID) => cfn(
                "DescribeStacks",
                &stack_xml("cfnc-fixture-dev-Monitoring-X", NESTED_ID, "UPDATE_ROLLBACK_COMPLETE", ""),
            ),
            "DescribeStacks" => {
                let status = if after { "UPDATE_COMPLETE" } else { "CREATE_COMPLETE" };
                cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, status, ""))
            }
            "ExecuteChangeSet" => {
                ex.store(true, std::sync::atomic::Ordering::SeqCst);
                cfn("ExecuteChangeSet", "")
            }
            "DescribeStackEvents" if stack == Some(NESTED_ID) => {
                let evs = [
                    event(
                        NESTED_ID,
                        34,
                        "cfnc-fixture-dev-Monitoring-X",
                        NESTED_ID,
                        "AWS::CloudFormation::Stack",
                        "UPDATE_ROLLBACK_COMPLETE",
                        "",
                        9,
                    ),
                    event(
                        NESTED_ID,
                        33,
                        "HighLatencyAlarm",
                        "alarm-high-latency-dev",
                        "AWS::CloudWatch::Alarm",
                        "UPDATE_FAILED",
                        "Threshold must be a number",
                        5,
                    ),
                    event(
                        NESTED_ID,
                        32,
                        "cfnc-fixture-dev-Monitoring-X",
                        NESTED_ID,
                        "AWS::CloudFormation::Stack",
                        "UPDATE_IN_PROGRESS",
                        "",
                        3,
                    ),
                ];
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            "DescribeStackEvents" => {
                let mut evs = vec![root_event(1, "CREATE_COMPLETE", "", 0)];
                if after {
                    evs = vec![
                        root_event(15, "UPDATE_COMPLETE", "", 10),
                        event(
                            ROOT_ID,
                            14,
                            "Monitoring",
                            NESTED_ID,
                            "AWS::CloudFormation::Stack",
                            "UPDATE_COMPLETE",
                            "",
                            9,
                        ),
                        event(
                            ROOT_ID,
                            12,
                            "Monitoring",
                            NESTED_ID,
                            "AWS::CloudFormation::Stack",
                            "UPDATE_IN_PROGRESS",
                            "",
                            2,
                        ),
                        root_event(11, "UPDATE_IN_PROGRESS", "User Initiated", 1),
                    ]
                    .into_iter()
                    .chain(evs)
                    .collect();
                }
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            "ListStackResources" => nested_stack_listing("UPDATE_COMPLETE"),
            "DescribeEvents" => no_describe_events(),
            other => Response::error(400, "Unexpected", other),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("changeset.json");
    std::fs::write(&path, review_of('c', "UPDATE").to_string()).unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["execute", "--review", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(
        err.contains("deployment of `cfnc-fixture-dev` in us-east-1 failed: stack is UPDATE_COMPLETE, but nested stack Monitoring is UPDATE_ROLLBACK_COMPLETE"),
        "{}",
        text(&o)
    );
    assert!(err.contains("first failure: HighLatencyAlarm UPDATE_FAILED"), "{}", text(&o));
    assert!(err.contains("Threshold must be a number"), "{}", text(&o));
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("UPDATE_COMPLETE"),
        "no success is printed: {}",
        text(&o)
    );
}

/// A deletion that fails is reported as a failed destroy (not a failed deployment), exit 1.
#[test]
fn a_failed_destroy_says_destroy_failed() {
    let deleted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let del = deleted.clone();
    let server = Replay::start(move |r: &Request| {
        let after = del.load(std::sync::atomic::Ordering::SeqCst);
        match r.action.as_str() {
            "DescribeStacks" => {
                let status = if after { "DELETE_FAILED" } else { "UPDATE_COMPLETE" };
                cfn("DescribeStacks", &stack_xml("cfnc-fixture-dev", ROOT_ID, status, ""))
            }
            "GetTemplate" => cfn(
                "GetTemplate",
                "<TemplateBody>{\"Resources\": {\"Logs\": {\"Type\": \"AWS::Logs::LogGroup\", \"DeletionPolicy\": \"Retain\"}}}</TemplateBody>",
            ),
            "ListStackResources" => cfn(
                "ListStackResources",
                "<StackResourceSummaries><member><LogicalResourceId>Logs</LogicalResourceId><PhysicalResourceId>payment-dev</PhysicalResourceId>\
                 <ResourceType>AWS::Logs::LogGroup</ResourceType><LastUpdatedTimestamp>2026-01-01T00:00:01Z</LastUpdatedTimestamp>\
                 <ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member></StackResourceSummaries>",
            ),
            "DeleteStack" => {
                del.store(true, std::sync::atomic::Ordering::SeqCst);
                cfn("DeleteStack", "")
            }
            "DescribeStackEvents" => {
                let mut evs = vec![root_event(1, "UPDATE_COMPLETE", "", 0)];
                if after {
                    evs.insert(
                        0,
                        root_event(
                            3,
                            "DELETE_FAILED",
                            "The following resource(s) failed to delete: [Topic].",
                            4,
                        ),
                    );
                    evs.insert(
                        1,
                        event(
                            ROOT_ID,
                            2,
                            "Topic",
                            "arn:aws:sns:us-east-1:123456789012:t",
                            "AWS::SNS::Topic",
                            "DELETE_FAILED",
                            "Access denied for sns:DeleteTopic",
                            3,
                        ),
                    );
                }
                cfn("DescribeStackEvents", &format!("<StackEvents>{}</StackEvents>", evs.concat()))
            }
            "DescribeEvents" => no_describe_events(),
            other => Response::error(400, "Unexpected", other),
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = cfnc(&server.endpoint(), tmp.path(), &["destroy", "--yes", "--stack", "cfnc-fixture-dev"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(
        err.contains("destroy of `cfnc-fixture-dev` in us-east-1 failed: stack is DELETE_FAILED"),
        "{}",
        text(&o)
    );
    assert!(!err.contains("deployment of"), "{}", text(&o));
    assert!(err.contains("Topic") && err.contains("Access denied for sns:DeleteTopic"), "{}", text(&o));
}
