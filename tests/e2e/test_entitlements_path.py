"""Issue 15 end to end: a person entitled to two LOBs by their Cognito groups (moto puts
`cognito:groups` in the access token, the real authorizer signs them into its proof, the real
function maps them with the LOBs table's group item) lists what they may open, is asked to
choose, opens each LOB as themselves; a person without a profile in a LOB that makes profiles
just in time gets one, allowed by the access role's own policy (`components/access_role.py`).
The real client drives it: `studio-access list` and `open --lob/--space`."""

from __future__ import annotations

import json

import pytest

from components import access_role
from contracts import tables, tags
from testkit import proofs
from testkit.aws import LOBS_TABLE, USERS_TABLE
from testkit.aws import ROLE_NAME as ACCESS_ROLE

from .conftest import LOBS, PASSWORD, domain_id
from .test_access_path import assert_own_studio, cached, login, studio_url_parts

TWO = "user-ab"  # groups studio-lob-a and studio-lob-b
JIT = "user-new"  # group studio-lob-b, no profile anywhere
GROUPS = {"studio-lob-a": ["lob-a"], "studio-lob-b": ["lob-b"], "studio-empty": []}


@pytest.fixture(scope="module")
def people(world):
    idp = world.idp()
    for group in GROUPS:
        idp.create_group(UserPoolId=world.pool_id, GroupName=group)
    for user, groups in ((TWO, ("studio-lob-a", "studio-lob-b", "studio-empty")), (JIT, ("studio-lob-b",))):
        idp.admin_create_user(UserPoolId=world.pool_id, Username=user, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=world.pool_id, Username=user, Password=PASSWORD, Permanent=True)
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username=user, GroupName=group)
    ddb = world.admin.client("dynamodb", world.endpoint)
    mapping = {g: lobs for g, lobs in GROUPS.items() if lobs}
    ddb.put_item(TableName=LOBS_TABLE, Item=tables.typed(tables.group_map_item(mapping)))
    for lob in ("lob-a", "lob-b"):
        world.fakes.profiles[(LOBS[lob][0], domain_id(lob))].add(TWO)
    world.fakes.spaces[(LOBS["lob-b"][0], domain_id("lob-b"), "abs-private")] = ("Private", TWO)
    world.fakes.space_apps[(LOBS["lob-b"][0], domain_id("lob-b"), "abs-private")] = "CodeEditor"
    # lob-b makes profiles just in time: its access role gets the statements the LOB stack adds
    account = LOBS["lob-b"][0]
    profiles = f"arn:aws:sagemaker:us-east-1:{account}:user-profile/{domain_id('lob-b')}/*"
    document = {"Version": "2012-10-17", "Statement": access_role.just_in_time_statements(profiles, {})}
    world.fakes.admins[account].client("iam", world.endpoint).put_role_policy(
        RoleName=ACCESS_ROLE, PolicyName="just-in-time", PolicyDocument=json.dumps(document)
    )
    return world


def bearer(world, cache: str, user: str) -> dict[str, str]:
    login(world, cache, user)
    return {"Authorization": f"Bearer {cached(world, cache).access_token}", "Accept": "application/json"}


def test_the_groups_reach_the_function_signed_and_the_targets_list_both_lobs(people):
    world = people
    status, _, answer = world.get(f"{TWO}/targets", bearer(world, "ab", TWO))
    assert status == 200
    assert answer == {
        "username": TWO,
        "lobs": [
            {"name": "lob-a", "spaces": []},
            {
                "name": "lob-b",
                "spaces": [
                    {"name": "abs-private", "appType": "CodeEditor", "sharing": "Private"},
                    {"name": "team-space", "appType": "JupyterLab", "sharing": "Shared"},
                ],
            },
        ],
    }
    signed = world.gateway.proxy_events[-1]["requestContext"]["authorizer"]["proof"]
    assert proofs.read(signed)["groups"] == ["studio-empty", "studio-lob-a", "studio-lob-b"]


def test_several_lobs_and_no_choice_is_409_with_their_names_only(people):
    world = people
    status, headers, answer = world.get(TWO, bearer(world, "ab", TWO))
    assert status == 409
    assert answer == {
        "message": "Choose a line of business.",
        "requestId": answer["requestId"],
        "lobs": ["lob-a", "lob-b"],
    }
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("lob", ["lob-a", "lob-b"])
def test_each_chosen_lob_opens_as_the_person(people, lob):
    world = people
    before = len(world.fakes.assume_role_calls)
    status, _, answer = world.get(f"{TWO}?lob={lob}", bearer(world, "ab", TWO))
    assert status == 200 and answer["expiresInSeconds"] == 20
    assert_own_studio(answer["url"], TWO, lob)
    calls = world.fakes.assume_role_calls[before:]
    assert all(c["SourceIdentity"] == TWO for c in calls)


