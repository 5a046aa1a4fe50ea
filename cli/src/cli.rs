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
    #[arg(long, global = true, env = "CFNC_ENV", default_value = "dev", value_parser = parse_env_name)]
    pub env: String,
    /// AWS named profile (default: the standard credential chain).
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// The region to act on: one of the environment's `regions` (default: all of them, the
    /// primary region first); for an environment without `regions`, the AWS region (default:
    /// from the profile or AWS_REGION).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Endpoint URL for every AWS service, e.g. an emulator on http://127.0.0.1:5000.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_parser = parse_endpoint_url)]
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
    /// Project root (holds cfnc.toml); default: the current directory or its nearest parent
    /// with a cfnc.toml.
    #[arg(long, global = true, value_name = "DIR")]
    pub project: Option<PathBuf>,
}

/// `--env`: the name ends every resource name and selects `stacks/config/<ENV>.yaml` and
/// `cfnc.out/<ENV>/`, so it is checked before it becomes part of a path.
fn parse_env_name(s: &str) -> Result<String, String> {
    if cfnc::config::is_env_name(s) {
        Ok(s.to_string())
    } else {
        Err("use 1 to 20 lowercase letters, digits and `-`, starting with a letter (e.g. dev, prod)"
            .to_string())
    }
}

/// `--endpoint-url` / `AWS_ENDPOINT_URL`: an absolute http(s) URL (the SDK's own message for
/// anything else is a dump of the request it could not send).
fn parse_endpoint_url(s: &str) -> Result<String, String> {
    cfnc::config::check_url(s)
        .map(|()| s.to_string())
        .map_err(|why| format!("{why} (e.g. http://127.0.0.1:5000 for an emulator)"))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate CloudFormation templates (JSON or YAML, short-form tags included) against the
    /// resource schemas and template rules. Exit 0: clean; 1: errors (or warnings with
    /// --strict); 2: a file cannot be read or bad usage.
    Validate(ValidateArgs),
    /// Build the project's app: compile it with cargo (when its sources changed) and run it;
    /// it compiles, validates and packages the stacks into cfnc.out/<env>/ (no AWS access).
    Build(crate::commands::build::BuildArgs),
    /// Create a new project in DIR: cfnc.toml, a Cargo workspace with an app of one stack, and
    /// stacks/config/dev.yaml; it builds and validates clean.
    Init(crate::commands::init::InitArgs),
    /// Predict what a deployment changes: compare two template sets offline (replacements,
    /// deletions, IAM and security-group widening).
    Diff(crate::commands::diff::DiffArgs),
    /// Create or update the staging-bucket stack `cfnc-bootstrap` in every region of the
    /// environment (once per account and region).
    Bootstrap(crate::commands::bootstrap::BootstrapArgs),
    /// Upload the build to every region, create a change set on each region's root stack and
    /// review them all (root and nested) in one review; with --execute, execute exactly those.
    Deploy(crate::commands::deploy::DeployArgs),
    /// Execute the reviewed change sets (changeset.json), the primary region first, streaming
    /// stack events.
    Execute(crate::commands::execute::ExecuteArgs),
    /// Print the root stack's outputs in every region (table, --json, or --outputs-file).
    Outputs(crate::commands::outputs::OutputsArgs),
    /// Delete the root stack and its nested stacks in every region (says what is retained).
    Destroy(crate::commands::destroy::DestroyArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
}

/// Arguments of `cfnc validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Template files (JSON or YAML); `-` reads standard input; a directory means the
    /// templates in it and below (files naming a Resources or AWSTemplateFormatVersion section).
    #[arg(value_name = "FILE", required_unless_present = "list_rules")]
    pub files: Vec<PathBuf>,
    /// Output format (the global --json is the same as --format json).
    #[arg(long, value_enum, default_value = "human")]
    pub format: ValidateFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Print the rule table (Markdown, as in docs/rules.md) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Output formats of `cfnc validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    /// One line per finding (colour on a terminal).
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0 (code-scanning tools).
    Sarif,
}

impl From<ValidateFormat> for cfnc::validate::output::Format {
    fn from(f: ValidateFormat) -> Self {
        use cfnc::validate::output::Format;
        match f {
            ValidateFormat::Human => Format::Human,
            ValidateFormat::Json => Format::Json,
            ValidateFormat::Sarif => Format::Sarif,
        }
    }
}
