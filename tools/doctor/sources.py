"""Each stack's outputs: from `pulumi stack output --json` files, or from the Pulumi backend.

The backend is `tools.deploy.backend`'s seam (`Backend.select(...).outputs()`), so the real one
drives the `pulumi` CLI through the Automation API and the tests inject a fake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.deploy.backend import Backend, StackMissing, plain_outputs

from .links import Unreadable


class UsageError(Exception):
    """A command line that cannot run as given (exit 2)."""


class NotDeployed(Unreadable):
    """The backend has no such stack, or it has no outputs."""


def parse_pairs(flag: str, values: list[str], example: str, known: Mapping[str, Any]) -> dict[str, str]:
    """`--flag STACK=VALUE` (repeatable) -> {stack: value}; the stack must have a stack file."""
    pairs: dict[str, str] = {}
    for value in values:
        stack, sep, item = value.partition("=")
        if not sep or not stack or not item:
            raise UsageError(f"{flag} {value!r}: expected STACK=VALUE, e.g. {flag} {example}")
        if stack not in known:
            raise UsageError(f"{flag} {value!r}: no stack file for {stack} (known stacks: {', '.join(sorted(known))})")
        pairs[stack] = item
    return pairs


def read_file(stack: str, path: Path) -> dict[str, Any]:
    """`pulumi stack output --json` of one stack."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise UsageError(f"--outputs {stack}={path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise UsageError(
            f"--outputs {stack}={path}: not JSON ({exc}); write it with pulumi stack output --json"
        ) from exc
    if not isinstance(data, dict):
        raise UsageError(f"--outputs {stack}={path}: expected a JSON object (pulumi stack output --json)")
    return data


def from_backend(backend: Backend, stack: str, fqn: str, profile: str | None) -> dict[str, Any] | Unreadable:
    try:
        ops = backend.select(fqn, create=False, env={"AWS_PROFILE": profile} if profile else None)
        values = plain_outputs(ops.outputs())
    except StackMissing:
        return NotDeployed(f"the backend has no stack {fqn}")
    except Exception as exc:  # the Automation API's own errors (CLI, login, passphrase)
        return Unreadable(f"outputs of {fqn} not read from the backend: {exc}".splitlines()[0])
    if not values:
        return NotDeployed(f"stack {fqn} has no outputs (never deployed, or its last update failed early)")
    return values
