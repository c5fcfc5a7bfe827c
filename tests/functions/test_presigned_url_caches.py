"""The presigned-URL function against moto: its caches, the audit line, settings and any input."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from contracts import tables
from testkit import proofs
from testkit.aws import LOB_A, LOB_B, ROLE_NAME, USERS_TABLE
from testkit.events import fn_event
from tests.functions.support import audit_lines, body, call
from tools import handlers

aws_module = handlers.module("presigned_url", "aws")
cache_module = handlers.module("presigned_url", "cache")
errors_module = handlers.module("presigned_url", "errors")
handler_module = handlers.module("presigned_url", "handler")
settings_module = handlers.module("presigned_url", "settings")

KEY = {"PROOF_PUBLIC_KEY": proofs.public_der_b64()}


def _der_b64(public) -> str:
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


EC_KEY = _der_b64(ec.generate_private_key(ec.SECP256R1()).public_key())
RSA_1024 = _der_b64(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())


# ---------------------------------------------------------------------------- caches


def test_a_warm_request_makes_exactly_one_aws_call(presigned, aws, capsys):
    call(presigned, fn_event())
    aws.calls.clear()
    capsys.readouterr()
    for _ in range(3):
        assert call(presigned, fn_event())["statusCode"] == 302
    assert aws.operations() == ["CreatePresignedDomainUrl"] * 3
    assert [line["awsCalls"] for line in audit_lines(capsys)] == [1, 1, 1]
    # a second person of the same LOB has a role session of their own; the domain is the account's
    aws.put_user("ivan", "lob-a", profile="data-scientist")
    aws.calls.clear()
    call(presigned, fn_event("ivan"))
    assert aws.operations() == ["GetItem", "AssumeRole", "CreatePresignedDomainUrl"]
    assert aws.assume_role_calls()[0]["SourceIdentity"] == "ivan"
    aws.calls.clear()
    call(presigned, fn_event("ivan"))
    assert aws.operations() == ["CreatePresignedDomainUrl"]


def test_the_mapping_is_read_again_after_the_ttl(presigned, aws, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    call(presigned, fn_event())
    now[0] += 59
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["CreatePresignedDomainUrl"]
    now[0] += 2
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["GetItem", "GetItem", "ListDomains", "CreatePresignedDomainUrl"]


def test_a_removed_user_loses_access_after_the_ttl(presigned, aws, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    assert call(presigned, fn_event())["statusCode"] == 302
    aws.dynamodb().delete_item(TableName=USERS_TABLE, Key=tables.typed({tables.KEY: "user-lob-a"}))
    now[0] += 61
    assert call(presigned, fn_event())["statusCode"] == 403


def test_credentials_are_refreshed_five_minutes_before_they_expire(presigned, aws, monkeypatch):
    monkeypatch.setenv("CACHE_TTL_SECONDS", "3600")
    handlers.reset("presigned_url")
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    call(presigned, fn_event())
    first_key = handler_module.state().sessions.get((LOB_A, "user-lob-a"))
    now[0] += 3600 - 300 - 5  # moto's credentials last 3600 s from the real clock
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["CreatePresignedDomainUrl"]
    now[0] += 10
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["AssumeRole", "CreatePresignedDomainUrl"]
    assert handler_module.state().sessions.get((LOB_A, "user-lob-a")) != first_key


def test_credentials_are_per_account_and_person(presigned, aws):
    call(presigned, fn_event("user-lob-a"))
    call(presigned, fn_event("user-lob-b"))
    assert [(p["account"], p["role"]) for p in aws.presigned] == [
        (LOB_A, f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}"),
        (LOB_B, f"arn:aws:iam::{LOB_B}:role/{ROLE_NAME}"),
    ]
    assert aws.operations().count("AssumeRole") == 2
    aws.calls.clear()
    call(presigned, fn_event("user-lob-a"))
    call(presigned, fn_event("user-lob-b"))
    assert aws.operations() == ["CreatePresignedDomainUrl"] * 2


def test_caches_are_bounded_and_expire(presigned):
    now = [0.0]
    cache = cache_module.TTLCache(ttl=60, max_size=3, clock=lambda: now[0])
    for i in range(1000):
        cache.put(f"user-{i}", i)
    assert len(cache) == 3 and cache.get("user-999") == 999 and cache.get("user-0") is None
    cache.get("user-997")  # recently used: kept
    cache.put("new", 1)
    assert cache.get("user-997") == 997 and cache.get("user-998") is None
    now[0] = 60
    assert cache.get("user-997") is None
    cache.put("expired", 1, expires_at=59)
    assert cache.get("expired") is None and len(cache) <= 3
    zero = cache_module.TTLCache(ttl=0, max_size=3, clock=lambda: now[0])
    zero.put("x", 1)
    assert zero.get("x") is None


def test_a_flood_of_distinct_usernames_cannot_grow_the_caches(presigned, aws, monkeypatch):
    monkeypatch.setattr(aws_module, "MAX_USERS", 5)
    handlers.reset("presigned_url")
    for i in range(20):
        aws.put_user(f"flood-{i}", "lob-a", profile="data-scientist")
    for i in range(20):
        call(presigned, fn_event(f"flood-{i}"))
        call(presigned, fn_event(f"unmapped-{i}"))
    state = handler_module.state()
    assert len(state.users) == 5 and len(state.lobs) == 1 and len(state.sessions) == 20


def test_role_sessions_are_bounded_per_account_and_person(presigned, aws, monkeypatch):
    monkeypatch.setattr(aws_module, "MAX_SESSIONS", 3)
    handlers.reset("presigned_url")
    for i in range(6):
        aws.put_user(f"person-{i}", "lob-a", profile="data-scientist")
        assert call(presigned, fn_event(f"person-{i}"))["statusCode"] == 302
    state = handler_module.state()
    assert len(state.sessions) == 3
    assert [key for key in ((LOB_A, f"person-{i}") for i in range(6)) if state.sessions.get(key)] == [
        (LOB_A, "person-3"),
        (LOB_A, "person-4"),
        (LOB_A, "person-5"),
    ]
    assert [c["SourceIdentity"] for c in aws.assume_role_calls()] == [f"person-{i}" for i in range(6)]


# ---------------------------------------------------------------------------- the audit line


def test_one_audit_line_per_request_without_the_url(presigned, aws, capsys):
    call(presigned, fn_event())
    event = fn_event("user-lob-a", path_user="user-lob-b")
    call(presigned, event)
    out = capsys.readouterr().out
    assert "SECRET-PRESIGNED-TOKEN" not in out and "studio.us-east-1.sagemaker.aws" not in out
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event"] for line in lines] == ["presigned-url", "presigned-url"]
    ok, forbidden = lines
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    assert {k: ok[k] for k in ("username", "lob", "account", "domain", "outcome", "status", "awsCalls")} == {
        "username": "user-lob-a",
        "lob": "lob-a",
        "account": LOB_A,
        "domain": domain,
        "outcome": "ok",
        "status": 302,
        "awsCalls": 5,
    }
    assert ok["requestId"].startswith("req-") and isinstance(ok["latencyMs"], float)
    assert (
        forbidden["outcome"] == "forbidden"
        and forbidden["status"] == 403
        and forbidden["requestId"] == event["requestContext"]["requestId"]
    )


# ---------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "name, value, problem",
    [
        ("USERS_TABLE", "", "USERS_TABLE: required"),
        ("LOBS_TABLE", " ", "LOBS_TABLE: required"),
        ("ACCESS_ROLE_NAME", "role/with/slash", "ACCESS_ROLE_NAME: 'role/with/slash' is not an IAM role name"),
        ("URL_EXPIRES_SECONDS", "4", "URL_EXPIRES_SECONDS: 4 is outside 5-300"),
        ("URL_EXPIRES_SECONDS", "301", "URL_EXPIRES_SECONDS: 301 is outside 5-300"),
        ("URL_EXPIRES_SECONDS", "twenty", "URL_EXPIRES_SECONDS: 'twenty' is not an integer"),
        ("SESSION_EXPIRATION_SECONDS", "1799", "SESSION_EXPIRATION_SECONDS: 1799 is outside 1800-43200"),
        ("SESSION_EXPIRATION_SECONDS", "43201", "SESSION_EXPIRATION_SECONDS: 43201 is outside 1800-43200"),
        ("CACHE_TTL_SECONDS", "-1", "CACHE_TTL_SECONDS: -1 is outside 0-3600"),
        ("AWS_REGION", "mars", "AWS_REGION: 'mars' is not a region"),
        ("PROOF_PUBLIC_KEY", "", "PROOF_PUBLIC_KEY: required"),
        ("PROOF_PUBLIC_KEY", "not base64!", "PROOF_PUBLIC_KEY: not a base64 DER RSA public key"),
        ("PROOF_PUBLIC_KEY", base64.b64encode(b"0" * 40).decode(), "PROOF_PUBLIC_KEY: not a base64 DER RSA public key"),
        ("PROOF_PUBLIC_KEY", EC_KEY, "not an RSA (rsaEncryption) public key"),
        ("PROOF_PUBLIC_KEY", RSA_1024, "RSA modulus must be 2048-4096 bits"),
    ],
)
def test_bad_settings_name_the_variable(presigned, name, value, problem):
    env = {"USERS_TABLE": "u", "LOBS_TABLE": "l", "ACCESS_ROLE_NAME": "r", "AWS_REGION": "us-east-1", **KEY}
    env[name] = value
    with pytest.raises(errors_module.ConfigError) as err:
        settings_module.load_settings(env)
    assert problem in str(err.value)


def test_defaults_and_partitions(presigned):
    s = settings_module.load_settings(
        {"USERS_TABLE": "u", "LOBS_TABLE": "l", "ACCESS_ROLE_NAME": "r", "AWS_REGION": "cn-north-1", **KEY}
    )
    assert (s.url_expires, s.session_expiration, s.cache_ttl) == (20, None, 60)
    assert s.role_arn("111111111111") == "arn:aws-cn:iam::111111111111:role/r"
    assert s.sts_endpoint == "https://sts.cn-north-1.amazonaws.com.cn"


def test_on_lambda_a_bad_environment_stops_the_container_start():
    import os
    import subprocess
    import sys

    from components.paths import PROJECT_DIR

    path = os.pathsep.join([str(handlers.folder("presigned_url")), str(PROJECT_DIR)])
    env = dict(os.environ, AWS_LAMBDA_FUNCTION_NAME="presigned", PYTHONPATH=path, AWS_REGION="us-east-1")
    env.update(USERS_TABLE="u", LOBS_TABLE="l", ACCESS_ROLE_NAME="r", URL_EXPIRES_SECONDS="600", **KEY)
    run = subprocess.run([sys.executable, "-c", "import app"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "URL_EXPIRES_SECONDS: 600 is outside 5-300" in run.stdout


# ---------------------------------------------------------------------------- any input


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)
_usernames = st.sampled_from(["user-lob-a", "user-lob-b", "stranger", "", "x" * 200, "a\x00b"]) | st.text(max_size=40)


@st.composite
def _events(draw):
    username = draw(_usernames | _json)
    event = fn_event(
        username if isinstance(username, str) else "user-lob-a",
        path_user=draw(st.just(None) | _usernames),
        query=draw(
            st.none() | st.dictionaries(st.sampled_from(["space", "landing", "x"]), st.text(max_size=30), max_size=2)
        ),
        headers=draw(
            st.none() | st.dictionaries(st.sampled_from(["Accept", "accept", "X"]), st.text(max_size=30), max_size=2)
        ),
    )
    if not isinstance(username, str):
        event["requestContext"]["authorizer"]["username"] = username
    if draw(st.booleans()):
        key = draw(
            st.sampled_from(
                [
                    "requestContext",
                    "pathParameters",
                    "queryStringParameters",
                    "headers",
                    "multiValueQueryStringParameters",
                ]
            )
        )
        event[key] = draw(_json)
    return event


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(event=_events())
def test_any_request_gets_a_clear_answer_never_a_crash_or_a_500(presigned, aws, event):
    response = call(presigned, event)
    assert response["statusCode"] in (200, 302, 400, 403, 404), response
    assert response["headers"]["Cache-Control"] == "no-store"
    if response["statusCode"] >= 400:
        data = body(response)
        assert set(data) == {"message", "requestId"} and data["message"]
