//! Building an app: config -> app (assets packaged on request) -> compile -> validate ->
//! `cfnc.out/<env>/`.
//!
//! Output layout (documented in the README, "`cfnc build` output"), e.g. for the payment
//! platform:
//! ```text
//! cfnc.out/<env>/
//!   root.json  network.json  security.json  monitoring.json  compute.json
//!   lambda.zip  canary.zip
//!   manifest.json
//! ```
//! Nothing reads the clock or the network: the same project and config give the same bytes.
//! Templates and assets are addressed in the staging bucket by content
//! (`templates/<sha256>.json`, `assets/<sha256>.zip`); the root's `TemplateURL`s and the
//! code locations are `Fn::Sub` expressions over [`STAGING_BUCKET_PATTERN`], so the set
//! deploys to any account and region where `cfnc bootstrap` made the bucket.

pub mod emit;

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::Serialize;

use crate::compile::split::{self, Split, SplitError};
use crate::compile::{self, App, AppError, CompileError, Compiled};
use crate::config::{ConfigError, EnvConfig, Settings};
use crate::manifest::{
    AssetEntry, ConfigWarning, MANIFEST_FORMAT, Manifest, STAGING_BUCKET_PATTERN, StackEntry,
};
use crate::model::{Expr, Intrinsic, Value};
use crate::package::{self, Asset, AssetSpec, PackageError};
pub use crate::validate::{Finding, Severity};

/// Where a packaged asset lives in the staging bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedAsset {
    pub sha256: String,
    /// `assets/<sha256>.zip`.
    pub s3_key: String,
}

impl StagedAsset {
    /// The staging bucket, as `Fn::Sub` of [`STAGING_BUCKET_PATTERN`].
    pub fn bucket(&self) -> Value<String> {
        Value::sub(STAGING_BUCKET_PATTERN)
    }

    pub fn key(&self) -> Value<String> {
        Value::Literal(self.s3_key.clone())
    }
}

/// What an app's build function gets: the environment config, and the packaging of the
/// app's assets (code that its resources refer to by staging-bucket key).
pub struct Context<'a, S> {
    /// The environment config (the app's settings through `Deref`).
    pub config: &'a EnvConfig<S>,
    project: &'a Path,
    assets: Vec<(Asset, &'static str)>,
    progress: &'a mut dyn FnMut(Step),
}

impl<S> Context<'_, S> {
    /// The environment (`dev`).
    pub fn env(&self) -> &str {
        &self.config.env
    }

    /// Packages the asset `spec` (deterministic zip of its source directory); the build writes
    /// it beside the templates and lists it in the manifest, and deploy uploads it.
    pub fn package(&mut self, spec: &AssetSpec) -> Result<StagedAsset, BuildError> {
        if let Some((a, _)) = self.assets.iter().find(|(a, _)| a.name == spec.name) {
            return Ok(StagedAsset { sha256: a.sha256.clone(), s3_key: a.s3_key() });
        }
        let asset = package::package(self.project, spec)?;
        (self.progress)(Step::Packaged { name: asset.name.clone(), bytes: asset.bytes.len() });
        let staged = StagedAsset { sha256: asset.sha256.clone(), s3_key: asset.s3_key() };
        self.assets.push((asset, spec.source));
        Ok(staged)
    }
}

/// An app: builds the [`App`] for one environment.
pub type AppFn<'f, S> = dyn Fn(&mut Context<'_, S>) -> Result<App, BuildError> + 'f;

/// `https://<staging bucket>.s3.<region>.<url suffix>/templates/<sha256>.json`.
///
/// Virtual-hosted style: AWS's recommended S3 URL form, not subject to the path-style
/// deprecation; the bucket name has no dots, so the host is valid under TLS. moto's
/// CloudFormation (5.x, `get_stack_from_s3_url`) takes the bucket from the first label of such
/// a host, so emulator tests see the same URL as AWS.
pub fn template_url(sha256: &str) -> Expr {
    Intrinsic::sub(format!(
        "https://{STAGING_BUCKET_PATTERN}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/{}",
        template_key(sha256)
    ))
    .into()
}

/// `templates/<sha256>.json`.
pub fn template_key(sha256: &str) -> String {
    format!("templates/{sha256}.json")
}

