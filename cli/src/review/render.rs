//! The review for people: a terminal table and a Markdown pull-request comment.

use std::fmt::Write;

use super::Review;
use cfnc::change::{ChangeRow, Flag, Replacement, Source};

fn action(r: &ChangeRow) -> String {
    format!("{:?}", r.action)
}

fn replacement(r: &ChangeRow) -> &'static str {
    match r.replacement {
        Some(Replacement::True) => "True",
        Some(Replacement::Conditional) => "Conditional",
        Some(Replacement::False) => "False",
        None => "",
    }
}

fn flag_text(f: &Flag) -> &'static str {
    match f {
        Flag::DeleteData => "DELETES DATA",
        Flag::IamWidening => "IAM",
        Flag::SgWidening => "SECURITY GROUP",
    }
}

fn flags(r: &ChangeRow) -> String {
    r.flags.iter().map(flag_text).collect::<Vec<_>>().join(", ")
}

fn properties(r: &ChangeRow) -> String {
    let mut s = r.properties.join(", ");
    if !r.replacement_causes.is_empty()
        && matches!(r.replacement, Some(Replacement::True | Replacement::Conditional))
    {
        let _ = write!(s, " (replaced by: {})", r.replacement_causes.join(", "));
    }
    s
}

fn summary_line(review: &Review) -> String {
    let s = &review.summary;
    format!(
        "{} to add, {} to modify ({} replaced), {} to remove; {} flagged",
        s.add, s.modify, s.replace, s.remove, s.flagged
    )
}

/// A plain-text table (no colour codes), one row per change.
pub fn table(review: &Review) -> String {
    let header = ["STACK", "ACTION", "LOGICAL ID", "TYPE", "REPLACE", "PROPERTIES", "FLAGS", "PHYSICAL ID"];
    let rows: Vec<[String; 8]> = review
        .changes
        .iter()
        .map(|r| {
            let mut rep = replacement(r).to_string();
            if r.source == Source::Predicted && r.replacement.is_some() {
                rep.push('*');
            }
            [
                r.stack.clone(),
                action(r),
                r.logical_id.clone(),
                r.type_name.clone(),
                rep,
                properties(r),
                flags(r),
                r.physical_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count()).min(60);
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{:<w$}  ", c, w = widths[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    let _ = writeln!(out, "\n{}", summary_line(review));
    if review.changes.iter().any(|r| r.source == Source::Predicted) {
        out.push_str(
            "* predicted by cfnc from the deployed and new templates (the service gave no detail)\n",
        );
    }
    for d in &review.drift {
        let _ = writeln!(
            out,
            "drift: {}/{} {}: expected {}, actual {}",
            d.stack,
            d.logical_id,
            d.property,
            d.expected.as_deref().unwrap_or("?"),
            d.actual.as_deref().unwrap_or("?")
        );
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The pull-request comment.
pub fn markdown(review: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### cfnc change set for `{}` ({})\n", review.stack, review.env);
    if review.status == super::NO_CHANGES {
        out.push_str("**No changes.** The deployed stacks already match this build.\n");
        return out;
    }
    let _ = writeln!(out, "**{}**\n", summary_line(review));
    let _ = writeln!(out, "- change set: `{}`", review.change_set_arn);
    let _ = writeln!(out, "- type: {}, region: {}", review.change_set_type, review.region);
    let _ = writeln!(out, "- manifest sha256: `{}`", review.manifest_sha256);
    if let Some(m) = &review.deployment_mode {
        let _ = writeln!(out, "- deployment mode: {m}");
    }
    let flagged: Vec<&ChangeRow> = review.changes.iter().filter(|r| !r.flags.is_empty()).collect();
    if !flagged.is_empty() {
        out.push_str("\n#### Needs attention\n\n");
        for r in flagged {
            let _ = writeln!(
                out,
                "- **{}**: {} `{}` ({}) in `{}`",
                flags(r),
                action(r),
                r.logical_id,
                r.type_name,
                r.stack
            );
        }
    }
    out.push_str("\n| stack | action | logical id | type | replacement | properties | flags |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for r in &review.changes {
        let mut rep = replacement(r).to_string();
        if r.source == Source::Predicted && r.replacement.is_some() {
            rep.push_str(" (predicted)");
        }
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} | {} | {} |",
            md_escape(&r.stack),
            action(r),
            md_escape(&r.logical_id),
            md_escape(&r.type_name),
            rep,
            md_escape(&properties(r)),
            flags(r)
        );
    }
    if !review.drift.is_empty() {
        out.push_str("\n#### Drift reverted by this change set\n\n| stack | logical id | property | expected | actual |\n|---|---|---|---|---|\n");
        for d in &review.drift {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                md_escape(&d.stack),
                md_escape(&d.logical_id),
                md_escape(&d.property),
                md_escape(d.expected.as_deref().unwrap_or("")),
                md_escape(d.actual.as_deref().unwrap_or(""))
            );
        }
    }
    if review.changes.iter().any(|r| r.source == Source::Predicted) {
        out.push_str(
            "\nRows marked *predicted* come from cfnc's comparison of the deployed and new templates \
             (CloudFormation gave no detail for them); replacement is predicted from the resource schemas.\n",
        );
    }
    let _ = writeln!(
        out,
        "\nExecute exactly this change set with `cfnc execute {}` (refused if the build changed).",
        review.change_set_arn
    );
    out
}
