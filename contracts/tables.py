"""The users and LOBs tables: key and attribute names, written by the stack, read by the presigned-URL function.

users table (`USERS_TABLE`): `PK` = username, optional `LOB` (a per-person entitlement, on top of
the person's groups), optional `PROFILE` (default: the username), optional `DISABLED` (boolean
`true`, or the string "true": the person is cut off whatever their groups; see `is_disabled`).
LOBs table (`LOBS_TABLE`): `PK` = LOB name, `ACCOUNT_ID` (12 digits), optional `DOMAIN_ID`; and
one item `PK` = `GROUPS_ITEM_KEY` whose `GROUPS` is the identity provider's groups mapped to
LOBs, as JSON (`group_map_item`, `parse_group_map`). Both: string attributes, on-demand, hash
key `PK` only.

Why the group mapping is one item of the LOBs table, not the function's environment: Lambda's
environment holds 4 KB in all (the proof's public key takes 400 bytes of it), a few dozen
groups; one item holds up to 400 KB (`MAX_GROUP_MAP_BYTES` is the config's bound), is read with
the one `GetItem` the function already may make (no other table, action or endpoint policy), and
is cached like a LOB item. No LOB name can be its key (`names.LOB_NAME` has no `#`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final

# DynamoDB's type of a string attribute (every attribute of both tables is one).
STRING: Final = "S"

KEY: Final = "PK"
KEY_TYPE: Final = STRING

# users table
USER_LOB: Final = "LOB"
USER_PROFILE: Final = "PROFILE"
USER_DISABLED: Final = "DISABLED"
# DynamoDB's type of a boolean attribute (DISABLED).
BOOLEAN: Final = "BOOL"

# LOBs table
LOB_ACCOUNT_ID: Final = "ACCOUNT_ID"
LOB_DOMAIN_ID: Final = "DOMAIN_ID"
# The LOBs table's item of the group mapping, and its attribute: JSON {"<group>": ["<lob>", ...]}.
GROUPS_ITEM_KEY: Final = "#groups"
GROUPS_ATTRIBUTE: Final = "GROUPS"
# The config's bound on that JSON (DynamoDB's item limit is 400 KB).
MAX_GROUP_MAP_BYTES: Final = 128 * 1024


def user_item(username: str, lob: str | None, profile: str | None = None) -> dict[str, str]:
    """A users-table row as plain strings (the stack writes it in DynamoDB's typed form); ``lob``
    None: a row without a per-person LOB (a profile name, or a place for ``DISABLED``)."""
    item = {KEY: username}
    if lob is not None:
        item[USER_LOB] = lob
    if profile is not None:
        item[USER_PROFILE] = profile
    return item


def lob_item(lob: str, account_id: str, domain_id: str | None = None) -> dict[str, str]:
    """A LOBs-table row as plain strings."""
    item = {KEY: lob, LOB_ACCOUNT_ID: account_id}
    if domain_id is not None:
        item[LOB_DOMAIN_ID] = domain_id
    return item


def group_map_text(mapping: Mapping[str, Sequence[str]]) -> str:
    """The mapping as the item holds it: compact JSON, groups and their LOBs sorted (stable bytes)."""
    ordered = {group: sorted(set(mapping[group])) for group in sorted(mapping)}
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)


def group_map_item(mapping: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The LOBs-table item of the group mapping, as plain strings."""
    return {KEY: GROUPS_ITEM_KEY, GROUPS_ATTRIBUTE: group_map_text(mapping)}


def parse_group_map(text: str) -> dict[str, tuple[str, ...]]:
    """The mapping from the item's JSON; ``ValueError`` unless it is an object of string lists."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("the group mapping is not a JSON object")
    mapping: dict[str, tuple[str, ...]] = {}
    for group, lobs in value.items():
        if not isinstance(lobs, list) or not all(isinstance(lob, str) for lob in lobs):
            raise ValueError("a group's LOBs are not a list of strings")
        mapping[group] = tuple(lobs)
    return mapping


def typed(item: dict[str, str]) -> dict[str, dict[str, str]]:
    """DynamoDB's attribute-value form of a string item (`{"PK": {"S": "..."}}`)."""
    return {name: {STRING: value} for name, value in item.items()}


def strings(item: Mapping[str, object]) -> dict[str, str]:
    """The string attributes of an item in DynamoDB's typed form (as `GetItem` returns it); the
    inverse of `typed`. Attributes of any other type or shape are left out."""
    found: dict[str, str] = {}
    for name, value in item.items():
        if isinstance(value, dict) and isinstance(value.get(STRING), str):
            found[name] = value[STRING]
    return found


def is_disabled(item: Mapping[str, object]) -> bool:
    """Does a users-table item (DynamoDB's typed form) carry ``DISABLED`` = true? A boolean
    ``true`` or the string "true" (any case), as an operator may write it by hand; anything else
    (absent, false, another type) is not disabled."""
    value = item.get(USER_DISABLED)
    if not isinstance(value, dict):
        return False
    flag = value.get(BOOLEAN)
    if flag is True:
        return True
    text = value.get(STRING)
    return isinstance(text, str) and text.strip().lower() == "true"
