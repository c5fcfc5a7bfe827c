"""AccessRole alone: trusted by the given function role only and only with a source identity (the
person), presigning this domain's profiles only, telling this domain's spaces apart, and only
through the given central endpoints."""

from __future__ import annotations

from dataclasses import replace

import pulumi

from components.access_role import AccessRole, AccessRoleArgs
from contracts import tags
from tests.components.conftest import ACCOUNT, REGION, Graph, statements

FUNCTION_ROLE = "arn:aws:iam::999999999999:role/access-presigned-url-1234567"
DOMAIN_ID = "d-abcdefghijkl"
DOMAIN_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{DOMAIN_ID}"
ENDPOINTS = ["vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"]
ARGS = AccessRoleArgs(
    role_name="StudioDoor",
    region=REGION,
    account_id=ACCOUNT,
    domain_id=DOMAIN_ID,
    domain_arn=DOMAIN_ARN,
    presigned_url_role_arn=FUNCTION_ROLE,
    sagemaker_api_endpoint_id=ENDPOINTS[0],
    studio_endpoint_id=ENDPOINTS[1],
)
PROFILES = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/{DOMAIN_ID}/*"
SPACES = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:space/{DOMAIN_ID}/*"


@pulumi.runtime.test
def test_trusted_only_by_the_given_function_role(graph: Graph) -> pulumi.Output[None]:
    role = AccessRole("red-access", ARGS).role

    def check(values: list[str]) -> None:
        name, trust = values
        assert name == "StudioDoor"
        assert statements(trust) == [
            {
                "Sid": "ThePresignedUrlFunctionAsAPerson",
                "Effect": "Allow",
                "Principal": {"AWS": FUNCTION_ROLE},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Condition": {"StringLike": {"sts:SourceIdentity": "*"}},
            }
        ]

    return pulumi.Output.all(role.name, role.assume_role_policy).apply(check)


def test_allowed_only_to_presign_this_domains_profiles_through_the_central_endpoints(graph: Graph) -> None:
    graph.build(lambda: AccessRole("red-access", ARGS))
    role = graph.one("aws:iam/role:Role", "red-access-role")
    assert role.inputs["maxSessionDuration"] == 3600 and "managedPolicyArns" not in role.inputs
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "red-access-policy")
    assert policy.inputs["role"] == role.id
    found = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    assert found["PresignThisDomainsProfiles"]["Action"] == ["sagemaker:CreatePresignedDomainUrl"]
    assert found["PresignThisDomainsProfiles"]["Resource"] == PROFILES
    assert found["FindTheDomainAndProfile"]["Resource"] == [DOMAIN_ARN, PROFILES]
    assert found["TellSharedAndOwnSpaces"]["Action"] == ["sagemaker:DescribeSpace"]
    assert found["TellSharedAndOwnSpaces"]["Resource"] == SPACES
    assert [sid for sid, s in found.items() if s["Resource"] == "*"] == ["ListDomainsAndSpaces"]
    assert found["ListDomainsAndSpaces"]["Action"] == ["sagemaker:ListDomains", "sagemaker:ListSpaces"]
    assert not any("CreateUserProfile" in str(s["Action"]) or "AddTags" in str(s["Action"]) for s in found.values())
    for statement in found.values():
        assert statement["Effect"] == "Allow"
        assert statement["Condition"] == {"StringEquals": {"aws:sourceVpce": ENDPOINTS}}
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all(a.startswith("sagemaker:") and "*" not in a for a in actions)
    assert len(graph.of_type("aws:iam/rolePolicy:RolePolicy")) == 1


def test_tagged_as_the_lob_access_role_for_the_policy_pack(graph: Graph) -> None:
    graph.build(lambda: AccessRole("red-access", ARGS))
    assert graph.one("aws:iam/role:Role", "red-access-role").inputs["tags"] == {tags.ROLE_TAG: tags.LOB_ACCESS_ROLE}


# ---------------------------------------------------------------------------- just-in-time profiles


def test_just_in_time_profiles_only_in_this_domain_only_tagged_with_the_sessions_person(graph: Graph) -> None:
    graph.build(lambda: AccessRole("red-access", replace(ARGS, just_in_time_profiles=True)))
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "red-access-policy")
    found = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    endpoints = {"aws:sourceVpce": ENDPOINTS}
    person = {f"aws:RequestTag/{tags.PERSON_TAG}": "${aws:SourceIdentity}"}
    only_that_tag = {"ForAllValues:StringEquals": {"aws:TagKeys": [tags.PERSON_TAG]}}
    assert found["CreateProfilesForTheSessionsPerson"] == {
        "Sid": "CreateProfilesForTheSessionsPerson",
        "Effect": "Allow",
        "Action": ["sagemaker:CreateUserProfile"],
        "Resource": PROFILES,
        "Condition": {"StringEquals": {**endpoints, **person}, **only_that_tag},
    }
    assert found["TagProfilesOnlyWhenCreating"] == {
        "Sid": "TagProfilesOnlyWhenCreating",
        "Effect": "Allow",
        "Action": ["sagemaker:AddTags"],
        "Resource": PROFILES,
        "Condition": {
            "StringEquals": {**endpoints, **person, "sagemaker:TaggingAction": "CreateUserProfile"},
            **only_that_tag,
        },
    }
    # nothing else changes: the same five statements besides
    assert set(found) == {
        "PresignThisDomainsProfiles",
        "FindTheDomainAndProfile",
        "TellSharedAndOwnSpaces",
        "ListDomainsAndSpaces",
        "CreateProfilesForTheSessionsPerson",
        "TagProfilesOnlyWhenCreating",
    }
    assert not any("iam:PassRole" in str(s["Action"]) for s in found.values())
