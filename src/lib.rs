//! cfnc: compile typed Rust into nested CloudFormation, validate it against the registry
//! schemas, package its assets and deploy it through reviewed change sets.

pub mod aws;
pub mod change;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod error;
pub mod manifest;
pub mod model;
pub mod reader;
pub mod resources;
pub mod review;
pub mod schema;
