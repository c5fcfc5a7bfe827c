"""What a rule is and what it looks at: `Rule`, `Resource`, the two enforcement levels.

A rule has one check: a resource check `(resource_type, props) -> [message]`, or a stack check
`(resources) -> [(resource, message)]` for promises that span resources (a function and its log
group, an endpoint and its security group's rules, a RAM share and its principals). Props use the
engine's camelCase keys, as `pulumi preview --policy-pack` hands them to a policy and as the
offline plan records them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

MANDATORY: Final = "mandatory"
ADVISORY: Final = "advisory"

Props = Mapping[str, Any]


@dataclass(frozen=True)
class Resource:
    """One resource of a stack, for checks that look at several resources at once."""

    type: str
    name: str
    urn: str
    props: Props
    id: str | None = None
    dependencies: tuple[str, ...] = ()
    # property -> URNs its value came from (the engine sends these to stack policies)
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


ResourceCheck = Callable[[str, Props], list[str]]
StackCheck = Callable[[Sequence[Resource]], list[tuple[Resource, str]]]


@dataclass(frozen=True)
class Rule:
    """One policy of the pack; `issue` and `guards` are its row in the rules table of docs/security.md."""

    name: str  # the policy's name in the pack
    issue: int  # the numbered promise it encodes
    enforcement: str  # MANDATORY or ADVISORY
    description: str
    guards: str  # what a breach would allow
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
