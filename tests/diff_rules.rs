//! The offline diff's rules, one small template pair per rule (tests/fixtures/diff/<case>/).
//! Each expectation cites its source: the vendored registry schema (schema/*.json) or a
//! CloudFormation user-guide / template-reference page. docs/diff-rules.md lists them all.

use crate::diff_support;

use cfnc::change::{Action, Flag, Replacement};
use diff_support::*;

// ---- actions and replacement -------------------------------------------------------------

#[test]
fn alarm_rename_is_a_replacing_modify() {
    // schema/aws-cloudwatch-alarm.json: createOnlyProperties ["/properties/AlarmName"];
    // Threshold is updatable. Both change: one Modify, replaced because of AlarmName.
    let r = diff_case("alarm-rename");
    assert_eq!(r.changes.len(), 1, "{:#?}", r.changes);
    modify(&r, "HighLatency", Replacement::True, &["AlarmName", "Threshold"]);
    assert_eq!(row(&r, "HighLatency").replacement_causes, ["AlarmName"]);
}

#[test]
fn logical_id_rename_is_remove_plus_add() {
    // User guide, "Update behaviors of stack resources" / "Modifying a stack template":
    // CloudFormation identifies resources by logical id; a new id is a new resource and the
    // old one is deleted. The alarm that refers to it gets a different value (the new topic):
    // AlarmActions is updatable (schema: not create-only), so it is a Modify without replacement.
    let r = diff_case("logical-id-rename");
    assert_eq!(row(&r, "Topic").action, Action::Remove);
    assert_eq!(row(&r, "AlertsTopic").action, Action::Add);
    modify(&r, "Alarm", Replacement::False, &["AlarmActions"]);
    assert_eq!(r.changes.len(), 3);
}

#[test]
fn parameter_default_flows_into_create_only_properties() {
    // "Update behaviors of stack resources": a parameter value change updates every resource
    // whose properties use it. BucketName (schema/aws-s3-bucket.json) and LogGroupName
    // (schema/aws-logs-loggroup.json) are create-only: replaced. Replacing a bucket or a log
    // group deletes the old one's data (UpdateReplacePolicy attribute page: the old resource is
    // deleted by default).
    let r = diff_case("param-default-sub");
    modify(&r, "Artifacts", Replacement::True, &["BucketName"]);
    modify(&r, "AppLogs", Replacement::True, &["LogGroupName"]);
    assert_eq!(flags(&r, "Artifacts"), [Flag::DeleteData]);
    assert_eq!(flags(&r, "AppLogs"), [Flag::DeleteData]);
    // Uses only a pseudo parameter: unchanged.
    no_row(&r, "Unaffected");
}

#[test]
fn sub_text_change_on_create_only_replaces() {
    // Fn::Sub text changed: LogGroupName (create-only) -> True; DisplayName of a topic
    // (schema/aws-sns-topic.json: not create-only) -> False.
    let r = diff_case("sub-text");
    modify(&r, "AppLogs", Replacement::True, &["LogGroupName"]);
    modify(&r, "Queue", Replacement::False, &["DisplayName"]);
}

#[test]
fn references_to_a_replaced_resource_are_listed_transitively() {
    // schema/aws-ec2-vpc.json: CidrBlock create-only -> the VPC is replaced and its Ref (the
    // VPC id) changes. Resources whose create-only property refers to it may be replaced
    // ("Conditional": CloudFormation evaluates the new value during the update), and so on:
    // Subnet.VpcId and RouteTable.VpcId (create-only) -> Conditional; NatGateway.SubnetId
    // (create-only, refers to the subnet) -> Conditional; Route.RouteTableId (create-only) ->
    // Conditional, with NatGatewayId (updatable) changing too. The EIP and the topic do not
    // refer to any of them.
    let r = diff_case("replaced-reference");
    modify(&r, "Vpc", Replacement::True, &["CidrBlock"]);
    modify(&r, "Subnet", Replacement::Conditional, &["VpcId"]);
    modify(&r, "RouteTable", Replacement::Conditional, &["VpcId"]);
    modify(&r, "Nat", Replacement::Conditional, &["SubnetId"]);
    modify(&r, "PrivateRoute", Replacement::Conditional, &["NatGatewayId", "RouteTableId"]);
    assert_eq!(row(&r, "PrivateRoute").replacement_causes, ["RouteTableId"]);
    no_row(&r, "Eip");
    no_row(&r, "Topic");
    assert!(has_note(&r, "Subnet", "Vpc (replaced)"), "{:#?}", r.notes);
    assert!(has_note(&r, "Nat", "Subnet (may be replaced)"), "{:#?}", r.notes);
}

