"""RAM and Transit Gateway rules (`policy/ram.py`)."""

from __future__ import annotations

from policy.model import ADVISORY
from policy.resource_types import RAM_PRINCIPAL, RAM_RESOURCE, RAM_SHARE, TRANSIT_GATEWAY
from tests.policy.support import by_name, res

ORG = "arn:aws:organizations::111111111111:organization/o-exampleorgid"
SHARE_ARN = "arn:aws:ram:us-east-1:111111111111:resource-share/abc"


def _ram(allow_external: bool, principals: list[str], auto_accept: str = "enable"):
    tgw = res(TRANSIT_GATEWAY, "tgw", {"autoAcceptSharedAttachments": auto_accept}, id_="tgw-1")
    share = res(RAM_SHARE, "share", {"allowExternalPrincipals": allow_external, "name": "s"}, id_=SHARE_ARN)
    assoc = res(
        RAM_RESOURCE,
        "share-tgw",
        {"resourceArn": "arn:aws:ec2:us-east-1:111111111111:transit-gateway/tgw-1", "resourceShareArn": SHARE_ARN},
    )
    people = [
        res(RAM_PRINCIPAL, f"p{i}", {"principal": p, "resourceShareArn": SHARE_ARN}) for i, p in enumerate(principals)
    ]
    return [tgw, share, assoc, *people]


def test_organization_shares_must_not_allow_external_principals():
    stack_check = by_name("ram-org-share-internal").stack_check
    assert stack_check(_ram(False, [ORG])) == []
    assert stack_check(_ram(True, ["222222222222"])) == []  # outside an organization, by design
    [(where, problem)] = stack_check(_ram(True, [ORG]))
    assert where.name == "share" and "outside the organization" in problem


def test_tgw_auto_accept_needs_named_accounts():
    stack_check = by_name("tgw-auto-accept-named-principals").stack_check
    assert by_name("tgw-auto-accept-named-principals").enforcement == ADVISORY
    assert stack_check(_ram(False, ["222222222222", "333333333333"])) == []
    assert stack_check(_ram(False, [], auto_accept="disable")) == []
    [(where, problem)] = stack_check(_ram(False, [ORG]))
    assert where.name == "tgw" and ORG in problem
    [(_, problem)] = stack_check(_ram(False, []))
    assert "shared with no principal" in problem
