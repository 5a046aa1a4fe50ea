//! The review for people: a terminal table and a Markdown pull-request comment.

use std::fmt::Write;

use super::{RegionReview, RegionRow, Review, Summary};
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

fn summary_line(s: &Summary) -> String {
    format!(
        "{} to add, {} to modify ({} replaced), {} to remove; {} flagged",
        s.add, s.modify, s.replace, s.remove, s.flagged
    )
}

/// `us-east-1 (primary)`.
fn region_label(review: &Review, r: &RegionReview) -> String {
    if review.primary_region.as_deref() == Some(r.region.as_str()) {
        format!("{} (primary)", r.region)
    } else {
        r.region.clone()
    }
}

/// One line about a region's change set.
fn region_line(review: &Review, r: &RegionReview) -> String {
    if r.has_changes() {
        format!(
            "{}: {} {}, change set {}: {}",
            region_label(review, r),
            r.stack,
            r.change_set_type,
            r.change_set_arn,
            summary_line(&r.summary)
        )
    } else {
        format!("{}: {} has no changes", region_label(review, r), r.stack)
    }
}

/// A plain-text table (no colour codes) per region, in rollout order, one row per change.
pub fn table(review: &Review) -> String {
    let header = ["STACK", "ACTION", "LOGICAL ID", "TYPE", "REPLACE", "PROPERTIES", "FLAGS", "PHYSICAL ID"];
    let rows: Vec<(String, [String; 8])> = review
        .changes
        .iter()
        .map(|rr| {
            let r = &rr.row;
            let mut rep = replacement(r).to_string();
            if r.source == Source::Predicted && r.replacement.is_some() {
                rep.push('*');
            }
            (
                rr.region.clone(),
                [
                    r.stack.clone(),
                    action(r),
                    r.logical_id.clone(),
                    r.type_name.clone(),
                    rep,
                    properties(r),
                    flags(r),
                    r.physical_id.clone().unwrap_or_default(),
                ],
            )
        })
        .collect();
    // One set of column widths for every region, so the tables line up.
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for (_, row) in &rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count()).min(60);
        }
    }
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
    let mut out = String::new();
    for (i, r) in review.regions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "== {}", region_line(review, r));
        if !r.has_changes() {
            continue;
        }
        line(&header.map(String::from), &mut out);
        for (_, row) in rows.iter().filter(|(region, _)| *region == r.region) {
            line(row, &mut out);
        }
    }
    let _ = writeln!(
        out,
        "\n{}{}",
        if review.regions.len() > 1 { "all regions: " } else { "" },
        summary_line(&review.summary)
    );
    if review.changes.iter().any(|r| r.row.source == Source::Predicted) {
        out.push_str(
            "* predicted by cfnc from the deployed and new templates (the service gave no detail)\n",
        );
    }
    for d in &review.drift {
        let _ = writeln!(
            out,
            "drift: {} {}/{} {}: expected {}, actual {}",
            d.region,
            d.row.stack,
            d.row.logical_id,
            d.row.property,
            d.row.expected.as_deref().unwrap_or("?"),
            d.row.actual.as_deref().unwrap_or("?")
        );
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The pull-request comment: a summary per region, then every change with its region.
pub fn markdown(review: &Review) -> String {
    let mut out = String::new();
    let regions: Vec<&str> = review.regions.iter().map(|r| r.region.as_str()).collect();
    let _ = writeln!(
        out,
        "### cfnc change sets for `{}` ({}) in {}\n",
        review.regions.first().map(|r| r.stack.as_str()).unwrap_or_default(),
        review.env,
        regions.join(", ")
    );
    if review.has_no_changes() {
        out.push_str("**No changes.** The deployed stacks already match this build in every region.\n");
        return out;
    }
    let _ = writeln!(out, "**{}**\n", summary_line(&review.summary));
    let _ = writeln!(out, "- manifest sha256: `{}`", review.manifest_sha256);
    if let Some(p) = &review.primary_region {
        let _ = writeln!(out, "- rollout: {} first, then the others in this order", p);
    }
    out.push_str("\n| region | stack | change set | type | add | modify | replaced | remove | flagged |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for r in &review.regions {
        let s = &r.summary;
        if r.has_changes() {
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {}{} | {} | {} | {} | {} | {} |",
                md_escape(&region_label(review, r)),
                md_escape(&r.stack),
                md_escape(&r.change_set_arn),
                r.change_set_type,
                r.deployment_mode.as_ref().map(|m| format!(" ({m})")).unwrap_or_default(),
                s.add,
                s.modify,
                s.replace,
                s.remove,
                s.flagged
            );
        } else {
            let _ = writeln!(
                out,
                "| {} | `{}` | (none) | no changes | 0 | 0 | 0 | 0 | 0 |",
                md_escape(&region_label(review, r)),
                md_escape(&r.stack)
            );
        }
    }
    let flagged: Vec<&RegionRow<ChangeRow>> =
        review.changes.iter().filter(|r| !r.row.flags.is_empty()).collect();
    if !flagged.is_empty() {
        out.push_str("\n#### Needs attention\n\n");
        for rr in flagged {
            let r = &rr.row;
            let _ = writeln!(
                out,
                "- **{}**: {} `{}` ({}) in `{}`, {}",
                flags(r),
                action(r),
                r.logical_id,
                r.type_name,
                r.stack,
                rr.region
            );
        }
    }
    out.push_str("\n| region | stack | action | logical id | type | replacement | properties | flags |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for rr in &review.changes {
        let r = &rr.row;
        let mut rep = replacement(r).to_string();
        if r.source == Source::Predicted && r.replacement.is_some() {
            rep.push_str(" (predicted)");
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` | {} | {} | {} | {} |",
            md_escape(&rr.region),
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
        out.push_str("\n#### Drift reverted by this change set\n\n| region | stack | logical id | property | expected | actual |\n|---|---|---|---|---|---|\n");
        for d in &review.drift {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | {} | {} |",
                md_escape(&d.region),
                md_escape(&d.row.stack),
                md_escape(&d.row.logical_id),
                md_escape(&d.row.property),
                md_escape(d.row.expected.as_deref().unwrap_or("")),
                md_escape(d.row.actual.as_deref().unwrap_or(""))
            );
        }
    }
    if review.changes.iter().any(|r| r.row.source == Source::Predicted) {
        out.push_str(
            "\nRows marked *predicted* come from cfnc's comparison of the deployed and new templates \
             (CloudFormation gave no detail for them); replacement is predicted from the resource schemas.\n",
        );
    }
    let _ = writeln!(
        out,
        "\nExecute exactly these change sets with `cfnc --env {} execute` (the primary region first; refused if the build changed).",
        review.env
    );
    out
}
