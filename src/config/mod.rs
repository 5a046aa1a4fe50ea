//! An app's environment config, `stacks/config/<env>.yaml`: the machinery every app shares.
//!
//! An app declares what its file holds as a serde type (its *settings*, e.g. alarms and
//! notifications) and the semantic checks that serde cannot express ([`Settings::check`]).
//! This module reads the file into an [`EnvConfig`]: the environment name, the tags of every
//! resource, the file's sha256, and the app's settings.
//!
//! Reading is two-step, and every problem points at `file:line:column`:
//! 1. structure and types: the text is checked for what serde would accept silently
//!    (duplicate keys, unknown tags, alias bombs, deep nesting, several documents), then the
//!    settings are deserialized (unknown keys and unknown enum values get a "did you mean");
//! 2. semantic checks: the library's own (`environment`, `tags`) and the app's, reported
//!    together through a [`Checker`], which finds the position of any key or value by its path
//!    (`alarms[2].threshold`).
//!
//! Four top-level keys belong to the library, whatever the app: `environment` (must match the
//! selected environment when present), `tags` (extra tags on every taggable resource, on
//! top of the app's [`Settings::DEFAULT_TAGS`]; `Environment` and `ManagedBy` are set by cfnc),
//! and `regions` / `primary_region`: where the environment is deployed (one root stack per
//! region, the primary region first; see [`EnvConfig::regions`]). The build writes the regions
//! into the manifest for the CLI, and the app reads them (e.g. for a dashboard of every
//! region, or for what exists once, in the primary region). Without `regions` the environment
//! goes to the one region of the AWS configuration.
//!
//! ```
//! use cfnc::config::{Checker, EnvConfig, Settings};
//!
//! #[derive(Debug, Default, serde::Deserialize)]
//! #[serde(deny_unknown_fields, default)]
//! struct Site {
//!     domain: String,
//! }
//!
//! impl Settings for Site {
//!     const DEFAULT_TAGS: &'static [(&'static str, &'static str)] = &[("Team", "web")];
//!     fn check(&self, cx: &mut Checker<'_>) {
//!         if !self.domain.contains('.') {
//!             cx.value("domain", format!("`{}` is not a domain name", self.domain), None);
//!         }
//!     }
//! }
//!
//! let path = std::path::Path::new("stacks/config/dev.yaml");
//! let config: EnvConfig<Site> = EnvConfig::parse(path, "domain: example.com\n", "dev").unwrap();
//! assert_eq!(config.domain, "example.com"); // the settings, through Deref
//! assert_eq!(config.tags[1], ("Team".to_string(), "web".to_string()));
//!
//! let err = EnvConfig::<Site>::parse(path, "domian: example.com\n", "dev").unwrap_err();
//! assert!(err.problems()[0].to_string().starts_with("stacks/config/dev.yaml:1:1: unknown field `domian`"));
//! ```

pub mod checks;
mod yaml;

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub use checks::*;
pub use yaml::Pos;

/// Largest config file read (1 MiB; a real one is a few kB).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Tags cfnc sets itself; the config cannot override them.
pub const RESERVED_TAGS: [&str; 2] = ["Environment", "ManagedBy"];
/// The top-level keys the library reads itself, whatever the app.
pub const COMMON_KEYS: [&str; 4] = ["environment", "tags", "regions", "primary_region"];

/// What an app keeps in its environment config, and how it checks it.
///
/// The type is deserialized from the file's top-level mapping without the [`COMMON_KEYS`];
/// use `#[serde(deny_unknown_fields)]` so that a misspelt key is an error with a suggestion,
/// and `#[serde(default)]` for keys that may be left out.
pub trait Settings: DeserializeOwned {
    /// Tags on every taggable resource unless the file's `tags` overrides them, in order
    /// (after `Environment`, before the file's other tags and `ManagedBy`).
    const DEFAULT_TAGS: &'static [(&'static str, &'static str)] = &[];

