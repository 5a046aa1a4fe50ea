//! The entry point of an app: `fn main() -> ExitCode { cfnc::app::main(build) }`.
//!
//! An app is the program `cfnc build` compiles and runs (like a CDK app that writes a cloud
//! assembly): it reads its environment config, builds its stacks, and writes
//! `cfnc.out/<env>/` through [`crate::build::build`]. [`main`] is that program's command
//! line, the same options `cfnc build` passes on:
//!
//! ```text
//! <app> [--env ENV] [--project DIR] [--out DIR] [--json] [-q] [-v] [--synthetic N]
//! ```
//!
//! - `--env` (or `CFNC_ENV`, default `dev`) selects `stacks/config/<ENV>.yaml`;
//! - `--project` (or `CFNC_PROJECT`, default the current directory) is the project root;
//! - `--out DIR` writes to `DIR/<env>/` instead of `<project>/cfnc.out/<env>/`;
//! - `--json` prints the summary as JSON, `-q` only errors, `-v` also the validator's notes;
//! - `--synthetic N` adds N synthetic resources (scale testing, see [`crate::synthetic`]).
//!
//! Progress goes to stderr, the summary to stdout; the exit code is one of [`crate::exit`]
//! (`cfnc build` passes it through).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use crate::build::{self, AppFn, BuildError, Finding, Report, Request, Severity, Step};
use crate::config::{Settings, is_env_name};
use crate::exit;

/// What the command line of an app asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub env: String,
    pub project: PathBuf,
    pub out: Option<PathBuf>,
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub synthetic: Option<usize>,
}

/// The usage text of an app's command line.
pub const USAGE: &str = "\
usage: <app> [--env ENV] [--project DIR] [--out DIR] [--json] [-q] [-v] [--synthetic N]

Builds this app's stacks into DIR/<env>/ (default <project>/cfnc.out/<env>/): compiles the
root and nested templates, validates them, packages the assets and writes manifest.json.
`cfnc build` compiles and runs this program for you.

  --env ENV        environment: stacks/config/<ENV>.yaml (default: $CFNC_ENV or dev)
  --project DIR    project root (default: $CFNC_PROJECT or the current directory)
  --out DIR        output root (default: <project>/cfnc.out)
  --json           print the summary as JSON
  -q, --quiet      print only errors
  -v, --verbose    also print the validator's notes
  --synthetic N    add N synthetic resources (scale testing)
";

impl Options {
    /// Parses the arguments (without the program name). `Err` holds the message for a usage
    /// error; `Ok(None)` means `--help` was asked for.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Option<Options>, String> {
        let mut o = Options {
            env: std::env::var("CFNC_ENV").ok().filter(|e| !e.is_empty()).unwrap_or_else(|| "dev".into()),
            project: std::env::var_os("CFNC_PROJECT")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".")),
            out: None,
            json: false,
            quiet: false,
            verbose: 0,
            synthetic: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--env" => o.env = value("--env")?,
                "--project" => o.project = PathBuf::from(value("--project")?),
                "--out" => o.out = Some(PathBuf::from(value("--out")?)),
                "--synthetic" => {
                    let v = value("--synthetic")?;
                    o.synthetic =
                        Some(v.parse().map_err(|_| format!("--synthetic takes a count, not `{v}`"))?);
                }
                "--json" => o.json = true,
                "-q" | "--quiet" => o.quiet = true,
                "-v" | "--verbose" => o.verbose = o.verbose.saturating_add(1),
                "-vv" => o.verbose = o.verbose.saturating_add(2),
                other => return Err(format!("unexpected argument `{other}`")),
            }
        }
        if !is_env_name(&o.env) {
            return Err(format!(
                "invalid environment `{}`: use 1 to 20 lowercase letters, digits and `-`, starting with a letter (e.g. dev, prod)",
                o.env
            ));
        }
        Ok(Some(o))
    }

    /// The build request these options describe.
    pub fn request(&self) -> Request {
        let mut req = Request::new(&self.project, &self.env);
        if let Some(out) = &self.out {
            req.out_root = out.clone();
        }
        req.synthetic = self.synthetic;
        req
    }
}

