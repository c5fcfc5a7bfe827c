"""IAM (promises 6 to 9): named actions, scoped sensitive actions, specific trust (and a person on every
session of a role that may presign), presigning bound to the Studio endpoint. The documents are read by `iam_documents`: role, inline, managed, user and
group policies, and the resource policies of buckets, endpoints and APIs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from contracts.tags import LOB_ACCESS_ROLE, ROLE_TAG

from ._props import get, has_wildcard, strings, tags_of
from ._references import index, referenced
from .endpoints import is_perimeter_statement
from .iam_documents import (
    ACCOUNT_ID,
    IAM_ARN,
    Document,
    condition_values,
    covers_action,
    documents,
    effect,
    endpoint_binding_problem,
    identity_documents,
)
from .model import MANDATORY, Props, Resource, Rule
from .resource_types import ROLE, ROLE_POLICY, VPC_ENDPOINT, VPC_ENDPOINT_POLICY

PRESIGN_ACTION: Final = "sagemaker:CreatePresignedDomainUrl"
# The tags (key, value) these rules tell roles apart by.
KEYED_TAGS: Final = ((ROLE_TAG, LOB_ACCESS_ROLE),)
ASSUME_ROLE_ACTION: Final = "sts:AssumeRole"

# Attachments of (AWS-managed) policies by ARN: resource type -> the property holding the ARN(s).
POLICY_ATTACHMENTS: Final = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
}

# Endpoint policies are ceilings: an Allow the data perimeter bounds grants nothing by itself, so
# rules 6 and 7 leave it to `endpoints.py` (promise 18), whatever actions and resources it names.
_ENDPOINT_POLICIES: Final = (VPC_ENDPOINT, VPC_ENDPOINT_POLICY)


def _perimeter_bounded(resource_type: str, statement: Mapping[str, object]) -> bool:
    return resource_type in _ENDPOINT_POLICIES and is_perimeter_statement(statement)


# --------------------------------------------------------------------------- 6: named actions

_FULL_ACCESS: Final = re.compile(
    r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$"
)


def _wild_action(action: str) -> str | None:
    if action.strip() == "*":
        return "every action"
    service, sep, name = action.partition(":")
    if not sep:
        return "every action" if has_wildcard(action) else None
    if has_wildcard(service):
        return "actions of every service"
    if name and set(name) <= {"*"}:
        return f"every {service} action"
    return None


def check_iam_wildcard_actions(resource_type: str, props: Props) -> list[str]:
    """No Allow of `*`, of a whole service (`sagemaker:*`), or of everything but a few (NotAction)."""
    problems = []
    for doc in documents(resource_type, props):
        _, error = doc.parse()
        if error:
            problems.append(error)
            continue
        for label, statement in doc.statements():
            if effect(statement) != "allow" or _perimeter_bounded(resource_type, statement):
                continue
            if "NotAction" in statement:
                problems.append(
                    f"{label} allows every action except {strings(statement['NotAction'])} (NotAction); name the actions"
                )
            for action in strings(statement.get("Action")):
                what = _wild_action(action)
                if what:
                    problems.append(f"{label} allows {action!r}, {what}; name the actions")
    key = POLICY_ATTACHMENTS.get(resource_type)
    if key:
        for arn in strings(get(props, key)):
            if _FULL_ACCESS.match(arn):
                problems.append(f"attaches {arn}, a managed policy that allows a service-wide wildcard")
    return problems


IAM_NO_WILDCARD_ACTIONS: Final = Rule(
    name="iam-no-wildcard-actions",
    issue=6,
    enforcement=MANDATORY,
    description="No IAM policy statement allows `*`, a service-wide wildcard (`sagemaker:*`) or NotAction; no *FullAccess/Administrator managed policy.",
    guards="permissions nobody reviewed, including actions AWS adds later",
    resource_check=check_iam_wildcard_actions,
)

# --------------------------------------------------------------------------- 7: sensitive actions on named resources

_SCOPED_ACTIONS: Final = (ASSUME_ROLE_ACTION, PRESIGN_ACTION)


def _wide_resource(resource: str) -> str | None:
    if resource.strip() == "*":
        return "every resource"
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "an unscoped resource" if has_wildcard(resource) else None
    account, rest = parts[4], parts[5]
    if account and has_wildcard(account):
        return "every account"
    kind, sep, tail = rest.partition("/")
    if not sep:
        kind, sep, tail = rest.partition(":")
    if has_wildcard(kind) or (sep and tail and set(tail) <= {"*", "?", "/"}):
        return f"every {kind if not has_wildcard(kind) else 'resource'} of the account"
    return None


def check_iam_scoped_sensitive_actions(resource_type: str, props: Props) -> list[str]:
    """sts:AssumeRole and sagemaker:CreatePresignedDomainUrl only on named resources."""
    problems = []
    for doc in documents(resource_type, props):
        if doc.trust:
            continue
        for label, statement in doc.statements():
            if effect(statement) != "allow" or _perimeter_bounded(resource_type, statement):
                continue
            for action in _SCOPED_ACTIONS:
                if not covers_action(statement, action):
                    continue
                if "NotResource" in statement:
                    problems.append(
                        f"{label} allows {action} on everything but {strings(statement['NotResource'])} (NotResource)"
                    )
                for resource in strings(statement.get("Resource")):
                    wide = _wide_resource(resource)
                    if wide:
                        problems.append(f"{label} allows {action} on {resource!r} ({wide}); name the roles or profiles")
    return problems


IAM_SENSITIVE_ACTIONS_SCOPED: Final = Rule(
    name="iam-sensitive-actions-scoped",
    issue=7,
    enforcement=MANDATORY,
    description="sts:AssumeRole and sagemaker:CreatePresignedDomainUrl are never allowed on `*` (or every account/role/profile).",
    guards="the function assuming any role, or presigning any user's Studio, in any account",
    resource_check=check_iam_scoped_sensitive_actions,
)

# --------------------------------------------------------------------------- 8: specific trust


def check_iam_trust(resource_type: str, props: Props) -> list[str]:
    """Trust policies name their principals: no `*`, no wildcards, no NotPrincipal."""
    problems = []
    for doc in documents(resource_type, props):
        if not doc.trust:
            continue
        for label, statement in doc.statements():
            if effect(statement) != "allow":
                continue
            if "NotPrincipal" in statement:
                problems.append(f"{label} trusts everyone but {statement['NotPrincipal']} (NotPrincipal)")
                continue
            principal = statement.get("Principal")
            if principal is None:
                problems.append(f"{label} names no Principal")
                continue
            if isinstance(principal, str):
                problems.append(f"{label} trusts Principal {principal!r}: every AWS account may assume the role")
                continue
            if not isinstance(principal, Mapping):
                problems.append(f"{label} has a Principal that is neither '*' nor a map")
                continue
            for kind, values in principal.items():
                for value in strings(values):
                    if has_wildcard(value):
                        problems.append(f"{label} trusts {kind} {value!r}: a wildcard, not a named principal")
                    elif kind == "AWS" and not (ACCOUNT_ID.match(value) or IAM_ARN.match(value)):
                        problems.append(f"{label} trusts AWS {value!r}, which is neither an account id nor an IAM ARN")
    return problems


IAM_TRUST_SPECIFIC_PRINCIPALS: Final = Rule(
    name="iam-trust-specific-principals",
    issue=8,
    enforcement=MANDATORY,
    description="Role trust policies name specific principals, services or accounts: no `*`, no wildcard, no NotPrincipal.",
    guards="a role that anyone in any AWS account can assume",
    resource_check=check_iam_trust,
)

# --------------------------------------------------------------------------- 8: the person on every access-role session

SOURCE_IDENTITY_KEY: Final = "sts:SourceIdentity"
SET_SOURCE_IDENTITY: Final = "sts:SetSourceIdentity"
_REQUIRES: Final = {"stringequals", "stringlike", "stringequalsignorecase"}


def _requires_source_identity(statement: Mapping[str, object]) -> bool:
    """Does the statement hold only for requests that set a source identity?"""
    for operator, values in condition_values(statement, SOURCE_IDENTITY_KEY):
        op = operator.lower()
        if op in _REQUIRES and values:
            return True
        if op == "null" and [v.lower() for v in values] == ["false"]:
            return True
    return False


def _aws_principals(statement: Mapping[str, object]) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return strings(principal.get("AWS")) if isinstance(principal, Mapping) else []


def access_role_trust_problems(trust: object) -> list[str]:
    """What lets a session of an access role start without naming a person."""
    document = Document("assumeRolePolicy", trust, trust=True)
    parsed, error = document.parse()
    if error or parsed is None:
        return [error or "no trust policy"]
    problems = []
    assumers: set[str] = set()
    setters: set[str] = set()
    for label, statement in document.statements():
        if effect(statement) != "allow":
            continue
        principals = _aws_principals(statement)
        if covers_action(statement, ASSUME_ROLE_ACTION) and principals:
            assumers.update(principals)
            if not _requires_source_identity(statement):
                problems.append(
                    f"{label} allows sts:AssumeRole without requiring {SOURCE_IDENTITY_KEY} "
                    '(e.g. StringLike {"sts:SourceIdentity": "*"}): a session that names no person'
                )
        if covers_action(statement, SET_SOURCE_IDENTITY):
            setters.update(principals)
    if not assumers:
        problems.append("no AWS principal may assume the role")
    missing = sorted(assumers - setters)
    if missing:
        problems.append(
            f"{', '.join(missing)} may assume the role but not {SET_SOURCE_IDENTITY}: "
            "STS refuses a source identity it may not set"
        )
    return problems


def _access_roles(resources: Sequence[Resource]) -> list[Resource]:
    """Roles tagged as a LOB access role, and roles whose policies allow presigning."""
    by_key = index(resources)
    found = {r.urn: r for r in resources if r.type == ROLE and tags_of(r.props).get(ROLE_TAG) == LOB_ACCESS_ROLE}
    for r in resources:
        if r.type == ROLE and any(
            effect(s) == "allow" and covers_action(s, PRESIGN_ACTION)
            for doc in identity_documents(r.type, r.props)
            for _, s in doc.statements()
        ):
            found[r.urn] = r
        if r.type == ROLE_POLICY and any(
            effect(s) == "allow" and covers_action(s, PRESIGN_ACTION)
            for doc in identity_documents(r.type, r.props)
            for _, s in doc.statements()
        ):
            for role in referenced(r, by_key, "role", ROLE):
                found[role.urn] = role
    return list(found.values())


def check_access_role_source_identity(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """A role that may presign Studio URLs is assumed only with a source identity (the person)."""
    return [
        (role, problem)
        for role in _access_roles(resources)
        for problem in access_role_trust_problems(get(role.props, "assumeRolePolicy"))
    ]


IAM_ACCESS_ROLE_SOURCE_IDENTITY: Final = Rule(
    name="iam-access-role-source-identity",
    issue=8,
    enforcement=MANDATORY,
    description="A role that may presign Studio URLs (or is tagged as a LOB access role) trusts its principals "
    "only with sts:SourceIdentity set, and lets them sts:SetSourceIdentity.",
    guards="Studio opened in a LOB account by a session whose CloudTrail names no person",
    stack_check=check_access_role_source_identity,
)

# --------------------------------------------------------------------------- 9: presigning bound to the endpoint


def check_iam_presign_source_vpce(resource_type: str, props: Props) -> list[str]:
    """A policy that allows CreatePresignedDomainUrl binds it to endpoints with aws:sourceVpce."""
    problems = []
    for doc in identity_documents(resource_type, props):
        statements = doc.statements()
        for label, statement in statements:
            if effect(statement) != "allow" or not covers_action(statement, PRESIGN_ACTION):
                continue
            problem = endpoint_binding_problem(statements, statement, PRESIGN_ACTION, "aws:sourceVpce")
            if problem:
                problems.append(
                    f"{label} allows {PRESIGN_ACTION} but {problem}: its URLs would open from anywhere, not only through the central Studio endpoint"
                )
    return problems


IAM_PRESIGN_SOURCE_VPCE: Final = Rule(
    name="iam-presign-source-vpce",
    issue=9,
    enforcement=MANDATORY,
    description="A policy that allows sagemaker:CreatePresignedDomainUrl binds it to named endpoints with aws:sourceVpce.",
    guards="presigned Studio URLs that open from anywhere, not only through the central Studio endpoint",
    resource_check=check_iam_presign_source_vpce,
)

# --------------------------------------------------------------------------- 9: every role bounded

_POLICY_ARN: Final = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/\S+$")


def check_iam_role_boundary(resource_type: str, props: Props) -> list[str]:
    """Every role carries a permissions boundary (a managed policy ARN): bootstrap/'s CI roles may
    create roles only with it, and it caps what any role of the program can do."""
    if resource_type != ROLE:
        return []
    boundary = get(props, "permissionsBoundary")
    if not isinstance(boundary, str) or not _POLICY_ARN.match(boundary):
        return [
            f"permissionsBoundary is {boundary or 'unset'}: a role without the stack's boundary can be given any "
            "permission (aws.permissionsBoundaryArn, default bootstrap/'s studio-access-boundary-<stack>)"
        ]
    return []


IAM_ROLE_PERMISSIONS_BOUNDARY: Final = Rule(
    name="iam-role-permissions-boundary",
    issue=9,
    enforcement=MANDATORY,
    description="Every IAM role carries a permissions boundary (a managed policy ARN).",
    guards="a role created by the deploy path that grants itself or others administrator rights",
    resource_check=check_iam_role_boundary,
)

RULES: Final = (
    IAM_NO_WILDCARD_ACTIONS,
    IAM_SENSITIVE_ACTIONS_SCOPED,
    IAM_TRUST_SPECIFIC_PRINCIPALS,
    IAM_ACCESS_ROLE_SOURCE_IDENTITY,
    IAM_PRESIGN_SOURCE_VPCE,
    IAM_ROLE_PERMISSIONS_BOUNDARY,
)
