"""The registry: every rule of the pack, in pack order.

Each service module defines its rules beside their checks and lists them in its `RULES`; this
module collects them in a fixed order (the order the offline plan and `pulumi preview` report
violations in). The rules table in docs/security.md describes each one; a rule's `issue` and
`guards` are its row there. Only the standard library (and `contracts`): the offline plan
(`policy/runner.py`) and the real pack (`policy/pack.py`, `policy/__main__.py`) call the same
functions.
"""

from __future__ import annotations

from typing import Final

from . import (
    apigateway,
    budgets,
    cloudwatch,
    cognito,
    dynamodb,
    endpoints,
    iam,
    kms,
    lambda_,
    network,
    profiles,
    ram,
    route53,
    s3,
    sagemaker,
    vpc,
)
from .model import ADVISORY, MANDATORY, Resource, Rule

__all__ = ["ADVISORY", "KEYED_TAGS", "MANDATORY", "MODULES", "RULES", "Resource", "Rule"]

# Promise by promise (the numbers of the rules table): the pack's order.
MODULES: Final = (
    apigateway,
    lambda_,
    dynamodb,
    iam,
    sagemaker,
    network,
    s3,
    cognito,
    cloudwatch,
    budgets,
    ram,
    route53,
    endpoints,
    vpc,
    kms,
    profiles,
)

RULES: tuple[Rule, ...] = tuple(rule for module in MODULES for rule in module.RULES)

# Every (tag key, value) the rules key on; each comes from `contracts.tags`, which the components set.
KEYED_TAGS: Final = (
    *lambda_.KEYED_TAGS,
    *iam.KEYED_TAGS,
    *network.KEYED_TAGS,
    *cognito.KEYED_TAGS,
    *endpoints.KEYED_TAGS,
    *kms.KEYED_TAGS,
)

if len({r.name for r in RULES}) != len(RULES):
    raise RuntimeError("policy names must be unique")
if any((r.resource_check is None) == (r.stack_check is None) for r in RULES):
    raise RuntimeError("each rule has exactly one check: a resource check or a stack check")
