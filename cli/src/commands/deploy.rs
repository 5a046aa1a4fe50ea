//! `cfnc deploy --change-set [--execute [--yes]]`.

use clap::Args;

use crate::aws::Aws;
use crate::cli::GlobalArgs;
use crate::error::Error;
use crate::review::render;
use crate::rollout::{self, DeployOptions, DeployOutcome};

#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Deploy through a change set that is reviewed first (always the case; the flag is
    /// accepted to make scripts read clearly).
    #[arg(long)]
    pub change_set: bool,
    /// Execute the change set after the review (asks for confirmation on a terminal).
    #[arg(long)]
    pub execute: bool,
    /// Answer yes to every question deploy asks (CI): deploying a build whose config uses
    /// placeholder values, and with --execute executing the reviewed change set.
    #[arg(long)]
    pub yes: bool,
    /// Drift-aware change set: also revert resources whose live state drifted from the template
    /// (DeploymentMode REVERT_DRIFT).
    #[arg(long)]
    pub revert_drift: bool,
    /// When the root stack is in ROLLBACK_COMPLETE (its creation failed), delete it and create it again.
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
    };
    super::runtime()?.block_on(async {
        let aws = Aws::load(&super::aws_options(g)).await?;
        let outcome = rollout::deploy(&aws, &ui, &project, &g.env, &opts).await?;
        let out_dir = crate::deploy::build_output::out_dir(&project, &g.env);
        match outcome {
            DeployOutcome::NoChanges(review) => {
                if ui.json {
                    ui.json_result(&serde_json::to_value(&review).unwrap_or_default());
                } else {
                    ui.result(format!(
                        "no changes: {} already matches this build (empty change set deleted)",
                        review.stack
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
                        out_dir.join(crate::review::REVIEW_JSON).display(),
                        out_dir.join(crate::review::REVIEW_MD).display()
                    ));
                    ui.result(format!("change set: {}", review.change_set_arn));
                    ui.result(format!(
                        "execute it with: cfnc --env {} execute {}",
                        g.env, review.change_set_arn
                    ));
                }
            }
            DeployOutcome::Executed(review, status) => {
                if ui.json {
                    let mut v = serde_json::to_value(&review).unwrap_or_default();
                    v["stack_status"] = serde_json::Value::String(status);
                    ui.json_result(&v);
                } else {
                    ui.result(format!("{}: {status}", review.stack));
                }
            }
        }
        Ok(super::exit::OK)
    })
}
