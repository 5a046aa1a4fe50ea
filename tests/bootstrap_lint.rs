//! The bootstrap template lints clean with the pinned cfn-lint (errors and warnings).

use crate::moto;

#[test]
fn bootstrap_template_lints_clean() {
    let cfn_lint = moto::venv().join("bin").join("cfn-lint");
    assert!(cfn_lint.exists(), "cfn-lint not found in {} (run ./scripts/test once)", moto::venv().display());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bootstrap.json");
    std::fs::write(&path, cfnc_cli::deploy::bootstrap::template().to_json_string()).unwrap();
    let out =
        std::process::Command::new(cfn_lint).arg(&path).arg("--regions").arg("us-east-1").output().unwrap();
    assert!(
        out.status.success(),
        "cfn-lint findings:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
