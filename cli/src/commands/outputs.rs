//! `cfnc outputs`: the root stack's outputs, in every region of the environment (or the one
//! `--region` names).

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;
use crate::deploy::{self, DeployError};
use crate::error::Error;

#[derive(Debug, Clone, Args)]
pub struct OutputsArgs {
    /// Also write the outputs as JSON to FILE: `{key: value}` for one region, `{region: {key:
    /// value}}` for several.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// The root stack (default: from the build output's manifest).
    #[arg(long)]
    pub stack: Option<String>,
}

type OutputMap = serde_json::Map<String, serde_json::Value>;

pub fn run(g: &GlobalArgs, args: OutputsArgs) -> Result<u8, Error> {
    let ui = super::ui(g);
    let project = super::project_dir(g);
    let manifest = deploy::build_output::manifest_for(&project, &g.env, args.stack.as_deref())?;
    super::runtime()?.block_on(async {
        let targets = super::region_targets(g, &manifest.rollout_regions()).await?;
        let mut all: Vec<(String, Vec<deploy::StackOutput>)> = Vec::new();
        for aws in &targets {
            all.push((aws.region.clone(), deploy::outputs(aws, &manifest.root_stack).await?));
        }
        let map_of = |outputs: &[deploy::StackOutput]| -> OutputMap {
            outputs.iter().map(|o| (o.key.clone(), serde_json::Value::String(o.value.clone()))).collect()
        };
        let by_region: OutputMap =
            all.iter().map(|(r, o)| (r.clone(), serde_json::Value::Object(map_of(o)))).collect();
        if let Some(file) = &args.outputs_file {
            let value = match all.as_slice() {
                [(_, only)] => serde_json::Value::Object(map_of(only)),
                _ => serde_json::Value::Object(by_region.clone()),
            };
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            std::fs::write(file, text).map_err(|e| DeployError::BadFile {
                path: file.clone(),
                reason: e.to_string(),
                help: Some("check that the directory exists and is writable".into()),
            })?;
        }
        if ui.json {
            let mut v = serde_json::json!({"stack": manifest.root_stack, "regions": by_region});
            if let [(region, only)] = all.as_slice() {
                v["region"] = serde_json::Value::String(region.clone());
                v["outputs"] = serde_json::Value::Object(map_of(only));
            }
            ui.json_result(&v);
            return Ok(super::exit::OK);
        }
        let several = all.len() > 1;
        for (i, (region, outputs)) in all.iter().enumerate() {
            if several {
                ui.result(format!("{}== {} ({region})", if i > 0 { "\n" } else { "" }, manifest.root_stack));
            }
            if outputs.is_empty() {
                ui.result(format!("{} has no outputs in {region}", manifest.root_stack));
                continue;
            }
            let kw = outputs.iter().map(|o| o.key.len()).max().unwrap_or(3).max(3);
            let vw = outputs.iter().map(|o| o.value.len()).max().unwrap_or(5).clamp(5, 100);
            ui.result(format!("{:<kw$}  {:<vw$}  EXPORT", "KEY", "VALUE"));
            for o in outputs {
                let line = format!("{:<kw$}  {:<vw$}  {}", o.key, o.value, o.export.as_deref().unwrap_or(""));
                ui.result(line.trim_end());
            }
        }
        Ok(super::exit::OK)
    })
}
