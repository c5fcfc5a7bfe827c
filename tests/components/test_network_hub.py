"""NetworkHub and ApiHostDns alone: who may reach each endpoint and through which policy, how the
Transit Gateway is segmented, which names the hub serves, what is shared with whom."""

from __future__ import annotations

import json
from dataclasses import replace
from ipaddress import IPv4Address as Ip
from ipaddress import IPv4Network as Net
from typing import Any

import pulumi
import pytest

from components.network_hub import (
    ENDPOINTS,
    EXECUTE_API,
    SERVICES,
    ApiHostDns,
    NetworkHub,
    NetworkHubArgs,
)
from components.vpc import TgwVpc, TgwVpcArgs, VpcLayout
from contracts.tags import (
    ENDPOINT_CLIENT_ACCESS_VPC,
    ENDPOINT_CLIENT_LOB_VPC,
    ENDPOINT_CLIENT_ON_PREMISES,
    ENDPOINT_POLICY_AWS_DEFAULT,
    ENDPOINT_POLICY_PERIMETER,
    ENDPOINT_POLICY_TAG,
    PURPOSE_TAG,
)
from tests.components.conftest import ACCOUNT, REGION, SG, SG_IN, SG_OUT, Graph, by_sid

LOBS = ("222222222222", "333333333333")
ARGS = NetworkHubArgs(
    region=REGION,
    account_id=ACCOUNT,
    central=VpcLayout(
        cidr=Net("10.60.0.0/16"),
        private_subnets=(Net("10.60.0.0/20"), Net("10.60.16.0/20")),
        attachment_subnets=(Net("10.60.32.0/28"), Net("10.60.32.16/28")),
        zones=("use1-az4", "use1-az6"),
    ),
    transit_gateway_asn=64512,
    resolver_inbound_ips=(Ip("10.60.0.10"), Ip("10.60.16.10")),
    resolver_outbound_ips=(Ip("10.60.0.11"), Ip("10.60.16.11")),
    on_prem_cidrs=(Net("172.16.0.0/16"),),
    access_vpc_cidr=Net("10.59.0.0/16"),
    lob_vpc_cidrs=(Net("10.61.0.0/16"), Net("10.62.0.0/16")),
    lob_accounts=LOBS,
)
ORG = "arn:aws:organizations::111111111111:organization/o-abcdefghij"
ON_PREM, ACCESS, LOB_A, LOB_B = "172.16.0.0/16", "10.59.0.0/16", "10.61.0.0/16", "10.62.0.0/16"
API_ID = "a1b2c3d4e5"
API_ARN = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{API_ID}"

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
ZONE = "aws:route53/zone:Zone"
RULE = "aws:route53/resolverRule:ResolverRule"


def _hub(**changes: Any) -> NetworkHub:
    return NetworkHub("hub", replace(ARGS, **changes))


def _hub_and_api_host(**changes: Any) -> ApiHostDns:
    hub = _hub(**changes)
    return ApiHostDns("hub-api-host", hub.api_host_args(API_ID, API_ARN))


# --------------------------------------------------------------------------- endpoints and who reaches them


@pytest.mark.parametrize(
    "key, admitted",
    [
        ("studio", {(ON_PREM, ENDPOINT_CLIENT_ON_PREMISES)}),
        (EXECUTE_API, {(ON_PREM, ENDPOINT_CLIENT_ON_PREMISES), (ACCESS, ENDPOINT_CLIENT_ACCESS_VPC)}),
        (
            "sagemaker-runtime",
            {
                (ON_PREM, ENDPOINT_CLIENT_ON_PREMISES),
                (LOB_A, ENDPOINT_CLIENT_LOB_VPC),
                (LOB_B, ENDPOINT_CLIENT_LOB_VPC),
            },
        ),
        *(
            (
                key,
                {
                    (ON_PREM, ENDPOINT_CLIENT_ON_PREMISES),
                    (ACCESS, ENDPOINT_CLIENT_ACCESS_VPC),
                    (LOB_A, ENDPOINT_CLIENT_LOB_VPC),
                    (LOB_B, ENDPOINT_CLIENT_LOB_VPC),
                },
            )
            for key in ("sagemaker-api", "sts")
        ),
    ],
)
def test_each_endpoint_has_its_own_group_admitting_https_from_its_callers_only(
    graph: Graph, key: str, admitted: set[tuple[str, str]]
) -> None:
    graph.build(_hub)
    group = graph.one(SG, f"hub-{key}-endpoint")
    assert graph.one(ENDPOINT, f"hub-{key}").inputs["securityGroupIds"] == [group.id]
    ingress = graph.rules(SG_IN, group)
    assert {(r["cidrIpv4"], r["tags"][PURPOSE_TAG]) for r in ingress} == admitted
    assert all((r["ipProtocol"], r["fromPort"], r["toPort"]) == ("tcp", 443, 443) for r in ingress)
    assert graph.rules(SG_OUT, group) == []


