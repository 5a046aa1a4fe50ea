//! AWS faults as clear diagnostics. Classification uses the SDK's structure (the error
//! variant, the service's error *code*, the HTTP status and typed credential errors in the
//! source chain), never the message text.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use miette::Diagnostic;

/// An AWS call that failed, classified.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum AwsError {
    #[error("no AWS region is configured")]
    #[diagnostic(
        code(cfnc::aws::no_region),
        help("pass --region, set AWS_REGION, or set `region` in the profile (~/.aws/config)")
    )]
    NoRegion,

    #[error("`{region}` is not an AWS region name")]
    #[diagnostic(
        code(cfnc::aws::bad_region),
        help(
            "pass --region or set AWS_REGION (or `region` in the profile) to a region code such as us-east-1"
        )
    )]
    InvalidRegion { region: String },

    #[error("no AWS credentials could be loaded ({operation}): {detail}")]
    #[diagnostic(
        code(cfnc::aws::no_credentials),
        help(
            "cfnc uses the standard AWS credential chain: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
             or pass --profile NAME (run `aws sso login --profile NAME` for SSO profiles), or run where an \
             instance/container role is available"
        )
    )]
    NoCredentials { operation: &'static str, detail: String },

    #[error("the AWS credentials are expired or not valid ({operation}: {code}): {message}")]
    #[diagnostic(
        code(cfnc::aws::expired_credentials),
        help(
            "refresh them: `aws sso login --profile NAME` for SSO, a new session for assumed roles, or check \
             that AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN belong together"
        )
    )]
    ExpiredCredentials { operation: &'static str, code: String, message: String },

    #[error("access denied: {operation} ({code}): {message}")]
    #[diagnostic(
        code(cfnc::aws::access_denied),
        help(
            "the identity in use lacks permission for {operation}; check with `aws sts get-caller-identity` \
             which identity that is, and grant it the action (or use --profile with one that has it)"
        )
    )]
    AccessDenied { operation: &'static str, code: String, message: String },

    #[error("AWS throttled {operation} ({code}) and it still failed after {attempts} attempts")]
    #[diagnostic(
        code(cfnc::aws::throttled),
        help(
            "the SDK already retried with exponential backoff; wait a minute and run the command again, \
             or allow more attempts with AWS_MAX_ATTEMPTS=10"
        )
    )]
    Throttled { operation: &'static str, code: String, attempts: u32 },

    #[error("cannot reach AWS for {operation}: {detail}")]
    #[diagnostic(
        code(cfnc::aws::network),
        help(
            "check the network connection, proxy settings (HTTPS_PROXY) and --endpoint-url / AWS_ENDPOINT_URL \
             (when set, the endpoint must be running)"
        )
    )]
    Network { operation: &'static str, detail: String },

    #[error("the staging bucket `{bucket}` does not exist")]
    #[diagnostic(
        code(cfnc::aws::no_staging_bucket),
        help("run `cfnc bootstrap` once per account and region (same --profile/--region) to create it")
    )]
    StagingBucketMissing { bucket: String },

    #[error("the bootstrap stack `{stack}` does not exist in {region}")]
    #[diagnostic(
        code(cfnc::aws::not_bootstrapped),
        help("run `cfnc bootstrap` once per account and region (same --profile/--region) to create it")
    )]
    NotBootstrapped { stack: String, region: String },

    #[error("region `{region}` is not one of the regions of environment `{env}` ({configured})")]
    #[diagnostic(
        code(cfnc::aws::region_not_configured),
        help(
            "pass one of {configured} to --region (or leave --region out for all of them); the regions are `regions` in stacks/config/{env}.yaml"
        )
    )]
    RegionNotConfigured { region: String, env: String, configured: String },

    #[error("{operation} failed ({code}): {message}")]
    #[diagnostic(code(cfnc::aws::service))]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        #[help]
        help: Option<String>,
    },
}

/// Error codes AWS services use for throttling.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes for expired or invalid credentials.
pub const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "TokenRefreshRequired",
];

/// Error codes for missing permissions.
pub const ACCESS_DENIED_CODES: &[&str] =
    &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"];

