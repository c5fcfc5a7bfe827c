"""The optional on-premises simulator: off by default, complete and locked down when enabled."""

from __future__ import annotations

import pytest

from components.onprem import AMAZON_LINUX_PARAMETER, BASTION_TAG, WINDOWS_PARAMETER
from tests.conftest import EXAMPLE, FIXTURES, one, resources
from tools import plan as plan_tool

SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


@pytest.fixture(scope="module")
def sim():
    """The example project whose shared stack enables the simulator."""
    return plan_tool.plan(None, FIXTURES / "onprem")["shared"]


def test_off_by_default(planned):
    shared = planned["shared"]
    assert not [r for r in shared.resources if r.type == "studio-access:onprem:OnPremSimulator"]
    assert "onPremTunnelCommand" not in shared.outputs


def test_vpc_and_subnets(sim):
    assert one(sim, "aws:ec2/vpc:Vpc", "onprem-vpc").inputs["cidrBlock"] == "192.168.10.0/24"
    subnets = {
        r.name: r.inputs["cidrBlock"] for r in resources(sim, "aws:ec2/subnet:Subnet") if r.name.startswith("onprem")
    }
    assert subnets == {
        "onprem-private-0": "192.168.10.0/26",
        "onprem-private-1": "192.168.10.64/26",
        "onprem-public-0": "192.168.10.128/26",
        "onprem-public-1": "192.168.10.192/26",
    }


def test_peering_accepted_as_code_with_routes_both_ways(sim):
    peering = one(sim, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "onprem-central")
    central = one(sim, "aws:ec2/vpc:Vpc", "hub-central-vpc")
    assert peering.inputs["peerVpcId"] == central.id and peering.inputs["autoAccept"] is True
    to_central = one(sim, "aws:ec2/route:Route", "onprem-to-central").inputs
    back = one(sim, "aws:ec2/route:Route", "onprem-from-central").inputs
    assert (to_central["destinationCidrBlock"], to_central["vpcPeeringConnectionId"]) == ("10.0.0.0/16", peering.id)
    assert to_central["routeTableId"] == one(sim, "aws:ec2/routeTable:RouteTable", "onprem-private").id
    assert (back["destinationCidrBlock"], back["vpcPeeringConnectionId"]) == ("192.168.10.0/24", peering.id)
    assert back["routeTableId"] == one(sim, "aws:ec2/routeTable:RouteTable", "hub-central-private").id


def test_api_and_studio_zones_associated(sim):
    zones = {r.outputs["zoneId"]: r.name for r in resources(sim, "aws:route53/zone:Zone")}
    vpc = one(sim, "aws:ec2/vpc:Vpc", "onprem-vpc")
    assoc = [a for a in resources(sim, "aws:route53/zoneAssociation:ZoneAssociation") if a.inputs["vpcId"] == vpc.id]
    # the API's own host (never the whole execute-api domain) and Studio's
    assert sorted(zones[a.inputs["zoneId"]] for a in assoc) == ["hub-api-host", "hub-studio"]
    assert one(sim, "aws:route53/zone:Zone", "hub-api-host").inputs["name"].startswith(sim.outputs["apiId"] + ".")


def test_central_endpoints_admit_the_on_prem_range(sim):
    for key in ("studio", "execute-api", "sagemaker-api", "sagemaker-runtime", "sts"):
        group = one(sim, "aws:ec2/securityGroup:SecurityGroup", f"hub-{key}-endpoint")
        cidrs = {r.inputs["cidrIpv4"] for r in resources(sim, SG_IN) if r.inputs["securityGroupId"] == group.id}
        assert "192.168.10.0/24" in cidrs, key


def test_the_simulator_vpc_has_flow_logs_and_a_closed_default_group(sim):
    vpc = one(sim, "aws:ec2/vpc:Vpc", "onprem-vpc")
    assert one(sim, "aws:ec2/flowLog:FlowLog", "onprem-flow-logs").inputs["vpcId"] == vpc.id
    default = one(sim, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "onprem-default").inputs
    assert default["vpcId"] == vpc.id and not default.get("ingress") and not default.get("egress")


