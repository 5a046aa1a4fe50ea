//! The committed generated code (`src/resources/**`, `src/schema/embedded.rs`, and the block
//! of service features in `Cargo.toml`) is exactly what `cfnc-codegen` produces from
//! `schema/`: regenerate into a temporary directory and compare file by file.

use std::path::{Path, PathBuf};

const FIX: &str = "run `scripts/regen` (cargo run -p cfnc-codegen -- <repo root>) and commit the result";

/// The first differing line of two texts, for the failure message.
fn first_difference(committed: &str, generated: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), generated.lines().collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) =
            (a.get(i).copied().unwrap_or("<end of file>"), b.get(i).copied().unwrap_or("<end of file>"));
        if x != y {
            return format!("line {}:\n    committed: {x}\n    generated: {y}", i + 1);
        }
    }
    "line endings differ".to_string()
}

fn relative_files(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            relative_files(&path, base, out);
        } else {
            out.push(path.strip_prefix(base).unwrap().to_path_buf());
        }
    }
}

#[test]
fn generated_code_is_up_to_date_with_the_schemas() {
    let root = crate::common::repo();
    let files = cfnc_codegen::generate(root).unwrap_or_else(|e| panic!("cfnc-codegen failed: {e}"));
    let tmp = tempfile::tempdir().unwrap();
    cfnc_codegen::write(&files, tmp.path()).unwrap();

    let mut generated = Vec::new();
    relative_files(tmp.path(), tmp.path(), &mut generated);
    generated.sort();
    assert!(generated.iter().any(|p| p.ends_with("src/schema/embedded.rs")), "embedded.rs is generated");
    assert!(generated.iter().any(|p| p.ends_with("src/resources/s3/bucket.rs")), "s3/bucket.rs is generated");
    assert!(
        generated.iter().any(|p| p.ends_with("src/resources/missing.rs")),
        "the builders' markers are generated"
    );
    assert!(generated.iter().any(|p| p == Path::new("Cargo.toml")), "the service features are generated");

    let mut problems = Vec::new();
    for rel in &generated {
        let fresh = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
        match std::fs::read_to_string(root.join(rel)) {
            Ok(committed) if committed == fresh => {}
            Ok(committed) => {
                problems.push(format!("{} differs, {}", rel.display(), first_difference(&committed, &fresh)))
            }
            Err(_) => problems.push(format!("{} is missing", rel.display())),
        }
    }
    for committed in cfnc_codegen::existing_generated(root) {
        if !generated.contains(&committed) {
            problems.push(format!(
                "{} is generated code that the schemas no longer produce",
                committed.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "generated code is out of date:\n  {}\nTo fix: {FIX}.",
        problems.join("\n  ")
    );
}

#[test]
fn every_generated_resource_agrees_with_its_schema() {
    // The registry metadata the typed models carry is the schema's, for every type.
    use cfnc::resources::{Attribute, ResourceType, TypeVisitor};
    struct Check(Vec<&'static str>);
    impl TypeVisitor for Check {
        fn visit<R: ResourceType>(&mut self) {
            let s = cfnc::schema::get(R::TYPE_NAME).unwrap();
            assert_eq!(R::CREATE_ONLY, s.create_only.as_slice(), "{}", R::TYPE_NAME);
            assert_eq!(R::CONDITIONAL_CREATE_ONLY, s.conditional_create_only.as_slice(), "{}", R::TYPE_NAME);
            let mut attrs: Vec<String> = R::Attr::ALL.iter().map(|a| a.name().to_string()).collect();
            let mut expected = s.attributes().to_vec();
            attrs.sort();
            expected.sort();
            assert_eq!(attrs, expected, "{}", R::TYPE_NAME);
            self.0.push(R::TYPE_NAME);
        }
    }
    let mut check = Check(Vec::new());
    cfnc::resources::visit_all(&mut check);
    // Every vendored type has a typed model; this binary sees those of the enabled features
    // (each service is behind its family's feature, `cfnc::resources::FEATURES`), whole.
    let all: Vec<&str> = cfnc::schema::type_names().collect();
    assert_eq!(all.len(), cfnc::resources::FEATURES.len(), "one typed model per vendored schema");
    assert!(all.len() > 1800, "every registry type is typed: {}", all.len());
    assert!(all.iter().copied().eq(cfnc::resources::FEATURES.iter().map(|(t, _)| *t)));
    // The default feature `platform` compiles the platform's types (schema/platform-types.txt);
    // a service feature compiles its service whole. So each family's visited types are either
    // all of its types or exactly its platform types, and every platform type is visited.
    let platform_list =
        std::fs::read_to_string(crate::common::repo().join("schema/platform-types.txt")).unwrap();
    let platform: std::collections::BTreeSet<&str> =
        platform_list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(platform.iter().all(|t| check.0.contains(t)), "every platform type is compiled by default");
    let families: std::collections::BTreeSet<&str> =
        cfnc::resources::FEATURES.iter().map(|(_, f)| *f).collect();
    for family in families {
        let of = |t: &&str| cfnc::resources::FEATURES.iter().any(|(x, f)| x == t && *f == family);
        let visited: Vec<&str> = check.0.iter().copied().filter(of).collect();
        let whole: Vec<&str> =
            cfnc::resources::FEATURES.iter().filter(|(_, f)| *f == family).map(|(t, _)| *t).collect();
        let platform_part: Vec<&str> = whole.iter().copied().filter(|t| platform.contains(t)).collect();
        assert!(visited == whole || visited == platform_part, "{family}: {visited:?}");
    }
    let mut sorted = check.0.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, check.0, "each type visited once, in type name order");
    assert_eq!(<cfnc::resources::ec2::Eip as ResourceType>::REF_RETURNS, "PublicIp|AllocationId");
}

#[test]
fn no_generated_constructor_takes_positional_properties() {
    // Every property is set by name through a builder: a generated `fn new(..)` (or any
    // function taking two properties in a row) would let two same-typed values be swapped.
    let root = crate::common::repo();
    let mut offenders = Vec::new();
    for rel in cfnc_codegen::existing_generated(root) {
        let text = std::fs::read_to_string(root.join(&rel)).unwrap();
        // Each signature, also when rustfmt wrapped it over several lines.
        for (at, _) in text.match_indices("pub fn ") {
            let sig = &text[at..];
            let sig = &sig[..sig.find(") ->").or_else(|| sig.find(") {")).unwrap_or(sig.len())];
            if sig.starts_with("pub fn new(") || sig.matches(": impl Into<").count() > 1 {
                offenders.push(format!(
                    "{}: {}",
                    rel.display(),
                    sig.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    assert!(offenders.is_empty(), "positional constructors:\n{}", offenders.join("\n"));
    let bucket = std::fs::read_to_string(root.join("src/resources/s3/bucket_policy.rs")).unwrap();
    assert!(bucket.contains("pub fn builder()"), "resources are built with builders");
}
