//! `cfnc execute [ARN]`: execute exactly the reviewed change set.

use std::path::PathBuf;

use clap::Args;

use crate::aws::Aws;
use crate::cli::GlobalArgs;
use crate::deploy::{self, DeployError};
use crate::error::Error;
use crate::review::{NO_CHANGES, REVIEW_JSON, Review};

#[derive(Debug, Clone, Args)]
pub struct ExecuteArgs {
    /// The change set ARN; must be the one in the review file (default: the review's).
    pub arn: Option<String>,
    /// The review file written by `cfnc deploy --change-set` (default: cfnc.out/<env>/changeset.json).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, args: ExecuteArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let path = args
        .review
        .clone()
        .unwrap_or_else(|| deploy::build_output::out_dir(&project, &g.env).join(REVIEW_JSON));
    let review = Review::read(&path)?;
    if review.status == NO_CHANGES {
        ui.result(format!("no changes: the review in {} has nothing to execute", path.display()));
        return Ok(super::exit::OK);
    }
    if let Some(arn) = args.arn.as_ref().filter(|a| **a != review.change_set_arn) {
        return Err(DeployError::NotReviewed {
            arn: arn.clone(),
            reason: format!("{} reviews another change set ({})", path.display(), review.change_set_arn),
        }
        .into());
    }
    let labels = deploy::build_output::load_manifest_loose(&project, &g.env)
        .ok()
        .flatten()
        .map(|m| m.stacks.iter().filter_map(|s| s.logical_id.clone().map(|l| (l, s.name.clone()))).collect())
        .unwrap_or_default();
    super::runtime()?.block_on(async {
        let aws = Aws::load(&super::aws_options(g)).await?;
        let status = crate::rollout::execute_reviewed(&aws, &ui, &review, &labels).await?;
        if ui.json {
            ui.json_result(&serde_json::json!({
                "stack": review.stack,
                "change_set_arn": review.change_set_arn,
                "stack_status": status,
            }));
        } else {
            ui.result(format!("{}: {status}", review.stack));
        }
        Ok(super::exit::OK)
    })
}
