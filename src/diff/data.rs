//! Resource types that hold data, and the policies that keep it.
//!
//! Sources: "DeletionPolicy attribute" and "UpdateReplacePolicy attribute" (CloudFormation
//! template reference). A removed resource is kept when its `DeletionPolicy` (in the deployed,
//! i.e. old, template) is `Retain` or `RetainExceptOnCreate`; a replaced resource's old
//! instance is kept when `UpdateReplacePolicy` (in the template being deployed) is `Retain`.
//! `Snapshot` keeps the data as a snapshot for the types that support it. The default is
//! `Delete`, except `Snapshot` for `AWS::RDS::DBCluster` and for `AWS::RDS::DBInstance`
//! without `DBClusterIdentifier`.

use std::collections::BTreeMap;

use super::value::Val;

/// Types whose deletion loses data (stored objects, records, log events, key material).
/// The bool says whether the type supports the `Snapshot` policy.
const DATA_TYPES: &[(&str, bool)] = &[
    ("AWS::S3::Bucket", false),
    ("AWS::S3Express::DirectoryBucket", false),
    ("AWS::Logs::LogGroup", false),
    ("AWS::Logs::LogStream", false),
    // Deleting a key makes everything encrypted under it unreadable (after the waiting period).
    ("AWS::KMS::Key", false),
    ("AWS::KMS::ReplicaKey", false),
    ("AWS::DynamoDB::Table", false),
    ("AWS::DynamoDB::GlobalTable", false),
    // SAM's table is a DynamoDB table once expanded.
    ("AWS::Serverless::SimpleTable", false),
    ("AWS::RDS::DBInstance", true),
    ("AWS::RDS::DBCluster", true),
    ("AWS::Neptune::DBCluster", true),
    ("AWS::DocDB::DBCluster", false),
    ("AWS::Redshift::Cluster", true),
    ("AWS::ElastiCache::CacheCluster", true),
    ("AWS::ElastiCache::ReplicationGroup", true),
    ("AWS::EC2::Volume", true),
    ("AWS::EFS::FileSystem", false),
    ("AWS::FSx::FileSystem", false),
    ("AWS::Kinesis::Stream", false),
    ("AWS::SQS::Queue", false),
    ("AWS::SecretsManager::Secret", false),
    ("AWS::Cognito::UserPool", false),
    ("AWS::ECR::Repository", false),
    ("AWS::Backup::BackupVault", false),
    ("AWS::OpenSearchService::Domain", false),
    ("AWS::Elasticsearch::Domain", false),
    ("AWS::Timestream::Table", false),
    ("AWS::MSK::Cluster", false),
];

/// Whether `type_name` holds data, and whether it supports `Snapshot`.
pub(crate) fn data_type(type_name: &str) -> Option<bool> {
    DATA_TYPES.iter().find(|(t, _)| *t == type_name).map(|(_, snap)| *snap)
}

/// Every data-holding type (for the rules document and tests).
pub(crate) fn data_types() -> impl Iterator<Item = &'static str> {
    DATA_TYPES.iter().map(|(t, _)| *t)
}

/// `DeletionPolicy` CloudFormation applies when the template gives none.
fn default_deletion_policy(type_name: &str, props: &BTreeMap<String, Val>) -> &'static str {
    match type_name {
        "AWS::RDS::DBCluster" => "Snapshot",
        "AWS::RDS::DBInstance" if !props.contains_key("DBClusterIdentifier") => "Snapshot",
        _ => "Delete",
    }
}

/// True when removing the resource deletes its data.
pub(crate) fn removal_deletes_data(
    type_name: &str,
    deletion_policy: Option<&str>,
    props: &BTreeMap<String, Val>,
) -> bool {
    let Some(snapshot) = data_type(type_name) else { return false };
    let policy = deletion_policy.unwrap_or_else(|| default_deletion_policy(type_name, props));
    !keeps(policy, snapshot)
}

/// True when replacing the resource deletes the old instance's data.
pub(crate) fn replacement_deletes_data(type_name: &str, update_replace_policy: Option<&str>) -> bool {
    let Some(snapshot) = data_type(type_name) else { return false };
    !keeps(update_replace_policy.unwrap_or("Delete"), snapshot)
}

fn keeps(policy: &str, snapshot_capable: bool) -> bool {
    match policy {
        "Retain" | "RetainExceptOnCreate" => true,
        "Snapshot" => snapshot_capable,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        let none = BTreeMap::new();
        assert!(removal_deletes_data("AWS::S3::Bucket", None, &none));
        assert!(!removal_deletes_data("AWS::S3::Bucket", Some("Retain"), &none));
        assert!(!removal_deletes_data("AWS::S3::Bucket", Some("RetainExceptOnCreate"), &none));
        // Snapshot is not supported for buckets: the bucket is deleted.
        assert!(removal_deletes_data("AWS::S3::Bucket", Some("Snapshot"), &none));
        assert!(!removal_deletes_data("AWS::RDS::DBCluster", None, &none));
        assert!(removal_deletes_data("AWS::RDS::DBCluster", Some("Delete"), &none));
        assert!(!removal_deletes_data("AWS::SNS::Topic", None, &none));
        assert!(replacement_deletes_data("AWS::Logs::LogGroup", None));
        assert!(!replacement_deletes_data("AWS::Logs::LogGroup", Some("Retain")));
    }
}
