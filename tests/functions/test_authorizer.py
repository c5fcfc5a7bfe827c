"""The REQUEST authorizer: the adversarial categories of aws-jwt-verify's and PyJWT's suites (the good
path, algorithms, kid, claims, token shape) and the header, through ``handler``."""

from __future__ import annotations

import json
import time

import pytest

from testkit import proofs
from testkit.events import METHOD_ARN, auth_event
from testkit.tokens import (
    CLIENT_ID,
    ISSUER,
    Key,
    b64,
    b64json,
    cognito_claims,
    ec_key,
    hs256_with_public_key,
    raw_token,
    rsa_key,
    sign,
)
from tests.functions.support import allow, bearer, refused
from tools import handlers

cache = handlers.module("authorizer", "cache")
errors = handlers.module("authorizer", "errors")
fetch = handlers.module("authorizer", "fetch")
jwk = handlers.module("authorizer", "jwk")
settings = handlers.module("authorizer", "settings")
verify = handlers.module("authorizer", "verify")


# ---------------------------------------------------------------------------- the good path


def test_a_cognito_access_token_gets_exactly_get_on_its_own_username_and_targets(authorizer, auth_env, key):
    result = allow(authorizer, bearer(sign(key, cognito_claims())))
    proof = result["context"].pop("proof")  # the signed decision: test_authorizer_proof.py
    assert proofs.read(proof)["username"] == "user-lob-a"
    assert result == {
        "principalId": "0a1b2c3d-1111-2222-3333-444455556666",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": [
                        "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a",
                        "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a/targets",
                    ],
                }
            ],
        },
        "context": {"username": "user-lob-a", "sub": "0a1b2c3d-1111-2222-3333-444455556666", "clientId": CLIENT_ID},
    }
    assert all(isinstance(v, str) for v in result["context"].values())


def test_the_policy_names_the_token_user_whatever_path_was_called(authorizer, auth_env, key):
    """API Gateway caches the policy per token: it must fit this user's requests and no other."""
    other_path = "arn:aws:execute-api:eu-north-1:444455556666:zzz999/prod/GET/user-lob-b"
    result = allow(authorizer, bearer(sign(key, cognito_claims())), method_arn=other_path)
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws:execute-api:eu-north-1:444455556666:zzz999/prod/GET/user-lob-a",
        "arn:aws:execute-api:eu-north-1:444455556666:zzz999/prod/GET/user-lob-a/targets",
    ]


def test_the_partition_comes_from_the_method_arn(authorizer, auth_env, key):
    arn = "arn:aws-cn:execute-api:cn-north-1:111122223333:abc/dev/GET/x"
    result = allow(authorizer, bearer(sign(key, cognito_claims())), method_arn=arn)
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        "arn:aws-cn:execute-api:cn-north-1:111122223333:abc/dev/GET/user-lob-a",
        "arn:aws-cn:execute-api:cn-north-1:111122223333:abc/dev/GET/user-lob-a/targets",
    ]


@pytest.mark.parametrize(
    "arn",
    ["", "arn:aws:lambda:us-east-1:111122223333:function:x", "arn:aws:execute-api:us-east-1:1234:abc/dev/GET/x", None],
)
def test_a_malformed_method_arn_is_refused(authorizer, auth_env, key, capsys, arn):
    event = auth_event(bearer(sign(key, cognito_claims())), method_arn=arn)
    assert refused(authorizer, capsys, event) == "methodArn is not an execute-api method ARN"


def test_an_ec_key_set_works_too(authorizer, auth_env, jwks_server):
    ec = ec_key("ec-1")
    jwks_server.set_keys(ec)
    assert allow(authorizer, bearer(sign(ec, cognito_claims())))["context"]["username"] == "user-lob-a"


