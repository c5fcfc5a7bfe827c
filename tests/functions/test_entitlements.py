"""Entitlements (issue 15, items 1 and 2): the identity provider's groups mapped to LOBs, per-person
rows for exceptions, DISABLED winning; several LOBs per person, the 409 that lists only their
names, `?lob=` choosing. First as pure functions (`mapping.resolve`, `choose_lob`), then through
the handler against moto."""

from __future__ import annotations

import json

import pytest

from contracts import tables
from testkit.aws import LOB_A, LOB_B, LOB_C, LOBS_TABLE, USERS_TABLE, error
from testkit.events import fn_event
from tests.functions.support import assert_failure, audit_lines, body, call
from tools import handlers

mapping = handlers.module("presigned_url", "mapping")
errors = handlers.module("presigned_url", "errors")

NOT_ENTITLED = "You are not entitled to any line of business."
GROUPS = {"studio-lob-a": ("lob-a",), "studio-lob-b": ("lob-b",), "studio-all": ("lob-a", "lob-b")}
NO_ROW = mapping.NO_ROW


def row(lob=None, profile=None, disabled=False):
    return mapping.UserRow(found=True, lob=lob, profile=profile, disabled=disabled)


def refusal(call_):
    with pytest.raises(errors.Failure) as raised:
        call_()
    return raised.value


# ---------------------------------------------------------------------------- pure: resolve


def test_groups_only():
    entitled = mapping.resolve("alice", ("studio-lob-b",), GROUPS, NO_ROW)
    assert (entitled.lobs, entitled.profile) == (("lob-b",), "alice")
    assert dict(entitled.sources) == {"lob-b": ("group:studio-lob-b",)}


def test_rows_only_as_before_groups():
    entitled = mapping.resolve("alice", (), GROUPS, row("lob-a", profile="data-scientist"))
    assert (entitled.lobs, entitled.profile) == (("lob-a",), "data-scientist")
    assert dict(entitled.sources) == {"lob-a": ("row",)}


def test_groups_and_a_row_add_up():
    entitled = mapping.resolve("alice", ("studio-lob-a",), GROUPS, row("lob-c"))
    assert entitled.lobs == ("lob-a", "lob-c")
    assert dict(entitled.sources) == {"lob-a": ("group:studio-lob-a",), "lob-c": ("row",)}
    entitled = mapping.resolve("alice", ("studio-all", "studio-lob-a"), GROUPS, row("lob-a"))
    assert entitled.lobs == ("lob-a", "lob-b")
    assert entitled.sources["lob-a"] == ("group:studio-all", "group:studio-lob-a", "row")


def test_a_row_without_lob_still_names_the_profile():
    entitled = mapping.resolve("alice", ("studio-lob-a",), GROUPS, row(None, profile="alice-2"))
    assert (entitled.lobs, entitled.profile) == (("lob-a",), "alice-2")


@pytest.mark.parametrize("groups", [(), ("studio-all",), ("studio-lob-a", "studio-lob-b")])
def test_disabled_wins_over_groups_and_rows(groups):
    failure = refusal(lambda: mapping.resolve("alice", groups, GROUPS, row("lob-a", disabled=True)))
    assert (failure.status, failure.outcome, failure.message) == (403, "user-disabled", "access refused")


def test_several_lobs_are_sorted_and_distinct():
    entitled = mapping.resolve("alice", ("studio-lob-b", "studio-all"), GROUPS, NO_ROW)
    assert entitled.lobs == ("lob-a", "lob-b")


def test_an_unknown_group_opens_nothing():
    failure = refusal(lambda: mapping.resolve("alice", ("admins", "studio-lob-x"), GROUPS, NO_ROW))
    assert (failure.status, failure.outcome, failure.message) == (403, "user-not-mapped", NOT_ENTITLED)
    assert "2 group(s) in the proof, 0 in the mapping" in failure.detail
    entitled = mapping.resolve("alice", ("admins", "studio-lob-a"), GROUPS, NO_ROW)
    assert entitled.lobs == ("lob-a",)


