//! `cfnc-codegen <repo root> [--out DIR] [--check]`: regenerates `src/resources`,
//! `src/schema/embedded.rs` and the service features of `Cargo.toml` from `schema/` (see the
//! library docs). `--out` writes the files
//! under another directory; `--check` writes nothing and exits 1 when the committed files differ.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cfnc-codegen <repo root> [--out DIR] [--check]";

fn main() -> ExitCode {
    let mut root = None;
    let mut out = None;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--out" => match args.next() {
                Some(d) => out = Some(PathBuf::from(d)),
                None => return usage("--out needs a directory"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if a.starts_with('-') => return usage(&format!("unknown option {a}")),
            _ if root.is_none() => root = Some(PathBuf::from(a)),
            _ => return usage(&format!("unexpected argument {a}")),
        }
    }
    let Some(root) = root else { return usage("missing the repository root") };
    let files = match cfnc_codegen::generate(&root) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cfnc-codegen: {e}");
            return ExitCode::from(2);
        }
    };
    if check {
        let diffs = cfnc_codegen::differences(&files, &root);
        for d in &diffs {
            println!("{d}");
        }
        return if diffs.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    }
    let out = out.unwrap_or(root);
    match cfnc_codegen::write(&files, &out) {
        Ok(()) => {
            println!("cfnc-codegen: {} files in {}", files.len(), out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cfnc-codegen: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("cfnc-codegen: {problem}\n{USAGE}");
    ExitCode::from(2)
}
