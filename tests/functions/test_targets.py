"""`GET /{user_id}/targets` (issue 15, item 2): the person's LOBs and, per LOB, the spaces they may
open (their own private spaces and the domain's shared ones) with the app type, cached; the same
proof, path and entitlement checks as `GET /{user_id}`."""

from __future__ import annotations

import time

import pytest

from testkit import proofs
from testkit.aws import LOB_A, LOB_B, error
from testkit.events import fn_event
from tests.functions.support import assert_failure, audit_lines, body, call
from tools import handlers

cache_module = handlers.module("presigned_url", "cache")
aws_module = handlers.module("presigned_url", "aws")

NOT_ENTITLED = "You are not entitled to any line of business."


@pytest.fixture
def world(aws):
    """gina: lob-a and lob-b from her group; spaces of every kind in both domains."""
    aws.put_groups({"studio-all": ["lob-a", "lob-b"], "studio-lob-a": ["lob-a"]})
    domain_a, domain_b = aws.domains[(LOB_A, "sagemaker-domain-lob-a")], aws.domains[(LOB_B, "sagemaker-domain-lob-b")]
    aws.add_space(LOB_A, domain_a, "team-a", "Shared", "someone", app_type="JupyterLab")
    aws.add_space(LOB_A, domain_a, "ginas-notes", "Private", "gina", app_type="CodeEditor")
    aws.add_space(LOB_A, domain_a, "others-notes", "Private", "data-scientist")
    aws.add_space(LOB_A, domain_a, "classic", None, None)
    aws.add_space(LOB_B, domain_b, "b-shared", "Shared", None, app_type="CodeEditor")
    aws.add_space(LOB_B, domain_b, "another-ginas", "Private", "someone-else")
    aws.calls.clear()
    return aws


def targets(username="gina", groups=("studio-all",), **kw):
    return fn_event(username, groups=list(groups), targets=True, headers={"Accept": "application/json"}, **kw)


def test_the_lobs_and_the_spaces_the_person_may_open(presigned, world):
    event = targets()
    response = call(presigned, event)
    assert response["statusCode"] == 200
    assert response["headers"] == {"Cache-Control": "no-store", "Content-Type": "application/json"}
    assert body(response) == {
        "username": "gina",
        "lobs": [
            {
                "name": "lob-a",
                "spaces": [
                    {"name": "ginas-notes", "appType": "CodeEditor", "sharing": "Private"},
                    {"name": "team-a", "appType": "JupyterLab", "sharing": "Shared"},
                ],
            },
            {"name": "lob-b", "spaces": [{"name": "b-shared", "appType": "CodeEditor", "sharing": "Shared"}]},
        ],
    }
    domains = [world.domains[(LOB_A, "sagemaker-domain-lob-a")], world.domains[(LOB_B, "sagemaker-domain-lob-b")]]
    for internal in (LOB_A, LOB_B, *domains, "arn:", "studio-all", "others-notes", "another-ginas", "classic"):
        assert internal not in response["body"]
    listed = [c.params for c in world.calls if c.operation == "ListSpaces"]
    assert [p["DomainIdEquals"] for p in listed] == [
        world.domains[(LOB_A, "sagemaker-domain-lob-a")],
        world.domains[(LOB_B, "sagemaker-domain-lob-b")],
    ]
    # each LOB's role is assumed as the person
    assert [c["SourceIdentity"] for c in world.assume_role_calls()] == ["gina", "gina"]


def test_the_profile_of_the_row_decides_which_private_spaces_are_theirs(presigned, world):
    world.put_user("gina", None, profile="data-scientist")
    lobs = body(call(presigned, targets(groups=("studio-lob-a",))))["lobs"]
    assert lobs == [
        {
            "name": "lob-a",
            "spaces": [
                {"name": "others-notes", "appType": "JupyterLab", "sharing": "Private"},
                {"name": "team-a", "appType": "JupyterLab", "sharing": "Shared"},
            ],
        }
    ]


def test_a_person_of_one_lob_by_row_gets_it_too(presigned, world):
    response = call(presigned, targets("user-lob-a", groups=()))
    assert body(response)["lobs"] == [
        {"name": "lob-a", "spaces": [{"name": "team-a", "appType": "JupyterLab", "sharing": "Shared"}]}
    ]


def test_targets_are_cached_a_warm_call_makes_no_aws_call(presigned, world, capsys):
    first = call(presigned, targets())
    world.calls.clear()
    capsys.readouterr()
    assert call(presigned, targets()) == {**first}
    assert world.operations() == []
    assert audit_lines(capsys)[-1]["awsCalls"] == 0


