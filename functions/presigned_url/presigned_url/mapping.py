"""From the tables' items and SageMaker's answers to the presign request: pure, no AWS call.

The items' attribute names are `contracts.tables`' (the stack writes them); the names checked are
`contracts.names`' patterns. A missing or bad mapping is refused with a status, never guessed; the
details (names of LOBs and domains) go to the audit line, not to the caller."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from contracts import names, tables

from .errors import Failure
from .settings import Settings

_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker profile names
_ACCOUNT_RE = re.compile(names.ACCOUNT_ID)
_DOMAIN_ID_RE = re.compile(names.DOMAIN_ID)
# STS's pattern for SourceIdentity and RoleSessionName (ASCII word characters and =,.@-).
_SOURCE_IDENTITY_RE = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_NOT_IN_SOURCE_IDENTITY = re.compile(r"[^\w+=,.@-]", re.ASCII)


def parse_user_item(item: dict[str, Any] | None, username: str) -> tuple[str, str]:
    """(LOB, profile) from a users-table item (DynamoDB wire format); a ``DISABLED`` person is refused."""
    if not item:
        raise Failure(403, "user-not-mapped", "no users-table item")
    if tables.is_disabled(item):
        raise Failure(403, "user-disabled", f"the users-table item has {tables.USER_DISABLED} = true")
    attributes = tables.strings(item)
    lob = attributes.get(tables.USER_LOB)
    profile = attributes.get(tables.USER_PROFILE) or username
    if not lob:
        raise Failure(403, "user-not-mapped", f"the users-table item has no {tables.USER_LOB}")
    if not _NAME_RE.fullmatch(profile):
        raise Failure(404, "no-profile", f"{profile!r} is not a SageMaker user profile name")
    return lob, profile


def parse_lob_item(item: dict[str, Any] | None, lob: str) -> tuple[str, str | None]:
    """(account id, domain id or None) from a LOBs-table item."""
    if not item:
        raise Failure(404, "lob-not-mapped", f"LOB {lob!r} has no LOBs-table item")
    attributes = tables.strings(item)
    account = attributes.get(tables.LOB_ACCOUNT_ID)
    domain = attributes.get(tables.LOB_DOMAIN_ID)
    if not account or not _ACCOUNT_RE.fullmatch(account):
        raise Failure(404, "bad-lob-item", f"LOB {lob!r}: {tables.LOB_ACCOUNT_ID} must be 12 digits")
    if tables.LOB_DOMAIN_ID in item and (not domain or not _DOMAIN_ID_RE.fullmatch(domain)):
        raise Failure(404, "bad-lob-item", f"LOB {lob!r}: {tables.LOB_DOMAIN_ID} is not a SageMaker domain id (d-...)")
    return account, domain


def pick_domain(domains: list[dict[str, Any]], lob: str) -> str:
    """The one InService domain; none or several is refused, never a guess."""
    ready = sorted((d for d in domains if d.get("Status") == "InService"), key=lambda d: str(d.get("DomainId", "")))
    if not ready:
        raise Failure(404, "no-domain", f"LOB {lob!r} has no InService SageMaker domain")
    if len(ready) > 1:
        found = ", ".join(f"{d.get('DomainId')} ({d.get('DomainName')})" for d in ready)
        detail = f"LOB {lob!r} has several InService domains: {found}; set {tables.LOB_DOMAIN_ID} on its LOB item"
        raise Failure(409, "several-domains", detail)
    return str(ready[0]["DomainId"])


def space_allowed(space: dict[str, Any], profile: str) -> bool:
    """May ``profile`` open this space (a ``DescribeSpace`` answer)? Only a shared space of the
    domain, or a private space the profile owns; a space without sharing settings (made before
    SageMaker had them) or of any other kind is refused."""
    sharing = (space.get("SpaceSharingSettings") or {}).get("SharingType")
    owner = (space.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
    return sharing == "Shared" or (sharing == "Private" and owner == profile)


def source_identity(username: str) -> str:
    """The person as STS's ``SourceIdentity`` and ``RoleSessionName`` (``[\\w+=,.@-]{2,64}``, not
    ``aws:``): the username itself when it fits, else its fitting characters (others as ``_``)
    and 16 hex digits of its SHA-256, so two people never share one."""
    if _SOURCE_IDENTITY_RE.fullmatch(username) and not username.lower().startswith("aws:"):
        return username
    cleaned = _NOT_IN_SOURCE_IDENTITY.sub("_", username)[:47]
    return f"{cleaned}.{hashlib.sha256(username.encode('utf-8')).hexdigest()[:16]}"


def presign_request(settings: Settings, domain: str, profile: str, options: dict[str, str]) -> dict[str, Any]:
    """The parameters of ``CreatePresignedDomainUrl``."""
    request: dict[str, Any] = {"DomainId": domain, "UserProfileName": profile, "ExpiresInSeconds": settings.url_expires}
    if settings.session_expiration:
        request["SessionExpirationDurationInSeconds"] = settings.session_expiration
    request.update(options)
    return request
