"""Which stacks a deploy runs: each stack as a target, `--stack` picks, `--profile` per stack.

Every stack is selected by its fully qualified name `<org>/studio-access/<stack>`, the org being
the one the LOB stacks' `sharedStack` names, so the stack deployed is the stack the LOBs read.

`--stack` picks some stacks. With `up`/`preview`, a stack they reference that is not picked must
already be deployed (its outputs are read before anything runs); with `destroy`, a stack that
references a picked one and is not picked itself must no longer be deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components import outputs
from components.config import LoadedStack
from tools import graph
from tools.deploy.backend import Backend, StackMissing


class SelectionError(Exception):
    """A `--stack` selection that cannot run as asked."""


@dataclass(frozen=True)
class Target:
    stack: str  # the stack file's name: Pulumi.<stack>.yaml
    fqn: str  # what the backend is asked for
    depends_on: tuple[str, ...]
    role: str
    account_id: str
    region: str


def targets(loaded: Mapping[str, LoadedStack]) -> dict[str, Target]:
    org = graph.organization(loaded)
    result = {}
    for stack, item in loaded.items():
        cfg = item.config
        result[stack] = Target(
            stack=stack,
            fqn=graph.fqn(stack, org) if org else stack,
            depends_on=tuple(graph.dependencies(item)),
            role=cfg.role,
            account_id=cfg.aws.account_id,
            region=cfg.aws.region,
        )
    return result


def select_waves(all_waves: list[list[str]], picked: list[str] | None, known: Mapping[str, Target]) -> list[list[str]]:
    """The waves restricted to the picked stacks (all when none is picked); empty waves dropped."""
    if not picked:
        return [w for w in all_waves if w]
    unknown = sorted(set(picked) - set(known))
    if unknown:
        raise SelectionError(f"no stack file for {', '.join(unknown)} (known stacks: {', '.join(sorted(known))})")
    return [chosen for w in all_waves if (chosen := [s for s in w if s in picked])]


def outside_dependencies(picked: set[str], known: Mapping[str, Target]) -> dict[str, list[str]]:
    """{picked stack: the stacks it references that are not picked}."""
    return {s: deps for s in sorted(picked) if (deps := [d for d in known[s].depends_on if d not in picked])}


def outside_dependents(picked: set[str], known: Mapping[str, Target]) -> dict[str, list[str]]:
    """{picked stack: the stacks that reference it and are not picked}."""
    return {
        s: deps
        for s in sorted(picked)
        if (deps := sorted(t.stack for t in known.values() if s in t.depends_on and t.stack not in picked))
    }


def check_selection(action: str, picked: list[str] | None, known: Mapping[str, Target], backend: Backend) -> None:
    """What `--stack` leaves out must already be deployed (up/preview) or gone (destroy)."""
    if not picked:
        return
    chosen = set(picked)
    problems = []
    if action in ("up", "preview"):
        for stack, deps in outside_dependencies(chosen, known).items():
            for dep in deps:
                missing = _missing_outputs(backend, known[dep].fqn, outputs.READ_BY_LOB)
                if missing is not None:
                    problems.append(
                        f"stack {stack} reads stack {known[dep].fqn}, which is not picked and {missing}: "
                        f"deploy it first or add --stack {dep}"
                    )
    else:
        for stack, dependents in outside_dependents(chosen, known).items():
            for dep in dependents:
                if _deployed(backend, known[dep].fqn):
                    problems.append(
                        f"stack {stack} is read by stack {known[dep].fqn}, which is still deployed and not picked: "
                        f"destroy it first or add --stack {dep}"
                    )
    if problems:
        raise SelectionError("\n".join(problems))


def _missing_outputs(backend: Backend, fqn: str, needed: tuple[str, ...]) -> str | None:
    try:
        have = backend.select(fqn, create=False).outputs()
    except StackMissing:
        return "does not exist"
    absent = [n for n in needed if n not in have]
    return f"lacks outputs {', '.join(absent)}" if absent else None


def _deployed(backend: Backend, fqn: str) -> bool:
    try:
        return bool(backend.select(fqn, create=False).outputs())
    except StackMissing:
        return False


def parse_profiles(values: list[str]) -> dict[str, str]:
    """`--profile lob-a=lob-a-admin` -> {"lob-a": "lob-a-admin"}."""
    profiles = {}
    for value in values:
        stack, sep, profile = value.partition("=")
        if not sep or not stack or not profile:
            raise SelectionError(f"--profile {value!r}: expected STACK=PROFILE, e.g. lob-a=lob-a-admin")
        profiles[stack] = profile
    return profiles


def check_profiles(profiles: Mapping[str, str], known: Mapping[str, Target]) -> None:
    """A profile for a stack without a stack file is a mistake, not something to ignore."""
    unknown = sorted(set(profiles) - set(known))
    if unknown:
        raise SelectionError(
            f"--profile for {', '.join(unknown)}, which has no stack file (known stacks: {', '.join(sorted(known))})"
        )
