"""Interface endpoints' policies (promise 18): a data perimeter on every endpoint that declares one.

An endpoint policy is a ceiling, not a grant: a request through the endpoint must be allowed by
it *and* by the caller's own permissions. The perimeter lets through only principals of the
organization (`aws:PrincipalOrgID`) or of the listed accounts (`aws:PrincipalAccount`) acting on
resources of the same (`aws:ResourceOrgID` / `aws:ResourceAccount`). Three exceptions have a
shape of their own, each still bounded: reads of AWS-owned resources (account `aws`) by perimeter
principals; federated sign-in (SAML, OIDC: no AWS principal yet) to roles inside; and
`execute-api:Invoke` on named APIs of named accounts (a private API's callers are anonymous to
IAM). `iam.py`'s rules on named actions and scoped sensitive actions accept `*` in a statement of
that shape, since the statement itself grants nothing.

The hub tags each endpoint with the policy it carries (`contracts.tags.ENDPOINT_POLICY_TAG`): the
perimeter, or AWS's default (the config's opt-out, hub.endpointPolicies). The mandatory rule holds
every endpoint with a policy, or declaring the perimeter, to the perimeter, except one declaring
AWS's default (in a real preview a deployed endpoint's `policy` output is AWS's full-access
default); the advisory rule reports every interface endpoint left with AWS's default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from contracts.tags import ENDPOINT_POLICY_AWS_DEFAULT, ENDPOINT_POLICY_PERIMETER, ENDPOINT_POLICY_TAG

from ._props import get, has_wildcard, strings, tags_of
from ._references import index, referenced
from .iam_documents import Document, Statement, condition_values, effect
from .model import ADVISORY, MANDATORY, Resource, Rule
from .resource_types import VPC_ENDPOINT, VPC_ENDPOINT_POLICY

KEYED_TAGS: Final = ((ENDPOINT_POLICY_TAG, ENDPOINT_POLICY_PERIMETER),)

PRINCIPAL_KEYS: Final = ("aws:PrincipalOrgID", "aws:PrincipalAccount")
RESOURCE_KEYS: Final = ("aws:ResourceOrgID", "aws:ResourceAccount")
_EQUALITY: Final = {"stringequals", "stringequalsignorecase", "foranyvalue:stringequals"}
FEDERATION_ACTIONS: Final = {"sts:assumerolewithsaml", "sts:assumerolewithwebidentity"}
INVOKE_ACTION: Final = "execute-api:invoke"
_ACCOUNT: Final = re.compile(r"^\d{12}$")
_SHOWN: Final = " or ".join


def bounded(statement: Statement, keys: Sequence[str]) -> bool:
    """Does an equality condition on one of `keys` name values (no wildcard, no IfExists)?

    A statement's conditions all apply, so one such condition bounds it."""
    for key in keys:
        for operator, values in condition_values(statement, key):
            if operator.lower() in _EQUALITY and values and not any(has_wildcard(v) for v in values):
                return True
    return False


def _arn_parts(resource: str) -> list[str] | None:
    parts = resource.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _aws_owned(resource: str) -> bool:
    """An ARN of a resource AWS owns (account field `aws`, e.g. SageMaker's public hub)."""
    parts = _arn_parts(resource)
    return parts is not None and parts[4] == "aws" and not has_wildcard(parts[2])


def _named_api(resource: str) -> bool:
    """An execute-api ARN naming its account and API id (`arn:aws:execute-api:r:123456789012:abc123/*`)."""
    parts = _arn_parts(resource)
    if parts is None or parts[2] != "execute-api" or not _ACCOUNT.match(parts[4]):
        return False
    api = parts[5].split("/", 1)[0]
    return bool(api) and not has_wildcard(api)


def _actions(statement: Statement) -> list[str]:
    return [a.lower() for a in strings(statement.get("Action"))]


def _federated_only(statement: Statement) -> bool:
    principal = statement.get("Principal")
    return (
        isinstance(principal, Mapping)
        and set(principal) == {"Federated"}
        and bool(_actions(statement))
        and set(_actions(statement)) <= FEDERATION_ACTIONS
    )


def perimeter_problem(statement: Statement) -> str | None:
    """None if an Allow statement of an endpoint policy stays inside the perimeter; else why not."""
    if effect(statement) != "allow":
        return None
    negated = [k for k in ("NotPrincipal", "NotAction", "NotResource") if k in statement]
    if negated:
        return f"uses {negated[0]}: everything but what it names passes the endpoint"
    principals, resources = bounded(statement, PRINCIPAL_KEYS), bounded(statement, RESOURCE_KEYS)
    named = strings(statement.get("Resource"))
    if principals and (resources or (named and all(_aws_owned(r) for r in named))):
        return None
    if resources and _federated_only(statement):
        return None
    if _actions(statement) and set(_actions(statement)) == {INVOKE_ACTION} and named and all(map(_named_api, named)):
        return None
    missing = []
    if not principals:
        missing.append(f"principals bounded by {_SHOWN(PRINCIPAL_KEYS)}")
    if not resources:
        missing.append(f"resources bounded by {_SHOWN(RESOURCE_KEYS)} (or AWS-owned ARNs, or named APIs)")
    return f"allows {strings(statement.get('Action')) or '?'} outside the data perimeter: it needs " + " and ".join(
        missing
    )


