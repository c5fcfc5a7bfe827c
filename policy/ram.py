"""RAM sharing and the Transit Gateway it shares (promises 15 and 16): shares stay inside the
organization, and a TGW that auto-accepts attachments is shared with named accounts only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ._references import index, referenced
from .iam_documents import ACCOUNT_ID, IAM_ARN
from .model import ADVISORY, MANDATORY, Resource, Rule
from .resource_types import RAM_PRINCIPAL, RAM_RESOURCE, RAM_SHARE, TRANSIT_GATEWAY

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
    enforcement=ADVISORY,
    description="A Transit Gateway auto-accepts shared attachments only when shared with named accounts.",
    guards="any account the TGW is shared with attaching its VPC without review",
    stack_check=check_tgw_auto_accept,
)

RULES: Final = (RAM_ORG_SHARE_INTERNAL, TGW_AUTO_ACCEPT_NAMED_PRINCIPALS)
