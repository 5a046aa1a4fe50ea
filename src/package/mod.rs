//! Deterministic asset packaging: the Lambda and canary sources become zips whose bytes depend
//! only on the packaged files' paths and contents.
//!
//! - entries sorted by path (bytewise), no directory entries;
//! - every entry dated 1980-01-01 00:00:00 (the zip epoch), mode 0644, no extra fields;
//! - Deflate at level 9 (the same zip crate version gives the same bytes);
//! - only source files: hidden files, `tests/`, caches (`__pycache__/`, `.pytest_cache/`,
//!   `*.pyc`), READMEs and other Markdown, and pytest files are left out.
//!
//! An asset is named by the sha256 of its zip bytes: `assets/<sha256>.zip` in the staging
//! bucket ([`s3_key`]).

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// What to package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetSpec {
    /// Short name (`lambda`, `canary`): the manifest entry and the output file `<name>.zip`.
    pub name: &'static str,
    /// Source directory, relative to the project root.
    pub source: &'static str,
    /// Prefix of every entry in the zip (`python/` for Synthetics Python canaries).
    pub prefix: &'static str,
    /// Files (relative to `source`) that must be packaged, e.g. the handler's module.
    pub required: &'static [&'static str],
}

/// A packaged asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub name: String,
    /// The zip.
    pub bytes: Vec<u8>,
    /// sha256 (hex) of `bytes`.
    pub sha256: String,
    /// Entry names, in zip order.
    pub entries: Vec<String>,
}

impl Asset {
    /// Key in the staging bucket.
    pub fn s3_key(&self) -> String {
        s3_key(&self.sha256)
    }

    /// File name in the build output.
    pub fn file_name(&self) -> String {
        format!("{}.zip", self.name)
    }
}

/// `assets/<sha256>.zip`.
pub fn s3_key(sha256: &str) -> String {
    format!("assets/{sha256}.zip")
}

/// Why packaging failed.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("asset `{asset}`: {} is a symbolic link; package regular files only", path.display())]
    Symlink { asset: String, path: PathBuf },
    #[error("asset `{asset}`: the source directory {} does not exist", dir.display())]
    MissingDir { asset: String, dir: PathBuf },
    #[error("asset `{asset}`: {} has no `{file}`; the {asset} handler needs it", source_dir.display())]
    MissingFile { asset: String, source_dir: PathBuf, file: String },
    #[error("asset `{asset}`: entry name {name:?} is not valid UTF-8 / portable")]
    BadName { asset: String, name: String },
    #[error("asset `{asset}`: zip writer failed: {message}")]
    Zip { asset: String, message: String },
}

/// True for paths (relative to the asset source) that never belong in a deployment package.
pub fn excluded(rel: &Path) -> bool {
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let Some(file) = parts.last() else { return true };
    let dirs = &parts[..parts.len() - 1];
    let bad_dir =
        |d: &&str| d.starts_with('.') || matches!(*d, "tests" | "test" | "__pycache__" | "node_modules");
    if dirs.iter().any(bad_dir) {
        return true;
    }
    let lower = file.to_ascii_lowercase();
    file.starts_with('.')
        || lower.starts_with("readme")
        || lower.ends_with(".md")
        || lower.ends_with(".pyc")
        || lower.ends_with(".pyo")
        || lower == "conftest.py"
        || (lower.starts_with("test_") && lower.ends_with(".py"))
        || lower.ends_with("_test.py")
}

/// Reads the files of `spec` under `project` and packages them.
pub fn package(project: &Path, spec: &AssetSpec) -> Result<Asset, PackageError> {
    let root = project.join(spec.source);
    if !root.is_dir() {
        return Err(PackageError::MissingDir { asset: spec.name.to_string(), dir: root });
    }
    let mut files = Vec::new();
    collect(&root, &root, spec, &mut files)?;
    for required in spec.required {
        if !files.iter().any(|(rel, _)| rel == required) {
            return Err(PackageError::MissingFile {
                asset: spec.name.to_string(),
                source_dir: root.clone(),
                file: required.to_string(),
            });
        }
    }
    let entries: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(rel, bytes)| (format!("{}{rel}", spec.prefix), bytes)).collect();
    let bytes = zip_entries(spec.name, &entries)?;
    Ok(Asset {
        name: spec.name.to_string(),
        sha256: hex::encode(Sha256::digest(&bytes)),
        entries: {
            let mut names: Vec<String> = entries.into_iter().map(|(n, _)| n).collect();
            names.sort();
            names
        },
        bytes,
    })
}

fn collect(
    root: &Path,
    dir: &Path,
    spec: &AssetSpec,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), PackageError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PackageError::Io { path, source }
    };
    let rd = std::fs::read_dir(dir).map_err(io(dir))?;
    for entry in rd {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let meta = std::fs::symlink_metadata(&path).map_err(io(&path))?;
        if meta.is_dir() {
            if !excluded(&rel.join("x")) {
                collect(root, &path, spec, out)?;
            }
            continue;
        }
        if excluded(&rel) {
            continue;
        }
        if meta.file_type().is_symlink() {
            return Err(PackageError::Symlink { asset: spec.name.to_string(), path });
        }
        if !meta.is_file() {
            continue;
        }
        let name = rel
            .iter()
            .map(|p| p.to_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|p| p.join("/"))
            .ok_or_else(|| PackageError::BadName {
                asset: spec.name.to_string(),
                name: rel.display().to_string(),
            })?;
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        out.push((name, bytes));
    }
    Ok(())
}

