"""The users and LOBs tables: key and attribute names, written by the stack, read by the presigned-URL function.

users table (`USERS_TABLE`): `PK` = username, `LOB`, optional `PROFILE` (default: the username),
optional `DISABLED` (boolean `true`, or the string "true": the person is cut off; see `is_disabled`).
LOBs table (`LOBS_TABLE`): `PK` = LOB name, `ACCOUNT_ID` (12 digits), optional `DOMAIN_ID`.
Both: string attributes, on-demand, hash key `PK` only.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def user_item(username: str, lob: str, profile: str | None = None) -> dict[str, str]:
    """A users-table row as plain strings (the stack writes it in DynamoDB's typed form)."""
    item = {KEY: username, USER_LOB: lob}
    if profile is not None:
        item[USER_PROFILE] = profile
    return item


def lob_item(lob: str, account_id: str, domain_id: str | None = None) -> dict[str, str]:
    """A LOBs-table row as plain strings."""
    item = {KEY: lob, LOB_ACCOUNT_ID: account_id}
    if domain_id is not None:
        item[LOB_DOMAIN_ID] = domain_id
    return item


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
