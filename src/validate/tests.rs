use serde_json::json;

use super::*;

fn codes(t: &Value) -> Vec<(&'static str, String)> {
    validate_template(t, None, &Options::default()).into_iter().map(|f| (f.code, f.pointer)).collect()
}

fn yaml(text: &str) -> Vec<Finding> {
    let l = reader::parse_str(text, "t.yaml").unwrap();
    validate_loaded(&l)
}

#[test]
fn a_clean_template_has_no_findings() {
    let t = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": "my-bucket",
                "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}]}
            }}
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}}}
    });
    assert_eq!(codes(&t), vec![]);
}

#[test]
fn intrinsics_satisfy_the_type_they_resolve_to() {
    let t = json!({
        "Parameters": {"Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}, "Size": {"Type": "String"}},
        "Conditions": {"Big": {"Fn::Equals": [{"Ref": "Size"}, "big"]}},
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Role": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"},
                "Code": {"ZipFile": "x"},
                "Runtime": "python3.12", "Handler": "a.b",
                "MemorySize": {"Fn::If": ["Big", 1024, {"Ref": "AWS::NoValue"}]},
                "Timeout": {"Ref": "Size"},
                "VpcConfig": {"SubnetIds": {"Ref": "Subnets"}, "SecurityGroupIds": [{"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}]}
            }}
        }
    });
    assert_eq!(codes(&t), vec![]);
}

#[test]
fn wrong_kinds_of_intrinsics_are_reported() {
    let t = json!({
        "Parameters": {"Subnets": {"Type": "CommaDelimitedList"}},
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Fn::Split": [",", "a,b"]}}},
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "SecurityGroupIngress": {"Ref": "Subnets"}}},
        }
    });
    let found = codes(&t);
    assert!(found.contains(&("CFN3003", "/Resources/Vpc/Properties/CidrBlock".into())), "{found:?}");
    // A list where a list is expected is fine; its items are unknown.
    assert!(!found.iter().any(|(_, p)| p.contains("SecurityGroupIngress")), "{found:?}");
}

#[test]
fn if_branches_are_checked_one_by_one_with_pointers_into_the_branch() {
    let t = json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {"Group": {"Type": "AWS::Logs::LogGroup", "Properties": {
            "RetentionInDays": {"Fn::If": ["Prod", 365, 2]}
        }}}
    });
    assert_eq!(
        codes(&t),
        vec![("CFN3004", "/Resources/Group/Properties/RetentionInDays/Fn::If/2".to_string())]
    );
}

#[test]
fn registry_keywords_are_enforced() {
    let t = json!({"Resources": {
        "In": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": "sg-1", "IpProtocol": "tcp", "CidrIp": "0.0.0.0/0", "CidrIpv6": "::/0"}},
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"Ipv4IpamPoolId": "ipam-pool-1"}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "MetricName": "Errors", "Namespace": "X", "Period": 60, "Statistic": "Sum", "ExtendedStatistic": "p99",
            "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold"}},
    }});
    let found = codes(&t);
    for (code, pointer) in [("CFN3015", "/Resources/In/Properties"), ("CFN3018", "/Resources/Vpc/Properties")]
    {
        assert!(found.contains(&(code, pointer.to_string())), "{code} {pointer} not in {found:?}");
    }
    // Statistic and ExtendedStatistic exclude each other: one mistake, reported once, at one
    // of the two properties.
    let exclusions: Vec<_> = found
        .iter()
        .filter(|(code, pointer)| *code == "CFN3017" && pointer.starts_with("/Resources/Alarm/"))
        .collect();
    assert_eq!(exclusions.len(), 1, "{found:?}");
    assert!(
        ["/Resources/Alarm/Properties/Statistic", "/Resources/Alarm/Properties/ExtendedStatistic"]
            .contains(&exclusions[0].1.as_str()),
        "{found:?}"
    );
}

