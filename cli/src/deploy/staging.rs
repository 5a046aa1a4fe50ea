//! Finding the staging bucket that `cfnc bootstrap` made.

use super::bootstrap::{BOOTSTRAP_STACK, MIN_BOOTSTRAP_VERSION, OUTPUT_BUCKET, OUTPUT_VERSION};
use super::{DeployError, stack};
use crate::aws::{Aws, AwsError, classify};

/// The staging bucket's name, from the bootstrap stack's outputs.
pub async fn bucket_name(aws: &Aws) -> Result<String, DeployError> {
    let Some(s) = stack::describe(aws, BOOTSTRAP_STACK).await? else {
        return Err(
            AwsError::NotBootstrapped { stack: BOOTSTRAP_STACK.into(), region: aws.region.clone() }.into()
        );
    };
    match stack::StackState::of(Some(&s)) {
        stack::StackState::Ready(_) => {}
        stack::StackState::InProgress(status) => {
            return Err(DeployError::StackInProgress {
                stack: BOOTSTRAP_STACK.into(),
                status,
                console: s.stack_id().map(|id| aws.console_stack_url(id)).unwrap_or_default(),
            });
        }
        _ => {
            return Err(AwsError::NotBootstrapped {
                stack: BOOTSTRAP_STACK.into(),
                region: aws.region.clone(),
            }
            .into());
        }
    }
    let output = |key: &str| {
        s.outputs()
            .iter()
            .find(|o| o.output_key() == Some(key))
            .and_then(|o| o.output_value())
            .map(str::to_string)
    };
    let version = output(OUTPUT_VERSION).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    if version < MIN_BOOTSTRAP_VERSION {
        return Err(DeployError::StackUnusable {
            stack: BOOTSTRAP_STACK.into(),
            status: format!("bootstrap version {version}"),
            help: Some(format!(
                "this cfnc needs bootstrap version {MIN_BOOTSTRAP_VERSION} or later: run `cfnc bootstrap`"
            )),
        });
    }
    output(OUTPUT_BUCKET).ok_or_else(|| {
        AwsError::NotBootstrapped { stack: BOOTSTRAP_STACK.into(), region: aws.region.clone() }.into()
    })
}

/// Fails with "run cfnc bootstrap" when the bucket is gone.
pub async fn check_bucket(aws: &Aws, bucket: &str) -> Result<(), DeployError> {
    match aws.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
            Err(AwsError::StagingBucketMissing { bucket: bucket.to_string() }.into())
        }
        Err(e) => Err(classify("S3 HeadBucket", aws.max_attempts(), e).into()),
    }
}