def test_bastion_ssh_only_from_the_configured_range_and_tagged(sim):
    bastion_group = one(sim, "aws:ec2/securityGroup:SecurityGroup", "onprem-bastion")
    windows_group = one(sim, "aws:ec2/securityGroup:SecurityGroup", "onprem-windows")
    ins = {r.name: r.inputs for r in resources(sim, SG_IN) if r.name.startswith("onprem")}
    ssh = ins["onprem-bastion-ssh-tcp-0"]
    assert (ssh["securityGroupId"], ssh["cidrIpv4"], ssh["fromPort"], ssh["toPort"]) == (
        bastion_group.id,
        "203.0.113.10/32",
        22,
        22,
    )
    assert ssh["tags"] == BASTION_TAG
    rdp = ins["onprem-windows-rdp-tcp-0"]
    assert (rdp["securityGroupId"], rdp["referencedSecurityGroupId"], rdp["fromPort"]) == (
        windows_group.id,
        bastion_group.id,
        3389,
    )
    assert "cidrIpv4" not in rdp
    assert len(ins) == 2


def test_hosts_use_current_images_imdsv2_and_encrypted_volumes(sim):
    bastion = one(sim, "aws:ec2/instance:Instance", "onprem-bastion").inputs
    windows = one(sim, "aws:ec2/instance:Instance", "onprem-windows").inputs
    from tools.mocks import digest

    assert bastion["ami"] == "ami-" + digest(AMAZON_LINUX_PARAMETER)
    assert windows["ami"] == "ami-" + digest(WINDOWS_PARAMETER)
    for host in (bastion, windows):
        assert host["metadataOptions"]["httpTokens"] == "required"
        assert host["rootBlockDevice"]["encrypted"] is True
        assert host["keyName"] == "studio-access-onprem"
    assert (bastion["instanceType"], windows["instanceType"]) == ("t3a.nano", "t3a.medium")
    assert bastion["associatePublicIpAddress"] is True and windows["associatePublicIpAddress"] is False
    names = {r.id: r.name for r in sim.resources}
    assert names[bastion["subnetId"]] == "onprem-public-0" and names[windows["subnetId"]] == "onprem-private-0"
    assert "firefox" in windows["userData"].lower()


def test_windows_host_waits_for_the_nat_route_it_installs_through(sim):
    windows = one(sim, "aws:ec2/instance:Instance", "onprem-windows")
    assert one(sim, "aws:ec2/natGateway:NatGateway", "onprem-nat").urn in windows.dependencies


def test_outputs_tunnel_command_and_url(sim):
    bastion = one(sim, "aws:ec2/instance:Instance", "onprem-bastion")
    windows = one(sim, "aws:ec2/instance:Instance", "onprem-windows")
    assert sim.outputs["onPremTunnelCommand"] == (
        f"ssh -i studio-access-onprem.pem -N -L 3389:{windows.outputs['privateIp']}:3389 ec2-user@{bastion.outputs['publicIp']}"
    )
    assert sim.outputs["onPremOpenUrl"] == sim.outputs["apiUrl"] + "/"  # the sign-in page


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda o: o.update(bastionAllowedCidr="0.0.0.0/0"), "opens SSH to (a large part of) the internet"),
        (lambda o: o.pop("keyPairName"), "keyPairName is required when enabled"),
        (lambda o: o.pop("bastionAllowedCidr"), "bastionAllowedCidr is required when enabled"),
        (lambda o: o.update(publicSubnets=["192.168.10.128/26", "192.168.11.0/26"]), "is not inside vpcCidr"),
    ],
)
def test_bad_simulator_config(project, edit, message):
    def change(c):
        c["studio-access:onPrem"]["enabled"] = True
        edit(c["studio-access:onPrem"])

    project.edit("shared", change)
    assert any(k == "studio-access:onPrem" and message in m for _, k, m in project.problems("shared"))


def test_simulator_range_must_reach_the_endpoints(project):
    def change(c):
        c["studio-access:onPrem"].update(
            enabled=True,
            vpcCidr="192.168.20.0/24",
            privateSubnets=["192.168.20.0/26", "192.168.20.64/26"],
            publicSubnets=["192.168.20.128/26", "192.168.20.192/26"],
        )

    project.edit("shared", change)
    assert any("must be inside one of hub.onPremCidrs" in m for _, _, m in project.problems("shared"))


def test_cli_plans_the_example(capsys):
    assert plan_tool.main(["--project-dir", str(FIXTURES / "onprem"), "--stack", "shared", "--quiet"], EXAMPLE) == 0
    assert "aws:ec2/instance:Instance" in capsys.readouterr().out
