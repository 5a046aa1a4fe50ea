//! Deploying a build: bootstrap the staging bucket, upload, create and review a change set on
//! the root stack, execute exactly the reviewed change set while streaming events, outputs,
//! destroy. The command modules are thin wrappers around the functions here.

pub mod bootstrap;
pub mod build_output;
pub mod changeset;
pub mod error;
pub mod events;
pub mod stack;
pub mod staging;
pub mod templates;
pub mod ui;
pub mod upload;

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_cloudformation::types::{ChangeSetType, Tag};

pub use error::DeployError;
pub use templates::{DeployedTemplates, fetch_deployed_templates};

use crate::aws::{Aws, classify};
use crate::review::{self, Review};
use build_output::BuildOutput;
use events::{EventsOf, Follower, Operation};
use stack::StackState;
use ui::Ui;

/// What `cfnc deploy` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct DeployOptions {
    /// Execute after the review (with confirmation unless `yes`).
    pub execute: bool,
    pub yes: bool,
    /// Drift-aware change set (`DeploymentMode: REVERT_DRIFT`).
    pub revert_drift: bool,
    /// Delete and recreate a root stack in ROLLBACK_COMPLETE.
    pub replace_failed: bool,
}

/// How a deploy ended.
#[derive(Clone, Debug)]
pub enum DeployOutcome {
    /// The change set was empty (and deleted).
    NoChanges(Review),
    /// Reviewed, not executed.
    Reviewed(Review),
    /// Reviewed and executed; the root stack's final status.
    Executed(Review, String),
}

/// Creates or updates the bootstrap stack; returns the staging bucket name.
pub async fn run_bootstrap(aws: &Aws, ui: &Ui, replace_failed: bool) -> Result<String, DeployError> {
    use bootstrap::BOOTSTRAP_STACK;
    let body = bootstrap::template().to_json_string();
    let existing = stack::describe(aws, BOOTSTRAP_STACK).await?;
    let mut state = stack::check_updatable(aws, BOOTSTRAP_STACK, existing.as_ref(), replace_failed)?;
    if matches!(state, StackState::RollbackComplete | StackState::ReviewInProgress) {
        let id = existing.as_ref().and_then(|s| s.stack_id()).unwrap_or(BOOTSTRAP_STACK).to_string();
        ui.info(format!("deleting {BOOTSTRAP_STACK} ({state:?}) to create it again"));
        delete_stack_and_follow(aws, ui, &id, BOOTSTRAP_STACK, &HashMap::new()).await?;
        state = StackState::Missing;
    }
    let tags = vec![Tag::builder().key("ManagedBy").value("cfnc").build()];
    let (op, id) = match state {
        StackState::Missing => {
            ui.info(format!("creating {BOOTSTRAP_STACK} in {}", aws.region));
            let out = aws
                .cfn
                .create_stack()
                .stack_name(BOOTSTRAP_STACK)
                .template_body(&body)
                .set_tags(Some(tags))
                .enable_termination_protection(true)
                .send()
                .await
                .map_err(|e| classify("CloudFormation CreateStack", aws.max_attempts(), e))?;
            (Operation::Create, out.stack_id().unwrap_or(BOOTSTRAP_STACK).to_string())
        }
        _ => {
            let id = existing.as_ref().and_then(|s| s.stack_id()).unwrap_or(BOOTSTRAP_STACK).to_string();
            let deployed = templates::get_template(aws, &id).await?;
            let ours: serde_json::Value = serde_json::from_str(&body).expect("our template is JSON");
            if deployed == ours {
                let bucket = staging::bucket_name(aws).await?;
                ui.info(format!("{BOOTSTRAP_STACK} is up to date"));
                return Ok(bucket);
            }
            ui.info(format!("updating {BOOTSTRAP_STACK} in {}", aws.region));
            let mut follower = Follower::start(aws, ui, &id, BOOTSTRAP_STACK, HashMap::new()).await?;
            aws.cfn
                .update_stack()
                .stack_name(&id)
                .template_body(&body)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| classify("CloudFormation UpdateStack", aws.max_attempts(), e))?;
            let status = follower.follow(Operation::Update).await?;
            check_success(aws, &mut follower, BOOTSTRAP_STACK, &id, &status).await?;
            return staging::bucket_name(aws).await;
        }
    };
    let mut follower = Follower::start(aws, ui, &id, BOOTSTRAP_STACK, HashMap::new()).await?;
    let status = follower.follow(op).await?;
    check_success(aws, &mut follower, BOOTSTRAP_STACK, &id, &status).await?;
    staging::bucket_name(aws).await
}

