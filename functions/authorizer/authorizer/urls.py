"""The issuer and its key set are reached over https; plain http only on a loopback host."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name: str, value: str, problems: list[str]) -> None:
    """Add a line to ``problems`` unless ``value`` is an https URL (or http on loopback)."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        problems.append(f"{name}: {value!r} is not a URL")
        return
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and is_loopback(host):
        return
    problems.append(f"{name}: {value!r} must be an https URL (plain http only for a loopback host)")
