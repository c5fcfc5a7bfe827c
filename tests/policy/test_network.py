"""Network rules (`policy/network.py`): security group ingress and interface endpoints' groups."""

from __future__ import annotations

import pytest

from contracts.tags import BASTION_SSH, ENDPOINT_CLIENT_LOB_VPC, ENDPOINT_CLIENT_ON_PREMISES, PURPOSE_TAG
from policy.model import ADVISORY
from policy.resource_types import INGRESS_RULE, SECURITY_GROUP, SECURITY_GROUP_RULE, VPC_ENDPOINT
from tests.policy.support import by_name, check, res

BASTION = {PURPOSE_TAG: BASTION_SSH}


def test_internal_ingress_passes():
    name = "sg-no-internet-ingress"
    assert (
        check(name, INGRESS_RULE, {"cidrIpv4": "10.17.0.0/16", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0})
        == []
    )
    assert check(name, INGRESS_RULE, {"referencedSecurityGroupId": "sg-1", "ipProtocol": "-1"}) == []
    assert (
        check(
            name,
            INGRESS_RULE,
            {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "tags": BASTION},
        )
        == []
    )


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (INGRESS_RULE, {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
        (INGRESS_RULE, {"cidrIpv6": "::/0", "ipProtocol": "-1"}),
        (INGRESS_RULE, {"cidrIpv4": "0.0.0.0/1", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "tags": BASTION}),
        (
            SECURITY_GROUP_RULE,
            {
                "type": "ingress",
                "cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"],
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
            },
        ),
        (
            SECURITY_GROUP,
            {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["::/0"]}]},
        ),
    ],
)
def test_ingress_from_the_internet_fails_in_every_resource_shape(resource_type, props):
    problems = check("sg-no-internet-ingress", resource_type, props)
    assert problems and "internet may connect" in problems[0]


