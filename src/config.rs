//! The environment config, `stacks/config/<env>.yaml`: everything that differs between
//! environments (names, emails, the threshold-alarm list, canary target, dashboard regions,
//! anomaly-detector exclusions, tags).
//!
//! Reading is two-step: serde (typed, `deny_unknown_fields`; syntax, unknown keys and wrong
//! types fail with the parser's line:column), then semantic checks (emails, URLs, regions,
//! thresholds, duplicates, time ranges ...) that point at the offending key or value through
//! a [`yaml::PositionIndex`] of the same text. All problems found by the semantic pass are
//! reported together. Defaults are documented in the README ("Environment config").

mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use yaml::Pos;

/// The metric namespace of the platform's own metrics (metric filters, collector, canary).
pub const METRIC_NAMESPACE: &str = "fintech/payments/metrics";
/// Largest config file read (1 MiB; a real one is a few kB).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// CloudWatch stores metric values between -2^360 and 2^360 (PutMetricData): a threshold
/// beyond that can never be crossed.
pub const MAX_THRESHOLD: f64 = 2.348_542_582_773_833_3e108;
/// Default email for both subscriptions.
pub const DEFAULT_EMAIL: &str = "ops-team@example.com";
/// Default canary target.
pub const DEFAULT_TARGET_URL: &str = "https://api.example.com/health";
/// Default canary latency budget.
pub const DEFAULT_LATENCY_BUDGET_MS: u32 = 2000;
/// Default dashboard regions.
pub const DEFAULT_REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];
/// Tags every environment carries unless the config overrides them.
pub const DEFAULT_TAGS: [(&str, &str); 3] =
    [("Project", "observability-platform"), ("Owner", "platform-team"), ("CostCenter", "engineering")];
/// Alarm names (`alarm-<name>-<env>`) the platform's own anomaly and metric-math alarms use.
pub const RESERVED_ALARM_NAMES: [&str; 3] =
    ["payment-volume-anomaly", "latency-anomaly", "error-rate-percentage"];
/// Tags cfnc sets itself; the config cannot override them.
pub const RESERVED_TAGS: [&str; 2] = ["Environment", "ManagedBy"];

/// The validated config of one environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Environment name (`dev`): the `-<env>` suffix of every name.
    pub env: String,
    /// The file it was read from (as given).
    pub file: PathBuf,
    /// sha256 (hex) of the file's bytes.
    pub sha256: String,
    pub notifications: Notifications,
    /// Threshold alarms, in file order.
    pub alarms: Vec<ThresholdAlarm>,
    pub canary: Canary,
    pub dashboard: Dashboard,
    pub anomaly_detection: AnomalyDetection,
    /// Every tag of every taggable resource, in order: Environment, the defaults (or their
    /// overrides), extra tags from the file (sorted), ManagedBy.
    pub tags: Vec<(String, String)>,
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

/// Dashboard settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dashboard {
    /// Regions shown side by side (default us-east-1, eu-west-1, ap-southeast-1).
    #[serde(default = "default_regions")]
    pub regions: Vec<String>,
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard { regions: default_regions() }
    }
}

fn default_regions() -> Vec<String> {
    DEFAULT_REGIONS.iter().map(|r| r.to_string()).collect()
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

/// What the file holds, before semantic checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    notifications: Notifications,
    #[serde(default)]
    alarms: Option<Vec<ThresholdAlarm>>,
    #[serde(default)]
    canary: Canary,
    #[serde(default)]
    dashboard: Dashboard,
    #[serde(default)]
    anomaly_detection: AnomalyDetection,
    #[serde(default)]
    tags: BTreeMap<String, String>,
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

/// One problem in a config file.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{file}:{line}:{column}: {message}")]
#[diagnostic(code(cfnc::config))]
pub struct ConfigProblem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[help]
    pub hint: Option<String>,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("here")]
    span: SourceSpan,
}