#[test]
fn references_cycles_and_usage() {
    let t = json!({
        "Parameters": {"Unused": {"Type": "String"}},
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
        "Resources": {
            "A": {"Type": "AWS::SNS::Topic", "DependsOn": "B", "Properties": {"TopicName": {"Ref": "Nope"}}},
            "B": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["A", "Nope"]}}},
            "C": {"Type": "AWS::SNS::Topic", "DependsOn": ["Missing"], "Properties": {"TopicName": {"Fn::Sub": "${Ghost}-${A.TopicName}"}}}
        }
    });
    let found = codes(&t);
    for (code, pointer) in [
        ("CFN2001", "/Resources/A/Properties/TopicName/Ref"),
        ("CFN2003", "/Resources/B/Properties/DisplayName/Fn::GetAtt/1"),
        ("CFN2004", "/Resources/C/Properties/TopicName/Fn::Sub"),
        ("CFN2005", "/Resources/C/DependsOn/0"),
        ("CFN2007", "/Parameters/Unused"),
        ("CFN2008", "/Conditions/Never"),
        ("CFN2006", "/Resources/A"),
        ("CFN2006", "/Resources/B"),
    ] {
        assert!(found.contains(&(code, pointer.to_string())), "{code} {pointer} not in {found:?}");
    }
    let cycle =
        validate_template(&t, None, &Options::default()).into_iter().find(|f| f.code == "CFN2006").unwrap();
    assert_eq!(cycle.message, "circular dependency: A -> B -> A");
}

#[test]
fn positions_come_from_the_reader() {
    let f = yaml("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Nope: 1\n");
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].code, f[0].line, f[0].column), ("CFN3001", Some(5), Some(7)));
    assert_eq!(f[0].pointer, "/Resources/B/Properties/Nope");
}

#[test]
fn yaml_aliases_are_warnings() {
    let f = yaml("Resources:\n  A: &t {Type: AWS::SNS::Topic}\n  B: *t\n");
    assert_eq!(f.iter().map(|f| (f.code, f.line)).collect::<Vec<_>>(), [("CFN0002", Some(3))]);
}

#[test]
fn limits() {
    let resources: serde_json::Map<String, Value> =
        (0..501).map(|i| (format!("T{i}"), json!({"Type": "AWS::SNS::Topic"}))).collect();
    let t = json!({"Resources": resources});
    let found = codes(&t);
    assert!(found.contains(&("CFN4001", "/Resources".into())));
    let size = |n| validate_template(&t, None, &Options { template_bytes: Some(n), ..Options::default() });
    assert!(size(60_000).iter().any(|f| f.code == "CFN4005"));
    assert!(size(1_000_001).iter().any(|f| f.code == "CFN4004"));
    let bad_id = json!({"Resources": {"my-topic": {"Type": "AWS::SNS::Topic"}}});
    assert_eq!(codes(&bad_id), vec![("CFN4006", "/Resources/my-topic".into())]);
}

#[test]
fn rule_table_is_complete_and_sorted() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    // Every code used in the sources is in the table.
    for file in
        ["template.rs", "schema.rs", "services.rs", "mod.rs", "output.rs", "extensions.rs", "constraints.rs"]
    {
        let text =
            std::fs::read_to_string(format!("{}/src/validate/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for (i, _) in text.match_indices("\"CFN") {
            let code = &text[i + 1..i + 8];
            assert!(rules::rule_for(code).is_some(), "{code} used in {file} but not in RULES");
        }
    }
}

