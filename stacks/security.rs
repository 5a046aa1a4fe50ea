//! Security stack: the three KMS keys with aliases, the artifacts bucket and its policy, and
//! the two IAM roles with their customer-managed policies (PLATFORM.md, "Encryption",
//! "Artifacts bucket", "IAM").
//!
//! IAM is written to work, not to look strict (corrections 8 and 9):
//! - the collector reads the three log groups (`logs:FilterLogEvents`) and writes only its own
//!   log group; it publishes metrics as EMF through its log output, so it has no
//!   `cloudwatch:PutMetricData` (see lambda/README.md) and no use for the s3 key;
//! - the canary writes results only under `synthetics/` of the artifacts bucket, with SSE-KMS
//!   (the bucket policy denies other uploads), so it may use the s3 key through S3
//!   (`kms:ViaService`); it gets `GetBucketLocation`/`ListAllMyBuckets` that Synthetics calls,
//!   `PutMetricData` only for the `CloudWatchSynthetics` namespace, log writes only on its
//!   own `cwsyn-<canary>-*` log groups, and the ENI calls Synthetics in a VPC needs:
//!   `ec2:DescribeNetworkInterfaces` cannot be scoped (no resource-level permissions), so it is
//!   on `*`; create/delete are limited to the platform's VPC with `ec2:Vpc`.

use crate::compile::{AppError, StackScope};
use crate::model::{Expr, Handle, Tag, Value};
use crate::resources::iam::{ManagedPolicy, ManagedPolicyAttr, Role, RoleAttr};
use crate::resources::kms::{Alias, Key, KeyAttr};
use crate::resources::s3::{Bucket, BucketAttr, BucketPolicy, bucket};

use super::Names;
use super::common::{
    PolicyDocument, Principal, Statement, account_root, arn, block_public_access, checkov_skip, service, sub,
    var, var_att,
};
use super::network::Network;

/// Handles other stacks use.
pub struct Security {
    pub logs_key: Handle<Key>,
    pub s3_key: Handle<Key>,
    pub sns_key: Handle<Key>,
    pub artifacts_bucket: Handle<Bucket>,
    pub lambda_role: Handle<Role>,
    pub canary_role: Handle<Role>,
}

fn key(
    s: &mut StackScope<'_>,
    id: &str,
    description: &str,
    pending_window_days: Option<i64>,
    statements: Vec<Statement>,
) -> Result<Handle<Key>, AppError> {
    let mut all = vec![
        Statement::allow("EnableRootAccountPermissions", &["kms:*"], vec![Value::Literal("*".into())])
            .principal(account_root()),
    ];
    all.extend(statements);
    let mut key = Key::builder()
        .description(description)
        .enable_key_rotation(true)
        .key_policy(PolicyDocument::new(all).value());
    if let Some(days) = pending_window_days {
        key = key.pending_window_in_days(days);
    }
    let key = s.add(id, key.build())?;
    // Key material holds data: what was encrypted under a deleted key (the retained artifacts
    // bucket, log events of a replaced key) is unreadable for good. Kept on stack deletion and
    // replacement; `cfnc destroy` lists it (schedule its deletion by hand when done).
    s.resource_mut(&key).retain();
    Ok(key)
}