/// `*_COMPLETE` without ROLLBACK (and DELETE_COMPLETE for deletions) is success.
fn succeeded(status: &str, op: Operation) -> bool {
    match op {
        Operation::Delete => status == "DELETE_COMPLETE",
        _ => status.ends_with("_COMPLETE") && !status.contains("ROLLBACK"),
    }
}

async fn check_success(
    aws: &Aws,
    follower: &mut Follower<'_>,
    name: &str,
    id: &str,
    status: &str,
) -> Result<(), DeployError> {
    let op = if status.starts_with("DELETE") { Operation::Delete } else { Operation::Update };
    if succeeded(status, op) {
        return Ok(());
    }
    follower.add_failed_operation_events().await;
    Err(DeployError::DeploymentFailed {
        stack: name.to_string(),
        status: status.to_string(),
        failure: follower.root_cause().map(Box::new),
        console: aws.console_stack_url(id),
    })
}

async fn delete_stack_and_follow(
    aws: &Aws,
    ui: &Ui,
    id: &str,
    name: &str,
    labels: &HashMap<String, String>,
) -> Result<(), DeployError> {
    let mut follower = Follower::start(aws, ui, id, name, labels.clone()).await?;
    aws.cfn
        .delete_stack()
        .stack_name(id)
        .send()
        .await
        .map_err(|e| classify("CloudFormation DeleteStack", aws.max_attempts(), e))?;
    let status = follower.follow(Operation::Delete).await?;
    check_success(aws, &mut follower, name, id, &status).await
}

/// Nested stack logical id -> manifest name (for event lines).
pub fn stack_labels(out: &BuildOutput) -> HashMap<String, String> {
    out.manifest
        .stacks
        .iter()
        .filter_map(|s| s.logical_id.as_ref().map(|l| (l.clone(), s.name.clone())))
        .collect()
}

/// `cfnc deploy --change-set [--execute]`.
pub async fn deploy(
    aws: &Aws,
    ui: &Ui,
    project: &Path,
    env: &str,
    opts: &DeployOptions,
) -> Result<DeployOutcome, DeployError> {
    let out = build_output::ensure_built(project, env)?;
    let root = out.root()?.clone();
    let stack_name = out.manifest.root_stack.clone();
    let bucket = staging::bucket_name(aws).await?;

    let existing = stack::describe(aws, &stack_name).await?;
    let mut state = stack::check_updatable(aws, &stack_name, existing.as_ref(), opts.replace_failed)?;
    if state == StackState::RollbackComplete {
        let id = existing.as_ref().and_then(|s| s.stack_id()).unwrap_or(&stack_name).to_string();
        ui.info(format!(
            "{stack_name} is in ROLLBACK_COMPLETE; deleting it to create it again (--replace-failed)"
        ));
        delete_stack_and_follow(aws, ui, &id, &stack_name, &stack_labels(&out)).await?;
        state = StackState::Missing;
    }

    upload::upload(aws, &bucket, upload::artifacts(&out), ui).await?;

    let deployed = match state {
        StackState::Ready(_) => fetch_deployed_templates(aws, &out.manifest).await?,
        _ => DeployedTemplates::default(),
    };
    let change_set_type =
        if matches!(state, StackState::Ready(_)) { ChangeSetType::Update } else { ChangeSetType::Create };
    let templates = out.templates()?;
    let plan = changeset::Plan {
        stack_name: stack_name.clone(),
        change_set_name: changeset::change_set_name(&out.manifest_sha256),
        description: changeset::description(&out.manifest_sha256),
        change_set_type: change_set_type.clone(),
        template_url: aws.s3_object_url(&bucket, &root.s3_key),
        parameters: out.manifest.parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        tags: out.manifest.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        capabilities: changeset::required_capabilities(templates.iter().map(|(_, t)| t)),
        revert_drift: opts.revert_drift,
    };
    ui.info(format!(
        "creating change set {} on {stack_name} ({})",
        plan.change_set_name,
        change_set_type.as_str()
    ));
    let arn = changeset::create(aws, &plan).await?;
    let cs = changeset::describe(aws, &arn).await?;

    if cs.status == "FAILED" {
        let failures = match events::failed_events(aws, EventsOf::ChangeSet(&arn), &root.name).await {
            Ok(list) => list.into_iter().map(|(_, f)| f).collect(),
            Err(e) => {
                ui.detail(format!("DescribeEvents not available: {e}"));
                Vec::new()
            }
        };
        let local_root = templates.iter().find(|(e, _)| e.parent.is_none()).map(|(_, t)| t);
        let same_root = deployed.get(&root.name).map(|d| &d.template) == local_root;
        if cs.changes.is_empty()
            && failures.is_empty()
            && same_root
            && change_set_type == ChangeSetType::Update
        {
            changeset::delete(aws, &arn).await?;
            let review = review::empty(aws, &out, &cs);
            review.write(&out.dir)?;
            return Ok(DeployOutcome::NoChanges(review));
        }
        return Err(DeployError::ChangeSetFailed { stack: stack_name, reason: cs.status_reason, failures });
    }

    let mut review = review::build(aws, &out, &cs, &deployed).await?;
    review.change_set_type = change_set_type.as_str().to_string();
    review.write(&out.dir)?;
    if !opts.execute {
        return Ok(DeployOutcome::Reviewed(review));
    }
    if !opts.yes {
        if !ui.can_prompt() {
            return Err(DeployError::NeedsConfirmation { action: "execute the change set" });
        }
        ui.result(review::render::table(&review));
        let ok = ui
            .confirm(&format!("Execute change set {} on {stack_name}? [y/N]", review.change_set_name), "yes")
            .map_err(|e| DeployError::BadFile {
                path: "<stdin>".into(),
                reason: e.to_string(),
                help: None,
            })?;
        if !ok {
            return Err(DeployError::Cancelled { action: "execution" });
        }
    }
    let status = execute_reviewed(aws, ui, &review, &stack_labels(&out)).await?;
    Ok(DeployOutcome::Executed(review, status))
}

