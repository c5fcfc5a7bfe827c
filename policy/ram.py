"""RAM sharing and the Transit Gateway it shares (promises 15 and 16): shares stay inside the
organization, a TGW that auto-accepts attachments is shared with named accounts only, and the
TGW is segmented.

Segmented: attachments do not all land in one route table that every attachment propagates into
(a full mesh: LOB A reaches LOB B and the access VPC). The hub's shape: new attachments (spokes)
associate with one table by default and propagate into another (the hub table); only the hub
side (the central VPC) propagates into the spokes' table, and only the hub side is associated with
the hub table. A LOB account cannot associate or propagate its own attachment (only the TGW's
owner can), so the defaults do it for every spoke without a step in the shared stack.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._props import get
from ._references import index, referenced
from .iam_documents import ACCOUNT_ID, IAM_ARN
from .model import MANDATORY, Resource, Rule
from .resource_types import (
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

_ORGANIZATION: Final = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:(organization|ou)/")


def _share_principals(
    resources: Sequence[Resource], by_key: dict[str, Resource]
) -> dict[str, list[tuple[Resource, str]]]:
    """Share URN -> (principal association, principal)."""
    found: dict[str, list[tuple[Resource, str]]] = {}
    for assoc in resources:
        if assoc.type != RAM_PRINCIPAL:
            continue
        principal = assoc.props.get("principal")
        for share in referenced(assoc, by_key, "resourceShareArn", RAM_SHARE):
            found.setdefault(share.urn, []).append((assoc, principal if isinstance(principal, str) else ""))
    return found


def check_ram_organization_shares(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """A share with an organization (or OU) does not also allow principals outside it."""
    principals = _share_principals(resources, index(resources))
    found = []
    for share in resources:
        if share.type != RAM_SHARE or share.props.get("allowExternalPrincipals") is not True:
            continue
        orgs = [p for _, p in principals.get(share.urn, []) if _ORGANIZATION.match(p)]
        if orgs:
            found.append(
                (
                    share,
                    f"shares with {orgs[0]} and allows external principals: accounts outside the organization can be added to it",
                )
            )
    return found


RAM_ORG_SHARE_INTERNAL: Final = Rule(
    name="ram-org-share-internal",
    issue=15,
    enforcement=MANDATORY,
    description="A RAM share with an organization or OU does not allow external principals.",
    guards="the TGW and resolver rules shared with accounts outside the organization",
    stack_check=check_ram_organization_shares,
)


def check_tgw_auto_accept(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Auto-accepting a TGW shares only with named accounts (not an organization, not unshared)."""
    by_key = index(resources)
    principals = _share_principals(resources, by_key)
    shares_of: dict[str, list[Resource]] = {}
    for assoc in resources:
        if assoc.type != RAM_RESOURCE:
            continue
        arn = assoc.props.get("resourceArn")
        targets = referenced(assoc, by_key, "resourceArn", TRANSIT_GATEWAY)
        if isinstance(arn, str):  # the ARN ends with the TGW's id
            targets += [t for t in resources if t.type == TRANSIT_GATEWAY and t.id and arn.endswith("/" + t.id)]
        for tgw in targets:
            shares_of.setdefault(tgw.urn, []).extend(referenced(assoc, by_key, "resourceShareArn", RAM_SHARE))
    found = []
    for tgw in resources:
        if tgw.type != TRANSIT_GATEWAY or tgw.props.get("autoAcceptSharedAttachments") != "enable":
            continue
        shares = {s.urn: s for s in shares_of.get(tgw.urn, [])}
        named = [p for urn in shares for _, p in principals.get(urn, [])]
        if not named:
            found.append(
                (
                    tgw,
                    "auto-accepts shared attachments but is shared with no principal in this stack: whoever it is shared with later attaches unreviewed",
                )
            )
            continue
        unnamed = [p for p in named if not (ACCOUNT_ID.match(p) or IAM_ARN.match(p))]
        if unnamed:
            found.append(
                (
                    tgw,
                    f"auto-accepts shared attachments while shared with {unnamed[0]}: every account in it attaches unreviewed",
                )
            )
    return found


TGW_AUTO_ACCEPT_NAMED_PRINCIPALS: Final = Rule(
    name="tgw-auto-accept-named-principals",
    issue=16,
    enforcement=MANDATORY,
    description="A Transit Gateway auto-accepts shared attachments only when shared with named accounts.",
    guards="any account the TGW is shared with attaching its VPC without review",
    stack_check=check_tgw_auto_accept,
)


# --------------------------------------------------------------------------- 16: segmentation

# The TGW's own default route table (not a resource of the stack): both defaults point at it
# unless a DefaultRouteTableAssociation/Propagation resource moves them.
_OWN_TABLE: Final = "the TGW's own default route table"


