"""Issue 15 in a planned organization (tests/fixtures/three-lobs): entitlements from groups, a user
entitled by a group alone, and a LOB that makes profiles just in time; the pack passes."""

from __future__ import annotations

import json

import pytest

from contracts import authorizer_env, tags
from tests.conftest import FIXTURES, one, resources
from tools import plan as plan_tool


@pytest.fixture(scope="module")
def planned():
    return plan_tool.plan(None, FIXTURES / "three-lobs")


def _doc(value):
    return json.loads(value) if isinstance(value, str) else value


def test_the_groups_their_members_and_the_mapping_item(planned):
    shared = planned["shared"]
    pool = one(shared, "aws:cognito/userPool:UserPool", "access-users")
    groups = {r.inputs["name"]: r for r in resources(shared, "aws:cognito/userGroup:UserGroup")}
    assert sorted(groups) == ["actuaries", "claims-team"]
    assert {g.inputs["userPoolId"] for g in groups.values()} == {pool.id}
    members = sorted(
        (r.inputs["groupName"], r.inputs["username"]) for r in resources(shared, "aws:cognito/userInGroup:UserInGroup")
    )
    assert members == [("actuaries", "bo"), ("claims-team", "cy")]
    item = _doc(one(shared, "aws:dynamodb/tableItem:TableItem", "access-groups").inputs["item"])
    assert item["PK"] == {"S": "#groups"}
    assert json.loads(item["GROUPS"]["S"]) == {"actuaries": ["pricing", "risk"], "claims-team": ["claims"]}
    assert (
        one(shared, "aws:dynamodb/tableItem:TableItem", "access-groups").inputs["tableName"]
        == shared.outputs["lobsTable"]
    )
    # cy is entitled by the group alone: their row carries no LOB
    cy = _doc(one(shared, "aws:dynamodb/tableItem:TableItem", "access-user-cy").inputs["item"])
    assert cy == {"PK": {"S": "cy"}}
    functions = {r.inputs["tags"][tags.FUNCTION_TAG]: r for r in resources(shared, "aws:lambda/function:Function")}
    env = functions[tags.AUTHORIZER_FUNCTION].inputs["environment"]["variables"]
    assert env[authorizer_env.GROUPS_CLAIM.name] == "cognito:groups"


def test_the_targets_route_is_behind_the_authorizer(planned):
    shared = planned["shared"]
    authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt")
    method = one(shared, "aws:apigateway/method:Method", "access-get-targets").inputs
    assert (method["authorization"], method["authorizerId"]) == ("CUSTOM", authorizer.id)
    assert one(shared, "aws:apigateway/resource:Resource", "access-user-targets").inputs["pathPart"] == "targets"


def test_just_in_time_profiles_only_where_the_lob_opted_in(planned):
    for stack in ("risk", "pricing", "claims"):
        policy = one(planned[stack], "aws:iam/rolePolicy:RolePolicy", f"{stack}-access-policy").inputs["policy"]
        sids = {s["Sid"] for s in _doc(policy)["Statement"]}
        jit = {"CreateProfilesForTheSessionsPerson", "TagProfilesOnlyWhenCreating"}
        assert (jit <= sids) == (stack == "risk"), stack
    risk = planned["risk"]
    domain = one(risk, "aws:sagemaker/domain:Domain", "risk-domain")
    (create,) = [
        s
        for s in _doc(one(risk, "aws:iam/rolePolicy:RolePolicy", "risk-access-policy").inputs["policy"])["Statement"]
        if s["Sid"] == "CreateProfilesForTheSessionsPerson"
    ]
    assert create["Resource"].endswith(f":user-profile/{domain.id}/*")
    assert create["Condition"]["StringEquals"][f"aws:RequestTag/{tags.PERSON_TAG}"] == "${aws:SourceIdentity}"


def test_the_pack_passes_with_groups_and_just_in_time_profiles(planned):
    for stack, result in planned.items():
        assert [v for v in result.violations if v.enforcement == "mandatory"] == [], stack
