//! Network stack: the VPC the canary runs in (PLATFORM.md, "Network").
//!
//! VPC 10.0.0.0/16 with DNS; public subnets 10.0.1.0/24 and 10.0.2.0/24 (public IPs on
//! launch), private subnets 10.0.10.0/24 and 10.0.11.0/24, over the first two AZs; IGW, one
//! EIP + NAT gateway in the first public subnet; a public and a private route table with their
//! default routes and four associations; the canary's security group (egress TCP 443 only).

use crate::compile::{AppError, StackScope};
use crate::model::Handle;
use crate::resources::ec2::{
    Eip, EipAttr, InternetGateway, NatGateway, Route, RouteTable, SecurityGroup, Subnet,
    SubnetRouteTableAssociation, Vpc, VpcGatewayAttachment, eip, internet_gateway, nat_gateway, route_table,
    security_group, subnet, vpc,
};

use super::common::az;

/// Handles other stacks use.
pub struct Network {
    pub vpc: Handle<Vpc>,
    pub public_subnets: [Handle<Subnet>; 2],
    pub private_subnets: [Handle<Subnet>; 2],
    pub canary_security_group: Handle<SecurityGroup>,
    pub nat_gateway: Handle<NatGateway>,
    pub internet_gateway: Handle<InternetGateway>,
    pub nat_eip: Handle<Eip>,
}