def test_a_mapping_naming_something_that_is_no_lob_name_opens_nothing():
    weird = {"g": ("#groups", "LOB-A", "lob-a")}
    assert mapping.resolve("alice", ("g",), weird, NO_ROW).lobs == ("lob-a",)


def test_group_names_match_exactly():
    failure = refusal(lambda: mapping.resolve("alice", ("Studio-Lob-A", "studio-lob-a "), GROUPS, NO_ROW))
    assert failure.outcome == "user-not-mapped"


def test_nothing_at_all_is_not_entitled():
    for nothing in (NO_ROW, row(None)):
        failure = refusal(lambda nothing=nothing: mapping.resolve("alice", (), {}, nothing))
        assert (failure.status, failure.message) == (403, NOT_ENTITLED)


# ---------------------------------------------------------------------------- pure: choosing


def entitled_to(*lobs):
    return mapping.Entitlement(tuple(lobs), "alice", {lob: ("row",) for lob in lobs})


def test_one_lob_needs_no_choice_and_may_be_named():
    assert mapping.choose_lob(entitled_to("lob-a"), None) == "lob-a"
    assert mapping.choose_lob(entitled_to("lob-a"), "lob-a") == "lob-a"


def test_several_lobs_and_no_choice_is_a_409_listing_their_names_only():
    failure = refusal(lambda: mapping.choose_lob(entitled_to("lob-a", "lob-b"), None))
    assert (failure.status, failure.outcome, failure.message) == (409, "choose-lob", "Choose a line of business.")
    assert failure.extra == {"lobs": ["lob-a", "lob-b"]}


def test_a_lob_not_theirs_is_403_generic():
    for lobs in (("lob-a",), ("lob-a", "lob-b")):
        failure = refusal(lambda lobs=lobs: mapping.choose_lob(entitled_to(*lobs), "lob-c"))
        assert (failure.status, failure.outcome, failure.message) == (403, "lob-not-entitled", "access refused")
        assert failure.extra == {}


# ---------------------------------------------------------------------------- pure: the items


def test_the_users_item_parses_into_a_row():
    assert mapping.parse_user_item(None) is NO_ROW and mapping.parse_user_item({}) is NO_ROW
    item = {"PK": {"S": "alice"}, "LOB": {"S": "lob-a"}, "PROFILE": {"S": "p"}, "DISABLED": {"BOOL": True}}
    assert mapping.parse_user_item(item) == row("lob-a", "p", disabled=True)
    assert mapping.parse_user_item({"PK": {"S": "alice"}}) == row()


def test_the_group_item_parses_and_a_bad_one_is_a_500():
    assert mapping.parse_group_item(None) == {}
    item = tables.typed(tables.group_map_item({"g": ["lob-b", "lob-a", "lob-a"]}))
    assert mapping.parse_group_item(item) == {"g": ("lob-a", "lob-b")}
    for text in ("not json", "[]", '{"g": "lob-a"}', '{"g": [1]}'):
        failure = refusal(lambda text=text: mapping.parse_group_item({"PK": {"S": "#groups"}, "GROUPS": {"S": text}}))
        assert (failure.status, failure.outcome) == (500, "bad-groups-item")
    failure = refusal(lambda: mapping.parse_group_item({"PK": {"S": "#groups"}}))
    assert failure.outcome == "bad-groups-item"


def test_the_mapping_text_is_stable():
    one = tables.group_map_text({"b": ["lob-b", "lob-a"], "a": ["lob-c"]})
    two = tables.group_map_text({"a": ["lob-c"], "b": ["lob-a", "lob-b", "lob-a"]})
    assert one == two == '{"a":["lob-c"],"b":["lob-a","lob-b"]}'


# ---------------------------------------------------------------------------- through the handler


@pytest.fixture
def groups(aws):
    """lob-a and lob-b mapped from groups; a domain in LOB B that knows the people below."""
    aws.put_groups({g: list(lobs) for g, lobs in GROUPS.items()})
    domain_b = aws.domains[(LOB_B, "sagemaker-domain-lob-b")]
    aws.profiles[(LOB_A, aws.domains[(LOB_A, "sagemaker-domain-lob-a")])] |= {"gina", "hans"}
    aws.profiles[(LOB_B, domain_b)] |= {"gina", "hans"}
    aws.calls.clear()
    return aws


