//! What a reviewer must look at: data deleted, IAM widened, security groups widened.
//! Computed from the deployed (`old`) and new resource JSON; where one side is unknown the
//! flag errs on the side of showing.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use cfnc::change::{Action, ChangeRow, Flag, Replacement};

/// Types whose deletion loses data (or, for nested stacks, everything inside).
pub const DATA_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::Logs::LogGroup",
    "AWS::KMS::Key",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::EFS::FileSystem",
    "AWS::ECR::Repository",
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::SecretsManager::Secret",
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::Redshift::Cluster",
    "AWS::DocDB::DBCluster",
    "AWS::Neptune::DBCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Backup::BackupVault",
    "AWS::Timestream::Table",
    "AWS::CloudFormation::Stack",
];

/// Types that grant permissions (identity or resource policies).
pub const IAM_TYPES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::AccessKey",
    "AWS::IAM::UserToGroupAddition",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::KMS::Key",
    "AWS::Lambda::Permission",
    "AWS::Logs::ResourcePolicy",
    "AWS::Events::EventBusPolicy",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::ECR::Repository",
];

const SG_TYPES: &[&str] =
    &["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"];

/// Flags of one row, sorted and unique.
pub fn flags(row: &ChangeRow, old: Option<&Json>, new: Option<&Json>) -> Vec<Flag> {
    let mut out = BTreeSet::new();
    let ty = row.type_name.as_str();
    if DATA_TYPES.contains(&ty) {
        let replaced = matches!(row.replacement, Some(Replacement::True | Replacement::Conditional));
        let kept = |r: Option<&Json>, attr: &str| {
            r.and_then(|r| r.get(attr))
                .and_then(|p| p.as_str())
                .is_some_and(|p| matches!(p, "Retain" | "Snapshot" | "RetainExceptOnCreate"))
        };
        if row.action == Action::Remove && !kept(old, "DeletionPolicy") {
            out.insert(Flag::DeleteData);
        }
        if row.action == Action::Modify && replaced && !kept(new, "UpdateReplacePolicy") {
            out.insert(Flag::DeleteData);
        }
    }
    if IAM_TYPES.contains(&ty) && matches!(row.action, Action::Add | Action::Modify | Action::Import) {
        let widened = match (row.action, old, new) {
            (Action::Modify, Some(o), Some(n)) => !grants(n).is_subset(&grants(o)),
            (_, _, Some(n)) => !grants(n).is_empty(),
            _ => true,
        };
        if widened {
            out.insert(Flag::IamWidening);
        }
    }
    if SG_TYPES.contains(&ty) && matches!(row.action, Action::Add | Action::Modify | Action::Import) {
        let widened = match (row.action, old, new) {
            (Action::Modify, Some(o), Some(n)) => !sg_rules(ty, n).is_subset(&sg_rules(ty, o)),
            (_, _, Some(n)) => !sg_rules(ty, n).is_empty(),
            _ => true,
        };
        if widened {
            out.insert(Flag::SgWidening);
        }
    }
    out.into_iter().collect()
}

