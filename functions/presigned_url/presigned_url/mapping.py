"""From the tables' items and SageMaker's domains to the presign request: pure, no AWS call.

The items' attribute names are `contracts.tables`' (the stack writes them); the names checked are
`contracts.names`' patterns. A missing or bad mapping is refused with a status, never guessed."""

from __future__ import annotations

import re
from typing import Any

from contracts import names, tables

from .errors import Failure
from .settings import Settings

_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker profile names
_ACCOUNT_RE = re.compile(names.ACCOUNT_ID)
_DOMAIN_ID_RE = re.compile(names.DOMAIN_ID)


def parse_user_item(item: dict[str, Any] | None, username: str) -> tuple[str, str]:
    """(LOB, profile) from a users-table item (DynamoDB wire format)."""
    if not item:
        raise Failure(403, f"user {username!r} is not mapped to a line of business", "user-not-mapped")
    attributes = tables.strings(item)
    lob = attributes.get(tables.USER_LOB)
    profile = attributes.get(tables.USER_PROFILE) or username
    if not lob:
        raise Failure(403, f"user {username!r} has no LOB in the users table", "user-not-mapped")
    if not _NAME_RE.fullmatch(profile):
        raise Failure(404, f"user {username!r} has no valid SageMaker profile name", "no-profile")
    return lob, profile


def parse_lob_item(item: dict[str, Any] | None, lob: str) -> tuple[str, str | None]:
    """(account id, domain id or None) from a LOBs-table item."""
    if not item:
        raise Failure(404, f"LOB {lob!r} is not mapped to an account", "lob-not-mapped")
    attributes = tables.strings(item)
    account = attributes.get(tables.LOB_ACCOUNT_ID)
    domain = attributes.get(tables.LOB_DOMAIN_ID)
    if not account or not _ACCOUNT_RE.fullmatch(account):
        raise Failure(
            404, f"LOB {lob!r} has an invalid item: {tables.LOB_ACCOUNT_ID} must be 12 digits", "bad-lob-item"
        )
    if tables.LOB_DOMAIN_ID in item and (not domain or not _DOMAIN_ID_RE.fullmatch(domain)):
        message = f"LOB {lob!r} has an invalid item: {tables.LOB_DOMAIN_ID} is not a SageMaker domain id (d-...)"
        raise Failure(404, message, "bad-lob-item")
    return account, domain


def pick_domain(domains: list[dict[str, Any]], lob: str) -> str:
    """The one InService domain; none or several is refused, never a guess."""
    ready = sorted((d for d in domains if d.get("Status") == "InService"), key=lambda d: str(d.get("DomainId", "")))
    if not ready:
        raise Failure(404, f"LOB {lob!r} has no InService SageMaker domain", "no-domain")
    if len(ready) > 1:
        found = ", ".join(f"{d.get('DomainId')} ({d.get('DomainName')})" for d in ready)
        message = f"LOB {lob!r} has several InService domains: {found}; set {tables.LOB_DOMAIN_ID} on its LOB item"
        raise Failure(409, message, "several-domains")
    return str(ready[0]["DomainId"])


def presign_request(settings: Settings, domain: str, profile: str, options: dict[str, str]) -> dict[str, Any]:
    """The parameters of ``CreatePresignedDomainUrl``."""
    request: dict[str, Any] = {"DomainId": domain, "UserProfileName": profile, "ExpiresInSeconds": settings.url_expires}
    if settings.session_expiration:
        request["SessionExpirationDurationInSeconds"] = settings.session_expiration
    request.update(options)
    return request
