//! `cfnc destroy`: delete the root stack after confirmation; say what is retained.

use clap::Args;

use crate::aws::Aws;
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
        let aws = Aws::load(&super::aws_options(g)).await?;
        let done = deploy::destroy(&aws, &ui, &manifest, args.yes).await?;
        if ui.json {
            ui.json_result(&serde_json::to_value(&done).unwrap_or_default());
        } else if !done.existed {
            ui.result(format!("{} does not exist in {}: nothing to destroy", done.stack, aws.region));
        } else {
            ui.result(format!("{} deleted", done.stack));
            if !done.retained.is_empty() {
                ui.result("retained (DeletionPolicy; delete them by hand when no longer needed):");
                for r in &done.retained {
                    ui.result(format!("  {}/{} {} {}", r.stack, r.logical_id, r.type_name, r.physical_id));
                }
            }
        }
        Ok(super::exit::OK)
    })
}
