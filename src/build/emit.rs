//! Atomic output: a build set is written into a fresh directory beside the target, then swapped
//! in with renames, so `cfnc.out/<env>/` always holds one complete build (the previous one
//! until the new one is complete).

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Files of one build, relative to the output directory.
pub type Files = Vec<(String, Vec<u8>)>;

/// Writes `files` as the new content of `dir`. On any failure `dir` is left as it was and the
/// partial temporary directory is removed.
pub fn write_atomically(dir: &Path, files: &Files) -> Result<(), Error> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    let base = dir.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let pid = std::process::id();
    let tmp = parent.join(format!(".{base}.tmp-{pid}"));
    let old = parent.join(format!(".{base}.old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = write_all(&tmp, files).and_then(|()| swap(dir, &tmp, &old));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn write_all(tmp: &Path, files: &Files) -> Result<(), Error> {
    std::fs::create_dir_all(tmp).map_err(|e| Error::io("create", tmp, e))?;
    for (name, bytes) in files {
        let path = tmp.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create", p, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    // Make the content durable before it becomes visible under the final name.
    if let Ok(d) = std::fs::File::open(tmp) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn swap(dir: &Path, tmp: &Path, old: &Path) -> Result<(), Error> {
    let had_old = dir.exists();
    if had_old {
        let _ = std::fs::remove_dir_all(old);
        std::fs::rename(dir, old).map_err(|e| Error::io("move aside", dir, e))?;
    }
    if let Err(e) = std::fs::rename(tmp, dir) {
        if had_old {
            let _ = std::fs::rename(old, dir);
        }
        return Err(Error::io("rename into place", PathBuf::from(dir), e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_directory() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("cfnc.out").join("dev");
        write_atomically(&out, &vec![("a.json".into(), b"1".to_vec()), ("stale.json".into(), b"x".to_vec())])
            .unwrap();
        write_atomically(&out, &vec![("a.json".into(), b"2".to_vec())]).unwrap();
        assert_eq!(std::fs::read(out.join("a.json")).unwrap(), b"2");
        assert!(!out.join("stale.json").exists());
        let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_output() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dev");
        write_atomically(&out, &vec![("a.json".into(), b"1".to_vec())]).unwrap();
        // A file name that cannot be created (a path through a file) fails mid-write.
        let bad = vec![("b.json".into(), b"2".to_vec()), ("b.json/c".into(), b"3".to_vec())];
        assert!(write_atomically(&out, &bad).is_err());
        assert_eq!(std::fs::read(out.join("a.json")).unwrap(), b"1");
        assert!(!out.join("b.json").exists());
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
