"""A VPC attached to the Transit Gateway: the shape the central, access and LOB VPCs share.

Private subnets (workloads, endpoints) and attachment subnets (only the TGW's network
interfaces) in two availability zones (placed by zone id when the layout gives ids), a route
table for each kind, the TGW attachment in the attachment subnets and, once that attachment
exists, a default route to the TGW from the private subnets. Every VPC also gets its flow logs
(to a CloudWatch log group with a retention, through a role that may write that group only) and
its default security group taken over with no rules (`vpc_basics`, used by the simulator too).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from . import iam

Subnets = tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]

# `use1-az1`: a zone id names the same physical zone in every account; a name (`us-east-1a`) does not.
ZONE_ID: Final = re.compile(r"^[a-z]{2,}\d+-az\d+$")
FLOW_LOGS_SERVICE: Final = "vpc-flow-logs.amazonaws.com"


def zone_placement(zone: str) -> dict[str, str]:
    """A subnet's zone argument: `availability_zone_id` for a zone id, `availability_zone` for a name."""
    return {"availability_zone_id": zone} if ZONE_ID.match(zone) else {"availability_zone": zone}


@dataclass(frozen=True, kw_only=True)
class VpcLayout:
    """Where a VPC's ranges are: its CIDR, one private and one attachment subnet per zone (zone ids
    or names), and how long its flow logs are kept."""

    cidr: ipaddress.IPv4Network
    private_subnets: Subnets
    attachment_subnets: Subnets
    zones: tuple[str, str]
    flow_log_retention_days: int = 90


@dataclass(frozen=True, kw_only=True)
class TgwRouting:
    """The TGW route tables the owner puts an attachment in: the one it is associated with (its
    routes) and those it propagates its CIDR into (who can reach it)."""

    association_table_id: pulumi.Input[str]
    propagation_table_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True, kw_only=True)
class TgwVpcArgs:
    layout: VpcLayout
    transit_gateway_id: pulumi.Input[str]
    # Resources the attachment must wait for (e.g. the RAM share's acceptance in a LOB account).
    attachment_depends_on: Sequence[pulumi.Resource] = ()
    # Only in the TGW owner's account, for an attachment that must not follow the TGW's defaults
    # (the central VPC). None: the defaults apply, and nothing is set on the attachment (from a
    # non-owner account that would be a perpetual diff).
    routing: TgwRouting | None = None


@dataclass(frozen=True)
class VpcBasics:
    """What every VPC gets: flow logs and a default security group without rules."""

    flow_log: aws.ec2.FlowLog
    flow_log_group: aws.cloudwatch.LogGroup
    flow_log_role: aws.iam.Role
    default_security_group: aws.ec2.DefaultSecurityGroup


def vpc_basics(name: str, vpc: aws.ec2.Vpc, retention_days: int, parent: pulumi.Resource) -> VpcBasics:
    """Flow logs of all traffic to a log group kept `retention_days`, through a role that only the
    flow logs service of this account may assume and that may write only that group; and the VPC's
    default security group managed with no rules (nothing that lands in it can talk)."""
    child = pulumi.ResourceOptions(parent=parent)
    group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name_prefix=f"/studio-access/vpc-flow-logs/{name}-",
        retention_in_days=retention_days,
        tags={"Name": f"{name}-flow-logs"},
        opts=child,
    )
    # arn:aws:ec2:<region>:<account>:vpc/<id> -> the region and account of the flow logs.
    arn_parts = vpc.arn.apply(lambda arn: arn.split(":"))
    account = arn_parts.apply(lambda parts: parts[4])
    flow_logs_arn = arn_parts.apply(lambda parts: f"arn:{parts[1]}:ec2:{parts[3]}:{parts[4]}:vpc-flow-log/*")
    role = aws.iam.Role(
        f"{name}-flow-logs",
        description=f"VPC flow logs of {name}: write its log group only",
        assume_role_policy=iam.document(
            {
                "Effect": "Allow",
                "Principal": {"Service": FLOW_LOGS_SERVICE},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": flow_logs_arn},
                },
            }
        ),
        opts=child,
    )
    aws.iam.RolePolicy(
        f"{name}-flow-logs",
        role=role.id,
        policy=iam.document(
            {
                "Sid": "WriteThisLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                "Resource": [group.arn, pulumi.Output.concat(group.arn, ":log-stream:*")],
            },
            {
                # The service checks the group exists; a list call of this account's groups.
                "Sid": "FindTheLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": group.arn.apply(lambda arn: arn.split(":log-group:")[0] + ":log-group:*"),
            },
        ),
        opts=child,
    )
    flow_log = aws.ec2.FlowLog(
        f"{name}-flow-logs",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=600,
        tags={"Name": f"{name}-flow-logs"},
        opts=child,
    )
    default_group = aws.ec2.DefaultSecurityGroup(
        f"{name}-default",
        vpc_id=vpc.id,
        # No ingress and no egress: the provider removes AWS's allow-all rules on adoption.
        tags={"Name": f"{name}-default (no rules: use the named groups)"},
        opts=child,
    )
    return VpcBasics(flow_log=flow_log, flow_log_group=group, flow_log_role=role, default_security_group=default_group)


class TgwVpc(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    private_subnets: list[aws.ec2.Subnet]
    attachment_subnets: list[aws.ec2.Subnet]
    private_route_table: aws.ec2.RouteTable
    attachment_route_table: aws.ec2.RouteTable
    attachment: aws.ec2transitgateway.VpcAttachment
    route_table_association: aws.ec2transitgateway.RouteTableAssociation | None
    route_table_propagations: list[aws.ec2transitgateway.RouteTablePropagation]
    default_route: aws.ec2.Route
    basics: VpcBasics

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
        self.basics = vpc_basics(name, self.vpc, layout.flow_log_retention_days, self)
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

        routing = args.routing
        self.attachment = aws.ec2transitgateway.VpcAttachment(
            f"{name}-tgw",
            transit_gateway_id=args.transit_gateway_id,
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.attachment_subnets],
            dns_support="enable",
            # Unset without routing: the TGW's defaults apply, and setting them from a non-owner
            # account gives a perpetual diff. With routing (owner only): the tables below instead.
            **(
                {
                    "transit_gateway_default_route_table_association": False,
                    "transit_gateway_default_route_table_propagation": False,
                }
                if routing
                else {}
            ),
            tags={"Name": f"{name}-tgw"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.attachment_depends_on)),
        )
        self.route_table_association = None
        self.route_table_propagations = []
        if routing:
            self.route_table_association = aws.ec2transitgateway.RouteTableAssociation(
                f"{name}-tgw-association",
                transit_gateway_attachment_id=self.attachment.id,
                transit_gateway_route_table_id=routing.association_table_id,
                # An attachment of an existing deployment may still sit in the TGW's old default table.
                replace_existing_association=True,
                opts=child,
            )
            self.route_table_propagations = [
                aws.ec2transitgateway.RouteTablePropagation(
                    f"{name}-tgw-propagation-{index}",
                    transit_gateway_attachment_id=self.attachment.id,
                    transit_gateway_route_table_id=table_id,
                    opts=child,
                )
                for index, table_id in enumerate(routing.propagation_table_ids)
            ]
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
                "flowLogGroup": self.basics.flow_log_group.name,
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
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-{kind}-{zone}"},
                opts=pulumi.ResourceOptions(parent=self),
                **zone_placement(zone),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{index}",
                subnet_id=subnet.id,
                route_table_id=route_table.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
            subnets.append(subnet)
        return subnets
