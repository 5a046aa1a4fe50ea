//! A cfnc project and its app.
//!
//! A project is a directory with a `cfnc.toml` (found in the directory `--project` names, or
//! in the current directory or one of its parents, as cargo finds `Cargo.toml`). Its `[app]`
//! table names the app: a Cargo package whose binary builds the stacks with the cfnc
//! library (`cfnc::app::main`) and writes `cfnc.out/<env>/`:
//!
//! ```toml
//! [app]
//! path = "stacks"        # directory of the app's Cargo.toml (relative to cfnc.toml, or
//!                        # absolute: an app may serve several projects)
//! # bin = "my-app"       # only when the package has several binaries
//! # profile = "dev"      # the cargo profile the app is compiled with (default: dev)
//! ```
//!
//! `cfnc build` compiles the app with `cargo build` (cargo's fingerprints decide what is
//! out of date: after an edit in `stacks/`, only the app crate is recompiled and linked),
//! then runs its binary with the build's options and passes its exit code through.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use miette::Diagnostic;
use serde::Deserialize;

use cfnc::exit;

pub mod init;
mod stamp;

/// The project file's name.
pub const PROJECT_FILE: &str = "cfnc.toml";
/// Largest project file read (a real one is a few lines).
const MAX_PROJECT_FILE_BYTES: u64 = 64 * 1024;

/// What went wrong finding, compiling or running an app.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ProjectError {
    #[error("{} is not in a cfnc project: no {PROJECT_FILE} there{}", dir.display(), if *searched_parents { " or in a parent directory" } else { "" })]
    #[diagnostic(
        code(cfnc::project::not_found),
        help("run cfnc in a project (or pass --project DIR); `cfnc init DIR` creates a new one")
    )]
    NotFound { dir: PathBuf, searched_parents: bool },
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(cfnc::project::io), help("check that the file exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}{at}: {message}", path.display())]
    #[diagnostic(code(cfnc::project::invalid))]
    Invalid {
        path: PathBuf,
        /// `:line:column` where known.
        at: String,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error("the app's package {} has no Cargo.toml", dir.display())]
    #[diagnostic(
        code(cfnc::project::no_app),
        help("set `[app] path` in cfnc.toml to the directory of the app's Cargo.toml")
    )]
    NoApp { dir: PathBuf },
    #[error("cannot run cargo to compile the app: {source}")]
    #[diagnostic(
        code(cfnc::project::no_cargo),
        help(
            "cfnc compiles the project's app with cargo: install the Rust toolchain (https://rustup.rs) or put cargo on PATH (or set CARGO)"
        )
    )]
    NoCargo {
        #[source]
        source: std::io::Error,
    },
    #[error("compiling the app ({}) failed{}", manifest.display(), status_text(*status))]
    #[diagnostic(
        code(cfnc::project::compile),
        help("fix the errors cargo printed above (in the app's sources), then run `cfnc build` again")
    )]
    Compile { manifest: PathBuf, status: Option<i32> },
    #[error("the app's package {} has {}", manifest.display(), if bins.is_empty() { "no binary".to_string() } else { format!("several binaries ({})", bins.join(", ")) })]
    #[diagnostic(
        code(cfnc::project::bin),
        help("give the app a `main` that calls cfnc::app::main, or set `[app] bin` in cfnc.toml")
    )]
    Binary { manifest: PathBuf, bins: Vec<String> },
    #[error("cannot run the app {}: {source}", exe.display())]
    #[diagnostic(
        code(cfnc::project::run),
        help("run `cfnc build` again; if it persists, `cargo clean` and retry")
    )]
    Run {
        exe: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the app {} was stopped by a signal{}", exe.display(), signal.map(|s| format!(" ({s})")).unwrap_or_default())]
    #[diagnostic(code(cfnc::project::signal))]
    Killed { exe: PathBuf, signal: Option<i32> },
}

fn status_text(status: Option<i32>) -> String {
    status.map(|c| format!(" (cargo exited with {c})")).unwrap_or_default()
}

impl ProjectError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ProjectError::Read { .. } | ProjectError::NoCargo { .. } | ProjectError::Run { .. } => {
                exit::FAULT
            }
            ProjectError::Killed { signal: Some(2), .. } => exit::INTERRUPTED,
            ProjectError::Killed { .. } => exit::BUG,
            _ => exit::USAGE,
        }
    }
}

/// `cfnc.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    pub app: AppSpec,
}

