//! When `cfnc build` may skip cargo: a record of the app's last compile.
//!
//! Asking cargo whether the app is up to date costs a few hundred milliseconds in a large
//! workspace (it loads and resolves the whole workspace), which is most of a build when
//! nothing changed. After a successful compile, cfnc writes a record beside the workspace's
//! target directory: the executable, the time the compile started, and the files cargo does
//! not list in the executable's dep-info (`<exe>.d`): the manifests of the local packages, the
//! workspace's `Cargo.toml` and `Cargo.lock`. The next build skips cargo only when the same
//! app, profile, binary and compiler-affecting environment are asked for, the executable
//! exists, and every file of the dep-info and of the record is older than that start time
//! (a file changed while cargo was compiling makes the next build run cargo). Anything else
//! (no record, a file that cannot be read, a toolchain or `.cargo/config.toml` change that
//! none of these files shows) runs cargo, which decides for itself: `--cargo-profile` or
//! deleting `target/` forces it. The record is a cache only.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Environment variables that change what cargo builds.
const ENV: [&str; 9] = [
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTUP_TOOLCHAIN",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_INCREMENTAL",
];

/// What a record is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub manifest: PathBuf,
    pub profile: String,
    pub bin: Option<String>,
    pub env: Vec<(String, String)>,
}

impl Key {
    pub fn new(manifest: &Path, profile: &str, bin: Option<&str>) -> Self {
        let env = ENV.iter().filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v))).collect();
        Key {
            manifest: manifest.canonicalize().unwrap_or_else(|_| manifest.to_path_buf()),
            profile: profile.to_string(),
            bin: bin.map(str::to_string),
            env,
        }
    }

    /// `<workspace>/target/.cfnc-app-<hash of the key>.json` (or below `CARGO_TARGET_DIR`).
    fn file(&self) -> Option<PathBuf> {
        let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => workspace_root(&self.manifest)?.join("target"),
        };
        let text = serde_json::to_string(self).ok()?;
        let hash = hex::encode(&sha2::Sha256::digest(text.as_bytes())[..8]);
        Some(target.join(format!(".cfnc-app-{hash}.json")))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    key: Key,
    exe: PathBuf,
    /// When the compile started (nanoseconds since 1970).
    started: u128,
    /// Files the dep-info does not list.
    watched: Vec<PathBuf>,
}

/// The directory of the nearest `Cargo.lock` above the app's manifest (the workspace root).
fn workspace_root(manifest: &Path) -> Option<PathBuf> {
    manifest.parent()?.ancestors().find(|d| d.join("Cargo.lock").is_file()).map(Path::to_path_buf)
}

