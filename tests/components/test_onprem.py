"""OnPremSimulator alone: SSH only from the given range, RDP only from the bastion, hardened hosts."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network as Net
from typing import Any

import pulumi

from components.onprem import (
    AMAZON_LINUX_PARAMETER,
    BASTION_TAG,
    WINDOWS_PARAMETER,
    OnPremSimulator,
    OnPremSimulatorArgs,
)
from contracts.tags import BASTION_SSH, PURPOSE_TAG
from tests.components.conftest import REGION, SG, SG_IN, SG_OUT, Graph
from tools.mocks import digest

ARGS = OnPremSimulatorArgs(
    region=REGION,
    vpc_cidr=Net("172.16.0.0/24"),
    public_subnets=(Net("172.16.0.0/26"), Net("172.16.0.64/26")),
    private_subnets=(Net("172.16.0.128/26"), Net("172.16.0.192/26")),
    zones=("us-east-1a", "us-east-1b"),
    key_pair_name="desk",
    bastion_allowed_cidr=Net("198.51.100.7/32"),
    bastion_instance_type="t3a.micro",
    windows_instance_type="t3a.large",
    install_browser=True,
    central_vpc_id="vpc-0f0f0f0f0f0f0f0f0",
    central_vpc_cidr="10.60.0.0/16",
    central_route_table_id="rtb-0f0f0f0f0f0f0f0f0",
    hosted_zone_ids={"execute-api": "ZEXEC000000000", "studio": "ZSTUDIO0000000"},
)
INSTANCE = "aws:ec2/instance:Instance"


def _sim(**changes: Any) -> OnPremSimulator:
    return OnPremSimulator("onprem", replace(ARGS, **changes))


def test_bastion_tag_is_the_contracts() -> None:
    assert BASTION_TAG == {PURPOSE_TAG: BASTION_SSH}


def test_ssh_only_from_the_given_range_tagged_and_rdp_only_from_the_bastion(graph: Graph) -> None:
    graph.build(_sim)
    bastion, windows = graph.one(SG, "onprem-bastion"), graph.one(SG, "onprem-windows")
    (ssh,) = graph.rules(SG_IN, bastion)
    assert (ssh["cidrIpv4"], ssh["ipProtocol"], ssh["fromPort"], ssh["toPort"]) == ("198.51.100.7/32", "tcp", 22, 22)
    assert ssh["tags"] == BASTION_TAG
    (rdp,) = graph.rules(SG_IN, windows)
    assert (rdp["referencedSecurityGroupId"], rdp["fromPort"]) == (bastion.id, 3389) and "cidrIpv4" not in rdp
    (out,) = graph.rules(SG_OUT, bastion)
    assert (out["referencedSecurityGroupId"], out["fromPort"]) == (windows.id, 3389)


def test_hosts_are_hardened_on_current_images(graph: Graph) -> None:
    graph.build(_sim)
    bastion = graph.one(INSTANCE, "onprem-bastion").inputs
    windows = graph.one(INSTANCE, "onprem-windows").inputs
    assert (bastion["ami"], windows["ami"]) == (
        "ami-" + digest(AMAZON_LINUX_PARAMETER),
        "ami-" + digest(WINDOWS_PARAMETER),
    )
    for host in (bastion, windows):
        assert host["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required"}
        assert host["rootBlockDevice"]["encrypted"] is True and host["keyName"] == "desk"
    assert (bastion["instanceType"], windows["instanceType"]) == ("t3a.micro", "t3a.large")
    assert bastion["associatePublicIpAddress"] is True and windows["associatePublicIpAddress"] is False
    assert graph.by_id(windows["subnetId"]).name == "onprem-private-0"
    assert "firefox" in windows["userData"].lower()
    assert (
        graph.one("aws:ec2/natGateway:NatGateway", "onprem-nat").urn
        in graph.one(INSTANCE, "onprem-windows").dependencies
    )


def test_no_installer_unless_asked(graph: Graph) -> None:
    graph.build(lambda: _sim(install_browser=False))
    assert "userData" not in graph.one(INSTANCE, "onprem-windows").inputs


def test_peering_with_routes_both_ways_and_the_given_zones(graph: Graph) -> None:
    graph.build(_sim)
    peering = graph.one("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "onprem-central")
    assert (peering.inputs["peerVpcId"], peering.inputs["autoAccept"]) == ("vpc-0f0f0f0f0f0f0f0f0", True)
    to_central = graph.one("aws:ec2/route:Route", "onprem-to-central").inputs
    back = graph.one("aws:ec2/route:Route", "onprem-from-central").inputs
    assert (to_central["destinationCidrBlock"], to_central["vpcPeeringConnectionId"]) == ("10.60.0.0/16", peering.id)
    assert (back["routeTableId"], back["destinationCidrBlock"]) == ("rtb-0f0f0f0f0f0f0f0f0", "172.16.0.0/24")
    vpc = graph.one("aws:ec2/vpc:Vpc", "onprem-vpc")
    associations = graph.of_type("aws:route53/zoneAssociation:ZoneAssociation")
    assert {(a.inputs["zoneId"], a.inputs["vpcId"]) for a in associations} == {
        ("ZEXEC000000000", vpc.id),
        ("ZSTUDIO0000000", vpc.id),
    }


@pulumi.runtime.test
def test_tunnel_command_reaches_the_desktop_through_the_bastion(graph: Graph) -> pulumi.Output[None]:
    sim = _sim()

    def check(values: list[str]) -> None:
        command, private_ip, public_ip = values
        assert command == f"ssh -i desk.pem -N -L 3389:{private_ip}:3389 ec2-user@{public_ip}"

    return pulumi.Output.all(sim.tunnel_command, sim.windows.private_ip, sim.bastion.public_ip).apply(check)


def test_subnets_by_zone_id_when_given(graph: Graph) -> None:
    graph.build(lambda: _sim(zones=("use1-az2", "use1-az1")))
    subnets = {s.name: s.inputs for s in graph.of_type("aws:ec2/subnet:Subnet")}
    assert {n: s.get("availabilityZoneId") for n, s in subnets.items()} == {
        "onprem-public-0": "use1-az2",
        "onprem-public-1": "use1-az1",
        "onprem-private-0": "use1-az2",
        "onprem-private-1": "use1-az1",
    }
    assert not [s for s in subnets.values() if "availabilityZone" in s]


def test_flow_logs_kept_as_given_and_a_default_group_without_rules(graph: Graph) -> None:
    graph.build(lambda: _sim(flow_log_retention_days=14))
    vpc = graph.one("aws:ec2/vpc:Vpc", "onprem-vpc")
    flow_log = graph.one("aws:ec2/flowLog:FlowLog", "onprem-flow-logs").inputs
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "onprem-flow-logs")
    assert (flow_log["vpcId"], flow_log["trafficType"], flow_log["logDestination"]) == (
        vpc.id,
        "ALL",
        group.outputs["arn"],
    )
    assert group.inputs["retentionInDays"] == 14
    default = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "onprem-default").inputs
    assert default["vpcId"] == vpc.id and "ingress" not in default and "egress" not in default