/// The `[app]` table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Directory of the app's `Cargo.toml`, relative to the project root (or absolute).
    pub path: PathBuf,
    /// The binary to run when the package has several.
    #[serde(default)]
    pub bin: Option<String>,
    /// The cargo profile to compile the app with (default `dev`).
    #[serde(default)]
    pub profile: Option<String>,
}

/// A found project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The directory holding `cfnc.toml`.
    pub root: PathBuf,
    pub file: ProjectFile,
}

impl Project {
    /// Finds the project: in `dir` when given (`--project`), else in the current directory or
    /// the nearest parent with a `cfnc.toml`.
    pub fn find(dir: Option<&Path>) -> Result<Project, ProjectError> {
        match dir {
            Some(d) => Project::load(d).and_then(|p| {
                p.ok_or(ProjectError::NotFound { dir: d.to_path_buf(), searched_parents: false })
            }),
            None => {
                let cwd = std::env::current_dir()
                    .map_err(|source| ProjectError::Read { path: PathBuf::from("."), source })?;
                for d in cwd.ancestors() {
                    if let Some(p) = Project::load(d)? {
                        return Ok(p);
                    }
                }
                Err(ProjectError::NotFound { dir: cwd, searched_parents: true })
            }
        }
    }

    /// The project in `dir`, `None` when `dir` has no `cfnc.toml`.
    pub fn load(dir: &Path) -> Result<Option<Project>, ProjectError> {
        let path = dir.join(PROJECT_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let io = |source| ProjectError::Read { path: path.clone(), source };
        let file = std::fs::File::open(&path).map_err(io)?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_PROJECT_FILE_BYTES + 1), &mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_PROJECT_FILE_BYTES {
            return Err(ProjectError::Invalid {
                path,
                at: String::new(),
                message: format!("more than {MAX_PROJECT_FILE_BYTES} bytes: this is not a cfnc project file"),
                help: None,
            });
        }
        let file: ProjectFile = toml::from_str(&text).map_err(|e| ProjectError::Invalid {
            path: path.clone(),
            at: e.span().map(|s| line_column(&text, s.start)).unwrap_or_default(),
            message: e.message().trim_end().to_string(),
            help: Some("cfnc.toml needs an [app] table with `path`, the directory of the app's Cargo.toml (see the README, \"Projects and apps\")".into()),
        })?;
        if file.app.path.as_os_str().is_empty() {
            return Err(ProjectError::Invalid {
                path,
                at: String::new(),
                message: "[app] path is empty".into(),
                help: Some("write the directory of the app's Cargo.toml relative to cfnc.toml, e.g. path = \"stacks\"".into()),
            });
        }
        Ok(Some(Project { root: dir.to_path_buf(), file }))
    }

    /// The app's `Cargo.toml`.
    pub fn app_manifest(&self) -> PathBuf {
        self.root.join(&self.file.app.path).join("Cargo.toml")
    }

    /// The app's source directory (a change there makes a build stale).
    pub fn app_dir(&self) -> PathBuf {
        self.root.join(&self.file.app.path)
    }
}

/// `:line:column` (1-based, columns in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(":{line}:{column}")
}

/// How to build: plain settings made from the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildSettings {
    pub env: String,
    /// Output root (`DIR/<env>/`); default `<project>/cfnc.out`.
    pub out: Option<PathBuf>,
    pub json: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub synthetic: Option<usize>,
    /// The cargo profile for the app, over `[app] profile` of cfnc.toml (default dev).
    pub cargo_profile: Option<String>,
}

