"""S3 gateway endpoints (promise 12, the endpoints): a VPC's way to S3 admits named buckets only.

A gateway endpoint without a policy lets any principal reach any bucket of any account: a
notebook "without internet" could copy data to a bucket of its own. The LOB's endpoint policy
names the LOB's bucket and the AWS-owned buckets Studio reads (docs/platform.md), for principals of
the account; this rule holds every S3 gateway endpoint of a stack to that shape.
"""

from __future__ import annotations

from typing import Final

from ._props import get, has_wildcard, strings
from .iam_documents import Document, condition_values, effect
from .model import MANDATORY, Props, Rule
from .resource_types import VPC_ENDPOINT

PRINCIPAL_KEYS: Final = ("aws:PrincipalAccount", "aws:PrincipalOrgID")
_EQUALITY: Final = {"stringequals", "stringequalsignorecase"}


def is_s3_gateway(props: Props) -> bool:
    service = get(props, "serviceName")
    return (
        isinstance(service, str)
        and service.endswith(".s3")
        and (get(props, "vpcEndpointType") or "Gateway") == "Gateway"
    )


def _bucket(resource: str) -> str | None:
    """The bucket an S3 ARN names (`arn:aws:s3:::bucket` or `.../key`); None if not an S3 ARN."""
    prefix, sep, rest = resource.partition(":::")
    if not sep or not prefix.startswith("arn:aws") or not prefix.endswith(":s3"):
        return None
    return rest.split("/", 1)[0]


def _principals_bounded(statement: Props) -> bool:
    return any(
        operator.lower() in _EQUALITY and values and not any(has_wildcard(v) for v in values)
        for key in PRINCIPAL_KEYS
        for operator, values in condition_values(statement, key)
    )


def check_s3_gateway_named_buckets(resource_type: str, props: Props) -> list[str]:
    if resource_type != VPC_ENDPOINT or not is_s3_gateway(props):
        return []
    raw = get(props, "policy")
    if not raw:
        return ["has no policy: AWS's default lets any principal reach any bucket of any account through it"]
    document = Document("policy", raw)
    _, error = document.parse()
    if error:
        return [error]
    problems = []
    for label, statement in document.statements():
        if effect(statement) != "allow":
            continue
        if "NotResource" in statement or "NotPrincipal" in statement:
            problems.append(f"{label} uses NotResource/NotPrincipal: everything but what it names passes")
            continue
        for resource in strings(statement.get("Resource")):
            bucket = _bucket(resource)
            if bucket is None or not bucket or has_wildcard(bucket):
                problems.append(f"{label} allows {resource!r}: name the buckets (the LOB's, and AWS-owned ones)")
        if not _principals_bounded(statement):
            problems.append(
                f"{label} has no equality condition on {' or '.join(PRINCIPAL_KEYS)}: any account's credentials "
                "reach the named buckets through the endpoint"
            )
    return problems


S3_GATEWAY_NAMED_BUCKETS: Final = Rule(
    name="s3-gateway-named-buckets",
    issue=12,
    enforcement=MANDATORY,
    description="S3 gateway endpoints carry a policy whose every Allow names buckets (no wildcard bucket) for "
    "principals bounded by aws:PrincipalAccount or aws:PrincipalOrgID.",
    guards="a notebook without internet copying data to any bucket of any account through the VPC's S3 endpoint",
    resource_check=check_s3_gateway_named_buckets,
)

RULES: Final = (S3_GATEWAY_NAMED_BUCKETS,)
