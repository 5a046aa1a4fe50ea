//! Errors of bootstrap, deploy, execute, outputs and destroy.

use std::path::PathBuf;

use miette::Diagnostic;

use crate::aws::AwsError;

/// The first resource that failed in a deployment, across nested stacks.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// The stack the resource belongs to (its name or logical id in the parent).
    pub stack: String,
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub status: String,
    pub reason: String,
    /// JSON pointer into the template, when the service reported one (early validation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({}) in stack {}: {}",
            self.logical_id, self.status, self.type_name, self.stack, self.reason
        )?;
        if let Some(p) = &self.path {
            write!(f, " [at {p}]")?;
        }
        Ok(())
    }
}

fn failures_text(fs: &[Failure]) -> String {
    fs.iter().map(|f| format!("\n  - {f}")).collect()
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum DeployError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Aws(#[from] AwsError),

    /// The build that deploy ran for a missing or stale output failed (the app printed why).
    #[error("the build failed (exit code {code}); nothing was uploaded")]
    #[diagnostic(
        code(cfnc::deploy::build_failed),
        help("fix what the build printed above, then deploy again")
    )]
    BuildFailed { code: u8 },

    /// The app of the project could not be compiled or run.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Project(Box<crate::project::ProjectError>),

    #[error("{} not found", path.display())]
    #[diagnostic(
        code(cfnc::deploy::no_build),
        help("run `cfnc build --env {env}` first (deploy reads the manifest the build writes)")
    )]
    ManifestMissing { path: PathBuf, env: String },

    #[error("the build output in {} is stale: {reason}", dir.display())]
    #[diagnostic(code(cfnc::deploy::stale_build), help("run `cfnc build --env {env}` again, then deploy"))]
    ManifestStale { dir: PathBuf, env: String, reason: String },

    #[error("cannot read {}: {reason}", path.display())]
    #[diagnostic(code(cfnc::deploy::bad_file))]
    BadFile {
        path: PathBuf,
        reason: String,
        #[help]
        help: Option<String>,
    },

    #[error("stack `{stack}` is {status}: another operation is running")]
    #[diagnostic(
        code(cfnc::deploy::in_progress),
        help(
            "wait until it finishes (follow it at {console}), then run the command again; to stop an update, \
             `aws cloudformation cancel-update-stack --stack-name {stack}`"
        )
    )]
    StackInProgress { stack: String, status: String, console: String },

    #[error(
        "stack `{stack}` is in ROLLBACK_COMPLETE: its creation failed and was rolled back, and CloudFormation \
         cannot update such a stack"
    )]
    #[diagnostic(
        code(cfnc::deploy::rollback_complete),
        help(
            "look at why it failed ({console}), fix it, then re-run with --replace-failed: cfnc deletes the \
             empty failed stack and creates it again (resources with DeletionPolicy Retain are kept)"
        )
    )]
    RollbackComplete { stack: String, console: String },

    #[error("stack `{stack}` is in {status} and cannot be updated")]
    #[diagnostic(code(cfnc::deploy::stack_failed_state))]
    StackUnusable {
        stack: String,
        status: String,
        #[help]
        help: Option<String>,
    },

    #[error("stack `{stack}` does not exist in {region}")]
    #[diagnostic(code(cfnc::deploy::no_stack), help("deploy it first: `cfnc deploy --change-set --execute`"))]
    StackMissing { stack: String, region: String },

    #[error("change set creation failed for `{stack}`: {reason}{}", failures_text(failures))]
    #[diagnostic(
        code(cfnc::deploy::change_set_failed),
        help(
            "fix the template (the failures name the resource and, for early validation, the path), rebuild and deploy again"
        )
    )]
    ChangeSetFailed { stack: String, reason: String, failures: Vec<Failure> },

    #[error("refusing to execute {arn}: {reason}")]
    #[diagnostic(
        code(cfnc::deploy::not_reviewed),
        help(
            "run `cfnc deploy --change-set` again to create and review a fresh change set, then execute that one"
        )
    )]
    NotReviewed { arn: String, reason: String },

    /// An operation on a stack ended badly: judged from the root stack's final status, the
    /// final status of every nested stack, and every `*_FAILED` event of the operation.
    #[error("{operation} of `{stack}` in {region} failed: {status}{}", failure.as_ref().map(|f| format!("\nfirst failure: {f}")).unwrap_or_default())]
    #[diagnostic(
        code(cfnc::deploy::failed),
        help("fix the cause above, then run the command again; the events are at {console}")
    )]
    DeploymentFailed {
        /// `deployment`, `destroy` or `bootstrap`.
        operation: &'static str,
        stack: String,
        region: String,
        /// The root stack's status, and what failed inside when the root looks fine.
        status: String,
        failure: Option<Box<Failure>>,
        console: String,
    },

    /// A multi-region operation stopped at a region: what was done, what was not, how to go on.
    #[error("{operation} failed in {region}: {cause}")]
    #[diagnostic(code(cfnc::deploy::stopped))]
    Stopped {
        /// `execution` or `destroy`.
        operation: &'static str,
        region: String,
        cause: Box<DeployError>,
        #[help]
        help: String,
    },

    #[error("interrupted: CloudFormation keeps working on `{stack}` ({status})")]
    #[diagnostic(
        code(cfnc::deploy::interrupted),
        help("the operation continues in AWS. Follow it at {console} or with `{follow}`")
    )]
    Interrupted { stack: String, status: String, console: String, follow: String },

    #[error("refusing to {action} without confirmation: standard input is not a terminal")]
    #[diagnostic(code(cfnc::deploy::confirm), help("pass --yes to confirm non-interactively (CI)"))]
    NeedsConfirmation { action: &'static str },

    #[error("{action} cancelled")]
    #[diagnostic(code(cfnc::deploy::cancelled))]
    Cancelled { action: &'static str },
}

impl DeployError {
    /// The process exit code (see [`cfnc::exit`]).
    pub fn exit_code(&self) -> u8 {
        use cfnc::exit;
        match self {
            DeployError::Aws(AwsError::RegionNotConfigured { .. }) => exit::USAGE,
            DeployError::Aws(_) => exit::FAULT,
            DeployError::BuildFailed { code } => *code,
            DeployError::Project(e) => e.exit_code(),
            DeployError::ManifestMissing { .. }
            | DeployError::ManifestStale { .. }
            | DeployError::BadFile { .. }
            | DeployError::StackInProgress { .. }
            | DeployError::RollbackComplete { .. }
            | DeployError::StackUnusable { .. }
            | DeployError::StackMissing { .. }
            | DeployError::NotReviewed { .. }
            | DeployError::NeedsConfirmation { .. }
            | DeployError::Cancelled { .. } => exit::USAGE,
            DeployError::ChangeSetFailed { .. } | DeployError::DeploymentFailed { .. } => exit::FINDINGS,
            DeployError::Interrupted { .. } => exit::INTERRUPTED,
            DeployError::Stopped { cause, .. } => cause.exit_code(),
        }
    }
}