def is_perimeter_statement(statement: Statement) -> bool:
    """An Allow statement of an endpoint policy that the perimeter bounds (it grants nothing itself)."""
    return effect(statement) == "allow" and perimeter_problem(statement) is None


def _policies(endpoint: Resource, attached: Mapping[str, list[Resource]]) -> list[tuple[Resource, Document]]:
    """The endpoint's policy documents: its own `policy`, and those of VpcEndpointPolicy resources on it."""
    found = [(endpoint, Document("policy", endpoint.props["policy"]))] if get(endpoint.props, "policy") else []
    found += [
        (p, Document("policy", p.props["policy"])) for p in attached.get(endpoint.urn, []) if get(p.props, "policy")
    ]
    return found


def _interface_endpoints(resources: Sequence[Resource]) -> tuple[list[Resource], dict[str, list[Resource]]]:
    by_key = index(resources)
    attached: dict[str, list[Resource]] = {}
    for policy in resources:
        if policy.type == VPC_ENDPOINT_POLICY:
            for endpoint in referenced(policy, by_key, "vpcEndpointId", VPC_ENDPOINT):
                attached.setdefault(endpoint.urn, []).append(policy)
    endpoints = [r for r in resources if r.type == VPC_ENDPOINT and get(r.props, "vpcEndpointType") == "Interface"]
    return endpoints, attached


def check_endpoint_perimeter(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    endpoints, attached = _interface_endpoints(resources)
    found: list[tuple[Resource, str]] = []
    for endpoint in endpoints:
        declared = tags_of(endpoint.props).get(ENDPOINT_POLICY_TAG)
        if declared == ENDPOINT_POLICY_AWS_DEFAULT:
            # The config's opt-out: AWS's default policy (which a deployed endpoint reports as its
            # own `policy` output) is what it declares; the advisory rule reports it.
            continue
        policies = _policies(endpoint, attached)
        if not policies:
            if declared is not None:
                found.append(
                    (
                        endpoint,
                        f"declares {ENDPOINT_POLICY_TAG}={declared} but has no policy: AWS's default lets any "
                        "principal reach any resource through it",
                    )
                )
            continue
        for holder, document in policies:
            _, error = document.parse()
            if error:
                found.append((holder, error))
            for label, statement in document.statements():
                problem = perimeter_problem(statement)
                if problem:
                    found.append((holder, f"{label} {problem}"))
    return found


ENDPOINT_DATA_PERIMETER: Final = Rule(
    name="endpoint-data-perimeter",
    issue=18,
    enforcement=MANDATORY,
    description="Interface endpoint policies keep a data perimeter: every Allow needs principals and resources of "
    "the organization or the listed accounts (aws:PrincipalOrgID/PrincipalAccount and ResourceOrgID/ResourceAccount), "
    "but for AWS-owned resources, federated sign-in and named private APIs; an endpoint that declares the perimeter "
    "has a policy.",
    guards="foreign credentials used from the corporate network, or data copied to another organization's "
    "resources, through the central endpoints",
    stack_check=check_endpoint_perimeter,
)


def check_endpoint_policy_opt_out(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    endpoints, attached = _interface_endpoints(resources)
    found = []
    for endpoint in endpoints:
        declared = tags_of(endpoint.props).get(ENDPOINT_POLICY_TAG)
        if declared != ENDPOINT_POLICY_AWS_DEFAULT and _policies(endpoint, attached):
            continue
        why = (
            "the config's opt-out (hub.endpointPolicies)"
            if declared == ENDPOINT_POLICY_AWS_DEFAULT
            else "no policy and no declared opt-out"
        )
        found.append(
            (
                endpoint,
                f"keeps AWS's default endpoint policy ({why}): any principal may reach any resource through it",
            )
        )
    return found


ENDPOINT_POLICY_OPT_OUT: Final = Rule(
    name="endpoint-policy-opt-out",
    issue=18,
    enforcement=ADVISORY,
    description="Reports every interface endpoint left with AWS's default policy (the config's opt-out, to review).",
    guards="an endpoint opened to any principal and resource that nobody sees again",
    stack_check=check_endpoint_policy_opt_out,
)

RULES: Final = (ENDPOINT_DATA_PERIMETER, ENDPOINT_POLICY_OPT_OUT)
