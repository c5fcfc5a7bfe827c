"""Not tests: bootstrap/doctor.yaml rendered as CloudFormation would (the intrinsics it uses), and
whether its policy allows an IAM action."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import yaml

from components.paths import PROJECT_DIR

TEMPLATE = PROJECT_DIR / "bootstrap" / "doctor.yaml"
NO_VALUE = object()


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())  # plain YAML: a !Sub tag would fail here


def render(params: dict[str, Any], account: str, region: str = "us-east-1") -> dict[str, Any]:
    """The template's resources with its intrinsics evaluated."""
    doc = template()
    values = {name: spec.get("Default") for name, spec in doc["Parameters"].items()} | params
    for name, spec in doc["Parameters"].items():
        assert values[name] is not None, f"parameter {name} has no value"
        if spec["Type"] == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = values[name].split(",")
        assert values[name] in spec.get("AllowedValues", [values[name]]), f"{name}={values[name]} not allowed"
    pseudo = {"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account}
    refs = {name: f"<{name}>" for name in doc["Resources"]}
    conditions: dict[str, bool] = {}

    def ref(name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        for table in (values, pseudo, refs):
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
            if key == "Fn::GetAtt":
                return f"<{value[0]}.{value[1]}>"
            assert not key.startswith("Fn::"), f"intrinsic {key} not rendered by this test"
        if isinstance(node, dict):
            return {k: v for k, v in ((k, ev(v)) for k, v in node.items()) if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in map(ev, node) if v is not NO_VALUE]
        return node

    for name, expr in doc.get("Conditions", {}).items():
        conditions[name] = ev(expr)
    return {name: ev(res) for name, res in doc["Resources"].items()}


def statements(rendered: dict[str, Any]) -> list[dict[str, Any]]:
    return list(rendered["DoctorPolicy"]["Properties"]["PolicyDocument"]["Statement"])


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(statements_: list[dict[str, Any]], action: str) -> bool:
    return any(
        s["Effect"] == "Allow" and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in listed(s["Action"]))
        for s in statements_
    )
