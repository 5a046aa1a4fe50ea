//! The deployed side: stack resources and templates of the root and nested stacks, found
//! through the manifest's stack tree (`cfnc diff` compares them with the local build).

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::TemplateStage;

use super::DeployError;
use crate::aws::{Aws, AwsError, classify};
use cfnc::manifest::Manifest;

/// One resource of a deployed stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployedResource {
    pub logical_id: String,
    pub type_name: String,
    pub physical_id: String,
    pub status: String,
}

/// One deployed stack of the set.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployedStack {
    /// The manifest entry name (`root`, `monitoring`), or the logical id for a nested stack the
    /// manifest no longer lists.
    pub name: String,
    /// Stack id (ARN) or name as CloudFormation reports the nested stack's physical id.
    pub stack_id: String,
    pub template: serde_json::Value,
    pub resources: Vec<DeployedResource>,
}

/// The deployed templates of a stack set, by manifest entry name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeployedTemplates {
    /// Empty when the root stack does not exist.
    pub stacks: BTreeMap<String, DeployedStack>,
    /// The root stack's current parameter values (DescribeStacks).
    pub root_parameters: BTreeMap<String, String>,
}

impl DeployedTemplates {
    pub fn get(&self, name: &str) -> Option<&DeployedStack> {
        self.stacks.get(name)
    }
}

/// All resources of a stack (ListStackResources, paginated).
pub async fn stack_resources(aws: &Aws, stack: &str) -> Result<Vec<DeployedResource>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let resp = aws
            .cfn
            .list_stack_resources()
            .stack_name(stack)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| classify("CloudFormation ListStackResources", aws.max_attempts(), e))?;
        for r in resp.stack_resource_summaries() {
            out.push(DeployedResource {
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                type_name: r.resource_type().unwrap_or_default().to_string(),
                physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
                status: r.resource_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            });
        }
        token = resp.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
    Ok(out)
}

/// The template a stack was last deployed with (GetTemplate, Original stage), as JSON.
pub async fn get_template(aws: &Aws, stack: &str) -> Result<serde_json::Value, DeployError> {
    let resp = aws
        .cfn
        .get_template()
        .stack_name(stack)
        .template_stage(TemplateStage::Original)
        .send()
        .await
        .map_err(|e| classify("CloudFormation GetTemplate", aws.max_attempts(), e))?;
    let body = resp.template_body().unwrap_or("{}");
    parse_template_body(body, stack).map_err(|reason| {
        DeployError::from(AwsError::Service {
            operation: "CloudFormation GetTemplate",
            code: "UnreadableTemplate".into(),
            message: format!("the deployed template of `{stack}` cannot be read: {reason}"),
            help: Some(
                "the body is neither a JSON nor a YAML CloudFormation template; check it in the console \
                 (Template tab)"
                    .into(),
            ),
        })
    })
}

/// A deployed template body: JSON, or YAML with short-form tags (`!Ref`, `!Sub`...), read
/// by the same reader as local templates (a stack deployed from YAML by any tool reads back
/// as YAML). `name` names the stack in errors.
pub fn parse_template_body(body: &str, name: &str) -> Result<serde_json::Value, String> {
    cfnc::reader::parse_str(body, name).map(|loaded| loaded.value).map_err(|e| e.to_string())
}

/// The deployed templates of the root stack named in the manifest and of every nested stack
/// under it (GetTemplate for each, found through ListStackResources). Empty when the root
/// stack does not exist.
pub async fn fetch_deployed_templates(
    aws: &Aws,
    manifest: &Manifest,
) -> Result<DeployedTemplates, DeployError> {
    let mut out = DeployedTemplates::default();
    let Some(root) = super::stack::describe(aws, &manifest.root_stack).await? else { return Ok(out) };
    if matches!(super::stack::StackState::of(Some(&root)), super::stack::StackState::ReviewInProgress) {
        return Ok(out); // created for a change set that never ran: nothing deployed
    }
    let root_id = root.stack_id().unwrap_or(&manifest.root_stack).to_string();
    out.root_parameters = root
        .parameters()
        .iter()
        .filter_map(|p| {
            Some((p.parameter_key()?.to_string(), p.parameter_value().unwrap_or_default().to_string()))
        })
        .collect();
    let root_name =
        manifest.stacks.iter().find(|s| s.parent.is_none()).map(|s| s.name.clone()).unwrap_or("root".into());
    let mut queue = vec![(root_name, root_id)];
    while let Some((name, id)) = queue.pop() {
        let template = get_template(aws, &id).await?;
        let resources = stack_resources(aws, &id).await?;
        for r in &resources {
            if r.type_name != "AWS::CloudFormation::Stack" || r.physical_id.is_empty() {
                continue;
            }
            let child = manifest
                .stacks
                .iter()
                .find(|s| {
                    s.parent.as_deref() == Some(name.as_str())
                        && s.logical_id.as_deref() == Some(&r.logical_id)
                })
                .map(|s| s.name.clone())
                .unwrap_or_else(|| r.logical_id.clone());
            queue.push((child, r.physical_id.clone()));
        }
        out.stacks.insert(name.clone(), DeployedStack { name, stack_id: id, template, resources });
    }
    Ok(out)
}

#[cfg(test)]
mod body_tests {
    use super::parse_template_body;
    use serde_json::json;

    #[test]
    fn deployed_bodies_in_json_and_yaml_with_short_forms_read_back() {
        let json_body = r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}"#;
        assert_eq!(parse_template_body(json_body, "s").unwrap()["Resources"]["T"]["Type"], "AWS::SNS::Topic");
        let yaml = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${AWS::StackName}-t'\n      DisplayName: !GetAtt Q.QueueName\n";
        let v = parse_template_body(yaml, "s").unwrap();
        assert_eq!(v["Resources"]["T"]["Properties"]["TopicName"], json!({"Fn::Sub": "${AWS::StackName}-t"}));
        assert_eq!(
            v["Resources"]["T"]["Properties"]["DisplayName"],
            json!({"Fn::GetAtt": ["Q", "QueueName"]})
        );
        let err = parse_template_body("Resources: [unclosed", "payments-dev").unwrap_err();
        assert!(err.contains("payments-dev"), "{err}");
    }
}
