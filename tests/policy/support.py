"""What the rule tests share: IAM documents, a rule by name, a resource of a stack."""

from __future__ import annotations

import json
from typing import Any

from policy import rules
from policy.model import Resource, Rule

VPCE = "vpce-0123456789abcdef0"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def by_name(name: str) -> Rule:
    return next(r for r in rules.RULES if r.name == name)


def check(name: str, resource_type: str, props: dict[str, Any]) -> list[str]:
    resource_check = by_name(name).resource_check
    assert resource_check is not None, f"{name} is a stack rule"
    return resource_check(resource_type, props)


def res(type_: str, name: str, props: dict[str, Any], id_: str | None = None, deps: tuple[str, ...] = ()) -> Resource:
    return Resource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, id_, deps)
