//! `cfnc diff`: predict what deploying NEW over OLD changes, offline.
//!
//! OLD and NEW are each a template file (JSON or YAML) or a build output directory
//! (`cfnc.out/<env>/`, read through its `manifest.json`). Without `--to`, NEW is
//! `cfnc.out/<env>/`; without `--from`, OLD is the deployed stacks (fetched by the deploy
//! module; rows then carry physical ids). Output: a table grouped by stack, or `--format json`
//! (`{"changes": [...], "notes": [...]}`, rows as in `changeset.json`). Exit code 0, or with `--exit-code` 1 when
//! something changes (like `git diff --exit-code`); 2 for bad input.
//!
//! Regions: when NEW's manifest names the environment's regions, the comparison is made for
//! each of them (a `--region` selects one), with `AWS::Region` known, so that what exists only
//! in some regions (the primary region's dashboard) is compared only there; against the
//! deployed stacks, each region's own. Rows and notes then carry their `region`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::deploy;
use crate::error::Error;
use cfnc::change::{Action, ChangeRow, Flag, Replacement};
use cfnc::diff::{DiffReport, TemplateSet, diff_report};
use cfnc::manifest::Manifest;

/// Arguments of `cfnc diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Old templates: a template file (JSON/YAML) or a build output directory. Default: the
    /// deployed stacks (needs AWS access).
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// New templates: a template file (JSON/YAML) or a build output directory. Default:
    /// cfnc.out/<ENV>/ in the project.
    #[arg(long, value_name = "PATH")]
    pub to: Option<PathBuf>,
    /// Output format (`--json` is the same as `--format json`).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when there are changes, 0 when there are none.
    #[arg(long)]
    pub exit_code: bool,
    /// Colour in the table: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs `cfnc diff`.
pub fn run(global: &GlobalArgs, args: &DiffArgs) -> Result<u8, Error> {
    let project = global.project.clone().unwrap_or_else(|| PathBuf::from("."));
    let to = match &args.to {
        Some(p) => p.clone(),
        None => {
            let dir = project.join("cfnc.out").join(&global.env);
            if !dir.is_dir() {
                return Err(Error::input(
                    format!("no build output at {}", dir.display()),
                    Some(format!("run `cfnc build --env {}` first, or pass --to NEW", global.env)),
                ));
            }
            dir
        }
    };
    let new = TemplateSet::from_path(&to)?;
    let reports: Vec<(Option<String>, DiffReport)> = match &args.from {
        Some(p) => {
            let old = TemplateSet::from_path(p)?;
            let regions = match &global.region {
                Some(r) => vec![r.clone()],
                None => read_manifest(&to)?.map(|m| m.rollout_regions()).unwrap_or_default(),
            };
            if regions.is_empty() {
                vec![(None, diff_report(&old, &new))]
            } else {
                regions
                    .iter()
                    .map(|r| {
                        (Some(r.clone()), diff_report(&old.clone().in_region(r), &new.clone().in_region(r)))
                    })
                    .collect()
            }
        }
        None => deployed_reports(global, &to, &new)?,
    };

    let mut out = std::io::stdout().lock();
    let format = if global.json { Format::Json } else { args.format };
    let written = match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&JsonReport::of(&reports))
                .map_err(|e| Error::input(e.to_string(), None))?;
            text.push('\n');
            out.write_all(text.as_bytes())
        }
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let text: Vec<String> = reports
                .iter()
                .map(|(region, report)| {
                    let from = match region {
                        Some(r) => format!("{} in {r}", old_label(&args.from)),
                        None => old_label(&args.from),
                    };
                    render_human(report, &from, &to, color)
                })
                .collect();
            out.write_all(text.join("\n").as_bytes())
        }
    };
    written.map_err(|e| Error::io("write", "stdout", e))?;
    let changed = reports.iter().any(|(_, r)| !r.changes.is_empty());
    Ok(if args.exit_code && changed { super::exit::FINDINGS } else { super::exit::OK })
}

/// A row or note and the region it was computed for (none: no region was known).
#[derive(Serialize)]
struct InRegion<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(flatten)]
    item: &'a T,
}

/// `--format json`: every region's rows, then every region's notes.
#[derive(Serialize)]
struct JsonReport<'a> {
    changes: Vec<InRegion<'a, ChangeRow>>,
    notes: Vec<InRegion<'a, cfnc::diff::Note>>,
}

