"""RAM and Transit Gateway rules (`policy/ram.py`)."""

from __future__ import annotations

from policy.model import MANDATORY
from policy.resource_types import (
    RAM_PRINCIPAL,
    RAM_RESOURCE,
    RAM_SHARE,
    TGW_ASSOCIATION,
    TGW_DEFAULT_ASSOCIATION,
    TGW_DEFAULT_PROPAGATION,
    TGW_PROPAGATION,
    TGW_ROUTE_TABLE,
    TGW_VPC_ATTACHMENT,
    TRANSIT_GATEWAY,
)
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
    assert by_name("tgw-auto-accept-named-principals").enforcement == MANDATORY
    assert stack_check(_ram(False, ["222222222222", "333333333333"])) == []
    assert stack_check(_ram(False, [], auto_accept="disable")) == []
    [(where, problem)] = stack_check(_ram(False, [ORG]))
    assert where.name == "tgw" and ORG in problem
    [(_, problem)] = stack_check(_ram(False, []))
    assert "shared with no principal" in problem


# --------------------------------------------------------------------------- segmentation


def _tgw(**props):
    return res(TRANSIT_GATEWAY, "tgw", props, id_="tgw-1")


def _segmented():
    """The hub's shape: defaults to a spokes and a hub table; the central VPC in the hub table, into the spokes'."""
    tables = [res(TGW_ROUTE_TABLE, n, {"transitGatewayId": "tgw-1"}, id_=f"tgw-rtb-{n}") for n in ("hub", "spokes")]
    defaults = [
        res(
            TGW_DEFAULT_ASSOCIATION,
            "assoc-default",
            {"transitGatewayId": "tgw-1", "transitGatewayRouteTableId": "tgw-rtb-spokes"},
        ),
        res(
            TGW_DEFAULT_PROPAGATION,
            "prop-default",
            {"transitGatewayId": "tgw-1", "transitGatewayRouteTableId": "tgw-rtb-hub"},
        ),
    ]
    central = res(
        TGW_VPC_ATTACHMENT,
        "central",
        {"transitGatewayDefaultRouteTableAssociation": False, "transitGatewayDefaultRouteTablePropagation": False},
        id_="tgw-attach-central",
    )
    access = res(TGW_VPC_ATTACHMENT, "access", {"transitGatewayId": "tgw-1"}, id_="tgw-attach-access")
    links = [
        res(
            TGW_ASSOCIATION,
            "central-assoc",
            {"transitGatewayAttachmentId": "tgw-attach-central", "transitGatewayRouteTableId": "tgw-rtb-hub"},
        ),
        res(
            TGW_PROPAGATION,
            "central-prop",
            {"transitGatewayAttachmentId": "tgw-attach-central", "transitGatewayRouteTableId": "tgw-rtb-spokes"},
        ),
    ]
    return [_tgw(), *tables, *defaults, central, access, *links]


def test_a_tgw_whose_defaults_go_to_two_tables_with_only_the_hub_between_them_passes():
    assert by_name("tgw-segmented").stack_check(_segmented()) == []
    # defaults off: nothing lands anywhere by itself
    off = _tgw(defaultRouteTableAssociation="disable", defaultRouteTablePropagation="disable")
    assert by_name("tgw-segmented").stack_check([off]) == []


def test_a_tgw_with_both_defaults_on_its_own_table_is_a_full_mesh():
    [(where, problem)] = by_name("tgw-segmented").stack_check([_tgw()])
    assert where.name == "tgw" and "every attachment reaches every other" in problem
    # the propagation default moved back onto the spokes table: the same mesh
    resources = [r for r in _segmented() if r.type != TGW_DEFAULT_PROPAGATION]
    resources.append(
        res(
            TGW_DEFAULT_PROPAGATION,
            "prop-default",
            {"transitGatewayId": "tgw-1", "transitGatewayRouteTableId": "tgw-rtb-spokes"},
        )
    )
    [(where, problem)] = by_name("tgw-segmented").stack_check(resources)
    assert where.name == "tgw" and "(spokes)" in problem


def test_a_spoke_propagating_into_the_spokes_table_is_reached_by_every_spoke():
    resources = [
        *_segmented(),
        res(
            TGW_PROPAGATION,
            "access-prop",
            {"transitGatewayAttachmentId": "tgw-attach-access", "transitGatewayRouteTableId": "tgw-rtb-spokes"},
        ),
    ]
    [(where, problem)] = by_name("tgw-segmented").stack_check(resources)
    assert where.name == "access-prop" and "every spoke reaches it" in problem


def test_a_spoke_associated_with_the_hub_table_reaches_every_lob():
    resources = [
        *_segmented(),
        res(
            TGW_ASSOCIATION,
            "access-assoc",
            {"transitGatewayAttachmentId": "tgw-attach-access", "transitGatewayRouteTableId": "tgw-rtb-hub"},
        ),
    ]
    [(where, problem)] = by_name("tgw-segmented").stack_check(resources)
    assert where.name == "access-assoc" and "reaches every LOB" in problem
