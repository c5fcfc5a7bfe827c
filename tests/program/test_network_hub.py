"""The shared stack's network hub (and what it means for the LOB stacks), asserted on the arguments
the engine receives for the tests' own organizations (tests/fixtures) and edits of them.

One section per hardening of issue 14 (docs/network.md): the API host alone (1), zones by id (5),
the segmented Transit Gateway (6), one security group per endpoint (7), data-perimeter endpoint
policies (8), flow logs and closed default groups (10)."""

from __future__ import annotations

import json

import pytest

from components.network_hub import ENDPOINTS, EXECUTE_API
from contracts.tags import (
    ENDPOINT_CLIENT_ACCESS_VPC,
    ENDPOINT_CLIENT_LOB_VPC,
    ENDPOINT_CLIENT_ON_PREMISES,
    ENDPOINT_POLICY_AWS_DEFAULT,
    ENDPOINT_POLICY_TAG,
    PURPOSE_TAG,
)
from tests.conftest import FIXTURES, one, resources
from tools import plan as plan_tool

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
TGW_TABLE = "aws:ec2transitgateway/routeTable:RouteTable"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ZONE = "aws:route53/zone:Zone"
RULE = "aws:route53/resolverRule:ResolverRule"
SUBNET = "aws:ec2/subnet:Subnet"
ON_PREM, ACCESS, LOB_A, LOB_B = "192.168.10.0/24", "10.17.0.0/16", "10.100.0.0/16", "10.120.0.0/16"


def _by_id(result):
    return {r.id: r for r in result.resources}


def _ingress(shared, group_name):
    group = one(shared, SG, group_name)
    return [r.inputs for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == group.id]


# --------------------------------------------------------------------------- the central VPC


