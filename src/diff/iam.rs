//! `iam-widening`: does the new template grant more than the old one?
//!
//! Policy documents are normalized (string-or-list forms, action case, principal forms, a
//! document given as a JSON string) into statements, and the new statements are checked
//! against the old ones: every (action, resource, principal) that a new `Allow` grants must
//! already be granted by an old `Allow` with no stricter conditions, and every triple that an
//! old `Deny` denied must still be denied by a new `Deny` with no stricter conditions.
//! Wildcards are handled as patterns (`s3:*` covers `s3:GetObject` and `s3:Get*`). Besides
//! documents: new managed policies or groups granted to a principal, new attachment targets
//! of a policy, and a permissions boundary removed or changed. Sources: IAM JSON policy
//! element reference (Effect, Action/NotAction, Resource/NotResource, Principal/NotPrincipal,
//! Condition; "policy evaluation logic": an explicit deny overrides an allow) and the
//! resource reference pages of the types below.

use std::collections::{BTreeMap, BTreeSet};

use super::value::Val;

type Props = BTreeMap<String, Val>;

/// Where a type keeps its permissions.
struct Spec {
    type_name: &'static str,
    /// Groups of documents evaluated together (a role's inline policies apply as one set;
    /// its trust policy is separate). Paths are property names, `*` = every list item.
    groups: &'static [&'static [&'static [&'static str]]],
    /// Properties that list what the policy applies to (roles, buckets, topics).
    attach: &'static [&'static str],
    /// Properties that grant more permissions by reference (managed policies, groups).
    grants: &'static [&'static str],
    /// A permissions boundary: removing or changing it may widen.
    boundary: &'static [&'static str],
    /// A policy that stands apart from what it protects: removing it removes its Deny
    /// statements from resources and principals that remain.
    standalone: bool,
}

const INLINE: &[&[&str]] = &[&["Policies", "*", "PolicyDocument"]];
const DOC: &[&[&str]] = &[&["PolicyDocument"]];

