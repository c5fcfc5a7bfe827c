"""One JSON line per event on stdout (CloudWatch keeps each as one structured event); never a token."""

from __future__ import annotations

import json
import sys

_ENCODER = json.JSONEncoder(default=str, separators=(",", ":"))  # built once: dumps() builds one per call


def log(level: str, event: str, **fields: object) -> None:
    """One JSON line on stdout (CloudWatch keeps it as one structured event)."""
    record = {"level": level, "event": event, **fields}
    sys.stdout.write(_ENCODER.encode(record) + "\n")


def loggable(value: object, limit: int = 80) -> str | None:
    """An attacker-supplied value, short and printable, for a log line."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    short = text[:limit]
    if not short.isprintable():
        short = "".join(c if c.isprintable() else "?" for c in short)
    return short + ("..." if len(text) > limit else "")
