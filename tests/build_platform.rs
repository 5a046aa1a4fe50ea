//! The built platform against PLATFORM.md: resource inventory per stack, tags and names, and
//! one test per correction (1-10) that fails if the correction regresses.

use crate::build_common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde_json::{Value as Json, json};

use build_common::{STACKS, build, of_type, repo, trace_parameter};
use cfnc::build::StagedAsset;
use cfnc::manifest::STAGING_BUCKET_PATTERN;
use cfnc::sns_filter;
use payment_platform::StagedAssets;
use payment_platform::config::Config;

fn inventory(t: &Json) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in t["Resources"].as_object().unwrap().values() {
        *m.entry(r["Type"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    m
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

#[test]
fn resource_inventory_per_stack_matches_platform_md() {
    let b = build("dev");
    let expected = [
        ("root", counts(&[("AWS::CloudFormation::Stack", 4)])),
        (
            "network",
            counts(&[
                ("AWS::EC2::VPC", 1),
                ("AWS::EC2::Subnet", 4),
                ("AWS::EC2::InternetGateway", 1),
                ("AWS::EC2::VPCGatewayAttachment", 1),
                ("AWS::EC2::EIP", 1),
                ("AWS::EC2::NatGateway", 1),
                ("AWS::EC2::RouteTable", 2),
                ("AWS::EC2::Route", 2),
                ("AWS::EC2::SubnetRouteTableAssociation", 4),
                ("AWS::EC2::SecurityGroup", 1),
            ]),
        ),
        (
            "security",
            counts(&[
                ("AWS::KMS::Key", 3),
                ("AWS::KMS::Alias", 3),
                ("AWS::S3::Bucket", 1),
                ("AWS::S3::BucketPolicy", 1),
                ("AWS::IAM::Role", 2),
                ("AWS::IAM::ManagedPolicy", 2),
            ]),
        ),
        (
            "monitoring",
            counts(&[
                ("AWS::Logs::LogGroup", 3),
                ("AWS::Logs::MetricFilter", 3),
                ("AWS::SNS::Topic", 2),
                ("AWS::SNS::TopicPolicy", 2),
                ("AWS::SNS::Subscription", 2),
                // 3 threshold alarms (config), 2 anomaly alarms, 1 metric-math alarm
                ("AWS::CloudWatch::Alarm", 6),
                ("AWS::CloudWatch::CompositeAlarm", 2),
                ("AWS::CloudWatch::AnomalyDetector", 2),
                ("AWS::CloudWatch::Dashboard", 1),
                ("AWS::CloudWatch::InsightRule", 3),
            ]),
        ),
        (
            "compute",
            counts(&[
                ("AWS::Lambda::Function", 1),
                ("AWS::Logs::LogGroup", 1),
                ("AWS::Events::Rule", 1),
                ("AWS::Lambda::Permission", 1),
                ("AWS::Synthetics::Canary", 1),
            ]),
        ),
    ];
    for (stack, want) in expected {
        assert_eq!(inventory(&b.template(stack)), want, "{stack}");
    }
}

#[test]
fn every_taggable_resource_carries_the_tags_and_names_end_in_the_environment() {
    let b = build("prod");
    let config = Config::load(repo(), "prod").unwrap();
    let name_props = [
        "AliasName",
        "AlarmName",
        "BucketName",
        "DashboardName",
        "FilterName",
        "FunctionName",
        "GroupName",
        "LogGroupName",
        "ManagedPolicyName",
        "Name",
        "RoleName",
        "RuleName",
        "TopicName",
    ];
    let mut tagged = 0;
    for stack in STACKS {
        let t = b.template(stack);
        for (id, r) in t["Resources"].as_object().unwrap() {
            let ty = r["Type"].as_str().unwrap();
            let props = &r["Properties"];
            if cfnc::compile::tags::shape(ty).is_some() {
                tagged += 1;
                let tags: BTreeMap<&str, &str> = props["Tags"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{stack}/{id} ({ty}) has no Tags"))
                    .iter()
                    // A Name tag may carry the region (`Fn::Sub`, account-wide names).
                    .map(|t| {
                        (
                            t["Key"].as_str().unwrap(),
                            t["Value"].as_str().or(t["Value"]["Fn::Sub"].as_str()).unwrap(),
                        )
                    })
                    .collect();
                for (k, v) in &config.tags {
                    assert_eq!(tags.get(k.as_str()), Some(&v.as_str()), "{stack}/{id}: tag {k}");
                }
            } else {
                assert!(props.get("Tags").is_none(), "{stack}/{id}: {ty} is not taggable");
            }
            for p in name_props {
                let Some(v) = props.get(p) else { continue };
                if v.get("Ref").is_some() {
                    continue; // the name of another resource, checked there
                }
                let text = v
                    .as_str()
                    .or_else(|| v["Fn::Sub"].as_str())
                    .unwrap_or_else(|| panic!("{stack}/{id}.{p}: {v}"));
                assert!(text.contains("-prod"), "{stack}/{id}.{p} = {text}");
            }
        }
    }
    assert!(tagged >= 40, "{tagged}");
    assert_eq!(config.tags.iter().find(|(k, _)| k == "CostCenter").unwrap().1, "payments-production");
}

#[test]
fn root_outputs_are_exported_under_the_stack_name_prefix() {
    let b = build("dev");
    let root = b.template("root");
    let outputs = root["Outputs"].as_object().unwrap();
    assert!(outputs.len() >= 15);
    for (name, o) in outputs {
        assert_eq!(o["Export"]["Name"], format!("payment-observability-dev-{name}"));
        assert!(o["Description"].as_str().is_some_and(|d| !d.is_empty()));
    }
    assert_eq!(outputs["VpcId"]["Value"], json!({"Fn::GetAtt": ["NetworkStack", "Outputs.VpcId"]}));
    assert_eq!(
        outputs["DashboardName"]["Value"],
        json!({"Fn::GetAtt": ["MonitoringStack", "Outputs.DashboardName"]})
    );
}

/// Correction 1: no `aws_ssm_ops_item`-like resource, no CloudWatch-to-SSM role; the
/// composite alarms open OpsItems through their alarm action ARN.
#[test]
fn correction_01_opsitems_are_alarm_actions() {
    let b = build("dev");
    for stack in STACKS {
        let t = b.template(stack);
        for (id, r) in t["Resources"].as_object().unwrap() {
            assert!(!r["Type"].as_str().unwrap().starts_with("AWS::SSM::"), "{stack}/{id}");
            assert_ne!(r["Properties"]["RoleName"], "role-cloudwatch-ssm-dev");
        }
    }
    let mon = b.template("monitoring");
    let composites = of_type(&mon, "AWS::CloudWatch::CompositeAlarm");
    assert_eq!(composites.len(), 2);
    for (id, c) in composites {
        let actions = c["Properties"]["AlarmActions"].as_array().unwrap();
        let ops: Vec<&str> = actions
            .iter()
            .filter_map(|a| a["Fn::Sub"].as_str())
            .filter(|a| a.contains(":opsitem:"))
            .collect();
        assert_eq!(ops.len(), 1, "{id}");
        let severity = ops[0]
            .strip_prefix("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:opsitem:")
            .and_then(|s| s.strip_suffix("#CATEGORY=Availability"))
            .unwrap_or_else(|| panic!("{id}: {}", ops[0]));
        assert!(matches!(severity, "1" | "2" | "3" | "4"), "{id}: severity {severity}");
        assert!(actions.contains(&json!({"Ref": "CriticalEscalationsTopic"})), "{id}");
    }
}

/// Correction 2: the band function is ANOMALY_DETECTION_BAND, used as the alarms' threshold.
#[test]
fn correction_02_anomaly_detection_band() {
    let b = build("dev");
    let mon = b.template("monitoring");
    let text = serde_json::to_string(&mon).unwrap();
    assert!(!text.contains("ANOMALY_DETECTOR("), "the Terraform's non-function survived");
    let anomaly: Vec<_> = of_type(&mon, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, a)| a["Properties"]["ComparisonOperator"] == "LessThanLowerOrGreaterThanUpperThreshold")
        .collect();
    assert_eq!(anomaly.len(), 2);
    for (id, a) in anomaly {
        let p = &a["Properties"];
        let band =
            p["Metrics"].as_array().unwrap().iter().find(|q| q["Id"] == p["ThresholdMetricId"]).unwrap();
        assert_eq!(band["Expression"], "ANOMALY_DETECTION_BAND(m1, 2)", "{id}");
        assert_eq!(p["EvaluationPeriods"], 3);
        assert_eq!(p["TreatMissingData"], "notBreaching");
        let m1 = p["Metrics"].as_array().unwrap().iter().find(|q| q["Id"] == "m1").unwrap();
        assert_eq!(m1["MetricStat"]["Period"], 300);
        assert_eq!(m1["MetricStat"]["Stat"], "Average");
        // The alarm waits for its detector (which carries the exclusions).
        let dep = a["DependsOn"].as_array().unwrap();
        assert!(dep.iter().any(|d| d.as_str().unwrap().ends_with("AnomalyDetector")), "{id}");
    }
    let dashboard =
        mon["Resources"]["ObservabilityDashboard"]["Properties"]["DashboardBody"].as_str().unwrap();
    assert!(dashboard.contains("ANOMALY_DETECTION_BAND(m1, 2)"));
}

/// Correction 3: both topics use the platform's sns CMK, which CloudWatch may use.
#[test]
fn correction_03_topics_use_the_sns_cmk() {
    let b = build("dev");
    let mon = b.template("monitoring");
    let topics = of_type(&mon, "AWS::SNS::Topic");
    assert_eq!(topics.len(), 2);
    for (id, t) in topics {
        let key = &t["Properties"]["KmsMasterKeyId"];
        assert_ne!(key, "alias/aws/sns", "{id}");
        let param = key["Ref"].as_str().unwrap_or_else(|| panic!("{id}: {key}"));
        let (producer, value) = trace_parameter(&b, "monitoring", param);
        assert_eq!(
            (producer.as_str(), value),
            ("security", json!({"Fn::GetAtt": ["SnsKey", "Arn"]})),
            "{id}"
        );
    }
    let sec = b.template("security");
    let statements = sec["Resources"]["SnsKey"]["Properties"]["KeyPolicy"]["Statement"].as_array().unwrap();
    let cw = statements.iter().find(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com").unwrap();
    assert_eq!(cw["Action"], json!(["kms:Decrypt", "kms:GenerateDataKey*"]));
    assert!(statements.iter().any(|s| s["Principal"]["Service"] == "events.amazonaws.com"));
    assert_eq!(sec["Resources"]["SnsKey"]["Properties"]["EnableKeyRotation"], true);
}

fn sample(name: &str) -> Json {
    build_common::read_json(&repo().join("tests/fixtures/sns").join(name))
}

/// Correction 4: MessageBody filter policies on fields alarm notifications carry, proved
/// against real notification samples: each subscription takes what its topic is meant to
/// deliver and drops what belongs to the other.
#[test]
fn correction_04_filter_policies_match_real_alarm_messages() {
    let b = build("dev");
    let mon = b.template("monitoring");
    let mut policies = BTreeMap::new();
    for (id, s) in of_type(&mon, "AWS::SNS::Subscription") {
        let p = &s["Properties"];
        assert_eq!(p["FilterPolicyScope"], "MessageBody", "{id}");
        assert_eq!(p["Protocol"], "email");
        let policy = p["FilterPolicy"].clone();
        for attr in ["severity", "service"] {
            assert!(policy.get(attr).is_none(), "{id}: CloudWatch sends no `{attr}`");
        }
        assert!(sns_filter::combinations(&policy) <= sns_filter::MAX_COMBINATIONS);
        let topic = p["TopicArn"]["Ref"].as_str().unwrap().to_string();
        policies.insert(topic, policy);
    }
    let standard = &policies["StandardAlertsTopic"];
    let critical = &policies["CriticalEscalationsTopic"];
    let m = |p: &Json, msg: &Json| sns_filter::matches(p, msg).unwrap();

    let alarm = sample("cloudwatch-alarm-notification.json");
    let composite = sample("composite-alarm-notification.json");
    let math = sample("metric-math-alarm-notification.json");
    // The samples are what the alarms of this build send.
    assert_eq!(alarm["AlarmName"], mon["Resources"]["PaymentErrorsAlarm"]["Properties"]["AlarmName"]);
    assert_eq!(
        composite["AlarmName"],
        mon["Resources"]["CriticalEscalationCompositeAlarm"]["Properties"]["AlarmName"]
    );
    assert_eq!(math["AlarmName"], mon["Resources"]["ErrorRatePercentageAlarm"]["Properties"]["AlarmName"]);

    // standard topic: metric alarms, ALARM and OK
    assert!(m(standard, &alarm));
    let mut alarm_ok = alarm.clone();
    alarm_ok["NewStateValue"] = json!("OK");
    alarm_ok["OldStateValue"] = json!("ALARM");
    assert!(m(standard, &alarm_ok));
    assert!(!m(standard, &composite), "composite alarms are critical only");
    // critical topic: composite alarms and the metric-math alarm in ALARM
    assert!(m(critical, &composite));
    assert!(m(critical, &math));
    assert!(!m(critical, &alarm), "a threshold alarm is not a critical escalation");
    // the metric-math alarm's OK goes to the standard topic only
    let mut math_ok = math.clone();
    math_ok["NewStateValue"] = json!("OK");
    assert!(m(standard, &math_ok));
    assert!(!m(critical, &math_ok));
    // the old attribute-based policy would have dropped everything
    let old = json!({"severity": ["critical"], "service": [{"prefix": "payment"}]});
    assert!(!m(&old, &composite) && !m(&old, &alarm));
}

/// Correction 5: Contributor Insights bodies are complete CloudWatchLogRule documents.
#[test]
fn correction_05_complete_contributor_insights_rule_bodies() {
    let b = build("dev");
    let mon = b.template("monitoring");
    let rules = of_type(&mon, "AWS::CloudWatch::InsightRule");
    assert_eq!(rules.len(), 3);
    let mut keys = BTreeMap::new();
    for (id, r) in rules {
        let p = &r["Properties"];
        assert_eq!(p["RuleState"], "ENABLED");
        let sub = p["RuleBody"]["Fn::Sub"].as_str().unwrap_or_else(|| panic!("{id}: {}", p["RuleBody"]));
        // The only variable is the payment-service log group of this template.
        assert_eq!(mon["Resources"]["PaymentServiceLogGroup"]["Type"], "AWS::Logs::LogGroup");
        let body: Json =
            serde_json::from_str(&sub.replace("${PaymentServiceLogGroup}", "log-group-payment-service-dev"))
                .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(body["Schema"], json!({"Name": "CloudWatchLogRule", "Version": 1}), "{id}");
        assert_eq!(body["LogGroupNames"], json!(["log-group-payment-service-dev"]), "{id}");
        assert_eq!(body["LogFormat"], "JSON");
        assert_eq!(body["AggregateOn"], "Count");
        assert!(body["Contribution"]["Filters"].is_array(), "{id}");
        let k = body["Contribution"]["Keys"].as_array().unwrap();
        assert_eq!(k.len(), 1);
        keys.insert(
            p["RuleName"].as_str().unwrap().to_string(),
            (k[0].clone(), body["Contribution"]["Filters"].clone()),
        );
    }
    assert_eq!(keys["rule-top-ip-addresses-dev"].0, "$.source_ip");
    assert_eq!(keys["rule-top-users-dev"].0, "$.user_id");
    assert_eq!(
        keys["rule-top-error-endpoints-dev"],
        (json!("$.endpoint"), json!([{"Match": "$.status", "In": ["error"]}]))
    );
}

fn zip_entries(path: &Path) -> BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.insert(f.name().unwrap().to_string(), text);
    }
    out
}

/// Correction 6: a current Python Synthetics runtime, the script packaged as an artifact in
/// the `python/` layout, the handler naming the packaged module.
#[test]
fn correction_06_canary_runtime_and_packaged_script() {
    let b = build("dev");
    let compute = b.template("compute");
    let c = &compute["Resources"]["PaymentCanary"]["Properties"];
    let runtime = c["RuntimeVersion"].as_str().unwrap();
    let version = runtime.strip_prefix("syn-python-selenium-").unwrap_or_else(|| panic!("{runtime}"));
    let (major, minor) = version.split_once('.').unwrap();
    let (major, _minor): (u32, u32) = (major.parse().unwrap(), minor.parse().unwrap());
    // syn-python-selenium-5.1 and older are deprecated (no new canaries since 2026-02-03).
    assert!(major >= 6, "{runtime} is deprecated");
    assert_ne!(runtime, "syn-python-selenium-2.0");
    assert!(c["Code"].get("Script").is_none(), "no inline script");
    assert_eq!(c["Code"]["Handler"], "payment_canary.handler");
    // Name within the vendored schema's pattern (not the 21-character folklore).
    let name = c["Name"].as_str().unwrap();
    let schema = cfnc::schema::get("AWS::Synthetics::Canary").unwrap();
    let pattern = schema.json["properties"]["Name"]["pattern"].as_str().unwrap();
    assert!(regex::Regex::new(pattern).unwrap().is_match(name), "{name} !~ {pattern}");
    let entries = zip_entries(&b.out().join("canary.zip"));
    assert_eq!(entries.keys().collect::<Vec<_>>(), ["python/payment_canary.py"]);
    let script = &entries["python/payment_canary.py"];
    assert!(script.contains("def handler("), "the handler exists in the packaged module");
    assert!(!script.contains("aws_synthetics.sdk"), "the Terraform's wrong import path");
    assert_eq!(c["Schedule"]["Expression"], "rate(5 minutes)");
    assert_eq!(c["RunConfig"]["EnvironmentVariables"]["TARGET_URL"], "https://api.example.com/health");
}

/// Correction 7: the packaged collector measures; it does not draw random numbers.
#[test]
fn correction_07_collector_measures_instead_of_random_values() {
    let b = build("dev");
    let entries = zip_entries(&b.out().join("lambda.zip"));
    assert_eq!(entries.keys().collect::<Vec<_>>(), ["metric_collector.py"]);
    let code = &entries["metric_collector.py"];
    assert!(!code.contains("import random") && !code.contains("from random") && !code.contains("random."));
    assert!(code.contains("filter_log_events"), "it reads the log groups");
    assert!(code.contains("def handler("));
    let f = &b.template("compute")["Resources"]["MetricCollectorFunction"]["Properties"];
    assert_eq!(f["Handler"], "metric_collector.handler");
    for var in ["ENVIRONMENT", "NAMESPACE", "PAYMENT_LOG_GROUP", "AUTH_LOG_GROUP", "TRANSACTION_LOG_GROUP"] {
        assert!(f["Environment"]["Variables"].get(var).is_some(), "{var}");
    }
    let (producer, value) = trace_parameter(
        &b,
        "compute",
        f["Environment"]["Variables"]["PAYMENT_LOG_GROUP"]["Ref"].as_str().unwrap(),
    );
    assert_eq!((producer.as_str(), value), ("monitoring", json!({"Ref": "PaymentServiceLogGroup"})));
}

/// Correction 8: code comes from the staging bucket (made by bootstrap), never from the
/// artifacts bucket the same deployment creates.
#[test]
fn correction_08_code_and_templates_come_from_the_staging_bucket() {
    let b = build("dev");
    let compute = b.template("compute");
    let staging = json!({"Fn::Sub": STAGING_BUCKET_PATTERN});
    let m = &b.report.manifest;
    let key = |name: &str| m.assets.iter().find(|a| a.name == name).unwrap().s3_key.clone();
    let f = &compute["Resources"]["MetricCollectorFunction"]["Properties"]["Code"];
    assert_eq!((&f["S3Bucket"], f["S3Key"].as_str().unwrap()), (&staging, key("lambda").as_str()));
    let c = &compute["Resources"]["PaymentCanary"]["Properties"]["Code"];
    assert_eq!((&c["S3Bucket"], c["S3Key"].as_str().unwrap()), (&staging, key("canary").as_str()));
    for stack in STACKS {
        let t = b.template(stack);
        assert!(of_type(&t, "AWS::S3::Object").is_empty());
    }
    for (_, s) in of_type(&b.template("root"), "AWS::CloudFormation::Stack") {
        assert!(
            s["Properties"]["TemplateURL"]["Fn::Sub"]
                .as_str()
                .unwrap()
                .starts_with(&format!("https://{STAGING_BUCKET_PATTERN}."))
        );
    }
    // The platform's own bucket stores canary results.
    assert_eq!(
        compute["Resources"]["PaymentCanary"]["Properties"]["ArtifactS3Location"],
        json!({"Fn::Sub": "s3://${ArtifactsBucket}/synthetics/"})
    );
    assert_eq!(trace_parameter(&b, "compute", "ArtifactsBucket").1, json!({"Ref": "ArtifactsBucket"}));
}

fn statements<'a>(t: &'a Json, policy: &str) -> &'a Vec<Json> {
    t["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap()
}

fn with_action<'a>(statements: &'a [Json], action: &str) -> Vec<&'a Json> {
    statements.iter().filter(|s| s["Action"].as_array().unwrap().iter().any(|a| a == action)).collect()
}