def test_a_person_of_one_group_opens_its_lob_without_a_row(presigned, groups, capsys):
    response = call(presigned, fn_event("gina", groups=["studio-lob-b"]))
    assert response["statusCode"] == 302 and groups.presigned[-1]["account"] == LOB_B
    assert groups.operations() == [
        "GetItem",
        "GetItem",
        "GetItem",
        "AssumeRole",
        "ListDomains",
        "CreatePresignedDomainUrl",
    ]
    keys = [c.params["Key"]["PK"]["S"] for c in groups.calls if c.operation == "GetItem"]
    assert keys == ["gina", "#groups", "lob-b"]
    (line,) = audit_lines(capsys)
    assert line["lobs"] == ["lob-b"] and line["entitledBy"] == {"lob-b": ["group:studio-lob-b"]}


def test_a_person_of_two_lobs_must_choose_409_with_their_lob_names_only(presigned, groups, capsys):
    event = fn_event("gina", groups=["studio-all", "not-mapped"], headers={"Accept": "application/json"})
    response = call(presigned, event)
    assert response["statusCode"] == 409
    assert body(response) == {
        "message": "Choose a line of business.",
        "requestId": event["requestContext"]["requestId"],
        "lobs": ["lob-a", "lob-b"],
    }
    domains = [groups.domains[(LOB_A, "sagemaker-domain-lob-a")], groups.domains[(LOB_B, "sagemaker-domain-lob-b")]]
    for internal in (LOB_A, LOB_B, *domains, "sagemaker-domain", "not-mapped", "studio-all", "arn:"):
        assert internal not in response["body"]
    assert "AssumeRole" not in groups.operations() and groups.presigned == []
    assert audit_lines(capsys)[-1]["outcome"] == "choose-lob"


@pytest.mark.parametrize("lob, account", [("lob-a", LOB_A), ("lob-b", LOB_B)])
def test_lob_chooses_among_theirs(presigned, groups, lob, account):
    response = call(presigned, fn_event("gina", groups=["studio-all"], query={"lob": lob}))
    assert response["statusCode"] == 302 and groups.presigned[-1]["account"] == account
    assert groups.assume_role_calls()[-1]["SourceIdentity"] == "gina"


def test_accept_json_gets_the_url_of_the_chosen_lob(presigned, groups):
    event = fn_event("gina", groups=["studio-all"], query={"lob": "lob-b"}, headers={"Accept": "application/json"})
    response = call(presigned, event)
    assert response["statusCode"] == 200 and set(body(response)) == {"url", "expiresInSeconds"}
    assert body(response)["expiresInSeconds"] == 20 and groups.presigned[-1]["account"] == LOB_B


def test_a_lob_that_is_not_theirs_is_403_generic_and_assumes_nothing(presigned, groups, capsys):
    groups.put_lob("lob-c", LOB_C)
    for query in ({"lob": "lob-c"}, {"lob": "lob-x"}):
        assert_failure(presigned, fn_event("gina", groups=["studio-lob-a"], query=query), 403, "access refused")
    assert "AssumeRole" not in groups.operations()
    assert [line["outcome"] for line in audit_lines(capsys)] == ["lob-not-entitled"] * 2


@pytest.mark.parametrize("lob", ["LOB-A", "lob_a", "#groups", "a" * 40, "-x"])
def test_a_malformed_lob_is_400(presigned, groups, lob):
    assert_failure(presigned, fn_event("gina", groups=["studio-all"], query={"lob": lob}), 400, "lob: not a line")
    assert groups.calls == []


def test_one_lob_keeps_todays_meaning_with_or_without_lob(presigned, aws):
    assert call(presigned, fn_event())["statusCode"] == 302
    assert call(presigned, fn_event(query={"lob": "lob-a"}))["statusCode"] == 302
    assert_failure(presigned, fn_event(query={"lob": "lob-b"}), 403, "access refused")


