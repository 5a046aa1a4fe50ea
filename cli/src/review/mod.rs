//! The review of a deployment: for every region, every change of the root and nested change
//! sets as [`ChangeRow`]s (service detail where CloudFormation gives it, predictions from the
//! deployed and new templates where it does not), written as ONE `changeset.json` for CI and
//! `changeset.md` for a pull-request comment, and shown as a table grouped by region on the
//! terminal.
//!
//! `changeset.json` schema (format 2; keys in this order, no timestamps):
//! ```text
//! {
//!   "format": 2,
//!   "env": "dev",
//!   "manifest_sha256": "<64 hex>",               // the build every region's change set was made from
//!   "change_set_name": "cfnc-<manifest sha256>",  // the same name in every region
//!   "primary_region": "us-east-1" | null,         // null: the AWS configuration's region only
//!   "status": "CREATE_COMPLETE" | "NO_CHANGES",   // NO_CHANGES: no region has anything to do
//!   "summary": {"add", "modify", "remove", "replace", "flagged", "predicted"},   // all regions
//!   "regions": [                                  // rollout order: primary first
//!     {"region", "stack", "stack_id", "change_set_arn", "change_set_type": "CREATE" | "UPDATE",
//!      "deployment_mode": null | "REVERT_DRIFT", "status": "CREATE_COMPLETE" | "NO_CHANGES",
//!      "nested_change_sets": [{"stack", "logical_id", "change_set_arn"|null, "source"}],
//!      "summary": {...}}                          // that region's counts
//!   ],
//!   "changes": [{"region", ...ChangeRow}],        // region order, then root first, stacks in manifest order
//!   "drift": [{"region", "stack", "logical_id", "property", "expected", "actual"}],
//!   "validation": [{"region", "stack", "logical_id", "type", "status", "reason", "path"?}]
//! }
//! ```

pub mod flags;
pub mod predict;
pub mod render;

use std::path::{Path, PathBuf};

use aws_sdk_cloudformation::types::{
    ChangeAction, Replacement as CfnReplacement, RequiresRecreation, ResourceAttribute, ResourceChange,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::aws::Aws;
use crate::deploy::DeployError;
use crate::deploy::build_output::BuildOutput;
use crate::deploy::changeset::{self, Described};
use crate::deploy::error::Failure;
use crate::deploy::templates::DeployedTemplates;
use cfnc::change::{Action, ChangeRow, Replacement, Source};
use cfnc::manifest::StackEntry;

/// Version of the changeset.json format (2: one review of every region).
pub const REVIEW_FORMAT: u32 = 2;
pub const REVIEW_JSON: &str = "changeset.json";
pub const REVIEW_MD: &str = "changeset.md";
/// `status` of a region (or a whole review) whose change set had nothing to do.
pub const NO_CHANGES: &str = "NO_CHANGES";

/// How a nested stack's changes were obtained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedChangeSet {
    pub stack: String,
    pub logical_id: String,
    pub change_set_arn: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub modify: usize,
    pub remove: usize,
    pub replace: usize,
    pub flagged: usize,
    pub predicted: usize,
}

impl Summary {
    fn of<'a>(rows: impl IntoIterator<Item = &'a ChangeRow>) -> Summary {
        let mut s = Summary::default();
        for r in rows {
            match r.action {
                Action::Add | Action::Import => s.add += 1,
                Action::Modify | Action::Dynamic => s.modify += 1,
                Action::Remove => s.remove += 1,
            }
            if matches!(r.replacement, Some(Replacement::True | Replacement::Conditional)) {
                s.replace += 1;
            }
            if !r.flags.is_empty() {
                s.flagged += 1;
            }
            if r.source == Source::Predicted {
                s.predicted += 1;
            }
        }
        s
    }
}

/// A property whose live value differs from the template (drift-aware change sets).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub stack: String,
    pub logical_id: String,
    pub property: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

/// One region of a review: its root stack and change set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionReview {
    pub region: String,
    /// The root stack's name.
    pub stack: String,
    pub stack_id: String,
    pub change_set_arn: String,
    pub change_set_type: String,
    pub deployment_mode: Option<String>,
    /// `CREATE_COMPLETE` (executable), or [`NO_CHANGES`] (the empty change set was deleted).
    pub status: String,
    pub nested_change_sets: Vec<NestedChangeSet>,
    pub summary: Summary,
}