impl<'a> JsonReport<'a> {
    fn of(reports: &'a [(Option<String>, DiffReport)]) -> Self {
        let mut j = JsonReport { changes: Vec::new(), notes: Vec::new() };
        for (region, r) in reports {
            let region = region.as_deref();
            j.changes.extend(r.changes.iter().map(|item| InRegion { region, item }));
            j.notes.extend(r.notes.iter().map(|item| InRegion { region, item }));
        }
        j
    }
}

/// The manifest of a build output directory, if `to` is one.
fn read_manifest(to: &Path) -> Result<Option<Manifest>, Error> {
    let manifest_path = to.join("manifest.json");
    if !manifest_path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| Error::io("read", &manifest_path, e))?;
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::input(
            format!("{}:{}:{}: not a cfnc manifest: {e}", manifest_path.display(), e.line(), e.column()),
            Some("rebuild with `cfnc build`".to_string()),
        )
    })
}

fn old_label(from: &Option<PathBuf>) -> String {
    from.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "deployed stacks".to_string())
}

/// Physical ids of deployed resources by (stack, logical id).
type PhysicalIds = BTreeMap<(String, String), String>;

/// OLD = the deployed stacks of each region (the environment's, a `--region` selects one; else
/// the AWS configuration's): the root named in NEW's manifest and every nested stack under it
/// (GetTemplate, through the deploy module), named as in the manifest, with the root's current
/// parameter values. Nothing deployed is an empty set: everything is an Add. Rows carry the
/// deployed physical ids.
fn deployed_reports(
    global: &GlobalArgs,
    to: &Path,
    new: &TemplateSet,
) -> Result<Vec<(Option<String>, DiffReport)>, Error> {
    let Some(manifest) = read_manifest(to)? else {
        return Err(Error::input(
            format!(
                "without --from, cfnc diff compares with the deployed stacks named in a build's manifest.json, and {} \
                 has none",
                to.display()
            ),
            Some("pass --to a build output directory (cfnc.out/<env>/), or --from OLD".into()),
        ));
    };
    super::runtime()?.block_on(async {
        let targets = super::region_targets(global, &manifest.rollout_regions()).await?;
        let mut reports = Vec::new();
        for aws in &targets {
            let deployed = deploy::fetch_deployed_templates(aws, &manifest).await?;
            let root_parameters = deployed.root_parameters.clone();
            let mut physical_ids = PhysicalIds::new();
            for (name, stack) in &deployed.stacks {
                for r in stack.resources.iter().filter(|r| !r.physical_id.is_empty()) {
                    physical_ids.insert((name.clone(), r.logical_id.clone()), r.physical_id.clone());
                }
            }
            let old = TemplateSet::from_manifest_templates(
                &manifest,
                deployed.stacks.into_iter().map(|(name, s)| (name, s.template)),
                root_parameters,
            )?
            .in_region(&aws.region);
            let mut report = diff_report(&old, &new.clone().in_region(&aws.region));
            for row in &mut report.changes {
                row.physical_id = physical_ids.get(&(row.stack.clone(), row.logical_id.clone())).cloned();
            }
            reports.push((Some(aws.region.clone()), report));
        }
        Ok(reports)
    })
}

struct Paint(bool);

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn action_text(a: Action) -> &'static str {
    match a {
        Action::Add => "Add",
        Action::Modify => "Modify",
        Action::Remove => "Remove",
        Action::Import => "Import",
        Action::Dynamic => "Dynamic",
    }
}

fn replacement_text(r: Option<Replacement>) -> &'static str {
    match r {
        Some(Replacement::True) => "True",
        Some(Replacement::Conditional) => "Conditional",
        Some(Replacement::False) => "False",
        None => "-",
    }
}

fn flag_text(f: Flag) -> &'static str {
    match f {
        Flag::DeleteData => "delete-data",
        Flag::IamWidening => "iam-widening",
        Flag::SgWidening => "sg-widening",
    }
}