    /// Semantic checks after deserialization: report every problem through `cx` (they are
    /// reported together, each at its `file:line:column`).
    fn check(&self, cx: &mut Checker<'_>) {
        let _ = cx;
    }
}

/// The validated config of one environment.
#[derive(Clone, Debug)]
pub struct EnvConfig<S> {
    /// Environment name (`dev`): the `-<env>` suffix of every name.
    pub env: String,
    /// The file it was read from (as given).
    pub file: PathBuf,
    /// sha256 (hex) of the file's bytes.
    pub sha256: String,
    /// Every tag of every taggable resource, in order: `Environment`, the app's defaults (or
    /// their overrides), extra tags from the file (sorted), `ManagedBy`.
    pub tags: Vec<(String, String)>,
    /// The regions the environment is deployed to, as the file lists them (`regions`); empty
    /// when the file has no `regions`: then the environment goes to the one region of the AWS
    /// configuration (unknown at build time). One AWS partition.
    pub regions: Vec<String>,
    /// The region deployed first, holding what exists once (`primary_region`, default the first
    /// of `regions`); `None` exactly when `regions` is empty.
    pub primary_region: Option<String>,
    /// The warnings of the checks (the config is usable; `cfnc build` prints them).
    pub warnings: Vec<ConfigProblem>,
    /// The app's settings.
    pub settings: S,
}

impl<S> Deref for EnvConfig<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.settings
    }
}

impl<S> EnvConfig<S> {
    /// The tags as a map (for the manifest).
    pub fn tag_map(&self) -> BTreeMap<String, String> {
        self.tags.iter().cloned().collect()
    }

    /// The regions in rollout order: the primary region first, then the others as listed.
    pub fn rollout_regions(&self) -> Vec<String> {
        rollout_order(&self.regions, self.primary_region.as_deref())
    }
}

/// `regions` in rollout order: `primary` first, then the others in their order.
pub fn rollout_order(regions: &[String], primary: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> =
        primary.filter(|p| regions.iter().any(|r| r == p)).map(str::to_string).into_iter().collect();
    out.extend(regions.iter().filter(|r| Some(r.as_str()) != primary).cloned());
    out
}

/// The library's part of an environment config, read without the app (whose keys are skipped
/// unread): what the CLI needs before anything is built, e.g. `cfnc bootstrap` reads the
/// regions to prepare. The app's build checks its own keys.
pub type CommonConfig = EnvConfig<serde::de::IgnoredAny>;

impl Settings for serde::de::IgnoredAny {}

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
    /// A warning about a placeholder value (an address or URL for examples): `cfnc deploy`
    /// asks before it deploys a build with one (`--yes` acknowledges it).
    pub placeholder: bool,
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

/// The environments of a project: the stems of `stacks/config/*.yaml`, sorted.
pub fn environments(project: &Path) -> Vec<String> {
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
    known
}

/// The library's own keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    regions: Option<Vec<String>>,
    #[serde(default)]
    primary_region: Option<String>,
}

impl<S: Settings> EnvConfig<S> {
    /// Reads `stacks/config/<env>.yaml` under `project`.
    pub fn load(project: &Path, env: &str) -> Result<Self, ConfigError> {
        let (path, text) = read(project, env)?;
        Self::parse(&path, &text, env)
    }

