"""The REQUEST authorizer's key set (fetch, cache, refetch limits) and its settings, through ``handler``."""

from __future__ import annotations

import json
import time

import pytest

from testkit.events import auth_event
from testkit.kms import KEY_ARN
from testkit.tokens import (
    ISSUER,
    Key,
    b64,
    cognito_claims,
    ec_key,
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


# ---------------------------------------------------------------------------- the key set


def test_the_key_set_is_fetched_once_per_container(authorizer, auth_env, key, jwks_server):
    for _ in range(3):
        allow(authorizer, bearer(sign(key, cognito_claims())))
    assert jwks_server.hits == 1


def test_key_rotation_picks_up_a_new_kid_with_one_refetch(authorizer, auth_env, key, jwks_server, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache, "now", lambda: clock[0])
    allow(authorizer, bearer(sign(key, cognito_claims())))
    rotated = rsa_key("key-2")
    jwks_server.set_keys(key, rotated)
    clock[0] += 600  # the issuer rotates some time after this container fetched its keys
    assert allow(authorizer, bearer(sign(rotated, cognito_claims())))["principalId"]
    assert jwks_server.hits == 2
    allow(authorizer, bearer(sign(key, cognito_claims())))
    allow(authorizer, bearer(sign(rotated, cognito_claims())))
    assert jwks_server.hits == 2


def test_a_kid_flood_cannot_make_it_fetch_in_a_loop(authorizer, auth_env, key, jwks_server, capsys, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache, "now", lambda: clock[0])
    handlers.reset("authorizer")
    allow(authorizer, bearer(sign(key, cognito_claims())))
    for i in range(50):
        bogus = sign(Key(f"bogus-{i}", key.private), cognito_claims())
        assert refused(authorizer, capsys, auth_event(bearer(bogus))) == "unknown kid"
        clock[0] += 1  # 50 requests in 50 seconds
    assert jwks_server.hits == 1  # the keys are fresh: no refetch within 60 s of the last fetch
    clock[0] += 10  # 60 s after the last fetch: one refetch
    refused(authorizer, capsys, auth_event(bearer(sign(Key("bogus-y", key.private), cognito_claims()))))
    assert jwks_server.hits == 2
    for i in range(59):
        clock[0] += 1
        refused(authorizer, capsys, auth_event(bearer(sign(Key(f"bogus-z{i}", key.private), cognito_claims()))))
    assert jwks_server.hits == 2
    clock[0] += 1
    refused(authorizer, capsys, auth_event(bearer(sign(Key("bogus-x", key.private), cognito_claims()))))
    assert jwks_server.hits == 3


def test_a_failed_fetch_refuses_and_is_retried_later(authorizer, auth_env, key, jwks_server, capsys, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache, "now", lambda: clock[0])
    token = sign(key, cognito_claims())
    jwks_server.status = 500
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "signing keys unavailable"
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "signing keys unavailable"
    assert jwks_server.hits == 1  # no retry within 5 s
    jwks_server.status = 200
    clock[0] += 5
    assert allow(authorizer, bearer(token))["principalId"]
    assert jwks_server.hits == 2


@pytest.mark.parametrize(
    "mode",
    ["not json", "no keys", "redirect", "too large", "only an HMAC key"],
)
def test_a_bad_key_set_never_allows(authorizer, auth_env, key, jwks_server, capsys, mode):
    if mode == "not json":
        jwks_server.body = b"<html>"
    elif mode == "no keys":
        jwks_server.body = b'{"keys": "nope"}'
    elif mode == "redirect":
        jwks_server.redirect_to = jwks_server.url  # same key set, but no redirect is followed
    elif mode == "too large":
        jwks_server.body = json.dumps({"keys": [key.jwk()], "pad": "x" * 300_000}).encode()
    else:
        jwks_server.keys = [{"kty": "oct", "kid": "key-1", "k": b64(key.public_pem()), "alg": "HS256"}]
    token = sign(key, cognito_claims())
    assert refused(authorizer, capsys, auth_event(bearer(token))) in ("signing keys unavailable", "unknown kid")


def test_a_slow_key_set_url_times_out_and_refuses(authorizer, auth_env, key, jwks_server, capsys, monkeypatch):
    monkeypatch.setattr(fetch, "JWKS_TIMEOUT_SECONDS", 0.2)
    jwks_server.delay = 1.5
    started = time.monotonic()
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(auth_event(bearer(sign(key, cognito_claims()))), None)
    assert time.monotonic() - started < 1.5  # it did not wait for the answer
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(entry["event"], entry.get("error")) for entry in lines] == [
        ("jwks-fetch-failed", "TimeoutError"),
        ("refused", None),
    ]
    assert lines[1]["reason"] == "signing keys unavailable"


