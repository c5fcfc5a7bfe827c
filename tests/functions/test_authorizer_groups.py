"""The authorizer's two grown properties (issue 15): its policy allows exactly the person's own two
paths, `GET /<username>` and `GET /<username>/targets`, and nothing else however API Gateway
evaluates it; and the proof carries the person's groups (`GROUPS_CLAIM`), signed, bounded by what
KMS signs."""

from __future__ import annotations

import base64
import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import proof
from testkit.events import auth_event
from testkit.tokens import cognito_claims, sign
from tests.e2e.gateway import evaluate_policy
from tests.functions.support import allow, bearer
from tests.functions.test_authorizer_proof import proof_of
from tools import handlers

INVOKE = "execute-api:Invoke"
PREFIX = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/"


# ---------------------------------------------------------------------------- exactly two paths


def test_one_statement_allowing_exactly_the_two_resources(authorizer, auth_env, key):
    result = allow(authorizer, bearer(sign(key, cognito_claims())))
    (statement,) = result["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": [PREFIX + "GET/user-lob-a", PREFIX + "GET/user-lob-a/targets"],
    }
    assert proof_of(result)["resources"] == list(proof.allowed_resources("user-lob-a"))


# What a caller could try with a token of `user`: every other method ARN is refused by the policy.
def _neighbours(user: str) -> list[str]:
    return [
        PREFIX + f"GET/{user}/targets/x",
        PREFIX + f"GET/{user}/other",
        PREFIX + f"GET/{user}x",
        PREFIX + f"GET/{user}x/targets",
        PREFIX + f"GET/x{user}",
        PREFIX + f"POST/{user}",
        PREFIX + f"DELETE/{user}/targets",
        PREFIX + "GET/",
        PREFIX + "GET/someone-else",
        PREFIX + "GET/someone-else/targets",
        PREFIX + f"GET/someone-else/{user}",
        f"arn:aws:execute-api:us-east-1:111122223333:abcdef1234/prod/GET/{user}",
        f"arn:aws:execute-api:us-east-1:111122223333:otherapi01/dev/GET/{user}/targets",
    ]


_USERNAME = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.@+=,!#%&~" + "äöüßéñ", min_size=1, max_size=40
).filter(lambda u: u not in ("someone-else",))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(username=_USERNAME)
def test_the_policy_allows_the_two_own_paths_and_nothing_else(authorizer, auth_env, key, username):
    """Evaluated as IAM does (wildcards, explicit deny, implicit deny): the own path and its
    targets are allowed; the targets' children, longer or shorter names, other methods, other
    people, other stages and APIs are not."""
    result = allow(authorizer, bearer(sign(key, cognito_claims(username))))
    policy = result["policyDocument"]
    for allowed in (PREFIX + f"GET/{username}", PREFIX + f"GET/{username}/targets"):
        assert evaluate_policy(policy, INVOKE, allowed) == "Allow", allowed
    for other in _neighbours(username):
        assert evaluate_policy(policy, INVOKE, other) == "ImplicitDeny", other
    assert evaluate_policy(policy, "execute-api:ManageConnections", PREFIX + f"GET/{username}") == "ImplicitDeny"


def test_the_same_policy_whichever_of_the_two_paths_was_called(authorizer, auth_env, key):
    """API Gateway caches one answer per token: the policy must not depend on the path that asked."""
    token = bearer(sign(key, cognito_claims()))
    first = allow(authorizer, token, method_arn=PREFIX + "GET/user-lob-a")
    second = allow(authorizer, token, method_arn=PREFIX + "GET/user-lob-a/targets")
    assert first["policyDocument"] == second["policyDocument"]
    assert proof_of(first)["resources"] == proof_of(second)["resources"]


# ---------------------------------------------------------------------------- groups in the proof


def test_cognito_groups_are_signed_sorted_and_distinct(authorizer, auth_env, key):
    claims = cognito_claims(**{"cognito:groups": ["studio-lob-b", "studio-lob-a", "studio-lob-b"]})
    assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == ["studio-lob-a", "studio-lob-b"]


