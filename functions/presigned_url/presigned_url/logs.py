"""One JSON line per event on stdout (CloudWatch keeps each as one structured event); never the URL."""

from __future__ import annotations

import json
import sys


def log(level: str, event: str, **fields: object) -> None:
    """One JSON line on stdout (CloudWatch keeps it as one structured event)."""
    record = {"level": level, "event": event, **fields}
    sys.stdout.write(json.dumps(record, default=str, separators=(",", ":")) + "\n")
