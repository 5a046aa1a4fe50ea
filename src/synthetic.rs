//! A synthetic scale input: `cfnc build --synthetic N` adds N resources to the app, to
//! exercise automatic splitting and measure the build at 1,000-10,000 resources through the
//! same compile/validate/emit pipeline as the platform (README, "Scaling").
//!
//! Two stacks are added:
//! - `synthetic-shared`: a KMS key (usable by CloudWatch Logs and by CloudWatch alarms
//!   publishing to SNS), an SNS topic encrypted with it and the topic policy;
//! - `synthetic`: the N resources, in blocks of [`BLOCK`]: 20 groups of (log group encrypted
//!   with the shared key, a metric filter on it, an alarm on the filter's metric that notifies
//!   the shared topic) and one composite alarm over the block's 20 alarms. So resources refer
//!   to each other inside the stack (filter -> log group, alarm -> filter, composite ->
//!   alarms) and across stacks (log group -> key, alarms -> topic).
//!
//! Resource `k` (0-based) is a function of `k` alone: the input with N + 1 resources is the
//! one with N plus exactly one resource, which is what the stability test needs.

use crate::authoring::{PolicyDocument, Principal, Statement, account_root, arn, service, sub};
use crate::compile::{App, AppError};
use crate::model::{Handle, Intrinsic, Value};
use crate::resources::cloudwatch::{Alarm, CompositeAlarm, alarm};
use crate::resources::kms::{Key, KeyAttr};
use crate::resources::logs::{LogGroup, MetricFilter, metric_filter};
use crate::resources::sns::{Topic, TopicPolicy};

/// Name of the stack holding the N resources.
pub const STACK: &str = "synthetic";
/// Name of the stack holding the key and topic they share.
pub const SHARED_STACK: &str = "synthetic-shared";
/// Groups (log group, metric filter, alarm) per composite alarm.
pub const GROUPS_PER_BLOCK: usize = 20;
/// Resources per block: the groups and one composite alarm.
pub const BLOCK: usize = GROUPS_PER_BLOCK * 3 + 1;
/// Metric namespace of the synthetic metrics.
pub const NAMESPACE: &str = "cfnc/synthetic";

/// Logical id of synthetic resource `k`.
pub fn logical_id(k: usize) -> String {
    let (block, pos) = (k / BLOCK, k % BLOCK);
    if pos == BLOCK - 1 {
        return format!("SyntheticComposite{block:05}");
    }
    let group = block * GROUPS_PER_BLOCK + pos / 3;
    match pos % 3 {
        0 => format!("SyntheticLogGroup{group:06}"),
        1 => format!("SyntheticMetricFilter{group:06}"),
        _ => format!("SyntheticAlarm{group:06}"),
    }
}

