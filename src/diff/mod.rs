//! Offline change prediction: what would CloudFormation do to go from one template set to
//! another?
//!
//! For every resource that changes, a [`ChangeRow`]: `Add`, `Modify` or `Remove` (a renamed
//! logical id is a Remove plus an Add), whether a Modify replaces the resource (`True`,
//! `Conditional`, `False`, from the registry schemas' create-only properties, following
//! parameter defaults, `Fn::Sub` text and references to replaced resources, also across
//! nested stacks), the top-level properties that change, and flags for data loss, IAM
//! widening and security-group widening. The rules and their sources are in
//! `docs/diff-rules.md`.
//!
//! ```no_run
//! use cfnc::diff::{TemplateSet, diff_sets};
//! let old = TemplateSet::from_path("old.yaml".as_ref())?;
//! let new = TemplateSet::from_path("cfnc.out/dev".as_ref())?;
//! for row in diff_sets(&old, &new) {
//!     println!("{} {} {:?}", row.stack, row.logical_id, row.action);
//! }
//! # Ok::<(), cfnc::error::Error>(())
//! ```

mod data;
mod engine;
mod iam;
mod load;
mod set;
mod sg;
mod value;

use serde::Serialize;

pub use set::{StackTemplate, TemplateSet};

use crate::change::ChangeRow;

/// An explanation attached to a resource (why it may be replaced, why an update will fail,
/// what could not be compared).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    pub stack: String,
    pub logical_id: String,
    pub message: String,
}

/// Rows plus notes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffReport {
    /// One row per changed resource: stacks in set order (root first), then by logical id.
    pub changes: Vec<ChangeRow>,
    /// Sorted, no duplicates.
    pub notes: Vec<Note>,
}

/// Stack of the thread the engine runs on (reserved address space, used only as needed).
const ENGINE_STACK_BYTES: usize = 256 * 1024 * 1024;

/// The predicted changes from `old` to `new`.
pub fn diff_sets(old: &TemplateSet, new: &TemplateSet) -> Vec<ChangeRow> {
    diff_report(old, new).changes
}

/// The predicted changes from `old` to `new`, with notes.
pub fn diff_report(old: &TemplateSet, new: &TemplateSet) -> DiffReport {
    // Evaluation recurses along the template's nesting (bounded by the reader and by
    // `value::MAX_DEPTH`); a thread with a known, large stack keeps deep but legal templates
    // from overflowing a small caller stack (test threads, async runtimes).
    let (changes, mut notes) = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("cfnc-diff".into())
            .stack_size(ENGINE_STACK_BYTES)
            .spawn_scoped(scope, || engine::run(old, new))
            .ok()
            .and_then(|handle| handle.join().ok())
    })
    // Could not start a thread, or it panicked: run here so the caller sees the real outcome.
    .unwrap_or_else(|| engine::run(old, new));
    notes.sort();
    notes.dedup();
    DiffReport { changes, notes }
}

/// Resource types flagged `delete-data` when removed or replaced.
pub fn data_holding_types() -> Vec<&'static str> {
    data::data_types().collect()
}

/// Resource types examined for `iam-widening`.
pub fn iam_types() -> Vec<&'static str> {
    iam::covered_types().collect()
}

/// Resource types examined for `sg-widening`.
pub const SG_TYPES: [&str; 3] =
    ["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"];

/// The `delete-data` rule (docs/diff-rules.md, "Flag delete-data") for one change whose action
/// and replacement come from elsewhere (a change set): a `Remove` that the deployed template's
/// `DeletionPolicy` (`old`) does not keep, or a replacement (`True`/`Conditional`) that the new
/// template's `UpdateReplacePolicy` (`new`) does not keep, of a data-holding type. `old` and
/// `new` are the resource's entries in the templates (`{"Type", "Properties", ...}`).
pub fn deletes_data(
    type_name: &str,
    action: crate::change::Action,
    replacement: Option<crate::change::Replacement>,
    old: Option<&serde_json::Value>,
    new: Option<&serde_json::Value>,
) -> bool {
    use crate::change::{Action, Replacement};
    let policy = |r: Option<&serde_json::Value>, attr: &str| {
        r.and_then(|r| r.get(attr)).and_then(|p| p.as_str()).map(str::to_string)
    };
    match action {
        Action::Remove => {
            let props = old
                .and_then(|o| o.get("Properties"))
                .map(value::Val::from_plain_json)
                .and_then(|v| match v {
                    value::Val::Map(m) => Some(m),
                    _ => None,
                })
                .unwrap_or_default();
            data::removal_deletes_data(type_name, policy(old, "DeletionPolicy").as_deref(), &props)
        }
        Action::Modify if matches!(replacement, Some(Replacement::True | Replacement::Conditional)) => {
            data::replacement_deletes_data(type_name, policy(new, "UpdateReplacePolicy").as_deref())
        }
        _ => false,
    }
}
