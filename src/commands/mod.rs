//! One module per command; `main` parses arguments, dispatches and renders errors.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};

pub mod bootstrap;
pub mod build;
pub mod deploy;
pub mod destroy;
pub mod diff;
pub mod execute;
pub mod outputs;
pub mod validate;

/// Exit codes, documented in the README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The command ran and found problems (validation errors, a failed deployment).
    pub const FINDINGS: u8 = 1;
    /// Bad usage or bad input (arguments, config, files).
    pub const USAGE: u8 = 2;
    /// An AWS or I/O fault.
    pub const FAULT: u8 = 3;
    /// Interrupted by Ctrl-C while AWS was still working (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

/// Entry point used by `main.rs`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = err.exit_code();
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(code)
        }
    }
}

/// Runs one parsed command line; returns its exit code.
pub fn run(cli: Cli) -> Result<u8, crate::error::Error> {
    match cli.command {
        Command::Validate(args) => validate::run(&args, &cli.global),
        Command::Build(args) => build::run(&cli.global, &args),
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

/// The project root: `--project` or the current directory.
pub(crate) fn project_dir(g: &crate::cli::GlobalArgs) -> std::path::PathBuf {
    g.project.clone().unwrap_or_else(|| std::path::PathBuf::from("."))
}