def test_no_two_endpoints_share_a_group(graph: Graph) -> None:
    graph.build(_hub)
    groups = [tuple(graph.one(ENDPOINT, f"hub-{key}").inputs["securityGroupIds"]) for key in SERVICES]
    assert len(set(groups)) == len(SERVICES) == 5


@pulumi.runtime.test
def test_one_interface_endpoint_per_service_in_the_central_private_subnets(graph: Graph) -> pulumi.Output[None]:
    hub = _hub()
    subnet_ids = pulumi.Output.all(*[s.id for s in hub.central.private_subnets])

    def check(values: list[Any]) -> None:
        subnets, *endpoints = values
        assert len(endpoints) == len(SERVICES)
        for (service, kind, private_dns, in_subnets), expected in zip(endpoints, SERVICES.values(), strict=True):
            assert (service, kind, private_dns) == (expected.format(region=REGION), "Interface", False)
            assert in_subnets == subnets

    described = [
        pulumi.Output.all(e.service_name, e.vpc_endpoint_type, e.private_dns_enabled, e.subnet_ids)
        for e in hub.endpoints.values()
    ]
    return pulumi.Output.all(subnet_ids, *described).apply(check)


# --------------------------------------------------------------------------- endpoint policies


def test_endpoint_policies_keep_principals_and_resources_in_the_named_accounts(graph: Graph) -> None:
    graph.build(_hub)
    accounts = sorted((ACCOUNT, *LOBS))
    for key in ENDPOINTS:
        endpoint = graph.one(ENDPOINT, f"hub-{key}").inputs
        assert endpoint["tags"][ENDPOINT_POLICY_TAG] == ENDPOINT_POLICY_PERIMETER
        main = by_sid(endpoint["policy"])["PerimeterPrincipalsToPerimeterResources"]
        assert main["Effect"] == "Allow" and main["Resource"] == "*"
        assert main["Action"] == ("sts:*" if key == "sts" else "sagemaker:*")
        assert main["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": accounts, "aws:ResourceAccount": accounts}
        }
    sts = by_sid(graph.one(ENDPOINT, "hub-sts").inputs["policy"])["FederatedSignInToPerimeterRoles"]
    assert sts["Principal"] == {"Federated": "*"}
    assert sts["Condition"] == {"StringEquals": {"aws:ResourceAccount": accounts}}
    hub = by_sid(graph.one(ENDPOINT, "hub-sagemaker-api").inputs["policy"])["PerimeterPrincipalsReadAwsPublicHub"]
    assert all(r.startswith(f"arn:aws:sagemaker:{REGION}:aws:hub") for r in hub["Resource"])
    assert all(a.startswith(("sagemaker:Describe", "sagemaker:List")) for a in hub["Action"])
    # execute-api's policy names the API: it is set once the API exists (ApiHostDns)
    assert "policy" not in graph.one(ENDPOINT, f"hub-{EXECUTE_API}").inputs


def test_with_an_organization_the_perimeter_is_the_organization(graph: Graph) -> None:
    graph.build(lambda: _hub(organization_arn=ORG))
    for key in ENDPOINTS:
        main = by_sid(graph.one(ENDPOINT, f"hub-{key}").inputs["policy"])["PerimeterPrincipalsToPerimeterResources"]
        assert main["Condition"] == {
            "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij", "aws:ResourceOrgID": "o-abcdefghij"}
        }


def test_a_switched_off_endpoint_keeps_awss_default_and_says_so(graph: Graph) -> None:
    on = frozenset(SERVICES) - {"sts", EXECUTE_API}
    graph.build(lambda: ApiHostDns("hub-api-host", _hub(endpoint_policies=on).api_host_args(API_ID, API_ARN)))
    for key in ("sts", EXECUTE_API):
        endpoint = graph.one(ENDPOINT, f"hub-{key}").inputs
        assert "policy" not in endpoint and endpoint["tags"][ENDPOINT_POLICY_TAG] == ENDPOINT_POLICY_AWS_DEFAULT
    assert not graph.of_type("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")
    assert "policy" in graph.one(ENDPOINT, "hub-studio").inputs


# --------------------------------------------------------------------------- names the hub serves


def test_zones_and_forwarding_rules_for_the_service_names_only(graph: Graph) -> None:
    graph.build(_hub)
    assert sorted(z.inputs["name"] for z in graph.of_type(ZONE)) == sorted(
        e.zone_name(REGION) for e in ENDPOINTS.values()
    )
    assert not [z for z in graph.of_type(ZONE) if "execute-api" in z.inputs["name"]]
    outbound = graph.one("aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-outbound")
    rules = graph.of_type(RULE)
    assert sorted(r.inputs["domainName"] for r in rules) == sorted(e.zone_name(REGION) for e in ENDPOINTS.values())
    for rule in rules:
        assert rule.inputs["resolverEndpointId"] == outbound.id
        assert rule.inputs["targetIps"] == [{"ip": "10.60.0.10", "port": 53}, {"ip": "10.60.16.10", "port": 53}]


