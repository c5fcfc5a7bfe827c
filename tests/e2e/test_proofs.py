"""The proof of a signed-in person end to end: the authorizer signs with the key in moto's KMS, the
presigned-URL function checks it with the key's public key; a direct invocation with a hand-made
or replayed event gets no URL and makes no AssumeRole; every AssumeRole names the person.

Uses the module-scoped world of tests/e2e/conftest.py (runs after test_access_path.py)."""

from __future__ import annotations

import copy
import json
import uuid

from contracts import proof
from testkit import proofs
from tools import handlers

from .conftest import LOBS, TEMPORARY_PASSWORD, USERS
from .gateway import LambdaContext
from .test_access_path import NEW_PASSWORD, assert_own_studio, cached, login, studio_url_parts

_changed: set[int] = set()  # worlds in which user-lob-a has changed the temporary password


def login_as(world, cache: str, user: str):
    """Sign in; user-lob-a first changes the temporary password (once per world)."""
    if user != "user-lob-a":
        return login(world, cache, user)
    if id(world) not in _changed:
        secrets = [TEMPORARY_PASSWORD, NEW_PASSWORD, NEW_PASSWORD]
        _changed.add(id(world))
    else:
        secrets = [NEW_PASSWORD]
    code, _, err = world.run(cache, "login", "--username", user, secrets=secrets)
    assert code == 0, err
    return cached(world, cache)


def direct(world, event: dict) -> dict:
    """A direct invocation of the presigned-URL function (lambda:InvokeFunction), no gateway."""
    return world.gateway.integration(event, LambdaContext("presigned-url", str(uuid.uuid4())))


def own_event(world, cache: str, user: str) -> tuple[dict, str]:
    """A real request of ``user`` through the gateway, and the event the function was given."""
    session = login_as(world, cache, user)
    status, headers, _ = world.get(user, {"Authorization": f"Bearer {session.access_token}"})
    assert status == 302, headers
    return copy.deepcopy(world.gateway.proxy_events[-1]), session.access_token


def test_the_authorizer_signs_with_the_kms_key_and_the_function_takes_the_person_from_it(world):
    event, token = own_event(world, "p1", "user-lob-b")
    signed = event["requestContext"]["authorizer"][proof.CONTEXT_KEY]
    payload = proofs.read(signed)
    assert payload["username"] == "user-lob-b" and payload["tokenSha256"] == proof.token_sha256(token)
    assert (payload["apiId"], payload["stage"]) == ("e2eapi0001", "dev")
    assert payload["resources"] == ["GET/user-lob-b", "GET/user-lob-b/targets"]
    assert payload["exp"] - payload["iat"] == 120
    kms = world.admin.client("kms", world.endpoint)
    key_arn = handlers.module("authorizer", "handler").state().settings.proof_key_id
    part, signature = proof.split(signed)
    verified = kms.verify(
        KeyId=key_arn,
        Message=part.encode(),
        MessageType="RAW",
        Signature=signature,
        SigningAlgorithm=proof.SIGNING_ALGORITHM,
    )
    assert verified["SignatureValid"] is True


def test_kms_signs_only_on_an_authorizer_cache_miss(world):
    session = login(world, "p2", "user-lob-b")
    bearer = {"Authorization": f"Bearer {session.access_token}"}
    kms = handlers.module("authorizer", "handler").state().kms
    calls, signs = world.gateway.authorizer_calls, kms.calls
    for _ in range(3):
        assert world.get("user-lob-b", bearer)[0] == 302
    assert world.gateway.authorizer_calls == calls + 1 and kms.calls == signs + 1


def test_a_hand_made_direct_invocation_gets_no_url_and_assumes_no_role(world):
    event, _ = own_event(world, "p3", "user-lob-a")
    before = len(world.fakes.assume_role_calls), len(world.fakes.presigned_calls)
    forged = copy.deepcopy(event)
    forged["requestContext"]["authorizer"] = {"principalId": "x", "username": "user-lob-b", "sub": "x"}
    forged["pathParameters"] = {"user_id": "user-lob-b"}
    for variant in (forged, {**forged, "headers": {}, "multiValueHeaders": {}}):
        answer = direct(world, variant)
        assert answer["statusCode"] == 403 and json.loads(answer["body"])["message"] == "access refused"
    assert (len(world.fakes.assume_role_calls), len(world.fakes.presigned_calls)) == before


def test_a_replayed_proof_gets_no_url(world):
    """A's event, captured (logs, a debugging session), replayed directly: with B's token and path,
    with A's path but another API or stage, with the proof tampered to name B."""
    event, _ = own_event(world, "p4", "user-lob-a")
    other, other_token = own_event(world, "p5", "user-lob-b")
    before = len(world.fakes.assume_role_calls), len(world.fakes.presigned_calls)
    replays = []
    with_bs_token = copy.deepcopy(event)
    with_bs_token["headers"]["Authorization"] = with_bs_token["multiValueHeaders"]["Authorization"][0] = (
        f"Bearer {other_token}"
    )
    replays.append(with_bs_token)
    bs_path = copy.deepcopy(event)
    bs_path["pathParameters"] = {"user_id": "user-lob-b"}
    bs_path["requestContext"]["authorizer"]["username"] = "user-lob-b"
    replays.append(bs_path)
    for key, value in (("apiId", "otherapi01"), ("stage", "prod")):
        elsewhere = copy.deepcopy(event)
        elsewhere["requestContext"][key] = value
        replays.append(elsewhere)
    tampered = copy.deepcopy(other)
    tampered["requestContext"]["authorizer"][proof.CONTEXT_KEY] = proofs.tampered(
        event["requestContext"]["authorizer"][proof.CONTEXT_KEY], username="user-lob-b", resources=["GET/user-lob-b"]
    )
    replays.append(tampered)
    for replay in replays:
        assert direct(world, replay)["statusCode"] == 403
    assert (len(world.fakes.assume_role_calls), len(world.fakes.presigned_calls)) == before
    # the genuine event, replayed as it was, is the person's own request again: their own Studio
    assert_own_studio(direct(world, event)["headers"]["Location"], "user-lob-a", "lob-a")


def test_spaces_shared_or_own_private_only(world):
    login(world, "p6", "user-lob-b")
    for space in ("team-space", "bobs-notes"):
        code, out, err = world.run("p6", "open", "--print", "--space", space)
        assert code == 0, err
        assert studio_url_parts(out.strip())["space"] == space
    code, _, err = world.run("p6", "open", "--print", "--space", "someone-elses")
    assert code == 4 and "access refused" in err
    assert "someone-elses" not in [p.get("SpaceName") for p in world.fakes.presigned_calls]
    code, _, err = world.run("p6", "open", "--print", "--space", "no-such-space")
    assert code != 0


def test_zz_every_assume_role_carried_the_persons_source_identity(world):
    """Last in the module: every AssumeRole the function made in all the tests named the person."""
    calls = world.fakes.assume_role_calls
    assert calls
    for call in calls:
        assert call["SourceIdentity"] == call["RoleSessionName"] and call["SourceIdentity"] in USERS, call
        account = call["RoleArn"].split(":")[4]
        assert LOBS[USERS[call["SourceIdentity"]]][0] == account, call  # the person's own LOB's role
    assert {c["SourceIdentity"] for c in calls} >= {"user-lob-a", "user-lob-b"}
