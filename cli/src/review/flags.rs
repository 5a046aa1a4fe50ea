//! What a reviewer must look at: data deleted, IAM widened, security groups widened. The rules
//! are `cfnc::diff`'s (docs/diff-rules.md, each resting on a CloudFormation or IAM reference
//! page); the review applies them to the rows CloudFormation reports:
//! - `delete-data` from the row's action and replacement (the service's, or predicted) and
//!   the policies of the deployed and new templates ([`cfnc::diff::deletes_data`]); a nested
//!   stack that is removed takes every resource inside with it, so its removal is flagged
//!   unless its `DeletionPolicy` keeps it;
//! - `iam-widening` and `sg-widening` from the engine's prediction for the same resource (it
//!   compares resolved policy documents and rules); where the engine could not run on the
//!   deployed templates, every added or modified resource of those types is flagged (the
//!   review errs on the side of showing).

use serde_json::Value as Json;

use cfnc::change::{Action, ChangeRow, Flag};

const NESTED_STACK: &str = "AWS::CloudFormation::Stack";

/// Flags of one row, sorted and unique. `old`/`new`: the resource in the deployed and new
/// templates; `predicted`: the engine's row for the same resource (`None` when it predicts no
/// change), `engine_ran`: false when the engine could not compare the template sets.
pub fn flags(
    row: &ChangeRow,
    old: Option<&Json>,
    new: Option<&Json>,
    predicted: Option<&ChangeRow>,
    engine_ran: bool,
) -> Vec<Flag> {
    let mut out = Vec::new();
    let ty = row.type_name.as_str();
    let deletes = if ty == NESTED_STACK {
        row.action == Action::Remove
            && !old
                .and_then(|o| o.get("DeletionPolicy"))
                .and_then(Json::as_str)
                .is_some_and(|p| matches!(p, "Retain" | "RetainExceptOnCreate"))
    } else {
        cfnc::diff::deletes_data(ty, row.action, row.replacement, old, new)
    };
    if deletes {
        out.push(Flag::DeleteData);
    }
    let grants = matches!(row.action, Action::Add | Action::Modify | Action::Import);
    if engine_ran {
        if let Some(p) = predicted.filter(|p| p.action == row.action || grants) {
            out.extend(p.flags.iter().copied().filter(|f| *f != Flag::DeleteData));
        }
    } else if grants {
        if cfnc::diff::iam_types().contains(&ty) {
            out.push(Flag::IamWidening);
        }
        if cfnc::diff::SG_TYPES.contains(&ty) {
            out.push(Flag::SgWidening);
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfnc::change::{Replacement, Source};
    use serde_json::json;

    fn row(ty: &str, action: Action, replacement: Option<Replacement>) -> ChangeRow {
        ChangeRow {
            stack: "s".into(),
            logical_id: "X".into(),
            type_name: ty.into(),
            action,
            replacement,
            properties: vec![],
            flags: vec![],
            physical_id: None,
            replacement_causes: vec![],
            source: Source::Service,
        }
    }

    #[test]
    fn delete_data_follows_the_policies() {
        let r = row("AWS::S3::Bucket", Action::Remove, None);
        assert_eq!(flags(&r, Some(&json!({})), None, None, true), vec![Flag::DeleteData]);
        assert!(flags(&r, Some(&json!({"DeletionPolicy": "Retain"})), None, None, true).is_empty());
        // DeletionPolicy attribute: Snapshot is not supported by buckets, which are deleted.
        assert_eq!(
            flags(&r, Some(&json!({"DeletionPolicy": "Snapshot"})), None, None, true),
            vec![Flag::DeleteData]
        );
        let replaced = row("AWS::Logs::LogGroup", Action::Modify, Some(Replacement::True));
        assert_eq!(flags(&replaced, Some(&json!({})), Some(&json!({})), None, true), vec![Flag::DeleteData]);
        assert!(
            flags(&replaced, Some(&json!({})), Some(&json!({"UpdateReplacePolicy": "Retain"})), None, true)
                .is_empty()
        );
        let nested = row(NESTED_STACK, Action::Remove, None);
        assert_eq!(flags(&nested, Some(&json!({})), None, None, true), vec![Flag::DeleteData]);
        assert!(flags(&nested, Some(&json!({"DeletionPolicy": "Retain"})), None, None, true).is_empty());
    }

    #[test]
    fn widening_comes_from_the_engine_or_errs_on_showing() {
        let r = row("AWS::IAM::ManagedPolicy", Action::Modify, Some(Replacement::False));
        let mut p = row("AWS::IAM::ManagedPolicy", Action::Modify, Some(Replacement::False));
        assert!(flags(&r, None, None, Some(&p), true).is_empty(), "the engine saw no widening");
        p.flags = vec![Flag::IamWidening];
        assert_eq!(flags(&r, None, None, Some(&p), true), vec![Flag::IamWidening]);
        assert_eq!(flags(&r, None, None, None, false), vec![Flag::IamWidening]);
        let sg = row("AWS::EC2::SecurityGroup", Action::Add, None);
        assert_eq!(flags(&sg, None, None, None, false), vec![Flag::SgWidening]);
        let removed = row("AWS::IAM::ManagedPolicy", Action::Remove, None);
        assert!(flags(&removed, None, None, None, false).is_empty());
    }
}