def test_the_groups_claim_is_configurable(authorizer, auth_env, key):
    auth_env.setenv("GROUPS_CLAIM", "groups")
    handlers.reset("authorizer")
    claims = cognito_claims(groups=["Data Science"], **{"cognito:groups": ["ignored"]})
    assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == ["Data Science"]
    claims = cognito_claims(groups="one-group")  # some issuers send a single group as a string
    assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == ["one-group"]


def test_an_empty_groups_claim_reads_no_groups(authorizer, auth_env, key):
    auth_env.setenv("GROUPS_CLAIM", "")
    handlers.reset("authorizer")
    claims = cognito_claims(**{"cognito:groups": ["studio-lob-a"]})
    assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == []


def test_groups_of_another_shape_are_none_never_a_refusal(authorizer, auth_env, key):
    for value in (7, {"a": 1}, None, [1, None, {"x": 1}], True):
        claims = cognito_claims(**{"cognito:groups": value})
        assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == []
    bad = ["", "x" * (proof.MAX_GROUP_LENGTH + 1), "tab\there", "new\nline", 5, "ok"]
    claims = cognito_claims(**{"cognito:groups": bad})
    assert proof_of(allow(authorizer, bearer(sign(key, claims))))["groups"] == ["ok"]


def test_more_groups_than_a_proof_holds_are_cut_to_fit_and_logged(authorizer, auth_env, key, kms_server, capsys):
    groups = [f"corporate-group-{i:04d}-{'x' * 24}" for i in range(100)]
    claims = cognito_claims(**{"cognito:groups": list(reversed(groups))})
    capsys.readouterr()
    payload = proof_of(allow(authorizer, bearer(sign(key, claims))))
    kept = payload["groups"]
    assert 0 < len(kept) < len(groups) and kept == groups[: len(kept)]  # the first ones, sorted
    message = kms_server.requests[-1]["body"]["Message"]
    assert len(base64.b64decode(message)) <= proof.MAX_PAYLOAD_BYTES
    one_more = proof.encode_payload({**payload, "groups": groups[: len(kept) + 1]})
    assert len(one_more) > proof.MAX_PAYLOAD_BYTES  # as many as fit, not fewer
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (warning,) = [line for line in lines if line["event"] == "groups-truncated"]
    assert warning["dropped"] == len(groups) - len(kept) and warning["level"] == "WARNING"
    assert not any("corporate-group" in json.dumps(line) for line in lines)  # names are not logged


def test_the_groups_count_is_logged_never_the_names(authorizer, auth_env, key, capsys):
    claims = cognito_claims(**{"cognito:groups": ["secret-project-x", "studio-lob-a"]})
    capsys.readouterr()
    allow(authorizer, bearer(sign(key, claims)))
    out = capsys.readouterr().out
    assert "secret-project-x" not in out
    (allowed,) = [json.loads(line) for line in out.splitlines() if '"allowed"' in line]
    assert allowed["groups"] == 2


def test_groups_never_widen_the_policy(authorizer, auth_env, key):
    claims = cognito_claims(**{"cognito:groups": ["*", "admins", "GET/*"]})
    result = allow(authorizer, bearer(sign(key, claims)), method_arn=PREFIX + "GET/user-lob-a")
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        PREFIX + "GET/user-lob-a",
        PREFIX + "GET/user-lob-a/targets",
    ]
    assert set(result["context"]) == {"username", "sub", "clientId", "proof"}


def test_the_event_path_does_not_matter_for_the_groups(authorizer, auth_env, key):
    claims = cognito_claims(**{"cognito:groups": ["g"]})
    event = auth_event(bearer(sign(key, claims)), method_arn=PREFIX + "GET/user-lob-a/targets")
    assert proof_of(authorizer.handler(event, None))["groups"] == ["g"]