/// What to build.
#[derive(Clone, Debug)]
pub struct Request {
    /// Project root (holds stacks/config and the app's asset directories).
    pub project: PathBuf,
    pub env: String,
    /// Parent of the environment directories (default `<project>/cfnc.out`).
    pub out_root: PathBuf,
    /// Development: add this many synthetic resources ([`crate::synthetic`]); the stack
    /// assignment lock is then `stacks/config/<env>.synthetic.lock.json`.
    pub synthetic: Option<usize>,
}

impl Request {
    /// A request for `env` of `project`, written to `<project>/cfnc.out/<env>/`.
    pub fn new(project: impl Into<PathBuf>, env: impl Into<String>) -> Self {
        let project = project.into();
        Request { out_root: default_out_root(&project), project, env: env.into(), synthetic: None }
    }

    /// The environment's output directory.
    pub fn out_dir(&self) -> PathBuf {
        self.out_root.join(&self.env)
    }

    /// The stack assignment lock of this build.
    pub fn lock_file(&self) -> PathBuf {
        match self.synthetic {
            None => split::lock_path(&self.project, &self.env),
            Some(_) => {
                self.project.join("stacks").join("config").join(format!("{}.synthetic.lock.json", self.env))
            }
        }
    }
}

/// Progress events, for the command's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Config(PathBuf),
    Packaged { name: String, bytes: usize },
    Compiled { templates: usize },
    Validated { errors: usize, warnings: usize, notes: usize },
    Written(PathBuf),
}

/// What a successful build wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub out_dir: PathBuf,
    pub manifest: Manifest,
    /// Warnings and notes of the validator (errors fail the build).
    pub findings: Vec<Finding>,
    /// Automatic splitting: split stacks, resources that change stack, the lock file.
    pub split: Split,
    /// Warnings about the environment config (`file:line:column: message`).
    pub config_warnings: Vec<String>,
}

impl Report {
    /// Warnings of one template file (notes are not counted).
    pub fn findings_in(&self, file: &str) -> usize {
        self.findings
            .iter()
            .filter(|f| f.file.as_deref() == Some(file) && f.severity != Severity::Info)
            .count()
    }
}

/// Why a build failed.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum BuildError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error("packaging failed: {0}")]
    #[diagnostic(
        code(cfnc::build::package),
        help("check the asset's source directory (the app declares it, e.g. lambda/)")
    )]
    Package(PackageError),
    #[error("the app's stacks are invalid: {0}")]
    #[diagnostic(code(cfnc::build::app), help("this is a mistake in stacks/: fix the stack code"))]
    App(#[from] AppError),
    #[error("compiling the nested stacks failed: {0}")]
    #[diagnostic(code(cfnc::build::compile), help("fix the reference or placement in stacks/"))]
    Compile(#[from] CompileError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Split(SplitError),
    #[error("validation found {} error(s); nothing was written (the previous output is intact)", errors.len())]
    #[diagnostic(code(cfnc::build::invalid), help("fix the findings listed above in stacks/ or the config"))]
    Invalid { errors: Vec<Finding>, warnings: Vec<Finding> },
    // No `#[source]`: the message carries the cause once (miette would repeat the chain).
    #[error("cannot write the build output to {}: {cause}", dir.display())]
    #[diagnostic(
        code(cfnc::build::output),
        help("pass --out DIR with a directory you can write to; the previous output (if any) is intact")
    )]
    Output { dir: PathBuf, cause: crate::error::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] crate::error::Error),
}

impl From<PackageError> for BuildError {
    fn from(e: PackageError) -> Self {
        // Not `#[from]`: that would make the package error the source too, and miette would
        // print its message twice.
        BuildError::Package(e)
    }
}

impl BuildError {
    /// Compile errors stay [`BuildError::Compile`]; I/O errors are faults like other writes.
    fn from_split(e: SplitError) -> Self {
        match e {
            SplitError::Compile(c) => BuildError::Compile(c),
            SplitError::Io { action, path, source } => {
                BuildError::Io(crate::error::Error::io(action, path, source))
            }
            other => BuildError::Split(other),
        }
    }

    /// Exit code (see `commands::exit`).
    pub fn exit_code(&self) -> u8 {
        use crate::exit;
        match self {
            BuildError::Invalid { .. } => exit::FINDINGS,
            BuildError::Io(e) | BuildError::Output { cause: e, .. } => e.exit_code(),
            _ => exit::USAGE,
        }
    }
}

