//! `sg-widening`: does the new template open more network access?
//!
//! Rules come from `AWS::EC2::SecurityGroup` (`SecurityGroupIngress`, `SecurityGroupEgress`)
//! and the standalone `AWS::EC2::SecurityGroupIngress` / `AWS::EC2::SecurityGroupEgress`
//! resources. A new rule widens unless old rules of the same group and direction already
//! allow it: a protocol that covers it (`-1` covers all), a peer that contains it (CIDR
//! containment for IPv4 and IPv6; the same security group or prefix list otherwise) and port
//! ranges whose union contains its range. Source: AWS::EC2::SecurityGroup and
//! AWS::EC2::SecurityGroupIngress/Egress reference pages. The AWS::EC2::SecurityGroup page:
//! "When you create a security group, if you do not add egress rules, we add egress rules that
//! allow all outbound IPv4 and IPv6 traffic. Otherwise, we do not add them. After the security
//! group is created, if you remove all egress rules that you added, we do not add egress
//! rules, so no outbound traffic is allowed." So a deployed group without explicit egress rules
//! has the allow-all rules it was created with, and removing every explicit egress rule from
//! an existing group closes its egress (no widening).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::value::Val;

type Props = BTreeMap<String, Val>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    In,
    Out,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Proto {
    All,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ports {
    All,
    Range(i64, i64),
    /// ICMP type and code (`None` = any).
    Icmp(Option<i64>, Option<i64>),
    /// Not known before deployment (a parameter without default...).
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Peer {
    V4(u32, u8),
    V6(u128, u8),
    /// A security group, prefix list or unresolved value, by its rendered text.
    Named(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    dir: Dir,
    /// The group the rule belongs to (`None`: the security group resource itself).
    group: Option<String>,
    proto: Proto,
    ports: Ports,
    peer: Peer,
}

/// True when going from `old` to `new` (None: absent) opens more network access.
pub(crate) fn widens(type_name: &str, old: Option<&Props>, new: Option<&Props>) -> bool {
    let Some(new) = new else { return false };
    let (old_rules, new_rules) = match type_name {
        "AWS::EC2::SecurityGroup" => {
            // The deployed group: created without egress rules, it has the allow-all ones. The
            // new side: its explicit rules only (a new group's default egress is not flagged,
            // and an existing group gets no rule back when its last egress rule goes).
            (old.map(|o| group_rules(o, true)).unwrap_or_default(), group_rules(new, false))
        }
        "AWS::EC2::SecurityGroupIngress" => {
            (old.and_then(|o| single_rule(o, Dir::In)).into_iter().collect(), {
                single_rule(new, Dir::In).into_iter().collect()
            })
        }
        "AWS::EC2::SecurityGroupEgress" => {
            (old.and_then(|o| single_rule(o, Dir::Out)).into_iter().collect(), {
                single_rule(new, Dir::Out).into_iter().collect()
            })
        }
        _ => return false,
    };
    new_rules.iter().any(|r| !covered(&old_rules, r))
}

fn group_rules(p: &Props, default_egress: bool) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    let list = |k: &str| p.get(k).map(|v| v.items()).unwrap_or_default();
    for r in list("SecurityGroupIngress") {
        if let Val::Map(m) = r {
            out.extend(rule(m, Dir::In, None));
        }
    }
    let egress = list("SecurityGroupEgress");
    for r in &egress {
        if let Val::Map(m) = r {
            out.extend(rule(m, Dir::Out, None));
        }
    }
    if egress.is_empty() && default_egress {
        for peer in [Peer::V4(0, 0), Peer::V6(0, 0)] {
            out.push(Rule { dir: Dir::Out, group: None, proto: Proto::All, ports: Ports::All, peer });
        }
    }
    out
}

fn single_rule(p: &Props, dir: Dir) -> Option<Rule> {
    let group = p.get("GroupId").or_else(|| p.get("GroupName")).map(Val::render).unwrap_or_default();
    rule(p, dir, Some(group))
}

fn rule(m: &BTreeMap<String, Val>, dir: Dir, group: Option<String>) -> Option<Rule> {
    let text = |k: &str| m.get(k).map(Val::render);
    let proto = match text("IpProtocol").unwrap_or_else(|| "-1".into()).to_ascii_lowercase().as_str() {
        "-1" | "all" => Proto::All,
        "tcp" | "6" => Proto::Tcp,
        "udp" | "17" => Proto::Udp,
        "icmp" | "1" => Proto::Icmp,
        "icmpv6" | "58" => Proto::Icmpv6,
        other => Proto::Other(other.to_string()),
    };
    let num = |k: &str| m.get(k).map(|v| v.as_str().and_then(|s| s.parse::<i64>().ok()).ok_or(v.render()));
    let ports = match proto {
        Proto::All | Proto::Other(_) => Ports::All,
        Proto::Tcp | Proto::Udp => match (num("FromPort"), num("ToPort")) {
            (Some(Ok(f)), Some(Ok(t))) if f == -1 || t == -1 => Ports::Range(0, 65535),
            (Some(Ok(f)), Some(Ok(t))) => Ports::Range(f, t),
            (None, None) => Ports::Range(0, 65535),
            (f, t) => Ports::Unknown(format!("{f:?}-{t:?}")),
        },
        Proto::Icmp | Proto::Icmpv6 => match (num("FromPort"), num("ToPort")) {
            (Some(Err(f)), _) | (_, Some(Err(f))) => Ports::Unknown(f),
            (f, t) => {
                let any = |x: Option<Result<i64, String>>| x.and_then(Result::ok).filter(|v| *v != -1);
                Ports::Icmp(any(f), any(t))
            }
        },
    };
    let (cidr4, cidr6) = (text("CidrIp"), text("CidrIpv6"));
    let peer_keys: &[&str] = match dir {
        Dir::In => &["SourceSecurityGroupId", "SourceSecurityGroupName", "SourcePrefixListId"],
        Dir::Out => &["DestinationSecurityGroupId", "DestinationPrefixListId"],
    };
    let peer = if let Some(c) = cidr4 {
        parse_v4(&c).unwrap_or(Peer::Named(c))
    } else if let Some(c) = cidr6 {
        parse_v6(&c).unwrap_or(Peer::Named(c))
    } else {
        let named = peer_keys.iter().find_map(|k| text(k).map(|v| format!("{k}={v}")));
        Peer::Named(named?)
    };
    Some(Rule { dir, group, proto, ports, peer })
}

fn parse_v4(c: &str) -> Option<Peer> {
    let (addr, len) = c.split_once('/').unwrap_or((c, "32"));
    let addr: Ipv4Addr = addr.trim().parse().ok()?;
    let len: u8 = len.trim().parse().ok().filter(|l| *l <= 32)?;
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some(Peer::V4(u32::from(addr) & mask, len))
}

fn parse_v6(c: &str) -> Option<Peer> {
    let (addr, len) = c.split_once('/').unwrap_or((c, "128"));
    let addr: Ipv6Addr = addr.trim().parse().ok()?;
    let len: u8 = len.trim().parse().ok().filter(|l| *l <= 128)?;
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
    Some(Peer::V6(u128::from(addr) & mask, len))
}

fn peer_covers(outer: &Peer, inner: &Peer) -> bool {
    match (outer, inner) {
        (Peer::V4(a, la), Peer::V4(b, lb)) => la <= lb && (b & mask4(*la)) == *a,
        (Peer::V6(a, la), Peer::V6(b, lb)) => la <= lb && (b & mask6(*la)) == *a,
        (x, y) => x == y,
    }
}

fn mask4(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - len) }
}