def test_a_row_adds_a_lob_to_the_groups(presigned, groups):
    groups.put_user("hans", "lob-b")
    event = fn_event("hans", groups=["studio-lob-a"], headers={"Accept": "application/json"})
    response = call(presigned, event)
    assert response["statusCode"] == 409 and body(response)["lobs"] == ["lob-a", "lob-b"]


def test_disabled_wins_over_the_groups_before_any_role(presigned, groups, capsys):
    groups.dynamodb().put_item(TableName=USERS_TABLE, Item={"PK": {"S": "gina"}, "DISABLED": {"BOOL": True}})
    assert_failure(presigned, fn_event("gina", groups=["studio-all"], query={"lob": "lob-a"}), 403, "access refused")
    assert groups.operations() == ["GetItem"]  # the row alone: no mapping read, no role
    assert audit_lines(capsys)[-1]["outcome"] == "user-disabled"


def test_no_entitlement_says_so(presigned, groups):
    data = assert_failure(presigned, fn_event("gina", groups=["admins"]), 403, NOT_ENTITLED)
    assert data["message"] == NOT_ENTITLED


def test_the_group_mapping_is_read_only_for_a_proof_with_groups_and_then_cached(presigned, groups):
    call(presigned, fn_event())  # user-lob-a: a row, no groups
    keys = [c.params["Key"]["PK"]["S"] for c in groups.calls if c.operation == "GetItem"]
    assert "#groups" not in keys
    groups.calls.clear()
    call(presigned, fn_event("gina", groups=["studio-lob-a"]))
    call(presigned, fn_event("hans", groups=["studio-lob-a"]))
    keys = [c.params["Key"]["PK"]["S"] for c in groups.calls if c.operation == "GetItem"]
    assert keys.count("#groups") == 1 and [c.params["TableName"] for c in groups.calls[:2]] == [
        USERS_TABLE,
        LOBS_TABLE,
    ]


def test_a_warm_group_member_makes_one_aws_call(presigned, groups):
    call(presigned, fn_event("gina", groups=["studio-lob-a"]))
    groups.calls.clear()
    assert call(presigned, fn_event("gina", groups=["studio-lob-a"]))["statusCode"] == 302
    assert groups.operations() == ["CreatePresignedDomainUrl"]


def test_no_mapping_item_means_groups_open_nothing(presigned, aws):
    assert_failure(presigned, fn_event("gina", groups=["studio-lob-a"]), 403, NOT_ENTITLED)


def test_a_malformed_mapping_item_is_500(presigned, aws, capsys):
    aws.dynamodb().put_item(TableName=LOBS_TABLE, Item={"PK": {"S": "#groups"}, "GROUPS": {"S": "{oops"}})
    assert_failure(presigned, fn_event("gina", groups=["studio-lob-a"]), 500, "internal error")
    assert audit_lines(capsys)[-1]["outcome"] == "bad-groups-item"


def test_a_proof_without_groups_from_an_older_authorizer_still_opens_by_row(presigned, aws):
    from testkit import proofs

    fields = proofs.payload()
    del fields["groups"]
    assert call(presigned, fn_event(proof=proofs.make(fields)))["statusCode"] == 302


def test_groups_in_the_plain_context_count_for_nothing(presigned, groups):
    """Only the proof's groups count: a context that claims more is not signed."""
    event = fn_event("gina", groups=["studio-lob-a"], query={"lob": "lob-b"})
    event["requestContext"]["authorizer"]["groups"] = json.dumps(["studio-all"])
    assert_failure(presigned, event, 403, "access refused")


@pytest.mark.parametrize("value", ["studio-all", [1], {"a": 1}])
def test_a_signed_proof_with_groups_of_the_wrong_shape_is_refused(presigned, aws, value):
    from testkit import proofs

    fields = {**proofs.payload(), "groups": value}
    assert_failure(presigned, fn_event(proof=proofs.make(fields)), 403, "access refused")
    assert aws.calls == []


def test_assume_role_refused_for_the_chosen_lob_is_502(presigned, groups):
    groups.overrides["sts.AssumeRole"] = lambda params: error(403, "AccessDenied", "no")
    event = fn_event("gina", groups=["studio-all"], query={"lob": "lob-b"})
    assert_failure(presigned, event, 502, "could not reach your line of business")
