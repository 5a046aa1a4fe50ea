//! AWS access: one `SdkConfig` loaded once from the standard chain (env, profiles, SSO,
//! IMDS), with `--profile`, `--region` and `--endpoint-url` / `AWS_ENDPOINT_URL` on top, and
//! the service clients built from it, one [`Aws`] per region: the same credentials and
//! endpoint for every region an environment is deployed to ([`Aws::in_region`],
//! [`targets`]). Errors are classified in [`error`].

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

/// Loads the SDK configuration once (the region may be missing: an environment with
/// configured regions names its own). Credentials are resolved lazily by the SDK on the first
/// call, so a missing profile or expired token surfaces as an [`AwsError`] there.
pub async fn load_config(opts: &AwsOptions) -> SdkConfig {
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
    loader.load().await
}

/// The regions a command acts on, in rollout order (the primary region first), each with its
/// clients. `configured`: the environment's regions in rollout order (empty: the one region of
/// the AWS configuration). `--region` selects one of them.
pub fn targets(
    config: &SdkConfig,
    opts: &AwsOptions,
    configured: &[String],
    env: &str,
) -> Result<Vec<Aws>, AwsError> {
    if configured.is_empty() {
        return Ok(vec![Aws::from_config(config.clone())?]);
    }
    match &opts.region {
        Some(r) if configured.contains(r) => Ok(vec![Aws::for_region(config, r)?]),
        Some(r) => Err(AwsError::RegionNotConfigured {
            region: r.clone(),
            env: env.to_string(),
            configured: configured.join(", "),
        }),
        None => configured.iter().map(|r| Aws::for_region(config, r)).collect(),
    }
}

impl Aws {
    /// Loads the configuration once, for the region it names (see [`load_config`]).
    pub async fn load(opts: &AwsOptions) -> Result<Aws, AwsError> {
        Aws::from_config(load_config(opts).await)
    }

    /// Clients for `region` with the credentials and endpoint of `config`.
    pub fn for_region(config: &SdkConfig, region: &str) -> Result<Aws, AwsError> {
        Aws::from_config(config.to_builder().region(Region::new(region.to_string())).build())
    }

    /// The same credentials and endpoint in another region.
    pub fn in_region(&self, region: &str) -> Result<Aws, AwsError> {
        Aws::for_region(&self.config, region)
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
        cfnc::partition::of_region(&self.region).url_suffix
    }

    /// The HTTPS URL CloudFormation reads an object of the staging bucket from. CloudFormation
    /// (also an emulated one) fetches it from its own S3, so this is the AWS form even when
    /// cfnc itself talks to an endpoint override.
    pub fn s3_object_url(&self, bucket: &str, key: &str) -> String {
        format!("https://{bucket}.s3.{}.{}/{key}", self.region, self.url_suffix())
    }

    /// Where a person follows a stack in the console of the region's partition (the stack
    /// id where the console is not public).
    pub fn console_stack_url(&self, stack_id: &str) -> String {
        let fragment = format!("#/stacks/events?stackId={}", url_encode(stack_id));
        cfnc::partition::console_url(&self.region, "cloudformation", &fragment)
            .unwrap_or_else(|| format!("the {} console (stack {stack_id})", self.region))
    }
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

    fn aws(region: &str) -> Aws {
        let conf = SdkConfig::builder()
            .region(Region::new(region.to_string()))
            .behavior_version(BehaviorVersion::latest())
            .build();
        Aws::from_config(conf).unwrap()
    }

    #[test]
    fn console_links_and_urls_follow_the_partition() {
        let id = "arn:aws-cn:cloudformation:cn-north-1:1:stack/s/x";
        assert!(
            aws("cn-north-1")
                .console_stack_url(id)
                .starts_with("https://console.amazonaws.cn/cloudformation/home?region=cn-north-1#/stacks/events?stackId=arn%3Aaws-cn"),
        );
        assert!(
            aws("us-gov-west-1").console_stack_url(id).starts_with("https://console.amazonaws-us-gov.com/")
        );
        assert!(
            aws("eu-west-1")
                .console_stack_url(id)
                .starts_with("https://console.aws.amazon.com/cloudformation/home?region=eu-west-1#")
        );
        assert_eq!(aws("cn-north-1").url_suffix(), "amazonaws.com.cn");
        assert_eq!(aws("cn-north-1").s3_object_url("b", "k"), "https://b.s3.cn-north-1.amazonaws.com.cn/k");
        assert_eq!(aws("eu-west-1").in_region("ap-southeast-1").unwrap().region, "ap-southeast-1");
    }

    #[test]
    fn targets_are_the_configured_regions_or_the_one_asked_for() {
        let config = SdkConfig::builder().behavior_version(BehaviorVersion::latest()).build();
        let configured = ["us-east-1".to_string(), "eu-west-1".to_string()];
        let all = targets(&config, &AwsOptions::default(), &configured, "dev").unwrap();
        assert_eq!(all.iter().map(|a| a.region.as_str()).collect::<Vec<_>>(), ["us-east-1", "eu-west-1"]);
        let one = AwsOptions { region: Some("eu-west-1".into()), ..Default::default() };
        assert_eq!(targets(&config, &one, &configured, "dev").unwrap()[0].region, "eu-west-1");
        let other = AwsOptions { region: Some("eu-north-1".into()), ..Default::default() };
        let e = targets(&config, &other, &configured, "dev").unwrap_err().to_string();
        assert!(e.contains("eu-north-1") && e.contains("dev"), "{e}");
        assert!(matches!(targets(&config, &AwsOptions::default(), &[], "dev"), Err(AwsError::NoRegion)));
    }
}
