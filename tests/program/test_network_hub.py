"""The shared stack's network hub, asserted on the arguments the engine receives."""

from __future__ import annotations

import json

from components.network_hub import ENDPOINTS
from tests.conftest import one, resources

SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _by_id(result):
    return {r.id: r for r in result.resources}


def test_transit_gateway_settings(planned):
    tgw = one(planned["shared"], "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw").inputs
    assert tgw["amazonSideAsn"] == 65000
    assert tgw["autoAcceptSharedAttachments"] == "enable"
    assert tgw["defaultRouteTableAssociation"] == "enable"
    assert tgw["defaultRouteTablePropagation"] == "enable"
    assert tgw["dnsSupport"] == "enable"
    assert tgw["vpnEcmpSupport"] == "enable"


def test_central_vpc_subnets_and_attachment(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    vpc = one(shared, "aws:ec2/vpc:Vpc", "hub-central-vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    subnets = {r.name: r.inputs for r in resources(shared, "aws:ec2/subnet:Subnet") if r.name.startswith("hub-")}
    assert {n: (s["cidrBlock"], s["availabilityZone"]) for n, s in subnets.items()} == {
        "hub-central-private-0": ("10.0.8.0/21", "us-east-1a"),
        "hub-central-private-1": ("10.0.16.0/21", "us-east-1b"),
        "hub-central-attachment-0": ("10.0.24.0/24", "us-east-1a"),
        "hub-central-attachment-1": ("10.0.25.0/24", "us-east-1b"),
    }
    attachment = one(shared, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "hub-central-tgw")
    assert sorted(ids[s].name for s in attachment.inputs["subnetIds"]) == [
        "hub-central-attachment-0",
        "hub-central-attachment-1",
    ]
    tgw = one(shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw")
    assert attachment.inputs["transitGatewayId"] == tgw.id
    # Unset on attachments: the TGW's defaults apply, and a non-owner would see a perpetual diff.
    assert "transitGatewayDefaultRouteTableAssociation" not in attachment.inputs


def test_default_route_to_the_tgw_waits_for_the_attachment(planned):
    shared = planned["shared"]
    route = one(shared, "aws:ec2/route:Route", "hub-central-default-to-tgw")
    attachment = one(shared, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "hub-central-tgw")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert (
        route.inputs["transitGatewayId"]
        == one(shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw").id
    )
    assert attachment.urn in route.dependencies
    private_rt = one(shared, "aws:ec2/routeTable:RouteTable", "hub-central-private")
    assert route.inputs["routeTableId"] == private_rt.id


def test_interface_endpoints_in_the_private_subnets(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    endpoints = {
        r.name: r.inputs for r in resources(shared, "aws:ec2/vpcEndpoint:VpcEndpoint") if r.name.startswith("hub-")
    }
    assert {n: e["serviceName"] for n, e in endpoints.items()} == {
        "hub-sagemaker-api": "com.amazonaws.us-east-1.sagemaker.api",
        "hub-sagemaker-runtime": "com.amazonaws.us-east-1.sagemaker.runtime",
        "hub-studio": "aws.sagemaker.us-east-1.studio",
        "hub-execute-api": "com.amazonaws.us-east-1.execute-api",
        "hub-sts": "com.amazonaws.us-east-1.sts",
    }
    group = one(shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints")
    for e in endpoints.values():
        assert e["vpcEndpointType"] == "Interface"
        assert e["privateDnsEnabled"] is False
        assert sorted(ids[s].name for s in e["subnetIds"]) == ["hub-central-private-0", "hub-central-private-1"]
        assert e["securityGroupIds"] == [group.id]


def test_endpoint_security_group_admits_only_https_from_configured_ranges(planned):
    shared = planned["shared"]
    group = one(shared, "aws:ec2/securityGroup:SecurityGroup", "hub-endpoints")
    rules = [r.inputs for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == group.id]
    assert sorted(r["cidrIpv4"] for r in rules) == sorted(
        ["10.17.0.0/16", "192.168.10.0/24", "10.100.0.0/16", "10.120.0.0/16"]
    )
    assert all((r["ipProtocol"], r["fromPort"], r["toPort"]) == ("tcp", 443, 443) for r in rules)
    assert not [r for r in resources(shared, SG_OUT) if r.inputs["securityGroupId"] == group.id]


def test_hosted_zones_with_alias_records_to_their_endpoint(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    central = one(shared, "aws:ec2/vpc:Vpc", "hub-central-vpc")
    zones = {r.name: r for r in resources(shared, "aws:route53/zone:Zone")}
    expected = {
        "sagemaker-api": ("api.sagemaker.us-east-1.amazonaws.com", "api.sagemaker.us-east-1.amazonaws.com"),
        "sagemaker-runtime": ("runtime.sagemaker.us-east-1.amazonaws.com", "runtime.sagemaker.us-east-1.amazonaws.com"),
        "studio": ("studio.us-east-1.sagemaker.aws", "*.studio.us-east-1.sagemaker.aws"),
        "execute-api": ("execute-api.us-east-1.amazonaws.com", "*.execute-api.us-east-1.amazonaws.com"),
        "sts": ("sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com"),
    }
    assert set(expected) == set(ENDPOINTS)
    for key, (zone_name, record_name) in expected.items():
        zone = zones[f"hub-{key}"]
        assert zone.inputs["name"] == zone_name
        assert [v["vpcId"] for v in zone.inputs["vpcs"]] == [central.id]
        record = one(shared, "aws:route53/record:Record", f"hub-{key}")
        assert record.inputs["zoneId"] == zone.outputs["zoneId"]
        assert (record.inputs["name"], record.inputs["type"]) == (record_name, "A")
        endpoint = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", f"hub-{key}")
        alias = record.inputs["aliases"][0]
        assert alias["name"] == endpoint.outputs["dnsEntries"][0]["dnsName"]
        assert alias["name"].startswith(endpoint.id)
        assert ids[endpoint.id] is endpoint


def test_resolver_endpoints_at_the_configured_ips(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    for name, ips in (
        ("hub-resolver-inbound", ["10.0.15.133", "10.0.20.133"]),
        ("hub-resolver-outbound", ["10.0.15.134", "10.0.20.134"]),
    ):
        endpoint = one(shared, "aws:route53/resolverEndpoint:ResolverEndpoint", name)
        assert [(ids[a["subnetId"]].name, a["ip"]) for a in endpoint.inputs["ipAddresses"]] == [
            ("hub-central-private-0", ips[0]),
            ("hub-central-private-1", ips[1]),
        ]


def test_resolver_security_groups_admit_dns_only_from_configured_ranges(planned):
    shared = planned["shared"]
    inbound = one(shared, "aws:ec2/securityGroup:SecurityGroup", "hub-resolver-in")
    outbound = one(shared, "aws:ec2/securityGroup:SecurityGroup", "hub-resolver-out")
    rules_in = [r.inputs for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == inbound.id]
    assert sorted((r["ipProtocol"], r.get("cidrIpv4") or r["referencedSecurityGroupId"]) for r in rules_in) == sorted(
        [("tcp", "192.168.10.0/24"), ("udp", "192.168.10.0/24"), ("tcp", outbound.id), ("udp", outbound.id)]
    )
    assert all(r["fromPort"] == r["toPort"] == 53 for r in rules_in)
    rules_out = [r.inputs for r in resources(shared, SG_OUT) if r.inputs["securityGroupId"] == outbound.id]
    assert sorted((r["ipProtocol"], r["cidrIpv4"]) for r in rules_out) == sorted(
        (p, ip) for p in ("tcp", "udp") for ip in ("10.0.15.133/32", "10.0.20.133/32")
    )
    assert not [r for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == outbound.id]


def test_a_forwarding_rule_per_endpoint_name_targets_the_inbound_endpoint(planned):
    shared = planned["shared"]
    outbound = one(shared, "aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-outbound")
    rules = {r.name: r.inputs for r in resources(shared, "aws:route53/resolverRule:ResolverRule")}
    assert len(rules) == len(ENDPOINTS)
    for key, ep in ENDPOINTS.items():
        rule = rules[f"hub-{key}"]
        assert rule["domainName"] == ep.zone_name("us-east-1")
        assert rule["ruleType"] == "FORWARD"
        assert rule["resolverEndpointId"] == outbound.id
        assert rule["targetIps"] == [{"ip": "10.0.15.133", "port": 53}, {"ip": "10.0.20.133", "port": 53}]


def test_ram_share_of_the_tgw_and_rules_with_the_lob_accounts(planned):
    shared = planned["shared"]
    share = one(shared, "aws:ram/resourceShare:ResourceShare", "hub-share")
    assert share.inputs["allowExternalPrincipals"] is False
    associated = {r.inputs["resourceArn"] for r in resources(shared, "aws:ram/resourceAssociation:ResourceAssociation")}
    expected = {one(shared, "aws:ec2transitgateway/transitGateway:TransitGateway", "hub-tgw").outputs["arn"]}
    expected |= {r.outputs["arn"] for r in resources(shared, "aws:route53/resolverRule:ResolverRule")}
    assert associated == expected
    principals = resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(p.inputs["principal"] for p in principals) == ["222222222222", "333333333333"]
    assert all(p.inputs["resourceShareArn"] == share.outputs["arn"] for p in principals)
    assert planned["shared"].outputs["ramShareArn"] == share.outputs["arn"]


def test_sharing_with_an_organization(project):
    org = "arn:aws:organizations::111111111111:organization/o-abcdefghij"
    project.edit("shared", lambda c: c["studio-access:ram"].update(organizationArn=org))
    shared = project.plan(["shared"])["shared"]
    assert [p.inputs["principal"] for p in resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")] == [
        org
    ]
    assert one(shared, "aws:ram/resourceShare:ResourceShare", "hub-share").inputs["allowExternalPrincipals"] is False


def test_client_ranges_follow_the_config(project):
    """A new LOB (a new entry and stack file) is admitted by the endpoint group, nothing else changes."""
    lob_c = project.read("lob-b")
    lob_c["studio-access:aws"]["accountId"] = "444444444444"
    lob_c["studio-access:lob"].update(
        name="lob-c",
        vpcCidr="10.140.0.0/16",
        privateSubnets=["10.140.10.0/24", "10.140.11.0/24"],
        attachmentSubnets=["10.140.20.0/24", "10.140.21.0/24"],
        domainName="sagemaker-domain-lob-c",
        userProfiles=["user-lob-c"],
    )
    project.write("lob-c", lob_c)
    project.edit("shared", lambda c: c["studio-access:lobs"].append({"name": "lob-c", "accountId": "444444444444"}))
    results = project.plan()
    assert list(results) == ["shared", "lob-a", "lob-b", "lob-c"]
    shared = results["shared"]
    cidrs = {r.inputs["cidrIpv4"] for r in resources(shared, SG_IN) if r.name.startswith("hub-endpoints-in")}
    assert "10.140.0.0/16" in cidrs and "10.0.0.0/8" not in cidrs
    assert "444444444444" in {
        p.inputs["principal"] for p in resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")
    }
    assert (
        one(results["lob-c"], "aws:sagemaker/domain:Domain", "lob-c-domain").inputs["domainName"]
        == "sagemaker-domain-lob-c"
    )


def test_json_of_the_hub_is_serialisable(planned):
    json.dumps(planned["shared"].to_json())
