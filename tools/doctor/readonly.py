"""The doctor only reads: every AWS call it makes is a Describe, Get, List or Simulate operation.

`guard` enforces it on each session the doctor reads with (any other operation raises before a
request is signed), and `iam_action` names the IAM action each call needs, which the read-only
policy in `bootstrap/doctor.yaml` must allow (tests/doctor checks both against the calls of a
whole run).
"""

from __future__ import annotations

from typing import Any

READ_PREFIXES = ("Describe", "Get", "List", "Simulate")


class WriteRefused(RuntimeError):
    """The doctor tried an operation that is not a read (a bug: nothing was sent)."""


def is_read(operation: str) -> bool:
    return operation.startswith(READ_PREFIXES)


def _refuse_writes(model: Any, **_: Any) -> None:
    if not is_read(model.name):
        raise WriteRefused(f"the doctor is read-only: {model.service_model.service_name}:{model.name} refused")


def guard(session: Any) -> Any:
    """Refuse every non-read operation on clients of this boto3 session; returns the session."""
    session.events.register("before-call", _refuse_writes, unique_id="studio-access-doctor-read-only")
    return session


def iam_action(service: str, operation: str) -> str:
    """The IAM action a call needs: `ec2:DescribeVpcEndpoints`; API Gateway's reads are `apigateway:GET`."""
    if service == "apigateway":
        return "apigateway:GET"
    return f"{service}:{operation}"
