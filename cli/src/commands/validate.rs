//! `cfnc validate FILE... [--format human|json|sarif] [--strict]`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::error::Error;
use cfnc::exit;
use cfnc::reader::{self, Limits};
use cfnc::validate::output::{self, Format};
use cfnc::validate::{self, Finding, Severity, rules};

/// Template file extensions looked for in a directory argument.
const TEMPLATE_EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// One thing to validate.
enum Input {
    /// `-`: standard input.
    Stdin,
    /// A file named on the command line.
    File(PathBuf),
    /// A template found in a directory, with the bytes read to recognise it (read once).
    Found(PathBuf, Vec<u8>),
    /// A directory argument holding no template.
    EmptyDir(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) | Input::Found(p, _) | Input::EmptyDir(p) => p.display().to_string(),
        }
    }
}

/// The inputs: each argument as given, and for a directory the templates in it and below
/// (sorted; hidden directories, `node_modules` and `target` skipped). A file in a directory
/// counts as a template when it names a `Resources` or `AWSTemplateFormatVersion` section, so
/// `manifest.json`, `package.json` and the like are left out.
fn expand(args: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if arg.is_dir() {
            let before = out.len();
            collect(arg, 0, &mut out);
            if out.len() == before {
                out.push(Input::EmptyDir(arg.clone()));
            }
        } else {
            out.push(Input::File(arg.clone()));
        }
    }
    out
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<Input>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if depth < 16 && !name.starts_with('.') && name != "node_modules" && name != "target" {
                collect(&path, depth + 1, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| TEMPLATE_EXTENSIONS.iter().any(|t| e.eq_ignore_ascii_case(t)))
            && let Some(bytes) = template_bytes(&path)
        {
            out.push(Input::Found(path, bytes));
        }
    }
}

/// The file's bytes (up to one byte over the reader's limit, which the reader then refuses)
/// when it looks like a template.
fn template_bytes(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(Limits::default().max_bytes + 1).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    (text.contains("Resources") || text.contains("AWSTemplateFormatVersion")).then_some(bytes)
}

/// Runs `cfnc validate`; returns the exit code (0 clean, 1 findings, 2 unreadable input).
pub fn run(args: &ValidateArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let mut stdout = std::io::stdout().lock();
    let write_err = |e| Error::io("write", "<stdout>", e);
    if args.list_rules {
        stdout.write_all(rules::markdown().as_bytes()).map_err(write_err)?;
        return Ok(exit::OK);
    }
    let format = if global.json { Format::Json } else { args.format.into() };
    let mut findings: Vec<Finding> = Vec::new();
    let mut unreadable = 0usize;
    let files = expand(&args.files);
    let count = files.len();
    for input in files {
        let name = input.name();
        let loaded = match input {
            Input::Stdin => {
                let mut bytes = Vec::new();
                let limits = Limits::default();
                std::io::stdin()
                    .lock()
                    .take(limits.max_bytes + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io("read", "<stdin>", e))?;
                reader::parse_bytes(bytes, &name, limits)
            }
            Input::File(path) => reader::load(&path),
            Input::Found(_, bytes) => reader::parse_bytes(bytes, &name, Limits::default()),
            Input::EmptyDir(path) => Err(reader::ReadError::Io {
                path,
                source: std::io::Error::other(
                    "is a directory without any CloudFormation template (a .json, .yaml, .yml or .template \
                     file naming a Resources or AWSTemplateFormatVersion section)",
                ),
            }),
        };
        match loaded {
            Ok(l) => findings.extend(validate::validate_loaded(&l)),
            Err(e) => {
                unreadable += 1;
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
            let mut text = output::human(&shown, count - unreadable, color);
            if unreadable > 0 {
                let files = if unreadable == 1 { "file" } else { "files" };
                text.push_str(&format!("{unreadable} {files} could not be read (see above)\n"));
            }
            text
        }
        Format::Json => output::json(&shown, count),
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
