//! `cfnc build [--env ENV] [--out DIR]`: compile, validate and package the platform into
//! `DIR/<env>/` (default `cfnc.out/<env>/`), then print a summary (or JSON with `--json`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::build::{self, BuildError, Finding, PlatformFn, Report, Request, Step};
use crate::cli::GlobalArgs;
use crate::commands::exit;
use crate::error::Error;

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
}

/// Runs `cfnc build` with the platform of `stacks/`.
pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<u8, Error> {
    run_with(global, args, crate::stacks::platform)
}

/// Runs `cfnc build` with any platform definition (tests use small ones).
pub fn run_with(global: &GlobalArgs, args: &BuildArgs, platform: PlatformFn) -> Result<u8, Error> {
    let project = match &global.project {
        Some(p) => p.clone(),
        None => std::env::current_dir().map_err(|e| Error::io("read", ".", e))?,
    };
    let out_root = args.out.clone().unwrap_or_else(|| build::default_out_root(&project));
    let req = Request { project, env: global.env.clone(), out_root };
    let quiet = global.quiet || global.json;
    let verbose = global.verbose;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut progress = |step: Step| {
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
    };
    let result = match args.synthetic {
        None => build::build(&req, platform, &mut progress),
        Some(n) => {
            let with_synthetic = |c: &crate::config::Config, a: &build::StagedAssets| {
                let mut app = platform(c, a)?;
                crate::synthetic::add(&mut app, &c.env, n)?;
                Ok(app)
            };
            let lock =
                req.project.join("stacks").join("config").join(format!("{}.synthetic.lock.json", req.env));
            build::build_with(&req, &with_synthetic, &lock, &mut progress)
        }
    };
    match result {
        Ok(report) => {
            if !global.quiet {
                for w in report.split.warnings() {
                    let _ = writeln!(std::io::stderr(), "{w}");
                }
            }
            let mut out = std::io::stdout().lock();
            let written = if global.json {
                serde_json::to_writer_pretty(&mut out, &JsonSummary::from(&report))
                    .map_err(std::io::Error::other)
                    .and_then(|()| writeln!(out))
            } else if global.quiet {
                Ok(())
            } else {
                write!(out, "{}", summary_table(&report))
                    .and_then(|()| print_findings(&mut out, &report.findings, verbose))
            };
            written.map_err(|e| Error::io("write", "stdout", e))?;
            Ok(exit::OK)
        }
        Err(BuildError::Invalid { errors, warnings }) => {
            let mut err = std::io::stderr().lock();
            let _ = print_findings(&mut err, &errors, 0);
            let _ = print_findings(&mut err, &warnings, 0);
            Err(Error::from(BuildError::Invalid { errors, warnings }))
        }
        Err(e) => Err(Error::from(e)),
    }
}

/// One line per finding, as `cfnc validate` prints them; notes only with `-v`.
fn print_findings(out: &mut dyn Write, findings: &[Finding], verbose: u8) -> std::io::Result<()> {
    for f in findings {
        if f.severity == build::Severity::Info && verbose == 0 {
            continue;
        }
        writeln!(out, "{}: {}[{}]: {} (at {})", f.location(), f.severity, f.code, f.message, f.pointer)?;
    }
    Ok(())
}

/// The human summary: one row per template, then the assets.
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
        report.findings.iter().filter(|f| f.severity != build::Severity::Info).count().to_string(),
    ]);
    let mut out = table(&rows);
    out.push('\n');
    let mut assets = vec![["asset", "bytes", "sha256"].map(String::from)];
    for a in &m.assets {
        assets.push([a.name.clone(), a.bytes.to_string(), a.sha256.chars().take(12).collect()]);
    }
    out.push_str(&table(&assets));
    let split = report.split.summary_lines();
    if !split.is_empty() {
        out.push('\n');
        split.iter().for_each(|l| {
            out.push_str(l);
            out.push('\n');
        });
    }
    out.push_str(&format!("\n{} ({} for {})\n", report.out_dir.display(), m.root_stack, m.env));
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
            split: &r.split,
        }
    }
}