/// How far a file's modification time may lag the clock: the kernel stamps files with a coarse
/// clock (one timer tick, up to 10 ms, behind `SystemTime::now()`); file systems that keep
/// whole seconds (ext3, HFS+) or two (FAT) store times with no fraction. A file modified less
/// than this before a compile started counts as modified during it: at worst cargo runs once
/// more.
fn mtime_slack(mtime: SystemTime) -> Duration {
    let whole_seconds = mtime.duration_since(UNIX_EPOCH).is_ok_and(|d| d.subsec_nanos() == 0);
    if whole_seconds { Duration::from_secs(2) } else { Duration::from_millis(50) }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The paths in a make-style dep-info file (`target: a b\ c`), `None` when unreadable.
fn dep_info(path: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().next()?;
    let (_, deps) = line.split_once(": ")?;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ' ' => {
                if !cur.is_empty() {
                    out.push(PathBuf::from(std::mem::take(&mut cur)));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(PathBuf::from(cur));
    }
    Some(out)
}

/// The executable of a fresh record, `None` when cargo must run.
pub fn fresh(key: &Key) -> Option<PathBuf> {
    let file = key.file()?;
    let record: Record = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
    if &record.key != key || !record.exe.is_file() {
        return None;
    }
    let started = UNIX_EPOCH + Duration::from_nanos(u64::try_from(record.started).ok()?);
    let mut dep_file = record.exe.clone().into_os_string();
    dep_file.push(".d");
    let deps = dep_info(Path::new(&dep_file))?;
    if deps.is_empty() {
        return None;
    }
    for path in deps.iter().chain(&record.watched) {
        let modified = mtime(path)?;
        if modified + mtime_slack(modified) >= started {
            return None;
        }
    }
    Some(record.exe)
}

/// Writes the record of a successful compile that started at `started` (errors are ignored:
/// without a record the next build simply runs cargo).
pub fn record(key: &Key, exe: &Path, manifests: &[PathBuf], started: SystemTime) {
    let Some(file) = key.file() else { return };
    let Ok(since) = started.duration_since(UNIX_EPOCH) else { return };
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut watched: Vec<PathBuf> = manifests
        .iter()
        .filter(|m| cargo_home.as_ref().is_none_or(|home| !m.starts_with(home)))
        .cloned()
        .collect();
    if let Some(root) = workspace_root(&key.manifest) {
        watched.push(root.join("Cargo.toml"));
        watched.push(root.join("Cargo.lock"));
    }
    watched.sort();
    watched.dedup();
    let record = Record { key: key.clone(), exe: exe.to_path_buf(), started: since.as_nanos(), watched };
    if let Ok(text) = serde_json::to_vec(&record) {
        let tmp = file.with_extension(format!("json.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, &file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_paths_with_escaped_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("app.d");
        std::fs::write(&d, "/t/app: /src/a.rs /src/my\\ dir/b.rs /schema/c.json\n\n/src/a.rs:\n").unwrap();
        assert_eq!(
            dep_info(&d).unwrap(),
            [PathBuf::from("/src/a.rs"), PathBuf::from("/src/my dir/b.rs"), PathBuf::from("/schema/c.json")]
        );
    }

    #[test]
    fn a_record_is_fresh_until_a_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        // Every file as if written an hour ago; "changing" one sets its time to now (no sleeps:
        // file times lag the clock by a timer tick).
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let write = |path: &Path, text: &str, when: SystemTime| {
            std::fs::write(path, text).unwrap();
            std::fs::File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
        };
        write(&ws.join("Cargo.lock"), "", an_hour_ago);
        write(&ws.join("Cargo.toml"), "", an_hour_ago);
        std::fs::create_dir_all(ws.join("app/src")).unwrap();
        write(&ws.join("app/Cargo.toml"), "", an_hour_ago);
        let src = ws.join("app/src/main.rs");
        write(&src, "fn main() {}", an_hour_ago);
        std::fs::create_dir_all(ws.join("target/debug")).unwrap();
        let exe = ws.join("target/debug/app");
        std::fs::write(&exe, "").unwrap();
        std::fs::write(ws.join("target/debug/app.d"), format!("{}: {}\n", exe.display(), src.display()))
            .unwrap();
        let key = Key { manifest: ws.join("app/Cargo.toml"), profile: "dev".into(), bin: None, env: vec![] };
        assert_eq!(fresh(&key), None, "no record yet");
        let started = SystemTime::now();
        record(&key, &exe, &[ws.join("app/Cargo.toml")], started);
        assert_eq!(fresh(&key), Some(exe.clone()));
        let other = Key { profile: "release".into(), ..key.clone() };
        assert_eq!(fresh(&other), None, "another profile");
        write(&src, "fn main() { }", started + Duration::from_millis(1));
        assert_eq!(fresh(&key), None, "a source changed");
        write(&src, "fn main() { }", started - Duration::from_millis(5));
        assert_eq!(fresh(&key), None, "changed just before the compile started: within the clock's slack");
        write(&src, "fn main() { }", started - Duration::from_millis(500));
        assert_eq!(fresh(&key), Some(exe.clone()), "changed half a second before the compile started");
        let second = UNIX_EPOCH + Duration::from_secs(started.duration_since(UNIX_EPOCH).unwrap().as_secs());
        write(&src, "fn main() { }", second);
        assert_eq!(fresh(&key), None, "a time in whole seconds (coarse file system): two seconds of slack");
        write(&src, "fn main() { }", an_hour_ago);
        assert_eq!(fresh(&key), Some(exe.clone()));
        write(&ws.join("app/Cargo.toml"), "[package]", started + Duration::from_secs(1));
        assert_eq!(fresh(&key), None, "a manifest changed");
    }
}