def test_allowed_calls_log_kid_and_sub_never_the_token(authorizer, auth_env, key, capsys):
    token = sign(key, cognito_claims())
    allow(authorizer, bearer(token))
    out = capsys.readouterr().out
    assert token not in out and token.split(".")[2] not in out
    allowed = [json.loads(line) for line in out.splitlines() if '"allowed"' in line]
    assert allowed == [
        {
            "level": "INFO",
            "event": "allowed",
            "kid": "key-1",
            "sub": "0a1b2c3d-1111-2222-3333-444455556666",
            "username": "user-lob-a",
            "groups": 0,
        }
    ]


def test_refusals_log_reason_kid_and_sub_never_the_token(authorizer, auth_env, key, capsys):
    token = sign(key, cognito_claims(exp=int(time.time()) - 5))
    event = auth_event(bearer(token))
    capsys.readouterr()
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(event, None)
    out = capsys.readouterr().out
    assert token not in out and token.split(".")[1] not in out and "Bearer" not in out
    line = json.loads(out.splitlines()[-1])
    assert line == {
        "level": "WARNING",
        "event": "refused",
        "reason": "token expired",
        "kid": "key-1",
        "sub": "0a1b2c3d-1111-2222-3333-444455556666",
    }


# ---------------------------------------------------------------------------- algorithms


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_is_refused(authorizer, auth_env, capsys, alg):
    header = b64json({"alg": alg, "kid": "key-1"})
    unsigned = f"{header}.{b64json(cognito_claims())}."  # the usual shape: an empty signature
    assert refused(authorizer, capsys, auth_event(bearer(unsigned))) == "token is not three base64url segments"
    with_signature = raw_token({"alg": alg, "kid": "key-1"}, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(with_signature))) == f"algorithm '{alg}' not allowed"


@pytest.mark.parametrize("alg", ["HS256", "HS512", "", "RS1", "ES256K", "EdDSA", "RSA-OAEP"])
def test_only_asymmetric_algorithms_are_accepted(authorizer, auth_env, capsys, alg):
    token = raw_token({"alg": alg, "kid": "key-1"}, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) == f"algorithm {alg!r} not allowed"


@pytest.mark.parametrize("alg", [None, 256, ["RS256"]])
def test_a_non_string_alg_is_refused(authorizer, auth_env, capsys, alg):
    token = raw_token({"alg": alg, "kid": "key-1"}, cognito_claims())
    assert (
        refused(authorizer, capsys, auth_event(bearer(token))) == "malformed token header (alg missing or not a string)"
    )