/// Correction 9: IAM that works: unscopable EC2 describe calls on `*`, ENI create/delete
/// limited to the VPC, and the canary writing SSE-KMS objects the bucket policy accepts.
#[test]
fn correction_09_canary_iam_that_really_works() {
    let b = build("dev");
    let sec = b.template("security");
    let canary = statements(&sec, "CanaryPolicy");
    let describe = with_action(canary, "ec2:DescribeNetworkInterfaces");
    assert_eq!(describe.len(), 1);
    assert_eq!(describe[0]["Resource"], json!(["*"]));
    assert!(describe[0].get("Condition").is_none(), "ec2:Describe* cannot be scoped by ec2:Vpc");
    for action in ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"] {
        let s = with_action(canary, action);
        assert_eq!(s.len(), 1, "{action}");
        assert_eq!(
            s[0]["Condition"]["ArnEquals"]["ec2:Vpc"],
            json!({"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${Vpc}"})
        );
    }
    assert_eq!(trace_parameter(&b, "security", "Vpc").1, json!({"Ref": "Vpc"}));
    // SSE-KMS writes under synthetics/ only, with the s3 key.
    let put = with_action(canary, "s3:PutObject");
    assert_eq!(put[0]["Resource"], json!([{"Fn::Sub": "${ArtifactsBucket.Arn}/synthetics/*"}]));
    let kms = with_action(canary, "kms:GenerateDataKey");
    assert_eq!(kms[0]["Resource"], json!([{"Fn::GetAtt": ["S3Key", "Arn"]}]));
    let compute = b.template("compute");
    let enc = &compute["Resources"]["PaymentCanary"]["Properties"]["ArtifactConfig"]["S3Encryption"];
    assert_eq!(enc["EncryptionMode"], "SSE_KMS");
    assert_eq!(
        trace_parameter(&b, "compute", enc["KmsKeyArn"]["Ref"].as_str().unwrap()).1,
        json!({"Fn::GetAtt": ["S3Key", "Arn"]})
    );
    let bucket_policy = statements(&sec, "ArtifactsBucketPolicy");
    let deny = with_action(bucket_policy, "s3:PutObject");
    assert_eq!(deny[0]["Effect"], "Deny");
    assert_eq!(deny[0]["Condition"]["StringNotEquals"]["s3:x-amz-server-side-encryption"], "aws:kms");
    assert!(
        bucket_policy
            .iter()
            .any(|s| s["Condition"]["Bool"]["aws:SecureTransport"] == "false" && s["Effect"] == "Deny")
    );
    // Least privilege elsewhere: PutMetricData only with a namespace condition; log writes only
    // on the principal's own log groups.
    let lambda = statements(&sec, "LambdaPolicy");
    for s in canary.iter().chain(lambda.iter()) {
        let actions = s["Action"].as_array().unwrap();
        if actions.iter().any(|a| a == "cloudwatch:PutMetricData") {
            assert!(s["Condition"]["StringEquals"]["cloudwatch:namespace"].is_string(), "{s}");
        }
        assert!(!actions.iter().any(|a| a.as_str().unwrap().ends_with(":*")), "no service wildcards: {s}");
    }
    let read = with_action(lambda, "logs:FilterLogEvents");
    assert_eq!(read[0]["Resource"].as_array().unwrap().len(), 6);
    let write = with_action(lambda, "logs:PutLogEvents");
    assert_eq!(
        write[0]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/lambda-metric-collector-dev:*"}])
    );
    let canary_logs = with_action(canary, "logs:PutLogEvents");
    assert_eq!(
        canary_logs[0]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/cwsyn-canary-payment-dev-*"}])
    );
}

