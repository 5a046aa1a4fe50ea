//! The build output deploy consumes: `cfnc.out/<env>/manifest.json` and the files it lists.
//! Checks that it exists and is fresh; [`ensure_built`] is the one place where deploy
//! (re)runs the build.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::DeployError;
use cfnc::manifest::{MANIFEST_FORMAT, Manifest, StackEntry};

/// A loaded, checked build output.
#[derive(Clone, Debug)]
pub struct BuildOutput {
    /// `cfnc.out/<env>/`.
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// sha256 of manifest.json's bytes: binds a change set to the build it was made from.
    pub manifest_sha256: String,
}

impl BuildOutput {
    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }

    /// The root stack's entry (the first one, by contract).
    pub fn root(&self) -> Result<&StackEntry, DeployError> {
        self.manifest.stacks.iter().find(|s| s.parent.is_none()).ok_or_else(|| DeployError::BadFile {
            path: self.manifest_path(),
            reason: "the manifest lists no root stack (an entry without `parent`)".into(),
            help: Some(format!("run `cfnc build --env {}` again", self.manifest.env)),
        })
    }

    /// Reads one of the templates as JSON.
    pub fn template(&self, entry: &StackEntry) -> Result<serde_json::Value, DeployError> {
        let path = self.dir.join(&entry.file);
        let bytes = std::fs::read(&path).map_err(|e| DeployError::BadFile {
            path: path.clone(),
            reason: e.to_string(),
            help: None,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| DeployError::BadFile {
            path,
            reason: format!("not valid JSON: {e}"),
            help: Some(format!("run `cfnc build --env {}` again", self.manifest.env)),
        })
    }

    /// Every template, in manifest order.
    pub fn templates(&self) -> Result<Vec<(StackEntry, serde_json::Value)>, DeployError> {
        self.manifest.stacks.iter().map(|e| Ok((e.clone(), self.template(e)?))).collect()
    }

    /// The entry of the nested stack `logical_id` inside the stack entry `parent`.
    pub fn child(&self, parent: &str, logical_id: &str) -> Option<&StackEntry> {
        self.manifest
            .stacks
            .iter()
            .find(|s| s.parent.as_deref() == Some(parent) && s.logical_id.as_deref() == Some(logical_id))
    }
}

/// `<project>/cfnc.out/<env>/`.
pub fn out_dir(project: &Path, env: &str) -> PathBuf {
    project.join("cfnc.out").join(env)
}

/// sha256 hex of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Loads the build output for `env`, building first when it is missing or stale.
pub fn ensure_built(project: &Path, env: &str) -> Result<BuildOutput, DeployError> {
    match load_checked(project, env) {
        Ok(out) => Ok(out),
        Err(e @ (DeployError::ManifestMissing { .. } | DeployError::ManifestStale { .. })) => {
            rebuild(project, env, e)?;
            load_checked(project, env)
        }
        Err(e) => Err(e),
    }
}

/// Builds the project's app for a missing or stale output. A directory that is not a cfnc
/// project (no `cfnc.toml`) cannot be built: then the user is asked to provide the build
/// output (`why`).
fn rebuild(project: &Path, env: &str, why: DeployError) -> Result<(), DeployError> {
    let Some(found) =
        crate::project::Project::load(project).map_err(|e| DeployError::Project(Box::new(e)))?
    else {
        return Err(why);
    };
    eprintln!("{why}; building");
    let settings = crate::project::BuildSettings { env: env.to_string(), quiet: true, ..Default::default() };
    match crate::project::build(&found, &settings) {
        Ok(0) => Ok(()),
        Ok(code) => Err(DeployError::BuildFailed { code }),
        Err(e) => Err(DeployError::Project(Box::new(e))),
    }
}

