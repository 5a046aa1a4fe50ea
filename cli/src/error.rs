//! The CLI's error type: the library's errors plus deployment (AWS) errors. Every variant
//! says what went wrong, where, and what to do; `main` renders it with miette.

use std::path::PathBuf;

use miette::Diagnostic;

/// Top-level error of a command.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// Reading templates, building, bad input, file system faults.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lib(#[from] cfnc::error::Error),
    /// Finding, compiling or running a project's app.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Project(Box<crate::project::ProjectError>),
    /// Bootstrap, deploy, execute, outputs, destroy (AWS faults included).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Deploy(Box<crate::deploy::DeployError>),
}

impl Error {
    /// The process exit code for this error (see [`cfnc::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Lib(e) => e.exit_code(),
            Error::Project(e) => e.exit_code(),
            Error::Deploy(e) => e.exit_code(),
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Lib(cfnc::error::Error::io(action, path, source))
    }

    pub fn input(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        Error::Lib(cfnc::error::Error::input(message, help))
    }
}

impl From<cfnc::reader::ReadError> for Error {
    fn from(e: cfnc::reader::ReadError) -> Self {
        Error::Lib(e.into())
    }
}

impl From<cfnc::build::BuildError> for Error {
    fn from(e: cfnc::build::BuildError) -> Self {
        Error::Lib(e.into())
    }
}

impl From<crate::project::ProjectError> for Error {
    fn from(e: crate::project::ProjectError) -> Self {
        Error::Project(Box::new(e))
    }
}

impl From<crate::deploy::DeployError> for Error {
    fn from(e: crate::deploy::DeployError) -> Self {
        Error::Deploy(Box::new(e))
    }
}

impl From<crate::aws::AwsError> for Error {
    fn from(e: crate::aws::AwsError) -> Self {
        Error::Deploy(Box::new(e.into()))
    }
}