fn staged() -> StagedAssets {
    let a = |c: char| StagedAsset {
        sha256: c.to_string().repeat(64),
        s3_key: format!("assets/{}.zip", c.to_string().repeat(64)),
    };
    StagedAssets { lambda: a('a'), canary: a('b') }
}

fn monitoring_for(config_text: &str) -> Json {
    let config = Config::parse(Path::new("test.yaml"), config_text, "dev").unwrap();
    let app = payment_platform::root::build(&config, &staged()).unwrap();
    let compiled = cfnc::compile::compile(&app, &cfnc::build::template_url).unwrap();
    let mon = compiled.children.iter().find(|c| c.name == "monitoring").unwrap();
    serde_json::from_str(&mon.json).unwrap()
}

/// Correction 10: the maintenance windows of the config are excluded from both anomaly models.
#[test]
fn correction_10_maintenance_windows_are_excluded_from_the_models() {
    let b = build("dev");
    let config = Config::load(repo(), "dev").unwrap();
    let want: Vec<Json> = config
        .anomaly_detection
        .excluded_time_ranges
        .iter()
        .map(|r| json!({"StartTime": r.start, "EndTime": r.end}))
        .collect();
    assert!(want.len() >= 4);
    let mon = b.template("monitoring");
    let detectors = of_type(&mon, "AWS::CloudWatch::AnomalyDetector");
    assert_eq!(detectors.len(), 2);
    let mut metrics = Vec::new();
    for (id, d) in detectors {
        assert_eq!(d["Properties"]["Configuration"]["ExcludedTimeRanges"], json!(want), "{id}");
        metrics
            .push(d["Properties"]["SingleMetricAnomalyDetector"]["MetricName"].as_str().unwrap().to_string());
    }
    metrics.sort();
    assert_eq!(metrics, ["PaymentTransactionVolume", "ProcessingLatency"]);
    // The list comes from the config: another list, other exclusions; none, no Configuration.
    let one = "anomaly_detection:\n  excluded_time_ranges:\n    - {start: \"2027-01-03T22:00:00\", end: \"2027-01-04T02:00:00\"}\n";
    let mon = monitoring_for(one);
    assert_eq!(
        mon["Resources"]["LatencyAnomalyDetector"]["Properties"]["Configuration"]["ExcludedTimeRanges"],
        json!([{"StartTime": "2027-01-03T22:00:00", "EndTime": "2027-01-04T02:00:00"}])
    );
    let mon = monitoring_for("{}\n");
    assert!(mon["Resources"]["LatencyAnomalyDetector"]["Properties"].get("Configuration").is_none());
}