#[test]
fn a_reference_to_a_replaced_resource_in_an_updatable_property_is_false() {
    // The alarm's AlarmActions refer to the topic; TopicName is create-only
    // (schema/aws-sns-topic.json), AlarmActions is not (schema/aws-cloudwatch-alarm.json).
    let dir = tempfile::tempdir().unwrap();
    let old = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: a\n  A:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmActions: [!Ref T]\n  S:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref T\n      Protocol: email\n      Endpoint: ops@example.com\n";
    let new = old.replace("TopicName: a", "TopicName: b");
    std::fs::write(dir.path().join("old.yaml"), old).unwrap();
    std::fs::write(dir.path().join("new.yaml"), new).unwrap();
    let r = diff_paths(&dir.path().join("old.yaml"), &dir.path().join("new.yaml"));
    modify(&r, "T", Replacement::True, &["TopicName"]);
    modify(&r, "A", Replacement::False, &["AlarmActions"]);
    // schema/aws-sns-subscription.json: TopicArn create-only.
    modify(&r, "S", Replacement::Conditional, &["TopicArn"]);
}

#[test]
fn conditions_evaluated_from_parameter_defaults_add_and_remove_resources() {
    // Template "Conditions" section: a resource whose condition is false is not created; when
    // the condition turns false on update, it is deleted. Fn::If picks the branch.
    let r = diff_case("conditions");
    assert_eq!(row(&r, "ProdOnlyTopic").action, Action::Add);
    assert_eq!(row(&r, "DevOnlyTopic").action, Action::Remove);
    modify(&r, "Logs", Replacement::False, &["RetentionInDays"]);
}

#[test]
fn type_change_is_remove_plus_add_with_a_note() {
    // CloudFormation rejects a type change under the same logical id ("Update of resource type
    // is not permitted"); the resource must get a new logical id. Predicted as Remove + Add.
    // What refers to it now refers to a new resource (its Arn is re-evaluated).
    let r = diff_case("type-change");
    let actions: Vec<(&str, Action)> = r.changes.iter().map(|c| (c.logical_id.as_str(), c.action)).collect();
    assert_eq!(actions, [("Reader", Action::Modify), ("Store", Action::Remove), ("Store", Action::Add)]);
    assert_eq!(r.changes[1].flags, [Flag::DeleteData]);
    assert!(has_note(&r, "Store", "type changed"), "{:#?}", r.notes);
    modify(&r, "Reader", Replacement::False, &["PolicyDocument"]);
}

#[test]
fn types_outside_the_registry_and_custom_resources_are_conditional() {
    // A type the registry index does not know (third party) -> create-only properties
    // unknown; custom resources: the handler decides ("Custom resources" user-guide page: a
    // new physical id on update replaces the old one).
    let r = diff_case("unknown-type");
    modify(&r, "Cluster", Replacement::Conditional, &["Name"]);
    assert!(has_note(&r, "Cluster", "not in the resource registry index"), "{:#?}", r.notes);
    modify(&r, "Custom", Replacement::Conditional, &["Rows"]);
    // A type cfnc does not vendor but the registry index knows: TableName is create-only
    // there, and a replaced DynamoDB table loses its data.
    modify(&r, "Table", Replacement::True, &["TableName"]);
    assert_eq!(flags(&r, "Table"), [Flag::DeleteData]);
    assert!(!has_note(&r, "Table", "registry"));
}

