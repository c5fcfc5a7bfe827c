"""The CI workflows' stack matrices (`python -m tools.deploy matrix`), from the stack files.

`.github/workflows/preview.yml` previews every stack; `deploy.yml` deploys the first wave, then
the second. A new LOB stack file joins them without a change to the workflows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from components.config import ConfigError, LoadedStack
from tools import graph
from tools.deploy.selection import targets


def variable_suffix(stack: str) -> str:
    """A stack name as a GitHub variable name suffix: `lob-a` -> `LOB_A`."""
    return "".join(c if c.isalnum() else "_" for c in stack).upper()


def matrix(loaded: Mapping[str, LoadedStack]) -> dict[str, Any]:
    """The workflows' matrices: every stack (previews), and the two deploy waves.

    The deploy workflow has a job for the first wave and one for the second, so a third wave
    (a stack that references a stack of the second) is an error here rather than a silent
    misorder there.
    """
    known = targets(loaded)
    grouped = graph.waves(loaded)
    if len(grouped) > 2:
        raise ConfigError(
            [
                (
                    "(stack files)",
                    "(stack references)",
                    f"the deploy workflow runs two waves; these stacks need {len(grouped)}: {grouped}",
                )
            ]
        )

    def entry(stack: str) -> dict[str, str]:
        t = known[stack]
        return {
            "stack": stack,
            "fqn": t.fqn,
            "var": variable_suffix(stack),
            "region": t.region,
            "account": t.account_id,
        }

    return {
        "all": {"include": [entry(s) for w in grouped for s in w]},
        "first": {"include": [entry(s) for s in (grouped[0] if grouped else [])]},
        "second": {"include": [entry(s) for s in (grouped[1] if len(grouped) > 1 else [])]},
    }


def github_outputs(matrices: Mapping[str, Any]) -> list[str]:
    """`name=value` lines for $GITHUB_OUTPUT: each matrix as one line of JSON, and its size."""
    lines = []
    for name, value in sorted(matrices.items()):
        lines.append(f"{name}={json.dumps(value, sort_keys=True, separators=(',', ':'))}")
        lines.append(f"{name}-count={len(value['include'])}")
    return lines
