//! One row of a change review: shared by the offline diff (`cfnc diff`) and the change-set
//! review (`changeset.json`), so CI reads one schema.

use serde::{Deserialize, Serialize};

/// What happens to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    Add,
    Modify,
    Remove,
    /// Drift-aware change sets and imports.
    Import,
    Dynamic,
}

/// Whether a Modify replaces the resource (CloudFormation's own words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Replacement {
    True,
    Conditional,
    False,
}

/// Something a reviewer must look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// Removing or replacing a resource that holds data (bucket, log group, KMS key) without Retain.
    DeleteData,
    /// New actions, resources or principals, wildcards, or new statements in IAM policies.
    IamWidening,
    /// New or broader security-group ingress/egress.
    SgWidening,
}

/// Where a row's replacement figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Reported by CloudFormation in a change set.
    Service,
    /// Predicted by cfnc from the schemas (offline diff, or details the service did not give).
    Predicted,
}

/// One changed resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    /// Stack name (`root`, `monitoring`, or a template file name for loose files).
    pub stack: String,
    pub logical_id: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub action: Action,
    /// For a Modify only.
    pub replacement: Option<Replacement>,
    /// Top-level properties that changed (for a Modify), sorted.
    pub properties: Vec<String>,
    /// Sorted, no duplicates.
    pub flags: Vec<Flag>,
    /// Physical id when known (deployed resources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_id: Option<String>,
    /// Properties whose change causes the replacement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacement_causes: Vec<String>,
    #[serde(default = "predicted")]
    pub source: Source,
}

fn predicted() -> Source {
    Source::Predicted
}

impl ChangeRow {
    /// A predicted row with no detail yet (no replacement, properties or flags).
    pub fn predicted(stack: &str, logical_id: &str, type_name: &str, action: Action) -> Self {
        ChangeRow {
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
            type_name: type_name.to_string(),
            action,
            replacement: None,
            properties: Vec::new(),
            flags: Vec::new(),
            physical_id: None,
            replacement_causes: Vec::new(),
            source: Source::Predicted,
        }
    }
}