impl AwsError {
    /// The service's error code, when there was one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            AwsError::ExpiredCredentials { code, .. }
            | AwsError::AccessDenied { code, .. }
            | AwsError::Throttled { code, .. }
            | AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Classifies a failed SDK call. `attempts` is the configured maximum number of attempts
/// (the SDK retries throttling and transient errors itself before returning).
pub fn classify<E>(operation: &'static str, attempts: u32, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    if let Some(cred) = find_in_chain::<CredentialsError>(&err) {
        return AwsError::NoCredentials { operation, detail: credentials_detail(cred) };
    }
    match &err {
        SdkError::TimeoutError(_) => {
            AwsError::Network { operation, detail: "the request timed out".to_string() }
        }
        SdkError::DispatchFailure(d) => {
            let detail = chain_text(&err);
            if d.is_io() || d.is_timeout() {
                AwsError::Network { operation, detail }
            } else {
                AwsError::Network { operation, detail: format!("the request could not be sent: {detail}") }
            }
        }
        SdkError::ConstructionFailure(_) => AwsError::Service {
            operation,
            code: "RequestConstruction".to_string(),
            message: chain_text(&err),
            help: Some("this is a bug in cfnc or a bad input value; please report it".to_string()),
        },
        SdkError::ResponseError(r) => {
            let status = r.raw().status().as_u16();
            from_status(operation, attempts, None, status, chain_text(&err))
        }
        SdkError::ServiceError(s) => {
            let code = s.err().code().map(str::to_string);
            let mut message = s.err().message().unwrap_or("").to_string();
            if code.is_none() && message.is_empty() {
                // Not an AWS-shaped error (a proxy, an emulator): show what came back.
                if let Some(body) = s.raw().body().bytes() {
                    message = String::from_utf8_lossy(body).chars().take(300).collect();
                }
            }
            let status = s.raw().status().as_u16();
            from_status(operation, attempts, code, status, message)
        }
        _ => AwsError::Service {
            operation,
            code: "Unknown".to_string(),
            message: chain_text(&err),
            help: None,
        },
    }
}

fn from_status(
    operation: &'static str,
    attempts: u32,
    code: Option<String>,
    status: u16,
    message: String,
) -> AwsError {
    let c = code.as_deref().unwrap_or("");
    if THROTTLING_CODES.contains(&c) || (code.is_none() && (status == 429 || status == 503)) {
        return AwsError::Throttled {
            operation,
            code: code.unwrap_or_else(|| format!("HTTP {status}")),
            attempts,
        };
    }
    if CREDENTIAL_CODES.contains(&c) {
        return AwsError::ExpiredCredentials { operation, code: c.to_string(), message };
    }
    if ACCESS_DENIED_CODES.contains(&c) || (code.is_none() && status == 403) {
        return AwsError::AccessDenied {
            operation,
            code: code.unwrap_or_else(|| "HTTP 403".to_string()),
            message: if message.is_empty() {
                "no message (HEAD requests carry no body)".into()
            } else {
                message
            },
        };
    }
    AwsError::Service {
        operation,
        code: code.unwrap_or_else(|| format!("HTTP {status}")),
        message,
        help: None,
    }
}

fn credentials_detail(e: &CredentialsError) -> String {
    let mut s = match e {
        CredentialsError::CredentialsNotLoaded(_) => "no provider in the chain had credentials".to_string(),
        CredentialsError::ProviderTimedOut(_) => "the credentials provider timed out".to_string(),
        CredentialsError::InvalidConfiguration(_) => "the AWS configuration is invalid".to_string(),
        CredentialsError::ProviderError(_) => "the credentials provider failed".to_string(),
        _ => "the credentials provider failed unexpectedly".to_string(),
    };
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn find_in_chain<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

/// All messages of an error's source chain, joined (for diagnostics only, never matched).
pub fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let t = e.to_string();
        if parts.last() != Some(&t) {
            parts.push(t);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decide_the_class() {
        assert!(matches!(
            from_status("X", 3, Some("Throttling".into()), 400, String::new()),
            AwsError::Throttled { attempts: 3, .. }
        ));
        assert!(matches!(
            from_status("X", 3, Some("ExpiredToken".into()), 400, String::new()),
            AwsError::ExpiredCredentials { .. }
        ));
        assert!(matches!(
            from_status("X", 3, Some("AccessDenied".into()), 403, String::new()),
            AwsError::AccessDenied { .. }
        ));
        assert!(matches!(from_status("X", 3, None, 403, String::new()), AwsError::AccessDenied { .. }));
        assert!(matches!(from_status("X", 3, None, 503, String::new()), AwsError::Throttled { .. }));
        assert!(matches!(
            from_status("X", 3, Some("ValidationError".into()), 400, "bad".into()),
            AwsError::Service { .. }
        ));
    }
}