/// Why a config could not be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("no config for environment `{env}`: {} does not exist", path.display())]
    #[diagnostic(code(cfnc::config::missing))]
    Missing {
        env: String,
        path: PathBuf,
        #[help]
        help: String,
    },
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(cfnc::config::io), help("check that the file exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is {size} bytes: a config file may have at most {limit}", path.display())]
    #[diagnostic(
        code(cfnc::config::too_large),
        help("this is not an environment config; check the path (stacks/config/<env>.yaml)")
    )]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("{}: {} problem{} (first: {})", file, problems.len(), if problems.len() == 1 { "" } else { "s" }, problems[0])]
    #[diagnostic(
        code(cfnc::config::invalid),
        help("fix the config file; `cfnc build` reads stacks/config/<env>.yaml")
    )]
    Invalid {
        file: String,
        #[related]
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    /// The problems of an invalid file (empty for other errors).
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            ConfigError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// Path of the config of `env` under `project`.
pub fn config_path(project: &Path, env: &str) -> PathBuf {
    project.join("stacks").join("config").join(format!("{env}.yaml"))
}

impl Config {
    /// Reads `stacks/config/<env>.yaml` under `project`.
    pub fn load(project: &Path, env: &str) -> Result<Config, ConfigError> {
        let path = config_path(project, env);
        if !path.is_file() {
            let dir = project.join("stacks").join("config");
            let mut known: Vec<String> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .filter_map(|e| {
                            e.file_name().to_str().and_then(|n| n.strip_suffix(".yaml")).map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            known.sort();
            let help = if known.is_empty() {
                format!(
                    "create {} (see the README, \"Environment config\"), or pass --project",
                    path.display()
                )
            } else {
                format!("known environments: {}; or create {}", known.join(", "), path.display())
            };
            return Err(ConfigError::Missing { env: env.to_string(), path, help });
        }
        let io = |source| ConfigError::Read { path: path.clone(), source };
        let file = std::fs::File::open(&path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge { path, size, limit: MAX_CONFIG_BYTES });
        }
        // Never read more than the cap plus one byte, whatever the file became meanwhile.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_CONFIG_BYTES + 1), &mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge { path, size: bytes.len() as u64, limit: MAX_CONFIG_BYTES });
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                let mut problems =
                    Problems::new(&path.display().to_string(), &String::from_utf8_lossy(&bytes));
                problems.at(
                    Pos { line, column },
                    format!("the file is not UTF-8 text (byte 0x{:02X} at offset {valid})", bytes[valid]),
                    Some("save the config as UTF-8".to_string()),
                );
                return Err(problems.into_error());
            }
        };
        Config::parse(&path, &text, env)
    }

    /// Parses and checks `text` (the content of `file`) for environment `env`.
    pub fn parse(file: &Path, text: &str, env: &str) -> Result<Config, ConfigError> {
        let label = file.display().to_string();
        let mut problems = Problems::new(&label, text);
        if let Err(e) = yaml::check_structure(text) {
            let hint = if e.message.starts_with("duplicate key") {
                "a mapping may hold each key once: remove or rename one"
            } else if e.message.starts_with("unknown tag") {
                "write the value itself, e.g. `target_url: https://api.example.com/health`"
            } else {
                "see the README, \"Environment config\", for the file's shape"
            };
            problems.at(e.pos.unwrap_or(Pos { line: 1, column: 1 }), e.message, Some(hint.to_string()));
            return Err(problems.into_error());
        }
        let raw: RawConfig = match yaml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let hint = hint_for_serde(&e.message);
                problems.at(e.pos.unwrap_or(Pos { line: 1, column: 1 }), e.message, hint);
                return Err(problems.into_error());
            }
        };
        let index = yaml::PositionIndex::build(text);
        let mut cx = Check { index: &index, problems: &mut problems };
        let env = cx.environment(raw.environment.as_deref(), env);
        cx.notifications(&raw.notifications);
        let alarms = match raw.alarms {
            Some(alarms) => {
                cx.alarms(&alarms, &env);
                alarms
            }
            None => default_alarms(),
        };
        cx.canary(&raw.canary);
        cx.dashboard(&raw.dashboard);
        cx.anomaly(&raw.anomaly_detection);
        let tags = cx.tags(&raw.tags, &env);
        if !problems.list.is_empty() {
            return Err(problems.into_error());
        }
        Ok(Config {
            env,
            file: file.to_path_buf(),
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            notifications: raw.notifications,
            alarms,
            canary: raw.canary,
            dashboard: raw.dashboard,
            anomaly_detection: raw.anomaly_detection,
            tags,
        })
    }

    /// Name of the root stack: `payment-observability-<env>`.
    pub fn root_stack_name(&self) -> String {
        format!("payment-observability-{}", self.env)
    }

    /// The tags as a map (for the manifest).
    pub fn tag_map(&self) -> BTreeMap<String, String> {
        self.tags.iter().cloned().collect()
    }
}

