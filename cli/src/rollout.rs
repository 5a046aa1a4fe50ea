//! The deploy flows, across the regions of an environment: upload a build to each region's
//! staging bucket, create a change set on each region's root stack, review them all as ONE
//! review, and execute exactly the reviewed change sets: the primary region first, then the
//! others (one after another, or together with `--parallel`), stopping at the first region
//! that fails. Built on [`crate::deploy`] (AWS operations) and [`crate::review`] (what a change
//! set changes).
//!
//! Why change sets per region rather than StackSets: StackSets deploy one template to many
//! regions, but a StackSet operation has no change set, so nothing could be reviewed before
//! it runs (see the README, "Multi-region").

use std::collections::HashMap;

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::aws::Aws;
use crate::deploy::build_output::BuildOutput;
use crate::deploy::changeset::Described;
use crate::deploy::events::{EventsOf, Follower, Operation};
use crate::deploy::stack::{self, StackState};
use crate::deploy::ui::Ui;
use crate::deploy::{
    DeployError, DeployedTemplates, changeset, check_success, confirmed, delete_stack_and_follow, events,
    fetch_deployed_templates, stack_labels, staging, upload,
};
use crate::review::{self, RegionPart, RegionReview, Review};

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
    /// After the primary region, execute the other regions at the same time.
    pub parallel: bool,
}

/// How a deploy ended.
#[derive(Clone, Debug)]
pub enum DeployOutcome {
    /// No region had changes (the empty change sets were deleted).
    NoChanges(Review),
    /// Reviewed, not executed.
    Reviewed(Review),
    /// Reviewed and executed: the final status of each executed region.
    Executed(Review, Vec<Executed>),
}

/// One region's executed change set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Executed {
    pub region: String,
    pub stack: String,
    pub stack_status: String,
}

/// `cfnc deploy --change-set [--execute]`: one build, reviewed in every target region
/// (`targets`, rollout order; see [`crate::aws::targets`]).
pub async fn deploy(
    targets: &[Aws],
    ui: &Ui,
    out: &BuildOutput,
    opts: &DeployOptions,
) -> Result<DeployOutcome, DeployError> {
    confirm_placeholders(ui, &out.manifest, opts.yes)?;
    let parts = review_regions(targets, ui, out, opts).await?;
    let review = Review::combine(out, parts);
    review.write(&out.dir)?;
    if review.has_no_changes() {
        return Ok(DeployOutcome::NoChanges(review));
    }
    if !opts.execute {
        return Ok(DeployOutcome::Reviewed(review));
    }
    if !opts.yes {
        if !ui.can_prompt() {
            return Err(DeployError::NeedsConfirmation { action: "execute the change sets" });
        }
        ui.result(review::render::table(&review));
        let regions: Vec<&str> =
            review.regions.iter().filter(|r| r.has_changes()).map(|r| r.region.as_str()).collect();
        let question = format!(
            "Execute change set {} in {} (in this order)? [y/N]",
            review.change_set_name,
            regions.join(", ")
        );
        confirmed(ui, &question, "yes", "execution")?;
    }
    let done = execute_review(targets, ui, &review, &stack_labels(out), opts.parallel).await?;
    Ok(DeployOutcome::Executed(review, done))
}

/// Reviews every target region at the same time (uploads, change set, review rows); the parts
/// come back in `targets`' order. A region that fails fails the review; the first in rollout
/// order is reported (with the others named).
async fn review_regions(
    targets: &[Aws],
    ui: &Ui,
    out: &BuildOutput,
    opts: &DeployOptions,
) -> Result<Vec<RegionPart>, DeployError> {
    if let [only] = targets {
        return Ok(vec![review_region(only, ui, out, opts).await?]);
    }
    let mut set = tokio::task::JoinSet::new();
    for (i, aws) in targets.iter().enumerate() {
        let (aws, ui, out, opts) = (aws.clone(), ui.in_region(&aws.region), out.clone(), opts.clone());
        set.spawn(async move { (i, review_region(&aws, &ui, &out, &opts).await) });
    }
    let mut results: Vec<Option<Result<RegionPart, DeployError>>> =
        (0..targets.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, r) = joined.expect("review tasks do not panic");
        results[i] = Some(r);
    }
    let mut parts = Vec::new();
    let mut failed: Vec<(String, DeployError)> = Vec::new();
    for (aws, r) in targets.iter().zip(results) {
        match r.expect("every task reported") {
            Ok(p) => parts.push(p),
            Err(e) => failed.push((aws.region.clone(), e)),
        }
    }
    if failed.is_empty() {
        return Ok(parts);
    }
    let others: Vec<String> = failed.iter().skip(1).map(|(r, _)| r.clone()).collect();
    let (region, cause) = failed.remove(0);
    let reviewed: Vec<String> = parts.iter().map(|p| p.header.region.clone()).collect();
    let mut help = String::from("no review was written and nothing was executed. ");
    if !others.is_empty() {
        help.push_str(&format!("The review failed in {} too. ", others.join(", ")));
    }
    if !reviewed.is_empty() {
        help.push_str(&format!(
            "The change sets of {} were created and are replaced by the next `cfnc deploy --change-set`. ",
            reviewed.join(", ")
        ));
    }
    help.push_str("Fix the cause above, then run `cfnc deploy --change-set` again.");
    Err(DeployError::Stopped { operation: "review", region, cause: Box::new(cause), help })
}

