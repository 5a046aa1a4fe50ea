//! `cfnc init DIR`: a new project (written by [`crate::project::init`]).

use std::path::PathBuf;

use clap::Args;

use crate::cli::GlobalArgs;
use crate::error::Error;

/// Arguments of `cfnc init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Directory of the new project (created if missing; must not hold a project already).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Name of the app's Cargo package and of its root stack (default: DIR's name).
    #[arg(long)]
    pub name: Option<String>,
    /// How the app depends on the cfnc library: a crates.io version requirement (default:
    /// this cfnc's version) or `path:DIR` for a local checkout of cfnc.
    #[arg(long, value_name = "VERSION|path:DIR")]
    pub cfnc: Option<String>,
}

/// Runs `cfnc init`.
pub fn run(global: &GlobalArgs, args: &InitArgs) -> Result<u8, Error> {
    let dependency = match args.cfnc.as_deref() {
        None => crate::project::init::Dependency::Version(env!("CARGO_PKG_VERSION").to_string()),
        Some(s) => match s.strip_prefix("path:") {
            Some(p) => crate::project::init::Dependency::Path(PathBuf::from(p)),
            None => crate::project::init::Dependency::Version(s.to_string()),
        },
    };
    let written = crate::project::init::write(&args.dir, args.name.as_deref(), &dependency)?;
    if !global.quiet {
        println!("created project {} ({} files):", args.dir.display(), written.files.len());
        for f in &written.files {
            println!("  {}", f.display());
        }
        println!(
            "\nnext:\n  cd {}\n  cfnc build            # compile the app, write cfnc.out/dev/\n  cfnc validate cfnc.out/dev/\n  cfnc bootstrap && cfnc deploy --change-set   # with AWS credentials",
            args.dir.display()
        );
    }
    Ok(cfnc::exit::OK)
}