/// Loads the manifest and checks it against the files beside it and the sources.
pub fn load_checked(project: &Path, env: &str) -> Result<BuildOutput, DeployError> {
    let dir = out_dir(project, env);
    let path = dir.join("manifest.json");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DeployError::ManifestMissing { path, env: env.to_string() });
        }
        Err(e) => return Err(DeployError::BadFile { path, reason: e.to_string(), help: None }),
    };
    let stale =
        |reason: String| DeployError::ManifestStale { dir: dir.clone(), env: env.to_string(), reason };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        stale(format!("manifest.json cannot be read ({e}); it was probably written by another cfnc version"))
    })?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(stale(format!(
            "manifest format {} (this cfnc reads {MANIFEST_FORMAT})",
            manifest.format
        )));
    }
    if manifest.env != env {
        return Err(stale(format!("the manifest is for env `{}`, not `{env}`", manifest.env)));
    }
    if manifest.cfnc_version != env!("CARGO_PKG_VERSION") {
        return Err(stale(format!(
            "built by cfnc {}, this is cfnc {}",
            manifest.cfnc_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    if manifest.staging_bucket_pattern != cfnc::manifest::STAGING_BUCKET_PATTERN {
        return Err(stale(format!(
            "the staging bucket convention changed ({} -> {})",
            manifest.staging_bucket_pattern,
            cfnc::manifest::STAGING_BUCKET_PATTERN
        )));
    }
    // The environment config: by content.
    let config = project.join("stacks").join("config").join(format!("{env}.yaml"));
    if let Ok(cfg) = std::fs::read(&config)
        && sha256_hex(&cfg) != manifest.config_sha256
    {
        return Err(stale(format!("{} changed since the build", config.display())));
    }
    // The sources: by modification time against the manifest's.
    let built_at = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
    if let Some(built_at) = built_at {
        for src in source_dirs(project, &manifest) {
            if let Some(newer) = newer_file(&src, built_at) {
                return Err(stale(format!("{} changed since the build", newer.display())));
            }
        }
    }
    // The files: by content.
    let files = manifest
        .stacks
        .iter()
        .map(|s| (&s.file, &s.sha256, &s.s3_key))
        .chain(manifest.assets.iter().map(|a| (&a.file, &a.sha256, &a.s3_key)));
    for (file, sha, _) in files {
        let p = dir.join(file);
        let data = std::fs::read(&p).map_err(|_| stale(format!("{file} is missing")))?;
        if &sha256_hex(&data) != sha {
            return Err(stale(format!("{file} was modified after the build")));
        }
    }
    if !manifest.stacks.iter().any(|s| s.parent.is_none()) {
        return Err(stale("the manifest lists no root stack".into()));
    }
    Ok(BuildOutput { dir, manifest, manifest_sha256: sha256_hex(&bytes) })
}

/// What a build reads: `stacks/` (configs, and the app when it lives there), the app's
/// package directory (`cfnc.toml`), and every asset's source directory (the manifest).
fn source_dirs(project: &Path, manifest: &Manifest) -> Vec<PathBuf> {
    let mut dirs = vec![project.join("stacks")];
    if let Ok(Some(p)) = crate::project::Project::load(project) {
        dirs.push(p.app_dir());
    }
    dirs.extend(manifest.assets.iter().filter(|a| !a.source.is_empty()).map(|a| project.join(&a.source)));
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The first file under `dir` modified after `t` (ignores unreadable entries).
fn newer_file(dir: &Path, t: SystemTime) -> Option<PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                let name = e.file_name();
                if name != "__pycache__" && name != ".pytest_cache" && name != "target" {
                    stack.push(p);
                }
            } else if meta.modified().is_ok_and(|m| m > t) {
                return Some(p);
            }
        }
    }
    None
}

/// The manifest as written, without freshness checks (for commands that only need stack
/// names: outputs, destroy). `None` when there is none.
pub fn load_manifest_loose(project: &Path, env: &str) -> Result<Option<Manifest>, DeployError> {
    let path = out_dir(project, env).join("manifest.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| DeployError::BadFile {
            path,
            reason: format!("not a cfnc manifest: {e}"),
            help: Some(format!("run `cfnc build --env {env}` again")),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(DeployError::BadFile { path, reason: e.to_string(), help: None }),
    }
}

/// A manifest naming only a root stack (for `--stack` when there is no build output).
pub fn manifest_for_stack(stack: &str, env: &str) -> Manifest {
    Manifest {
        format: MANIFEST_FORMAT,
        cfnc_version: env!("CARGO_PKG_VERSION").to_string(),
        env: env.to_string(),
        root_stack: stack.to_string(),
        config_sha256: String::new(),
        staging_bucket_pattern: cfnc::manifest::STAGING_BUCKET_PATTERN.to_string(),
        stacks: Vec::new(),
        assets: Vec::new(),
        parameters: Default::default(),
        tags: Default::default(),
        warnings: Vec::new(),
        regions: Vec::new(),
        primary_region: None,
    }
}

/// The manifest to use for a command that acts on deployed stacks: `--stack` wins, else the
/// build output's manifest.
pub fn manifest_for(project: &Path, env: &str, stack: Option<&str>) -> Result<Manifest, DeployError> {
    let loaded = load_manifest_loose(project, env)?;
    match (stack, loaded) {
        (Some(s), Some(m)) if m.root_stack == s => Ok(m),
        (Some(s), _) => Ok(manifest_for_stack(s, env)),
        (None, Some(m)) => Ok(m),
        (None, None) => Err(DeployError::ManifestMissing {
            path: out_dir(project, env).join("manifest.json"),
            env: env.to_string(),
        }),
    }
}
