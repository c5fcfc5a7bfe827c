"""The report: one line per link (its fix under a broken one), or JSON for CI; the exit code."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .links import Link, Status, judged

# Exit codes: nothing broken and everything checked; something broken; something not checked.
OK, BROKEN, USAGE, UNCHECKED = 0, 1, 2, 3


def exit_code(links: Sequence[Link]) -> int:
    if any(link.status is Status.BROKEN for link in links):
        return BROKEN
    if any(link.status is Status.UNCHECKED for link in links):
        return UNCHECKED
    return OK


def text(links: Sequence[Link], stacks: Mapping[str, str]) -> str:
    """stacks: {stack: its heading}, in order."""
    width = max((len(link.link) for link in links), default=0)
    lines: list[str] = []
    for stack, heading in stacks.items():
        lines.append(heading)
        for link in (x for x in links if x.stack == stack):
            lines.append(f"  {link.status.label:<15} {link.link:<{width}}  {link.resource}: {link.detail}")
            if link.fix:
                lines.append(f"  {'':<15} {'':<{width}}  fix: {link.fix}")
        lines.append("")
    counts = judged(links)
    lines.append(
        f"{counts['ok']} ok, {counts['broken']} broken, {counts['unchecked']} could not be checked "
        f"(exit {exit_code(links)})"
    )
    return "\n".join(lines)


def as_json(links: Sequence[Link]) -> str:
    doc: dict[str, Any] = {
        "ok": exit_code(links) == OK,
        "exitCode": exit_code(links),
        "counts": judged(links),
        "links": [link.to_json() for link in links],
    }
    return json.dumps(doc, indent=2)