def test_the_key_set_is_refreshed_after_an_hour(authorizer, auth_env, key, jwks_server, capsys, monkeypatch):
    """A key removed from the issuer's set stops working within the hour."""
    clock = [1000.0]
    monkeypatch.setattr(cache, "now", lambda: clock[0])
    token = sign(key, cognito_claims())
    allow(authorizer, bearer(token))
    jwks_server.set_keys(rsa_key("key-2"))
    clock[0] += 3599
    allow(authorizer, bearer(token))
    assert jwks_server.hits == 1
    clock[0] += 2
    assert refused(authorizer, capsys, auth_event(bearer(token))) == "unknown kid"
    assert jwks_server.hits == 2


def test_parse_jwks_keeps_only_usable_signing_keys(authorizer, key):
    ec = ec_key("ec")
    keys = jwk.parse_jwks(
        {
            "keys": [
                key.jwk(),
                ec.jwk(),
                dict(rsa_key("enc").jwk(), use="enc"),
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
                dict(rsa_key("hs").jwk(), alg="HS256"),
                dict(rsa_key("mismatch").jwk(), alg="ES256"),
                {"kty": "RSA", "kid": "broken", "n": "AQAB", "e": "AQAB", "alg": "RS256"},
                dict(key.jwk(), kid=None),
                dict(rsa_key("dup").jwk()),
                dict(rsa_key("dup2").jwk(), kid="dup"),
                "not a key",
            ]
        }
    )
    assert sorted(keys) == ["ec", "key-1"]
    with pytest.raises(ValueError):
        jwk.parse_jwks({"keys": {}})


def test_the_real_fetch_reads_the_loopback_server(authorizer, key, jwks_server):
    jwks_server.reset()
    jwks_server.set_keys(key)
    loaded = fetch.fetch_jwks(jwks_server.url)
    assert list(loaded) == ["key-1"] and loaded["key-1"].alg == "RS256" and loaded["key-1"].kty == "RSA"
    assert loaded["key-1"].key.public_numbers() == key.public.public_numbers()


# ---------------------------------------------------------------------------- settings


# What Lambda and the stack always give: the region, and the KMS key of the proofs.
BASE = {"AWS_REGION": "us-east-1", "PROOF_KEY_ID": KEY_ARN}


def test_the_default_jwks_url_is_the_issuers_well_known_path(authorizer):
    s = settings.load_settings({**BASE, "TOKEN_ISSUER": ISSUER + "/", "ALLOWED_CLIENT_IDS": "a, ,b"})
    assert s.jwks_url == ISSUER + "/.well-known/jwks.json"
    assert s.client_ids == {"a", "b"} and s.token_use == "access" and s.username_claim == "username" and s.leeway == 0
    assert (s.require_email_verified, s.token_type, s.proof_ttl) == (False, None, 120)
    assert s.kms_endpoint == "https://kms.us-east-1.amazonaws.com"
    s = settings.load_settings({**BASE, "TOKEN_ISSUER": ISSUER, "AUDIENCE": "x", "TOKEN_USE": ""})
    assert s.token_use is None


def test_email_verified_and_token_type_settings(authorizer):
    base = {**BASE, "TOKEN_ISSUER": ISSUER, "AUDIENCE": "x"}
    s = settings.load_settings({**base, "REQUIRE_EMAIL_VERIFIED": "TRUE", "REQUIRED_TOKEN_TYPE": "application/AT+JWT"})
    assert (s.require_email_verified, s.token_type) == (True, "at+jwt")
    s = settings.load_settings({**base, "REQUIRE_EMAIL_VERIFIED": "false", "REQUIRED_TOKEN_TYPE": " "})
    assert (s.require_email_verified, s.token_type) == (False, None)


