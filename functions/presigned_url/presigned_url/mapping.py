"""From the tables' items, the person's groups and SageMaker's answers to the presign request
(or the list of what a person may open): pure, no AWS call.

Entitlements (docs/entitlements.md): the LOBs the person's groups map to (the LOBs table's group
mapping item), plus the LOB of their users-table row, if any; a row with ``DISABLED`` refuses the
person whatever their groups. A group the mapping does not know opens nothing. The items'
attribute names are `contracts.tables`' (the stack writes them); the names checked are
`contracts.names`' patterns. A missing or bad mapping is refused with a status, never guessed; the
details (names of LOBs and domains) go to the audit line, not to the caller, who learns only the
names of the LOBs they may choose."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts import names, tables, tags

from .errors import CHOOSE_LOB, NOT_ENTITLED, Failure
from .settings import Settings

_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker profile names
_LOB_RE = re.compile(names.LOB_NAME)
_ACCOUNT_RE = re.compile(names.ACCOUNT_ID)
_DOMAIN_ID_RE = re.compile(names.DOMAIN_ID)
# STS's pattern for SourceIdentity and RoleSessionName (ASCII word characters and =,.@-).
_SOURCE_IDENTITY_RE = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_NOT_IN_SOURCE_IDENTITY = re.compile(r"[^\w+=,.@-]", re.ASCII)


@dataclass(frozen=True)
class UserRow:
    """What a person's users-table item says (all empty when there is none)."""

    found: bool = False
    lob: str | None = None
    profile: str | None = None
    disabled: bool = False


NO_ROW = UserRow()


@dataclass(frozen=True)
class Entitlement:
    """What a person may open: their LOBs (sorted), their profile name in each LOB's domain, and
    where each LOB came from (``group:<name>`` or ``row``; for the audit line only)."""

    lobs: tuple[str, ...]
    profile: str
    sources: Mapping[str, tuple[str, ...]]


def parse_user_item(item: dict[str, Any] | None) -> UserRow:
    """A users-table item (DynamoDB wire format) as a `UserRow`; None or empty: `NO_ROW`."""
    if not item:
        return NO_ROW
    attributes = tables.strings(item)
    return UserRow(
        found=True,
        lob=attributes.get(tables.USER_LOB) or None,
        profile=attributes.get(tables.USER_PROFILE) or None,
        disabled=tables.is_disabled(item),
    )