impl RegionReview {
    /// True when this region's change set has something to execute.
    pub fn has_changes(&self) -> bool {
        self.status != NO_CHANGES
    }
}

/// A row of the review: a change and the region it happens in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionRow<T> {
    pub region: String,
    #[serde(flatten)]
    pub row: T,
}

/// The whole review (`changeset.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub format: u32,
    pub env: String,
    pub manifest_sha256: String,
    pub change_set_name: String,
    pub primary_region: Option<String>,
    pub status: String,
    pub summary: Summary,
    /// Rollout order: the primary region first.
    pub regions: Vec<RegionReview>,
    pub changes: Vec<RegionRow<ChangeRow>>,
    #[serde(default)]
    pub drift: Vec<RegionRow<Drift>>,
    #[serde(default)]
    pub validation: Vec<RegionRow<Failure>>,
}

/// The review of one region while it is built, before it joins the others.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionPart {
    pub header: RegionReview,
    pub changes: Vec<ChangeRow>,
    pub drift: Vec<Drift>,
    pub validation: Vec<Failure>,
}

impl Review {
    /// One review of the regions' parts, in the order given (rollout order).
    pub fn combine(out: &BuildOutput, parts: Vec<RegionPart>) -> Review {
        let mut review = Review {
            format: REVIEW_FORMAT,
            env: out.manifest.env.clone(),
            manifest_sha256: out.manifest_sha256.clone(),
            change_set_name: changeset::change_set_name(&out.manifest_sha256),
            primary_region: out.manifest.primary_region.clone(),
            status: NO_CHANGES.into(),
            summary: Summary::default(),
            regions: Vec::new(),
            changes: Vec::new(),
            drift: Vec::new(),
            validation: Vec::new(),
        };
        for part in parts {
            let region = part.header.region.clone();
            if part.header.has_changes() {
                review.status = part.header.status.clone();
            }
            let wrap = |row| RegionRow { region: region.clone(), row };
            review.changes.extend(part.changes.into_iter().map(wrap));
            review.drift.extend(part.drift.into_iter().map(|row| RegionRow { region: region.clone(), row }));
            review
                .validation
                .extend(part.validation.into_iter().map(|row| RegionRow { region: region.clone(), row }));
            review.regions.push(part.header);
        }
        review.summary = Summary::of(review.changes.iter().map(|r| &r.row));
        review
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// True when no region has anything to execute.
    pub fn has_no_changes(&self) -> bool {
        !self.regions.iter().any(RegionReview::has_changes)
    }

    /// The rows of one region.
    pub fn rows_of<'a>(&'a self, region: &'a str) -> impl Iterator<Item = &'a ChangeRow> + 'a {
        self.changes.iter().filter(move |r| r.region == region).map(|r| &r.row)
    }

