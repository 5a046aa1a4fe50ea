//! The `cfnc` command line: builds a project's app (compiled and run with cargo), validates
//! templates, and deploys a build through reviewed change sets.
//!
//! Layers look down only: [`commands`] (one module per command) turn the parsed options of
//! [`cli`] into plain settings for [`project`] (finding, compiling and running a project's
//! app), [`rollout`] (change set, review, execution), [`review`] (change sets as reviewed rows), [`deploy`] (stacks, change sets, events,
//! uploads) and [`aws`] (one SDK configuration, fault classification). The template work
//! (model, validation, diff) is the `cfnc` library's.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod error;
pub mod project;
pub mod review;
pub mod rollout;
