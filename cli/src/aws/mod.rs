//! AWS access: one `SdkConfig` loaded once from the standard chain (env, profiles, SSO,
//! IMDS), with `--profile`, `--region` and `--endpoint-url` / `AWS_ENDPOINT_URL` on top, and
//! the service clients built from it. Errors are classified in [`error`].

pub mod error;

use aws_config::{BehaviorVersion, Region, SdkConfig};

pub use error::{AwsError, classify};

/// What the command line says about where and as whom to talk to AWS.
#[derive(Clone, Debug, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// The loaded configuration and the clients cfnc uses.
#[derive(Clone, Debug)]
pub struct Aws {
    pub config: SdkConfig,
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub region: String,
    /// Set when talking to an emulator or a custom endpoint.
    pub endpoint_url: Option<String>,
}

impl Aws {
    /// Loads the configuration once. Credentials are resolved lazily by the SDK on the first
    /// call, so a missing profile or expired token surfaces as an [`AwsError`] there.
    pub async fn load(opts: &AwsOptions) -> Result<Aws, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &opts.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &opts.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        Aws::from_config(config)
    }

    /// Builds the clients from a ready `SdkConfig` (tests pass their own).
    pub fn from_config(config: SdkConfig) -> Result<Aws, AwsError> {
        let region = config.region().map(|r| r.to_string()).ok_or(AwsError::NoRegion)?;
        // Endpoints are built from the region: it must be a host label (the SDK would fail
        // later with an error about request construction).
        let label = |s: &str| {
            !s.is_empty()
                && s.len() <= 63
                && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !s.starts_with('-')
                && !s.ends_with('-')
        };
        if !label(&region) {
            return Err(AwsError::InvalidRegion { region });
        }
        let endpoint_url = config.endpoint_url().map(str::to_string);
        let cfn = aws_sdk_cloudformation::Client::new(&config);
        // Emulators and custom endpoints do not resolve bucket subdomains: use path-style.
        let s3_conf =
            aws_sdk_s3::config::Builder::from(&config).force_path_style(endpoint_url.is_some()).build();
        let s3 = aws_sdk_s3::Client::from_conf(s3_conf);
        Ok(Aws { config, cfn, s3, region, endpoint_url })
    }

    /// How many attempts the SDK makes per call (retries with exponential backoff).
    pub fn max_attempts(&self) -> u32 {
        self.config.retry_config().map(|r| r.max_attempts()).unwrap_or(3)
    }

    /// The DNS suffix of the partition the region belongs to.
    pub fn url_suffix(&self) -> &'static str {
        url_suffix(&self.region)
    }

    /// The HTTPS URL CloudFormation reads an object of the staging bucket from. CloudFormation
    /// (also an emulated one) fetches it from its own S3, so this is the AWS form even when
    /// cfnc itself talks to an endpoint override.
    pub fn s3_object_url(&self, bucket: &str, key: &str) -> String {
        format!("https://{bucket}.s3.{}.{}/{key}", self.region, self.url_suffix())
    }

    /// Where a person follows a stack in the AWS console.
    pub fn console_stack_url(&self, stack_id: &str) -> String {
        let host = if self.region.starts_with("cn-") {
            format!("{}.console.amazonaws.cn", self.region)
        } else if self.region.starts_with("us-gov-") {
            format!("{}.console.amazonaws-us-gov.com", self.region)
        } else {
            format!("{}.console.aws.amazon.com", self.region)
        };
        format!(
            "https://{host}/cloudformation/home?region={}#/stacks/events?stackId={}",
            self.region,
            url_encode(stack_id)
        )
    }
}

/// `amazonaws.com`, or the suffix of the China partition.
pub fn url_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_stack_arns_for_console_links() {
        assert_eq!(
            url_encode("arn:aws:cloudformation:us-east-1:1:stack/a-b/x"),
            "arn%3Aaws%3Acloudformation%3Aus-east-1%3A1%3Astack%2Fa-b%2Fx"
        );
    }

    #[test]
    fn china_regions_use_their_partition_suffix() {
        assert_eq!(url_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(url_suffix("eu-west-1"), "amazonaws.com");
    }
}
