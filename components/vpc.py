"""A VPC attached to the Transit Gateway: the shape the central, access and LOB VPCs share.

Private subnets (workloads, endpoints) and attachment subnets (only the TGW's network
interfaces) in two availability zones, a route table for each kind, the TGW attachment in the
attachment subnets and, once that attachment exists, a default route to the TGW from the
private subnets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

Subnets = tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]


@dataclass(frozen=True, kw_only=True)
class VpcLayout:
    """Where a VPC's ranges are: its CIDR, and one private and one attachment subnet per zone."""

    cidr: ipaddress.IPv4Network
    private_subnets: Subnets
    attachment_subnets: Subnets
    zones: tuple[str, str]


@dataclass(frozen=True, kw_only=True)
class TgwVpcArgs:
    layout: VpcLayout
    transit_gateway_id: pulumi.Input[str]
    # Resources the attachment must wait for (e.g. the RAM share's acceptance in a LOB account).
    attachment_depends_on: Sequence[pulumi.Resource] = ()


class TgwVpc(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    private_subnets: list[aws.ec2.Subnet]
    attachment_subnets: list[aws.ec2.Subnet]
    private_route_table: aws.ec2.RouteTable
    attachment_route_table: aws.ec2.RouteTable
    attachment: aws.ec2transitgateway.VpcAttachment
    default_route: aws.ec2.Route

    def __init__(self, name: str, args: TgwVpcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:vpc:TgwVpc", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        layout = args.layout

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(layout.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        self.private_route_table = aws.ec2.RouteTable(
            f"{name}-private", vpc_id=self.vpc.id, tags={"Name": f"{name}-private"}, opts=child
        )
        self.attachment_route_table = aws.ec2.RouteTable(
            f"{name}-attachment", vpc_id=self.vpc.id, tags={"Name": f"{name}-attachment"}, opts=child
        )
        self.private_subnets = self._subnets(
            name, "private", layout.private_subnets, layout.zones, self.private_route_table
        )
        self.attachment_subnets = self._subnets(
            name, "attachment", layout.attachment_subnets, layout.zones, self.attachment_route_table
        )

        self.attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-tgw",
            transit_gateway_id=args.transit_gateway_id,
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.attachment_subnets],
            dns_support="enable",
            # default_route_table_association/propagation stay unset: the TGW's defaults apply,
            # and setting them from a non-owner account gives a perpetual diff.
            tags={"Name": f"{name}-tgw"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.attachment_depends_on)),
        )
        self.default_route = aws.ec2.Route(
            f"{name}-default-to-tgw",
            route_table_id=self.private_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            transit_gateway_id=args.transit_gateway_id,
            # A route to a TGW the VPC is not attached to yet is refused.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.attachment]),
        )
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "privateSubnetIds": [s.id for s in self.private_subnets],
                "attachmentSubnetIds": [s.id for s in self.attachment_subnets],
                "attachmentId": self.attachment.id,
            }
        )

    def _subnets(
        self, name: str, kind: str, cidrs: Subnets, zones: tuple[str, str], route_table: aws.ec2.RouteTable
    ) -> list[aws.ec2.Subnet]:
        subnets = []
        for index, (cidr, zone) in enumerate(zip(cidrs, zones, strict=True)):
            subnet = aws.ec2.Subnet(
                f"{name}-{kind}-{index}",
                vpc_id=self.vpc.id,
                cidr_block=str(cidr),
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-{kind}-{zone}"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{index}",
                subnet_id=subnet.id,
                route_table_id=route_table.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
            subnets.append(subnet)
        return subnets
