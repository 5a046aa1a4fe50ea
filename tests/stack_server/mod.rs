//! A deployed stack set, replayed (tests/replay/): the root stack and its nested stacks with
//! the given templates, as DescribeStacks / GetTemplate / ListStackResources /
//! DescribeStackEvents answer them; DeleteStack deletes the root (its status becomes
//! DELETE_COMPLETE and a root event says so). Tests of `cfnc destroy` against real templates.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use crate::replay::{Replay, Request, Response, cfn};

pub const ACCOUNT: &str = "123456789012";

/// One deployed stack: its manifest name, its stack id and its template. Nested stacks are
/// found by their parent's `AWS::CloudFormation::Stack` resources, whose physical ids are the
/// ids of the stacks whose logical id they have (`stack_id_of`).
#[derive(Clone, Debug)]
pub struct Served {
    pub name: String,
    pub stack_id: String,
    pub template: Value,
}

/// The stack id of the nested stack `logical_id` of root stack `root`.
pub fn nested_id(root: &str, logical_id: &str) -> String {
    format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{root}-{logical_id}-X/{logical_id}")
}

pub fn root_id(root: &str) -> String {
    format!("arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{root}/root")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Serves `stacks`; the first one is the root, named `root_name`.
pub fn serve(root_name: &str, stacks: Vec<Served>) -> Replay {
    let deleted = Arc::new(AtomicBool::new(false));
    let root_name = root_name.to_string();
    let root_stack_id = stacks[0].stack_id.clone();
    Replay::start(move |r: &Request| {
        let asked = r.form.get("StackName").cloned().unwrap_or_default();
        let stack = stacks.iter().find(|s| s.stack_id == asked || (asked == root_name && s.name == "root"));
        let gone = deleted.load(Ordering::SeqCst);
        match r.action.as_str() {
            "DescribeStacks" => match stack {
                Some(s) => cfn(
                    "DescribeStacks",
                    &format!(
                        "<Stacks><member><StackName>{}</StackName><StackId>{}</StackId><StackStatus>{}</StackStatus>\
                         <CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks>",
                        if s.stack_id == root_stack_id { root_name.as_str() } else { s.name.as_str() },
                        s.stack_id,
                        if gone { "DELETE_COMPLETE" } else { "UPDATE_COMPLETE" },
                    ),
                ),
                None => {
                    Response::error(400, "ValidationError", &format!("Stack with id {asked} does not exist"))
                }
            },
            "GetTemplate" => match stack {
                Some(s) => cfn(
                    "GetTemplate",
                    &format!("<TemplateBody>{}</TemplateBody>", xml_escape(&s.template.to_string())),
                ),
                None => Response::error(400, "ValidationError", "no such stack"),
            },
            "ListStackResources" => match stack {
                Some(s) => {
                    let mut members = String::new();
                    let resources = s.template["Resources"].as_object().cloned().unwrap_or_default();
                    for (id, res) in resources {
                        let ty = res["Type"].as_str().unwrap_or_default();
                        let physical = if ty == "AWS::CloudFormation::Stack" {
                            nested_id(&root_name, &id)
                        } else {
                            format!("{}-{id}-physical", s.name)
                        };
                        members.push_str(&format!(
                            "<member><LogicalResourceId>{id}</LogicalResourceId><PhysicalResourceId>{physical}</PhysicalResourceId>\
                             <ResourceType>{ty}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>\
                             <LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp></member>"
                        ));
                    }
                    cfn(
                        "ListStackResources",
                        &format!("<StackResourceSummaries>{members}</StackResourceSummaries>"),
                    )
                }
                None => Response::error(400, "ValidationError", "no such stack"),
            },
            "DescribeStackEvents" => {
                let events = if gone {
                    format!(
                        "<member><StackId>{root_stack_id}</StackId><EventId>deleted</EventId><StackName>{root_name}</StackName>\
                         <LogicalResourceId>{root_name}</LogicalResourceId><PhysicalResourceId>{root_stack_id}</PhysicalResourceId>\
                         <ResourceType>AWS::CloudFormation::Stack</ResourceType><Timestamp>2026-01-01T00:01:00Z</Timestamp>\
                         <ResourceStatus>DELETE_COMPLETE</ResourceStatus></member>"
                    )
                } else {
                    String::new()
                };
                cfn("DescribeStackEvents", &format!("<StackEvents>{events}</StackEvents>"))
            }
            "DeleteStack" => {
                deleted.store(true, Ordering::SeqCst);
                cfn("DeleteStack", "")
            }
            "DescribeEvents" => cfn("DescribeEvents", "<OperationEvents></OperationEvents>"),
            other => Response::error(400, "Unexpected", other),
        }
    })
}
