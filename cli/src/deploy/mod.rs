//! Talking to CloudFormation and S3 about a build: the bootstrap stack, uploads, change sets,
//! stack states, events, deployed templates, outputs, destroy. The deploy flow that ties a
//! change set to its review is [`crate::rollout`] (this module knows nothing of reviews).

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

use aws_sdk_cloudformation::types::Tag;

pub use error::DeployError;
pub use templates::{DeployedTemplates, fetch_deployed_templates};

use crate::aws::{Aws, classify};
use build_output::BuildOutput;
use events::{Follower, Operation};
use stack::StackState;
use ui::Ui;

/// Creates or updates the bootstrap stack; returns the staging bucket name.
pub async fn run_bootstrap(aws: &Aws, ui: &Ui, replace_failed: bool) -> Result<String, DeployError> {
    use bootstrap::BOOTSTRAP_STACK;
    let body = bootstrap::template().to_json_string();
    let existing = stack::describe(aws, BOOTSTRAP_STACK).await?;
    let mut state = stack::check_updatable(aws, BOOTSTRAP_STACK, existing.as_ref(), replace_failed)?;
    if matches!(state, StackState::RollbackComplete | StackState::ReviewInProgress) {
        let id = existing.as_ref().and_then(|s| s.stack_id()).unwrap_or(BOOTSTRAP_STACK).to_string();
        ui.info(format!("deleting {BOOTSTRAP_STACK} ({state:?}) to create it again"));
        delete_stack_and_follow(aws, ui, "deletion", &id, BOOTSTRAP_STACK, &HashMap::new()).await?;
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
            check_success(
                aws,
                &mut follower,
                "bootstrap",
                Operation::Update,
                (BOOTSTRAP_STACK, &id),
                &status,
            )
            .await?;
            return staging::bucket_name(aws).await;
        }
    };
    let mut follower = Follower::start(aws, ui, &id, BOOTSTRAP_STACK, HashMap::new()).await?;
    let status = follower.follow(op).await?;
    check_success(aws, &mut follower, "bootstrap", op, (BOOTSTRAP_STACK, &id), &status).await?;
    staging::bucket_name(aws).await
}

/// `*_COMPLETE` without ROLLBACK (and DELETE_COMPLETE for deletions) is success.
pub(crate) fn succeeded(status: &str, op: Operation) -> bool {
    match op {
        Operation::Delete => status == "DELETE_COMPLETE",
        _ => status.ends_with("_COMPLETE") && !status.contains("ROLLBACK"),
    }
}

/// Judges a followed operation from every stack ([`Follower::verdict`]).
pub(crate) async fn check_success(
    aws: &Aws,
    follower: &mut Follower<'_>,
    operation: &'static str,
    op: Operation,
    (name, id): (&str, &str),
    status: &str,
) -> Result<(), DeployError> {
    match follower.verdict(op, status).await {
        None => Ok(()),
        Some((status, failure)) => Err(DeployError::DeploymentFailed {
            operation,
            stack: name.to_string(),
            region: aws.region.clone(),
            status,
            failure: failure.map(Box::new),
            console: aws.console_stack_url(id),
        }),
    }
}

/// Deletes a stack and follows the deletion; `operation` names it in errors (`destroy`).
pub(crate) async fn delete_stack_and_follow(
    aws: &Aws,
    ui: &Ui,
    operation: &'static str,
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
    check_success(aws, &mut follower, operation, Operation::Delete, (name, id), &status).await
}

/// Asks `question` on the terminal; `Ok` when the answer is `expect` (or `y` for `yes`), else
/// the `action` is cancelled.
pub(crate) fn confirmed(
    ui: &Ui,
    question: &str,
    expect: &str,
    action: &'static str,
) -> Result<(), DeployError> {
    let ok = ui.confirm(question, expect).map_err(|e| DeployError::BadFile {
        path: "<stdin>".into(),
        reason: e.to_string(),
        help: None,
    })?;
    if ok { Ok(()) } else { Err(DeployError::Cancelled { action }) }
}

