//! Change sets on the root stack: create (bound to the manifest by name and description),
//! wait, describe (paginated, nested ones by their ids), execute, delete.

use std::time::Duration;

use aws_sdk_cloudformation::client::Waiters;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, DeploymentMode, Parameter, ResourceChange, Tag,
};

use super::DeployError;
use crate::aws::{Aws, classify};

/// The longest cfnc waits for CloudFormation to compute a change set.
pub const CREATE_MAX_WAIT: Duration = Duration::from_secs(30 * 60);

const DESCRIPTION_PREFIX: &str = "cfnc manifest sha256:";

/// The change set name for a build: the manifest's hash, so a name always means one build.
pub fn change_set_name(manifest_sha256: &str) -> String {
    format!("cfnc-{manifest_sha256}")
}

/// The change set description: carries the manifest hash that `execute` checks.
pub fn description(manifest_sha256: &str) -> String {
    format!("{DESCRIPTION_PREFIX}{manifest_sha256}")
}

/// The manifest hash a change set was made from, read back from its description.
pub fn manifest_hash_of(description: &str) -> Option<&str> {
    let h = description.strip_prefix(DESCRIPTION_PREFIX)?.get(..64)?;
    h.bytes().all(|b| b.is_ascii_hexdigit()).then_some(h)
}

/// IAM resource types that need `CAPABILITY_IAM`, and the property that names them (which
/// needs `CAPABILITY_NAMED_IAM`), per the CreateChangeSet documentation.
const IAM_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::IAM::AccessKey", None),
    ("AWS::IAM::Group", Some("GroupName")),
    ("AWS::IAM::InstanceProfile", Some("InstanceProfileName")),
    ("AWS::IAM::ManagedPolicy", Some("ManagedPolicyName")),
    ("AWS::IAM::Policy", None),
    ("AWS::IAM::Role", Some("RoleName")),
    ("AWS::IAM::User", Some("UserName")),
    ("AWS::IAM::UserToGroupAddition", None),
];

/// The capabilities a template set needs: IAM / NAMED_IAM for IAM resources (with custom
/// names), AUTO_EXPAND for macros and transforms.
pub fn required_capabilities<'a>(
    templates: impl IntoIterator<Item = &'a serde_json::Value>,
) -> Vec<Capability> {
    let (mut iam, mut named, mut expand) = (false, false, false);
    for t in templates {
        if t.get("Transform").is_some() || contains_key(t, "Fn::Transform") {
            expand = true;
        }
        let Some(resources) = t.get("Resources").and_then(|r| r.as_object()) else { continue };
        for r in resources.values() {
            let ty = r.get("Type").and_then(|t| t.as_str()).unwrap_or("");
            if let Some((_, name_prop)) = IAM_TYPES.iter().find(|(t, _)| *t == ty) {
                iam = true;
                if name_prop.is_some_and(|p| r.get("Properties").and_then(|ps| ps.get(p)).is_some()) {
                    named = true;
                }
            }
        }
    }
    let mut caps = Vec::new();
    if iam {
        caps.push(Capability::CapabilityIam);
    }
    if named {
        caps.push(Capability::CapabilityNamedIam);
    }
    if expand {
        caps.push(Capability::CapabilityAutoExpand);
    }
    caps
}

fn contains_key(v: &serde_json::Value, key: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m.contains_key(key) || m.values().any(|x| contains_key(x, key)),
        serde_json::Value::Array(l) => l.iter().any(|x| contains_key(x, key)),
        _ => false,
    }
}

/// Everything a change set is created from.
#[derive(Clone, Debug)]
pub struct Plan {
    pub stack_name: String,
    pub change_set_name: String,
    pub description: String,
    pub change_set_type: ChangeSetType,
    pub template_url: String,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub capabilities: Vec<Capability>,
    pub revert_drift: bool,
}

/// A described change set (all pages).
#[derive(Clone, Debug, Default)]
pub struct Described {
    pub arn: String,
    pub name: String,
    pub stack_id: String,
    pub stack_name: String,
    pub status: String,
    pub status_reason: String,
    pub execution_status: String,
    pub description: String,
    pub deployment_mode: Option<String>,
    pub changes: Vec<ResourceChange>,
}

/// Creates the change set (replacing an older one of the same name) and waits until
/// CloudFormation has computed it. Returns its ARN; the caller describes it.
pub async fn create(aws: &Aws, plan: &Plan) -> Result<String, DeployError> {
    delete_named(aws, &plan.stack_name, &plan.change_set_name).await?;
    let mut req = aws
        .cfn
        .create_change_set()
        .stack_name(&plan.stack_name)
        .change_set_name(&plan.change_set_name)
        .description(&plan.description)
        .change_set_type(plan.change_set_type.clone())
        .template_url(&plan.template_url)
        .include_nested_stacks(true)
        .set_capabilities(Some(plan.capabilities.clone()));
    for (k, v) in &plan.parameters {
        req = req.parameters(Parameter::builder().parameter_key(k).parameter_value(v).build());
    }
    for (k, v) in &plan.tags {
        req = req.tags(Tag::builder().key(k).value(v).build());
    }
    if plan.revert_drift {
        req = req.deployment_mode(DeploymentMode::RevertDrift);
    }
    let out = req.send().await.map_err(|e| {
        let code = e.as_service_error().and_then(aws_sdk_cloudformation::error::ProvideErrorMetadata::code);
        let message =
            e.as_service_error().and_then(aws_sdk_cloudformation::error::ProvideErrorMetadata::message);
        match (code, message) {
            // Template errors found before the change set exists (format, unresolved refs).
            (Some("ValidationError"), Some(msg)) => DeployError::ChangeSetFailed {
                stack: plan.stack_name.clone(),
                reason: msg.to_string(),
                failures: Vec::new(),
            },
            _ => classify("CloudFormation CreateChangeSet", aws.max_attempts(), e).into(),
        }
    })?;
    let arn = out.id().unwrap_or_default().to_string();
    wait_created(aws, &arn).await?;
    Ok(arn)
}

