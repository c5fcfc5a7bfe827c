"""The person's groups from the verified claims (``GROUPS_CLAIM``), as the proof carries them.

A list of strings (Cognito's ``cognito:groups``, most OIDC issuers' ``groups``), or one string
(one group). Entries that are not strings of 1 to `contracts.proof.MAX_GROUP_LENGTH` characters
without control characters are left out (a group the function cannot match anyway); the rest are
deduplicated and sorted, so the same groups always sign the same bytes. Anything else in the
claim (absent, a number, an object) means no groups: never a refusal, since groups only add
entitlements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import proof


def _usable(group: object) -> bool:
    return isinstance(group, str) and 0 < len(group) <= proof.MAX_GROUP_LENGTH and group.isprintable()


def groups_of(claims: Mapping[str, Any], claim: str | None) -> tuple[str, ...]:
    """The sorted, distinct, usable groups of ``claims[claim]`` (none when ``claim`` is None)."""
    value = claims.get(claim) if claim is not None else None
    if value is None:  # the usual case of a person in no group: nothing to sort
        return ()
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(sorted({g for g in items if _usable(g)}))
