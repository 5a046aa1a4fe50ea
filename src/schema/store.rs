//! The schema store: every file of `schema/` (registry schemas of all resource types, cfn-lint's
//! constraint data, the derived indexes), compressed into the binary by `build.rs` in blocks of
//! about 64 KiB. Reading a file decompresses only its block.

include!(concat!(env!("OUT_DIR"), "/schema-store.rs"));

/// The position of `path` (relative to `schema/`, e.g. `aws-s3-bucket.json` or
/// `extensions/aws_lambda_function/capacity_provider_timeout.json`) among the store's entries.
pub(crate) fn position(path: &str) -> Option<usize> {
    STORE_ENTRIES.binary_search_by(|(name, ..)| (*name).cmp(path)).ok()
}

/// Number of entries (positions are `0..len()`).
pub(crate) fn len() -> usize {
    STORE_ENTRIES.len()
}

/// Every path of the store, sorted.
#[cfg(test)]
pub(crate) fn paths() -> impl Iterator<Item = &'static str> {
    STORE_ENTRIES.iter().map(|(name, ..)| *name)
}

/// The text of the entry at `position`. The store is written by `build.rs` from UTF-8 files
/// and decompressed with a checksum-free inflate, so a failure here is a build defect: it
/// panics (the `every_entry_reads` test reads every entry).
pub(crate) fn text_at(position: usize) -> String {
    let (_, block, offset, len) = STORE_ENTRIES[position];
    let (start, size) = STORE_BLOCKS[block as usize];
    let packed = &STORE[start as usize..(start + size) as usize];
    let raw =
        miniz_oxide::inflate::decompress_to_vec(packed).expect("the schema store decompresses (tested)");
    let bytes = &raw[offset as usize..(offset + len) as usize];
    String::from_utf8(bytes.to_vec()).expect("the schema store holds UTF-8 (checked by build.rs)")
}

/// The text of `path`, or `None` when the store has no such file.
pub(crate) fn text(path: &str) -> Option<String> {
    position(path).map(text_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_reads_and_is_json() {
        assert!(len() > 1900, "{}", len());
        for (i, path) in paths().enumerate() {
            let text = text_at(i);
            assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{path}");
        }
        assert!(text("aws-s3-bucket.json").unwrap().contains("\"AWS::S3::Bucket\""));
        assert!(text("extensions/aws_lambda_function/capacity_provider_timeout.json").is_some());
        assert!(text("nope.json").is_none());
    }

    #[test]
    fn entries_are_sorted_and_unique() {
        assert!(STORE_ENTRIES.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
