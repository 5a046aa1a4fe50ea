//! `cfnc init DIR`: writes a new project whose app builds and validates clean.
//!
//! ```text
//! DIR/cfnc.toml               [app] path = "stacks"
//! DIR/Cargo.toml              the Cargo workspace (fast-edit-loop profiles)
//! DIR/.gitignore              target/, cfnc.out/
//! DIR/stacks/Cargo.toml       the app's package (depends on the cfnc library)
//! DIR/stacks/main.rs          the app: settings, one stack (KMS key + encrypted bucket)
//! DIR/stacks/config/dev.yaml  the dev environment's config
//! ```

use std::path::{Path, PathBuf};

use super::{PROJECT_FILE, ProjectError};

/// How the new app depends on the cfnc library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// A crates.io version requirement.
    Version(String),
    /// A local checkout of cfnc (the directory of its root `Cargo.toml`).
    Path(PathBuf),
}

impl Dependency {
    fn toml(&self) -> String {
        match self {
            Dependency::Version(v) => format!("cfnc = \"{}\"", v.replace(['"', '\\'], "")),
            Dependency::Path(p) => {
                let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
                format!("cfnc = {{ path = {} }}", toml_string(&abs.display().to_string()))
            }
        }
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What `init` wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// Paths relative to the project directory, in the order written.
    pub files: Vec<PathBuf>,
}

/// A package name from a directory name: lowercase letters, digits and `-`.
pub fn package_name(dir: &Path) -> String {
    let raw = dir
        .canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .or_else(|| dir.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    match name.chars().next() {
        Some(c) if c.is_ascii_lowercase() => name,
        Some(_) => format!("app-{name}"),
        None => "app".to_string(),
    }
}

/// Writes a new project into `dir` (created if missing). Refuses a directory that already
/// holds a project or any of the files it would write: nothing is overwritten.
pub fn write(dir: &Path, name: Option<&str>, dep: &Dependency) -> Result<Written, ProjectError> {
    let name = match name {
        Some(n) => {
            let ok = n.len() <= 40
                && n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !n.ends_with('-');
            if !ok {
                return Err(ProjectError::Invalid {
                    path: dir.to_path_buf(),
                    at: String::new(),
                    message: format!("`{n}` cannot name the app"),
                    help: Some(
                        "use up to 40 lowercase letters, digits and `-`, starting with a letter".into(),
                    ),
                });
            }
            n.to_string()
        }
        None => package_name(dir),
    };
    let files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from(PROJECT_FILE), CFNC_TOML.to_string()),
        (PathBuf::from("Cargo.toml"), WORKSPACE_TOML.to_string()),
        (PathBuf::from(".gitignore"), GITIGNORE.to_string()),
        (
            PathBuf::from("stacks/Cargo.toml"),
            APP_TOML.replace("{name}", &name).replace("{cfnc}", &dep.toml()),
        ),
        (PathBuf::from("stacks/main.rs"), APP_MAIN.replace("{name}", &name)),
        (PathBuf::from("stacks/config/dev.yaml"), DEV_YAML.to_string()),
    ];
    for (rel, _) in &files {
        let path = dir.join(rel);
        if path.exists() {
            return Err(ProjectError::Invalid {
                path,
                at: String::new(),
                message: "already exists: `cfnc init` does not overwrite files".into(),
                help: Some("choose a new or empty directory".into()),
            });
        }
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| ProjectError::Read { path: parent.to_path_buf(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| ProjectError::Read { path: path.clone(), source })?;
    }
    Ok(Written { files: files.into_iter().map(|(p, _)| p).collect() })
}

const CFNC_TOML: &str = r#"# The cfnc project file: `cfnc build` finds the project by it and compiles and runs its app.
[app]
# Directory of the app's Cargo package (its binary calls cfnc::app::main).
path = "stacks"
"#;

const WORKSPACE_TOML: &str = r#"[workspace]
members = ["stacks"]
resolver = "3"

# The edit loop: an edit in stacks/ recompiles only the app crate; the cfnc library and
# every other dependency are compiled once, without debug info.
[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
"#;

const GITIGNORE: &str = "/target/\n/cfnc.out/\n";

const APP_TOML: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[[bin]]
name = "{name}"
path = "main.rs"

[dependencies]
{cfnc}
serde = { version = "1", features = ["derive"] }
"#;

const APP_MAIN: &str = r#"//! The app of this cfnc project: `cfnc build` compiles and runs it; it writes cfnc.out/<env>/.

use cfnc::authoring::{PolicyDocument, Statement, account_root, block_public_access};
use cfnc::build::{BuildError, Context};
use cfnc::compile::App;
use cfnc::config::{Checker, Settings};
use cfnc::model::Value;
use cfnc::resources::kms::{Key, KeyAttr};
use cfnc::resources::s3::{Bucket, bucket};

/// What stacks/config/<env>.yaml holds (besides `environment` and `tags`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Config {
    /// Days a replaced object version is kept.
    noncurrent_version_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { noncurrent_version_days: 30 }
    }
}

