//! `cfnc build [--env ENV] [--out DIR]`: compile the project's app with cargo (when its
//! sources changed) and run it; the app validates and writes `DIR/<env>/` (default
//! `cfnc.out/<env>/`) and prints the summary (or JSON with `--json`).

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;
use crate::error::Error;
use crate::project::{self, BuildSettings, Project};

/// Arguments of `cfnc build`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Output root: the set is written to DIR/<env>/ (default: <project>/cfnc.out).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Development: add N synthetic resources (log groups, metric filters, alarms, composite
    /// alarms) to exercise automatic splitting at scale; the stack assignment lock is then
    /// stacks/config/<env>.synthetic.lock.json (README, "Scaling").
    #[arg(long, value_name = "N", hide = true)]
    pub synthetic: Option<usize>,
    /// Compile the app optimized (cargo's release profile): a slower first compile, a faster
    /// build of very large apps (thousands of resources) and for CI.
    #[arg(long, conflicts_with = "cargo_profile")]
    pub release: bool,
    /// The cargo profile to compile the app with (default: `[app] profile` of cfnc.toml, else dev).
    #[arg(long, value_name = "NAME")]
    pub cargo_profile: Option<String>,
}

/// The build settings of a command line.
pub fn settings(global: &GlobalArgs, args: &BuildArgs) -> BuildSettings {
    BuildSettings {
        env: global.env.clone(),
        out: args.out.clone(),
        json: global.json,
        quiet: global.quiet,
        verbose: global.verbose,
        synthetic: args.synthetic,
        cargo_profile: if args.release { Some("release".to_string()) } else { args.cargo_profile.clone() },
    }
}

/// Runs `cfnc build`: the app's exit code is the command's.
pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<u8, Error> {
    let project = Project::find(global.project.as_deref())?;
    Ok(project::build(&project, &settings(global, args))?)
}