/// Adds the two synthetic stacks with `n` resources to `app` (environment `env`).
pub fn add(app: &mut App, env: &str, n: usize) -> Result<(), AppError> {
    app.add_stack(
        SHARED_STACK,
        "SyntheticSharedStack",
        &format!("cfnc synthetic scale input ({env}): shared key and topic"),
    )?;
    // Nothing in a template may depend on N itself, or one more resource would change every part.
    app.add_stack(
        STACK,
        "SyntheticStack",
        &format!("cfnc synthetic scale input ({env}): log groups, metric filters, alarms"),
    )?;

    let mut shared = app.stack(SHARED_STACK)?;
    let star = || vec![Value::Literal("*".to_string())];
    let key = shared.add(
        "SyntheticKey",
        Key::builder()
            .description(format!("cfnc synthetic scale input ({env})"))
            .enable_key_rotation(true)
            .pending_window_in_days(7)
            .key_policy(
                PolicyDocument::new(vec![
                    Statement::allow("EnableRootAccountPermissions", &["kms:*"], star())
                        .principal(account_root()),
                    Statement::allow(
                        "AllowCloudWatchLogs",
                        &[
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ],
                        star(),
                    )
                    .principal(Principal::Service(sub("logs.${AWS::Region}.amazonaws.com")))
                    .condition(
                        "ArnLike",
                        "kms:EncryptionContext:aws:logs:arn",
                        arn("logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
                    ),
                    Statement::allow(
                        "AllowCloudWatchAlarms",
                        &["kms:Decrypt", "kms:GenerateDataKey*"],
                        star(),
                    )
                    .principal(service("cloudwatch.amazonaws.com")),
                ])
                .value(),
            )
            .build(),
    )?;
    let topic = shared.add(
        "SyntheticTopic",
        Topic::builder()
            .topic_name(format!("cfnc-synthetic-{env}"))
            .kms_master_key_id(key.get_att(KeyAttr::Arn))
            .build(),
    )?;
    shared.add(
        "SyntheticTopicPolicy",
        TopicPolicy::builder()
            .policy_document(
                PolicyDocument::new(vec![
                    Statement::allow("AllowCloudWatchAlarmsToPublish", &["sns:Publish"], vec![topic.r#ref()])
                        .principal(service("cloudwatch.amazonaws.com"))
                        .condition(
                            "StringEquals",
                            "aws:SourceAccount",
                            Intrinsic::Ref("AWS::AccountId".into()),
                        ),
                ])
                .value(),
            )
            .topics([topic.r#ref()])
            .build(),
    )?;

    let mut s = app.stack(STACK)?;
    for k in 0..n {
        let id = logical_id(k);
        let (block, pos) = (k / BLOCK, k % BLOCK);
        if pos == BLOCK - 1 {
            let rule = (0..GROUPS_PER_BLOCK)
                .map(|g| format!("ALARM(\"${{SyntheticAlarm{:06}}}\")", block * GROUPS_PER_BLOCK + g))
                .collect::<Vec<_>>()
                .join(" OR ");
            let c = CompositeAlarm::builder()
                .alarm_rule(sub(rule))
                .alarm_name(format!("cfnc-synthetic-{env}-composite-{block:05}"))
                .alarm_actions([topic.r#ref()])
                .build();
            s.add(&id, c)?;
            continue;
        }
        let group = block * GROUPS_PER_BLOCK + pos / 3;
        let log_group = Handle::<LogGroup>::new(crate::model::LogicalId::from_words(&format!(
            "SyntheticLogGroup{group:06}"
        )));
        let metric = format!("Errors{group:06}");
        match pos % 3 {
            0 => {
                s.add(
                    &id,
                    LogGroup::builder()
                        .log_group_name(format!("/cfnc/synthetic/{env}/{group:06}"))
                        .retention_in_days(1)
                        .kms_key_id(key.get_att(KeyAttr::Arn))
                        .build(),
                )?;
            }
            1 => {
                let t = metric_filter::MetricTransformation::builder()
                    .metric_name(metric.as_str())
                    .metric_namespace(NAMESPACE)
                    .metric_value("1")
                    .default_value(0.0)
                    .build();
                let f = MetricFilter::builder()
                    .filter_pattern("{ $.level = \"error\" }")
                    .log_group_name(log_group.r#ref())
                    .metric_transformations([t])
                    .filter_name(format!("cfnc-synthetic-{env}-{group:06}"))
                    .build();
                s.add(&id, f)?;
            }
            _ => {
                let h = s.add(
                    &id,
                    Alarm::builder()
                        .alarm_name(format!("cfnc-synthetic-{env}-errors-{group:06}"))
                        .namespace(NAMESPACE)
                        .metric_name(metric.as_str())
                        .statistic(alarm::Statistic::Sum)
                        .period(300)
                        .evaluation_periods(1)
                        .threshold(1.0)
                        .comparison_operator(alarm::ComparisonOperator::GreaterThanOrEqualToThreshold)
                        .treat_missing_data(alarm::TreatMissingData::NotBreaching)
                        .alarm_actions([topic.r#ref()])
                        .build(),
                )?;
                // The metric exists once its filter does.
                let filter = crate::model::LogicalId::from_words(&logical_id(k - 1));
                s.resource_mut(&h).depends_on(&filter);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_a_function_of_the_position() {
        assert_eq!(logical_id(0), "SyntheticLogGroup000000");
        assert_eq!(logical_id(1), "SyntheticMetricFilter000000");
        assert_eq!(logical_id(2), "SyntheticAlarm000000");
        assert_eq!(logical_id(59), "SyntheticAlarm000019");
        assert_eq!(logical_id(60), "SyntheticComposite00000");
        assert_eq!(logical_id(61), "SyntheticLogGroup000020");
        let ids: std::collections::BTreeSet<String> = (0..10_000).map(logical_id).collect();
        assert_eq!(ids.len(), 10_000);
    }

    #[test]
    fn adds_exactly_n_resources_to_the_synthetic_stack() {
        let mut app = App::new("r", "d", vec![]);
        add(&mut app, "dev", 125).unwrap();
        assert_eq!(app.resources_in(STACK).count(), 125);
        assert_eq!(app.resources_in(SHARED_STACK).count(), 3);
        let composite =
            app.graph.resources.get(&crate::model::LogicalId::new("SyntheticComposite00001").unwrap());
        assert!(composite.is_some());
    }
}