/// Nested stack logical id -> manifest name (for event lines).
pub fn stack_labels(out: &BuildOutput) -> HashMap<String, String> {
    out.manifest
        .stacks
        .iter()
        .filter_map(|s| s.logical_id.as_ref().map(|l| (l.clone(), s.name.clone())))
        .collect()
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

/// What `destroy` found and did in one region.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Destroyed {
    pub region: String,
    pub stack: String,
    pub existed: bool,
    pub retained: Vec<Retained>,
}

/// What `destroy` will do in one region: the stack id to delete (none when it does not
/// exist) and what stays.
struct DestroyPlan {
    aws: Aws,
    id: Option<String>,
    retained: Vec<Retained>,
}

/// Deletes the root stack (and with it the nested ones) in each region of `targets` after one
/// confirmation; lists what is retained. The regions go in the reverse of rollout order (the
/// primary region, which holds what shows every region, last), one after another; the first
/// failure stops with what was deleted and what was not. `manifest` finds nested stack names
/// for the retained list.
pub async fn destroy(
    targets: &[Aws],
    ui: &Ui,
    manifest: &cfnc::manifest::Manifest,
    yes: bool,
) -> Result<Vec<Destroyed>, DeployError> {
    let stack_name = manifest.root_stack.clone();
    let mut plans = Vec::new();
    for aws in targets.iter().rev() {
        let Some(s) = stack::describe(aws, &stack_name).await? else {
            plans.push(DestroyPlan { aws: aws.clone(), id: None, retained: Vec::new() });
            continue;
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
        plans.push(DestroyPlan { aws: aws.clone(), id: Some(id), retained: retained_resources(&deployed) });
    }
    let several = targets.len() > 1;
    for p in plans.iter().filter(|p| !p.retained.is_empty()) {
        let r = &p.retained;
        let place = if several { format!(" in {}", p.aws.region) } else { String::new() };
        ui.info(format!("{} resource(s){place} will be kept (DeletionPolicy):", r.len()));
        for r in r {
            ui.info(format!(
                "  {}/{} {} {} ({})",
                r.stack, r.logical_id, r.type_name, r.physical_id, r.policy
            ));
        }
    }
    let existing: Vec<&str> =
        plans.iter().filter(|p| p.id.is_some()).map(|p| p.aws.region.as_str()).collect();
    if !yes && !existing.is_empty() {
        if !ui.can_prompt() {
            return Err(DeployError::NeedsConfirmation { action: "destroy the stack" });
        }
        let place = if several { format!(" in {}", existing.join(", ")) } else { String::new() };
        let question = format!(
            "Delete stack {stack_name} and its nested stacks{place}? Type the stack name to confirm:"
        );
        confirmed(ui, &question, &stack_name, "destroy")?;
    }
    let labels: HashMap<String, String> = manifest
        .stacks
        .iter()
        .filter_map(|s| s.logical_id.as_ref().map(|l| (l.clone(), s.name.clone())))
        .collect();
    let mut done: Vec<Destroyed> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let region = p.aws.region.clone();
        let mut result = Destroyed {
            region: region.clone(),
            stack: stack_name.clone(),
            existed: false,
            retained: Vec::new(),
        };
        if let Some(id) = &p.id {
            let ui = if several { ui.in_region(&region) } else { ui.clone() };
            if let Err(e) = delete_stack_and_follow(&p.aws, &ui, "destroy", id, &stack_name, &labels).await {
                if !several {
                    return Err(e);
                }
                let deleted: Vec<&str> =
                    done.iter().filter(|d| d.existed).map(|d| d.region.as_str()).collect();
                let left: Vec<&str> =
                    plans[i + 1..].iter().filter(|p| p.id.is_some()).map(|p| p.aws.region.as_str()).collect();
                let help = format!(
                    "Deleted: {}. Not deleted: {region}{}{}. Fix the cause named in the events, then run `cfnc destroy` again (regions already deleted are skipped)",
                    if deleted.is_empty() { "none".to_string() } else { deleted.join(", ") },
                    if left.is_empty() { "" } else { ", " },
                    left.join(", ")
                );
                return Err(DeployError::Stopped { operation: "destroy", region, cause: Box::new(e), help });
            }
            result.existed = true;
            result.retained = p.retained.clone();
        }
        done.push(result);
    }
    Ok(done)
}
