"""The presigned-URL function as the plan deploys it, against forged events.

Its environment is the one the offline plan of tests/fixtures/two-lobs gives the planned Lambda
function (the proofs' public key included: the mocks' KMS key, `tools/mock_keys.py`), plus the
AWS_REGION Lambda adds; its tables hold the items the plan writes (moto). A principal who may
invoke the function and read that configuration sends what it can make: no token, a valid token
of person A with B's path and context, A's proof replayed with another token, a proof for
another API or stage, a tampered proof, a proof signed with a key of its own. None gets a URL or
an AssumeRole call. The legitimate request (a proof from the planned key, as the authorizer's
KMS Sign would make it) works, and its AssumeRole carries the person as SourceIdentity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from components import outputs
from contracts import lambda_env, presigned_url_env, proof, tags
from testkit import aws as emulated_aws
from testkit import env, proofs
from testkit.events import fn_event, token_for
from tests.conftest import resources
from tests.functions.support import body, call
from tools import handlers, mock_keys

LAMBDA = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
TABLE_ITEM = "aws:dynamodb/tableItem:TableItem"


def _planned_function_env(shared: Any) -> dict[str, str]:
    (fn,) = [r for r in resources(shared, LAMBDA) if r.inputs["tags"][tags.FUNCTION_TAG] == tags.PRESIGNED_URL_FUNCTION]
    return dict(fn.inputs["environment"]["variables"])


def _private(public_der_b64: str) -> rsa.RSAPrivateKey:
    """The private half of the planned key (the mocks' KMS key): what only KMS would hold."""
    pair = mock_keys.private_key_for(public_der_b64)
    p, q, d = pair.p, pair.q, pair.d
    numbers = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(pair.e, pair.n),
    )
    return numbers.private_key()


@pytest.fixture(scope="module")
def deployed(planned) -> dict[str, Any]:
    """What the plan deploys for the function: its environment, API, tables and items."""
    shared = planned["shared"]
    function_env = _planned_function_env(shared)
    items = [(r.inputs["tableName"], json.loads(r.inputs["item"])) for r in resources(shared, TABLE_ITEM)]
    return {
        "env": {**function_env, presigned_url_env.AWS_REGION.name: shared.outputs[outputs.REGION]},
        "api_id": shared.outputs[outputs.API_ID],
        "stage": shared.loaded.config.access.api.stage,
        "tables": [r.outputs["name"] for r in resources(shared, TABLE)],
        "items": items,
        "key": _private(function_env[presigned_url_env.PROOF_PUBLIC_KEY.name]),
        "role_name": function_env[presigned_url_env.ACCESS_ROLE_NAME.name],
    }


@pytest.fixture
def world(monkeypatch, presigned, deployed):
    """moto with the planned tables and items; lob-a's account (222222222222) holds the domain of
    user-lob-a, lob-b's (333333333333) one of user-lob-b; the function's environment is the plan's."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", *env.names(presigned_url_env, lambda_env)):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**emulated_aws.CREDENTIALS, **deployed["env"]}.items():
        monkeypatch.setenv(name, value)
    with emulated_aws.emulated() as world:
        existing = set(world.dynamodb().list_tables()["TableNames"])
        emulated_aws.create_tables(world.dynamodb(), *(t for t in deployed["tables"] if t not in existing))
        for table, item in deployed["items"]:
            world.dynamodb().put_item(TableName=table, Item=item)
        domain = world.domains[(emulated_aws.LOB_B, "sagemaker-domain-lob-b")]
        world.profiles[(emulated_aws.LOB_B, domain)].add("user-lob-a")
        world.create_domain(emulated_aws.LOB_C, "sagemaker-domain-b", profiles=["user-lob-b"])
        world.calls.clear()
        handlers.reset("presigned_url")
        try:
            yield world
        finally:
            handlers.reset("presigned_url")


def event(deployed, user: str, path_user: str | None = None, **kw: Any) -> dict[str, Any]:
    """A request as API Gateway would pass it for the planned API, with a proof the planned key signed
    (the authorizer's KMS Sign) unless ``proof`` is given."""
    token = kw.pop("token", token_for(user))
    api_id, stage = kw.pop("api_id", deployed["api_id"]), kw.pop("stage", deployed["stage"])
    if "proof" not in kw:
        kw["proof"] = proofs.make(
            private=deployed["key"], username=user, token=token, api_id=deployed["api_id"], stage=deployed["stage"]
        )
    return fn_event(user, path_user, token=token, api_id=api_id, stage=stage, **kw)


def assert_nothing_happened(presigned, world, forged: dict[str, Any]) -> None:
    response = call(presigned, forged)
    assert response["statusCode"] == 403 and body(response)["message"] == "access refused", response
    assert "Location" not in response["headers"] and "url" not in body(response)
    assert "AssumeRole" not in world.operations() and world.presigned == []
    assert world.calls == []  # not even a table read


def test_the_legitimate_request_gets_its_own_studio_as_the_person(presigned, world, deployed):
    response = call(presigned, event(deployed, "user-lob-a"))
    assert response["statusCode"] == 302
    (assumed,) = world.assume_role_calls()
    assert assumed["RoleArn"] == f"arn:aws:iam::{emulated_aws.LOB_B}:role/{deployed['role_name']}"
    assert assumed["SourceIdentity"] == assumed["RoleSessionName"] == "user-lob-a"
    assert world.presigned[-1]["UserProfileName"] == "user-lob-a"


def test_no_token(presigned, world, deployed):
    forged = event(deployed, "user-lob-b", proof=None)
    del forged["headers"]["Authorization"], forged["multiValueHeaders"]["Authorization"]
    assert_nothing_happened(presigned, world, forged)


def test_a_valid_token_of_a_with_bs_path_and_context(presigned, world, deployed):
    forged = event(deployed, "user-lob-a", path_user="user-lob-b")
    forged["requestContext"]["authorizer"]["username"] = "user-lob-b"
    assert_nothing_happened(presigned, world, forged)


def test_a_replayed_proof(presigned, world, deployed):
    captured = event(deployed, "user-lob-a")["requestContext"]["authorizer"][proof.CONTEXT_KEY]
    for token in ("another-token", token_for("user-lob-b")):
        assert_nothing_happened(presigned, world, event(deployed, "user-lob-a", token=token, proof=captured))


@pytest.mark.parametrize("where", [{"api_id": "otherapi01"}, {"stage": "other"}])
def test_a_proof_for_another_api_or_stage(presigned, world, deployed, where):
    forged = event(deployed, "user-lob-a", **where)  # the proof says the planned API; the event another
    assert_nothing_happened(presigned, world, forged)


def test_a_tampered_proof(presigned, world, deployed):
    genuine = event(deployed, "user-lob-a", token=token_for("user-lob-b"))["requestContext"]["authorizer"]["proof"]
    forged = proofs.tampered(genuine, username="user-lob-b", resources=["GET/user-lob-b"])
    assert_nothing_happened(presigned, world, event(deployed, "user-lob-b", proof=forged))


def test_a_proof_signed_with_a_key_of_ones_own(presigned, world, deployed):
    own = proofs.make(
        private=proofs.key("attacker"),
        username="user-lob-b",
        token=token_for("user-lob-b"),
        api_id=deployed["api_id"],
        stage=deployed["stage"],
    )
    assert_nothing_happened(presigned, world, event(deployed, "user-lob-b", proof=own))