fn mask6(len: u8) -> u128 {
    if len == 0 { 0 } else { u128::MAX << (128 - len) }
}

fn proto_covers(outer: &Proto, inner: &Proto) -> bool {
    *outer == Proto::All || outer == inner
}

/// True when the old rules already allow everything `r` allows.
fn covered(old: &[Rule], r: &Rule) -> bool {
    let candidates: Vec<&Rule> = old
        .iter()
        .filter(|o| {
            o.dir == r.dir
                && o.group == r.group
                && proto_covers(&o.proto, &r.proto)
                && peer_covers(&o.peer, &r.peer)
        })
        .collect();
    if candidates.iter().any(|o| o.ports == Ports::All || o.ports == r.ports) {
        return true;
    }
    match &r.ports {
        Ports::Range(lo, hi) => {
            // The union of the old ranges must contain [lo, hi].
            let mut ranges: Vec<(i64, i64)> = candidates
                .iter()
                .filter_map(|o| match o.ports {
                    Ports::Range(a, b) => Some((a, b)),
                    _ => None,
                })
                .collect();
            ranges.sort();
            let mut next = *lo;
            for (a, b) in ranges {
                if a > next {
                    break;
                }
                next = next.max(b + 1);
                if next > *hi {
                    return true;
                }
            }
            false
        }
        Ports::Icmp(t, c) => candidates.iter().any(|o| match o.ports {
            Ports::Icmp(ot, oc) => (ot.is_none() || ot == *t) && (oc.is_none() || oc == *c),
            _ => false,
        }),
        Ports::All | Ports::Unknown(_) => false,
    }
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

    fn sg(ingress: serde_json::Value, egress: serde_json::Value) -> Props {
        props(
            json!({"GroupDescription": "d", "VpcId": "vpc-1", "SecurityGroupIngress": ingress, "SecurityGroupEgress": egress}),
        )
    }

    const SG: &str = "AWS::EC2::SecurityGroup";
    fn https(cidr: &str) -> serde_json::Value {
        json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": cidr}])
    }

    #[test]
    fn cidr_containment() {
        let outer = parse_v4("10.0.0.0/16").unwrap();
        assert!(peer_covers(&outer, &parse_v4("10.0.1.0/24").unwrap()));
        assert!(!peer_covers(&parse_v4("10.0.1.0/24").unwrap(), &outer));
        assert!(peer_covers(&parse_v6("2001:db8::/32").unwrap(), &parse_v6("2001:db8:1::/48").unwrap()));
        assert!(!peer_covers(&parse_v6("2001:db8:1::/48").unwrap(), &parse_v6("2001:db8::/32").unwrap()));
    }

    #[test]
    fn broader_cidr_and_open_world_widen() {
        let old = sg(https("10.0.1.0/24"), json!([]));
        assert!(widens(SG, Some(&old), Some(&sg(https("10.0.0.0/16"), json!([])))));
        assert!(widens(SG, Some(&old), Some(&sg(https("0.0.0.0/0"), json!([])))));
        assert!(!widens(SG, Some(&old), Some(&sg(https("10.0.1.128/25"), json!([])))));
        assert!(!widens(SG, Some(&old), Some(&sg(json!([]), json!([])))));
    }

    #[test]
    fn ports_and_protocols() {
        let range = |f: i64, t: i64| {
            sg(json!([{"IpProtocol": "tcp", "FromPort": f, "ToPort": t, "CidrIp": "10.0.0.0/8"}]), json!([]))
        };
        assert!(widens(SG, Some(&range(443, 443)), Some(&range(80, 443))));
        assert!(!widens(SG, Some(&range(80, 443)), Some(&range(100, 200))));
        let all = sg(json!([{"IpProtocol": "-1", "CidrIp": "10.0.0.0/8"}]), json!([]));
        assert!(widens(SG, Some(&range(0, 65535)), Some(&all)));
        assert!(!widens(SG, Some(&all), Some(&range(0, 65535))));
        // Two old ranges together cover the new one.
        let two = sg(
            json!([{"IpProtocol": "6", "FromPort": 80, "ToPort": 100, "CidrIp": "10.0.0.0/8"},
                   {"IpProtocol": "tcp", "FromPort": 101, "ToPort": 443, "CidrIp": "10.0.0.0/8"}]),
            json!([]),
        );
        assert!(!widens(SG, Some(&two), Some(&range(90, 200))));
    }

    #[test]
    fn removing_all_egress_closes_egress_and_the_default_covers_new_rules() {
        // AWS::EC2::SecurityGroup: "After the security group is created, if you remove all
        // egress rules that you added, we do not add egress rules, so no outbound traffic is
        // allowed."
        let old = sg(json!([]), https("0.0.0.0/0"));
        let bare = props(json!({"GroupDescription": "d", "VpcId": "vpc-1"}));
        assert!(!widens(SG, Some(&old), Some(&bare)));
        // A group created without egress rules has allow-all IPv4 and IPv6 egress: explicit
        // rules added later are narrower.
        assert!(!widens(SG, Some(&bare), Some(&old)));
        let v6 = sg(json!([]), json!([{"IpProtocol": "-1", "CidrIpv6": "::/0"}]));
        assert!(!widens(SG, Some(&bare), Some(&v6)));
        assert!(widens(SG, Some(&old), Some(&v6)));
        // A brand-new group: only its explicit rules count.
        assert!(!widens(SG, None, Some(&bare)));
        assert!(widens(SG, None, Some(&old)));
    }

    #[test]
    fn standalone_rules() {
        let a = props(
            json!({"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}),
        );
        let b = props(
            json!({"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIpv6": "::/0"}),
        );
        assert!(widens("AWS::EC2::SecurityGroupIngress", Some(&a), Some(&b)));
        assert!(widens("AWS::EC2::SecurityGroupIngress", None, Some(&a)));
        assert!(!widens("AWS::EC2::SecurityGroupIngress", Some(&a), None));
        let other_group = props(
            json!({"GroupId": "sg-2", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}),
        );
        assert!(widens("AWS::EC2::SecurityGroupIngress", Some(&a), Some(&other_group)));
    }
}