def test_hs256_signed_with_the_public_key_is_refused(authorizer, auth_env, key, capsys):
    token = hs256_with_public_key(key, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "algorithm 'HS256' not allowed"


def test_a_header_alg_other_than_the_jwks_alg_is_refused(authorizer, auth_env, jwks_server, capsys):
    rs256 = rsa_key("key-1")
    jwks_server.set_keys(rs256)  # the JWK says RS256
    ps256 = rsa_key("key-1", alg="PS256")  # same key, header PS256: a valid PS256 signature
    token = sign(ps256, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "header alg PS256 differs from the key's RS256"


def test_without_a_jwk_alg_the_header_alg_must_fit_the_key_type(authorizer, auth_env, jwks_server, capsys):
    rsa_k = rsa_key("key-1", alg="PS256")
    jwks_server.set_keys(rsa_k, with_alg=False)
    assert allow(authorizer, bearer(sign(rsa_k, cognito_claims())))["principalId"]
    handlers.reset("authorizer")
    ec = ec_key("key-1")
    forged = sign(ec, cognito_claims())  # ES256 header against an RSA JWK
    assert refused(authorizer, capsys, auth_event(bearer(forged))) == "header alg ES256 does not fit a RSA key"


# ---------------------------------------------------------------------------- kid


@pytest.mark.parametrize(
    "header, reason",
    [
        ({"alg": "RS256"}, "kid missing or not a string"),
        ({"alg": "RS256", "kid": ""}, "kid missing or not a string"),
        ({"alg": "RS256", "kid": 7}, "kid missing or not a string"),
        ({"alg": "RS256", "kid": ["key-1"]}, "kid missing or not a string"),
        ({"alg": "RS256", "kid": None}, "kid missing or not a string"),
    ],
)
def test_a_missing_or_non_string_kid_is_refused(authorizer, auth_env, capsys, header, reason):
    token = raw_token(header, cognito_claims(), b"x" * 256)
    assert refused(authorizer, capsys, auth_event(bearer(token))) == reason


def test_an_unknown_kid_is_refused(authorizer, auth_env, key, capsys):
    token = sign(Key("no-such-key", key.private), cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "unknown kid"


def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(authorizer, auth_env, capsys):
    impostor = rsa_key("impostor")
    token = sign(Key("key-1", impostor.private), cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "bad signature"


# ---------------------------------------------------------------------------- claims


NOW = int(time.time())


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"exp": NOW - 1}, "token expired"),
        ({"exp": None}, "claim exp missing"),
        ({"exp": "tomorrow"}, "claim exp: Claim 'exp' must be a NumericDate value"),
        ({"exp": str(NOW + 3600)}, "claim exp: Claim 'exp' must be a NumericDate value"),
        ({"exp": True}, "claim exp: Claim 'exp' must be a NumericDate value"),
        ({"exp": float("nan")}, "claim exp: Claim 'exp' must be a NumericDate value"),
        ({"nbf": NOW + 600}, "claim nbf: The token is not yet valid"),
        ({"nbf": str(NOW)}, "claim nbf: Claim 'nbf' must be a NumericDate value"),
        ({"iat": NOW + 600}, "claim iat: The token was issued in the future"),
        ({"iat": "yesterday"}, "claim iat: Claim 'iat' must be a NumericDate value"),
        ({"iss": ISSUER + "x"}, "wrong issuer"),
        ({"iss": ISSUER + "/evil"}, "wrong issuer"),
        ({"iss": ISSUER[:-1]}, "wrong issuer"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"}, "wrong issuer"),
        ({"iss": [ISSUER]}, "wrong issuer"),
        ({"iss": None}, "claim iss missing"),
        ({"sub": None}, "claim sub missing"),
        ({"sub": 42}, "claim sub: Claim 'sub' must be a StringOrURI value"),
        ({"sub": ""}, "claim sub: Invalid claim: 'sub'"),
        ({"client_id": "other-client-x"}, "client_id not allowed"),
        ({"client_id": None}, "client_id not allowed"),
        ({"client_id": [CLIENT_ID]}, "client_id not allowed"),
        ({"token_use": "id"}, "token_use is not access"),
        ({"token_use": None}, "token_use is not access"),
        ({"username": None}, "username missing or not a safe username"),
        ({"username": "*"}, "username missing or not a safe username"),
        ({"username": "user*"}, "username missing or not a safe username"),
        ({"username": "a/b"}, "username missing or not a safe username"),
        ({"username": "../admin"}, "username missing or not a safe username"),
        ({"username": "user?"}, "username missing or not a safe username"),
        ({"username": "${aws:username}"}, "username missing or not a safe username"),
        ({"username": "two words"}, "username missing or not a safe username"),
        ({"username": "tab\tname"}, "username missing or not a safe username"),
        ({"username": "nl\nname"}, "username missing or not a safe username"),
        ({"username": "zero\u200bwidth"}, "username missing or not a safe username"),
        ({"username": ""}, "username missing or not a safe username"),
        ({"username": "x" * 129}, "username missing or not a safe username"),
        ({"username": ["user-lob-a"]}, "username missing or not a safe username"),
    ],
)
def test_claims_are_checked(authorizer, auth_env, key, capsys, overrides, reason):
    token = sign(key, cognito_claims(**overrides))
    assert refused(authorizer, capsys, auth_event(bearer(token))) == reason


def test_an_id_token_is_not_an_access_token(authorizer, auth_env, key, capsys):
    """A Cognito ID token: aud instead of client_id, token_use id."""
    claims = cognito_claims(token_use="id", client_id=None, aud=CLIENT_ID, **{"cognito:username": "user-lob-a"})
    assert refused(authorizer, capsys, auth_event(bearer(sign(key, claims)))) == "token_use is not access"


@pytest.mark.parametrize("username", ["user-lob-a", "alice@example.com", "Ünïcødé_ok", "a.b+c=d,e", "x" * 128])
def test_usernames_in_cognitos_pattern_pass(authorizer, auth_env, key, username):
    result = allow(authorizer, bearer(sign(key, cognito_claims(username=username))))
    own, targets = result["policyDocument"]["Statement"][0]["Resource"]
    assert own.endswith(f"/dev/GET/{username}") and targets.endswith(f"/dev/GET/{username}/targets")


def test_leeway_allows_a_just_expired_token_within_it(authorizer, auth_env, key, capsys):
    token = sign(key, cognito_claims(exp=int(time.time()) - 30))
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "token expired"
    auth_env.setenv("LEEWAY_SECONDS", "60")
    handlers.reset("authorizer")
    assert allow(authorizer, bearer(token))["principalId"]


def test_oidc_settings_audience_no_token_use_other_username_claim(authorizer, auth_env, key, capsys):
    auth_env.delenv("ALLOWED_CLIENT_IDS")
    auth_env.setenv("AUDIENCE", "api://studio")
    auth_env.setenv("TOKEN_USE", "")
    auth_env.setenv("USERNAME_CLAIM", "preferred_username")
    handlers.reset("authorizer")
    claims = cognito_claims(
        token_use=None, client_id=None, username=None, aud=["api://studio", "x"], preferred_username="alice", azp="spa"
    )
    result = allow(authorizer, bearer(sign(key, claims)))
    assert result["context"].pop("proof") and result["context"] == {
        "username": "alice",
        "sub": claims["sub"],
        "clientId": "spa",
    }
    wrong = dict(claims, aud="api://other")
    assert refused(authorizer, capsys, auth_event(bearer(sign(key, wrong)))) == "wrong audience"
    missing = {k: v for k, v in claims.items() if k != "aud"}
    assert refused(authorizer, capsys, auth_event(bearer(sign(key, missing)))) == "claim aud missing"


# ---------------------------------------------------------------------------- token shape


@pytest.mark.parametrize(
    "token, reason",
    [
        ("a.b", "token is not three base64url segments"),
        ("a.b.c.d", "token is not three base64url segments"),
        ("a..c", "token is not three base64url segments"),
        ("!!!.@@@.###", "token is not three base64url segments"),
        ("abc+/=.def.ghi", "token is not three base64url segments"),
        (f"{b64(b'not json')}.{b64json({})}.{b64(b's')}", "malformed token (not base64url JSON)"),
        (f"{b64json([1, 2])}.{b64json({})}.{b64(b's')}", "malformed token header (not a JSON object)"),
        (
            f"{b64json({'kid': 'key-1'})}.{b64json({})}.{b64(b's')}",
            "malformed token header (alg missing or not a string)",
        ),
        (
            f"{b64json({'alg': 'RS256', 'kid': 'key-1', 'crit': ['exp']})}.{b64json({})}.{b64(b's')}",
            "malformed token header (crit: no extension is supported)",
        ),
        (
            f"{b64json({'alg': 'RS256', 'kid': 'key-1', 'b64': False, 'crit': ['b64']})}.{b64json({})}.{b64(b's')}",
            "malformed token header (crit: no extension is supported)",
        ),
        ("A.B.C", "malformed token (not base64url JSON)"),
    ],
)
def test_malformed_tokens_are_refused(authorizer, auth_env, capsys, token, reason):
    assert refused(authorizer, capsys, auth_event(bearer(token))) == reason


def test_a_payload_that_is_not_a_json_object_is_refused(authorizer, auth_env, key, capsys):
    for payload in (b"not json", b"[1, 2]", b'"text"'):
        token = sign(key, payload)
        assert refused(authorizer, capsys, auth_event(bearer(token))) == "payload is not a JSON object"


def test_four_segments_of_a_valid_token_are_refused(authorizer, auth_env, key, capsys):
    token = sign(key, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token + ".x"))) == "token is not three base64url segments"
    assert (
        refused(authorizer, capsys, auth_event(bearer(token.rsplit(".", 1)[0])))
        == "token is not three base64url segments"
    )


