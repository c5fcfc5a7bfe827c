"""TgwVpc alone: subnets where the layout says (zone ids or names), the attachment in its own subnets,
the default route after it, the owner's route tables when given, flow logs and a closed default group."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network as Net
from typing import Any

import pulumi

from components.vpc import TgwRouting, TgwVpc, TgwVpcArgs, VpcLayout, zone_placement
from tests.components.conftest import ACCOUNT, REGION, Graph, by_sid, statements

LAYOUT = VpcLayout(
    cidr=Net("10.50.0.0/16"),
    private_subnets=(Net("10.50.1.0/24"), Net("10.50.2.0/24")),
    attachment_subnets=(Net("10.50.3.0/28"), Net("10.50.3.16/28")),
    zones=("eu-west-1b", "eu-west-1c"),
    flow_log_retention_days=60,
)
TGW = "tgw-0123456789abcdef0"
ARGS = TgwVpcArgs(layout=LAYOUT, transit_gateway_id=TGW)


def _vpc(**changes: Any) -> TgwVpc:
    return TgwVpc("net", replace(ARGS, **changes))


@pulumi.runtime.test
def test_subnets_in_the_given_ranges_and_zones(graph: Graph) -> pulumi.Output[None]:
    vpc = _vpc()
    subnets = [*vpc.private_subnets, *vpc.attachment_subnets]

    def check(values: list[object]) -> None:
        cidr, *placed = values
        assert cidr == "10.50.0.0/16"
        assert placed == [
            ("10.50.1.0/24", "eu-west-1b", False),
            ("10.50.2.0/24", "eu-west-1c", False),
            ("10.50.3.0/28", "eu-west-1b", False),
            ("10.50.3.16/28", "eu-west-1c", False),
        ]

    placed = [pulumi.Output.all(s.cidr_block, s.availability_zone, s.map_public_ip_on_launch) for s in subnets]
    return pulumi.Output.all(vpc.vpc.cidr_block, *placed).apply(lambda v: check([v[0], *map(tuple, v[1:])]))


@pulumi.runtime.test
def test_attachment_in_the_attachment_subnets_of_the_given_tgw(graph: Graph) -> pulumi.Output[None]:
    vpc = _vpc()

    def check(values: list[object]) -> None:
        tgw, subnet_ids, attachment_ids = values
        assert tgw == TGW
        assert subnet_ids == attachment_ids

    return pulumi.Output.all(
        vpc.attachment.transit_gateway_id,
        vpc.attachment.subnet_ids,
        pulumi.Output.all(*[s.id for s in vpc.attachment_subnets]),
    ).apply(check)


def test_default_route_to_the_tgw_waits_for_the_attachment(graph: Graph) -> None:
    graph.build(_vpc)
    route = graph.one("aws:ec2/route:Route", "net-default-to-tgw")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0" and route.inputs["transitGatewayId"] == TGW
    assert route.inputs["routeTableId"] == graph.one("aws:ec2/routeTable:RouteTable", "net-private").id
    assert graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "net-tgw").urn in route.dependencies


def test_each_kind_of_subnet_on_its_own_route_table(graph: Graph) -> None:
    graph.build(_vpc)
    tables = {graph.one("aws:ec2/routeTable:RouteTable", f"net-{k}").id: k for k in ("private", "attachment")}
    associations = graph.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    kinds = {graph.by_id(a.inputs["subnetId"]).name: tables[a.inputs["routeTableId"]] for a in associations}
    assert kinds == {
        "net-private-0": "private",
        "net-private-1": "private",
        "net-attachment-0": "attachment",
        "net-attachment-1": "attachment",
    }


def test_attachment_waits_for_what_it_is_given(graph: Graph) -> None:
    def make() -> TgwVpc:
        accepter = pulumi.CustomResource("aws:ram/resourceShareAccepter:ResourceShareAccepter", "accept", {})
        return _vpc(attachment_depends_on=[accepter])

    graph.build(make)
    accepter = graph.one("aws:ram/resourceShareAccepter:ResourceShareAccepter", "accept")
    assert accepter.urn in graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "net-tgw").dependencies


def test_children_are_named_after_the_component(graph: Graph) -> None:
    graph.build(_vpc)
    component = graph.one("studio-access:vpc:TgwVpc", "net")
    children = [r for r in graph.resources if r.parent == component.urn]
    # vpc, tables, subnets, associations, attachment, route; flow log, its group, role and policy; default group
    assert len(children) == 1 + 2 + 4 + 4 + 1 + 1 + 4 + 1
    assert all(r.name.startswith("net-") for r in children)


SUBNET = "aws:ec2/subnet:Subnet"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"


def test_zone_ids_place_subnets_by_id_and_names_by_name() -> None:
    assert zone_placement("use1-az4") == {"availability_zone_id": "use1-az4"}
    assert zone_placement("usgw1-az2") == {"availability_zone_id": "usgw1-az2"}
    assert zone_placement("us-east-1a") == {"availability_zone": "us-east-1a"}


def test_subnets_by_zone_id_meet_in_the_same_physical_zones(graph: Graph) -> None:
    graph.build(lambda: _vpc(layout=replace(LAYOUT, zones=("euw1-az3", "euw1-az1"))))
    placed = {
        s.name: (s.inputs.get("availabilityZoneId"), s.inputs.get("availabilityZone")) for s in graph.of_type(SUBNET)
    }
    assert placed == {
        "net-private-0": ("euw1-az3", None),
        "net-private-1": ("euw1-az1", None),
        "net-attachment-0": ("euw1-az3", None),
        "net-attachment-1": ("euw1-az1", None),
    }
    assert graph.one(SUBNET, "net-private-0").inputs["tags"] == {"Name": "net-private-euw1-az3"}


def test_flow_logs_of_all_traffic_to_a_group_kept_as_given_through_a_role_for_that_group_only(graph: Graph) -> None:
    graph.build(_vpc)
    vpc = graph.one("aws:ec2/vpc:Vpc", "net-vpc")
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
    role = graph.one("aws:iam/role:Role", "net-flow-logs")
    flow_log = graph.one("aws:ec2/flowLog:FlowLog", "net-flow-logs").inputs
    assert (flow_log["vpcId"], flow_log["trafficType"], flow_log["logDestinationType"]) == (
        vpc.id,
        "ALL",
        "cloud-watch-logs",
    )
    assert (flow_log["logDestination"], flow_log["iamRoleArn"]) == (group.outputs["arn"], role.outputs["arn"])
    assert group.inputs["retentionInDays"] == 60
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/*"},
    }
    policy = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "net-flow-logs").inputs["policy"])
    assert policy["WriteThisLogGroup"]["Resource"] == [group.outputs["arn"], group.outputs["arn"] + ":log-stream:*"]
    assert sorted(policy["WriteThisLogGroup"]["Action"]) == [
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
    ]
    assert policy["FindTheLogGroup"] == {
        "Sid": "FindTheLogGroup",
        "Effect": "Allow",
        "Action": "logs:DescribeLogGroups",
        "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*",
    }


def test_default_security_group_taken_over_without_rules(graph: Graph) -> None:
    graph.build(_vpc)
    default = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default")
    assert default.inputs["vpcId"] == graph.one("aws:ec2/vpc:Vpc", "net-vpc").id
    assert "ingress" not in default.inputs and "egress" not in default.inputs


def test_without_routing_the_attachment_follows_the_tgw_defaults(graph: Graph) -> None:
    graph.build(_vpc)
    attachment = graph.one(ATTACHMENT, "net-tgw").inputs
    assert "transitGatewayDefaultRouteTableAssociation" not in attachment
    assert "transitGatewayDefaultRouteTablePropagation" not in attachment
    assert not graph.of_type("aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
    assert not graph.of_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")


def test_with_routing_the_owner_puts_the_attachment_in_the_given_tables(graph: Graph) -> None:
    routing = TgwRouting(association_table_id="tgw-rtb-0hub", propagation_table_ids=("tgw-rtb-0spokes",))
    graph.build(lambda: _vpc(routing=routing))
    attachment = graph.one(ATTACHMENT, "net-tgw")
    assert attachment.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert attachment.inputs["transitGatewayDefaultRouteTablePropagation"] is False
    association = graph.one(
        "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation", "net-tgw-association"
    ).inputs
    assert association == {
        "transitGatewayAttachmentId": attachment.id,
        "transitGatewayRouteTableId": "tgw-rtb-0hub",
        "replaceExistingAssociation": True,
    }
    (propagation,) = graph.of_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    assert propagation.inputs == {
        "transitGatewayAttachmentId": attachment.id,
        "transitGatewayRouteTableId": "tgw-rtb-0spokes",
    }