def test_the_space_lists_expire_with_the_cache(presigned, world, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    call(presigned, targets())
    domain_a = world.domains[(LOB_A, "sagemaker-domain-lob-a")]
    world.add_space(LOB_A, domain_a, "new-shared", "Shared", None)
    now[0] += 30
    assert "new-shared" not in str(body(call(presigned, targets())))
    now[0] += 31
    assert "new-shared" in str(body(call(presigned, targets())))


def test_the_space_lists_are_bounded(presigned, world, monkeypatch):
    monkeypatch.setattr(aws_module, "MAX_LISTED_SPACES", 2)
    monkeypatch.setattr(aws_module, "MAX_SPACE_LISTS", 1)
    handlers.reset("presigned_url")
    lobs = body(call(presigned, targets()))["lobs"]
    state = handlers.module("presigned_url", "handler").state()
    assert len(state.space_lists) == 1
    assert all(len(lob["spaces"]) <= 2 for lob in lobs)


def test_no_entitlement_is_403_saying_so(presigned, world):
    event = targets("stranger", groups=("admins",))
    data = assert_failure(presigned, event, 403, NOT_ENTITLED)
    assert data == {"message": NOT_ENTITLED, "requestId": event["requestContext"]["requestId"]}


def test_disabled_is_403(presigned, world):
    world.dynamodb().put_item(TableName="users-map-table", Item={"PK": {"S": "gina"}, "DISABLED": {"S": "true"}})
    assert_failure(presigned, targets(), 403, "access refused")
    assert "AssumeRole" not in world.operations()


def test_a_lob_that_fails_is_listed_without_spaces_and_the_audit_line_says_why(presigned, world, capsys):
    def refuse_b(params):
        return error(403, "AccessDenied", "no") if LOB_B in str(params["body"]) else None

    world.overrides["sts.AssumeRole"] = refuse_b
    response = call(presigned, targets())
    assert response["statusCode"] == 200
    assert [(lob["name"], len(lob["spaces"])) for lob in body(response)["lobs"]] == [("lob-a", 2), ("lob-b", 0)]
    line = audit_lines(capsys)[-1]
    assert line["outcome"] == "ok" and "AssumeRole" in line["lobErrors"]["lob-b"] and "lob-a" not in line["lobErrors"]


def test_a_lob_not_in_the_lobs_table_is_listed_without_spaces(presigned, world, capsys):
    world.put_groups({"studio-all": ["lob-a", "lob-z"]})
    lobs = body(call(presigned, targets()))["lobs"]
    assert [(lob["name"], lob["spaces"]) for lob in lobs][1] == ("lob-z", [])
    assert audit_lines(capsys)[-1]["lobErrors"]["lob-z"].startswith("lob-not-mapped")


def test_targets_take_no_query_parameter(presigned, world):
    assert_failure(presigned, targets(query={"lob": "lob-a"}), 400, "unknown query parameter(s) 'lob'; allowed: none")
    assert world.calls == []


def test_targets_need_the_proof_to_allow_them(presigned, world, capsys):
    """A proof that allows only GET/<user> (an older authorizer's) does not open the targets."""
    narrow = proofs.make(username="gina", token="token-of-gina", resources=["GET/gina"], groups=["studio-all"])
    assert_failure(presigned, targets(proof=narrow), 403, "access refused")
    assert audit_lines(capsys)[-1]["outcome"] == "forbidden" and world.calls == []


def test_another_persons_targets_are_403(presigned, world):
    assert_failure(presigned, targets(path_user="user-lob-a"), 403, "access refused")
    assert world.calls == []


@pytest.mark.parametrize("resource", ["/{user_id}/other", "/{user_id}/targets/{x}", "/", None, 7])
def test_an_unknown_route_is_403(presigned, world, resource):
    event = targets()
    event["resource"] = resource
    assert_failure(presigned, event, 403, "access refused")
    assert world.calls == []


def test_the_open_route_with_a_targets_path_is_refused(presigned, world):
    """The route comes from the resource; a proof for both paths still checks the path's own shape."""
    event = fn_event("gina", groups=["studio-all"])
    event["resource"] = "/{user_id}/targets"
    event["pathParameters"] = {"user_id": "gina/targets"}
    assert_failure(presigned, event, 403, "access refused")


def test_the_audit_line_names_the_route(presigned, world, capsys):
    call(presigned, targets())
    call(presigned, fn_event("gina", groups=["studio-lob-a"]))
    assert [line["route"] for line in audit_lines(capsys)] == ["targets", "open"]
