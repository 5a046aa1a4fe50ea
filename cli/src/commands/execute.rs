//! `cfnc execute [ARN] [--parallel]`: execute exactly the reviewed change sets, the primary
//! region first.

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;
use crate::deploy::{self, DeployError};
use crate::error::Error;
use crate::review::{REVIEW_JSON, Review};

#[derive(Debug, Clone, Args)]
pub struct ExecuteArgs {
    /// A change set ARN; must be one of those in the review file, and then only its region is
    /// executed (default: every region of the review).
    pub arn: Option<String>,
    /// The review file written by `cfnc deploy --change-set` (default: cfnc.out/<env>/changeset.json).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
    /// After the primary region, execute the other regions at the same time (default: one
    /// after another).
    #[arg(long)]
    pub parallel: bool,
}

pub fn run(g: &GlobalArgs, args: ExecuteArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let path = args
        .review
        .clone()
        .unwrap_or_else(|| deploy::build_output::out_dir(&project, &g.env).join(REVIEW_JSON));
    let review = Review::read(&path)?;
    if review.has_no_changes() {
        ui.result(format!("no changes: the review in {} has nothing to execute", path.display()));
        return Ok(super::exit::OK);
    }
    // An ARN selects its region (it must be one the review has).
    let mut g = g.clone();
    if let Some(arn) = &args.arn {
        match review.regions.iter().find(|r| r.change_set_arn == *arn) {
            Some(r) => g.region = Some(r.region.clone()),
            None => {
                let reviewed: Vec<&str> = review.regions.iter().map(|r| r.change_set_arn.as_str()).collect();
                return Err(DeployError::NotReviewed {
                    arn: arn.clone(),
                    reason: format!("{} reviews other change sets ({})", path.display(), reviewed.join(", ")),
                }
                .into());
            }
        }
    }
    let labels = deploy::build_output::load_manifest_loose(&project, &g.env)
        .ok()
        .flatten()
        .map(|m| m.stacks.iter().filter_map(|s| s.logical_id.clone().map(|l| (l, s.name.clone()))).collect())
        .unwrap_or_default();
    // The review's regions (its region, for an environment without configured regions).
    let regions: Vec<String> = review.regions.iter().map(|r| r.region.clone()).collect();
    super::runtime()?.block_on(async {
        let targets = super::region_targets(&g, &regions).await?;
        let done = crate::rollout::execute_review(&targets, &ui, &review, &labels, args.parallel).await?;
        if ui.json {
            ui.json_result(&serde_json::json!({
                "change_set_name": review.change_set_name,
                "executed": done,
            }));
        } else {
            for d in &done {
                ui.result(format!("{} ({}): {}", d.stack, d.region, d.stack_status));
            }
        }
        Ok(super::exit::OK)
    })
}
