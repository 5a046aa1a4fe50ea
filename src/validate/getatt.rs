//! The `Fn::GetAtt` attributes of a resource type.
//!
//! Mostly the schema's `readOnlyProperties`, but CloudFormation also allows `GetAtt` on every
//! property of some older (pre-registry) types, and on a few named properties of others. The
//! two lists below record that behaviour, as cfn-lint does (`cfnlint/schema/_getatts.py`,
//! MIT-0); without them, e.g. `!GetAtt Vpc.CidrBlock` would be reported wrongly.

use serde_json::Value;

use super::intrinsics::deref;

/// Types whose every (scalar or list-of-scalar) property is also an attribute.
const ALL_PROPERTY_TYPES: &[&str] = &[
    "AWS::Amplify::Branch",
    "AWS::Amplify::Domain",
    "AWS::AppSync::DomainName",
    "AWS::AppSync::FunctionConfiguration",
    "AWS::AppSync::Resolver",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::Backup::BackupSelection",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    "AWS::CodeArtifact::Domain",
    "AWS::CodeArtifact::Repository",
    "AWS::EC2::CapacityReservation",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EFS::MountTarget",
    "AWS::EKS::Nodegroup",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Events::EventBus",
    "AWS::EventSchemas::Discoverer",
    "AWS::EventSchemas::Registry",
    "AWS::EventSchemas::Schema",
    "AWS::GameLift::GameSessionQueue",
    "AWS::GameLift::MatchmakingConfiguration",
    "AWS::GameLift::MatchmakingRuleSet",
    "AWS::Grafana::Workspace",
    "AWS::ImageBuilder::Component",
    "AWS::ImageBuilder::ContainerRecipe",
    "AWS::ImageBuilder::DistributionConfiguration",
    "AWS::ImageBuilder::ImagePipeline",
    "AWS::ImageBuilder::ImageRecipe",
    "AWS::ImageBuilder::InfrastructureConfiguration",
    "AWS::ManagedBlockchain::Node",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBParameterGroup",
    "AWS::RedshiftServerless::Workgroup",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation",
    "AWS::S3::AccessPoint",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSM::Parameter",
    "AWS::StepFunctions::Activity",
];

/// Named properties that are attributes besides the read-only ones.
const EXTRA: &[(&str, &[&str])] = &[
    ("AWS::AppSync::DataSource", &["Name"]),
    ("AWS::CloudWatch::InsightRule", &["RuleName"]),
    ("AWS::DocDB::DBCluster", &["Port"]),
    ("AWS::Kinesis::StreamConsumer", &["ConsumerName", "StreamARN"]),
    ("AWS::Route53Resolver::ResolverEndpoint", &["Direction", "Name"]),
    ("AWS::SageMaker::Endpoint", &["EndpointName"]),
    ("AWS::SageMaker::Model", &["ModelName"]),
    ("AWS::ServiceDiscovery::Service", &["Name"]),
    ("AWS::Transfer::User", &["ServerId", "UserName"]),
];

fn walk(schema: &Value, node: &Value, path: &str, out: &mut Vec<String>) {
    let node = deref(schema, node);
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"object") {
        for (name, child) in node.get("properties").and_then(Value::as_object).into_iter().flatten() {
            walk(schema, child, &format!("{path}.{name}"), out);
        }
    } else if types.contains(&"array") {
        let item = deref(schema, node.get("items").unwrap_or(&Value::Null));
        if !matches!(item.get("type").and_then(Value::as_str), Some("object" | "array")) {
            out.push(path.to_string());
        }
    } else {
        out.push(path.to_string());
    }
}

/// The GetAtt attributes of a vendored type (dotted form, sorted), or `None` when the type
/// has no vendored schema.
pub fn attributes(type_name: &str) -> Option<Vec<String>> {
    let schema = crate::schema::get(type_name)?;
    let mut out = schema.attributes();
    if ALL_PROPERTY_TYPES.contains(&type_name) {
        for (name, prop) in schema.json.get("properties").and_then(Value::as_object).into_iter().flatten() {
            walk(&schema.json, prop, name, &mut out);
        }
    }
    if let Some((_, names)) = EXTRA.iter().find(|(t, _)| *t == type_name) {
        out.extend(names.iter().map(|s| s.to_string()));
    }
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_types_expose_their_properties() {
        let vpc = attributes("AWS::EC2::VPC").unwrap();
        assert!(vpc.contains(&"CidrBlock".to_string()));
        assert!(vpc.contains(&"DefaultSecurityGroup".to_string()));
        let topic = attributes("AWS::SNS::Topic").unwrap();
        assert!(topic.contains(&"TopicName".to_string()));
        assert!(!attributes("AWS::S3::Bucket").unwrap().contains(&"BucketName".to_string()));
        assert!(attributes("AWS::CloudWatch::InsightRule").unwrap().contains(&"RuleName".to_string()));
    }
}