/// Executes the change set a review describes, after checking that it is that change set,
/// made from that build, and still executable. Streams events until the end.
pub async fn execute_reviewed(
    aws: &Aws,
    ui: &Ui,
    review: &Review,
    labels: &HashMap<String, String>,
) -> Result<String, DeployError> {
    let arn = review.change_set_arn.clone();
    let cs = changeset::describe(aws, &arn).await.map_err(|e| match e {
        DeployError::Aws(crate::aws::AwsError::Service { code, .. }) if code == "ChangeSetNotFound" => {
            DeployError::NotReviewed {
                arn: arn.clone(),
                reason: "the change set no longer exists (executed or deleted)".into(),
            }
        }
        other => other,
    })?;
    match changeset::manifest_hash_of(&cs.description) {
        Some(h) if h == review.manifest_sha256 => {}
        Some(h) => {
            return Err(DeployError::NotReviewed {
                arn,
                reason: format!(
                    "it was made from build {h}, but the review is of build {}",
                    review.manifest_sha256
                ),
            });
        }
        None => {
            return Err(DeployError::NotReviewed {
                arn,
                reason:
                    "its description carries no cfnc manifest hash (not made by `cfnc deploy --change-set`)"
                        .into(),
            });
        }
    }
    if cs.execution_status != "AVAILABLE" {
        return Err(DeployError::NotReviewed {
            arn,
            reason: format!("its execution status is {} ({})", cs.execution_status, cs.status_reason),
        });
    }
    let s = stack::describe(aws, &cs.stack_id).await?;
    let state = StackState::of(s.as_ref());
    if let StackState::InProgress(status) = &state {
        return Err(DeployError::StackInProgress {
            stack: review.stack.clone(),
            status: status.clone(),
            console: aws.console_stack_url(&cs.stack_id),
        });
    }
    let op = if state == StackState::ReviewInProgress { Operation::Create } else { Operation::Update };
    let mut follower = Follower::start(aws, ui, &cs.stack_id, &review.stack, labels.clone()).await?;
    ui.info(format!("executing {} on {}", cs.name, review.stack));
    changeset::execute(aws, &arn).await?;
    let status = follower.follow(op).await?;
    if succeeded(&status, op) {
        ui.info(format!("{}: {status}", review.stack));
        return Ok(status);
    }
    follower.add_failed_operation_events().await;
    Err(DeployError::DeploymentFailed {
        stack: review.stack.clone(),
        status,
        failure: follower.root_cause().map(Box::new),
        console: aws.console_stack_url(&cs.stack_id),
    })
}