def parse_group_item(item: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """The group mapping from the LOBs table's item (none: no group opens anything); a malformed
    one is a platform error (500), never a guess."""
    if not item:
        return {}
    text = tables.strings(item).get(tables.GROUPS_ATTRIBUTE)
    if text is None:
        raise Failure(500, "bad-groups-item", f"the {tables.GROUPS_ITEM_KEY} item has no {tables.GROUPS_ATTRIBUTE}")
    try:
        return tables.parse_group_map(text)
    except ValueError as error:
        raise Failure(500, "bad-groups-item", f"the {tables.GROUPS_ITEM_KEY} item: {error}") from None


def resolve(
    username: str, groups: tuple[str, ...], group_map: Mapping[str, tuple[str, ...]], row: UserRow
) -> Entitlement:
    """The person's entitlement: ``DISABLED`` refuses (whatever the groups); else the LOBs of their
    known groups and of their row; none at all is refused with a message that says so."""
    if row.disabled:
        raise Failure(403, "user-disabled", f"the users-table item has {tables.USER_DISABLED} = true")
    sources: dict[str, list[str]] = {}
    for group in groups:
        for lob in group_map.get(group, ()):
            if _LOB_RE.fullmatch(lob):
                sources.setdefault(lob, []).append(f"group:{group}")
    if row.lob is not None:
        sources.setdefault(row.lob, []).append("row")
    if not sources:
        item = f"the users-table item has no {tables.USER_LOB}" if row.found else "no users-table item"
        known = sum(1 for g in groups if g in group_map)
        detail = f"{item}, and no group maps to a LOB ({len(groups)} group(s) in the proof, {known} in the mapping)"
        raise Failure(403, "user-not-mapped", detail, NOT_ENTITLED)
    profile = row.profile or username
    return Entitlement(tuple(sorted(sources)), profile, {lob: tuple(found) for lob, found in sources.items()})


def check_profile(profile: str) -> None:
    """SageMaker's user profile name pattern, or 404 (a row's PROFILE, or a username that is not one)."""
    if not _NAME_RE.fullmatch(profile):
        raise Failure(404, "no-profile", f"{profile!r} is not a SageMaker user profile name")


def choose_lob(entitlement: Entitlement, requested: str | None) -> str:
    """The LOB to open: the one asked for (403 if not one of theirs), else the only one; several
    and none asked for is a 409 whose body lists theirs (names the person may know, nothing else)."""
    if requested is not None:
        if requested not in entitlement.lobs:
            raise Failure(403, "lob-not-entitled", f"LOB {requested!r} is not one of the person's")
        return requested
    if len(entitlement.lobs) == 1:
        return entitlement.lobs[0]
    detail = f"{len(entitlement.lobs)} LOBs and no lob parameter"
    raise Failure(409, "choose-lob", detail, CHOOSE_LOB, extra={"lobs": list(entitlement.lobs)})


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


# Spaces SageMaker is removing: not listed.
_GONE = frozenset({"Deleting", "Delete_Failed"})


@dataclass(frozen=True)
class SpaceSummary:
    """One space of a domain as ``ListSpaces`` shows it: what `/targets` needs to filter and show."""

    name: str
    app_type: str
    sharing: str | None
    owner: str | None

    def as_target(self) -> dict[str, str]:
        return {"name": self.name, "appType": self.app_type, "sharing": self.sharing or ""}


def space_summary(listed: dict[str, Any]) -> SpaceSummary | None:
    """A ``ListSpaces`` entry, or None for one being deleted or without a usable name."""
    name = listed.get("SpaceName")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or listed.get("Status") in _GONE:
        return None
    app_type = (listed.get("SpaceSettingsSummary") or {}).get("AppType")
    sharing = (listed.get("SpaceSharingSettingsSummary") or {}).get("SharingType")
    owner = (listed.get("OwnershipSettingsSummary") or {}).get("OwnerUserProfileName")
    return SpaceSummary(
        name,
        app_type if isinstance(app_type, str) and app_type else "Unknown",
        sharing if isinstance(sharing, str) else None,
        owner if isinstance(owner, str) else None,
    )


def visible_spaces(spaces: tuple[SpaceSummary, ...], profile: str) -> list[dict[str, str]]:
    """The spaces a profile may open, by name: the domain's shared spaces and its own private ones
    (the same rule as `space_allowed`, from ``ListSpaces``' summaries)."""
    mine = [s for s in spaces if s.sharing == "Shared" or (s.sharing == "Private" and s.owner == profile)]
    return [s.as_target() for s in sorted(mine, key=lambda s: s.name)]


def space_allowed(space: dict[str, Any], profile: str) -> bool:
    """May ``profile`` open this space (a ``DescribeSpace`` answer)? Only a shared space of the
    domain, or a private space the profile owns; a space without sharing settings (made before
    SageMaker had them) or of any other kind is refused."""
    sharing = (space.get("SpaceSharingSettings") or {}).get("SharingType")
    owner = (space.get("OwnershipSettings") or {}).get("OwnerUserProfileName")
    return sharing == "Shared" or (sharing == "Private" and owner == profile)


# SageMaker's tag value pattern ([\p{L}\p{Z}\p{N}_.:/=+\-@]*): a source identity fits unless it has a comma.
_TAG_VALUE_RE = re.compile(r"[\w.:/=+@ -]{0,256}")


def person_tag(identity: str) -> dict[str, str] | None:
    """The tag a just-in-time profile carries (`contracts.tags.PERSON_TAG` = the source identity,
    as the access role's condition requires), or None when SageMaker would refuse the value."""
    return {"Key": tags.PERSON_TAG, "Value": identity} if _TAG_VALUE_RE.fullmatch(identity) else None


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
