//! The payment platform's environment config, `stacks/config/<env>.yaml`: what differs between
//! environments (emails, the threshold-alarm list, canary target, anomaly-detector exclusions).
//! The library reads the file ([`cfnc::config::EnvConfig`]: positions, did-you-mean, and its
//! own keys `environment`, `tags`, `regions` and `primary_region`); this module says what the
//! platform's settings are and checks them. The dashboard shows every configured region (the
//! library's `regions`). Defaults are documented in the README ("Environment config").

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use cfnc::config::{
    Checker, EnvConfig, Settings, check_url, closest_timezone, is_email, is_example_domain, is_kebab,
    is_metric_name, is_timezone, parse_timestamp, url_host,
};
use cfnc::model::LogicalId;

use crate::{Names, metrics};
use serde::Deserialize;

/// The platform's config of one environment (the settings are reached through `Deref`).
pub type Config = EnvConfig<Platform>;

/// The metric namespace of the platform's own metrics (metric filters, collector, canary).
pub const METRIC_NAMESPACE: &str = "fintech/payments/metrics";
/// CloudWatch stores metric values between -2^360 and 2^360 (PutMetricData): a threshold
/// beyond that can never be crossed.
pub const MAX_THRESHOLD: f64 = 2.348_542_582_773_833_3e108;
/// Default email for both subscriptions.
pub const DEFAULT_EMAIL: &str = "ops-team@example.com";
/// Default canary target.
pub const DEFAULT_TARGET_URL: &str = "https://api.example.com/health";
/// Default canary latency budget.
pub const DEFAULT_LATENCY_BUDGET_MS: u32 = 2000;
/// The regions of the default dev config (`stacks/config/dev.yaml`), us-east-1 primary.
pub const DEFAULT_REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];
/// Tags every environment carries unless the config overrides them.
pub const DEFAULT_TAGS: [(&str, &str); 3] =
    [("Project", "observability-platform"), ("Owner", "platform-team"), ("CostCenter", "engineering")];
/// Alarm names (`alarm-<name>-<env>`) the platform's own anomaly and metric-math alarms use.
pub const RESERVED_ALARM_NAMES: [&str; 3] =
    ["payment-volume-anomaly", "latency-anomaly", "error-rate-percentage"];
/// Logical ids of the platform's composite alarms (a threshold alarm's id must differ).
pub const COMPOSITE_ALARM_IDS: [&str; 2] =
    ["CriticalEscalationCompositeAlarm", "SystemicIssuesCompositeAlarm"];

/// The platform's settings: every key of the file but `environment` and `tags`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    #[serde(default)]
    pub notifications: Notifications,
    /// Threshold alarms, in file order (default: the three of PLATFORM.md).
    #[serde(default = "default_alarms")]
    pub alarms: Vec<ThresholdAlarm>,
    #[serde(default)]
    pub canary: Canary,
    #[serde(default)]
    pub anomaly_detection: AnomalyDetection,
}

impl Settings for Platform {
    const DEFAULT_TAGS: &'static [(&'static str, &'static str)] = &DEFAULT_TAGS;

    fn check(&self, cx: &mut Checker<'_>) {
        notifications(cx, &self.notifications);
        alarms(cx, &self.alarms);
        canary(cx, &self.canary);
        global_names(cx);
        anomaly(cx, &self.anomaly_detection);
    }
}

/// Name of the root stack: `payment-observability-<env>`.
pub fn root_stack_name(env: &str) -> String {
    format!("payment-observability-{env}")
}

/// Email endpoints of the two topics' subscriptions.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// Emails subscribed to the standard-alerts topic (default `[ops-team@example.com]`).
    #[serde(default = "default_emails")]
    pub standard: Vec<String>,
    /// Emails subscribed to the critical-escalations topic (default `[ops-team@example.com]`).
    #[serde(default = "default_emails")]
    pub critical: Vec<String>,
}

impl Default for Notifications {
    fn default() -> Self {
        Notifications { standard: default_emails(), critical: default_emails() }
    }
}

fn default_emails() -> Vec<String> {
    vec![DEFAULT_EMAIL.to_string()]
}