def test_the_kms_endpoint_follows_the_sdks_variables(authorizer):
    base = {**BASE, "TOKEN_ISSUER": ISSUER, "AUDIENCE": "x"}
    assert settings.load_settings({**base, "AWS_REGION": "cn-north-1"}).kms_endpoint == (
        "https://kms.cn-north-1.amazonaws.com.cn"
    )
    assert settings.load_settings({**base, "AWS_ENDPOINT_URL": "http://127.0.0.1:5000/"}).kms_endpoint == (
        "http://127.0.0.1:5000"
    )
    both = {**base, "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_KMS": "http://localhost:1"}
    assert settings.load_settings(both).kms_endpoint == "http://localhost:1"


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, "TOKEN_ISSUER: required"),
        (
            {"TOKEN_ISSUER": "http://issuer.example.com"},
            "TOKEN_ISSUER: 'http://issuer.example.com' must be an https URL",
        ),
        (
            {"TOKEN_ISSUER": ISSUER, "JWKS_URL": "http://evil.example.com/jwks"},
            "JWKS_URL: 'http://evil.example.com/jwks' must be an https URL",
        ),
        (
            {"TOKEN_ISSUER": ISSUER, "JWKS_URL": "file:///etc/passwd"},
            "JWKS_URL: 'file:///etc/passwd' must be an https URL",
        ),
        (
            {"TOKEN_ISSUER": ISSUER, "ALLOWED_CLIENT_IDS": " , "},
            "ALLOWED_CLIENT_IDS or AUDIENCE: at least one is required",
        ),
        ({"TOKEN_ISSUER": ISSUER, "LEEWAY_SECONDS": "121"}, "LEEWAY_SECONDS: 121 is outside 0-120"),
        ({"TOKEN_ISSUER": ISSUER, "LEEWAY_SECONDS": "-1"}, "LEEWAY_SECONDS: -1 is outside 0-120"),
        ({"TOKEN_ISSUER": ISSUER, "LEEWAY_SECONDS": "1.5"}, "LEEWAY_SECONDS: '1.5' is not an integer"),
        ({"TOKEN_ISSUER": ISSUER, "USERNAME_CLAIM": " "}, "USERNAME_CLAIM: must not be empty"),
        ({"TOKEN_ISSUER": ISSUER, "REQUIRE_EMAIL_VERIFIED": "yes"}, "REQUIRE_EMAIL_VERIFIED: 'yes' is neither"),
        ({"TOKEN_ISSUER": ISSUER, "PROOF_KEY_ID": ""}, "PROOF_KEY_ID: required"),
        ({"TOKEN_ISSUER": ISSUER, "PROOF_KEY_ID": "my key"}, "PROOF_KEY_ID: 'my key' is not a KMS key id"),
        ({"TOKEN_ISSUER": ISSUER, "PROOF_TTL_SECONDS": "3601"}, "PROOF_TTL_SECONDS: 3601 is outside 0-3600"),
        ({"TOKEN_ISSUER": ISSUER, "AWS_REGION": ""}, "AWS_REGION: required"),
        ({"TOKEN_ISSUER": ISSUER, "AWS_REGION": "moon"}, "AWS_REGION: 'moon' is not a region"),
        (
            {"TOKEN_ISSUER": ISSUER, "AWS_ENDPOINT_URL_KMS": "http://kms.example.com"},
            "AWS_ENDPOINT_URL_KMS: 'http://kms.example.com' must be an https URL",
        ),
    ],
)
def test_bad_settings_name_the_variable(authorizer, env, problem):
    env = {"ALLOWED_CLIENT_IDS": "c", **BASE, **env}
    with pytest.raises(errors.ConfigError) as err:
        settings.load_settings(env)
    assert problem in str(err.value)


@pytest.mark.parametrize(
    "key_id",
    [
        KEY_ARN,
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "alias/studio-access-proof",
        "arn:aws:kms:us-east-1:111122223333:alias/studio-access-proof",
    ],
)
def test_a_kms_key_may_be_named_by_id_arn_or_alias(authorizer, key_id):
    s = settings.load_settings({**BASE, "TOKEN_ISSUER": ISSUER, "AUDIENCE": "a", "PROOF_KEY_ID": key_id})
    assert s.proof_key_id == key_id


def test_loopback_http_is_allowed_for_the_key_set(authorizer):
    for url in ("http://127.0.0.1:8080/jwks.json", "http://localhost/jwks", "http://[::1]:1/j"):
        assert (
            settings.load_settings({**BASE, "TOKEN_ISSUER": ISSUER, "JWKS_URL": url, "AUDIENCE": "a"}).jwks_url == url
        )


def test_a_bad_environment_stops_the_call_with_a_log_line(authorizer, auth_env, capsys):
    auth_env.setenv("LEEWAY_SECONDS", "500")
    handlers.reset("authorizer")
    with pytest.raises(errors.ConfigError):
        authorizer.handler(auth_event("Bearer x"), None)
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["event"] == "config-invalid" and "LEEWAY_SECONDS: 500 is outside 0-120" in line["error"]


def test_on_lambda_a_bad_environment_stops_the_container_start(tmp_path):
    """Importing the module with AWS_LAMBDA_FUNCTION_NAME set builds the state at once."""
    import os
    import subprocess
    import sys

    from components.paths import PROJECT_DIR

    env = {k: v for k, v in os.environ.items() if k not in ("TOKEN_ISSUER", "ALLOWED_CLIENT_IDS", "AUDIENCE")}
    env.update(
        AWS_LAMBDA_FUNCTION_NAME="authorizer",
        PYTHONPATH=os.pathsep.join([str(handlers.folder("authorizer")), str(PROJECT_DIR)]),
    )
    run = subprocess.run([sys.executable, "-c", "import app"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "TOKEN_ISSUER: required" in run.stdout and "ConfigError" in run.stderr


def test_the_authorizer_does_not_import_boto3(tmp_path):
    import os
    import subprocess
    import sys

    from components.paths import PROJECT_DIR

    code = "import sys, app; print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(handlers.folder("authorizer")), str(PROJECT_DIR)]))
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