/// A deterministic zip of `entries` (sorted here; names use `/`).
pub fn zip_entries(asset: &str, entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PackageError> {
    let zerr =
        |e: &dyn std::fmt::Display| PackageError::Zip { asset: asset.to_string(), message: e.to_string() };
    let mut sorted: Vec<&(String, Vec<u8>)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .large_file(false);
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in sorted {
        if name.is_empty() || name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return Err(PackageError::BadName { asset: asset.to_string(), name: name.clone() });
        }
        w.start_file(name.as_str(), options).map_err(|e| zerr(&e))?;
        w.write_all(bytes).map_err(|e| zerr(&e))?;
    }
    Ok(w.finish().map_err(|e| zerr(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAMBDA: AssetSpec =
        AssetSpec { name: "lambda", source: "lambda", prefix: "", required: &["metric_collector.py"] };
    const CANARY: AssetSpec =
        AssetSpec { name: "canary", source: "canary", prefix: "python/", required: &["payment_canary.py"] };

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes([b[i], b[i + 1]])
    }
    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
    }

    /// Walks the central directory: (name, mode, dos time, dos date, extra length).
    fn central(b: &[u8]) -> Vec<(String, u32, u16, u16, u16)> {
        let eocd = (0..b.len() - 21).rev().find(|&i| u32_at(b, i) == 0x0605_4b50).unwrap();
        let n = u16_at(b, eocd + 10) as usize;
        let mut i = u32_at(b, eocd + 16) as usize;
        let mut out = Vec::new();
        for _ in 0..n {
            assert_eq!(u32_at(b, i), 0x0201_4b50);
            let (name_len, extra_len, comment_len) =
                (u16_at(b, i + 28) as usize, u16_at(b, i + 30), u16_at(b, i + 32) as usize);
            let local = u32_at(b, i + 42) as usize;
            assert_eq!(u16_at(b, local + 28), 0, "local header has an extra field");
            let name = String::from_utf8(b[i + 46..i + 46 + name_len].to_vec()).unwrap();
            out.push((name, u32_at(b, i + 38) >> 16, u16_at(b, i + 12), u16_at(b, i + 14), extra_len));
            i += 46 + name_len + extra_len as usize + comment_len;
        }
        out
    }

    #[test]
    fn zips_are_sorted_dated_1980_mode_0644_without_extra_fields() {
        let entries =
            vec![("python/b.py".to_string(), b"b".to_vec()), ("a.py".to_string(), b"print(1)\n".to_vec())];
        let z = zip_entries("t", &entries).unwrap();
        let c = central(&z);
        assert_eq!(c.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["a.py", "python/b.py"]);
        for (_, mode, time, date, extra) in c {
            assert_eq!(mode, 0o100644);
            assert_eq!((time, date), (0, (1 << 5) | 1)); // 00:00:00, 1980-01-01
            assert_eq!(extra, 0);
        }
        // Same input in any order, same bytes.
        let mut rev = entries.clone();
        rev.reverse();
        assert_eq!(zip_entries("t", &rev).unwrap(), z);
    }

    #[test]
    fn only_source_files_are_packaged() {
        for p in [
            "tests/test_x.py",
            "__pycache__/m.cpython-312.pyc",
            "README.md",
            ".hidden",
            "m.pyc",
            "conftest.py",
        ] {
            assert!(excluded(Path::new(p)), "{p}");
        }
        for p in ["metric_collector.py", "pkg/helpers.py", "data/config.json"] {
            assert!(!excluded(Path::new(p)), "{p}");
        }
    }

    #[test]
    fn packages_a_directory_with_prefix_and_requires_the_handler() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("canary");
        std::fs::create_dir_all(src.join("tests")).unwrap();
        std::fs::create_dir_all(src.join("__pycache__")).unwrap();
        std::fs::write(src.join("payment_canary.py"), "def handler(e, c): pass\n").unwrap();
        std::fs::write(src.join("README.md"), "doc").unwrap();
        std::fs::write(src.join("tests/test_canary.py"), "").unwrap();
        std::fs::write(src.join("__pycache__/x.pyc"), "").unwrap();
        let a = package(dir.path(), &CANARY).unwrap();
        assert_eq!(a.entries, ["python/payment_canary.py"]);
        assert_eq!(a.sha256.len(), 64);
        assert_eq!(a.s3_key(), format!("assets/{}.zip", a.sha256));
        assert_eq!(package(dir.path(), &CANARY).unwrap().bytes, a.bytes);
        std::fs::remove_file(src.join("payment_canary.py")).unwrap();
        assert!(matches!(package(dir.path(), &CANARY), Err(PackageError::MissingFile { .. })));
        assert!(matches!(package(dir.path(), &LAMBDA), Err(PackageError::MissingDir { .. })));
    }
}
