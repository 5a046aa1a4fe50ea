use serde_json::json;

use super::*;

fn read(text: &str) -> Loaded {
    parse_str(text, "t.yaml").unwrap_or_else(|e| panic!("{e}"))
}

fn fails(text: &str) -> ReadError {
    match parse_str(text, "t.yaml") {
        Ok(l) => panic!("expected an error, got {}", l.value),
        Err(e) => e,
    }
}

fn syntax_kind(e: &ReadError) -> SyntaxKind {
    match e {
        ReadError::Syntax(e) => e.kind,
        other => panic!("not a syntax error: {other}"),
    }
}

#[test]
fn short_forms_expand_to_long_forms() {
    let l = read(concat!(
        "A: !Ref X\n",
        "B: !GetAtt Res.Outputs.Arn\n",
        "C: !GetAtt [Res, Arn]\n",
        "D: !Sub 'arn:${AWS::Partition}'\n",
        "E: !Join ['', [a, !Ref AWS::Region]]\n",
        "F: !If [Cond, 1, !Ref AWS::NoValue]\n",
        "G: !Select [0, !GetAZs '']\n",
        "H: !Split [',', !ImportValue x]\n",
        "I: !Equals [!Ref E, prod]\n",
        "J: !And [!Condition A, !Not [!Condition B]]\n",
        "K: !Or [!Condition A, !Condition B]\n",
        "L: !Base64 hi\n",
        "M: !FindInMap [M, k, v]\n",
        "N: !Cidr [10.0.0.0/16, 4, 8]\n",
        "O: !Sub\n  - '${a}'\n  - a: !Ref P\n",
        "P: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n",
        "Q: !Sub 123\n",
    ));
    assert_eq!(
        l.value,
        json!({
            "A": {"Ref": "X"},
            "B": {"Fn::GetAtt": ["Res", "Outputs.Arn"]},
            "C": {"Fn::GetAtt": ["Res", "Arn"]},
            "D": {"Fn::Sub": "arn:${AWS::Partition}"},
            "E": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
            "F": {"Fn::If": ["Cond", 1, {"Ref": "AWS::NoValue"}]},
            "G": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
            "H": {"Fn::Split": [",", {"Fn::ImportValue": "x"}]},
            "I": {"Fn::Equals": [{"Ref": "E"}, "prod"]},
            "J": {"Fn::And": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "B"}]}]},
            "K": {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]},
            "L": {"Fn::Base64": "hi"},
            "M": {"Fn::FindInMap": ["M", "k", "v"]},
            "N": {"Fn::Cidr": ["10.0.0.0/16", 4, 8]},
            "O": {"Fn::Sub": ["${a}", {"a": {"Ref": "P"}}]},
            "P": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
            "Q": {"Fn::Sub": "123"},
        })
    );
}

#[test]
fn positions_of_keys_values_and_short_forms() {
    let l = read(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref Name\n",
    );
    let p = &l.positions;
    let key = p.key_span("/Resources/Bucket/Properties/BucketName").unwrap();
    assert_eq!((key.start.line, key.start.column), (5, 7));
    let value = p.value_span("/Resources/Bucket/Properties/BucketName").unwrap();
    assert_eq!((value.start.line, value.start.column), (5, 19));
    let tag = p.key_span("/Resources/Bucket/Properties/BucketName/Ref").unwrap();
    assert_eq!((tag.start.column, tag.end.column), (19, 23));
    assert_eq!(&l.source[tag.start.offset..tag.end.offset], "!Ref");
    // A pointer below an existing node locates its nearest ancestor.
    let (pos, found) = p.locate("/Resources/Bucket/Properties/Missing");
    assert_eq!((pos.line, pos.column), (4, 5));
    assert_eq!(found, "/Resources/Bucket/Properties");
    assert_eq!(l.location("/Resources/Bucket/Type"), "t.yaml:3:5");
}

#[test]
fn json_goes_through_the_same_path_with_json_scalars() {
    let text = "{\n\t\"Resources\": {\n\t\t\"B\": {\"Type\": \"AWS::S3::Bucket\", \"N\": [1e5, 0755, yes]}\n\t}\n}\n";
    let l = parse_str(text, "t.json").unwrap();
    assert_eq!(l.format, Format::Json);
    assert_eq!(l.value["Resources"]["B"]["N"], json!([1e5, "0755", "yes"]));
    let key = l.positions.key_span("/Resources/B/Type").unwrap();
    assert_eq!((key.start.line, key.start.column), (3, 9));
}

#[test]
fn positions_are_byte_offsets_with_multibyte_text() {
    let l = read("Description: \"héllo wörld ✓\"\nResources:\n  B: {Type: x}\n");
    let s = l.positions.key_span("/Resources/B/Type").unwrap();
    assert_eq!(&l.source[s.start.offset..s.end.offset], "Type");
}