/// One stack output.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
}

/// The root stack's outputs, sorted by key.
pub async fn outputs(aws: &Aws, stack_name: &str) -> Result<Vec<StackOutput>, DeployError> {
    let Some(s) = stack::describe(aws, stack_name).await? else {
        return Err(DeployError::StackMissing { stack: stack_name.to_string(), region: aws.region.clone() });
    };
    let mut out: Vec<StackOutput> = s
        .outputs()
        .iter()
        .map(|o| StackOutput {
            key: o.output_key().unwrap_or_default().to_string(),
            value: o.output_value().unwrap_or_default().to_string(),
            description: o.description().map(str::to_string),
            export: o.export_name().map(str::to_string),
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// A resource that stays in the account after `destroy`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Retained {
    pub stack: String,
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub physical_id: String,
    pub policy: String,
}

/// Resources of the deployed templates with a DeletionPolicy that keeps them (or a snapshot).
pub fn retained_resources(deployed: &DeployedTemplates) -> Vec<Retained> {
    let mut out = Vec::new();
    for (name, d) in &deployed.stacks {
        let Some(res) = d.template.get("Resources").and_then(|r| r.as_object()) else { continue };
        for (id, r) in res {
            let policy = r.get("DeletionPolicy").and_then(|p| p.as_str()).unwrap_or("Delete");
            if matches!(policy, "Retain" | "RetainExceptOnCreate" | "Snapshot") {
                out.push(Retained {
                    stack: name.clone(),
                    logical_id: id.clone(),
                    type_name: r.get("Type").and_then(|t| t.as_str()).unwrap_or_default().to_string(),
                    physical_id: d
                        .resources
                        .iter()
                        .find(|x| &x.logical_id == id)
                        .map(|x| x.physical_id.clone())
                        .unwrap_or_default(),
                    policy: policy.to_string(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.stack, &a.logical_id).cmp(&(&b.stack, &b.logical_id)));
    out
}

/// What `destroy` found and did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Destroyed {
    pub stack: String,
    pub existed: bool,
    pub retained: Vec<Retained>,
}

/// Deletes the root stack (and with it the nested ones) after confirmation; lists what is
/// retained. `manifest` finds nested stack names for the retained list.
pub async fn destroy(
    aws: &Aws,
    ui: &Ui,
    manifest: &crate::manifest::Manifest,
    yes: bool,
) -> Result<Destroyed, DeployError> {
    let stack_name = manifest.root_stack.clone();
    let Some(s) = stack::describe(aws, &stack_name).await? else {
        return Ok(Destroyed { stack: stack_name, existed: false, retained: Vec::new() });
    };
    let id = s.stack_id().unwrap_or(&stack_name).to_string();
    if let StackState::InProgress(status) = StackState::of(Some(&s)) {
        return Err(DeployError::StackInProgress {
            stack: stack_name,
            status,
            console: aws.console_stack_url(&id),
        });
    }
    let deployed = fetch_deployed_templates(aws, manifest).await?;
    let retained = retained_resources(&deployed);
    if !retained.is_empty() {
        ui.info(format!("{} resource(s) will be kept (DeletionPolicy):", retained.len()));
        for r in &retained {
            ui.info(format!(
                "  {}/{} {} {} ({})",
                r.stack, r.logical_id, r.type_name, r.physical_id, r.policy
            ));
        }
    }
    if !yes {
        if !ui.can_prompt() {
            return Err(DeployError::NeedsConfirmation { action: "destroy the stack" });
        }
        let ok = ui
            .confirm(
                &format!("Delete stack {stack_name} and its nested stacks? Type the stack name to confirm:"),
                &stack_name,
            )
            .map_err(|e| DeployError::BadFile {
                path: "<stdin>".into(),
                reason: e.to_string(),
                help: None,
            })?;
        if !ok {
            return Err(DeployError::Cancelled { action: "destroy" });
        }
    }
    let labels: HashMap<String, String> = manifest
        .stacks
        .iter()
        .filter_map(|s| s.logical_id.as_ref().map(|l| (l.clone(), s.name.clone())))
        .collect();
    delete_stack_and_follow(aws, ui, &id, &stack_name, &labels).await?;
    Ok(Destroyed { stack: stack_name, existed: true, retained })
}
