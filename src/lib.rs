//! # cfnc
//!
//! Compile typed Rust into nested CloudFormation, validate it against the registry schemas,
//! package its assets, and hand the result to the `cfnc` CLI, which deploys it through
//! reviewed change sets.
//!
//! This crate is the **library** that a project's *app* is written against (the CLI is the
//! `cfnc-cli` package; it contains no app). An app is a small program: it reads its
//! environment config, adds typed resources to stacks, and calls [`app::main`], which
//! compiles the stacks into a root template plus nested templates (cross-stack references
//! wired automatically), validates every template, packages the app's assets, and writes
//! `cfnc.out/<env>/` with its `manifest.json` (the contract with the CLI).
//!
//! A whole app, as `stacks/main.rs` of a project (`cfnc init` writes one like it):
//!
//! ```no_run
//! use cfnc::build::{BuildError, Context};
//! use cfnc::compile::App;
//! use cfnc::config::Settings;
//! use cfnc::resources::logs::LogGroup;
//!
//! /// What `stacks/config/<env>.yaml` holds (besides `environment` and `tags`).
//! #[derive(Debug, serde::Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct Config {
//!     retention_days: i64,
//! }
//!
//! impl Settings for Config {}
//!
//! fn build(cx: &mut Context<'_, Config>) -> Result<App, BuildError> {
//!     let env = cx.env().to_string();
//!     let mut app = App::new(format!("logs-{env}"), "Log groups (cfnc)", cx.config.tags.clone());
//!     app.add_stack("logs", "LogsStack", "The log groups")?;
//!     let mut logs = app.stack("logs")?;
//!     let group = logs.add("AppLogs", LogGroup::builder().retention_in_days(cx.config.retention_days).build())?;
//!     logs.root_output("AppLogGroup", "The application's log group", group.r#ref::<String>())?;
//!     Ok(app)
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     cfnc::app::main(build)
//! }
//! ```
//!
//! The same build runs in-process through [`build::build`], e.g. in an app's tests.
//!
//! Modules, bottom up:
//! - [`model`]: the template model (`Template`, `LogicalId`, `Value<T>` literals or
//!   intrinsics, typed `Ref`/`GetAtt` handles); [`resources`]: typed models of resource types,
//!   generated from the registry schemas in [`schema`]; [`authoring`]: helpers for writing
//!   stacks (IAM policy documents, `Fn::Sub` strings, JSON bodies);
//! - [`compile`]: the app model (one resource graph, placement in nested stacks) and the
//!   compiler (cross-stack wiring, tags, splitting over CloudFormation's limits);
//! - [`config`]: an app's environment config (typed, positions in errors, did-you-mean);
//! - [`validate`]: the validator (registry schemas with intrinsics understood, template
//!   rules); [`reader`]: JSON/YAML templates with positions;
//! - [`package`]: deterministic asset zips; [`build`]: config -> app -> compile -> validate
//!   -> write, and [`app`]: the entry point an app's `main` calls;
//! - [`manifest`]: `manifest.json`; [`diff`] and [`change`]: offline change prediction;
//!   [`partition`]: AWS partitions (URL suffix, console host) of regions.
//!
//! The library has no AWS SDK, async runtime or argument parser: those are the CLI's.

pub mod app;
pub mod authoring;
pub mod build;
pub mod change;
pub mod compile;
pub mod config;
pub mod diff;
pub mod error;
pub mod exit;
pub mod manifest;
pub mod model;
pub mod package;
pub mod partition;
pub mod reader;
pub mod resources;
pub mod schema;
pub mod sns_filter;
pub mod suggest;
#[cfg(any(
    feature = "platform",
    all(feature = "cloudwatch", feature = "kms", feature = "logs", feature = "sns")
))]
pub mod synthetic;
pub mod validate;