fn properties_text(r: &ChangeRow) -> String {
    r.properties
        .iter()
        .map(|p| if r.replacement_causes.contains(p) { format!("{p}*") } else { p.clone() })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table, grouped by stack.
pub fn render_human(report: &DiffReport, from: &str, to: &Path, color: bool) -> String {
    let paint = Paint(color);
    let mut s = format!("cfnc diff: {from} -> {}\n", to.display());
    if report.changes.is_empty() {
        s.push_str("\nNo changes.\n");
    }
    // A physical-id column when the old side is deployed.
    let physical = report.changes.iter().any(|r| r.physical_id.is_some());
    let mut header = vec!["ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT", "PROPERTIES", "FLAGS"];
    if physical {
        header.push("PHYSICAL ID");
    }
    let cells: Vec<Vec<String>> = report
        .changes
        .iter()
        .map(|r| {
            let mut c = vec![
                action_text(r.action).to_string(),
                r.logical_id.clone(),
                r.type_name.clone(),
                replacement_text(r.replacement).to_string(),
                properties_text(r),
                r.flags.iter().map(|f| flag_text(*f)).collect::<Vec<_>>().join(", "),
            ];
            if physical {
                c.push(r.physical_id.clone().unwrap_or_default());
            }
            c
        })
        .collect();
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for c in &cells {
        for (w, text) in width.iter_mut().zip(c) {
            *w = (*w).max(text.chars().count());
        }
    }
    let pad = |text: &str, w: usize| format!("{text}{}", " ".repeat(w.saturating_sub(text.chars().count())));
    let mut current: Option<&str> = None;
    for (r, c) in report.changes.iter().zip(&cells) {
        if current != Some(r.stack.as_str()) {
            current = Some(&r.stack);
            s.push_str(&format!("\n{}\n", paint.paint("1", &format!("Stack {}", r.stack))));
            let line: Vec<String> = header.iter().zip(&width).map(|(h, w)| pad(h, *w)).collect();
            s.push_str(&format!("  {}\n", paint.paint("2", line.join("  ").trim_end())));
        }
        let action = match r.action {
            Action::Add => paint.paint("32", &pad(&c[0], width[0])),
            Action::Remove => paint.paint("31", &pad(&c[0], width[0])),
            _ => paint.paint("33", &pad(&c[0], width[0])),
        };
        let replacement = match r.replacement {
            Some(Replacement::True) => paint.paint("1;31", &pad(&c[3], width[3])),
            Some(Replacement::Conditional) => paint.paint("33", &pad(&c[3], width[3])),
            _ => pad(&c[3], width[3]),
        };
        let flags =
            if c[5].is_empty() { pad("", width[5]) } else { paint.paint("1;31", &pad(&c[5], width[5])) };
        let mut line = format!(
            "{action}  {}  {}  {replacement}  {}  {flags}",
            pad(&c[1], width[1]),
            pad(&c[2], width[2]),
            pad(&c[4], width[4]),
        );
        if let Some(id) = c.get(6) {
            line.push_str("  ");
            line.push_str(id);
        }
        s.push_str(&format!("  {}\n", line.trim_end()));
    }
    if report.changes.iter().any(|r| !r.replacement_causes.is_empty()) {
        s.push_str("\n  * causes the replacement\n");
    }
    if !report.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &report.notes {
            s.push_str(&format!("  {}/{}: {}\n", n.stack, n.logical_id, n.message));
        }
    }
    s.push_str(&format!("\n{}\n", summary(&report.changes)));
    s
}

fn summary(rows: &[ChangeRow]) -> String {
    let count = |a: Action| rows.iter().filter(|r| r.action == a).count();
    let replacements = |x: Replacement| rows.iter().filter(|r| r.replacement == Some(x)).count();
    let mut flags: BTreeMap<&str, usize> = BTreeMap::new();
    for f in rows.iter().flat_map(|r| &r.flags) {
        *flags.entry(flag_text(*f)).or_default() += 1;
    }
    let mut s = format!(
        "{} change(s): {} to add, {} to modify ({} replaced, {} maybe replaced), {} to remove",
        rows.len(),
        count(Action::Add),
        count(Action::Modify),
        replacements(Replacement::True),
        replacements(Replacement::Conditional),
        count(Action::Remove)
    );
    if !flags.is_empty() {
        let f: Vec<String> = flags.iter().map(|(k, v)| format!("{k} {v}")).collect();
        s.push_str(&format!("; flags: {}", f.join(", ")));
    }
    s
}