/// The `main` of an app: parses the command line, builds, prints, and returns the exit code.
pub fn main<S: Settings>(
    app: impl Fn(&mut build::Context<'_, S>) -> Result<crate::compile::App, BuildError>,
) -> ExitCode {
    report_panics_as_bugs(
        "internal error (a bug in the app or in cfnc, not in your config)",
        "please report it with the command line and, if you can, the config that caused it",
    );
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            let _ = write!(std::io::stdout(), "{USAGE}");
            return ExitCode::from(exit::OK);
        }
        Err(why) => {
            let _ = writeln!(std::io::stderr(), "error: {why}\n\n{USAGE}");
            return ExitCode::from(exit::USAGE);
        }
    };
    ExitCode::from(run(&opts, &app))
}

/// Makes a panic print one plain line, `<what>: <payload> at <file>:<line>`, and a `help:`
/// line, instead of Rust's default message (the exit code stays 101, [`exit::BUG`]).
pub fn report_panics_as_bugs(what: &'static str, help: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let _ = writeln!(std::io::stderr(), "{what}: {payload}{at}\nhelp: {help}");
    }));
}

/// Builds with `opts`, printing progress, the summary and errors; returns the exit code.
pub fn run<S: Settings>(opts: &Options, app: &AppFn<'_, S>) -> u8 {
    let mut progress = progress_printer(opts);
    let result = build::build(&opts.request(), app, &mut progress);
    report(opts, result)
}

/// Progress lines on stderr (dimmed on a terminal), none with `-q` or `--json`.
fn progress_printer(opts: &Options) -> impl FnMut(Step) {
    let quiet = opts.quiet || opts.json;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    move |step: Step| {
        if quiet {
            return;
        }
        let line = match step {
            Step::Config(p) => format!("config     {}", p.display()),
            Step::Packaged { name, bytes } => format!("packaged   {name} ({bytes} bytes)"),
            Step::Compiled { templates } => format!("compiled   {templates} templates"),
            Step::Validated { errors, warnings, notes } => {
                format!("validated  {errors} errors, {warnings} warnings, {notes} notes")
            }
            Step::Written(p) => format!("wrote      {}", p.display()),
        };
        // A closed stderr (`cfnc build 2>&1 | head`) must not abort the build.
        let _ = if color {
            writeln!(std::io::stderr(), "\x1b[2m{line}\x1b[0m")
        } else {
            writeln!(std::io::stderr(), "{line}")
        };
    }
}

/// Prints the outcome of a build (summary, warnings, or the error); returns the exit code.
fn report(opts: &Options, result: Result<Report, BuildError>) -> u8 {
    match result {
        Ok(report) => {
            if !opts.quiet && !opts.json {
                let mut err = std::io::stderr().lock();
                for w in &report.config_warnings {
                    let _ = writeln!(err, "warning: {w}");
                }
                for w in report.split.warnings() {
                    let _ = writeln!(err, "{w}");
                }
            }
            let mut out = std::io::stdout().lock();
            let written = if opts.json {
                serde_json::to_writer_pretty(&mut out, &JsonSummary::from(&report))
                    .map_err(std::io::Error::other)
                    .and_then(|()| writeln!(out))
            } else if opts.quiet {
                Ok(())
            } else {
                write!(out, "{}", summary_table(&report))
                    .and_then(|()| print_findings(&mut out, &report.findings, opts.verbose))
            };
            match written {
                Ok(()) => exit::OK,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
                    exit::FAULT
                }
            }
        }
        Err(e) => {
            if let BuildError::Invalid { errors, warnings } = &e {
                let mut err = std::io::stderr().lock();
                let _ = print_findings(&mut err, errors, 0);
                let _ = print_findings(&mut err, warnings, 0);
            }
            let code = e.exit_code();
            let _ = writeln!(std::io::stderr(), "{:?}", miette::Report::new(e));
            code
        }
    }
}

/// One line per finding, as `cfnc validate` prints them; notes only with `-v`.
fn print_findings(out: &mut dyn Write, findings: &[Finding], verbose: u8) -> std::io::Result<()> {
    for f in findings {
        if f.severity == Severity::Info && verbose == 0 {
            continue;
        }
        writeln!(out, "{}: {}[{}]: {} (at {})", f.location(), f.severity, f.code, f.message, f.pointer)?;
    }
    Ok(())
}