/// One threshold alarm: `alarm-<name>-<env>` on a metric of [`METRIC_NAMESPACE`], actions to
/// the standard topic, member of the critical-escalation composite (OR).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdAlarm {
    /// Short name: lowercase letters, digits and `-` (`payment-errors`).
    pub name: String,
    /// Alarm description (default: `<metric> <statistic> <comparison> <threshold>`).
    #[serde(default)]
    pub description: Option<String>,
    /// Metric name in [`METRIC_NAMESPACE`].
    pub metric: String,
    pub statistic: Statistic,
    /// Comparison with the threshold (default `GreaterThanThreshold`).
    #[serde(default = "default_comparison")]
    pub comparison: Comparison,
    pub threshold: f64,
    /// Seconds (default 300): 10, 30 or a multiple of 60.
    #[serde(default = "default_period")]
    pub period: u32,
    /// Default 1.
    #[serde(default = "default_evaluation_periods")]
    pub evaluation_periods: u32,
    /// Default: all evaluation periods.
    #[serde(default)]
    pub datapoints_to_alarm: Option<u32>,
    /// Default `notBreaching`.
    #[serde(default = "default_treat_missing_data")]
    pub treat_missing_data: TreatMissingData,
    /// Metric dimensions (default none; metric-filter metrics have none, collector metrics
    /// have `Environment`).
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// Member of `composite-alarm-systemic-issues-<env>` (AND of all members; default false).
    #[serde(default)]
    pub systemic: bool,
}

impl ThresholdAlarm {
    /// The logical id: `payment-errors` -> `PaymentErrorsAlarm`.
    pub fn logical_id(&self) -> LogicalId {
        LogicalId::from_words(&format!("{}-alarm", self.name))
    }

    /// The CloudWatch alarm name.
    pub fn alarm_name(&self, env: &str) -> String {
        format!("alarm-{}-{env}", self.name)
    }

    /// The description, generated when the file has none.
    pub fn description(&self) -> String {
        self.description.clone().unwrap_or_else(|| {
            format!("{} {} {} {}", self.metric, self.statistic, self.comparison.symbol(), self.threshold)
        })
    }
}

fn default_comparison() -> Comparison {
    Comparison::GreaterThanThreshold
}
fn default_period() -> u32 {
    300
}
fn default_evaluation_periods() -> u32 {
    1
}
fn default_treat_missing_data() -> TreatMissingData {
    TreatMissingData::NotBreaching
}

/// CloudWatch statistics usable in a threshold alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Statistic {
    Sum,
    Average,
    Minimum,
    Maximum,
    SampleCount,
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Statistic::Sum => "Sum",
            Statistic::Average => "Average",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::SampleCount => "SampleCount",
        })
    }
}

/// Static-threshold comparison operators (the anomaly-band ones are not for this list).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Comparison {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
            Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => ">",
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "<=",
        }
    }
}

/// `TreatMissingData` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TreatMissingData {
    Breaching,
    NotBreaching,
    Ignore,
    Missing,
}

impl TreatMissingData {
    pub fn as_str(self) -> &'static str {
        match self {
            TreatMissingData::Breaching => "breaching",
            TreatMissingData::NotBreaching => "notBreaching",
            TreatMissingData::Ignore => "ignore",
            TreatMissingData::Missing => "missing",
        }
    }
}

/// The Synthetics canary's target.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    /// http(s) URL that must answer 200 (default `https://api.example.com/health`).
    #[serde(default = "default_target_url")]
    pub target_url: String,
    /// Latency budget in ms, 1 to 60000 (default 2000).
    #[serde(default = "default_latency_budget")]
    pub latency_budget_ms: u32,
}

impl Default for Canary {
    fn default() -> Self {
        Canary { target_url: default_target_url(), latency_budget_ms: DEFAULT_LATENCY_BUDGET_MS }
    }
}

fn default_target_url() -> String {
    DEFAULT_TARGET_URL.to_string()
}
fn default_latency_budget() -> u32 {
    DEFAULT_LATENCY_BUDGET_MS
}

/// Anomaly-detector training exclusions.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyDetection {
    /// Absolute ranges (maintenance windows) the models do not train on (default none).
    #[serde(default)]
    pub excluded_time_ranges: Vec<TimeRange>,
    /// IANA time zone of the metric for daylight-saving-aware models (default: UTC).
    #[serde(default)]
    pub metric_timezone: Option<String>,
}

/// `[start, end)`, both `yyyy-MM-ddTHH:mm:ss` (UTC), as CloudWatch's `Range` takes them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    pub start: String,
    pub end: String,
}

/// The three alarms of PLATFORM.md, used when the file has no `alarms` key.
pub fn default_alarms() -> Vec<ThresholdAlarm> {
    let alarm =
        |name: &str, description: &str, metric: &str, statistic, threshold, systemic| ThresholdAlarm {
            name: name.into(),
            description: Some(description.into()),
            metric: metric.into(),
            statistic,
            comparison: Comparison::GreaterThanThreshold,
            threshold,
            period: 300,
            evaluation_periods: 1,
            datapoints_to_alarm: None,
            treat_missing_data: TreatMissingData::NotBreaching,
            dimensions: BTreeMap::new(),
            systemic,
        };
    vec![
        alarm(
            "payment-errors",
            "Alert when payment errors exceed threshold",
            "PaymentErrors",
            Statistic::Sum,
            5.0,
            true,
        ),
        alarm(
            "auth-failures",
            "Alert when authentication failures exceed threshold",
            "AuthenticationFailures",
            Statistic::Sum,
            10.0,
            false,
        ),
        alarm(
            "high-latency",
            "Alert when processing latency exceeds threshold",
            "ProcessingLatency",
            Statistic::Average,
            2000.0,
            true,
        ),
    ]
}