#[test]
fn kms_immutable_properties_fail_instead_of_replacing() {
    // AWS::KMS::Key reference: "If you change the value of the KeySpec, KeyUsage, Origin, or
    // MultiRegion properties of an existing KMS key, the update request fails, regardless of
    // the value of the UpdateReplacePolicy attribute."
    let r = diff_case("kms-immutable");
    modify(&r, "Key", Replacement::False, &["EnableKeyRotation", "KeySpec", "KeyUsage", "Origin"]);
    assert!(r.changes[0].flags.is_empty());
    assert!(has_note(&r, "Key", "KeySpec cannot change"), "{:#?}", r.notes);
    assert!(has_note(&r, "Key", "KeyUsage cannot change"), "{:#?}", r.notes);
    assert!(has_note(&r, "Key", "Origin cannot change"), "{:#?}", r.notes);
}

#[test]
fn attribute_only_changes_modify_without_properties() {
    // A DeletionPolicy/UpdateReplacePolicy change is reported by CloudFormation as a Modify
    // (Replacement False, scope the attribute); DependsOn alone changes nothing.
    let r = diff_case("attribute-only");
    modify(&r, "Bucket", Replacement::False, &[]);
    no_row(&r, "Topic");
    assert!(has_note(&r, "Bucket", "DeletionPolicy, UpdateReplacePolicy"), "{:#?}", r.notes);
}

#[test]
fn equivalent_forms_are_not_changes() {
    // JSON vs YAML, "300" vs 300, Fn::Sub vs Fn::Join with the same result, Fn::GetAtt
    // string vs list form, key order: CloudFormation sees the same resolved values.
    let r = diff_case("equivalent-forms");
    assert!(r.changes.is_empty(), "{:#?}", r.changes);
}

// ---- delete-data -------------------------------------------------------------------------

#[test]
fn retain_policies_suppress_delete_data() {
    // DeletionPolicy page: Retain / RetainExceptOnCreate keep a removed resource; default
    // Snapshot for AWS::RDS::DBInstance without DBClusterIdentifier. UpdateReplacePolicy page:
    // only UpdateReplacePolicy keeps a replaced resource ("DeletionPolicy ... doesn't apply to
    // resources whose physical instance is replaced during stack update operations").
    let r = diff_case("retain");
    assert!(flags(&r, "RetainedBucket").is_empty());
    assert_eq!(flags(&r, "DeletedBucket"), [Flag::DeleteData]);
    assert_eq!(flags(&r, "OldLogs"), [Flag::DeleteData]);
    assert!(flags(&r, "KeptKey").is_empty());
    assert_eq!(flags(&r, "DeletedKey"), [Flag::DeleteData]);
    assert!(flags(&r, "Topic").is_empty());
    assert!(flags(&r, "Database").is_empty());
    assert_eq!(flags(&r, "Table"), [Flag::DeleteData]);
    modify(&r, "ReplacedRetained", Replacement::True, &["BucketName"]);
    assert!(flags(&r, "ReplacedRetained").is_empty());
    modify(&r, "ReplacedDeleted", Replacement::True, &["BucketName"]);
    assert_eq!(flags(&r, "ReplacedDeleted"), [Flag::DeleteData]);
}

// ---- iam-widening ------------------------------------------------------------------------

#[test]
fn iam_widening_cases() {
    // IAM JSON policy element reference (Action, Resource, Principal, Condition) and policy
    // evaluation logic (an explicit Deny overrides any Allow).
    let r = diff_case("iam");
    let iam = |id: &str| flags(&r, id).contains(&Flag::IamWidening);
    assert!(iam("NewActionPolicy"), "new action");
    assert!(iam("WildcardPolicy"), "wildcard resource");
    assert!(iam("Role"), "new principal in the trust policy");
    assert!(iam("NewStatementPolicy"), "new Allow statement");
    assert!(iam("BucketPolicy"), "Deny removed");
    assert!(iam("Key"), "new principal in the key policy");
    // AWS::Lambda::Permission reference: SourceArn limits who may invoke; dropping it widens.
    // Every property of a permission is create-only (schema): replaced.
    assert!(iam("Permission"), "SourceArn removed");
    assert_eq!(row(&r, "Permission").replacement, Some(Replacement::True));
    assert!(iam("NewRole"), "new role with a trust policy");
    assert!(iam("RemovedDenyPolicy"), "a removed Deny policy leaves its role unguarded");
    // Not widening:
    assert!(!iam("NormalizedPolicy"), "string vs list, action case, statement object vs list");
    assert!(!iam("NarrowedPolicy"), "fewer actions, narrower resource");
    assert!(!iam("RemovedAllowPolicy"), "removing an Allow narrows");
    // The normalized policy's text changed, so CloudFormation still updates it.
    modify(&r, "NormalizedPolicy", Replacement::False, &["PolicyDocument"]);
}