/// Collects problems with their positions.
struct Problems {
    file: String,
    text: String,
    list: Vec<ConfigProblem>,
}

impl Problems {
    fn new(file: &str, text: &str) -> Self {
        Problems { file: file.to_string(), text: text.to_string(), list: Vec::new() }
    }

    fn at(&mut self, pos: Pos, message: impl Into<String>, hint: Option<String>) {
        let offset = yaml::byte_offset(&self.text, pos);
        let len = self.text[offset..].find(['\n', ':', ',', ']', '}']).map_or(0, |n| n.max(1));
        self.list.push(ConfigProblem {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            hint,
            source_code: NamedSource::new(self.file.clone(), self.text.clone()),
            span: SourceSpan::new(offset.into(), len),
        });
    }

    fn into_error(self) -> ConfigError {
        ConfigError::Invalid { file: self.file, problems: self.list }
    }
}

struct Check<'a> {
    index: &'a yaml::PositionIndex,
    problems: &'a mut Problems,
}

impl Check<'_> {
    /// A problem with the value at `path`.
    fn value(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.value(path).unwrap_or(Pos { line: 1, column: 1 });
        self.problems.at(pos, message, hint.into());
    }

    /// A problem with the key of the entry at `path`.
    fn key(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.key(path).unwrap_or(Pos { line: 1, column: 1 });
        self.problems.at(pos, message, hint.into());
    }

    fn environment(&mut self, declared: Option<&str>, selected: &str) -> String {
        let env = declared.unwrap_or(selected).to_string();
        if !is_env_name(&env) {
            let path = if declared.is_some() { "environment" } else { "" };
            self.value(
                path,
                format!("environment name `{env}` is not allowed"),
                Some("use 1 to 20 lowercase letters, digits and `-`, starting with a letter (it ends bucket, canary and role names)".to_string()),
            );
        } else if declared.is_some_and(|d| d != selected) {
            self.value(
                "environment",
                format!("this file declares environment `{env}` but was selected for `{selected}`"),
                Some(format!("rename the file to {env}.yaml or set `environment: {selected}`")),
            );
        }
        env
    }

    fn notifications(&mut self, n: &Notifications) {
        for (list, emails) in [("standard", &n.standard), ("critical", &n.critical)] {
            if emails.is_empty() {
                self.value(
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
                    self.value(
                        &path,
                        format!("`{email}` is not an email address"),
                        Some("write it as name@domain.tld".to_string()),
                    );
                } else if !seen.insert(email.to_ascii_lowercase()) {
                    self.value(
                        &path,
                        format!("`{email}` is listed twice"),
                        Some("remove the duplicate".to_string()),
                    );
                }
            }
        }
    }

    fn alarms(&mut self, alarms: &[ThresholdAlarm], env: &str) {
        if alarms.is_empty() {
            self.value(
                "alarms",
                "the alarm list is empty",
                Some("composite-alarm-critical-escalation needs at least one threshold alarm; remove the key to get the three default alarms".to_string()),
            );
            return;
        }
        let mut names = BTreeMap::new();
        for (i, a) in alarms.iter().enumerate() {
            let p = format!("alarms[{i}]");
            if !is_kebab(&a.name) {
                self.value(
                    &format!("{p}.name"),
                    format!("alarm name `{}` is not allowed", a.name),
                    Some("use lowercase letters, digits and single `-` (e.g. payment-errors); the alarm is named alarm-<name>-<env>".to_string()),
                );
            } else if RESERVED_ALARM_NAMES.contains(&a.name.as_str()) {
                self.value(
                    &format!("{p}.name"),
                    format!("alarm name `{}` is used by the platform itself", a.name),
                    Some(format!("choose another name; reserved: {}", RESERVED_ALARM_NAMES.join(", "))),
                );
            } else if a.alarm_name(env).len() > 255 {
                self.value(&format!("{p}.name"), "alarm name is longer than 255 characters", None);
            }
            if let Some(first) = names.insert(a.name.clone(), i) {
                self.value(
                    &format!("{p}.name"),
                    format!("alarm `{}` is defined twice (first at alarms[{first}])", a.name),
                    Some("alarm names must be unique: rename or remove one".to_string()),
                );
            }
            if !is_metric_name(&a.metric) {
                self.value(
                    &format!("{p}.metric"),
                    format!("`{}` is not a metric name", a.metric),
                    Some("1 to 255 printable ASCII characters, e.g. PaymentErrors".to_string()),
                );
            }
            if !a.threshold.is_finite() {
                self.value(&format!("{p}.threshold"), "the threshold must be a finite number", None);
            } else if a.threshold < 0.0 {
                self.value(
                    &format!("{p}.threshold"),
                    format!(
                        "threshold {} is negative: the metrics of {METRIC_NAMESPACE} (counts and durations) never are, so the alarm would always or never fire",
                        a.threshold
                    ),
                    Some("use a threshold of 0 or more".to_string()),
                );
            } else if a.threshold > MAX_THRESHOLD {
                self.value(
                    &format!("{p}.threshold"),
                    format!(
                        "threshold {:e} is beyond the largest value CloudWatch stores (2^360): the alarm could never fire",
                        a.threshold
                    ),
                    Some("use a threshold in the metric's real range".to_string()),
                );
            }
            if !(a.period == 10 || a.period == 30 || (a.period >= 60 && a.period % 60 == 0)) {
                self.value(
                    &format!("{p}.period"),
                    format!("period {} is not a CloudWatch alarm period", a.period),
                    Some("use 10, 30 or a multiple of 60 seconds (default 300)".to_string()),
                );
            }
            if a.evaluation_periods == 0 {
                self.value(&format!("{p}.evaluation_periods"), "evaluation_periods must be at least 1", None);
            } else if u64::from(a.period) * u64::from(a.evaluation_periods) > 86_400 {
                self.value(
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
                self.value(
                    &format!("{p}.datapoints_to_alarm"),
                    format!(
                        "datapoints_to_alarm {d} must be between 1 and evaluation_periods ({})",
                        a.evaluation_periods
                    ),
                    None,
                );
            }
            if a.dimensions.len() > 30 {
                self.value(&format!("{p}.dimensions"), "at most 30 dimensions", None);
            }
            for (k, v) in &a.dimensions {
                if k.is_empty() || k.len() > 255 || v.is_empty() || v.len() > 1024 {
                    self.key(
                        &format!("{p}.dimensions.{k}"),
                        format!("dimension `{k}: {v}` is not allowed"),
                        Some("names have 1-255 characters, values 1-1024".to_string()),
                    );
                }
            }
            if let Some(d) = &a.description
                && d.len() > 1024
            {
                self.value(&format!("{p}.description"), "description is longer than 1024 characters", None);
            }
        }
        if !alarms.iter().any(|a| a.systemic) {
            self.value(
                "alarms",
                "no alarm has `systemic: true`",
                Some("composite-alarm-systemic-issues fires when ALL systemic alarms are in ALARM: mark at least one (PLATFORM.md: payment-errors and high-latency)".to_string()),
            );
        }
    }

    fn canary(&mut self, c: &Canary) {
        if let Err(why) = check_url(&c.target_url) {
            self.value(
                "canary.target_url",
                format!("`{}` is not a usable URL: {why}", c.target_url),
                Some("write an absolute http(s) URL, e.g. https://api.example.com/health".to_string()),
            );
        }
        if !(1..=60_000).contains(&c.latency_budget_ms) {
            self.value(
                "canary.latency_budget_ms",
                format!("latency budget {} ms is out of range", c.latency_budget_ms),
                Some("use 1 to 60000 ms (default 2000)".to_string()),
            );
        }
    }

    fn dashboard(&mut self, d: &Dashboard) {
        if d.regions.is_empty() {
            self.value(
                "dashboard.regions",
                "the region list is empty",
                Some("list at least one region, e.g. [us-east-1]".to_string()),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, r) in d.regions.iter().enumerate() {
            let path = format!("dashboard.regions[{i}]");
            if !is_region(r) {
                self.value(
                    &path,
                    format!("`{r}` is not an AWS region code"),
                    Some("use a region code such as us-east-1 or eu-west-1".to_string()),
                );
            } else if !seen.insert(r.clone()) {
                self.value(
                    &path,
                    format!("region `{r}` is listed twice"),
                    Some("remove the duplicate".to_string()),
                );
            }
        }
    }

    fn anomaly(&mut self, a: &AnomalyDetection) {
        let mut seen = BTreeSet::new();
        for (i, r) in a.excluded_time_ranges.iter().enumerate() {
            let p = format!("anomaly_detection.excluded_time_ranges[{i}]");
            let start = parse_timestamp(&r.start);
            let end = parse_timestamp(&r.end);
            let hint = || Some("write yyyy-MM-ddTHH:mm:ss in UTC, e.g. 2026-11-29T22:00:00".to_string());
            if start.is_none() {
                self.value(&format!("{p}.start"), format!("`{}` is not a timestamp", r.start), hint());
            }
            if end.is_none() {
                self.value(&format!("{p}.end"), format!("`{}` is not a timestamp", r.end), hint());
            }
            if let (Some(s), Some(e)) = (start, end) {
                if e <= s {
                    self.value(
                        &format!("{p}.end"),
                        format!("the range ends ({}) before it starts ({})", r.end, r.start),
                        Some("swap start and end, or fix the dates".to_string()),
                    );
                } else if !seen.insert((s, e)) {
                    self.value(&p, "this range is listed twice", Some("remove the duplicate".to_string()));
                }
            }
        }
        if let Some(tz) = &a.metric_timezone
            && !is_timezone(tz)
        {
            self.value(
                "anomaly_detection.metric_timezone",
                format!("`{tz}` is not an IANA time zone name"),
                Some("e.g. UTC, Europe/Berlin, America/New_York".to_string()),
            );
        }
    }

    fn tags(&mut self, extra: &BTreeMap<String, String>, env: &str) -> Vec<(String, String)> {
        let mut tags = vec![("Environment".to_string(), env.to_string())];
        for (k, v) in DEFAULT_TAGS {
            tags.push((k.to_string(), extra.get(k).cloned().unwrap_or_else(|| v.to_string())));
        }
        for (k, v) in extra {
            let path = format!("tags.{k}");
            if RESERVED_TAGS.contains(&k.as_str()) {
                self.key(
                    &path,
                    format!("tag `{k}` is set by cfnc and cannot be overridden"),
                    Some(format!("remove it (cfnc sets Environment={env} and ManagedBy=cfnc)")),
                );
                continue;
            }
            if !is_tag_key(k) {
                self.key(
                    &path,
                    format!("`{k}` is not a valid tag key"),
                    Some(
                        "1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:"
                            .to_string(),
                    ),
                );
            }
            if !is_tag_value(v) {
                self.value(
                    &path,
                    format!("`{v}` is not a valid tag value"),
                    Some("0-256 letters, digits, spaces and _ . : / = + - @".to_string()),
                );
            }
            if !DEFAULT_TAGS.iter().any(|(d, _)| d == k) {
                tags.push((k.clone(), v.clone()));
            }
        }
        tags.push(("ManagedBy".to_string(), "cfnc".to_string()));
        // 50 tags per resource; keep one slot for a resource's own Name tag.
        if tags.len() > 49 {
            self.value("tags", format!("{} tags: at most 49 are allowed", tags.len()), None);
        }
        tags
    }
}

/// Turns a serde message into a hint (closest known field for an unknown one).
fn hint_for_serde(message: &str) -> Option<String> {
    // serde_yaml prefixes the path of the offending node: `canary: unknown field ...`.
    let message = message.find("unknown ").map_or(message, |i| &message[i..]);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let unknown = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        if let Some(best) = crate::suggest::closest(unknown, expected.iter().copied()) {
            return Some(format!("did you mean `{best}`? (allowed: {})", expected.join(", ")));
        }
        return Some(format!("allowed keys here: {}", expected.join(", ")));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let unknown = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        if let Some(best) = crate::suggest::closest(unknown, expected.iter().copied()) {
            return Some(format!("did you mean `{best}`? (allowed: {})", expected.join(", ")));
        }
        return Some(format!("allowed values: {}", expected.join(", ")));
    }
    if message.contains("missing field") {
        return Some("add the key (see the README, \"Environment config\")".to_string());
    }
    if message.contains("invalid type") {
        return Some("check the value's type against the README, \"Environment config\"".to_string());
    }
    None
}

