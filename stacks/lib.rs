//! The payment observability platform (../shared/PLATFORM.md) as typed Rust: the first app
//! written against the cfnc library.
//!
//! One module per nested stack; [`root`] declares the stacks and the root outputs. The
//! modules add typed resources to ONE app graph through a [`cfnc::compile::StackScope`] and
//! refer to each other's resources through typed handles, whatever stack they are in: the
//! compiler wires the cross-stack references. Environment differences come from
//! `stacks/config/<env>.yaml` ([`config::Config`]), never from code. `main.rs` is the program
//! `cfnc build` compiles and runs; [`platform`] is what it builds.

pub mod compute;
pub mod config;
pub mod metrics;
pub mod monitoring;
pub mod network;
pub mod root;
pub mod security;

/// Helpers for writing stacks (policy documents, `Fn::Sub` strings, JSON bodies).
pub use cfnc::authoring as common;
// The library's modules, under the paths the stack modules use.
pub(crate) use cfnc::{compile, model, resources};

use cfnc::build::{BuildError, Context, StagedAsset};
use cfnc::compile::App;
use cfnc::package::AssetSpec;

/// The metric collector's code: `metric_collector.py` at the zip root (handler
/// `metric_collector.handler`).
pub const LAMBDA: AssetSpec =
    AssetSpec { name: "lambda", source: "lambda", prefix: "", required: &["metric_collector.py"] };

/// The canary's script: `python/payment_canary.py`, the layout Synthetics Python runtimes
/// load (handler `payment_canary.handler`).
pub const CANARY: AssetSpec =
    AssetSpec { name: "canary", source: "canary", prefix: "python/", required: &["payment_canary.py"] };

/// Where the platform's code is in the staging bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedAssets {
    pub lambda: StagedAsset,
    pub canary: StagedAsset,
}

/// The app: packages the collector and the canary, then builds the stacks.
pub fn platform(cx: &mut Context<'_, config::Platform>) -> Result<App, BuildError> {
    let assets = StagedAssets { lambda: cx.package(&LAMBDA)?, canary: cx.package(&CANARY)? };
    Ok(root::build(cx.config, &assets)?)
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

    /// A name that must be unique in the account or partition, not only in the region (IAM
    /// roles and managed policies, S3 buckets), made regional for `Fn::Sub`:
    /// `<name>-${AWS::Region}`. The same templates deploy to every configured region (README,
    /// "Multi-region"), so a fixed global name would collide with the one the first region made.
    pub fn regional(name: &str) -> String {
        format!("{name}-${{AWS::Region}}")
    }

    /// The artifacts bucket, before [`Names::regional`] (`Fn::Sub` text).
    pub fn artifacts_bucket(&self) -> String {
        format!("s3-observability-{}-${{AWS::AccountId}}", self.env)
    }

    /// The metric collector's IAM role, before [`Names::regional`].
    pub fn collector_role(&self) -> String {
        format!("role-lambda-metric-collector-{}", self.env)
    }

    /// The canary's IAM role, before [`Names::regional`].
    pub fn canary_role(&self) -> String {
        format!("role-synthetics-canary-{}", self.env)
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
