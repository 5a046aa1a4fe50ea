//! Compute stack: the metric-collector Lambda with its log group, its EventBridge schedule and
//! invoke permission, and the Synthetics canary (PLATFORM.md, "Metric collector", "Canary").
//!
//! Code comes from the staging bucket (correction 8): the zips `cfnc build` packaged, under
//! content-addressed keys, in `cfnc-staging-<account>-<region>`. The canary runs a current
//! Python runtime with the script packaged as `python/payment_canary.py` (correction 6) and
//! writes its results with SSE-KMS under `synthetics/` (correction 9).

use std::collections::BTreeMap;

use crate::StagedAssets;
use crate::compile::{AppError, StackScope};
use crate::config::{Config, METRIC_NAMESPACE};
use crate::model::{Expr, Handle, Value};
use crate::resources::ec2::SecurityGroupAttr;
use crate::resources::events::{Rule, RuleAttr, rule};
use crate::resources::iam::RoleAttr;
use crate::resources::kms::KeyAttr;
use crate::resources::lambda::{Function, FunctionAttr, Permission, function};
use crate::resources::logs::{LogGroup, LogGroupAttr};
use crate::resources::synthetics::{Canary, canary};

use super::Names;
use super::common::{checkov_skip, sub, var};
use super::monitoring::Monitoring;
use super::network::Network;
use super::security::Security;

/// The Lambda runtime (python3.12 or newer, supported).
pub const LAMBDA_RUNTIME: function::Runtime = function::Runtime::Python313;
/// The Synthetics runtime: the newest `syn-python-selenium-*` (Python 3.12) in the
/// CloudWatch docs; versions up to 5.1 are deprecated and cannot create canaries.
pub const CANARY_RUNTIME: &str = "syn-python-selenium-14.0";
/// Handlers (module packaged by `crate::package`).
pub const LAMBDA_HANDLER: &str = "metric_collector.handler";
pub const CANARY_HANDLER: &str = "payment_canary.handler";

