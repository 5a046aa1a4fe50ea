//! Command-line interface (clap derive): global options and one enum of commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Compile, validate, package and deploy CloudFormation from typed Rust.
#[derive(Debug, Parser)]
#[command(name = "cfnc", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Environment to build or deploy (selects stacks/config/<ENV>.yaml).
    #[arg(long, global = true, env = "CFNC_ENV", default_value = "dev")]
    pub env: String,
    /// AWS named profile (default: the standard credential chain).
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region (default: from the profile or AWS_REGION).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Endpoint URL for every AWS service, e.g. an emulator on http://127.0.0.1:5000.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Machine-readable JSON output where a command supports it.
    #[arg(long, global = true)]
    pub json: bool,
    /// More detail (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Project root (holds stacks/, lambda/, canary/); default: the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or update the staging-bucket stack `cfnc-bootstrap` (once per account and region).
    Bootstrap(crate::commands::bootstrap::BootstrapArgs),
    /// Upload the build, create a change set on the root stack and review it (root and nested);
    /// with --execute, execute exactly that change set.
    Deploy(crate::commands::deploy::DeployArgs),
    /// Execute a reviewed change set (the one in changeset.json), streaming stack events.
    Execute(crate::commands::execute::ExecuteArgs),
    /// Print the root stack's outputs (table, --json, or --outputs-file).
    Outputs(crate::commands::outputs::OutputsArgs),
    /// Delete the root stack and its nested stacks (says what is retained).
    Destroy(crate::commands::destroy::DestroyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}
