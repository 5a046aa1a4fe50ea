//! The metrics the platform publishes in `fintech/payments/metrics`
//! ([`crate::config::METRIC_NAMESPACE`]): the one list that the
//! monitoring stack builds its metric filters from, that the config checks hold alarms against
//! (an alarm on a metric nothing publishes can never fire), and that the tests hold the
//! collector's and the canary's code against (`tests/alarms_scale.rs` runs both and compares
//! what they publish with [`COLLECTOR_METRICS`] and [`CANARY_METRICS`]).

use crate::resources::logs::metric_filter::Unit;

/// The service log group a metric filter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceLog {
    Payment,
    Authentication,
    Transaction,
}

/// A metric filter of PLATFORM.md ("Logs"): it publishes `metric` without dimensions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FilterMetric {
    /// Logical id of the `AWS::Logs::MetricFilter`.
    pub id: &'static str,
    /// Name stem: the filter is `metric-filter-<name>-<env>`.
    pub name: &'static str,
    pub log: ServiceLog,
    pub pattern: &'static str,
    pub metric: &'static str,
    pub value: &'static str,
    pub default: Option<f64>,
    pub unit: Option<Unit>,
}

/// The metric filters (no dimensions).
pub const METRIC_FILTERS: [FilterMetric; 3] = [
    FilterMetric {
        id: "PaymentErrorsMetricFilter",
        name: "payment-errors",
        log: ServiceLog::Payment,
        pattern: "{ $.transaction_status = \"failed\" }",
        metric: "PaymentErrors",
        value: "1",
        default: Some(0.0),
        unit: None,
    },
    FilterMetric {
        id: "AuthFailuresMetricFilter",
        name: "auth-failures",
        log: ServiceLog::Authentication,
        pattern: "{ $.auth_result = \"failure\" }",
        metric: "AuthenticationFailures",
        value: "1",
        default: Some(0.0),
        unit: None,
    },
    FilterMetric {
        id: "TransactionLatencyMetricFilter",
        name: "transaction-latency",
        log: ServiceLog::Transaction,
        pattern: "{ $.processing_time = * }",
        metric: "ProcessingLatency",
        value: "$.processing_time",
        default: None,
        unit: Some(Unit::Milliseconds),
    },
];

/// What the metric collector (`lambda/metric_collector.py`, `build_metrics`) publishes, each
/// with the dimension `Environment: <env>`.
pub const COLLECTOR_METRICS: [&str; 11] = [
    "TotalRequests",
    "RequestErrors",
    "PaymentTransactionVolume",
    "PaymentsSucceeded",
    "PaymentsFailed",
    "AuthenticationAttempts",
    "AuthenticationFailures",
    "ProcessingLatencyP50",
    "ProcessingLatencyP90",
    "ProcessingLatencyP99",
    "ProcessingLatencyMax",
];

/// Published by the collector when a log line cannot be read (also `Environment: <env>`).
pub const COLLECTOR_DIAGNOSTIC_METRICS: [&str; 1] = ["MalformedLogEvents"];

/// What the canary (`canary/payment_canary.py`) publishes, with `Environment: <env>`.
pub const CANARY_METRICS: [&str; 2] = ["HealthCheckSuccess", "HealthCheckLatency"];

/// One way a metric is published: by whom, and whether with the `Environment` dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    pub name: &'static str,
    /// `metric filter metric-filter-payment-errors`, `the metric collector`, `the canary`.
    pub publisher: &'static str,
    /// Published with `Environment: <env>` (else with no dimensions).
    pub environment_dimension: bool,
}

/// Every metric the platform publishes in its namespace, and how.
pub fn published() -> Vec<Published> {
    let mut all: Vec<Published> = METRIC_FILTERS
        .iter()
        .map(|f| Published { name: f.metric, publisher: "a metric filter", environment_dimension: false })
        .collect();
    for name in COLLECTOR_METRICS.iter().chain(COLLECTOR_DIAGNOSTIC_METRICS.iter()) {
        all.push(Published { name, publisher: "the metric collector", environment_dimension: true });
    }
    for name in CANARY_METRICS {
        all.push(Published { name, publisher: "the canary", environment_dimension: true });
    }
    all
}