impl Settings for Config {
    const DEFAULT_TAGS: &'static [(&'static str, &'static str)] = &[("Project", "{name}")];

    fn check(&self, cx: &mut Checker<'_>) {
        if !(1..=3650).contains(&self.noncurrent_version_days) {
            cx.value("noncurrent_version_days", "keep old versions for 1 to 3650 days", None);
        }
    }
}

fn build(cx: &mut Context<'_, Config>) -> Result<App, BuildError> {
    let env = cx.env().to_string();
    let mut app = App::new(
        format!("{name}-{env}"),
        format!("{name} ({env}): root stack (cfnc)"),
        cx.config.tags.clone(),
    );
    app.add_stack("storage", "StorageStack", &format!("{name} ({env}): encrypted storage (cfnc)"))?;
    let mut s = app.stack("storage")?;

    let root_only = Statement::allow("EnableRootAccountPermissions", &["kms:*"], vec![Value::Literal("*".into())])
        .principal(account_root());
    let key = s.add(
        "DataKey",
        Key::builder()
            .description(format!("{name} ({env}): encryption of the data bucket"))
            .enable_key_rotation(true)
            .key_policy(PolicyDocument::new(vec![root_only]).value())
            .build(),
    )?;
    s.resource_mut(&key).retain();

    let data = s.add(
        "DataBucket",
        Bucket::builder()
            .bucket_encryption(
                bucket::BucketEncryption::builder()
                    .server_side_encryption_configuration([bucket::ServerSideEncryptionRule::builder()
                        .server_side_encryption_by_default(
                            bucket::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(bucket::SseAlgorithm::AwsKms)
                                .kms_master_key_id(key.get_att(KeyAttr::Arn))
                                .build(),
                        )
                        .bucket_key_enabled(true)
                        .build()])
                    .build(),
            )
            .versioning_configuration(
                bucket::VersioningConfiguration::builder()
                    .status(bucket::VersioningConfigurationStatus::Enabled)
                    .build(),
            )
            .public_access_block_configuration(
                block_public_access(),
            )
            .lifecycle_configuration(
                bucket::LifecycleConfiguration::builder()
                    .rules([bucket::Rule::builder()
                        .status(bucket::RuleStatus::Enabled)
                        .id("expire-old-versions")
                        .noncurrent_version_expiration(
                            bucket::NoncurrentVersionExpiration::builder()
                                .noncurrent_days(cx.config.noncurrent_version_days)
                                .build(),
                        )
                        .build()])
                    .build(),
            )
            .build(),
    )?;
    s.resource_mut(&data).retain();
    s.root_output("DataBucketName", "The data bucket", data.r#ref::<String>())?;
    Ok(app)
}

fn main() -> std::process::ExitCode {
    cfnc::app::main(build)
}
"#;

const DEV_YAML: &str = "# The dev environment (see stacks/main.rs, `Config`, for the keys).\nenvironment: dev\n\nnoncurrent_version_days: 30\n\ntags:\n  Owner: my-team\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_follow_cargo_rules() {
        assert_eq!(package_name(Path::new("/tmp/My Project")), "my-project");
        assert_eq!(package_name(Path::new("/tmp/9lives")), "app-9lives");
        assert_eq!(package_name(Path::new("/tmp/__")), "app");
    }

    #[test]
    fn init_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let w = write(dir.path(), Some("demo"), &Dependency::Version("0.1.0".into())).unwrap();
        assert_eq!(w.files.len(), 6);
        let app = std::fs::read_to_string(dir.path().join("stacks/Cargo.toml")).unwrap();
        assert!(app.contains("name = \"demo\"") && app.contains("cfnc = \"0.1.0\""), "{app}");
        assert!(write(dir.path(), None, &Dependency::Version("0.1.0".into())).is_err());
        assert!(write(&dir.path().join("x"), Some("Bad Name"), &Dependency::Version("0".into())).is_err());
        assert_eq!(
            Dependency::Path(PathBuf::from("/no/such \"dir\"")).toml(),
            r#"cfnc = { path = "/no/such \"dir\"" }"#
        );
    }
}
