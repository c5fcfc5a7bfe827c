"""The network hub of the shared-services account.

Central VPC attached to a segmented Transit Gateway shared through RAM; interface endpoints for
the services the access path and Studio need, each behind its own security group (only the
ranges that call it) and a data-perimeter endpoint policy; a private hosted zone per endpoint
name whose alias record points at it; Route 53 Resolver inbound and outbound endpoints, and one
forwarding rule per endpoint name, shared with the LOB accounts, so that their VPCs (and
on-premises DNS) resolve those names to the central endpoints. docs/network.md explains each
choice.

The private API's host is served by `ApiHostDns`, built once the API exists (its id is the
host's first label): a zone and a forwarding rule for `<api-id>.execute-api.<region>.amazonaws.com`
alone, never the whole `execute-api` domain, which would capture every other API Gateway host.

The Transit Gateway is segmented without a per-attachment step in the shared stack: new
attachments (every LOB's, the access VPC's, a corporate VPN's) associate with the *spokes* table
and propagate into the *hub* table by the TGW's defaults; the central VPC's attachment is
associated with the hub table and propagates into the spokes table. So a spoke reaches only the
central VPC, and the central VPC reaches every spoke.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from contracts.tags import (
    ENDPOINT_CLIENT_ACCESS_VPC,
    ENDPOINT_CLIENT_LOB_VPC,
    ENDPOINT_CLIENT_ON_PREMISES,
    ENDPOINT_POLICY_AWS_DEFAULT,
    ENDPOINT_POLICY_PERIMETER,
    ENDPOINT_POLICY_TAG,
    PURPOSE_TAG,
)

from . import iam, security
from .vpc import TgwRouting, TgwVpc, TgwVpcArgs, VpcLayout

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


# The endpoints with a hosted zone and a forwarding rule of their own, shared with the LOBs.
# Keys are part of the stack-output contract (resolver rule, endpoint and zone maps).
ENDPOINTS: dict[str, Endpoint] = {
    "sagemaker-api": Endpoint("com.amazonaws.{region}.sagemaker.api", "api.sagemaker.{region}.amazonaws.com", ""),
    "sagemaker-runtime": Endpoint(
        "com.amazonaws.{region}.sagemaker.runtime", "runtime.sagemaker.{region}.amazonaws.com", ""
    ),
    "studio": Endpoint("aws.sagemaker.{region}.studio", "studio.{region}.sagemaker.aws", "*"),
    "sts": Endpoint("com.amazonaws.{region}.sts", "sts.{region}.amazonaws.com", ""),
}
# The execute-api endpoint: its zone and rule are per API host (ApiHostDns), under this key too.
EXECUTE_API: Final = "execute-api"
EXECUTE_API_SERVICE: Final = "com.amazonaws.{region}.execute-api"
# Every interface endpoint of the hub: key -> service name (with {region}).
SERVICES: dict[str, str] = {key: ep.service for key, ep in ENDPOINTS.items()} | {EXECUTE_API: EXECUTE_API_SERVICE}

# Who calls each endpoint (PURPOSE_TAG values on its ingress rules). Studio and execute-api only
# from on-premises (a leaked presigned URL or a token does nothing from a LOB VPC), execute-api
# also from the access VPC; the others from the ranges whose software calls them.
ENDPOINT_CLIENTS: dict[str, tuple[str, ...]] = {
    "sagemaker-api": (ENDPOINT_CLIENT_LOB_VPC, ENDPOINT_CLIENT_ACCESS_VPC, ENDPOINT_CLIENT_ON_PREMISES),
    "sagemaker-runtime": (ENDPOINT_CLIENT_LOB_VPC, ENDPOINT_CLIENT_ON_PREMISES),
    "studio": (ENDPOINT_CLIENT_ON_PREMISES,),
    EXECUTE_API: (ENDPOINT_CLIENT_ON_PREMISES, ENDPOINT_CLIENT_ACCESS_VPC),
    "sts": (ENDPOINT_CLIENT_LOB_VPC, ENDPOINT_CLIENT_ACCESS_VPC, ENDPOINT_CLIENT_ON_PREMISES),
}
assert set(ENDPOINT_CLIENTS) == set(SERVICES)


@dataclass(frozen=True, kw_only=True)
class Perimeter:
    """Who is inside: the organization, or (without one) the named accounts."""

    organization_id: str | None
    accounts: tuple[str, ...]

    def principals(self) -> dict[str, Any]:
        if self.organization_id:
            return {"aws:PrincipalOrgID": self.organization_id}
        return {"aws:PrincipalAccount": sorted(self.accounts)}

    def resources(self) -> dict[str, Any]:
        if self.organization_id:
            return {"aws:ResourceOrgID": self.organization_id}
        return {"aws:ResourceAccount": sorted(self.accounts)}


def endpoint_policy(key: str, region: str, perimeter: Perimeter) -> str:
    """The data-perimeter policy of one of ENDPOINTS (execute-api's is `api_endpoint_policy`).

    A ceiling, not a grant: identities still need their own permissions. Principals and resources
    in the perimeter, plus the exceptions each service needs (AWS's public JumpStart hub for
    SageMaker, federated sign-in to roles in the perimeter for STS)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "PerimeterPrincipalsToPerimeterResources",
            "Effect": "Allow",
            "Principal": "*",
            # The endpoint serves one service: its actions, bounded by the conditions below.
            "Action": "sts:*" if key == "sts" else "sagemaker:*",
            "Resource": "*",
            "Condition": {"StringEquals": perimeter.principals() | perimeter.resources()},
        }
    ]
    if key == "sagemaker-api":
        statements.append(
            {
                # Studio's JumpStart pages read AWS's public model hub (resources of the account `aws`).
                "Sid": "PerimeterPrincipalsReadAwsPublicHub",
                "Effect": "Allow",
                "Principal": "*",
                "Action": [
                    "sagemaker:DescribeHub",
                    "sagemaker:DescribeHubContent",
                    "sagemaker:ListHubContentVersions",
                    "sagemaker:ListHubContents",
                ],
                "Resource": [
                    f"arn:aws:sagemaker:{region}:aws:hub/*",
                    f"arn:aws:sagemaker:{region}:aws:hub-content/*",
                ],
                "Condition": {"StringEquals": perimeter.principals()},
            }
        )
    if key == "sts":
        statements.append(
            {
                # SAML or OIDC federation has no AWS principal yet: only the role must be inside.
                "Sid": "FederatedSignInToPerimeterRoles",
                "Effect": "Allow",
                "Principal": {"Federated": "*"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
                "Resource": "*",
                "Condition": {"StringEquals": perimeter.resources()},
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def api_endpoint_policy(api_arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[str]:
    """The execute-api endpoint's policy: invoke these APIs only (their callers are anonymous to IAM:
    the private API's authorizer checks the token, so the perimeter is the API's ARN)."""
    return iam.document(
        {
            "Sid": "InvokeThisProjectsApiOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": [pulumi.Output.concat(arn, "/*") for arn in api_arns],
        }
    )


@dataclass(frozen=True, kw_only=True)
class NetworkHubArgs:
    region: str
    # The shared-services account (inside the endpoints' perimeter with the LOB accounts).
    account_id: str
    central: VpcLayout
    transit_gateway_asn: int
    # Route 53 Resolver endpoint addresses, one per private subnet of the central VPC.
    resolver_inbound_ips: Addresses
    resolver_outbound_ips: Addresses
    # On-premises ranges: DNS to the inbound endpoint; Studio, execute-api and the others.
    on_prem_cidrs: tuple[ipaddress.IPv4Network, ...]
    # The access VPC (presigned-URL function: STS and SageMaker API; execute-api).
    access_vpc_cidr: ipaddress.IPv4Network
    # Every LOB VPC (Studio: SageMaker API, runtime, STS).
    lob_vpc_cidrs: tuple[ipaddress.IPv4Network, ...]
    # LOB accounts the TGW and the resolver rules are shared with (unless an organization is).
    lob_accounts: tuple[str, ...]
    # Share with the whole organization instead of the LOB accounts.
    organization_arn: str | None = None
    # Needed to share with accounts outside the organization (they accept the invitation).
    allow_external_principals: bool = False
    # Endpoint keys (SERVICES) that carry the data-perimeter policy; the others keep AWS's default.
    endpoint_policies: frozenset[str] = field(default_factory=lambda: frozenset(SERVICES))

    def perimeter(self) -> Perimeter:
        org = self.organization_arn.rsplit("/", 1)[-1] if self.organization_arn else None
        return Perimeter(organization_id=org, accounts=(self.account_id, *self.lob_accounts))

    def clients(self, key: str) -> list[tuple[str, ipaddress.IPv4Network]]:
        """(PURPOSE_TAG value, range) of every range that may call endpoint `key`."""
        ranges = {
            ENDPOINT_CLIENT_ON_PREMISES: self.on_prem_cidrs,
            ENDPOINT_CLIENT_ACCESS_VPC: (self.access_vpc_cidr,),
            ENDPOINT_CLIENT_LOB_VPC: self.lob_vpc_cidrs,
        }
        return [(kind, cidr) for kind in ENDPOINT_CLIENTS[key] for cidr in ranges[kind]]


class NetworkHub(pulumi.ComponentResource):
    central: TgwVpc
    transit_gateway: aws.ec2transitgateway.TransitGateway
    hub_route_table: aws.ec2transitgateway.RouteTable
    spoke_route_table: aws.ec2transitgateway.RouteTable
    # The TGW id, known once new attachments land in the spokes table: what spokes attach to.
    spoke_transit_gateway_id: pulumi.Output[str]
    share: aws.ram.ResourceShare
    endpoint_security_groups: dict[str, aws.ec2.SecurityGroup]
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
        self._name, self._args = name, args

        self._transit_gateway(name, args)
        vpc_id = self.central.vpc.id
        private_subnet_ids = [s.id for s in self.central.private_subnets]

        # --- interface endpoints, each behind its own group: HTTPS from its callers' ranges only
        self.endpoint_security_groups = {key: self._endpoint_security_group(name, key, args) for key in SERVICES}
        perimeter = args.perimeter()
        self.endpoints = {}
        for key, service in SERVICES.items():
            policy_on = key in args.endpoint_policies
            # execute-api's policy names the API, made later (ApiHostDns); the others' is inline.
            inline = policy_on and key != EXECUTE_API
            self.endpoints[key] = aws.ec2.VpcEndpoint(
                f"{name}-{key}",
                vpc_id=vpc_id,
                service_name=service.format(region=args.region),
                vpc_endpoint_type="Interface",
                subnet_ids=private_subnet_ids,
                security_group_ids=[self.endpoint_security_groups[key].id],
                # Our own hosted zones answer for these names, in every VPC that needs them.
                private_dns_enabled=False,
                policy=endpoint_policy(key, args.region, perimeter) if inline else None,
                tags={
                    "Name": f"{name}-{key}",
                    ENDPOINT_POLICY_TAG: ENDPOINT_POLICY_PERIMETER if policy_on else ENDPOINT_POLICY_AWS_DEFAULT,
                },
                opts=child,
            )

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
            key: forwarding_rule(
                f"{name}-{key}", ep.zone_name(args.region), self.outbound.id, args.resolver_inbound_ips, self
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

    def _transit_gateway(self, name: str, args: NetworkHubArgs) -> None:
        """The segmented TGW, its two route tables, and the central VPC on it (docs/network.md)."""
        child = pulumi.ResourceOptions(parent=self)
        self.transit_gateway = aws.ec2transitgateway.TransitGateway(
            f"{name}-tgw",
            description="studio-access hub",
            amazon_side_asn=args.transit_gateway_asn,
            # Attachments from the named LOB accounts join unattended; with an organization as the
            # principal, any of its accounts could, so each attachment waits for the owner's acceptance.
            auto_accept_shared_attachments="disable" if args.organization_arn else "enable",
            # The defaults stay on (a LOB cannot associate its own attachment: only the owner can),
            # but point at the two tables below instead of one table for all: no full mesh.
            default_route_table_association="enable",
            default_route_table_propagation="enable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags={"Name": f"{name}-tgw"},
            opts=child,
        )
        tgw_id = self.transit_gateway.id
        self.hub_route_table = aws.ec2transitgateway.RouteTable(
            f"{name}-hub-table",
            transit_gateway_id=tgw_id,
            tags={"Name": f"{name}-hub-table: the central VPC's table, a route to every spoke"},
            opts=child,
        )
        self.spoke_route_table = aws.ec2transitgateway.RouteTable(
            f"{name}-spokes-table",
            transit_gateway_id=tgw_id,
            tags={"Name": f"{name}-spokes-table: every other attachment's table, a route to the central VPC only"},
            opts=child,
        )
        self.central = TgwVpc(
            f"{name}-central",
            TgwVpcArgs(
                layout=args.central,
                transit_gateway_id=tgw_id,
                routing=TgwRouting(
                    association_table_id=self.hub_route_table.id,
                    propagation_table_ids=(self.spoke_route_table.id,),
                ),
            ),
            opts=child,
        )
        # After the central attachment: on an existing TGW, its update leaves the old default table first.
        after_central = pulumi.ResourceOptions(parent=self, depends_on=[self.central.attachment])
        spokes_default = aws.ec2transitgateway.DefaultRouteTableAssociation(
            f"{name}-spokes-table-default",
            transit_gateway_id=tgw_id,
            transit_gateway_route_table_id=self.spoke_route_table.id,
            opts=after_central,
        )
        hub_default = aws.ec2transitgateway.DefaultRouteTablePropagation(
            f"{name}-hub-table-default",
            transit_gateway_id=tgw_id,
            transit_gateway_route_table_id=self.hub_route_table.id,
            opts=after_central,
        )
        self.spoke_transit_gateway_id = pulumi.Output.all(tgw_id, spokes_default.id, hub_default.id).apply(
            lambda values: str(values[0])
        )

    def _endpoint_security_group(self, name: str, key: str, args: NetworkHubArgs) -> aws.ec2.SecurityGroup:
        """One group per endpoint; each rule is tagged with the kind of client its range is."""
        clients = args.clients(key)
        kinds = ", ".join(dict.fromkeys(kind.removeprefix("endpoint-client-") for kind, _ in clients))
        group = security.security_group(
            f"{name}-{key}-endpoint",
            self.central.vpc.id,
            f"Central {key} endpoint: HTTPS from {kinds} ranges",
            self,
        )
        for kind in dict.fromkeys(kind for kind, _ in clients):
            security.rules(
                f"{name}-{key}-endpoint-{kind.removeprefix('endpoint-client-')}",
                "in",
                group,
                protocols=["tcp"],
                port=443,
                cidrs=[str(cidr) for k, cidr in clients if k == kind],
                description=f"HTTPS from {kind.removeprefix('endpoint-client-').replace('-', ' ')} ranges",
                parent=self,
                tags={PURPOSE_TAG: kind},
            )
        return group

    def api_host_args(self, api_id: pulumi.Input[str], api_arn: pulumi.Input[str]) -> ApiHostArgs:
        """What ApiHostDns needs from this hub, for the API `api_id` (execution ARN `api_arn`)."""
        endpoint = self.endpoints[EXECUTE_API]
        dns = endpoint.dns_entries[0]
        return ApiHostArgs(
            region=self._args.region,
            api_id=api_id,
            api_arn=api_arn,
            central_vpc_id=self.central.vpc.id,
            endpoint_id=endpoint.id,
            endpoint_dns_name=dns.dns_name,
            endpoint_dns_zone_id=dns.hosted_zone_id,
            endpoint_policy=EXECUTE_API in self._args.endpoint_policies,
            outbound_endpoint_id=self.outbound.id,
            resolver_inbound_ips=self._args.resolver_inbound_ips,
            share_arn=self.share.arn,
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


def forwarding_rule(
    name: str,
    domain: pulumi.Input[str],
    outbound_endpoint_id: pulumi.Input[str],
    inbound_ips: Addresses,
    parent: pulumi.Resource,
) -> aws.route53.ResolverRule:
    """A rule that forwards `domain` through the outbound endpoint to the inbound endpoint's addresses."""
    return aws.route53.ResolverRule(
        name,
        name=name,
        domain_name=domain,
        rule_type="FORWARD",
        resolver_endpoint_id=outbound_endpoint_id,
        target_ips=[aws.route53.ResolverRuleTargetIpArgs(ip=str(ip), port=53) for ip in inbound_ips],
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True, kw_only=True)
class ApiHostArgs:
    region: str
    # The private REST API: its id (the host's first label) and execution ARN.
    api_id: pulumi.Input[str]
    api_arn: pulumi.Input[str]
    # From the hub: the central VPC, the execute-api endpoint (and whether it gets the API-only
    # policy), the resolver endpoints the rule uses, and the RAM share the rule joins.
    central_vpc_id: pulumi.Input[str]
    endpoint_id: pulumi.Input[str]
    endpoint_dns_name: pulumi.Input[str]
    endpoint_dns_zone_id: pulumi.Input[str]
    endpoint_policy: bool = True
    outbound_endpoint_id: pulumi.Input[str]
    resolver_inbound_ips: Addresses
    share_arn: pulumi.Input[str]


class ApiHostDns(pulumi.ComponentResource):
    """This project's API host, and nothing else of `execute-api.<region>.amazonaws.com`.

    A private hosted zone named `<api-id>.execute-api.<region>.amazonaws.com` in the central VPC,
    with an alias at its apex to the execute-api endpoint; a forwarding rule for that name (shared
    like the others, for a VPC that must call the API); and the endpoint's policy, which admits
    calls to this API only. Another private API needs the same three (docs/network.md).
    """

    zone: aws.route53.Zone
    record: aws.route53.Record
    rule: aws.route53.ResolverRule
    endpoint_policy: aws.ec2.VpcEndpointPolicy | None
    host: pulumi.Output[str]

    def __init__(self, name: str, args: ApiHostArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:network_hub:ApiHostDns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.host = pulumi.Output.concat(args.api_id, f".execute-api.{args.region}.amazonaws.com")
        self.zone = aws.route53.Zone(
            name,
            name=self.host,
            comment="studio-access: this project's private API host -> central execute-api endpoint",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=args.central_vpc_id, vpc_region=args.region)],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["vpcs"]),
        )
        self.record = aws.route53.Record(
            name,
            zone_id=self.zone.zone_id,
            name=self.host,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=args.endpoint_dns_name, zone_id=args.endpoint_dns_zone_id, evaluate_target_health=True
                )
            ],
            opts=child,
        )
        self.rule = forwarding_rule(name, self.host, args.outbound_endpoint_id, args.resolver_inbound_ips, self)
        aws.ram.ResourceAssociation(
            f"{name}-share", resource_arn=self.rule.arn, resource_share_arn=args.share_arn, opts=child
        )
        self.endpoint_policy = (
            aws.ec2.VpcEndpointPolicy(
                name,
                vpc_endpoint_id=args.endpoint_id,
                policy=api_endpoint_policy([args.api_arn]),
                opts=child,
            )
            if args.endpoint_policy
            else None
        )
        self.register_outputs({"host": self.host, "zoneId": self.zone.zone_id, "resolverRuleId": self.rule.id})


def hosted_zone_ids(hub: NetworkHub, api_host: ApiHostDns) -> Mapping[str, pulumi.Output[str]]:
    """Every hosted zone of the hub by endpoint key, the API host's under `execute-api`."""
    return {k: z.zone_id for k, z in hub.zones.items()} | {EXECUTE_API: api_host.zone.zone_id}
