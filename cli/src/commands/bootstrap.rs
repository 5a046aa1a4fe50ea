//! `cfnc bootstrap`: create or update the staging bucket stack.

use clap::Args;

use crate::aws::Aws;
use crate::cli::GlobalArgs;
use crate::deploy::{self};
use crate::error::Error;

#[derive(Debug, Clone, Args)]
pub struct BootstrapArgs {
    /// When the bootstrap stack is in ROLLBACK_COMPLETE, delete it and create it again.
    #[arg(long)]
    pub replace_failed: bool,
}

pub fn run(g: &GlobalArgs, args: BootstrapArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    super::runtime()?.block_on(async {
        let aws = Aws::load(&super::aws_options(g)).await?;
        let bucket = deploy::run_bootstrap(&aws, &ui, args.replace_failed).await?;
        if ui.json {
            ui.json_result(&serde_json::json!({
                "stack": deploy::bootstrap::BOOTSTRAP_STACK,
                "region": aws.region,
                "staging_bucket": bucket,
                "bootstrap_version": deploy::bootstrap::BOOTSTRAP_VERSION,
            }));
        } else {
            ui.result(format!("staging bucket: {bucket}"));
        }
        Ok(super::exit::OK)
    })
}
