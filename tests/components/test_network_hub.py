"""NetworkHub alone: who may reach the endpoints and the resolvers, what is shared with whom."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address as Ip
from ipaddress import IPv4Network as Net
from typing import Any

import pulumi

from components.network_hub import ENDPOINTS, NetworkHub, NetworkHubArgs
from components.vpc import VpcLayout
from tests.components.conftest import REGION, SG, SG_IN, SG_OUT, Graph

ARGS = NetworkHubArgs(
    region=REGION,
    central=VpcLayout(
        cidr=Net("10.60.0.0/16"),
        private_subnets=(Net("10.60.0.0/20"), Net("10.60.16.0/20")),
        attachment_subnets=(Net("10.60.32.0/28"), Net("10.60.32.16/28")),
        zones=("us-east-1c", "us-east-1d"),
    ),
    transit_gateway_asn=64512,
    resolver_inbound_ips=(Ip("10.60.0.10"), Ip("10.60.16.10")),
    resolver_outbound_ips=(Ip("10.60.0.11"), Ip("10.60.16.11")),
    on_prem_cidrs=(Net("172.16.0.0/16"),),
    client_cidrs=(Net("10.61.0.0/16"), Net("10.62.0.0/16"), Net("172.16.0.0/16")),
    lob_accounts=("222222222222", "333333333333"),
)
ORG = "arn:aws:organizations::111111111111:organization/o-abcdefghij"


def _hub(**changes: Any) -> NetworkHub:
    return NetworkHub("hub", replace(ARGS, **changes))


def test_endpoints_admit_https_from_the_given_client_ranges_only(graph: Graph) -> None:
    graph.build(_hub)
    group = graph.one(SG, "hub-endpoints")
    ingress = graph.rules(SG_IN, group)
    assert sorted(r["cidrIpv4"] for r in ingress) == ["10.61.0.0/16", "10.62.0.0/16", "172.16.0.0/16"]
    assert all((r["ipProtocol"], r["fromPort"], r["toPort"]) == ("tcp", 443, 443) for r in ingress)
    assert graph.rules(SG_OUT, group) == []


@pulumi.runtime.test
def test_one_interface_endpoint_per_service_in_the_central_private_subnets(graph: Graph) -> pulumi.Output[None]:
    hub = _hub()
    subnet_ids = pulumi.Output.all(*[s.id for s in hub.central.private_subnets])
    group_id = hub.endpoint_security_group.id

    def check(values: list[Any]) -> None:
        subnets, group, *endpoints = values
        assert len(endpoints) == len(ENDPOINTS)
        for (service, kind, private_dns, in_subnets, groups), ep in zip(endpoints, ENDPOINTS.values(), strict=True):
            assert (service, kind, private_dns) == (ep.service_name(REGION), "Interface", False)
            assert (in_subnets, groups) == (subnets, [group])

    described = [
        pulumi.Output.all(
            e.service_name, e.vpc_endpoint_type, e.private_dns_enabled, e.subnet_ids, e.security_group_ids
        )
        for e in hub.endpoints.values()
    ]
    return pulumi.Output.all(subnet_ids, group_id, *described).apply(check)


def test_resolver_inbound_admits_dns_from_on_premises_and_the_outbound_endpoint_only(graph: Graph) -> None:
    graph.build(_hub)
    inbound, outbound = graph.one(SG, "hub-resolver-in"), graph.one(SG, "hub-resolver-out")
    peers = sorted(
        (r["ipProtocol"], r.get("cidrIpv4") or r["referencedSecurityGroupId"]) for r in graph.rules(SG_IN, inbound)
    )
    assert peers == sorted(
        [("tcp", "172.16.0.0/16"), ("udp", "172.16.0.0/16"), ("tcp", outbound.id), ("udp", outbound.id)]
    )
    assert all(r["fromPort"] == r["toPort"] == 53 for r in graph.rules(SG_IN, inbound))
    egress = sorted((r["ipProtocol"], r["cidrIpv4"], r["fromPort"]) for r in graph.rules(SG_OUT, outbound))
    assert egress == sorted((p, f"{ip}/32", 53) for p in ("tcp", "udp") for ip in ("10.60.0.10", "10.60.16.10"))
    assert graph.rules(SG_IN, outbound) == []


def test_resolver_endpoints_at_the_given_addresses_and_rules_forward_to_the_inbound_ones(graph: Graph) -> None:
    graph.build(_hub)
    inbound = graph.one("aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-inbound")
    placed = [(graph.by_id(a["subnetId"]).name, a["ip"]) for a in inbound.inputs["ipAddresses"]]
    assert placed == [("hub-central-private-0", "10.60.0.10"), ("hub-central-private-1", "10.60.16.10")]
    outbound = graph.one("aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-outbound")
    rules = graph.of_type("aws:route53/resolverRule:ResolverRule")
    assert sorted(r.inputs["domainName"] for r in rules) == sorted(e.zone_name(REGION) for e in ENDPOINTS.values())
    for rule in rules:
        assert rule.inputs["resolverEndpointId"] == outbound.id
        assert rule.inputs["targetIps"] == [{"ip": "10.60.0.10", "port": 53}, {"ip": "10.60.16.10", "port": 53}]


def test_transit_gateway_with_the_given_asn(graph: Graph) -> None:
    graph.build(_hub)
    tgw = graph.one("aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw")
    assert tgw.inputs["amazonSideAsn"] == 64512
    attachment = graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "hub-central-tgw")
    assert attachment.inputs["transitGatewayId"] == tgw.id


def test_tgw_and_rules_shared_with_the_given_accounts_only(graph: Graph) -> None:
    graph.build(_hub)
    share = graph.one("aws:ram/resourceShare:ResourceShare", "hub-share")
    assert share.inputs["allowExternalPrincipals"] is False
    principals = graph.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(p.inputs["principal"] for p in principals) == ["222222222222", "333333333333"]
    shared = {r.inputs["resourceArn"] for r in graph.of_type("aws:ram/resourceAssociation:ResourceAssociation")}
    tgw = graph.one("aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw")
    rules = graph.of_type("aws:route53/resolverRule:ResolverRule")
    assert shared == {tgw.outputs["arn"], *(r.outputs["arn"] for r in rules)}


def test_with_an_organization_only_the_organization_is_a_principal(graph: Graph) -> None:
    graph.build(lambda: _hub(organization_arn=ORG))
    principals = graph.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert [(p.name, p.inputs["principal"]) for p in principals] == [("hub-share-organization", ORG)]


def test_external_principals_only_when_asked(graph: Graph) -> None:
    graph.build(lambda: _hub(allow_external_principals=True))
    assert graph.one("aws:ram/resourceShare:ResourceShare", "hub-share").inputs["allowExternalPrincipals"] is True