    /// The region's review, if the review has it.
    pub fn region(&self, region: &str) -> Option<&RegionReview> {
        self.regions.iter().find(|r| r.region == region)
    }

    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("reviews serialize");
        s.push('\n');
        s
    }

    /// Writes `changeset.json` and `changeset.md` into `dir`; returns their paths.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), DeployError> {
        let json = dir.join(REVIEW_JSON);
        let md = dir.join(REVIEW_MD);
        write_atomic(&json, self.to_json_string().as_bytes())?;
        write_atomic(&md, render::markdown(self).as_bytes())?;
        Ok((json, md))
    }

    /// Reads a review file (format 2).
    pub fn read(path: &Path) -> Result<Review, DeployError> {
        let bytes = std::fs::read(path).map_err(|e| DeployError::BadFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
            help: Some("run `cfnc deploy --change-set` first; it writes the review file".into()),
        })?;
        let format = serde_json::from_slice::<Json>(&bytes).ok().and_then(|v| v.get("format")?.as_u64());
        if let Some(f) = format.filter(|f| *f != u64::from(REVIEW_FORMAT)) {
            return Err(DeployError::BadFile {
                path: path.to_path_buf(),
                reason: format!("review format {f}, but this cfnc reads format {REVIEW_FORMAT}"),
                help: Some(
                    "run `cfnc deploy --change-set` again to write a review in the current format".into(),
                ),
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| DeployError::BadFile {
            path: path.to_path_buf(),
            reason: format!("not a cfnc review: {e}"),
            help: Some("pass the changeset.json that `cfnc deploy --change-set` wrote".into()),
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DeployError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| DeployError::BadFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
        help: None,
    })
}

impl RegionPart {
    fn new(aws: &Aws, out: &BuildOutput, cs: &Described, change_set_type: &str, status: &str) -> RegionPart {
        RegionPart {
            header: RegionReview {
                region: aws.region.clone(),
                stack: out.manifest.root_stack.clone(),
                stack_id: cs.stack_id.clone(),
                change_set_arn: cs.arn.clone(),
                change_set_type: change_set_type.to_string(),
                deployment_mode: cs.deployment_mode.clone(),
                status: status.to_string(),
                nested_change_sets: Vec::new(),
                summary: Summary::default(),
            },
            changes: Vec::new(),
            drift: Vec::new(),
            validation: Vec::new(),
        }
    }
}

/// Builds the review of one region's computed root change set: describes nested change sets
/// by their ids, and predicts from templates where the service gives no detail.
pub async fn build(
    aws: &Aws,
    out: &BuildOutput,
    root_cs: &Described,
    deployed: &DeployedTemplates,
) -> Result<RegionPart, DeployError> {
    let root = out.root()?.clone();
    let change_set_type = if deployed.stacks.is_empty() { "CREATE" } else { "UPDATE" };
    let mut part = RegionPart::new(aws, out, root_cs, change_set_type, &root_cs.status);
    let predicted = engine_rows(out, deployed, &aws.region);
    let templates = Templates { out, deployed, predicted: &predicted };
    let mut queue: Vec<(StackEntry, Described)> = vec![(root, root_cs.clone())];
    while let Some((entry, cs)) = queue.pop() {
        for rc in &cs.changes {
            let logical = rc.logical_resource_id().unwrap_or_default();
            part.changes.push(service_row(&entry.name, rc, &templates)?);
            part.drift.extend(drift_of(&entry.name, rc));
            if rc.resource_type() != Some("AWS::CloudFormation::Stack") {
                continue;
            }
            let Some(child) = out.child(&entry.name, logical).cloned() else { continue };
            match rc.change_set_id() {
                Some(id) if !id.is_empty() => {
                    part.header.nested_change_sets.push(NestedChangeSet {
                        stack: child.name.clone(),
                        logical_id: logical.to_string(),
                        change_set_arn: Some(id.to_string()),
                        source: Source::Service,
                    });
                    let nested = changeset::describe(aws, id).await?;
                    queue.push((child, nested));
                }
                _ if rc.action() == Some(&ChangeAction::Remove) => {}
                _ => predict_tree(&mut part, &templates, &child, logical)?,
            }
        }
    }
    let order: Vec<&str> = out.manifest.stacks.iter().map(|s| s.name.as_str()).collect();
    let pos = |s: &str| order.iter().position(|x| *x == s).unwrap_or(usize::MAX);
    part.changes.sort_by(|a, b| {
        (pos(&a.stack), &a.stack, &a.logical_id, a.action).cmp(&(
            pos(&b.stack),
            &b.stack,
            &b.logical_id,
            b.action,
        ))
    });
    part.header
        .nested_change_sets
        .sort_by(|a, b| (pos(&a.stack), &a.logical_id).cmp(&(pos(&b.stack), &b.logical_id)));
    part.drift
        .sort_by(|a, b| (&a.stack, &a.logical_id, &a.property).cmp(&(&b.stack, &b.logical_id, &b.property)));
    part.header.summary = Summary::of(&part.changes);
    Ok(part)
}

/// The review of one region whose change set was empty (nothing to do; it was deleted).
pub fn empty(aws: &Aws, out: &BuildOutput, cs: &Described) -> RegionPart {
    RegionPart::new(aws, out, cs, "UPDATE", NO_CHANGES)
}

/// The offline diff engine's rows for deployed -> new (`cfnc::diff`), the same prediction
/// `cfnc diff` makes, both sets placed in `region` (so that what exists only in the primary
/// region is predicted only there); `None` when a template set cannot be formed (then the
/// simpler per-template comparison of [`predict`] is used).
fn engine_rows(out: &BuildOutput, deployed: &DeployedTemplates, region: &str) -> Option<Vec<ChangeRow>> {
    use cfnc::diff::{TemplateSet, diff_sets};
    let old = TemplateSet::from_manifest_templates(
        &out.manifest,
        deployed.stacks.iter().map(|(n, d)| (n.clone(), d.template.clone())),
        deployed.root_parameters.clone(),
    )
    .ok()?
    .in_region(region);
    let new_templates = out.templates().ok()?;
    let new = TemplateSet::from_manifest_templates(
        &out.manifest,
        new_templates.into_iter().map(|(e, t)| (e.name, t)),
        out.manifest.parameters.clone(),
    )
    .ok()?
    .in_region(region);
    Some(diff_sets(&old, &new))
}

/// Deployed and new templates, by manifest entry name, and the engine's predictions.
struct Templates<'a> {
    out: &'a BuildOutput,
    deployed: &'a DeployedTemplates,
    predicted: &'a Option<Vec<ChangeRow>>,
}