/// Runs the build of `app` for `req` (config, app, compile, validate, write), reporting
/// progress; the stack assignment lock is [`Request::lock_file`].
pub fn build<S: Settings>(
    req: &Request,
    app: &AppFn<'_, S>,
    progress: &mut dyn FnMut(Step),
) -> Result<Report, BuildError> {
    // Only reading the config and calling the app depend on the app's types; the rest is one
    // non-generic function, compiled once in the library (not again in every app).
    let config = EnvConfig::<S>::load(&req.project, &req.env)?;
    progress(Step::Config(config.file.clone()));
    let mut cx =
        Context { config: &config, project: &req.project, assets: Vec::new(), progress: &mut *progress };
    let app = app(&mut cx)?;
    let assets = cx.assets;
    // Placeholder warnings go into the manifest (deploy asks about them), with the config's
    // path relative to the project so that the output does not depend on where it is.
    let relative = config.file.strip_prefix(&req.project).unwrap_or(&config.file);
    let manifest_warnings = config
        .warnings
        .iter()
        .filter(|w| w.placeholder)
        .map(|w| ConfigWarning {
            file: relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            line: w.line,
            column: w.column,
            message: w.message.clone(),
            hint: w.hint.clone(),
            placeholder: true,
        })
        .collect();
    let built = Built {
        env: config.env.clone(),
        config_sha256: config.sha256.clone(),
        config_warnings: config.warnings.iter().map(render_problem).collect(),
        manifest_warnings,
        regions: config.regions.clone(),
        primary_region: config.primary_region.clone(),
        app,
        assets,
    };
    finish(req, built, progress)
}

/// What the app-specific part of a build hands to the rest.
struct Built {
    env: String,
    config_sha256: String,
    config_warnings: Vec<String>,
    manifest_warnings: Vec<ConfigWarning>,
    regions: Vec<String>,
    primary_region: Option<String>,
    app: App,
    assets: Vec<(Asset, &'static str)>,
}

/// Compile, split, validate and write.
fn finish(req: &Request, built: Built, progress: &mut dyn FnMut(Step)) -> Result<Report, BuildError> {
    #[cfg_attr(
        not(any(
            feature = "platform",
            all(feature = "cloudwatch", feature = "kms", feature = "logs", feature = "sns")
        )),
        allow(unused_mut)
    )]
    let Built {
        env,
        config_sha256,
        config_warnings,
        manifest_warnings,
        regions,
        primary_region,
        mut app,
        assets,
    } = built;
    if let Some(n) = req.synthetic {
        #[cfg(any(
            feature = "platform",
            all(feature = "cloudwatch", feature = "kms", feature = "logs", feature = "sns")
        ))]
        crate::synthetic::add(&mut app, &env, n)?;
        #[cfg(not(any(
            feature = "platform",
            all(feature = "cloudwatch", feature = "kms", feature = "logs", feature = "sns")
        )))]
        return Err(BuildError::App(AppError::Unsupported(format!(
            "--synthetic {n} needs the cfnc features cloudwatch, kms, logs and sns"
        ))));
    }
    let lock_file = req.lock_file();
    let (root_stack, tags) = (app.root_name.clone(), app.tags.iter().cloned().collect());
    let lock = split::Lock::load(&lock_file).map_err(BuildError::from_split)?;
    let (compiled, mut split) =
        split::compile(app, lock.as_ref(), &split::Settings::default(), &template_url)
            .map_err(BuildError::from_split)?;
    progress(Step::Compiled { templates: compiled.children.len() + 1 });

    // Every template goes through the validator as the exact text that is written (positions
    // in findings are lines of the output files). The text is JSON: serde_json reads it; the
    // reader (which records the position of every node) runs only for a template with findings.
    let mut findings = Vec::new();
    for t in compiled.all() {
        let file = file_name(&t.name);
        let quick = serde_json::from_str::<serde_json::Value>(&t.json).ok().map(|value| {
            let opts =
                crate::validate::Options { file: Some(file.clone()), template_bytes: Some(t.json.len()) };
            crate::validate::validate_template(&value, None, &opts)
        });
        if quick.as_ref().is_some_and(|q| q.iter().all(|f| f.code == "CFN4005")) {
            continue;
        }
        match crate::reader::parse_str(&t.json, &file) {
            Ok(loaded) => findings.extend(crate::validate::validate_loaded(&loaded)),
            Err(e) => findings.push(crate::validate::read_error_finding(&e, &file)),
        }
    }
    // Every template of a build is uploaded to the staging bucket and passed by URL (the root
    // too): the inline-size warning (CFN4005) does not apply; the S3 limit (CFN4004) does.
    findings.retain(|f| f.code != "CFN4005");
    let (errors, warnings): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(|f| f.severity == Severity::Error);
    progress(Step::Validated {
        errors: errors.len(),
        warnings: warnings.iter().filter(|f| f.severity == Severity::Warning).count(),
        notes: warnings.iter().filter(|f| f.severity == Severity::Info).count(),
    });
    if !errors.is_empty() {
        return Err(BuildError::Invalid { errors, warnings });
    }

    let mut manifest = manifest(&env, &config_sha256, root_stack, tags, &compiled, &assets);
    manifest.warnings = manifest_warnings;
    manifest.regions = regions;
    manifest.primary_region = primary_region;
    let mut files: emit::Files =
        compiled.all().map(|t| (file_name(&t.name), t.json.clone().into_bytes())).collect();
    for (a, _) in &assets {
        files.push((a.file_name(), a.bytes.clone()));
    }
    files.push(("manifest.json".to_string(), manifest.to_json_string().into_bytes()));
    // The lock first: the output's manifest must be newer than every file the build wrote
    // under stacks/, or `cfnc deploy` would take the output for stale.
    split.lock_written = split.lock.save(&lock_file).map_err(BuildError::from_split)?;
    split.lock_file = Some(lock_file);
    let out_dir = req.out_dir();
    emit::write_atomically(&out_dir, &files)
        .map_err(|cause| BuildError::Output { dir: out_dir.clone(), cause })?;
    progress(Step::Written(out_dir.clone()));
    Ok(Report { out_dir, manifest, findings: warnings, split, config_warnings })
}

