//! The bootstrap stack: one staging bucket per account and region for templates and assets.
//!
//! Encryption choice: **SSE-S3 (AES256)**. Everything in the bucket is build output that is
//! also in the repository (templates, Lambda and canary zips), and several AWS services read
//! it with the deployer's credentials (CloudFormation for `TemplateURL`, Lambda for
//! `Code.S3Key`, Synthetics for the canary script). With SSE-KMS every one of those readers
//! and every deploying role would need `kms:Decrypt` on the key, and a disabled or
//! scheduled-for-deletion key would break deployments and rollbacks; a CMK also costs a
//! monthly fee per account and region. SSE-S3 encrypts at rest with no key to manage. The
//! rest is hardening: versioning, all four public-access blocks, bucket-owner-enforced
//! object ownership (no ACLs), a TLS-only bucket policy, and a lifecycle rule that expires
//! noncurrent versions and abandoned multipart uploads. The bucket is retained when the
//! stack is deleted or replaced, so an artifact a stack still refers to is never lost.

use cfnc::authoring::block_public_access;
use cfnc::manifest::STAGING_BUCKET_PATTERN;
use cfnc::model::{Expr, Intrinsic, LogicalId, Output, Tag, Template, Value};
use cfnc::resources::s3::bucket::{
    AbortIncompleteMultipartUpload, Bucket, BucketAttr, BucketEncryption, LifecycleConfiguration,
    NoncurrentVersionExpiration, ObjectOwnership, OwnershipControls, OwnershipControlsRule, Rule, RuleStatus,
    ServerSideEncryptionByDefault, ServerSideEncryptionRule, SseAlgorithm, VersioningConfiguration,
    VersioningConfigurationStatus,
};
use cfnc::resources::s3::bucket_policy::BucketPolicy;

/// Name of the bootstrap stack (one per account and region).
pub const BOOTSTRAP_STACK: &str = "cfnc-bootstrap";
/// Version of the bootstrap template; deploy requires at least [`MIN_BOOTSTRAP_VERSION`].
pub const BOOTSTRAP_VERSION: u32 = 1;
pub const MIN_BOOTSTRAP_VERSION: u32 = 1;
/// Output keys.
pub const OUTPUT_BUCKET: &str = "StagingBucketName";
pub const OUTPUT_VERSION: &str = "BootstrapVersion";
/// Days a replaced object version is kept.
pub const NONCURRENT_VERSION_DAYS: u32 = 30;
/// Days an unfinished multipart upload is kept.
pub const ABORT_MULTIPART_DAYS: u32 = 7;

fn id(s: &str) -> LogicalId {
    LogicalId::new(s).expect("bootstrap logical ids are valid")
}

/// The staging bucket, typed from its registry schema.
fn staging_bucket() -> Bucket {
    let sse = ServerSideEncryptionRule::builder()
        .server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder().sse_algorithm(SseAlgorithm::Aes256).build(),
        )
        .build();
    let expire = Rule::builder()
        .status(RuleStatus::Enabled)
        .id("expire-noncurrent-versions")
        .noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder().noncurrent_days(NONCURRENT_VERSION_DAYS).build(),
        )
        .abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder().days_after_initiation(ABORT_MULTIPART_DAYS).build(),
        )
        .build();
    Bucket::builder()
        .bucket_name(Value::sub(STAGING_BUCKET_PATTERN))
        .versioning_configuration(
            VersioningConfiguration::builder().status(VersioningConfigurationStatus::Enabled).build(),
        )
        .bucket_encryption(BucketEncryption::builder().server_side_encryption_configuration([sse]).build())
        .public_access_block_configuration(block_public_access())
        .ownership_controls(
            OwnershipControls::builder()
                .rules([OwnershipControlsRule::builder()
                    .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                    .build()])
                .build(),
        )
        .lifecycle_configuration(LifecycleConfiguration::builder().rules([expire]).build())
        .tags([Tag::new("ManagedBy", "cfnc")])
        .build()
}

/// The bootstrap template, built with the template model and typed resources.
pub fn template() -> Template {
    let mut t = Template::new(format!(
        "cfnc bootstrap (version {BOOTSTRAP_VERSION}): staging bucket for cfnc templates and assets"
    ));
    let bucket = t.add("StagingBucket", staging_bucket()).expect("fresh template");
    t.resource_mut(&bucket).retain();

    let bucket_arn = Expr::from(bucket.get_att::<String>(BucketAttr::Arn));
    let objects_arn = Expr::from(Intrinsic::join("", [bucket_arn.clone(), Expr::from("/*")]));
    let deny_plain_http = Expr::map([
        ("Version", Expr::from("2012-10-17")),
        (
            "Statement",
            Expr::list([Expr::map([
                ("Sid", Expr::from("DenyInsecureTransport")),
                ("Effect", Expr::from("Deny")),
                ("Principal", Expr::from("*")),
                ("Action", Expr::from("s3:*")),
                ("Resource", Expr::list([bucket_arn, objects_arn])),
                ("Condition", Expr::map([("Bool", Expr::map([("aws:SecureTransport", "false")]))])),
            ])]),
        ),
    ]);
    t.add(
        "StagingBucketPolicy",
        BucketPolicy::builder().bucket(bucket.r#ref()).policy_document(deny_plain_http).build(),
    )
    .expect("fresh template");

    t.outputs.insert(
        id(OUTPUT_BUCKET),
        Output::new(
            "Staging bucket for cfnc templates and assets",
            Intrinsic::reference(bucket.id().as_str()),
        ),
    );
    t.outputs.insert(
        id(OUTPUT_VERSION),
        Output::new("Version of the cfnc bootstrap template", Expr::from(BOOTSTRAP_VERSION.to_string())),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_is_retained_versioned_encrypted_private() {
        let t = template();
        let json: serde_json::Value = serde_json::from_str(&t.to_json_string()).unwrap();
        let b = &json["Resources"]["StagingBucket"];
        assert_eq!(b["DeletionPolicy"], "Retain");
        assert_eq!(b["UpdateReplacePolicy"], "Retain");
        assert_eq!(b["Properties"]["BucketName"], serde_json::json!({"Fn::Sub": STAGING_BUCKET_PATTERN}));
        assert_eq!(b["Properties"]["VersioningConfiguration"]["Status"], "Enabled");
        assert_eq!(
            b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "AES256"
        );
        let pab = &b["Properties"]["PublicAccessBlockConfiguration"];
        for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            assert_eq!(pab[k], true, "{k}");
        }
        let rule = &b["Properties"]["LifecycleConfiguration"]["Rules"][0];
        assert_eq!(rule["NoncurrentVersionExpiration"]["NoncurrentDays"], NONCURRENT_VERSION_DAYS);
        let st = &json["Resources"]["StagingBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
        assert_eq!(st["Effect"], "Deny");
        assert_eq!(st["Condition"]["Bool"]["aws:SecureTransport"], "false");
    }

    #[test]
    fn template_is_deterministic() {
        assert_eq!(template().to_json_string(), template().to_json_string());
    }
}
