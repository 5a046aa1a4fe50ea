//! Compresses the vendored schema store (`schema/`, see schema/README.md) into the binary.
//!
//! Every `.json` file under `schema/` (the registry schema of every resource type, cfn-lint's
//! constraint data under `extensions/` and `other/`, and the derived indexes) is packed, in
//! path order, into blocks of about [`BLOCK`] bytes, each compressed with DEFLATE
//! (`miniz_oxide`). Writes to `OUT_DIR`:
//! - `schema-store.bin`: the compressed blocks, one after the other;
//! - `schema-store.rs`: `STORE_BLOCKS` (offset and length of each compressed block) and
//!   `STORE_ENTRIES` (path, block, offset and length in the decompressed block), sorted by
//!   path; `src/schema/store.rs` includes it.
//!
//! A type's schema is then read by decompressing one small block, so a template pays only for
//! the types it uses. The files in `schema/` stay the source of truth (codegen and
//! `scripts/refresh-schemas --check` read them); this is derived on every build that changes
//! them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Uncompressed bytes per block: small enough that reading one schema decompresses little,
/// large enough that neighbouring schemas share the compression window.
const BLOCK: usize = 64 * 1024;

fn files(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(base).expect("under schema/").to_string_lossy().replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let schema = root.join("schema");
    println!("cargo::rerun-if-changed=schema");
    let mut list = Vec::new();
    files(&schema, &schema, &mut list);
    list.sort_by(|a, b| a.0.cmp(&b.0));

    let mut blob: Vec<u8> = Vec::new();
    let mut blocks: Vec<(usize, usize)> = Vec::new();
    let mut entries: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let flush = |current: &mut Vec<u8>, blob: &mut Vec<u8>, blocks: &mut Vec<(usize, usize)>| {
        if current.is_empty() {
            return;
        }
        let packed = miniz_oxide::deflate::compress_to_vec(current, 9);
        blocks.push((blob.len(), packed.len()));
        blob.extend_from_slice(&packed);
        current.clear();
    };
    for (name, path) in &list {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(std::str::from_utf8(&data).is_ok(), "{} is not UTF-8", path.display());
        if !current.is_empty() && current.len() + data.len() > BLOCK {
            flush(&mut current, &mut blob, &mut blocks);
        }
        entries.push((name.clone(), blocks.len(), current.len(), data.len()));
        current.extend_from_slice(&data);
    }
    flush(&mut current, &mut blob, &mut blocks);

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("schema-store.bin"), &blob).expect("write schema-store.bin");
    let mut rs = String::from("// Written by build.rs from schema/: do not edit.\n\n");
    rs.push_str("/// (offset, length) of each compressed block in the store.\n");
    rs.push_str("pub(super) static STORE_BLOCKS: &[(u32, u32)] = &[\n");
    for (offset, len) in &blocks {
        let _ = writeln!(rs, "    ({offset}, {len}),");
    }
    rs.push_str(
        "];\n\n/// (path under schema/, block, offset and length in the decompressed block), sorted.\n",
    );
    rs.push_str("pub(super) static STORE_ENTRIES: &[(&str, u32, u32, u32)] = &[\n");
    for (name, block, offset, len) in &entries {
        let _ = writeln!(rs, "    ({name:?}, {block}, {offset}, {len}),");
    }
    rs.push_str("];\n\n/// The compressed blocks.\n");
    rs.push_str("pub(super) static STORE: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/schema-store.bin\"));\n");
    std::fs::write(out.join("schema-store.rs"), rs).expect("write schema-store.rs");
}
