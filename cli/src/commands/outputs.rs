//! `cfnc outputs`: the root stack's outputs.

use std::path::PathBuf;

use clap::Args;

use crate::aws::Aws;
use crate::cli::GlobalArgs;
use crate::deploy::{self, DeployError};
use crate::error::Error;

#[derive(Debug, Clone, Args)]
pub struct OutputsArgs {
    /// Also write the outputs as a JSON object {key: value} to FILE.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// The root stack (default: from the build output's manifest).
    #[arg(long)]
    pub stack: Option<String>,
}

pub fn run(g: &GlobalArgs, args: OutputsArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let manifest = deploy::build_output::manifest_for(&project, &g.env, args.stack.as_deref())?;
    super::runtime()?.block_on(async {
        let aws = Aws::load(&super::aws_options(g)).await?;
        let outputs = deploy::outputs(&aws, &manifest.root_stack).await?;
        let map: serde_json::Map<String, serde_json::Value> =
            outputs.iter().map(|o| (o.key.clone(), serde_json::Value::String(o.value.clone()))).collect();
        if let Some(file) = &args.outputs_file {
            let mut text = serde_json::to_string_pretty(&map).unwrap_or_default();
            text.push('\n');
            std::fs::write(file, text).map_err(|e| DeployError::BadFile {
                path: file.clone(),
                reason: e.to_string(),
                help: Some("check that the directory exists and is writable".into()),
            })?;
        }
        if ui.json {
            ui.json_result(&serde_json::json!({"stack": manifest.root_stack, "outputs": map}));
        } else if outputs.is_empty() {
            ui.result(format!("{} has no outputs", manifest.root_stack));
        } else {
            let kw = outputs.iter().map(|o| o.key.len()).max().unwrap_or(3).max(3);
            let vw = outputs.iter().map(|o| o.value.len()).max().unwrap_or(5).clamp(5, 100);
            ui.result(format!("{:<kw$}  {:<vw$}  EXPORT", "KEY", "VALUE"));
            for o in &outputs {
                let line = format!("{:<kw$}  {:<vw$}  {}", o.key, o.value, o.export.as_deref().unwrap_or(""));
                ui.result(line.trim_end());
            }
        }
        Ok(super::exit::OK)
    })
}