/// The human summary: one row per template, then the assets, the split, where it went.
pub fn summary_table(report: &Report) -> String {
    let m = &report.manifest;
    let mut rows: Vec<[String; 6]> =
        vec![["stack", "resources", "parameters", "outputs", "bytes", "findings"].map(String::from)];
    for s in &m.stacks {
        rows.push([
            s.name.clone(),
            s.resources.to_string(),
            s.parameters.to_string(),
            s.outputs.to_string(),
            s.bytes.to_string(),
            report.findings_in(&s.file).to_string(),
        ]);
    }
    let total = |f: fn(&crate::manifest::StackEntry) -> u64| m.stacks.iter().map(f).sum::<u64>().to_string();
    rows.push([
        "total".into(),
        total(|s| s.resources as u64),
        total(|s| s.parameters as u64),
        total(|s| s.outputs as u64),
        total(|s| s.bytes),
        report.findings.iter().filter(|f| f.severity != Severity::Info).count().to_string(),
    ]);
    let mut out = table(&rows);
    if !m.assets.is_empty() {
        out.push('\n');
        let mut assets = vec![["asset", "bytes", "sha256"].map(String::from)];
        for a in &m.assets {
            assets.push([a.name.clone(), a.bytes.to_string(), a.sha256.chars().take(12).collect()]);
        }
        out.push_str(&table(&assets));
    }
    let split = report.split.summary_lines();
    if !split.is_empty() {
        out.push('\n');
        split.iter().for_each(|l| {
            out.push_str(l);
            out.push('\n');
        });
    }
    let regions = match m.rollout_regions().as_slice() {
        [] => String::new(),
        [primary, rest @ ..] => {
            let rest: String = rest.iter().map(|r| format!(", {r}")).collect();
            format!(", deployed to {primary} (primary){rest}")
        }
    };
    out.push_str(&format!("\n{} ({} for {}{regions})\n", report.out_dir.display(), m.root_stack, m.env));
    out
}

fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> =
            r.iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 { format!("{c:<w$}", w = widths[i]) } else { format!("{c:>w$}", w = widths[i]) }
                })
                .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `--json` output: the manifest's stacks and assets with finding counts and the output dir.
#[derive(Serialize)]
struct JsonSummary<'a> {
    out_dir: String,
    env: &'a str,
    root_stack: &'a str,
    config_sha256: &'a str,
    stacks: Vec<JsonStack<'a>>,
    assets: &'a [crate::manifest::AssetEntry],
    findings: &'a [Finding],
    config_warnings: &'a [String],
    split: &'a crate::compile::split::Split,
}

#[derive(Serialize)]
struct JsonStack<'a> {
    #[serde(flatten)]
    entry: &'a crate::manifest::StackEntry,
    findings: usize,
}

impl<'a> From<&'a Report> for JsonSummary<'a> {
    fn from(r: &'a Report) -> Self {
        JsonSummary {
            out_dir: r.out_dir.display().to_string(),
            env: &r.manifest.env,
            root_stack: &r.manifest.root_stack,
            config_sha256: &r.manifest.config_sha256,
            stacks: r
                .manifest
                .stacks
                .iter()
                .map(|s| JsonStack { entry: s, findings: r.findings_in(&s.file) })
                .collect(),
            assets: &r.manifest.assets,
            findings: &r.findings,
            config_warnings: &r.config_warnings,
            split: &r.split,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options_parse_like_cfnc_build() {
        let o = parse(&["--env", "prod", "--out=/tmp/x", "--json", "-v", "-v", "--synthetic", "12"])
            .unwrap()
            .unwrap();
        assert_eq!(o.env, "prod");
        assert_eq!(o.out, Some(PathBuf::from("/tmp/x")));
        assert!(o.json && !o.quiet);
        assert_eq!((o.verbose, o.synthetic), (2, Some(12)));
        assert_eq!(parse(&["--help"]).unwrap(), None);
        assert!(parse(&["--env"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--env", "Prod"]).unwrap_err().contains("invalid environment"));
        assert!(parse(&["--synthetic", "many"]).unwrap_err().contains("count"));
        assert!(parse(&["build"]).unwrap_err().contains("unexpected argument `build`"));
    }
}