def test_an_oversized_token_is_refused_before_parsing(authorizer, auth_env, key, capsys, monkeypatch):
    token = sign(key, cognito_claims(padding="x" * 8000))
    assert len(token) > 8192
    monkeypatch.setattr(verify, "_header", lambda *_, **__: pytest.fail("parsed"))
    assert refused(authorizer, capsys, auth_event(bearer(token))) in (
        "token larger than 8 KiB",
        "Authorization header larger than 8 KiB",
    )


def test_a_large_but_allowed_token_passes(authorizer, auth_env, key):
    token = sign(key, cognito_claims(padding="x" * 5000))
    assert 5000 < len(token) <= 8192
    assert allow(authorizer, bearer(token))["principalId"]


# ---------------------------------------------------------------------------- the header


def test_header_name_and_scheme_are_case_insensitive_and_spaces_tolerated(authorizer, auth_env, key):
    token = sign(key, cognito_claims())
    for headers in (
        {"authorization": f"Bearer {token}"},
        {"AUTHORIZATION": f"bearer {token}"},
        {"Authorization": f"BEARER   {token}"},
        {"Authorization": f"  Bearer {token}  "},
    ):
        assert authorizer.handler(auth_event(headers=headers), None)["principalId"]
    # only in multiValueHeaders
    assert authorizer.handler(auth_event(headers={}, multi={"authorization": [f"Bearer {token}"]}), None)["principalId"]


