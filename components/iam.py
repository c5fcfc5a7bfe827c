"""IAM policy documents, built the same way everywhere."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi


def document(*statements: Mapping[str, Any]) -> pulumi.Output[str]:
    """A policy document from statements that may hold Outputs."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust(service: str, source_account: str | None = None) -> str:
    """Trust for an AWS service; with `source_account`, only on behalf of that account."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
