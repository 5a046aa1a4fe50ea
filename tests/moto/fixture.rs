//! A small build output made by hand (root + one nested monitoring stack + one asset), in the
//! shape `cfnc build` writes: content-addressed S3 keys, `TemplateURL`s built with `Fn::Sub`
//! from the staging bucket convention, and a manifest. Used until the platform build is
//! available to the deploy tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cfnc::manifest::{AssetEntry, MANIFEST_FORMAT, Manifest, STAGING_BUCKET_PATTERN, StackEntry};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const ROOT_STACK: &str = "cfnc-fixture-dev";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The monitoring nested template with an alarm at `threshold`.
pub fn monitoring(threshold: u32) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "fixture monitoring stack",
        "Parameters": {"Env": {"Type": "String"}},
        "Resources": {
            "AlertsTopic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"TopicName": {"Fn::Sub": "alerts-${Env}"}}
            },
            "PaymentLogs": {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Properties": {"LogGroupName": {"Fn::Sub": "payment-${Env}"}, "RetentionInDays": 1}
            },
            "HighLatencyAlarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "AlarmName": {"Fn::Sub": "alarm-high-latency-${Env}"},
                    "MetricName": "ProcessingLatency",
                    "Namespace": "fintech/payments/metrics",
                    "Statistic": "Average",
                    "Period": 300,
                    "EvaluationPeriods": 1,
                    "Threshold": threshold,
                    "ComparisonOperator": "GreaterThanThreshold",
                    "AlarmActions": [{"Ref": "AlertsTopic"}]
                }
            },
            "CollectorRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": {"Fn::Sub": "collector-${Env}"},
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                    }
                }
            }
        },
        "Outputs": {
            "TopicArn": {"Value": {"Ref": "AlertsTopic"}},
            "LogGroupName": {"Value": {"Ref": "PaymentLogs"}}
        }
    })
}

fn root(monitoring_key: &str) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "fixture root stack",
        "Resources": {
            "Monitoring": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": {"Fn::Sub": format!(
                        "https://{}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{monitoring_key}",
                        STAGING_BUCKET_PATTERN
                    )},
                    "Parameters": {"Env": "dev"}
                }
            }
        },
        "Outputs": {
            "AlertsTopicArn": {
                "Value": {"Fn::GetAtt": ["Monitoring", "Outputs.TopicArn"]},
                "Export": {"Name": "cfnc-fixture-dev-AlertsTopicArn"}
            },
            "PaymentLogGroup": {"Value": {"Fn::GetAtt": ["Monitoring", "Outputs.LogGroupName"]}}
        }
    })
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap();
    s.push('\n');
    s.into_bytes()
}

/// Writes `<project>/cfnc.out/dev/` (templates, asset, manifest.json) for `threshold`.
pub fn write_build(project: &Path, threshold: u32) -> PathBuf {
    let dir = project.join("cfnc.out").join("dev");
    std::fs::create_dir_all(&dir).unwrap();
    let mon = pretty(&monitoring(threshold));
    let mon_sha = sha(&mon);
    let mon_key = format!("templates/{mon_sha}.json");
    let root_bytes = pretty(&root(&mon_key));
    let root_sha = sha(&root_bytes);
    let asset = b"PK fixture asset bytes".to_vec();
    let asset_sha = sha(&asset);
    std::fs::write(dir.join("root.json"), &root_bytes).unwrap();
    std::fs::write(dir.join("monitoring.json"), &mon).unwrap();
    std::fs::write(dir.join("lambda.zip"), &asset).unwrap();
    let entry =
        |name: &str, logical: Option<&str>, parent: Option<&str>, file: &str, sha: &str, bytes: usize| {
            StackEntry {
                name: name.into(),
                logical_id: logical.map(Into::into),
                parent: parent.map(Into::into),
                file: file.into(),
                sha256: sha.into(),
                bytes: bytes as u64,
                s3_key: format!("templates/{sha}.json"),
                resources: 0,
                parameters: 0,
                outputs: 0,
            }
        };
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        cfnc_version: env!("CARGO_PKG_VERSION").into(),
        env: "dev".into(),
        root_stack: ROOT_STACK.into(),
        config_sha256: "0".repeat(64),
        staging_bucket_pattern: STAGING_BUCKET_PATTERN.into(),
        stacks: vec![
            entry("root", None, None, "root.json", &root_sha, root_bytes.len()),
            entry("monitoring", Some("Monitoring"), Some("root"), "monitoring.json", &mon_sha, mon.len()),
        ],
        assets: vec![AssetEntry {
            name: "lambda".into(),
            file: "lambda.zip".into(),
            sha256: asset_sha.clone(),
            bytes: asset.len() as u64,
            s3_key: format!("assets/{asset_sha}.zip"),
            source: "lambda".to_string(),
        }],
        parameters: Default::default(),
        warnings: Vec::new(),
        tags: [("Environment".to_string(), "dev".to_string()), ("ManagedBy".to_string(), "cfnc".to_string())]
            .into_iter()
            .collect(),
        regions: Vec::new(),
        primary_region: None,
    };
    std::fs::write(dir.join("manifest.json"), manifest.to_json_string()).unwrap();
    dir
}
