//! AWS partitions: which partition a region belongs to, its DNS suffix (`AWS::URLSuffix`) and
//! the host of its management console, for links that people open (stack events, dashboards).
//!
//! An AWS account belongs to exactly one partition, so the regions of one deployment are in one
//! partition. Sources:
//! - `AWS::Partition` / `AWS::URLSuffix` (CloudFormation Template Reference, "Pseudo parameters
//!   reference"): `aws` with `amazonaws.com` in standard regions, `aws-cn` with
//!   `amazonaws.com.cn` in China, `aws-us-gov` with `amazonaws.com` in AWS GovCloud (US);
//! - console hosts: `console.aws.amazon.com` (AWS Management Console), `console.amazonaws.cn`
//!   ("How IAM users sign in", the China general sign-in endpoint `https://console.amazonaws.cn/`),
//!   `console.amazonaws-us-gov.com` (AWS GovCloud (US) User Guide, "Configuring your account":
//!   `https://console.amazonaws-us-gov.com/iam`). Console links carry the region as the
//!   `region=` query parameter, which every console host honours; the isolated partitions'
//!   consoles are not public, so they have no host here.

/// One partition and what differs in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, ... (the value of `AWS::Partition`).
    pub name: &'static str,
    /// The value of `AWS::URLSuffix` there.
    pub url_suffix: &'static str,
    /// The management console's host, where it is public.
    pub console_host: Option<&'static str>,
    /// Region codes of this partition start with one of these (the standard partition has none).
    region_prefixes: &'static [&'static str],
}

/// The partitions cfnc knows, the standard one first.
pub const PARTITIONS: [Partition; 5] = [
    Partition {
        name: "aws",
        url_suffix: "amazonaws.com",
        console_host: Some("console.aws.amazon.com"),
        region_prefixes: &[],
    },
    Partition {
        name: "aws-cn",
        url_suffix: "amazonaws.com.cn",
        console_host: Some("console.amazonaws.cn"),
        region_prefixes: &["cn-"],
    },
    Partition {
        name: "aws-us-gov",
        url_suffix: "amazonaws.com",
        console_host: Some("console.amazonaws-us-gov.com"),
        region_prefixes: &["us-gov-"],
    },
    Partition {
        name: "aws-iso",
        url_suffix: "c2s.ic.gov",
        console_host: None,
        region_prefixes: &["us-iso-"],
    },
    Partition {
        name: "aws-iso-b",
        url_suffix: "sc2s.sgov.gov",
        console_host: None,
        region_prefixes: &["us-isob-"],
    },
];

/// The partition of a region code (`cn-north-1` -> `aws-cn`); the standard partition for
/// every region without a partition prefix.
pub fn of_region(region: &str) -> &'static Partition {
    PARTITIONS
        .iter()
        .find(|p| p.region_prefixes.iter().any(|prefix| region.starts_with(prefix)))
        .unwrap_or(&PARTITIONS[0])
}

/// A partition by its name (`aws-us-gov`).
pub fn named(name: &str) -> Option<&'static Partition> {
    PARTITIONS.iter().find(|p| p.name == name)
}

/// `https://<console host>/<service>/home?region=<region>` followed by `fragment` (which starts
/// with `#`, or is empty); `None` where the partition's console is not public.
pub fn console_url(region: &str, service: &str, fragment: &str) -> Option<String> {
    let host = of_region(region).console_host?;
    Some(format!("https://{host}/{service}/home?region={region}{fragment}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partitions() {
        assert_eq!(of_region("us-east-1").name, "aws");
        assert_eq!(of_region("ap-southeast-1").name, "aws");
        assert_eq!(of_region("cn-northwest-1").name, "aws-cn");
        assert_eq!(of_region("cn-north-1").url_suffix, "amazonaws.com.cn");
        assert_eq!(of_region("us-gov-west-1").name, "aws-us-gov");
        assert_eq!(of_region("us-gov-east-1").url_suffix, "amazonaws.com");
        assert_eq!(of_region("us-iso-east-1").name, "aws-iso");
        assert_eq!(of_region("us-isob-east-1").name, "aws-iso-b");
        assert_eq!(named("aws-cn").map(|p| p.url_suffix), Some("amazonaws.com.cn"));
        assert!(named("nope").is_none());
    }

    #[test]
    fn console_links_use_each_partitions_console_host() {
        assert_eq!(
            console_url("eu-west-1", "cloudwatch", "#dashboards:name=d").as_deref(),
            Some("https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=d")
        );
        assert_eq!(
            console_url("cn-north-1", "cloudformation", "").as_deref(),
            Some("https://console.amazonaws.cn/cloudformation/home?region=cn-north-1")
        );
        assert_eq!(
            console_url("us-gov-west-1", "cloudwatch", "").as_deref(),
            Some("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1")
        );
        assert_eq!(console_url("us-iso-east-1", "cloudwatch", ""), None);
    }
}