/// One region: upload, create the change set, review it.
async fn review_region(
    aws: &Aws,
    ui: &Ui,
    out: &BuildOutput,
    opts: &DeployOptions,
) -> Result<RegionPart, DeployError> {
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
        delete_stack_and_follow(aws, ui, "deletion", &id, &stack_name, &stack_labels(out)).await?;
        state = StackState::Missing;
    }

    upload::upload(aws, &bucket, upload::artifacts(out), ui).await?;

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
        "creating change set {} on {stack_name} in {} ({})",
        plan.change_set_name,
        aws.region,
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
            ui.info(format!("no changes in {}", aws.region));
            return Ok(review::empty(aws, out, &cs));
        }
        return Err(DeployError::ChangeSetFailed { stack: stack_name, reason: cs.status_reason, failures });
    }

    let mut part = review::build(aws, out, &cs, &deployed).await?;
    part.header.change_set_type = change_set_type.as_str().to_string();
    Ok(part)
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
    let question = format!(
        "The config of {} uses {} placeholder value(s) (above): alerts may reach no one. Deploy anyway? [y/N]",
        manifest.env,
        found.len()
    );
    confirmed(ui, &question, "yes", "deployment")
}

/// Executes the change sets a review describes, in its order (the primary region first), in
/// the regions of `targets` (a `--region` selects one). Every change set is checked first (it
/// is the reviewed one, made from the reviewed build, still executable): nothing runs unless
/// all are. Then one region after another, or, with `parallel`, the primary region and then
/// the others together. The first failure stops the rollout with what was done, what was not,
/// and how to continue.
pub async fn execute_review(
    targets: &[Aws],
    ui: &Ui,
    review: &Review,
    labels: &HashMap<String, String>,
    parallel: bool,
) -> Result<Vec<Executed>, DeployError> {
    let plan: Vec<(&RegionReview, &Aws)> = review
        .regions
        .iter()
        .filter(|r| r.has_changes())
        .filter_map(|r| targets.iter().find(|a| a.region == r.region).map(|a| (r, a)))
        .collect();
    let several = review.regions.len() > 1;
    let mut checked = Vec::new();
    for (r, aws) in &plan {
        match check_reviewed(aws, r, &review.manifest_sha256).await {
            Ok(c) => checked.push((*r, *aws, c)),
            Err(e) if several => {
                return Err(DeployError::Stopped {
                    operation: "execution",
                    region: r.region.clone(),
                    cause: Box::new(e),
                    help: "nothing was executed in any region: every reviewed change set is checked before the first runs. Run `cfnc deploy --change-set` again to review fresh change sets".into(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    let mut done: Vec<Executed> = Vec::new();
    let mut rest = checked.into_iter();
    // The primary region first, alone; then the others.
    let first = rest.next();
    if let Some((r, aws, c)) = first {
        let ui = if several { ui.in_region(&r.region) } else { ui.clone() };
        match execute_region(aws, &ui, r, &c, labels).await {
            Ok(status) => done.push(executed(r, status)),
            Err(e) if several => return Err(stopped(review, &r.region, e, &done, &[])),
            Err(e) => return Err(e),
        }
    }
    let rest: Vec<_> = rest.collect();
    if parallel && rest.len() > 1 {
        let mut set = tokio::task::JoinSet::new();
        for (i, (r, aws, c)) in rest.iter().enumerate() {
            let (aws, ui, r, c, labels) =
                ((*aws).clone(), ui.in_region(&r.region), (*r).clone(), c.clone(), labels.clone());
            set.spawn(async move {
                let res = execute_region(&aws, &ui, &r, &c, &labels).await;
                (i, r, res)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = set.join_next().await {
            results.push(joined.expect("execution tasks do not panic"));
        }
        results.sort_by_key(|(i, _, _)| *i);
        let mut first_failure: Option<(String, DeployError)> = None;
        let mut failed_too = Vec::new();
        for (_, r, res) in results {
            match res {
                Ok(status) => done.push(executed(&r, status)),
                Err(e) if first_failure.is_none() => first_failure = Some((r.region.clone(), e)),
                Err(_) => failed_too.push(r.region.clone()),
            }
        }
        if let Some((region, e)) = first_failure {
            return Err(stopped(review, &region, e, &done, &failed_too));
        }
        return Ok(done);
    }
    for (r, aws, c) in rest {
        match execute_region(aws, &ui.in_region(&r.region), r, &c, labels).await {
            Ok(status) => done.push(executed(r, status)),
            Err(e) => return Err(stopped(review, &r.region, e, &done, &[])),
        }
    }
    Ok(done)
}

fn executed(r: &RegionReview, stack_status: String) -> Executed {
    Executed { region: r.region.clone(), stack: r.stack.clone(), stack_status }
}

/// The error of a rollout that stopped at `region`: what was executed, what failed, what was
/// not started, and the two ways on.
fn stopped(
    review: &Review,
    region: &str,
    cause: DeployError,
    done: &[Executed],
    failed_too: &[String],
) -> DeployError {
    let finished: Vec<&str> = done.iter().map(|d| d.region.as_str()).collect();
    let not_started: Vec<&str> = review
        .regions
        .iter()
        .filter(|r| r.has_changes())
        .map(|r| r.region.as_str())
        .filter(|r| *r != region && !finished.contains(r) && !failed_too.iter().any(|f| f == r))
        .collect();
    let mut help = String::new();
    if done.is_empty() {
        help.push_str("Executed: none. ");
    } else {
        let list: Vec<String> = done.iter().map(|d| format!("{} ({})", d.region, d.stack_status)).collect();
        help.push_str(&format!("Executed: {}. ", list.join(", ")));
    }
    help.push_str(&format!("Failed: {region}"));
    for f in failed_too {
        help.push_str(&format!(", {f}"));
    }
    help.push_str(" (CloudFormation rolled back what it could; see the events). ");
    if not_started.is_empty() {
        help.push_str("Every other region was executed. ");
    } else {
        help.push_str(&format!(
            "Not executed: {} (their reviewed change sets are still available). ",
            not_started.join(", ")
        ));
    }
    help.push_str(&format!(
        "To continue: fix the cause, then `cfnc --env {} deploy --change-set` reviews every region again (regions already deployed show no changes)",
        review.env
    ));
    if let Some(next) = not_started.first() {
        help.push_str(&format!(
            "; or, if the failure concerns {region} only, execute the remaining reviewed change sets with `cfnc --env {} execute --region {next}`",
            review.env
        ));
    }
    DeployError::Stopped { operation: "execution", region: region.to_string(), cause: Box::new(cause), help }
}

/// A region's change set after checking that it is the reviewed one.
#[derive(Clone, Debug)]
struct Checked {
    cs: Described,
    op: Operation,
}

/// Checks that the change set of a region is the one the review describes, made from that
/// build, still executable, and that its stack is not busy.
async fn check_reviewed(aws: &Aws, r: &RegionReview, manifest_sha256: &str) -> Result<Checked, DeployError> {
    let arn = r.change_set_arn.clone();
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
        Some(h) if h == manifest_sha256 => {}
        Some(h) => {
            return Err(DeployError::NotReviewed {
                arn,
                reason: format!("it was made from build {h}, but the review is of build {manifest_sha256}"),
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
            stack: r.stack.clone(),
            status: status.clone(),
            console: aws.console_stack_url(&cs.stack_id),
        });
    }
    let op = if state == StackState::ReviewInProgress { Operation::Create } else { Operation::Update };
    Ok(Checked { cs, op })
}

/// Executes one region's checked change set and follows it to the end; the outcome is judged
/// from every stack (a nested stack that failed fails the deployment).
async fn execute_region(
    aws: &Aws,
    ui: &Ui,
    r: &RegionReview,
    c: &Checked,
    labels: &HashMap<String, String>,
) -> Result<String, DeployError> {
    let mut follower = Follower::start(aws, ui, &c.cs.stack_id, &r.stack, labels.clone()).await?;
    ui.info(format!("executing {} on {} in {}", c.cs.name, r.stack, aws.region));
    changeset::execute(aws, &c.cs.arn).await?;
    let status = follower.follow(c.op).await?;
    check_success(aws, &mut follower, "deployment", c.op, (&r.stack, &c.cs.stack_id), &status).await?;
    ui.info(format!("{}: {status}", r.stack));
    Ok(status)
}