/// Adds the network resources to `s` (the `network` stack).
pub fn build(s: &mut StackScope<'_>, env: &str) -> Result<Network, AppError> {
    let vpc = s.add(
        "Vpc",
        Vpc {
            cidr_block: Some("10.0.0.0/16".into()),
            enable_dns_hostnames: Some(true.into()),
            enable_dns_support: Some(true.into()),
            tags: Some(vec![vpc::Tag::new("Name", format!("vpc-observability-{env}")).into()].into()),
            ..Default::default()
        },
    )?;

    let mut subnets = Vec::new();
    for (kind, public, cidrs) in [
        ("Public", true, ["10.0.1.0/24", "10.0.2.0/24"]),
        ("Private", false, ["10.0.10.0/24", "10.0.11.0/24"]),
    ] {
        for (i, cidr) in cidrs.into_iter().enumerate() {
            let n = i + 1;
            let mut sub = Subnet::new(vpc.r#ref());
            sub.cidr_block = Some(cidr.into());
            sub.availability_zone = Some(az(i as i64));
            sub.map_public_ip_on_launch = Some(public.into());
            sub.tags = Some(
                vec![
                    subnet::Tag::new("Name", format!("subnet-{}-{n}-{env}", kind.to_ascii_lowercase()))
                        .into(),
                    subnet::Tag::new("Type", kind.to_ascii_lowercase()).into(),
                ]
                .into(),
            );
            subnets.push(s.add(&format!("{kind}Subnet{n}"), sub)?);
        }
    }
    let [public1, public2, private1, private2]: [Handle<Subnet>; 4] =
        subnets.try_into().unwrap_or_else(|_| unreachable!("four subnets were added"));

    let igw = s.add(
        "InternetGateway",
        InternetGateway {
            tags: Some(
                vec![internet_gateway::Tag::new("Name", format!("igw-observability-{env}")).into()].into(),
            ),
        },
    )?;
    let mut attach = VpcGatewayAttachment::new(vpc.r#ref());
    attach.internet_gateway_id = Some(igw.r#ref());
    let attachment = s.add("InternetGatewayAttachment", attach)?;

    let nat_eip = s.add(
        "NatEip",
        Eip {
            domain: Some("vpc".into()),
            tags: Some(vec![eip::Tag::new("Name", format!("eip-nat-observability-{env}")).into()].into()),
            ..Default::default()
        },
    )?;
    // An EIP for a NAT gateway needs the IGW attached to the VPC first.
    s.resource_mut(&nat_eip).depends_on(attachment.id());
    let nat = s.add(
        "NatGateway",
        NatGateway {
            allocation_id: Some(nat_eip.get_att(EipAttr::AllocationId)),
            subnet_id: Some(public1.r#ref()),
            tags: Some(vec![nat_gateway::Tag::new("Name", format!("nat-observability-{env}")).into()].into()),
            ..Default::default()
        },
    )?;

    let mut public_rt = RouteTable::new(vpc.r#ref());
    public_rt.tags =
        Some(vec![route_table::Tag::new("Name", format!("rt-public-observability-{env}")).into()].into());
    let public_rt = s.add("PublicRouteTable", public_rt)?;
    let mut private_rt = RouteTable::new(vpc.r#ref());
    private_rt.tags =
        Some(vec![route_table::Tag::new("Name", format!("rt-private-observability-{env}")).into()].into());
    let private_rt = s.add("PrivateRouteTable", private_rt)?;

    let mut to_igw = Route::new(public_rt.r#ref());
    to_igw.destination_cidr_block = Some("0.0.0.0/0".into());
    to_igw.gateway_id = Some(igw.r#ref());
    let to_igw = s.add("PublicDefaultRoute", to_igw)?;
    // A route to an internet gateway fails until the gateway is attached.
    s.resource_mut(&to_igw).depends_on(attachment.id());
    let mut to_nat = Route::new(private_rt.r#ref());
    to_nat.destination_cidr_block = Some("0.0.0.0/0".into());
    to_nat.nat_gateway_id = Some(nat.r#ref());
    s.add("PrivateDefaultRoute", to_nat)?;

    for (id, rt, sn) in [
        ("PublicSubnet1RouteTableAssociation", &public_rt, &public1),
        ("PublicSubnet2RouteTableAssociation", &public_rt, &public2),
        ("PrivateSubnet1RouteTableAssociation", &private_rt, &private1),
        ("PrivateSubnet2RouteTableAssociation", &private_rt, &private2),
    ] {
        s.add(id, SubnetRouteTableAssociation::new(rt.r#ref(), sn.r#ref()))?;
    }

    let mut egress = security_group::Egress::new("tcp");
    egress.from_port = Some(443.into());
    egress.to_port = Some(443.into());
    egress.cidr_ip = Some("0.0.0.0/0".into());
    egress.description = Some("HTTPS to the checked endpoint and AWS APIs (through the NAT gateway)".into());
    let mut sg = SecurityGroup::new("Synthetics canary: no ingress, HTTPS egress only");
    sg.group_name = Some(format!("sg-synthetics-{env}").into());
    sg.vpc_id = Some(vpc.r#ref());
    sg.security_group_egress = Some(vec![egress.into()].into());
    sg.tags = Some(vec![security_group::Tag::new("Name", format!("sg-synthetics-{env}")).into()].into());
    let sg = s.add("CanarySecurityGroup", sg)?;

    let out = |s: &mut StackScope<'_>, name: &str, desc: &str, v: crate::model::Value<String>| {
        s.output(name, desc, v)
    };
    out(s, "VpcId", "VPC id", vpc.r#ref())?;
    out(s, "PublicSubnet1Id", "Public subnet 1 (NAT gateway)", public1.r#ref())?;
    out(s, "PublicSubnet2Id", "Public subnet 2", public2.r#ref())?;
    out(s, "PrivateSubnet1Id", "Private subnet 1 (canary)", private1.r#ref())?;
    out(s, "PrivateSubnet2Id", "Private subnet 2 (canary)", private2.r#ref())?;
    out(s, "NatGatewayId", "NAT gateway id", nat.r#ref())?;
    out(s, "InternetGatewayId", "Internet gateway id", igw.r#ref())?;
    out(
        s,
        "CanarySecurityGroupId",
        "Security group of the canary",
        sg.get_att(security_group::SecurityGroupAttr::GroupId),
    )?;
    out(
        s,
        "NatEipPublicIp",
        "Public IP of the NAT gateway (egress address of the canary)",
        nat_eip.get_att(EipAttr::PublicIp),
    )?;
    out(
        s,
        "NatEipAllocationId",
        "Allocation id of the NAT gateway's EIP",
        nat_eip.get_att(EipAttr::AllocationId),
    )?;

    Ok(Network {
        vpc,
        public_subnets: [public1, public2],
        private_subnets: [private1, private2],
        canary_security_group: sg,
        nat_gateway: nat,
        internet_gateway: igw,
        nat_eip,
    })
}
