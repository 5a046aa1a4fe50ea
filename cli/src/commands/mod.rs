//! One module per command; `main` parses arguments, dispatches and renders errors.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, GlobalArgs};

pub mod bootstrap;
pub mod build;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod execute;
pub mod init;
pub mod outputs;
pub mod validate;

/// Exit codes, documented in the README (shared with the apps `cfnc build` runs).
pub use cfnc::exit;

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    // A panic is a bug in cfnc, never the user's input: say so plainly (exit code 101).
    cfnc::app::report_panics_as_bugs(
        "cfnc: internal error (a bug in cfnc, not in your input)",
        "please report it with the command line and, if you can, the input that caused it",
    );
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = err.exit_code();
            // Written, not `eprintln!`: a closed stderr (`cfnc ... 2>&1 | head`) is no reason to panic.
            let _ = writeln!(std::io::stderr(), "{:?}", miette::Report::new(err));
            ExitCode::from(code)
        }
    }
}

/// Runs one parsed command line; returns its exit code.
pub fn run(cli: Cli) -> Result<u8, crate::error::Error> {
    match cli.command {
        Command::Validate(args) => validate::run(&args, &cli.global),
        Command::Build(args) => build::run(&cli.global, &args),
        Command::Init(args) => init::run(&cli.global, &args),
        Command::Diff(args) => diff::run(&cli.global, &args),
        Command::Bootstrap(args) => bootstrap::run(&cli.global, args),
        Command::Deploy(args) => deploy::run(&cli.global, args),
        Command::Execute(args) => execute::run(&cli.global, args),
        Command::Outputs(args) => outputs::run(&cli.global, args),
        Command::Destroy(args) => destroy::run(&cli.global, args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "cfnc", &mut std::io::stdout());
            Ok(exit::OK)
        }
    }
}

/// A tokio runtime for one AWS command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, crate::error::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| crate::error::Error::io("start the async runtime for", "<runtime>", e))
}

/// Where and as whom to talk to AWS, from the global options.
pub(crate) fn aws_options(g: &GlobalArgs) -> crate::aws::AwsOptions {
    crate::aws::AwsOptions {
        profile: g.profile.clone(),
        region: g.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
    }
}

/// The AWS clients of the regions a command acts on: `regions` (the environment's, in rollout
/// order; empty: the one region of the AWS configuration), or the one `--region` names.
pub(crate) async fn region_targets(
    g: &GlobalArgs,
    regions: &[String],
) -> Result<Vec<crate::aws::Aws>, crate::error::Error> {
    let opts = aws_options(g);
    let config = crate::aws::load_config(&opts).await;
    Ok(crate::aws::targets(&config, &opts, regions, &g.env)?)
}

/// How to talk to the person or the CI log, from the global options.
pub(crate) fn ui(g: &GlobalArgs) -> crate::deploy::ui::Ui {
    crate::deploy::ui::Ui::new(g.quiet, g.json, g.verbose)
}

/// The project root: `--project` or the current directory.
pub(crate) fn project_dir(g: &GlobalArgs) -> std::path::PathBuf {
    g.project.clone().unwrap_or_else(|| std::path::PathBuf::from("."))
}
