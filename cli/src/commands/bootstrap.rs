//! `cfnc bootstrap`: create or update the staging bucket stack in every region of the
//! environment (the config's `regions`, read without building), or in the one region of the
//! AWS configuration.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::deploy::{self};
use crate::error::Error;

#[derive(Debug, Clone, Args)]
pub struct BootstrapArgs {
    /// When the bootstrap stack is in ROLLBACK_COMPLETE, delete it and create it again.
    #[arg(long)]
    pub replace_failed: bool,
}

/// The environment's regions in rollout order, from `stacks/config/<env>.yaml` (only the
/// library's keys are read: the app is not built); none when the project has no config.
pub(crate) fn configured_regions(g: &GlobalArgs) -> Result<Vec<String>, Error> {
    let project = super::project_dir(g);
    if !cfnc::config::config_path(&project, &g.env).is_file() {
        return Ok(Vec::new());
    }
    let config = cfnc::config::CommonConfig::load(&project, &g.env)
        .map_err(|e| Error::from(cfnc::build::BuildError::from(e)))?;
    Ok(config.rollout_regions())
}

pub fn run(g: &GlobalArgs, args: BootstrapArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let regions = configured_regions(g)?;
    super::runtime()?.block_on(async {
        let targets = super::region_targets(g, &regions).await?;
        let several = targets.len() > 1;
        let mut done = Vec::new();
        for aws in &targets {
            let ui = if several { ui.in_region(&aws.region) } else { ui.clone() };
            let bucket = deploy::run_bootstrap(aws, &ui, args.replace_failed).await?;
            done.push(serde_json::json!({"region": aws.region, "staging_bucket": bucket}));
            if !ui.json {
                ui.result(format!("staging bucket: {bucket}"));
            }
        }
        if ui.json {
            let mut v = serde_json::json!({
                "stack": deploy::bootstrap::BOOTSTRAP_STACK,
                "bootstrap_version": deploy::bootstrap::BOOTSTRAP_VERSION,
                "regions": done,
            });
            if let [only] = done.as_slice() {
                v["region"] = only["region"].clone();
                v["staging_bucket"] = only["staging_bucket"].clone();
            }
            ui.json_result(&v);
        }
        Ok(super::exit::OK)
    })
}