/// Waits for a change set to leave CREATE_PENDING/CREATE_IN_PROGRESS (either outcome is Ok).
pub async fn wait_created(aws: &Aws, arn: &str) -> Result<(), DeployError> {
    use aws_sdk_cloudformation::waiters::change_set_create_complete::WaitUntilChangeSetCreateCompleteError as E;
    match aws.cfn.wait_until_change_set_create_complete().change_set_name(arn).wait(CREATE_MAX_WAIT).await {
        Ok(_) | Err(E::FailureState(_)) | Err(E::ExceededMaxWait(_)) => Ok(()),
        Err(E::OperationFailed(e)) => {
            Err(classify("CloudFormation DescribeChangeSet", aws.max_attempts(), e.into_error()).into())
        }
        Err(other) => Err(crate::aws::AwsError::Service {
            operation: "CloudFormation change set waiter",
            code: "Waiter".into(),
            message: crate::aws::error::chain_text(&other),
            help: None,
        }
        .into()),
    }
}

/// Deletes the change set `name` of `stack` if it exists.
async fn delete_named(aws: &Aws, stack: &str, name: &str) -> Result<(), DeployError> {
    let found = aws.cfn.describe_change_set().stack_name(stack).change_set_name(name).send().await;
    match found {
        Ok(cs) => {
            if let Some(id) = cs.change_set_id() {
                delete(aws, id).await?;
            }
            Ok(())
        }
        // ChangeSetNotFound, or ValidationError for a stack that does not exist yet: nothing
        // to delete. Anything else (access denied, throttling) is an error.
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                s.is_change_set_not_found_exception()
                    || aws_sdk_cloudformation::error::ProvideErrorMetadata::code(s) == Some("ValidationError")
            }) =>
        {
            Ok(())
        }
        Err(e) => Err(classify("CloudFormation DescribeChangeSet", aws.max_attempts(), e).into()),
    }
}

/// Describes a change set (all pages of changes).
pub async fn describe(aws: &Aws, arn: &str) -> Result<Described, DeployError> {
    let mut d = Described::default();
    let mut token: Option<String> = None;
    loop {
        let resp = aws
            .cfn
            .describe_change_set()
            .change_set_name(arn)
            .include_property_values(true)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify("CloudFormation DescribeChangeSet", aws.max_attempts(), e))?;
        if token.is_none() {
            d.arn = resp.change_set_id().unwrap_or(arn).to_string();
            d.name = resp.change_set_name().unwrap_or_default().to_string();
            d.stack_id = resp.stack_id().unwrap_or_default().to_string();
            d.stack_name = resp.stack_name().unwrap_or_default().to_string();
            d.status = resp.status().map(|s| s.as_str().to_string()).unwrap_or_default();
            d.status_reason = resp.status_reason().unwrap_or_default().to_string();
            d.execution_status = resp.execution_status().map(|s| s.as_str().to_string()).unwrap_or_default();
            d.description = resp.description().unwrap_or_default().to_string();
            d.deployment_mode = resp.deployment_mode().map(|m| m.as_str().to_string());
        }
        d.changes.extend(resp.changes().iter().filter_map(|c| c.resource_change().cloned()));
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(d)
}

/// Executes a change set.
pub async fn execute(aws: &Aws, arn: &str) -> Result<(), DeployError> {
    aws.cfn
        .execute_change_set()
        .change_set_name(arn)
        .send()
        .await
        .map_err(|e| classify("CloudFormation ExecuteChangeSet", aws.max_attempts(), e))?;
    Ok(())
}

/// Deletes a change set.
pub async fn delete(aws: &Aws, arn: &str) -> Result<(), DeployError> {
    aws.cfn
        .delete_change_set()
        .change_set_name(arn)
        .send()
        .await
        .map_err(|e| classify("CloudFormation DeleteChangeSet", aws.max_attempts(), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn description_round_trips_the_hash() {
        let h = "a".repeat(64);
        assert_eq!(manifest_hash_of(&description(&h)), Some(h.as_str()));
        assert_eq!(manifest_hash_of("something else"), None);
        assert_eq!(manifest_hash_of("cfnc manifest sha256:xyz"), None);
        let name = change_set_name(&h);
        assert!(name.len() <= 128 && name.starts_with("cfnc-"));
    }

    #[test]
    fn capabilities_follow_the_templates() {
        let plain = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}});
        assert!(required_capabilities([&plain]).is_empty());
        let role = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}});
        assert_eq!(required_capabilities([&plain, &role]), vec![Capability::CapabilityIam]);
        let named = json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}});
        assert_eq!(
            required_capabilities([&named]),
            vec![Capability::CapabilityIam, Capability::CapabilityNamedIam]
        );
        let sam = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {}});
        assert_eq!(required_capabilities([&sam]), vec![Capability::CapabilityAutoExpand]);
    }
}