/// Templates that CloudFormation accepts (shapes met in public templates: the AWS Quick Start
/// VPC, SAM applications, modules, language extensions) have no error findings.
#[test]
fn accepted_shapes_of_real_templates_are_not_errors() {
    let errors = |t: &Value| -> Vec<(&'static str, String)> {
        validate_template(t, None, &Options::default())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.code, f.pointer))
            .collect()
    };
    // Condition names with `&` and `_`; a numeric string where the schema enumerates numbers.
    let quickstart = json!({
        "Parameters": {"Days": {"Type": "String", "Default": "90"}},
        "Conditions": {"A&B_C": {"Fn::Equals": [{"Ref": "Days"}, "90"]}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Condition": "A&B_C",
            "Properties": {"RetentionInDays": "90"}}}
    });
    assert_eq!(errors(&quickstart), vec![]);
    // ...but a numeric string that is not among them still is one.
    let mut wrong = quickstart.clone();
    wrong["Resources"]["Logs"]["Properties"]["RetentionInDays"] = json!("91");
    assert_eq!(errors(&wrong), vec![("CFN3004", "/Resources/Logs/Properties/RetentionInDays".into())]);
    // A condition name with other punctuation is still wrong.
    let mut bad = quickstart.clone();
    bad["Conditions"] = json!({"A-B": {"Fn::Equals": ["a", "a"]}});
    bad["Resources"]["Logs"]["Condition"] = json!("A-B");
    assert_eq!(errors(&bad), vec![("CFN4006", "/Conditions/A-B".into())]);

    // SAM: the Globals section and the IgnoreGlobals attribute belong to the transform.
    let sam = json!({
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Timeout": 3}},
        "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "IgnoreGlobals": "*",
            "Properties": {"Handler": "a.b", "Runtime": "python3.12", "CodeUri": "."}}}
    });
    assert_eq!(errors(&sam), vec![]);
    let mut not_sam = sam.clone();
    not_sam["Transform"] = json!("AWS::LanguageExtensions");
    let found = errors(&not_sam);
    assert!(found.contains(&("CFN1001", "/Globals".into())), "{found:?}");
    assert!(found.contains(&("CFN1005", "/Resources/Fn/IgnoreGlobals".into())), "{found:?}");

    // A macro of the account's own consumes attributes and types before CloudFormation sees them.
    let with_macro = json!({
        "Transform": ["S3Objects", "Count"],
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "Count": 3},
            "Object": {"Type": "AWS::S3::Object", "Properties": {"Target": {"Bucket": {"Ref": "Bucket"}}}}
        }
    });
    assert_eq!(errors(&with_macro), vec![]);
    let mut no_macro = with_macro.clone();
    no_macro.as_object_mut().unwrap().remove("Transform");
    assert_eq!(
        errors(&no_macro),
        vec![("CFN1005", "/Resources/Bucket/Count".into()), ("CFN1018", "/Resources/Object/Type".into())]
    );

    // Language extensions: Fn::ForEach loops in Conditions are not conditions.
    let foreach = json!({
        "Transform": "AWS::LanguageExtensions",
        "Parameters": {"A": {"Type": "String"}},
        "Conditions": {"Fn::ForEach::Check": ["Id", ["A"], {"Is${Id}": {"Fn::Equals": [{"Ref": "Id"}, "x"]}}]},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}}
    });
    assert_eq!(errors(&foreach), vec![]);

    // Modules: `<ModuleId><ResourceId>` names a resource the module adds.
    let module = json!({
        "Resources": {"Module": {"Type": "My::S3::Bucket::MODULE"}},
        "Outputs": {"Name": {"Value": {"Ref": "ModuleBucket"}}, "Arn": {"Value": {"Fn::GetAtt": ["ModuleBucket", "Arn"]}}}
    });
    assert_eq!(errors(&module), vec![]);
    let mut no_module = module.clone();
    no_module["Resources"]["Module"]["Type"] = json!("AWS::SNS::Topic");
    assert_eq!(errors(&no_module).len(), 2);

    // Parameter types and list defaults: `List<String>`, a default that is one allowed value.
    let params = json!({
        "Parameters": {
            "Names": {"Type": "List<String>", "Default": "a,b"},
            "Pair": {"Type": "CommaDelimitedList", "Default": "three,four", "AllowedValues": ["one", "three,four"]},
            "Each": {"Type": "CommaDelimitedList", "Default": "one,two", "AllowedValues": ["one", "two"]},
            "Bad": {"Type": "CommaDelimitedList", "Default": "one,five", "AllowedValues": ["one", "two"]}
        },
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Join": ["-",
            [{"Fn::Join": ["", {"Ref": "Names"}]}, {"Fn::Join": ["", {"Ref": "Pair"}]},
             {"Fn::Join": ["", {"Ref": "Each"}]}, {"Fn::Join": ["", {"Ref": "Bad"}]}]]}}}}
    });
    assert_eq!(errors(&params), vec![("CFN1011", "/Parameters/Bad/Default".into())]);
}

#[test]
fn misspelt_properties_and_attributes_name_the_closest_one() {
    let t = json!({
        "Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueNam": "q", "Completely": "x"}},
            "S": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": ["Q", "Arnn"]}}}
        }
    });
    let found = validate_template(&t, None, &Options::default());
    let message =
        |pointer: &str| found.iter().find(|f| f.pointer == pointer).map(|f| f.message.clone()).unwrap();
    assert!(message("/Resources/Q/Properties/QueueNam").ends_with("did you mean `QueueName`?"));
    assert!(!message("/Resources/Q/Properties/Completely").contains("did you mean"));
    assert!(message("/Resources/S/Properties/DisplayName/Fn::GetAtt/1").ends_with("did you mean `Arn`?"));
}
