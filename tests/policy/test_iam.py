"""IAM rules (`policy/iam.py`): wildcards, sensitive actions, trust, presigning bound to endpoints."""

from __future__ import annotations

import json

import pytest

from contracts.tags import LOB_ACCESS_ROLE, ROLE_TAG
from policy.iam import check_access_role_source_identity
from policy.resource_types import BUCKET_POLICY, MANAGED_POLICY, ROLE, ROLE_POLICY
from tests.policy.support import VPCE, check, doc, res

LAMBDA_VPC = {
    "Sid": "VpcNetworkInterfaces",
    "Effect": "Allow",
    "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
    "Resource": "*",
}


def test_named_actions_pass_even_on_star_resources():
    assert check("iam-no-wildcard-actions", ROLE_POLICY, {"policy": doc(LAMBDA_VPC)}) == []


@pytest.mark.parametrize("action", ["*", "sagemaker:*", ["dynamodb:GetItem", "s3:*"], "*:Get*", "SageMaker:**"])
def test_star_and_service_wide_actions_fail(action):
    policy = doc({"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b"})
    for resource_type, props in [
        (ROLE_POLICY, {"policy": policy}),
        (MANAGED_POLICY, {"policy": json.loads(policy)}),
        (ROLE, {"inlinePolicies": [{"name": "x", "policy": policy}]}),
    ]:
        [problem] = check("iam-no-wildcard-actions", resource_type, props)
        assert "name the actions" in problem


def test_wildcards_in_deny_statements_are_fine_and_not_action_allows_fail():
    deny_all = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert check("iam-no-wildcard-actions", BUCKET_POLICY, {"policy": doc(deny_all)}) == []
    [problem] = check(
        "iam-no-wildcard-actions",
        ROLE_POLICY,
        {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})},
    )
    assert "NotAction" in problem


def test_full_access_managed_policies_fail():
    name = "iam-no-wildcard-actions"
    attach = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(name, attach, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"})
    assert check(name, ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
    assert (
        check(
            name, attach, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}
        )
        == []
    )


def test_invalid_policy_json_is_reported():
    [problem] = check("iam-no-wildcard-actions", ROLE_POLICY, {"policy": "{not json"})
    assert "not valid JSON" in problem


def test_assume_role_and_presign_on_named_resources_pass():
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": ["arn:aws:iam::222222222222:role/SagemakerStudioAccessRole"],
        },
        {
            "Effect": "Allow",
            "Action": ["sagemaker:CreatePresignedDomainUrl"],
            "Resource": "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-abc/*",
            "Condition": {"StringEquals": {"aws:sourceVpce": [VPCE]}},
        },
        {"Effect": "Allow", "Action": "sagemaker:ListDomains", "Resource": "*"},
    )
    assert check("iam-sensitive-actions-scoped", ROLE_POLICY, {"policy": policy}) == []


@pytest.mark.parametrize(
    "action, resource",
    [
        ("sts:AssumeRole", "*"),
        (["sts:AssumeRole"], ["arn:aws:iam::*:role/SagemakerStudioAccessRole"]),
        ("sts:Assume*", "arn:aws:iam::222222222222:role/*"),
        ("sagemaker:CreatePresignedDomainUrl", "*"),
        ("sagemaker:CreatePresigned*", "arn:aws:sagemaker:us-east-1:222222222222:user-profile/*"),
    ],
)
def test_assume_role_or_presign_on_every_resource_fails(action, resource):
    policy = doc(
        {
            "Effect": "Allow",
            "Action": action,
            "Resource": resource,
            "Condition": {"StringEquals": {"aws:sourceVpce": VPCE}},
        }
    )
    problems = check("iam-sensitive-actions-scoped", ROLE_POLICY, {"policy": policy})
    assert problems and all("name the roles or profiles" in p for p in problems)


def test_specific_trust_passes():
    for principal in (
        {"Service": "lambda.amazonaws.com"},
        {"AWS": "arn:aws:iam::111111111111:role/fn"},
        {"AWS": ["222222222222"]},
    ):
        trust = doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
        assert check("iam-trust-specific-principals", ROLE, {"assumeRolePolicy": trust}) == []


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:role/fn", "arn:aws:iam::*:root"]},
            "Action": "sts:AssumeRole",
        },
        {"Effect": "Allow", "Principal": {"Service": "*.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "fn-role"}, "Action": "sts:AssumeRole"},
    ],
)
def test_open_trust_fails(statement):
    problems = check("iam-trust-specific-principals", ROLE, {"assumeRolePolicy": doc(statement)})
    assert problems and "assumeRolePolicy statement 0" in problems[0]


