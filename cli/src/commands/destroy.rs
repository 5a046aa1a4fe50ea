//! `cfnc destroy`: delete the root stack in every region of the environment (or the one
//! `--region` names) after one confirmation; say what is retained.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::deploy::{self};
use crate::error::Error;

#[derive(Debug, Clone, Args)]
pub struct DestroyArgs {
    /// Do not ask for confirmation (CI).
    #[arg(long)]
    pub yes: bool,
    /// The root stack (default: from the build output's manifest).
    #[arg(long)]
    pub stack: Option<String>,
}

pub fn run(g: &GlobalArgs, args: DestroyArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let manifest = deploy::build_output::manifest_for(&project, &g.env, args.stack.as_deref())?;
    super::runtime()?.block_on(async {
        let targets = super::region_targets(g, &manifest.rollout_regions()).await?;
        let done = deploy::destroy(&targets, &ui, &manifest, args.yes).await?;
        if ui.json {
            let mut v = serde_json::json!({"stack": manifest.root_stack, "regions": done});
            if let [only] = done.as_slice() {
                v["existed"] = serde_json::Value::Bool(only.existed);
                v["retained"] = serde_json::to_value(&only.retained).unwrap_or_default();
            }
            ui.json_result(&v);
            return Ok(super::exit::OK);
        }
        for d in &done {
            if !d.existed {
                ui.result(format!("{} does not exist in {}: nothing to destroy", d.stack, d.region));
                continue;
            }
            ui.result(format!("{} deleted in {}", d.stack, d.region));
            if !d.retained.is_empty() {
                ui.result(format!(
                    "retained in {} (DeletionPolicy; delete them by hand when no longer needed):",
                    d.region
                ));
                for r in &d.retained {
                    ui.result(format!("  {}/{} {} {}", r.stack, r.logical_id, r.type_name, r.physical_id));
                }
            }
        }
        Ok(super::exit::OK)
    })
}
