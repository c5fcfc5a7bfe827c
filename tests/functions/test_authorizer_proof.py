"""The authorizer's proof of a signed-in person: what it says, how long it holds, how it is signed
(KMS Sign over SigV4, checked by the loopback KMS with botocore's signer), and what a failing
KMS does; the OIDC checks that decide whether there is a person at all (email_verified, typ)."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from contracts import proof
from testkit import proofs
from testkit.events import auth_event
from testkit.kms import ACCESS_KEY, KEY_ARN
from testkit.tokens import cognito_claims, raw_token, sign
from tests.functions.support import allow, bearer, refused
from tools import handlers

handler_module = handlers.module("authorizer", "handler")
kms_module = handlers.module("authorizer", "kms")


def proof_of(result: dict) -> dict:
    """The proof's payload, after checking its signature with the KMS key's public key."""
    signed = result["context"][proof.CONTEXT_KEY]
    part, signature = proof.split(signed)
    proofs.key().public_key().verify(signature, part.encode(), padding.PKCS1v15(), hashes.SHA256())
    return proof.decode_payload(part)


# ---------------------------------------------------------------------------- what it says


def test_the_proof_names_the_person_the_api_the_resources_and_the_token(authorizer, auth_env, key, kms_server):
    token = sign(key, cognito_claims())
    before = int(time.time())
    payload = proof_of(allow(authorizer, bearer(token)))
    assert set(payload) == set(proof.FIELDS)
    assert payload[proof.VERSION] == 1
    assert (payload["username"], payload["sub"]) == ("user-lob-a", "0a1b2c3d-1111-2222-3333-444455556666")
    assert (payload["apiId"], payload["stage"]) == ("abcdef1234", "dev")
    assert payload["resources"] == ["GET/user-lob-a", "GET/user-lob-a/targets"]
    assert payload["groups"] == []  # cognito_claims() has no cognito:groups
    assert payload["tokenSha256"] == proof.token_sha256(token)
    assert before <= payload["iat"] <= int(time.time())
    assert payload["exp"] == payload["iat"] + 120  # the default authorizer TTL, before the token's exp
    (request,) = kms_server.requests
    assert request["body"]["KeyId"] == KEY_ARN
    assert (request["body"]["SigningAlgorithm"], request["body"]["MessageType"]) == (
        "RSASSA_PKCS1_V1_5_SHA_256",
        "RAW",
    )
    assert request["headers"]["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")


def test_the_message_kms_signs_is_the_proofs_payload_part(authorizer, auth_env, key, kms_server):
    result = allow(authorizer, bearer(sign(key, cognito_claims())))
    part, _ = proof.split(result["context"][proof.CONTEXT_KEY])
    assert base64.b64decode(kms_server.requests[-1]["body"]["Message"]) == part.encode()


def test_the_proof_never_outlives_the_token(authorizer, auth_env, key):
    exp = int(time.time()) + 45
    payload = proof_of(allow(authorizer, bearer(sign(key, cognito_claims(exp=exp)))))
    assert payload["exp"] == exp


@pytest.mark.parametrize("ttl, lifetime", [("0", 30), ("10", 30), ("300", 300), ("3600", 3600)])
def test_the_proof_lives_as_long_as_api_gateways_cache_at_least_30_s(authorizer, auth_env, key, ttl, lifetime):
    auth_env.setenv("PROOF_TTL_SECONDS", ttl)
    handlers.reset("authorizer")
    claims = cognito_claims(exp=int(time.time()) + 7200)
    payload = proof_of(allow(authorizer, bearer(sign(key, claims))))
    assert payload["exp"] - payload["iat"] == lifetime


def test_one_kms_sign_per_call_over_one_kept_connection(authorizer, auth_env, key, kms_server):
    token = sign(key, cognito_claims())
    allow(authorizer, bearer(token))
    connection = handler_module.state().kms._connection
    assert connection is not None
    for _ in range(3):
        allow(authorizer, bearer(token))
    assert len(kms_server.requests) == 4
    assert handler_module.state().kms._connection is connection


def test_a_connection_lost_while_frozen_is_reopened_once(authorizer, auth_env, key, kms_server):
    token = sign(key, cognito_claims())
    allow(authorizer, bearer(token))
    kms = handler_module.state().kms
    kms._connection.sock.close()  # what a container thawed after KMS closed the idle connection sees
    assert proof_of(allow(authorizer, bearer(token)))["username"] == "user-lob-a"
    assert len(kms_server.requests) == 2


def test_the_proof_is_not_logged(authorizer, auth_env, key, capsys):
    result = allow(authorizer, bearer(sign(key, cognito_claims())))
    out = capsys.readouterr().out
    signed = result["context"][proof.CONTEXT_KEY]
    assert signed not in out and signed.split(".")[1] not in out


# ---------------------------------------------------------------------------- KMS failing


def kms_fails(authorizer, key, capsys) -> dict:
    capsys.readouterr()
    with pytest.raises(Exception) as error:
        authorizer.handler(auth_event(bearer(sign(key, cognito_claims()))), None)
    assert str(error.value) != "Unauthorized"  # API Gateway answers 500: the token was good
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return next(line for line in lines if line["event"] == "proof-signing-failed")


def test_kms_refusing_is_a_500_never_an_allow(authorizer, auth_env, key, kms_server, capsys):
    kms_server.failures = [(400, "AccessDeniedException")]
    line = kms_fails(authorizer, key, capsys)
    assert line["error"] == "KMS AccessDeniedException (400)" and line["sub"]
    assert len(kms_server.requests) == 1  # no retry of a refusal


def test_kms_throttling_is_retried_once(authorizer, auth_env, key, kms_server, capsys):
    kms_server.failures = [(400, "ThrottlingException")]
    assert proof_of(allow(authorizer, bearer(sign(key, cognito_claims()))))
    assert len(kms_server.requests) == 2
    kms_server.requests.clear()
    kms_server.failures = [(500, "KMSInternalException"), (500, "KMSInternalException")]
    assert kms_fails(authorizer, key, capsys)["error"] == "KMS KMSInternalException (500)"
    assert len(kms_server.requests) == 2


def test_kms_unreachable_is_a_500(authorizer, auth_env, key, capsys):
    auth_env.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:9")  # discard: nothing listens
    handlers.reset("authorizer")
    assert kms_fails(authorizer, key, capsys)["error"].startswith("network error")


def test_no_credentials_is_a_500(authorizer, auth_env, key, capsys):
    auth_env.delenv("AWS_SECRET_ACCESS_KEY")
    assert kms_fails(authorizer, key, capsys)["error"] == "no AWS credentials in the environment"


def test_a_bad_signature_of_the_request_is_refused_by_kms(authorizer, auth_env, key, kms_server, capsys):
    """The loopback KMS checks SigV4 with botocore's signer: another secret does not pass."""
    kms_server.secret = "another-secret"
    try:
        assert kms_fails(authorizer, key, capsys)["error"] == "KMS InvalidSignatureException (400)"
    finally:
        kms_server.secret = "authorizer-secret"


