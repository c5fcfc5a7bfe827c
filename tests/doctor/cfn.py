"""Not tests: bootstrap/doctor.yaml rendered as CloudFormation would (the intrinsics it uses), and
whether its policy allows an IAM action."""

from __future__ import annotations

import fnmatch
from typing import Any

import yaml

from components.paths import PROJECT_DIR
from testkit import cfn

TEMPLATE = PROJECT_DIR / "bootstrap" / "doctor.yaml"


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())  # plain YAML: a !Sub tag would fail here


def render(params: dict[str, Any], account: str, region: str = "us-east-1") -> dict[str, Any]:
    """The template's resources with its intrinsics evaluated (testkit.cfn)."""
    return cfn.render(template(), params, account, region=region)


def statements(rendered: dict[str, Any]) -> list[dict[str, Any]]:
    return list(rendered["DoctorPolicy"]["Properties"]["PolicyDocument"]["Statement"])


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(statements_: list[dict[str, Any]], action: str) -> bool:
    return any(
        s["Effect"] == "Allow" and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in listed(s["Action"]))
        for s in statements_
    )