def test_the_api_host_alone_is_served_with_an_alias_to_the_execute_api_endpoint(graph: Graph) -> None:
    graph.build(_hub_and_api_host)
    host = f"{API_ID}.execute-api.{REGION}.amazonaws.com"
    zone = graph.one(ZONE, "hub-api-host")
    assert zone.inputs["name"] == host
    assert [v["vpcId"] for v in zone.inputs["vpcs"]] == [graph.one("aws:ec2/vpc:Vpc", "hub-central-vpc").id]
    record = graph.one("aws:route53/record:Record", "hub-api-host").inputs
    endpoint = graph.one(ENDPOINT, f"hub-{EXECUTE_API}")
    assert (record["zoneId"], record["name"], record["type"]) == (zone.outputs["zoneId"], host, "A")
    assert record["aliases"][0]["name"] == endpoint.outputs["dnsEntries"][0]["dnsName"]
    rule = graph.one(RULE, "hub-api-host")
    assert rule.inputs["domainName"] == host
    assert (
        rule.inputs["resolverEndpointId"]
        == graph.one("aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-outbound").id
    )
    shared = graph.one("aws:ram/resourceAssociation:ResourceAssociation", "hub-api-host-share").inputs
    assert shared["resourceArn"] == rule.outputs["arn"]
    assert shared["resourceShareArn"] == graph.one("aws:ram/resourceShare:ResourceShare", "hub-share").outputs["arn"]


def test_the_execute_api_endpoint_admits_calls_to_this_api_only(graph: Graph) -> None:
    graph.build(_hub_and_api_host)
    policy = graph.one("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "hub-api-host").inputs
    assert policy["vpcEndpointId"] == graph.one(ENDPOINT, f"hub-{EXECUTE_API}").id
    assert json.loads(policy["policy"])["Statement"] == [
        {
            "Sid": "InvokeThisProjectsApiOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": [f"{API_ARN}/*"],
        }
    ]


# --------------------------------------------------------------------------- resolvers


def test_resolver_inbound_admits_dns_from_on_premises_and_the_outbound_endpoint_only(graph: Graph) -> None:
    graph.build(_hub)
    inbound, outbound = graph.one(SG, "hub-resolver-in"), graph.one(SG, "hub-resolver-out")
    peers = sorted(
        (r["ipProtocol"], r.get("cidrIpv4") or r["referencedSecurityGroupId"]) for r in graph.rules(SG_IN, inbound)
    )
    assert peers == sorted([("tcp", ON_PREM), ("udp", ON_PREM), ("tcp", outbound.id), ("udp", outbound.id)])
    assert all(r["fromPort"] == r["toPort"] == 53 for r in graph.rules(SG_IN, inbound))
    egress = sorted((r["ipProtocol"], r["cidrIpv4"], r["fromPort"]) for r in graph.rules(SG_OUT, outbound))
    assert egress == sorted((p, f"{ip}/32", 53) for p in ("tcp", "udp") for ip in ("10.60.0.10", "10.60.16.10"))
    assert graph.rules(SG_IN, outbound) == []


def test_resolver_endpoints_at_the_given_addresses(graph: Graph) -> None:
    graph.build(_hub)
    inbound = graph.one("aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-inbound")
    placed = [(graph.by_id(a["subnetId"]).name, a["ip"]) for a in inbound.inputs["ipAddresses"]]
    assert placed == [("hub-central-private-0", "10.60.0.10"), ("hub-central-private-1", "10.60.16.10")]


# --------------------------------------------------------------------------- the segmented Transit Gateway


def test_transit_gateway_keeps_its_defaults_but_points_them_at_a_spokes_and_a_hub_table(graph: Graph) -> None:
    graph.build(_hub)
    tgw = graph.one(TGW, "hub-tgw")
    assert tgw.inputs["amazonSideAsn"] == 64512
    assert (tgw.inputs["defaultRouteTableAssociation"], tgw.inputs["defaultRouteTablePropagation"]) == (
        "enable",
        "enable",
    )
    hub_table, spokes = graph.one(TGW_TABLE, "hub-hub-table"), graph.one(TGW_TABLE, "hub-spokes-table")
    assert hub_table.inputs["transitGatewayId"] == spokes.inputs["transitGatewayId"] == tgw.id
    association = graph.one(
        "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation", "hub-spokes-table-default"
    )
    propagation = graph.one(
        "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation", "hub-hub-table-default"
    )
    assert (association.inputs["transitGatewayId"], association.inputs["transitGatewayRouteTableId"]) == (
        tgw.id,
        spokes.id,
    )
    assert (propagation.inputs["transitGatewayId"], propagation.inputs["transitGatewayRouteTableId"]) == (
        tgw.id,
        hub_table.id,
    )


def test_the_central_vpc_sits_in_the_hub_table_and_is_the_only_route_of_the_spokes(graph: Graph) -> None:
    graph.build(_hub)
    attachment = graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "hub-central-tgw")
    assert attachment.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert attachment.inputs["transitGatewayDefaultRouteTablePropagation"] is False
    hub_table, spokes = graph.one(TGW_TABLE, "hub-hub-table"), graph.one(TGW_TABLE, "hub-spokes-table")
    (association,) = graph.of_type("aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
    (propagation,) = graph.of_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    assert (association.inputs["transitGatewayAttachmentId"], association.inputs["transitGatewayRouteTableId"]) == (
        attachment.id,
        hub_table.id,
    )
    assert (propagation.inputs["transitGatewayAttachmentId"], propagation.inputs["transitGatewayRouteTableId"]) == (
        attachment.id,
        spokes.id,
    )
    # On an existing TGW the central attachment leaves the old default table before the defaults move.
    for name in ("hub-spokes-table-default", "hub-hub-table-default"):
        moved = next(r for r in graph.resources if r.name == name)
        assert attachment.urn in moved.dependencies


def test_spokes_of_the_shared_account_attach_once_the_defaults_point_at_the_spokes_table(graph: Graph) -> None:
    def make() -> TgwVpc:
        hub = _hub()
        layout = VpcLayout(
            cidr=Net("10.59.0.0/16"),
            private_subnets=(Net("10.59.0.0/24"), Net("10.59.1.0/24")),
            attachment_subnets=(Net("10.59.2.0/28"), Net("10.59.2.16/28")),
            zones=("use1-az4", "use1-az6"),
        )
        return TgwVpc("spoke", TgwVpcArgs(layout=layout, transit_gateway_id=hub.spoke_transit_gateway_id))

    graph.build(make)
    attachment = graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "spoke-tgw")
    assert attachment.inputs["transitGatewayId"] == graph.one(TGW, "hub-tgw").id
    defaults = {r.urn for r in graph.resources if r.name in ("hub-spokes-table-default", "hub-hub-table-default")}
    assert len(defaults) == 2 and defaults <= set(attachment.dependencies)