    /// Parses and checks `text` (the content of `file`) for environment `env`.
    pub fn parse(file: &Path, text: &str, env: &str) -> Result<Self, ConfigError> {
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
        let index = yaml::PositionIndex::build(text);
        let (common, settings) = match yaml::split_settings::<Common, S>(text, &COMMON_KEYS) {
            Ok(parts) => parts,
            Err(e) => {
                let pos = e.pos.or_else(|| {
                    let path = e.path.as_deref()?;
                    if e.at_key { index.key(path) } else { index.value(path) }
                });
                let hint = hint_for_serde(&e.message);
                problems.at(pos.unwrap_or(Pos { line: 1, column: 1 }), e.message, hint);
                return Err(problems.into_error());
            }
        };
        let mut cx = Checker {
            index: &index,
            problems: &mut problems,
            warnings: Vec::new(),
            env: env.to_string(),
            regions: Vec::new(),
        };
        let env = cx.environment(common.environment.as_deref(), env);
        let tags = cx.tags(&common.tags, &env, S::DEFAULT_TAGS);
        let (regions, primary_region) =
            cx.check_regions(common.regions.as_deref(), common.primary_region.as_deref());
        cx.env = env.clone();
        cx.regions = regions.clone();
        settings.check(&mut cx);
        let warnings = std::mem::take(&mut cx.warnings);
        if !problems.list.is_empty() {
            return Err(problems.into_error());
        }
        Ok(EnvConfig {
            env,
            file: file.to_path_buf(),
            sha256: hex::encode(Sha256::digest(text.as_bytes())),
            tags,
            regions,
            primary_region,
            warnings,
            settings,
        })
    }
}

/// Reads the text of `stacks/config/<env>.yaml` under `project` (bounded, UTF-8 checked).
fn read(project: &Path, env: &str) -> Result<(PathBuf, String), ConfigError> {
    let path = config_path(project, env);
    if !path.is_file() {
        let known = environments(project);
        let help = if known.is_empty() {
            format!("create {} (see the README, \"Environment config\"), or pass --project", path.display())
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
            let mut problems = Problems::new(&path.display().to_string(), &String::from_utf8_lossy(&bytes));
            problems.at(
                Pos { line, column },
                format!("the file is not UTF-8 text (byte 0x{:02X} at offset {valid})", bytes[valid]),
                Some("save the config as UTF-8".to_string()),
            );
            return Err(problems.into_error());
        }
    };
    Ok((path, text))
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

    fn problem(&self, pos: Pos, message: impl Into<String>, hint: Option<String>) -> ConfigProblem {
        let offset = yaml::byte_offset(&self.text, pos);
        let len = self.text[offset..].find(['\n', ':', ',', ']', '}']).map_or(0, |n| n.max(1));
        ConfigProblem {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            hint,
            placeholder: false,
            source_code: NamedSource::new(self.file.clone(), self.text.clone()),
            span: SourceSpan::new(offset.into(), len),
        }
    }

    fn at(&mut self, pos: Pos, message: impl Into<String>, hint: Option<String>) {
        let p = self.problem(pos, message, hint);
        self.list.push(p);
    }

    fn into_error(self) -> ConfigError {
        ConfigError::Invalid { file: self.file, problems: self.list }
    }
}

/// Where an app's [`Settings::check`] reports problems: by the path of the key or value
/// (`notifications.standard[1]`, `alarms[0].threshold`; the root is `""`), which this
/// turns into `file:line:column` (the nearest existing ancestor when the path is not in the
/// file, e.g. for a default value).
pub struct Checker<'a> {
    index: &'a yaml::PositionIndex,
    problems: &'a mut Problems,
    warnings: Vec<ConfigProblem>,
    env: String,
    regions: Vec<String>,
}