impl Templates<'_> {
    /// Predicted rows of one stack (engine, else per-template comparison).
    fn predicted_rows(&self, stack: &str) -> Result<Vec<ChangeRow>, DeployError> {
        match self.predicted {
            Some(rows) => Ok(rows.iter().filter(|r| r.stack == stack).cloned().collect()),
            None => {
                let new = self.new_template(stack)?;
                Ok(predict::diff_templates(stack, self.old(stack), new.as_ref()))
            }
        }
    }

    /// The engine's row for one resource.
    fn predicted_row(&self, stack: &str, logical: &str) -> Option<&ChangeRow> {
        self.predicted.as_ref()?.iter().find(|r| r.stack == stack && r.logical_id == logical)
    }

    fn old(&self, stack: &str) -> Option<&Json> {
        self.deployed.get(stack).map(|d| &d.template)
    }

    fn new_template(&self, stack: &str) -> Result<Option<Json>, DeployError> {
        match self.out.manifest.stacks.iter().find(|s| s.name == stack) {
            Some(e) => Ok(Some(self.out.template(e)?)),
            None => Ok(None),
        }
    }

    fn physical_id(&self, stack: &str, logical: &str) -> Option<String> {
        let d = self.deployed.get(stack)?;
        d.resources
            .iter()
            .find(|r| r.logical_id == logical)
            .map(|r| r.physical_id.clone())
            .filter(|p| !p.is_empty())
    }
}

/// Rows for a nested stack that has no nested change set: every resource of the deployed vs
/// the new template, and the same for the stacks nested inside it.
fn predict_tree(
    review: &mut RegionPart,
    t: &Templates<'_>,
    entry: &StackEntry,
    logical: &str,
) -> Result<(), DeployError> {
    review.header.nested_change_sets.push(NestedChangeSet {
        stack: entry.name.clone(),
        logical_id: logical.to_string(),
        change_set_arn: None,
        source: Source::Predicted,
    });
    let mut rows = t.predicted_rows(&entry.name)?;
    for r in &mut rows {
        r.source = Source::Predicted;
        if r.physical_id.is_none() && r.action != Action::Add {
            r.physical_id = t.physical_id(&entry.name, &r.logical_id);
        }
    }
    let nested: Vec<(StackEntry, String)> = rows
        .iter()
        .filter(|r| r.type_name == "AWS::CloudFormation::Stack" && r.action != Action::Remove)
        .filter_map(|r| t.out.child(&entry.name, &r.logical_id).map(|c| (c.clone(), r.logical_id.clone())))
        .collect();
    review.changes.extend(rows);
    for (child, id) in nested {
        predict_tree(review, t, &child, &id)?;
    }
    Ok(())
}

