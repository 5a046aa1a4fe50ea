//! Uploads templates and assets to the staging bucket: content-addressed keys, so an object
//! that already exists (HEAD, same size) is skipped; uploads run in parallel with a bound.

use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::build_output::BuildOutput;
use super::ui::Ui;
use super::{DeployError, staging};
use crate::aws::{Aws, AwsError, classify};

/// At most this many uploads at once.
pub const MAX_PARALLEL_UPLOADS: usize = 4;

/// One object to put in the bucket.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub path: PathBuf,
    pub key: String,
    pub bytes: u64,
    pub content_type: &'static str,
}

/// What an upload run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct UploadReport {
    pub uploaded: Vec<String>,
    pub skipped: Vec<String>,
    pub bytes_uploaded: u64,
}

/// Every artifact of a build: templates first, then assets.
pub fn artifacts(out: &BuildOutput) -> Vec<Artifact> {
    let m = &out.manifest;
    let templates = m.stacks.iter().map(|s| Artifact {
        path: out.dir.join(&s.file),
        key: s.s3_key.clone(),
        bytes: s.bytes,
        content_type: "application/json",
    });
    let assets = m.assets.iter().map(|a| Artifact {
        path: out.dir.join(&a.file),
        key: a.s3_key.clone(),
        bytes: a.bytes,
        content_type: if a.file.ends_with(".zip") { "application/zip" } else { "application/octet-stream" },
    });
    let mut all: Vec<Artifact> = templates.chain(assets).collect();
    all.sort_by(|a, b| a.key.cmp(&b.key));
    all.dedup_by(|a, b| a.key == b.key);
    all
}

/// Uploads what is missing. Fails on the first error (the others are cancelled).
pub async fn upload(
    aws: &Aws,
    bucket: &str,
    items: Vec<Artifact>,
    ui: &Ui,
) -> Result<UploadReport, DeployError> {
    staging::check_bucket(aws, bucket).await?;
    let bar = ui.bar(items.len() as u64, "uploading");
    let sem = Arc::new(Semaphore::new(MAX_PARALLEL_UPLOADS));
    let mut set = JoinSet::new();
    for item in items {
        let sem = sem.clone();
        let s3 = aws.s3.clone();
        let bucket = bucket.to_string();
        let attempts = aws.max_attempts();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await.expect("the semaphore is never closed");
            let done = put_if_missing(&s3, attempts, &bucket, &item).await;
            (item, done)
        });
    }
    let mut report = UploadReport::default();
    while let Some(joined) = set.join_next().await {
        let (item, done) = joined.expect("upload tasks do not panic");
        let uploaded = match done {
            Ok(u) => u,
            Err(e) => {
                set.abort_all();
                if let Some(b) = &bar {
                    b.abandon();
                }
                return Err(e);
            }
        };
        let line = if uploaded {
            report.bytes_uploaded += item.bytes;
            report.uploaded.push(item.key.clone());
            format!("uploaded s3://{bucket}/{} ({} bytes)", item.key, item.bytes)
        } else {
            report.skipped.push(item.key.clone());
            format!("exists   s3://{bucket}/{}", item.key)
        };
        match &bar {
            Some(b) => {
                b.inc(1);
                b.set_message(if uploaded { "uploading" } else { "checking" });
            }
            None => ui.detail(line),
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report.uploaded.sort();
    report.skipped.sort();
    ui.info(format!(
        "uploads: {} uploaded ({} bytes), {} already in s3://{bucket}",
        report.uploaded.len(),
        report.bytes_uploaded,
        report.skipped.len()
    ));
    Ok(report)
}

/// HEAD, then PUT when the object is missing or has another size. `Ok(true)` when uploaded.
async fn put_if_missing(
    s3: &aws_sdk_s3::Client,
    attempts: u32,
    bucket: &str,
    item: &Artifact,
) -> Result<bool, DeployError> {
    match s3.head_object().bucket(bucket).key(&item.key).send().await {
        Ok(head) if head.content_length() == Some(item.bytes as i64) => return Ok(false),
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
        Err(e) => return Err(classify("S3 HeadObject", attempts, e).into()),
    }
    let body = ByteStream::from_path(&item.path).await.map_err(|e| DeployError::BadFile {
        path: item.path.clone(),
        reason: e.to_string(),
        help: None,
    })?;
    s3.put_object()
        .bucket(bucket)
        .key(&item.key)
        .content_type(item.content_type)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.as_service_error().and_then(|s| aws_sdk_s3::error::ProvideErrorMetadata::code(s))
                == Some("NoSuchBucket")
            {
                DeployError::Aws(AwsError::StagingBucketMissing { bucket: bucket.to_string() })
            } else {
                classify("S3 PutObject", attempts, e).into()
            }
        })?;
    Ok(true)
}
