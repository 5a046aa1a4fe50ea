//! insta snapshots of every template `cfnc build` writes (dev and prod) and of the manifest.
//! Content hashes (asset keys, TemplateURLs, manifest digests) are replaced by `[sha256]`:
//! they change with any byte of lambda/ or canary/ and are checked exactly by build_output.rs.

use crate::build_common;

use build_common::{STACKS, build};

fn redact_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b)).count();
        if run == 64 {
            out.push_str("[sha256]");
            i += 64;
        } else if run > 0 {
            out.push_str(&text[i..i + run]);
            i += run;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

#[test]
fn redaction_only_touches_sha256_digests() {
    let sha = "a".repeat(64);
    assert_eq!(
        redact_hashes(&format!("k/{sha}.zip 2026 {}", "b".repeat(63))),
        format!("k/[sha256].zip 2026 {}", "b".repeat(63))
    );
}

#[test]
fn templates_and_manifest() {
    for env in ["dev", "prod"] {
        let b = build(env);
        for stack in STACKS {
            let text = std::fs::read_to_string(b.out().join(format!("{stack}.json"))).unwrap();
            insta::assert_snapshot!(format!("{env}_{stack}"), redact_hashes(&text));
        }
        let mut manifest = std::fs::read_to_string(b.out().join("manifest.json")).unwrap();
        manifest = manifest.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("{env}_manifest"), redact_hashes(&manifest));
    }
}
