//! Network stack: the VPC the canary runs in (PLATFORM.md, "Network").
//!
//! VPC 10.0.0.0/16 with DNS; public subnets 10.0.1.0/24 and 10.0.2.0/24 (public IPs on
//! launch), private subnets 10.0.10.0/24 and 10.0.11.0/24, over the first two AZs; IGW, one
//! EIP + NAT gateway in the first public subnet; a public and a private route table with their
//! default routes and four associations; the canary's security group (egress TCP 443 only).

use crate::compile::{AppError, StackScope};
use crate::model::{Handle, Tag};
use crate::resources::ec2::{
    Eip, EipAttr, InternetGateway, NatGateway, Route, RouteTable, SecurityGroup, Subnet,
    SubnetRouteTableAssociation, Vpc, VpcGatewayAttachment, security_group,
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
    let name = |n: String| [Tag::new("Name", n)];
    let vpc = s.add(
        "Vpc",
        Vpc::builder()
            .cidr_block("10.0.0.0/16")
            .enable_dns_hostnames(true)
            .enable_dns_support(true)
            .tags(name(format!("vpc-observability-{env}")))
            .build(),
    )?;

    let mut subnets = Vec::new();
    for (kind, public, cidrs) in [
        ("Public", true, ["10.0.1.0/24", "10.0.2.0/24"]),
        ("Private", false, ["10.0.10.0/24", "10.0.11.0/24"]),
    ] {
        for (i, cidr) in cidrs.into_iter().enumerate() {
            let n = i + 1;
            let kind_lower = kind.to_ascii_lowercase();
            let subnet = Subnet::builder()
                .vpc_id(vpc.r#ref())
                .cidr_block(cidr)
                .availability_zone(az(i as i64))
                .map_public_ip_on_launch(public)
                .tags([
                    Tag::new("Name", format!("subnet-{kind_lower}-{n}-{env}")),
                    Tag::new("Type", kind_lower.as_str()),
                ])
                .build();
            subnets.push(s.add(&format!("{kind}Subnet{n}"), subnet)?);
        }
    }
    let [public1, public2, private1, private2]: [Handle<Subnet>; 4] =
        subnets.try_into().unwrap_or_else(|_| unreachable!("four subnets were added"));

    let igw = s.add(
        "InternetGateway",
        InternetGateway::builder().tags(name(format!("igw-observability-{env}"))).build(),
    )?;
    let attachment = s.add(
        "InternetGatewayAttachment",
        VpcGatewayAttachment::builder().vpc_id(vpc.r#ref()).internet_gateway_id(igw.r#ref()).build(),
    )?;

    let nat_eip = s.add(
        "NatEip",
        Eip::builder().domain("vpc").tags(name(format!("eip-nat-observability-{env}"))).build(),
    )?;
    // An EIP for a NAT gateway needs the IGW attached to the VPC first.
    s.resource_mut(&nat_eip).depends_on(attachment.id());
    let nat = s.add(
        "NatGateway",
        NatGateway::builder()
            .allocation_id(nat_eip.get_att(EipAttr::AllocationId))
            .subnet_id(public1.r#ref())
            .tags(name(format!("nat-observability-{env}")))
            .build(),
    )?;

    let route_table = |visibility: &str| {
        RouteTable::builder()
            .vpc_id(vpc.r#ref())
            .tags(name(format!("rt-{visibility}-observability-{env}")))
            .build()
    };
    let public_rt = s.add("PublicRouteTable", route_table("public"))?;
    let private_rt = s.add("PrivateRouteTable", route_table("private"))?;

    let to_igw = s.add(
        "PublicDefaultRoute",
        Route::builder()
            .route_table_id(public_rt.r#ref())
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(igw.r#ref())
            .build(),
    )?;
    // A route to an internet gateway fails until the gateway is attached.
    s.resource_mut(&to_igw).depends_on(attachment.id());
    s.add(
        "PrivateDefaultRoute",
        Route::builder()
            .route_table_id(private_rt.r#ref())
            .destination_cidr_block("0.0.0.0/0")
            .nat_gateway_id(nat.r#ref())
            .build(),
    )?;

    for (id, rt, sn) in [
        ("PublicSubnet1RouteTableAssociation", &public_rt, &public1),
        ("PublicSubnet2RouteTableAssociation", &public_rt, &public2),
        ("PrivateSubnet1RouteTableAssociation", &private_rt, &private1),
        ("PrivateSubnet2RouteTableAssociation", &private_rt, &private2),
    ] {
        s.add(
            id,
            SubnetRouteTableAssociation::builder().route_table_id(rt.r#ref()).subnet_id(sn.r#ref()).build(),
        )?;
    }

    let egress = security_group::Egress::builder()
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .cidr_ip("0.0.0.0/0")
        .description("HTTPS to the checked endpoint and AWS APIs (through the NAT gateway)")
        .build();
    let sg = s.add(
        "CanarySecurityGroup",
        SecurityGroup::builder()
            .group_description("Synthetics canary: no ingress, HTTPS egress only")
            .group_name(format!("sg-synthetics-{env}"))
            .vpc_id(vpc.r#ref())
            .security_group_egress([egress])
            .tags(name(format!("sg-synthetics-{env}")))
            .build(),
    )?;

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