# ---------------------------------------------------------------------------- who is a person (OIDC checks)


def test_email_verified_is_required_when_configured(authorizer, auth_env, key, capsys):
    auth_env.setenv("USERNAME_CLAIM", "email")
    auth_env.setenv("REQUIRE_EMAIL_VERIFIED", "true")
    handlers.reset("authorizer")
    base = cognito_claims(username=None, email="alice@example.com")
    for verified in (True, "true", "True"):
        assert allow(authorizer, bearer(sign(key, {**base, "email_verified": verified})))["context"]["username"] == (
            "alice@example.com"
        )
    for verified in (False, "false", None, 1, "yes"):
        claims = {**base, "email_verified": verified} if verified is not None else base
        assert refused(authorizer, capsys, auth_event(bearer(sign(key, claims)))) == "email not verified"


def test_email_verified_is_not_checked_unless_configured(authorizer, auth_env, key):
    claims = cognito_claims(email_verified=False)
    assert allow(authorizer, bearer(sign(key, claims)))["context"]["username"] == "user-lob-a"


@pytest.mark.parametrize("typ", ["at+jwt", "at+JWT", "application/at+jwt", "Application/AT+JWT"])
def test_rfc_9068_typ_passes_when_required(authorizer, auth_env, key, typ):
    auth_env.setenv("REQUIRED_TOKEN_TYPE", "at+jwt")
    handlers.reset("authorizer")
    assert allow(authorizer, bearer(sign(key, cognito_claims(), headers={"typ": typ})))["principalId"]


@pytest.mark.parametrize(
    "typ, reason",
    [
        ("JWT", "token typ is not at+jwt"),
        ("jwt", "token typ is not at+jwt"),
        ("", "token typ is not at+jwt"),
        ("at+jwt2", "token typ is not at+jwt"),
        ("application/jwt", "token typ is not at+jwt"),
        (None, "malformed token header (typ of the wrong type)"),
        (7, "malformed token header (typ of the wrong type)"),
    ],
)
def test_another_typ_is_refused_when_at_jwt_is_required(authorizer, auth_env, key, capsys, typ, reason):
    auth_env.setenv("REQUIRED_TOKEN_TYPE", "at+jwt")
    handlers.reset("authorizer")
    token = sign(key, cognito_claims(), headers={"typ": typ})
    assert refused(authorizer, capsys, auth_event(bearer(token))) == reason


def test_a_token_without_typ_is_refused_when_at_jwt_is_required(authorizer, auth_env, capsys):
    auth_env.setenv("REQUIRED_TOKEN_TYPE", "at+jwt")
    handlers.reset("authorizer")
    untyped = raw_token({"alg": "RS256", "kid": "key-1"}, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(untyped))) == "token typ is not at+jwt"


def test_typ_is_not_checked_unless_configured(authorizer, auth_env, key):
    assert allow(authorizer, bearer(sign(key, cognito_claims(), headers={"typ": "JWT"})))["principalId"]