def _enabled(tgw: Resource, prop: str) -> bool:
    return bool(tgw.props.get(prop, "enable") != "disable")


def _default_table(
    tgw: Resource, resources: Sequence[Resource], by_key: dict[str, Resource], type_: str
) -> Resource | str:
    """The table a TGW default points at: the one a Default* resource names, or its own."""
    for r in resources:
        if r.type == type_ and tgw.urn in {t.urn for t in referenced(r, by_key, "transitGatewayId", TRANSIT_GATEWAY)}:
            tables = referenced(r, by_key, "transitGatewayRouteTableId", TGW_ROUTE_TABLE)
            return tables[0] if tables else f"route table {r.props.get('transitGatewayRouteTableId')}"
    return _OWN_TABLE


def _table_name(table: Resource | str) -> str:
    return table if isinstance(table, str) else table.name


def _links(
    resources: Sequence[Resource], by_key: dict[str, Resource], type_: str
) -> list[tuple[Resource, Resource | None, Resource | None]]:
    """(association or propagation, its attachment, its table) for every resource of `type_`."""
    found = []
    for r in resources:
        if r.type != type_:
            continue
        attachments = referenced(r, by_key, "transitGatewayAttachmentId", TGW_VPC_ATTACHMENT)
        tables = referenced(r, by_key, "transitGatewayRouteTableId", TGW_ROUTE_TABLE)
        found.append((r, attachments[0] if attachments else None, tables[0] if tables else None))
    return found


def _in_table(attachment: Resource, table_urn: str, explicitly_in: dict[str, str]) -> bool:
    """Is the attachment associated with the table: explicitly, or (without an explicit association and
    unless it opts out of the default) as the TGW's default association table?"""
    table = explicitly_in.get(attachment.urn)
    if table is not None:
        return table == table_urn
    return get(attachment.props, "transitGatewayDefaultRouteTableAssociation") is not False


def check_tgw_segmented(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    by_key = index(resources)
    associations = _links(resources, by_key, TGW_ASSOCIATION)
    propagations = _links(resources, by_key, TGW_PROPAGATION)
    explicitly_in = {a.urn: t.urn for _, a, t in associations if a is not None and t is not None}
    found: list[tuple[Resource, str]] = []
    for tgw in resources:
        if tgw.type != TRANSIT_GATEWAY:
            continue
        spokes = _default_table(tgw, resources, by_key, TGW_DEFAULT_ASSOCIATION)
        hub = _default_table(tgw, resources, by_key, TGW_DEFAULT_PROPAGATION)
        association_on = _enabled(tgw, "defaultRouteTableAssociation")
        propagation_on = _enabled(tgw, "defaultRouteTablePropagation")
        if association_on and propagation_on and _table_name(spokes) == _table_name(hub):
            found.append(
                (
                    tgw,
                    f"new attachments associate with and propagate into the same table ({_table_name(spokes)}): "
                    "every attachment reaches every other (LOB to LOB, LOB to the access VPC); point the default "
                    "association at a spokes table and the default propagation at a hub table",
                )
            )
            continue
        if not association_on or isinstance(spokes, str) or isinstance(hub, str):
            continue
        hub_side = {a.urn for _, a, t in propagations if a is not None and t is not None and t.urn == spokes.urn}
        for propagation, attachment, table in propagations:
            if (
                attachment is not None
                and table is not None
                and table.urn == spokes.urn
                and _in_table(attachment, spokes.urn, explicitly_in)
            ):
                found.append(
                    (
                        propagation,
                        f"propagates {attachment.name}, itself in the spokes table {spokes.name}, into that table: "
                        "every spoke reaches it",
                    )
                )
        for association, attachment, table in associations:
            if attachment is not None and table is not None and table.urn == hub.urn and attachment.urn not in hub_side:
                found.append(
                    (
                        association,
                        f"associates {attachment.name} with the hub table {hub.name}, which routes to every spoke, "
                        f"though it is no hub-side attachment (it propagates into {spokes.name}): it reaches every LOB",
                    )
                )
    return found


TGW_SEGMENTED: Final = Rule(
    name="tgw-segmented",
    issue=16,
    enforcement=MANDATORY,
    description="A Transit Gateway's default association and default propagation go to different tables (spokes, "
    "hub); only hub-side attachments propagate into the spokes table or are associated with the hub table.",
    guards="a flat TGW: every LOB VPC reaches every other and the access VPC",
    stack_check=check_tgw_segmented,
)

RULES: Final = (RAM_ORG_SHARE_INTERNAL, TGW_AUTO_ACCEPT_NAMED_PRINCIPALS, TGW_SEGMENTED)
