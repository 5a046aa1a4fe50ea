//! Stack lookups and what a stack's status allows.

use aws_sdk_cloudformation::types::Stack;

use super::DeployError;
use crate::aws::{Aws, classify};

/// What a stack's current status means for the next operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StackState {
    /// No such stack (or only deleted ones).
    Missing,
    /// Created by a CREATE change set that was never executed: create again.
    ReviewInProgress,
    /// Stable and updatable (`*_COMPLETE` except ROLLBACK_COMPLETE/DELETE_COMPLETE).
    Ready(String),
    /// The first creation failed and rolled back: can only be deleted.
    RollbackComplete,
    /// An operation is running.
    InProgress(String),
    /// A failed state that needs a person (`*_FAILED`).
    Failed(String),
}

impl StackState {
    pub fn of(stack: Option<&Stack>) -> StackState {
        let Some(stack) = stack else { return StackState::Missing };
        let status = stack.stack_status().map(|s| s.as_str().to_string()).unwrap_or_default();
        classify_status(&status)
    }
}

/// Classifies a `StackStatus` string.
pub fn classify_status(status: &str) -> StackState {
    match status {
        "" | "DELETE_COMPLETE" => StackState::Missing,
        "REVIEW_IN_PROGRESS" => StackState::ReviewInProgress,
        "ROLLBACK_COMPLETE" => StackState::RollbackComplete,
        s if s.ends_with("_IN_PROGRESS") => StackState::InProgress(s.to_string()),
        s if s.ends_with("_FAILED") => StackState::Failed(s.to_string()),
        s => StackState::Ready(s.to_string()),
    }
}

/// True for statuses in which no operation is running.
pub fn is_terminal(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS") || status == "REVIEW_IN_PROGRESS"
}

/// DescribeStacks for one stack; `None` when it does not exist.
pub async fn describe(aws: &Aws, name_or_id: &str) -> Result<Option<Stack>, DeployError> {
    match aws.cfn.describe_stacks().stack_name(name_or_id).send().await {
        Ok(out) => Ok(out.stacks.unwrap_or_default().into_iter().next()),
        // CloudFormation answers a missing stack with ValidationError "Stack with id X does
        // not exist"; any other ValidationError (a malformed name...) is a real error.
        Err(e) if e.as_service_error().is_some_and(is_missing_stack) => Ok(None),
        Err(e) => Err(classify("CloudFormation DescribeStacks", aws.max_attempts(), e).into()),
    }
}

/// A DescribeStacks error that means "no such stack".
fn is_missing_stack(e: &impl aws_sdk_cloudformation::error::ProvideErrorMetadata) -> bool {
    e.code() == Some("ValidationError") && e.message().is_some_and(|m| m.contains("does not exist"))
}

/// Fails with a clear message unless a stack in `state` can take a new change set.
/// `allow_replace`: the user passed `--replace-failed`.
pub fn check_updatable(
    aws: &Aws,
    name: &str,
    stack: Option<&Stack>,
    allow_replace: bool,
) -> Result<StackState, DeployError> {
    let state = StackState::of(stack);
    let console = stack.and_then(|s| s.stack_id()).map(|id| aws.console_stack_url(id)).unwrap_or_default();
    match &state {
        StackState::InProgress(status) => {
            Err(DeployError::StackInProgress { stack: name.to_string(), status: status.clone(), console })
        }
        StackState::RollbackComplete if !allow_replace => {
            Err(DeployError::RollbackComplete { stack: name.to_string(), console })
        }
        StackState::Failed(status) => Err(DeployError::StackUnusable {
            stack: name.to_string(),
            status: status.clone(),
            help: Some(match status.as_str() {
                "UPDATE_ROLLBACK_FAILED" => format!(
                    "CloudFormation could not roll back the last update. Fix the resource named in the events \
                     ({console}), then `aws cloudformation continue-update-rollback --stack-name {name}`"
                ),
                "DELETE_FAILED" => format!(
                    "the last deletion failed; see the events ({console}) and run `cfnc destroy` again after fixing \
                     the cause"
                ),
                _ => format!("see the events at {console}"),
            }),
        }),
        _ => Ok(state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_states() {
        assert_eq!(classify_status("CREATE_COMPLETE"), StackState::Ready("CREATE_COMPLETE".into()));
        assert_eq!(
            classify_status("UPDATE_ROLLBACK_COMPLETE"),
            StackState::Ready("UPDATE_ROLLBACK_COMPLETE".into())
        );
        assert_eq!(classify_status("ROLLBACK_COMPLETE"), StackState::RollbackComplete);
        assert_eq!(classify_status("REVIEW_IN_PROGRESS"), StackState::ReviewInProgress);
        assert_eq!(
            classify_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
            StackState::InProgress("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS".into())
        );
        assert_eq!(classify_status("DELETE_FAILED"), StackState::Failed("DELETE_FAILED".into()));
        assert_eq!(classify_status("DELETE_COMPLETE"), StackState::Missing);
        assert!(
            is_terminal("UPDATE_COMPLETE")
                && !is_terminal("CREATE_IN_PROGRESS")
                && is_terminal("REVIEW_IN_PROGRESS")
        );
    }
}
