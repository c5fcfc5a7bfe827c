"""Running an action over the stacks, wave by wave (`graph.waves`); `destroy` runs the waves in reverse.

The stacks of one wave run concurrently, each line of their output prefixed with the stack.
A stack that fails lets the others of its wave finish; later waves do not start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config import LoadedStack
from tools import graph
from tools.deploy.backend import ACTIONS, Backend, StackMissing, StackOps, operation_args, plain_outputs
from tools.deploy.selection import SelectionError, check_profiles, check_selection, select_waves, targets


class DeployError(Exception):
    """One or more stacks failed."""


class Printer:
    """Line output of concurrent stacks, each line prefixed with its stack."""

    def __init__(self, write: Callable[[str], Any] = print):
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self._write(line)

    def for_stack(self, stack: str) -> Callable[[str], None]:
        def write(text: str) -> None:
            for line in str(text).rstrip("\n").splitlines():
                self(f"[{stack}] {line}")

        return write


@dataclass
class Outcome:
    results: dict[str, Any]
    outputs: dict[str, dict[str, Any]]


def run(
    action: str,
    loaded: Mapping[str, LoadedStack],
    backend: Backend,
    picked: list[str] | None = None,
    policy_pack: Path | None = None,
    printer: Printer | None = None,
    profiles: Mapping[str, str] | None = None,
) -> Outcome:
    """Run `action` over the (picked) stacks, wave by wave; destroy in reverse."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    printer = printer or Printer()
    known = targets(loaded)
    plan = select_waves(graph.waves(loaded), picked, known)
    profiles = dict(profiles or {})
    check_profiles(profiles, known)
    if action == "destroy":
        plan = list(reversed(plan))
    check_selection(action, picked, known, backend)
    outcome = Outcome({}, {})
    for number, wave in enumerate(plan, start=1):
        printer(f"wave {number}/{len(plan)}: {action} {', '.join(wave)}")
        # Selecting runs `pulumi stack select`, which writes the workspace's current stack:
        # select one at a time, then run the wave's operations at once.
        try:
            selected = {
                s: backend.select(
                    known[s].fqn, create=action == "up", env={"AWS_PROFILE": profiles[s]} if s in profiles else None
                )
                for s in wave
            }
        except StackMissing as exc:
            raise SelectionError(
                f"stack {exc} does not exist in the backend you are logged in to: "
                f"create it with `pulumi stack init {exc}` (see the first-deploy guide)"
            ) from None
        failures = _run_wave(action, selected, policy_pack, printer, outcome)
        if failures:
            later = [s for w in plan[number:] for s in w]
            lines = [f"{action} failed for {', '.join(sorted(failures))}"]
            lines += [f"  {s}: {type(e).__name__}: {e}" for s, e in sorted(failures.items())]
            if later:
                lines.append(f"  not started: {', '.join(later)}")
            raise DeployError("\n".join(lines))
    return outcome


def _run_wave(
    action: str, selected: Mapping[str, StackOps], policy_pack: Path | None, printer: Printer, outcome: Outcome
) -> dict[str, BaseException]:
    """Run `action` on every selected stack at once; the failures, by stack."""
    failures: dict[str, BaseException] = {}

    def one(stack: str) -> None:
        ops = selected[stack]
        args = operation_args(action, printer.for_stack(stack), policy_pack)
        try:
            outcome.results[stack] = getattr(ops, action)(**args)
            if action == "up":
                outcome.outputs[stack] = plain_outputs(ops.outputs())
        except Exception as exc:  # reported by the caller with the stack's name
            failures[stack] = exc

    with ThreadPoolExecutor(max_workers=len(selected), thread_name_prefix="deploy") as pool:
        list(pool.map(one, selected))
    return failures
