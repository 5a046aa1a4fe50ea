//! Shared helpers of the `build_*` integration tests: build the platform into a temporary
//! directory, read the templates back, find the pinned tools.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use cfnc::build::{self, Report, Request};

/// The repository root.
pub fn repo() -> &'static Path {
    crate::common::repo()
}

/// The test virtualenv (`CFNC_TEST_VENV`, else `<repo>/.venv`), created by `scripts/test`.
pub fn venv() -> PathBuf {
    let dir = std::env::var_os("CFNC_TEST_VENV").map(PathBuf::from).unwrap_or_else(|| repo().join(".venv"));
    assert!(
        dir.join("bin/cfn-lint").exists(),
        "no cfn-lint in {} (run scripts/test, or set CFNC_TEST_VENV)",
        dir.display()
    );
    dir
}

/// checkov (`CFNC_TEST_CHECKOV`, else `<repo>/.venv-checkov/bin/checkov`).
pub fn checkov() -> PathBuf {
    let bin = std::env::var_os("CFNC_TEST_CHECKOV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-checkov/bin/checkov"));
    assert!(bin.exists(), "no checkov at {} (run scripts/test, or set CFNC_TEST_CHECKOV)", bin.display());
    bin
}

/// A build in a temporary output root.
pub struct Built {
    pub root: tempfile::TempDir,
    pub report: Report,
}

impl Built {
    /// `<root>/<env>`.
    pub fn out(&self) -> PathBuf {
        self.report.out_dir.clone()
    }

    /// A template of the set as JSON (`root`, `network`, ...).
    pub fn template(&self, stack: &str) -> Json {
        read_json(&self.out().join(format!("{stack}.json")))
    }

    /// Every file of the output, sorted by name, with its bytes.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        files(&self.out())
    }
}

pub fn read_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Builds `env` of the repository's project into a fresh temporary directory.
pub fn build(env: &str) -> Built {
    build_project(repo(), env)
}

pub fn build_project(project: &Path, env: &str) -> Built {
    let root = tempfile::tempdir().unwrap();
    let req = Request {
        project: project.to_path_buf(),
        env: env.to_string(),
        out_root: root.path().to_path_buf(),
        synthetic: None,
    };
    let report =
        build::build(&req, &payment_platform::platform, &mut |_| {}).unwrap_or_else(|e| panic!("{e:?}"));
    Built { root, report }
}

/// A copy of what a build reads (config, lambda/, canary/) in a temporary project.
pub fn temp_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["stacks/config", "lambda", "canary"] {
        copy_dir(&repo().join(sub), &dir.path().join(sub));
    }
    crate::common::use_platform_app(dir.path());
    dir
}

/// Copies a directory tree, leaving out Python caches.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if name == "__pycache__" || name == ".pytest_cache" {
            continue;
        }
        if p.is_dir() {
            copy_dir(&p, &to.join(name));
        } else {
            std::fs::copy(&p, to.join(name)).unwrap();
        }
    }
}

/// Resources of a template with the given type, as (logical id, resource).
pub fn of_type<'a>(template: &'a Json, type_name: &str) -> Vec<(&'a String, &'a Json)> {
    template["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == type_name).collect()
}

/// The templates of a build by stack name, the root first.
pub const STACKS: [&str; 5] = ["root", "network", "security", "monitoring", "compute"];

/// Follows a nested-stack parameter back to what the producing stack outputs: returns
/// (producer stack name, output value).
pub fn trace_parameter(built: &Built, consumer: &str, param: &str) -> (String, Json) {
    let root = built.template("root");
    let consumer_id = root["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::CloudFormation::Stack" && stack_name_of(built, r) == consumer)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no nested stack {consumer}"));
    let getatt = &root["Resources"][&consumer_id]["Properties"]["Parameters"][param]["Fn::GetAtt"];
    let producer_id =
        getatt[0].as_str().unwrap_or_else(|| panic!("{consumer}.{param} is not wired: {getatt}"));
    let output = getatt[1].as_str().unwrap().strip_prefix("Outputs.").unwrap();
    let producer = stack_name_of(built, &root["Resources"][producer_id]);
    let value = built.template(&producer)["Outputs"][output]["Value"].clone();
    (producer, value)
}

/// The stack name (file stem) a root `AWS::CloudFormation::Stack` resource points at.
pub fn stack_name_of(built: &Built, stack_resource: &Json) -> String {
    let url = stack_resource["Properties"]["TemplateURL"]["Fn::Sub"].as_str().unwrap();
    let sha = url.rsplit('/').next().unwrap().trim_end_matches(".json");
    built
        .report
        .manifest
        .stacks
        .iter()
        .find(|s| s.sha256 == sha)
        .map(|s| s.name.clone())
        .unwrap_or_else(|| panic!("no template with sha256 {sha}"))
}