def test_egress_and_egress_type_rules_are_not_ingress():
    assert (
        check(
            "sg-no-internet-ingress",
            SECURITY_GROUP_RULE,
            {"type": "egress", "cidrBlocks": ["0.0.0.0/0"], "protocol": "-1"},
        )
        == []
    )
    assert (
        check("sg-no-internet-ingress", SECURITY_GROUP, {"egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]})
        == []
    )


def test_the_bastion_tag_only_covers_ssh():
    [problem] = check(
        "sg-no-internet-ingress",
        INGRESS_RULE,
        {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "tags": BASTION},
    )
    assert "only for the bastion's SSH" in problem and "tcp 3389" in problem


def test_public_ingress_outside_the_bastion_is_advisory():
    name = "sg-public-ingress-bastion-only"
    assert by_name(name).enforcement == ADVISORY
    ssh = {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22}
    assert check(name, INGRESS_RULE, ssh | {"tags": BASTION}) == []
    assert check(name, INGRESS_RULE, ssh | {"cidrIpv4": "192.168.10.0/24"}) == []
    [problem] = check(name, INGRESS_RULE, ssh)
    assert "203.0.113.10/32" in problem and "public range" in problem


def test_interface_endpoints_need_security_groups():
    name = "endpoint-has-security-groups"
    assert check(name, VPC_ENDPOINT, {"vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]}) == []
    assert check(name, VPC_ENDPOINT, {"vpcEndpointType": "Gateway"}) == []
    [problem] = check(name, VPC_ENDPOINT, {"vpcEndpointType": "Interface", "securityGroupIds": []})
    assert "default security group" in problem


def test_endpoint_security_group_open_on_all_ports_fails():
    stack_check = by_name("endpoint-sg-not-all-ports").stack_check
    group = res(SECURITY_GROUP, "endpoints", {"vpcId": "vpc-1"}, id_="sg-1")
    endpoint = res(VPC_ENDPOINT, "sts", {"vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]})
    https = res(
        INGRESS_RULE,
        "https",
        {"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443},
    )
    assert stack_check([group, endpoint, https]) == []
    everything = res(INGRESS_RULE, "all", {"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "-1"})
    [(where, problem)] = stack_check([group, endpoint, https, everything])
    assert where is everything and "opens all ports" in problem and "sts" in problem
    # matched through dependencies when ids are not known, and inline ingress on the group
    tcp_range = res(
        SECURITY_GROUP_RULE,
        "range",
        {"type": "ingress", "protocol": "tcp", "fromPort": 0, "toPort": 65535, "securityGroupId": "?"},
        deps=(group.urn,),
    )
    assert len(stack_check([group, endpoint, tcp_range])) == 1
    inline = res(
        SECURITY_GROUP, "endpoints", {"ingress": [{"protocol": "-1", "cidrBlocks": ["10.0.0.0/8"]}]}, id_="sg-1"
    )
    assert len(stack_check([inline, endpoint])) == 1
    # the same rule on a group no endpoint uses is not this rule's business, even when its
    # source is the endpoints' group (it then depends on that group too)
    clients = res(SECURITY_GROUP, "clients", {"vpcId": "vpc-1"}, id_="sg-2")
    other = res(
        INGRESS_RULE,
        "all",
        {"securityGroupId": "sg-2", "ipProtocol": "-1", "referencedSecurityGroupId": "sg-1"},
        deps=(clients.urn, group.urn),
    )
    assert stack_check([group, clients, endpoint, other]) == []


# --------------------------------------------------------------------------- one group per endpoint, its callers only

STUDIO = "aws.sagemaker.us-east-1.studio"
API = "com.amazonaws.us-east-1.sagemaker.api"
ON_PREM = {PURPOSE_TAG: ENDPOINT_CLIENT_ON_PREMISES}
LOB = {PURPOSE_TAG: ENDPOINT_CLIENT_LOB_VPC}


def _endpoint(name: str, service: str, group: str):
    return res(
        VPC_ENDPOINT, name, {"vpcEndpointType": "Interface", "serviceName": service, "securityGroupIds": [group]}
    )


def _https(name: str, group: str, cidr: str, tags: dict | None = None):
    props = {"securityGroupId": group, "cidrIpv4": cidr, "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}
    return res(INGRESS_RULE, name, props | ({"tags": tags} if tags is not None else {}))


def _hub_endpoints():
    groups = [res(SECURITY_GROUP, f"{n}-sg", {"vpcId": "vpc-1"}, id_=f"sg-{n}") for n in ("studio", "api")]
    return [
        *groups,
        _endpoint("studio", STUDIO, "sg-studio"),
        _endpoint("api", API, "sg-api"),
        _https("studio-onprem", "sg-studio", "192.168.10.0/24", ON_PREM),
        _https("api-onprem", "sg-api", "192.168.10.0/24", ON_PREM),
        _https("api-lob", "sg-api", "10.100.0.0/16", LOB),
    ]


def test_endpoints_each_with_their_own_group_pass_and_a_shared_group_fails():
    stack_check = by_name("endpoint-own-security-group").stack_check
    assert stack_check(_hub_endpoints()) == []
    shared = [r for r in _hub_endpoints() if r.name != "studio"] + [_endpoint("studio", STUDIO, "sg-api")]
    [(where, problem)] = stack_check(shared)
    assert where.name == "api-sg" and "api, studio" in problem


def test_tagged_callers_of_the_right_kind_pass():
    assert by_name("endpoint-sg-clients").stack_check(_hub_endpoints()) == []


def test_the_studio_endpoint_admitting_a_lob_range_fails():
    stack_check = by_name("endpoint-sg-clients").stack_check
    resources = [*_hub_endpoints(), _https("studio-lob", "sg-studio", "10.100.0.0/16", LOB)]
    [(where, problem)] = stack_check(resources)
    assert where.name == "studio-lob" and "Studio endpoint studio admits lob vpc" in problem


def test_a_lob_range_passed_off_as_on_premises_fails_on_the_lie():
    stack_check = by_name("endpoint-sg-clients").stack_check
    resources = [*_hub_endpoints(), _https("studio-fake", "sg-studio", "10.100.0.0/17", ON_PREM)]
    [(where, problem)] = stack_check(resources)
    assert where.name == "studio-fake" and "overlaps 10.100.0.0/16, a lob vpc range on api-lob" in problem


def test_untagged_ranges_and_group_peers_fail_on_restricted_endpoints_only():
    stack_check = by_name("endpoint-sg-clients").stack_check
    untagged = [*_hub_endpoints(), _https("studio-who", "sg-studio", "10.200.0.0/16")]
    [(where, problem)] = stack_check(untagged)
    assert where.name == "studio-who" and "without saying which client it is" in problem
    assert stack_check([*_hub_endpoints(), _https("api-who", "sg-api", "10.200.0.0/16")]) == []

    def peer(name, group):
        props = {"securityGroupId": group, "referencedSecurityGroupId": "sg-x", "ipProtocol": "tcp", "fromPort": 443}
        return res(INGRESS_RULE, name, props)

    [(where, problem)] = stack_check([*_hub_endpoints(), peer("studio-peer", "sg-studio")])
    assert where.name == "studio-peer" and "admits sg-x" in problem
    # a LOB's own endpoint admitting its Studio group is precise: not this rule's business
    assert stack_check([*_hub_endpoints(), peer("api-peer", "sg-api")]) == []
