"""The network hub of the shared-services account.

Central VPC attached to a Transit Gateway shared through RAM; interface endpoints for the
services the access path and Studio need, each with a private hosted zone whose alias records
point at it; Route 53 Resolver inbound and outbound endpoints, and one forwarding rule per
endpoint name, shared with the LOB accounts, so that their VPCs (and on-premises DNS) resolve
those names to the central endpoints.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from . import security
from .vpc import TgwVpc, TgwVpcArgs, VpcLayout

Addresses = tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]


@dataclass(frozen=True)
class Endpoint:
    """An interface endpoint and the private hosted zone that points its DNS name at it."""

    service: str  # with {region}
    zone: str  # with {region}
    record: str  # "" for the zone apex, "*" for a wildcard

    def service_name(self, region: str) -> str:
        return self.service.format(region=region)

    def zone_name(self, region: str) -> str:
        return self.zone.format(region=region)


# Keys are part of the stack-output contract (resolver rule, endpoint and zone maps).
ENDPOINTS: dict[str, Endpoint] = {
    "sagemaker-api": Endpoint("com.amazonaws.{region}.sagemaker.api", "api.sagemaker.{region}.amazonaws.com", ""),
    "sagemaker-runtime": Endpoint(
        "com.amazonaws.{region}.sagemaker.runtime", "runtime.sagemaker.{region}.amazonaws.com", ""
    ),
    "studio": Endpoint("aws.sagemaker.{region}.studio", "studio.{region}.sagemaker.aws", "*"),
    "execute-api": Endpoint("com.amazonaws.{region}.execute-api", "execute-api.{region}.amazonaws.com", "*"),
    "sts": Endpoint("com.amazonaws.{region}.sts", "sts.{region}.amazonaws.com", ""),
}


@dataclass(frozen=True, kw_only=True)
class NetworkHubArgs:
    region: str
    central: VpcLayout
    transit_gateway_asn: int
    # Route 53 Resolver endpoint addresses, one per private subnet of the central VPC.
    resolver_inbound_ips: Addresses
    resolver_outbound_ips: Addresses
    # On-premises resolvers' ranges: the only sources of DNS queries to the inbound endpoint.
    on_prem_cidrs: tuple[ipaddress.IPv4Network, ...]
    # Every range that reaches the endpoints through the TGW or from on-premises (LOB VPCs,
    # the access VPC, on-premises): the only sources the endpoint security group admits.
    client_cidrs: tuple[ipaddress.IPv4Network, ...]
    # LOB accounts the TGW and the resolver rules are shared with (unless an organization is).
    lob_accounts: tuple[str, ...]
    # Share with the whole organization instead of the LOB accounts.
    organization_arn: str | None = None
    # Needed to share with accounts outside the organization (they accept the invitation).
    allow_external_principals: bool = False


class NetworkHub(pulumi.ComponentResource):
    central: TgwVpc
    transit_gateway: aws.ec2transitgateway.TransitGateway
    share: aws.ram.ResourceShare
    endpoint_security_group: aws.ec2.SecurityGroup
    endpoints: dict[str, aws.ec2.VpcEndpoint]
    zones: dict[str, aws.route53.Zone]
    inbound_security_group: aws.ec2.SecurityGroup
    outbound_security_group: aws.ec2.SecurityGroup
    inbound: aws.route53.ResolverEndpoint
    outbound: aws.route53.ResolverEndpoint
    rules: dict[str, aws.route53.ResolverRule]
    principal_associations: list[aws.ram.PrincipalAssociation]

    def __init__(self, name: str, args: NetworkHubArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:network_hub:NetworkHub", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.transit_gateway = aws.ec2transitgateway.TransitGateway(
            f"{name}-tgw",
            description="studio-access hub",
            amazon_side_asn=args.transit_gateway_asn,
            auto_accept_shared_attachments="enable",
            default_route_table_association="enable",
            default_route_table_propagation="enable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags={"Name": f"{name}-tgw"},
            opts=child,
        )
        self.central = TgwVpc(
            f"{name}-central",
            TgwVpcArgs(layout=args.central, transit_gateway_id=self.transit_gateway.id),
            opts=child,
        )
        vpc_id = self.central.vpc.id
        private_subnet_ids = [s.id for s in self.central.private_subnets]

        # --- interface endpoints, reachable on 443 from the client ranges only
        self.endpoint_security_group = security.security_group(
            f"{name}-endpoints", vpc_id, "Central interface endpoints: HTTPS from the routed client ranges", self
        )
        security.rules(
            f"{name}-endpoints-in",
            "in",
            self.endpoint_security_group,
            protocols=["tcp"],
            port=443,
            cidrs=[str(c) for c in args.client_cidrs],
            description="HTTPS from a LOB, access or on-premises range",
            parent=self,
        )
        self.endpoints = {
            key: aws.ec2.VpcEndpoint(
                f"{name}-{key}",
                vpc_id=vpc_id,
                service_name=ep.service_name(args.region),
                vpc_endpoint_type="Interface",
                subnet_ids=private_subnet_ids,
                security_group_ids=[self.endpoint_security_group.id],
                # Our own hosted zones answer for these names, in every VPC that needs them.
                private_dns_enabled=False,
                tags={"Name": f"{name}-{key}"},
                opts=child,
            )
            for key, ep in ENDPOINTS.items()
        }

        # --- private hosted zones with alias records to the endpoints
        self.zones = {}
        for key, ep in ENDPOINTS.items():
            zone_name = ep.zone_name(args.region)
            zone = aws.route53.Zone(
                f"{name}-{key}",
                name=zone_name,
                comment=f"studio-access: {zone_name} -> central {key} endpoint",
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=vpc_id, vpc_region=args.region)],
                # Other VPCs are associated with ZoneAssociation resources.
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["vpcs"]),
            )
            dns = self.endpoints[key].dns_entries[0]
            aws.route53.Record(
                f"{name}-{key}",
                zone_id=zone.zone_id,
                name=f"{ep.record}.{zone_name}" if ep.record else zone_name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=dns.dns_name, zone_id=dns.hosted_zone_id, evaluate_target_health=True
                    )
                ],
                opts=child,
            )
            self.zones[key] = zone

        # --- Route 53 Resolver: inbound (answers with the hosted zones), outbound (forwards to it)
        self.inbound_security_group = security.security_group(
            f"{name}-resolver-in",
            vpc_id,
            "Resolver inbound endpoint: DNS from on-premises and the outbound endpoint",
            self,
        )
        self.outbound_security_group = security.security_group(
            f"{name}-resolver-out", vpc_id, "Resolver outbound endpoint: DNS to the inbound endpoint only", self
        )
        dns_protocols = ["udp", "tcp"]
        security.rules(
            f"{name}-resolver-in-onprem",
            "in",
            self.inbound_security_group,
            protocols=dns_protocols,
            port=53,
            cidrs=[str(c) for c in args.on_prem_cidrs],
            description="DNS from on-premises resolvers",
            parent=self,
        )
        security.rules(
            f"{name}-resolver-in-outbound",
            "in",
            self.inbound_security_group,
            protocols=dns_protocols,
            port=53,
            groups=[self.outbound_security_group.id],
            description="DNS forwarded by the outbound endpoint",
            parent=self,
        )
        security.rules(
            f"{name}-resolver-out",
            "out",
            self.outbound_security_group,
            protocols=dns_protocols,
            port=53,
            cidrs=[f"{ip}/32" for ip in args.resolver_inbound_ips],
            description="DNS to the inbound endpoint",
            parent=self,
        )

        self.inbound = self._resolver_endpoint(name, "INBOUND", self.inbound_security_group, args.resolver_inbound_ips)
        self.outbound = self._resolver_endpoint(
            name, "OUTBOUND", self.outbound_security_group, args.resolver_outbound_ips
        )
        self.rules = {
            key: aws.route53.ResolverRule(
                f"{name}-{key}",
                name=f"{name}-{key}",
                domain_name=ep.zone_name(args.region),
                rule_type="FORWARD",
                resolver_endpoint_id=self.outbound.id,
                target_ips=[
                    aws.route53.ResolverRuleTargetIpArgs(ip=str(ip), port=53) for ip in args.resolver_inbound_ips
                ],
                opts=child,
            )
            for key, ep in ENDPOINTS.items()
        }

        # --- RAM: the TGW and the forwarding rules, to the LOB accounts or the organization
        self.share = aws.ram.ResourceShare(
            f"{name}-share",
            name=f"{name}-studio-access-network",
            allow_external_principals=args.allow_external_principals,
            opts=child,
        )
        shared_arns = {"tgw": self.transit_gateway.arn} | {f"rule-{k}": r.arn for k, r in self.rules.items()}
        for key, arn in shared_arns.items():
            aws.ram.ResourceAssociation(
                f"{name}-share-{key}", resource_arn=arn, resource_share_arn=self.share.arn, opts=child
            )
        principals = [args.organization_arn] if args.organization_arn else list(args.lob_accounts)
        self.principal_associations = [
            aws.ram.PrincipalAssociation(
                f"{name}-share-{'organization' if principal.startswith('arn:') else principal}",
                principal=principal,
                resource_share_arn=self.share.arn,
                opts=child,
            )
            for principal in principals
        ]

        self.register_outputs(
            {
                "transitGatewayId": self.transit_gateway.id,
                "ramShareArn": self.share.arn,
                "endpointIds": {k: e.id for k, e in self.endpoints.items()},
                "resolverRuleIds": {k: r.id for k, r in self.rules.items()},
            }
        )

    def _resolver_endpoint(
        self, name: str, direction: str, group: aws.ec2.SecurityGroup, ips: Addresses
    ) -> aws.route53.ResolverEndpoint:
        return aws.route53.ResolverEndpoint(
            f"{name}-resolver-{direction.lower()}",
            name=f"{name}-{direction.lower()}",
            direction=direction,
            security_group_ids=[group.id],
            ip_addresses=[
                aws.route53.ResolverEndpointIpAddressArgs(subnet_id=subnet.id, ip=str(ip))
                for subnet, ip in zip(self.central.private_subnets, ips, strict=True)
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
