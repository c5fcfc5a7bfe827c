"""sagemaker-profiles-for-the-sessions-person: just-in-time profiles only in one domain, only tagged
with the session's person and nothing else, tagged only while created (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from components.access_role import just_in_time_statements
from contracts.tags import PERSON_TAG
from policy.profiles import check_profile_creation
from policy.resource_types import ROLE_POLICY
from tests.policy.support import check, doc

PROFILES = "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-abcdefghijkl/*"
ENDPOINTS = {"aws:sourceVpce": ["vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"]}
CREATE, TAG = just_in_time_statements(PROFILES, ENDPOINTS)


def problems(*statements: dict[str, Any]) -> list[str]:
    return check_profile_creation(ROLE_POLICY, {"policy": doc(*statements)})


def test_the_access_roles_own_statements_pass():
    assert problems(CREATE, TAG) == []
    assert check("sagemaker-profiles-for-the-sessions-person", ROLE_POLICY, {"policy": doc(CREATE, TAG)}) == []


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:sagemaker:us-east-1:222222222222:user-profile/*",
        "arn:aws:sagemaker:us-east-1:222222222222:user-profile/*/*",
        "arn:aws:sagemaker:us-east-1:222222222222:*",
        "arn:aws:sagemaker:us-east-1:*:user-profile/d-abcdefghijkl/*",
    ],
)
def test_only_one_domains_profiles(resource):
    found = problems({**CREATE, "Resource": resource})
    assert any("only one domain's profiles" in p for p in found), found


def test_not_resource_is_refused():
    statement = {k: v for k, v in CREATE.items() if k != "Resource"}
    assert any("NotResource" in p for p in problems({**statement, "NotResource": "arn:aws:s3:::x"}))


@pytest.mark.parametrize(
    "person",
    [None, "someone", "${aws:username}", "*", ["${aws:SourceIdentity}", "admin"]],
)
def test_the_tag_must_name_the_sessions_person(person):
    equals = {k: v for k, v in CREATE["Condition"]["StringEquals"].items() if not k.startswith("aws:RequestTag/")}
    if person is not None:
        equals[f"aws:RequestTag/{PERSON_TAG}"] = person
    statement = {**CREATE, "Condition": {**CREATE["Condition"], "StringEquals": equals}}
    assert any("a profile tagged as anyone" in p for p in problems(statement))


def test_a_like_condition_is_not_the_person():
    condition = {
        "StringLike": {f"aws:RequestTag/{PERSON_TAG}": "${aws:SourceIdentity}"},
        "ForAllValues:StringEquals": {"aws:TagKeys": [PERSON_TAG]},
    }
    assert any("a profile tagged as anyone" in p for p in problems({**CREATE, "Condition": condition}))


@pytest.mark.parametrize("keys", [None, [PERSON_TAG, "owner"], ["owner"]])
def test_no_other_tag_key(keys):
    condition = {k: v for k, v in CREATE["Condition"].items() if k != "ForAllValues:StringEquals"}
    if keys is not None:
        condition["ForAllValues:StringEquals"] = {"aws:TagKeys": keys}
    assert any("aws:TagKeys" in p for p in problems({**CREATE, "Condition": condition}))


def test_a_wildcard_action_covering_create_is_judged_too():
    assert problems({"Effect": "Allow", "Action": "sagemaker:Create*", "Resource": PROFILES})


def test_tagging_profiles_only_while_creating_them():
    anytime = {**TAG, "Condition": {"StringEquals": {f"aws:RequestTag/{PERSON_TAG}": "${aws:SourceIdentity}"}}}
    assert any("retagged" in p for p in problems(anytime))
    other_action = {**TAG, "Condition": {"StringEquals": {"sagemaker:TaggingAction": "CreateSpace"}}}
    assert any("retagged" in p for p in problems(other_action))


def test_tagging_spaces_and_apps_on_create_is_another_rules_business():
    """The execution role's TagOnCreate (spaces and apps) names no user profile: not judged here."""
    studio = {
        "Effect": "Allow",
        "Action": "sagemaker:AddTags",
        "Resource": [
            "arn:aws:sagemaker:us-east-1:222222222222:space/d-abcdefghijkl/*",
            "arn:aws:sagemaker:us-east-1:222222222222:app/d-abcdefghijkl/*",
        ],
        "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
    }
    assert problems(studio) == []


def test_denies_and_other_actions_are_not_judged():
    assert problems({**CREATE, "Effect": "Deny", "Condition": {}}) == []
    assert problems({"Effect": "Allow", "Action": "sagemaker:DescribeUserProfile", "Resource": "*"}) == []


def test_an_unknown_resource_of_a_preview_is_not_judged():
    assert problems({**CREATE, "Resource": "<computed>"}) == []
