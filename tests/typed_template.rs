//! A template built from the generated typed models serializes to the expected
//! CloudFormation JSON, and cfn-lint accepts it without any finding.

use crate::common;

use cfnc::model::{Expr, Output, Pseudo, Template, Value};
use cfnc::resources::kms::{Key, KeyAttr};
use cfnc::resources::s3::bucket::{
    BucketEncryption, PublicAccessBlockConfiguration, ServerSideEncryptionByDefault,
    ServerSideEncryptionRule, SseAlgorithm, VersioningConfiguration, VersioningConfigurationStatus,
};
use cfnc::resources::s3::{Bucket, BucketAttr};
use serde_json::json;

fn template() -> Template {
    let mut t = Template::new("Typed S3 bucket encrypted with a KMS key");
    let key_policy = Expr::map([
        ("Version", Expr::from("2012-10-17")),
        (
            "Statement",
            Expr::list([Expr::map([
                ("Sid", Expr::from("AccountAdmin")),
                ("Effect", Expr::from("Allow")),
                (
                    "Principal",
                    Expr::map([(
                        "AWS",
                        Expr::from(Value::<String>::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                    )]),
                ),
                ("Action", Expr::from("kms:*")),
                ("Resource", Expr::from("*")),
            ])]),
        ),
    ]);
    let key = t
        .add(
            "DataKey",
            Key::builder()
                .description("Encrypts the data bucket")
                .enable_key_rotation(true)
                .key_policy(key_policy)
                .build(),
        )
        .unwrap();

    let encryption = ServerSideEncryptionRule::builder()
        .bucket_key_enabled(true)
        .server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .kms_master_key_id(key.get_att(KeyAttr::Arn))
                .sse_algorithm(SseAlgorithm::AwsKms)
                .build(),
        )
        .build();
    let bucket = t
        .add(
            "DataBucket",
            Bucket::builder()
                .bucket_encryption(
                    BucketEncryption::builder().server_side_encryption_configuration([encryption]).build(),
                )
                .versioning_configuration(
                    VersioningConfiguration::builder().status(VersioningConfigurationStatus::Enabled).build(),
                )
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(true)
                        .block_public_policy(true)
                        .ignore_public_acls(true)
                        .restrict_public_buckets(true)
                        .build(),
                )
                .build(),
        )
        .unwrap();
    let arn: Value<String> = bucket.get_att(BucketAttr::Arn);
    t.outputs.insert(
        "BucketArn".parse().unwrap(),
        Output::new("ARN of the data bucket", arn)
            .exported_as(Value::<String>::sub("${AWS::StackName}-BucketArn")),
    );
    let region: Value<String> = Pseudo::Region.to_value();
    t.outputs.insert("Region".parse().unwrap(), Output::new("Region of the stack", region));
    t
}

#[test]
fn typed_template_serializes_to_the_expected_json() {
    let actual: serde_json::Value = serde_json::from_str(&template().to_json_string()).unwrap();
    let expected = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Typed S3 bucket encrypted with a KMS key",
        "Resources": {
            "DataBucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [{
                            "BucketKeyEnabled": true,
                            "ServerSideEncryptionByDefault": {
                                "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]},
                                "SSEAlgorithm": "aws:kms"
                            }
                        }]
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": true,
                        "BlockPublicPolicy": true,
                        "IgnorePublicAcls": true,
                        "RestrictPublicBuckets": true
                    },
                    "VersioningConfiguration": {"Status": "Enabled"}
                }
            },
            "DataKey": {
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "Description": "Encrypts the data bucket",
                    "EnableKeyRotation": true,
                    "KeyPolicy": {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "AccountAdmin",
                            "Effect": "Allow",
                            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                            "Action": "kms:*",
                            "Resource": "*"
                        }]
                    }
                }
            }
        },
        "Outputs": {
            "BucketArn": {
                "Description": "ARN of the data bucket",
                "Value": {"Fn::GetAtt": ["DataBucket", "Arn"]},
                "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-BucketArn"}}
            },
            "Region": {"Description": "Region of the stack", "Value": {"Ref": "AWS::Region"}}
        }
    });
    assert_eq!(actual, expected, "actual:\n{}", serde_json::to_string_pretty(&actual).unwrap());
}

#[test]
fn cfn_lint_accepts_the_typed_template_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typed.json");
    std::fs::write(&path, template().to_json_string()).unwrap();
    let out = common::cfn_lint(&[&path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim().is_empty() && stderr.trim().is_empty(),
        "cfn-lint findings:\n{stdout}{stderr}"
    );
}

#[test]
fn older_types_expose_their_properties_as_typed_attributes() {
    // `!GetAtt Vpc.CidrBlock` is valid CloudFormation though CidrBlock is not read-only
    // (schema/getatt-exceptions.json); the typed model has the variant, and the validator agrees.
    use cfnc::resources::ec2::{Vpc, VpcAttr};
    use cfnc::resources::sns::{Topic, TopicAttr};
    let mut t = Template::default();
    let vpc = t.add("Vpc", Vpc::builder().cidr_block("10.0.0.0/16").build()).unwrap();
    let topic = t.add("Topic", Topic::builder().topic_name("alerts").build()).unwrap();
    let cidr: Value<String> = vpc.get_att(VpcAttr::CidrBlock);
    let name: Value<String> = topic.get_att(TopicAttr::TopicName);
    t.outputs.insert("Cidr".parse().unwrap(), Output::new("VPC range", cidr));
    t.outputs.insert("TopicName".parse().unwrap(), Output::new("topic name", name));
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["Outputs"]["Cidr"]["Value"], json!({"Fn::GetAtt": ["Vpc", "CidrBlock"]}));
    let findings = cfnc::validate::validate_template(&json, None, &Default::default());
    assert!(findings.iter().all(|f| f.code != "CFN2003"), "{findings:#?}");
}