/// Canonical JSON text (object keys sorted) for set comparisons.
pub fn canonical(v: &Json) -> String {
    fn sort(v: &Json) -> Json {
        match v {
            Json::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Json::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Json::Array(l) => Json::Array(l.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

fn as_list(v: Option<&Json>) -> Vec<Json> {
    match v {
        None => vec![Json::Null],
        Some(Json::Array(l)) if !l.is_empty() => l.clone(),
        Some(Json::Array(_)) => vec![Json::Null],
        Some(other) => vec![other.clone()],
    }
}

/// Every (action, resource, principal, condition) an Allow statement grants, anywhere in a
/// resource (inline policies, assume-role documents, key and bucket policies), plus managed
/// policy attachments and Lambda permissions. Bounded expansion.
pub fn grants(resource: &Json) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let props = resource.get("Properties").unwrap_or(&Json::Null);
    collect_statements(props, &mut out);
    if let Some(arns) = props.get("ManagedPolicyArns").and_then(|a| a.as_array()) {
        for a in arns {
            out.insert(format!("managed {}", canonical(a)));
        }
    }
    if resource.get("Type").and_then(|t| t.as_str()) == Some("AWS::Lambda::Permission") {
        out.insert(format!("lambda-permission {}", canonical(props)));
    }
    out
}

const MAX_GRANTS: usize = 20_000;

fn collect_statements(v: &Json, out: &mut BTreeSet<String>) {
    match v {
        Json::Object(m) => {
            if let Some(st) = m.get("Statement") {
                for s in as_list(Some(st)) {
                    if s.get("Effect").and_then(|e| e.as_str()) != Some("Allow") {
                        continue;
                    }
                    let cond = s.get("Condition").map(canonical).unwrap_or_default();
                    let (akey, actions) = match s.get("NotAction") {
                        Some(na) => ("not-action", as_list(Some(na))),
                        None => ("action", as_list(s.get("Action"))),
                    };
                    let (rkey, res) = match s.get("NotResource") {
                        Some(nr) => ("not-resource", as_list(Some(nr))),
                        None => ("resource", as_list(s.get("Resource"))),
                    };
                    let (pkey, principals) = match s.get("NotPrincipal") {
                        Some(np) => ("not-principal", principal_list(np)),
                        None => (
                            "principal",
                            s.get("Principal").map(principal_list).unwrap_or_else(|| vec![Json::Null]),
                        ),
                    };
                    for a in &actions {
                        for r in &res {
                            for p in &principals {
                                if out.len() >= MAX_GRANTS {
                                    return;
                                }
                                out.insert(format!(
                                    "{akey}={} {rkey}={} {pkey}={} condition={cond}",
                                    canonical(a),
                                    canonical(r),
                                    canonical(p)
                                ));
                            }
                        }
                    }
                }
            }
            for (k, x) in m {
                if k != "Statement" {
                    collect_statements(x, out);
                }
            }
        }
        Json::Array(l) => l.iter().for_each(|x| collect_statements(x, out)),
        _ => {}
    }
}

/// `{"AWS": [a, b], "Service": c}` -> one entry per principal.
fn principal_list(p: &Json) -> Vec<Json> {
    match p {
        Json::Object(m) => {
            let mut out = Vec::new();
            for (k, v) in m {
                for x in as_list(Some(v)) {
                    out.push(Json::String(format!("{k}:{}", canonical(&x))));
                }
            }
            if out.is_empty() { vec![Json::Null] } else { out }
        }
        other => vec![other.clone()],
    }
}

/// The ingress/egress rules of a security group or a standalone rule resource.
pub fn sg_rules(type_name: &str, resource: &Json) -> BTreeSet<String> {
    let props = resource.get("Properties").unwrap_or(&Json::Null);
    let mut out = BTreeSet::new();
    if type_name == "AWS::EC2::SecurityGroup" {
        for (dir, key) in [("ingress", "SecurityGroupIngress"), ("egress", "SecurityGroupEgress")] {
            if let Some(rules) = props.get(key).and_then(|r| r.as_array()) {
                for r in rules {
                    out.insert(format!("{dir} {}", canonical(r)));
                }
            }
        }
    } else {
        let mut p = props.clone();
        if let Some(m) = p.as_object_mut() {
            m.remove("Description");
        }
        out.insert(canonical(&p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cfnc::change::Source;
    use serde_json::json;

    fn row(ty: &str, action: Action, replacement: Option<Replacement>) -> ChangeRow {
        ChangeRow {
            stack: "s".into(),
            logical_id: "X".into(),
            type_name: ty.into(),
            action,
            replacement,
            properties: vec![],
            flags: vec![],
            physical_id: None,
            replacement_causes: vec![],
            source: Source::Predicted,
        }
    }

    fn policy(actions: Json) -> Json {
        json!({"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": "*"}]}}})
    }

    #[test]
    fn iam_widening_only_when_grants_grow() {
        let r = row("AWS::IAM::ManagedPolicy", Action::Modify, Some(Replacement::False));
        let narrow = policy(json!(["s3:GetObject"]));
        let wide = policy(json!(["s3:GetObject", "s3:PutObject"]));
        assert_eq!(flags(&r, Some(&narrow), Some(&wide)), vec![Flag::IamWidening]);
        assert!(flags(&r, Some(&wide), Some(&narrow)).is_empty());
        let add = row("AWS::IAM::ManagedPolicy", Action::Add, None);
        assert_eq!(flags(&add, None, Some(&narrow)), vec![Flag::IamWidening]);
    }

    #[test]
    fn sg_widening_on_new_rules() {
        let r = row("AWS::EC2::SecurityGroup", Action::Modify, Some(Replacement::False));
        let a = json!({"Properties": {"SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]}});
        let b = json!({"Properties": {"SecurityGroupEgress": [{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}]}});
        assert_eq!(flags(&r, Some(&a), Some(&b)), vec![Flag::SgWidening]);
        assert!(flags(&r, Some(&a), Some(&a)).is_empty());
    }

    #[test]
    fn retained_data_is_not_flagged() {
        let r = row("AWS::S3::Bucket", Action::Remove, None);
        assert_eq!(flags(&r, Some(&json!({})), None), vec![Flag::DeleteData]);
        assert!(flags(&r, Some(&json!({"DeletionPolicy": "Retain"})), None).is_empty());
    }
}