impl Checker<'_> {
    /// The environment being loaded (`dev`).
    pub fn env(&self) -> &str {
        &self.env
    }

    /// The configured `regions` that passed the library's checks, as listed (empty when the
    /// file names none): for checks of names that carry the region.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// An error about the value at `path`.
    pub fn value(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.value(path).unwrap_or(Pos { line: 1, column: 1 });
        self.problems.at(pos, message, hint.into());
    }

    /// An error about the key of the entry at `path`.
    pub fn key(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.key(path).unwrap_or(Pos { line: 1, column: 1 });
        self.problems.at(pos, message, hint.into());
    }

    /// A warning about the value at `path`: the config is still usable.
    pub fn warn(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.value(path).unwrap_or(Pos { line: 1, column: 1 });
        let w = self.problems.problem(pos, message, hint.into());
        self.warnings.push(w);
    }

    /// A warning about a placeholder value at `path` (an example address, a default that must
    /// be replaced before real use): the build goes on and prints it, and `cfnc deploy` asks
    /// for confirmation before deploying the build (`--yes` acknowledges it).
    pub fn placeholder(&mut self, path: &str, message: impl Into<String>, hint: impl Into<Option<String>>) {
        let pos = self.index.value(path).unwrap_or(Pos { line: 1, column: 1 });
        let mut w = self.problems.problem(pos, message, hint.into());
        w.placeholder = true;
        self.warnings.push(w);
    }

    /// Whether the file itself has a key or value at `path` (false for defaults).
    pub fn is_written(&self, path: &str) -> bool {
        self.index.exact(path)
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

    /// `regions` and `primary_region`: region codes of one partition, no duplicates, the
    /// primary one of them (default the first).
    fn check_regions(
        &mut self,
        regions: Option<&[String]>,
        primary: Option<&str>,
    ) -> (Vec<String>, Option<String>) {
        let Some(regions) = regions else {
            if let Some(p) = primary {
                self.key(
                    "primary_region",
                    format!("primary_region `{p}` is set, but `regions` is not"),
                    Some(format!("list the regions the environment runs in, e.g. `regions: [{p}]`")),
                );
            }
            return (Vec::new(), None);
        };
        if regions.is_empty() {
            self.value(
                "regions",
                "the region list is empty",
                Some("list at least one region (e.g. [us-east-1]), or remove `regions` to deploy to the region of the AWS configuration".to_string()),
            );
            return (Vec::new(), None);
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut partition: Option<(&str, &'static str)> = None;
        for (i, r) in regions.iter().enumerate() {
            let path = format!("regions[{i}]");
            if !is_region(r) {
                let hint = match closest_region(r) {
                    Some(best) => format!("did you mean `{best}`? (the Regions cfnc knows: schema/regions.json)"),
                    None => "use a Region code such as us-east-1 or eu-west-1 (the Regions cfnc knows: schema/regions.json)"
                        .to_string(),
                };
                self.value(&path, format!("`{r}` is not an AWS region code"), Some(hint));
                continue;
            }
            if seen.contains(&r.as_str()) {
                self.value(
                    &path,
                    format!("region `{r}` is listed twice"),
                    Some("remove the duplicate".to_string()),
                );
                continue;
            }
            seen.push(r);
            let p = crate::partition::of_region(r).name;
            match partition {
                None => partition = Some((r, p)),
                Some((first, fp)) if fp != p => self.value(
                    &path,
                    format!("region `{r}` is in partition {p}, but `{first}` is in partition {fp}"),
                    Some("an AWS account belongs to one partition: deploy the other partition as its own environment".to_string()),
                ),
                Some(_) => {}
            }
        }
        let primary = match primary {
            None => regions.first().cloned(),
            Some(p) if regions.iter().any(|r| r == p) => Some(p.to_string()),
            Some(p) => {
                self.value(
                    "primary_region",
                    format!("primary region `{p}` is not one of `regions`"),
                    Some(format!("choose one of {}, or add `{p}` to `regions`", regions.join(", "))),
                );
                regions.first().cloned()
            }
        };
        (regions.to_vec(), primary)
    }

    fn tags(
        &mut self,
        extra: &BTreeMap<String, String>,
        env: &str,
        defaults: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let mut tags = vec![("Environment".to_string(), env.to_string())];
        for (k, v) in defaults {
            tags.push((k.to_string(), extra.get(*k).cloned().unwrap_or_else(|| v.to_string())));
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
            if !defaults.iter().any(|(d, _)| d == k) {
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
    // The message starts with the path of the offending node: `canary: unknown field ...`.
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

#[cfg(test)]
mod tests;