/// `network` -> `network.json`.
pub fn file_name(stack: &str) -> String {
    format!("{stack}.json")
}

/// `file:line:column: message (hint)`.
fn render_problem(p: &crate::config::ConfigProblem) -> String {
    match &p.hint {
        Some(h) => format!("{p} ({h})"),
        None => p.to_string(),
    }
}

fn manifest(
    env: &str,
    config_sha256: &str,
    root_stack: String,
    tags: std::collections::BTreeMap<String, String>,
    compiled: &Compiled,
    assets: &[(Asset, &str)],
) -> Manifest {
    let entry = |t: &compile::CompiledTemplate, parent: Option<&str>| StackEntry {
        name: t.name.clone(),
        logical_id: t.logical_id.as_ref().map(|l| l.to_string()),
        parent: parent.map(str::to_string),
        file: file_name(&t.name),
        sha256: t.sha256.clone(),
        bytes: t.json.len() as u64,
        s3_key: template_key(&t.sha256),
        resources: t.template.resources.len(),
        parameters: t.template.parameters.len(),
        outputs: t.template.outputs.len(),
    };
    let mut stacks = vec![entry(&compiled.root, None)];
    stacks.extend(compiled.children.iter().map(|c| entry(c, Some("root"))));
    Manifest {
        format: MANIFEST_FORMAT,
        cfnc_version: env!("CARGO_PKG_VERSION").to_string(),
        env: env.to_string(),
        root_stack,
        config_sha256: config_sha256.to_string(),
        staging_bucket_pattern: STAGING_BUCKET_PATTERN.to_string(),
        stacks,
        assets: assets
            .iter()
            .map(|(a, source)| AssetEntry {
                name: a.name.clone(),
                file: a.file_name(),
                sha256: a.sha256.clone(),
                bytes: a.bytes.len() as u64,
                s3_key: a.s3_key(),
                source: source.to_string(),
            })
            .collect(),
        parameters: Default::default(),
        tags,
        warnings: Vec::new(),
        regions: Vec::new(),
        primary_region: None,
    }
}

/// The default output root of a project.
pub fn default_out_root(project: &Path) -> PathBuf {
    project.join("cfnc.out")
}