/// One service-reported change as a row; fills what the service left out from templates.
fn service_row(stack: &str, rc: &ResourceChange, t: &Templates<'_>) -> Result<ChangeRow, DeployError> {
    let logical = rc.logical_resource_id().unwrap_or_default().to_string();
    let type_name = rc.resource_type().unwrap_or_default().to_string();
    let action = match rc.action() {
        Some(ChangeAction::Add) => Action::Add,
        Some(ChangeAction::Modify) => Action::Modify,
        Some(ChangeAction::Remove) => Action::Remove,
        Some(ChangeAction::Import) => Action::Import,
        _ => Action::Dynamic,
    };
    let mut properties: Vec<String> = Vec::new();
    let mut causes: Vec<String> = Vec::new();
    for d in rc.details() {
        let Some(target) = d.target() else { continue };
        let name = match (target.attribute(), target.name()) {
            (Some(ResourceAttribute::Properties), Some(n)) => n.to_string(),
            (Some(ResourceAttribute::Tags), _) => "Tags".to_string(),
            (Some(a), _) => a.as_str().to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => continue,
        };
        if matches!(
            target.requires_recreation(),
            Some(RequiresRecreation::Always | RequiresRecreation::Conditionally)
        ) {
            causes.push(name.clone());
        }
        properties.push(name);
    }
    properties.sort();
    properties.dedup();
    causes.sort();
    causes.dedup();
    let new_json = t.new_template(stack)?;
    let old_res = predict::resource(t.old(stack), &logical).cloned();
    let new_res = predict::resource(new_json.as_ref(), &logical).cloned();
    let mut source = Source::Service;
    let replacement = match (action, rc.replacement()) {
        (Action::Modify, Some(CfnReplacement::True)) => Some(Replacement::True),
        (Action::Modify, Some(CfnReplacement::Conditional)) => Some(Replacement::Conditional),
        (Action::Modify, Some(CfnReplacement::False)) => Some(Replacement::False),
        (Action::Modify, _) => {
            // No replacement detail from the service: predict from the templates.
            source = Source::Predicted;
            match (t.predicted_row(stack, &logical), &old_res, &new_res) {
                (Some(p), _, _) => {
                    if properties.is_empty() {
                        properties = p.properties.clone();
                    }
                    if causes.is_empty() {
                        causes = p.replacement_causes.clone();
                    }
                    p.replacement
                }
                (None, o, n) => match (o, n) {
                    (Some(o), Some(n)) => {
                        let (props, rep, why) = predict::diff_resource(&type_name, o, n);
                        if properties.is_empty() {
                            properties = props;
                        }
                        if causes.is_empty() {
                            causes = why;
                        }
                        Some(rep)
                    }
                    _ => {
                        let (rep, why) = predict::replacement_for(&type_name, &properties);
                        if causes.is_empty() {
                            causes = why;
                        }
                        Some(rep)
                    }
                },
            }
        }
        _ => None,
    };
    let mut row = ChangeRow {
        stack: stack.to_string(),
        logical_id: logical.clone(),
        type_name,
        action,
        replacement,
        properties,
        flags: Vec::new(),
        physical_id: rc.physical_resource_id().filter(|p| !p.is_empty()).map(str::to_string),
        replacement_causes: causes,
        source,
    };
    if row.physical_id.is_none() && action != Action::Add {
        row.physical_id = t.physical_id(stack, &logical);
    }
    row.flags = flags::flags(
        &row,
        old_res.as_ref(),
        new_res.as_ref(),
        t.predicted_row(stack, &logical),
        t.predicted.is_some(),
    );
    Ok(row)
}

/// Drifted properties reported by a drift-aware (REVERT_DRIFT) change set.
fn drift_of(stack: &str, rc: &ResourceChange) -> Vec<Drift> {
    let logical = rc.logical_resource_id().unwrap_or_default();
    rc.details()
        .iter()
        .filter_map(|d| d.target())
        .filter_map(|t| {
            let drift = t.drift()?;
            Some(Drift {
                stack: stack.to_string(),
                logical_id: logical.to_string(),
                property: t.path().or(t.name()).unwrap_or_default().to_string(),
                expected: drift.previous_value().map(str::to_string),
                actual: drift.actual_value().map(str::to_string),
            })
        })
        .collect()
}
