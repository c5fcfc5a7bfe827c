"""The IAM document engine: every policy document a resource carries, its statements, and what they
allow, deny and require (actions as IAM matches them, conditions on a key, Deny statements that
back an Allow).

IAM documents are read as JSON strings or objects, with `Action`/`Resource` as a string or a list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._props import get, has_wildcard, mappings, strings, wildcard_match
from .resource_types import (
    BUCKET_POLICY,
    GROUP_POLICY,
    MANAGED_POLICY,
    REST_API,
    REST_API_POLICY,
    ROLE,
    ROLE_POLICY,
    USER_POLICY,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
)

Statement = Mapping[str, Any]

# Principals named precisely: an account id, or an IAM/STS ARN in an account.
ACCOUNT_ID: Final = re.compile(r"^\d{12}$")
IAM_ARN: Final = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$")


@dataclass(frozen=True)
class Document:
    where: str  # which property held it, e.g. "policy", "inlinePolicies[0].policy"
    raw: Any
    trust: bool = False

    def parse(self) -> tuple[Mapping[str, Any] | None, str | None]:
        raw = self.raw
        if isinstance(raw, str):
            if not raw.strip():
                return None, None
            try:
                raw = json.loads(raw)
            except ValueError as exc:
                return None, f"{self.where} is not valid JSON ({exc})"
        if raw is None:
            return None, None
        if not isinstance(raw, Mapping):
            return None, f"{self.where} is not a policy document (a JSON object)"
        return raw, None

    def statements(self) -> list[tuple[str, Statement]]:
        doc, _ = self.parse()
        if doc is None:
            return []
        found = []
        for index, statement in enumerate(mappings(doc.get("Statement"))):
            sid = statement.get("Sid")
            label = f"{self.where} statement {index}" + (f" ({sid})" if isinstance(sid, str) and sid else "")
            found.append((label, statement))
        return found


_DOCUMENT_PROPS: Final = {
    ROLE_POLICY: "policy",
    MANAGED_POLICY: "policy",
    USER_POLICY: "policy",
    GROUP_POLICY: "policy",
    BUCKET_POLICY: "policy",
    VPC_ENDPOINT: "policy",
    VPC_ENDPOINT_POLICY: "policy",
    REST_API: "policy",
    REST_API_POLICY: "policy",
}
# Documents that give an identity its permissions (as opposed to resource policies).
_IDENTITY_TYPES: Final = {ROLE_POLICY, MANAGED_POLICY, USER_POLICY, GROUP_POLICY, ROLE}


def documents(resource_type: str, props: Mapping[str, Any]) -> list[Document]:
    """Every IAM policy document a resource carries, trust policies included."""
    found = []
    if resource_type in _DOCUMENT_PROPS:
        key = _DOCUMENT_PROPS[resource_type]
        if get(props, key) is not None:
            found.append(Document(key, props[key]))
    if resource_type == ROLE:
        for index, inline in enumerate(mappings(get(props, "inlinePolicies"))):
            if inline.get("policy") is not None:
                found.append(Document(f"inlinePolicies[{index}].policy", inline["policy"]))
        if get(props, "assumeRolePolicy") is not None:
            found.append(Document("assumeRolePolicy", props["assumeRolePolicy"], trust=True))
    return found


def identity_documents(resource_type: str, props: Mapping[str, Any]) -> list[Document]:
    """The documents that give an identity its permissions (no trust, no resource policies)."""
    if resource_type not in _IDENTITY_TYPES:
        return []
    return [d for d in documents(resource_type, props) if not d.trust]


def effect(statement: Statement) -> str:
    value = statement.get("Effect")
    return value.lower() if isinstance(value, str) else ""


def covers_action(statement: Statement, action: str) -> bool:
    """Does the statement's Action (or NotAction) apply to `action`?"""
    if "NotAction" in statement:
        return not any(wildcard_match(p, action) for p in strings(statement["NotAction"]))
    return any(wildcard_match(p, action) for p in strings(statement.get("Action")))


def condition_values(statement: Statement, key: str) -> list[tuple[str, list[str]]]:
    """(operator, values) of every condition on `key` (case-insensitive, as IAM treats keys)."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    found = []
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            continue
        for k, v in block.items():
            if isinstance(k, str) and k.lower() == key.lower():
                found.append((str(operator), strings(v)))
    return found


EQUALS: Final = {
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "foranyvalue:stringequals",
    "foranyvalue:stringlike",
}
NOT_EQUALS: Final = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike"}


def endpoint_condition_problem(statement: Statement, key: str, operators: set[str]) -> str | None:
    """None if the statement is bound to named endpoints by `key`; else what is missing.

    A statement's conditions all apply, so one proper binding is enough; `...IfExists` is not
    one (a request without the key passes), nor is a wildcard value."""
    conditions = condition_values(statement, key)
    if not conditions:
        return f"has no {key} condition"
    problems = []
    for operator, values in conditions:
        op = operator.lower()
        wild = [v for v in values if has_wildcard(v)]
        if op.endswith("ifexists"):
            problems.append(f"uses {operator} on {key}: a request without an endpoint passes")
        elif op not in operators:
            problems.append(f"has no {'/'.join(sorted(operators))} condition on {key}")
        elif not values:
            problems.append(f"names no endpoint in its {key} condition")
        elif wild:
            problems.append(f"matches any endpoint with {key} {wild[0]!r}")
        else:
            return None
    return problems[0]


def resources_cover(deny: Statement, allow: Statement) -> bool:
    """Does the Deny statement apply to every resource the Allow statement grants?"""
    if "NotResource" in deny:
        return False
    patterns = strings(deny.get("Resource"))
    granted = ["*"] if "NotResource" in allow else strings(allow.get("Resource"))
    return bool(granted) and all(any(wildcard_match(p, r) for p in patterns) for r in granted)


def denied_outside_endpoints(statements: list[tuple[str, Statement]], action: str, key: str, allow: Statement) -> bool:
    """A Deny of `action`, on everything `allow` grants, unless the request comes through named endpoints."""
    return any(
        effect(s) == "deny"
        and covers_action(s, action)
        and resources_cover(s, allow)
        and endpoint_condition_problem(s, key, NOT_EQUALS) is None
        for _, s in statements
    )


def endpoint_binding_problem(
    statements: list[tuple[str, Statement]], allow: Statement, action: str, key: str
) -> str | None:
    """None if the Allow statement `allow` of `action` requires named endpoints by `key` (or a Deny
    outside them backs it); else what is missing."""
    problem = endpoint_condition_problem(allow, key, EQUALS)
    if problem and not denied_outside_endpoints(statements, action, key, allow):
        return problem
    return None
