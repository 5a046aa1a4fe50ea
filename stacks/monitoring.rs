//! Monitoring stack: log groups, metric filters, SNS topics and subscriptions, threshold
//! alarms (from the config list), composite alarms, anomaly detectors and their alarms, the
//! metric-math alarm, the dashboard and the Contributor Insights rules (PLATFORM.md, "Logs",
//! "Alerting", "Dashboard", "Contributor Insights").
//!
//! Corrections applied here: OpsItem alarm actions instead of an `aws_ssm_ops_item` (1),
//! `ANOMALY_DETECTION_BAND` (2), topics encrypted with the sns CMK (3), MessageBody filter
//! policies on fields CloudWatch alarm messages carry (4), complete Contributor Insights rule
//! bodies (5), maintenance windows excluded from the anomaly models (10).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::compile::{AppError, StackScope};
use crate::config::{self, COMPOSITE_ALARM_IDS, Config, METRIC_NAMESPACE, ThresholdAlarm};
use crate::metrics::{METRIC_FILTERS, ServiceLog};
use crate::model::{Expr, Handle, Intrinsic, LogicalId, Pseudo, Value};
use crate::resources::cloudwatch::{
    Alarm, AlarmAttr, AnomalyDetector, CompositeAlarm, CompositeAlarmAttr, Dashboard, InsightRule,
    InsightRuleAttr, alarm, anomaly_detector, insight_rule,
};
use crate::resources::kms::KeyAttr;
use crate::resources::logs::{LogGroup, LogGroupAttr, MetricFilter, metric_filter};
use crate::resources::sns::{Subscription, Topic, TopicPolicy};

use cfnc::validate::cloudwatch::{MAX_RULE_ALARMS, MAX_RULE_LENGTH};

use super::Names;
use super::common::{PolicyDocument, Statement, arn, json_body, service, sub, var};
use super::security::Security;

/// Name of the metric-math alarm (its notifications go to the critical topic).
pub fn error_rate_alarm_name(env: &str) -> String {
    format!("alarm-error-rate-percentage-{env}")
}

/// The OpsItem an alarm action opens: `arn:<partition>:ssm:<region>:<account>:opsitem:<severity>#CATEGORY=<category>`
/// (correction 1: CloudWatch creates OpsItems itself; there is no OpsItem resource).
pub fn opsitem_action(severity: u8) -> Value<String> {
    arn(format!("ssm:${{AWS::Region}}:${{AWS::AccountId}}:opsitem:{severity}#CATEGORY=Availability"))
}