/// Compiles the app with cargo in `profile` (else the project's, else dev); returns its
/// executable. When the executable of an earlier compile is newer than every file it was
/// built from (its dep-info, the manifests, the lock file; see [`stamp`]), cargo is not run.
pub fn compile_app(project: &Project, profile: Option<&str>, quiet: bool) -> Result<PathBuf, ProjectError> {
    let manifest = project.app_manifest();
    if !manifest.is_file() {
        return Err(ProjectError::NoApp { dir: project.app_dir() });
    }
    let profile = profile.or(project.file.app.profile.as_deref()).unwrap_or("dev");
    let key = stamp::Key::new(&manifest, profile, project.file.app.bin.as_deref());
    if let Some(exe) = stamp::fresh(&key) {
        return Ok(exe);
    }
    let started = std::time::SystemTime::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build").arg("--manifest-path").arg(&manifest).arg("--message-format=json-render-diagnostics");
    cmd.arg("--profile").arg(profile);
    match &project.file.app.bin {
        Some(bin) => cmd.arg("--bin").arg(bin),
        None => cmd.arg("--bins"),
    };
    if quiet {
        cmd.arg("--quiet");
    }
    // cargo prints its progress and the compiler's diagnostics on stderr (the person sees
    // them); stdout carries the JSON messages, of which we need the artifacts.
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let out = cmd.output().map_err(|source| ProjectError::NoCargo { source })?;
    if !out.status.success() {
        return Err(ProjectError::Compile { manifest, status: out.status.code() });
    }
    let manifest_abs = manifest.canonicalize().unwrap_or(manifest.clone());
    let mut bins: Vec<(String, PathBuf)> = Vec::new();
    let mut manifests: Vec<PathBuf> = Vec::new();
    for line in out.stdout.split(|b| *b == b'\n') {
        let Ok(msg) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(m) = msg["manifest_path"].as_str() {
            manifests.push(PathBuf::from(m));
        }
        let Some(exe) = msg["executable"].as_str() else { continue };
        let is_bin = msg["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin"));
        let ours = msg["manifest_path"]
            .as_str()
            .map(|p| Path::new(p).canonicalize().unwrap_or_else(|_| PathBuf::from(p)))
            .is_some_and(|p| p == manifest_abs);
        if is_bin && ours {
            let name = msg["target"]["name"].as_str().unwrap_or_default().to_string();
            bins.push((name, PathBuf::from(exe)));
        }
    }
    match bins.len() {
        1 => {
            let exe = bins.remove(0).1;
            stamp::record(&key, &exe, &manifests, started);
            Ok(exe)
        }
        _ => Err(ProjectError::Binary { manifest, bins: bins.into_iter().map(|(n, _)| n).collect() }),
    }
}

/// Runs the app's executable for `settings`; returns its exit code (the app prints its own
/// progress, summary and errors).
pub fn run_app(project: &Project, exe: &Path, settings: &BuildSettings) -> Result<u8, ProjectError> {
    let mut cmd = Command::new(exe);
    cmd.arg("--project").arg(&project.root).arg("--env").arg(&settings.env);
    if let Some(out) = &settings.out {
        cmd.arg("--out").arg(out);
    }
    if settings.json {
        cmd.arg("--json");
    }
    if settings.quiet {
        cmd.arg("--quiet");
    }
    for _ in 0..settings.verbose {
        cmd.arg("--verbose");
    }
    if let Some(n) = settings.synthetic {
        cmd.arg("--synthetic").arg(n.to_string());
    }
    cmd.env_remove("CFNC_ENV").env_remove("CFNC_PROJECT").stdin(Stdio::null());
    let status = cmd.status().map_err(|source| ProjectError::Run { exe: exe.to_path_buf(), source })?;
    match status.code() {
        Some(code) => Ok(u8::try_from(code).unwrap_or(exit::BUG)),
        None => {
            #[cfg(unix)]
            let signal = std::os::unix::process::ExitStatusExt::signal(&status);
            #[cfg(not(unix))]
            let signal = None;
            Err(ProjectError::Killed { exe: exe.to_path_buf(), signal })
        }
    }
}

/// Compiles and runs the project's app: `cfnc build`.
pub fn build(project: &Project, settings: &BuildSettings) -> Result<u8, ProjectError> {
    let exe = compile_app(project, settings.cargo_profile.as_deref(), settings.quiet || settings.json)?;
    run_app(project, &exe, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join(PROJECT_FILE), text).unwrap();
    }

    #[test]
    fn project_files_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Project::load(dir.path()), Ok(None)));
        assert!(matches!(
            Project::find(Some(dir.path())),
            Err(ProjectError::NotFound { searched_parents: false, .. })
        ));
        write(dir.path(), "[app]\npath = \"stacks\"\n");
        let p = Project::load(dir.path()).unwrap().unwrap();
        assert_eq!(p.app_manifest(), dir.path().join("stacks/Cargo.toml"));
        assert_eq!(p.file.app.profile, None);
        write(dir.path(), "[app]\npaht = \"stacks\"\n");
        let e = Project::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("unknown field `paht`"), "{e}");
        write(dir.path(), "[app]\npath = \"\"\n");
        assert!(Project::load(dir.path()).unwrap_err().to_string().contains("empty"));
        write(dir.path(), "[app]\npath = \"/elsewhere/app\"\n");
        assert_eq!(
            Project::load(dir.path()).unwrap().unwrap().app_manifest(),
            Path::new("/elsewhere/app/Cargo.toml")
        );
        write(dir.path(), "app = 3\n");
        assert!(matches!(Project::load(dir.path()), Err(ProjectError::Invalid { .. })));
    }
}
