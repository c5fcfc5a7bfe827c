"""Reading resource properties: nested lookups, IAM's string-or-list values, tags, numbers, wildcards.

Props may be plain dicts and lists or the policy SDK's read-only proxies, so these helpers test
for `Mapping`/`Sequence`, never `dict`/`list`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any


def get(props: Any, *path: str | int) -> Any:
    """props[path[0]][path[1]]... or None when any step is missing."""
    value = props
    for key in path:
        if isinstance(key, int):
            if not is_list(value) or not -len(value) <= key < len(value):
                return None
        elif not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def strings(value: Any) -> list[str]:
    """A string or a list of strings (IAM's two forms) as a list."""
    if isinstance(value, str):
        return [value]
    if is_list(value):
        return [v for v in value if isinstance(v, str)]
    return []


def mappings(value: Any) -> list[Mapping[str, Any]]:
    """A mapping or a list of mappings as a list."""
    if isinstance(value, Mapping):
        return [value]
    if is_list(value):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def tags_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The resource's `tags` (or, failing that, `tagsAll`)."""
    tags = get(props, "tags")
    if not isinstance(tags, Mapping):
        tags = get(props, "tagsAll")
    return tags if isinstance(tags, Mapping) else {}


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM's matching: `*` any run, `?` one character, case-insensitive (actions)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL) is not None


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value
