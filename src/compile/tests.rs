use serde_json::json;

use super::*;

fn res(type_name: &str, props: Json) -> Resource {
    let mut r = Resource::new(type_name);
    if let Expr::Map(m) = Expr::from_json(&props) {
        r.properties = m;
    }
    r
}

fn id(s: &str) -> LogicalId {
    LogicalId::new(s).unwrap()
}

fn url(sha: &str) -> Expr {
    Expr::from(format!("https://example.com/{sha}.json"))
}

/// network: Vpc; security: Key, Role; monitoring: LogGroup (uses Key.Arn), Sg user (uses Vpc via Sub).
fn app() -> App {
    let mut app = App::new("payment-observability-test", "root", vec![("Environment".into(), "test".into())]);
    for (n, l) in
        [("network", "NetworkStack"), ("security", "SecurityStack"), ("monitoring", "MonitoringStack")]
    {
        app.add_stack(n, l, &format!("{n} stack")).unwrap();
    }
    let mut net = app.stack("network").unwrap();
    net.insert(id("Vpc"), res("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"}))).unwrap();
    net.output("VpcId", "the VPC", Intrinsic::Ref("Vpc".into())).unwrap();
    let mut sec = app.stack("security").unwrap();
    sec.insert(id("Key"), res("AWS::KMS::Key", json!({"EnableKeyRotation": true}))).unwrap();
    let mut mon = app.stack("monitoring").unwrap();
    mon.insert(
        id("Logs"),
        res(
            "AWS::Logs::LogGroup",
            json!({"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}, "LogGroupName": {"Fn::Sub": "lg-${Vpc}-${AWS::Region}"}}),
        ),
    )
    .unwrap();
    mon.insert(id("Other"), res("AWS::Logs::LogGroup", json!({"KmsKeyId": {"Fn::GetAtt": ["Key", "Arn"]}})))
        .unwrap();
    app
}

#[test]
fn cross_stack_references_become_outputs_parameters_and_root_getatts() {
    let c = compile(&app(), &url).unwrap();
    let mon = &c.children[2].template;
    assert_eq!(c.children[2].name, "monitoring");
    assert_eq!(mon.resources[&id("Logs")].properties["KmsKeyId"].to_json(), json!({"Ref": "KeyArn"}));
    assert_eq!(
        mon.resources[&id("Logs")].properties["LogGroupName"].to_json(),
        json!({"Fn::Sub": "lg-${Vpc}-${AWS::Region}"})
    );
    assert_eq!(mon.parameters.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["KeyArn", "Vpc"]);
    assert_eq!(mon.parameters[&id("KeyArn")].type_name, "String");
    // The security stack exports the key ARN under the parameter's name.
    let sec = &c.children[1].template;
    assert_eq!(sec.outputs[&id("KeyArn")].value.to_json(), json!({"Fn::GetAtt": ["Key", "Arn"]}));
    // The network stack already declared `VpcId = Ref Vpc`: reused, not duplicated.
    let net = &c.children[0].template;
    assert_eq!(net.outputs.len(), 1);
    let root = &c.root.template;
    let stack = &root.resources[&id("MonitoringStack")];
    assert_eq!(
        stack.properties["Parameters"].to_json(),
        json!({
            "KeyArn": {"Fn::GetAtt": ["SecurityStack", "Outputs.KeyArn"]},
            "Vpc": {"Fn::GetAtt": ["NetworkStack", "Outputs.VpcId"]}
        })
    );
    assert!(stack.depends_on.is_empty());
    assert_eq!(
        stack.properties["TemplateURL"].to_json(),
        json!(format!("https://example.com/{}.json", c.children[2].sha256))
    );
    // Tags reach every taggable resource, nested stacks included.
    assert_eq!(stack.properties["Tags"].to_json(), json!([{"Key": "Environment", "Value": "test"}]));
    assert!(net.resources[&id("Vpc")].properties.contains_key("Tags"));
}

#[test]
fn cross_stack_depends_on_orders_stacks_unless_a_parameter_already_does() {
    let mut a = app();
    a.graph.resources.get_mut(&id("Logs")).unwrap().depends_on = vec!["Key".into(), "Other".into()];
    a.graph.resources.get_mut(&id("Key")).unwrap().depends_on = vec!["Vpc".into()];
    let c = compile(&a, &url).unwrap();
    // monitoring already takes KeyArn from security: no DependsOn (W3005).
    assert!(c.root.template.resources[&id("MonitoringStack")].depends_on.is_empty());
    assert_eq!(c.children[2].template.resources[&id("Logs")].depends_on, vec!["Other".to_string()]);
    // security has no parameter from network: it gets a stack-level DependsOn.
    assert_eq!(c.root.template.resources[&id("SecurityStack")].depends_on, vec!["NetworkStack".to_string()]);
    assert!(c.children[1].template.resources[&id("Key")].depends_on.is_empty());
}

#[test]
fn root_outputs_are_rewritten_and_exported() {
    let mut a = app();
    a.root_output("LogsKeyArn", Output::new("key", Intrinsic::GetAtt("Key".into(), "Arn".into()))).unwrap();
    a.root_output("Summary", Output::new("s", Intrinsic::sub("${Vpc}/${Logs.Arn}"))).unwrap();
    let c = compile(&a, &url).unwrap();
    let outs = &c.root.template.outputs;
    assert_eq!(
        serde_json::to_value(&outs[&id("LogsKeyArn")]).unwrap(),
        json!({
            "Description": "key",
            "Value": {"Fn::GetAtt": ["SecurityStack", "Outputs.KeyArn"]},
            "Export": {"Name": "payment-observability-test-LogsKeyArn"}
        })
    );
    assert_eq!(
        outs[&id("Summary")].value.to_json(),
        json!({"Fn::Sub": "${NetworkStack.Outputs.VpcId}/${MonitoringStack.Outputs.LogsArn}"})
    );
    assert!(c.children[2].template.outputs.contains_key(&id("LogsArn")));
}

#[test]
fn list_attributes_travel_as_comma_delimited_lists() {
    assert!(attribute_is_list("AWS::EC2::VPC", "CidrBlockAssociations"));
    assert!(!attribute_is_list("AWS::EC2::VPC", "VpcId"));
    let mut a = app();
    let mut mon = a.stack("monitoring").unwrap();
    mon.insert(
        id("Uses"),
        res(
            "AWS::EC2::SecurityGroup",
            json!({"GroupDescription": "x", "Cidrs": {"Fn::GetAtt": ["Vpc", "CidrBlockAssociations"]}}),
        ),
    )
    .unwrap();
    let c = compile(&a, &url).unwrap();
    assert_eq!(
        c.children[2].template.parameters[&id("VpcCidrBlockAssociations")].type_name,
        "CommaDelimitedList"
    );
    assert_eq!(
        c.children[0].template.outputs[&id("VpcCidrBlockAssociations")].value.to_json(),
        json!({"Fn::Join": [",", [{"Fn::GetAtt": ["Vpc", "CidrBlockAssociations"]}]]})
    );
}

#[test]
fn errors_name_what_and_where() {
    let mut a = app();
    a.stack("monitoring")
        .unwrap()
        .insert(id("Bad"), res("AWS::Logs::LogGroup", json!({"X": {"Ref": "Nope"}})))
        .unwrap();
    assert_eq!(
        compile(&a, &url).unwrap_err(),
        CompileError::Unresolved {
            location: "resource `Bad` (stack `monitoring`)".into(),
            target: "Nope".into()
        }
    );

    let mut a = app();
    a.graph
        .resources
        .get_mut(&id("Vpc"))
        .unwrap()
        .properties
        .insert("X".into(), Intrinsic::Ref("Logs".into()).into());
    match compile(&a, &url).unwrap_err() {
        CompileError::Cycle(c) => assert!(c.contains("monitoring") && c.contains("network"), "{c}"),
        other => panic!("{other:?}"),
    }

    let mut a = app();
    a.placement.remove(&id("Key"));
    assert_eq!(compile(&a, &url).unwrap_err(), CompileError::Unplaced("Key".into()));
}

#[test]
fn compiling_twice_gives_the_same_bytes_and_hashes_follow_content() {
    let a = app();
    let (x, y) = (compile(&a, &url).unwrap(), compile(&a, &url).unwrap());
    for (p, q) in x.all().zip(y.all()) {
        assert_eq!(p.json, q.json);
        assert_eq!(p.sha256, q.sha256);
    }
    let mut b = app();
    b.graph.resources.get_mut(&id("Vpc")).unwrap().properties.insert("EnableDnsSupport".into(), true.into());
    let z = compile(&b, &url).unwrap();
    assert_ne!(z.children[0].sha256, x.children[0].sha256);
    assert_ne!(z.root.sha256, x.root.sha256);
    assert_eq!(z.children[1].sha256, x.children[1].sha256);
}

#[test]
fn moving_a_resource_to_another_stack_rewires_it_without_touching_references() {
    // What a splitting pass does: declare a stack, re-place resources (placement is data).
    let mut a = app();
    a.add_stack("monitoring2", "Monitoring2Stack", "overflow").unwrap();
    a.place(&id("Other"), "monitoring2").unwrap();
    a.graph.resources.get_mut(&id("Other")).unwrap().depends_on = vec!["Logs".into()];
    let c = compile(&a, &url).unwrap();
    let moved = &c.children[3];
    assert_eq!(moved.name, "monitoring2");
    assert_eq!(moved.template.resources.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["Other"]);
    assert_eq!(
        moved.template.resources[&id("Other")].properties["KmsKeyId"].to_json(),
        json!({"Ref": "KeyArn"})
    );
    assert!(!c.children[2].template.resources.contains_key(&id("Other")));
    // The cross-stack DependsOn became a stack-level one.
    assert_eq!(
        c.root.template.resources[&id("Monitoring2Stack")].depends_on,
        vec!["MonitoringStack".to_string()]
    );
    assert!(a.place(&id("Other"), "nope").is_err());
}