/// An environment name: 1 to 20 lowercase letters, digits and single `-`, starting with a
/// letter (it ends bucket, canary and role names).
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 20
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

fn is_metric_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
}

/// A pragmatic address check: one `@`, a non-empty local part of printable characters and a
/// dotted domain of letters, digits and `-`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    s.len() <= 254 && local_ok && domain_ok
}

/// An absolute http(s) URL with a host and no whitespace.
pub fn check_url(s: &str) -> Result<(), &'static str> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("the scheme must be http:// or https://")?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace");
    }
    if s.len() > 2048 {
        return Err("it is longer than 2048 characters");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (host_port, None),
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if !host.starts_with('[') && !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err("the host has characters a host name cannot have");
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |n| n == 0)
    {
        return Err("the port is not a number from 1 to 65535");
    }
    Ok(())
}

/// AWS region codes: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (head, mid, num) = match parts.as_slice() {
        [a, b, n] => (vec![*a], *b, *n),
        [a, g, b, n] if matches!(*g, "gov" | "iso" | "isob") => (vec![*a, *g], *b, *n),
        _ => return false,
    };
    head[0].len() == 2
        && head[0].chars().all(|c| c.is_ascii_lowercase())
        && matches!(
            mid,
            "east"
                | "west"
                | "north"
                | "south"
                | "central"
                | "northeast"
                | "northwest"
                | "southeast"
                | "southwest"
        )
        && !num.is_empty()
        && num.len() <= 2
        && num.chars().all(|c| c.is_ascii_digit())
}

