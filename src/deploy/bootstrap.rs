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

use crate::manifest::STAGING_BUCKET_PATTERN;
use crate::model::{Expr, Intrinsic, LogicalId, Output, Resource, Template};

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

fn id(s: &str) -> LogicalId {
    LogicalId::new(s).expect("bootstrap logical ids are valid")
}

/// The bootstrap template, built with the template model.
pub fn template() -> Template {
    let mut t = Template::new(format!(
        "cfnc bootstrap (version {BOOTSTRAP_VERSION}): staging bucket for cfnc templates and assets"
    ));

    let mut bucket = Resource::new("AWS::S3::Bucket");
    let p = &mut bucket.properties;
    p.insert("BucketName".into(), Intrinsic::sub(STAGING_BUCKET_PATTERN).into());
    p.insert("VersioningConfiguration".into(), Expr::map([("Status", "Enabled")]));
    p.insert(
        "BucketEncryption".into(),
        Expr::map([(
            "ServerSideEncryptionConfiguration",
            Expr::list([Expr::map([(
                "ServerSideEncryptionByDefault",
                Expr::map([("SSEAlgorithm", "AES256")]),
            )])]),
        )]),
    );
    p.insert(
        "PublicAccessBlockConfiguration".into(),
        Expr::map([
            ("BlockPublicAcls", true),
            ("BlockPublicPolicy", true),
            ("IgnorePublicAcls", true),
            ("RestrictPublicBuckets", true),
        ]),
    );
    p.insert(
        "OwnershipControls".into(),
        Expr::map([("Rules", Expr::list([Expr::map([("ObjectOwnership", "BucketOwnerEnforced")])]))]),
    );
    p.insert(
        "LifecycleConfiguration".into(),
        Expr::map([(
            "Rules",
            Expr::list([Expr::map([
                ("Id", Expr::from("expire-noncurrent-versions")),
                ("Status", Expr::from("Enabled")),
                ("NoncurrentVersionExpiration", Expr::map([("NoncurrentDays", NONCURRENT_VERSION_DAYS)])),
                ("AbortIncompleteMultipartUpload", Expr::map([("DaysAfterInitiation", 7u32)])),
            ])]),
        )]),
    );
    p.insert("Tags".into(), Expr::list([Expr::map([("Key", "ManagedBy"), ("Value", "cfnc")])]));
    bucket.retain();
    t.insert(id("StagingBucket"), bucket).expect("fresh template");

    let bucket_arn = Expr::from(Intrinsic::get_att("StagingBucket", "Arn"));
    let objects_arn = Expr::from(Intrinsic::join("", [bucket_arn.clone(), Expr::from("/*")]));
    let mut policy = Resource::new("AWS::S3::BucketPolicy");
    policy.properties.insert("Bucket".into(), Intrinsic::reference("StagingBucket").into());
    policy.properties.insert(
        "PolicyDocument".into(),
        Expr::map([
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
        ]),
    );
    t.insert(id("StagingBucketPolicy"), policy).expect("fresh template");

    t.outputs.insert(
        id(OUTPUT_BUCKET),
        Output::new("Staging bucket for cfnc templates and assets", Intrinsic::reference("StagingBucket")),
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
