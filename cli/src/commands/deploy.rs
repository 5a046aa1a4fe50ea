//! `cfnc deploy --change-set [--execute [--yes] [--parallel]]`: one build, a change set per
//! region, one review.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::deploy::build_output;
use crate::error::Error;
use crate::review::render;
use crate::rollout::{self, DeployOptions, DeployOutcome};

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Deploy through change sets that are reviewed first (always the case; the flag is
    /// accepted to make scripts read clearly).
    #[arg(long)]
    pub change_set: bool,
    /// Execute the change sets after the review (asks for confirmation on a terminal): the
    /// primary region first, then the others.
    #[arg(long)]
    pub execute: bool,
    /// Answer yes to every question deploy asks (CI): deploying a build whose config uses
    /// placeholder values, and with --execute executing the reviewed change set.
    #[arg(long)]
    pub yes: bool,
    /// With --execute: after the primary region, execute the other regions at the same time
    /// (default: one after another).
    #[arg(long, requires = "execute")]
    pub parallel: bool,
    /// Drift-aware change sets: also revert resources whose live state drifted from the
    /// template (DeploymentMode REVERT_DRIFT).
    #[arg(long)]
    pub revert_drift: bool,
    /// When a root stack is in ROLLBACK_COMPLETE (its creation failed), delete it and create it again.
    #[arg(long)]
    pub replace_failed: bool,
}

pub fn run(g: &GlobalArgs, args: DeployArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let opts = DeployOptions {
        execute: args.execute,
        yes: args.yes,
        revert_drift: args.revert_drift,
        replace_failed: args.replace_failed,
        parallel: args.parallel,
    };
    super::runtime()?.block_on(async {
        let out = build_output::ensure_built(&project, &g.env)?;
        let targets = super::region_targets(g, &out.manifest.rollout_regions()).await?;
        let outcome = rollout::deploy(&targets, &ui, &out, &opts).await?;
        match outcome {
            DeployOutcome::NoChanges(review) => {
                if ui.json {
                    ui.json_result(&serde_json::to_value(&review).unwrap_or_default());
                } else {
                    let regions: Vec<&str> = review.regions.iter().map(|r| r.region.as_str()).collect();
                    ui.result(format!(
                        "no changes: {} already matches this build in {} (empty change sets deleted)",
                        out.manifest.root_stack,
                        regions.join(", ")
                    ));
                }
            }
            DeployOutcome::Reviewed(review) => {
                if ui.json {
                    ui.json_result(&serde_json::to_value(&review).unwrap_or_default());
                } else {
                    ui.result(render::table(&review));
                    ui.result(format!(
                        "review written to {} and {}",
                        out.dir.join(crate::review::REVIEW_JSON).display(),
                        out.dir.join(crate::review::REVIEW_MD).display()
                    ));
                    for r in review.regions.iter().filter(|r| r.has_changes()) {
                        ui.result(format!("change set ({}): {}", r.region, r.change_set_arn));
                    }
                    ui.result(format!(
                        "execute them with: cfnc --env {} execute (the primary region first)",
                        g.env
                    ));
                }
            }
            DeployOutcome::Executed(review, done) => {
                if ui.json {
                    let mut v = serde_json::to_value(&review).unwrap_or_default();
                    v["executed"] = serde_json::to_value(&done).unwrap_or_default();
                    ui.json_result(&v);
                } else {
                    for d in &done {
                        ui.result(format!("{} ({}): {}", d.stack, d.region, d.stack_status));
                    }
                }
            }
        }
        Ok(super::exit::OK)
    })
}
