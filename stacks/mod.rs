//! The payment observability platform (../shared/PLATFORM.md) as typed Rust.
//!
//! One module per nested stack; [`root`] declares the stacks and the root outputs. The
//! modules add typed resources to ONE app graph through a [`crate::compile::StackScope`] and
//! refer to each other's resources through typed handles, whatever stack they are in: the
//! compiler wires the cross-stack references. Environment differences come from
//! `stacks/config/<env>.yaml` ([`crate::config::Config`]), never from code.

pub mod common;
pub mod compute;
pub mod monitoring;
pub mod network;
pub mod root;
pub mod security;

use crate::build::StagedAssets;
use crate::compile::{App, AppError};
use crate::config::Config;

/// Builds the platform for `config`, with the Lambda and canary code at `assets`.
pub fn platform(config: &Config, assets: &StagedAssets) -> Result<App, AppError> {
    root::build(config, assets)
}

/// The `-<env>` names that more than one stack needs (policies are written against names,
/// not references, where a reference would make two stacks depend on each other).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub env: String,
}

impl Names {
    pub fn new(env: &str) -> Self {
        Names { env: env.to_string() }
    }

    pub fn payment_log_group(&self) -> String {
        format!("log-group-payment-service-{}", self.env)
    }

    pub fn auth_log_group(&self) -> String {
        format!("log-group-authentication-service-{}", self.env)
    }

    pub fn transaction_log_group(&self) -> String {
        format!("log-group-transaction-processor-{}", self.env)
    }

    /// The three service log groups the collector reads.
    pub fn service_log_groups(&self) -> [String; 3] {
        [self.payment_log_group(), self.auth_log_group(), self.transaction_log_group()]
    }

    pub fn function(&self) -> String {
        format!("lambda-metric-collector-{}", self.env)
    }

    pub fn function_log_group(&self) -> String {
        format!("/aws/lambda/{}", self.function())
    }

    /// Canary names: lowercase letters, digits, `-` and `_`.
    pub fn canary(&self) -> String {
        format!("canary-payment-{}", self.env)
    }
}
