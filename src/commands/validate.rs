//! `cfnc validate FILE... [--format human|json|sarif] [--strict]`.

use std::io::{IsTerminal, Read, Write};

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::commands::exit;
use crate::error::Error;
use crate::reader::{self, Limits};
use crate::validate::output::{self, Format};
use crate::validate::{self, Finding, Severity, rules};

/// Runs `cfnc validate`; returns the exit code (0 clean, 1 findings, 2 unreadable input).
pub fn run(args: &ValidateArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let mut stdout = std::io::stdout().lock();
    let write_err = |e| Error::io("write", "<stdout>", e);
    if args.list_rules {
        stdout.write_all(rules::markdown().as_bytes()).map_err(write_err)?;
        return Ok(exit::OK);
    }
    let format = if global.json { Format::Json } else { args.format };
    let mut findings: Vec<Finding> = Vec::new();
    let mut unreadable = 0usize;
    for path in &args.files {
        let loaded = if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            let limits = Limits::default();
            std::io::stdin()
                .lock()
                .take(limits.max_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io("read", "<stdin>", e))?;
            reader::parse_bytes(bytes, "<stdin>", limits)
        } else {
            reader::load(path)
        };
        match loaded {
            Ok(l) => findings.extend(validate::validate_loaded(&l)),
            Err(e) => {
                unreadable += 1;
                let name =
                    if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
                findings.push(validate::read_error_finding(&e, &name));
                if format == Format::Human {
                    let _ = writeln!(std::io::stderr(), "{:?}", miette::Report::new(e));
                }
            }
        }
    }
    let shown: Vec<Finding> = if global.quiet && format == Format::Human {
        findings.iter().filter(|f| f.severity == Severity::Error && f.code != "CFN0001").cloned().collect()
    } else if format == Format::Human {
        // Unreadable files were rendered as diagnostics on stderr already.
        findings.iter().filter(|f| f.code != "CFN0001").cloned().collect()
    } else {
        findings.clone()
    };
    let text = match format {
        Format::Human => {
            let color = output::use_color(std::io::stdout().is_terminal());
            // Unreadable files are not "clean": count only the files read, and say the rest.
            let mut text = output::human(&shown, args.files.len() - unreadable, color);
            if unreadable > 0 {
                let files = if unreadable == 1 { "file" } else { "files" };
                text.push_str(&format!("{unreadable} {files} could not be read (see above)\n"));
            }
            text
        }
        Format::Json => output::json(&shown, args.files.len()),
        Format::Sarif => output::sarif(&shown),
    };
    stdout.write_all(text.as_bytes()).map_err(write_err)?;
    Ok(if unreadable > 0 {
        exit::USAGE
    } else if validate::fails(&findings, args.strict) {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