// ---- sg-widening -------------------------------------------------------------------------

#[test]
fn sg_widening_cases() {
    // AWS::EC2::SecurityGroup / SecurityGroupIngress reference: rules allow traffic by
    // protocol, port range and CIDR (IPv4 or IPv6) or source group; IpProtocol -1 is all.
    let r = diff_case("sg");
    let sg = |id: &str| flags(&r, id).contains(&Flag::SgWidening);
    assert!(sg("OpenWorld"), "egress to 0.0.0.0/0");
    assert!(sg("Broader"), "/24 -> /16");
    assert!(sg("WiderPorts"), "443 -> 80-443");
    assert!(sg("AllProtocols"), "tcp 0-65535 -> -1");
    assert!(sg("SshV6"), "2001:db8:1::/48 -> ::/0");
    assert!(sg("NewIngress"), "a new rule resource");
    assert!(!sg("Narrower"), "narrower CIDR and port range, IPv6 subnet of the old one");
    // AWS::EC2::SecurityGroup: "After the security group is created, if you remove all egress
    // rules that you added, we do not add egress rules, so no outbound traffic is allowed."
    assert!(!sg("EgressRemoved"), "no egress rule comes back: egress is closed");
    // "When you create a security group, if you do not add egress rules, we add egress rules
    // that allow all outbound IPv4 and IPv6 traffic": an explicit rule is narrower.
    assert!(!sg("EgressAdded"), "the allow-all rules the group was created with cover it");
    // Inline rules are updatable (not create-only); standalone rule properties are create-only.
    modify(&r, "Broader", Replacement::False, &["SecurityGroupIngress"]);
    modify(&r, "SshV6", Replacement::True, &["CidrIpv6"]);
}

// ---- nested stacks -----------------------------------------------------------------------

#[test]
fn nested_stacks_are_matched_by_name_through_manifests() {
    // Two cfnc.out-like directories. network: VPC CidrBlock (create-only) -> replaced; the
    // monitoring stack receives its id through root's `Fn::GetAtt Network.Outputs.VpcId` ->
    // monitoring's parameter -> the security group's VpcId (create-only) -> Conditional.
    // root: the stack resources change (TemplateURL / Parameters; AWS::CloudFormation::Stack
    // has no create-only property). compute is removed with its resources (its log group's
    // data goes); archive's stack resource has DeletionPolicy Retain: the nested stack and its
    // bucket are kept (DeletionPolicy page: "you can retain a nested stack").
    let r = diff_paths(&fixture("nested/old"), &fixture("nested/new"));
    let order: Vec<(&str, &str)> =
        r.changes.iter().map(|c| (c.stack.as_str(), c.logical_id.as_str())).collect();
    assert_eq!(
        order,
        [
            ("root", "Archive"),
            ("root", "Compute"),
            ("root", "Monitoring"),
            ("root", "Network"),
            ("network", "Vpc"),
            ("monitoring", "CanarySecurityGroup"),
            ("compute", "FunctionLogs"),
            ("compute", "Role"),
        ]
    );
    modify(&r, "Vpc", Replacement::True, &["CidrBlock"]);
    modify(&r, "CanarySecurityGroup", Replacement::Conditional, &["VpcId"]);
    modify(&r, "Network", Replacement::False, &["TemplateURL"]);
    modify(&r, "Monitoring", Replacement::False, &["Parameters"]);
    assert_eq!(flags(&r, "FunctionLogs"), [Flag::DeleteData]);
    no_row(&r, "ArchiveBucket");
    assert!(has_note(&r, "Archive", "kept (DeletionPolicy Retain)"), "{:#?}", r.notes);
    assert!(has_note(&r, "CanarySecurityGroup", "network/Vpc (replaced)"), "{:#?}", r.notes);
}