#[test]
fn duplicate_keys_report_both_positions() {
    let e = fails("Resources:\n  A: {Type: x}\n  B: {Type: y}\n  A: {Type: z}\n");
    match e {
        ReadError::DuplicateKey(e) => {
            assert_eq!(e.key, "A");
            assert_eq!((e.line, e.column, e.first_line, e.first_column), (4, 3, 2, 3));
        }
        other => panic!("{other}"),
    }
    assert!(matches!(parse_str("{\"a\": 1, \"a\": 2}", "t.json"), Err(ReadError::DuplicateKey(_))));
}

#[test]
fn unknown_tags_are_errors() {
    let e = fails("A: !Reff x\n");
    assert_eq!(syntax_kind(&e), SyntaxKind::UnknownTag);
    assert_eq!(e.position(), Some((1, 4)));
    assert!(e.to_string().contains("!Reff"));
    assert_eq!(syntax_kind(&fails("A: !!python/object x\n")), SyntaxKind::UnknownTag);
    assert_eq!(syntax_kind(&fails("A: !<tag:x> y\n")), SyntaxKind::UnknownTag);
}

#[test]
fn core_tags_are_honoured() {
    let l = read("a: !!str 12\nb: !!int '12'\nc: !!bool 'yes'\nd: !!float 1\n");
    assert_eq!(l.value, json!({"a": "12", "b": 12, "c": true, "d": 1}));
    assert_eq!(syntax_kind(&fails("a: !!int abc\n")), SyntaxKind::BadScalar);
}

#[test]
fn the_non_specific_tag_makes_a_string_and_leaves_collections_alone() {
    // `! "Ref": x` (seen in real templates) is the YAML 1.2 non-specific tag.
    let l = read("a: ! 12\nb: [! \"Ref\": \"AWS::AccountId\"]\nc: ! {x: 1}\n! d: 2\n");
    assert_eq!(l.value, json!({"a": "12", "b": [{"Ref": "AWS::AccountId"}], "c": {"x": 1}, "d": 2}));
}

#[test]
fn aliases_anchors_and_merge_keys() {
    let l = read("base: &b {x: 1, y: 2}\nuse: *b\nmerged:\n  <<: *b\n  y: 3\nlist: &l [1, 2]\nagain: *l\n");
    assert_eq!(l.value["use"], json!({"x": 1, "y": 2}));
    assert_eq!(l.value["merged"], json!({"y": 3, "x": 1}));
    assert_eq!(l.value["again"], json!([1, 2]));
    let lines = |spans: &[Span]| spans.iter().map(|s| s.start.line).collect::<Vec<_>>();
    assert_eq!(lines(&l.yaml_features.aliases), [2, 4, 7]);
    assert_eq!(lines(&l.yaml_features.merge_keys), [4]);
    // The alias itself is located at its use, its content at the anchor.
    assert_eq!(l.positions.value_span("/use").unwrap().start.line, 2);
    assert_eq!(l.positions.key_span("/use/x").unwrap().start.line, 1);
    assert_eq!(syntax_kind(&fails("a: &a [1, *a]\n")), SyntaxKind::UndefinedAlias);
    assert_eq!(syntax_kind(&fails("a: {<<: 1}\n")), SyntaxKind::BadMerge);
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert_eq!(syntax_kind(&fails(&text)), SyntaxKind::AliasExpansion);
    let many: String =
        std::iter::once("a: &a x\nl:\n".to_string()).chain((0..10_001).map(|_| "  - *a\n".into())).collect();
    assert_eq!(syntax_kind(&fails(&many)), SyntaxKind::TooManyAliases);
    // Few nodes, many bytes: a 1 MB string aliased 20 times (20 MB of text) is refused too.
    let long: String = std::iter::once(format!("a: &s {}\nl:\n", "x".repeat(1_000_000)))
        .chain((0..20).map(|_| "  - *s\n".to_string()))
        .collect();
    let e = fails(&long);
    assert_eq!(syntax_kind(&e), SyntaxKind::AliasExpansion);
    assert!(e.to_string().contains("bytes of text"), "{e}");
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert_eq!(syntax_kind(&fails(&deep)), SyntaxKind::TooDeep);
    // Far deeper flow nesting stops in the scanner, still an error and no stack overflow.
    let deeper = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = fails(&deeper);
    assert_eq!(syntax_kind(&e), SyntaxKind::TooDeep);
    assert!(e.to_string().contains("nesting deeper than 128 levels"), "{e}");
    let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_eq!(syntax_kind(&fails(&block)), SyntaxKind::TooDeep);
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    read(&ok);
}

