//! The root stack `payment-observability-<env>`: declares the four nested stacks, builds them
//! in dependency order of their Rust values (network, security, monitoring, compute) and
//! re-exports what operators look up, as `payment-observability-<env>-<Name>`.
//!
//! The same templates deploy to every configured region (README, "Multi-region"): everything
//! is regional except the dashboard, which exists once, in the primary region (condition
//! [`PRIMARY_REGION`]), and shows every region; account-wide names carry the region
//! (`Names::regional`).

use crate::StagedAssets;
use crate::compile::{App, AppError};
use crate::config::Config;
use std::collections::BTreeMap;

use crate::model::{Expr, Intrinsic, Output, Pseudo};
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

/// The condition of what exists once, in the primary region: `AWS::Region` equals the config's
/// `primary_region` (declared when the config names regions).
pub const PRIMARY_REGION: &str = "IsPrimaryRegion";
/// The condition of the console link outputs: the partition has a public console (and, with
/// configured regions, this is the primary region, where the dashboard is).
pub const CONSOLE_LINK: &str = "HasDashboardConsoleLink";
/// The mapping `AWS::Partition` -> `ConsoleHost` (from [`cfnc::partition::PARTITIONS`]).
pub const CONSOLE_HOSTS: &str = "PartitionConsoleHosts";

/// The `DashboardUrl` of a dashboard named `dashboard` (an `Fn::Sub` variable), in the console
/// of the deployment's partition: `https://<console host>/cloudwatch/home?region=<region>#dashboards:name=<name>`.
pub fn dashboard_url(dashboard: &str) -> Expr {
    let host: Expr =
        Intrinsic::FindInMap(Expr::from(CONSOLE_HOSTS), Pseudo::Partition.into(), Expr::from("ConsoleHost"))
            .into();
    Intrinsic::Sub(
        format!(
            "https://${{ConsoleHost}}/cloudwatch/home?region=${{AWS::Region}}#dashboards:name={dashboard}"
        ),
        [("ConsoleHost".to_string(), host)].into_iter().collect(),
    )
    .into()
}

/// Declares [`PRIMARY_REGION`] (when regions are configured), [`CONSOLE_HOSTS`] and
/// [`CONSOLE_LINK`]; returns the condition of the dashboard, if any.
fn declare_conditions(app: &mut App, config: &Config) -> Result<Option<&'static str>, AppError> {
    let primary = match config.primary_region.as_deref() {
        Some(p) => {
            app.condition(PRIMARY_REGION, Intrinsic::Equals(Pseudo::Region.into(), Expr::from(p)))?;
            Some(PRIMARY_REGION)
        }
        None => None,
    };
    let with_console: Vec<&cfnc::partition::Partition> =
        cfnc::partition::PARTITIONS.iter().filter(|p| p.console_host.is_some()).collect();
    let hosts: BTreeMap<String, BTreeMap<String, Expr>> = with_console
        .iter()
        .filter_map(|p| {
            let host = p.console_host?;
            Some((p.name.to_string(), [("ConsoleHost".to_string(), Expr::from(host))].into_iter().collect()))
        })
        .collect();
    app.mapping(CONSOLE_HOSTS, hosts)?;
    let public_console = Intrinsic::Or(
        with_console
            .iter()
            .map(|p| Intrinsic::Equals(Pseudo::Partition.into(), Expr::from(p.name)).into())
            .collect(),
    );
    let link = match primary {
        Some(c) => Intrinsic::And(vec![Intrinsic::Condition(c.to_string()).into(), public_console.into()]),
        None => public_console,
    };
    app.condition(CONSOLE_LINK, link)?;
    Ok(primary)
}

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
    let dashboard_condition = declare_conditions(&mut app, config)?;
    let net = network::build(&mut app.stack("network")?, env)?;
    let sec = security::build(&mut app.stack("security")?, &names, &net)?;
    let mon = monitoring::build(&mut app.stack("monitoring")?, config, &names, &sec, dashboard_condition)?;
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
    export(
        "DashboardName",
        "CloudWatch dashboard (of every region)",
        mon.dashboard.r#ref::<String>().into(),
    )?;
    export("MetricCollectorFunctionName", "Metric collector Lambda", cmp.function.r#ref::<String>().into())?;
    export(
        "MetricCollectorFunctionArn",
        "Metric collector Lambda ARN",
        cmp.function.get_att::<String>(FunctionAttr::Arn).into(),
    )?;
    export("PaymentCanaryName", "Synthetics canary", cmp.canary.r#ref::<String>().into())?;
    let mut url = Output::new(
        "CloudWatch dashboard in the console of the partition",
        dashboard_url(&var(&mon.dashboard)),
    );
    url.condition = Some(CONSOLE_LINK.to_string());
    app.root_output("DashboardUrl", url)?;
    Ok(app)
}
