//! cfnc: compile typed Rust into nested CloudFormation, validate it against the registry
//! schemas, package its assets and deploy it through reviewed change sets.

pub mod aws;
pub mod build;
pub mod change;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod config;
pub mod deploy;
pub mod diff;
pub mod error;
pub mod manifest;
pub mod model;
pub mod package;
pub mod reader;
pub mod resources;
pub mod review;
pub mod schema;
pub mod sns_filter;
pub mod suggest;
pub mod synthetic;
pub mod validate;

/// The payment observability platform (PLATFORM.md) as typed Rust: one module per nested stack.
#[path = "../stacks/mod.rs"]
pub mod stacks;
