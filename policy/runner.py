"""The policy pack applied to the offline plan: every rule over every resource of a stack.

    violations = runner.evaluate("shared", StackPlan.to_json()["resources"])

Each resource is a dict with `type`, `name`, `urn`, `inputs` (camelCase, as the engine
receives them) and optionally `id` and `dependencies`. Only the standard library (and
`contracts`): the plan needs no policy SDK. The rules are read from the registry at each call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import rules
from .model import Resource

RULE_COUNT = len(rules.RULES)
REQUIRED_KEYS = ("type", "name", "urn", "inputs")


class PolicyError(Exception):
    """The pack could not be applied: malformed resources, or a rule that failed."""


@dataclass(frozen=True)
class Violation:
    rule: str
    enforcement: str  # "mandatory" | "advisory"
    stack: str
    resource: str
    resource_type: str
    urn: str
    message: str


def format_violation(v: Violation) -> str:
    """One line: level, rule, stack, resource and why."""
    return f"[{v.enforcement}] {v.rule}: stack={v.stack} resource={v.resource} ({v.resource_type}): {v.message}"


def _resource(stack: str, index: int, raw: Any) -> Resource:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"stack {stack}: resource #{index} is a {type(raw).__name__}, not a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise PolicyError(f"stack {stack}: resource #{index} ({raw.get('name', '?')}) lacks {', '.join(missing)}")
    inputs = raw["inputs"]
    if not isinstance(inputs, Mapping):
        raise PolicyError(
            f"stack {stack}: resource {raw['name']} has inputs of type {type(inputs).__name__}, not a mapping"
        )
    deps = raw.get("dependencies") or ()
    if isinstance(deps, str) or not isinstance(deps, Sequence):
        raise PolicyError(f"stack {stack}: resource {raw['name']} has dependencies that are not a list of URNs")
    rid = raw.get("id")
    return Resource(
        type=str(raw["type"]),
        name=str(raw["name"]),
        urn=str(raw["urn"]),
        props=inputs,
        id=rid if isinstance(rid, str) and rid else None,
        dependencies=tuple(str(d) for d in deps),
    )


def evaluate(stack: str, resources: Sequence[Mapping[str, Any]]) -> list[Violation]:
    """Every rule of the pack over the stack's resources, in rule order."""
    parsed = [_resource(stack, i, r) for i, r in enumerate(resources)]
    found: list[Violation] = []
    for rule in rules.RULES:
        hits: list[tuple[Resource, str]] = []
        if rule.resource_check is not None:
            for resource in parsed:
                try:
                    messages = rule.resource_check(resource.type, resource.props)
                except Exception as exc:  # a rule's bug, named with the rule and the resource
                    raise PolicyError(f"policy {rule.name} failed on {stack}/{resource.name}: {exc!r}") from exc
                hits += [(resource, m) for m in messages]
        if rule.stack_check is not None:
            try:
                hits += rule.stack_check(parsed)
            except Exception as exc:
                raise PolicyError(f"policy {rule.name} failed on stack {stack}: {exc!r}") from exc
        found += [Violation(rule.name, rule.enforcement, stack, r.name, r.type, r.urn, message) for r, message in hits]
    return found
