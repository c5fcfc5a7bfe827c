"""TgwVpc alone: subnets where the layout says, the attachment in its own subnets, the default route after it."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network as Net
from typing import Any

import pulumi

from components.vpc import TgwVpc, TgwVpcArgs, VpcLayout
from tests.components.conftest import Graph

LAYOUT = VpcLayout(
    cidr=Net("10.50.0.0/16"),
    private_subnets=(Net("10.50.1.0/24"), Net("10.50.2.0/24")),
    attachment_subnets=(Net("10.50.3.0/28"), Net("10.50.3.16/28")),
    zones=("eu-west-1b", "eu-west-1c"),
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
    assert len(children) == 1 + 2 + 4 + 4 + 1 + 1  # vpc, tables, subnets, associations, attachment, route
    assert all(r.name.startswith("net-") for r in children)
