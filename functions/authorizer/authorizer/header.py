"""The bearer token from API Gateway's REQUEST event.

``Authorization`` is found case-insensitively in ``headers`` and ``multiValueHeaders`` (two
different values are refused); the scheme ``Bearer`` case-insensitively (RFC 6750)."""

from __future__ import annotations

from .errors import Refused
from .verify import MAX_TOKEN_BYTES

HEADER = "authorization"


def bearer_token(event: object) -> str:
    """The token from the ``Authorization`` header, wherever API Gateway put it."""
    if not isinstance(event, dict):
        raise Refused("event is not an object")
    values: set[str] = set()
    headers = event.get("headers")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == HEADER:
                if not isinstance(value, str):
                    raise Refused("Authorization header is not a string")
                values.add(value)
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        for name, items in multi.items():
            if isinstance(name, str) and name.lower() == HEADER:
                if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                    raise Refused("Authorization header is not a list of strings")
                values.update(items)
    if not values:
        raise Refused("no Authorization header")
    if len(values) > 1:
        raise Refused("two different Authorization headers")
    return parse_authorization(values.pop())


def parse_authorization(value: str) -> str:
    """``Bearer <token>`` (RFC 6750: scheme case-insensitive, one or more spaces)."""
    if len(value) > MAX_TOKEN_BYTES + 64:
        raise Refused("Authorization header larger than 8 KiB")
    value = value.strip(" \t")
    scheme, sep, token = value.partition(" ")
    if not sep or scheme.lower() != "bearer":
        raise Refused("Authorization header is not 'Bearer <token>'")
    token = token.lstrip(" ")
    if not token:
        raise Refused("empty bearer token")
    return token