def test_central_vpc_subnets_and_attachment(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    vpc = one(shared, "aws:ec2/vpc:Vpc", "hub-central-vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    subnets = {r.name: r.inputs for r in resources(shared, SUBNET) if r.name.startswith("hub-")}
    # The example gives no zones: the default names, as before (docs/network.md#availability-zones).
    assert {n: (s["cidrBlock"], s["availabilityZone"]) for n, s in subnets.items()} == {
        "hub-central-private-0": ("10.0.8.0/21", "us-east-1a"),
        "hub-central-private-1": ("10.0.16.0/21", "us-east-1b"),
        "hub-central-attachment-0": ("10.0.24.0/24", "us-east-1a"),
        "hub-central-attachment-1": ("10.0.25.0/24", "us-east-1b"),
    }
    attachment = one(shared, ATTACHMENT, "hub-central-tgw")
    assert sorted(ids[s].name for s in attachment.inputs["subnetIds"]) == [
        "hub-central-attachment-0",
        "hub-central-attachment-1",
    ]
    assert attachment.inputs["transitGatewayId"] == one(shared, TGW, "hub-tgw").id


def test_default_route_to_the_tgw_waits_for_the_attachment(planned):
    shared = planned["shared"]
    route = one(shared, "aws:ec2/route:Route", "hub-central-default-to-tgw")
    attachment = one(shared, ATTACHMENT, "hub-central-tgw")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert route.inputs["transitGatewayId"] == one(shared, TGW, "hub-tgw").id
    assert attachment.urn in route.dependencies
    assert route.inputs["routeTableId"] == one(shared, "aws:ec2/routeTable:RouteTable", "hub-central-private").id


def test_interface_endpoints_in_the_private_subnets(planned):
    shared = planned["shared"]
    ids = _by_id(shared)
    endpoints = {r.name: r.inputs for r in resources(shared, ENDPOINT) if r.name.startswith("hub-")}
    assert {n: e["serviceName"] for n, e in endpoints.items()} == {
        "hub-sagemaker-api": "com.amazonaws.us-east-1.sagemaker.api",
        "hub-sagemaker-runtime": "com.amazonaws.us-east-1.sagemaker.runtime",
        "hub-studio": "aws.sagemaker.us-east-1.studio",
        "hub-execute-api": "com.amazonaws.us-east-1.execute-api",
        "hub-sts": "com.amazonaws.us-east-1.sts",
    }
    for name, e in endpoints.items():
        assert e["vpcEndpointType"] == "Interface"
        assert e["privateDnsEnabled"] is False
        assert sorted(ids[s].name for s in e["subnetIds"]) == ["hub-central-private-0", "hub-central-private-1"]
        assert e["securityGroupIds"] == [one(shared, SG, f"{name}-endpoint").id]


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
    inbound = one(shared, SG, "hub-resolver-in")
    outbound = one(shared, SG, "hub-resolver-out")
    rules_in = [r.inputs for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == inbound.id]
    assert sorted((r["ipProtocol"], r.get("cidrIpv4") or r["referencedSecurityGroupId"]) for r in rules_in) == sorted(
        [("tcp", ON_PREM), ("udp", ON_PREM), ("tcp", outbound.id), ("udp", outbound.id)]
    )
    assert all(r["fromPort"] == r["toPort"] == 53 for r in rules_in)
    rules_out = [r.inputs for r in resources(shared, SG_OUT) if r.inputs["securityGroupId"] == outbound.id]
    assert sorted((r["ipProtocol"], r["cidrIpv4"]) for r in rules_out) == sorted(
        (p, ip) for p in ("tcp", "udp") for ip in ("10.0.15.133/32", "10.0.20.133/32")
    )
    assert not [r for r in resources(shared, SG_IN) if r.inputs["securityGroupId"] == outbound.id]


# --------------------------------------------------------------------------- 1: this project's API host only


def test_service_zones_with_alias_records_to_their_endpoint(planned):
    shared = planned["shared"]
    central = one(shared, "aws:ec2/vpc:Vpc", "hub-central-vpc")
    expected = {
        "sagemaker-api": ("api.sagemaker.us-east-1.amazonaws.com", "api.sagemaker.us-east-1.amazonaws.com"),
        "sagemaker-runtime": ("runtime.sagemaker.us-east-1.amazonaws.com", "runtime.sagemaker.us-east-1.amazonaws.com"),
        "studio": ("studio.us-east-1.sagemaker.aws", "*.studio.us-east-1.sagemaker.aws"),
        "sts": ("sts.us-east-1.amazonaws.com", "sts.us-east-1.amazonaws.com"),
    }
    assert set(expected) == set(ENDPOINTS)
    for key, (zone_name, record_name) in expected.items():
        zone = one(shared, ZONE, f"hub-{key}")
        assert zone.inputs["name"] == zone_name
        assert [v["vpcId"] for v in zone.inputs["vpcs"]] == [central.id]
        record = one(shared, "aws:route53/record:Record", f"hub-{key}")
        assert record.inputs["zoneId"] == zone.outputs["zoneId"]
        assert (record.inputs["name"], record.inputs["type"]) == (record_name, "A")
        endpoint = one(shared, ENDPOINT, f"hub-{key}")
        assert record.inputs["aliases"][0]["name"] == endpoint.outputs["dnsEntries"][0]["dnsName"]


def test_only_the_api_host_of_execute_api_is_served(planned):
    shared = planned["shared"]
    api_id = shared.outputs["apiId"]
    host = f"{api_id}.execute-api.us-east-1.amazonaws.com"
    assert shared.outputs["apiUrl"].startswith(f"https://{host}/")
    execute_api = [r for r in (*resources(shared, ZONE), *resources(shared, RULE)) if "execute-api" in str(r.inputs)]
    assert {(r.type, r.name) for r in execute_api} == {(ZONE, "hub-api-host"), (RULE, "hub-api-host")}
    zone, rule = one(shared, ZONE, "hub-api-host"), one(shared, RULE, "hub-api-host")
    assert zone.inputs["name"] == rule.inputs["domainName"] == host
    record = one(shared, "aws:route53/record:Record", "hub-api-host").inputs
    endpoint = one(shared, ENDPOINT, "hub-execute-api")
    assert (record["name"], record["zoneId"]) == (host, zone.outputs["zoneId"])
    assert record["aliases"][0]["name"] == endpoint.outputs["dnsEntries"][0]["dnsName"]
    assert shared.outputs["hostedZoneIds"][EXECUTE_API] == zone.outputs["zoneId"]
    assert shared.outputs["resolverRuleIds"][EXECUTE_API] == rule.id
    assert not [
        r for r in resources(shared, "aws:route53/record:Record") if r.inputs["name"].startswith("*.execute-api")
    ]


def test_the_api_host_is_built_after_the_api(planned):
    shared = planned["shared"]
    api = one(shared, "aws:apigateway/restApi:RestApi", "access-api")
    for type_ in (ZONE, RULE, "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"):
        assert api.urn in one(shared, type_, "hub-api-host").dependencies


def test_a_forwarding_rule_per_name_targets_the_inbound_endpoint(planned):
    shared = planned["shared"]
    outbound = one(shared, "aws:route53/resolverEndpoint:ResolverEndpoint", "hub-resolver-outbound")
    rules = {r.name: r.inputs for r in resources(shared, RULE)}
    assert set(rules) == {f"hub-{key}" for key in ENDPOINTS} | {"hub-api-host"}
    for key, ep in ENDPOINTS.items():
        assert rules[f"hub-{key}"]["domainName"] == ep.zone_name("us-east-1")
    for rule in rules.values():
        assert rule["ruleType"] == "FORWARD"
        assert rule["resolverEndpointId"] == outbound.id
        assert rule["targetIps"] == [{"ip": "10.0.15.133", "port": 53}, {"ip": "10.0.20.133", "port": 53}]


@pytest.mark.parametrize("lob", ["lob-a", "lob-b"])
def test_lob_vpcs_follow_the_service_names_not_the_api_host(planned, lob):
    rules = planned["shared"].outputs["resolverRuleIds"]
    associated = {
        a.inputs["resolverRuleId"]
        for a in resources(planned[lob], "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
    }
    assert associated == {rules[k] for k in ENDPOINTS}
    assert rules[EXECUTE_API] not in associated


# --------------------------------------------------------------------------- 5: availability zones by id


def _zone_ids(project):
    ids = {"hub": ["use1-az4", "use1-az6"], "access": ["use1-az6", "use1-az4"]}
    project.edit("shared", lambda c: [c[f"studio-access:{k}"].update(availabilityZones=v) for k, v in ids.items()])
    for lob in ("lob-a", "lob-b"):
        project.edit(lob, lambda c: c["studio-access:lob"].update(availabilityZones=["use1-az4", "use1-az6"]))


def test_zone_ids_place_every_stacks_subnets_in_the_same_physical_zones(project):
    _zone_ids(project)
    results = project.plan()
    for stack, result in results.items():
        subnets = resources(result, SUBNET)
        assert subnets, stack
        for subnet in subnets:
            assert "availabilityZone" not in subnet.inputs, (stack, subnet.name)
            assert subnet.inputs["availabilityZoneId"] in ("use1-az4", "use1-az6"), (stack, subnet.name)
    lob_a = {s.name: s.inputs["availabilityZoneId"] for s in resources(results["lob-a"], SUBNET)}
    assert (
        lob_a["lob-a-attachment-0"]
        == one(results["shared"], SUBNET, "hub-central-attachment-0").inputs["availabilityZoneId"]
    )
    assert one(results["shared"], SUBNET, "access-private-0").inputs["availabilityZoneId"] == "use1-az6"


def test_the_fixture_organization_that_names_zone_ids_meets_in_them_in_every_account():
    results = plan_tool.plan(None, FIXTURES / "three-lobs")
    assert len(results) == 4
    for stack, result in results.items():
        placed = {s.inputs.get("availabilityZoneId") for s in resources(result, SUBNET)}
        assert placed == {"euw1-az1", "euw1-az2"}, stack
        assert not [s for s in resources(result, SUBNET) if "availabilityZone" in s.inputs], stack


@pytest.mark.parametrize(
    "stack, section, zones, message",
    [
        ("shared", "hub", ["use1-az1", "us-east-1b"], "mixes a zone id and a zone name"),
        ("shared", "hub", ["euw1-az1", "euw1-az2"], "euw1-az1 is not a zone id of region us-east-1"),
        ("lob-a", "lob", ["eu-west-1a", "eu-west-1b"], "eu-west-1a is not a zone of region us-east-1"),
        ("lob-a", "lob", ["use1-az1", "use1-az1"], "must name two different zones"),
        ("shared", "access", ["use1-zone1", "use1-az2"], "is neither an availability zone id"),
    ],
)
def test_bad_zones_are_named_with_the_fix(project, stack, section, zones, message):
    project.edit(stack, lambda c: c[f"studio-access:{section}"].update(availabilityZones=zones))
    assert any(message in m for _, _, m in project.problems(stack)), project.problems(stack)


# --------------------------------------------------------------------------- 6: the segmented Transit Gateway


def test_transit_gateway_defaults_point_at_a_spokes_and_a_hub_table(planned):
    shared = planned["shared"]
    tgw = one(shared, TGW, "hub-tgw").inputs
    assert tgw["amazonSideAsn"] == 65000
    assert (tgw["autoAcceptSharedAttachments"], tgw["dnsSupport"], tgw["vpnEcmpSupport"]) == ("enable",) * 3
    assert (tgw["defaultRouteTableAssociation"], tgw["defaultRouteTablePropagation"]) == ("enable", "enable")
    hub_table, spokes = one(shared, TGW_TABLE, "hub-hub-table"), one(shared, TGW_TABLE, "hub-spokes-table")
    association = one(
        shared,
        "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation",
        "hub-spokes-table-default",
    )
    propagation = one(
        shared,
        "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation",
        "hub-hub-table-default",
    )
    assert association.inputs["transitGatewayRouteTableId"] == spokes.id
    assert propagation.inputs["transitGatewayRouteTableId"] == hub_table.id


def test_only_the_central_vpc_is_in_the_hub_table_and_propagates_to_the_spokes(planned):
    shared = planned["shared"]
    central = one(shared, ATTACHMENT, "hub-central-tgw")
    assert central.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert central.inputs["transitGatewayDefaultRouteTablePropagation"] is False
    hub_table, spokes = one(shared, TGW_TABLE, "hub-hub-table"), one(shared, TGW_TABLE, "hub-spokes-table")
    associations = resources(shared, "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
    propagations = resources(shared, "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    assert [(a.inputs["transitGatewayAttachmentId"], a.inputs["transitGatewayRouteTableId"]) for a in associations] == [
        (central.id, hub_table.id)
    ]
    assert [(p.inputs["transitGatewayAttachmentId"], p.inputs["transitGatewayRouteTableId"]) for p in propagations] == [
        (central.id, spokes.id)
    ]


def test_the_access_vpc_is_a_spoke_attached_once_the_defaults_moved(planned):
    shared = planned["shared"]
    access = one(shared, ATTACHMENT, "access-tgw")
    assert "transitGatewayDefaultRouteTableAssociation" not in access.inputs
    moved = {
        one(
            shared,
            "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation",
            "hub-spokes-table-default",
        ).urn,
        one(
            shared,
            "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation",
            "hub-hub-table-default",
        ).urn,
    }
    assert moved <= set(access.dependencies)


@pytest.mark.parametrize("lob", ["lob-a", "lob-b"])
def test_lob_attachments_are_spokes_by_the_tgw_defaults(planned, lob):
    (attachment,) = resources(planned[lob], ATTACHMENT)
    assert attachment.inputs["transitGatewayId"] == planned["shared"].outputs["transitGatewayId"]
    for key in ("transitGatewayDefaultRouteTableAssociation", "transitGatewayDefaultRouteTablePropagation"):
        assert key not in attachment.inputs  # a non-owner cannot set them (perpetual diff)
    assert not resources(planned[lob], "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")


# --------------------------------------------------------------------------- 7: one security group per endpoint


def test_each_endpoint_admits_its_callers_only(planned):
    shared = planned["shared"]
    expected = {
        "studio": {(ON_PREM, ENDPOINT_CLIENT_ON_PREMISES)},
        "execute-api": {(ON_PREM, ENDPOINT_CLIENT_ON_PREMISES), (ACCESS, ENDPOINT_CLIENT_ACCESS_VPC)},
        "sagemaker-runtime": {
            (ON_PREM, ENDPOINT_CLIENT_ON_PREMISES),
            (LOB_A, ENDPOINT_CLIENT_LOB_VPC),
            (LOB_B, ENDPOINT_CLIENT_LOB_VPC),
        },
        "sagemaker-api": {
            (ON_PREM, ENDPOINT_CLIENT_ON_PREMISES),
            (ACCESS, ENDPOINT_CLIENT_ACCESS_VPC),
            (LOB_A, ENDPOINT_CLIENT_LOB_VPC),
            (LOB_B, ENDPOINT_CLIENT_LOB_VPC),
        },
    }
    expected["sts"] = expected["sagemaker-api"]
    for key, admitted in expected.items():
        rules = _ingress(shared, f"hub-{key}-endpoint")
        assert {(r["cidrIpv4"], r["tags"][PURPOSE_TAG]) for r in rules} == admitted, key
        assert all((r["ipProtocol"], r["fromPort"], r["toPort"]) == ("tcp", 443, 443) for r in rules)
        group = one(shared, SG, f"hub-{key}-endpoint")
        assert not [r for r in resources(shared, SG_OUT) if r.inputs["securityGroupId"] == group.id]
    assert not [r for r in resources(shared, SG) if r.name == "hub-endpoints"]


def test_a_new_lob_reaches_the_endpoints_it_calls_and_not_studio(project):
    """A new LOB (an entry and a stack file) is admitted where Studio in a LOB VPC calls, nothing more."""
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
    for key in ("sagemaker-api", "sagemaker-runtime", "sts"):
        assert "10.140.0.0/16" in {r["cidrIpv4"] for r in _ingress(shared, f"hub-{key}-endpoint")}, key
    for key in ("studio", "execute-api"):
        assert "10.140.0.0/16" not in {r["cidrIpv4"] for r in _ingress(shared, f"hub-{key}-endpoint")}, key
    assert "444444444444" in {
        p.inputs["principal"] for p in resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")
    }
    studio_policy = json.loads(one(shared, ENDPOINT, "hub-studio").inputs["policy"])
    assert "444444444444" in studio_policy["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalAccount"]


# --------------------------------------------------------------------------- 8: endpoint policies


def test_endpoint_policies_keep_the_named_accounts_perimeter(planned):
    shared = planned["shared"]
    accounts = ["111111111111", "222222222222", "333333333333"]
    for key in ENDPOINTS:
        document = json.loads(one(shared, ENDPOINT, f"hub-{key}").inputs["policy"])
        main = document["Statement"][0]
        assert main["Condition"] == {
            "StringEquals": {"aws:PrincipalAccount": accounts, "aws:ResourceAccount": accounts}
        }
    policy = one(shared, "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy", "hub-api-host").inputs
    assert policy["vpcEndpointId"] == one(shared, ENDPOINT, "hub-execute-api").id
    api = one(shared, "aws:apigateway/restApi:RestApi", "access-api")
    assert json.loads(policy["policy"])["Statement"][0]["Resource"] == [api.outputs["executionArn"] + "/*"]


def test_sharing_with_an_organization(project):
    org = "arn:aws:organizations::111111111111:organization/o-abcdefghij"
    project.edit("shared", lambda c: c["studio-access:ram"].update(organizationArn=org))
    shared = project.plan(["shared"])["shared"]
    assert [p.inputs["principal"] for p in resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")] == [
        org
    ]
    assert one(shared, "aws:ram/resourceShare:ResourceShare", "hub-share").inputs["allowExternalPrincipals"] is False
    # any account of the organization could attach: each attachment waits for the owner's acceptance
    assert one(shared, TGW, "hub-tgw").inputs["autoAcceptSharedAttachments"] == "disable"
    main = json.loads(one(shared, ENDPOINT, "hub-sts").inputs["policy"])["Statement"][0]
    assert main["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij", "aws:ResourceOrgID": "o-abcdefghij"}
    }
    assert [v for v in shared.violations if v.enforcement == "mandatory"] == []


def test_the_sts_switch_leaves_awss_default_and_the_plan_reports_it(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(endpointPolicies={"sts": False}))
    shared = project.plan(["shared"])["shared"]
    sts = one(shared, ENDPOINT, "hub-sts").inputs
    assert "policy" not in sts and sts["tags"][ENDPOINT_POLICY_TAG] == ENDPOINT_POLICY_AWS_DEFAULT
    assert "policy" in one(shared, ENDPOINT, "hub-studio").inputs
    assert [(v.rule, v.enforcement, v.resource) for v in shared.violations] == [
        ("endpoint-policy-opt-out", "advisory", "hub-sts")
    ]


def test_endpoint_policies_false_switches_every_endpoint_off(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(endpointPolicies=False))
    shared = project.plan(["shared"])["shared"]
    assert not [e for e in resources(shared, ENDPOINT) if e.name.startswith("hub-") and "policy" in e.inputs]
    assert not resources(shared, "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")
    assert {v.resource for v in shared.violations if v.rule == "endpoint-policy-opt-out"} == {
        f"hub-{key}" for key in (*ENDPOINTS, EXECUTE_API)
    }
    assert [v for v in shared.violations if v.enforcement == "mandatory"] == []


def test_an_unknown_endpoint_switch_is_named(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(endpointPolicies={"stss": False}))
    assert any("did you mean sts?" in m for _, _, m in project.problems("shared"))


# --------------------------------------------------------------------------- 10: flow logs, default groups


@pytest.mark.parametrize("fixture", ["two-lobs", "onprem"])
def test_every_vpc_of_every_stack_has_flow_logs_and_a_closed_default_group(fixture):
    results = plan_tool.plan(None, FIXTURES / fixture)
    for stack, result in results.items():
        vpcs = resources(result, "aws:ec2/vpc:Vpc")
        logged = {f.inputs["vpcId"] for f in resources(result, "aws:ec2/flowLog:FlowLog")}
        closed = {
            g.inputs["vpcId"]
            for g in resources(result, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
            if not g.inputs.get("ingress") and not g.inputs.get("egress")
        }
        assert vpcs and {v.id for v in vpcs} == logged == closed, stack
        for flow_log in resources(result, "aws:ec2/flowLog:FlowLog"):
            assert flow_log.inputs["trafficType"] == "ALL"
    assert len(resources(results["shared"], "aws:ec2/vpc:Vpc")) == (3 if fixture == "onprem" else 2)


def test_flow_log_retention_follows_each_vpcs_config(project):
    project.edit("shared", lambda c: c["studio-access:hub"].update(flowLogRetentionDays=365))
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(flowLogRetentionDays=30))
    results = project.plan(["shared", "lob-a"])
    days = {
        g.name: g.inputs["retentionInDays"]
        for result in results.values()
        for g in resources(result, "aws:cloudwatch/logGroup:LogGroup")
        if g.name.endswith("-flow-logs")
    }
    assert days == {"hub-central-flow-logs": 365, "access-flow-logs": 90, "lob-a-flow-logs": 30}


def test_a_retention_cloudwatch_does_not_offer_is_named(project):
    project.edit("shared", lambda c: c["studio-access:access"].update(flowLogRetentionDays=100))
    assert any(
        k == "studio-access:access.flowLogRetentionDays" and "not a CloudWatch Logs retention period" in m
        for _, k, m in project.problems("shared")
    )


# --------------------------------------------------------------------------- RAM


def test_ram_share_of_the_tgw_and_rules_with_the_lob_accounts(planned):
    shared = planned["shared"]
    share = one(shared, "aws:ram/resourceShare:ResourceShare", "hub-share")
    assert share.inputs["allowExternalPrincipals"] is False
    associated = {r.inputs["resourceArn"] for r in resources(shared, "aws:ram/resourceAssociation:ResourceAssociation")}
    expected = {one(shared, TGW, "hub-tgw").outputs["arn"]}
    expected |= {r.outputs["arn"] for r in resources(shared, RULE)}
    assert associated == expected
    principals = resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(p.inputs["principal"] for p in principals) == ["222222222222", "333333333333"]
    assert all(p.inputs["resourceShareArn"] == share.outputs["arn"] for p in principals)
    assert planned["shared"].outputs["ramShareArn"] == share.outputs["arn"]


def test_json_of_the_hub_is_serialisable(planned):
    json.dumps(planned["shared"].to_json())
