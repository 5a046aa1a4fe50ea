//! Reader round trip on realistic templates: YAML (short forms, anchors, merge keys, block
//! scalars) and JSON -> value -> `Template` -> JSON -> read again gives the same template;
//! and the reader agrees with cfn-lint's own YAML decoder (PyYAML based) on every value.

use crate::validate_common;

use std::process::Command;

use cfnc::reader;
use validate_common::{fixtures_in, venv};

#[test]
fn read_template_write_read_again_is_identical() {
    let files = fixtures_in("templates");
    assert!(files.len() >= 5);
    for path in files {
        let first = reader::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let template = first.template().unwrap_or_else(|e| panic!("{e}"));
        let json = template.to_json_string();
        let second = reader::parse_str(&json, "roundtrip.json").unwrap();
        assert_eq!(second.format, reader::Format::Json);
        let again = second.template().unwrap();
        assert_eq!(template, again, "{}", path.display());
        // The model keeps every property value as written (maps compare regardless of key order;
        // only `DependsOn: X` is normalized to `[X]`).
        for (id, resource) in first.value["Resources"].as_object().unwrap() {
            assert_eq!(
                second.value["Resources"][id].get("Properties"),
                resource.get("Properties"),
                "{}: {id}",
                path.display()
            );
        }
        for section in ["Parameters", "Conditions", "Mappings", "Outputs"] {
            assert_eq!(second.value.get(section), first.value.get(section), "{}: {section}", path.display());
        }
        assert_eq!(again.to_json_string(), json, "{}: output is deterministic", path.display());
    }
}

#[test]
fn reader_agrees_with_cfn_lint_decoder() {
    let python = venv().join("bin/python");
    let script = r#"
import json, sys
from cfnlint.decode import decode
out = {}
for f in sys.argv[1:]:
    tpl, matches = decode(f)
    out[f] = {"errors": [str(m) for m in matches]} if matches else tpl
print(json.dumps(out, default=str))
"#;
    let files = fixtures_in("templates");
    let output = Command::new(&python).arg("-c").arg(script).args(&files).output().expect("run python");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let decoded: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Known, deliberate difference: cfn-lint decodes every file as YAML 1.1 first, so in a
    // JSON template `1e3` becomes the string "1e3"; CloudFormation parses JSON templates as
    // JSON, where it is the number 1000, and so does cfnc.
    let expected_differences = [(
        "dashboard.json",
        "/Resources/Rule/Properties/EventPattern/detail/count/0/numeric/1",
        serde_json::json!(1000.0),
        serde_json::json!("1e3"),
    )];
    for path in &files {
        let mut ours = reader::load(path).unwrap().value;
        let mut theirs = decoded[path.to_str().unwrap()].clone();
        for (file, pointer, our_value, their_value) in &expected_differences {
            if path.ends_with(file) {
                assert_eq!(ours.pointer(pointer), Some(our_value));
                assert_eq!(theirs.pointer(pointer), Some(their_value));
                *ours.pointer_mut(pointer).unwrap() = serde_json::Value::Null;
                *theirs.pointer_mut(pointer).unwrap() = serde_json::Value::Null;
            }
        }
        assert_eq!(ours, theirs, "{}", path.display());
    }
}

#[test]
fn positions_point_into_the_fixture_text() {
    let path = validate_common::fixture("templates/compute.yaml");
    let loaded = reader::load(&path).unwrap();
    let span = loaded.positions.value_span("/Resources/Function/Properties/MemorySize").unwrap();
    assert_eq!(&loaded.source[span.start.offset..span.end.offset], "!FindInMap [Sizes, !Ref Env, Memory]");
    assert_eq!(
        loaded.location("/Resources/ErrorRateAlarm/Properties/Metrics/2/Expression"),
        format!("{}:122:11", path.display())
    );
}