@pytest.mark.parametrize(
    "value, reason",
    [
        ("{token}", "Authorization header is not 'Bearer <token>'"),
        ("Basic {token}", "Authorization header is not 'Bearer <token>'"),
        ("Bearer", "Authorization header is not 'Bearer <token>'"),
        ("Bearer ", "Authorization header is not 'Bearer <token>'"),
        ("Bearer\t{token}", "Authorization header is not 'Bearer <token>'"),
        ("Bearer {token} extra", "token is not three base64url segments"),
        ("Bearer {token},Bearer {token}", "token is not three base64url segments"),
        ("", "Authorization header is not 'Bearer <token>'"),
    ],
)
def test_malformed_authorization_headers_are_refused(authorizer, auth_env, key, capsys, value, reason):
    value = value.replace("{token}", sign(key, cognito_claims()))
    assert refused(authorizer, capsys, auth_event(value)) == reason


def test_no_authorization_header_is_refused(authorizer, auth_env, capsys):
    assert refused(authorizer, capsys, auth_event(headers={"Accept": "*/*"})) == "no Authorization header"
    assert (
        refused(authorizer, capsys, {"methodArn": METHOD_ARN, "headers": None, "multiValueHeaders": None})
        == "no Authorization header"
    )
    assert refused(authorizer, capsys, "not an event") == "event is not an object"


def test_two_different_authorization_headers_are_refused(authorizer, auth_env, key, capsys):
    good = f"Bearer {sign(key, cognito_claims())}"
    other = f"Bearer {sign(key, cognito_claims(username='user-lob-b'))}"
    cases = [
        auth_event(headers={"Authorization": good, "authorization": other}),
        auth_event(headers={"Authorization": good}, multi={"Authorization": [good, other]}),
        auth_event(headers={"Authorization": good}, multi={"authorization": [other]}),
    ]
    for event in cases:
        assert refused(authorizer, capsys, event) == "two different Authorization headers"
    # the same value twice is one header
    same = auth_event(headers={"Authorization": good}, multi={"Authorization": [good, good]})
    assert authorizer.handler(same, None)["context"]["username"] == "user-lob-a"


def test_non_string_header_values_are_refused(authorizer, auth_env, capsys):
    assert (
        refused(authorizer, capsys, auth_event(headers={"Authorization": 5}, multi={}))
        == "Authorization header is not a string"
    )
    assert refused(authorizer, capsys, auth_event(headers={}, multi={"Authorization": "Bearer x"})) == (
        "Authorization header is not a list of strings"
    )
