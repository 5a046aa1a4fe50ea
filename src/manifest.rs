//! `manifest.json`: the contract between `cfnc build` and `cfnc deploy`.
//!
//! It lists every template and asset that a build wrote, with its sha256 and the S3 key
//! it is uploaded under in the staging bucket, so that deploy needs nothing but this file
//! and the files beside it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the manifest format; bumped on incompatible changes.
pub const MANIFEST_FORMAT: u32 = 1;

/// The staging bucket name convention: one bucket per account and region, created by
/// `cfnc bootstrap`. `${AWS::AccountId}` and `${AWS::Region}` are `Fn::Sub` variables.
pub const STAGING_BUCKET_PATTERN: &str = "cfnc-staging-${AWS::AccountId}-${AWS::Region}";

/// The staging bucket name for a concrete account and region.
pub fn staging_bucket_name(account_id: &str, region: &str) -> String {
    STAGING_BUCKET_PATTERN.replace("${AWS::AccountId}", account_id).replace("${AWS::Region}", region)
}

/// The whole manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The cfnc version that wrote it.
    pub cfnc_version: String,
    /// Environment name (`dev`).
    pub env: String,
    /// Name of the root stack in AWS (`payment-observability-dev`).
    pub root_stack: String,
    /// sha256 of the environment config file's bytes.
    pub config_sha256: String,
    /// [`STAGING_BUCKET_PATTERN`] as used by this build.
    pub staging_bucket_pattern: String,
    /// Templates: the root first, then nested stacks in a stable order.
    pub stacks: Vec<StackEntry>,
    /// Packaged assets (Lambda and canary zips).
    pub assets: Vec<AssetEntry>,
    /// Parameter values to pass to the root stack (none needed by default).
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Stack-level tags for the root stack (CloudFormation propagates them).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Warnings about the environment config that deploy must know about (placeholder
    /// values: `cfnc deploy` asks before deploying them). Left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ConfigWarning>,
    /// The regions the set is deployed to (the environment config's `regions`, as listed):
    /// one root stack of this set in each. Empty: the one region of the AWS configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The region deployed first (`primary_region`); set exactly when `regions` is not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
}

/// A warning of the build about the environment config, as deploy reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigWarning {
    /// The config file, relative to the project (`stacks/config/dev.yaml`).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A placeholder value: `cfnc deploy` asks for confirmation (`--yes` gives it).
    pub placeholder: bool,
}

impl std::fmt::Display for ConfigWarning {
    /// `file:line:column: message (hint)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl Manifest {
    /// The warnings about placeholder values, which `cfnc deploy` asks about.
    pub fn placeholders(&self) -> impl Iterator<Item = &ConfigWarning> {
        self.warnings.iter().filter(|w| w.placeholder)
    }
}

/// One template of the set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackEntry {
    /// Short name (`root`, `network`, ...).
    pub name: String,
    /// Logical id of the `AWS::CloudFormation::Stack` resource in its parent (none for root).
    pub logical_id: Option<String>,
    /// Name of the parent stack entry (none for root).
    pub parent: Option<String>,
    /// File name in the output directory (`network.json`).
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// Key in the staging bucket (`templates/<sha256>.json`).
    pub s3_key: String,
    pub resources: usize,
    pub parameters: usize,
    pub outputs: usize,
}

/// One packaged asset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetEntry {
    /// Short name (`lambda`, `canary`).
    pub name: String,
    /// File name in the output directory.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
    /// Key in the staging bucket (`assets/<sha256>.zip`).
    pub s3_key: String,
    /// The packaged directory, relative to the project root (`lambda`): a change under it
    /// makes the build stale.
    #[serde(default)]
    pub source: String,
}

impl Manifest {
    /// The configured regions in rollout order: the primary region first, then the others as
    /// listed. Empty when the set names no regions.
    pub fn rollout_regions(&self) -> Vec<String> {
        crate::config::rollout_order(&self.regions, self.primary_region.as_deref())
    }

    /// Deterministic pretty JSON.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}
