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

use cfnc::manifest::STAGING_BUCKET_PATTERN;
use cfnc::model::{Expr, Intrinsic, LogicalId, Output, Template, Value};
use cfnc::resources::s3::bucket::{
    AbortIncompleteMultipartUpload, Bucket, BucketAttr, BucketEncryption, LifecycleConfiguration,
    NoncurrentVersionExpiration, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration, Rule, RuleStatus, ServerSideEncryptionByDefault,
    ServerSideEncryptionRule, SseAlgorithm, Tag, VersioningConfiguration, VersioningConfigurationStatus,
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

fn lit<T>(v: T) -> Option<Value<T>> {
    Some(Value::Literal(v))
}

/// The staging bucket, typed from its registry schema.
fn staging_bucket() -> Bucket {
    let sse = ServerSideEncryptionRule {
        server_side_encryption_by_default: lit(ServerSideEncryptionByDefault::new(SseAlgorithm::Aes256)),
        ..Default::default()
    };
    let mut expire = Rule::new(RuleStatus::Enabled);
    expire.id = Some("expire-noncurrent-versions".into());
    expire.noncurrent_version_expiration = lit(NoncurrentVersionExpiration::new(NONCURRENT_VERSION_DAYS));
    expire.abort_incomplete_multipart_upload = lit(AbortIncompleteMultipartUpload::new(ABORT_MULTIPART_DAYS));
    Bucket {
        bucket_name: Some(Value::sub(STAGING_BUCKET_PATTERN)),
        versioning_configuration: lit(VersioningConfiguration::new(VersioningConfigurationStatus::Enabled)),
        bucket_encryption: lit(BucketEncryption::new(vec![Value::Literal(sse)])),
        public_access_block_configuration: lit(PublicAccessBlockConfiguration {
            block_public_acls: lit(true),
            block_public_policy: lit(true),
            ignore_public_acls: lit(true),
            restrict_public_buckets: lit(true),
        }),
        ownership_controls: lit(OwnershipControls::new(vec![Value::Literal(OwnershipControlsRule {
            object_ownership: lit(ObjectOwnership::BucketOwnerEnforced),
        })])),
        lifecycle_configuration: lit(LifecycleConfiguration::new(vec![Value::Literal(expire)])),
        tags: lit(vec![Value::Literal(Tag::new("ManagedBy", "cfnc"))]),
        ..Default::default()
    }
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
    t.add("StagingBucketPolicy", BucketPolicy::new(bucket.r#ref::<String>(), deny_plain_http))
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