/// A Contributor Insights rule: (logical id, rule name stem, contribution key, optional
/// `(Match, In value)` filter).
type InsightRuleDef = (&'static str, &'static str, &'static str, Option<(&'static str, &'static str)>);

/// The Contributor Insights rules on the payment-service log group.
const INSIGHT_RULES: [InsightRuleDef; 3] = [
    ("TopIpAddressesRule", "top-ip-addresses", "$.source_ip", None),
    ("TopUsersRule", "top-users", "$.user_id", None),
    ("TopErrorEndpointsRule", "top-error-endpoints", "$.endpoint", Some(("$.status", "error"))),
];

/// What the monitoring stack hands to others.
pub struct Monitoring {
    pub payment_log_group: Handle<LogGroup>,
    pub auth_log_group: Handle<LogGroup>,
    pub transaction_log_group: Handle<LogGroup>,
    pub standard_topic: Handle<Topic>,
    pub critical_topic: Handle<Topic>,
    pub threshold_alarms: Vec<Handle<Alarm>>,
    /// Their names (`alarm-<name>-<env>`), in config order: known at build time.
    pub threshold_alarm_names: Vec<String>,
    pub dashboard: Handle<Dashboard>,
}

/// The two subscription filter policies (MessageBody scope), by topic.
pub struct FilterPolicies {
    pub standard: Expr,
    pub critical: Expr,
}

/// Filter policies on fields every CloudWatch alarm notification carries (correction 4):
/// - standard: metric alarms (`alarm-` prefix) changing to ALARM or OK;
/// - critical: the composite alarms (`composite-alarm-` prefix) and the metric-math alarm
///   (exact name), changing to ALARM.
pub fn filter_policies(env: &str) -> FilterPolicies {
    FilterPolicies {
        standard: Expr::map([
            ("AlarmName", Expr::list([Expr::map([("prefix", "alarm-")])])),
            ("NewStateValue", Expr::list(["ALARM", "OK"])),
        ]),
        critical: Expr::map([
            (
                "AlarmName",
                Expr::list([
                    Expr::map([("prefix", Expr::from("composite-alarm-"))]),
                    Expr::from(error_rate_alarm_name(env)),
                ]),
            ),
            ("NewStateValue", Expr::list(["ALARM"])),
        ]),
    }
}

fn metric_dims(dims: &BTreeMap<String, String>) -> Option<Value<Vec<Value<alarm::Dimension>>>> {
    if dims.is_empty() {
        return None;
    }
    Some(
        dims.iter()
            .map(|(k, v)| alarm::Dimension::builder().name(k.as_str()).value(v.as_str()).build())
            .collect::<Vec<_>>()
            .into(),
    )
}

fn statistic(s: config::Statistic) -> alarm::Statistic {
    match s {
        config::Statistic::Sum => alarm::Statistic::Sum,
        config::Statistic::Average => alarm::Statistic::Average,
        config::Statistic::Minimum => alarm::Statistic::Minimum,
        config::Statistic::Maximum => alarm::Statistic::Maximum,
        config::Statistic::SampleCount => alarm::Statistic::SampleCount,
    }
}

fn comparison(c: config::Comparison) -> alarm::ComparisonOperator {
    match c {
        config::Comparison::GreaterThanThreshold => alarm::ComparisonOperator::GreaterThanThreshold,
        config::Comparison::GreaterThanOrEqualToThreshold => {
            alarm::ComparisonOperator::GreaterThanOrEqualToThreshold
        }
        config::Comparison::LessThanThreshold => alarm::ComparisonOperator::LessThanThreshold,
        config::Comparison::LessThanOrEqualToThreshold => {
            alarm::ComparisonOperator::LessThanOrEqualToThreshold
        }
    }
}

fn treat_missing(t: config::TreatMissingData) -> alarm::TreatMissingData {
    match t {
        config::TreatMissingData::Breaching => alarm::TreatMissingData::Breaching,
        config::TreatMissingData::NotBreaching => alarm::TreatMissingData::NotBreaching,
        config::TreatMissingData::Ignore => alarm::TreatMissingData::Ignore,
        config::TreatMissingData::Missing => alarm::TreatMissingData::Missing,
    }
}

/// The logical id of a threshold alarm from the config list: `payment-errors` -> `PaymentErrorsAlarm`.
pub fn threshold_alarm_id(a: &ThresholdAlarm) -> LogicalId {
    a.logical_id()
}

fn actions(topics: &[&Handle<Topic>]) -> Value<Vec<Value<String>>> {
    topics.iter().map(|t| t.r#ref()).collect::<Vec<_>>().into()
}

/// The metric `m1` of an anomaly alarm/detector: namespace, name, dimensions, Average over 300 s.
struct AnomalyMetric {
    id: &'static str,
    name: &'static str,
    metric: &'static str,
    dims: BTreeMap<String, String>,
    description: &'static str,
}

/// Adds the monitoring resources to `s` (the `monitoring` stack). `dashboard_condition`: the
/// app's condition under which the dashboard exists (the primary region), when the platform
/// runs in configured regions; the dashboard exists once and shows every region.
pub fn build(
    s: &mut StackScope<'_>,
    config: &Config,
    names: &Names,
    sec: &Security,
    dashboard_condition: Option<&str>,
) -> Result<Monitoring, AppError> {
    let env = names.env.as_str();
    let env_dims = BTreeMap::from([("Environment".to_string(), env.to_string())]);

    // Log groups, encrypted with the logs key, 1-day retention.
    let log_group = |s: &mut StackScope<'_>, id: &str, name: String| -> Result<Handle<LogGroup>, AppError> {
        s.add(
            id,
            LogGroup::builder()
                .log_group_name(name)
                .retention_in_days(1)
                .kms_key_id(sec.logs_key.get_att(KeyAttr::Arn))
                .build(),
        )
    };
    let payment = log_group(s, "PaymentServiceLogGroup", names.payment_log_group())?;
    let auth = log_group(s, "AuthenticationServiceLogGroup", names.auth_log_group())?;
    let transaction = log_group(s, "TransactionProcessorLogGroup", names.transaction_log_group())?;

    // Metric filters (the list is crate::metrics, which the config checks read too).
    // metric name -> (filter handle, filter name)
    let mut filter_of: BTreeMap<&str, (Handle<MetricFilter>, String)> = BTreeMap::new();
    for f in &METRIC_FILTERS {
        let group = match f.log {
            ServiceLog::Payment => &payment,
            ServiceLog::Authentication => &auth,
            ServiceLog::Transaction => &transaction,
        };
        let mut t = metric_filter::MetricTransformation::builder()
            .metric_name(f.metric)
            .metric_namespace(METRIC_NAMESPACE)
            .metric_value(f.value);
        if let Some(default) = f.default {
            t = t.default_value(default);
        }
        if let Some(unit) = f.unit {
            t = t.unit(unit);
        }
        let name = format!("metric-filter-{}-{env}", f.name);
        let mf = MetricFilter::builder()
            .filter_pattern(f.pattern)
            .log_group_name(group.r#ref())
            .metric_transformations([t.build()])
            .filter_name(name.as_str())
            .build();
        filter_of.insert(f.metric, (s.add(f.id, mf)?, name));
    }

    // SNS topics (sns CMK, correction 3), topic policies, email subscriptions.
    let topic = |s: &mut StackScope<'_>, id: &str, name: String, display: &str| {
        s.add(
            id,
            Topic::builder()
                .topic_name(name)
                .display_name(display)
                .kms_master_key_id(sec.sns_key.get_att(KeyAttr::Arn))
                .build(),
        )
    };
    let standard = topic(
        s,
        "StandardAlertsTopic",
        format!("sns-standard-alerts-{env}"),
        "Standard Observability Alerts",
    )?;
    let critical = topic(
        s,
        "CriticalEscalationsTopic",
        format!("sns-critical-escalations-{env}"),
        "Critical Observability Escalations",
    )?;
    for (id, t) in [("StandardAlertsTopicPolicy", &standard), ("CriticalEscalationsTopicPolicy", &critical)] {
        s.add(
            id,
            TopicPolicy::builder()
                .policy_document(
                    PolicyDocument::new(vec![
                        Statement::allow("AllowCloudWatchAlarmsToPublish", &["sns:Publish"], vec![t.r#ref()])
                            .principal(service("cloudwatch.amazonaws.com"))
                            .condition("StringEquals", "aws:SourceAccount", Pseudo::AccountId),
                    ])
                    .value(),
                )
                .topics([t.r#ref()])
                .build(),
        )?;
    }
    let policies = filter_policies(env);
    for (prefix, t, emails, policy) in [
        ("StandardAlerts", &standard, &config.notifications.standard, &policies.standard),
        ("CriticalEscalations", &critical, &config.notifications.critical, &policies.critical),
    ] {
        for email in emails {
            let sub = Subscription::builder()
                .protocol("email")
                .topic_arn(t.r#ref())
                .endpoint(email.as_str())
                .filter_policy_scope("MessageBody")
                .filter_policy(policy.clone())
                .build();
            s.add(&format!("{prefix}EmailSubscription{}", LogicalId::from_words(email)), sub)?;
        }
    }

    // Threshold alarms from the config list.
    let mut threshold = Vec::new();
    for a in &config.alarms {
        let id = threshold_alarm_id(a);
        let mut alarm = Alarm::builder()
            .alarm_name(a.alarm_name(env))
            .alarm_description(a.description())
            .namespace(METRIC_NAMESPACE)
            .metric_name(a.metric.as_str())
            .statistic(statistic(a.statistic))
            .period(a.period)
            .evaluation_periods(a.evaluation_periods)
            .threshold(a.threshold)
            .comparison_operator(comparison(a.comparison))
            .treat_missing_data(treat_missing(a.treat_missing_data))
            .alarm_actions(actions(&[&standard]))
            .ok_actions(actions(&[&standard]));
        if let Some(dims) = metric_dims(&a.dimensions) {
            alarm = alarm.dimensions(dims);
        }
        if let Some(d) = a.datapoints_to_alarm {
            alarm = alarm.datapoints_to_alarm(d);
        }
        let h = s.add(id.as_str(), alarm.build())?;
        // The alarm's metric only exists once its metric filter does.
        if a.dimensions.is_empty()
            && let Some((f, _)) = filter_of.get(a.metric.as_str())
        {
            s.resource_mut(&h).depends_on(f.id());
        }
        threshold.push((a, h));
    }

    // Composite alarms -> critical topic + OpsItem (correction 1), as trees of composites
    // where one rule would name too many alarms.
    let member = |(a, h): &(&ThresholdAlarm, Handle<Alarm>)| RuleMember {
        id: h.id().clone(),
        name: a.alarm_name(env),
    };
    let systemic_members: Vec<RuleMember> =
        threshold.iter().filter(|(a, _)| a.systemic).map(member).collect();
    let all_members: Vec<RuleMember> = threshold.iter().map(member).collect();
    let critical_actions = [critical.r#ref(), opsitem_action(1)];
    let systemic = composite_tree(
        s,
        &CompositeSpec {
            id: COMPOSITE_ALARM_IDS[1],
            stem: "systemic-issues",
            env,
            description: "Triggers when all systemic alarms (payment errors and high latency) are in ALARM together",
            op: RuleOp::And,
        },
        systemic_members,
        &critical_actions,
    )?;
    let escalation = composite_tree(
        s,
        &CompositeSpec {
            id: COMPOSITE_ALARM_IDS[0],
            stem: "critical-escalation",
            env,
            description: "Triggers when any threshold alarm indicates a critical condition",
            op: RuleOp::Or,
        },
        all_members,
        &critical_actions,
    )?;

    // Anomaly detectors (with the configured exclusions, correction 10) and their alarms
    // (ANOMALY_DETECTION_BAND, correction 2).
    let anomaly_metrics = [
        AnomalyMetric {
            id: "PaymentVolume",
            name: "payment-volume-anomaly",
            metric: "PaymentTransactionVolume",
            dims: env_dims.clone(),
            description: "Alert when payment volume falls outside the predicted band",
        },
        AnomalyMetric {
            id: "Latency",
            name: "latency-anomaly",
            metric: "ProcessingLatency",
            dims: BTreeMap::new(),
            description: "Alert when processing latency falls outside the predicted band",
        },
    ];
    let ranges: Vec<Value<anomaly_detector::Range>> = config
        .anomaly_detection
        .excluded_time_ranges
        .iter()
        .map(|r| {
            anomaly_detector::Range::builder()
                .start_time(r.start.as_str())
                .end_time(r.end.as_str())
                .build()
                .into()
        })
        .collect();
    let mut anomaly_alarms = Vec::new();
    let mut detectors = Vec::new();
    for m in &anomaly_metrics {
        let mut single = anomaly_detector::SingleMetricAnomalyDetector::builder()
            .namespace(METRIC_NAMESPACE)
            .metric_name(m.metric)
            .stat("Average");
        if !m.dims.is_empty() {
            single = single.dimensions(
                m.dims
                    .iter()
                    .map(|(k, v)| {
                        anomaly_detector::Dimension::builder().name(k.as_str()).value(v.as_str()).build()
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let mut detector = AnomalyDetector::builder().single_metric_anomaly_detector(single.build());
        if !ranges.is_empty() || config.anomaly_detection.metric_timezone.is_some() {
            let mut configuration = anomaly_detector::Configuration::builder();
            if !ranges.is_empty() {
                configuration = configuration.excluded_time_ranges(ranges.clone());
            }
            if let Some(zone) = &config.anomaly_detection.metric_timezone {
                configuration = configuration.metric_time_zone(zone.as_str());
            }
            detector = detector.configuration(configuration.build());
        }
        let detector = s.add(&format!("{}AnomalyDetector", m.id), detector.build())?;
        let mut metric = alarm::Metric::builder().namespace(METRIC_NAMESPACE).metric_name(m.metric);
        if let Some(dims) = metric_dims(&m.dims) {
            metric = metric.dimensions(dims);
        }
        let m1 = alarm::MetricDataQuery::builder()
            .id("m1")
            .metric_stat(
                alarm::MetricStat::builder().metric(metric.build()).period(300).stat("Average").build(),
            )
            .return_data(true)
            .build();
        let ad1 = alarm::MetricDataQuery::builder()
            .id("ad1")
            .expression("ANOMALY_DETECTION_BAND(m1, 2)")
            .label(format!("{} (expected band)", m.metric))
            .return_data(true)
            .build();
        let h = s.add(
            &format!("{}AnomalyAlarm", m.id),
            Alarm::builder()
                .alarm_name(format!("alarm-{}-{env}", m.name))
                .alarm_description(m.description)
                .comparison_operator(alarm::ComparisonOperator::LessThanLowerOrGreaterThanUpperThreshold)
                .evaluation_periods(3)
                .threshold_metric_id("ad1")
                .treat_missing_data(alarm::TreatMissingData::NotBreaching)
                .metrics([m1, ad1])
                .alarm_actions(actions(&[&standard]))
                .ok_actions(actions(&[&standard]))
                .build(),
        )?;
        // Without the detector first, the alarm would make CloudWatch train a model of its own
        // (without the excluded ranges).
        s.resource_mut(&h).depends_on(detector.id());
        anomaly_alarms.push(h);
        detectors.push(detector);
    }

    // Metric-math alarm: error rate in percent.
    let errors = alarm::MetricDataQuery::builder()
        .id("errors")
        .metric_stat(
            alarm::MetricStat::builder()
                .metric(
                    alarm::Metric::builder().namespace(METRIC_NAMESPACE).metric_name("PaymentErrors").build(),
                )
                .period(300)
                .stat("Sum")
                .build(),
        )
        .return_data(false)
        .build();
    let mut total_metric = alarm::Metric::builder().namespace(METRIC_NAMESPACE).metric_name("TotalRequests");
    if let Some(dims) = metric_dims(&env_dims) {
        total_metric = total_metric.dimensions(dims);
    }
    let total = alarm::MetricDataQuery::builder()
        .id("total_requests")
        .metric_stat(
            alarm::MetricStat::builder().metric(total_metric.build()).period(300).stat("Sum").build(),
        )
        .return_data(false)
        .build();
    let rate = alarm::MetricDataQuery::builder()
        .id("error_rate")
        .expression("100 * errors / total_requests")
        .label("Error rate (%)")
        .return_data(true)
        .build();
    let error_rate = s.add(
        "ErrorRatePercentageAlarm",
        Alarm::builder()
            .alarm_name(error_rate_alarm_name(env))
            .alarm_description("Alert when error rate exceeds 5% threshold")
            .comparison_operator(alarm::ComparisonOperator::GreaterThanThreshold)
            .evaluation_periods(1)
            .threshold(5)
            .treat_missing_data(alarm::TreatMissingData::NotBreaching)
            .metrics([errors, total, rate])
            .alarm_actions(actions(&[&critical]))
            .ok_actions(actions(&[&standard]))
            .build(),
    )?;
    // PaymentErrors comes from a metric filter.
    if let Some((f, _)) = filter_of.get("PaymentErrors") {
        s.resource_mut(&error_rate).depends_on(f.id());
    }

    // Dashboard: one, in the primary region, with the widgets of every region (CloudWatch
    // dashboards are account-wide and show metrics of any region through each widget's `region`).
    let dashboard_name = format!("observability-platform-{env}");
    let dashboard = s.add(
        "ObservabilityDashboard",
        Dashboard::builder()
            .dashboard_name(dashboard_name)
            .dashboard_body(json_body(&dashboard_body(&config.rollout_regions(), env)))
            .build(),
    )?;
    s.resource_mut(&dashboard).condition = dashboard_condition.map(str::to_string);

    // Contributor Insights rules on the payment-service log group (correction 5).
    let mut insight_rules = Vec::new();
    for (id, stem, key, filter) in INSIGHT_RULES {
        let body = InsightRuleBody {
            schema: RuleSchema { name: "CloudWatchLogRule", version: 1 },
            log_group_names: vec![var(&payment)],
            log_format: "JSON",
            contribution: Contribution {
                keys: vec![key.to_string()],
                filters: filter
                    .map(|(m, v)| vec![RuleFilter { r#match: m.to_string(), r#in: vec![v.to_string()] }])
                    .unwrap_or_default(),
            },
            aggregate_on: "Count",
        };
        let name = format!("rule-{stem}-{env}");
        let h = s.add(
            id,
            InsightRule::builder()
                .rule_body(json_body(&body))
                .rule_name(name.as_str())
                .rule_state(insight_rule::RuleState::Enabled)
                .build(),
        )?;
        insight_rules.push((id, name, h));
    }

    // Outputs.
    let out = |s: &mut StackScope<'_>, name: &str, desc: &str, v: Expr| s.output(name, desc, v);
    for (prefix, what, g) in [
        ("PaymentServiceLogGroup", "payment-service", &payment),
        ("AuthenticationServiceLogGroup", "authentication-service", &auth),
        ("TransactionProcessorLogGroup", "transaction-processor", &transaction),
    ] {
        out(s, &format!("{prefix}Name"), &format!("Log group of the {what}"), g.r#ref::<String>().into())?;
        out(
            s,
            &format!("{prefix}Arn"),
            &format!("Log group ARN of the {what}"),
            g.get_att::<String>(LogGroupAttr::Arn).into(),
        )?;
    }
    for (metric, (_, name)) in &filter_of {
        out(
            s,
            &format!("{metric}MetricFilterName"),
            &format!("Metric filter producing {metric}"),
            Expr::from(name),
        )?;
    }
    out(s, "StandardAlertsTopicArn", "Standard alerts topic ARN", standard.r#ref::<String>().into())?;
    out(
        s,
        "StandardAlertsTopicName",
        "Standard alerts topic name",
        Expr::from(format!("sns-standard-alerts-{env}")),
    )?;
    out(
        s,
        "CriticalEscalationsTopicArn",
        "Critical escalations topic ARN",
        critical.r#ref::<String>().into(),
    )?;
    out(
        s,
        "CriticalEscalationsTopicName",
        "Critical escalations topic name",
        Expr::from(format!("sns-critical-escalations-{env}")),
    )?;
    // No output per threshold alarm: their number follows the config (one output each would
    // fill a template's 200 outputs), and nothing consumes them; their names are in the root
    // export ThresholdAlarmNames (README, "Outputs").
    for (h, what) in [(&systemic, "systemic-issues"), (&escalation, "critical-escalation")] {
        out(
            s,
            &format!("{}Arn", h.id()),
            &format!("ARN of the {what} composite alarm"),
            h.get_att::<String>(CompositeAlarmAttr::Arn).into(),
        )?;
    }
    out(
        s,
        "CompositeAlarmNames",
        "Composite alarm names (comma-separated)",
        Intrinsic::Join(
            ",".into(),
            vec![systemic.r#ref::<String>().into(), escalation.r#ref::<String>().into()],
        )
        .into(),
    )?;
    for h in &anomaly_alarms {
        out(
            s,
            &format!("{}Arn", h.id()),
            "ARN of an anomaly-detection alarm",
            h.get_att::<String>(AlarmAttr::Arn).into(),
        )?;
    }
    out(
        s,
        "AnomalyAlarmNames",
        "Anomaly-detection alarm names (comma-separated)",
        Intrinsic::Join(",".into(), anomaly_alarms.iter().map(|h| Expr::from(h.r#ref::<String>())).collect())
            .into(),
    )?;
    for d in &detectors {
        out(s, &format!("{}Id", d.id()), "Anomaly detector id", d.r#ref::<String>().into())?;
    }
    out(
        s,
        "ErrorRatePercentageAlarmArn",
        "ARN of the error-rate (metric math) alarm",
        error_rate.get_att::<String>(AlarmAttr::Arn).into(),
    )?;
    out(
        s,
        "ErrorRatePercentageAlarmName",
        "Name of the error-rate (metric math) alarm",
        error_rate.r#ref::<String>().into(),
    )?;
    out(s, "DashboardName", "CloudWatch dashboard", dashboard.r#ref::<String>().into())?;
    out(
        s,
        "DashboardArn",
        "CloudWatch dashboard ARN",
        arn(format!("cloudwatch::${{AWS::AccountId}}:dashboard/{}", var(&dashboard))).into(),
    )?;
    for (id, name, h) in &insight_rules {
        let stem = id.trim_end_matches("Rule");
        out(
            s,
            &format!("{stem}InsightRuleName"),
            "Contributor Insights rule name",
            Expr::from(name.as_str()),
        )?;
        out(
            s,
            &format!("{stem}InsightRuleArn"),
            "Contributor Insights rule ARN",
            h.get_att::<String>(InsightRuleAttr::Arn).into(),
        )?;
    }

    Ok(Monitoring {
        payment_log_group: payment,
        auth_log_group: auth,
        transaction_log_group: transaction,
        standard_topic: standard,
        critical_topic: critical,
        threshold_alarm_names: threshold.iter().map(|(a, _)| a.alarm_name(env)).collect(),
        threshold_alarms: threshold.into_iter().map(|(_, h)| h).collect(),
        dashboard,
    })
}

/// How a composite alarm combines its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOp {
    /// In ALARM when any member is.
    Or,
    /// In ALARM when every member is.
    And,
}

impl RuleOp {
    fn keyword(self) -> &'static str {
        match self {
            RuleOp::Or => " OR ",
            RuleOp::And => " AND ",
        }
    }
}

/// An alarm named in a composite alarm's rule: the logical id its `${Id}` refers to and the
/// name that resolves to (which decides the rule's length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMember {
    pub id: LogicalId,
    pub name: String,
}

/// The rule `ALARM("${A}") OR ALARM("${B}") ...` over `members`, and its length in characters
/// once CloudFormation has resolved the names.
pub fn alarm_rule(members: &[RuleMember], op: RuleOp) -> (String, usize) {
    let rule =
        members.iter().map(|m| format!("ALARM(\"${{{}}}\")", m.id)).collect::<Vec<_>>().join(op.keyword());
    let length = members.iter().map(|m| "ALARM(\"\")".len() + m.name.chars().count()).sum::<usize>()
        + op.keyword().len() * members.len().saturating_sub(1);
    (rule, length)
}

/// Splits `members` (in order) into consecutive groups that each fit in one rule: at most
/// [`MAX_RULE_ALARMS`] alarms and [`MAX_RULE_LENGTH`] characters.
pub fn rule_groups(members: &[RuleMember], op: RuleOp) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let (mut start, mut length) = (0, 0);
    for (i, m) in members.iter().enumerate() {
        let item = "ALARM(\"\")".len() + m.name.chars().count();
        let grown = if i == start { item } else { length + op.keyword().len() + item };
        if i > start && (i - start == MAX_RULE_ALARMS || grown > MAX_RULE_LENGTH) {
            groups.push(start..i);
            start = i;
            length = item;
        } else {
            length = grown;
        }
    }
    if start < members.len() {
        groups.push(start..members.len());
    }
    groups
}

/// The composite alarm at the top of a tree.
pub struct CompositeSpec<'a> {
    /// Logical id of the top composite (`CriticalEscalationCompositeAlarm`).
    pub id: &'a str,
    /// Name stem: the top is `composite-alarm-<stem>-<env>`, its groups
    /// `composite-alarm-<stem>-group-<k>-<env>`.
    pub stem: &'a str,
    pub env: &'a str,
    pub description: &'a str,
    pub op: RuleOp,
}

/// A composite alarm over `members` that CloudWatch accepts whatever their number.
///
/// One rule names at most 100 alarms and has at most 10,240 characters, and a rule may name
/// composite alarms (PutCompositeAlarm API reference). Members that do not fit in one rule are
/// grouped, in config order, into composite alarms `composite-alarm-<stem>-group-<k>-<env>`
/// of up to 100 members with the same operator, and the top composite combines the groups
/// (groups of groups past 10,000 alarms). An OR of ORs and an AND of ANDs are the flat rule,
/// so the top composite goes into ALARM exactly when the flat one would; the groups have no
/// actions, so only the top composite notifies (PLATFORM.md: critical topic and OpsItem).
/// Adding an alarm at the end of the list changes the last group only.
pub fn composite_tree(
    s: &mut StackScope<'_>,
    spec: &CompositeSpec<'_>,
    members: Vec<RuleMember>,
    actions: &[Value<String>],
) -> Result<Handle<CompositeAlarm>, AppError> {
    let top_name = format!("composite-alarm-{}-{}", spec.stem, spec.env);
    let group_prefix = spec.id.strip_suffix("Alarm").unwrap_or(spec.id);
    let mut level = members;
    let mut k = 0;
    while rule_groups(&level, spec.op).len() > 1 {
        let mut next = Vec::new();
        for range in rule_groups(&level, spec.op) {
            k += 1;
            let group = &level[range];
            let (rule, _) = alarm_rule(group, spec.op);
            let name = format!("composite-alarm-{}-group-{k}-{}", spec.stem, spec.env);
            let how = match spec.op {
                RuleOp::Or => "any",
                RuleOp::And => "all",
            };
            let id = format!("{group_prefix}Group{k}");
            let h = s.add(
                &id,
                CompositeAlarm::builder()
                    .alarm_rule(sub(rule))
                    .alarm_name(name.as_str())
                    .alarm_description(format!(
                        "Group {k} of {top_name}: in ALARM when {how} of its {} alarms are; no actions ({top_name} notifies)",
                        group.len()
                    ))
                    .actions_enabled(false)
                    .build(),
            )?;
            next.push(RuleMember { id: h.id().clone(), name });
        }
        level = next;
    }
    let (rule, _) = alarm_rule(&level, spec.op);
    s.add(
        spec.id,
        CompositeAlarm::builder()
            .alarm_rule(sub(rule))
            .alarm_name(top_name)
            .alarm_description(spec.description)
            .actions_enabled(true)
            .alarm_actions(actions.to_vec())
            .build(),
    )
}

/// A Contributor Insights rule body (`CloudWatchLogRule` schema, version 1).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InsightRuleBody {
    pub schema: RuleSchema,
    pub log_group_names: Vec<String>,
    pub log_format: &'static str,
    pub contribution: Contribution,
    pub aggregate_on: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleSchema {
    pub name: &'static str,
    pub version: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Contribution {
    pub keys: Vec<String>,
    pub filters: Vec<RuleFilter>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleFilter {
    pub r#match: String,
    pub r#in: Vec<String>,
}

/// A CloudWatch dashboard body.
#[derive(Serialize)]
pub struct DashboardBody {
    pub widgets: Vec<Widget>,
}

#[derive(Serialize)]
pub struct Widget {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub properties: WidgetProperties,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum WidgetProperties {
    Text { markdown: String },
    Metric(MetricWidget),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricWidget {
    pub title: String,
    pub region: String,
    pub view: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stacked: bool,
    pub period: u32,
    pub stat: &'static str,
    pub metrics: Vec<Vec<MetricEntry>>,
    pub y_axis: YAxis,
}

/// One element of a `metrics` row: a string (namespace, name, dimension) or the options map.
#[derive(Serialize)]
#[serde(untagged)]
pub enum MetricEntry {
    Text(String),
    Options(MetricOptions),
}

#[derive(Serialize, Default)]
pub struct MetricOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible: Option<bool>,
}

#[derive(Serialize)]
pub struct YAxis {
    pub left: Axis,
}

#[derive(Serialize)]
pub struct Axis {
    pub min: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

fn metric_row(metric: &str, dims: &[(&str, &str)], options: MetricOptions) -> Vec<MetricEntry> {
    let mut row =
        vec![MetricEntry::Text(METRIC_NAMESPACE.to_string()), MetricEntry::Text(metric.to_string())];
    for (k, v) in dims {
        row.push(MetricEntry::Text(k.to_string()));
        row.push(MetricEntry::Text(v.to_string()));
    }
    row.push(MetricEntry::Options(options));
    row
}

/// The dashboard: a text widget naming the regions, then one row per region (transaction
/// volume, error-rate gauge, latency percentiles stacked) and the volume with its anomaly band
/// per region. `regions` in rollout order (primary first); none configured: the deployment
/// region only (`${AWS::Region}`, the body becomes an `Fn::Sub`).
pub fn dashboard_body(regions: &[String], env: &str) -> DashboardBody {
    let regions: Vec<String> =
        if regions.is_empty() { vec!["${AWS::Region}".to_string()] } else { regions.to_vec() };
    let env_dim = [("Environment", env)];
    let mut widgets: Vec<(u32, u32, &'static str, WidgetProperties)> = Vec::new();
    let primary = match regions.as_slice() {
        [only] => format!("Payment processing in {only}."),
        [first, ..] => {
            format!("Payment processing across regions: {} (primary {first}).", regions.join(", "))
        }
        [] => String::new(),
    };
    widgets.push((
        24,
        3,
        "text",
        WidgetProperties::Text {
            markdown: format!(
                "# Observability platform ({env})\n\n{primary}\n\nPer region: payment transaction volume, error rate, processing latency percentiles and the volume's anomaly band."
            ),
        },
    ));
    for r in &regions {
        widgets.push((
            8,
            6,
            "metric",
            WidgetProperties::Metric(MetricWidget {
                title: format!("Payment transaction volume - {r}"),
                region: r.clone(),
                view: "timeSeries",
                stacked: false,
                period: 300,
                stat: "Sum",
                metrics: vec![metric_row(
                    "PaymentTransactionVolume",
                    &env_dim,
                    MetricOptions { stat: Some("Sum".into()), ..Default::default() },
                )],
                y_axis: YAxis { left: Axis { min: 0, max: None } },
            }),
        ));
        widgets.push((
            8,
            6,
            "metric",
            WidgetProperties::Metric(MetricWidget {
                title: format!("Error rate (%) - {r}"),
                region: r.clone(),
                view: "gauge",
                stacked: false,
                period: 300,
                stat: "Sum",
                metrics: vec![
                    vec![MetricEntry::Options(MetricOptions {
                        expression: Some("100 * errors / requests".into()),
                        id: Some("e1".into()),
                        label: Some(format!("Error rate (%) - {r}")),
                        ..Default::default()
                    })],
                    metric_row(
                        "PaymentErrors",
                        &[],
                        MetricOptions {
                            id: Some("errors".into()),
                            stat: Some("Sum".into()),
                            visible: Some(false),
                            ..Default::default()
                        },
                    ),
                    metric_row(
                        "TotalRequests",
                        &env_dim,
                        MetricOptions {
                            id: Some("requests".into()),
                            stat: Some("Sum".into()),
                            visible: Some(false),
                            ..Default::default()
                        },
                    ),
                ],
                y_axis: YAxis { left: Axis { min: 0, max: Some(10) } },
            }),
        ));
        widgets.push((
            8,
            6,
            "metric",
            WidgetProperties::Metric(MetricWidget {
                title: format!("Processing latency p50/p90/p99 - {r}"),
                region: r.clone(),
                view: "timeSeries",
                stacked: true,
                period: 300,
                stat: "p50",
                metrics: ["p50", "p90", "p99"]
                    .into_iter()
                    .map(|p| {
                        metric_row(
                            "ProcessingLatency",
                            &[],
                            MetricOptions {
                                stat: Some(p.into()),
                                label: Some(format!("{p} - {r}")),
                                ..Default::default()
                            },
                        )
                    })
                    .collect(),
                y_axis: YAxis { left: Axis { min: 0, max: None } },
            }),
        ));
    }
    let band_width = (24 / regions.len().clamp(1, 3)) as u32;
    for r in &regions {
        widgets.push((
            band_width,
            6,
            "metric",
            WidgetProperties::Metric(MetricWidget {
                title: format!("Payment transaction volume with anomaly band - {r}"),
                region: r.clone(),
                view: "timeSeries",
                stacked: false,
                period: 300,
                stat: "Average",
                metrics: vec![
                    metric_row(
                        "PaymentTransactionVolume",
                        &env_dim,
                        MetricOptions {
                            id: Some("m1".into()),
                            stat: Some("Average".into()),
                            label: Some("Actual volume".into()),
                            ..Default::default()
                        },
                    ),
                    vec![MetricEntry::Options(MetricOptions {
                        expression: Some("ANOMALY_DETECTION_BAND(m1, 2)".into()),
                        id: Some("ad1".into()),
                        label: Some("Expected band".into()),
                        ..Default::default()
                    })],
                ],
                y_axis: YAxis { left: Axis { min: 0, max: None } },
            }),
        ));
    }
    // Row-major layout on the 24-column grid.
    let (mut x, mut y, mut row_height) = (0u32, 0u32, 0u32);
    let widgets = widgets
        .into_iter()
        .map(|(width, height, kind, properties)| {
            if x + width > 24 {
                x = 0;
                y += row_height;
                row_height = 0;
            }
            let w = Widget { kind, x, y, width, height, properties };
            x += width;
            row_height = row_height.max(height);
            w
        })
        .collect();
    DashboardBody { widgets }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(n: usize, name_len: usize) -> Vec<RuleMember> {
        (0..n)
            .map(|i| RuleMember {
                id: LogicalId::from_words(&format!("a{i}-alarm")),
                name: format!("alarm-{:0>width$}-dev", i, width = name_len.saturating_sub(10)),
            })
            .collect()
    }

    #[test]
    fn rules_name_the_members_and_know_their_resolved_length() {
        let m = members(2, 20);
        let (rule, len) = alarm_rule(&m, RuleOp::Or);
        assert_eq!(rule, "ALARM(\"${A0Alarm}\") OR ALARM(\"${A1Alarm}\")");
        let resolved = format!("ALARM(\"{}\") OR ALARM(\"{}\")", m[0].name, m[1].name);
        assert_eq!(len, resolved.len());
        let (rule, _) = alarm_rule(&m, RuleOp::And);
        assert!(rule.contains(") AND ALARM("));
    }

    #[test]
    fn groups_hold_at_most_100_alarms_and_10240_characters() {
        let one = |n: usize| rule_groups(&members(n, 20), RuleOp::Or);
        assert!(one(1).len() == 1 && one(1)[0] == (0..1));
        assert!(one(100).len() == 1 && one(100)[0] == (0..100));
        assert_eq!(rule_groups(&members(101, 20), RuleOp::Or), [0..100, 100..101]);
        assert_eq!(rule_groups(&members(250, 20), RuleOp::Or).len(), 3);
        // Long names: the length decides (255 + 9 per alarm, 4 per OR: 38 fit in 10,240).
        let long = members(100, 255);
        let groups = rule_groups(&long, RuleOp::Or);
        assert_eq!(groups[0], 0..38);
        for g in &groups {
            let (_, len) = alarm_rule(&long[g.clone()], RuleOp::Or);
            assert!(len <= MAX_RULE_LENGTH && g.len() <= MAX_RULE_ALARMS, "{g:?}: {len}");
        }
        // Adding a member at the end changes the last group only.
        let a = rule_groups(&members(230, 20), RuleOp::Or);
        let b = rule_groups(&members(231, 20), RuleOp::Or);
        assert_eq!(a[..2], b[..2]);
    }

    /// The state of composite `id` of `app` when the threshold alarms in `alarming` are in
    /// ALARM: the rules evaluated as CloudWatch does (OR / AND of ALARM(...) terms).
    fn in_alarm(app: &crate::compile::App, id: &str, alarming: &std::collections::BTreeSet<String>) -> bool {
        let r = &app.graph.resources[&LogicalId::new(id).unwrap()];
        if r.type_name == "AWS::CloudWatch::Alarm" {
            return alarming.contains(id);
        }
        let rule = r.properties["AlarmRule"].to_json()["Fn::Sub"].as_str().unwrap().to_string();
        let terms = |sep: &str| -> Vec<String> {
            rule.split(sep)
                .map(|t| t.trim_start_matches("ALARM(\"${").trim_end_matches("}\")").to_string())
                .collect()
        };
        if rule.contains(" AND ") {
            terms(" AND ").iter().all(|t| in_alarm(app, t, alarming))
        } else {
            terms(" OR ").iter().any(|t| in_alarm(app, t, alarming))
        }
    }

    fn app_with(alarms: usize, systemic_every: usize) -> crate::compile::App {
        let mut text = String::from(
            "notifications:\n  standard: [ops@payments.io]\n  critical: [oncall@payments.io]\ncanary:\n  target_url: https://status.payments.io/health\nalarms:\n",
        );
        for i in 0..alarms {
            text.push_str(&format!(
                "  - name: alarm-{i:04}\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: {i}\n    systemic: {}\n",
                i % systemic_every == 0
            ));
        }
        let config = Config::parse(std::path::Path::new("stacks/config/dev.yaml"), &text, "dev").unwrap();
        let asset = |name: &str| cfnc::build::StagedAsset {
            sha256: "0".repeat(64),
            s3_key: format!("assets/{name}.zip"),
        };
        let assets = crate::StagedAssets { lambda: asset("lambda"), canary: asset("canary") };
        crate::root::build(&config, &assets).unwrap()
    }

    #[test]
    fn past_100_alarms_the_composites_become_trees_that_notify_as_the_flat_rule() {
        let app = app_with(1000, 7);
        let composites: Vec<(&LogicalId, &crate::model::Resource)> = app
            .graph
            .resources
            .iter()
            .filter(|(_, r)| r.type_name == "AWS::CloudWatch::CompositeAlarm")
            .collect();
        // 10 groups under critical-escalation, 2 under systemic-issues (143 members), 2 tops.
        assert_eq!(composites.len(), 14);
        for (id, r) in &composites {
            let p = r.properties.iter().map(|(k, v)| (k.as_str(), v.to_json())).collect::<BTreeMap<_, _>>();
            let rule = p["AlarmRule"]["Fn::Sub"].as_str().unwrap();
            assert!(rule.matches("ALARM(").count() <= MAX_RULE_ALARMS, "{id}");
            let top = COMPOSITE_ALARM_IDS.contains(&id.as_str());
            // Only the two tops notify (critical topic and OpsItem); groups have no actions.
            assert_eq!(p.contains_key("AlarmActions"), top, "{id}");
            assert_eq!(p["ActionsEnabled"], serde_json::json!(top), "{id}");
            let name = p["AlarmName"].as_str().unwrap();
            assert!(name.starts_with("composite-alarm-") && name.ends_with("-dev"), "{name}");
        }
        // The tree is the flat rule: any one alarm raises the escalation; the systemic issue
        // needs every systemic alarm.
        let none = std::collections::BTreeSet::new();
        assert!(!in_alarm(&app, "CriticalEscalationCompositeAlarm", &none));
        for i in [0, 99, 100, 567, 999] {
            let one = std::collections::BTreeSet::from([format!("Alarm{i:04}Alarm")]);
            assert!(in_alarm(&app, "CriticalEscalationCompositeAlarm", &one), "alarm {i}");
        }
        let systemic: std::collections::BTreeSet<String> =
            (0..1000).filter(|i| i % 7 == 0).map(|i| format!("Alarm{i:04}Alarm")).collect();
        assert!(in_alarm(&app, "SystemicIssuesCompositeAlarm", &systemic));
        let mut all_but_one = systemic.clone();
        all_but_one.remove("Alarm0994Alarm");
        assert!(!in_alarm(&app, "SystemicIssuesCompositeAlarm", &all_but_one));
    }

    #[test]
    fn up_to_100_alarms_each_composite_is_one_alarm() {
        let app = app_with(100, 1);
        let n =
            app.graph.resources.values().filter(|r| r.type_name == "AWS::CloudWatch::CompositeAlarm").count();
        assert_eq!(n, 2);
        let app = app_with(101, 1);
        let n =
            app.graph.resources.values().filter(|r| r.type_name == "AWS::CloudWatch::CompositeAlarm").count();
        assert_eq!(n, 6, "2 groups under each of the 2 tops");
    }
}