def test_presign_bound_to_endpoints_passes_and_unbound_fails():
    name = "iam-presign-source-vpce"
    bound = {
        "Effect": "Allow",
        "Action": "sagemaker:CreatePresignedDomainUrl",
        "Resource": "arn:aws:sagemaker:r:2:user-profile/d/*",
        "Condition": {"StringEquals": {"aws:sourceVpce": [VPCE, "vpce-0fedcba9876543210"]}},
    }
    assert check(name, ROLE_POLICY, {"policy": doc(bound)}) == []
    unbound = {k: v for k, v in bound.items() if k != "Condition"}
    [problem] = check(name, ROLE_POLICY, {"policy": doc(unbound)})
    assert "aws:sourceVpce" in problem
    # inline in the role, and through a wildcard action
    [problem] = check(
        name, ROLE, {"inlinePolicies": [{"policy": doc(unbound | {"Action": "sagemaker:CreatePresigned*"})}]}
    )
    assert "inlinePolicies[0].policy" in problem
    # a Deny outside the endpoints is an equivalent binding
    deny = {
        "Effect": "Deny",
        "Action": "sagemaker:CreatePresignedDomainUrl",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}},
    }
    assert check(name, ROLE_POLICY, {"policy": doc(unbound, deny)}) == []


# --------------------------------------------------------------------------- every role bounded


def test_roles_with_a_permissions_boundary_pass_and_without_fail():
    trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    bounded = {"assumeRolePolicy": trust, "permissionsBoundary": "arn:aws:iam::111111111111:policy/boundary"}
    assert check("iam-role-permissions-boundary", ROLE, bounded) == []
    [problem] = check("iam-role-permissions-boundary", ROLE, {"assumeRolePolicy": trust})
    assert "permissionsBoundary is unset" in problem
    assert check("iam-role-permissions-boundary", ROLE, bounded | {"permissionsBoundary": "boundary"})


# --------------------------------------------------------------------------- iam-access-role-source-identity

_FUNCTION_ROLE = "arn:aws:iam::111111111111:role/access-presigned-url-0a1b2c3"
_PERSON_TRUST = {
    "Effect": "Allow",
    "Principal": {"AWS": _FUNCTION_ROLE},
    "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
    "Condition": {"StringLike": {"sts:SourceIdentity": "*"}},
}


def _access_role_hits(trust: dict, *, tagged: bool = True, presign: bool = False) -> list[str]:
    role = res(
        ROLE,
        "access-role",
        {"name": "Door", "assumeRolePolicy": doc(trust), "tags": {ROLE_TAG: LOB_ACCESS_ROLE} if tagged else {}},
        id_="Door",
    )
    resources = [role]
    if presign:
        statement = {"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "arn:aws:x"}
        resources.append(res(ROLE_POLICY, "access-policy", {"role": "Door", "policy": doc(statement)}))
    return [message for _, message in check_access_role_source_identity(resources)]


def test_the_access_role_trust_requiring_a_source_identity_passes():
    assert _access_role_hits(_PERSON_TRUST) == []
    null_false = {**_PERSON_TRUST, "Condition": {"Null": {"sts:SourceIdentity": "false"}}}
    assert _access_role_hits(null_false) == []


@pytest.mark.parametrize(
    "trust",
    [
        {k: v for k, v in _PERSON_TRUST.items() if k != "Condition"},
        {**_PERSON_TRUST, "Condition": {"StringLikeIfExists": {"sts:SourceIdentity": "*"}}},
        {**_PERSON_TRUST, "Condition": {"Null": {"sts:SourceIdentity": "true"}}},
        {**_PERSON_TRUST, "Condition": {"StringLike": {"sts:RoleSessionName": "*"}}},
        {**_PERSON_TRUST, "Action": "sts:AssumeRole"},  # SetSourceIdentity missing
        {**_PERSON_TRUST, "Action": "sts:SetSourceIdentity"},  # nobody may assume
    ],
)
def test_a_trust_that_lets_a_session_start_without_a_person_is_caught(trust):
    assert _access_role_hits(trust)


def test_a_role_that_may_presign_is_held_to_it_even_untagged():
    bare = {k: v for k, v in _PERSON_TRUST.items() if k != "Condition"}
    assert _access_role_hits(bare, tagged=False, presign=True)
    assert _access_role_hits(bare, tagged=False, presign=False) == []