fn notifications(cx: &mut Checker<'_>, n: &Notifications) {
    for (list, emails) in [("standard", &n.standard), ("critical", &n.critical)] {
        if emails.is_empty() {
            cx.value(
                &format!("notifications.{list}"),
                format!("no email subscribes to the {list} topic: its alerts would reach no one"),
                Some(format!(
                    "list at least one address, or remove `{list}` for the default ({DEFAULT_EMAIL})"
                )),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, email) in emails.iter().enumerate() {
            let path = format!("notifications.{list}[{i}]");
            if !is_email(email) {
                cx.value(
                    &path,
                    format!("`{email}` is not an email address"),
                    Some("write it as name@domain.tld".to_string()),
                );
            } else if !seen.insert(email.to_ascii_lowercase()) {
                cx.value(
                    &path,
                    format!("`{email}` is listed twice"),
                    Some("remove the duplicate".to_string()),
                );
            } else if email.rsplit_once('@').is_some_and(|(_, domain)| is_example_domain(domain)) {
                let what = if cx.is_written(&path) { "" } else { " (the default)" };
                cx.placeholder(
                    &path,
                    format!(
                        "`{email}`{what} is a placeholder: its domain is reserved for examples, so the {list} topic's alerts reach no one"
                    ),
                    Some(format!("list the addresses that must receive {list} alerts under notifications.{list}")),
                );
            }
        }
    }
}

fn alarms(cx: &mut Checker<'_>, alarms: &[ThresholdAlarm]) {
    let env = cx.env().to_string();
    let env = env.as_str();
    if alarms.is_empty() {
        cx.value(
            "alarms",
            "the alarm list is empty",
            Some("composite-alarm-critical-escalation needs at least one threshold alarm; remove the key to get the three default alarms".to_string()),
        );
        return;
    }
    let mut names = BTreeMap::new();
    let mut ids: BTreeMap<LogicalId, usize> = BTreeMap::new();
    let published = metrics::published();
    for (i, a) in alarms.iter().enumerate() {
        let p = format!("alarms[{i}]");
        if !is_kebab(&a.name) {
            cx.value(
                &format!("{p}.name"),
                format!("alarm name `{}` is not allowed", a.name),
                Some("use lowercase letters, digits and single `-` (e.g. payment-errors); the alarm is named alarm-<name>-<env>".to_string()),
            );
        } else if RESERVED_ALARM_NAMES.contains(&a.name.as_str()) {
            cx.value(
                &format!("{p}.name"),
                format!("alarm name `{}` is used by the platform itself", a.name),
                Some(format!("choose another name; reserved: {}", RESERVED_ALARM_NAMES.join(", "))),
            );
        } else if a.alarm_name(env).len() > 255 {
            cx.value(&format!("{p}.name"), "alarm name is longer than 255 characters", None);
        }
        let id = a.logical_id();
        if let Some(first) = names.insert(a.name.clone(), i) {
            cx.value(
                &format!("{p}.name"),
                format!("alarm `{}` is defined twice (first at alarms[{first}])", a.name),
                Some("alarm names must be unique: rename or remove one".to_string()),
            );
        } else if let Some(first) = ids.insert(id.clone(), i) {
            cx.value(
                &format!("{p}.name"),
                format!(
                    "alarm `{}` gets the same logical id `{id}` as alarms[{first}] (`{}`)",
                    a.name, alarms[first].name
                ),
                Some("logical ids drop the `-` and capitalise each word: rename one (a word that starts with a digit joins the word before it)".to_string()),
            );
        } else if COMPOSITE_ALARM_IDS.contains(&id.as_str()) {
            cx.value(
                &format!("{p}.name"),
                format!(
                    "alarm `{}` gets the logical id `{id}` of one of the platform's composite alarms",
                    a.name
                ),
                Some("choose another name".to_string()),
            );
        }
        if !is_metric_name(&a.metric) {
            cx.value(
                &format!("{p}.metric"),
                format!("`{}` is not a metric name", a.metric),
                Some("1 to 255 printable ASCII characters, e.g. PaymentErrors".to_string()),
            );
        } else {
            alarm_metric(cx, &p, a, env, &published);
        }
        if !a.threshold.is_finite() {
            cx.value(&format!("{p}.threshold"), "the threshold must be a finite number", None);
        } else if a.threshold < 0.0 {
            cx.value(
                &format!("{p}.threshold"),
                format!(
                    "threshold {} is negative: the metrics of {METRIC_NAMESPACE} (counts and durations) never are, so the alarm would always or never fire",
                    a.threshold
                ),
                Some("use a threshold of 0 or more".to_string()),
            );
        } else if a.threshold > MAX_THRESHOLD {
            cx.value(
                &format!("{p}.threshold"),
                format!(
                    "threshold {:e} is beyond the largest value CloudWatch stores (2^360): the alarm could never fire",
                    a.threshold
                ),
                Some("use a threshold in the metric's real range".to_string()),
            );
        }
        if !(a.period == 10 || a.period == 30 || (a.period >= 60 && a.period % 60 == 0)) {
            cx.value(
                &format!("{p}.period"),
                format!("period {} is not a CloudWatch alarm period", a.period),
                Some("use 10, 30 or a multiple of 60 seconds (default 300)".to_string()),
            );
        }
        if a.evaluation_periods == 0 {
            cx.value(&format!("{p}.evaluation_periods"), "evaluation_periods must be at least 1", None);
        } else if u64::from(a.period) * u64::from(a.evaluation_periods) > 86_400 {
            cx.value(
                &format!("{p}.evaluation_periods"),
                format!(
                    "period x evaluation_periods = {} s exceeds one day",
                    u64::from(a.period) * u64::from(a.evaluation_periods)
                ),
                Some("CloudWatch evaluates at most 86400 seconds: lower one of them".to_string()),
            );
        }
        if let Some(d) = a.datapoints_to_alarm
            && (d == 0 || d > a.evaluation_periods)
        {
            cx.value(
                &format!("{p}.datapoints_to_alarm"),
                format!(
                    "datapoints_to_alarm {d} must be between 1 and evaluation_periods ({})",
                    a.evaluation_periods
                ),
                None,
            );
        }
        if a.dimensions.len() > 30 {
            cx.value(&format!("{p}.dimensions"), "at most 30 dimensions", None);
        }
        for (k, v) in &a.dimensions {
            if k.is_empty() || k.len() > 255 || v.is_empty() || v.len() > 1024 {
                cx.key(
                    &format!("{p}.dimensions.{k}"),
                    format!("dimension `{k}: {v}` is not allowed"),
                    Some("names have 1-255 characters, values 1-1024".to_string()),
                );
            }
        }
        if let Some(d) = &a.description
            && d.len() > 1024
        {
            cx.value(&format!("{p}.description"), "description is longer than 1024 characters", None);
        }
    }
    if !alarms.iter().any(|a| a.systemic) {
        cx.value(
            "alarms",
            "no alarm has `systemic: true`",
            Some("composite-alarm-systemic-issues fires when ALL systemic alarms are in ALARM: mark at least one (PLATFORM.md: payment-errors and high-latency)".to_string()),
        );
    }
}

/// Warns when nothing of the platform publishes the alarm's metric with the alarm's
/// dimensions: CloudWatch would accept the alarm, and it could never fire.
fn alarm_metric(
    cx: &mut Checker<'_>,
    p: &str,
    a: &ThresholdAlarm,
    env: &str,
    published: &[metrics::Published],
) {
    let same: Vec<&metrics::Published> = published.iter().filter(|m| m.name == a.metric).collect();
    if same.is_empty() {
        let mut known: Vec<&str> = published.iter().map(|m| m.name).collect();
        known.sort_unstable();
        known.dedup();
        let hint = match cfnc::suggest::closest(&a.metric, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? (published: {})", known.join(", ")),
            None => format!("the platform publishes: {}", known.join(", ")),
        };
        cx.warn(
            &format!("{p}.metric"),
            format!(
                "no metric filter, the collector or the canary publishes `{}` in {METRIC_NAMESPACE}: alarm `{}` can never fire",
                a.metric, a.name
            ),
            Some(hint),
        );
        return;
    }
    let env_dims = BTreeMap::from([("Environment".to_string(), env.to_string())]);
    let matches = |m: &&metrics::Published| {
        if m.environment_dimension { a.dimensions == env_dims } else { a.dimensions.is_empty() }
    };
    if same.iter().any(matches) {
        return;
    }
    let how: Vec<String> = same
        .iter()
        .map(|m| {
            if m.environment_dimension {
                format!("by {} with `Environment: {env}`", m.publisher)
            } else {
                format!("by {} without dimensions", m.publisher)
            }
        })
        .collect();
    let hint = if same.iter().any(|m| m.environment_dimension) {
        format!("set `dimensions: {{Environment: {env}}}`")
    } else {
        "remove `dimensions`".to_string()
    };
    let path = if cx.is_written(&format!("{p}.dimensions")) {
        format!("{p}.dimensions")
    } else {
        format!("{p}.metric")
    };
    cx.warn(
        &path,
        format!(
            "`{}` is published {}, but alarm `{}` asks for {}: it matches no data and can never fire",
            a.metric,
            how.join(" and "),
            a.name,
            if a.dimensions.is_empty() {
                "no dimensions".to_string()
            } else {
                a.dimensions.iter().map(|(k, v)| format!("`{k}: {v}`")).collect::<Vec<_>>().join(", ")
            }
        ),
        Some(hint),
    );
}

fn canary(cx: &mut Checker<'_>, c: &Canary) {
    if let Err(why) = check_url(&c.target_url) {
        cx.value(
            "canary.target_url",
            format!("`{}` is not a usable URL: {why}", c.target_url),
            Some("write an absolute http(s) URL, e.g. https://api.example.com/health".to_string()),
        );
    } else if url_host(&c.target_url).is_some_and(is_example_domain) {
        let what = if cx.is_written("canary.target_url") { "" } else { " (the default)" };
        cx.placeholder(
            "canary.target_url",
            format!(
                "the canary's target `{}`{what} is a placeholder: its host is reserved for examples, so the canary checks nothing of yours",
                c.target_url
            ),
            Some("set canary.target_url to the health endpoint of your payment API".to_string()),
        );
    }
    if !(1..=60_000).contains(&c.latency_budget_ms) {
        cx.value(
            "canary.latency_budget_ms",
            format!("latency budget {} ms is out of range", c.latency_budget_ms),
            Some("use 1 to 60000 ms (default 2000)".to_string()),
        );
    }
}

/// Longest S3 bucket name (S3 User Guide, "General purpose bucket naming rules": 3 to 63
/// characters) and IAM role name (IAM User Guide, "IAM object quotas": 64 characters).
pub const MAX_BUCKET_NAME: usize = 63;
pub const MAX_ROLE_NAME: usize = 64;

/// The platform's account-wide names carry the environment and the region (see
/// `Names::regional`): each must fit its service's limit in every configured region. An AWS
/// account id has 12 digits.
fn global_names(cx: &mut Checker<'_>) {
    let env = cx.env().to_string();
    let regions = cx.regions().to_vec();
    for (i, region) in regions.iter().enumerate() {
        // The names as a region resolves them, with a 12-digit account id.
        let resolved = |name: String| {
            Names::regional(&name)
                .replace("${AWS::AccountId}", "123456789012")
                .replace("${AWS::Region}", region)
        };
        let n = Names::new(&env);
        let names = [
            (resolved(n.artifacts_bucket()), MAX_BUCKET_NAME, "artifacts bucket"),
            (resolved(n.collector_role()), MAX_ROLE_NAME, "collector role"),
            (resolved(n.canary_role()), MAX_ROLE_NAME, "canary role"),
        ];
        for (name, max, what) in names {
            if name.len() > max {
                cx.value(
                    &format!("regions[{i}]"),
                    format!(
                        "the {what} name in {region} would have {} characters ({name}), more than the {max} allowed",
                        name.len()
                    ),
                    Some(format!(
                        "use an environment name of at most {} characters with this region",
                        env.len().saturating_sub(name.len() - max)
                    )),
                );
                break;
            }
        }
    }
}

fn anomaly(cx: &mut Checker<'_>, a: &AnomalyDetection) {
    let mut seen = BTreeSet::new();
    for (i, r) in a.excluded_time_ranges.iter().enumerate() {
        let p = format!("anomaly_detection.excluded_time_ranges[{i}]");
        let start = parse_timestamp(&r.start);
        let end = parse_timestamp(&r.end);
        let hint = || Some("write yyyy-MM-ddTHH:mm:ss in UTC, e.g. 2026-11-29T22:00:00".to_string());
        if start.is_none() {
            cx.value(&format!("{p}.start"), format!("`{}` is not a timestamp", r.start), hint());
        }
        if end.is_none() {
            cx.value(&format!("{p}.end"), format!("`{}` is not a timestamp", r.end), hint());
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                cx.value(
                    &format!("{p}.end"),
                    format!("the range ends ({}) before it starts ({})", r.end, r.start),
                    Some("swap start and end, or fix the dates".to_string()),
                );
            } else if !seen.insert((s, e)) {
                cx.value(&p, "this range is listed twice", Some("remove the duplicate".to_string()));
            }
        }
    }
    if let Some(tz) = &a.metric_timezone
        && !is_timezone(tz)
    {
        let hint = match closest_timezone(tz) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "e.g. UTC, Europe/Berlin, America/New_York".to_string(),
        };
        cx.value(
            "anomaly_detection.metric_timezone",
            format!(
                "`{tz}` is not a time zone of the IANA Time Zone Database ({})",
                cfnc::config::TZDB_VERSION
            ),
            Some(hint),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use cfnc::config::{ConfigError, ConfigProblem};

    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("stacks/config/dev.yaml"), text, "dev")
    }

    fn first_problem(text: &str) -> ConfigProblem {
        match parse(text) {
            Err(ConfigError::Invalid { problems, .. }) => problems[0].clone(),
            other => panic!("expected an invalid config, got {other:?}"),
        }
    }

    #[test]
    fn an_empty_file_gives_every_default() {
        let c = parse("{}\n").unwrap();
        assert_eq!(c.env, "dev");
        assert_eq!(c.alarms, default_alarms());
        assert_eq!(c.notifications.standard, vec![DEFAULT_EMAIL]);
        assert_eq!(c.canary.target_url, DEFAULT_TARGET_URL);
        assert!(c.regions.is_empty() && c.primary_region.is_none(), "one region: the AWS configuration's");
        assert_eq!(
            c.tags,
            [
                ("Environment", "dev"),
                ("Project", "observability-platform"),
                ("Owner", "platform-team"),
                ("CostCenter", "engineering"),
                ("ManagedBy", "cfnc")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(c.sha256.len(), 64);
    }

    #[test]
    fn unknown_keys_fail_with_position_and_suggestion() {
        let p = first_problem("canary:\n  target_ur: https://x.example.com\n");
        assert_eq!((p.line, p.column), (2, 3));
        assert!(p.message.contains("unknown field `target_ur`"), "{}", p.message);
        assert!(p.hint.as_deref().unwrap().contains("did you mean `target_url`"));
        assert!(p.to_string().starts_with("stacks/config/dev.yaml:2:3: "));
    }

    #[test]
    fn wrong_types_and_variants_fail_with_position() {
        let p = first_problem("alarms:\n  - name: a\n    metric: M\n    statistic: Summ\n    threshold: 1\n");
        assert_eq!(p.line, 4);
        assert!(p.hint.unwrap().contains("did you mean `Sum`"));
        let p = first_problem("canary:\n  latency_budget_ms: fast\n");
        assert_eq!(p.line, 2);
    }

    #[test]
    fn semantic_errors_point_at_the_value() {
        let text = "notifications:\n  standard: [ops@example.com, not-an-email]\n";
        let p = first_problem(text);
        assert_eq!((p.line, p.column), (2, 31));
        assert!(p.message.contains("not-an-email"));

        let p = first_problem("canary:\n  target_url: ftp://x\n");
        assert_eq!((p.line, p.column), (2, 15));

        let p = first_problem("regions:\n  - us-east-1\n  - mars-1\n");
        assert_eq!((p.line, p.column), (3, 5));
    }

    #[test]
    fn alarm_list_checks() {
        let p = first_problem("alarms: []\n");
        assert_eq!(p.line, 1);
        assert!(p.message.contains("empty"));

        let two = "alarms:\n  - name: a\n    metric: M\n    statistic: Sum\n    threshold: 1\n    systemic: true\n  - name: a\n    metric: N\n    statistic: Sum\n    threshold: 2\n";
        let p = first_problem(two);
        assert_eq!((p.line, p.column), (7, 11));
        assert!(p.message.contains("defined twice"));

        let bad_period = "alarms:\n  - name: a\n    metric: M\n    statistic: Sum\n    threshold: 1\n    period: 45\n    systemic: true\n";
        let p = first_problem(bad_period);
        assert_eq!(p.line, 6);

        let reserved = "alarms:\n  - name: latency-anomaly\n    metric: M\n    statistic: Sum\n    threshold: 1\n    systemic: true\n";
        assert!(first_problem(reserved).message.contains("used by the platform"));

        let no_systemic = "alarms:\n  - name: a\n    metric: M\n    statistic: Sum\n    threshold: 1\n";
        assert!(first_problem(no_systemic).message.contains("systemic"));
    }

    #[test]
    fn thresholds_must_be_reachable() {
        let alarm = |t: &str| {
            format!(
                "alarms:\n  - name: a\n    metric: M\n    statistic: Sum\n    threshold: {t}\n    systemic: true\n"
            )
        };
        let p = first_problem(&alarm("-5"));
        assert_eq!((p.line, p.column), (5, 16));
        assert!(p.message.contains("negative"), "{}", p.message);
        let p = first_problem(&alarm("1e200"));
        assert!(p.message.contains("2^360") && p.message.contains("1e200"), "{}", p.message);
        assert!(first_problem(&alarm(".nan")).message.contains("finite"));
        assert!(parse(&alarm("0")).is_ok());
    }

    #[test]
    fn empty_email_lists_are_refused() {
        let p = first_problem("notifications:\n  critical: []\n");
        assert_eq!((p.line, p.column), (2, 13));
        assert!(p.message.contains("critical topic"), "{}", p.message);
    }

    #[test]
    fn time_ranges_must_be_ordered_timestamps() {
        let text = "anomaly_detection:\n  excluded_time_ranges:\n    - start: 2026-11-30T02:00:00\n      end: 2026-11-29T22:00:00\n";
        let p = first_problem(text);
        assert_eq!((p.line, p.column), (4, 12));
        assert!(p.message.contains("ends"));
        let text = "anomaly_detection:\n  excluded_time_ranges:\n    - start: 2026-02-30T02:00:00\n      end: 2026-03-01T22:00:00\n";
        assert_eq!(first_problem(text).line, 3);
        assert_eq!(parse_timestamp("1970-01-02T00:00:01"), Some(86_401));
        assert!(parse_timestamp("2024-02-29T00:00:00").is_some());
        assert_eq!(parse_timestamp("2023-02-29T00:00:00"), None);
    }

    #[test]
    fn account_wide_names_fit_in_every_region() {
        let env = "abcdefghijklmnopqrst";
        let text = "regions: [us-east-1, ap-southeast-1]\nprimary_region: us-east-1\n";
        let p = match Config::parse(Path::new("stacks/config/x.yaml"), text, env) {
            Err(ConfigError::Invalid { problems, .. }) => problems[0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!((p.line, p.column), (1, 22), "{p}");
        assert!(
            p.message.contains("artifacts bucket") && p.message.contains("65 characters"),
            "{}",
            p.message
        );
        assert!(p.hint.as_deref().unwrap().contains("at most 18 characters"), "{:?}", p.hint);
        let ok = Config::parse(Path::new("stacks/config/x.yaml"), "regions: [us-east-1]\n", env).unwrap();
        assert_eq!(ok.primary_region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn all_semantic_problems_are_reported_together() {
        let text = "notifications:\n  critical: [x]\ncanary:\n  latency_budget_ms: 0\n";
        match parse(text) {
            Err(e @ ConfigError::Invalid { .. }) => assert_eq!(e.problems().len(), 2),
            other => panic!("{other:?}"),
        }
    }

    fn warnings(text: &str) -> Vec<ConfigProblem> {
        parse(text).unwrap_or_else(|e| panic!("{e:?}")).warnings
    }

    /// An alarm list with one entry, `extra` lines appended to it.
    fn one_alarm(metric: &str, extra: &str) -> String {
        format!(
            "notifications:\n  standard: [ops@payments.io]\n  critical: [ops@payments.io]\ncanary:\n  target_url: https://status.payments.io/health\nalarms:\n  - name: a\n    metric: {metric}\n    statistic: Sum\n    threshold: 1\n    systemic: true\n{extra}"
        )
    }

    #[test]
    fn regions_must_exist_not_only_look_right() {
        let p = first_problem("regions: [us-east-1, eu-wset-1]\n");
        assert_eq!((p.line, p.column), (1, 22));
        assert!(p.message.contains("`eu-wset-1` is not an AWS region code"), "{}", p.message);
        assert!(p.hint.as_deref().unwrap().contains("did you mean `eu-west-1`"), "{:?}", p.hint);
        let p = first_problem("regions: [eu-north-9]\n");
        assert_eq!((p.line, p.column), (1, 11));
        assert!(
            p.to_string().starts_with("stacks/config/dev.yaml:1:11: `eu-north-9` is not an AWS region code")
        );
        // Opt-in Regions are Regions.
        assert!(parse("regions: [af-south-1, ap-southeast-7, me-central-1]\n").is_ok());
    }

    #[test]
    fn time_zones_come_from_the_iana_database() {
        let p = first_problem("anomaly_detection:\n  metric_timezone: Europe/Berlinn\n");
        assert_eq!((p.line, p.column), (2, 20));
        assert!(p.message.contains("IANA Time Zone Database"), "{}", p.message);
        assert_eq!(p.hint.as_deref(), Some("did you mean `Europe/Berlin`?"));
        let p = first_problem("anomaly_detection:\n  metric_timezone: europe/berlin\n");
        assert_eq!(p.hint.as_deref(), Some("did you mean `Europe/Berlin`?"));
        assert!(first_problem("anomaly_detection:\n  metric_timezone: Mars/Olympus_Mons\n").line == 2);
        assert!(parse("anomaly_detection:\n  metric_timezone: America/Argentina/Buenos_Aires\n").is_ok());
    }

    #[test]
    fn an_alarm_on_a_metric_nothing_publishes_is_a_warning_with_did_you_mean() {
        let w = warnings(&one_alarm("PaymentErrorz", ""));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0].line, w[0].column), (8, 13));
        assert!(!w[0].placeholder);
        assert!(
            w[0].message.contains("publishes `PaymentErrorz`") && w[0].message.contains("can never fire"),
            "{}",
            w[0].message
        );
        assert!(
            w[0].hint.as_deref().unwrap().starts_with("did you mean `PaymentErrors`?"),
            "{:?}",
            w[0].hint
        );
        assert!(w[0].to_string().starts_with("stacks/config/dev.yaml:8:13: "));
        // Every metric the platform publishes is accepted, with its dimensions.
        assert!(warnings(&one_alarm("PaymentErrors", "")).is_empty());
        assert!(
            warnings(&one_alarm("HealthCheckSuccess", "    dimensions:\n      Environment: dev\n"))
                .is_empty()
        );
        assert!(
            warnings(&one_alarm("ProcessingLatencyP99", "    dimensions: {Environment: dev}\n")).is_empty()
        );
    }

    #[test]
    fn an_alarm_whose_dimensions_match_nothing_published_is_a_warning() {
        // The collector publishes TotalRequests with Environment only.
        let w = warnings(&one_alarm("TotalRequests", ""));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0].line, w[0].column), (8, 13));
        assert!(w[0].message.contains("with `Environment: dev`"), "{}", w[0].message);
        assert_eq!(w[0].hint.as_deref(), Some("set `dimensions: {Environment: dev}`"));
        let w = warnings(&one_alarm("TotalRequests", "    dimensions:\n      Environment: prod\n"));
        assert_eq!((w[0].line, w[0].column), (13, 7), "{w:?}");
        // Metric-filter metrics have no dimensions.
        let w = warnings(&one_alarm("PaymentErrors", "    dimensions: {Service: payments}\n"));
        assert_eq!(w[0].hint.as_deref(), Some("remove `dimensions`"));
        // AuthenticationFailures comes from both: either form is fine.
        assert!(warnings(&one_alarm("AuthenticationFailures", "")).is_empty());
        assert!(
            warnings(&one_alarm("AuthenticationFailures", "    dimensions: {Environment: dev}\n")).is_empty()
        );
    }

    #[test]
    fn placeholder_addresses_and_targets_are_warnings_deploy_asks_about() {
        // The defaults are placeholders: both lists and the canary target.
        let w = warnings("{}\n");
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w.iter().all(|w| w.placeholder));
        assert!(
            w[0].message.contains("`ops-team@example.com` (the default) is a placeholder"),
            "{}",
            w[0].message
        );
        assert!(
            w[2].message.contains("the canary's target `https://api.example.com/health` (the default)"),
            "{}",
            w[2].message
        );
        // Written in the file: the position of the value.
        let text = "notifications:\n  standard: [ops@payments.io, team@corp.example]\n  critical: [oncall@payments.io]\ncanary:\n  target_url: https://api.example.com/health\n";
        let w = warnings(text);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!((w[0].line, w[0].column), (2, 31));
        assert!(w[0].message.contains("standard topic's alerts reach no one"), "{}", w[0].message);
        assert_eq!((w[1].line, w[1].column), (5, 15));
        assert!(w[1].to_string().starts_with("stacks/config/dev.yaml:5:15: the canary's target"));
        // Real addresses and hosts: nothing to say.
        let real = "notifications:\n  standard: [ops@payments.io]\n  critical: [oncall@payments.io]\ncanary:\n  target_url: https://status.payments.io/health\n";
        assert!(warnings(real).is_empty());
    }

    #[test]
    fn alarm_names_that_give_the_same_logical_id_are_refused() {
        let text = "alarms:\n  - name: api-5xx\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 1\n    systemic: true\n  - name: api5xx\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 2\n";
        let p = first_problem(text);
        assert_eq!((p.line, p.column), (7, 11));
        assert!(
            p.message.contains("same logical id `Api5xxAlarm` as alarms[0] (`api-5xx`)"),
            "{}",
            p.message
        );
        let text = "alarms:\n  - name: systemic-issues-composite\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 1\n    systemic: true\n";
        assert!(first_problem(text).message.contains("composite alarms"));
    }
}
