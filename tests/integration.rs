//! Every integration test, compiled into one test binary.
//!
//! Each file next to this one was once its own test binary, and each of those statically
//! linked cfnc with the whole AWS SDK: ~400 MB apiece in a debug build, ~8 GB for the suite,
//! which filled the CI disk, and minutes of linking. One binary links once. Run one file's
//! tests with a filter on its module: `cargo test --test integration build_output::`.

// Helpers shared by the test modules.
mod build_common;
mod common;
mod diff_support;
mod moto;
mod replay;
mod stack_server;
mod validate_common;

// The tests, one module per concern.
mod alarms_scale;
mod bootstrap_lint;
mod build_lint;
mod build_output;
mod build_platform;
mod build_snapshots;
mod deploy_failures;
mod deploy_moto;
mod diff_cli;
mod diff_deployed;
mod diff_rules;
mod errors_table;
mod nothing_lost;
mod project_cli;
mod reader_roundtrip;
mod regen;
mod robustness;
mod scale;
mod typed_other_service;
mod typed_template;
mod validate_cfn_lint;
mod validate_cli;
mod validate_mistakes;
