//! The deploy flows: upload a build, create a change set on the root stack, review it (root
//! and nested) and execute exactly the reviewed change set. Built on [`crate::deploy`] (AWS
//! operations) and [`crate::review`] (what a change set changes).

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::aws::Aws;
use crate::deploy::events::{EventsOf, Follower, Operation};
use crate::deploy::stack::{self, StackState};
use crate::deploy::ui::Ui;
use crate::deploy::{
    DeployError, DeployedTemplates, build_output, changeset, delete_stack_and_follow, events,
    fetch_deployed_templates, stack_labels, staging, succeeded, upload,
};
use crate::review::{self, Review};

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

/// `cfnc deploy --change-set [--execute]`.
pub async fn deploy(
    aws: &Aws,
    ui: &Ui,
    project: &Path,
    env: &str,
    opts: &DeployOptions,
) -> Result<DeployOutcome, DeployError> {
    let out = build_output::ensure_built(project, env)?;
    confirm_placeholders(ui, &out.manifest, opts.yes)?;
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

/// A build whose config still holds placeholder values (example addresses, the default canary
/// target: the build's warnings in the manifest) is deployed only with consent, before anything
/// is uploaded: `--yes` gives it (CI), a terminal asks, and without either deploy refuses.
fn confirm_placeholders(ui: &Ui, manifest: &cfnc::manifest::Manifest, yes: bool) -> Result<(), DeployError> {
    let found: Vec<&cfnc::manifest::ConfigWarning> = manifest.placeholders().collect();
    if found.is_empty() {
        return Ok(());
    }
    // Printed even with -q: this is what the confirmation is about.
    for w in &found {
        eprintln!("warning: {w}");
    }
    if yes {
        ui.info(format!("deploying with {} placeholder value(s): acknowledged with --yes", found.len()));
        return Ok(());
    }
    if !ui.can_prompt() {
        return Err(DeployError::NeedsConfirmation {
            action: "deploy a build whose config uses placeholder values",
        });
    }
    let ok = ui
        .confirm(
            &format!(
                "The config of {} uses {} placeholder value(s) (above): alerts may reach no one. Deploy anyway? [y/N]",
                manifest.env,
                found.len()
            ),
            "yes",
        )
        .map_err(|e| DeployError::BadFile { path: "<stdin>".into(), reason: e.to_string(), help: None })?;
    if ok { Ok(()) } else { Err(DeployError::Cancelled { action: "deployment" }) }
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