#[test]
fn identical_sets_have_no_changes() {
    let r = diff_paths(&fixture("nested/new"), &fixture("nested/new"));
    assert!(r.changes.is_empty() && r.notes.is_empty(), "{r:#?}");
}

// ---- library API (as the deploy review uses it) ------------------------------------------

#[test]
fn stacks_built_in_memory_follow_parameters_across_nested_stacks() {
    // The deploy review builds the deployed set from GetTemplate + the root's current
    // parameter values. A root parameter value flows through the stack resource's
    // `Parameters` into the child: LogGroupName (create-only) changes -> True.
    use cfnc::diff::{StackTemplate, TemplateSet, diff_sets};
    use serde_json::json;
    let root = json!({
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Resources": {"Monitoring": {"Type": "AWS::CloudFormation::Stack",
            "Properties": {"TemplateURL": "https://s3.amazonaws.com/b/m.json", "Parameters": {"Env": {"Ref": "Env"}}}}}
    });
    let child = json!({
        "Parameters": {"Env": {"Type": "String"}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "payments-${Env}"}}}}
    });
    let set = |env: &str| {
        TemplateSet::from_stacks(vec![
            StackTemplate::new("root", root.clone())
                .with_parameters([("Env".to_string(), env.to_string())].into_iter().collect()),
            StackTemplate::new("monitoring", child.clone()).nested_in("root", "Monitoring"),
        ])
        .unwrap()
    };
    let rows = diff_sets(&set("dev"), &set("prod"));
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!((rows[0].stack.as_str(), rows[0].logical_id.as_str()), ("root", "Monitoring"));
    assert_eq!(rows[0].replacement, Some(Replacement::False));
    assert_eq!((rows[1].stack.as_str(), rows[1].logical_id.as_str()), ("monitoring", "Logs"));
    assert_eq!(rows[1].replacement, Some(Replacement::True));
    assert_eq!(rows[1].flags, [Flag::DeleteData]);
    assert!(diff_sets(&set("dev"), &set("dev")).is_empty());
}