def test_auto_accept_only_while_the_principals_are_the_named_accounts(graph: Graph) -> None:
    graph.build(_hub)
    assert graph.one(TGW, "hub-tgw").inputs["autoAcceptSharedAttachments"] == "enable"


def test_an_organization_principal_means_each_attachment_is_accepted_by_the_owner(graph: Graph) -> None:
    graph.build(lambda: _hub(organization_arn=ORG))
    assert graph.one(TGW, "hub-tgw").inputs["autoAcceptSharedAttachments"] == "disable"


# --------------------------------------------------------------------------- RAM


def test_tgw_and_rules_shared_with_the_given_accounts_only(graph: Graph) -> None:
    graph.build(_hub)
    share = graph.one("aws:ram/resourceShare:ResourceShare", "hub-share")
    assert share.inputs["allowExternalPrincipals"] is False
    principals = graph.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(p.inputs["principal"] for p in principals) == list(LOBS)
    shared = {r.inputs["resourceArn"] for r in graph.of_type("aws:ram/resourceAssociation:ResourceAssociation")}
    tgw = graph.one(TGW, "hub-tgw")
    rules = graph.of_type(RULE)
    assert shared == {tgw.outputs["arn"], *(r.outputs["arn"] for r in rules)}


def test_with_an_organization_only_the_organization_is_a_principal(graph: Graph) -> None:
    graph.build(lambda: _hub(organization_arn=ORG))
    principals = graph.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert [(p.name, p.inputs["principal"]) for p in principals] == [("hub-share-organization", ORG)]


def test_external_principals_only_when_asked(graph: Graph) -> None:
    graph.build(lambda: _hub(allow_external_principals=True))
    assert graph.one("aws:ram/resourceShare:ResourceShare", "hub-share").inputs["allowExternalPrincipals"] is True


def test_the_central_vpc_has_flow_logs_and_a_closed_default_group(graph: Graph) -> None:
    graph.build(_hub)
    vpc = graph.one("aws:ec2/vpc:Vpc", "hub-central-vpc")
    assert graph.one("aws:ec2/flowLog:FlowLog", "hub-central-flow-logs").inputs["vpcId"] == vpc.id
    default = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "hub-central-default").inputs
    assert default["vpcId"] == vpc.id and "ingress" not in default and "egress" not in default