fn is_timezone(s: &str) -> bool {
    s == "UTC"
        || (s.contains('/')
            && s.split('/')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))))
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

fn is_tag_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 128
        && !s.to_ascii_lowercase().starts_with("aws:")
        && s.chars().all(tag_char)
}

fn is_tag_value(s: &str) -> bool {
    s.chars().count() <= 256 && s.chars().all(tag_char)
}

/// Parses `yyyy-MM-ddTHH:mm:ss` into seconds since 1970 (UTC); `None` when malformed or not a
/// calendar date.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
    };
    let (y, mo, d, h, mi, se) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if y < 1970 || d < 1 || d > days_in_month || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
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
        assert_eq!(c.dashboard.regions, DEFAULT_REGIONS);
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

        let p = first_problem("dashboard:\n  regions:\n    - us-east-1\n    - mars-1\n");
        assert_eq!((p.line, p.column), (4, 7));
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
    fn structure_problems_serde_would_hide() {
        // Duplicate keys in a map (serde keeps the last) and in a struct.
        let p = first_problem("tags:\n  Team: a\n  Team: b\n");
        assert_eq!((p.line, p.column), (3, 3));
        assert!(p.message.contains("duplicate key `Team` (first at line 2, column 3)"), "{}", p.message);
        // Tags other than the core ones (serde would read `!Ref x` as `x`).
        let p = first_problem("canary:\n  target_url: !Ref Url\n");
        assert_eq!((p.line, p.column), (2, 15));
        assert!(p.message.contains("unknown tag `!Ref`"), "{}", p.message);
        assert!(parse("canary:\n  target_url: !!str https://a.example.com/x\n").is_ok());
        // Alias bombs: nested and by long strings.
        let mut bomb = String::from("dashboard:\n  regions:\n    - &a0 [l, l, l, l, l, l, l, l, l]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            bomb.push_str(&format!("    - &a{i} [{refs}]\n"));
        }
        assert!(first_problem(&bomb).message.contains("alias bomb"));
        let long = format!(
            "tags:\n  A: &s {}\n{}",
            "x".repeat(100_000),
            (0..20).map(|i| format!("  B{i}: *s\n")).collect::<String>()
        );
        assert!(first_problem(&long).message.contains("alias bomb"));
        // Nesting and documents.
        for depth in [100, 10_000] {
            let deep = format!("dashboard:\n  regions: {}{}\n", "[".repeat(depth), "]".repeat(depth));
            assert!(first_problem(&deep).message.contains("nesting deeper than 64"), "{depth}");
        }
        assert!(first_problem("a: 1\n---\nb: 2\n").message.contains("one YAML document"));
    }

    #[test]
    fn oversized_and_non_utf8_files() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("stacks/config");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(cfg.join("dev.yaml"), b"tags:\n  A: \xff\n").unwrap();
        match Config::load(dir.path(), "dev") {
            Err(ConfigError::Invalid { problems, .. }) => {
                assert_eq!((problems[0].line, problems[0].column), (2, 6));
                assert!(problems[0].message.contains("not UTF-8"), "{}", problems[0].message);
            }
            other => panic!("{other:?}"),
        }
        let f = std::fs::File::create(cfg.join("dev.yaml")).unwrap();
        f.set_len(100 * 1024 * 1024).unwrap();
        assert!(matches!(Config::load(dir.path(), "dev"), Err(ConfigError::TooLarge { .. })));
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
    fn reserved_tags_and_environment_mismatch() {
        let p = first_problem("tags:\n  ManagedBy: me\n");
        assert_eq!((p.line, p.column), (2, 3));
        let p = first_problem("environment: prod\n");
        assert!(p.message.contains("selected for `dev`"));
        let c = parse("tags:\n  Owner: payments\n  Team: sre\n").unwrap();
        assert!(c.tags.contains(&("Owner".into(), "payments".into())));
        assert!(c.tags.contains(&("Team".into(), "sre".into())));
        assert_eq!(c.tags.last().unwrap().0, "ManagedBy");
    }

    #[test]
    fn all_semantic_problems_are_reported_together() {
        let text = "notifications:\n  critical: [x]\ncanary:\n  latency_budget_ms: 0\n";
        match parse(text) {
            Err(e @ ConfigError::Invalid { .. }) => assert_eq!(e.problems().len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validators() {
        assert!(is_email("ops-team@example.com"));
        assert!(!is_email("ops@localhost"));
        assert!(!is_email("a b@example.com"));
        assert!(check_url("https://api.example.com/health").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        assert!(check_url("https:///x").is_err());
        assert!(check_url("https://h:0/").is_err());
        assert!(is_region("us-gov-west-1") && is_region("ap-southeast-1") && !is_region("us-east"));
        assert!(is_env_name("dev") && !is_env_name("Dev") && !is_env_name("1dev"));
    }
}