mod properties {
    use cfnc::diff::{TemplateSet, diff_report};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// Template values with intrinsics in them (possibly dangling or malformed).
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-5i64..5).prop_map(Value::from),
            "[a-c${}.*:/0-9 ]{0,8}".prop_map(Value::from),
            prop_oneof![Just("A"), Just("B"), Just("P"), Just("AWS::Region"), Just("AWS::NoValue")]
                .prop_map(|r| json!({"Ref": r})),
            Just(json!({"Fn::GetAtt": ["A", "Arn"]})),
            "[a-c${}AP.!]{0,10}".prop_map(|s| json!({"Fn::Sub": s})),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[A-D]", inner.clone(), 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| json!({"Fn::Join": ["-", [a, b]]})),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| json!({"Fn::If": ["C", a, b]})),
                (inner.clone(), inner).prop_map(|(a, b)| json!({"Fn::Select": [a, b]})),
            ]
        })
    }

    fn template() -> impl Strategy<Value = Value> {
        let types = prop_oneof![
            Just("AWS::S3::Bucket"),
            Just("AWS::IAM::Policy"),
            Just("AWS::EC2::SecurityGroup"),
            Just("AWS::Lambda::Permission"),
            Just("AWS::Nope::Nope"),
        ];
        (
            prop::collection::btree_map(prop_oneof![Just("A"), Just("B"), Just("C")], (types, value()), 0..3),
            value(),
        )
            .prop_map(|(res, default)| {
                let resources: serde_json::Map<String, Value> = res
                    .into_iter()
                    .map(|(id, (t, p))| (id.to_string(), json!({"Type": t, "Properties": {"X": p, "PolicyDocument": p, "SecurityGroupIngress": p}})))
                    .collect();
                json!({
                    "Parameters": {"P": {"Type": "String", "Default": default}},
                    "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "a"]}},
                    "Resources": resources
                })
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn a_set_never_differs_from_itself_and_nothing_panics(a in template(), b in template()) {
            let sa = TemplateSet::from_templates([("s".to_string(), a)]).unwrap();
            let sb = TemplateSet::from_templates([("s".to_string(), b)]).unwrap();
            prop_assert!(diff_report(&sa, &sa).changes.is_empty());
            let r = diff_report(&sa, &sb);
            for row in &r.changes {
                prop_assert!(row.properties.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(row.flags.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}

#[test]
fn a_changed_nested_template_updates_its_stack_resource_up_to_the_root() {
    // CS: a change inside a nested stack is an update (Modify) of its AWS::CloudFormation::Stack
    // resource in the parent, even when that resource's own properties are unchanged.
    use cfnc::diff::{StackTemplate, TemplateSet, diff_sets};
    use serde_json::json;
    let stack_res =
        |url: &str| json!({"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}});
    let set = |threshold: i64| {
        TemplateSet::from_stacks(vec![
            StackTemplate::new("root", json!({"Resources": {"Mid": stack_res("https://s3.amazonaws.com/b/mid.json")}})),
            StackTemplate::new("mid", json!({"Resources": {"Leaf": stack_res("https://s3.amazonaws.com/b/leaf.json")}}))
                .nested_in("root", "Mid"),
            StackTemplate::new(
                "leaf",
                json!({"Resources": {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Threshold": threshold}}}}),
            )
            .nested_in("mid", "Leaf"),
        ])
        .unwrap()
    };
    let rows = diff_sets(&set(1), &set(2));
    let got: Vec<(&str, &str, Option<Replacement>)> =
        rows.iter().map(|r| (r.stack.as_str(), r.logical_id.as_str(), r.replacement)).collect();
    assert_eq!(
        got,
        [
            ("root", "Mid", Some(Replacement::False)),
            ("mid", "Leaf", Some(Replacement::False)),
            ("leaf", "Alarm", Some(Replacement::False)),
        ]
    );
    assert!(rows[0].properties.is_empty() && rows[1].properties.is_empty());
}

#[test]
fn deeply_nested_values_are_compared() {
    // The reader accepts 128 levels of nesting; the diff handles values that deep (with
    // intrinsics at every level) and finds the change at the bottom.
    use cfnc::diff::{TemplateSet, diff_sets};
    use serde_json::json;
    let deep = |leaf: &str, levels: usize| {
        let mut v = json!({"Fn::Sub": format!("${{AWS::Region}}-{leaf}")});
        for i in 0..levels {
            v = if i % 2 == 0 { json!({"K": v}) } else { json!([{"Fn::If": ["C", v, "x"]}]) };
        }
        json!({
            "Parameters": {"P": {"Type": "String"}},
            "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, "a"]}},
            "Resources": {"A": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": v}}}
        })
    };
    let set =
        |leaf: &str, levels| TemplateSet::from_templates([("s".to_string(), deep(leaf, levels))]).unwrap();
    let rows = diff_sets(&set("a", 120), &set("b", 120));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].properties, ["DashboardBody"]);
    // Built in memory (no reader limit), far deeper: evaluation stops at its depth bound
    // without exhausting the stack.
    let _ = diff_sets(&set("a", 600), &set("b", 600));
}

#[test]
fn language_extension_loops_are_noted_not_rejected() {
    use cfnc::diff::{TemplateSet, diff_report};
    use serde_json::json;
    let t = json!({
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Fn::ForEach::Topics": ["Name", ["A", "B"], {"Topic${Name}": {"Type": "AWS::SNS::Topic"}}],
            "Keep": {"Type": "AWS::SNS::Topic"}
        }
    });
    let set = TemplateSet::from_templates([("s".to_string(), t)]).unwrap();
    let r = diff_report(&set, &set);
    assert!(r.changes.is_empty());
    assert!(r.notes.iter().any(|n| n.message.contains("Fn::ForEach")), "{:#?}", r.notes);
}
