//! The library's error type. Every variant says what went wrong, where, and what to do;
//! `main` renders it with miette.

use std::path::PathBuf;

use miette::Diagnostic;

/// Top-level error of a command.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    #[diagnostic(code(cfnc::io), help("check that the path exists and is readable/writable"))]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Bad input from the user, with a hint.
    #[error("{message}")]
    #[diagnostic(code(cfnc::input))]
    Input {
        message: String,
        #[help]
        help: Option<String>,
    },
    /// A template could not be read (syntax, encoding, size, duplicate keys).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::reader::ReadError),
    /// `cfnc build` failed (config, packaging, compile, validation).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Build(Box<crate::build::BuildError>),
}

impl From<crate::build::BuildError> for Error {
    fn from(e: crate::build::BuildError) -> Self {
        Error::Build(Box::new(e))
    }
}

impl Error {
    /// The process exit code for this error (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io { .. } => crate::exit::FAULT,
            Error::Input { .. } => crate::exit::USAGE,
            Error::Build(e) => e.exit_code(),
            // A template that cannot be read (missing, too large, malformed) is bad input.
            Error::Read(_) => crate::exit::USAGE,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }

    pub fn input(message: impl Into<String>, help: impl Into<Option<String>>) -> Self {
        Error::Input { message: message.into(), help: help.into() }
    }
}
