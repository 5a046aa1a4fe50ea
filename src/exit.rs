//! Process exit codes, shared by the `cfnc` CLI and the apps it runs (an app's exit code is
//! passed through by `cfnc build`). Documented in the README ("Errors and exit codes").

/// Success.
pub const OK: u8 = 0;
/// The command ran and found problems (validation errors, a failed deployment).
pub const FINDINGS: u8 = 1;
/// Bad usage or bad input (arguments, config, files).
pub const USAGE: u8 = 2;
/// An AWS or I/O fault.
pub const FAULT: u8 = 3;
/// A bug (a panic): Rust's own exit code for one.
pub const BUG: u8 = 101;
/// Interrupted by Ctrl-C while AWS was still working (128 + SIGINT).
pub const INTERRUPTED: u8 = 130;