const SPECS: &[Spec] = &[
    Spec {
        type_name: "AWS::IAM::Role",
        groups: &[&[&["AssumeRolePolicyDocument"]], INLINE],
        attach: &[],
        grants: &["ManagedPolicyArns"],
        boundary: &["PermissionsBoundary"],
        standalone: false,
    },
    Spec {
        type_name: "AWS::IAM::User",
        groups: &[INLINE],
        attach: &[],
        grants: &["ManagedPolicyArns", "Groups"],
        boundary: &["PermissionsBoundary"],
        standalone: false,
    },
    Spec {
        type_name: "AWS::IAM::Group",
        groups: &[INLINE],
        attach: &[],
        grants: &["ManagedPolicyArns"],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::IAM::Policy",
        groups: &[DOC],
        attach: &["Roles", "Users", "Groups"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::IAM::ManagedPolicy",
        groups: &[DOC],
        attach: &["Roles", "Users", "Groups"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::IAM::RolePolicy",
        groups: &[DOC],
        attach: &["RoleName"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::IAM::UserPolicy",
        groups: &[DOC],
        attach: &["UserName"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::IAM::GroupPolicy",
        groups: &[DOC],
        attach: &["GroupName"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::IAM::UserToGroupAddition",
        groups: &[],
        attach: &[],
        grants: &["Users"],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::KMS::Key",
        groups: &[&[&["KeyPolicy"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::KMS::ReplicaKey",
        groups: &[&[&["KeyPolicy"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::S3::BucketPolicy",
        groups: &[DOC],
        attach: &["Bucket"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::S3::AccessPoint",
        groups: &[&[&["Policy"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::SNS::TopicPolicy",
        groups: &[DOC],
        attach: &["Topics"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::SNS::TopicInlinePolicy",
        groups: &[DOC],
        attach: &["TopicArn"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::SQS::QueuePolicy",
        groups: &[DOC],
        attach: &["Queues"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::SQS::QueueInlinePolicy",
        groups: &[DOC],
        attach: &["Queue"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::SecretsManager::ResourcePolicy",
        groups: &[&[&["ResourcePolicy"]]],
        attach: &["SecretId"],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::Logs::ResourcePolicy",
        groups: &[&[&["PolicyDocument"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: true,
    },
    Spec {
        type_name: "AWS::ECR::Repository",
        groups: &[&[&["RepositoryPolicyText"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::OpenSearchService::Domain",
        groups: &[&[&["AccessPolicies"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::Elasticsearch::Domain",
        groups: &[&[&["AccessPolicies"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
    Spec {
        type_name: "AWS::ApiGateway::RestApi",
        groups: &[&[&["Policy"]]],
        attach: &[],
        grants: &[],
        boundary: &[],
        standalone: false,
    },
];

/// Every type this rule looks at (for the rules document and tests).
pub(crate) fn covered_types() -> impl Iterator<Item = &'static str> {
    SPECS
        .iter()
        .map(|s| s.type_name)
        .chain(["AWS::Lambda::Permission", "AWS::Lambda::LayerVersionPermission"])
}

/// True when going from `old` to `new` properties (None: the resource does not exist on that
/// side) grants more.
pub(crate) fn widens(type_name: &str, old: Option<&Props>, new: Option<&Props>) -> bool {
    let empty = Props::new();
    match type_name {
        "AWS::Lambda::Permission" | "AWS::Lambda::LayerVersionPermission" => {
            // A permission is one Allow statement; removing it only narrows.
            let stmt = |p: Option<&Props>| {
                p.map(|p| {
                    if type_name == "AWS::Lambda::Permission" {
                        lambda_permission(p)
                    } else {
                        layer_permission(p)
                    }
                })
            };
            let (o, n) = (stmt(old), stmt(new));
            match n {
                None => false,
                Some(n) => !doc_covers(&o.into_iter().collect::<Vec<_>>(), &[n]),
            }
        }
        _ => {
            let Some(spec) = SPECS.iter().find(|s| s.type_name == type_name) else { return false };
            if new.is_none() && !spec.standalone {
                return false;
            }
            spec_widens(spec, old.unwrap_or(&empty), new.unwrap_or(&empty))
        }
    }
}

fn spec_widens(spec: &Spec, old: &Props, new: &Props) -> bool {
    let mut new_allows_any = false;
    let mut old_denies_any = false;
    for group in spec.groups {
        let o = group_statements(group, old);
        let n = group_statements(group, new);
        let (o, n) = match (o, n) {
            (Ok(o), Ok(n)) => (o, n),
            // A document that cannot be read (unresolvable text): any change counts.
            _ => {
                if group.iter().any(|path| collect(path, old) != collect(path, new)) {
                    return true;
                }
                continue;
            }
        };
        new_allows_any |= n.iter().any(|s| s.allow);
        old_denies_any |= o.iter().any(|s| !s.allow);
        if widens_statements(&o, &n) {
            return true;
        }
    }
    let rendered = |props: &Props, keys: &[&str]| -> BTreeSet<String> {
        keys.iter()
            .filter_map(|k| props.get(*k))
            .flat_map(|v| v.items().into_iter().map(Val::render).collect::<Vec<_>>())
            .collect()
    };
    // New managed policies / groups granted.
    if !rendered(new, spec.grants).is_subset(&rendered(old, spec.grants)) {
        return true;
    }
    // The policy now applies to more roles, buckets, topics...
    let (oa, na) = (rendered(old, spec.attach), rendered(new, spec.attach));
    if new_allows_any && !na.is_subset(&oa) {
        return true;
    }
    // ...or its Deny statements leave a target.
    if old_denies_any && !oa.is_subset(&na) {
        return true;
    }
    // A permissions boundary removed or changed.
    spec.boundary.iter().any(|b| match (old.get(*b), new.get(*b)) {
        (Some(_), None) => true,
        (Some(x), Some(y)) => x != y,
        _ => false,
    })
}

/// The values at `path` in `props` (`*` walks list items).
fn collect<'a>(path: &[&str], props: &'a Props) -> Vec<&'a Val> {
    let Some((first, rest)) = path.split_first() else { return Vec::new() };
    let Some(mut cur) = props.get(*first).map(|v| vec![v]) else { return Vec::new() };
    for seg in rest {
        cur = cur
            .into_iter()
            .flat_map(|v| match (*seg, v) {
                ("*", Val::List(items)) => items.iter().collect::<Vec<_>>(),
                (k, Val::Map(m)) => m.get(k).into_iter().collect(),
                _ => Vec::new(),
            })
            .collect();
    }
    cur
}

/// Statements of all documents of a group; `Err` when a document cannot be read.
fn group_statements(group: &[&[&str]], props: &Props) -> Result<Vec<Stmt>, ()> {
    let mut out = Vec::new();
    for path in group {
        for doc in collect(path, props) {
            out.extend(document_statements(doc)?);
        }
    }
    Ok(out)
}

fn document_statements(doc: &Val) -> Result<Vec<Stmt>, ()> {
    let parsed;
    let doc = match doc {
        Val::Map(_) => doc,
        // Documents given as JSON text (KMS on some tools, Logs resource policies, Fn::Sub).
        Val::Scalar(_) | Val::Concat(_) => {
            let json: serde_json::Value = serde_json::from_str(&doc.render()).map_err(|_| ())?;
            parsed = Val::from_plain_json(&json);
            &parsed
        }
        _ => return Err(()),
    };
    let Some(stmts) = doc.get("Statement") else { return Ok(Vec::new()) };
    stmts.items().into_iter().map(statement).collect()
}

/// One normalized statement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: BTreeSet<String>,
    not_resource: bool,
    resources: BTreeSet<String>,
    not_principal: bool,
    /// `None`: no principal element (an identity policy: the attached principal).
    principals: Option<BTreeSet<(String, String)>>,
    conditions: BTreeMap<(String, String), BTreeSet<String>>,
}

fn strings(v: Option<&Val>) -> BTreeSet<String> {
    v.map(|v| v.items().into_iter().map(Val::render).collect()).unwrap_or_default()
}

fn statement(v: &Val) -> Result<Stmt, ()> {
    let Val::Map(m) = v else { return Err(()) };
    let allow = m.get("Effect").and_then(Val::as_str) != Some("Deny");
    let (not_action, actions) = match m.get("NotAction") {
        Some(a) => (true, strings(Some(a))),
        None => (false, strings(m.get("Action"))),
    };
    let actions = actions.into_iter().map(|a| a.to_ascii_lowercase()).collect();
    let (not_resource, mut resources) = match m.get("NotResource") {
        Some(r) => (true, strings(Some(r))),
        None => (false, strings(m.get("Resource"))),
    };
    if resources.is_empty() && !not_resource {
        // Resource policies may leave the resource implicit: the resource itself, i.e. all of it.
        resources.insert("*".into());
    }
    let (not_principal, principal) = match m.get("NotPrincipal") {
        Some(p) => (true, Some(p)),
        None => (false, m.get("Principal")),
    };
    let principals = principal.map(principals);
    let mut conditions = BTreeMap::new();
    if let Some(Val::Map(ops)) = m.get("Condition") {
        for (op, keys) in ops {
            match keys {
                Val::Map(keys) => {
                    for (k, vals) in keys {
                        conditions.insert((op.clone(), k.to_ascii_lowercase()), strings(Some(vals)));
                    }
                }
                other => {
                    conditions.insert((op.clone(), String::new()), BTreeSet::from([other.render()]));
                }
            }
        }
    }
    Ok(Stmt { allow, not_action, actions, not_resource, resources, not_principal, principals, conditions })
}

/// `"*"`, `{"AWS": ...}`, `{"Service": [...]}` into (kind, value) pairs, with account forms
/// unified (`123456789012`, `arn:aws:iam::123456789012:root`).
fn principals(p: &Val) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    match p {
        Val::Map(m) => {
            for (kind, vals) in m {
                for v in vals.items() {
                    out.insert(principal(kind, &v.render()));
                }
            }
        }
        other => {
            for v in other.items() {
                out.insert(principal("AWS", &v.render()));
            }
        }
    }
    out
}

fn principal(kind: &str, value: &str) -> (String, String) {
    if value == "*" {
        return ("AWS".into(), "*".into());
    }
    let value = match kind {
        "AWS" => {
            let account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit())
                || value == "${AWS::AccountId}"
            {
                Some(value)
            } else {
                value
                    .strip_prefix("arn:")
                    .and_then(|r| r.split_once(":iam::"))
                    .and_then(|(_, r)| r.strip_suffix(":root"))
            };
            match account {
                Some(a) => format!("account:{a}"),
                None => value.to_string(),
            }
        }
        "Service" => value.to_ascii_lowercase(),
        _ => value.to_string(),
    };
    (kind.to_string(), value)
}

/// Lambda permission as a resource-policy statement. Source: AWS::Lambda::Permission
/// reference (`SourceArn`, `SourceAccount`, `PrincipalOrgID`, `FunctionUrlAuthType` become
/// conditions of the function's policy statement).
fn lambda_permission(p: &Props) -> Stmt {
    let render = |k: &str| p.get(k).map(Val::render);
    let who = render("Principal").unwrap_or_default();
    let kind =
        if who.ends_with(".amazonaws.com") || who.ends_with(".amazonaws.com.cn") { "Service" } else { "AWS" };
    let mut conditions = BTreeMap::new();
    for (prop, op, key) in [
        ("SourceArn", "ArnLike", "aws:sourcearn"),
        ("SourceAccount", "StringEquals", "aws:sourceaccount"),
        ("PrincipalOrgID", "StringEquals", "aws:principalorgid"),
        ("FunctionUrlAuthType", "StringEquals", "lambda:functionurlauthtype"),
        ("EventSourceToken", "StringEquals", "lambda:eventsourcetoken"),
    ] {
        if let Some(v) = render(prop) {
            conditions.insert((op.to_string(), key.to_string()), BTreeSet::from([v]));
        }
    }
    Stmt {
        allow: true,
        not_action: false,
        actions: BTreeSet::from([render("Action").unwrap_or_default().to_ascii_lowercase()]),
        not_resource: false,
        resources: BTreeSet::from([render("FunctionName").unwrap_or_default()]),
        not_principal: false,
        principals: Some(BTreeSet::from([principal(kind, &who)])),
        conditions,
    }
}

/// Lambda layer permission: `Principal` (an account or `*`) may run `Action` on the layer,
/// limited by `OrganizationId`.
fn layer_permission(p: &Props) -> Stmt {
    let render = |k: &str| p.get(k).map(Val::render);
    let mut conditions = BTreeMap::new();
    if let Some(org) = render("OrganizationId") {
        conditions
            .insert(("StringEquals".to_string(), "aws:principalorgid".to_string()), BTreeSet::from([org]));
    }
    Stmt {
        allow: true,
        not_action: false,
        actions: BTreeSet::from([render("Action").unwrap_or_default().to_ascii_lowercase()]),
        not_resource: false,
        resources: BTreeSet::from([render("LayerVersionArn").unwrap_or_default()]),
        not_principal: false,
        principals: Some(BTreeSet::from([principal("AWS", &render("Principal").unwrap_or_default())])),
        conditions,
    }
}

/// New grants not covered by old ones, or old denials no longer in force.
fn widens_statements(old: &[Stmt], new: &[Stmt]) -> bool {
    let old_allow: Vec<Stmt> = old.iter().filter(|s| s.allow).cloned().collect();
    let new_allow: Vec<Stmt> = new.iter().filter(|s| s.allow).cloned().collect();
    if !doc_covers(&old_allow, &new_allow) {
        return true;
    }
    let old_deny: Vec<Stmt> = old.iter().filter(|s| !s.allow).cloned().collect();
    let new_deny: Vec<Stmt> = new.iter().filter(|s| !s.allow).cloned().collect();
    !doc_covers(&new_deny, &old_deny)
}

/// Above this many (action, resource, principal) triples, a statement is only covered by an
/// identical one.
const MAX_TRIPLES: usize = 20_000;

/// True when everything `inner` statements grant (or deny) is granted (denied) by `outer`
/// statements under conditions no stricter.
fn doc_covers(outer: &[Stmt], inner: &[Stmt]) -> bool {
    inner.iter().all(|s| statement_covered(outer, s))
}

fn statement_covered(outer: &[Stmt], s: &Stmt) -> bool {
    let same = |o: &Stmt| {
        o.allow == s.allow
            && o.not_action == s.not_action
            && o.actions == s.actions
            && o.not_resource == s.not_resource
            && o.resources == s.resources
            && o.not_principal == s.not_principal
            && o.principals == s.principals
            && conditions_implied(&o.conditions, &s.conditions)
    };
    if outer.iter().any(same) {
        return true;
    }
    if s.not_action || s.not_resource || s.not_principal {
        return false;
    }
    let implicit = BTreeSet::from([(String::new(), String::new())]);
    let principals = s.principals.as_ref().unwrap_or(&implicit);
    if s.actions.len() * s.resources.len() * principals.len() > MAX_TRIPLES {
        return false;
    }
    let candidates: Vec<&Stmt> = outer
        .iter()
        .filter(|o| {
            !o.not_action
                && !o.not_resource
                && !o.not_principal
                && o.principals.is_some() == s.principals.is_some()
                && conditions_implied(&o.conditions, &s.conditions)
        })
        .collect();
    for a in &s.actions {
        for r in &s.resources {
            for p in principals {
                let ok = candidates.iter().any(|o| {
                    o.actions.iter().any(|oa| pattern_covers(oa, a))
                        && o.resources.iter().any(|or| pattern_covers(or, r))
                        && o.principals.as_ref().unwrap_or(&implicit).iter().any(|op| principal_covers(op, p))
                });
                if !ok {
                    return false;
                }
            }
        }
    }
    true
}

fn principal_covers(outer: &(String, String), inner: &(String, String)) -> bool {
    outer == inner || (outer.0 == "AWS" && outer.1 == "*")
}

/// True when every request matching `inner`'s conditions also matches `outer`'s: each outer
/// condition appears in inner with a subset of its values.
fn conditions_implied(
    outer: &BTreeMap<(String, String), BTreeSet<String>>,
    inner: &BTreeMap<(String, String), BTreeSet<String>>,
) -> bool {
    outer.iter().all(|(k, ov)| inner.get(k).is_some_and(|iv| !iv.is_empty() && iv.is_subset(ov)))
}

/// True when pattern `outer` matches everything `inner` (a value or a pattern) matches.
fn pattern_covers(outer: &str, inner: &str) -> bool {
    if outer == inner || outer == "*" {
        return true;
    }
    let inner_is_pattern = inner.contains(['*', '?']);
    if inner_is_pattern && outer.contains('?') {
        return false;
    }
    // With only `*` in `outer`, matching `inner`'s text (its wildcards as plain characters)
    // proves containment: each of inner's wildcards falls inside one of outer's.
    glob(outer.as_bytes(), inner.as_bytes())
}

/// `*` and `?` glob match.
fn glob(p: &[u8], t: &[u8]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(j: serde_json::Value) -> Props {
        match Val::from_plain_json(&j) {
            Val::Map(m) => m,
            _ => unreachable!(),
        }
    }

    fn policy(stmts: serde_json::Value) -> Props {
        props(json!({"PolicyDocument": {"Version": "2012-10-17", "Statement": stmts}, "Roles": ["r"]}))
    }

    const P: &str = "AWS::IAM::Policy";

    #[test]
    fn globs() {
        assert!(pattern_covers("s3:*", "s3:getobject"));
        assert!(pattern_covers("s3:get*", "s3:get*object"));
        assert!(!pattern_covers("s3:get*", "s3:*"));
        assert!(pattern_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/synthetics/*"));
        assert!(!pattern_covers("arn:aws:s3:::b/synthetics/*", "arn:aws:s3:::b/*"));
        assert!(!pattern_covers("a?c", "a*c"));
    }

    #[test]
    fn string_and_list_forms_are_the_same() {
        let old =
            policy(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}));
        let new = policy(
            json!([{"Effect": "Allow", "Action": ["S3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}]),
        );
        assert!(!widens(P, Some(&old), Some(&new)));
    }

    #[test]
    fn new_action_wildcard_resource_and_statement_widen() {
        let old =
            policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]));
        let more = policy(
            json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]),
        );
        assert!(widens(P, Some(&old), Some(&more)));
        let wild = policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]));
        assert!(widens(P, Some(&old), Some(&wild)));
        let narrower =
            policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/x/*"}]));
        assert!(!widens(P, Some(&old), Some(&narrower)));
        // Dropping a condition widens; adding one narrows.
        let cond =
            policy(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}]));
        assert!(!widens(P, Some(&old), Some(&cond)));
        assert!(widens(P, Some(&cond), Some(&old)));
    }

    #[test]
    fn removing_a_deny_widens() {
        let deny = json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let allow = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": {"AWS": "123456789012"}});
        let old = props(json!({"Bucket": "b", "PolicyDocument": {"Statement": [deny, allow.clone()]}}));
        let new = props(json!({"Bucket": "b", "PolicyDocument": {"Statement": [allow]}}));
        assert!(widens("AWS::S3::BucketPolicy", Some(&old), Some(&new)));
        assert!(widens("AWS::S3::BucketPolicy", Some(&old), None));
        assert!(!widens("AWS::S3::BucketPolicy", Some(&new), Some(&old)));
    }

    #[test]
    fn principals_normalize_and_widen() {
        let root = |p: serde_json::Value| {
            props(
                json!({"KeyPolicy": {"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Principal": p}]}}),
            )
        };
        let a = root(json!({"AWS": "arn:aws:iam::123456789012:root"}));
        let b = root(json!({"AWS": ["123456789012"]}));
        assert!(!widens("AWS::KMS::Key", Some(&a), Some(&b)));
        let c = root(json!({"AWS": ["123456789012", "210987654321"]}));
        assert!(widens("AWS::KMS::Key", Some(&a), Some(&c)));
        assert!(widens("AWS::KMS::Key", Some(&a), Some(&root(json!("*")))));
    }

    #[test]
    fn role_grants_and_trust() {
        let trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let old = props(json!({"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": ["arn:a"]}));
        let new = props(json!({"AssumeRolePolicyDocument": trust, "ManagedPolicyArns": ["arn:a", "arn:b"]}));
        assert!(widens("AWS::IAM::Role", Some(&old), Some(&new)));
        assert!(!widens("AWS::IAM::Role", Some(&new), Some(&old)));
        let trust2 = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]});
        let new2 = props(json!({"AssumeRolePolicyDocument": trust2, "ManagedPolicyArns": ["arn:a"]}));
        assert!(widens("AWS::IAM::Role", Some(&old), Some(&new2)));
        // Removing a role is not a widening.
        assert!(!widens("AWS::IAM::Role", Some(&old), None));
    }

    #[test]
    fn document_as_json_string() {
        let a = props(
            json!({"KeyPolicy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\", \"Principal\": {\"Service\": \"logs.amazonaws.com\"}}]}"}),
        );
        let b = props(
            json!({"KeyPolicy": {"Statement": {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*", "Principal": {"Service": "logs.amazonaws.com"}}}}),
        );
        assert!(!widens("AWS::KMS::Key", Some(&a), Some(&b)));
    }

    #[test]
    fn lambda_permission_conditions() {
        let old = props(
            json!({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "events.amazonaws.com", "SourceArn": "arn:rule"}),
        );
        let new = props(
            json!({"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "events.amazonaws.com"}),
        );
        assert!(widens("AWS::Lambda::Permission", Some(&old), Some(&new)));
        assert!(!widens("AWS::Lambda::Permission", Some(&new), Some(&old)));
        assert!(widens("AWS::Lambda::Permission", None, Some(&old)));
        assert!(!widens("AWS::Lambda::Permission", Some(&old), None));
    }
}
