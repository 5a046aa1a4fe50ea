//! Validator benchmark (not a test): `cargo bench --bench validate`.
//!
//! Generates a template of N resources (default 5,000; `CFNC_BENCH_RESOURCES` overrides)
//! mixing the platform's types, with Ref/GetAtt/Sub/Fn::If between them, serializes it, then
//! times reading it back (positions included) and validating it, first run (schemas compiled)
//! and warm. The template breaks the 500-resource limit on purpose, which is one finding.

use std::time::Instant;

use serde_json::{Map, Value, json};

fn template(n: usize) -> Value {
    let mut resources = Map::new();
    for i in 0..n {
        let (id, r) = match i % 5 {
            0 => (
                format!("Topic{i}"),
                json!({"Type": "AWS::SNS::Topic", "Properties": {
                "TopicName": {"Fn::Sub": format!("${{AWS::StackName}}-topic-{i}")},
                "Tags": [{"Key": "team", "Value": "platform"}]}}),
            ),
            1 => (
                format!("Logs{i}"),
                json!({"Type": "AWS::Logs::LogGroup", "Properties": {
                "LogGroupName": format!("/app/service-{i}"),
                "RetentionInDays": {"Fn::If": ["IsProd", 365, 14]}}}),
            ),
            2 => (
                format!("Alarm{i}"),
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
                "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
                "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": format!("Topic{}", i - 2)}],
                "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": format!("Fn{}", i + 1)}}]}}),
            ),
            3 => (
                format!("Fn{i}"),
                json!({"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "app.handler", "MemorySize": 256, "Timeout": 30,
                "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": "app.zip"},
                "Environment": {"Variables": {"LOG_GROUP": {"Ref": format!("Logs{}", i - 2)}}}}}),
            ),
            _ => (
                format!("Queue{i}"),
                json!({"Type": "AWS::SNS::Subscription", "Properties": {
                "TopicArn": {"Ref": format!("Topic{}", i - 4)}, "Protocol": "email", "Endpoint": "ops@example.com"}}),
            ),
        };
        resources.insert(id, r);
    }
    resources.insert(
        "Role".into(),
        json!({"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}),
    );
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"CodeBucket": {"Type": "String"}, "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": resources,
    })
}

/// CPU time of this thread (the machine may be shared: wall time alone misleads).
fn cpu() -> std::time::Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .unwrap_or(0);
    std::time::Duration::from_nanos(ns)
}

fn main() {
    let n: usize = std::env::var("CFNC_BENCH_RESOURCES").ok().and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let text = serde_json::to_string_pretty(&template(n)).unwrap();
    let (t, c) = (Instant::now(), cpu());
    let loaded = cfnc::reader::parse_str(&text, "bench.json").unwrap();
    let (read, read_cpu) = (t.elapsed(), cpu() - c);
    let opts = cfnc::validate::Options { file: Some("bench.json".into()), template_bytes: Some(text.len()) };
    let (t, c) = (Instant::now(), cpu());
    let first = cfnc::validate::validate_template(&loaded.value, Some(&loaded.positions), &opts);
    let (cold, cold_cpu) = (t.elapsed(), cpu() - c);
    let (t, c) = (Instant::now(), cpu());
    let runs = 5;
    for _ in 0..runs {
        let f = cfnc::validate::validate_template(&loaded.value, Some(&loaded.positions), &opts);
        assert_eq!(f.len(), first.len());
    }
    let (warm, warm_cpu) = (t.elapsed() / runs, (cpu() - c) / runs);
    let codes: Vec<&str> = first.iter().map(|f| f.code).collect();
    println!("{n} resources, {} bytes; findings {codes:?}", text.len());
    println!("read (positions included): {read:?} wall, {read_cpu:?} cpu");
    println!("validate, first run (compiles the used schemas): {cold:?} wall, {cold_cpu:?} cpu");
    println!("validate, warm (mean of {runs}): {warm:?} wall, {warm_cpu:?} cpu");
}