/// Adds the security resources to `s` (the `security` stack).
pub fn build(s: &mut StackScope<'_>, names: &Names, network: &Network) -> Result<Security, AppError> {
    let env = names.env.as_str();
    let star = || vec![Value::Literal("*".to_string())];

    // KMS keys.
    let logs_key = key(
        s,
        "LogsKey",
        &format!("CloudWatch Logs encryption, observability platform ({env})"),
        Some(7),
        vec![
            Statement::allow(
                "AllowCloudWatchLogs",
                &["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                star(),
            )
            .principal(Principal::Service(sub("logs.${AWS::Region}.amazonaws.com")))
            .condition(
                "ArnLike",
                "kms:EncryptionContext:aws:logs:arn",
                arn("logs:${AWS::Region}:${AWS::AccountId}:log-group:*"),
            ),
        ],
    )?;
    let s3_key = key(
        s,
        "S3Key",
        &format!("S3 encryption of canary artifacts, observability platform ({env})"),
        Some(7),
        vec![],
    )?;
    let sns_key = key(
        s,
        "SnsKey",
        &format!("SNS topic encryption, observability platform ({env})"),
        // PLATFORM.md gives the SNS key no deletion window: the default (30 days) applies.
        None,
        vec![
            Statement::allow("AllowCloudWatchAlarms", &["kms:Decrypt", "kms:GenerateDataKey*"], star())
                .principal(service("cloudwatch.amazonaws.com")),
            Statement::allow("AllowEventBridge", &["kms:Decrypt", "kms:GenerateDataKey*"], star())
                .principal(service("events.amazonaws.com")),
        ],
    )?;
    for (id, name, k) in [
        ("LogsKeyAlias", format!("alias/observability-logs-{env}"), &logs_key),
        ("S3KeyAlias", format!("alias/observability-s3-{env}"), &s3_key),
        ("SnsKeyAlias", format!("alias/observability-sns-{env}"), &sns_key),
    ] {
        s.add(id, Alias::builder().alias_name(name).target_key_id(k.r#ref()).build())?;
    }

    // Artifacts bucket (canary results).
    let sse_rule = bucket::ServerSideEncryptionRule::builder()
        .server_side_encryption_by_default(
            bucket::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(bucket::SseAlgorithm::AwsKms)
                .kms_master_key_id(s3_key.get_att(KeyAttr::Arn))
                .build(),
        )
        .bucket_key_enabled(true)
        .build();
    let lifecycle = bucket::Rule::builder()
        .status(bucket::RuleStatus::Enabled)
        .id("transition-to-glacier")
        .transitions([bucket::Transition::builder()
            .storage_class(bucket::StorageClass::Glacier)
            .transition_in_days(30)
            .build()])
        .noncurrent_version_expiration(
            bucket::NoncurrentVersionExpiration::builder().noncurrent_days(90).build(),
        )
        .build();
    let artifacts = s.add(
        "ArtifactsBucket",
        Bucket::builder()
            .bucket_name(sub(Names::regional(&names.artifacts_bucket())))
            .versioning_configuration(
                bucket::VersioningConfiguration::builder()
                    .status(bucket::VersioningConfigurationStatus::Enabled)
                    .build(),
            )
            .bucket_encryption(
                bucket::BucketEncryption::builder().server_side_encryption_configuration([sse_rule]).build(),
            )
            .public_access_block_configuration(block_public_access())
            .lifecycle_configuration(bucket::LifecycleConfiguration::builder().rules([lifecycle]).build())
            .build(),
    )?;
    {
        let r = s.resource_mut(&artifacts);
        r.retain();
        checkov_skip(
            r,
            &[(
                "CKV_AWS_18",
                "Holds canary run artifacts only; access logging needs a second bucket PLATFORM.md does not have (CloudTrail data events are the audit trail)",
            )],
        );
    }
    let bucket_arn = artifacts.get_att::<String>(BucketAttr::Arn);
    s.add(
        "ArtifactsBucketPolicy",
        BucketPolicy::builder()
            .bucket(artifacts.r#ref())
            .policy_document(
                PolicyDocument::new(vec![
                    Statement::deny(
                        "DenyUnencryptedObjectUploads",
                        &["s3:PutObject"],
                        vec![sub(format!("{}/*", var_att(&artifacts, BucketAttr::Arn)))],
                    )
                    .principal(Principal::Any("*"))
                    .condition(
                        "StringNotEquals",
                        "s3:x-amz-server-side-encryption",
                        "aws:kms",
                    ),
                    Statement::deny(
                        "DenyInsecureTransport",
                        &["s3:*"],
                        vec![bucket_arn.clone(), sub(format!("{}/*", var_att(&artifacts, BucketAttr::Arn)))],
                    )
                    .principal(Principal::Any("*"))
                    .condition("Bool", "aws:SecureTransport", "false"),
                ])
                .value(),
            )
            .build(),
    )?;

    // IAM roles and their customer-managed policies.
    let assume = |svc: &str| {
        PolicyDocument::new(vec![
            Statement::allow("AssumeRole", &["sts:AssumeRole"], vec![]).principal(service(svc)),
        ])
    };
    // IAM names are global in the account: the same template deploys to every region.
    let new_role = |name: String, description: &str| {
        let name = sub(Names::regional(&name));
        Role::builder()
            .assume_role_policy_document(without_resource(assume("lambda.amazonaws.com")))
            .role_name(name.clone())
            .description(description)
            .tags([Tag::new("Name", name)])
            .build()
    };
    let lambda_role = s.add(
        "LambdaRole",
        new_role(
            names.collector_role(),
            "Metric collector: read the three service log groups, write its own log group",
        ),
    )?;
    let canary_role = s.add(
        "CanaryRole",
        new_role(
            names.canary_role(),
            "Synthetics canary: results under synthetics/ (SSE-KMS), its logs and metrics, ENIs in the platform VPC",
        ),
    )?;

    let log_group_arn =
        |name: &str| arn(format!("logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}"));
    let log_streams_arn =
        |name: &str| arn(format!("logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}:*"));
    let mut read = Vec::new();
    for g in names.service_log_groups() {
        read.push(log_group_arn(&g));
        read.push(log_streams_arn(&g));
    }
    let new_policy = |name: String, description: &str, role: &Handle<Role>, doc: PolicyDocument| {
        ManagedPolicy::builder()
            .policy_document(doc.value())
            .managed_policy_name(sub(Names::regional(&name)))
            .description(description)
            .roles([role.r#ref()])
            .build()
    };
    let lambda_policy = s.add(
        "LambdaPolicy",
        new_policy(
            format!("policy-lambda-metric-collector-{env}"),
            "Least privilege of the metric collector Lambda",
            &lambda_role,
            PolicyDocument::new(vec![
                Statement::allow("ReadServiceLogGroups", &["logs:FilterLogEvents"], read),
                Statement::allow(
                    "WriteOwnLogGroup",
                    &["logs:CreateLogStream", "logs:PutLogEvents"],
                    vec![log_streams_arn(&names.function_log_group())],
                ),
            ]),
        ),
    )?;

    let canary_logs = format!("/aws/lambda/cwsyn-{}-*", names.canary());
    let canary_policy = s.add(
        "CanaryPolicy",
        new_policy(
            format!("policy-synthetics-canary-{env}"),
            "Least privilege of the Synthetics canary",
            &canary_role,
            PolicyDocument::new(vec![
                Statement::allow(
                    "WriteResultsUnderSynthetics",
                    &["s3:PutObject", "s3:GetObject"],
                    vec![sub(format!("{}/synthetics/*", var_att(&artifacts, BucketAttr::Arn)))],
                ),
                Statement::allow("LocateResultsBucket", &["s3:GetBucketLocation"], vec![bucket_arn.clone()]),
                Statement::allow("ListBucketsForSynthetics", &["s3:ListAllMyBuckets"], star()),
                Statement::allow(
                    "EncryptResultsWithS3Key",
                    &["kms:GenerateDataKey", "kms:Decrypt"],
                    vec![s3_key.get_att(KeyAttr::Arn)],
                )
                .condition(
                    "StringEquals",
                    "kms:ViaService",
                    sub("s3.${AWS::Region}.amazonaws.com"),
                ),
                Statement::allow(
                    "WriteOwnLogGroups",
                    &["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    vec![arn(format!("logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{canary_logs}"))],
                ),
                Statement::allow("PublishSyntheticsMetrics", &["cloudwatch:PutMetricData"], star())
                    .condition("StringEquals", "cloudwatch:namespace", "CloudWatchSynthetics"),
                Statement::allow("DescribeNetworkInterfaces", &["ec2:DescribeNetworkInterfaces"], star()),
                Statement::allow(
                    "ManageNetworkInterfacesInPlatformVpc",
                    &["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
                    star(),
                )
                .condition(
                    "ArnEquals",
                    "ec2:Vpc",
                    arn(format!("ec2:${{AWS::Region}}:${{AWS::AccountId}}:vpc/{}", var(&network.vpc))),
                ),
            ]),
        ),
    )?;

    let out = |s: &mut StackScope<'_>, name: &str, desc: &str, v: Expr| s.output(name, desc, v);
    for (prefix, what, k) in
        [("Logs", "CloudWatch Logs", &logs_key), ("S3", "S3", &s3_key), ("Sns", "SNS", &sns_key)]
    {
        out(s, &format!("{prefix}KeyId"), &format!("{what} KMS key id"), k.r#ref::<String>().into())?;
        out(
            s,
            &format!("{prefix}KeyArn"),
            &format!("{what} KMS key ARN"),
            k.get_att::<String>(KeyAttr::Arn).into(),
        )?;
    }
    out(
        s,
        "LogsKeyAliasName",
        "CloudWatch Logs KMS key alias",
        Expr::from(format!("alias/observability-logs-{env}")),
    )?;
    out(s, "S3KeyAliasName", "S3 KMS key alias", Expr::from(format!("alias/observability-s3-{env}")))?;
    out(s, "SnsKeyAliasName", "SNS KMS key alias", Expr::from(format!("alias/observability-sns-{env}")))?;
    out(s, "ArtifactsBucketName", "Artifacts bucket (canary results)", artifacts.r#ref::<String>().into())?;
    out(
        s,
        "ArtifactsBucketArn",
        "Artifacts bucket ARN",
        artifacts.get_att::<String>(BucketAttr::Arn).into(),
    )?;
    out(
        s,
        "LambdaRoleArn",
        "Metric collector role ARN",
        lambda_role.get_att::<String>(RoleAttr::Arn).into(),
    )?;
    out(s, "LambdaRoleName", "Metric collector role name", lambda_role.r#ref::<String>().into())?;
    out(s, "CanaryRoleArn", "Canary role ARN", canary_role.get_att::<String>(RoleAttr::Arn).into())?;
    out(s, "CanaryRoleName", "Canary role name", canary_role.r#ref::<String>().into())?;
    out(
        s,
        "LambdaPolicyArn",
        "Metric collector policy ARN",
        lambda_policy.get_att::<String>(ManagedPolicyAttr::PolicyArn).into(),
    )?;
    out(
        s,
        "CanaryPolicyArn",
        "Canary policy ARN",
        canary_policy.get_att::<String>(ManagedPolicyAttr::PolicyArn).into(),
    )?;

    Ok(Security { logs_key, s3_key, sns_key, artifacts_bucket: artifacts, lambda_role, canary_role })
}

/// Trust policies name no `Resource`: drop the empty list the statement helper writes.
fn without_resource(doc: PolicyDocument) -> Value<Expr> {
    let mut e = Expr::from(Value::Literal(&doc));
    if let Expr::Map(m) = &mut e
        && let Some(Expr::List(statements)) = m.get_mut("Statement")
    {
        for st in statements {
            if let Expr::Map(st) = st {
                st.shift_remove("Resource");
            }
        }
    }
    Value::Literal(e)
}