#[test]
fn bad_keys_multiple_documents_empty_and_syntax() {
    assert_eq!(syntax_kind(&fails("~: 1\n")), SyntaxKind::BadKey);
    assert_eq!(syntax_kind(&fails("? [a]\n: 1\n")), SyntaxKind::BadKey);
    assert_eq!(syntax_kind(&fails("!Ref a: 1\n")), SyntaxKind::BadKey);
    assert_eq!(syntax_kind(&fails("a: 1\n---\nb: 2\n")), SyntaxKind::MultipleDocuments);
    assert!(matches!(fails("# only a comment\n"), ReadError::Empty { .. }));
    let e = fails("a: [1, 2\nb: 3\n");
    assert_eq!(syntax_kind(&e), SyntaxKind::Scan);
    assert!(e.position().is_some());
}

#[test]
fn syntax_errors_name_the_innermost_complete_key() {
    let pointer = |text: &str| fails(text).pointer().map(str::to_string);
    // YAML: a flow list left open, an unterminated string in a list item.
    assert_eq!(
        pointer("Resources:\n  B:\n    Properties:\n      Name: [open\n      Tags: x\n").as_deref(),
        Some("/Resources/B/Properties/Name")
    );
    assert_eq!(
        pointer("Resources:\n  Q:\n    Tags:\n      - Key: a\n        Value: \"b\n").as_deref(),
        Some("/Resources/Q/Tags/0/Value")
    );
    // JSON: the scanner fails before the parser has produced an event (it reads ahead to
    // resolve keys); the text before the error still gives the keys.
    let json = "{\n  \"Resources\": {\n    \"T\": {\"Properties\": {\"A\": \"a\" \"B\": 1}}\n  }\n}\n";
    assert_eq!(pointer(json).as_deref(), Some("/Resources/T/Properties"));
    // Keys with `/` and `~` are escaped; nothing complete at the top gives no pointer.
    assert_eq!(pointer("a/b:\n  c~d: [x\n  e: 1\n").as_deref(), Some("/a~1b/c~0d"));
    assert_eq!(pointer("[1, 2\n"), None);
    // A duplicate key points at the key.
    assert_eq!(pointer("Resources:\n  A: 1\n  A: 2\n").as_deref(), Some("/Resources/A"));
}

#[test]
fn non_utf8_and_size_cap() {
    let e = parse_bytes(b"a: \xff\xfe\n".to_vec(), "x.yaml", Limits::default()).unwrap_err();
    assert!(matches!(e, ReadError::NotUtf8 { offset: 3, .. }), "{e}");
    let limits = Limits { max_bytes: 10, ..Limits::default() };
    let e = parse_bytes(b"a: 0123456789\n".to_vec(), "x.yaml", limits).unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, "a: 0123456789\n").unwrap();
    assert!(matches!(load_with(&path, limits), Err(ReadError::TooLarge { .. })));
    assert!(matches!(load(dir.path()), Err(ReadError::Io { .. })));
    assert!(matches!(load(&dir.path().join("missing.yaml")), Err(ReadError::Io { .. })));
}

#[test]
fn byte_order_mark_is_skipped() {
    let l = parse_bytes("\u{feff}a: 1\n".as_bytes().to_vec(), "x.yaml", Limits::default()).unwrap();
    assert_eq!(l.value, json!({"a": 1}));
}

#[test]
fn template_model_from_yaml() {
    let l = read(concat!(
        "AWSTemplateFormatVersion: 2010-09-09\n",
        "Resources:\n",
        "  Bucket:\n",
        "    Type: AWS::S3::Bucket\n",
        "    DependsOn: Key\n",
        "    Properties:\n",
        "      BucketName: !Sub '${AWS::StackName}-b'\n",
        "  Key:\n",
        "    Type: AWS::KMS::Key\n",
        "Outputs:\n",
        "  Arn:\n",
        "    Value: !GetAtt Bucket.Arn\n",
    ));
    let t = l.template().unwrap();
    assert_eq!(t.format_version.as_deref(), Some("2010-09-09"));
    assert_eq!(t.resources.len(), 2);
    let back: serde_json::Value = serde_json::from_str(&t.to_json_string()).unwrap();
    assert_eq!(back["Outputs"]["Arn"]["Value"], json!({"Fn::GetAtt": ["Bucket", "Arn"]}));
    assert!(matches!(read("- 1\n").template(), Err(ReadError::Model { .. })));
}

#[test]
fn errors_render_with_source_spans() {
    let e = fails("Resources:\n  A: {Type: x}\n  A: {Type: z}\n");
    let rendered = format!("{:?}", miette::Report::new(e));
    assert!(rendered.contains("duplicate"), "{rendered}");
    // A minified (one-line) template: the message keeps line:column, the snippet is left out.
    let minified = format!("{{\"Resources\": {{\"A\": {{\"Type\": \"{}\"}}, \"A\": 1}}}}", "x".repeat(5000));
    let rendered = format!("{:?}", miette::Report::new(fails(&minified)));
    assert!(rendered.contains("t.yaml:1:5035: duplicate key `A`"), "{rendered}");
    assert!(rendered.len() < 1000, "{rendered}");
}
