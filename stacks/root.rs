//! The root stack `payment-observability-<env>`: declares the four nested stacks, builds them
//! in dependency order of their Rust values (network, security, monitoring, compute) and
//! re-exports what operators look up, as `payment-observability-<env>-<Name>`.

use crate::StagedAssets;
use crate::compile::{App, AppError};
use crate::config::Config;
use crate::model::{Expr, Intrinsic, Output};
use crate::resources::ec2::SecurityGroupAttr;
use crate::resources::iam::RoleAttr;
use crate::resources::kms::KeyAttr;
use crate::resources::lambda::FunctionAttr;

use super::Names;
use super::common::var;
use super::{compute, monitoring, network, security};

/// The nested stacks: (name, logical id in the root, what it holds).
pub const STACKS: [(&str, &str, &str); 4] = [
    ("network", "NetworkStack", "VPC, subnets, gateways, routes and the canary security group"),
    ("security", "SecurityStack", "KMS keys, artifacts bucket and IAM roles"),
    (
        "monitoring",
        "MonitoringStack",
        "log groups, metric filters, topics, alarms, dashboard and insight rules",
    ),
    ("compute", "ComputeStack", "metric collector Lambda, its schedule, and the Synthetics canary"),
];

/// Builds the whole app.
pub fn build(config: &Config, assets: &StagedAssets) -> Result<App, AppError> {
    let env = config.env.as_str();
    let names = Names::new(env);
    let mut app = App::new(
        crate::config::root_stack_name(env),
        format!(
            "Payment observability platform ({env}): root stack of the network, security, monitoring and compute stacks (cfnc)"
        ),
        config.tags.clone(),
    );
    for (name, id, what) in STACKS {
        app.add_stack(
            name,
            id,
            &format!("Payment observability platform ({env}), {name} stack: {what} (cfnc)"),
        )?;
    }
    let net = network::build(&mut app.stack("network")?, env)?;
    let sec = security::build(&mut app.stack("security")?, &names, &net)?;
    let mon = monitoring::build(&mut app.stack("monitoring")?, config, &names, &sec)?;
    let cmp = compute::build(&mut app.stack("compute")?, config, &names, assets, &net, &sec, &mon)?;

    let mut export =
        |name: &str, description: &str, value: Expr| app.root_output(name, Output::new(description, value));
    export("VpcId", "VPC of the canary", net.vpc.r#ref::<String>().into())?;
    export(
        "PrivateSubnetIds",
        "Private subnets of the canary (comma-separated)",
        Intrinsic::Join(",".into(), net.private_subnets.iter().map(|s| s.r#ref::<String>().into()).collect())
            .into(),
    )?;
    export(
        "CanarySecurityGroupId",
        "Security group of the canary",
        net.canary_security_group.get_att::<String>(SecurityGroupAttr::GroupId).into(),
    )?;
    export("LogsKeyArn", "KMS key of the log groups", sec.logs_key.get_att::<String>(KeyAttr::Arn).into())?;
    export("S3KeyArn", "KMS key of the artifacts bucket", sec.s3_key.get_att::<String>(KeyAttr::Arn).into())?;
    export("SnsKeyArn", "KMS key of the SNS topics", sec.sns_key.get_att::<String>(KeyAttr::Arn).into())?;
    export(
        "ArtifactsBucketName",
        "Bucket holding canary results",
        sec.artifacts_bucket.r#ref::<String>().into(),
    )?;
    export(
        "LambdaRoleArn",
        "Role of the metric collector",
        sec.lambda_role.get_att::<String>(RoleAttr::Arn).into(),
    )?;
    export("CanaryRoleArn", "Role of the canary", sec.canary_role.get_att::<String>(RoleAttr::Arn).into())?;
    export(
        "PaymentServiceLogGroupName",
        "payment-service log group",
        mon.payment_log_group.r#ref::<String>().into(),
    )?;
    export(
        "AuthenticationServiceLogGroupName",
        "authentication-service log group",
        mon.auth_log_group.r#ref::<String>().into(),
    )?;
    export(
        "TransactionProcessorLogGroupName",
        "transaction-processor log group",
        mon.transaction_log_group.r#ref::<String>().into(),
    )?;
    export("StandardAlertsTopicArn", "Standard alerts topic", mon.standard_topic.r#ref::<String>().into())?;
    export(
        "CriticalEscalationsTopicArn",
        "Critical escalations topic",
        mon.critical_topic.r#ref::<String>().into(),
    )?;
    // The names are known at build time: a literal, not one wiring output per alarm.
    export(
        "ThresholdAlarmNames",
        "Threshold alarms from the environment config (comma-separated)",
        Expr::from(mon.threshold_alarm_names.join(",")),
    )?;
    export("DashboardName", "CloudWatch dashboard", mon.dashboard.r#ref::<String>().into())?;
    export(
        "DashboardUrl",
        "CloudWatch dashboard in the console",
        Intrinsic::sub(format!(
            "https://${{AWS::Region}}.console.${{AWS::URLSuffix}}/cloudwatch/home?region=${{AWS::Region}}#dashboards:name={}",
            var(&mon.dashboard)
        ))
        .into(),
    )?;
    export("MetricCollectorFunctionName", "Metric collector Lambda", cmp.function.r#ref::<String>().into())?;
    export(
        "MetricCollectorFunctionArn",
        "Metric collector Lambda ARN",
        cmp.function.get_att::<String>(FunctionAttr::Arn).into(),
    )?;
    export("PaymentCanaryName", "Synthetics canary", cmp.canary.r#ref::<String>().into())?;
    Ok(app)
}
