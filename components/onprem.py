"""An optional stand-in for the corporate network, to test the whole path from a desktop.

The sample's "on premise" VPC, as code: a bastion reachable over SSH from one configured range,
a private Windows host with a browser reachable over RDP from the bastion only, a NAT gateway
for the browser's installer, a VPC peering with the central VPC (same account, accepted here)
with routes both ways, and the API Gateway and Studio hosted zones associated with the VPC. Like
every VPC of the project it has flow logs and an empty default security group (`vpc.vpc_basics`),
and its subnets are placed by zone id when the config gives ids.
`pulumi destroy` removes all of it in dependency order; nothing is left to do by hand.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from contracts.tags import BASTION_SSH, PURPOSE_TAG

from . import security
from .vpc import VpcBasics, vpc_basics, zone_placement

# Public SSM parameters for current images (no hard-coded, ageing AMI ids).
AMAZON_LINUX_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
WINDOWS_PARAMETER = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base"
# Tag that tells the policy pack this SSH ingress is the simulator's, from a configured range.
BASTION_TAG: Final = {PURPOSE_TAG: BASTION_SSH}

INSTALL_FIREFOX = """<powershell>
$ErrorActionPreference = "Stop"
$installer = "$env:TEMP\\firefox.msi"
Invoke-WebRequest -UseBasicParsing -Uri "https://download.mozilla.org/?product=firefox-msi-latest-ssl&os=win64&lang=en-US" -OutFile $installer
Start-Process msiexec.exe -Wait -ArgumentList "/i `"$installer`" /quiet"
</powershell>
"""


Subnets = tuple[ipaddress.IPv4Network, ipaddress.IPv4Network]


@dataclass(frozen=True, kw_only=True)
class OnPremSimulatorArgs:
    region: str
    vpc_cidr: ipaddress.IPv4Network
    # One of each per zone: public (bastion, NAT gateway) and private (the Windows desktop).
    public_subnets: Subnets
    private_subnets: Subnets
    zones: tuple[str, str]
    # The EC2 key pair of both hosts; the only range SSH to the bastion is open to.
    key_pair_name: str
    bastion_allowed_cidr: ipaddress.IPv4Network
    bastion_instance_type: str
    windows_instance_type: str
    # Install Firefox on the desktop at first boot (through the NAT gateway).
    install_browser: bool
    central_vpc_id: pulumi.Input[str]
    central_vpc_cidr: str
    central_route_table_id: pulumi.Input[str]
    # The hosted zones a desktop needs: execute-api (the API) and studio (the presigned URL).
    hosted_zone_ids: Mapping[str, pulumi.Input[str]]
    flow_log_retention_days: int = 90


class OnPremSimulator(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    peering: aws.ec2.VpcPeeringConnection
    bastion: aws.ec2.Instance
    windows: aws.ec2.Instance
    tunnel_command: pulumi.Output[str]
    basics: VpcBasics

    def __init__(self, name: str, args: OnPremSimulatorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:onprem:OnPremSimulator", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(args.vpc_cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        self.basics = vpc_basics(name, self.vpc, args.flow_log_retention_days, self)
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"{name}-igw"}, opts=child)
        public = self._subnets(name, "public", args.public_subnets, args.zones)
        private = self._subnets(name, "private", args.private_subnets, args.zones)
        eip = aws.ec2.Eip(f"{name}-nat", domain="vpc", tags={"Name": f"{name}-nat"}, opts=child)
        nat = aws.ec2.NatGateway(
            f"{name}-nat",
            allocation_id=eip.id,
            subnet_id=public[0].id,
            tags={"Name": f"{name}-nat"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
        )
        self.peering = aws.ec2.VpcPeeringConnection(
            f"{name}-central",
            vpc_id=self.vpc.id,
            peer_vpc_id=args.central_vpc_id,
            auto_accept=True,
            tags={"Name": f"{name}-central"},
            opts=child,
        )
        public_rt = self._route_table(name, "public", public)
        private_rt = self._route_table(name, "private", private)
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=child,
        )
        aws.ec2.Route(
            f"{name}-private-internet",
            route_table_id=private_rt.id,
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id=nat.id,
            opts=child,
        )
        aws.ec2.Route(
            f"{name}-to-central",
            route_table_id=private_rt.id,
            destination_cidr_block=args.central_vpc_cidr,
            vpc_peering_connection_id=self.peering.id,
            opts=child,
        )
        aws.ec2.Route(
            f"{name}-from-central",
            route_table_id=args.central_route_table_id,
            destination_cidr_block=str(args.vpc_cidr),
            vpc_peering_connection_id=self.peering.id,
            opts=child,
        )
        for key, zone_id in args.hosted_zone_ids.items():
            aws.route53.ZoneAssociation(
                f"{name}-{key}", zone_id=zone_id, vpc_id=self.vpc.id, vpc_region=args.region, opts=child
            )

        # --- hosts: SSH to the bastion from one range; RDP to Windows from the bastion only
        bastion_group = security.security_group(
            f"{name}-bastion", self.vpc.id, "On-prem simulator bastion: SSH from the configured range", self
        )
        windows_group = security.security_group(
            f"{name}-windows", self.vpc.id, "On-prem simulator desktop: RDP from the bastion", self
        )
        security.rules(
            f"{name}-bastion-ssh",
            "in",
            bastion_group,
            protocols=["tcp"],
            port=22,
            cidrs=[str(args.bastion_allowed_cidr)],
            description="SSH from the configured range",
            parent=self,
            tags=BASTION_TAG,
        )
        security.rules(
            f"{name}-bastion-rdp",
            "out",
            bastion_group,
            protocols=["tcp"],
            port=3389,
            groups=[windows_group.id],
            description="RDP tunnel to the desktop",
            parent=self,
        )
        security.rules(
            f"{name}-windows-rdp",
            "in",
            windows_group,
            protocols=["tcp"],
            port=3389,
            groups=[bastion_group.id],
            description="RDP from the bastion",
            parent=self,
        )
        security.rules(
            f"{name}-windows-https",
            "out",
            windows_group,
            protocols=["tcp"],
            port=443,
            cidrs=["0.0.0.0/0"],
            description="HTTPS: the private API and Studio through the peering, the browser installer through NAT",
            parent=self,
        )

        invoke = pulumi.InvokeOptions(parent=self)
        self.bastion = aws.ec2.Instance(
            f"{name}-bastion",
            ami=aws.ssm.get_parameter_output(name=AMAZON_LINUX_PARAMETER, opts=invoke).value,
            instance_type=args.bastion_instance_type,
            subnet_id=public[0].id,
            associate_public_ip_address=True,
            vpc_security_group_ids=[bastion_group.id],
            key_name=args.key_pair_name,
            **_hardened(),
            tags={"Name": f"{name}-bastion"},
            opts=child,
        )
        self.windows = aws.ec2.Instance(
            f"{name}-windows",
            ami=aws.ssm.get_parameter_output(name=WINDOWS_PARAMETER, opts=invoke).value,
            instance_type=args.windows_instance_type,
            subnet_id=private[0].id,
            associate_public_ip_address=False,
            vpc_security_group_ids=[windows_group.id],
            key_name=args.key_pair_name,
            user_data=INSTALL_FIREFOX if args.install_browser else None,
            **_hardened(),
            tags={"Name": f"{name}-windows"},
            # The installer needs the NAT route at first boot.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[nat]),
        )
        self.tunnel_command = pulumi.Output.format(
            "ssh -i {0}.pem -N -L 3389:{1}:3389 ec2-user@{2}",
            args.key_pair_name,
            self.windows.private_ip,
            self.bastion.public_ip,
        )
        self.register_outputs({"tunnelCommand": self.tunnel_command, "vpcId": self.vpc.id})

    def _subnets(self, name: str, kind: str, cidrs: Subnets, zones: tuple[str, str]) -> list[aws.ec2.Subnet]:
        return [
            aws.ec2.Subnet(
                f"{name}-{kind}-{i}",
                vpc_id=self.vpc.id,
                cidr_block=str(cidr),
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-{kind}-{zone}"},
                opts=pulumi.ResourceOptions(parent=self),
                **zone_placement(zone),
            )
            for i, (cidr, zone) in enumerate(zip(cidrs, zones, strict=True))
        ]

    def _route_table(self, name: str, kind: str, subnets: list[aws.ec2.Subnet]) -> aws.ec2.RouteTable:
        table = aws.ec2.RouteTable(
            f"{name}-{kind}",
            vpc_id=self.vpc.id,
            tags={"Name": f"{name}-{kind}"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        for i, subnet in enumerate(subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{i}",
                subnet_id=subnet.id,
                route_table_id=table.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return table


def _hardened() -> dict[str, Any]:
    """IMDSv2 only, encrypted root volume."""
    return {
        "metadata_options": aws.ec2.InstanceMetadataOptionsArgs(http_endpoint="enabled", http_tokens="required"),
        "root_block_device": aws.ec2.InstanceRootBlockDeviceArgs(encrypted=True, volume_type="gp3"),
    }