#[test]
fn threshold_alarms_come_from_the_config_list() {
    let extra = "alarms:\n  - name: payment-errors\n    metric: PaymentErrors\n    statistic: Sum\n    threshold: 5\n    systemic: true\n  - name: slow-auth\n    metric: AuthenticationFailures\n    statistic: Maximum\n    comparison: GreaterThanOrEqualToThreshold\n    threshold: 3\n    period: 60\n    evaluation_periods: 5\n    datapoints_to_alarm: 3\n";
    let mon = monitoring_for(extra);
    let alarm = &mon["Resources"]["SlowAuthAlarm"]["Properties"];
    assert_eq!(alarm["AlarmName"], "alarm-slow-auth-dev");
    assert_eq!(alarm["Statistic"], "Maximum");
    assert_eq!(alarm["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
    assert_eq!(
        (alarm["Period"].clone(), alarm["EvaluationPeriods"].clone(), alarm["DatapointsToAlarm"].clone()),
        (json!(60), json!(5), json!(3))
    );
    assert_eq!(alarm["AlarmActions"], json!([{"Ref": "StandardAlertsTopic"}]));
    assert_eq!(alarm["OKActions"], json!([{"Ref": "StandardAlertsTopic"}]));
    assert_eq!(mon["Resources"]["SlowAuthAlarm"]["DependsOn"], json!(["AuthFailuresMetricFilter"]));
    assert!(mon["Resources"].get("HighLatencyAlarm").is_none());
    let or = mon["Resources"]["CriticalEscalationCompositeAlarm"]["Properties"]["AlarmRule"]["Fn::Sub"]
        .as_str()
        .unwrap();
    assert_eq!(or, "ALARM(\"${PaymentErrorsAlarm}\") OR ALARM(\"${SlowAuthAlarm}\")");
    let and = mon["Resources"]["SystemicIssuesCompositeAlarm"]["Properties"]["AlarmRule"]["Fn::Sub"]
        .as_str()
        .unwrap();
    assert_eq!(and, "ALARM(\"${PaymentErrorsAlarm}\")");

    // The dev config reproduces PLATFORM.md.
    let dev = build("dev").template("monitoring");
    let and = dev["Resources"]["SystemicIssuesCompositeAlarm"]["Properties"]["AlarmRule"]["Fn::Sub"]
        .as_str()
        .unwrap();
    assert_eq!(and, "ALARM(\"${PaymentErrorsAlarm}\") AND ALARM(\"${HighLatencyAlarm}\")");
    for (id, name, metric, stat, threshold) in [
        ("PaymentErrorsAlarm", "alarm-payment-errors-dev", "PaymentErrors", "Sum", 5.0),
        ("AuthFailuresAlarm", "alarm-auth-failures-dev", "AuthenticationFailures", "Sum", 10.0),
        ("HighLatencyAlarm", "alarm-high-latency-dev", "ProcessingLatency", "Average", 2000.0),
    ] {
        let p = &dev["Resources"][id]["Properties"];
        assert_eq!((p["AlarmName"].as_str().unwrap(), p["MetricName"].as_str().unwrap()), (name, metric));
        assert_eq!((p["Statistic"].as_str().unwrap(), p["Threshold"].as_f64().unwrap()), (stat, threshold));
        assert_eq!((p["Period"].clone(), p["EvaluationPeriods"].clone()), (json!(300), json!(1)));
        assert_eq!(p["TreatMissingData"], "notBreaching");
        assert_eq!(p["ComparisonOperator"], "GreaterThanThreshold");
    }
}

#[test]
fn collector_metrics_are_used_with_their_environment_dimension() {
    let b = build("dev");
    let mon = b.template("monitoring");
    let env = json!([{"Name": "Environment", "Value": "dev"}]);
    let rate = &mon["Resources"]["ErrorRatePercentageAlarm"]["Properties"];
    let metrics = rate["Metrics"].as_array().unwrap();
    let total = metrics.iter().find(|m| m["Id"] == "total_requests").unwrap();
    assert_eq!(total["MetricStat"]["Metric"]["Dimensions"], env);
    let errors = metrics.iter().find(|m| m["Id"] == "errors").unwrap();
    assert!(
        errors["MetricStat"]["Metric"].get("Dimensions").is_none(),
        "metric filters publish no dimensions"
    );
    assert_eq!(
        metrics.iter().find(|m| m["ReturnData"] == true).unwrap()["Expression"],
        "100 * errors / total_requests"
    );
    assert_eq!(rate["AlarmActions"], json!([{"Ref": "CriticalEscalationsTopic"}]));
    assert_eq!(rate["OKActions"], json!([{"Ref": "StandardAlertsTopic"}]));
    assert_eq!(rate["Threshold"], json!(5.0));
    let volume =
        &mon["Resources"]["PaymentVolumeAnomalyDetector"]["Properties"]["SingleMetricAnomalyDetector"];
    assert_eq!(volume["Dimensions"], env);
    // Dashboard: in the primary region only; per configured region a volume graph, an
    // error-rate gauge, p50/p90/p99 and the volume's anomaly band (the regions are literal: the
    // body is plain JSON).
    let dash = &mon["Resources"]["ObservabilityDashboard"];
    assert_eq!(dash["Condition"], "IsPrimaryRegion");
    assert_eq!(
        mon["Conditions"]["IsPrimaryRegion"],
        json!({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]})
    );
    let body = dash["Properties"]["DashboardBody"].as_str().unwrap();
    let body: Json = serde_json::from_str(body).unwrap();
    let widgets = body["widgets"].as_array().unwrap();
    let titled = |prefix: &str| {
        widgets
            .iter()
            .filter(|w| w["properties"]["title"].as_str().is_some_and(|t| t.starts_with(prefix)))
            .count()
    };
    assert_eq!(titled("Payment transaction volume - "), 3);
    assert_eq!(titled("Processing latency p50/p90/p99 - "), 3);
    assert_eq!(titled("Payment transaction volume with anomaly band - "), 3);
    let gauges: Vec<&Json> = widgets.iter().filter(|w| w["properties"]["view"] == "gauge").collect();
    let regions: Vec<&str> = gauges.iter().map(|g| g["properties"]["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["us-east-1", "eu-west-1", "ap-southeast-1"]);
    for g in gauges {
        assert_eq!(g["properties"]["yAxis"]["left"], json!({"min": 0, "max": 10}));
    }
    assert!(
        !dash["Properties"]["DashboardBody"].as_str().unwrap().contains("${"),
        "the dashboard names every region"
    );
    assert!(
        widgets[0]["properties"]["markdown"]
            .as_str()
            .unwrap()
            .contains("us-east-1, eu-west-1, ap-southeast-1")
    );
    for w in widgets {
        let (x, width) = (w["x"].as_u64().unwrap(), w["width"].as_u64().unwrap());
        assert!(x + width <= 24, "{w}");
    }
}

/// The dashboard link is built per partition from the template itself: the console host of
/// the deployment's partition (aws: console.aws.amazon.com, China: console.amazonaws.cn,
/// GovCloud: console.amazonaws-us-gov.com), the region in the query; no link where the console
/// is not public (the isolated partitions), and only in the primary region (the dashboard's).
#[test]
fn dashboard_url_uses_the_console_of_each_partition() {
    let b = build("dev");
    let root = b.template("root");
    let url = &root["Outputs"]["DashboardUrl"];
    assert_eq!(url["Condition"], "HasDashboardConsoleLink");
    let sub = url["Value"]["Fn::Sub"].as_array().unwrap();
    let (text, vars) = (sub[0].as_str().unwrap(), &sub[1]);
    assert_eq!(
        vars["ConsoleHost"],
        json!({"Fn::FindInMap": ["PartitionConsoleHosts", {"Ref": "AWS::Partition"}, "ConsoleHost"]})
    );
    let hosts = &root["Mappings"]["PartitionConsoleHosts"];
    for (region, host) in [
        ("us-east-1", "console.aws.amazon.com"),
        ("cn-north-1", "console.amazonaws.cn"),
        ("us-gov-west-1", "console.amazonaws-us-gov.com"),
    ] {
        let partition = cfnc::partition::of_region(region).name;
        assert_eq!(hosts[partition]["ConsoleHost"], host, "{partition}");
        let link = text
            .replace("${ConsoleHost}", hosts[partition]["ConsoleHost"].as_str().unwrap())
            .replace("${AWS::Region}", region)
            .replace("${MonitoringStack.Outputs.DashboardName}", "observability-platform-dev");
        assert_eq!(
            link,
            format!(
                "https://{host}/cloudwatch/home?region={region}#dashboards:name=observability-platform-dev"
            )
        );
        assert_eq!(
            Some(link.as_str()),
            cfnc::partition::console_url(region, "cloudwatch", "#dashboards:name=observability-platform-dev")
                .as_deref()
        );
    }
    assert!(hosts.get("aws-iso").is_none(), "no public console: no mapping entry");
    // The link's condition: the primary region, and a partition with a public console.
    let link = &root["Conditions"]["HasDashboardConsoleLink"]["Fn::And"];
    assert_eq!(link[0], json!({"Condition": "IsPrimaryRegion"}));
    let partitions: Vec<&str> =
        link[1]["Fn::Or"].as_array().unwrap().iter().map(|e| e["Fn::Equals"][1].as_str().unwrap()).collect();
    assert_eq!(partitions, ["aws", "aws-cn", "aws-us-gov"]);
}