def test_a_lob_not_theirs_is_403_and_another_persons_targets_are_refused_by_the_gateway(people):
    world = people
    headers = bearer(world, "ab", TWO)
    status, _, answer = world.get(f"{TWO}?lob=lob-c", headers)
    assert status == 403 and answer["message"] == "access refused"
    status, gateway_headers, _ = world.get("user-lob-a/targets", headers)
    assert status == 403 and gateway_headers["x-amzn-errortype"] == "AccessDeniedException"


def test_disabled_wins_over_the_groups(people):
    world = people
    ddb = world.admin.client("dynamodb", world.endpoint)
    ddb.put_item(TableName=USERS_TABLE, Item={"PK": {"S": "user-ab-2"}, "DISABLED": {"BOOL": True}})
    idp = world.idp()
    idp.admin_create_user(UserPoolId=world.pool_id, Username="user-ab-2", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=world.pool_id, Username="user-ab-2", Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username="user-ab-2", GroupName="studio-lob-a")
    headers = bearer(world, "ab2", "user-ab-2")
    assert world.get("user-ab-2/targets", headers)[0] == 403
    assert world.get("user-ab-2?lob=lob-a", headers)[0] == 403


def test_the_client_lists_asks_to_choose_and_opens_the_chosen_lob_and_space(people):
    world = people
    login(world, "client-ab", TWO)
    code, out, err = world.run("client-ab", "list")
    assert code == 0, err
    assert out.splitlines()[0] == "lob-a" and "  abs-private  CodeEditor    Private" in out.splitlines()
    assert "--lob NAME" in err
    code, out, err = world.run("client-ab", "open", "--print")
    assert code == 2 and "several lines of business (lob-a, lob-b)" in err
    code, out, err = world.run("client-ab", "open", "--print", "--lob", "lob-b", "--space", "team-space")
    assert code == 0, err
    url = out.strip()
    assert_own_studio(url, TWO, "lob-b")
    assert studio_url_parts(url)["space"] == "team-space"
    code, out, err = world.run("client-ab", "open", "--print", "--lob", "lob-a", "--space", "abs-private")
    assert code == 6 and "not set up" in err  # abs-private is lob-b's: lob-a's domain has no such space
    code, out, _ = world.run("client-ab", "list", "--json")
    assert [lob["name"] for lob in json.loads(out)["lobs"]] == ["lob-a", "lob-b"]


def test_a_person_without_a_profile_gets_one_just_in_time_allowed_by_the_roles_own_policy(people):
    world = people
    account = LOBS["lob-b"][0]
    assert JIT not in world.fakes.profiles[(account, domain_id("lob-b"))]
    status, _, answer = world.get(JIT, bearer(world, "new", JIT))
    assert status == 200, answer
    assert_own_studio(answer["url"], JIT, "lob-b")
    (made,) = world.fakes.created_profiles
    assert (made["account"], made["person"], made["DomainId"], made["UserProfileName"]) == (
        account,
        JIT,
        domain_id("lob-b"),
        JIT,
    )
    assert made["Tags"] == [{"Key": tags.PERSON_TAG, "Value": JIT}]
    # the second open finds it
    status, _, _ = world.get(JIT, bearer(world, "new", JIT))
    assert status == 200 and len(world.fakes.created_profiles) == 1


def test_a_lob_without_the_opt_in_makes_no_profile(people):
    """lob-a's access role has no just-in-time statement: the person's profile is missing, 404."""
    world = people
    idp = world.idp()
    idp.admin_create_user(UserPoolId=world.pool_id, Username="user-new-a", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=world.pool_id, Username="user-new-a", Password=PASSWORD, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=world.pool_id, Username="user-new-a", GroupName="studio-lob-a")
    status, _, answer = world.get("user-new-a", bearer(world, "new-a", "user-new-a"))
    assert status == 404 and answer["message"] == "Studio is not set up for you; ask the platform team"
    assert all(p["UserProfileName"] != "user-new-a" for p in world.fakes.created_profiles)
