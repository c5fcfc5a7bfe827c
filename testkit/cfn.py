"""A small CloudFormation for the tests: a bootstrap/ template's resources with the intrinsics it uses
evaluated (Ref, Fn::Sub, Fn::If, Fn::Equals, Fn::Not, Fn::GetAtt), offline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NO_VALUE = object()


def render(
    template: Mapping[str, Any],
    params: Mapping[str, Any],
    account: str,
    *,
    region: str = "us-east-1",
    refs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The template's resources (those whose Condition holds) with their intrinsics evaluated.

    params: the parameters given (the others take their Default; a CommaDelimitedList may be given
    as a string; AllowedValues are enforced); refs: what a Ref to each resource gives (None: every
    resource refers to `<Name>`; given, a Ref to a resource not in it fails)."""
    values = {name: spec.get("Default") for name, spec in template["Parameters"].items()} | dict(params)
    missing = [name for name, value in values.items() if value is None]
    assert not missing, f"parameters without a value: {missing}"
    for name, spec in template["Parameters"].items():
        if spec["Type"] == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = values[name].split(",")
        assert values[name] in spec.get("AllowedValues", [values[name]]), f"{name}={values[name]} not allowed"
    pseudo = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account}
    resources = {name: f"<{name}>" for name in template["Resources"]} if refs is None else dict(refs)
    conditions: dict[str, bool] = {}

    def ref(name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        for table in (values, pseudo, resources):
            if name in table:
                return table[name]
        raise AssertionError(f"Ref to unknown {name}")

    def ev(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return ref(value)
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}!]+)\}", lambda m: str(ref(m[1])), value)
            if key == "Fn::If":
                name, yes, no = value
                return ev(yes if conditions[name] else no)
            if key == "Fn::Equals":
                return ev(value[0]) == ev(value[1])
            if key == "Fn::Not":
                return not ev(value[0])
            if key == "Fn::GetAtt":
                return f"<{value[0]}.{value[1]}>"
            assert not key.startswith("Fn::"), f"intrinsic {key} not rendered by this test"
        if isinstance(node, dict):
            return {k: v for k, v in ((k, ev(v)) for k, v in node.items()) if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in map(ev, node) if v is not NO_VALUE]
        return node

    for name, expr in template.get("Conditions", {}).items():
        conditions[name] = ev(expr)
    return {name: ev(res) for name, res in template["Resources"].items() if conditions.get(res.get("Condition"), True)}