/// Adds the compute resources to `s` (the `compute` stack).
pub fn build(
    s: &mut StackScope<'_>,
    config: &Config,
    names: &Names,
    assets: &StagedAssets,
    net: &Network,
    sec: &Security,
    mon: &Monitoring,
) -> Result<Compute, AppError> {
    let env = names.env.as_str();

    // The function's own log group (1 day, logs key), referenced by the function.
    let log_group = s.add(
        "MetricCollectorLogGroup",
        LogGroup::builder()
            .log_group_name(names.function_log_group())
            .retention_in_days(1)
            .kms_key_id(sec.logs_key.get_att(KeyAttr::Arn))
            .build(),
    )?;

    let code =
        function::Code::builder().s3_bucket(assets.lambda.bucket()).s3_key(assets.lambda.key()).build();
    let vars: BTreeMap<String, Value<Expr>> = [
        ("ENVIRONMENT", Expr::from(env)),
        ("NAMESPACE", Expr::from(METRIC_NAMESPACE)),
        ("PAYMENT_LOG_GROUP", mon.payment_log_group.r#ref::<String>().into()),
        ("AUTH_LOG_GROUP", mon.auth_log_group.r#ref::<String>().into()),
        ("TRANSACTION_LOG_GROUP", mon.transaction_log_group.r#ref::<String>().into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Literal(v)))
    .collect();
    let f = Function::builder()
        .code(code)
        .role(sec.lambda_role.get_att(RoleAttr::Arn))
        .function_name(names.function())
        .description("Reads the last interval of the service log groups and publishes EMF metrics")
        .runtime(LAMBDA_RUNTIME)
        .handler(LAMBDA_HANDLER)
        .memory_size(256)
        .timeout(300)
        .environment(function::Environment::builder().variables(vars).build())
        .logging_config(function::LoggingConfig::builder().log_group(log_group.r#ref()).build())
        .build();
    let function = s.add("MetricCollectorFunction", f)?;
    checkov_skip(
        s.resource_mut(&function),
        &[
            (
                "CKV_AWS_115",
                "Runs once per 5-minute schedule; reserving concurrency fails in accounts whose unreserved pool is at its minimum",
            ),
            (
                "CKV_AWS_116",
                "Invoked asynchronously by EventBridge on a schedule: a lost run is re-read by no one, and the next run reports its own interval (no DLQ consumer exists)",
            ),
            (
                "CKV_AWS_117",
                "Reads CloudWatch Logs APIs only; a VPC would add a NAT path and ENIs for no isolation gain",
            ),
            (
                "CKV_AWS_173",
                "Environment variables hold only the environment name, namespace and log group names (no secrets); Lambda encrypts them at rest",
            ),
        ],
    );

    // Schedule: rate(5 minutes) -> the function, and the permission scoped to the rule.
    let target = rule::Target::builder()
        .arn(function.get_att(FunctionAttr::Arn))
        .id("lambda-metric-collector")
        .build();
    let schedule = s.add(
        "MetricCollectorSchedule",
        Rule::builder()
            .name(format!("rule-lambda-schedule-{env}"))
            .description("Runs the metric collector every 5 minutes")
            .schedule_expression("rate(5 minutes)")
            .state(rule::State::Enabled)
            .targets([target])
            .build(),
    )?;
    s.add(
        "MetricCollectorInvokePermission",
        Permission::builder()
            .action("lambda:InvokeFunction")
            .function_name(function.r#ref())
            .principal("events.amazonaws.com")
            .source_arn(schedule.get_att(RuleAttr::Arn))
            .build(),
    )?;

    // The canary.
    let code = canary::Code::builder()
        .handler(CANARY_HANDLER)
        .s3_bucket(assets.canary.bucket())
        .s3_key(assets.canary.key())
        .build();
    let env_vars: BTreeMap<String, Value<String>> = [
        ("TARGET_URL", config.canary.target_url.clone()),
        ("ENVIRONMENT", env.to_string()),
        ("LATENCY_BUDGET_MS", config.canary.latency_budget_ms.to_string()),
        ("NAMESPACE", METRIC_NAMESPACE.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::Literal(v)))
    .collect();
    let c = Canary::builder()
        .artifact_s3_location(sub(format!("s3://{}/synthetics/", var(&sec.artifacts_bucket))))
        .code(code)
        .execution_role_arn(sec.canary_role.get_att(RoleAttr::Arn))
        .name(names.canary())
        .runtime_version(CANARY_RUNTIME)
        .schedule(canary::Schedule::builder().expression("rate(5 minutes)").build())
        .artifact_config(
            canary::ArtifactConfig::builder()
                .s3_encryption(
                    canary::S3Encryption::builder()
                        .encryption_mode(canary::EncryptionMode::SseKms)
                        .kms_key_arn(sec.s3_key.get_att(KeyAttr::Arn))
                        .build(),
                )
                .build(),
        )
        .run_config(canary::RunConfig::builder().environment_variables(env_vars).build())
        .vpc_config(
            canary::VpcConfig::builder()
                .subnet_ids(net.private_subnets.iter().map(|sn| sn.r#ref()).collect::<Vec<_>>())
                .security_group_ids([net.canary_security_group.get_att(SecurityGroupAttr::GroupId)])
                .build(),
        )
        .start_canary_after_creation(true)
        .build();
    let canary = s.add("PaymentCanary", c)?;

    let out = |s: &mut StackScope<'_>, name: &str, desc: &str, v: Expr| s.output(name, desc, v);
    out(s, "MetricCollectorFunctionName", "Metric collector function", function.r#ref::<String>().into())?;
    out(
        s,
        "MetricCollectorFunctionArn",
        "Metric collector function ARN",
        function.get_att::<String>(FunctionAttr::Arn).into(),
    )?;
    out(s, "MetricCollectorLogGroupName", "Metric collector log group", log_group.r#ref::<String>().into())?;
    out(
        s,
        "MetricCollectorLogGroupArn",
        "Metric collector log group ARN",
        log_group.get_att::<String>(LogGroupAttr::Arn).into(),
    )?;
    out(
        s,
        "MetricCollectorScheduleArn",
        "EventBridge schedule rule ARN",
        schedule.get_att::<String>(RuleAttr::Arn).into(),
    )?;
    out(
        s,
        "MetricCollectorScheduleName",
        "EventBridge schedule rule name",
        Expr::from(format!("rule-lambda-schedule-{env}")),
    )?;
    out(s, "PaymentCanaryName", "Synthetics canary name", canary.r#ref::<String>().into())?;
    out(
        s,
        "PaymentCanaryArtifactsLocation",
        "Where the canary writes its results",
        sub(format!("s3://{}/synthetics/", var(&sec.artifacts_bucket))).into(),
    )?;
    Ok(Compute { function, canary })
}

/// Handles the root outputs use.
pub struct Compute {
    pub function: Handle<Function>,
    pub canary: Handle<Canary>,
}
